"""The classes starskope's classifiers predict, and how catalogue labels map onto them.

Four classes cover what a dip-finder meets in a light curve:

=======================  =====================================================================
``planet_transit``       a transiting planet (confirmed host, candidate, injected transit)
``eclipsing_binary``     an eclipsing binary, on target or blended
``other_variable``       stellar variability or an instrument systematic (pulsators, spots,
                         RR Lyrae, K2 roll residuals) that is not an eclipse
``nothing_significant``  a quiet star: nothing above the noise
=======================  =====================================================================

``p_planet`` is the probability of ``planet_transit``.
"""

from __future__ import annotations

from collections.abc import Iterable

import numpy as np

from ..errors import ParameterError

__all__ = [
    "CLASSES",
    "MANIFEST_CLASS_MAP",
    "PLANET",
    "TRUTH_CLASS_MAP",
    "class_index",
    "class_names",
    "from_kaggle_labels",
    "from_manifest_class",
    "from_truth_class",
]

#: The classes, in the column order of every ``predict_proba``.
CLASSES: tuple[str, ...] = ("planet_transit", "eclipsing_binary", "other_variable", "nothing_significant")

#: Name of the planet class (``p_planet`` is its probability).
PLANET: str = CLASSES[0]

#: shared/data manifest ``class`` → starskope class (None: not usable as a label).
MANIFEST_CLASS_MAP: dict[str, str | None] = {
    "planet_host": "planet_transit",
    "planet_candidate": "planet_transit",
    "eclipsing_binary": "eclipsing_binary",
    "delta_scuti": "other_variable",
    "gamma_dor": "other_variable",
    "rr_lyrae": "other_variable",
    "rotational": "other_variable",
    "variable": "other_variable",
    "non_variable": "nothing_significant",
    "no_known_planet": "nothing_significant",
    "unknown": None,
}


#: Simulator ``truth.csv`` ``class`` → starskope class.
TRUTH_CLASS_MAP: dict[str, str] = {
    "planet": "planet_transit",
    "eclipsing_binary": "eclipsing_binary",
    "background_eb": "eclipsing_binary",
    "spotted": "other_variable",
    "delta_scuti": "other_variable",
    "gamma_dor": "other_variable",
    "rr_lyrae": "other_variable",
    "single_event": "other_variable",
    "systematics": "other_variable",
    "quiet": "nothing_significant",
}


def class_index(labels: Iterable[str | int] | np.ndarray) -> np.ndarray:
    """Integer class indices (positions in :data:`CLASSES`) of class names or indices.

    Raises
    ------
    ParameterError
        A name that is not a class, or an index outside 0–3.
    """
    out = []
    items = labels.ravel().tolist() if isinstance(labels, np.ndarray) else list(labels)
    for v in items:
        if isinstance(v, str | np.str_):
            if str(v) not in CLASSES:
                raise ParameterError(f"unknown class {str(v)!r}; classes are {', '.join(CLASSES)}")
            out.append(CLASSES.index(str(v)))
        else:
            i = int(v)
            if i != v or not 0 <= i < len(CLASSES):
                raise ParameterError(f"class index {i} outside 0..{len(CLASSES) - 1}")
            out.append(i)
    return np.asarray(out, dtype=np.int64)


def class_names(index: Iterable[int] | np.ndarray) -> np.ndarray:
    """Class names of integer indices."""
    return np.asarray([CLASSES[int(i)] for i in np.asarray(index).ravel()], dtype=object)


def from_kaggle_labels(labels: np.ndarray) -> np.ndarray:
    """Kaggle ``LABEL`` (2 host, 1 not) → 1 for a planet host, 0 otherwise.

    Raises
    ------
    ParameterError
        A label other than 1 or 2.
    """
    lab = np.asarray(labels)
    bad = ~np.isin(lab, (1, 2))
    if bad.any():
        raise ParameterError(f"Kaggle labels must be 1 (no planet) or 2 (planet host); found {np.unique(lab[bad])[:5]}")
    return (lab == 2).astype(np.int64)


def from_manifest_class(name: str) -> str | None:
    """starskope class of a shared/data manifest ``class`` (None when unusable).

    Raises
    ------
    ParameterError
        A manifest class starskope does not know.
    """
    if name not in MANIFEST_CLASS_MAP:
        raise ParameterError(f"unknown manifest class {name!r}; known: {', '.join(MANIFEST_CLASS_MAP)}")
    return MANIFEST_CLASS_MAP[name]


def from_truth_class(name: str) -> str:
    """starskope class of a simulator ``truth.csv`` class (a starskope class name passes
    through).

    Raises
    ------
    ParameterError
        A class the simulator does not have.
    """
    if name in CLASSES:
        return name
    if name not in TRUTH_CLASS_MAP:
        raise ParameterError(f"unknown simulator class {name!r}; known: {', '.join(TRUTH_CLASS_MAP)}")
    return TRUTH_CLASS_MAP[name]
