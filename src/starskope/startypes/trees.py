"""Gradient-boosted trees as plain arrays: saved without pickle, predicted with NumPy.

A fitted :class:`sklearn.ensemble.HistGradientBoostingClassifier` (multiclass) is a
baseline score per class plus, per boosting iteration, one regression tree per class.
:func:`export_trees` copies every node (feature, threshold, which side NaN goes, children,
leaf value) into flat arrays; :class:`TreeEnsemble` evaluates them for many samples at
once (all trees advance one level per step) and applies the softmax. The result equals
scikit-learn's ``predict_proba`` to rounding (tested), and loading is ``np.load`` with
``allow_pickle=False``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ModelFileError

__all__ = ["TreeEnsemble", "export_trees"]


@dataclass(frozen=True)
class TreeEnsemble:
    """Flat arrays of a multiclass boosted-tree ensemble.

    Attributes
    ----------
    baseline : ndarray, shape (n_classes,)
        Raw score before any tree.
    tree_class : ndarray of int, shape (n_trees,)
        Which class's score each tree adds to.
    tree_offset : ndarray of int, shape (n_trees,)
        Index of each tree's root in the node arrays (child indices are tree-local).
    feature, threshold, missing_left, left, right, is_leaf, value : ndarray
        One entry per node: split feature, threshold (go left if ``x <= threshold``),
        whether NaN goes left, children, leaf flag, leaf value.
    n_features : int
    """

    baseline: np.ndarray
    tree_class: np.ndarray
    tree_offset: np.ndarray
    feature: np.ndarray
    threshold: np.ndarray
    missing_left: np.ndarray
    left: np.ndarray
    right: np.ndarray
    is_leaf: np.ndarray
    value: np.ndarray
    n_features: int

    @property
    def n_classes(self) -> int:
        return int(self.baseline.size)

    def raw_scores(self, X: np.ndarray) -> np.ndarray:
        """Summed raw scores, shape (n_samples, n_classes)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected X of shape (n, {self.n_features}); got {X.shape}")
        n = X.shape[0]
        n_trees = self.tree_offset.size
        node = np.broadcast_to(self.tree_offset, (n, n_trees)).copy()
        rows = np.arange(n)[:, None]
        while True:
            leaf = self.is_leaf[node]
            if leaf.all():
                break
            x = X[rows, self.feature[node]]
            go_left = np.where(np.isnan(x), self.missing_left[node], x <= self.threshold[node])
            child = np.where(go_left, self.left[node], self.right[node]) + self.tree_offset
            node = np.where(leaf, node, child)
        contrib = self.value[node]  # (n, n_trees)
        scores = np.tile(self.baseline, (n, 1))
        for k in range(self.n_classes):
            scores[:, k] += contrib[:, self.tree_class == k].sum(axis=1)
        return scores

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (softmax of the raw scores), shape (n_samples, n_classes)."""
        s = self.raw_scores(X)
        s -= s.max(axis=1, keepdims=True)
        e = np.exp(s)
        return e / e.sum(axis=1, keepdims=True)

    def to_arrays(self, prefix: str = "tree_") -> dict[str, np.ndarray]:
        """Arrays for ``np.savez`` (names start with ``prefix``)."""
        names = ["baseline", "tree_class", "tree_offset", "feature", "threshold",
                 "missing_left", "left", "right", "is_leaf", "value"]
        out = {prefix + k: getattr(self, k) for k in names}
        out[prefix + "n_features"] = np.array(self.n_features)
        return out

    @classmethod
    def from_arrays(cls, arrays: Any, prefix: str = "tree_", source: str = "<arrays>") -> TreeEnsemble:
        """Rebuild from :meth:`to_arrays` output (or an open ``np.load`` file)."""
        try:
            ens = cls(
                baseline=np.asarray(arrays[prefix + "baseline"], dtype=np.float64),
                tree_class=np.asarray(arrays[prefix + "tree_class"], dtype=np.int64),
                tree_offset=np.asarray(arrays[prefix + "tree_offset"], dtype=np.int64),
                feature=np.asarray(arrays[prefix + "feature"], dtype=np.int64),
                threshold=np.asarray(arrays[prefix + "threshold"], dtype=np.float64),
                missing_left=np.asarray(arrays[prefix + "missing_left"], dtype=bool),
                left=np.asarray(arrays[prefix + "left"], dtype=np.int64),
                right=np.asarray(arrays[prefix + "right"], dtype=np.int64),
                is_leaf=np.asarray(arrays[prefix + "is_leaf"], dtype=bool),
                value=np.asarray(arrays[prefix + "value"], dtype=np.float64),
                n_features=int(arrays[prefix + "n_features"]),
            )
        except KeyError as exc:
            raise ModelFileError(f"{source}: tree array {exc.args[0]!r} is missing") from None
        n_nodes = ens.value.size
        sizes = {k: getattr(ens, k).size for k in ("feature", "threshold", "missing_left", "left",
                                                     "right", "is_leaf")}
        if any(v != n_nodes for v in sizes.values()):
            raise ModelFileError(f"{source}: node arrays have different lengths {sizes}")
        if ens.tree_offset.size != ens.tree_class.size or (
            ens.tree_offset.size and (ens.tree_offset.min() < 0 or ens.tree_offset.max() >= n_nodes)
        ):
            raise ModelFileError(f"{source}: tree offsets point outside the {n_nodes} nodes")
        if ens.tree_class.size and (ens.tree_class.min() < 0 or ens.tree_class.max() >= ens.n_classes):
            raise ModelFileError(f"{source}: a tree adds to a class outside 0..{ens.n_classes - 1}")
        inner = ~ens.is_leaf
        if inner.any() and (ens.feature[inner].min() < 0 or ens.feature[inner].max() >= ens.n_features):
            raise ModelFileError(f"{source}: a split uses a feature outside 0..{ens.n_features - 1}")
        return ens


def export_trees(model: Any) -> TreeEnsemble:
    """Copy a fitted multiclass ``HistGradientBoostingClassifier`` into a :class:`TreeEnsemble`.

    Raises
    ------
    ValueError
        The model is not a fitted multiclass HGB classifier, or uses categorical splits.
    """
    predictors = getattr(model, "_predictors", None)
    if not predictors:
        raise ValueError("export_trees needs a fitted HistGradientBoostingClassifier")
    n_classes = len(model.classes_)
    if n_classes < 3 or len(predictors[0]) != n_classes:
        raise ValueError("export_trees supports multiclass (≥ 3 classes) models only")
    parts: dict[str, list[np.ndarray]] = {k: [] for k in
                                          ("feature", "threshold", "missing_left", "left", "right",
                                           "is_leaf", "value")}
    offsets, classes = [], []
    total = 0
    for iteration in predictors:
        for k, tree in enumerate(iteration):
            nodes = tree.nodes
            if np.any(nodes["is_categorical"]):
                raise ValueError("export_trees does not support categorical splits")
            offsets.append(total)
            classes.append(k)
            parts["feature"].append(nodes["feature_idx"].astype(np.int32))
            parts["threshold"].append(nodes["num_threshold"].astype(np.float64))
            parts["missing_left"].append(nodes["missing_go_to_left"].astype(bool))
            parts["left"].append(nodes["left"].astype(np.int32))
            parts["right"].append(nodes["right"].astype(np.int32))
            parts["is_leaf"].append(nodes["is_leaf"].astype(bool))
            parts["value"].append(nodes["value"].astype(np.float64))
            total += nodes.size
    return TreeEnsemble(
        baseline=np.asarray(model._baseline_prediction, dtype=np.float64).reshape(-1),
        tree_class=np.asarray(classes, dtype=np.int32),
        tree_offset=np.asarray(offsets, dtype=np.int64),
        n_features=int(model.n_features_in_),
        **{k: np.concatenate(v) for k, v in parts.items()},
    )
