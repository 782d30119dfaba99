"""Telescope effects: time grids, thruster firings, quarters, orbits, dumps, scattered light."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest

from starskope.errors import ParameterError, UnknownNameError
from starskope.io.flux_table import rebuild_time
from starskope.missions import get_mission
from starskope.simulate import (
    campaign_grid,
    join_grids,
    k2_c3_grid,
    make_schedule,
    plan_set,
    quarter_grid,
    sector_grid,
    simulate_stars,
    star_effects,
)
from starskope.simulate.instrument import _strong_systematic, quality_bit

FIRING = 1048576
POSSIBLE_FIRING = 524288


def test_k2_c3_grid_is_the_kaggle_cadences() -> None:
    grid = k2_c3_grid()
    assert len(grid) == 3197
    assert np.allclose(grid.time_bjd, rebuild_time(3197).tdb.jd, atol=1e-7, rtol=0)
    assert np.diff(grid.time_bjd) == pytest.approx(get_mission("K2").long_cadence.to_value(u.day))
    assert grid.cadenceno[0] == 99599 and np.all(np.diff(grid.cadenceno) == 1)
    assert not grid.gaps_allowed
    assert grid.mission_time[0] == pytest.approx(2144.1027710617273)


def test_thruster_firings_are_flagged_every_six_hours() -> None:
    grid = k2_c3_grid()
    sched = make_schedule(grid, np.random.default_rng(1))
    firing_idx = np.flatnonzero(sched.firing)
    # every firing cadence carries the 'Thruster firing' bit, and only firing cadences do
    assert np.all(sched.quality[sched.firing] & FIRING)
    assert not np.any(sched.quality[~sched.firing] & FIRING)
    assert np.any(sched.quality & POSSIBLE_FIRING)
    spacing_h = np.diff(grid.time_bjd[firing_idx]) * 24
    assert np.median(spacing_h) == pytest.approx(0.245 * 24, rel=0.05)
    span = grid.time_bjd[-1] - grid.time_bjd[0]
    assert len(firing_idx) == pytest.approx(span / 0.245, rel=0.06)
    # the roll phase ramps up between firings and resets at each one
    assert np.all((sched.roll_phase >= 0) & (sched.roll_phase <= 1))
    after = firing_idx[:-1] + 1
    assert np.mean(sched.roll_phase[after]) < 0.2
    assert get_mission("K2").describe_quality(int(sched.quality[firing_idx[0]]))[-1] == "Thruster firing"
    # in the simulated flux the firing cadences stand out low
    plan = plan_set(grid, 30, 0, 3, classes=["quiet"] * 30, schedule=sched)
    sim = simulate_stars(plan, detail=True)
    assert sim.quality is not None
    assert np.all(sim.quality[:, sched.firing] & FIRING)
    rel = sim.pdcsap / np.median(sim.pdcsap, axis=1, keepdims=True) - 1
    assert np.mean(rel[:, sched.firing]) < np.mean(rel[:, ~sched.firing])


def test_k2_roll_sawtooth_in_raw_flux_and_centroids() -> None:
    grid = campaign_grid(5)
    plan = plan_set(grid, 5, 0, 4, classes=["quiet"] * 5)
    sim = simulate_stars(plan, detail=True)
    roll = plan.schedule.roll_phase
    assert roll is not None and sim.sap is not None and sim.centroid_col is not None
    for j in range(len(sim)):
        ok = np.isfinite(sim.sap[j]) & np.isfinite(sim.pdcsap[j])
        # the centroid slides along the roll arc: strongly correlated with the roll phase
        assert np.corrcoef(sim.centroid_col[j][ok], roll[ok])[0, 1] > 0.9
        # the raw flux carries the roll systematic, much larger than in corrected flux
        s = roll[ok] - 0.5
        x = plan.schedule.x[ok]
        design = np.column_stack([np.ones_like(s), x, x**2, s, s**2])
        amplitude = {}
        for name, flux in (("sap", sim.sap[j][ok]), ("pdc", sim.pdcsap[j][ok])):
            rel = flux / np.median(flux) - 1
            coef, *_ = np.linalg.lstsq(design, rel, rcond=None)
            amplitude[name] = np.std(design[:, 3:] @ coef[3:])
        assert amplitude["sap"] > 3 * amplitude["pdc"]
        assert amplitude["pdc"] == pytest.approx(sim.truths[j]["roll_residual_ppm"] * 1e-6, rel=0.5)


def test_kepler_quarters_have_gaps_and_their_own_flux_levels() -> None:
    grid = join_grids([quarter_grid(2), quarter_grid(3), quarter_grid(4)])
    assert set(np.unique(grid.segments)) == {2, 3, 4}
    steps = np.diff(grid.time_bjd)
    assert np.sum(steps > 0.9) >= 2 * 3  # monthly downlinks inside each quarter, and between quarters
    plan = plan_set(grid, 20, 0, 7, classes=["quiet"] * 20)
    sim = simulate_stars(plan)
    jumps = []
    for j in range(len(sim)):
        levels = [np.nanmedian(sim.pdcsap[j][grid.segments == q]) for q in (2, 3, 4)]
        jumps.append(np.std(levels) / np.mean(levels))
    assert np.median(jumps) > 5 * np.median([t["noise_ppm"] for t in sim.truths]) * 1e-6 / np.sqrt(4000)
    assert np.median(jumps) > 1e-3
    # one quarter on its own
    sub = grid.select(grid.segments == 3)
    assert sub.segment == 3 and sub.segment_of is None


def test_tess_orbit_gap_dumps_and_scattered_light() -> None:
    grid = sector_grid(1)
    prof = get_mission("TESS")
    steps = np.diff(grid.time_bjd)
    assert np.sum(steps > 0.9) == 1  # the perigee gap between the two orbits
    assert grid.cadence_minutes == pytest.approx(2.0)
    sched = make_schedule(grid, np.random.default_rng(2))
    dump_times = grid.time_bjd[sched.dump]
    starts = dump_times[np.concatenate([[True], np.diff(dump_times) > 0.1])]
    assert len(starts) >= 6
    assert np.median(np.diff(starts)) == pytest.approx(3.125, rel=0.05)
    assert np.all(sched.quality[sched.dump] & quality_bit(prof, "Desaturation event"))
    # scattered light near the orbit ends, flagged 2048 (and 4096 where strongest)
    assert np.any(sched.quality & 2048) and np.any(sched.quality & 4096)
    lit = grid.time_bjd[(sched.quality & 4096) > 0]
    orbit_edges = [grid.time_bjd[0], grid.time_bjd[np.argmax(steps)], grid.time_bjd[np.argmax(steps) + 1], grid.time_bjd[-1]]
    assert all(min(abs(t - e) for e in orbit_edges) < 2.0 for t in lit)
    assert sched.gap.any() and np.all(sched.quality[sched.gap] & 4)
    ffi = sector_grid(30, "ffi_10min")
    assert ffi.cadence_minutes == pytest.approx(10.0)


def test_strong_systematics_and_cosmic_rays() -> None:
    grid = sector_grid(14, "ffi_30min")
    sched = make_schedule(grid, np.random.default_rng(3))
    kinds = set()
    for s in range(40):
        eff = star_effects(grid, sched, np.random.default_rng(s), 1e-3, systematics=True, mag=11.0)
        kinds.add(eff.truth["sys_kind"])
        assert eff.truth["sys_amplitude_ppm"] > 0
        assert grid.time_bjd[0] <= eff.truth["sys_time_bjd"] <= grid.time_bjd[-1]
        assert eff.truth["n_cosmic_rays"] >= 0
    assert kinds == {"spsd", "ramp", "glitches", "rolling_band", "scattered_light"}
    eff = star_effects(grid, sched, np.random.default_rng(0), 1e-3)
    assert "sys_kind" not in eff.truth


def test_grid_and_schedule_errors() -> None:
    with pytest.raises(ParameterError, match="has no QUALITY bit named 'Warp drive'"):
        quality_bit(get_mission("TESS"), "Warp drive")
    with pytest.raises(ParameterError, match="join_grids needs at least one grid"):
        join_grids([])
    with pytest.raises(ParameterError, match="must share one telescope and cadence"):
        join_grids([quarter_grid(2), sector_grid(1)])
    with pytest.raises(ParameterError, match="overlap in time"):
        join_grids([quarter_grid(2), quarter_grid(2)])
    with pytest.raises(UnknownNameError, match="has no quarter 40"):
        quarter_grid(40)
    with pytest.raises(UnknownNameError, match="TESS has no cadence 'hourly'"):
        sector_grid(1, "hourly")
    grid = k2_c3_grid()
    sched = make_schedule(grid, np.random.default_rng(0))
    z = np.zeros(len(grid))
    with pytest.raises(ParameterError, match="unknown systematic kind 'gremlins'"):
        _strong_systematic("gremlins", grid, sched, np.random.default_rng(0), z, z.copy(), z.copy(),
                           np.zeros(len(grid), dtype=np.int32))
