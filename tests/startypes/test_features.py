"""Readable star-type features: synthetic checks of each step, real-data checks against
catalogue periods (Skarka et al. 2022 gamma Dor frequencies, Villanova EB periods)."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from starskope.errors import LightCurveDataError
from starskope.startypes import features as features_module
from starskope.startypes.dataset import read_light_curve_arrays
from starskope.startypes.features import (
    FEATURE_NAMES,
    SHAPE_BINS,
    SPECTRUM_BINS,
    amplitude_spectrum,
    autocorrelation,
    box_search,
    fold_shape,
    fourier_fit,
    light_curve_features,
    prepare,
    running_median,
)


def _grid(days: float = 27.0, cadence_min: float = 30.0) -> np.ndarray:
    return np.arange(0, days, cadence_min / 1440.0)


@settings(max_examples=15, deadline=None)
@given(freq=st.floats(0.3, 20.0), amp=st.floats(0.5, 50.0))
def test_amplitude_spectrum_recovers_a_sinusoid(freq: float, amp: float) -> None:
    t = _grid()
    rng = np.random.default_rng(1)
    y = amp * np.sin(2 * np.pi * freq * t + 0.3) + rng.normal(0, 0.05 * amp, t.size)
    f, a = amplitude_spectrum(t, y)
    i = int(np.argmax(a))
    assert f[i] == pytest.approx(freq, abs=1.0 / 27.0)
    assert a[i] == pytest.approx(amp, rel=0.06)  # grid step costs at most a few per cent


def _astropy_amplitudes(t: np.ndarray, y: np.ndarray, freq: np.ndarray) -> np.ndarray:
    from astropy.timeseries import LombScargle

    yc = y - y.mean()
    ls = LombScargle(t, yc, fit_mean=False, center_data=True, normalization="psd")
    return np.sqrt(4 * np.clip(ls.power(freq, method="cython"), 0, None) / yc.size)


def test_gridded_lomb_scargle_equals_the_direct_sum() -> None:
    # 30-min cadence with gaps and a barycentric-like drift of the time stamps (≤ 3 s)
    t = _grid(27.0)
    t = t[(t < 13.0) | (t > 14.2)]
    t = t + 3.0 / 86400 * np.sin(2 * np.pi * t / 60.0)
    rng = np.random.default_rng(4)
    y = 5 * np.sin(2 * np.pi * 17.3 * t) + 2 * np.sin(2 * np.pi * 0.71 * t + 1) + rng.normal(0, 0.5, t.size)
    grid = features_module._regular_grid(t)
    assert grid is not None and grid[0][-1] == round((t[-1] - t[0]) / (30 / 1440))
    f, a = amplitude_spectrum(t, y)
    exact = _astropy_amplitudes(t, y, f)
    assert np.max(np.abs(a - exact)) < 1e-6 * a.max()


def test_irregular_times_use_the_general_periodogram() -> None:
    rng = np.random.default_rng(5)
    t = np.sort(rng.uniform(0, 20, 900))
    assert features_module._regular_grid(t) is None
    y = 3 * np.sin(2 * np.pi * 2.2 * t) + rng.normal(0, 0.3, t.size)
    f, a = amplitude_spectrum(t, y)
    assert np.max(np.abs(a - _astropy_amplitudes(t, y, f))) < 1e-4 * a.max()
    assert f[np.argmax(a)] == pytest.approx(2.2, abs=0.02)


def test_running_median_equals_numpy_median_per_window() -> None:
    rng = np.random.default_rng(6)
    t = np.sort(rng.uniform(0, 30, 1500))
    y = np.round(rng.normal(size=t.size), 1)  # ties
    got = running_median(t, y, 1.0)
    want = [np.median(y[np.abs(t - ti) <= 0.5]) for ti in t]
    assert np.array_equal(got, want)


def test_fourier_fit_measures_harmonic_ratios() -> None:
    t = _grid()
    y = 10 * np.sin(2 * np.pi * 2.0 * t) + 4 * np.sin(2 * np.pi * 4.0 * t + 1.0) + 2 * np.sin(2 * np.pi * 6.0 * t)
    fit = fourier_fit(t, y, 2.0)
    assert fit["r21"] == pytest.approx(0.4, abs=1e-6) and fit["r31"] == pytest.approx(0.2, abs=1e-6)
    assert fit["phi21"] == pytest.approx(1.0, abs=1e-6)
    assert fit["var_frac"] == pytest.approx(1.0, abs=1e-9)


def test_fold_shape_sees_unequal_eclipses() -> None:
    t = _grid()
    p = 2.5
    phase = np.mod(t / p, 1.0)
    y = np.zeros_like(t)
    y[np.abs(phase - 0.2) < 0.02] = -30.0  # primary
    y[np.abs(phase - 0.7) < 0.02] = -10.0  # secondary at phase 0.5 from it
    fs = fold_shape(t, y, p)
    assert fs["depth1"] == pytest.approx(30.0, rel=0.05)
    assert fs["depth2_ratio"] == pytest.approx(1 / 3, abs=0.05)
    assert fs["flat_frac"] > 0.8 and fs["min_width"] < 0.1


def test_box_search_finds_transits_and_secondaries() -> None:
    t = _grid()
    rng = np.random.default_rng(3)
    y = rng.normal(0, 0.3, t.size)
    p, dur = 3.1, 2.0 / 24  # a trial duration of the box search (1, 2, 4, 8 h)
    phase = np.mod(t - 0.4, p)
    y[phase < dur] -= 2.0
    out = box_search(t, y)
    assert out["period"] == pytest.approx(p, rel=0.01)
    assert out["depth"] == pytest.approx(2.0, rel=0.2)
    assert out["depth_snr"] > 20 and out["n_events"] >= 8
    assert abs(out["secondary_ratio"]) < 0.2


def _k2_like(days: float = 65.3) -> np.ndarray:
    return np.arange(0, days, 29.4244 / 1440.0)


def test_box_search_refines_a_short_transit_at_a_long_period() -> None:
    # a 1-h transit at 9.7 d over a K2 campaign: the detection pass sees it diluted in a
    # 4-h box, the refinement measures it with the 1-h box
    t = _k2_like()
    y = np.random.default_rng(7).normal(0, 0.2, t.size)
    p, dur = 9.7, 1.0 / 24
    y[np.abs(np.mod(t - 2.3 + 0.5 * p, p) - 0.5 * p) < 0.5 * dur] -= 1.2
    out = box_search(t, y)
    assert out["period"] == pytest.approx(p, rel=0.002)
    assert out["duration_frac"] * out["period"] * 24 == pytest.approx(1.0, rel=0.15)
    assert out["depth"] == pytest.approx(1.2, rel=0.25) and out["n_events"] >= 6
    assert out["sde"] > 8


def test_box_search_grid_is_no_finer_than_detection_needs() -> None:
    # trial frequencies grow with the baseline (drift criterion) and are capped
    t = _k2_like()
    y = np.random.default_rng(8).normal(0, 1.0, t.size)
    n_k2 = box_search(t, y)["n_trials"]
    n_tess = box_search(_grid(27.0), y[: _grid(27.0).size])["n_trials"]
    assert 1500 < n_k2 < 3000 and 500 < n_tess < 1200
    long = np.arange(0, 1400, 0.0204)
    n_long = box_search(long, np.random.default_rng(9).normal(0, 1.0, long.size))["n_trials"]
    assert n_long <= features_module._BOX_MAX_TRIALS + 1
    assert box_search(_grid(1.1), np.zeros(_grid(1.1).size) + 1.0)["n_trials"] == 0  # too short / flat


def test_box_search_finds_kepler_eb_periods_that_the_old_grid_aliased(shared_data: Path) -> None:
    # 400 d of Kepler long cadence; the Villanova periods (manifest) are 0.730944 d and
    # 0.622891 d (the 2500-period log grid of feature version 2 found 7× and 3× them)
    for name, period in (("kic003228863_eb.npz", 0.730944), ("kic003958488_eb.npz", 0.622891)):
        time, flux, _ = read_light_curve_arrays(shared_data / "kepler" / "eb" / name)
        pc = prepare(time, flux)
        out = box_search(pc.time, pc.flux)
        assert min(abs(out["period"] - period), abs(out["period"] - 2 * period)) < 2e-4 * period, name
        assert out["depth_snr"] > 30


def test_features_of_a_tess_two_minute_sector(shared_data: Path) -> None:
    # TOI 232.01 (P = 1.33823 d, manifest): 2-min cadence binned to 30 min
    path = (shared_data / "tess" / "misc" / "hpparvi+PyTransit"
            / "tess2018234235059-s0002-0000000402026209-0121-s_lc.fits.gz")
    time, flux, quality = read_light_curve_arrays(path)
    fs = light_curve_features(time, flux, quality)
    assert fs.values["n_points"] < 1400  # binned
    assert 10 ** fs.values["bls_log_period_d"] == pytest.approx(1.33823, rel=1e-3)
    assert fs.values["bls_depth_snr"] > 100 and fs.values["bls_n_events"] >= 15


def test_autocorrelation_peaks_at_the_rotation_period() -> None:
    t = _grid()
    t = t[(t < 12) | (t > 14)]  # an orbit gap
    y = 5 * np.sin(2 * np.pi * t / 3.7) + np.random.default_rng(0).normal(0, 0.5, t.size)
    lag, acf = autocorrelation(t, y, 30 / 1440)
    assert acf[0] == pytest.approx(1.0)
    k = np.nanargmax(np.where(lag > 1, acf, -np.inf))
    assert lag[k] == pytest.approx(3.7, abs=0.1)


def test_prepare_bins_fast_cadence_and_rejects_bad_input() -> None:
    t = 2458000.0 + _grid(10.0, 2.0)
    pc = prepare(t, 100.0 + np.sin(t))
    assert pc.cadence_d == pytest.approx(30 / 1440, rel=0.01)
    assert abs(np.median(pc.flux)) < 1e-9  # relative flux (ppt) around 0
    with pytest.raises(LightCurveDataError, match="only 50 usable cadences"):
        prepare(t[:50], np.ones(50))
    with pytest.raises(LightCurveDataError, match="median flux is 0"):
        prepare(t, np.sin(t) * 0.0)
    q = np.zeros(t.size, dtype=int)
    q[: t.size - 60] = 128
    with pytest.raises(LightCurveDataError, match="only 60 usable"):
        prepare(t, np.ones(t.size), q, quality_mask=128)


def _features(shared_data: Path, name: str):
    time, flux, quality = read_light_curve_arrays(shared_data / "tess" / "ffi" / name)
    with warnings.catch_warnings():
        warnings.simplefilter("error")  # no silent repairs
        return light_curve_features(time, flux, quality, source=name)


@pytest.mark.parametrize(
    ("name", "skarka_f"),
    [("160409841.fits.gz", 1.32434), ("199632490.fits.gz", 0.35187), ("219092124.fits.gz", 4.01898),
     ("219857708.fits.gz", 0.69743), ("219822721.fits.gz", 1.32775)],
)
def test_gamma_dor_dominant_frequency_matches_skarka(shared_data: Path, name: str, skarka_f: float) -> None:
    fs = _features(shared_data, name)
    assert fs.values["f1_cpd"] == pytest.approx(skarka_f, abs=0.5 / fs.values["span_d"])
    ev = fs.evidence
    assert ev["frequency"].size == ev["amplitude"].size and ev["amplitude"].max() == pytest.approx(
        fs.values["a1_ppt"], rel=0.05)


@pytest.mark.parametrize(
    ("name", "period"),
    [("137408317.fits.gz", 3.72283), ("122375269.fits.gz", 1.89127), ("164781045.fits.gz", 4.70391),
     ("159169838.fits.gz", 0.918421)],
)
def test_eclipsing_binary_period_matches_villanova(shared_data: Path, name: str, period: float) -> None:
    fs = _features(shared_data, name)
    p_box = 10 ** fs.values["bls_log_period_d"]
    # equal eclipses make the box search lock on half the orbit
    assert min(abs(p_box - period), abs(p_box - period / 2)) < 0.003 * period
    assert fs.values["bls_depth_snr"] > 15
    assert fs.evidence["fold_period_d"] == pytest.approx(2 / fs.values["f1_cpd"])


def test_feature_set_is_complete_and_finite(shared_data: Path) -> None:
    fs = _features(shared_data, "101433435.fits.gz")  # an RRc star
    assert set(fs.values) == set(FEATURE_NAMES)
    v = fs.vector()
    assert v.shape == (len(FEATURE_NAMES),) and np.isfinite(v).all()
    assert fs.spectrum.shape == (SPECTRUM_BINS,) and fs.shape.shape == (SHAPE_BINS,)
    assert np.isfinite(fs.spectrum).all() and np.abs(fs.shape).max() == pytest.approx(1.0)
    # RRc: 0.2-0.45 d, tens of ppt
    assert 0.2 < 1 / fs.values["f1_cpd"] < 0.45 and fs.values["a1_ppt"] > 30
