"""Apertures on a pixel stamp, and photometry through them into a starskope light curve.

:func:`aperture_mask` gives a boolean mask by name:

=============  ===========================================================================
``pipeline``   the mission pipeline's optimal aperture (APERTURE bit 2); absent in FFI
               cutouts
``threshold``  pixels 3 robust σ above the stamp's median, connected to the target
               (lightkurve's ``create_threshold_mask`` rule)
``optimal``    grown pixel by pixel from the target's brightest pixel, brightest
               neighbours first, for as long as the flux's signal-to-noise ratio rises
               (photon, background and read noise of each pixel; Howell 1989)
``circle``     the pixels whose centres lie within ``radius`` pixels of the target
=============  ===========================================================================

:func:`photometry` sums the chosen aperture into the same light curve
:func:`starskope.io.read` returns, so everything downstream works on it.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np
from scipy import ndimage

from ..errors import LightCurveDataError, ParameterError, UnknownNameError
from ..io.tpf import PixelSeries, pixel_photometry, threshold_aperture

__all__ = ["APERTURES", "aperture_mask", "optimal_aperture", "photometry", "pixel_noise"]

#: The aperture names :func:`aperture_mask` knows, with what each is.
APERTURES: dict[str, str] = {
    "pipeline": "the mission pipeline's optimal aperture (APERTURE bit 2)",
    "threshold": "pixels 3 robust σ above the stamp's median, connected to the target",
    "optimal": "grown from the target's brightest pixel while the signal-to-noise ratio rises",
    "circle": "pixel centres within a radius of the target",
}


def pixel_noise(series: PixelSeries) -> np.ndarray:
    """Robust per-cadence noise of each pixel [e⁻/s]: the larger of the file's median
    FLUX_ERR and the point-to-point scatter of the pixel's time series (÷ √2), which also
    holds the noise the errors leave out (pointing jitter, K2 roll). Shape (rows, columns)."""
    f = np.asarray(series.flux.value, np.float64)
    good = series.quality == 0
    if good.sum() < 10:
        good = np.ones(len(series), bool)
    d = np.diff(f[good], axis=0)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)  # all-NaN pixels give NaN, said by the result
        med = np.nanmedian(d, axis=0)
        p2p = 1.4826 * np.nanmedian(np.abs(d - med), axis=0) / np.sqrt(2.0)
        formal = np.nanmedian(np.asarray(series.flux_err.value[good], np.float64), axis=0)
    out = np.fmax(p2p, formal)
    return np.where(np.isfinite(out) & (out > 0), out, np.nan)


def _start_pixel(series: PixelSeries, img: np.ndarray) -> tuple[int, int]:
    """(row, column) of the brightest pixel within 1.5 pixels of the target (or of the stamp)."""
    ny, nx = img.shape
    rr, cc = np.mgrid[0:ny, 0:nx]
    near = np.isfinite(img)
    if series.target is not None:
        close = near & ((cc - series.target[0]) ** 2 + (rr - series.target[1]) ** 2 <= 1.5**2)
        if close.any():
            near = close
    if not near.any():
        raise LightCurveDataError(f"{series.source}: every pixel of the median image is NaN")
    k = int(np.argmax(np.where(near, img, -np.inf)))
    return int(k // nx), int(k % nx)


def optimal_aperture(series: PixelSeries, *, max_pixels: int | None = None) -> np.ndarray:
    """The aperture of highest signal-to-noise ratio grown from the target's brightest pixel.

    Pixels are added in order of decreasing median flux among the neighbours (8-connected)
    of the aperture; the aperture stops growing when a pixel would lower
    SNR = ΣF / √(Σσ²), σ being :func:`pixel_noise`.

    Parameters
    ----------
    series : PixelSeries
    max_pixels : int, optional
        Largest aperture (default: half the stamp).

    Raises
    ------
    LightCurveDataError
        The median image has no positive pixel near the target.
    """
    img = series.median_image()
    noise = pixel_noise(series)
    ny, nx = img.shape
    limit = max_pixels or max(1, (ny * nx) // 2)
    r0, c0 = _start_pixel(series, img)
    if not (np.isfinite(img[r0, c0]) and img[r0, c0] > 0):
        raise LightCurveDataError(f"{series.source}: the target's brightest pixel has no positive flux; no aperture "
                                  "can be grown from it")
    mask = np.zeros((ny, nx), bool)
    mask[r0, c0] = True
    s, v = float(img[r0, c0]), float(noise[r0, c0] ** 2) if np.isfinite(noise[r0, c0]) else 1.0
    best = s / np.sqrt(v)
    while mask.sum() < limit:
        grown = ndimage.binary_dilation(mask, structure=np.ones((3, 3), bool))
        cand = grown & ~mask & np.isfinite(img) & np.isfinite(noise)
        if not cand.any():
            break
        k = int(np.argmax(np.where(cand, img, -np.inf)))
        r, c = k // nx, k % nx
        snr = (s + img[r, c]) / np.sqrt(v + noise[r, c] ** 2)
        if not snr > best:
            break
        mask[r, c] = True
        s += float(img[r, c])
        v += float(noise[r, c] ** 2)
        best = snr
    return mask


def _circle(series: PixelSeries, radius: float) -> np.ndarray:
    if not radius > 0:
        raise ParameterError(f"radius must be a positive number of pixels; got {radius}")
    ny, nx = series.shape
    if series.target is not None:
        c0, r0 = series.target
    else:
        r0, c0 = _start_pixel(series, series.median_image())
    rr, cc = np.mgrid[0:ny, 0:nx]
    mask = (cc - c0) ** 2 + (rr - r0) ** 2 <= radius**2
    if not mask.any():
        raise ParameterError(f"{series.source}: no pixel centre lies within {radius:g} pixels of the target")
    return mask


def aperture_mask(series: PixelSeries, aperture: str | np.ndarray = "pipeline", *, radius: float = 2.0,
                  threshold: float = 3.0) -> tuple[np.ndarray, str]:
    """An aperture by name, or a given mask checked.

    Parameters
    ----------
    series : PixelSeries
    aperture : str or ndarray of bool
        One of :data:`APERTURES`, or a boolean mask of the stamp's shape.
    radius : float
        Radius of the ``circle`` aperture [pixels].
    threshold : float
        Of the ``threshold`` aperture [robust σ].

    Returns
    -------
    (ndarray of bool, str)
        The mask and its name ('chosen' for a given mask).

    Raises
    ------
    UnknownNameError
        An unknown aperture name (the message lists the known ones).
    LightCurveDataError
        'pipeline' for a file without one.
    ParameterError
        A mask of the wrong shape or type, or an empty one.
    """
    if not isinstance(aperture, str):
        mask = np.asarray(aperture)
        if mask.dtype != bool or mask.shape != series.shape or not mask.any():
            raise ParameterError(f"{series.source}: an aperture must be a non-empty boolean mask of "
                                 f"{series.shape[0]}×{series.shape[1]} pixels; got {mask.dtype} {mask.shape}")
        return mask, "chosen"
    name = aperture.lower()
    if name not in APERTURES:
        raise UnknownNameError(f"unknown aperture {aperture!r}; known apertures: {', '.join(APERTURES)}")
    if name == "pipeline":
        if series.pipeline_aperture is None:
            raise LightCurveDataError(
                f"{series.source}: the file has no pipeline aperture (no APERTURE extension, or bit 2 set in no pixel); "
                "choose aperture='threshold' or 'optimal'")
        return series.pipeline_aperture, name
    if name == "threshold":
        return threshold_aperture(series, threshold), name
    if name == "optimal":
        return optimal_aperture(series), name
    return _circle(series, radius), name


def photometry(series: PixelSeries, aperture: str | np.ndarray = "pipeline", **kwargs: Any) -> Any:
    """Sum an aperture into a starskope light curve (absolute TDB time, e⁻/s, the meta keys
    and provenance every reader gives, centroids and background as extra columns).

    Parameters
    ----------
    series : PixelSeries
    aperture : str or ndarray of bool
        A name of :data:`APERTURES` or a mask (see :func:`aperture_mask`).
    **kwargs
        ``radius`` and ``threshold`` of :func:`aperture_mask`; ``quality_bitmask`` and
        ``target_id`` as for :func:`starskope.io.read`.

    Returns
    -------
    lightkurve.LightCurve
    """
    quality_bitmask = kwargs.pop("quality_bitmask", "none")
    target_id = kwargs.pop("target_id", None)
    mask, name = aperture_mask(series, aperture, **kwargs)
    return pixel_photometry(series, mask, name=name, target_id=target_id, quality_bitmask=quality_bitmask)
