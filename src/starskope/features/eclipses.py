"""Eclipsing-binary tells measured at the candidate's ephemeris, for every star.

Vetting (:mod:`starskope.vetting`) tests a candidate for a secondary eclipse, odd/even
depths and a V shape, but only a candidate above the detection threshold is vetted, and
the tests are pass/fail flags. The classifiers — the planet model and the star-type
model — need the evidence itself, measured the same way for every star with a candidate
(the search's best dip, vetted or not). :func:`eclipse_features` reads it off the cleaned
light curve folded at the candidate's period:

* **secondary eclipse** — the deepest box of the primary's duration at phases 0.15–0.85
  of the detrended flux: its significance, phase and depth relative to the primary. An
  eclipsing binary's companion is eclipsed too; a planet's secondary eclipse is
  ≲ 100 ppm (Kepler's hot Jupiters, Esteves et al. 2013).
* **odd/even depths** — the depth difference of odd- and even-numbered events, in σ and
  relative to the depth: two similar stars eclipsing each other, found at half the
  orbital period, alternate between two depths (Batalha et al. 2010).
* **ellipsoidal variation** — the cos 4πφ term of the flux *before* detrending, folded at
  the period with the eclipses left out: tidally distorted stars brighten twice per orbit,
  with minima at the conjunctions (Morris 1985; Faigler & Mazeh 2011). Its significance,
  and its amplitude relative to the eclipse depth (a hot Jupiter's is ~10⁻³ of its depth,
  a close binary's ~10⁻¹). The reflection/beaming cos 2πφ term comes with it.
* **V shape** — the depth a quarter of a duration from mid-eclipse over the central depth,
  from the local view: a grazing eclipse or a stellar eclipse has no flat bottom.

Depth errors use the white noise of the out-of-eclipse flux inflated by its red noise at
the eclipse's duration (Pont, Zucker & Queloz 2006): the scatter of duration-wide bin
means over what white noise predicts, at least 1.
"""

from __future__ import annotations

import math
from collections.abc import Mapping

import numpy as np

from ..scatter import robust_std
from ..search.folding import phase_fold, transit_number

__all__ = [
    "ECLIPSE_FEATURES", "eclipse_features", "eclipse_features_of", "red_noise_factor", "v_shape",
    "v_shape_of_points",
]

#: Names of the eclipse features, in column order (appended to the scalar features).
ECLIPSE_FEATURES: tuple[str, ...] = (
    "eb_secondary_snr",
    "eb_secondary_phase",
    "eb_secondary_over_depth",
    "eb_odd_even_snr",
    "eb_odd_even_over_depth",
    "eb_ellipsoidal_snr",
    "eb_ellipsoidal_over_depth",
    "eb_reflection_snr",
    "eb_v_shape",
    "single_transit",
)

_NAN = float("nan")
#: Phases searched for a secondary eclipse (cycles from the primary).
SECONDARY_PHASES = (0.15, 0.85)
#: Most trial phases of the secondary scan.
SECONDARY_TRIALS = 200
#: Phase bins of the ellipsoidal fit, and the fewest orbits it needs: with fewer, a
#: star's own variability is not averaged out and poses as a harmonic of the orbit.
ELLIPSOIDAL_BINS = 40
ELLIPSOIDAL_MIN_ORBITS = 3.0


def red_noise_factor(time: np.ndarray, resid: np.ndarray, width: float) -> float:
    """Scatter of means over bins ``width`` days wide, over what white noise predicts
    (≥ 1; 1 when fewer than 4 bins have 3 points or more)."""
    if not width > 0 or resid.size < 10:
        return 1.0
    idx = np.floor((time - time[0]) / width).astype(np.int64)
    counts = np.bincount(idx)
    sums = np.bincount(idx, weights=resid)
    full = counts >= 3
    if full.sum() < 4:
        return 1.0
    means = sums[full] / counts[full]
    sigma = robust_std(resid)
    expected = sigma / np.sqrt(np.mean(counts[full]))
    measured = robust_std(means)
    if not (expected > 0 and np.isfinite(measured)):
        return 1.0
    return float(max(1.0, measured / expected))


def v_shape(local_view: np.ndarray, local_durations: float = 4.0) -> float:
    """1 − (depth a quarter-duration either side of mid-eclipse) / (central depth), from a
    normalised local view (baseline 0, depth −1 at the centre, ``local_durations``
    durations wide): ≈ 0 for a flat-bottomed transit, ≈ ½ for a V.

    NaN when the central depth is not a dip.
    """
    v = np.asarray(local_view, float)
    n = v.size
    if n < 9:
        return _NAN
    x = (np.arange(n) - (n - 1) / 2) / (n - 1) * local_durations  # durations from the centre
    centre = np.abs(x) <= 0.08
    shoulder = (np.abs(x) >= 0.2) & (np.abs(x) <= 0.3)
    d_c = -float(np.mean(v[centre]))
    d_s = -float(np.mean(v[shoulder]))
    if not (np.isfinite(d_c) and d_c > 0 and np.isfinite(d_s)):
        return _NAN
    return float(np.clip(1.0 - d_s / d_c, -1.0, 2.0))


def v_shape_of_points(time: np.ndarray, flux: np.ndarray, period_days: float, epoch_bjd: float,
                      duration_days: float) -> float:
    """:func:`v_shape` measured on the points themselves (detrended flux ≈ 1) folded at an
    ephemeris: 1 − (mean depth 0.2–0.3 durations from mid-eclipse) / (mean depth within
    0.08 durations of it); NaN without points in both."""
    p, d = float(period_days), float(duration_days)
    if not (math.isfinite(p) and p > 0 and math.isfinite(d) and d > 0):
        return _NAN
    t = np.asarray(time, float)
    f = np.asarray(flux, float)
    x = np.abs(phase_fold(t, p, float(epoch_bjd)) * p) / d  # durations from mid-eclipse
    out = x > 1.0
    centre, shoulder = x <= 0.08, (x >= 0.2) & (x <= 0.3)
    if out.sum() < 5 or centre.sum() < 2 or shoulder.sum() < 2:
        return _NAN
    level = float(np.median(f[out]))
    d_c, d_s = level - float(np.mean(f[centre])), level - float(np.mean(f[shoulder]))
    if not d_c > 0:
        return _NAN
    return float(np.clip(1.0 - d_s / d_c, -1.0, 2.0))


def _box_depth(y: np.ndarray, inside: np.ndarray, level: float) -> tuple[float, int]:
    n = int(inside.sum())
    return (level - float(np.mean(y[inside])) if n else _NAN), n


def _harmonic_fit(phase: np.ndarray, y: np.ndarray, bins: int) -> tuple[np.ndarray, np.ndarray] | None:
    """Weighted least squares of phase-binned means on 1, cos 2πφ, sin 2πφ, cos 4πφ,
    sin 4πφ: the coefficients and their errors (from the bins' scatter about the fit)."""
    idx = np.minimum((phase * bins).astype(np.int64), bins - 1)
    counts = np.bincount(idx, minlength=bins).astype(float)
    sums = np.bincount(idx, weights=y, minlength=bins)
    have = counts >= 2
    if have.sum() < 12:
        return None
    centre = (np.arange(bins) + 0.5) / bins
    ph, mean, w = centre[have], sums[have] / counts[have], counts[have]
    a = np.column_stack([np.ones(ph.size), np.cos(2 * np.pi * ph), np.sin(2 * np.pi * ph),
                         np.cos(4 * np.pi * ph), np.sin(4 * np.pi * ph)])
    sw = np.sqrt(w)
    coef, *_ = np.linalg.lstsq(a * sw[:, None], mean * sw, rcond=None)
    resid = mean - a @ coef
    dof = max(ph.size - a.shape[1], 1)
    # the bins' own scatter about the fit sets the error (stellar variability that does
    # not repeat with the orbit averages into it), scaled per point of each bin
    s2 = float(np.sum(w * resid**2) / dof)
    try:
        cov = np.linalg.inv((a * w[:, None]).T @ a) * s2
    except np.linalg.LinAlgError:
        return None
    return coef, np.sqrt(np.clip(np.diag(cov), 0.0, None))


def eclipse_features(time: np.ndarray, flux: np.ndarray, raw_flux: np.ndarray | None, *, period_days: float,
                     epoch_bjd: float, duration_days: float, local_view: np.ndarray | None = None,
                     local_durations: float = 4.0, single: bool = False) -> dict[str, float]:
    """The eclipsing-binary features of one star at its candidate's ephemeris.

    Parameters
    ----------
    time : ndarray
        Times of the cleaned cadences, BJD_TDB days (finite).
    flux : ndarray
        Detrended flux, ≈ 1.
    raw_flux : ndarray or None
        The flux before detrending at the same cadences, ≈ 1 (None: ``flux``, so the
        ellipsoidal terms see only what detrending left).
    period_days, epoch_bjd, duration_days : float
        The candidate's ephemeris (days, BJD_TDB, days).
    local_view : ndarray, optional
        The candidate's normalised local view (:func:`~starskope.features.views.normalize_views`),
        for the V shape.
    local_durations : float
        Width of the local view in durations.
    single : bool
        The candidate is a lone transit: only its shape is measured.

    Returns
    -------
    dict
        :data:`ECLIPSE_FEATURES` (NaN: not measurable). ``eb_secondary_snr``,
        ``eb_odd_even_snr``, ``eb_ellipsoidal_snr`` and ``eb_reflection_snr`` are in σ (the
        ellipsoidal one signed: positive for minima at the conjunctions);
        ``eb_secondary_phase`` in cycles from the primary; the ``over_depth`` ones are
        ratios to the primary depth.
    """
    out = dict.fromkeys(ECLIPSE_FEATURES, _NAN)
    out["single_transit"] = 1.0 if single else 0.0
    if local_view is not None:
        out["eb_v_shape"] = v_shape(local_view, local_durations)
    t = np.asarray(time, float)
    f = np.asarray(flux, float)
    p, t0, dur = float(period_days), float(epoch_bjd), float(duration_days)
    if single or t.size < 20 or not all(math.isfinite(x) and x > 0 for x in (p, dur)) or not math.isfinite(t0):
        return out
    if dur / p > 0.25:
        return out  # eclipses filling a quarter of the orbit leave no room to look elsewhere
    phase = phase_fold(t, p, t0, start=0.0)  # [0, 1), 0 at mid-primary
    half = 0.5 * dur / p
    primary = (phase < half) | (phase > 1.0 - half)
    if primary.sum() < 3 or (~primary).sum() < 10:
        return out
    level = float(np.median(f[~primary]))
    sigma = robust_std(f[~primary] - level)
    if not sigma > 0:
        return out
    beta = red_noise_factor(t[~primary], f[~primary] - level, dur)
    depth, _ = _box_depth(f, primary, level)
    if not (np.isfinite(depth) and depth > 0):
        return out

    # secondary eclipse: the deepest duration-wide box at phases 0.15-0.85
    lo, hi = SECONDARY_PHASES
    step = max(0.25 * dur / p, (hi - lo) / SECONDARY_TRIALS)
    best = (-np.inf, _NAN, _NAN)
    order = np.argsort(phase)
    ps, fs = phase[order], f[order]
    csum = np.concatenate(([0.0], np.cumsum(fs)))
    for c in np.arange(lo, hi + 1e-12, step):
        a, b = np.searchsorted(ps, c - half), np.searchsorted(ps, c + half)
        n = int(b - a)
        if n < 3:
            continue
        d = level - (csum[b] - csum[a]) / n
        snr = d / (beta * sigma / math.sqrt(n))
        if snr > best[0]:
            best = (snr, c, d)
    if np.isfinite(best[0]):
        out["eb_secondary_snr"] = float(best[0])
        out["eb_secondary_phase"] = float(best[1])
        out["eb_secondary_over_depth"] = float(best[2] / depth)

    # odd and even events
    num = transit_number(t, p, t0)
    odd = primary & (num % 2 == 1)
    even = primary & (num % 2 == 0)
    if odd.sum() >= 3 and even.sum() >= 3:
        d_odd, _ = _box_depth(f, odd, level)
        d_even, _ = _box_depth(f, even, level)
        err = beta * sigma * math.sqrt(1.0 / odd.sum() + 1.0 / even.sum())
        out["eb_odd_even_snr"] = float(abs(d_odd - d_even) / err)
        out["eb_odd_even_over_depth"] = float(abs(d_odd - d_even) / depth)

    # ellipsoidal variation and reflection, before detrending, eclipses left out
    span = float(t[-1] - t[0])
    if span / p >= ELLIPSOIDAL_MIN_ORBITS:
        raw = f if raw_flux is None else np.asarray(raw_flux, float)
        keep = ~primary & np.isfinite(raw)
        if np.isfinite(out["eb_secondary_phase"]):
            keep &= np.abs(phase - out["eb_secondary_phase"]) > half
        med = float(np.median(raw[keep])) if keep.any() else _NAN
        if np.isfinite(med) and med > 0:
            fit = _harmonic_fit(phase[keep], raw[keep] / med - 1.0, ELLIPSOIDAL_BINS)
            if fit is not None:
                coef, err = fit
                # flux ∝ −A_ell cos 4πφ (minima at both conjunctions); reflection/beaming
                # −A_ref cos 2πφ (faintest at the primary eclipse)
                if err[3] > 0:
                    out["eb_ellipsoidal_snr"] = float(-coef[3] / err[3])
                out["eb_ellipsoidal_over_depth"] = float(-coef[3] / depth)
                if err[1] > 0:
                    out["eb_reflection_snr"] = float(-coef[1] / err[1])
    return out


def eclipse_features_of(time: np.ndarray, flux: np.ndarray, raw_flux: np.ndarray | None, candidate: object,
                        views: Mapping[str, np.ndarray] | None, local_durations: float) -> dict[str, float]:
    """:func:`eclipse_features` of a :class:`~starskope.search.TransitCandidate` (None:
    all NaN)."""
    if candidate is None:
        return dict.fromkeys(ECLIPSE_FEATURES, _NAN)
    extra = getattr(candidate, "extra", {}) or {}
    return eclipse_features(time, flux, raw_flux, period_days=float(candidate.period_days),
                            epoch_bjd=float(candidate.epoch_bjd), duration_days=float(candidate.duration_days),
                            local_view=None if views is None else views.get("local"),
                            local_durations=local_durations, single=bool(extra.get("single")))
