"""Numeric core of the vetting diagnostics: plain float64 arrays, times in days.

Every function here works on arrays already cut to finite values: ``t`` (BJD_TDB days),
``f`` (flux normalised to ~1), a per-point scatter ``sigma`` (float), and an ephemeris
``period``, ``epoch`` (BJD_TDB days) and total duration ``duration`` (days). Nothing
here knows about units, light-curve objects or catalogues; :mod:`starskope.vetting.vet`
wraps it.
"""

from __future__ import annotations

import contextlib
import functools
import math
import os
import sys
from dataclasses import dataclass
from math import pi
from typing import Any

import numpy as np
from scipy import optimize, special

from ..scatter import red_noise_beta, robust_std
from ..search.folding import bin_phase, phase_fold, time_from_transit, transit_number

__all__: list[str] = []


def sigma_to_probability(sig: float) -> float:
    """Two-sided Gaussian tail probability of a ``sig``-σ deviation."""
    return float(special.erfc(sig / np.sqrt(2.0)))


def chi2_to_sigma(chi2: float, dof: int) -> float:
    """Gaussian-equivalent significance (σ) of a χ² with ``dof`` degrees of freedom."""
    if not np.isfinite(chi2) or dof < 1:
        return float("nan")
    # scipy.stats.chi2.logsf and norm.isf, called through their special functions
    # (the same numbers without the distribution machinery's overhead)
    with np.errstate(divide="ignore"):
        logp = float(np.log(special.chdtrc(dof, chi2)))
    if not np.isfinite(logp):
        return float(np.sqrt(chi2))
    if logp < -700:
        # beyond double precision: asymptotic inversion of the Gaussian tail
        return float(np.sqrt(-2.0 * logp))
    return float(-special.ndtri(np.exp(logp) / 2.0))


# --------------------------------------------------------------------------- trapezoid


def trapezoid_shape(dt: np.ndarray, duration: np.ndarray | float, ingress: np.ndarray | float) -> np.ndarray:
    """Fraction of the full depth blocked at time ``dt`` from mid-transit (0…1).

    A trapezoid of total duration T and ingress τ: flat bottom for |dt| ≤ T/2 − τ, linear
    ramps of length τ, zero outside |dt| ≥ T/2. τ → 0 is a box, τ = T/2 a V.
    Broadcasts over ``duration`` and ``ingress``.
    """
    half = 0.5 * np.asarray(duration)
    tau = np.maximum(np.asarray(ingress), 1e-9)
    return np.clip((half - np.abs(dt)) / tau, 0.0, 1.0)


def _supersample_offsets(cadence: float, width: float) -> np.ndarray:
    """Sub-exposure offsets (days) that integrate a model over one exposure.

    ``width`` is the shortest model feature; the exposure is split so that each
    sub-exposure is well under it.
    """
    if not np.isfinite(cadence) or cadence <= 0:
        return np.zeros(1)
    n = int(np.clip(np.ceil(3.0 * cadence / max(width, 1e-6)), 1, 15))
    if n == 1:
        return np.zeros(1)
    return cadence * ((np.arange(n) + 0.5) / n - 0.5)


@dataclass
class TrapezoidFit:
    """Least-squares trapezoid fit to the folded transit (depth and baseline linear).

    ``shift`` moves the mid-transit time (days); ``ingress_ratio`` = τ/T ∈ [0, 0.5];
    ``chi2_u`` / ``chi2_v``: best χ² with a flat-bottomed (τ/T ≤ 0.25) and a V-shaped
    (τ/T ≥ 0.4) trapezoid; ``n_bins``: folded bins fitted.
    """

    depth: float
    depth_err: float
    duration: float
    ingress_ratio: float
    shift: float
    baseline: float
    chi2: float
    chi2_null: float
    chi2_u: float
    chi2_v: float
    n_bins: int

    @property
    def ingress(self) -> float:
        return self.ingress_ratio * self.duration


def _fold_bins(dt: np.ndarray, f: np.ndarray, half_window: float, width: float):
    """Mean flux and counts in bins of ``width`` days over |dt| < ``half_window``."""
    nb = max(int(np.ceil(2 * half_window / width)), 8)
    edges = np.linspace(-half_window, half_window, nb + 1)
    sel = np.abs(dt) < half_window
    idx = np.clip(np.searchsorted(edges, dt[sel], side="right") - 1, 0, nb - 1)
    n = np.bincount(idx, minlength=nb).astype(np.float64)
    s = np.bincount(idx, weights=f[sel], minlength=nb)
    keep = n > 0
    x = 0.5 * (edges[:-1] + edges[1:])
    return x[keep], s[keep] / n[keep], n[keep]


def _profile_chi2(y: np.ndarray, w: np.ndarray, m: np.ndarray):
    """Weighted LSQ of y = c − δ·m over the last axis of ``m``; returns δ, σ_δ, c, χ².

    ``w`` are inverse variances. Fits with δ ≤ 0 get χ² of the constant model.
    """
    sw = w.sum()
    ybar = (w * y).sum() / sw
    mbar = (m * w).sum(-1) / sw
    mc = m - mbar[..., None]
    yc = y - ybar
    smm = (w * mc * mc).sum(-1)
    sym = (w * yc * mc).sum(-1)
    syy = float((w * yc * yc).sum())
    with np.errstate(invalid="ignore", divide="ignore"):
        depth = np.where(smm > 0, -sym / smm, 0.0)
        chi2 = np.where((smm > 0) & (depth > 0), syy - sym * sym / np.where(smm > 0, smm, 1.0), syy)
        err = np.where(smm > 0, 1.0 / np.sqrt(np.where(smm > 0, smm, 1.0)), np.inf)
    base = ybar + depth * mbar
    return depth, err, base, chi2, syy


def fit_trapezoid(
    dt: np.ndarray,
    f: np.ndarray,
    sigma: float,
    duration: float,
    period: float,
    cadence: float,
    *,
    max_shift: float | None = None,
) -> TrapezoidFit:
    """Fit a trapezoid to a transit folded on a fixed period.

    Parameters
    ----------
    dt : ndarray
        Time from predicted mid-transit (days), e.g. :func:`~starskope.search.folding.time_from_transit`.
    f : ndarray
        Normalised flux.
    sigma : float
        Per-point scatter.
    duration : float
        Starting total duration T14 (days).
    period, cadence : float
        Period and exposure time (days); the model is integrated over the exposure.
    max_shift : float, optional
        Largest mid-transit shift allowed (days), default a quarter of the duration.

    Returns
    -------
    TrapezoidFit
    """
    duration = float(duration)
    cad = float(cadence) if np.isfinite(cadence) and cadence > 0 else 0.0
    max_shift = 0.25 * duration if max_shift is None else float(max_shift)
    half_window = min(max(1.6 * duration, duration + 3 * cad) + max_shift, 0.5 * period)
    t_max = max(min(2.0 * duration, 1.7 * (half_window - max_shift)), 1.5 * cad, duration)
    t_min = min(max(0.5 * duration, 1.5 * cad), duration)
    width = max(min(duration / 40.0, half_window / 60.0), 1e-4)
    x, y, n = _fold_bins(dt, f, half_window, width)
    w = n / sigma**2
    offsets = _supersample_offsets(cad, max(duration / 8.0, width))
    # compiled kernels (numba): the same model and profile least squares as
    # trapezoid_shape + _profile_chi2, one loop over the bins a trial transit touches
    from . import _kernels

    sw = float(w.sum())
    ybar = float((w * y).sum() / sw)
    yc = y - ybar
    syy = float((w * yc * yc).sum())
    shifts = np.linspace(-max_shift, max_shift, 9) if max_shift > 0 else np.zeros(1)
    durs = np.geomspace(t_min, t_max, 17)
    ratios = np.linspace(0.0, 0.5, 11)
    chi2 = _kernels.grid_chi2(x, yc, w, sw, syy, offsets, shifts, durs, ratios)
    S, D, R = np.meshgrid(shifts, durs, ratios, indexing="ij")
    best = np.unravel_index(int(np.argmin(chi2)), chi2.shape)
    d_lo, d_hi = t_min * 0.9, t_max * 1.1

    def refine(p0, r_lo, r_hi, maxiter):
        """Nelder–Mead (scipy's rules: xatol 1e-4, fatol 1e-3) within r_lo ≤ τ/T ≤ r_hi."""
        xbest, fbest, _nfev = _kernels.nelder_mead(np.array(p0, dtype=np.float64), x, yc, w, sw, syy, offsets,
                                                   max_shift, d_lo, d_hi, r_lo, r_hi, 1e-4, 1e-3, maxiter)
        return xbest, float(fbest)

    def best_in(mask):
        c = np.where(mask, chi2, np.inf)
        i = np.unravel_index(int(np.argmin(c)), c.shape)
        return float(c[i]), (float(S[i]), float(np.log(D[i])), float(R[i]))

    start = (float(S[best]), float(np.log(D[best])), float(R[best]))
    res_x, res_fun = refine(start, 0.0, 0.5, 400)
    s, logd, r = (res_x if res_fun <= chi2[best] else start)
    s, logd, r = float(s), float(logd), float(r)
    dur = float(np.exp(logd))
    dep, err, mbar, c2 = _kernels.profile_fit(x, yc, w, sw, syy, offsets, s, dur, r)
    dep, err = (dep, err) if err < np.inf else (0.0, np.inf)
    base = ybar + dep * mbar
    # refine the U/V comparison too (each within its own family)
    c_u, p_u = best_in(R <= 0.25 + 1e-9)
    c_v, p_v = best_in(R >= 0.4 - 1e-9)
    c_u = min(c_u, refine(p_u, 0.0, 0.25, 200)[1])
    c_v = min(c_v, refine(p_v, 0.4, 0.5, 200)[1])
    return TrapezoidFit(
        depth=float(dep), depth_err=float(err), duration=dur, ingress_ratio=float(r),
        shift=float(s), baseline=float(base), chi2=float(c2), chi2_null=float(syy),
        chi2_u=float(c_u), chi2_v=float(c_v), n_bins=int(x.size),
    )


# --------------------------------------------------------------------------- per-event depths


@dataclass
class EventDepths:
    """Box depth of each event (transit or phase-shifted window), local baseline.

    Arrays over events with data: ``number`` (event index), ``depth``, ``err``,
    ``n_in`` (in-box points), ``n_out`` (baseline points), ``coverage`` (n_in over the
    number of cadences a full box holds).
    """

    number: np.ndarray
    depth: np.ndarray
    err: np.ndarray
    n_in: np.ndarray
    n_out: np.ndarray
    coverage: np.ndarray

    def __len__(self) -> int:
        return int(self.number.size)

    def subset(self, keep: np.ndarray) -> EventDepths:
        return EventDepths(self.number[keep], self.depth[keep], self.err[keep], self.n_in[keep],
                           self.n_out[keep], self.coverage[keep])

    def mean(self, *, empirical: bool = True) -> tuple[float, float]:
        """Weighted mean depth and its error.

        With ``empirical`` and ≥ 4 events, the error is at least the scatter of the
        per-event depths over √N (it absorbs red noise and depth changes).
        """
        if len(self) == 0:
            return float("nan"), float("nan")
        w = 1.0 / self.err**2
        mean = float((w * self.depth).sum() / w.sum())
        err = float(1.0 / np.sqrt(w.sum()))
        if empirical and len(self) >= 4:
            scatter = float(np.sqrt(np.sum(w * (self.depth - mean) ** 2) / w.sum() * len(self) / (len(self) - 1)))
            err = max(err, scatter / np.sqrt(len(self)))
        return mean, err


def event_depths(
    t: np.ndarray,
    f: np.ndarray,
    sigma: float,
    period: float,
    epoch: float,
    half_in: float,
    gap: float,
    half_out: float,
    cadence: float,
    *,
    min_coverage: float = 0.5,
    values: np.ndarray | None = None,
    baseline: float | None = None,
) -> EventDepths:
    """Depth of every event: baseline mean (gap < |dt| − half_in < half_out) minus in-box mean.

    ``values`` replaces ``f`` (e.g. a centroid column: then "depth" is baseline − in-box
    of that column). With ``baseline`` given, that constant replaces the local baseline
    (for dips too wide to leave flanks inside the period). Events with less than
    ``min_coverage`` of a full box of cadences, or fewer than 3 baseline points, are
    dropped.
    """
    y = f if values is None else values
    dt = time_from_transit(t, period, epoch)
    num = transit_number(t, period, epoch)
    a = np.abs(dt)
    inside = a < half_in
    outside = (a > half_in + gap) & (a < half_in + gap + half_out)
    if num.size == 0:
        empty = np.zeros(0)
        return EventDepths(empty.astype(np.int64), empty, empty, empty, empty, empty)
    lo = int(num.min())
    k = num - lo
    nk = int(k.max()) + 1
    n_in = np.bincount(k[inside], minlength=nk).astype(np.float64)
    s_in = np.bincount(k[inside], weights=y[inside], minlength=nk)
    n_out = np.bincount(k[outside], minlength=nk).astype(np.float64)
    s_out = np.bincount(k[outside], weights=y[outside], minlength=nk)
    full = max(2.0 * half_in / cadence, 1.0) if cadence > 0 else 1.0
    coverage = n_in / full
    if baseline is not None:
        n_out = np.full(nk, np.inf)
        s_out = np.full(nk, np.inf)
    ok = (coverage >= min_coverage) & (n_in >= 1) & (n_out >= 3)
    idx = np.flatnonzero(ok)
    with np.errstate(invalid="ignore", divide="ignore"):
        base = np.full(idx.size, float(baseline)) if baseline is not None else s_out[idx] / n_out[idx]
        depth = base - s_in[idx] / n_in[idx]
        err = sigma * np.sqrt(1.0 / n_in[idx] + 1.0 / n_out[idx])
    return EventDepths(idx + lo, depth, err, n_in[idx], n_out[idx], coverage[idx])


# --------------------------------------------------------------------------- phase scan


@dataclass
class PhaseScan:
    """Box depth and significance at every phase of the folded light curve.

    ``phase`` are box centres (0…1, primary at 0); ``depth`` = baseline − in-box mean;
    ``err`` its white-noise error; ``red_factor`` the ratio of the scatter of the depths
    away from the primary and secondary to their median white error (≥ 1).
    """

    phase: np.ndarray
    depth: np.ndarray
    err: np.ndarray
    red_factor: float
    box_phase: float

    @property
    def significance(self) -> np.ndarray:
        return self.depth / (self.err * self.red_factor)


def phase_scan(t: np.ndarray, f: np.ndarray, sigma: float, period: float, epoch: float,
               duration: float, baseline: float, *, robust: bool = False) -> PhaseScan:
    """Slide a box of ``duration`` around the folded light curve in quarter-duration steps.

    With ``robust`` each quarter-duration bin contributes its median instead of its mean
    (short spikes such as flares then barely move a box); errors grow by √(π/2).
    """
    q = duration / 4.0
    nbins = max(int(np.round(period / q)), 8)
    # cycles since the epoch, shifted half a bin so that bin 0 is centred on the transit
    ph = phase_fold(t, period, epoch, start=-0.5 / nbins) + 0.5 / nbins
    idx = np.minimum((ph * nbins).astype(np.int64), nbins - 1)
    n = np.bincount(idx, minlength=nbins).astype(np.float64)
    if robust:
        # median of each bin: sort by bin, then by flux, and take the middle element(s)
        # (np.median's own answer, without a call per bin)
        fs = f[np.lexsort((f, idx))]
        counts = n.astype(np.int64)
        start = np.concatenate([[0], np.cumsum(counts)[:-1]])
        filled = counts > 0
        lo = np.where(filled, start + (counts - 1) // 2, 0)
        hi = np.where(filled, start + counts // 2, 0)
        med = np.where(filled, (fs[lo] + fs[hi]) / 2.0, 0.0) if fs.size else np.zeros(nbins)
        s = med * n
        sigma = sigma * np.sqrt(np.pi / 2.0)
    else:
        s = np.bincount(idx, weights=f, minlength=nbins)
    k = max(int(np.round(duration / (period / nbins))), 1)
    # box starting at bin i covers bins i..i+k-1 (circular); centre at (i + (k-1)/2)/nbins
    n2 = np.concatenate([n, n[: k - 1]])
    s2 = np.concatenate([s, s[: k - 1]])
    cn = np.concatenate([[0.0], np.cumsum(n2)])
    cs = np.concatenate([[0.0], np.cumsum(s2)])
    nin = cn[k:k + nbins] - cn[:nbins]
    sin = cs[k:k + nbins] - cs[:nbins]
    centre = ((np.arange(nbins) + (k - 1) / 2.0) / nbins) % 1.0
    with np.errstate(invalid="ignore", divide="ignore"):
        depth = baseline - sin / nin
        err = sigma / np.sqrt(nin)
    good = nin > 0
    order = np.argsort(centre[good])
    return PhaseScan(centre[good][order], depth[good][order], err[good][order], 1.0, k / nbins)


def periodic_snr(t: np.ndarray, f: np.ndarray, period: float, epoch: float, duration: float,
                 cadence: float) -> float:
    """SNR of the whole folded light curve's variation at ``period``: the fold in bins of a
    quarter of ``duration`` (8–100 bins), each bin's mean against the overall mean, with
    the noise of the residuals about the binned curve (robust per-point scatter, scaled
    up by their red-noise factor at the bin's length); √(χ² − (bins − 1)), the matched
    SNR of the folded signal.

    The box SNR of a transit measures its depth against flanks of flat baseline; a dip
    as wide as a contact binary's has none (the orbit is all eclipse and ellipsoidal
    light), and the scatter of its "baseline" is the binary's own light. This SNR asks
    instead whether the fold varies at all beyond its noise. NaN with fewer than 8
    non-empty bins.
    """
    if not (period > 0 and duration > 0):
        return float("nan")
    n_bins = int(np.clip(np.round(4.0 * period / duration), 8, 100))
    phase = phase_fold(t, period, epoch)
    _, means, n = bin_phase(phase, f, n_bins)
    ok = n > 0
    if ok.sum() < 8:
        return float("nan")
    idx = np.minimum(((phase + 0.5) * n_bins).astype(np.int64), n_bins - 1)  # bin_phase's bins
    resid = f - means[idx]
    sigma = robust_std(resid, min_count=3)
    if not (np.isfinite(sigma) and sigma > 0):
        return float("nan")
    beta = red_noise_beta(t, resid, sigma, period / n_bins, cadence)
    w = n[ok] / (sigma * beta) ** 2
    m = means[ok]
    mean = float(np.sum(w * m) / np.sum(w))
    chi2 = float(np.sum(w * (m - mean) ** 2))
    return float(np.sqrt(max(chi2 - (ok.sum() - 1), 0.0)))


def phase_distance(phase: np.ndarray, centre: float) -> np.ndarray:
    """Circular distance between phases (0…0.5)."""
    return np.abs(phase_fold(phase, 1.0, centre))


def red_noise_factor(scan: PhaseScan, exclude: list[tuple[float, float]]) -> float:
    """Scatter of box depths away from the excluded phases over their white error (≥ 1).

    ``exclude`` lists (centre, half-width) phase windows. Needs at least 6 independent
    boxes, else 1.
    """
    keep = np.ones(scan.phase.size, bool)
    for c, hw in exclude:
        keep &= phase_distance(scan.phase, c) > hw
    n_indep = keep.sum() * (scan.phase[1] - scan.phase[0] if scan.phase.size > 1 else 1.0) / max(scan.box_phase, 1e-9)
    if keep.sum() < 8 or n_indep < 6:
        return 1.0
    z = scan.depth[keep] / scan.err[keep]
    return float(max(1.0, robust_std(z, min_count=3)))


def sine_versus_transit(t: np.ndarray, f: np.ndarray, sigma: float, period: float, epoch: float,
                        duration: float, ingress_ratio: float) -> tuple[float, float]:
    """χ² of the folded light curve under a transit and under a two-harmonic sine wave.

    The transit is the fitted trapezoid (depth and baseline free); the sine is
    c + Σ_{k=1,2} a_k cos 2πkφ + b_k sin 2πkφ. Both are fitted to the whole folded,
    binned light curve. A star whose variability mimics the dip fits the sine as well
    as the transit. Returns (χ²_transit, χ²_sine).
    """
    nb = int(np.clip(np.round(4 * period / duration), 40, 2000))
    centers, means, n = bin_phase(phase_fold(t, period, epoch), f, nb)
    keep = n > 0
    x = centers[keep]
    y = means[keep]
    w = n[keep] / sigma**2
    shape = trapezoid_shape(x * period, duration, ingress_ratio * duration)
    cols_t = np.column_stack([np.ones_like(x), shape])
    k = 2 * np.pi * x
    cols_s = np.column_stack([np.ones_like(x), np.cos(k), np.sin(k), np.cos(2 * k), np.sin(2 * k)])
    sw = np.sqrt(w)

    def chi2(a: np.ndarray) -> float:
        coef, *_ = np.linalg.lstsq(a * sw[:, None], y * sw, rcond=None)
        r = y - a @ coef
        return float((w * r * r).sum())

    return chi2(cols_t), chi2(cols_s)


# --------------------------------------------------------------------------- limb-darkened transit


@dataclass
class LimbDarkenedFit:
    """Least-squares fit of a quadratic limb-darkened transit (batman) at a fixed period.

    ``depth`` is the model's largest flux decrement — at mid-transit, before any
    exposure smoothing — as a fraction of the baseline, and ``depth_err`` its 1σ
    white-noise error (propagated through the fit covariance). ``rp_rs`` = R_p/R★,
    ``impact`` = b, ``a_rs`` = a/R★, ``duration`` = T14 (days), ``shift`` moves the
    mid-transit time (days), ``baseline`` is the out-of-transit level. ``chi2`` and
    ``chi2_trapezoid`` are the χ² of this model and of the given trapezoid on the same
    ``n_points`` in-window cadences. ``converged`` says whether the fit is usable
    (optimizer success, finite positive depth and error, no parameter other than the
    impact parameter pinned at a bound, and the trapezoid not better by more than
    ``max_dchi2``); ``message`` says why not.
    """

    depth: float
    depth_err: float
    rp_rs: float
    rp_rs_err: float
    impact: float
    a_rs: float
    duration: float
    shift: float
    baseline: float
    chi2: float
    chi2_trapezoid: float
    n_points: int
    u1: float
    u2: float
    converged: bool
    message: str
    nfev: int = 0


def _ld_failure(message: str, u1: float, u2: float, n: int = 0) -> LimbDarkenedFit:
    nan = float("nan")
    return LimbDarkenedFit(nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, nan, n, u1, u2, False, message)


class QuadraticTransit:
    """Quadratic limb-darkened transit of a circular orbit, integrated over the exposure.

    The light curve of ``batman.TransitModel(params, t, supersample_factor=ss,
    exp_time=exposure).light_curve(params)`` with ``ecc = 0``, ``w = 90°`` and
    ``limb_dark = "quadratic"``, made fast for fitting: batman's occulted flux is
    computed once per R_p/R★ on a table of 3 × 128 centre separations (uniform in
    the square root of the distance to each contact point, where the flux is smooth)
    and interpolated with cubics (compiled, :func:`_kernels.transit_flux`); only the
    sub-exposures inside the transit are evaluated. It agrees with batman to ≲ 2e-8
    in relative flux (5e-8 for R_p/R★ ≈ 0.002, where batman's own values scatter by
    that much) — far below any photometric noise. :meth:`flux_gradient` also gives
    the derivatives a least-squares fit needs, analytic in the orbit geometry.

    Parameters
    ----------
    t : ndarray
        Times (days) relative to any reference; mid-transit ``t0`` is on the same axis.
    period : float
        Orbital period (days).
    exposure : float
        Exposure time (days); 0 with ``supersample`` 1 for instantaneous values.
    supersample : int
        Sub-exposures per cadence, spread as batman does (``linspace(−exp/2, exp/2, n)``).
    u1, u2 : float
        Quadratic limb-darkening coefficients.
    """

    def __init__(self, t: np.ndarray, period: float, exposure: float, supersample: int, u1: float, u2: float):
        from batman import _quadratic_ld

        from . import _kernels

        self._kernels, self._quadratic = _kernels, _quadratic_ld._quadratic_ld
        self._t = np.ascontiguousarray(t, dtype=np.float64)
        n = int(supersample)
        self._offsets = np.linspace(-exposure / 2.0, exposure / 2.0, n) if n > 1 else np.zeros(1)
        phase = 2.0 * np.pi * self._offsets / period
        self._sin, self._cos = np.sin(phase), np.cos(phase)
        self.period, self.u1, self.u2 = float(period), float(u1), float(u2)
        self._tables: dict[float, np.ndarray] = {}

    def table(self, rp: float) -> np.ndarray:
        """batman's occulted flux at :func:`_kernels.ld_table_separations` for R_p/R★ ``rp``."""
        tab = self._tables.get(rp)
        if tab is None:
            z = self._kernels.ld_table_separations(rp)
            with _c_stdout_silenced():  # batman printf()s "Convergence failure" for k ≲ 1e-4 and k ≈ 1
                tab = self._quadratic(z, rp, self.u1, self.u2, 1).reshape(3, -1)
            tab[2, 0] = 1.0  # last contact
            if len(self._tables) >= 8:  # a fit needs the last few (iterate and its steps)
                self._tables.pop(next(iter(self._tables)))
            self._tables[rp] = tab
        return tab

    def _geometry(self, k: float, beta: float, logt: float) -> tuple[float, float, float, float]:
        """(half duration, sin(πT14/P), b, (a/R★)² − b²) for R_p/R★, b/(1 + R_p/R★), log T14."""
        t14 = math.exp(logt)
        sin_t = math.sin(math.pi * t14 / self.period)
        return 0.5 * t14, sin_t, beta * (1.0 + k), (1.0 + k) ** 2 * (1.0 - beta * beta) / (sin_t * sin_t)

    def flux(self, t0: float, k: float, beta: float, logt: float) -> np.ndarray:
        """Relative flux per time stamp (a fresh array) for mid-transit ``t0`` (days),
        R_p/R★ ``k``, ``beta`` = b / (1 + k) and the log of the total duration (days)."""
        k = abs(float(k))
        half, _sin_t, b, c = self._geometry(k, float(beta), float(logt))
        out = np.empty(self._t.size)
        self._kernels.transit_flux(self._t, self._offsets, self._sin, self._cos, float(t0), self.period, half,
                                   b, c, k, self.table(k), out)
        return out

    def flux_gradient(self, t0: float, k: float, beta: float, logt: float) -> tuple[np.ndarray, np.ndarray]:
        """:meth:`flux` and its derivatives (4 × n) with respect to k, beta, log T14 and t0."""
        k, beta, logt = abs(float(k)), float(beta), float(logt)
        half, sin_t, _b, _c = self._geometry(k, beta, logt)
        phase = math.pi * 2.0 * half / self.period
        dsin = math.cos(phase) * phase
        # the table's derivative in R_p/R★ node by node (the nodes move with it, the
        # flux at a node is smooth in it): a central difference
        dk = 1e-3 * k
        k_up, k_down = min(k + dk, 1.0), k - dk
        dtab = (self.table(k_up) - self.table(k_down)) / (k_up - k_down)
        flux, grad = np.empty(self._t.size), np.empty((4, self._t.size))
        self._kernels.transit_flux_gradient(self._t, self._offsets, self._sin, self._cos, float(t0), self.period,
                                            half, k, beta, sin_t, dsin, self.table(k), dtab, flux, grad)
        return flux, grad


@functools.cache
def _libc() -> Any:
    import ctypes

    return ctypes.CDLL(None)


@contextlib.contextmanager
def _c_stdout_silenced() -> Any:
    """Send what C code printf()s to stdout to /dev/null (file descriptor 1, flushed)."""
    try:
        libc = _libc()
        sys.stdout.flush()
        saved = os.dup(1)
    except (OSError, AttributeError, ValueError):  # no libc or no fd 1: leave output alone
        yield
        return
    devnull = os.open(os.devnull, os.O_WRONLY)
    try:
        os.dup2(devnull, 1)
        yield
    finally:
        libc.fflush(None)
        os.dup2(saved, 1)
        os.close(saved)
        os.close(devnull)


def _centre_flux(rp: float, a: float, inc: float, u1: float, u2: float) -> float:
    """batman's flux at mid-transit for R_p/R★ ``rp``, a/R★ ``a`` and inclination ``inc``
    (degrees): the value of ``TransitModel(params, [t0]).light_curve(params)``, whose
    centre separation at t0 (circular orbit, ω = 90°) is a·√(1 − sin²i)."""
    from batman import _quadratic_ld

    s = math.sin(inc * pi / 180.0)
    d = np.array([a * math.sqrt(1.0 - s * s)])
    with _c_stdout_silenced():
        return float(_quadratic_ld._quadratic_ld(d, abs(rp), u1, u2, 1)[0])


def _ld_errors(res: Any, max_depth: Any, lo: np.ndarray, hi: np.ndarray) -> tuple[float, float]:
    """1σ errors of the limb-darkened fit's depth and R_p/R★ from the fit covariance.

    Parameters pinned at a bound are held fixed; the depth's gradient in (R_p/R★, b, log T14)
    is a central difference of ``max_depth`` (clipped to the bounds ``lo``, ``hi``).
    """
    p = res.x
    free = res.active_mask == 0
    jac = res.jac[:, free]
    try:
        cov = np.linalg.pinv(jac.T @ jac)
    except np.linalg.LinAlgError:  # pragma: no cover - pinv converges for finite input
        cov = np.full((int(free.sum()),) * 2, np.nan)
    grad = np.zeros(5)
    for i in range(3):
        h = 1e-6 * max(abs(p[i]), 1e-3)
        q1, q2 = p.copy(), p.copy()
        q1[i] = min(p[i] + h, hi[i])
        q2[i] = max(p[i] - h, lo[i])
        grad[i] = (max_depth(q1) - max_depth(q2)) / (q1[i] - q2[i])
    g = grad[free]
    depth_err = float(np.sqrt(max(g @ cov @ g, 0.0))) if np.all(np.isfinite(cov)) else float("nan")
    k_err = float(np.sqrt(cov[0, 0])) if free[0] and np.isfinite(cov[0, 0]) else float("nan")
    return depth_err, k_err


def _ld_message(res: Any, depth: float, depth_err: float, chi2: float, chi2_trap: float, max_dchi2: float) -> str:
    """"converged", or why the limb-darkened fit is not usable."""
    pinned = [name for name, m in zip(("R_p/R★", "b", "T14", "mid-transit shift", "baseline"),
                                      res.active_mask, strict=True) if m != 0 and name != "b"]
    if res.status <= 0:
        return f"least_squares did not converge: {res.message}"
    if not (np.isfinite(depth) and depth > 0 and np.isfinite(depth_err) and depth_err > 0):
        return "no positive depth with a finite error"
    if pinned:
        return f"{', '.join(pinned)} at the edge of the allowed range"
    if chi2 > chi2_trap + max_dchi2:
        return f"a trapezoid fits better by Δχ² = {chi2 - chi2_trap:.1f}: the dip is not shaped like a transit"
    return "converged"


def ld_supersample(cadence: float) -> int:
    """Sub-exposures per cadence for the batman model: 1 up to 4-minute exposures, then
    one per ~4 minutes (3 to 9)."""
    minutes = cadence * 1440.0 if np.isfinite(cadence) and cadence > 0 else 0.0
    if minutes <= 4.0:
        return 1
    return int(np.clip(np.ceil(minutes / 4.0), 3, 9))


def fit_limb_darkened(
    dt: np.ndarray,
    f: np.ndarray,
    sigma: float,
    period: float,
    cadence: float,
    trapezoid: TrapezoidFit,
    *,
    u1: float = 0.40,
    u2: float = 0.26,
    max_dchi2: float = 25.0,
    beta_max: float = 0.99,
) -> LimbDarkenedFit:
    """Fit a quadratic limb-darkened transit to the cadences around the transit.

    The period is fixed; free are R_p/R★, the impact parameter (as b / (1 + R_p/R★),
    0…0.99, so that grazing transits are allowed), the duration T14 (0.5–1.8× the
    trapezoid's, below 0.45 P), a mid-transit shift of at most a quarter of T14 from
    the trapezoid's, and the baseline. a/R★ and the inclination follow from T14, b and
    R_p/R★ for a circular orbit. The model (``batman``'s quadratic law, tabulated per
    R_p/R★ and interpolated: :class:`QuadraticTransit`) is integrated over the exposure
    (:func:`ld_supersample` sub-exposures). Only cadences within 1.4 T14 + 2 cadences
    of the trapezoid's mid-transit are used, unbinned, with
    :func:`scipy.optimize.least_squares` (trust-region reflective; analytic Jacobian of
    the geometry, the flux's derivatives from the table). The reported depth is
    batman's own mid-transit value for the fitted parameters.

    Parameters
    ----------
    dt : ndarray
        Time from the predicted mid-transit (days), as :func:`~starskope.search.folding.time_from_transit`.
    f : ndarray
        Normalised flux.
    sigma : float
        Per-point white scatter.
    period, cadence : float
        Orbital period and exposure time (days).
    trapezoid : TrapezoidFit
        The trapezoid fit of the same data; starting point, window and comparison.
    u1, u2 : float
        Quadratic limb-darkening coefficients, held fixed.
    max_dchi2 : float
        The fit is not converged if the trapezoid's χ² is lower than this fit's by
        more than this (the dip is not shaped like a limb-darkened transit).
    beta_max : float
        Largest b / (1 + R_p/R★) allowed (0.99: grazing transits included).

    Returns
    -------
    LimbDarkenedFit
        With ``converged`` False and NaN values when the fit cannot be made.
    """
    tr = trapezoid
    if not (np.isfinite(tr.depth) and tr.depth > 0 and np.isfinite(tr.duration) and tr.duration > 0
            and np.isfinite(sigma) and sigma > 0):
        return _ld_failure("no positive trapezoid depth to start from", u1, u2)
    cad = float(cadence) if np.isfinite(cadence) and cadence > 0 else 0.0
    t14 = float(min(tr.duration, 0.4 * period))
    t_lo, t_hi = 0.5 * t14, min(1.8 * t14, 0.45 * period)
    max_shift = 0.25 * t14
    s_lo, s_hi = tr.shift - max_shift, tr.shift + max_shift
    half_window = min(0.5 * t_hi + max_shift + 0.5 * t14 + 2 * cad, 0.5 * period)
    sel = np.abs(dt - tr.shift) < half_window
    x, y = dt[sel], f[sel]
    n = int(x.size)
    inside = np.abs(x - tr.shift) < 0.5 * t14
    if n < 12 or inside.sum() < 4 or (~inside).sum() < 4:
        return _ld_failure(f"too few cadences around the transit ({int(inside.sum())} in, {n} in the window)", u1, u2, n)

    ss = ld_supersample(cad)
    model = QuadraticTransit(x, float(period), cad if ss > 1 else 0.0, ss, u1, u2)

    def geometry(k: float, beta: float, logt: float) -> tuple[float, float, float]:
        b = beta * (1.0 + k)
        s = np.sin(np.pi * np.exp(logt) / period)
        a = float(np.sqrt(((1.0 + k) ** 2 - b * b) / (s * s) + b * b))
        return b, a, float(np.degrees(np.arccos(min(b / a, 1.0))))

    def residuals(p) -> np.ndarray:
        return (y - p[4] * model.flux(p[3], p[0], p[1], p[2])) / sigma

    def jacobian(p) -> np.ndarray:
        flux, grad = model.flux_gradient(p[3], p[0], p[1], p[2])
        jac = np.empty((n, 5))
        jac[:, :4] = grad.T * (-p[4] / sigma)
        jac[:, 4] = -flux / sigma
        return jac

    def max_depth(p) -> float:
        k, beta, logt = p[:3]
        _b, a, inc = geometry(k, beta, logt)
        return 1.0 - _centre_flux(float(k), a, inc, u1, u2)

    # start: R_p/R★ from the trapezoid depth (limb darkening deepens the centre by
    # ~1/(1 − u1/3 − u2/6)); b from the ingress share, τ/T14 ≈ k / (1 − b²)
    ld_gain = 1.0 / (1.0 - u1 / 3.0 - u2 / 6.0)
    k0 = float(np.clip(np.sqrt(tr.depth / ld_gain), 2e-3, 0.9))
    ratio = max(tr.ingress_ratio, 1e-3)
    b0 = float(np.sqrt(np.clip(1.0 - k0 / ratio, 0.0, 0.81)))
    lo = np.array([1e-4, 0.0, np.log(t_lo), s_lo, 0.5])
    hi = np.array([1.0, beta_max, np.log(t_hi), s_hi, 1.5])
    starts = [b0] if b0 > 0.3 else [b0, 0.6]
    best = None
    for bs in starts:
        p0 = np.array([k0, bs / (1.0 + k0), np.log(np.clip(t14, t_lo, t_hi)), tr.shift, tr.baseline])
        p0 = np.clip(p0, lo + 1e-9 * (hi - lo), hi - 1e-9 * (hi - lo))
        try:
            res = optimize.least_squares(residuals, p0, jac=jacobian, bounds=(lo, hi), x_scale="jac",
                                         method="trf", xtol=1e-6, ftol=1e-6, max_nfev=100)
        except (ValueError, FloatingPointError) as exc:  # pragma: no cover - defensive
            return _ld_failure(f"least_squares failed: {exc}", u1, u2, n)
        if best is None or res.cost < best.cost:
            best = res
    res = best
    p = res.x
    chi2 = float(2.0 * res.cost)
    # χ² of the trapezoid on the same cadences (depth and baseline as fitted on the bins)
    offs = _supersample_offsets(cad, max(tr.duration / 8.0, 1e-4))
    shape = trapezoid_shape(x[:, None] - tr.shift + offs[None, :], tr.duration, tr.ingress).mean(-1)
    chi2_trap = float((((y - (tr.baseline - tr.depth * shape)) / sigma) ** 2).sum())

    depth = max_depth(p)
    depth_err, k_err = _ld_errors(res, max_depth, lo, hi)
    b, a, _inc = geometry(*p[:3])
    message = _ld_message(res, depth, depth_err, chi2, chi2_trap, max_dchi2)
    return LimbDarkenedFit(
        depth=depth, depth_err=depth_err, rp_rs=float(p[0]), rp_rs_err=k_err, impact=float(b), a_rs=float(a),
        duration=float(np.exp(p[2])), shift=float(p[3]), baseline=float(p[4]), chi2=chi2,
        chi2_trapezoid=chi2_trap, n_points=n, u1=float(u1), u2=float(u2), converged=message == "converged",
        message=message, nfev=int(res.nfev),
    )
