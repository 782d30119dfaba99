"""Injection into real quiet stars from shared/data, and recovery at the known ephemeris."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest

import starskope
from starskope.errors import LightCurveDataError, ParameterError
from starskope.lightcurve import arrays, from_arrays
from starskope.simulate import (
    EclipsingBinarySignal,
    SpotModulation,
    Star,
    TransitSignal,
    fit_transit_depth,
    inject,
    limb_darkening,
)
from starskope.simulate.population import draw_planet


def _first(manifest: list[dict[str, str]], prefix: str, cls: str, contains: str = "") -> str:
    for row in manifest:
        if row["file"].startswith(prefix) and row["class"] == cls and contains in row["file"]:
            return row["file"]
    raise AssertionError(f"no {cls} file under {prefix}")


@pytest.fixture(scope="module")
def quiet_stars(shared_data, manifest) -> dict[str, object]:
    """A TESS non-variable FFI star, a Kepler DR24 quarter without planets, a K2 C5 LLC."""
    files = {
        "TESS": _first(manifest, "tess/ffi/", "non_variable"),
        "Kepler": _first(manifest, "kepler/dr24/", "no_known_planet"),
        "K2": _first(manifest, "k2/misc/", "unknown", "-c05_llc"),
    }
    return {m: starskope.read(shared_data / f) for m, f in files.items()}


CASES = {  # mission: (period [d], planet radius [R⊕] around a Sun-like star)
    "TESS": (3.3, 11.0),
    "Kepler": (6.1, 5.0),
    "K2": (4.7, 11.0),
}


@pytest.mark.parametrize("mission", list(CASES))
def test_injected_depth_is_recovered_within_5_percent(quiet_stars, mission: str) -> None:
    lc = quiet_stars[mission]
    assert lc.meta["MISSION"] == mission
    t = arrays(lc).time
    period, radius = CASES[mission]
    star = Star.sun_like(mission=mission)
    planet = TransitSignal(period * u.day, radius * u.R_earth, star, float(t[np.isfinite(t)][50]), 0.2)
    new, truth = inject(lc, planet)
    assert truth["n_transits"] >= 4
    depth, err = fit_transit_depth(new, planet)
    assert depth == pytest.approx(truth["depth_ppm"] * 1e-6, rel=0.05)
    assert err < 0.02 * depth
    # what the star does by itself at that ephemeris is small and cancels in a differential fit
    base, _ = fit_transit_depth(lc, planet)
    assert depth - base == pytest.approx(truth["depth_ppm"] * 1e-6, rel=0.02)
    # limb darkening in the light curve's own band
    assert (truth["u1"], truth["u2"]) == pytest.approx(tuple(limb_darkening(5772.0, mission)))


def test_injection_respects_cadence_gaps_and_errors(quiet_stars) -> None:
    lc = quiet_stars["Kepler"]
    a = arrays(lc)
    star = Star.sun_like()
    planet = TransitSignal(2.0 * u.day, 8 * u.R_earth, star, float(a.time[10]), 0.1)
    new, truth = inject(lc, planet)
    b = arrays(new)
    assert np.array_equal(a.time, b.time)
    assert np.array_equal(np.isnan(a.flux), np.isnan(b.flux))  # gaps stay gaps
    assert np.array_equal(a.flux_err, b.flux_err, equal_nan=True)
    assert np.array_equal(a.quality, b.quality)
    ok = np.isfinite(a.flux)
    cadence = lc.meta["CADENCE"].to_value(u.day)
    assert np.allclose(b.flux[ok] / a.flux[ok], planet.relative_flux(a.time[ok], cadence), rtol=1e-12)
    assert truth["exp_time_minutes"] == pytest.approx(29.4244, rel=1e-3)
    assert new.meta["INJECTED"]["period_days"] == 2.0
    assert new.meta["PROVENANCE"][-1].startswith("inject: TransitSignal")
    assert lc.meta["PROVENANCE"] != new.meta["PROVENANCE"]  # the input is untouched
    assert truth["object"] == lc.meta["OBJECT"]


def test_inject_draws_by_name_reproducibly(quiet_stars) -> None:
    lc = quiet_stars["TESS"]
    one, t1 = inject(lc, "planet", seed=5)
    two, t2 = inject(lc, "planet", seed=5)
    _three, t3 = inject(lc, "planet", seed=6)
    assert t1 == t2 and t1 != t3
    assert np.array_equal(arrays(one).flux, arrays(two).flux, equal_nan=True)
    for kind in ("eclipsing_binary", "background_eb", "spotted", "delta_scuti", "gamma_dor", "rr_lyrae"):
        new, truth = inject(lc, kind, seed=1)
        assert np.nanstd(arrays(new).flux / arrays(lc).flux) > 0
    # a function that draws the signal, and a list of signals
    star = Star(0.8 * u.M_sun, 0.8 * u.R_sun, 5000 * u.K, mission="TESS")
    _, truth = inject(lc, lambda rng, time: draw_planet(star, rng, float(time[0]), float(time[-1])), seed=2)
    assert truth["signal"] == "planet"
    assert truth["a_over_rstar"] == pytest.approx(TransitSignal.from_floats(truth["period_days"], 1.0, star, 2458000.0).a_over_rstar)
    t0 = float(arrays(lc).time[0])
    spots = SpotModulation(5 * u.day, 0.01 * u.one, 12 * u.day, ((1.0, 0.0, 0.0, 0.2, 0.0, 1.0),), t0)
    eb = EclipsingBinarySignal(2.5 * u.day, star, 0.5 * u.M_sun, 0.5 * u.R_sun, 3700 * u.K, t0 + 1.0)
    _, truth = inject(lc, [eb, spots])
    assert truth["signal"] == "eclipsing_binary" and "spot_period_days" in truth
    assert truth["secondary_depth_ppm"] > 0


def test_inject_into_from_arrays_light_curve() -> None:
    t = 2458000.0 + np.arange(0, 10, 2 / 1440)
    rng = np.random.default_rng(0)
    lc = from_arrays(t, 1 + 1e-4 * rng.standard_normal(len(t)), np.full(len(t), 1e-4), mission="TESS")
    planet = TransitSignal(1.7 * u.day, 4 * u.R_earth, Star.sun_like(mission="TESS"), 2458000.5, 0.0)
    new, truth = inject(lc, planet)
    depth, err = fit_transit_depth(new, planet, quality_mask="none")
    assert depth == pytest.approx(truth["depth_ppm"] * 1e-6, abs=4 * err)


def test_inject_errors(quiet_stars) -> None:
    lc = quiet_stars["TESS"]
    bare = lc.copy()
    bare.meta["MISSION"] = None
    with pytest.raises(LightCurveDataError, match="meta\\['MISSION'\\] is not set"):
        inject(bare, "planet", seed=1)
    empty = lc.copy()
    empty["flux"] = empty["flux"] * np.nan
    with pytest.raises(LightCurveDataError, match="no finite flux to inject into"):
        inject(empty, "planet", seed=1)
    with pytest.raises(ParameterError, match="unknown signal kind 'comet'"):
        inject(lc, "comet", seed=1)
    with pytest.raises(ParameterError, match="signal must be a Signal, a list of Signals"):
        inject(lc, 42)
    with pytest.raises(ParameterError, match="the signal function returned float, not a Signal"):
        inject(lc, lambda rng, time: 1.0)
    single = lc[:1]
    single.meta["CADENCE"] = None
    with pytest.raises(LightCurveDataError, match="single cadence"):
        inject(single, "planet", seed=1)
    spots = SpotModulation(5 * u.day, 0.01 * u.one, 12 * u.day, ((1.0, 0.0, 0.0, 0.2, 0.0, 1.0),))
    with pytest.raises(ParameterError, match="has no dips to fit"):
        fit_transit_depth(lc, spots)
    planet = TransitSignal(3 * u.day, 5 * u.R_earth, Star.sun_like(), float(arrays(lc).time[0]) + 500.0)
    with pytest.raises(ParameterError, match="window must be > 1"):
        fit_transit_depth(lc, planet, window=1.0)
    far = TransitSignal(300 * u.day, 5 * u.R_earth, Star.sun_like(), float(arrays(lc).time[0]) + 150.0)
    with pytest.raises(ParameterError, match="no dip has data inside and on both sides"):
        fit_transit_depth(lc, far)
