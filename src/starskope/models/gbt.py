"""Gradient-boosted trees on the physical scalar features: readable and fast.

Trained with scikit-learn's :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
(missing values — a star too weak to vet — are a branch of their own), then exported to
flat arrays (:class:`TreeArrays`): every node's feature, threshold, NaN direction, children
and leaf value. Prediction is NumPy over those arrays — all trees advance one level per
step for all stars — so a model file is an ``.npz`` of numbers and loads without pickle.
``feature_importances_`` is each feature's share of the total split gain.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..features.scalars import SCALAR_NAMES
from .base import Progress, StarskopeClassifier, check_features, present_class_proba, resolve_labels
from .labels import CLASSES

__all__ = ["SKLEARN_EXPORT_TESTED", "GradientBoostedTrees", "TreeArrays", "export_hgb"]

#: scikit-learn versions whose fitted HistGradientBoostingClassifier :func:`export_hgb`
#: reads: [first, last) as (major, minor). scikit-learn exposes no public view of those
#: trees, so the export reads its private ``_predictors`` and ``_baseline_prediction``;
#: the model tests check the exported trees reproduce ``predict_proba`` and that the
#: installed version is inside this range, and pyproject.toml bounds scikit-learn to it.
SKLEARN_EXPORT_TESTED: tuple[tuple[int, int], tuple[int, int]] = ((1, 4), (1, 10))


@dataclass(frozen=True)
class TreeArrays:
    """A boosted-tree ensemble as flat arrays.

    Attributes
    ----------
    baseline : ndarray, shape (n_outputs,)
        Raw score before any tree.
    tree_output : ndarray of int, shape (n_trees,)
        Which raw score each tree adds to.
    tree_root : ndarray of int, shape (n_trees,)
        Index of each tree's root node (children indices are global).
    feature, threshold, missing_left, left, right, is_leaf, value, gain : ndarray
        One entry per node; a sample goes left when ``x[feature] <= threshold`` (or when
        it is NaN and ``missing_left``).
    """

    baseline: np.ndarray
    tree_output: np.ndarray
    tree_root: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray
    gain: np.ndarray

    FIELDS = ("baseline", "tree_output", "tree_root", "feature", "threshold", "missing_left", "left", "right",
              "is_leaf", "value", "gain")

    def arrays(self) -> dict[str, np.ndarray]:
        return {f"tree_{k}": getattr(self, k) for k in self.FIELDS}

    @classmethod
    def from_arrays(cls, arrays: dict[str, Any]) -> TreeArrays:
        return cls(**{k: np.asarray(arrays[f"tree_{k}"]) for k in cls.FIELDS})

    def raw_scores(self, X: np.ndarray) -> np.ndarray:
        """Summed raw scores, shape (n_samples, n_outputs)."""
        X = np.asarray(X, dtype=np.float64)
        n = X.shape[0]
        n_trees = self.tree_root.size
        node = np.broadcast_to(self.tree_root, (n, n_trees)).copy()
        rows = np.arange(n)[:, None]
        while True:
            leaf = self.is_leaf[node]
            if leaf.all():
                break
            f = self.feature[node]
            x = X[rows, f]
            go_left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            nxt = np.where(go_left, self.left[node], self.right[node])
            node = np.where(leaf, node, nxt)
        vals = self.value[node]  # (n, n_trees)
        out = np.tile(self.baseline.astype(np.float64), (n, 1))
        for k in range(self.baseline.size):
            out[:, k] += vals[:, self.tree_output == k].sum(axis=1)
        return out


def export_hgb(model: Any) -> TreeArrays:
    """Flatten a fitted HistGradientBoostingClassifier into :class:`TreeArrays`.

    Reads scikit-learn's private tree arrays: tested for the versions in
    :data:`SKLEARN_EXPORT_TESTED`.

    Raises
    ------
    ParameterError
        Categorical splits (not used by starskope) or an unfitted model.
    """
    preds = getattr(model, "_predictors", None)
    if preds is None:
        raise ParameterError("export_hgb needs a fitted HistGradientBoostingClassifier")
    cols = {k: [] for k in ("feature", "threshold", "missing_left", "left", "right", "is_leaf", "value", "gain")}
    tree_output, tree_root = [], []
    offset = 0
    for iteration in preds:
        for k, tp in enumerate(iteration):
            nodes = tp.nodes
            if np.any(nodes["is_categorical"]):
                raise ParameterError("categorical splits cannot be exported")
            m = len(nodes)
            tree_output.append(k)
            tree_root.append(offset)
            cols["feature"].append(nodes["feature_idx"].astype(np.int64))
            cols["threshold"].append(nodes["num_threshold"].astype(np.float64))
            cols["missing_left"].append(nodes["missing_go_to_left"].astype(bool))
            cols["left"].append(nodes["left"].astype(np.int64) + offset)
            cols["right"].append(nodes["right"].astype(np.int64) + offset)
            cols["is_leaf"].append(nodes["is_leaf"].astype(bool))
            cols["value"].append(nodes["value"].astype(np.float64))
            cols["gain"].append(np.where(nodes["is_leaf"], 0.0, nodes["gain"]).astype(np.float64))
            offset += m
    base = np.asarray(model._baseline_prediction, dtype=np.float64).ravel()
    return TreeArrays(
        baseline=base,
        tree_output=np.asarray(tree_output, np.int64),
        tree_root=np.asarray(tree_root, np.int64),
        **{k: np.concatenate(v) for k, v in cols.items()},
    )


class GradientBoostedTrees(StarskopeClassifier):
    """Gradient-boosted trees on the scalar features (four classes).

    Parameters
    ----------
    max_iter : int
        Boosting iterations (one tree per class each).
    learning_rate : float
    max_leaf_nodes : int
    min_samples_leaf : int
    l2_regularization : float
    class_weight : None, 'balanced' or 'sqrt'
        Weight of each class in the loss (imbalance handling).
    early_stopping : bool
        Stop when a 10 % validation split's loss stops improving (10 iterations).
    features : tuple of str or None
        Scalar features to use (None: all of :data:`~starskope.features.SCALAR_NAMES`).
    seed : int
    """

    model_name = "gbt"
    weights_kind = "npz"

    def __init__(
        self,
        max_iter: int = 300,
        learning_rate: float = 0.06,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 8,
        l2_regularization: float = 1.0,
        class_weight: str | None = "sqrt",
        early_stopping: bool = True,
        features: tuple[str, ...] | None = None,
        seed: int = 0,
    ) -> None:
        self.max_iter = max_iter
        self.learning_rate = learning_rate
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.class_weight = class_weight
        self.early_stopping = early_stopping
        self.features = features
        self.seed = seed

    def _columns(self, X, names: tuple[str, ...]) -> np.ndarray:
        missing = [n for n in names if n not in X.scalar_names]
        if missing:
            raise ParameterError(f"FeatureSet lacks scalar features {missing[:5]} used by this model")
        idx = [X.scalar_names.index(n) for n in names]
        return X.scalars[:, idx]

    def fit(self, X: Any, y: Any = None, *, progress: Progress | None = None) -> GradientBoostedTrees:
        """Train on ``X.scalars`` (a FeatureSet) and class labels ``y`` (default ``X.labels``)."""
        from sklearn.ensemble import HistGradientBoostingClassifier

        from ._torch import class_weights

        X = check_features(X, type(self).__name__)
        yi = resolve_labels(X, y, type(self).__name__)
        wanted = tuple(self.features) if self.features else SCALAR_NAMES
        data = self._columns(X, wanted)
        # a feature never measured in training (e.g. no stellar radii) cannot be split on
        used = np.isfinite(data).any(axis=0)
        names = tuple(n for n, k in zip(wanted, used, strict=True) if k)
        data = data[:, used]
        w = class_weights(yi, len(CLASSES), self.class_weight)[yi]
        es = bool(self.early_stopping) and yi.size >= 100  # too few stars: no validation split
        hgb = HistGradientBoostingClassifier(
            loss="log_loss",
            max_iter=int(self.max_iter),
            learning_rate=float(self.learning_rate),
            max_leaf_nodes=int(self.max_leaf_nodes),
            min_samples_leaf=int(self.min_samples_leaf),
            l2_regularization=float(self.l2_regularization),
            early_stopping=es,
            validation_fraction=0.1 if es else None,
            n_iter_no_change=15,
            random_state=int(self.seed),
        )
        # Fit on all four classes even when some are absent: add no fake rows; map the
        # present classes and expand the probabilities back to four columns.
        present = np.unique(yi)
        from ._torch import limited_threads

        with limited_threads(1):
            hgb.fit(data, yi, sample_weight=w)
        self.trees_ = export_hgb(hgb)
        self.present_classes_ = present.astype(np.int64)
        self.n_iter_ = int(hgb.n_iter_)
        # with early stopping sklearn records the (negated) loss per iteration
        self.history_ = {"n_iter": self.n_iter_,
                         "train_loss": [-float(v) for v in np.asarray(getattr(hgb, "train_score_", []))[1:]],
                         "val_loss": [-float(v) for v in np.asarray(getattr(hgb, "validation_score_", []))[1:]]}
        gain = np.bincount(self.trees_.feature[~self.trees_.is_leaf], weights=self.trees_.gain[~self.trees_.is_leaf],
                           minlength=data.shape[1])
        self.feature_importances_ = gain / gain.sum() if gain.sum() > 0 else gain
        self.feature_names_ = names
        self._set_classes()
        self.training_summary_ = {"n_stars": int(yi.size), "class_counts": np.bincount(yi, minlength=4).tolist(),
                                  "n_iter": self.n_iter_}
        if progress is not None:
            progress(self.model_name, 1, 1)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in :data:`~starskope.models.labels.CLASSES` order."""
        self._check_fitted()
        X = check_features(X, type(self).__name__)
        raw = self.trees_.raw_scores(self._columns(X, self.feature_names_))
        return present_class_proba(raw, self.present_classes_)

    def importance_table(self, top: int = 15) -> list[tuple[str, float]]:
        """The ``top`` features by share of split gain."""
        self._check_fitted()
        order = np.argsort(self.feature_importances_)[::-1][:top]
        return [(self.feature_names_[i], float(self.feature_importances_[i])) for i in order]

    def _export_state(self):
        self._check_fitted()
        state = {"present_classes": self.present_classes_.tolist(), "n_iter": self.n_iter_, "history": self.history_,
                 "feature_names": list(self.feature_names_)}
        arrays = self.trees_.arrays()
        arrays["feature_importances"] = self.feature_importances_
        return state, arrays, "npz"

    def _import_state(self, state, arrays, *, classes, members):
        self.trees_ = TreeArrays.from_arrays(arrays)
        self.present_classes_ = np.asarray(state["present_classes"], np.int64)
        self.n_iter_ = int(state["n_iter"])
        self.history_ = state.get("history", {"n_iter": self.n_iter_})
        self.feature_names_ = tuple(state["feature_names"])
        self.feature_importances_ = np.asarray(arrays["feature_importances"], float)
        self.classes_ = np.asarray(classes, dtype=object)
