"""The report's pixel section: where on the sky the light is lost during the dip.

For a star analysed from a target pixel file or an FFI cutout, :func:`pixel_section` gives
the report document's ``pixels`` entry — the aperture summed into the light curve, the
difference image's result in words and numbers (offset of the dip's source from the target
in pixels and arcseconds with σ, its significance, the SNR, the ``CENTROID_OFFSET``
verdict) — and Plotly heatmaps: the out-of-transit image with the aperture, the stacked
in-minus-out-of-transit image with the target (+) and the located source (×), and, with a
pixel-aware model, the pixel CNN's saliency. Stars without pixels get no section.
"""

from __future__ import annotations

import math
from typing import Any

import numpy as np

from .plots import _layout

__all__ = ["difference_image_figure", "pixel_section"]


def _num(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if math.isfinite(v) else None


def _grid(img: np.ndarray) -> list[list[float | None]]:
    return [[None if _num(v) is None else round(float(v), 5) for v in row] for row in np.asarray(img, float)]


def difference_image_figure(image: np.ndarray, *, title: str, colorbar: str, diverging: bool,
                            target: tuple[float, float] | None = None, source: tuple[float, float] | None = None,
                            aperture: np.ndarray | None = None, corner: tuple[int, int] = (0, 0)) -> dict[str, Any]:
    """A Plotly heatmap of a pixel image (row 0 at the bottom), with the target (+), a
    located source (×) and an aperture outline."""
    img = np.asarray(image, float)
    ny, nx = img.shape
    trace: dict[str, Any] = {"type": "heatmap", "z": _grid(img), "x": list(range(nx)), "y": list(range(ny)),
                             "colorbar": {"title": {"text": colorbar, "side": "right"}, "thickness": 12},
                             "hovertemplate": "column %{x} (CCD %{customdata[0]}), row %{y} (CCD %{customdata[1]})"
                                              "<br>%{z:.4g}<extra></extra>",
                             "customdata": [[[c + corner[0], r + corner[1]] for c in range(nx)] for r in range(ny)]}
    if diverging:
        m = float(np.nanmax(np.abs(img))) if np.isfinite(img).any() else 1.0
        trace.update(colorscale="RdBu", reversescale=False, zmin=-m, zmax=m)  # Plotly's RdBu: red is high
    else:
        trace.update(colorscale="Viridis")
    data: list[dict[str, Any]] = [trace]
    if target is not None and all(np.isfinite(target)):
        data.append({"type": "scatter", "x": [target[0]], "y": [target[1]], "mode": "markers", "name": "target",
                     "marker": {"symbol": "cross-thin", "size": 16, "line": {"width": 3, "color": "#111"}}})
    if source is not None and all(np.isfinite(source)):
        data.append({"type": "scatter", "x": [source[0]], "y": [source[1]], "mode": "markers",
                     "name": "light lost (PSF fit)",
                     "marker": {"symbol": "x-thin", "size": 14, "line": {"width": 3, "color": "#d6006f"}}})
    shapes = []
    if aperture is not None:
        for r, c in zip(*np.nonzero(aperture), strict=True):
            shapes.append({"type": "rect", "x0": c - 0.5, "x1": c + 0.5, "y0": r - 0.5, "y1": r + 0.5,
                           "line": {"color": "#e4572e", "width": 2}})
    lay = _layout(title, "column", "row", shapes=shapes)
    lay["yaxis"].update(scaleanchor="x", constrain="domain")
    lay["xaxis"].update(constrain="domain")
    lay["legend"] = {"x": 0.0, "xanchor": "left", "y": -0.22, "yanchor": "top", "orientation": "h",
                     "font": {"size": 10}}
    return {"data": data, "layout": lay}


def pixel_section(analysis: Any, model: Any = None) -> tuple[dict[str, Any] | None, dict[str, Any]]:
    """The ``pixels`` entry of the report document and its figures (see the module docstring).

    Parameters
    ----------
    analysis : StarAnalysis
    model : StarskopeClassifier, optional
        A model with a ``saliency`` method (``pixel-ensemble``, ``pixel-cnn``): its saliency
        over the star's pixel inputs is drawn too.

    Returns
    -------
    (dict or None, dict)
        None and no figures for a star without pixels.
    """
    series = getattr(analysis, "pixels", None)
    if series is None:
        return None, {}
    from ..errors import StarskopeError
    from ..io.tpf import default_aperture

    figures: dict[str, Any] = {}
    try:
        aperture, ap_name, _ = default_aperture(series)
    except StarskopeError:
        aperture, ap_name = None, "none"
    doc: dict[str, Any] = {
        "product": series.product, "stamp": [series.shape[0], series.shape[1]],
        "pixel_scale_arcsec": _num(series.pixel_scale.to_value("arcsec")), "corner": list(series.corner),
        "target": None if series.target is None else [_num(series.target[0]), _num(series.target[1])],
        "aperture": {"name": ap_name, "n_pixels": 0 if aperture is None else int(aperture.sum())},
    }
    di = getattr(analysis, "difference_image", None)
    if di is None:
        doc["measured"] = False
        doc["reason"] = ("no difference image: no vetted transit candidate" if analysis.candidate is None
                         or analysis.vetting is None else "no difference image could be made of this candidate")
        figures["pixels_median"] = difference_image_figure(
            series.median_image(), title="Median image", colorbar="e⁻/s", diverging=False, target=series.target,
            aperture=aperture, corner=series.corner)
        return doc, figures
    doc.update({k: v for k, v in di.to_dict().items()
                if k not in ("difference", "difference_err", "out_of_transit", "in_transit")})
    figures["pixels_out_of_transit"] = difference_image_figure(
        di.out_of_transit, title="Out of transit, with the aperture", colorbar="e⁻/s", diverging=False,
        target=di.target, aperture=aperture, corner=series.corner)
    figures["difference_image"] = difference_image_figure(
        di.difference, title=f"Difference image: out − in ({len(di.transits)} transits)", colorbar="e⁻/s",
        diverging=True, target=di.target, source=(di.psf_fit.column, di.psf_fit.row), corner=series.corner)
    sal = _saliency(analysis, model)
    if sal is not None:
        doc["saliency"] = {"model": getattr(model, "model_name", ""),
                           "what": "gradient × input of the pixel CNN's planet log-probability, summed over its "
                                   "three images; the stamp is centred on the target's pixel"}
        figures["pixel_saliency"] = difference_image_figure(
            sal, title="Pixel CNN saliency (planet)", colorbar="for planet", diverging=True,
            target=(sal.shape[1] // 2, sal.shape[0] // 2))
    return doc, figures


def _saliency(analysis: Any, model: Any) -> np.ndarray | None:
    if model is None or not hasattr(model, "saliency") or "pixel_images" not in analysis.features.meta:
        return None
    from ..errors import StarskopeError

    try:
        return np.asarray(model.saliency(analysis.features))[0]
    except (StarskopeError, ValueError, RuntimeError):  # an illustration: a model that cannot draw one leaves it out
        return None
