"""What kind of star is it? Star-type classification from a light curve.

>>> from starskope.startypes import classify_star_type
>>> result = classify_star_type(lc)                          # doctest: +SKIP
>>> result.star_type, result.probabilities["rr_lyrae"]       # doctest: +SKIP
>>> result.columns()        # {'star_type': ..., 'p_type_non_variable': ..., ...}  # doctest: +SKIP

Types (:data:`STAR_TYPES`): non_variable, eclipsing_binary, delta_scuti, gamma_dor,
rr_lyrae, rotational (spotted), planet_host, other. Features a scientist can read
(:mod:`.features`: Lomb–Scargle periods and amplitudes, harmonic ratios, folded eclipse
shape, box search, autocorrelation) plus a learned PCA representation of the periodogram
and folded curve feed gradient-boosted trees (:mod:`.model`), stored as JSON + NPZ
(:mod:`.trees`, no pickle). The shipped model lives in ``starskope/data/startypes`` and
is rebuilt by ``starskope startype train`` (:mod:`.training`, :mod:`.dataset`).
"""

from .api import (
    PPT,
    StarTypeEvidence,
    StarTypeResult,
    classify_star_type,
    classify_star_type_arrays,
    classify_star_types,
    probability_columns,
)
from .classes import STAR_TYPE_DESCRIPTIONS, STAR_TYPES, star_type_from_label
from .features import FEATURE_NAMES, FeatureSet, light_curve_features
from .model import StarTypeModel, load_default_model

__all__ = [
    "FEATURE_NAMES",
    "PPT",
    "STAR_TYPES",
    "STAR_TYPE_DESCRIPTIONS",
    "FeatureSet",
    "StarTypeEvidence",
    "StarTypeModel",
    "StarTypeResult",
    "classify_star_type",
    "classify_star_type_arrays",
    "classify_star_types",
    "light_curve_features",
    "load_default_model",
    "probability_columns",
    "star_type_from_label",
]
