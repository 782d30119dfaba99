"""Outlier removal that clips flares, cosmic rays and pointing jitter but never eats a transit.

A transit is a run of *low* points, so the clipping is asymmetric:

* every point more than ``sigma_upper`` robust σ **above** its neighbours is removed
  (cosmic rays, flares, momentum-dump spikes);
* a point **below** it is removed only when ``sigma_lower`` is given, the point is
  isolated (neither neighbour is low too), and its QUALITY flags mark it as a cosmic
  ray or impulsive outlier. Two or more consecutive low points are never touched.

"Above" means above the median of the cadences before it and above the median of those
after it (the point itself left out; see :func:`_neighbour_residual`); σ is the robust
scatter of those residuals (the median absolute deviation scaled
to a standard deviation, :func:`starskope.scatter.robust_std`).

**Jitter** (:func:`jitter_mask`, :func:`remove_jitter`): stretches where the flux zigzags
from cadence to cadence far more than anywhere else in the light curve — the spacecraft's
pointing wandering, as in TESS Sector 1 before its momentum dumps, in cadences a
pipeline did not flag — are removed, before the upward clipping: that clipping keeps only
a jittery stretch's low points, which then stack into a deep, short "single transit" (a
1 % dip in pi Men's TASOC light curve, where the 6.27-d planet is found once the
jittery cadences are gone). The measure is the zigzag: at each cadence where the flux
turns (the differences before and after it have opposite signs), the size of the turn
|f[i-1] − 2 f[i] + f[i+1]|, and 0 where it does not turn; a stretch goes when the median
of that over 13 cadences is :data:`JITTER_FACTOR` times the light curve's typical turn,
and with it the cadences within :data:`JITTER_MARGIN_DAYS` (jitter fades rather than stops).
An eclipse or a transit falls and rises monotonically, however deep (it turns once, at
its bottom, and at its contacts), a flare or a cosmic ray is one or two points, and a
pulsating star turns steadily everywhere, which sets the light curve's own level. On
../shared/data's labelled files a plain second-difference measure cut the eclipses of 6
Kepler and 5 TESS binaries; this one cuts no eclipse (one Kepler binary, KIC 10991989, is
found at 3× its 0.97-d period once the jittery first half-day of its first quarter goes).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ParameterError
from ..lightcurve import arrays
from ..scatter import robust_std
from ._util import mission_name, subset
from .quality import cosmic_ray_bits

__all__ = ["JITTER_FACTOR", "JITTER_MARGIN_DAYS", "jitter_mask", "outlier_mask", "remove_jitter", "remove_outliers"]

#: A stretch goes when its local median zigzag is this many times the light curve's
#: typical turn (see the module docstring).
JITTER_FACTOR = 5.0
#: Cadences this close to a jittery stretch go with it (days): in pi Men's TASOC light curve
#: the last jittery cadences, 0.3 d after the stretch the median finds, dip by 1 %.
JITTER_MARGIN_DAYS = 0.5
#: Cadences on either side of a point in the running median of the zigzag.
_JITTER_HALF_WINDOW = 6


def _neighbour_residual(flux: np.ndarray, k: int) -> np.ndarray:
    """flux − the higher of the medians of the k cadences before and the k after it.

    A point stands out only when it is above *both* sides: the last cadence before a
    deep, sharp transit or eclipse sits at the level of the cadences before it, but above
    the median of all its neighbours taken together (half of them are in the dip), and a
    one-reference test clipped those shoulders of every deep eclipse (KIC 10991989: 1,222
    of 18,009 Kepler cadences, the eclipse's edges). A cosmic ray or a flare's peak is
    above both sides.
    """
    n = flux.size
    padded = np.concatenate([np.full(k, np.nan), flux, np.full(k, np.nan)])
    with np.errstate(all="ignore"):
        import warnings

        with warnings.catch_warnings():
            warnings.simplefilter("ignore", RuntimeWarning)
            before = np.nanmedian(np.vstack([padded[k + d : k + d + n] for d in range(-k, 0)]), axis=0)
            after = np.nanmedian(np.vstack([padded[k + d : k + d + n] for d in range(1, k + 1)]), axis=0)
    return flux - np.fmax(before, after)


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

    Each point is compared with the median of its ``neighbours`` cadences before it and
    with that of the ``neighbours`` after it, and counts as high only above both (itself
    left out; :func:`_neighbour_residual`), so slow variability and a transit's edges
    cancel and a single hot pixel or cosmic ray stands out; σ is the robust scatter (:func:`starskope.scatter.robust_std`) of those residuals.

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
        f"above the medians of the {neighbours} cadences before and after, lower {lower})",
    )


def jitter_mask(flux: np.ndarray, time: np.ndarray | None = None, *, factor: float = JITTER_FACTOR) -> np.ndarray:
    """Boolean array, True for the cadences in a jittery stretch and within
    :data:`JITTER_MARGIN_DAYS` of it (numeric core; see the module docstring; without
    ``time``, within half the 13-cadence window). NaNs are never flagged; the finite
    cadences are taken in order."""
    from scipy.ndimage import median_filter

    f = np.asarray(flux, dtype=np.float64)
    out = np.zeros(f.size, dtype=bool)
    idx = np.flatnonzero(np.isfinite(f))
    if idx.size < 2 * _JITTER_HALF_WINDOW + 3:
        return out
    d = np.diff(f[idx])
    turns = np.sign(d[:-1]) != np.sign(d[1:])
    if not turns.any():
        return out
    size = np.abs(d[1:] - d[:-1])
    level = float(np.median(size[turns]))
    if not level > 0:
        return out
    zigzag = np.where(turns, size, 0.0)
    local = median_filter(np.concatenate([zigzag[:1], zigzag, zigzag[-1:]]), size=2 * _JITTER_HALF_WINDOW + 1,
                          mode="nearest")
    core = local > factor * level
    if core.any():
        # the window's median cannot see a stretch's last half-window, and jitter fades
        # rather than stops: its edges go too
        t = idx.astype(float) if time is None else np.asarray(time, dtype=np.float64)[idx]
        edges = t[core]
        pos = np.searchsorted(edges, t)
        before = np.abs(t - edges[np.clip(pos - 1, 0, edges.size - 1)])
        after = np.abs(edges[np.clip(pos, 0, edges.size - 1)] - t)
        reach = JITTER_MARGIN_DAYS if time is not None else float(_JITTER_HALF_WINDOW)
        core |= np.minimum(before, after) <= reach
    out[idx] = core
    return out


def remove_jitter(lc: Any, factor: float = JITTER_FACTOR) -> Any:
    """Remove the stretches of pointing jitter (:func:`jitter_mask`).

    Parameters
    ----------
    lc : lightkurve.LightCurve
        A starskope light curve.
    factor : float
        How many times the light curve's typical turn a stretch's median zigzag must be.

    Returns
    -------
    lightkurve.LightCurve
        The kept cadences; recorded in ``meta['PROVENANCE']``.

    Raises
    ------
    ParameterError
        ``factor`` is not above 1.
    """
    if not factor > 1:
        raise ParameterError(f"factor must be above 1; got {factor}")
    a = arrays(lc)
    drop = jitter_mask(a.flux, a.time, factor=factor)
    step = f"remove_jitter: removed {int(drop.sum())} of {len(drop)} cadences"
    if drop.any():
        t = a.time[drop]
        runs = int(np.sum(np.diff(np.flatnonzero(drop)) > 1)) + 1
        step += (f" in {runs} stretch(es) ({t.min():.3f}–{t.max():.3f} BJD_TDB) whose cadence-to-cadence "
                 f"zigzag is over {factor:g}× the light curve's (pointing jitter)")
    else:
        step += f" (no stretch zigzags over {factor:g}× the light curve's cadence-to-cadence level)"
    return subset(lc, ~drop, step)
