"""Simulated signals against their inputs: depths, durations, secondaries, shapes."""

from __future__ import annotations

import math

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from starskope import physics
from starskope.errors import ParameterError, UnitsError
from starskope.physics import ppm
from starskope.simulate import (
    BackgroundBinarySignal,
    CompositeSignal,
    EclipsingBinarySignal,
    PulsationSignal,
    SingleEventSignal,
    SpotModulation,
    Star,
    TransitSignal,
    k2_c3_grid,
    plan_set,
    simulate_stars,
)
from starskope.simulate.population import (
    _ld_depth,
    draw_delta_scuti,
    draw_gamma_dor,
    draw_planet,
    draw_rr_lyrae,
    draw_spots,
)

EPOCH = 2456980.0


@pytest.fixture(scope="module")
def hosts():
    """30 planet hosts on the K2 C3 grid, with and without instrumental effects."""
    plan = plan_set(k2_c3_grid(), 30, 30, 5, classes=["planet"] * 30)
    return plan, simulate_stars(plan, instrument=False), simulate_stars(plan)


@pytest.fixture(scope="module")
def binaries():
    n = 40
    plan = plan_set(k2_c3_grid(), n, 0, 6, classes=["eclipsing_binary"] * 20 + ["background_eb"] * 20)
    return plan, simulate_stars(plan, instrument=False)


def _in_transit_mean(sim, j: int, centre_fraction: float = 0.5):
    """Mean measured and model relative flux over the central part of every dip."""
    t = sim.grid.time_bjd
    tr = sim.truths[j]
    signal = sim.signals[j]
    phase = ((t - tr["epoch_bjd"]) / tr["period_days"] + 0.5) % 1.0 - 0.5
    hours = np.abs(phase * tr["period_days"] * 24.0)
    inside = hours < centre_fraction * 0.5 * tr["duration_hours"]
    out = (hours > 1.5 * tr["duration_hours"]) & (hours < 4.0 * tr["duration_hours"] + 12.0)
    f = sim.pdcsap[j]
    base = np.median(f[out])
    model = signal.relative_flux(t, sim.grid.cadence_days)
    measured = 1.0 - np.mean(f[inside]) / base
    expected = 1.0 - np.mean(model[inside]) / np.median(model[out])
    sigma = tr["noise_ppm"] * 1e-6 / math.sqrt(inside.sum())
    return measured, expected, sigma


def test_depth_is_limb_darkened_radius_ratio_squared(hosts) -> None:
    _plan, sim, _ = hosts
    for tr in sim.truths:
        k, b = tr["rp_over_rstar"], tr["impact"]
        assert tr["rp_rearth"] / 109.076 / tr["rstar_rsun"] == pytest.approx(k, rel=1e-3)
        # batman's depth equals (Rp/R★)² · I(μ)/⟨I⟩ up to the planet's finite size
        assert tr["depth_ppm"] * 1e-6 == pytest.approx(_ld_depth(k, b, tr["u1"], tr["u2"]), rel=0.03)
        if b < 0.5:
            assert tr["depth_ppm"] * 1e-6 > k**2  # limb darkening deepens central transits


def test_measured_in_transit_flux_matches_the_model(hosts) -> None:
    _plan, sim, sim_instr = hosts
    pulls = []
    for j in range(len(sim)):
        measured, expected, sigma = _in_transit_mean(sim, j)
        pulls.append((measured - expected) / sigma)
        # the central part of the dip is about as deep as the unsmoothed model
        signal = sim.signals[j]
        planet = signal.parts[0] if isinstance(signal, CompositeSignal) else signal
        t = np.array([sim.truths[j]["epoch_bjd"]])
        smoothed = 1 - planet.relative_flux(t, sim.grid.cadence_days)[0]
        assert smoothed == pytest.approx(sim.truths[j]["depth_ppm"] * 1e-6, rel=0.35)
    pulls = np.asarray(pulls)
    assert np.all(np.abs(pulls) < 4.5), pulls
    assert abs(np.mean(pulls)) < 1.0
    # with the telescope's residual systematics the dips are still there at the right depth
    rel = []
    for j in range(len(sim_instr)):
        measured, expected, sigma = _in_transit_mean(sim_instr, j)
        if expected / sigma > 15:
            rel.append(measured / expected)
    assert len(rel) >= 5
    assert np.median(rel) == pytest.approx(1.0, abs=0.05)


def test_host_snr_follows_its_definition(hosts) -> None:
    _plan, sim, _ = hosts
    for tr in sim.truths:
        expected = tr["depth_ppm"] / (tr["cdpp_6p5h_ppm"] * math.sqrt(6.5 / tr["duration_hours"])) * math.sqrt(tr["n_transits"])
        # CDPP over the duration differs from the 6.5-h value scaled by √t only through granulation
        assert tr["snr"] == pytest.approx(expected, rel=0.15)
        assert tr["snr"] >= 6.5
        assert tr["n_transits"] >= 2


def test_durations_follow_keplers_law(hosts) -> None:
    _plan, sim, _ = hosts
    for tr, signal in zip(sim.truths, sim.signals, strict=True):
        planet = signal.parts[0] if isinstance(signal, CompositeSignal) else signal
        t14 = physics.transit_duration(tr["period_days"] * u.day, tr["rstar_rsun"] * u.R_sun, tr["mstar_msun"] * u.M_sun,
                                       planet_radius=tr["rp_rearth"] * u.R_earth, impact_parameter=tr["impact"])
        assert tr["duration_hours"] == pytest.approx(t14.to_value(u.hour), rel=1e-4)
        a = physics.semi_major_axis(tr["period_days"] * u.day, tr["mstar_msun"] * u.M_sun)
        assert tr["a_over_rstar"] == pytest.approx((a / (tr["rstar_rsun"] * u.R_sun)).decompose().value, rel=1e-4)
        # the noiseless model dips for exactly T14 (first to last contact)
        grid = tr["epoch_bjd"] + np.linspace(-tr["duration_hours"], tr["duration_hours"], 20001) / 24.0
        dip = planet.relative_flux(grid, 0.0) < 1.0
        width_h = (grid[dip][-1] - grid[dip][0]) * 24.0
        assert width_h == pytest.approx(tr["duration_hours"], rel=2e-3)


def test_eclipsing_binary_secondaries_where_drawn(binaries) -> None:
    _plan, sim = binaries
    checked = 0
    for j, (tr, signal) in enumerate(zip(sim.truths, sim.signals, strict=True)):
        assert tr["secondary_depth_ppm"] >= 0
        assert tr["secondary_epoch_bjd"] == pytest.approx(tr["epoch_bjd"] + 0.5 * tr["period_days"])
        # the eclipses alone reach the recorded depths at phases 0 and 0.5
        eb = signal.binary if isinstance(signal, BackgroundBinarySignal) else signal
        d1, d2 = eb.eclipse_depths()
        scale = tr["dilution"] if isinstance(signal, BackgroundBinarySignal) else 1.0
        assert tr["depth_ppm"] == pytest.approx(scale * d1 * 1e6)
        assert tr["secondary_depth_ppm"] == pytest.approx(scale * d2 * 1e6)
        if tr["grazing"]:
            assert tr["impact"] > 1 - eb.k
        # in the simulated light curve, the secondary eclipse is there when it is deep enough
        t = sim.grid.time_bjd
        phase = ((t - tr["epoch_bjd"]) / tr["period_days"]) % 1.0
        hours = np.abs(phase - 0.5) * tr["period_days"] * 24.0
        inside = hours < 0.25 * tr["duration_hours"]
        ring = (hours > 1.2 * tr["duration_hours"]) & (hours < 2.5 * tr["duration_hours"])
        if inside.sum() < 3 or ring.sum() < 10:
            continue
        f = sim.pdcsap[j] / np.median(sim.pdcsap[j])
        model = signal.relative_flux(t, sim.grid.cadence_days)
        measured = np.mean(f[ring]) - np.mean(f[inside])
        expected = np.mean(model[ring]) - np.mean(model[inside])
        sigma = tr["noise_ppm"] * 1e-6 * math.sqrt(1 / inside.sum() + 1 / ring.sum())
        assert abs(measured - expected) < 5 * sigma + 0.02 * abs(expected), (j, measured, expected, sigma)
        if tr["secondary_depth_ppm"] * 1e-6 > 10 * sigma:
            assert measured > 5 * sigma
            checked += 1
    assert checked >= 5


def test_background_binary_is_diluted_and_moves_the_centroid() -> None:
    star = Star.sun_like()
    eb = EclipsingBinarySignal(2.0 * u.day, star, 0.8 * u.M_sun, 0.8 * u.R_sun, 5000 * u.K, EPOCH, 0.2)
    beb = BackgroundBinarySignal(eb, 0.01, separation_pix=2.0)
    t = EPOCH + np.linspace(-0.2, 0.2, 401)
    assert 1 - beb.relative_flux(t).min() == pytest.approx(0.01 * (1 - eb.relative_flux(t).min()), rel=1e-9)
    shift = beb.centroid_shift(t)
    assert shift[200] < shift[0]  # during the eclipse the light centre moves towards the target
    assert beb.truth()["depth_ppm"] == pytest.approx(0.01 * eb.truth()["depth_ppm"])


def test_grazing_binary_is_v_shaped() -> None:
    star = Star.sun_like()
    k = 0.3
    flat = EclipsingBinarySignal(3.0 * u.day, star, 0.4 * u.M_sun, k * u.R_sun, 3600 * u.K, EPOCH, 0.1)
    graze = EclipsingBinarySignal(3.0 * u.day, star, 0.4 * u.M_sun, k * u.R_sun, 3600 * u.K, EPOCH, 1.15)
    assert graze.grazing and not flat.grazing
    for sig in (flat, graze):
        half = sig.duration_days / 2
        t = EPOCH + np.linspace(-half, half, 2001)
        f = 1.0 - sig.relative_flux(t)
        # fraction of the eclipse spent deeper than 90 % of the maximum depth
        frac_bottom = np.mean(f > 0.9 * f.max())
        if sig is graze:
            assert frac_bottom < 0.3
        else:
            assert frac_bottom > 0.4


def test_exposure_integration_smooths_transits_and_pulsations() -> None:
    star = Star.sun_like()
    planet = TransitSignal(1.5 * u.day, 3 * u.R_earth, star, EPOCH, 0.0)
    t = np.array([EPOCH])
    long = planet.relative_flux(t, 29.4244 / 1440)
    assert 1 - long[0] < planet.depth  # a 29-min exposure of a 2-hour transit is shallower
    # brute-force average over the exposure agrees with the supersampled model
    sub = EPOCH + ((np.arange(2000) + 0.5) / 2000 - 0.5) * 29.4244 / 1440
    assert long[0] == pytest.approx(np.mean(planet.relative_flux(sub, 0.0)), abs=2e-6)
    puls = PulsationSignal("delta_scuti", (30.0,), (0.01,), (0.0,), EPOCH)
    exp = 29.4244 / 1440
    x = EPOCH + 0.01
    brute = np.mean(puls.relative_flux(x + ((np.arange(4000) + 0.5) / 4000 - 0.5) * exp, 0.0))
    assert puls.relative_flux(np.array([x]), exp)[0] == pytest.approx(brute, abs=1e-6)


def test_pulsators_and_spots_have_their_period_ranges() -> None:
    rng = np.random.default_rng(8)
    for _ in range(20):
        ds, gd, rr = draw_delta_scuti(rng, EPOCH), draw_gamma_dor(rng, EPOCH), draw_rr_lyrae(rng, EPOCH)
        assert all(0.02 <= 1 / f <= 0.3 for f in ds.frequencies)
        assert all(0.29 <= 1 / f <= 3.2 for f in gd.frequencies)
        assert 0.2 <= rr.dominant_period_days <= 1.0
        # RR Lyrae: 0.3–1 mag peak to peak
        p2p = rr.peak_to_peak()
        fmin = 1 - p2p / 2
        assert 0.25 < 2.5 * math.log10((fmin + p2p) / fmin) < 1.1
        sp = draw_spots(rng, EPOCH)
        assert 1.0 <= sp.truth()["spot_period_days"] <= 40.0
        # spot modulation is quasi-periodic at the rotation period
        t = EPOCH + np.arange(0, 6 * sp.truth()["spot_period_days"], 0.02)
        f = sp.relative_flux(t)
        assert f.max() - f.min() <= sp.truth()["spot_amplitude_ppm"] * 1e-6 * 2.0
    # the RR Lyrae light curve rises faster than it falls (sawtooth)
    rr = PulsationSignal("rr_lyrae", *[tuple(x) for x in _rrab()], EPOCH, 0.6)
    t = EPOCH + np.linspace(0, 0.6, 6001)
    f = rr.relative_flux(t)
    i_max, i_min = int(np.argmax(f)), int(np.argmin(f))
    rise = ((i_max - i_min) % 6000) / 6000
    assert rise < 0.3


def _rrab():
    from starskope.simulate.population import _rr_lyrae_harmonics

    amps, phases = _rr_lyrae_harmonics(0.8, 0.15)
    k = np.arange(1, len(amps) + 1)
    return (k / 0.6).tolist(), amps.tolist(), phases.tolist()


def test_single_events_happen_once() -> None:
    ev = SingleEventSignal(EPOCH, 1000 * ppm, 5 * u.hour, "box")
    t = EPOCH + np.linspace(-1, 1, 2001)
    f = ev.relative_flux(t)
    assert f.min() == pytest.approx(1 - 1e-3)
    assert np.sum(f < 1) / 1000 * 24 == pytest.approx(5.0, rel=0.01)
    assert ev.transit_times(EPOCH - 10, EPOCH + 10).tolist() == [EPOCH]
    assert len(ev.transit_times(EPOCH + 1, EPOCH + 10)) == 0
    for shape in ("transit", "v", "gaussian"):
        assert SingleEventSignal(EPOCH, 1000 * ppm, 5 * u.hour, shape).relative_flux(np.array([EPOCH]))[0] == pytest.approx(0.999)


def test_epoch_accepts_time_and_rejects_offsets() -> None:
    star = Star.sun_like()
    t = Time(EPOCH, format="jd", scale="tdb")
    assert TransitSignal(3 * u.day, 2 * u.R_earth, star, t).epoch == pytest.approx(EPOCH)
    with pytest.raises(ParameterError, match="looks like an offset"):
        TransitSignal(3 * u.day, 2 * u.R_earth, star, 2144.1)
    with pytest.raises(ParameterError, match="epoch must be an astropy Time or a float BJD_TDB"):
        TransitSignal(3 * u.day, 2 * u.R_earth, star, "soon")


def test_signal_errors() -> None:
    star = Star.sun_like()
    with pytest.raises(UnitsError, match="period must be an astropy Quantity"):
        TransitSignal(3.0, 2 * u.R_earth, star, EPOCH)
    with pytest.raises(ParameterError, match="impact must be in"):
        TransitSignal(3 * u.day, 2 * u.R_earth, star, EPOCH, impact=1.5)
    with pytest.raises(ParameterError, match="the orbit is inside the star"):
        TransitSignal(0.05 * u.day, 2 * u.R_earth, star, EPOCH)
    with pytest.raises(ParameterError, match=r"star must be a starskope\.simulate\.Star"):
        TransitSignal(3 * u.day, 2 * u.R_earth, "Sun", EPOCH)
    with pytest.raises(ParameterError, match="exp_time_days must be finite"):
        TransitSignal(3 * u.day, 2 * u.R_earth, star, EPOCH).relative_flux(np.array([EPOCH]), -1.0)
    with pytest.raises(ParameterError, match="exp_time_days must be finite"):
        SpotModulation(3 * u.day, 0.01 * u.one, 9 * u.day, ((1.0, 0, 0, 0, 0, 1),)).relative_flux(np.array([EPOCH]), np.nan)
    with pytest.raises(ParameterError, match="make the larger star the primary"):
        EclipsingBinarySignal(3 * u.day, star, 1 * u.M_sun, 1.5 * u.R_sun, 5000 * u.K, EPOCH)
    with pytest.raises(ParameterError, match="impact must be in"):
        EclipsingBinarySignal(3 * u.day, star, 1 * u.M_sun, 0.5 * u.R_sun, 5000 * u.K, EPOCH, 1.6)
    with pytest.raises(ParameterError, match="the stars are in contact"):
        EclipsingBinarySignal(0.2 * u.day, star, 1 * u.M_sun, 0.9 * u.R_sun, 5000 * u.K, EPOCH)
    eb = EclipsingBinarySignal(3 * u.day, star, 1 * u.M_sun, 0.5 * u.R_sun, 5000 * u.K, EPOCH)
    with pytest.raises(ParameterError, match="dilution must be between 0 and 1"):
        BackgroundBinarySignal(eb, 1.5)
    with pytest.raises(ParameterError, match="binary must be an EclipsingBinarySignal"):
        BackgroundBinarySignal("eb", 0.1)
    with pytest.raises(ParameterError, match="depth must be a fraction between 0 and 1"):
        SingleEventSignal(EPOCH, 2 * u.one, 3 * u.hour)
    with pytest.raises(ParameterError, match="shape must be one of"):
        SingleEventSignal(EPOCH, 0.01 * u.one, 3 * u.hour, "square")
    with pytest.raises(ParameterError, match="amplitude must be a fraction"):
        SpotModulation(3 * u.day, 2 * u.one, 9 * u.day, ((1.0, 0, 0, 0, 0, 1),))
    with pytest.raises(ParameterError, match="spots must list at least one spot"):
        SpotModulation(3 * u.day, 0.01 * u.one, 9 * u.day, ())
    with pytest.raises(ParameterError, match="must have the same non-zero length"):
        PulsationSignal("delta_scuti", (10.0,), (0.01, 0.02), (0.0,))
    with pytest.raises(ParameterError, match="frequencies must be positive"):
        PulsationSignal("delta_scuti", (-10.0,), (0.01,), (0.0,))
    with pytest.raises(ParameterError, match="a CompositeSignal needs at least one part"):
        CompositeSignal(())
    with pytest.raises(ParameterError, match="cannot hold 2 transits"):
        draw_planet(star, np.random.default_rng(0), EPOCH, EPOCH + 0.6)
