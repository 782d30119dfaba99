"""One contract test over every registered model (scikit-learn's estimator contract),
plus saving and loading each one."""

from __future__ import annotations

import numpy as np
import pytest
from sklearn.base import clone
from sklearn.exceptions import NotFittedError

from starskope.models import CLASSES, MODELS, load_model, make_model, p_planet, save_model

FAST = {
    "original-cnn": dict(warmup_epochs=1, epochs=1, steps_per_epoch=3, moving_average=20),
    "view-cnn": dict(epochs=3, width=4),
    "spectrogram-cnn": dict(epochs=3, width=4),
    "dbn": dict(hidden=(16, 8), rbm_epochs=2, epochs=3),
    "gbt": dict(max_iter=20),
    "ensemble": dict(members=("gbt", "dbn"), n_folds=2,
                     member_params={"gbt": {"max_iter": 20}, "dbn": {"hidden": (16, 8), "rbm_epochs": 1, "epochs": 2}}),
    # without pixel inputs the pixel models learn the class mix (tests/models/test_pixel_cnn.py has pixels)
    "pixel-cnn": dict(epochs=2, width=4),
    "pixel-ensemble": dict(base="gbt", base_params={"max_iter": 20}, pixel_params={"epochs": 2, "width": 4},
                           n_folds=2),
}


def _xy(name, fs):
    if name == "original-cnn":
        return fs.table_flux, (fs.labels == 0).astype(int)
    return fs, fs.labels


@pytest.mark.parametrize("name", sorted(FAST))
def test_estimator_contract(name, tiny_features, tiny_test_features, tmp_path):
    assert set(FAST) == set(MODELS.names())
    est = make_model(name, **FAST[name])
    # __init__ only stores hyperparameters: get_params round-trips and clone works
    params = est.get_params()
    assert clone(est).get_params() == params
    assert not [k for k in vars(est) if k.endswith("_")]
    X, y = _xy(name, tiny_features)
    Xt, _ = _xy(name, tiny_test_features)
    with pytest.raises(NotFittedError, match="not fitted yet"):
        est.predict_proba(Xt)
    assert est.fit(X, y) is est
    fitted = [k for k in vars(est) if k.endswith("_") and not k.startswith("_")]
    assert "classes_" in fitted
    proba = est.predict_proba(Xt)
    assert proba.shape == (len(tiny_test_features), len(est.classes_))
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    assert (proba >= 0).all()
    np.testing.assert_array_equal(est.predict(Xt), np.asarray(est.classes_)[proba.argmax(axis=1)])
    if name != "original-cnn":
        assert list(est.classes_) == list(CLASSES)
    pp = p_planet(est, Xt)
    assert pp.shape == (len(tiny_test_features),)
    # a model file is weights plus JSON and gives back the same predictions
    folder = save_model(est, tmp_path / name)
    assert (folder / "model.json").is_file()
    assert not list(folder.rglob("*.pkl"))
    back = load_model(folder)
    assert type(back) is type(est)
    np.testing.assert_allclose(back.predict_proba(Xt), proba, atol=1e-6)
    assert back.model_json_["model"] == name


def test_registry_lists_the_models_and_rejects_unknown_names():
    from starskope.errors import UnknownNameError

    assert MODELS.names() == ["dbn", "ensemble", "gbt", "original-cnn", "pixel-cnn", "pixel-ensemble",
                              "spectrogram-cnn", "view-cnn"]
    with pytest.raises(UnknownNameError, match="unknown model 'cnn'; known models: dbn, ensemble"):
        make_model("cnn")
