"""Pixels: target pixel files and FFI cutouts — apertures, PSFs and difference images.

The pixel time series is read by :func:`read_pixels` (:mod:`starskope.io.tpf`, which also
gives :func:`starskope.io.read` its light curve of a pixel file); this stage does the
science on it:

* :func:`aperture_mask` / :func:`photometry` — the pipeline aperture, a threshold one, one
  grown for the best signal-to-noise ratio, or a circle, summed into the same light curve
  every reader returns;
* :data:`PSFS` / :func:`get_psf` / :func:`fit_psf` — each telescope's PSF (Kepler/K2 3.98″
  pixels, TESS 21″), integrated over pixels and fitted to images;
* :func:`difference_image` — in-transit minus out-of-transit images per transit and
  stacked, the PSF-fitted and flux-weighted centroid of the difference, its offset from the
  target in pixels and arcseconds with σ, the catalogued neighbour it points to, and the
  ``CENTROID_OFFSET`` verdict in words; :func:`cnn_images` turns it into the pixel model's
  input.

>>> from starskope.pixels import read_pixels, photometry, difference_image   # doctest: +SKIP
>>> series = read_pixels("ktwo211983544-c18_lpd-targ.fits.gz")                # doctest: +SKIP
>>> lc = photometry(series, "optimal")                                        # doctest: +SKIP
>>> di = difference_image(series, 3.2 * u.day, 2458251.3, 2.5 * u.hour)       # doctest: +SKIP
>>> di.offset_pixels, di.offset_sigma, di.flagged, di.reason                  # doctest: +SKIP
"""

from __future__ import annotations

from ..io.tpf import PixelSeries, is_pixel_file, pixel_photometry, read_pixels, threshold_aperture
from .apertures import APERTURES, aperture_mask, optimal_aperture, photometry, pixel_noise
from .difference import (
    DIFFERENCE_THRESHOLDS,
    PIXEL_SCALARS,
    POSITION_SYSTEMATIC_PIXELS,
    DifferenceImage,
    Neighbour,
    TransitImage,
    cnn_images,
    difference_image,
    difference_image_arrays,
    model_inputs,
    neighbours_from,
)
from .psf import PSF, PSFS, PSFFit, fit_psf, get_psf, psf_image, psf_images

__all__ = [
    "APERTURES",
    "DIFFERENCE_THRESHOLDS",
    "PIXEL_SCALARS",
    "POSITION_SYSTEMATIC_PIXELS",
    "PSF",
    "PSFS",
    "DifferenceImage",
    "Neighbour",
    "PSFFit",
    "PixelSeries",
    "TransitImage",
    "aperture_mask",
    "cnn_images",
    "difference_image",
    "difference_image_arrays",
    "fit_psf",
    "get_psf",
    "is_pixel_file",
    "model_inputs",
    "neighbours_from",
    "optimal_aperture",
    "photometry",
    "pixel_noise",
    "pixel_photometry",
    "psf_image",
    "psf_images",
    "read_pixels",
    "threshold_aperture",
]
