"""FFT filtering and normalisation, the original starskope proposal, as a measured option.

The original project (Kaggle K2 C3 table) normalised each light curve and filtered it in
Fourier space before the neural network. Here that becomes a detrender: the flux is put
on a uniform grid, each gap-free stretch is mirror-padded and Fourier transformed, a
Butterworth low-pass of order ``order`` and cut-off frequency 1/``cutoff`` gives the trend,
and the light curve is divided by it (a high-pass in Fourier space plus normalisation).

Unlike the biweight filter this is a linear filter: it does not ignore the transit when
it estimates the trend, so part of each transit leaks into the trend. The effect on
transit recovery is measured in ``benchmarks/fft_filter_effect.py`` and recorded in
``benchmarks/README.md``.
"""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np

from ..errors import ParameterError
from ..lightcurve import arrays
from ..quantities import require_positive
from ._util import with_flux
from .durations import default_window

__all__ = ["fft_filter", "fft_lowpass_trend"]


def _lowpass_uniform(y: np.ndarray, dt: float, cutoff_days: float, order: int) -> np.ndarray:
    n = y.size
    pad = min(n - 1, max(int(np.ceil(cutoff_days / dt)), 1))
    ext = np.concatenate([y[pad:0:-1], y, y[-2 : -pad - 2 : -1]])  # mirror padding
    spec = np.fft.rfft(ext)
    freq = np.fft.rfftfreq(ext.size, dt)
    gain = 1.0 / np.sqrt(1.0 + (freq * cutoff_days) ** (2 * order))
    smooth = np.fft.irfft(spec * gain, ext.size)
    return smooth[pad : pad + n]


def fft_lowpass_trend(time: np.ndarray, flux: np.ndarray, cutoff_days: float, *, order: int = 2,
                      max_gap_days: float = 0.5) -> np.ndarray:
    """Low-pass (Butterworth, in Fourier space) trend of ``flux`` (numeric core).

    Parameters
    ----------
    time : ndarray
        Times, days, increasing.
    flux : ndarray
        Flux; NaNs are bridged by linear interpolation and get a NaN trend.
    cutoff_days : float
        Period of the cut-off frequency, days: slower variations go into the trend.
    order : int
        Butterworth order (steepness).
    max_gap_days : float
        Gaps longer than this split the light curve into separately filtered stretches.
    """
    t = np.asarray(time, float)
    f = np.asarray(flux, float)
    trend = np.full(f.size, np.nan)
    ok = np.isfinite(f) & np.isfinite(t)
    idx = np.flatnonzero(ok)
    if idx.size < 4:
        return trend
    dt = float(np.median(np.diff(t[idx])))
    breaks = np.flatnonzero(np.diff(t[idx]) > max_gap_days) + 1
    for piece in np.split(idx, breaks):
        if piece.size < 4:
            trend[piece] = np.median(f[piece]) if piece.size else np.nan
            continue
        tp, fp = t[piece], f[piece]
        grid = np.arange(tp[0], tp[-1] + 0.5 * dt, dt)
        yg = np.interp(grid, tp, fp)
        trend[piece] = np.interp(tp, grid, _lowpass_uniform(yg, dt, cutoff_days, order))
    return trend


def fft_filter(
    lc: Any,
    *,
    cutoff: u.Quantity | None = None,
    order: int = 2,
    period_max: u.Quantity | None = None,
    stellar_density: u.Quantity | tuple[u.Quantity, u.Quantity] | None = None,
    max_gap: u.Quantity = 0.5 * u.day,
) -> Any:
    """High-pass filter in Fourier space and normalise (the original project's filter).

    Parameters
    ----------
    lc : lightkurve.LightCurve
        A starskope light curve.
    cutoff : Quantity [time], optional
        Variations slower than this are removed. Default: the biweight window for the
        period range, 3 × the longest plausible T14 at ``period_max``.
    order : int
        Butterworth order (1–8).
    period_max : Quantity [time], optional
        Longest period to be searched (default half the time span).
    stellar_density : Quantity or (Quantity, Quantity), optional
        Stellar density (range) for the default cut-off.
    max_gap : Quantity [time]
        Gaps longer than this are filtered separately (default 0.5 d).

    Returns
    -------
    lightkurve.LightCurve
        Flux and flux_err divided by the low-pass trend (dimensionless), the trend as
        a ``trend`` column; recorded in ``meta['PROVENANCE']``.

    Raises
    ------
    ParameterError
        ``order`` outside 1–8.
    UnitsError
        ``cutoff``, ``period_max`` or ``max_gap`` without time units.
    """
    if not 1 <= int(order) <= 8:
        raise ParameterError(f"order must be between 1 and 8; got {order}")
    a = arrays(lc)
    if cutoff is None:
        if period_max is None:
            period_max = max(float(np.nanmax(a.time) - np.nanmin(a.time)) / 2, 0.5) * u.day
        cutoff = default_window(period_max, stellar_density)
    cut = float(require_positive(cutoff, u.day, "cutoff").to_value(u.day))
    gap = float(require_positive(max_gap, u.day, "max_gap").to_value(u.day))
    trend = fft_lowpass_trend(a.time, a.flux, cut, order=int(order), max_gap_days=gap)
    unit = lc.flux.unit if isinstance(lc.flux, u.Quantity) else u.dimensionless_unscaled
    with np.errstate(invalid="ignore", divide="ignore"):
        flux, err = a.flux / trend, a.flux_err / trend
    return with_flux(
        lc, flux, err, u.dimensionless_unscaled,
        f"fft_filter: Butterworth order {int(order)} low-pass trend, cut-off period {cut:.3g} d, "
        "flux divided by it",
        extra={"trend": u.Quantity(trend, unit)},
    )
