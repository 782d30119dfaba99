"""Classifiers: the original starskope CNN reproduced, and starskope's own models.

Every model follows the scikit-learn estimator contract (:mod:`.base`) and is looked up
by name in :data:`MODELS`:

=================  =====================================================================
original-cnn       the original project's 1-D CNN on raw flux rows (the baseline)
view-cnn           multi-branch CNN on phase-folded views and scalar features
spectrogram-cnn    2-D CNN on time–frequency images
dbn                deep belief network (stacked RBMs, contrastive divergence, fine-tuned)
gbt                gradient-boosted trees on the physical vetting features
ensemble           stacked ensemble of the four with calibrated probabilities
pixel-cnn          2-D CNN on difference and out-of-transit images (pixel files)
pixel-ensemble     a light-curve model plus pixel-cnn, stacked where pixels exist
=================  =====================================================================

Model files are folders of weights plus JSON (:func:`save_model`, :func:`load_model`);
:func:`default_model` loads the model shipped with starskope.
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

from .base import StarskopeClassifier
from .io import FORMAT_VERSION, load_model, model_identity, read_model_json, save_model
from .labels import (
    CLASSES,
    PLANET,
    class_index,
    class_names,
    from_kaggle_labels,
    from_manifest_class,
)

__all__ = [
    "CLASSES",
    "DEFAULT_MODEL_DIR",
    "FORMAT_VERSION",
    "MODELS",
    "PLANET",
    "ModelSpec",
    "StarskopeClassifier",
    "class_index",
    "class_names",
    "default_model",
    "from_kaggle_labels",
    "from_manifest_class",
    "load_model",
    "make_model",
    "model_identity",
    "p_planet",
    "read_model_json",
    "save_model",
]

#: Folder of the model shipped inside the package.
DEFAULT_MODEL_DIR: Path = Path(__file__).resolve().parents[1] / "data" / "default-model"

_LAZY = {"MODELS", "ModelSpec", "make_model"}


def __getattr__(name: str) -> Any:
    # the registry imports torch-backed modules; load it only when asked for
    if name in _LAZY:
        from . import registry

        return getattr(registry, name)
    raise AttributeError(f"module 'starskope.models' has no attribute {name!r}")


def default_model() -> Any:
    """The trained model shipped with starskope (``starskope/data/default-model``).

    Raises
    ------
    ModelFileError
        The shipped model is missing or damaged (rebuild it with
        ``starskope train --preset default --out src/starskope/data/default-model``).
    """
    from ..errors import ModelFileError

    if not (DEFAULT_MODEL_DIR / "model.json").is_file():
        raise ModelFileError(
            f"{DEFAULT_MODEL_DIR}: the shipped default model is missing; build it with "
            "`starskope train --preset default --out src/starskope/data/default-model`"
        )
    return load_model(DEFAULT_MODEL_DIR)


def p_planet(model: Any, X: Any) -> Any:
    """Probability of a planet transit for each star, from any starskope model
    (the original CNN's host probability, or the ``planet_transit`` column)."""
    import numpy as np

    proba = model.predict_proba(X)
    classes = [str(c) for c in model.classes_]
    if PLANET in classes:
        return proba[:, classes.index(PLANET)]
    return proba[:, int(np.flatnonzero(np.asarray(model.classes_) == 1)[0])]
