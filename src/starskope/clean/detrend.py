"""Detrending that preserves transits: a registry of detrenders by name.

Each detrender maps (time [days], flux, window [days], mask) to a trend; the light curve
is divided by it. The default window is three times the longest transit expected for
the period range (:func:`starskope.clean.durations.default_window`): a biweight filter
that long keeps a box-shaped dip (Hippke et al. 2019, wotan paper §3).

Registered detrenders
---------------------
biweight
    Time-windowed Tukey biweight location (wotan). Default: robust to transits and flares.
median
    Time-windowed running median (wotan).
savgol
    Savitzky–Golay polynomial filter (scipy via wotan), window converted to an odd
    number of cadences; cadence based, so it assumes near-uniform sampling.
rspline
    Iteratively sigma-clipped robust spline (wotan), knots ``window`` apart.
none
    The median flux: normalisation only.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import astropy.units as u
import numpy as np
from wotan import flatten

from ..errors import ParameterError
from ..lightcurve import arrays
from ..quantities import require_positive
from ..registry import Registry
from ._util import with_flux
from .durations import default_window

__all__ = ["DETRENDERS", "Detrender", "detrend", "detrend_arrays"]

#: A detrender: ``fn(time_days, flux, window_days, mask) -> trend`` (mask True = exclude).
Detrender = Callable[[np.ndarray, np.ndarray, float, np.ndarray | None], np.ndarray]

DETRENDERS: Registry[Detrender] = Registry("detrender")


def _wotan(method: str, **extra: Any) -> Detrender:
    def fn(time: np.ndarray, flux: np.ndarray, window_days: float, mask: np.ndarray | None) -> np.ndarray:
        kw: dict[str, Any] = dict(extra)
        if mask is not None and method not in ("savgol", "medfilt"):
            kw["mask"] = mask
        return flatten(time, flux, method=method, window_length=window_days, return_trend=True,
                       break_tolerance=window_days / 2, **kw)[1]

    fn.__name__ = f"wotan_{method}"
    return fn


DETRENDERS.add("biweight", _wotan("biweight", edge_cutoff=0.0))
DETRENDERS.add("median", _wotan("median"))
DETRENDERS.add("rspline", _wotan("rspline"))


@DETRENDERS.register("savgol")
def _savgol(time: np.ndarray, flux: np.ndarray, window_days: float, mask: np.ndarray | None) -> np.ndarray:
    cadence = float(np.median(np.diff(time)))
    n = round(window_days / cadence)
    n = max(n + (1 - n % 2), 5)  # odd, and at least 5 for polyorder 2
    out = np.full(flux.size, np.nan)
    ok = np.isfinite(flux)
    if ok.sum() <= n:
        raise ParameterError(
            f"savgol window of {n} cadences is longer than the {int(ok.sum())} finite cadences"
        )
    out[ok] = flatten(time[ok], flux[ok], method="savgol", window_length=n, cval=2,
                      return_trend=True, break_tolerance=window_days / 2)[1]
    return out


@DETRENDERS.register("none")
def _none(time: np.ndarray, flux: np.ndarray, window_days: float, mask: np.ndarray | None) -> np.ndarray:
    return np.full(flux.size, np.nanmedian(flux))


def detrend_arrays(time: np.ndarray, flux: np.ndarray, method: str, window_days: float,
                   mask: np.ndarray | None = None) -> np.ndarray:
    """Trend of ``flux`` by the named detrender (numeric core; NaN where undefined)."""
    fn = DETRENDERS.get(method)
    if not (np.isfinite(window_days) and window_days > 0):
        raise ParameterError(f"window must be finite and positive; got {window_days} d")
    return np.asarray(fn(np.asarray(time, float), np.asarray(flux, float), float(window_days), mask), float)


def detrend(
    lc: Any,
    method: str = "biweight",
    window: u.Quantity | None = None,
    *,
    period_max: u.Quantity | None = None,
    stellar_density: u.Quantity | tuple[u.Quantity, u.Quantity] | None = None,
    mask: np.ndarray | None = None,
) -> Any:
    """Divide the light curve by a smooth trend that leaves transits intact.

    Parameters
    ----------
    lc : lightkurve.LightCurve
        A starskope light curve (raw or roll-corrected flux).
    method : str
        A name in :data:`DETRENDERS`: 'biweight' (default), 'median', 'savgol',
        'rspline', 'none'.
    window : Quantity [time], optional
        Filter window (knot spacing for 'rspline'). Default: 3 × the longest plausible
        T14 at ``period_max`` (:func:`~starskope.clean.durations.default_window`).
    period_max : Quantity [time], optional
        Longest period that will be searched; default half the time span.
    stellar_density : Quantity or (Quantity, Quantity), optional
        Stellar density (range) for the default window; default FGKM dwarfs.
    mask : ndarray of bool, optional
        True at cadences to leave out of the trend fit (known transits).

    Returns
    -------
    lightkurve.LightCurve
        Flux and flux_err divided by the trend (dimensionless, ≈ 1), the trend in the
        original flux unit as a ``trend`` column; recorded in ``meta['PROVENANCE']``.

    Raises
    ------
    UnknownNameError
        An unknown ``method`` (the message lists the registered ones).
    UnitsError
        ``window`` or ``period_max`` without time units.
    ParameterError
        A non-positive window, or a mask of the wrong length.
    """
    fn_name = method.lower() if isinstance(method, str) else method
    DETRENDERS.get(fn_name)  # fail early on an unknown name
    a = arrays(lc)
    if mask is not None:
        mask = np.asarray(mask, dtype=bool)
        if mask.shape != a.flux.shape:
            raise ParameterError(f"mask has {mask.size} values but the light curve has {a.flux.size}")
    if window is None:
        if period_max is None:
            span = float(np.nanmax(a.time) - np.nanmin(a.time))
            period_max = max(span / 2, 0.5) * u.day
        window_q = default_window(period_max, stellar_density)
        why = f"3 × longest T14 at P ≤ {require_positive(period_max, u.day, 'period_max'):.3g}"
    else:
        window_q = require_positive(window, u.day, "window")
        why = "given"
    wdays = float(window_q.to_value(u.day))
    trend = detrend_arrays(a.time, a.flux, fn_name, wdays, mask)
    unit = lc.flux.unit if isinstance(lc.flux, u.Quantity) else u.dimensionless_unscaled
    with np.errstate(invalid="ignore", divide="ignore"):
        flux = a.flux / trend
        err = a.flux_err / trend
    return with_flux(
        lc, flux, err, u.dimensionless_unscaled,
        f"detrend: {fn_name} window {wdays:.3g} d ({why})",
        extra={"trend": u.Quantity(trend, unit)},
    )
