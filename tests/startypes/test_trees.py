"""Boosted trees as flat arrays: same probabilities as scikit-learn, loaded without pickle."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.ensemble import HistGradientBoostingClassifier

from starskope.errors import ModelFileError
from starskope.startypes.trees import TreeEnsemble, export_trees


@pytest.fixture(scope="module")
def fitted():
    rng = np.random.default_rng(0)
    X = rng.normal(size=(500, 6))
    X[::9, 2] = np.nan
    y = (X[:, 0] > 0).astype(int) + 2 * (X[:, 1] > 0.3) + (np.nan_to_num(X[:, 2]) > 1)
    return HistGradientBoostingClassifier(max_iter=40, class_weight="balanced", random_state=0).fit(X, y)


def test_matches_sklearn_including_missing_values(fitted) -> None:
    ens = export_trees(fitted)
    rng = np.random.default_rng(1)
    X = rng.normal(size=(300, 6)) * 2
    X[::4, 2] = np.nan  # NaN where training had NaN
    X[::5, 4] = np.nan  # and where it never had any
    X[::7, 0] = np.inf
    assert np.abs(ens.predict_proba(X) - fitted.predict_proba(X)).max() < 1e-12


def test_round_trip_through_npz_without_pickle(fitted, tmp_path) -> None:
    ens = export_trees(fitted)
    path = tmp_path / "trees.npz"
    np.savez(path, **ens.to_arrays())
    with np.load(path, allow_pickle=False) as data:
        again = TreeEnsemble.from_arrays(data, source=str(path))
    X = np.random.default_rng(2).normal(size=(50, 6))
    assert np.array_equal(again.predict_proba(X), ens.predict_proba(X))


def test_malformed_arrays_are_rejected(fitted) -> None:
    arrays = export_trees(fitted).to_arrays()
    broken = dict(arrays)
    del broken["tree_value"]
    with pytest.raises(ModelFileError, match="tree array 'tree_value' is missing"):
        TreeEnsemble.from_arrays(broken)
    broken = dict(arrays, tree_left=arrays["tree_left"][:-1])
    with pytest.raises(ModelFileError, match="different lengths"):
        TreeEnsemble.from_arrays(broken)
    broken = dict(arrays, tree_tree_offset=arrays["tree_tree_offset"] + 10**9)
    with pytest.raises(ModelFileError, match="offsets point outside"):
        TreeEnsemble.from_arrays(broken)
    broken = dict(arrays, tree_feature=np.where(arrays["tree_is_leaf"], 0, 99))
    with pytest.raises(ModelFileError, match="feature outside"):
        TreeEnsemble.from_arrays(broken)


def test_export_needs_a_fitted_multiclass_model() -> None:
    with pytest.raises(ValueError, match="fitted HistGradientBoostingClassifier"):
        export_trees(HistGradientBoostingClassifier())
    X = np.random.default_rng(0).normal(size=(100, 2))
    binary = HistGradientBoostingClassifier(max_iter=5).fit(X, X[:, 0] > 0)
    with pytest.raises(ValueError, match="multiclass"):
        export_trees(binary)
    three = (X[:, 0] > 0).astype(int) + (X[:, 1] > 0).astype(int)
    ens = export_trees(HistGradientBoostingClassifier(max_iter=3).fit(X, three))
    with pytest.raises(ValueError, match=r"expected X of shape \(n, 2\)"):
        ens.predict_proba(np.zeros((3, 5)))
