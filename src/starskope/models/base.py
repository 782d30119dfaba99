"""The estimator contract every starskope model follows (scikit-learn's).

* ``__init__`` only stores hyperparameters (so ``get_params``/``set_params``/``clone`` work);
* ``fit(X, y)`` validates, trains and returns ``self``; fitted state ends in ``_``;
* ``predict_proba(X)`` returns one column per class of ``classes_``, rows summing to 1;
  ``predict(X)`` is its arg-max;
* calling either before ``fit`` raises :class:`sklearn.exceptions.NotFittedError`;
* ``_export_state()`` / ``_import_state()`` turn the fitted state into JSON plus plain
  arrays or a torch ``state_dict`` (see :mod:`starskope.models.io`), never a pickle.

The four-class models take a :class:`~starskope.features.FeatureSet` as ``X`` and class
indices or names (:data:`~starskope.models.labels.CLASSES`) as ``y`` (default:
``X.labels``).
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any, ClassVar

import numpy as np
from sklearn.base import BaseEstimator, ClassifierMixin
from sklearn.exceptions import NotFittedError

from ..errors import ParameterError
from ..features.dataset import FeatureSet
from .labels import CLASSES, class_index

__all__ = ["Progress", "StarskopeClassifier", "check_features", "resolve_labels"]

#: Progress callback: ``progress(stage, done, total)``.
Progress = Callable[[str, int, int], None]


def check_features(X: Any, who: str) -> FeatureSet:
    """``X`` if it is a FeatureSet, else a ParameterError naming the estimator."""
    if not isinstance(X, FeatureSet):
        raise ParameterError(f"{who} takes a FeatureSet (see starskope.features.extract_features); got {type(X).__name__}")
    if len(X) == 0:
        raise ParameterError(f"{who}: the FeatureSet is empty")
    return X


def resolve_labels(X: FeatureSet, y: Any, who: str) -> np.ndarray:
    """Class indices from ``y`` (names or indices) or, when None, ``X.labels``."""
    if y is None:
        if X.labels is None:
            raise ParameterError(f"{who}.fit needs labels: pass y or a FeatureSet with labels")
        y = X.labels
    yi = class_index(y)
    if yi.size != len(X):
        raise ParameterError(f"{who}.fit: {yi.size} labels for {len(X)} stars")
    if np.unique(yi).size < 2:
        raise ParameterError(f"{who}.fit needs at least two classes in the labels; got only {CLASSES[int(yi[0])]!r}")
    return yi


class StarskopeClassifier(ClassifierMixin, BaseEstimator):
    """Base of starskope's classifiers (see the module docstring for the contract)."""

    #: Registry name (``MODELS``); also the ``model`` key of the model file.
    model_name: ClassVar[str] = ""
    #: How fitted arrays are stored: ``"torch"`` (state_dict) or ``"npz"``.
    weights_kind: ClassVar[str] = "npz"

    def _check_fitted(self) -> None:
        if not hasattr(self, "classes_"):
            raise NotFittedError(f"this {type(self).__name__} is not fitted yet; call fit first")

    def predict(self, X: Any) -> np.ndarray:
        """Most probable class of each star (from ``classes_``)."""
        proba = self.predict_proba(X)
        return np.asarray(self.classes_)[np.argmax(proba, axis=1)]

    def predict_proba(self, X: Any) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def _set_classes(self) -> None:
        self.classes_ = np.asarray(CLASSES, dtype=object)

    # -- model files -------------------------------------------------------------
    def _export_state(self) -> tuple[dict[str, Any], dict[str, Any], str]:  # pragma: no cover - abstract
        raise NotImplementedError

    def _import_state(self, state: dict[str, Any], arrays: dict[str, Any], *, classes: list[Any],
                      members: list[tuple[str, Any]]) -> None:  # pragma: no cover - abstract
        raise NotImplementedError

    def __sklearn_tags__(self):
        tags = super().__sklearn_tags__()
        tags.non_deterministic = True
        return tags
