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
``X.labels``). :class:`TorchClassifier` adds what the four-class PyTorch networks share:
their training settings, the training call, prediction and the training summary.
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

__all__ = [
    "Progress",
    "StarskopeClassifier",
    "TorchClassifier",
    "check_features",
    "present_class_proba",
    "resolve_labels",
    "scalar_matrix",
    "stored_scalar_names",
]

#: Progress callback: ``progress(stage, done, total)``.
Progress = Callable[[str, int, int], None]


def check_features(X: Any, who: str) -> FeatureSet:
    """``X`` if it is a FeatureSet, else a ParameterError naming the estimator."""
    if not isinstance(X, FeatureSet):
        raise ParameterError(f"{who} takes a FeatureSet (see starskope.features.extract_features); got {type(X).__name__}")
    if len(X) == 0:
        raise ParameterError(f"{who}: the FeatureSet is empty")
    return X


def scalar_matrix(X: FeatureSet, names: tuple[str, ...], who: str) -> np.ndarray:
    """The scalar columns ``names`` of ``X``, in that order (a model reads the features it
    was trained on by name, so features added later do not shift its inputs).

    Raises
    ------
    ParameterError
        ``X`` lacks some of them (features of an older starskope).
    """
    if tuple(X.scalar_names) == tuple(names):
        return X.scalars
    missing = [n for n in names if n not in X.scalar_names]
    if missing:
        raise ParameterError(f"{who}: the FeatureSet lacks scalar features {missing[:5]} this model was trained on")
    idx = [X.scalar_names.index(n) for n in names]
    return X.scalars[:, idx]


def stored_scalar_names(state: dict[str, Any], n_scalars: int) -> tuple[str, ...]:
    """The scalar feature names a saved model was trained on: stored with it, or, for a
    model saved before they were stored, the first ``n_scalars`` of today's names (new
    feature groups are only ever appended)."""
    from ..features.scalars import SCALAR_NAMES

    names = state.get("scalar_names")
    if names:
        return tuple(str(n) for n in names)
    return tuple(SCALAR_NAMES[: int(n_scalars)])


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


def present_class_proba(raw: np.ndarray, present: np.ndarray) -> np.ndarray:
    """Probabilities of all :data:`~starskope.models.labels.CLASSES` from raw scores over
    the classes present in training (the others get 0).

    Parameters
    ----------
    raw : ndarray, shape (n_samples, n_present) or (n_samples, 1)
        One logit per present class (softmax), or, with two present classes, the one
        logit of the second (logistic).
    present : ndarray of int
        Class indices of the columns of the result that ``raw`` speaks for.

    Returns
    -------
    ndarray, shape (n_samples, len(CLASSES))
    """
    if raw.shape[1] == 1:  # two present classes: one logit
        p1 = 1.0 / (1.0 + np.exp(-raw[:, 0]))
        probs = np.column_stack([1 - p1, p1])
    else:
        z = raw - raw.max(axis=1, keepdims=True)
        e = np.exp(z)
        probs = e / e.sum(axis=1, keepdims=True)
    out = np.zeros((probs.shape[0], len(CLASSES)))
    out[:, present] = probs
    return out


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


class TorchClassifier(StarskopeClassifier):
    """Base of the four-class PyTorch networks trained by
    :func:`~starskope.models._torch.train_network` (the view and spectrogram CNNs).

    It holds the training settings they share, trains, predicts and summarises; a
    subclass builds the network and its inputs (``network_inputs(X)`` → dict of arrays, the
    keyword arguments of the network's ``forward``).

    Parameters
    ----------
    width : int
        Filters of the first convolution block (later blocks and the dense head are
        multiples of it).
    dropout : float
        Dropout before the dense head.
    epochs : int
        Most training epochs (early stopping usually ends sooner).
    batch_size : int
    learning_rate : float
        Adam step size.
    weight_decay : float
        Adam L2 penalty.
    class_weight : None, 'balanced' or 'sqrt'
        Weight of each class in the loss (see :func:`~starskope.models._torch.class_weights`).
    patience : int
        Epochs without validation improvement before stopping.
    seed : int
        Seed of the weights, the validation split and the augmentation.
    """

    weights_kind: ClassVar[str] = "torch"

    def __init__(
        self,
        width: int = 8,
        dropout: float = 0.3,
        epochs: int = 30,
        batch_size: int = 64,
        learning_rate: float = 2e-3,
        weight_decay: float = 1e-4,
        class_weight: str | None = "sqrt",
        patience: int = 5,
        seed: int = 0,
    ) -> None:
        self.width = width
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.weight_decay = weight_decay
        self.class_weight = class_weight
        self.patience = patience
        self.seed = seed

    def network_inputs(self, X: FeatureSet) -> dict[str, np.ndarray]:  # pragma: no cover - abstract
        """The arrays the network takes for the stars of ``X``, by argument name."""
        raise NotImplementedError

    def _start_fit(self, X: Any, y: Any) -> tuple[FeatureSet, np.ndarray, np.random.Generator]:
        """Checked FeatureSet, class indices and the seeded generator (torch seeded too)."""
        from ._torch import set_seed

        X = check_features(X, type(self).__name__)
        yi = resolve_labels(X, y, type(self).__name__)
        return X, yi, set_seed(self.seed)

    def _train(self, net: Any, inputs: dict[str, np.ndarray], yi: np.ndarray, *,
               augment: Callable[[dict[str, Any], np.random.Generator], dict[str, Any]],
               rng: np.random.Generator, progress: Progress | None) -> None:
        """Train ``net`` on ``inputs`` with this model's settings; keep it as ``network_``
        with ``history_``, ``classes_`` and ``training_summary_``."""
        from ._torch import train_network

        self.history_ = train_network(
            net, inputs, yi, n_classes=len(CLASSES), epochs=self.epochs, batch_size=self.batch_size,
            learning_rate=self.learning_rate, weight_decay=self.weight_decay, class_weight=self.class_weight,
            patience=self.patience, augment=augment, rng=rng, progress=progress, stage=self.model_name,
        )
        self.network_ = net
        self._set_classes()
        self.training_summary_ = {"n_stars": int(yi.size), "class_counts": np.bincount(yi, minlength=4).tolist(),
                                  "epochs_run": len(self.history_["train_loss"]),
                                  "seconds": round(self.history_["seconds"], 1)}

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in :data:`~starskope.models.labels.CLASSES` order."""
        from ._torch import predict_batched

        self._check_fitted()
        X = check_features(X, type(self).__name__)
        return predict_batched(self.network_, self.network_inputs(X))
