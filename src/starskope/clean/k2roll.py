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
"""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np

from ..errors import ParameterError
from ..lightcurve import add_provenance, arrays
from ..quantities import require_positive
from ._util import column_values, mission_name, with_flux
from .detrend import detrend_arrays

__all__ = ["CENTROID_COLUMNS", "correct_k2_roll", "sff_correction"]

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
    keep = fit.copy()
    model = np.ones_like(flux_n)
    box = np.ones(5)
    for _ in range(5):
        model = np.polyval(np.polyfit(sn[keep], flux_n[keep], degree), sn)
        r = flux_n - model
        sig = 1.4826 * np.median(np.abs(r[keep]))
        # a transit is a run of low points: also clip where the 5-cadence mean is low
        rs = np.convolve(np.where(keep, r, 0.0), box, "same") / np.maximum(
            np.convolve(keep.astype(float), box, "same"), 1.0
        )
        sig_s = 1.4826 * np.median(np.abs(rs[keep]))
        new_keep = fit & (np.abs(r) < 3 * sig) & (rs > -2.5 * sig_s)
        if new_keep.sum() == keep.sum() or new_keep.sum() < 3 * (degree + 1):
            break
        keep = new_keep
    return model / np.median(model[fit])


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
    t = np.asarray(time, float)
    f = np.asarray(flux, float)
    ok = np.isfinite(f) & np.isfinite(col) & np.isfinite(row) & np.isfinite(t)
    corr = np.ones(f.size)
    if ok.sum() < 10 * (degree + 1):
        return corr
    trend = np.full(f.size, np.nan)
    trend[ok] = detrend_arrays(t[ok], f[ok], "biweight", trend_window_days)
    flux_n = f / trend
    ok &= np.isfinite(flux_n)
    fit_ok = ok.copy() if exclude is None else ok & ~np.asarray(exclude, bool)
    t0, t1 = float(np.min(t[ok])), float(np.max(t[ok]))
    n_seg = max(round((t1 - t0) / segment_days), 1)
    bounds = np.linspace(t0, t1, n_seg + 1)
    seg = np.clip(np.searchsorted(bounds, t, side="right") - 1, 0, n_seg - 1)
    for k in range(n_seg):
        in_seg = ok & (seg == k)
        fit = fit_ok & in_seg
        if fit.sum() < 10 * (degree + 1):
            continue
        idx = np.flatnonzero(in_seg)
        corr[idx] = _segment_correction(flux_n[idx], col[idx], row[idx], fit[idx], degree)
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
