"""Scalar features of one star: search, vetting, views and light-curve statistics.

Every feature is a float with a fixed name (:data:`SCALAR_NAMES`); NaN means "not
measured" (no candidate, or a candidate too weak to vet), which tree models use as
information and the neural networks impute. Wide-ranging physical quantities enter as
base-10 logarithms (``log_period_days``); the unit is in the name.

Groups (each a tuple of names):

* :data:`SEARCH_FEATURES` — the candidate from the transit search: period, duration,
  depth, SNR, number of transits, and the duration relative to a central transit across
  a Sun-like star, T ≈ 13 h · (P / 365 d)^(1/3);
* :data:`VETTING_FEATURES` — the diagnostics of :func:`starskope.vetting.vet`
  (``VettingReport.as_row()``): odd/even and secondary significance, shape, implied
  radius and density, uniqueness, flags;
* :data:`VIEW_FEATURES` — depths read off the views (odd/even difference, secondary
  depth relative to the primary, the local view's SNR), available for every star;
* :data:`LIGHTCURVE_FEATURES` — noise, variability amplitude and its dominant period,
  cadence and time span: what separates a variable star from a quiet one and tells the
  telescopes apart;
* :data:`~starskope.features.eclipses.ECLIPSE_FEATURES` — the eclipsing-binary tells
  (secondary eclipse, odd/even depths, ellipsoidal variation, V shape) measured at the
  candidate's ephemeris for every star with a candidate, vetted or not
  (:mod:`starskope.features.eclipses`), and whether the candidate is a lone transit.
  They come last, so a model stored before them reads its columns as before.
"""

from __future__ import annotations

from collections.abc import Mapping
from typing import Any

import numpy as np

from ..scatter import robust_std
from .eclipses import ECLIPSE_FEATURES

__all__ = [
    "ECLIPSE_FEATURES",
    "FEATURE_VERSION",
    "LIGHTCURVE_FEATURES",
    "SCALAR_NAMES",
    "SEARCH_FEATURES",
    "VETTING_FEATURES",
    "VIEW_FEATURES",
    "lightcurve_features",
    "search_features",
    "vetting_features",
    "view_features",
]

SEARCH_FEATURES: tuple[str, ...] = (
    "log_period_days",
    "log_duration_hours",
    "log_depth_ppm",
    "snr",
    "log_snr",
    "n_transits",
    "sde",
    "snr_bls",
    "log_duration_over_period",
    "duration_over_solar",
    "depth_over_error",
)

# (feature name, VettingReport.as_row() column, transform)
_VETTING_COLUMNS: tuple[tuple[str, str, str], ...] = (
    ("vet_depth_significance_sigma", "depth_significance_sigma", ""),
    ("vet_uniqueness_sigma", "uniqueness_sigma", ""),
    ("vet_sine_test", "sine_test", ""),
    ("vet_single_event_fraction", "single_event_fraction", ""),
    ("vet_transits_in_gaps", "transits_in_gaps", ""),
    ("vet_odd_even_sigma", "odd_even_sigma", ""),
    ("vet_secondary_sigma", "secondary_sigma", ""),
    ("vet_secondary_phase", "secondary_phase", ""),
    ("vet_ingress_ratio", "ingress_ratio", ""),
    ("vet_shape", "shape", ""),
    ("vet_impact_parameter", "impact_parameter", ""),
    ("vet_log_a_over_rstar", "a_over_rstar", "log"),
    ("vet_log_density_gcc", "density_gcc", "log"),
    ("vet_log_density_ratio", "density_ratio", "log"),
    ("vet_duration_ratio", "duration_ratio", ""),
    ("vet_log_radius_rearth", "radius_rearth", "log"),
    ("vet_period_alias", "period_alias", ""),
    ("vet_centroid_shift_sigma", "centroid_shift_sigma", ""),
    ("vet_red_noise_factor", "red_noise_factor", ""),
    ("vet_n_flags", "n_flags", ""),
    ("vet_flag_not_transit_like", "flag_not_transit_like", ""),
    ("vet_flag_significant_secondary", "flag_significant_secondary", ""),
    ("vet_flag_centroid_offset", "flag_centroid_offset", ""),
    ("vet_flag_ephemeris_match", "flag_ephemeris_match", ""),
    ("vet_flag_odd_even", "flag_odd_even", ""),
    ("vet_flag_v_shaped", "flag_v_shaped", ""),
    ("vet_flag_too_large", "flag_too_large", ""),
    ("vet_flag_density_mismatch", "flag_density_mismatch", ""),
)

VETTING_FEATURES: tuple[str, ...] = (*(name for name, _, _ in _VETTING_COLUMNS), "vet_secondary_over_depth", "vetted")

VIEW_FEATURES: tuple[str, ...] = (
    "view_local_snr",
    "view_odd_even_difference",
    "view_secondary_over_depth",
    "view_global_min_outside",
    "view_local_asymmetry",
)

LIGHTCURVE_FEATURES: tuple[str, ...] = (
    "log_noise_ppm",
    "log_variability_ppm",
    "log_variability_over_noise",
    "log_dominant_period_days",
    "dominant_power_fraction",
    "skewness",
    "fraction_below_3sigma",
    "fraction_above_3sigma",
    "cadence_minutes",
    "log_baseline_days",
)

#: Version of the scalar features: 1 — the search, vetting, view and light-curve groups
#: (56 scalars); 2 — :data:`ECLIPSE_FEATURES` appended. Feature sets carry it
#: (``spec['feature_version']``) and a trained model records it with the scalar names it
#: was trained on, which it reads by name (:func:`starskope.models.base.scalar_matrix`).
FEATURE_VERSION = 2

#: All scalar feature names, in column order (new groups are appended: a model reads its
#: columns by name, and a model stored before a group reads the prefix it was trained on).
SCALAR_NAMES: tuple[str, ...] = (SEARCH_FEATURES + VETTING_FEATURES + VIEW_FEATURES + LIGHTCURVE_FEATURES
                                 + ECLIPSE_FEATURES)

_NAN = float("nan")


def _log10(x: float) -> float:
    return float(np.log10(x)) if np.isfinite(x) and x > 0 else _NAN


def search_features(candidate: Any | None) -> dict[str, float]:
    """Features of the search candidate (a :class:`~starskope.search.TransitCandidate`
    or None: all NaN)."""
    out = dict.fromkeys(SEARCH_FEATURES, _NAN)
    if candidate is None:
        return out
    p = candidate.period_days
    t_h = candidate.duration_hours
    depth = candidate.depth_ppm
    err = float(candidate.depth_err.to_value("") * 1e6) if hasattr(candidate, "depth_err") else _NAN
    snr = float(candidate.snr)
    extra = getattr(candidate, "extra", {}) or {}
    out.update(
        log_period_days=_log10(p),
        log_duration_hours=_log10(t_h),
        log_depth_ppm=_log10(depth),
        snr=snr,
        log_snr=_log10(snr),
        n_transits=float(candidate.n_transits) if candidate.n_transits else _NAN,
        sde=float(extra.get("sde", _NAN)),
        snr_bls=float(extra.get("snr_bls", _NAN)),
        log_duration_over_period=_log10(t_h / 24.0 / p),
        duration_over_solar=t_h / (13.0 * (p / 365.25) ** (1.0 / 3.0)),
        depth_over_error=depth / err if np.isfinite(err) and err > 0 else _NAN,
    )
    return out


def vetting_features(row: Mapping[str, float] | None, depth_ppm: float = _NAN) -> dict[str, float]:
    """Features from ``VettingReport.as_row()`` (None: not vetted, all NaN and
    ``vetted = 0``)."""
    out = dict.fromkeys(VETTING_FEATURES, _NAN)
    out["vetted"] = 0.0
    if row is None:
        return out
    for name, col, transform in _VETTING_COLUMNS:
        try:
            v = float(row.get(col, _NAN))
        except (TypeError, ValueError):
            v = _NAN
        out[name] = _log10(v) if transform == "log" else v
    sec = float(row.get("secondary_depth_ppm", _NAN))
    dep = float(row.get("depth_ppm", depth_ppm))
    out["vet_secondary_over_depth"] = sec / dep if np.isfinite(sec) and np.isfinite(dep) and dep > 0 else _NAN
    out["vetted"] = 1.0
    return out


def view_features(views: Mapping[str, np.ndarray], spec_local_durations: float = 4.0) -> dict[str, float]:
    """Depths and noise read off normalised views (primary depth −1, baseline 0).

    ``view_local_snr``: the local view's central depth over its out-of-transit scatter;
    ``view_odd_even_difference``: |odd − even| central depth; ``view_secondary_over_depth``:
    central depth of the secondary view; ``view_global_min_outside``: deepest point of the
    global view away from the transit (another eclipse); ``view_local_asymmetry``: mean
    difference between the two halves of the local view (ramps, flares, not transits).
    """
    loc = np.asarray(views["local"], float)
    n = loc.size
    # in-transit: the central 1/local_durations of the window (|dt| < T/2)
    half_in = max(1, round(n / spec_local_durations / 2))
    c = n // 2
    inner = loc[c - half_in // 2: c + half_in // 2 + 1]
    outer = np.concatenate([loc[: c - half_in], loc[c + half_in + 1:]])
    noise = float(np.std(outer)) if outer.size > 2 else _NAN
    depth_in = -float(np.mean(inner))
    out = {
        "view_local_snr": depth_in / noise if np.isfinite(noise) and noise > 0 else _NAN,
        "view_odd_even_difference": _NAN,
        "view_secondary_over_depth": _NAN,
        "view_global_min_outside": _NAN,
        "view_local_asymmetry": float(np.mean(loc[:c]) - np.mean(loc[c + 1:])) if n > 2 else _NAN,
    }
    odd, even = views.get("odd"), views.get("even")
    if odd is not None and even is not None and np.any(odd) and np.any(even):
        out["view_odd_even_difference"] = abs(float(np.mean(np.asarray(odd)[c - half_in // 2: c + half_in // 2 + 1]))
                                              - float(np.mean(np.asarray(even)[c - half_in // 2: c + half_in // 2 + 1])))
    sec = views.get("secondary")
    if sec is not None and np.any(sec):
        out["view_secondary_over_depth"] = -float(np.mean(np.asarray(sec)[c - half_in // 2: c + half_in // 2 + 1]))
    glob = views.get("global")
    if glob is not None and np.any(glob):
        g = np.asarray(glob, float)
        m = g.size
        keep = np.ones(m, bool)
        keep[int(m * 0.45): int(m * 0.55) + 1] = False
        out["view_global_min_outside"] = -float(np.min(g[keep]))
    return out


def lightcurve_features(time: np.ndarray, flux: np.ndarray, raw_flux: np.ndarray | None = None) -> dict[str, float]:
    """Noise, variability and sampling of one light curve.

    Parameters
    ----------
    time : ndarray
        Times, days.
    flux : ndarray
        Cleaned, detrended flux (≈ 1): gives the noise.
    raw_flux : ndarray, optional
        Normalised flux before detrending: gives the variability amplitude and its
        dominant period (defaults to ``flux``).
    """
    out = dict.fromkeys(LIGHTCURVE_FEATURES, _NAN)
    t = np.asarray(time, float)
    f = np.asarray(flux, float)
    ok = np.isfinite(t) & np.isfinite(f)
    if ok.sum() < 10:
        return out
    t, f = t[ok], f[ok]
    med = np.median(f)
    r = f / med - 1.0 if med > 0 else f - med
    mad = robust_std(r)
    sigma = mad if mad > 0 else float(np.std(r))
    cad = float(np.median(np.diff(t)))
    out["log_noise_ppm"] = _log10(sigma * 1e6)
    out["cadence_minutes"] = cad * 1440.0
    out["log_baseline_days"] = _log10(float(t[-1] - t[0]))
    if sigma > 0:
        z = (r - np.median(r)) / sigma
        out["fraction_below_3sigma"] = float(np.mean(z < -3))
        out["fraction_above_3sigma"] = float(np.mean(z > 3))
        sd = float(np.std(r))
        out["skewness"] = float(np.mean((r - r.mean()) ** 3) / sd**3) if sd > 0 else _NAN
    raw = f if raw_flux is None else np.asarray(raw_flux, float)[ok]
    rok = np.isfinite(raw)
    if rok.sum() >= 10:
        rm = np.median(raw[rok])
        rr = raw[rok] / rm - 1.0 if rm > 0 else raw[rok] - rm
        amp = float(np.percentile(rr, 95) - np.percentile(rr, 5))
        out["log_variability_ppm"] = _log10(amp * 1e6)
        out["log_variability_over_noise"] = _log10(amp / sigma) if sigma > 0 else _NAN
        period, frac = _dominant_period(t[rok], rr, cad)
        out["log_dominant_period_days"] = _log10(period)
        out["dominant_power_fraction"] = frac
    return out


def _dominant_period(t: np.ndarray, r: np.ndarray, cadence: float) -> tuple[float, float]:
    """Period (days) of the strongest Fourier peak of the gridded flux and the fraction
    of the (non-DC) power in it."""
    from .spectrogram import uniform_grid

    step = max(cadence, 1e-4)
    if (t[-1] - t[0]) / step > 200_000:  # very long short-cadence series: coarser grid
        step = (t[-1] - t[0]) / 200_000
    _, g, _ = uniform_grid(t, r, step)
    if g.size < 8:
        return _NAN, _NAN
    p = np.abs(np.fft.rfft(g - g.mean())) ** 2
    freq = np.fft.rfftfreq(g.size, d=step)
    keep = freq > 2.0 / (t[-1] - t[0])
    if not keep.any() or p[keep].sum() <= 0:
        return _NAN, _NAN
    i = int(np.argmax(np.where(keep, p, -1)))
    return float(1.0 / freq[i]), float(p[i] / p[keep].sum())
