"""K2 roll correction by self-flat-fielding (Vanderburg & Johnson 2014).

With two reaction wheels K2 rolls slowly about its boresight and a thruster firing
every ~6 h pulls it back, so a star drifts along a short arc on the detector and its
flux follows a sawtooth set by where on the arc it sits (intra-pixel and aperture
losses). Self-flat-fielding measures that flux-versus-position relation from the light
curve itself:

1. divide out slow stellar variability (a biweight filter, ``trend_window`` ≈ 1.5 d,
   much longer than the 6-h roll);
2. split the campaign into segments (``segment_length``, default 4 d: the arc drifts
   over a campaign, V&J §3);
3. in each segment rotate the centroids onto their principal axis, fit the arc as a
   cubic ``v(u)``, and compute the arclength ``s`` of every cadence along it (V&J §3.2);
4. fit the normalised flux as a smooth function of ``s`` (a degree-4 polynomial, with
   iterative 3σ clipping of single points and 2.5σ clipping of 5-cadence runs so that
   transits stay out of the fit; V&J §3.3 use binned medians, which absorbed 10–30 %
   of an injected transit's depth in our tests against 4 % for this fit), leaving out
   thruster-firing cadences;
5. divide the flux by that relation.

Centroids come from ``centroid_col``/``centroid_row`` (lightkurve's names for
MOM_CENTR1/2), else ``mom_centr1``/``mom_centr2``, else ``pos_corr1``/``pos_corr2``.
A file without any (a K2SFF or EVEREST product, whose flux is already corrected) is
returned unchanged, and the provenance says so.

**Tables without centroids** (the Kaggle K2 layout keeps only flux): the roll is
spacecraft-wide, so every star of a table fires its thrusters on the same cadences, and
between firings the drift along the arc is close to linear in time.
:func:`table_firings` finds the firing cadences as the cadences where many stars at once
show a one-cadence outlier, :func:`roll_phase` turns them into each cadence's place in
its roll cycle (0 just after a firing, 1 just before the next), and
:func:`roll_phase_correction` fits each star's flux against that phase in the same
clipped, segment-by-segment way as against arclength.
"""

from __future__ import annotations

import itertools
from typing import Any

import astropy.units as u
import numpy as np

from ..errors import ParameterError
from ..lightcurve import add_provenance, arrays
from ..quantities import require_positive
from ..scatter import robust_std
from ._util import column_values, mission_name, with_flux
from .detrend import detrend_arrays

__all__ = ["CENTROID_COLUMNS", "correct_k2_roll", "roll_phase", "roll_phase_correction", "sff_correction",
           "table_firings"]

#: Column pairs searched, in order, for the star's position on the detector.
CENTROID_COLUMNS: tuple[tuple[str, str], ...] = (
    ("centroid_col", "centroid_row"),
    ("mom_centr1", "mom_centr2"),
    ("pos_corr1", "pos_corr2"),
)

#: QUALITY bits of thruster firings (definite and possible) in Kepler/K2 files.
_THRUSTER_BITS = 1048576 | 524288


def _arclength(u_: np.ndarray, coeffs: np.ndarray) -> np.ndarray:
    """Arclength along v = poly(u) from min(u), evaluated at each u (trapezoid on a fine grid)."""
    lo, hi = float(np.min(u_)), float(np.max(u_))
    if hi <= lo:
        return np.zeros_like(u_)
    grid = np.linspace(lo, hi, 512)
    slope = np.polyval(np.polyder(coeffs), grid)
    ds = np.sqrt(1.0 + slope**2)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (ds[1:] + ds[:-1]) * np.diff(grid))])
    return np.interp(u_, grid, cum)


def _fit_along(sn: np.ndarray, flux_n: np.ndarray, fit: np.ndarray, degree: int) -> np.ndarray:
    """Flux as a clipped polynomial of the coordinate ``sn`` (arclength or roll phase),
    normalised to a median of 1 over the fitted cadences: transits (runs of low points)
    and single outliers are clipped out of the fit."""
    keep = fit.copy()
    model = np.ones_like(flux_n)
    box = np.ones(5)
    for _ in range(5):
        model = np.polyval(np.polyfit(sn[keep], flux_n[keep], degree), sn)
        r = flux_n - model
        sig = robust_std(r[keep], center=0.0)
        # a transit is a run of low points: also clip where the 5-cadence mean is low
        rs = np.convolve(np.where(keep, r, 0.0), box, "same") / np.maximum(
            np.convolve(keep.astype(float), box, "same"), 1.0
        )
        sig_s = robust_std(rs[keep], center=0.0)
        new_keep = fit & (np.abs(r) < 3 * sig) & (rs > -2.5 * sig_s)
        if new_keep.sum() == keep.sum() or new_keep.sum() < 3 * (degree + 1):
            break
        keep = new_keep
    return model / np.median(model[fit])


def _segment_correction(flux_n: np.ndarray, col: np.ndarray, row: np.ndarray, fit: np.ndarray,
                        degree: int) -> np.ndarray:
    """Flux-versus-arclength relation of one segment, evaluated at every cadence."""
    x = col - np.mean(col[fit])
    y = row - np.mean(row[fit])
    evals, evecs = np.linalg.eigh(np.cov(np.vstack([x[fit], y[fit]])))
    major = evecs[:, int(np.argmax(evals))]
    minor = evecs[:, int(np.argmin(evals))]
    uu = x * major[0] + y * major[1]
    vv = x * minor[0] + y * minor[1]
    s = _arclength(uu, np.polyfit(uu[fit], vv[fit], 3))
    sn = (s - s[fit].mean()) / (s[fit].std() + 1e-12)
    return _fit_along(sn, flux_n, fit, degree)


def _segments(t: np.ndarray, ok: np.ndarray, segment_days: float) -> tuple[np.ndarray, int]:
    """Segment number of every cadence (pieces of about ``segment_days`` over the span)."""
    t0, t1 = float(np.min(t[ok])), float(np.max(t[ok]))
    n_seg = max(round((t1 - t0) / segment_days), 1)
    bounds = np.linspace(t0, t1, n_seg + 1)
    return np.clip(np.searchsorted(bounds, t, side="right") - 1, 0, n_seg - 1), n_seg


def sff_correction(
    time: np.ndarray,
    flux: np.ndarray,
    col: np.ndarray,
    row: np.ndarray,
    *,
    exclude: np.ndarray | None = None,
    segment_days: float = 4.0,
    degree: int = 4,
    trend_window_days: float = 1.5,
) -> np.ndarray:
    """Multiplicative roll systematics at every cadence (numeric core; 1 = none).

    Parameters
    ----------
    time : ndarray
        Times, days, increasing.
    flux : ndarray
        Flux (NaN allowed: correction 1 there).
    col, row : ndarray
        Centroid (or pointing) coordinates, pixels.
    exclude : ndarray of bool, optional
        Cadences left out of the fit (thruster firings).
    segment_days : float
        Length of the segments fitted separately, days.
    degree : int
        Degree of the polynomial in arclength fitted to each segment.
    trend_window_days : float
        Biweight window removing stellar variability before the fit, days.
    """
    col, row = np.asarray(col, float), np.asarray(row, float)
    return _segmentwise(time, flux, np.isfinite(col) & np.isfinite(row), exclude, segment_days, degree,
                        trend_window_days, None,
                        lambda idx, fn, fit: _segment_correction(fn, col[idx], row[idx], fit, degree))


def _segmentwise(time: np.ndarray, flux: np.ndarray, usable: np.ndarray, exclude: np.ndarray | None,
                 segment_days: float, degree: int, trend_window_days: float, trend: np.ndarray | None,
                 fit_segment: Any) -> np.ndarray:
    """The shared frame of the roll corrections: divide out the stellar trend (a biweight
    filter, or ``trend``), then ``fit_segment(indices, normalised flux, fit mask)`` on each
    segment with enough cadences; 1 elsewhere."""
    t = np.asarray(time, float)
    f = np.asarray(flux, float)
    ok = np.isfinite(f) & np.isfinite(t) & usable
    corr = np.ones(f.size)
    if ok.sum() < 10 * (degree + 1):
        return corr
    if trend is None:
        trend = np.full(f.size, np.nan)
        trend[ok] = detrend_arrays(t[ok], f[ok], "biweight", trend_window_days)
    with np.errstate(invalid="ignore", divide="ignore"):
        flux_n = f / np.asarray(trend, float)
    ok &= np.isfinite(flux_n)
    fit_ok = ok.copy() if exclude is None else ok & ~np.asarray(exclude, bool)
    seg, n_seg = _segments(t, ok, segment_days)
    for k in range(n_seg):
        in_seg = ok & (seg == k)
        fit = fit_ok & in_seg
        if fit.sum() < 10 * (degree + 1):
            continue
        idx = np.flatnonzero(in_seg)
        corr[idx] = fit_segment(idx, flux_n[idx], fit[idx])
    return corr


def correct_k2_roll(
    lc: Any,
    *,
    segment_length: u.Quantity = 4.0 * u.day,
    degree: int = 4,
    trend_window: u.Quantity = 1.5 * u.day,
) -> Any:
    """Remove K2's roll sawtooth by self-flat-fielding against the centroid arc.

    Parameters
    ----------
    lc : lightkurve.LightCurve
        A K2 light curve (SAP or PDCSAP flux) with centroid or POS_CORR columns.
    segment_length : Quantity [time]
        Length of the pieces fitted separately (default 4 d).
    degree : int
        Degree of the flux-versus-arclength polynomial (default 4).
    trend_window : Quantity [time]
        Window of the biweight filter that removes stellar variability first (1.5 d).

    Returns
    -------
    lightkurve.LightCurve
        Flux and flux_err divided by the roll systematics (same unit), the
        correction as a ``roll_correction`` column. Unchanged, with a provenance note,
        when the light curve has no centroid columns (e.g. K2SFF's FCOR, already
        corrected).

    Raises
    ------
    ParameterError
        A light curve from another telescope, or ``degree`` outside 1–9.
    UnitsError
        ``segment_length`` or ``trend_window`` without time units.
    """
    name = mission_name(lc, None)
    if name is not None and name.upper() != "K2":
        raise ParameterError(f"correct_k2_roll applies to K2 light curves; this one is from {name}")
    if not 1 <= int(degree) <= 9:
        raise ParameterError(f"degree must be between 1 and 9; got {degree}")
    seg = float(require_positive(segment_length, u.day, "segment_length").to_value(u.day))
    win = float(require_positive(trend_window, u.day, "trend_window").to_value(u.day))
    pair = next((p for p in CENTROID_COLUMNS if p[0] in lc.colnames and p[1] in lc.colnames), None)
    if pair is not None:
        col, row = column_values(lc, pair[0]), column_values(lc, pair[1])
        if not (np.isfinite(col) & np.isfinite(row)).any():
            pair = None
    if pair is None:
        out = lc.copy()
        return add_provenance(
            out,
            "correct_k2_roll: skipped, no centroid or POS_CORR columns "
            "(e.g. K2SFF/EVEREST flux, already roll-corrected)",
        )
    a = arrays(lc)
    exclude = (a.quality & _THRUSTER_BITS) != 0
    corr = sff_correction(a.time, a.flux, col, row, exclude=exclude, segment_days=seg,
                          degree=int(degree), trend_window_days=win)
    unit = lc.flux.unit if isinstance(lc.flux, u.Quantity) else u.dimensionless_unscaled
    return with_flux(
        lc, a.flux / corr, a.flux_err / corr, unit,
        f"correct_k2_roll: self-flat-fielding against {pair[0]}/{pair[1]} arclength, "
        f"{seg:g}-d segments, degree-{int(degree)} polynomial (Vanderburg & Johnson 2014)",
        extra={"roll_correction": corr},
    )


# --------------------------------------------------------------------------- tables
#: Fewest stars a table needs before its common-mode outliers can name firing cadences.
MIN_TABLE_STARS = 20


def _short_runs(mask: np.ndarray, longest: int) -> np.ndarray:
    """``mask`` with its runs longer than ``longest`` cadences removed."""
    out = mask.copy()
    edges = np.flatnonzero(np.diff(np.concatenate([[0], mask.astype(np.int8), [0]])))
    for a, b in zip(edges[::2], edges[1::2], strict=True):
        if b - a > longest:
            out[a:b] = False
    return out


def table_firings(time: np.ndarray, flux: np.ndarray, *, interval_days: float = 0.245,
                  z: float = 3.0, significance: float = 5.0) -> np.ndarray | None:
    """Thruster-firing cadences of a table of K2 stars sharing their time stamps.

    Two signs, both spacecraft-wide: the archive's PDCSAP flux is NaN on firing cadences
    for every star (a cadence, or two, missing in at least 90 % of the rows; longer
    shared gaps are data gaps, not firings); and where a table keeps those cadences, many
    stars jump at once: each star's flux is compared with its 9-cadence running median,
    and a cadence where the fraction of stars more than ``z`` robust σ off exceeds the
    table's typical fraction by ``significance`` binomial σ is a firing (this needs at
    least :data:`MIN_TABLE_STARS` stars). The detection is accepted only if the firings
    recur about every ``interval_days`` (K2: ~6 h), as the roll makes them.

    Parameters
    ----------
    time : ndarray, shape (n_cadences,)
        Times, days.
    flux : ndarray, shape (n_stars, n_cadences)
        The stars' fluxes (any positive unit; NaN allowed).

    Returns
    -------
    ndarray of bool or None
        Firing cadences; None when neither sign recurs (then no correction should be made).
    """
    from scipy.ndimage import median_filter

    f = np.asarray(flux, float)
    t = np.asarray(time, float)
    if f.ndim != 2 or f.shape[1] != t.size or f.shape[0] < 3:
        return None
    valid = np.isfinite(f)
    firing = _short_runs(valid.mean(axis=0) <= 0.1, 2)
    frac = np.zeros(t.size)
    weak = np.inf  # fraction of jumping stars that marks a firing the rhythm expects
    if f.shape[0] >= MIN_TABLE_STARS:
        with np.errstate(invalid="ignore", divide="ignore"):
            y = f / np.nanmedian(f, axis=1, keepdims=True)
            r = y - median_filter(np.nan_to_num(y, nan=1.0), size=(1, 9), mode="nearest")
            s = robust_std(r, axis=1, center=0.0, keepdims=True)
            off = np.abs(r / s) > z
        ok = valid & (s > 0)
        n = ok.sum(axis=0)
        frac = np.where(n > 0, (off & ok).sum(axis=0) / np.maximum(n, 1), 0.0)
        p = float(np.median(frac))
        spread = np.sqrt(max(p * (1 - p), 1e-4) / max(float(np.median(n)), 1.0))
        firing |= (frac > p + significance * spread) & (n >= 0.5 * f.shape[0])
        weak = p + 2.0 * spread
    idx = np.flatnonzero(firing)
    span = float(t[-1] - t[0])
    if idx.size < max(0.3 * span / interval_days, 3):
        return None
    gaps = np.diff(t[idx])
    typical = float(np.median(gaps[gaps > 0.5 * interval_days])) if (gaps > 0.5 * interval_days).any() else 0.0
    if not 0.6 * interval_days < typical < 1.6 * interval_days:
        return None
    # a firing too weak to stand out (5σ) still happened: where two found firings are k
    # intervals apart, take for each of the k - 1 missing ones the cadence that jumps
    # most near where the rhythm expects it, if it jumps at 2σ
    for a, b in itertools.pairwise(idx):
        k = round(float(t[b] - t[a]) / typical)
        for j in range(1, k):
            near = np.flatnonzero(np.abs(t - (t[a] + j * (t[b] - t[a]) / k)) < 0.15 * typical)
            if near.size and frac[near].max() > weak:
                firing[near[np.argmax(frac[near])]] = True
    return firing


def roll_phase(time: np.ndarray, firing: np.ndarray) -> np.ndarray:
    """Each cadence's place in its roll cycle: 0 just after a firing, 1 just before the
    next (NaN before the first and after the last firing)."""
    t = np.asarray(time, float)
    ft = t[np.asarray(firing, bool)]
    phase = np.full(t.size, np.nan)
    if ft.size < 2:
        return phase
    k = np.searchsorted(ft, t, side="right")
    inside = (k > 0) & (k < ft.size)
    prev, nxt = ft[np.maximum(k - 1, 0)], ft[np.minimum(k, ft.size - 1)]
    with np.errstate(invalid="ignore", divide="ignore"):
        phase[inside] = (t[inside] - prev[inside]) / (nxt[inside] - prev[inside])
    return phase


def roll_phase_correction(time: np.ndarray, flux: np.ndarray, phase: np.ndarray, *,
                          exclude: np.ndarray | None = None, segment_days: float = 4.0, degree: int = 3,
                          trend_window_days: float = 1.5, trend: np.ndarray | None = None) -> np.ndarray:
    """Multiplicative roll systematics of one star against roll phase (1 = none).

    As :func:`sff_correction`, with the roll phase (:func:`roll_phase`) in place of the
    arclength: stellar variability removed by a biweight filter (or divided by ``trend``
    when the caller has one: a filter much longer than the 6-h roll), then in each
    segment the flux fitted as a clipped polynomial of the phase.
    """
    ph = np.asarray(phase, float)
    return _segmentwise(time, flux, np.isfinite(ph), exclude, segment_days, degree, trend_window_days, trend,
                        lambda idx, fn, fit: _fit_along(2.0 * ph[idx] - 1.0, fn, fit, degree))
