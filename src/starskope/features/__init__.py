"""Views and features: what the classifiers see of a star.

Built on a physical time grid so one model serves Kepler, K2 and TESS:

* :mod:`~starskope.features.views` — phase-folded global (2001 bins) and local (201 bins,
  ±2 transit durations) views, odd/even and secondary-eclipse views (AstroNet, ExoMiner);
* :mod:`~starskope.features.spectrogram` — time–frequency images on a uniform 30-min grid;
* :mod:`~starskope.features.scalars` — search, vetting, view and light-curve scalars;
* :mod:`~starskope.features.eclipses` — eclipsing-binary tells at the candidate's
  ephemeris (secondary, odd/even, ellipsoidal variation, V shape) for every star;
* :mod:`~starskope.features.dataset` — :class:`FeatureSet`, the input of every model, and
  :func:`extract_features`.
"""

from .dataset import META_COLUMNS, FeatureSet, StarData, extract_features, star_features
from .eclipses import ECLIPSE_FEATURES, eclipse_features
from .scalars import (
    FEATURE_VERSION,
    LIGHTCURVE_FEATURES,
    SCALAR_NAMES,
    SEARCH_FEATURES,
    VETTING_FEATURES,
    VIEW_FEATURES,
    lightcurve_features,
    search_features,
    vetting_features,
    view_features,
)
from .spectrogram import SpectrogramSpec, spectrogram_image, spectrogram_images, uniform_grid
from .views import (
    VIEW_NAMES,
    ViewSpec,
    binned_mean,
    global_view,
    local_view,
    normalize_views,
    odd_even_views,
    secondary_view,
    star_views,
)

__all__ = [
    "ECLIPSE_FEATURES",
    "FEATURE_VERSION",
    "LIGHTCURVE_FEATURES",
    "META_COLUMNS",
    "SCALAR_NAMES",
    "SEARCH_FEATURES",
    "VETTING_FEATURES",
    "VIEW_FEATURES",
    "VIEW_NAMES",
    "FeatureSet",
    "SpectrogramSpec",
    "StarData",
    "ViewSpec",
    "binned_mean",
    "eclipse_features",
    "extract_features",
    "global_view",
    "lightcurve_features",
    "local_view",
    "normalize_views",
    "odd_even_views",
    "search_features",
    "secondary_view",
    "spectrogram_image",
    "spectrogram_images",
    "star_features",
    "star_views",
    "uniform_grid",
    "vetting_features",
    "view_features",
]
