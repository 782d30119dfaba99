"""Training and evaluation sets: every star analysed by :mod:`starskope.analysis`, the
same way ``classify`` analyses it, and turned into model inputs
(:class:`~starskope.features.dataset.FeatureSet`).

* real labelled stars of a data folder, split in two by star, stitched or file by file
  (:func:`real_features`), the Kepler DR24 TCEs at their catalogue ephemerides
  (:func:`dr24_tce_features`), planets and eclipsing binaries injected into real quiet
  stars (:func:`injected_features`), and whether each star's known signal is detectable
  at all (:func:`star_detectability`);
* light-curve files, light curves in memory and simulated missions
  (:func:`files_features`, :func:`files_from_lightcurves`,
  :func:`simulated_mission_features`);
* Kaggle-layout flux tables and their augmentation (:func:`table_features`,
  :func:`injected_table_features`), and how detectable each simulated host was
  (:func:`host_detectability`).

A data folder is always an argument (or ``$STARSKOPE_SHARED_DATA``): nothing here looks
for one on its own. Cached feature sets are keyed by the analysis settings and the source
of the analysis stages (:func:`analysis_code_hash`).
"""

from __future__ import annotations

from ._run import ANALYSIS_STAGES, analysis_code_hash, with_origin
from .detectability import DETECTABLE, known_signal_snr, star_detectability
from .files import (
    files_features,
    files_from_lightcurves,
    injected_table_features,
    simulated_mission_features,
    table_features,
)
from .hosts import host_detectability
from .real import (
    INJECTED_SNR,
    REAL_GROUPS,
    TCE_CLASS,
    UNITS,
    RealStar,
    dr24_tce_features,
    injected_features,
    read_real_star,
    real_features,
    real_stars,
    star_name,
)
from .verdicts import star_verdicts

__all__ = [
    "ANALYSIS_STAGES",
    "DETECTABLE",
    "INJECTED_SNR",
    "REAL_GROUPS",
    "TCE_CLASS",
    "UNITS",
    "RealStar",
    "analysis_code_hash",
    "dr24_tce_features",
    "files_features",
    "files_from_lightcurves",
    "host_detectability",
    "injected_features",
    "injected_table_features",
    "known_signal_snr",
    "read_real_star",
    "real_features",
    "real_stars",
    "simulated_mission_features",
    "star_detectability",
    "star_name",
    "star_verdicts",
    "table_features",
    "with_origin",
]
