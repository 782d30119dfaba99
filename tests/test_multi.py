"""One star, two telescopes: grouping by KIC→TIC and position, stitching Kepler + TESS on
one TDB axis, and a long period found only by combining them (injection into real data)."""

from __future__ import annotations

import warnings
from pathlib import Path

import astropy.units as u
import batman
import numpy as np
import pytest

from starskope.errors import LightCurveDataError, ParameterError
from starskope.lightcurve import arrays, from_arrays
from starskope.multi import (
    group_by_target,
    period_aliases,
    stitch_missions,
    target_key,
    telescope_evidence,
)
from starskope.search import TransitCandidate, search_transits

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


def _inject(lc, t0: float, period: float, exposure_days: float):
    """Multiply a batman transit (Rp/R* = 0.1, a/R* = 71.6, b ≈ 0.1) into a light curve."""
    a = arrays(lc)
    p = batman.TransitParams()
    p.t0, p.per, p.rp, p.a, p.inc, p.ecc, p.w = t0, period, 0.1, 71.6, 89.9, 0.0, 90.0
    p.limb_dark, p.u = "quadratic", [0.4, 0.25]
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


def test_long_period_found_only_by_combining_kepler_and_tess(pair) -> None:
    kepler, tess = pair
    tk, tt = arrays(kepler).time, arrays(tess).time
    t1 = float(np.nanmin(tk)) + 40.0  # one transit 40 d into Kepler Q3 (89 d long)
    t2_target = float(tt[0]) + 15.0  # one transit in TESS S14's second orbit
    n = 36
    period = (t2_target - t1) / n  # ≈ 99.03 d: longer than what either covers twice
    t2 = t1 + n * period
    k_inj = _inject(kepler, t1, period, 29.4244 / 1440)
    t_inj = _inject(tess, t1, period, 30.0 / 1440)

    # neither light curve alone holds two transits
    for times in (tk, tt):
        mids = t1 + period * np.arange(np.floor((np.nanmin(times) - t1) / period),
                                       np.ceil((np.nanmax(times) - t1) / period) + 1)
        with_data = [m for m in mids if np.any(np.abs(times - m) < 0.1)]
        assert len(with_data) == 1
    assert period > 0.5 * (np.nanmax(tk) - np.nanmin(tk)) and period > np.nanmax(tt) - np.nanmin(tt)

    stitched = stitch_missions([t_inj, k_inj], flatten_window=2.0 * u.day)
    a = arrays(stitched)
    result = search_transits(a.time, a.flux, a.flux_err, period_min=50.0, period_max=400.0, max_planets=1)
    assert result.candidates, "the combined light curve yields a detection"
    c = result.candidates[0]
    assert c.n_transits == 2 and c.snr > 50
    assert c.depth_ppm == pytest.approx(10600, rel=0.1)  # (Rp/R*)² with limb darkening
    # the candidate's ephemeris lands on both injected transits (one per telescope)
    for mid in (t1, t2):
        k = round((mid - c.epoch_bjd) / c.period_days)
        assert abs(c.epoch_bjd + k * c.period_days - mid) < 0.1
    # two transits ten years apart fix the period to the comb ΔT/m; the search's period is
    # a member and the injected period is among the members the data allow
    comb = period_aliases(stitched, c.epoch_bjd, c.period, c.duration, period_min=50 * u.day)
    assert np.min(np.abs(comb.value - c.period_days)) < 1e-3
    assert np.min(np.abs(comb.value - period)) < 0.01
    spacing = (t2 - t1) / np.arange(1, 80)
    # aliases that would put a second transit on Kepler data are ruled out
    assert not np.any(np.abs(comb.value[:, None] - spacing[spacing < 49.0][None, :]) < 1e-3)
    assert comb.value.min() > 49.0

    ev = telescope_evidence(stitched, c)
    per = {d.instrument: d for d in ev["per_telescope"]}
    assert set(per) == {"Kepler", "TESS"} and per["Kepler"].n_transits == per["TESS"].n_transits == 1
    assert per["TESS"].depth_err > per["Kepler"].depth_err
    assert ev["depth_consistency_sigma"] < 3 and "agree" in ev["note"]


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
