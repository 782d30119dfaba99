"""Cleaning, per telescope: QUALITY masks, outliers and jitter, K2 roll, stitching, detrending.

Every function takes a :class:`lightkurve.LightCurve` and returns a new one with the step
recorded in ``meta['PROVENANCE']``, so steps chain::

    >>> lc = detrend(remove_outliers(remove_nans(mask_quality(raw))))   # doctest: +SKIP
    >>> lc = clean(raw)                                                   # doctest: +SKIP

Each step has a plain-array core (``quality_keep``, ``outlier_mask``, ``jitter_mask``, ``detrend_arrays``,
``sff_correction``, ``fft_lowpass_trend``) for batch work.
"""

from .detrend import DETRENDERS, Detrender, detrend, detrend_arrays, divide_trend, fit_trend
from .durations import (
    DEFAULT_STELLAR_DENSITY,
    SOLAR_DENSITY,
    default_window,
    duration_limits_days,
    transit_duration_range,
)
from .fft import fft_filter, fft_lowpass_trend
from .k2roll import CENTROID_COLUMNS, correct_k2_roll, sff_correction
from .outliers import (
    JITTER_FACTOR,
    JITTER_MARGIN_DAYS,
    jitter_mask,
    outlier_mask,
    remove_jitter,
    remove_outliers,
)
from .pipeline import clean
from .quality import cosmic_ray_bits, mask_quality, quality_keep, remove_nans
from .stitch import stitch

__all__ = [
    "CENTROID_COLUMNS",
    "DEFAULT_STELLAR_DENSITY",
    "DETRENDERS",
    "JITTER_FACTOR",
    "JITTER_MARGIN_DAYS",
    "SOLAR_DENSITY",
    "Detrender",
    "clean",
    "correct_k2_roll",
    "cosmic_ray_bits",
    "default_window",
    "detrend",
    "detrend_arrays",
    "divide_trend",
    "duration_limits_days",
    "fft_filter",
    "fft_lowpass_trend",
    "fit_trend",
    "jitter_mask",
    "mask_quality",
    "outlier_mask",
    "quality_keep",
    "remove_jitter",
    "remove_nans",
    "remove_outliers",
    "sff_correction",
    "stitch",
    "transit_duration_range",
]
