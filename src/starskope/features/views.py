"""Phase-folded views of a transit candidate on a physical time grid (AstroNet / ExoMiner).

A view is the light curve folded on the candidate's period and averaged in bins whose
positions are fixed in *phase* (global view) or in *transit durations* (local, odd, even
and secondary views), so one model serves Kepler, K2 and TESS whatever their cadence and
time span (Shallue & Vanderburg 2018, §3.3; Valizadegan et al. 2022, §3):

* **global view** — the whole orbit, ``n_bins`` (2001) bins over phase −½…½;
* **local view** — ``n_durations`` (4) transit durations centred on the transit,
  ``n_bins`` (201) bins;
* **odd / even views** — local views of the odd- and even-numbered transits only
  (an eclipsing binary at twice the period shows two different depths);
* **secondary view** — a local view centred on the phase of a possible secondary eclipse
  (½ unless vetting found it elsewhere).

Bins are centred on a regular grid but may be wider than their spacing (AstroNet's
``bin_width_factor``): a bin is at least one cadence wide, so sparse data (K2's 3197
cadences) still fill most bins; bins with no data are linearly interpolated from their
neighbours. All functions work on plain float64 arrays: time in days (BJD_TDB), flux
normalised to ≈ 1.

:func:`normalize_views` then puts every view of a star on one scale: baseline 0 and the
primary transit depth −1, so the secondary and odd/even depths are read relative to the
primary.
"""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from ..errors import ParameterError
from ..search.folding import phase_fold, transit_number

__all__ = [
    "VIEW_NAMES",
    "ViewSpec",
    "binned_mean",
    "global_view",
    "local_view",
    "normalize_views",
    "odd_even_views",
    "secondary_view",
    "star_views",
]

#: Names of the views in the order :func:`star_views` returns them.
VIEW_NAMES: tuple[str, ...] = ("global", "local", "odd", "even", "secondary")


@dataclass(frozen=True)
class ViewSpec:
    """Sizes of the views.

    Attributes
    ----------
    n_global : int
        Bins of the global view (AstroNet: 2001).
    n_local : int
        Bins of the local, odd, even and secondary views (AstroNet: 201).
    local_durations : float
        Width of the local views in transit durations (AstroNet: 4, i.e. ±2 T14).
    local_width_factor : float
        Width of a local bin as a fraction of the transit duration (AstroNet: 0.16).
    """

    n_global: int = 2001
    n_local: int = 201
    local_durations: float = 4.0
    local_width_factor: float = 0.16

    def __post_init__(self) -> None:
        if self.n_global < 3 or self.n_local < 3:
            raise ParameterError(f"views need at least 3 bins; got n_global={self.n_global}, n_local={self.n_local}")
        if not self.local_durations > 1:
            raise ParameterError(f"local_durations must exceed 1 transit duration; got {self.local_durations}")
        if not self.local_width_factor > 0:
            raise ParameterError(f"local_width_factor must be positive; got {self.local_width_factor}")

    def as_dict(self) -> dict[str, float]:
        return {
            "n_global": self.n_global,
            "n_local": self.n_local,
            "local_durations": self.local_durations,
            "local_width_factor": self.local_width_factor,
        }


def _cadence(time: np.ndarray) -> float:
    d = np.diff(time)
    d = d[d > 0]
    return float(np.median(d)) if d.size else 0.0


def binned_mean(x: np.ndarray, y: np.ndarray, centers: np.ndarray, width: float) -> tuple[np.ndarray, np.ndarray]:
    """Mean of ``y`` over points with ``|x − c| < width/2`` for each centre ``c``.

    Parameters
    ----------
    x, y : ndarray
        Positions and values (NaNs in either are ignored).
    centers : ndarray
        Bin centres, same unit as ``x``.
    width : float
        Bin width (> 0), same unit as ``x``; bins may overlap.

    Returns
    -------
    means, counts : ndarray
        Mean per bin (NaN where empty) and number of points per bin.
    """
    if not width > 0:
        raise ParameterError(f"bin width must be positive; got {width}")
    ok = np.isfinite(x) & np.isfinite(y)
    order = np.argsort(x[ok], kind="stable")
    xs, ys = x[ok][order], y[ok][order]
    csum = np.concatenate(([0.0], np.cumsum(ys)))
    lo = np.searchsorted(xs, centers - 0.5 * width, side="left")
    hi = np.searchsorted(xs, centers + 0.5 * width, side="left")
    counts = hi - lo
    with np.errstate(invalid="ignore", divide="ignore"):
        means = np.where(counts > 0, (csum[hi] - csum[lo]) / np.maximum(counts, 1), np.nan)
    return means, counts


def _fill(values: np.ndarray) -> np.ndarray:
    """Linear interpolation over NaN bins (edges take the nearest value; all-NaN → 0)."""
    good = np.isfinite(values)
    if good.all():
        return values
    if not good.any():
        return np.zeros_like(values)
    idx = np.arange(values.size)
    return np.interp(idx, idx[good], values[good])


def _check_ephemeris(period: float, duration: float | None = None) -> None:
    if not (np.isfinite(period) and period > 0):
        raise ParameterError(f"period must be finite and positive (days); got {period}")
    if duration is not None and not (np.isfinite(duration) and 0 < duration < period):
        raise ParameterError(f"duration must be positive and shorter than the period (days); got {duration} for P = {period}")


def global_view(time: np.ndarray, flux: np.ndarray, period: float, epoch: float, *, n_bins: int = 2001) -> np.ndarray:
    """The whole folded orbit in ``n_bins`` phase bins, transit at the centre.

    Parameters
    ----------
    time : ndarray
        Times, days (BJD_TDB).
    flux : ndarray
        Normalised flux (≈ 1).
    period : float
        Period, days.
    epoch : float
        Mid-transit time, days, same system as ``time``.
    n_bins : int
        Number of bins; each is ``max(P / n_bins, cadence)`` wide.

    Returns
    -------
    ndarray, shape (n_bins,)
        Mean flux per bin (empty bins interpolated).
    """
    _check_ephemeris(period)
    dt = phase_fold(np.asarray(time, float), period, epoch) * period  # days from mid-transit
    step = period / n_bins
    centers = -0.5 * period + (np.arange(n_bins) + 0.5) * step
    width = max(step, _cadence(np.asarray(time, float)))
    means, _ = binned_mean(dt, np.asarray(flux, float), centers, width)
    return _fill(means)


def local_view(
    time: np.ndarray,
    flux: np.ndarray,
    period: float,
    epoch: float,
    duration: float,
    *,
    n_bins: int = 201,
    n_durations: float = 4.0,
    width_factor: float = 0.16,
) -> np.ndarray:
    """The folded transit: ``n_durations`` transit durations around it in ``n_bins`` bins.

    Parameters
    ----------
    time, flux : ndarray
        Times (days) and normalised flux.
    period, epoch, duration : float
        Period (days), mid-transit time (days) and total duration T14 (days).
    n_bins : int
        Number of bins.
    n_durations : float
        Window width in transit durations (±n_durations/2 around mid-transit).
    width_factor : float
        Bin width in transit durations (at least one cadence).

    Returns
    -------
    ndarray, shape (n_bins,)
    """
    _check_ephemeris(period, duration)
    t = np.asarray(time, float)
    dt = phase_fold(t, period, epoch) * period  # days from mid-transit
    half = 0.5 * n_durations * duration
    half = min(half, 0.5 * period)
    centers = np.linspace(-half, half, n_bins)
    width = max(width_factor * duration, _cadence(t), 2 * half / n_bins)
    means, _ = binned_mean(dt, np.asarray(flux, float), centers, width)
    return _fill(means)


def odd_even_views(
    time: np.ndarray, flux: np.ndarray, period: float, epoch: float, duration: float, **kwargs: float
) -> tuple[np.ndarray, np.ndarray]:
    """Local views of the odd- and even-numbered transits (transit 0 at ``epoch`` is even).

    Keyword arguments go to :func:`local_view`.

    Returns
    -------
    odd, even : ndarray
    """
    _check_ephemeris(period, duration)
    t = np.asarray(time, float)
    f = np.asarray(flux, float)
    even = (transit_number(t, period, epoch) % 2) == 0
    ev = local_view(t[even], f[even], period, epoch, duration, **kwargs) if even.sum() > 1 else None
    od = local_view(t[~even], f[~even], period, epoch, duration, **kwargs) if (~even).sum() > 1 else None
    size = int(kwargs.get("n_bins", 201))
    zero = np.full(size, np.nan)
    return (od if od is not None else zero), (ev if ev is not None else zero)


def secondary_view(
    time: np.ndarray,
    flux: np.ndarray,
    period: float,
    epoch: float,
    duration: float,
    *,
    phase: float = 0.5,
    **kwargs: float,
) -> np.ndarray:
    """Local view centred on orbital ``phase`` (0.5: where a circular binary's secondary
    eclipse falls). Keyword arguments go to :func:`local_view`."""
    if not (np.isfinite(phase) and 0 < phase < 1):
        raise ParameterError(f"secondary phase must lie in (0, 1); got {phase}")
    return local_view(time, flux, period, epoch + phase * period, duration, **kwargs)


def star_views(
    time: np.ndarray,
    flux: np.ndarray,
    period: float,
    epoch: float,
    duration: float,
    *,
    spec: ViewSpec | None = None,
    secondary_phase: float = 0.5,
) -> dict[str, np.ndarray]:
    """All five raw views of one candidate (:data:`VIEW_NAMES`), un-normalised."""
    spec = spec or ViewSpec()
    kw = {"n_bins": spec.n_local, "n_durations": spec.local_durations, "width_factor": spec.local_width_factor}
    odd, even = odd_even_views(time, flux, period, epoch, duration, **kw)
    phase = secondary_phase if np.isfinite(secondary_phase) and 0.1 < secondary_phase < 0.9 else 0.5
    return {
        "global": global_view(time, flux, period, epoch, n_bins=spec.n_global),
        "local": local_view(time, flux, period, epoch, duration, **kw),
        "odd": odd,
        "even": even,
        "secondary": secondary_view(time, flux, period, epoch, duration, phase=phase, **kw),
    }


def normalize_views(views: dict[str, np.ndarray], depth: float = float("nan"), *, clip: float = 5.0) -> tuple[dict[str, np.ndarray], float]:
    """Put all views of one star on the primary transit's scale.

    The baseline (median of the global view) becomes 0 and the primary depth −1: each view
    becomes ``(view − baseline) / scale`` with ``scale`` the candidate's measured
    ``depth`` (fraction) when positive, else the depth of the local view's minimum.
    Missing views (all NaN) become zeros; values are clipped to ±``clip``.

    Returns
    -------
    views : dict of ndarray (float32)
    scale : float
        The depth used (fraction of the flux).
    """
    base_src = views.get("global")
    if base_src is None or not np.isfinite(base_src).any():
        base_src = views["local"]
    baseline = float(np.nanmedian(base_src)) if np.isfinite(base_src).any() else 1.0
    scale = float(depth) if np.isfinite(depth) and depth > 0 else float("nan")
    if not np.isfinite(scale):
        loc = views["local"]
        scale = float(baseline - np.nanmin(loc)) if np.isfinite(loc).any() else float("nan")
    if not (np.isfinite(scale) and scale > 0):
        scale = 1e-6
    out = {}
    for name, v in views.items():
        if not np.isfinite(v).any():
            out[name] = np.zeros(v.shape, np.float32)
            continue
        w = _fill(np.asarray(v, float))
        out[name] = np.clip((w - baseline) / scale, -clip, clip).astype(np.float32)
    return out, scale
