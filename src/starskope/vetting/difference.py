"""The difference-image diagnostic: where on the sky the light is lost during the dip.

Registered as ``difference_image`` in :data:`~starskope.vetting.diagnostics.DIAGNOSTICS`. It
runs only when pixels are given (``vet(..., pixels=read_pixels(path))``): the measurement
is :func:`starskope.pixels.difference_image_arrays` at the vetted ephemeris (refined epoch
and duration), and the lines it adds are the offset of the dip's source from the target
(pixels, with σ), the same in arcseconds, its significance and the difference image's SNR.
``CENTROID_OFFSET`` is raised with the measurement's reason in words; the
:class:`~starskope.pixels.DifferenceImage` itself is kept in the report's ``products``
(the report and the web page draw it).
"""

from __future__ import annotations

import astropy.units as u

from ..errors import LightCurveDataError, ParameterError
from ..pixels import difference_image_arrays
from .context import VettingContext
from .diagnostics import DIAGNOSTICS, Findings

__all__ = ["difference_image"]

#: Vetting threshold → the pixels stage's name for it.
_THRESHOLD_NAMES = {
    "difference_image_sigma": "sigma_threshold",
    "difference_image_offset_pixels": "offset_threshold_pixels",
    "difference_image_min_snr": "min_snr",
}


@DIAGNOSTICS.register("difference_image")
def difference_image(ctx: VettingContext) -> Findings:
    """Stacked in-transit minus out-of-transit images: offset of the dip's source from the
    target (``CENTROID_OFFSET``: at least ``difference_image_offset_pixels`` away at
    ≥ ``difference_image_sigma``). Nothing to report without pixels."""
    out = Findings()
    series = getattr(ctx, "pixels", None)
    if series is None:
        return out
    th = {mine: float(ctx.th[name]) for name, mine in _THRESHOLD_NAMES.items() if name in ctx.th}
    label = "Difference-image offset"
    try:
        di = difference_image_arrays(series, ctx.period, ctx.epoch_r, ctx.dur,
                                     neighbours=getattr(ctx, "pixel_neighbours", ()) or (), thresholds=th)
    except (LightCurveDataError, ParameterError) as exc:
        out.add("diff_offset", float("nan"), "pix", th.get("offset_threshold_pixels"), "neutral",
                f"no difference image: {exc}", label)
        return out
    out.products["difference_image"] = di
    th_px, th_sig = di.thresholds["offset_threshold_pixels"], di.thresholds["sigma_threshold"]
    if not di.measured:
        verdict = "neutral"
    elif di.flagged:
        verdict = "not planet"
    elif di.offset_sigma < th_sig or di.offset_pixels < th_px:
        verdict = "planet"
    else:
        verdict = "neutral"
    out.add("diff_offset", di.offset_pixels if di.measured else float("nan"), "pix", th_px, verdict, di.reason, label)
    out.add("diff_offset_angle", (di.offset_arcsec if di.measured else float("nan")) * u.arcsec, "arcsec",
            th_px * di.pixel_scale_arcsec, "neutral",
            f"the same offset on the sky ({di.pixel_scale_arcsec:.2f}″ pixels): "
            f"{di.offset_arcsec:.1f} ± {di.offset_err_arcsec:.1f}″" if di.measured else "not measured",
            "Difference-image offset (sky)")
    out.add("diff_offset_significance", di.offset_sigma if di.measured else float("nan"), "sigma", th_sig, "neutral",
            "significance of the offset: Gaussian σ of its 2-dof χ², errors from the per-pixel noise",
            "Difference-image offset significance")
    out.add("diff_image_snr", di.snr, "", di.thresholds["min_snr"], "neutral",
            f"the light lost in transit is seen at {di.snr:.1f}σ in the stacked difference of {len(di.transits)} "
            "transits (PSF-fitted flux over its error)", "Difference-image SNR")
    if di.flagged:
        out.flag("CENTROID_OFFSET", di.reason, "diff_offset")
    return out
