"""The report's figures, as Plotly figure specifications built from plain arrays.

Each function takes NumPy arrays (times in BJD_TDB days, normalised flux) and returns a
JSON-able ``{"data": [...], "layout": {...}}`` that Plotly.js draws — in the standalone
HTML report (Plotly inlined) and in the web app (Plotly served locally). No plotting
library runs in Python, so building a report costs milliseconds, and every figure can be
checked in tests as data.

Conventions: time axes in the telescope's day count (BKJD = BJD_TDB − 2454833 for
Kepler/K2, BTJD = BJD_TDB − 2457000 for TESS) as in the archive products; flux in parts
per thousand (ppt) relative to the median, so depths read directly; dense series are
also shown binned (large markers) so the eye finds the signal.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import UnknownNameError
from ..missions import get_mission
from ..search.folding import phase_fold, transit_number
from ..vetting.timing import TransitTimes, aligned_time_from_transit

__all__ = [
    "COLORS",
    "amplitude_spectrum_figure",
    "binned",
    "contributions_figure",
    "detrended_figure",
    "fold_figure",
    "lightcurve_figure",
    "odd_even_figure",
    "periodogram_figure",
    "probabilities_figure",
    "secondary_figure",
    "star_type_fold_figure",
    "time_axis",
    "transit_fold_figure",
    "transit_times_figure",
    "trapezoid_model",
]

#: Colours used across figures (colour-blind safe, Okabe & Ito 2008).
COLORS: dict[str, str] = {
    "data": "#7f8c99",
    "binned": "#0b3c5d",
    "trend": "#e69f00",
    "model": "#d55e00",
    "flagged": "#cc3311",
    "outlier": "#ee7733",
    "odd": "#0072b2",
    "even": "#009e73",
    "positive": "#d55e00",
    "negative": "#0072b2",
    "transit": "rgba(213, 94, 0, 0.35)",
    "planet_transit": "#009e73",
    "eclipsing_binary": "#d55e00",
    "other_variable": "#cc79a7",
    "nothing_significant": "#7f8c99",
}

_FONT = {"family": "system-ui, -apple-system, 'Segoe UI', Helvetica, Arial, sans-serif", "size": 12, "color": "#222"}


def time_axis(mission: str) -> tuple[float, str]:
    """Offset (days) and axis title of the time axis for a telescope: its day count (from
    the telescope profile), or BJD_TDB − 2450000 for an unknown telescope."""
    try:
        profile = get_mission(str(mission))
    except UnknownNameError:
        return 2450000.0, "Time [BJD_TDB − 2450000]"
    off = profile.bjd_offset
    return off, f"Time [{profile.time_format.upper()} = BJD_TDB − {off:.0f}]"


def _r(a: Any, nd: int) -> list[float | None]:
    """A rounded list with NaN as None (compact JSON)."""
    arr = np.asarray(a, float)
    out = np.round(arr, nd).tolist()
    if not np.isfinite(arr).all():
        out = [None if not math.isfinite(v) else v for v in out]
    return out


def _axis(title: str, **kw: Any) -> dict[str, Any]:
    base = {"title": {"text": title, "standoff": 6}, "showline": True, "linecolor": "#555", "mirror": True,
            "ticks": "outside", "gridcolor": "#eceff3", "zeroline": False}
    base.update(kw)
    return base


def _layout(title: str, xtitle: str, ytitle: str, **kw: Any) -> dict[str, Any]:
    lay = {
        "title": {"text": title, "x": 0.01, "xanchor": "left", "font": {"size": 14}},
        "font": _FONT,
        "paper_bgcolor": "white",
        "plot_bgcolor": "white",
        "margin": {"l": 62, "r": 18, "t": 48, "b": 48},
        "xaxis": _axis(xtitle),
        "yaxis": _axis(ytitle),
        "legend": {"orientation": "h", "x": 1, "xanchor": "right", "y": 1.02, "yanchor": "bottom",
                   "font": {"size": 11}, "bgcolor": "rgba(255,255,255,0)"},
        "hovermode": "closest",
    }
    lay.update(kw)
    return lay


def _inside_legend(lay: dict[str, Any]) -> dict[str, Any]:
    """Legend inside the plot, bottom left (small panels have no room above)."""
    lay["legend"] = {"x": 0.01, "xanchor": "left", "y": 0.01, "yanchor": "bottom", "font": {"size": 10},
                     "bgcolor": "rgba(255,255,255,0.8)", "orientation": "v"}
    return lay


def binned(x: np.ndarray, y: np.ndarray, width: float, lo: float | None = None,
           hi: float | None = None) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Mean of ``y`` in bins of ``width`` along ``x``: centres, means, standard errors
    (bins with no point are left out)."""
    x = np.asarray(x, float)
    y = np.asarray(y, float)
    ok = np.isfinite(x) & np.isfinite(y)
    x, y = x[ok], y[ok]
    if x.size == 0 or not width > 0:
        return np.zeros(0), np.zeros(0), np.zeros(0)
    lo = float(np.min(x)) if lo is None else lo
    hi = float(np.max(x)) if hi is None else hi
    n = max(1, int(np.ceil((hi - lo) / width)))
    k = np.clip(((x - lo) / width).astype(int), 0, n - 1)
    cnt = np.bincount(k, minlength=n)
    s = np.bincount(k, weights=y, minlength=n)
    s2 = np.bincount(k, weights=y * y, minlength=n)
    has = cnt > 0
    mean = np.where(has, s / np.maximum(cnt, 1), np.nan)
    var = np.where(cnt > 1, (s2 - cnt * mean**2) / np.maximum(cnt - 1, 1), np.nan)
    err = np.sqrt(np.maximum(var, 0) / np.maximum(cnt, 1))
    centres = lo + (np.arange(n) + 0.5) * width
    return centres[has], mean[has], err[has]


def _ppt(flux: np.ndarray) -> np.ndarray:
    return (np.asarray(flux, float) - 1.0) * 1e3


def _transit_shapes(times: Sequence[float], offset: float) -> list[dict[str, Any]]:
    return [{"type": "line", "xref": "x", "yref": "paper", "x0": t - offset, "x1": t - offset, "y0": 0.94, "y1": 1.0,
             "line": {"color": COLORS["model"], "width": 2}} for t in times]


def lightcurve_figure(
    time: np.ndarray,
    flux: np.ndarray,
    *,
    kept: np.ndarray,
    quality_flagged: np.ndarray,
    outliers: np.ndarray,
    trend_time: np.ndarray,
    trend: np.ndarray,
    mission: str = "",
    transit_times: Sequence[float] = (),
    quality_bitmask: int = 0,
) -> dict[str, Any]:
    """Raw light curve: kept cadences, quality-flagged and outlier cadences marked, and
    the trend that detrending removed.

    Parameters
    ----------
    time, flux : ndarray
        Every cadence (BJD_TDB days) and the flux before cleaning (≈ 1).
    kept, quality_flagged, outliers : ndarray of bool
        Which cadences survived cleaning, carry a QUALITY bit of the mask, or were removed
        as outliers.
    trend_time, trend : ndarray
        The removed trend (same scale as ``flux``).
    mission : str
        Sets the time axis.
    transit_times : sequence of float
        Mid-transit times to tick (BJD_TDB).
    quality_bitmask : int
        The mask applied, for the legend.
    """
    off, xt = time_axis(mission)
    t = np.asarray(time, float) - off
    f = _ppt(flux)
    kept, qf, ol = (np.asarray(a, bool) for a in (kept, quality_flagged, outliers))
    data = [
        {"type": "scatter", "mode": "markers", "name": f"flux ({int(kept.sum())} cadences kept)",
         "x": _r(t[kept], 5), "y": _r(f[kept], 4), "marker": {"size": 3, "color": COLORS["data"]},
         "hovertemplate": "t = %{x:.4f}<br>%{y:.3f} ppt<extra></extra>"},
    ]
    if qf.any():
        ok = qf & np.isfinite(f)
        data.append({"type": "scatter", "mode": "markers",
                     "name": f"QUALITY-flagged ({int(qf.sum())}; mask {quality_bitmask})",
                     "x": _r(t[ok], 5), "y": _r(f[ok], 4),
                     "marker": {"size": 5, "color": COLORS["flagged"], "symbol": "x-thin",
                                "line": {"width": 1.2, "color": COLORS["flagged"]}},
                     "hovertemplate": "flagged cadence<br>t = %{x:.4f}<br>%{y:.3f} ppt<extra></extra>"})
    lost = qf & ~np.isfinite(f)
    if lost.any():
        data.append({"type": "scatter", "mode": "markers", "name": f"flagged, no flux ({int(lost.sum())})",
                     "x": _r(t[lost], 5), "y": [0.0] * int(lost.sum()), "yaxis": "y2",
                     "marker": {"size": 7, "color": COLORS["flagged"], "symbol": "line-ns-open",
                                "line": {"width": 1, "color": COLORS["flagged"]}},
                     "hovertemplate": "flagged cadence without flux<br>t = %{x:.4f}<extra></extra>"})
    if ol.any():
        data.append({"type": "scatter", "mode": "markers", "name": f"outliers removed ({int(ol.sum())})",
                     "x": _r(t[ol], 5), "y": _r(f[ol], 4),
                     "marker": {"size": 6, "color": COLORS["outlier"], "symbol": "triangle-up"},
                     "hovertemplate": "outlier<br>t = %{x:.4f}<br>%{y:.3f} ppt<extra></extra>"})
    data.append({"type": "scatter", "mode": "lines", "name": "trend (removed)",
                 "x": _r(np.asarray(trend_time, float) - off, 5), "y": _r(_ppt(trend), 4),
                 "line": {"color": COLORS["trend"], "width": 1.6}, "hoverinfo": "skip"})
    lay = _layout("Light curve before cleaning, with the trend removed", xt, "Relative flux [ppt]",
                  shapes=_transit_shapes(transit_times, off))
    if lost.any():
        lay["yaxis"]["domain"] = [0.07, 1.0]
        lay["yaxis2"] = {"domain": [0.0, 0.05], "range": [-1, 1], "visible": False, "anchor": "x", "fixedrange": True}
    return {"data": data, "layout": lay}


def detrended_figure(
    time: np.ndarray,
    flux: np.ndarray,
    *,
    mission: str = "",
    saliency: dict[str, Any] | None = None,
    transit_times: Sequence[float] = (),
    bin_days: float | None = None,
) -> dict[str, Any]:
    """Detrended light curve with the CNN's occlusion saliency drawn over it.

    Parameters
    ----------
    time, flux : ndarray
        Cleaned light curve (BJD_TDB days, ≈ 1).
    mission : str
    saliency : dict, optional
        :meth:`starskope.explain.Saliency.to_dict` (``start``, ``stop``, ``value``).
    transit_times : sequence of float
    bin_days : float, optional
        Width of the binned curve (default: about 30 minutes, at least 3 cadences).
    """
    off, xt = time_axis(mission)
    t = np.asarray(time, float)
    f = _ppt(flux)
    data: list[dict[str, Any]] = [
        {"type": "scatter", "mode": "markers", "name": "detrended flux", "x": _r(t - off, 5), "y": _r(f, 4),
         "marker": {"size": 3, "color": COLORS["data"]}, "hovertemplate": "t = %{x:.4f}<br>%{y:.3f} ppt<extra></extra>"},
    ]
    cad = float(np.median(np.diff(t))) if t.size > 1 else 0.02
    width = bin_days or max(3 * cad, 0.5 / 24)
    if t.size > 2000 or width > 1.5 * cad:
        bx, by, _ = binned(t, f, width)
        data.append({"type": "scatter", "mode": "markers", "name": f"binned ({width * 24 * 60:.0f} min)",
                     "x": _r(bx - off, 5), "y": _r(by, 4), "marker": {"size": 4, "color": COLORS["binned"]},
                     "hoverinfo": "skip"})
    lay = _layout("Detrended light curve" + (" and CNN saliency" if saliency else ""), xt, "Relative flux [ppt]",
                  shapes=_transit_shapes(transit_times, off))
    if saliency:
        st, sp, v = (np.asarray([np.nan if x is None else x for x in saliency[k]], float)
                     for k in ("start", "stop", "value"))
        xs, ys = [], []
        for a, b, val in zip(st, sp, v, strict=True):
            if not np.isfinite(val):
                continue
            xs += [a - off, a - off, b - off, b - off, None]
            ys += [0.0, val, val, 0.0, None]
        data.append({"type": "scatter", "mode": "lines", "name": "saliency: Δ log-odds(planet) when flattened",
                     "x": _r(np.asarray([np.nan if x is None else x for x in xs], float), 5),
                     "y": _r(np.asarray([np.nan if y is None else y for y in ys], float), 5),
                     "yaxis": "y2", "fill": "toself", "line": {"color": COLORS["positive"], "width": 1},
                     "fillcolor": "rgba(213, 94, 0, 0.25)", "connectgaps": False,
                     "hovertemplate": "t = %{x:.3f}<br>Δ log-odds = %{y:.4f}<extra>saliency</extra>"})
        vmax = float(np.nanmax(np.abs(v))) if np.isfinite(v).any() else 0.0
        vmax = vmax if vmax > 0 else 1e-3
        lay["yaxis"] = _axis("Relative flux [ppt]", domain=[0.0, 0.72])
        lay["yaxis2"] = _axis("Saliency", domain=[0.78, 1.0], range=[-1.1 * vmax, 1.1 * vmax], anchor="x",
                              zeroline=True, zerolinecolor="#999", exponentformat="e", nticks=4)
        for s in lay["shapes"]:
            s.update({"yref": "paper", "y0": 0.70, "y1": 0.74})
    return {"data": data, "layout": lay}


def periodogram_figure(period: np.ndarray, power: np.ndarray, *, best_period: float | None = None,
                       snr_threshold: float | None = None, sde: float | None = None) -> dict[str, Any]:
    """Box-least-squares periodogram: √Δχ² (the box SNR) against trial period (log axis),
    the best period and its half and double marked."""
    p = np.asarray(period, float)
    s = np.sqrt(np.maximum(np.asarray(power, float), 0))
    order = np.argsort(p)
    p, s = p[order], s[order]
    if p.size > 6000:  # keep every local maximum of the displayed envelope
        k = int(np.ceil(p.size / 3000))
        m = p.size // k * k
        idx = np.arange(m).reshape(-1, k)[np.arange(m // k), np.argmax(s[:m].reshape(-1, k), axis=1)]
        p, s = p[idx], s[idx]
    data = [{"type": "scatter", "mode": "lines", "name": "BLS", "x": _r(p, 6), "y": _r(s, 3),
             "line": {"color": COLORS["binned"], "width": 1},
             "hovertemplate": "P = %{x:.5f} d<br>√Δχ² = %{y:.1f}<extra></extra>"}]
    shapes = []
    annotations = []
    if best_period and math.isfinite(best_period):
        for mult, dash, text in ((1.0, "solid", "P"), (0.5, "dot", "P/2"), (2.0, "dot", "2P")):
            x = best_period * mult
            if p.size and p[0] <= x <= p[-1]:
                shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
                               "line": {"color": COLORS["model"], "width": 1.2 if mult == 1 else 0.8, "dash": dash}})
                annotations.append({"x": math.log10(x), "xref": "x", "yref": "paper", "y": 1.0, "yanchor": "bottom",
                                    "text": text, "showarrow": False, "font": {"size": 10, "color": COLORS["model"]}})
    title = "Transit search periodogram"
    if best_period:
        title += f" — best P = {best_period:.5f} d" + (f", SDE {sde:.1f}" if sde and math.isfinite(sde) else "")
    lay = _layout(title, "Period [d]", "Box SNR √Δχ²", shapes=shapes, annotations=annotations)
    lay["xaxis"]["type"] = "log"
    if p.size:
        ticks = [v for v in (0.2, 0.3, 0.5, 1, 2, 3, 5, 10, 20, 30, 50, 100, 200) if p[0] <= v <= p[-1]]
        lay["xaxis"]["tickvals"] = ticks
        lay["xaxis"]["ticktext"] = [f"{v:g}" for v in ticks]
    lay["showlegend"] = False
    return {"data": data, "layout": lay}


def trapezoid_model(dt: np.ndarray, depth: float, duration: float, ingress: float) -> np.ndarray:
    """Trapezoid transit (flux ≈ 1): total duration ``duration``, ingress ``ingress``
    (same unit as ``dt``), ``depth`` as a fraction."""
    x = np.abs(np.asarray(dt, float))
    half = 0.5 * duration
    ing = float(min(max(ingress, 1e-9), half))
    m = np.clip((half - x) / ing, 0.0, 1.0)
    return 1.0 - depth * m


def fold_figure(time: np.ndarray, flux: np.ndarray, *, period: float, epoch: float,
                secondary_phase: float | None = None, n_bins: int = 200) -> dict[str, Any]:
    """The whole orbit folded, phase −0.25 … 0.75 so primary and secondary both show."""
    t = np.asarray(time, float)
    ph = phase_fold(t, period, epoch, start=-0.25)
    f = _ppt(flux)
    order = np.argsort(ph)
    bx, by, be = binned(ph, f, 1.0 / n_bins, -0.25, 0.75)
    data = [
        {"type": "scatter", "mode": "markers", "name": "data", "x": _r(ph[order], 5), "y": _r(f[order], 4),
         "marker": {"size": 2.5, "color": COLORS["data"], "opacity": 0.6 if t.size < 3000 else 0.3},
         "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers", "name": f"binned ({n_bins} bins)", "x": _r(bx, 5), "y": _r(by, 4),
         "error_y": {"type": "data", "array": _r(be, 4), "visible": True, "thickness": 1, "width": 0,
                     "color": COLORS["binned"]},
         "marker": {"size": 5, "color": COLORS["binned"]}, "hovertemplate": "phase %{x:.3f}<br>%{y:.3f} ppt<extra></extra>"},
    ]
    shapes = []
    if secondary_phase is not None and math.isfinite(secondary_phase):
        shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": secondary_phase, "x1": secondary_phase,
                       "y0": 0, "y1": 1, "line": {"color": COLORS["model"], "width": 1, "dash": "dot"}})
    lay = _layout(f"Folded at P = {period:.5f} d", "Orbital phase", "Relative flux [ppt]", shapes=shapes,
                  showlegend=False)
    lay["xaxis"]["range"] = [-0.25, 0.75]
    # a deep primary would flatten everything else: show the binned range with a margin
    if by.size:
        lo, hi = float(np.nanmin(by)), float(np.nanmax(by))
        pad = 0.15 * max(hi - lo, 1e-3)
        lay["yaxis"]["range"] = [lo - pad - float(np.nanmedian(be) if be.size else 0), hi + pad]
    return {"data": data, "layout": lay}


def transit_fold_figure(time: np.ndarray, flux: np.ndarray, *, period: float, epoch: float, duration: float,
                        depth: float, ingress: float | None = None, depth_err: float | None = None,
                        window: float = 2.5, times: TransitTimes | None = None) -> dict[str, Any]:
    """The transit folded in hours from mid-transit (±``window`` durations) with the
    fitted trapezoid.

    Parameters
    ----------
    period, epoch, duration : float
        Days, BJD_TDB, days.
    depth : float
        Fitted depth (fraction).
    ingress : float, optional
        Ingress time, days (default a tenth of the duration).
    times : TransitTimes, optional
        Each transit's measured time: the fold is then aligned on them, as vetting
        fitted it (:mod:`starskope.vetting.timing`).
    """
    t = np.asarray(time, float)
    dt_h = (aligned_time_from_transit(t, times) if times is not None else phase_fold(t, period, epoch) * period) * 24.0
    half_h = window * duration * 24.0
    sel = np.abs(dt_h) <= half_h
    x, f = dt_h[sel], _ppt(np.asarray(flux, float)[sel])
    order = np.argsort(x)
    cad_h = float(np.median(np.diff(t))) * 24 if t.size > 1 else 0.5
    width = max(duration * 24 / 12, cad_h)
    bx, by, be = binned(x, f, width, -half_h, half_h)
    xm = np.linspace(-half_h, half_h, 400)
    ing = ingress if ingress is not None and math.isfinite(ingress) else 0.1 * duration
    model = _ppt(trapezoid_model(xm / 24.0, depth, duration, ing))
    data = [
        {"type": "scatter", "mode": "markers", "name": "data", "x": _r(x[order], 4), "y": _r(f[order], 4),
         "marker": {"size": 3, "color": COLORS["data"], "opacity": 0.6}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers", "name": f"binned ({width * 60:.0f} min)", "x": _r(bx, 4),
         "y": _r(by, 4), "error_y": {"type": "data", "array": _r(be, 4), "visible": True, "thickness": 1, "width": 0,
                                     "color": COLORS["binned"]},
         "marker": {"size": 5, "color": COLORS["binned"]}, "hovertemplate": "%{x:.2f} h<br>%{y:.3f} ppt<extra></extra>"},
        {"type": "scatter", "mode": "lines", "name": "trapezoid fit", "x": _r(xm, 4), "y": _r(model, 5),
         "line": {"color": COLORS["model"], "width": 2}, "hoverinfo": "skip"},
    ]
    err = f" ± {depth_err * 1e6:.0f}" if depth_err is not None and math.isfinite(depth_err) else ""
    lay = _layout(f"Transit: depth {depth * 1e6:.0f}{err} ppm, T14 = {duration * 24:.2f} h",
                  "Hours from each transit's own mid-time" if times is not None else "Hours from mid-transit",
                  "Relative flux [ppt]")
    return {"data": data, "layout": _inside_legend(lay)}


def transit_times_figure(times: TransitTimes, *, mission: str) -> dict[str, Any]:
    """Observed minus calculated mid-transit times (minutes) against time, about the best
    linear ephemeris through them: a straight row of points is a strictly periodic
    transit, a wave a companion's tug (transit-timing variations)."""
    off, xtitle = time_axis(mission)
    x = times.times - off
    oc = times.residual * 24 * 60
    err = times.err * 24 * 60
    data = [
        {"type": "scatter", "mode": "lines", "name": "linear ephemeris", "x": _r([x.min(), x.max()], 4),
         "y": [0, 0], "line": {"color": COLORS["model"], "width": 1, "dash": "dash"}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers", "name": "transits", "x": _r(x, 4), "y": _r(oc, 2),
         "error_y": {"type": "data", "array": _r(err, 2), "visible": True, "thickness": 1, "width": 0,
                     "color": COLORS["binned"]},
         "marker": {"size": 5, "color": COLORS["binned"]},
         "text": [f"transit {int(n)}" for n in times.number],
         "hovertemplate": "%{text}<br>O − C %{y:.1f} min<extra></extra>"},
    ]
    what = "the fold aligned on them" if times.aligned else "the fold on one period"
    lay = _layout(f"Transit times: O − C scatter {times.rms * 24 * 60:.1f} min, {times.significance:.1f}σ ({what})",
                  xtitle, "O − C [min]")
    return {"data": data, "layout": _inside_legend(lay)}


def odd_even_figure(time: np.ndarray, flux: np.ndarray, *, period: float, epoch: float, duration: float,
                    odd_depth: float | None, even_depth: float | None, odd_even_sigma: float | None = None,
                    window: float = 2.0) -> dict[str, Any]:
    """Odd and even transits side by side, each with its measured depth (ppm) drawn."""
    t = np.asarray(time, float)
    n = transit_number(t, period, epoch)
    dt_h = phase_fold(t, period, epoch) * period * 24.0
    half_h = window * duration * 24.0
    f = _ppt(flux)
    cad_h = float(np.median(np.diff(t))) * 24 if t.size > 1 else 0.5
    width = max(duration * 24 / 10, cad_h)
    data: list[dict[str, Any]] = []
    shapes: list[dict[str, Any]] = []
    for k, (name, parity, depth, col) in enumerate((("odd", 1, odd_depth, COLORS["odd"]),
                                                     ("even", 0, even_depth, COLORS["even"]))):
        sel = (np.abs(dt_h) <= half_h) & (np.mod(n, 2) == parity)
        xa = "x" if k == 0 else "x2"
        ya = "y" if k == 0 else "y2"
        bx, by, be = binned(dt_h[sel], f[sel], width, -half_h, half_h)
        data.append({"type": "scatter", "mode": "markers", "name": f"{name} transits", "x": _r(dt_h[sel], 4),
                     "y": _r(f[sel], 4), "xaxis": xa, "yaxis": ya, "showlegend": False,
                     "marker": {"size": 3, "color": col, "opacity": 0.35}, "hoverinfo": "skip"})
        data.append({"type": "scatter", "mode": "markers", "name": f"{name} (binned)", "x": _r(bx, 4), "y": _r(by, 4),
                     "xaxis": xa, "yaxis": ya, "marker": {"size": 6, "color": col},
                     "error_y": {"type": "data", "array": _r(be, 4), "visible": True, "thickness": 1, "width": 0,
                                 "color": col},
                     "hovertemplate": f"{name}<br>%{{x:.2f}} h<br>%{{y:.3f}} ppt<extra></extra>"})
        if depth is not None and math.isfinite(depth):
            for xr in (xa,):
                shapes.append({"type": "line", "xref": f"{xr} domain", "yref": ya, "x0": 0, "x1": 1,
                               "y0": -depth / 1e3, "y1": -depth / 1e3,
                               "line": {"color": col, "width": 1.5, "dash": "dash"}})
    title = "Odd and even transits"
    if odd_even_sigma is not None and math.isfinite(odd_even_sigma):
        title += f": depths differ by {odd_even_sigma:.1f}σ"
    lay = _layout(title, "Odd: hours", "Relative flux [ppt]", shapes=shapes)
    lay["xaxis"]["domain"] = [0.0, 0.48]
    lay["xaxis2"] = _axis("Even: hours", domain=[0.52, 1.0], anchor="y2")
    lay["showlegend"] = False
    lay["yaxis2"] = _axis("", anchor="x2", matches="y", showticklabels=False)
    return {"data": data, "layout": lay}


def secondary_figure(time: np.ndarray, flux: np.ndarray, *, period: float, epoch: float, duration: float,
                     phase: float = 0.5, depth_ppm: float | None = None, sigma: float | None = None,
                     planet_limit_ppm: float | None = None, window: float = 2.5) -> dict[str, Any]:
    """The light curve folded on the secondary-eclipse phase, with the measured secondary
    depth and the deepest occultation a planet could give."""
    t = np.asarray(time, float)
    centre = epoch + phase * period
    dt_h = phase_fold(t, period, centre) * period * 24.0
    half_h = window * duration * 24.0
    sel = np.abs(dt_h) <= half_h
    f = _ppt(flux)[sel]
    x = dt_h[sel]
    cad_h = float(np.median(np.diff(t))) * 24 if t.size > 1 else 0.5
    width = max(duration * 24 / 10, cad_h)
    bx, by, be = binned(x, f, width, -half_h, half_h)
    order = np.argsort(x)
    data = [
        {"type": "scatter", "mode": "markers", "name": "data", "x": _r(x[order], 4), "y": _r(f[order], 4),
         "marker": {"size": 3, "color": COLORS["data"], "opacity": 0.5}, "hoverinfo": "skip"},
        {"type": "scatter", "mode": "markers", "name": "binned", "x": _r(bx, 4), "y": _r(by, 4),
         "error_y": {"type": "data", "array": _r(be, 4), "visible": True, "thickness": 1, "width": 0,
                     "color": COLORS["binned"]},
         "marker": {"size": 5, "color": COLORS["binned"]}, "hovertemplate": "%{x:.2f} h<br>%{y:.3f} ppt<extra></extra>"},
    ]
    shapes = []
    if depth_ppm is not None and math.isfinite(depth_ppm):
        shapes.append({"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1, "y0": -depth_ppm / 1e3,
                       "y1": -depth_ppm / 1e3, "line": {"color": COLORS["model"], "width": 1.5, "dash": "dash"}})
        data.append({"type": "scatter", "mode": "lines", "name": f"measured {depth_ppm:.0f} ppm",
                     "x": [None], "y": [None], "line": {"color": COLORS["model"], "dash": "dash"}})
    if planet_limit_ppm is not None and math.isfinite(planet_limit_ppm):
        shapes.append({"type": "line", "xref": "x domain", "yref": "y", "x0": 0, "x1": 1,
                       "y0": -planet_limit_ppm / 1e3, "y1": -planet_limit_ppm / 1e3,
                       "line": {"color": COLORS["planet_transit"], "width": 1.2, "dash": "dot"}})
        data.append({"type": "scatter", "mode": "lines", "name": f"planet limit {planet_limit_ppm:.0f} ppm",
                     "x": [None], "y": [None], "line": {"color": COLORS["planet_transit"], "dash": "dot"}})
    title = f"Secondary eclipse at phase {phase:.3f}"
    if sigma is not None and math.isfinite(sigma):
        title += f" ({sigma:.1f}σ)"
    lay = _layout(title, "Hours from phase " + f"{phase:.3f}", "Relative flux [ppt]", shapes=shapes)
    return {"data": data, "layout": _inside_legend(lay)}


def probabilities_figure(probabilities: dict[str, float], titles: dict[str, str] | None = None, *,
                         title: str = "Class probabilities") -> dict[str, Any]:
    """Horizontal bars: each class's probability."""
    names = list(probabilities)
    titles = titles or {}
    data = [{"type": "bar", "orientation": "h", "y": [titles.get(n, n) for n in names][::-1],
             "x": [round(float(probabilities[n]), 4) for n in names][::-1],
             "marker": {"color": [COLORS.get(n, COLORS["binned"]) for n in names][::-1]},
             "text": [f"{probabilities[n]:.2f}" for n in names][::-1], "textposition": "outside",
             "hovertemplate": "%{y}: %{x:.3f}<extra></extra>", "cliponaxis": False}]
    lay = _layout(title, "Probability", "")
    lay["xaxis"]["range"] = [0, 1.12]
    lay["margin"] = {"l": 190, "r": 20, "t": 36, "b": 44}
    lay["showlegend"] = False
    return {"data": data, "layout": lay}


def contributions_figure(contributions: dict[str, Any]) -> dict[str, Any]:
    """Bars: change in p(planet) when each ensemble member or CNN branch is ablated
    (positive: it argued for a planet)."""
    labels, values = [], []
    for m in contributions.get("members") or []:
        labels.append(f"member: {m['name']}")
        values.append(m.get("contribution") or 0.0)
    for b in contributions.get("branches") or []:
        labels.append(f"CNN branch: {b['name']}")
        values.append(b.get("contribution") or 0.0)
    colors = [COLORS["positive"] if v >= 0 else COLORS["negative"] for v in values]
    data = [{"type": "bar", "orientation": "h", "y": labels[::-1], "x": [round(float(v), 4) for v in values][::-1],
             "marker": {"color": colors[::-1]}, "hovertemplate": "%{y}<br>Δp(planet) = %{x:.3f}<extra></extra>"}]
    lay = _layout("What moved p(planet): ablation of each part", "Δp(planet) = p(all) − p(part removed)", "")
    lay["margin"] = {"l": 170, "r": 20, "t": 36, "b": 44}
    lay["showlegend"] = False
    lay["xaxis"]["zeroline"] = True
    lay["xaxis"]["zerolinecolor"] = "#888"
    return {"data": data, "layout": lay}


def amplitude_spectrum_figure(frequency: np.ndarray, amplitude: np.ndarray, *, dominant_frequency: float | None,
                              other_periods: Sequence[float] = (), noise: float | None = None,
                              n_harmonics: int = 3) -> dict[str, Any]:
    """Lomb–Scargle amplitude spectrum (ppt) against frequency (cycles/day), the dominant
    peak marked with its period, its harmonics and the next peaks dotted, and the noise
    floor (median amplitude) dashed.

    Parameters
    ----------
    frequency : ndarray
        Cycles per day.
    amplitude : ndarray
        Semi-amplitude of the best-fitting sinusoid at each frequency (ppt).
    dominant_frequency : float or None
        Cycles per day.
    other_periods : sequence of float
        Next-highest independent peaks (days).
    noise : float, optional
        Noise floor (ppt).
    """
    f = np.asarray(frequency, float)
    a = np.asarray(amplitude, float)
    order = np.argsort(f)
    f, a = f[order], a[order]
    if f.size > 6000:  # keep each block's maximum so no peak disappears
        k = int(np.ceil(f.size / 3000))
        m = f.size // k * k
        idx = np.arange(m).reshape(-1, k)[np.arange(m // k), np.argmax(a[:m].reshape(-1, k), axis=1)]
        f, a = f[idx], a[idx]
    data = [{"type": "scatter", "mode": "lines", "name": "Lomb–Scargle", "x": _r(f, 5), "y": _r(a, 4),
             "line": {"color": COLORS["binned"], "width": 1},
             "hovertemplate": "%{x:.4f} c/d (P = %{customdata:.4f} d)<br>%{y:.3g} ppt<extra></extra>",
             "customdata": _r(1.0 / np.where(f > 0, f, np.nan), 5)}]
    shapes: list[dict[str, Any]] = []
    annotations: list[dict[str, Any]] = []
    title = "Lomb–Scargle amplitude spectrum"
    fmax = float(f[-1]) if f.size else 0.0
    if dominant_frequency is not None and math.isfinite(dominant_frequency) and dominant_frequency > 0:
        f1 = float(dominant_frequency)
        title += f" — dominant P = {1.0 / f1:.5g} d"
        for h in range(1, n_harmonics + 1):
            x = h * f1
            if x > fmax:
                break
            shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": x, "x1": x, "y0": 0, "y1": 1,
                           "line": {"color": COLORS["model"], "width": 1.4 if h == 1 else 0.8,
                                    "dash": "solid" if h == 1 else "dot"}})
            if h == 1 or f1 > 0.04 * fmax:  # harmonic labels would pile up at low frequency
                annotations.append({"x": x, "xref": "x", "yref": "paper", "y": 1.0, "yanchor": "bottom",
                                    "text": f"P = {1.0 / f1:.4g} d" if h == 1 else f"{h}f",
                                    "showarrow": False, "font": {"size": 10, "color": COLORS["model"]}})
        data.append({"type": "scatter", "mode": "markers", "name": "dominant peak", "x": [round(f1, 6)],
                     "y": [round(float(np.interp(f1, f, a)), 4)] if f.size else [None],
                     "marker": {"size": 9, "color": COLORS["model"], "symbol": "diamond"},
                     "hovertemplate": f"dominant: {f1:.5f} c/d, P = {1.0 / f1:.5f} d<extra></extra>"})
    for p in other_periods:
        if p and math.isfinite(p) and p > 0 and 1.0 / p <= fmax:
            shapes.append({"type": "line", "xref": "x", "yref": "paper", "x0": 1.0 / p, "x1": 1.0 / p, "y0": 0,
                           "y1": 0.9, "line": {"color": COLORS["other_variable"], "width": 0.8, "dash": "dot"}})
    if noise is not None and math.isfinite(noise):
        shapes.append({"type": "line", "xref": "paper", "yref": "y", "x0": 0, "x1": 1, "y0": noise, "y1": noise,
                       "line": {"color": "#888", "width": 1, "dash": "dash"}})
        annotations.append({"x": 1.0, "xref": "paper", "y": noise, "yref": "y", "xanchor": "right",
                            "yanchor": "bottom", "text": "noise floor", "showarrow": False,
                            "font": {"size": 10, "color": "#666"}})
    lay = _layout(title, "Frequency [cycles/day]", "Amplitude [ppt]", shapes=shapes, annotations=annotations,
                  showlegend=False)
    return {"data": data, "layout": lay}


def star_type_fold_figure(phase: np.ndarray, flux_ppt: np.ndarray, *, period: float,
                          time: np.ndarray | None = None, flux: np.ndarray | None = None) -> dict[str, Any]:
    """The light curve folded at the star-type fold period (binned means, ppt), phase 0 at
    the folded minimum and shown twice (−0.5 … 1.5) so a cycle is never cut; with
    ``time``/``flux`` the individual cadences are drawn too, aligned on the same minimum.

    Parameters
    ----------
    phase : ndarray
        Bin centres (0–1), folded minimum at 0 (``StarTypeEvidence.fold_phase``).
    flux_ppt : ndarray
        Mean relative flux per bin (ppt).
    period : float
        Fold period (days).
    time, flux : ndarray, optional
        The cadences the star type was measured on (BJD_TDB days, flagged cadences
        already removed) and their flux (any positive unit; shown relative to its median).
    """
    ph = np.asarray(phase, float)
    fl = np.asarray(flux_ppt, float)
    data: list[dict[str, Any]] = []
    if time is not None and flux is not None and math.isfinite(period) and period > 0 and ph.size:
        t = np.asarray(time, float)
        f = np.asarray(flux, float)
        ok = np.isfinite(t) & np.isfinite(f)
        t, f = t[ok], f[ok]
        med = float(np.median(f)) if f.size else float("nan")
        if t.size and med > 0:
            y = (f / med - 1.0) * 1e3
            # the star-type fold: phase of (t - first cadence)/P, rolled so the deepest of
            # the phase bins comes first (starskope.startypes.features.fold_shape)
            nb = ph.size
            raw = phase_fold(t, period, t.min(), start=0.0)
            k = np.minimum((raw * nb).astype(np.int64), nb - 1)
            cnt = np.bincount(k, minlength=nb)
            mean = np.bincount(k, weights=y, minlength=nb) / np.maximum(cnt, 1)
            roll = int(np.argmin(np.where(cnt > 0, mean, np.inf)))
            rph = phase_fold(raw, 1.0, roll / nb, start=0.0)
            rph = np.where(rph > 0.5, rph - 1.0, rph)
            if t.size > 20000:
                pick = np.linspace(0, t.size - 1, 20000).astype(int)
                rph, y = rph[pick], y[pick]
            data.append({"type": "scatter", "mode": "markers", "name": "cadences",
                         "x": _r(np.concatenate([rph, rph + 1.0]), 4), "y": _r(np.concatenate([y, y]), 3),
                         "marker": {"size": 2.5, "color": COLORS["data"], "opacity": 0.35}, "hoverinfo": "skip"})
    ph_c = np.where(ph > 0.5, ph - 1.0, ph)
    order = np.argsort(ph_c)
    x2 = np.concatenate([ph_c[order], ph_c[order] + 1.0])
    y2 = np.concatenate([fl[order], fl[order]])
    data.append({"type": "scatter", "mode": "lines+markers", "name": f"mean of {ph.size} phase bins",
                 "x": _r(x2, 4), "y": _r(y2, 4), "line": {"color": COLORS["binned"], "width": 1.5},
                 "marker": {"size": 4, "color": COLORS["binned"]},
                 "hovertemplate": "phase %{x:.3f}<br>%{y:.3g} ppt<extra></extra>"})
    p_txt = f"{period:.5g} d" if math.isfinite(period) else "—"
    lay = _layout(f"Folded at {p_txt} (twice the dominant period)", "Phase (minimum at 0)",
                  "Relative flux [ppt]", showlegend=False)
    lay["xaxis"]["range"] = [-0.5, 1.5]
    fin = y2[np.isfinite(y2)]
    if fin.size:
        lo, hi = float(fin.min()), float(fin.max())
        pad = 0.2 * max(hi - lo, 1e-3)
        lay["yaxis"]["range"] = [lo - pad, hi + pad]
    return {"data": data, "layout": lay}
