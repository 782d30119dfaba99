"""The default cleaning chain for each telescope."""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np

from ..errors import LightCurveDataError, ParameterError
from ..lightcurve import arrays
from ._util import mission_name
from .detrend import detrend
from .fft import fft_filter
from .k2roll import CENTROID_COLUMNS, correct_k2_roll
from .outliers import remove_jitter, remove_outliers
from .quality import mask_quality, remove_nans

__all__ = ["clean"]


def clean(
    lc: Any,
    *,
    mission: str | None = None,
    quality: str | int = "default",
    roll_correction: bool | None = None,
    outliers: bool = True,
    sigma_upper: float = 4.0,
    method: str | None = "biweight",
    window: u.Quantity | None = None,
    period_max: u.Quantity | None = None,
    stellar_density: u.Quantity | tuple[u.Quantity, u.Quantity] | None = None,
    fft: bool = False,
) -> Any:
    """Clean a light curve with its telescope's defaults, ready for the transit search.

    The chain, each step recorded in ``meta['PROVENANCE']``:

    1. :func:`mask_quality` with the telescope's named mask (skipped, and said so,
       when the telescope is unknown and ``quality`` is a name);
    2. :func:`remove_nans`;
    3. K2 only: :func:`correct_k2_roll` when the light curve has centroid columns
       (``roll_correction=None`` decides automatically; a K2SFF/EVEREST flux without
       centroids passes through with a note);
    4. :func:`remove_jitter` (stretches of pointing jitter), then :func:`remove_outliers`
       (upward only, ``sigma_upper``);
    5. :func:`detrend` with ``method`` (biweight by default, window 3 × the longest
       plausible transit at ``period_max``), or :func:`fft_filter` when ``fft=True``.

    Parameters
    ----------
    lc : lightkurve.LightCurve
        A light curve from :func:`starskope.io.read` (or :func:`stitch`).
    mission : str, optional
        Telescope, when ``lc.meta['MISSION']`` is missing or to override it.
    quality : {'default', 'hard', 'hardest', 'none'} or int
        QUALITY mask.
    roll_correction : bool, optional
        Force the K2 roll correction on or off (default: on for K2 with centroids).
    outliers : bool
        Remove upward outliers and jittery stretches.
    sigma_upper : float
        Outlier threshold in robust σ.
    method : str or None
        Detrender name (see :data:`~starskope.clean.detrend.DETRENDERS`); None stops
        before detrending (flux in its own unit, no ``trend`` column), for a caller that
        detrends several ways (:func:`detrend`).
    window : Quantity [time], optional
        Detrending window (default from ``period_max`` and ``stellar_density``).
    period_max : Quantity [time], optional
        Longest period the search will try (default half the time span).
    stellar_density : Quantity or (Quantity, Quantity), optional
        Stellar density (range); default FGKM dwarfs.
    fft : bool
        Use the Fourier-space filter instead of ``method``.

    Returns
    -------
    lightkurve.LightCurve
        Normalised, detrended flux (≈ 1) with the removed trend as a ``trend`` column.

    Raises
    ------
    ParameterError
        ``roll_correction=True`` for a light curve that is not from K2.
    LightCurveDataError
        The flux's median is not positive (a flux centred on zero cannot be normalised).
    UnknownNameError
        Unknown telescope, quality mask or detrender.
    """
    name = mission_name(lc, mission)
    out = lc
    if mission is not None:
        out = lc.copy()
        out.meta["MISSION"] = mission
    if name is not None and "+" in name:  # stitched (multi.stitch_missions): each piece already masked
        out = mask_quality(out, 0)
        out.meta["PROVENANCE"][-1] += f" ({name} pieces were masked by their own telescope's mask when stitched)"
        name = None
    elif name is None and not isinstance(quality, (int, np.integer)) and str(quality).lower() != "none":
        out = mask_quality(out, 0)
        out.meta["PROVENANCE"][-1] += f" (telescope unknown: named mask {quality!r} not applied)"
    else:
        out = mask_quality(out, quality, mission=name)
    out = remove_nans(out)
    _check_positive(out)
    is_k2 = name is not None and name.upper() == "K2"
    if roll_correction and not is_k2:
        raise ParameterError(f"roll_correction=True applies to K2 light curves; this one is from {name}")
    if roll_correction or (roll_correction is None and is_k2):
        out = correct_k2_roll(out)
    elif is_k2 and any(p[0] in out.colnames for p in CENTROID_COLUMNS):
        out.meta["PROVENANCE"] = [*out.meta["PROVENANCE"], "correct_k2_roll: switched off by caller"]
    if outliers:
        out = remove_outliers(remove_jitter(out), sigma_upper=sigma_upper)
    if fft:
        return fft_filter(out, cutoff=window, period_max=period_max, stellar_density=stellar_density)
    if method is None:
        return out
    return detrend(out, method, window, period_max=period_max, stellar_density=stellar_density)


def _check_positive(lc: Any) -> None:
    """A flux that every step can divide by its median: positive. A flux centred on zero
    is a relative deviation whose scale the file does not say (the readers turn one with a
    scaled unit, such as TASOC's ppm, into a flux)."""
    flux = arrays(lc).flux
    flux = flux[np.isfinite(flux)]
    med = float(np.median(flux)) if flux.size else float("nan")
    if not med > 0:
        name = lc.meta.get("FILENAME") or "light curve"
        raise LightCurveDataError(
            f"{name}: the flux's median is {med:.3g}, not positive, so it cannot be normalised; a flux centred on "
            "zero is a relative deviation: give the column a unit (e.g. ppm) or add 1 to it")
