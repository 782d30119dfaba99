"""Features a scientist can read, computed from one light curve.

The chain is a row of small pure functions on plain float64 arrays:

1. :func:`prepare` – drop bad cadences, normalise to relative flux in parts per thousand
   (ppt), bin fast cadences to 30 minutes so one model serves every telescope.
2. :func:`amplitude_spectrum` – Lomb–Scargle periodogram (VanderPlas 2018) as an
   amplitude spectrum in ppt, from 1/span up to 24 cycles/day (the 30-min Nyquist).
3. :func:`fourier_fit` – harmonic series at a frequency: amplitude ratios R21, R31 and
   phase differences φ21, φ31 (Simon & Lee 1981), the standard RR Lyrae / Cepheid tell.
4. :func:`fold_shape` – the phase-folded, binned curve: eclipse depths and widths.
5. :func:`box_search` – a box search (Kovács et al. 2002, astropy BoxLeastSquares) on the
   curve flattened by a 1-day running median: transit and eclipse tells.
6. :func:`autocorrelation` – first ACF peak (McQuillan et al. 2013 rotation periods).

:func:`light_curve_features` runs them all and returns a :class:`FeatureSet`: named
scalar features (:data:`FEATURE_NAMES`, units in the names), two fixed-length vectors
(the log amplitude spectrum on a log-frequency grid, and the folded shape) that the
learned representation (:mod:`starskope.startypes.representation`) compresses, and the
evidence arrays a report plots.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np
from scipy import ndimage, stats

from ..errors import LightCurveDataError, ParameterError

__all__ = [
    "FEATURE_NAMES",
    "FEATURE_VERSION",
    "SHAPE_BINS",
    "SPECTRUM_BINS",
    "FeatureSet",
    "PreparedCurve",
    "amplitude_spectrum",
    "autocorrelation",
    "box_search",
    "fold_shape",
    "fourier_fit",
    "light_curve_features",
    "prepare",
    "running_median",
    "spectrum_frequencies",
]

#: Bumped whenever a feature's definition changes (invalidates feature caches).
FEATURE_VERSION = 2

#: Highest frequency searched, cycles/day: the Nyquist frequency of 30-min cadence.
F_MAX_CPD = 24.0
#: Periodogram oversampling factor (grid step = 1 / (oversample × span)).
OVERSAMPLE = 5
#: Length of the log-frequency spectrum vector and of the folded-shape vector.
SPECTRUM_BINS = 64
SHAPE_BINS = 64
_SPEC_FMIN = 0.04
_FOLD_BINS = 100
MIN_POINTS = 100

#: The readable features, in column order. Units are part of each name.
FEATURE_NAMES: tuple[str, ...] = (
    "span_d",
    "n_points",
    "std_ppt",
    "p2p_ppt",
    "log_var_ratio",
    "amp90_ppt",
    "amp98_ppt",
    "log_amp98",
    "skewness",
    "kurtosis",
    "tail_asymmetry",
    "frac_below_3sig",
    "frac_above_3sig",
    "f1_cpd",
    "log_p1_d",
    "a1_ppt",
    "log_a1_over_noise",
    "f2_cpd",
    "a2_over_a1",
    "f3_cpd",
    "a3_over_a1",
    "f2_over_f1",
    "n_sig_peaks",
    "log_a1_over_local_noise",
    "log_snr_band_lt1",
    "log_snr_band_1_5",
    "log_snr_band_gt5",
    "n_sig_lt1",
    "n_sig_1_5",
    "n_sig_gt5",
    "power_frac_lt1",
    "power_frac_1_5",
    "power_frac_gt5",
    "power_frac_gt10",
    "r21",
    "r31",
    "phi21",
    "phi31",
    "harm_var_frac_p1",
    "harm_var_frac_2p1",
    "sub_harmonic_ratio",
    "rise_frac",
    "fold_depth1_ppt",
    "fold_depth2_over_depth1",
    "fold_min_width",
    "fold_flat_frac",
    "pdm_theta_p1",
    "pdm_theta_2p1",
    "bls_log_period_d",
    "bls_depth_ppt",
    "bls_depth_snr",
    "bls_sde",
    "bls_duration_frac",
    "bls_depth_over_std",
    "bls_odd_even_sigma",
    "bls_secondary_ratio",
    "bls_n_events",
    "acf_peak_lag_d",
    "acf_peak_height",
    "acf_half_lag_d",
)


@dataclass(frozen=True)
class PreparedCurve:
    """A light curve ready for the numeric core.

    Attributes
    ----------
    time : ndarray
        Days since ``t0`` (float64).
    t0 : float
        Reference time, BJD_TDB (days).
    flux : ndarray
        Relative flux, parts per thousand (0 = median).
    cadence_d : float
        Median cadence after binning, days.
    """

    time: np.ndarray
    t0: float
    flux: np.ndarray
    cadence_d: float

    @property
    def span(self) -> float:
        return float(self.time[-1] - self.time[0])


@dataclass
class FeatureSet:
    """Everything :func:`light_curve_features` measured on one light curve.

    Attributes
    ----------
    values : dict of str to float
        The readable features, keyed by :data:`FEATURE_NAMES`.
    spectrum : ndarray, shape (SPECTRUM_BINS,)
        log10 of the amplitude spectrum over its median, on :func:`spectrum_frequencies`.
    shape : ndarray, shape (SHAPE_BINS,)
        Folded curve at twice the dominant period, scaled to unit depth, minimum first.
    evidence : dict
        Arrays and numbers for plotting: ``frequency`` (cycles/day), ``amplitude``
        (ppt), ``fold_phase``, ``fold_flux`` (ppt), ``fold_period_d``, ``peaks``.
    """

    values: dict[str, float]
    spectrum: np.ndarray
    shape: np.ndarray
    evidence: dict[str, Any] = field(default_factory=dict)

    def vector(self) -> np.ndarray:
        """Readable features as a float64 vector in :data:`FEATURE_NAMES` order."""
        return np.array([self.values[name] for name in FEATURE_NAMES], dtype=np.float64)


# --------------------------------------------------------------------------- preparation


def prepare(
    time_bjd: np.ndarray,
    flux: np.ndarray,
    quality: np.ndarray | None = None,
    *,
    quality_mask: int = 0,
    bin_minutes: float = 30.0,
    source: str = "<memory>",
) -> PreparedCurve:
    """Clean, normalise and (for fast cadences) bin a light curve.

    Parameters
    ----------
    time_bjd, flux : ndarray
        Times (BJD_TDB days) and flux (any positive unit, e.g. e⁻/s or normalised).
    quality : ndarray of int, optional
        QUALITY flags; cadences with any bit of ``quality_mask`` set are dropped.
    quality_mask : int
        Bits that mark a bad cadence (0 keeps every cadence).
    bin_minutes : float
        Cadences faster than 0.8 × this are averaged into bins of this length, so that
        2-min, 10-min, 20-s and 30-min data give comparable features.
    source : str
        Name used in error messages.

    Raises
    ------
    LightCurveDataError
        Fewer than 100 usable cadences, or a median flux that is not positive (the flux
        must not be mean-subtracted already).
    """
    t = np.asarray(time_bjd, dtype=np.float64)
    f = np.asarray(flux, dtype=np.float64)
    if t.shape != f.shape:
        raise LightCurveDataError(f"{source}: time has {t.size} values but flux has {f.size}")
    good = np.isfinite(t) & np.isfinite(f)
    if quality is not None and quality_mask:
        good &= (np.asarray(quality).astype(np.int64) & int(quality_mask)) == 0
    t, f = t[good], f[good]
    if t.size < MIN_POINTS:
        raise LightCurveDataError(
            f"{source}: only {t.size} usable cadences (finite, unflagged); star-type features "
            f"need at least {MIN_POINTS}"
        )
    order = np.argsort(t, kind="stable")
    t, f = t[order], f[order]
    median = float(np.median(f))
    if not median > 0:
        raise LightCurveDataError(
            f"{source}: median flux is {median:.4g}; star-type features need positive flux "
            "(raw or normalised to 1), not flux with its mean already subtracted"
        )
    rel = (f / median - 1.0) * 1e3
    t0 = float(t[0])
    tt = t - t0
    cadence = float(np.median(np.diff(tt)))
    width = bin_minutes / 1440.0
    if cadence < 0.8 * width:
        idx = np.floor(tt / width).astype(np.int64)
        counts = np.bincount(idx)
        keep = counts > 0
        tt = (np.bincount(idx, weights=tt)[keep]) / counts[keep]
        rel = (np.bincount(idx, weights=rel)[keep]) / counts[keep]
        # Re-centre: binning changes nothing about the median level, but keep 0 = median.
        rel = rel - float(np.median(rel))
        cadence = float(np.median(np.diff(tt)))
        if tt.size < MIN_POINTS:
            raise LightCurveDataError(
                f"{source}: only {tt.size} {bin_minutes:g}-min bins; need at least {MIN_POINTS}"
            )
    return PreparedCurve(time=tt, t0=t0, flux=rel, cadence_d=cadence)


def running_median(time: np.ndarray, y: np.ndarray, window: float) -> np.ndarray:
    """Median of ``y`` in a sliding time window of full width ``window`` (days)."""
    lo = np.searchsorted(time, time - window / 2, side="left")
    hi = np.searchsorted(time, time + window / 2, side="right")
    return _window_medians(np.ascontiguousarray(y, dtype=np.float64), lo, hi)


def _window_medians_py(y: np.ndarray, lo: np.ndarray, hi: np.ndarray) -> np.ndarray:
    out = np.empty_like(y)
    for i in range(y.size):
        out[i] = np.median(y[lo[i] : hi[i]])
    return out


try:  # the same loop compiled (numba comes with wotan): ~40x faster
    from numba import njit

    _window_medians = njit(cache=True, nogil=True)(_window_medians_py)
except ImportError:  # pragma: no cover - numba is a dependency of wotan
    _window_medians = _window_medians_py


# --------------------------------------------------------------------------- periodogram


def amplitude_spectrum(
    time: np.ndarray,
    y: np.ndarray,
    *,
    f_min: float | None = None,
    f_max: float = F_MAX_CPD,
    oversample: int = OVERSAMPLE,
) -> tuple[np.ndarray, np.ndarray]:
    """Lomb–Scargle amplitude spectrum.

    Parameters
    ----------
    time : ndarray
        Days.
    y : ndarray
        Flux (any unit; the amplitudes come out in the same unit).
    f_min, f_max : float
        Frequency range, cycles/day (``f_min`` defaults to 1/span).
    oversample : int
        Grid step is 1 / (oversample × span).

    Returns
    -------
    frequency : ndarray
        Cycles/day.
    amplitude : ndarray
        Semi-amplitude of the best-fitting sinusoid at each frequency (unit of ``y``).
    """
    from astropy.timeseries import LombScargle

    span = float(time[-1] - time[0])
    if span <= 0:
        raise ParameterError("amplitude_spectrum: time span must be positive")
    nyquist = 0.5 / float(np.median(np.diff(time)))
    f_hi = min(f_max, nyquist)
    f_lo = 1.0 / span if f_min is None else f_min
    df = 1.0 / (oversample * span)
    freq = np.arange(f_lo, f_hi, df)
    yc = y - np.mean(y)
    ls = LombScargle(time, yc, fit_mean=False, center_data=True, normalization="psd")
    power = ls.power(freq, method="fast", assume_regular_frequency=True)
    # With 'psd' normalisation and no errors, P = (N/4)·A² for a pure sinusoid of
    # semi-amplitude A, so A = sqrt(4P/N).
    amp = np.sqrt(np.clip(4.0 * power / yc.size, 0, None))
    return freq, amp


def _peaks(freq: np.ndarray, amp: np.ndarray, n: int, resolution: float) -> list[tuple[float, float]]:
    """The ``n`` highest local maxima separated by more than ``resolution`` (cycles/day)."""
    interior = np.flatnonzero((amp[1:-1] > amp[:-2]) & (amp[1:-1] >= amp[2:])) + 1
    order = interior[np.argsort(amp[interior])[::-1]]
    chosen: list[tuple[float, float]] = []
    for i in order:
        f = float(freq[i])
        if all(abs(f - g) > resolution for g, _ in chosen):
            # parabolic refinement of the peak position and height
            a, b, c = amp[i - 1], amp[i], amp[i + 1]
            den = a - 2 * b + c
            shift = 0.5 * (a - c) / den if den != 0 else 0.0
            step = freq[1] - freq[0]
            chosen.append((f + shift * step, float(b - 0.25 * (a - c) * shift)))
            if len(chosen) == n:
                break
    while len(chosen) < n:
        chosen.append((np.nan, 0.0))
    return chosen


def spectrum_frequencies() -> np.ndarray:
    """Centres (cycles/day) of the log-spaced bins of :attr:`FeatureSet.spectrum`."""
    edges = np.geomspace(_SPEC_FMIN, F_MAX_CPD, SPECTRUM_BINS + 1)
    return np.sqrt(edges[:-1] * edges[1:])


def _spectrum_vector(freq: np.ndarray, amp: np.ndarray, noise: float) -> np.ndarray:
    edges = np.geomspace(_SPEC_FMIN, F_MAX_CPD, SPECTRUM_BINS + 1)
    idx = np.searchsorted(edges, freq, side="right") - 1
    ok = (idx >= 0) & (idx < SPECTRUM_BINS)
    best = np.full(SPECTRUM_BINS, np.nan)
    np.fmax.at(best, idx[ok], amp[ok])
    # Bins below 1/span or above Nyquist take the nearest measured value.
    have = np.flatnonzero(np.isfinite(best))
    if have.size:
        best = np.interp(np.arange(SPECTRUM_BINS), have, best[have])
    else:
        best[:] = noise
    return np.log10(np.maximum(best, 1e-12) / max(noise, 1e-12))


# --------------------------------------------------------------------------- harmonic fit


def fourier_fit(time: np.ndarray, y: np.ndarray, frequency: float, n_harmonics: int = 4) -> dict[str, Any]:
    """Least-squares harmonic series ``Σ A_k sin(2π k f t + φ_k)`` at ``frequency``.

    Returns
    -------
    dict
        ``amplitudes`` (A_k, unit of y), ``phases`` (φ_k, rad), ``model`` (array),
        ``var_frac`` (fraction of the variance explained), ``r21``, ``r31``, ``phi21``,
        ``phi31`` (φ_k1 = φ_k − k φ_1, wrapped to [0, 2π)).
    """
    if not np.isfinite(frequency) or frequency <= 0:
        nan = float("nan")
        return {"amplitudes": np.zeros(n_harmonics), "phases": np.zeros(n_harmonics),
                "model": np.zeros_like(y), "var_frac": 0.0, "r21": nan, "r31": nan,
                "phi21": nan, "phi31": nan}
    w = 2 * np.pi * frequency * time
    cols = [np.ones_like(time)]
    for k in range(1, n_harmonics + 1):
        cols += [np.sin(k * w), np.cos(k * w)]
    design = np.column_stack(cols)
    coef, *_ = np.linalg.lstsq(design, y, rcond=None)
    model = design @ coef
    s, c = coef[1::2], coef[2::2]
    amps = np.hypot(s, c)
    phases = np.arctan2(c, s)
    var = float(np.var(y))
    var_frac = 1.0 - float(np.var(y - model)) / var if var > 0 else 0.0
    a1 = amps[0] if amps[0] > 0 else np.nan
    two_pi = 2 * np.pi
    return {
        "amplitudes": amps,
        "phases": phases,
        "model": model,
        "var_frac": var_frac,
        "r21": float(amps[1] / a1),
        "r31": float(amps[2] / a1),
        "phi21": float((phases[1] - 2 * phases[0]) % two_pi),
        "phi31": float((phases[2] - 3 * phases[0]) % two_pi),
    }


# --------------------------------------------------------------------------- folding


def _binned_fold(time: np.ndarray, y: np.ndarray, period: float, bins: int) -> tuple[np.ndarray, np.ndarray]:
    phase = np.mod(time / period, 1.0)
    idx = np.minimum((phase * bins).astype(np.int64), bins - 1)
    counts = np.bincount(idx, minlength=bins)
    sums = np.bincount(idx, weights=y, minlength=bins)
    sq = np.bincount(idx, weights=y * y, minlength=bins)
    mean = np.where(counts > 0, sums / np.maximum(counts, 1), np.nan)
    var = np.where(counts > 1, sq / np.maximum(counts, 1) - mean**2, np.nan)
    have = np.flatnonzero(np.isfinite(mean))
    if have.size and have.size < bins:
        mean = np.interp(np.arange(bins), have, mean[have], period=bins)
    return mean, var


def fold_shape(time: np.ndarray, y: np.ndarray, period: float, bins: int = _FOLD_BINS) -> dict[str, Any]:
    """Shape of the curve folded at ``period`` (days).

    Returns
    -------
    dict
        ``binned`` (mean flux per phase bin, minimum rolled to bin 0), ``depth1`` (median
        minus the deepest bin, unit of y), ``depth2_ratio`` (deepest bin within phase
        0.3–0.7 of the minimum, over ``depth1``), ``min_width`` (phase fraction below half
        of ``depth1``), ``flat_frac`` (fraction of bins within 10 % of ``depth1`` of the
        median, i.e. flat out-of-eclipse light), ``pdm_theta`` (mean within-bin variance
        over total variance; Stellingwerf 1978).
    """
    if not np.isfinite(period) or period <= 0:
        return {"binned": np.zeros(bins), "depth1": 0.0, "depth2_ratio": np.nan,
                "min_width": np.nan, "flat_frac": np.nan, "pdm_theta": 1.0}
    mean, var = _binned_fold(time, y, period, bins)
    if not np.isfinite(mean).any():
        mean = np.zeros(bins)
    imin = int(np.nanargmin(mean))
    rolled = np.roll(mean, -imin)
    level = float(np.median(rolled))
    depth1 = level - float(rolled[0])
    lo, hi = int(0.3 * bins), int(0.7 * bins)
    depth2 = level - float(np.min(rolled[lo:hi]))
    ratio = depth2 / depth1 if depth1 > 0 else np.nan
    width = float(np.mean(rolled < level - 0.5 * depth1)) if depth1 > 0 else np.nan
    flat = float(np.mean(np.abs(rolled - level) < 0.1 * depth1)) if depth1 > 0 else np.nan
    total = float(np.var(y))
    theta = float(np.nanmean(var) / total) if total > 0 and np.isfinite(var).any() else 1.0
    return {"binned": rolled, "depth1": depth1, "depth2_ratio": ratio, "min_width": width,
            "flat_frac": flat, "pdm_theta": theta, "roll": imin}


# --------------------------------------------------------------------------- box search


def box_search(time: np.ndarray, y: np.ndarray, *, flatten_window: float = 1.0) -> dict[str, float]:
    """Box search for transits or eclipses on the curve flattened by a running median.

    Parameters
    ----------
    time, y : ndarray
        Days; flux in ppt.
    flatten_window : float
        Running-median window, days (removes variability slower than the dips).

    Returns
    -------
    dict
        ``period`` (d), ``depth`` (ppt), ``depth_snr``, ``sde`` (signal detection
        efficiency of the peak), ``duration_frac`` (duration/period), ``odd_even_sigma``
        (odd vs even depth difference in σ), ``std`` (ppt, of the flattened curve),
        ``secondary_ratio`` (mean dip at phase 0.5 over the primary depth), ``n_events``
        (transit windows with data).
    """
    from astropy.timeseries import BoxLeastSquares

    span = float(time[-1] - time[0])
    flat = y - running_median(time, y, flatten_window)
    std = 1.4826 * float(np.median(np.abs(flat - np.median(flat))))
    out = {"period": np.nan, "depth": 0.0, "depth_snr": 0.0, "sde": 0.0,
           "duration_frac": np.nan, "odd_even_sigma": 0.0, "std": std,
           "secondary_ratio": 0.0, "n_events": 0.0}
    p_max = span / 2.0
    if p_max <= 0.6 or std <= 0:
        return out
    durations = np.array([1.0, 2.0, 4.0, 8.0]) / 24.0
    periods = np.exp(np.linspace(np.log(0.5), np.log(p_max), 2500))
    dy = np.full_like(flat, std)
    bls = BoxLeastSquares(time, flat, dy)
    res = bls.power(periods, durations, objective="likelihood")
    power = np.asarray(res.power)
    i = int(np.argmax(power))
    sd = float(np.std(power))
    out["period"] = float(periods[i])
    out["depth"] = float(res.depth[i])
    out["depth_snr"] = float(res.depth_snr[i])
    out["sde"] = float((power[i] - np.mean(power)) / sd) if sd > 0 else 0.0
    out["duration_frac"] = float(res.duration[i] / periods[i])
    # odd/even: depths of alternate events at the best period
    t0, dur, per = float(res.transit_time[i]), float(res.duration[i]), float(periods[i])
    epoch = np.round((time - t0) / per)
    in_tr = np.abs(time - t0 - epoch * per) < 0.5 * dur
    odd = in_tr & (epoch % 2 == 1)
    even = in_tr & (epoch % 2 == 0)
    out["n_events"] = float(np.unique(epoch[in_tr]).size)
    # secondary eclipse: mean flux in a box of the same duration at phase 0.5
    sec = np.abs(time - t0 - (epoch + 0.5) * per) < 0.5 * dur
    sec |= np.abs(time - t0 - (epoch - 0.5) * per) < 0.5 * dur
    if sec.sum() >= 2 and out["depth"] > 0:
        out["secondary_ratio"] = float(-np.mean(flat[sec]) / out["depth"])
    if odd.sum() >= 2 and even.sum() >= 2:
        d_odd, d_even = -np.mean(flat[odd]), -np.mean(flat[even])
        err = std * np.sqrt(1.0 / odd.sum() + 1.0 / even.sum())
        out["odd_even_sigma"] = float(abs(d_odd - d_even) / err)
    return out


# --------------------------------------------------------------------------- ACF


def autocorrelation(time: np.ndarray, y: np.ndarray, cadence: float) -> tuple[np.ndarray, np.ndarray]:
    """Autocorrelation on a uniform grid, gaps handled by normalising with the mask's ACF.

    Returns
    -------
    lag : ndarray
        Days, up to half the span.
    acf : ndarray
        Normalised autocorrelation (1 at lag 0).
    """
    idx = np.round((time - time[0]) / cadence).astype(np.int64)
    n = int(idx[-1]) + 1
    grid = np.zeros(n)
    mask = np.zeros(n)
    grid[idx] = y - np.mean(y)
    mask[idx] = 1.0
    size = 1 << int(np.ceil(np.log2(2 * n)))
    fy = np.fft.rfft(grid, size)
    fm = np.fft.rfft(mask, size)
    num = np.fft.irfft(fy * np.conj(fy), size)[: n // 2]
    den = np.fft.irfft(fm * np.conj(fm), size)[: n // 2]
    with np.errstate(invalid="ignore", divide="ignore"):
        acf = np.where(den > 0.5 * den[0] * 0.1, num / den, np.nan)
    acf = acf / acf[0] if acf[0] > 0 else np.zeros_like(acf)
    lag = np.arange(acf.size) * cadence
    return lag, acf


def _acf_features(lag: np.ndarray, acf: np.ndarray) -> tuple[float, float, float]:
    a = np.nan_to_num(acf, nan=0.0)
    if a.size < 5:
        return np.nan, 0.0, 0.0
    # smooth a little so noise wiggles are not peaks (McQuillan et al. 2013 use a Gaussian)
    a = ndimage.gaussian_filter1d(a, 2.0)
    below = np.flatnonzero(a < 0.5)
    half = float(lag[below[0]]) if below.size else float(lag[-1])
    peaks = np.flatnonzero((a[1:-1] > a[:-2]) & (a[1:-1] >= a[2:])) + 1
    peaks = peaks[lag[peaks] > 0.1]
    if not peaks.size:
        return np.nan, 0.0, half
    k = peaks[0]
    # height: mean of the rise from the preceding trough and of the peak value itself
    trough = float(np.min(a[:k]))
    return float(lag[k]), 0.5 * (float(a[k] - trough) + float(a[k])), half


# --------------------------------------------------------------------------- all together


def light_curve_features(
    time_bjd: np.ndarray,
    flux: np.ndarray,
    quality: np.ndarray | None = None,
    *,
    quality_mask: int = 0,
    source: str = "<memory>",
) -> FeatureSet:
    """Compute every star-type feature of one light curve.

    Parameters
    ----------
    time_bjd, flux, quality
        As for :func:`prepare` (times BJD_TDB days, positive flux).
    quality_mask : int
        QUALITY bits that mark bad cadences.
    source : str
        Name for error messages.

    Returns
    -------
    FeatureSet
    """
    pc = prepare(time_bjd, flux, quality, quality_mask=quality_mask, source=source)
    t, y = pc.time, pc.flux
    span = pc.span
    v: dict[str, float] = {"span_d": span, "n_points": float(t.size)}

    med = float(np.median(y))
    mad = 1.4826 * float(np.median(np.abs(y - med)))
    p2p = 1.4826 * float(np.median(np.abs(np.diff(y) - np.median(np.diff(y))))) / np.sqrt(2.0)
    p1, p5, p95, p99 = np.percentile(y, [1, 5, 95, 99])
    v["std_ppt"] = mad
    v["p2p_ppt"] = p2p
    v["log_var_ratio"] = float(np.log10(max(float(np.std(y)), 1e-9) ** 2 / max(p2p, 1e-9) ** 2))
    v["amp90_ppt"] = float(p95 - p5)
    v["amp98_ppt"] = float(p99 - p1)
    v["log_amp98"] = float(np.log10(max(p99 - p1, 1e-6)))
    v["skewness"] = float(stats.skew(y))
    v["kurtosis"] = float(stats.kurtosis(y))
    v["tail_asymmetry"] = float(np.log10(max(p99 - med, 1e-6) / max(med - p1, 1e-6)))
    v["frac_below_3sig"] = float(np.mean(y < med - 3 * p2p)) if p2p > 0 else 0.0
    v["frac_above_3sig"] = float(np.mean(y > med + 3 * p2p)) if p2p > 0 else 0.0

    freq, amp = amplitude_spectrum(t, y)
    resolution = 1.5 / span
    (f1, a1), (f2, a2), (f3, a3) = _peaks(freq, amp, 3, resolution)
    noise = float(np.median(amp))
    v["f1_cpd"] = f1
    v["log_p1_d"] = float(np.log10(1.0 / f1)) if f1 > 0 else np.nan
    v["a1_ppt"] = a1
    v["log_a1_over_noise"] = float(np.log10(max(a1, 1e-9) / max(noise, 1e-9)))
    v["f2_cpd"] = f2
    v["a2_over_a1"] = a2 / a1 if a1 > 0 else 0.0
    v["f3_cpd"] = f3
    v["a3_over_a1"] = a3 / a1 if a1 > 0 else 0.0
    v["f2_over_f1"] = f2 / f1 if f1 > 0 else np.nan
    window = max(3, round(1.0 / (freq[1] - freq[0])) | 1)
    local_noise = ndimage.median_filter(amp, size=window, mode="nearest")
    is_peak = np.zeros(amp.size, dtype=bool)
    is_peak[1:-1] = (amp[1:-1] > amp[:-2]) & (amp[1:-1] >= amp[2:])
    # S/N ≥ 4 in amplitude (Breger et al. 1993), counted per independent frequency
    significant = is_peak & (amp > 4.0 * local_noise)
    v["n_sig_peaks"] = float(np.sum(significant))
    snr = amp / np.maximum(local_noise, 1e-12)
    i1 = int(np.argmin(np.abs(freq - f1))) if np.isfinite(f1) else 0
    v["log_a1_over_local_noise"] = float(np.log10(max(snr[i1], 1e-9)))
    # Strongest peak and significant-peak count per band: g modes / rotation below
    # ~5 c/d, p modes above (aliases of super-Nyquist p modes stay above 5 c/d).
    for name, lo, hi in (("lt1", 0.0, 1.0), ("1_5", 1.0, 5.0), ("gt5", 5.0, np.inf)):
        band = (freq >= lo) & (freq < hi)
        v[f"log_snr_band_{name}"] = float(np.log10(max(float(snr[band].max()), 1e-9))) if band.any() else 0.0
        v[f"n_sig_{name}"] = float(np.sum(significant & band))
    pw = amp**2
    total = float(pw.sum()) or 1.0
    v["power_frac_lt1"] = float(pw[freq < 1].sum() / total)
    v["power_frac_1_5"] = float(pw[(freq >= 1) & (freq < 5)].sum() / total)
    v["power_frac_gt5"] = float(pw[freq >= 5].sum() / total)
    v["power_frac_gt10"] = float(pw[freq >= 10].sum() / total)

    fit1 = fourier_fit(t, y, f1)
    fit2 = fourier_fit(t, y, f1 / 2.0) if f1 > 0 else fourier_fit(t, y, np.nan)
    v["r21"], v["r31"] = fit1["r21"], fit1["r31"]
    v["phi21"], v["phi31"] = fit1["phi21"], fit1["phi31"]
    v["harm_var_frac_p1"] = fit1["var_frac"]
    v["harm_var_frac_2p1"] = fit2["var_frac"]
    # amplitude of the sub-harmonic f1/2 relative to f1: alternating eclipse depths
    v["sub_harmonic_ratio"] = (
        float(fit2["amplitudes"][0] / fit2["amplitudes"][1]) if fit2["amplitudes"][1] > 0 else 0.0
    )
    # rise fraction: phase from minimum to maximum of the harmonic model (RR Lyrae ≈ 0.15-0.3)
    if f1 > 0:
        ph = np.linspace(0, 1, 400, endpoint=False)
        amps, phases = fit1["amplitudes"], fit1["phases"]
        model = sum(amps[k] * np.sin(2 * np.pi * (k + 1) * ph + phases[k]) for k in range(amps.size))
        imin, imax = int(np.argmin(model)), int(np.argmax(model))
        v["rise_frac"] = float(((imax - imin) % ph.size) / ph.size)
    else:
        v["rise_frac"] = np.nan

    p1_d = 1.0 / f1 if f1 > 0 else np.nan
    fold1 = fold_shape(t, y, p1_d)
    fold2 = fold_shape(t, y, 2 * p1_d)
    v["fold_depth1_ppt"] = fold2["depth1"]
    v["fold_depth2_over_depth1"] = fold2["depth2_ratio"]
    v["fold_min_width"] = fold2["min_width"]
    v["fold_flat_frac"] = fold2["flat_frac"]
    v["pdm_theta_p1"] = fold1["pdm_theta"]
    v["pdm_theta_2p1"] = fold2["pdm_theta"]

    bls = box_search(t, y)
    v["bls_log_period_d"] = float(np.log10(bls["period"])) if np.isfinite(bls["period"]) else np.nan
    v["bls_depth_ppt"] = bls["depth"]
    v["bls_depth_snr"] = bls["depth_snr"]
    v["bls_sde"] = bls["sde"]
    v["bls_duration_frac"] = bls["duration_frac"]
    v["bls_depth_over_std"] = bls["depth"] / bls["std"] if bls["std"] > 0 else 0.0
    v["bls_odd_even_sigma"] = bls["odd_even_sigma"]
    v["bls_secondary_ratio"] = bls["secondary_ratio"]
    v["bls_n_events"] = bls["n_events"]

    lag, acf = autocorrelation(t, y, pc.cadence_d)
    v["acf_peak_lag_d"], v["acf_peak_height"], v["acf_half_lag_d"] = _acf_features(lag, acf)

    shape = _resample_shape(fold2["binned"])
    depth = fold2["depth1"]
    spread = float(np.max(np.abs(shape - np.median(shape))))
    shape = (shape - np.median(shape)) / spread if spread > 0 else np.zeros(SHAPE_BINS)

    evidence = {
        "frequency": freq,
        "amplitude": amp,
        "noise_ppt": noise,
        "peaks": [(f1, a1), (f2, a2), (f3, a3)],
        "fold_period_d": 2 * p1_d,
        "fold_phase": (np.arange(_FOLD_BINS) + 0.5) / _FOLD_BINS,
        "fold_flux": fold2["binned"],
        "fold_depth_ppt": depth,
        "harmonic_amplitudes_ppt": fit1["amplitudes"],
        "bls": bls,
        "t0_bjd": pc.t0,
    }
    return FeatureSet(values=v, spectrum=_spectrum_vector(freq, amp, noise), shape=shape, evidence=evidence)


def _resample_shape(binned: np.ndarray) -> np.ndarray:
    x_old = (np.arange(binned.size) + 0.5) / binned.size
    x_new = (np.arange(SHAPE_BINS) + 0.5) / SHAPE_BINS
    return np.interp(x_new, x_old, binned, period=1.0)
