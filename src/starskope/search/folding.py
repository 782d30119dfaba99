"""Folding and phase binning on plain arrays (the operations the search is built on).

The one place starskope folds a light curve: the search, vetting, the views and the
report's plots all call these.

* :func:`phase_fold` — orbital phase in cycles, 0 at mid-transit, in [−0.5, 0.5) (or
  any other one-cycle range).
* :func:`time_from_transit` — the same fold in days: signed time from the nearest
  predicted mid-transit.
* :func:`transit_number` — which transit (0 at the epoch) each time is nearest to.
* :func:`bin_phase` — weighted means in equal phase bins.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError

__all__ = ["bin_phase", "phase_fold", "time_from_transit", "transit_number"]


def _check_period(period: float) -> None:
    if not (np.isfinite(period) and period > 0):
        raise ParameterError(f"period must be finite and positive; got {period}")


def phase_fold(time: np.ndarray, period: float, epoch: float, *, start: float = -0.5) -> np.ndarray:
    """Orbital phase of each time, 0 at mid-transit, in [``start``, ``start`` + 1) (numeric core).

    Parameters
    ----------
    time : ndarray
        Times, days.
    period : float
        Period, days (> 0).
    epoch : float
        A mid-transit time, days, same system as ``time``.
    start : float
        Lowest phase of the range, cycles. −0.5 (default) puts the transit in the
        middle, −0.25 shows the primary and a secondary at 0.5 side by side, 0 gives
        the fraction of the cycle since the epoch.

    Returns
    -------
    ndarray
        Phase in cycles, ``start`` ≤ phase < ``start`` + 1. Periodic: times a whole
        number of periods apart have the same phase (up to the rounding of the times).

    Raises
    ------
    ParameterError
        A period that is not finite and positive.

    Examples
    --------
    >>> phase_fold(np.array([10.0, 10.5, 11.0, 12.75]), 2.0, 10.0)
    array([ 0.   ,  0.25 , -0.5  ,  0.375])
    """
    _check_period(period)
    x = (np.asarray(time, dtype=np.float64) - epoch) / period - start
    frac = x - np.floor(x)  # the same bits as x % 1.0, which the search's kernels use
    phase = frac + start
    # Away from the default range, a value a hair below a whole cycle can round up to
    # the top of the range; it belongs at its bottom.
    top = phase >= start + 1.0
    if top.any():
        phase[top] = start
    return phase


def time_from_transit(time: np.ndarray, period: float, epoch: float) -> np.ndarray:
    """Signed time from the nearest predicted mid-transit, days, in [−P/2, P/2).

    The fold of :func:`phase_fold` in days: it equals ``phase_fold(time, period,
    epoch) * period`` to rounding (~1e-16 P; a time half a period from two transits, to
    the last bit, may fall at either end of the range in the two). It is computed in days, as
    (t − T0 + P/2) mod P − P/2, because vetting's fits (and the numbers they are
    tested and calibrated against) are built on exactly these values.

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
        Days; negative before the nearest mid-transit, positive after.

    Examples
    --------
    >>> time_from_transit(np.array([10.0, 10.5, 11.9]), 2.0, 10.0)
    array([ 0. ,  0.5, -0.1])
    """
    _check_period(period)
    t = np.asarray(time, dtype=np.float64)
    return (t - epoch + 0.5 * period) % period - 0.5 * period


def transit_number(time: np.ndarray, period: float, epoch: float) -> np.ndarray:
    """Number of the predicted transit nearest each time (0 at ``epoch``, negative before).

    Transit n covers phases [−0.5, 0.5) around ``epoch + n · period``: ``time`` =
    ``epoch + n · period + time_from_transit(time, period, epoch)`` to rounding.

    Parameters
    ----------
    time : ndarray
        Times, days.
    period, epoch : float
        Period (days, > 0) and a mid-transit time (days).

    Returns
    -------
    ndarray of int64

    Examples
    --------
    >>> transit_number(np.array([9.2, 10.9, 11.1, 14.0]), 2.0, 10.0)
    array([0, 0, 1, 2])
    """
    _check_period(period)
    t = np.asarray(time, dtype=np.float64)
    # taken from the fold in days, so that a time half a period from two transits (to the
    # last bit) goes with the one :func:`time_from_transit` measures it from
    return np.rint((t - epoch - time_from_transit(t, period, epoch)) / period).astype(np.int64)


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
