"""StarTypeModel: estimator contract, save/load as JSON + NPZ (no pickle), errors."""

from __future__ import annotations

import json

import numpy as np
import pytest

from starskope.errors import ModelFileError, ParameterError, UnknownNameError
from starskope.startypes.classes import STAR_TYPES, star_type_from_label
from starskope.startypes.features import FEATURE_NAMES, SHAPE_BINS, SPECTRUM_BINS
from starskope.startypes.model import (
    MODEL_FEATURES,
    SELECTION_FEATURES,
    PrincipalComponents,
    StarTypeModel,
)


def _data(n: int = 240, seed: int = 0):
    rng = np.random.default_rng(seed)
    types = np.array(["non_variable", "eclipsing_binary", "delta_scuti", "rr_lyrae"])
    y = types[rng.integers(0, types.size, n)]
    X = rng.normal(size=(n, len(FEATURE_NAMES)))
    code = np.searchsorted(np.sort(types), y)
    X[:, 4] += 3 * code  # separable on one readable feature the model uses
    X[::11, 5] = np.nan
    spectrum = rng.normal(size=(n, SPECTRUM_BINS)) + code[:, None] * np.linspace(0, 1, SPECTRUM_BINS)
    shape = rng.normal(size=(n, SHAPE_BINS))
    return X, spectrum, shape, y


@pytest.fixture(scope="module")
def fitted() -> StarTypeModel:
    X, s, f, y = _data()
    return StarTypeModel(max_iter=30, random_state=1).fit(X, s, f, y)


def test_init_stores_only_hyperparameters() -> None:
    m = StarTypeModel(max_iter=7)
    assert m.get_params()["max_iter"] == 7
    assert not any(k.endswith("_") for k in vars(m))
    with pytest.raises(ModelFileError, match="not fitted"):
        m.predict_proba(*_data(5)[:3])


def test_fit_predict(fitted: StarTypeModel) -> None:
    assert fitted.classes_ == ("non_variable", "eclipsing_binary", "delta_scuti", "rr_lyrae")
    X, s, f, y = _data(200, seed=5)
    proba = fitted.predict_proba(X, s, f)
    assert proba.shape == (200, 4) and np.allclose(proba.sum(axis=1), 1)
    assert np.mean(fitted.predict(X, s, f) == y) > 0.9
    # the NumPy trees agree with scikit-learn's own prediction
    design = fitted.design_matrix(X, s, f)
    assert np.abs(fitted.estimator_.predict_proba(design) - proba).max() < 1e-12
    assert len(fitted.column_names) == len(MODEL_FEATURES) + 16
    assert not set(SELECTION_FEATURES) & set(fitted.column_names)


def test_save_load_round_trip(fitted: StarTypeModel, tmp_path) -> None:
    fitted.save(tmp_path)
    assert sorted(p.name for p in tmp_path.iterdir()) == ["model.json", "model.npz"]
    meta = json.loads((tmp_path / "model.json").read_text())
    assert meta["format"] == "starskope-startype-model" and meta["classes"] == list(fitted.classes_)
    with np.load(tmp_path / "model.npz", allow_pickle=False) as data:
        assert all(data[k].dtype != object for k in data.files)
    again = StarTypeModel.load(tmp_path)
    X, s, f, _ = _data(30, seed=9)
    assert np.array_equal(again.predict_proba(X, s, f), fitted.predict_proba(X, s, f))
    assert again.estimator_ is None and again.get_params() == fitted.get_params()


def test_load_errors(fitted: StarTypeModel, tmp_path) -> None:
    with pytest.raises(ModelFileError, match="model file not found"):
        StarTypeModel.load(tmp_path / "none")
    fitted.save(tmp_path)
    meta_path = tmp_path / "model.json"
    good = meta_path.read_text()
    meta_path.write_text(good[:40])
    with pytest.raises(ModelFileError, match="not a readable JSON"):
        StarTypeModel.load(tmp_path)
    meta = json.loads(good)
    meta_path.write_text(json.dumps({**meta, "format": "keras"}))
    with pytest.raises(ModelFileError, match="expected 'starskope-startype-model'"):
        StarTypeModel.load(tmp_path)
    meta_path.write_text(json.dumps({**meta, "version": 99}))
    with pytest.raises(ModelFileError, match="model version 99 is not supported"):
        StarTypeModel.load(tmp_path)
    meta_path.write_text(json.dumps({**meta, "feature_version": 0}))
    with pytest.raises(ModelFileError, match="retrain with `starskope startype train`"):
        StarTypeModel.load(tmp_path)
    meta_path.write_text(json.dumps({**meta, "classes": meta["classes"][:2]}))
    with pytest.raises(ModelFileError, match="4 tree classes but 2 class names"):
        StarTypeModel.load(tmp_path)
    meta_path.write_text(good)
    (tmp_path / "model.npz").write_bytes(b"PK\x03\x04 truncated")
    with pytest.raises(ModelFileError, match="unreadable model arrays"):
        StarTypeModel.load(tmp_path)


def test_fit_errors() -> None:
    X, s, f, y = _data(60)
    with pytest.raises(ParameterError, match="unknown star types in y: \\['cepheid'\\]"):
        StarTypeModel().fit(X, s, f, np.where(y == "rr_lyrae", "cepheid", y))
    with pytest.raises(ParameterError, match="at least three star types"):
        StarTypeModel().fit(X, s, f, np.where(y == "rr_lyrae", "delta_scuti", np.where(
            y == "eclipsing_binary", "non_variable", y)))
    with pytest.raises(ParameterError, match="feature columns"):
        StarTypeModel().fit(X[:, :5], s, f, y)
    with pytest.raises(ParameterError, match="one label per row"):
        StarTypeModel().fit(X, s, f, y[:-1])
    with pytest.raises(ParameterError, match="spectrum and shape must be"):
        StarTypeModel().fit(X, s[:, :10], f, y)


def test_pca_is_deterministic_and_orthonormal() -> None:
    data = np.random.default_rng(0).normal(size=(100, 20)) @ np.random.default_rng(1).normal(size=(20, 20))
    a, b = PrincipalComponents.fit(data, 5), PrincipalComponents.fit(data.copy(), 5)
    assert np.array_equal(a.components, b.components)
    assert np.allclose(a.components @ a.components.T, np.eye(5), atol=1e-10)
    assert np.all(np.diff(a.explained_variance_ratio) <= 0)
    with pytest.raises(ParameterError, match="NaN"):
        PrincipalComponents.fit(np.full((3, 3), np.nan), 2)


def test_star_type_labels() -> None:
    assert star_type_from_label("planet_candidate") == "planet_host"
    assert star_type_from_label("GDOR") == "gamma_dor"
    assert set(STAR_TYPES) >= {"rotational", "other"}
    with pytest.raises(UnknownNameError, match="unknown star-type label 'cepheid'"):
        star_type_from_label("cepheid")
