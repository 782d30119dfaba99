"""Outlier removal that clips flares and cosmic rays but never eats a transit.

A transit is a run of *low* points, so the clipping is asymmetric:

* every point more than ``sigma_upper`` robust σ **above** its neighbours is removed
  (cosmic rays, flares, momentum-dump spikes);
* a point **below** it is removed only when ``sigma_lower`` is given, the point is
  isolated (neither neighbour is low too), and its QUALITY flags mark it as a cosmic
  ray or impulsive outlier. Two or more consecutive low points are never touched.

"Above" means above the median of the neighbouring cadences (the point itself left
out); σ is the robust scatter of those residuals (the median absolute deviation scaled
to a standard deviation, :func:`starskope.scatter.robust_std`).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ParameterError
from ..lightcurve import arrays
from ..scatter import robust_std
from ._util import mission_name, subset
from .quality import cosmic_ray_bits

__all__ = ["outlier_mask", "remove_outliers"]


def _neighbour_residual(flux: np.ndarray, k: int) -> np.ndarray:
    """flux − median of the k cadences either side (the point itself left out)."""
    n = flux.size
    padded = np.concatenate([np.full(k, np.nan), flux, np.full(k, np.nan)])
    shifts = [padded[k + d : k + d + n] for d in range(-k, k + 1) if d != 0]
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            ref = np.nanmedian(np.vstack(shifts), axis=0)
    return flux - ref


def outlier_mask(
    flux: np.ndarray,
    quality: np.ndarray | None = None,
    *,
    sigma_upper: float = 4.0,
    sigma_lower: float | None = None,
    neighbours: int = 2,
    low_flag_bits: int = 0,
) -> np.ndarray:
    """Boolean array, True for the points to remove (numeric core).

    Each point is compared with the median of its ``neighbours`` cadences on either side
    (itself left out), so slow variability cancels and a single hot pixel or cosmic ray
    stands out; σ is the robust scatter (:func:`starskope.scatter.robust_std`) of those residuals.

    Parameters
    ----------
    flux : ndarray
        Flux in cadence order (NaNs are never flagged).
    quality : ndarray of int, optional
        QUALITY flags, used with ``low_flag_bits``.
    sigma_upper : float
        Upward threshold in robust σ.
    sigma_lower : float, optional
        Downward threshold for isolated, flagged single points; None disables it.
    neighbours : int
        Cadences on each side that define the local level.
    low_flag_bits : int
        QUALITY bits that allow a low point to be removed.
    """
    f = np.asarray(flux, dtype=np.float64)
    out = np.zeros(f.size, dtype=bool)
    finite = np.isfinite(f)
    if finite.sum() < 2 * neighbours + 1:
        return out
    resid = np.full(f.size, np.nan)
    resid[finite] = _neighbour_residual(f[finite], neighbours)
    ok = np.isfinite(resid)
    r = resid[ok]
    sigma = robust_std(r)
    if not sigma > 0:
        return out
    out[ok] = resid[ok] > sigma_upper * sigma
    if sigma_lower is not None and low_flag_bits and quality is not None:
        low = np.zeros(f.size, dtype=bool)
        low[ok] = resid[ok] < -sigma_lower * sigma
        # isolated: both neighbouring cadences sit at the local level (within 3σ of it);
        # at a transit's edge one neighbour is low too, so the edge point stays
        ref = f - resid
        prev_f = np.concatenate([[np.nan], f[:-1]])
        next_f = np.concatenate([f[1:], [np.nan]])
        with np.errstate(invalid="ignore"):
            isolated = (np.abs(prev_f - ref) < 3 * sigma) & (np.abs(next_f - ref) < 3 * sigma)
        flagged = (np.asarray(quality, dtype=np.int64) & int(low_flag_bits)) != 0
        out |= low & isolated & flagged
    return out


def remove_outliers(
    lc: Any,
    sigma_upper: float = 4.0,
    sigma_lower: float | None = None,
    *,
    neighbours: int = 2,
    low_flag_bits: int | None = None,
) -> Any:
    """Remove upward outliers (and flagged isolated low points), never a transit.

    Parameters
    ----------
    lc : lightkurve.LightCurve
        A starskope light curve.
    sigma_upper : float
        Points this many robust σ above the local level are removed (default 4).
    sigma_lower : float, optional
        If given, isolated single points this many σ below are removed when their
        QUALITY flags mark a cosmic ray or impulsive outlier (runs of low points never).
    neighbours : int
        Cadences on each side that define the local level (default 2).
    low_flag_bits : int, optional
        QUALITY bits that allow a low point to go; default the telescope's cosmic-ray
        and impulsive-outlier bits.

    Returns
    -------
    lightkurve.LightCurve
        The kept cadences; recorded in ``meta['PROVENANCE']``.

    Raises
    ------
    ParameterError
        A non-positive ``sigma_upper`` or ``sigma_lower``, or ``neighbours`` < 1.
    """
    if not sigma_upper > 0:
        raise ParameterError(f"sigma_upper must be positive; got {sigma_upper}")
    if sigma_lower is not None and not sigma_lower > 0:
        raise ParameterError(f"sigma_lower must be positive or None; got {sigma_lower}")
    if int(neighbours) < 1:
        raise ParameterError(f"neighbours must be >= 1; got {neighbours}")
    bits = cosmic_ray_bits(mission_name(lc, None)) if low_flag_bits is None else int(low_flag_bits)
    a = arrays(lc)
    drop = outlier_mask(a.flux, a.quality, sigma_upper=sigma_upper, sigma_lower=sigma_lower,
                        neighbours=int(neighbours), low_flag_bits=bits)
    lower = "off" if sigma_lower is None else f"{sigma_lower}σ for isolated points flagged {bits}"
    return subset(
        lc, ~drop,
        f"remove_outliers: removed {int(drop.sum())} of {len(drop)} cadences (upper {sigma_upper}σ "
        f"above the median of {neighbours} neighbours each side, lower {lower})",
    )
