"""One star, two telescopes: grouping by KIC→TIC and position, stitching Kepler + TESS on
one TDB axis, and a long period found only by combining them (injection into real data).

The Done-when test is ``test_period_neither_telescope_covers_twice_is_found_by_combining``:
one transit in Kepler Q3 (2009), one in TESS sector 14 (2019), two orbits apart. Each
telescope alone sees one transit, so neither gives a period at all; together they fix it to
the comb ΔT/n, and :func:`resolve_period` picks the member the light curve (coverage) and the
star (Kepler's third law with the catalogue density) allow. ``test_dense_comb_is_not_unique``
documents the limit: with 36 orbits between the transits no catalogue density separates the
members (3 % apart), and the answer says so.
"""

from __future__ import annotations

import warnings
from pathlib import Path

import astropy.units as u
import batman
import numpy as np
import pytest

from starskope.errors import LightCurveDataError, ParameterError, UnitsError
from starskope.lightcurve import arrays, from_arrays
from starskope.multi import (
    group_by_target,
    period_aliases,
    resolve_period,
    stitch_missions,
    target_key,
    telescope_evidence,
    telescope_summary,
)
from starskope.search import TransitCandidate, search_transits
from starskope.stars import LOGG_UNIT, StellarProperties

# KIC 2439660 = TIC 122507338 (shipped KIC→TIC cross-match): Kepler Q3 long cadence and
# TESS sector 14 30-min FFI light curves of the same star.
KEPLER_Q3 = "kepler/dr24/kplr002439660-2009350155506_llc.fits.gz"
TESS_S14 = "tess/ffi/122507338.fits.gz"


def _read(path: Path):
    import lightkurve as lk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lk.read(str(path))


@pytest.fixture(scope="module")
def pair(shared_data: Path):
    return _read(shared_data / KEPLER_Q3), _read(shared_data / TESS_S14)


def _inject(lc, t0: float, period: float, exposure_days: float, *, a_over_rstar: float = 71.6,
            impact: float = 0.125, limb_darkening: tuple[float, float] = (0.4, 0.25)):
    """Multiply a batman transit (Rp/R* = 0.1) into a light curve."""
    a = arrays(lc)
    p = batman.TransitParams()
    p.t0, p.per, p.rp, p.a, p.ecc, p.w = t0, period, 0.1, a_over_rstar, 0.0, 90.0
    p.inc = float(np.degrees(np.arccos(impact / a_over_rstar)))
    p.limb_dark, p.u = "quadratic", list(limb_darkening)
    t = np.where(np.isfinite(a.time), a.time, np.nanmedian(a.time))
    model = batman.TransitModel(p, t, supersample_factor=7, exp_time=exposure_days).light_curve(p)
    out = lc.copy()
    out.flux = out.flux * model
    return out


def test_target_key_and_grouping(pair) -> None:
    kepler, tess = pair
    assert target_key(kepler, kic_to_tic={}) == "KIC 2439660"
    assert target_key(kepler) == "TIC 122507338"  # shipped KIC→TIC cross-match
    assert target_key(tess) == "TIC 122507338"
    groups = group_by_target([tess, kepler])
    assert list(groups) == ["TIC 122507338"]
    assert [lc.meta["MISSION"] for lc in groups["TIC 122507338"]] == ["Kepler", "TESS"]  # time order
    # without any identifier, the sky position (2" match) still joins them
    by_position = group_by_target([tess, kepler], kic_to_tic={})
    assert len(by_position) == 1 and len(next(iter(by_position.values()))) == 2
    far = tess.copy()
    far.meta["RA_OBJ"] = float(far.meta["RA_OBJ"]) + 0.01
    far.meta["TARGETID"] = 1
    assert len(group_by_target([kepler, far], kic_to_tic={})) == 2


def test_stitch_puts_both_on_one_tdb_axis(pair) -> None:
    kepler, tess = pair
    s = stitch_missions([tess, kepler])
    t = arrays(s).time
    assert s.time.scale == "tdb" and s.meta["MISSION"] == "Kepler+TESS"
    assert np.all(np.diff(t) > 0)
    # Kepler Q3 (BKJD 260–349) and TESS S14 (BTJD 1683–1710) as BJD_TDB
    assert t[0] == pytest.approx(2454833 + 260.2, abs=0.5)
    assert t[-1] == pytest.approx(2457000 + 1710.2, abs=0.5)
    inst = np.asarray(s["instrument"]).astype(str)
    for name in ("Kepler", "TESS"):
        assert np.median(s.flux.value[inst == name]) == pytest.approx(1.0, abs=1e-9)
    contrib = {c["instrument"]: c for c in s.meta["CONTRIBUTIONS"]}
    assert contrib["Kepler"]["segment"] == "quarter 3" and contrib["TESS"]["segment"] == "sector 14"
    # per-instrument noise weights: TESS's small aperture on this 12-mag star is noisier
    assert contrib["TESS"]["noise_ppm"] > 2 * contrib["Kepler"]["noise_ppm"]
    err = s.flux_err.value
    assert np.allclose(err[inst == "Kepler"], contrib["Kepler"]["noise_ppm"] * 1e-6)
    assert any("stitch_missions" in step for step in s.meta["PROVENANCE"])


def test_stitch_errors(pair) -> None:
    kepler, tess = pair
    with pytest.raises(ParameterError, match="at least one light curve"):
        stitch_missions([])
    with pytest.raises(LightCurveDataError, match="overlap in time"):
        stitch_missions([tess, tess])
    odd = from_arrays(np.linspace(2458000, 2458010, 200), np.ones(200), meta={"MISSION": "Hubble"})
    with pytest.raises(ParameterError, match="unknown telescope 'Hubble'"):
        stitch_missions([odd])
    with pytest.raises(ParameterError, match="from stitch_missions"):
        telescope_evidence(kepler, TransitCandidate.from_floats(10.0, 2455100.0, 5.0, 1000.0))


def _one_transit_each(times_list, t1: float, period: float) -> None:
    """Neither light curve alone holds two transits (each holds exactly one)."""
    for times in times_list:
        mids = t1 + period * np.arange(np.floor((np.nanmin(times) - t1) / period) - 1,
                                       np.ceil((np.nanmax(times) - t1) / period) + 2)
        with_data = [m for m in mids if np.any(np.abs(times - m) < 0.5)]
        assert len(with_data) == 1


@pytest.fixture(scope="module")
def star_density(pair) -> u.Quantity:
    """KIC 2439660's density from its Kepler header (KIC log g 3.905, radius 2.685 R☉)."""
    kepler, _ = pair
    props = StellarProperties(target="KIC 2439660", radius=float(kepler.meta["RADIUS"]) * u.Rsun,
                              logg=float(kepler.meta["LOGG"]) * LOGG_UNIT).complete()
    assert props.density.to_value(u.g / u.cm**3) == pytest.approx(0.153, rel=0.01)
    return props.density


@pytest.fixture(scope="module")
def two_orbit_system(pair, star_density):
    """One transit in Kepler Q3 (2009) and one in TESS sector 14 (2019), TWO orbits apart:
    P ≈ 1780 d, far longer than either light curve; the planet (Rp/R★ = 0.1, b = 0.2) orbits
    a star 5 % denser than its catalogue density, and limb darkening differs by band."""
    kepler, tess = pair
    tk, tt = arrays(kepler).time, arrays(tess).time
    t1 = float(np.nanmin(tk)) + 40.0
    t2 = float(tt[0]) + 17.5  # mid-way through TESS data from day 14 to 21; the transit lasts ~2 d
    period = (t2 - t1) / 2
    rho = 1.05 * star_density.to_value(u.g / u.cm**3)
    a_r = float((6.674e-8 * rho * (period * 86400.0) ** 2 / (3 * np.pi)) ** (1 / 3))
    k_inj = _inject(kepler, t1, period, 29.4244 / 1440, a_over_rstar=a_r, impact=0.2, limb_darkening=(0.40, 0.26))
    t_inj = _inject(tess, t1, period, 30.0 / 1440, a_over_rstar=a_r, impact=0.2, limb_darkening=(0.32, 0.24))
    _one_transit_each((tk, tt), t1, period)
    stitched = stitch_missions([t_inj, k_inj], flatten_window=6.0 * u.day)
    a = arrays(stitched)
    result = search_transits(a.time, a.flux, a.flux_err, period_min=50.0, period_max=400.0, max_planets=1,
                             stellar_density=(0.05 * u.g / u.cm**3, 0.5 * u.g / u.cm**3))
    assert result.candidates, "the combined light curve yields a detection"
    return {"t1": t1, "t2": t2, "period": period, "stitched": stitched, "candidate": result.candidates[0]}


def test_period_neither_telescope_covers_twice_is_found_by_combining(two_orbit_system, star_density) -> None:
    sys_ = two_orbit_system
    c, stitched, period = sys_["candidate"], sys_["stitched"], sys_["period"]
    # the search (periods up to 400 d) lands on a member of the comb ΔT/n, not on the orbit
    assert c.n_transits == 2 and c.snr > 50
    n = (sys_["t2"] - sys_["t1"]) / c.period_days
    assert abs(n - round(n)) < 0.01 and round(n) > 2
    # ... and resolving the comb with the light curve and the star finds the orbit: with the
    # density known to 7 % (as asteroseismology measures it for delta Scuti stars from the
    # large frequency separation, Garcia Hernandez et al. 2015), P = ΔT/3 and ΔT are ruled out
    res = resolve_period(stitched, c, stellar_density=star_density, density_error=0.07 * star_density)
    assert res.period.to_value(u.day) == pytest.approx(period, rel=1e-3)
    assert res.unique and res.best.n_cycles == 2 and "only period" in res.note
    ranked = res.fitted()
    assert ranked[0].probability > 0.99 and ranked[1].score >= 9.0
    # the neighbours it beat: P = ΔT/3 needs a star 1.5 times less dense, P = ΔT twice as dense
    by_n = {x.n_cycles: x for x in res.aliases}
    assert by_n[3].density_penalty > 9 and by_n[1].density_penalty > 9
    assert by_n[2].stellar_density.to_value(u.g / u.cm**3) == pytest.approx(
        1.05 * star_density.to_value(u.g / u.cm**3), rel=0.1)
    # coverage rules out the short members (each puts a transit on flat, observed flux)
    ruled = [x for x in res.aliases if not x.fitted]
    assert ruled and all(x.n_empty > 0 for x in ruled) and max(x.period.value for x in ruled) < 50
    assert res.candidate.epoch_bjd == pytest.approx(sys_["t1"], abs=0.01)
    assert res.candidate.duration_hours == pytest.approx(res.best.duration.value)
    assert res.candidate.extra["alias_unique"] == 1.0 and "alias resolution" in res.candidate.source
    # with 10 % the orbit is still the most probable member, at odds of order 100:1 against P = ΔT/3
    res10 = resolve_period(stitched, c, stellar_density=star_density, density_error=0.1 * star_density,
                           period_min=300 * u.day)
    assert res10.best.n_cycles == 2 and res10.best.probability > 0.95

    # which telescope contributed what: one transit each, at depths that agree
    ev = telescope_evidence(stitched, res.candidate)
    per = {d.instrument: d for d in ev["per_telescope"]}
    assert set(per) == {"Kepler", "TESS"} and per["Kepler"].n_transits == per["TESS"].n_transits == 1
    # mean decrement over T14 (limb-darkened, so below the central (Rp/R★)² ≈ 1 %), alike in both bands
    assert per["Kepler"].depth.value == pytest.approx(per["TESS"].depth.value, rel=0.1)
    assert 7000 < per["Kepler"].depth.value < 11000
    assert per["TESS"].depth_err > per["Kepler"].depth_err
    assert ev["depth_consistency_sigma"] < 3 and "agree" in ev["note"]


def test_loose_stellar_density_leaves_the_period_open(two_orbit_system, star_density) -> None:
    """With a KIC-quality density (±60 %) or none, the same data do not fix the period, and
    the answer says so instead of picking one."""
    sys_ = two_orbit_system
    loose = resolve_period(sys_["stitched"], sys_["candidate"], stellar_density=star_density,
                           density_error=0.6 * star_density, period_min=300 * u.day)
    assert not loose.unique and "not unique" in loose.note
    close = [x for x in loose.fitted() if x.score < loose.threshold]
    assert any(abs(x.period.value - sys_["period"]) < 1.0 for x in close) and len(close) > 2
    assert sum(x.probability for x in loose.aliases) == pytest.approx(1.0)
    blind = resolve_period(sys_["stitched"], sys_["candidate"])
    assert not blind.unique and blind.stellar_density is None
    assert blind.best.probability < 0.2
    # without the star, the transit light curve alone hardly tells the members near the
    # orbit apart: their two-transit fits differ by Δχ² < 20
    by_n = {x.n_cycles: x for x in blind.aliases}
    near = [by_n[k].delta_chi2 for k in range(1, 7)]
    assert max(near) - min(near) < 20


def test_dense_comb_is_not_unique(pair, star_density) -> None:
    """36 orbits between the transits: neighbouring members differ by 3 %, a 1 % change in
    duration — no stellar catalogue separates them, and resolve_period says so."""
    kepler, tess = pair
    tk, tt = arrays(kepler).time, arrays(tess).time
    t1 = float(np.nanmin(tk)) + 40.0  # one transit 40 d into Kepler Q3 (89 d long)
    n = 36
    period = (float(tt[0]) + 15.0 - t1) / n  # ≈ 99.03 d: longer than what either covers twice
    t2 = t1 + n * period
    k_inj = _inject(kepler, t1, period, 29.4244 / 1440)
    t_inj = _inject(tess, t1, period, 30.0 / 1440)
    _one_transit_each((tk, tt), t1, period)
    assert period > 0.5 * (np.nanmax(tk) - np.nanmin(tk)) and period > np.nanmax(tt) - np.nanmin(tt)

    stitched = stitch_missions([t_inj, k_inj], flatten_window=2.0 * u.day)
    a = arrays(stitched)
    result = search_transits(a.time, a.flux, a.flux_err, period_min=50.0, period_max=400.0, max_planets=1)
    c = result.candidates[0]
    assert c.n_transits == 2 and c.snr > 50
    assert c.depth_ppm == pytest.approx(10600, rel=0.1)  # (Rp/R*)² with limb darkening
    for mid in (t1, t2):
        k = round((mid - c.epoch_bjd) / c.period_days)
        assert abs(c.epoch_bjd + k * c.period_days - mid) < 0.1
    comb = period_aliases(stitched, c.epoch_bjd, c.period, c.duration, period_min=50 * u.day)
    assert np.min(np.abs(comb.value - c.period_days)) < 1e-3
    assert np.min(np.abs(comb.value - period)) < 0.01
    spacing = (t2 - t1) / np.arange(1, 80)
    # aliases that would put a second transit on Kepler data are ruled out
    assert not np.any(np.abs(comb.value[:, None] - spacing[spacing < 49.0][None, :]) < 1e-3)
    assert comb.value.min() > 49.0

    a_r = 71.6
    rho = 3 * np.pi * a_r**3 / (6.674e-8 * (period * 86400.0) ** 2)  # the injected star
    res = resolve_period(stitched, c, stellar_density=rho * u.g / u.cm**3, density_error=0.1 * rho * u.g / u.cm**3,
                         period_min=50 * u.day)
    assert not res.unique
    close = [x for x in res.fitted() if x.score < res.threshold]
    assert len(close) >= 5 and any(abs(x.period.value - period) < 0.01 for x in close)
    # the coverage test agrees with period_aliases on which members survive
    survivors = np.sort([x.period.value for x in res.aliases if x.fitted])
    assert survivors.size == comb.size and np.allclose(survivors, np.sort(comb.value), atol=0.05)


def test_resolve_period_errors(pair, two_orbit_system, star_density) -> None:
    kepler, _ = pair
    s, c = two_orbit_system["stitched"], two_orbit_system["candidate"]
    with pytest.raises(ParameterError, match="from stitch_missions"):
        resolve_period(kepler, c)
    one = stitch_missions([kepler])
    with pytest.raises(ParameterError, match=r"seen at two or more epochs; .* shows a dip at 0"):
        resolve_period(one, c)
    with pytest.raises(ParameterError, match="density_error was given without stellar_density"):
        resolve_period(s, c, density_error=0.01 * u.g / u.cm**3)
    with pytest.raises(ParameterError, match="KIC 1 has no density"):
        resolve_period(s, c, stellar_density=StellarProperties(target="KIC 1", radius=1 * u.Rsun))
    with pytest.raises(ParameterError, match="no coefficients for Kepler"):
        resolve_period(s, c, limb_darkening={"TESS": (0.3, 0.2)})
    with pytest.raises(ParameterError, match=r"period_min .* is longer than"):
        resolve_period(s, c, period_min=5000 * u.day)
    with pytest.raises(ParameterError, match="more than max_fits=10: give a longer period_min"):
        resolve_period(s, c, max_fits=10)
    with pytest.raises(UnitsError):
        resolve_period(s, c, stellar_density=0.15)
    # a StellarProperties with a density error is used as the prior
    props = StellarProperties(target="KIC 2439660", density=star_density,
                              uncertainties={"density": 0.1 * star_density})
    res = resolve_period(s, c, stellar_density=props, period_min=1000 * u.day)
    assert res.density_error.to_value(u.g / u.cm**3) == pytest.approx(0.1 * star_density.value)
    assert [x.n_cycles for x in res.aliases] == [3, 2, 1]  # increasing period


def test_chromatic_depth_is_flagged(pair) -> None:
    kepler, tess = pair
    tk, tt = arrays(kepler).time, arrays(tess).time
    t1 = float(np.nanmin(tk)) + 40.0
    period = (float(tt[0]) + 15.0 - t1) / 36
    k_inj = _inject(kepler, t1, period, 29.4244 / 1440)
    a = arrays(tess)
    # a blend/EB-like event: twice as deep in the TESS band
    t_inj = _inject(_inject(tess, t1, period, 30.0 / 1440), t1, period, 30.0 / 1440)
    stitched = stitch_missions([k_inj, t_inj], flatten_window=2.0 * u.day)
    cand = TransitCandidate.from_floats(period, t1, 11.0, 10000.0)
    ev = telescope_evidence(stitched, cand)
    assert ev["depth_consistency_sigma"] > 10 and "chromatic" in ev["note"]
    assert a.time.size == len(tess)


def test_period_aliases_needs_two_epochs(pair) -> None:
    kepler, _ = pair
    s = stitch_missions([kepler])
    with pytest.raises(ParameterError, match="two or more epochs"):
        period_aliases(s, float(arrays(kepler).time[100]), 500 * u.day, 10 * u.hour)


def test_telescope_summary_needs_a_stitched_light_curve(pair) -> None:
    kepler, tess = pair
    with pytest.raises(ParameterError, match="telescope_summary needs a light curve from stitch_missions"):
        telescope_summary(kepler)
    summary = telescope_summary(stitch_missions([kepler, tess]))
    assert summary["per_telescope"] == [] and summary["period"] is None
    assert [c["segment"] for c in summary["contributions"]] == ["quarter 3", "sector 14"]
