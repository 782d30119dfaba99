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

__all__ = ["DETRENDERS", "Detrender", "detrend", "detrend_arrays", "divide_trend", "fit_trend"]

#: A detrender: ``fn(time_days, flux, window_days, mask) -> trend`` (mask True = exclude).
Detrender = Callable[[np.ndarray, np.ndarray, float, np.ndarray | None], np.ndarray]

DETRENDERS: Registry[Detrender] = Registry("detrender")


#: A thinned sliding-window trend is evaluated this many times per window (wotan's
#: ``step`` = window / THIN_PER_WINDOW) and interpolated linearly in between.
THIN_PER_WINDOW: int = 36


def _long_step(time: np.ndarray, window_days: float) -> bool:
    """A thinned trend's step is over four cadences: a shorter one saves little (and at
    one cadence or less wotan evaluates every point anyway), so long-cadence light
    curves (Kepler, K2, 30-min FFIs) keep every point's trend at the search's windows."""
    if time.size < 2:
        return False
    return bool(window_days / THIN_PER_WINDOW > 4.0 * float(np.nanmedian(np.diff(time))))


def _wotan(method: str, thin: bool = False, **extra: Any) -> Detrender:
    def fn(time: np.ndarray, flux: np.ndarray, window_days: float, mask: np.ndarray | None) -> np.ndarray:
        kw: dict[str, Any] = dict(extra)
        if mask is not None and method not in ("savgol", "medfilt"):
            kw["mask"] = mask
        if thin and _long_step(time, window_days):
            kw["step"] = window_days / THIN_PER_WINDOW
        return flatten(time, flux, method=method, window_length=window_days, return_trend=True,
                       break_tolerance=window_days / 2, **kw)[1]

    fn.__name__ = f"wotan_{method}"
    return fn


_biweight = _wotan("biweight", edge_cutoff=0.0)
_median = _wotan("median")
DETRENDERS.add("biweight", _biweight)
DETRENDERS.add("median", _median)
DETRENDERS.add("rspline", _wotan("rspline"))

#: The built-in sliding-window detrenders and their thinned forms (``thin=True``).
_THINNED: dict[Detrender, Detrender] = {_biweight: _wotan("biweight", thin=True, edge_cutoff=0.0),
                                        _median: _wotan("median", thin=True)}


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


def _thinned(fn: Detrender, time: np.ndarray, window_days: float) -> bool:
    """Whether ``detrend_arrays(..., thin=True)`` thins this detrender's trend."""
    return fn in _THINNED and _long_step(np.asarray(time, float), window_days)


def detrend_arrays(time: np.ndarray, flux: np.ndarray, method: str, window_days: float,
                   mask: np.ndarray | None = None, *, thin: bool = False) -> np.ndarray:
    """Trend of ``flux`` by the named detrender (numeric core; NaN where undefined).

    ``thin=True`` evaluates the sliding-window trends ('biweight', 'median') only every
    window / :data:`THIN_PER_WINDOW` and interpolates linearly in between (wotan's
    ``step``), where that is longer than four cadences: a trend over a window of hundreds
    of cadences changes little from one cadence to the next. On TESS 2-min sectors with
    windows of 0.65–1.5 d it is 2.5–6× faster, and the detrended flux differs from every
    cadence's trend by ≤ 0.006 of the point-to-point noise (rms; ≤ 0.07 at most) on quiet
    stars, 0.03 (≤ 0.35) on one varying by 3 % within a day. Other methods, and cadences
    longer than window / 144 (Kepler and K2 long cadence at the search's windows), are
    not changed.
    """
    fn = DETRENDERS.get(method)
    if thin:
        fn = _THINNED.get(fn, fn)
    if not (np.isfinite(window_days) and window_days > 0):
        raise ParameterError(f"window must be finite and positive; got {window_days} d")
    return np.asarray(fn(np.asarray(time, float), np.asarray(flux, float), float(window_days), mask), float)


def fit_trend(
    lc: Any,
    method: str = "biweight",
    window: u.Quantity | None = None,
    *,
    period_max: u.Quantity | None = None,
    stellar_density: u.Quantity | tuple[u.Quantity, u.Quantity] | None = None,
    mask: np.ndarray | None = None,
    thin: bool = False,
) -> tuple[np.ndarray, str]:
    """The trend :func:`detrend` divides by, and the provenance step it records.

    For a caller that tries several detrendings of one light curve and keeps one (the
    band search): the trends are plain arrays, and only the kept one becomes a light
    curve (:func:`divide_trend`). Parameters, defaults and errors as in :func:`detrend`;
    ``thin`` as in :func:`detrend_arrays` (said in the provenance when it applies).

    Returns
    -------
    (ndarray, str)
        The trend in the flux's unit (NaN where undefined), and the provenance step.
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
    trend = detrend_arrays(a.time, a.flux, fn_name, wdays, mask, thin=thin)
    step = f"detrend: {fn_name} window {wdays:.3g} d ({why})"
    if thin and _thinned(DETRENDERS.get(fn_name), a.time, wdays):
        step += f", evaluated every {wdays / THIN_PER_WINDOW * 24 * 60:.3g} min and interpolated"
    return trend, step


def divide_trend(lc: Any, trend: np.ndarray, step: str) -> Any:
    """The light curve divided by a trend from :func:`fit_trend` (see :func:`detrend`).

    Parameters
    ----------
    lc : lightkurve.LightCurve
        The light curve the trend was fitted to.
    trend : ndarray
        The trend, in the flux's unit, one value per cadence.
    step : str
        The provenance step :func:`fit_trend` returned.

    Returns
    -------
    lightkurve.LightCurve
        As :func:`detrend` returns it.

    Raises
    ------
    ParameterError
        A trend whose length is not the light curve's.
    """
    a = arrays(lc)
    trend = np.asarray(trend, dtype=np.float64)
    if trend.shape != a.flux.shape:
        raise ParameterError(f"trend has {trend.size} values but the light curve has {a.flux.size}")
    unit = lc.flux.unit if isinstance(lc.flux, u.Quantity) else u.dimensionless_unscaled
    with np.errstate(invalid="ignore", divide="ignore"):
        flux = a.flux / trend
        err = a.flux_err / trend
    return with_flux(lc, flux, err, u.dimensionless_unscaled, step, extra={"trend": u.Quantity(trend, unit)})


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
    trend, step = fit_trend(lc, method, window, period_max=period_max, stellar_density=stellar_density,
                            mask=mask)
    return divide_trend(lc, trend, step)
