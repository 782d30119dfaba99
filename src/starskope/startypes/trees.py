"""The star-type model's boosted trees: saved without pickle, predicted with NumPy.

The trees are scikit-learn's :class:`~sklearn.ensemble.HistGradientBoostingClassifier`
(multiclass: a baseline score per class plus, per boosting iteration, one regression tree
per class), flattened and evaluated by the same code as the planet model's trees
(:class:`starskope.models.gbt.TreeArrays`). :class:`TreeEnsemble` adds what the star-type
model needs on top: the number of input columns (checked on every call), the softmax,
and its file layout, whose child indices are local to each tree (a file written by an
earlier starskope reads unchanged). The probabilities equal scikit-learn's
``predict_proba`` to rounding (tested), and loading is ``np.load`` with
``allow_pickle=False``.
"""

from __future__ import annotations

from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ModelFileError, ParameterError
from ..models.gbt import TreeArrays, export_hgb

__all__ = ["TreeEnsemble", "export_trees"]

_NODE_FIELDS = ("feature", "threshold", "missing_left", "left", "right", "is_leaf", "value")


@dataclass(frozen=True)
class TreeEnsemble:
    """A multiclass boosted-tree ensemble over ``n_features`` input columns.

    Attributes
    ----------
    trees : TreeArrays
        The flat node arrays (global child indices).
    n_features : int
    """

    trees: TreeArrays
    n_features: int

    @property
    def n_classes(self) -> int:
        return int(self.trees.baseline.size)

    def raw_scores(self, X: np.ndarray) -> np.ndarray:
        """Summed raw scores, shape (n_samples, n_classes)."""
        X = np.asarray(X, dtype=np.float64)
        if X.ndim != 2 or X.shape[1] != self.n_features:
            raise ValueError(f"expected X of shape (n, {self.n_features}); got {X.shape}")
        return self.trees.raw_scores(X)

    def predict_proba(self, X: np.ndarray) -> np.ndarray:
        """Class probabilities (softmax of the raw scores), shape (n_samples, n_classes)."""
        s = self.raw_scores(X)
        s -= s.max(axis=1, keepdims=True)
        e = np.exp(s)
        return e / e.sum(axis=1, keepdims=True)

    def _node_offsets(self) -> np.ndarray:
        """Each node's tree root (node arrays hold the trees one after another)."""
        roots = self.trees.tree_root
        sizes = np.diff(np.append(roots, self.trees.value.size))
        return np.repeat(roots, sizes)

    def to_arrays(self, prefix: str = "tree_") -> dict[str, np.ndarray]:
        """Arrays for ``np.savez`` (names start with ``prefix``; child indices tree-local)."""
        t = self.trees
        offset = self._node_offsets()
        out = {prefix + "baseline": t.baseline, prefix + "tree_class": t.tree_output,
               prefix + "tree_offset": t.tree_root}
        for k in _NODE_FIELDS:
            v = getattr(t, k)
            out[prefix + k] = np.where(t.is_leaf, 0, v - offset) if k in ("left", "right") else v
        out[prefix + "n_features"] = np.array(self.n_features)
        return out

    @classmethod
    def from_arrays(cls, arrays: Any, prefix: str = "tree_", source: str = "<arrays>") -> TreeEnsemble:
        """Rebuild from :meth:`to_arrays` output (or an open ``np.load`` file).

        Raises
        ------
        ModelFileError
            A missing array, node arrays of different lengths, or indices out of range.
        """
        dtypes = {"baseline": np.float64, "tree_class": np.int64, "tree_offset": np.int64, "feature": np.int64,
                  "threshold": np.float64, "missing_left": bool, "left": np.int64, "right": np.int64,
                  "is_leaf": bool, "value": np.float64}
        try:
            a = {k: np.asarray(arrays[prefix + k], dtype=dt) for k, dt in dtypes.items()}
            n_features = int(arrays[prefix + "n_features"])
        except KeyError as exc:
            raise ModelFileError(f"{source}: tree array {exc.args[0]!r} is missing") from None
        n_nodes = a["value"].size
        sizes = {k: a[k].size for k in _NODE_FIELDS}
        if any(v != n_nodes for v in sizes.values()):
            raise ModelFileError(f"{source}: node arrays have different lengths {sizes}")
        offsets, classes = a["tree_offset"], a["tree_class"]
        if offsets.size != classes.size or (offsets.size and (offsets.min() < 0 or offsets.max() >= n_nodes)):
            raise ModelFileError(f"{source}: tree offsets point outside the {n_nodes} nodes")
        if np.any(np.diff(offsets) <= 0):
            raise ModelFileError(f"{source}: tree offsets are not increasing")
        if classes.size and (classes.min() < 0 or classes.max() >= a["baseline"].size):
            raise ModelFileError(f"{source}: a tree adds to a class outside 0..{a['baseline'].size - 1}")
        inner = ~a["is_leaf"]
        if inner.any() and (a["feature"][inner].min() < 0 or a["feature"][inner].max() >= n_features):
            raise ModelFileError(f"{source}: a split uses a feature outside 0..{n_features - 1}")
        node_offset = np.repeat(offsets, np.diff(np.append(offsets, n_nodes)))
        left, right = a["left"] + node_offset, a["right"] + node_offset
        if inner.any() and (min(left[inner].min(), right[inner].min()) < 0
                            or max(left[inner].max(), right[inner].max()) >= n_nodes):
            raise ModelFileError(f"{source}: a child index points outside the {n_nodes} nodes")
        trees = TreeArrays(baseline=a["baseline"], tree_output=classes, tree_root=offsets, feature=a["feature"],
                           threshold=a["threshold"], missing_left=a["missing_left"], left=left, right=right,
                           is_leaf=a["is_leaf"], value=a["value"], gain=np.zeros(n_nodes))
        return cls(trees, n_features)


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
    if len(model.classes_) < 3 or len(predictors[0]) != len(model.classes_):
        raise ValueError("export_trees supports multiclass (≥ 3 classes) models only")
    try:
        trees = export_hgb(model)
    except ParameterError as exc:
        raise ValueError(f"export_trees: {exc}") from None
    return TreeEnsemble(trees, int(model.n_features_in_))
