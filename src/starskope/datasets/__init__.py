"""Training and evaluation sets: every star analysed by :mod:`starskope.analysis`, the
same way ``classify`` analyses it, and turned into model inputs
(:class:`~starskope.features.dataset.FeatureSet`).

* real labelled stars of a data folder, split in two by star (:func:`real_features`),
  the Kepler DR24 TCEs at their catalogue ephemerides (:func:`dr24_tce_features`) and
  planets injected into real quiet stars (:func:`injected_features`);
* light-curve files, light curves in memory and simulated missions
  (:func:`files_features`, :func:`files_from_lightcurves`,
  :func:`simulated_mission_features`);
* Kaggle-layout flux tables and their augmentation (:func:`table_features`,
  :func:`injected_table_features`), and how detectable each simulated host was
  (:func:`host_detectability`).

A data folder is always an argument (or ``$STARSKOPE_SHARED_DATA``): nothing here looks
for one on its own.
"""

from __future__ import annotations

from .files import (
    files_features,
    files_from_lightcurves,
    injected_table_features,
    simulated_mission_features,
    table_features,
)
from .hosts import host_detectability
from .real import (
    REAL_GROUPS,
    RealStar,
    dr24_tce_features,
    injected_features,
    read_real_star,
    real_features,
    real_stars,
)

__all__ = [
    "REAL_GROUPS",
    "RealStar",
    "dr24_tce_features",
    "files_features",
    "files_from_lightcurves",
    "host_detectability",
    "injected_features",
    "injected_table_features",
    "read_real_star",
    "real_features",
    "real_stars",
    "simulated_mission_features",
    "table_features",
]
