"""Robust scatter of a series: the noise estimates every stage uses, in one place.

* :func:`robust_std` — per-point scatter, 1.4826 × the median absolute deviation
  (MAD). For Gaussian noise it equals the standard deviation; a few outliers (flares,
  transits, cosmic rays) barely move it.
* :func:`point_to_point_std` — the same measured on differences of consecutive values
  (divided by √2 for first differences, √6 for second): white noise only, insensitive
  to slow trends and stellar variability.
* :func:`binned_std` — robust scatter of the series averaged in consecutive time bins:
  σ/√(points per bin) for white noise, larger when the noise is correlated on the bin's
  time scale (Pont, Zucker & Queloz 2006).

``robust_std`` is :func:`astropy.stats.mad_std` (with ``ignore_nan=True``) up to the
constant: astropy scales the MAD by 1/Φ⁻¹(3/4) = 1.482602…, here by 1.4826, the value
starskope's search, vetting and stored models were built with (the two differ by
1.5 × 10⁻⁶ relative). Plain NumPy is used because these run in the hot paths (every
light curve, trial and candidate of a batch) where astropy's wrapper costs more than
the median itself, and because the NaN rule is ours: NaNs are left out, a series with
too few values gives NaN rather than an error.

This module is part of the ground floor: it imports nothing from starskope but the
error types.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .errors import ParameterError

__all__ = ["MAD_TO_SIGMA", "binned_std", "point_to_point_std", "red_noise_beta", "robust_std"]

#: Ratio of the standard deviation to the median absolute deviation for Gaussian noise
#: (1/Φ⁻¹(3/4) = 1.482602…, rounded as starskope has always used it).
MAD_TO_SIGMA = 1.4826


def robust_std(
    values: Any,
    axis: int | None = None,
    *,
    center: Any = None,
    min_count: int = 1,
    keepdims: bool = False,
) -> Any:
    """Robust standard deviation: 1.4826 × median(|x − centre|), NaNs left out.

    Parameters
    ----------
    values : array_like
        The series (any unit; the result has the same unit). NaNs are ignored; ±inf
        count as values.
    axis : int, optional
        Axis along which to measure (vectorised: one scatter per row or column).
        None (default) measures the whole array, flattened, and returns a float.
    center : float or array_like, optional
        The level deviations are measured from. Default the median of ``values``
        (along ``axis``); ``0.0`` for residuals already centred on zero.
    min_count : int
        Fewest non-NaN values for a result; with fewer the scatter is NaN.
    keepdims : bool
        With ``axis``, keep the reduced axis (length 1) for broadcasting.

    Returns
    -------
    float or ndarray
        The scatter, NaN where there are fewer than ``min_count`` values.

    Examples
    --------
    One outlier does not move it:

    >>> robust_std([1.0, 2.0, 3.0, 4.0, 100.0])
    1.4826
    """
    x = np.asarray(values, dtype=np.float64)
    if axis is None:
        x = x.ravel()
        x = x[~np.isnan(x)]
        if x.size < max(int(min_count), 1):
            return float("nan")
        c = np.median(x) if center is None else center
        return float(MAD_TO_SIGMA * np.median(np.abs(x - c)))
    c = np.nanmedian(x, axis=axis, keepdims=True) if center is None else center
    s = MAD_TO_SIGMA * np.nanmedian(np.abs(x - c), axis=axis, keepdims=keepdims)
    if min_count > 1:
        n = np.sum(~np.isnan(x), axis=axis, keepdims=keepdims)
        s = np.where(n >= min_count, s, np.nan)
    return s


def point_to_point_std(values: Any, *, order: int = 1, center: Any = None, min_count: int = 1) -> float:
    """White-noise scatter per point from differences of consecutive values.

    The robust scatter (:func:`robust_std`) of the ``order``-th differences of the
    finite values, divided by √C(2·order, order) — √2 for first differences, √6 for
    second — the factor by which differencing white noise of scatter σ widens it.
    Trends slower than a few cadences cancel in the differences, so this measures the
    white noise under variability; it is blind to noise correlated over longer times.

    Parameters
    ----------
    values : array_like, 1-D
        The series in time order. NaN and ±inf values are dropped before differencing
        (a gap joins its neighbours).
    order : int
        1 (default) or 2: first or second differences.
    center : float, optional
        Level the differences are measured from; default their median, ``0.0`` to
        measure |Δx| itself.
    min_count : int
        Fewest differences for a result; NaN below.

    Returns
    -------
    float
        σ per point, same unit as ``values``; NaN for too short a series.

    Raises
    ------
    ParameterError
        ``values`` not one-dimensional, or ``order`` not 1 or 2.
    """
    x = np.asarray(values, dtype=np.float64)
    if x.ndim != 1:
        raise ParameterError(f"point_to_point_std needs a 1-D series; got an array of shape {x.shape}")
    if order not in (1, 2):
        raise ParameterError(f"order must be 1 (first differences) or 2 (second differences); got {order!r}")
    d = np.diff(x[np.isfinite(x)], order)
    return robust_std(d, center=center, min_count=min_count) / math.sqrt(math.comb(2 * order, order))


def binned_std(time: np.ndarray, values: np.ndarray, width: float, cadence: float) -> float:
    """Robust scatter of ``values`` averaged in consecutive time bins of ``width``.

    Bins start at the first time stamp; only bins holding at least half the cadences
    a full bin would (``0.5 · width / cadence``, and at least one) count. For white
    noise the result is σ/√(points per bin); correlated noise on the bin's time scale
    makes it larger (the "σ_T" of the transit search and vetting).

    Parameters
    ----------
    time : ndarray
        Increasing times, days (finite).
    values : ndarray
        The series (finite), same length.
    width : float
        Bin width, days (> 0).
    cadence : float
        Typical spacing of the time stamps, days; ≤ 0 or NaN counts every non-empty bin.

    Returns
    -------
    float
        NaN with fewer than 3 points, a non-positive width, or fewer than 10 well-filled bins.
    """
    t = np.asarray(time, dtype=np.float64)
    y = np.asarray(values, dtype=np.float64)
    if t.size < 3 or not width > 0:
        return float("nan")
    key = np.floor((t - t[0]) / width).astype(np.int64)
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    counts = np.diff(np.concatenate([starts, [t.size]]))
    means = np.add.reduceat(y, starts) / counts
    full = counts >= max(0.5 * width / cadence, 1.0) if cadence > 0 else counts >= 1
    if full.sum() < 10:
        return float("nan")
    return robust_std(means[full])


def red_noise_beta(time: np.ndarray, values: np.ndarray, sigma: float, width: float, cadence: float) -> float:
    """How much more the series scatters averaged over ``width`` than white noise of
    per-point ``sigma`` would (σ/√(width / cadence)): β ≥ 1, the factor by which
    correlated noise at that time scale inflates an error (Pont, Zucker & Queloz 2006).
    1 when it cannot be measured (``width`` not above ``cadence``, too few bins)."""
    if not (cadence > 0 and width > cadence and sigma > 0):
        return 1.0
    binned = binned_std(time, values, width, cadence)
    white = sigma / np.sqrt(width / cadence)
    return max(1.0, float(binned / white)) if np.isfinite(binned) else 1.0
