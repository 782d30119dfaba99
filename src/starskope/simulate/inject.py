"""Injecting simulated signals into real light curves, and measuring them back.

:func:`inject` multiplies a light curve's flux by a signal's relative flux evaluated at the
light curve's own time stamps, averaged over each exposure (the cadence length), so gaps,
cadence and noise stay real and the truth is known. It works for any light curve that
follows the starskope conventions (Kepler, K2 and TESS files read with
:func:`starskope.io.read`, or :func:`starskope.lightcurve.from_arrays`).

:func:`fit_transit_depth` measures an injected dip back by linear least squares at the
known ephemeris: the model is the injected shape (limb darkening and exposure smearing
included) with a free depth, plus a straight-line baseline around each transit.
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Sequence
from typing import Any

import astropy.units as u
import numpy as np

from ..errors import LightCurveDataError, ParameterError
from ..lightcurve import add_provenance, arrays
from ..missions import get_mission
from .population import (
    draw_background_binary,
    draw_delta_scuti,
    draw_eclipsing_binary,
    draw_gamma_dor,
    draw_planet,
    draw_rr_lyrae,
    draw_spots,
)
from .signals import (
    BackgroundBinarySignal,
    CompositeSignal,
    EclipsingBinarySignal,
    Signal,
    TransitSignal,
)
from .stars import Star
from .truth import Truth

__all__ = ["DRAWABLE", "fit_transit_depth", "inject"]

#: Signal kinds :func:`inject` can draw by name (with ``seed``).
DRAWABLE: tuple[str, ...] = (
    "planet", "eclipsing_binary", "background_eb", "spotted", "delta_scuti", "gamma_dor", "rr_lyrae",
)


def _mission_of(lc: Any) -> str:
    name = lc.meta.get("MISSION")
    if not name:
        raise LightCurveDataError(
            f"{lc.meta.get('FILENAME') or 'light curve'}: meta['MISSION'] is not set; read the file "
            "with starskope.read or pass mission= to from_arrays"
        )
    return get_mission(str(name)).name


def _cadence_days(lc: Any, time: np.ndarray) -> float:
    cad = lc.meta.get("CADENCE")
    if isinstance(cad, u.Quantity):
        return float(cad.to_value(u.day))
    steps = np.diff(time)
    if len(steps) == 0:
        raise LightCurveDataError("light curve has a single cadence; its exposure time is unknown")
    return float(np.median(steps))


def _in_band(signal: Signal, mission: str) -> Signal:
    """The signal with every star's band set to ``mission``'s (limb darkening, light ratios)."""
    if isinstance(signal, TransitSignal):
        return signal.for_mission(mission)
    if isinstance(signal, EclipsingBinarySignal):
        return dataclasses.replace(signal, star=dataclasses.replace(signal.star, mission=mission))
    if isinstance(signal, BackgroundBinarySignal):
        binary = signal.binary
        return dataclasses.replace(signal, binary=dataclasses.replace(binary, star=dataclasses.replace(binary.star, mission=mission)))
    if isinstance(signal, CompositeSignal):
        return CompositeSignal(tuple(_in_band(p, mission) for p in signal.parts))
    return signal


def _draw(kind: str, rng: np.random.Generator, star: Star, t0: float, t1: float, mission: str) -> Signal:
    if kind == "planet":
        return draw_planet(star, rng, t0, t1)
    if kind == "eclipsing_binary":
        return draw_eclipsing_binary(star, rng, t0, t1)
    if kind == "background_eb":
        return draw_background_binary(mission, rng, t0, t1)
    if kind == "spotted":
        return draw_spots(rng, t0)
    if kind == "delta_scuti":
        return draw_delta_scuti(rng, t0)
    if kind == "gamma_dor":
        return draw_gamma_dor(rng, t0)
    if kind == "rr_lyrae":
        return draw_rr_lyrae(rng, t0)
    raise ParameterError(f"unknown signal kind {kind!r}; inject can draw: {', '.join(DRAWABLE)}")


def inject(
    lc: Any,
    signal: Signal | Sequence[Signal] | str | Callable[[np.random.Generator, np.ndarray], Signal],
    *,
    seed: int | None = None,
    star: Star | None = None,
) -> tuple[Any, Truth]:
    """Inject a signal into a light curve.

    Parameters
    ----------
    lc : lightkurve.LightCurve
        A starskope light curve (absolute TDB times, ``meta['MISSION']`` set).
    signal : Signal, sequence of Signal, str or callable
        A signal (several are multiplied), the name of a kind to draw from the
        populations (:data:`DRAWABLE`, e.g. ``'planet'``), or a function
        ``f(rng, time_bjd) -> Signal`` that draws one.
    seed : int, optional
        Seed of the generator used to draw a signal given by name or function.
    star : Star, optional
        The host star for signals drawn by name (default a Sun-like star). Stars inside
        given signals keep their parameters; their band is set to the light curve's
        telescope unless their limb darkening is fixed.

    Returns
    -------
    new_lc : lightkurve.LightCurve
        A copy with ``flux`` multiplied by the signal (``flux_err`` unchanged: the signal is
        noiseless), ``meta['INJECTED']`` the truth and a provenance entry.
    truth : Truth
        The signal's parameters plus ``n_transits`` (dips with flux data), ``mission``,
        ``object`` and ``exp_time_minutes``.

    Raises
    ------
    LightCurveDataError
        The light curve has no MISSION, no finite flux or a single cadence.
    ParameterError
        An unknown signal name, or a signal of the wrong type.
    """
    mission = _mission_of(lc)
    a = arrays(lc)
    time = a.time
    finite = np.isfinite(a.flux)
    if not finite.any():
        raise LightCurveDataError(f"{lc.meta.get('FILENAME') or 'light curve'}: no finite flux to inject into")
    cad = _cadence_days(lc, time)
    rng = np.random.default_rng(seed)
    t0, t1 = float(time[finite][0]), float(time[finite][-1])
    if isinstance(signal, str):
        sig = _draw(signal, rng, star or Star.sun_like(mission=mission), t0, t1, mission)
    elif isinstance(signal, Signal):
        sig = signal
    elif callable(signal):
        sig = signal(rng, time)
        if not isinstance(sig, Signal):
            raise ParameterError(f"the signal function returned {type(sig).__name__}, not a Signal")
    elif isinstance(signal, Sequence) and signal and all(isinstance(s, Signal) for s in signal):
        sig = CompositeSignal(tuple(s for s in signal if isinstance(s, Signal)))
    else:
        raise ParameterError(
            f"signal must be a Signal, a list of Signals, a kind name ({', '.join(DRAWABLE)}) or a "
            f"function returning a Signal; got {type(signal).__name__}"
        )
    sig = _in_band(sig, mission)
    model = sig.relative_flux(time, cad)
    new = lc.copy()
    new["flux"] = lc["flux"] * model
    truth = sig.truth()
    mids = sig.transit_times(t0, t1)
    duration = float(truth.get("duration_hours", 0.0)) / 24.0
    if len(mids) and duration > 0:
        tf = time[finite]
        lo = np.searchsorted(tf, mids - 0.5 * duration)
        hi = np.searchsorted(tf, mids + 0.5 * duration)
        truth["n_transits"] = int(np.sum(hi > lo))
    truth.update(mission=mission, object=str(lc.meta.get("OBJECT") or ""), exp_time_minutes=cad * 1440.0)
    new.meta["INJECTED"] = dict(truth)
    add_provenance(new, f"inject: {type(sig).__name__} " + ", ".join(
        f"{k}={v:.6g}" if isinstance(v, float) else f"{k}={v}" for k, v in truth.items()
        if k in ("period_days", "epoch_bjd", "depth_ppm", "duration_hours", "signal")))
    return new, truth


def fit_transit_depth(
    lc: Any,
    signal: Signal,
    *,
    window: float = 3.0,
    quality_mask: str | int = "default",
) -> tuple[float, float]:
    """Depth of a known dip measured by a linear fit at its ephemeris.

    Around each dip (± ``window`` × half its duration) the normalised flux is fitted as
    a_j + b_j (t − t_j) − D s(t), with s the signal's own shape scaled to 1 at the centre
    of an unsmoothed dip (limb darkening and exposure smearing included) and one straight
    line per dip. Cadences flagged by the telescope's ``quality_mask`` and NaNs are left out.

    Parameters
    ----------
    lc : lightkurve.LightCurve
    signal : Signal
        A signal with dips (its ``truth()`` has ``depth_ppm`` and ``duration_hours``).
    window : float
        Half-width of each fitted stretch in units of half the dip's duration (> 1).
    quality_mask : str or int
        'none', 'default', 'hard', 'hardest' or a bitmask.

    Returns
    -------
    depth, depth_err : float
        Fractions (multiply by 1e6 for ppm).

    Raises
    ------
    ParameterError
        A signal without dips, ``window`` ≤ 1, or no dip with data on both sides.
    """
    if window <= 1:
        raise ParameterError(f"window must be > 1 (half-durations); got {window}")
    mission = _mission_of(lc)
    truth = signal.truth()
    if "depth_ppm" not in truth or "duration_hours" not in truth:
        raise ParameterError(f"{type(signal).__name__} has no dips to fit (no depth_ppm / duration_hours)")
    depth0 = float(truth["depth_ppm"]) * 1e-6
    half = 0.5 * float(truth["duration_hours"]) / 24.0
    a = arrays(lc)
    mask = get_mission(mission).quality_mask(quality_mask)
    good = np.isfinite(a.flux) & np.isfinite(a.time) & ((a.quality & mask) == 0)
    t, f = a.time[good], a.flux[good]
    cad = _cadence_days(lc, a.time)
    mids = signal.transit_times(float(t[0]), float(t[-1]))
    shape = (1.0 - _in_band(signal, mission).relative_flux(t, cad)) / depth0
    columns: list[np.ndarray] = []
    use = np.zeros(len(t), dtype=bool)
    pieces = []
    for tm in mids:
        m = np.abs(t - tm) < window * half
        inside = np.abs(t - tm) < half
        outside = m & ~inside
        if inside.sum() < 1 or (outside & (t < tm)).sum() < 2 or (outside & (t > tm)).sum() < 2:
            continue
        pieces.append((m, tm))
        use |= m
    if not pieces:
        raise ParameterError("no dip has data inside and on both sides; cannot fit the depth")
    norm = np.ones(len(t))
    for m, tm in pieces:
        out = m & (np.abs(t - tm) >= half)
        norm[m] = np.median(f[out])
    y = f[use] / norm[use]
    for m, tm in pieces:
        columns.append(m[use].astype(float))
        columns.append(np.where(m[use], t[use] - tm, 0.0))
    columns.append(-shape[use])
    x = np.column_stack(columns)
    coef, *_ = np.linalg.lstsq(x, y, rcond=None)
    resid = y - x @ coef
    dof = max(len(y) - x.shape[1], 1)
    cov = np.linalg.pinv(x.T @ x) * float(resid @ resid) / dof
    return float(coef[-1]), float(np.sqrt(cov[-1, -1]))
