"""Folding and phase binning on plain arrays (the operations the search is built on)."""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError

__all__ = ["bin_phase", "phase_fold"]


def phase_fold(time: np.ndarray, period: float, epoch: float) -> np.ndarray:
    """Orbital phase of each time in [-0.5, 0.5), 0 at mid-transit (numeric core).

    Parameters
    ----------
    time : ndarray
        Times, days.
    period : float
        Period, days (> 0).
    epoch : float
        A mid-transit time, days, same system as ``time``.

    Returns
    -------
    ndarray
        Phase in cycles, −0.5 ≤ phase < 0.5.
    """
    if not (np.isfinite(period) and period > 0):
        raise ParameterError(f"period must be finite and positive; got {period}")
    x = (np.asarray(time, dtype=np.float64) - epoch) / period + 0.5
    return x - np.floor(x) - 0.5


def bin_phase(phase: np.ndarray, values: np.ndarray, n_bins: int,
              weights: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Weighted mean of ``values`` in ``n_bins`` equal phase bins over [-0.5, 0.5).

    Parameters
    ----------
    phase : ndarray
        Phases in [-0.5, 0.5) (e.g. from :func:`phase_fold`).
    values : ndarray
        Values to average (NaNs are ignored).
    n_bins : int
        Number of bins (≥ 1).
    weights : ndarray, optional
        Weights (default 1).

    Returns
    -------
    centers, means, weight_sums : ndarray
        Bin centres (cycles), weighted means (NaN for empty bins) and summed weights.
    """
    if int(n_bins) < 1:
        raise ParameterError(f"n_bins must be >= 1; got {n_bins}")
    p = np.asarray(phase, dtype=np.float64)
    v = np.asarray(values, dtype=np.float64)
    w = np.ones_like(v) if weights is None else np.asarray(weights, dtype=np.float64)
    if not (p.shape == v.shape == w.shape):
        raise ParameterError(
            f"phase, values and weights must have one shape; got {p.shape}, {v.shape}, {w.shape}"
        )
    ok = np.isfinite(p) & np.isfinite(v) & np.isfinite(w)
    if np.any((p[ok] < -0.5) | (p[ok] >= 0.5)):
        raise ParameterError("phase must lie in [-0.5, 0.5); fold with phase_fold first")
    idx = np.minimum(((p[ok] + 0.5) * n_bins).astype(np.int64), n_bins - 1)
    sw = np.bincount(idx, weights=w[ok], minlength=n_bins)
    swv = np.bincount(idx, weights=w[ok] * v[ok], minlength=n_bins)
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(sw > 0, swv / sw, np.nan)
    centers = (np.arange(n_bins) + 0.5) / n_bins - 0.5
    return centers, means, sw
