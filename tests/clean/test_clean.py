"""Cleaning steps on real light curves from ../shared/data."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.timeseries import LombScargle

from starskope.clean import (
    DETRENDERS,
    JITTER_MARGIN_DAYS,
    clean,
    correct_k2_roll,
    default_window,
    detrend,
    detrend_arrays,
    divide_trend,
    fft_filter,
    fit_trend,
    jitter_mask,
    mask_quality,
    outlier_mask,
    remove_jitter,
    remove_nans,
    remove_outliers,
    stitch,
    transit_duration_range,
)
from starskope.errors import (
    LightCurveDataError,
    ParameterError,
    UnitsError,
    UnknownNameError,
)
from starskope.io import read
from starskope.lightcurve import arrays, from_arrays
from starskope.missions import get_mission
from starskope.scatter import point_to_point_std


def _inject(lc, period, epoch, duration, depth):
    """A copy with a box transit multiplied into the flux; returns (lc, in-transit mask)."""
    a = arrays(lc)
    phase = np.abs(((a.time - epoch) / period + 0.5) % 1.0 - 0.5) * period
    inside = phase < duration / 2
    out = lc.copy()
    out["flux"] = u.Quantity(a.flux * (1 - depth * inside), lc.flux.unit)
    return out, inside


def _depth(lc, period, epoch, duration):
    a = arrays(lc)
    phase = np.abs(((a.time - epoch) / period + 0.5) % 1.0 - 0.5) * period
    inside = phase < duration / 2
    ok = np.isfinite(a.flux)
    return np.median(a.flux[ok & ~inside]) - np.mean(a.flux[ok & inside])


# ---------------------------------------------------------------- durations and windows


def test_duration_range_matches_earth_and_scales_with_period():
    lo, hi = transit_duration_range(365.25 * u.day, 1.41 * u.g / u.cm**3)
    # the Earth's central transit lasts 13 h; the longest case adds k = 0.3
    assert 12.5 < (hi / 1.3).to_value(u.hour) < 13.5
    assert lo < hi
    lo1, hi1 = transit_duration_range([10.0, 80.0] * u.day)
    # T ∝ P^(1/3) once a/R★ is large
    assert float(hi1[1] / hi1[0]) == pytest.approx(2.0, rel=0.05)
    assert float(lo1[1] / lo1[0]) == pytest.approx(2.0, rel=0.05)


def test_default_window_is_three_longest_durations():
    w = default_window(30 * u.day)
    _, hi = transit_duration_range(30 * u.day)
    assert w.to_value(u.day) == pytest.approx(3 * hi.to_value(u.day))


def test_duration_range_needs_units():
    with pytest.raises(UnitsError, match="period must be an astropy Quantity"):
        transit_duration_range(10.0)
    with pytest.raises(ParameterError, match="min <= max"):
        transit_duration_range(10 * u.day, (5 * u.g / u.cm**3, 1 * u.g / u.cm**3))


# ---------------------------------------------------------------- quality and NaNs


def test_mask_quality_drops_flagged_cadences(c5_pdcsap):
    bitmask = get_mission("K2").quality_mask("default")
    q = arrays(c5_pdcsap).quality
    expected = int(((q & bitmask) == 0).sum())
    out = mask_quality(c5_pdcsap, "default")
    assert len(out) == expected < len(c5_pdcsap)
    assert not np.any(arrays(out).quality & bitmask)
    assert out.meta["PROVENANCE"][-1].startswith("mask_quality: K2 mask='default'")
    assert len(c5_pdcsap.meta["PROVENANCE"]) == len(out.meta["PROVENANCE"]) - 1
    hard = mask_quality(c5_pdcsap, "hard")
    assert len(hard) <= len(out)


def test_mask_quality_errors(c5_pdcsap):
    with pytest.raises(UnknownNameError, match="unknown quality mask 'strict'"):
        mask_quality(c5_pdcsap, "strict")
    bare = from_arrays(np.arange(100.0) + 2455000, np.ones(100))
    with pytest.raises(ParameterError, match="needs the telescope"):
        mask_quality(bare, "default")
    assert len(mask_quality(bare, 0)) == 100
    with pytest.raises(ParameterError, match="non-negative bitmask"):
        mask_quality(bare, -1)


def test_remove_nans(c5_pdcsap):
    out = remove_nans(c5_pdcsap)
    assert np.isfinite(arrays(out).flux).all()
    n_nan = int((~np.isfinite(arrays(c5_pdcsap).flux)).sum())
    assert len(out) == len(c5_pdcsap) - n_nan
    assert "remove_nans: removed" in out.meta["PROVENANCE"][-1]


# ---------------------------------------------------------------- outliers


def test_outliers_clip_spikes_but_never_a_transit(c5_pdcsap):
    lc = remove_nans(mask_quality(c5_pdcsap))
    a = arrays(lc)
    t0 = a.time[0] + 3.1
    lc_t, inside = _inject(lc, 4.7, t0, 0.2, 0.01)  # deep: 10,000 ppm, ~10 points per transit
    flux = arrays(lc_t).flux.copy()
    rng = np.random.default_rng(0)
    spikes = rng.choice(np.flatnonzero(~inside)[5:-5], 20, replace=False)
    flux[spikes] *= 1.02
    lc_t["flux"] = u.Quantity(flux, lc.flux.unit)
    out = remove_outliers(lc_t, sigma_upper=4.0, sigma_lower=3.0, low_flag_bits=0xFFFF)
    kept_times = set(np.round(arrays(out).time, 8))
    assert all(np.round(a.time[i], 8) not in kept_times for i in spikes)
    assert all(np.round(t, 8) in kept_times for t in a.time[inside])
    # nor its shoulders: the cadence before each transit sits at the level of those before
    # it, though above the median of all its neighbours (half of them in the dip)
    edges = np.flatnonzero(np.diff(inside.astype(int)) != 0)
    shoulders = np.unique(np.concatenate([edges, edges + 1]))
    assert all(np.round(t, 8) in kept_times for t in a.time[shoulders])


def test_outliers_keep_a_real_binarys_eclipse_edges(shared_data):
    """KIC 10991989 (Kepler, a 0.97-d binary, 0.9 %-deep V-shaped eclipses at 30 min): a
    one-reference clipping took 1,222 of its 18,037 cadences, the edges of every eclipse."""
    lc = remove_nans(read(shared_data / "kepler" / "eb" / "kic010991989_eb.npz"))
    a = arrays(lc)
    drop = outlier_mask(a.flux)
    assert drop.sum() < 0.001 * drop.size
    # what goes is what stands above both sides: single upward points
    f = a.flux
    for i in np.flatnonzero(drop):
        sides = [np.median(side) for side in (f[max(i - 2, 0):i], f[i + 1:i + 3]) if side.size]
        assert f[i] > max(sides)


def test_isolated_low_point_goes_only_when_flagged():
    rng = np.random.default_rng(1)
    flux = 1 + rng.normal(0, 1e-4, 500)
    flux[100] -= 0.01  # isolated, flagged as a cosmic ray
    flux[200] -= 0.01  # isolated, not flagged
    flux[300:303] -= 0.01  # three in a row: a transit, flagged or not
    quality = np.zeros(500, dtype=np.int32)
    quality[[100, 300, 301, 302]] = 128
    drop = outlier_mask(flux, quality, sigma_lower=5.0, low_flag_bits=128)
    assert drop[100] and not drop[200]
    assert not drop[300:303].any()
    assert not outlier_mask(flux, quality, sigma_lower=None, low_flag_bits=128)[100]


def test_jitter_goes_but_a_transit_an_eclipse_and_a_pulsator_stay():
    rng = np.random.default_rng(2)
    t = np.arange(3000) * 0.02
    flux = 1 + rng.normal(0, 1e-4, t.size)
    flux[1000:1060] += rng.normal(0, 3e-3, 60)  # pointing jitter: 30× the noise, cadence to cadence
    flux[(t % 3.1) < 0.12] -= 0.01  # transits, 6 cadences each
    flux[(t % 7.3) < 0.2] -= 0.3  # deep binary eclipses
    drop = jitter_mask(flux)
    assert drop[1006:1054].all()
    assert drop.sum() < 75
    assert not drop[(t % 3.1) < 0.12].any() and not drop[(t % 7.3) < 0.2][:-5].any()
    # a large-amplitude pulsator jumps from cadence to cadence everywhere: nothing stands out
    pulsator = 1 + 0.05 * np.sin(2 * np.pi * t / 0.05) + rng.normal(0, 1e-4, t.size)
    assert not jitter_mask(pulsator).any()
    # white noise alone: never
    assert not jitter_mask(1 + rng.normal(0, 1e-3, 20000)).any()


def test_remove_jitter_records_the_stretch(c5_pdcsap):
    lc = remove_nans(mask_quality(c5_pdcsap))
    flux = arrays(lc).flux.copy()
    flux[500:540] += np.random.default_rng(3).normal(0, 0.05, 40) * np.nanmedian(flux)
    lc["flux"] = u.Quantity(flux, lc.flux.unit)
    out = remove_jitter(lc)
    step = out.meta["PROVENANCE"][-1]
    assert step.startswith("remove_jitter: removed") and "1 stretch(es)" in step and "pointing jitter" in step
    a, kept = arrays(lc), set(np.round(arrays(out).time, 8))
    gone = np.array([np.round(t, 8) not in kept for t in a.time])
    assert gone[506:534].all()  # the stretch (its first and last few cadences may look calm)
    # ... and the cadences within JITTER_MARGIN_DAYS of it, nothing else
    near = (a.time > a.time[500] - JITTER_MARGIN_DAYS - 0.05) & (a.time < a.time[539] + JITTER_MARGIN_DAYS + 0.05)
    assert not gone[~near].any()
    with pytest.raises(ParameterError, match="factor must be above 1"):
        remove_jitter(lc, factor=1.0)


def test_outlier_parameter_errors(c5_pdcsap):
    with pytest.raises(ParameterError, match="sigma_upper must be positive"):
        remove_outliers(c5_pdcsap, sigma_upper=0)
    with pytest.raises(ParameterError, match="sigma_lower must be positive"):
        remove_outliers(c5_pdcsap, sigma_lower=-1)
    with pytest.raises(ParameterError, match="neighbours must be >= 1"):
        remove_outliers(c5_pdcsap, neighbours=0)


# ---------------------------------------------------------------- detrending


@pytest.mark.parametrize("method", ["biweight", "median"])
def test_injected_transit_survives_detrending_and_outliers(tess_pimen, method):
    lc = remove_nans(mask_quality(tess_pimen))
    a = arrays(lc)
    period, epoch, duration, depth = 3.71, a.time[0] + 1.3, 0.15, 2e-3
    lc_t, _ = _inject(lc, period, epoch, duration, depth)
    out = detrend(remove_outliers(lc_t), method, period_max=13 * u.day)
    measured = _depth(out, period, epoch, duration)
    base = _depth(detrend(remove_outliers(lc), method, period_max=13 * u.day), period, epoch, duration)
    assert measured - base == pytest.approx(depth, rel=0.05)
    assert "trend" in out.colnames
    assert np.nanmedian(arrays(out).flux) == pytest.approx(1.0, abs=1e-3)
    assert out.meta["PROVENANCE"][-1].startswith(f"detrend: {method} window")


@pytest.mark.parametrize("method", ["savgol", "rspline", "none"])
def test_other_detrenders_run(k2sff, method):
    out = detrend(k2sff, method, window=1.0 * u.day)
    f = arrays(out).flux
    assert np.nanmedian(f) == pytest.approx(1.0, abs=2e-3)
    assert out.meta["PROVENANCE"][-1] == f"detrend: {method} window 1 d (given)"


def test_detrender_registry_and_errors(k2sff):
    assert {"biweight", "savgol", "rspline", "median", "none"} <= set(DETRENDERS.names())
    with pytest.raises(UnknownNameError, match="unknown detrender 'cosine'; known detrenders: biweight"):
        detrend(k2sff, "cosine")
    with pytest.raises(UnitsError, match="window must be an astropy Quantity"):
        detrend(k2sff, window=1.0)
    with pytest.raises(ParameterError, match="mask has 3 values"):
        detrend(k2sff, mask=np.zeros(3, bool))
    with pytest.raises(ParameterError, match="window must be finite and positive"):
        detrend_arrays(np.arange(10.0), np.ones(10), "biweight", -1.0)


def test_fit_trend_and_divide_trend_are_detrend(tess_pimen):
    lc = remove_nans(mask_quality(tess_pimen))
    trend, step = fit_trend(lc, period_max=13 * u.day)
    out = divide_trend(lc, trend, step)
    ref = detrend(lc, period_max=13 * u.day)
    assert np.array_equal(arrays(out).flux, arrays(ref).flux, equal_nan=True)
    assert np.array_equal(out["trend"].value, ref["trend"].value, equal_nan=True)
    assert out.meta["PROVENANCE"] == ref.meta["PROVENANCE"]
    with pytest.raises(ParameterError, match=f"trend has 3 values but the light curve has {len(lc)}"):
        divide_trend(lc, np.ones(3), step)


def test_thinned_trend_on_short_cadences_only(tess_pimen, c5_pdcsap):
    # TESS 2-min: the trend evaluated every window/36 and interpolated, within a hundredth
    # of the point-to-point noise of every cadence's trend, and said so
    lc = remove_nans(mask_quality(tess_pimen))
    for window in (0.65, 1.5):
        exact, step = fit_trend(lc, window=window * u.day)
        thin, thin_step = fit_trend(lc, window=window * u.day, thin=True)
        f = arrays(lc).flux
        noise = point_to_point_std(f / exact)
        diff = f / thin - f / exact
        assert 0 < np.sqrt(np.nanmean(diff**2)) < 0.01 * noise
        assert np.nanmax(np.abs(diff)) < 0.1 * noise
        assert thin_step == step + f", evaluated every {window / 36 * 24 * 60:.3g} min and interpolated"
    # K2 long cadence: every cadence's trend, as without thinning
    lc = remove_nans(mask_quality(c5_pdcsap))
    exact, step = fit_trend(lc, window=1.5 * u.day)
    thin, thin_step = fit_trend(lc, window=1.5 * u.day, thin=True)
    assert np.array_equal(exact, thin, equal_nan=True) and thin_step == step
    # a method that cannot be thinned is not
    a = arrays(lc)
    assert np.array_equal(detrend_arrays(a.time, a.flux, "savgol", 1.5, thin=True),
                          detrend_arrays(a.time, a.flux, "savgol", 1.5), equal_nan=True)


# ---------------------------------------------------------------- K2 roll


def _six_hour_amplitude(lc) -> float:
    a = arrays(lc)
    ok = np.isfinite(a.flux)
    t, f = a.time[ok], a.flux[ok]
    r = f / detrend_arrays(t, f, "biweight", 1.5) - 1
    freq = np.linspace(3.5, 4.6, 400)  # the 6-h thruster cycle and its neighbourhood, 1/day
    psd = LombScargle(t, r, normalization="psd").power(freq)
    return float(np.sqrt(4 * psd.max() / t.size))


def _p2p(lc) -> float:
    f = arrays(lc).flux
    f = f[np.isfinite(f)]
    return float(1.4826 * np.median(np.abs(np.diff(f / np.median(f)))) / np.sqrt(2))


def test_roll_correction_reduces_six_hour_power_and_scatter(c5_sap_all):
    amp_ratio, p2p_ratio = [], []
    for raw in c5_sap_all:
        lc = remove_nans(mask_quality(raw))
        out = correct_k2_roll(lc)
        amp_ratio.append(_six_hour_amplitude(out) / _six_hour_amplitude(lc))
        p2p_ratio.append(_p2p(out) / _p2p(lc))
        assert "self-flat-fielding against centroid_col/centroid_row" in out.meta["PROVENANCE"][-1]
    amp_ratio, p2p_ratio = np.array(amp_ratio), np.array(p2p_ratio)
    assert np.all(amp_ratio < 1.0) and np.median(amp_ratio) < 0.3
    assert np.all(p2p_ratio < 1.0) and np.median(p2p_ratio) < 0.9


def test_roll_correction_keeps_most_of_a_transit(c5_sap_all):
    lc = remove_nans(mask_quality(c5_sap_all[1]))
    a = arrays(lc)
    lc_t, inside = _inject(lc, 5.123, a.time[0] + 1.3, 0.125, 2e-3)
    absorbed = np.mean(
        (correct_k2_roll(lc_t)["roll_correction"] / correct_k2_roll(lc)["roll_correction"] - 1)[inside]
    ) / -2e-3
    assert absorbed < 0.1


def test_roll_correction_is_a_noted_no_op_without_centroids(k2sff):
    out = correct_k2_roll(k2sff)
    np.testing.assert_array_equal(arrays(out).flux, arrays(k2sff).flux)
    assert out.meta["PROVENANCE"][-1].startswith("correct_k2_roll: skipped, no centroid")


def test_roll_correction_errors(tess_pimen, c5_pdcsap):
    with pytest.raises(ParameterError, match="applies to K2 light curves; this one is from TESS"):
        correct_k2_roll(tess_pimen)
    with pytest.raises(ParameterError, match="degree must be between 1 and 9"):
        correct_k2_roll(c5_pdcsap, degree=0)


# ---------------------------------------------------------------- stitching


def test_stitch_normalises_each_quarter(kepler90_quarters):
    out = stitch(kepler90_quarters)
    a = arrays(out)
    assert len(out) == sum(len(q) for q in kepler90_quarters)
    assert np.all(np.diff(a.time) > 0)
    for k in range(len(kepler90_quarters)):
        seg = np.asarray(out["segment"]) == k
        assert np.nanmedian(a.flux[seg]) == pytest.approx(1.0, abs=1e-9)
    assert out.meta["QUARTER"] is None and out.meta["TARGETID"] == 11442793
    assert out.meta["PROVENANCE"][-1].startswith("stitch: 2 pieces (quarter 3, quarter 5)")


def test_stitch_errors(kepler90_quarters, c5_pdcsap):
    with pytest.raises(ParameterError, match="at least one light curve"):
        stitch([])
    with pytest.raises(ParameterError, match="stitch joins one target"):
        stitch([kepler90_quarters[0], c5_pdcsap])
    with pytest.raises(LightCurveDataError, match="pieces must not overlap"):
        stitch([kepler90_quarters[0], kepler90_quarters[0]])


# ---------------------------------------------------------------- FFT filter and the chain


def test_fft_filter_flattens_and_records(tess_pimen):
    lc = remove_nans(mask_quality(tess_pimen))
    out = fft_filter(lc, period_max=13 * u.day)
    f = arrays(out).flux
    assert np.nanmedian(f) == pytest.approx(1.0, abs=1e-3)
    # a slow sinusoid is removed, a fast one survives
    t = arrays(lc).time
    slow = from_arrays(t, 1 + 0.01 * np.sin(2 * np.pi * t / 5.0) + 0.001 * np.sin(2 * np.pi * t / 0.1),
                       mission="TESS")
    flat = arrays(fft_filter(slow, cutoff=1 * u.day)).flux - 1
    assert 0.0005 < np.nanstd(flat) < 0.0009
    assert out.meta["PROVENANCE"][-1].startswith("fft_filter: Butterworth order 2")
    with pytest.raises(ParameterError, match="order must be between 1 and 8"):
        fft_filter(lc, order=0)


def test_clean_chain_per_telescope(c5_pdcsap, tess_pimen, k2sff):
    k2 = clean(c5_pdcsap)
    steps = [s.split(":")[0] for s in k2.meta["PROVENANCE"]]
    assert steps[-6:] == ["mask_quality", "remove_nans", "correct_k2_roll", "remove_jitter", "remove_outliers",
                          "detrend"]
    assert np.nanmedian(arrays(k2).flux) == pytest.approx(1.0, abs=1e-3)
    tess = clean(tess_pimen)
    assert not any(s.startswith("correct_k2_roll") for s in tess.meta["PROVENANCE"])
    assert "trend" in tess.colnames
    sff = clean(k2sff)
    assert any(s.startswith("correct_k2_roll: skipped") for s in sff.meta["PROVENANCE"])
    fft = clean(tess_pimen, fft=True)
    assert fft.meta["PROVENANCE"][-1].startswith("fft_filter")
    with pytest.raises(ParameterError, match="roll_correction=True applies to K2"):
        clean(tess_pimen, roll_correction=True)


def test_clean_without_telescope_says_so():
    rng = np.random.default_rng(0)
    bare = from_arrays(2455000 + np.arange(300) * 0.02, 1 + rng.normal(0, 1e-3, 300))
    out = clean(bare)
    assert "telescope unknown: named mask 'default' not applied" in out.meta["PROVENANCE"][0]


def test_a_flux_centred_on_zero_is_a_clear_error():
    rng = np.random.default_rng(4)
    lc = from_arrays(2458000 + np.arange(500) * 0.02, rng.normal(0, 1e-3, 500), meta={"FILENAME": "deviation.csv"})
    with pytest.raises(LightCurveDataError, match=r"deviation.csv: the flux's median is .*not positive.*unit \(e.g. ppm\)"):
        clean(lc)
