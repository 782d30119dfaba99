"""Calibrated probabilities (temperature and class biases on real stars' out-of-fold
predictions), the calibration error, scalar columns read by name, and permutation
importance."""

from __future__ import annotations

import numpy as np
import pytest

from starskope.errors import ParameterError
from starskope.models import make_model
from starskope.models.ensemble import MIN_CALIBRATION_STARS, fit_temperature_bias
from starskope.models.evaluation import (
    expected_calibration_error,
    plot_reliability,
    reliability_table,
)
from starskope.models.importance import member_importance, permutation_importance


def _softmax(z):
    e = np.exp(z - z.max(axis=1, keepdims=True))
    return e / e.sum(axis=1, keepdims=True)


def test_temperature_and_biases_are_recovered_from_labels_drawn_with_them():
    rng = np.random.default_rng(0)
    logits = rng.normal(0, 3, size=(6000, 4))
    true_t, true_b = 2.5, np.array([0.0, -1.0, 0.5, 1.5])
    p = _softmax(logits / true_t + true_b)
    y = np.array([rng.choice(4, p=row) for row in p])
    t, b = fit_temperature_bias(logits, y)
    assert t == pytest.approx(true_t, rel=0.08)
    np.testing.assert_allclose(b, true_b, atol=0.12)


def test_ece_and_reliability_table():
    y = np.array([0, 0, 1, 1, 1, 0, 1, 1, 0, 0])
    p = np.array([0.05, 0.05, 0.95, 0.95, 0.95, 0.05, 0.95, 0.95, 0.05, 0.05])
    assert expected_calibration_error(y, p) == pytest.approx(0.05)
    table = reliability_table(y, p)
    assert table["count"][0] == 5 and table["count"][9] == 5 and sum(table["count"]) == 10
    assert table["fraction_positive"][9] == 1.0 and np.isnan(table["mean_p"][4])
    # overconfident: says 0.95 for stars of which half are planets
    assert expected_calibration_error(np.array([0, 1] * 5), np.full(10, 0.95)) == pytest.approx(0.45)
    with pytest.raises(ParameterError, match=r"probabilities must lie in \[0, 1\]"):
        reliability_table(y, p * 2)


def test_reliability_diagram_is_a_png(tmp_path):
    rng = np.random.default_rng(1)
    p = rng.random(300)
    y = (rng.random(300) < p).astype(int)
    out = plot_reliability({"calibrated": (y, p), "overconfident": (y, np.clip(p * 1.5, 0, 1))}, tmp_path / "r.png")
    assert out.read_bytes()[:4] == b"\x89PNG"


def _ensemble():
    return make_model("ensemble", members=("gbt", "dbn"), n_folds=2,
                      member_params={"gbt": {"max_iter": 20}, "dbn": {"hidden": [16, 8], "rbm_epochs": 1, "epochs": 3}})


def test_the_ensemble_calibrates_on_its_real_stars_and_keeps_the_ranking(tiny_features, tiny_test_features):
    fs = tiny_features.subset(slice(None))
    m = _ensemble().fit(fs)
    assert m.calibration_["on"] == "all"  # no origin column: every training star
    assert m.calibration_["n_stars"] == len(fs) and m.temperature_ > 0
    raw, cal = m.uncalibrated_proba(tiny_test_features), m.predict_proba(tiny_test_features)
    np.testing.assert_allclose(cal.sum(axis=1), 1.0)
    # one temperature and per-class biases keep the order of each class's logit
    logit_raw = np.log(raw[:, 0]) - np.log(raw[:, 3])
    logit_cal = np.log(cal[:, 0]) - np.log(cal[:, 3])
    assert np.all(np.argsort(logit_raw) == np.argsort(logit_cal))
    off = make_model("ensemble", members=("gbt",), n_folds=2, calibration=None,
                     member_params={"gbt": {"max_iter": 20}}).fit(fs)
    np.testing.assert_allclose(off.predict_proba(tiny_test_features), off.uncalibrated_proba(tiny_test_features))
    with pytest.raises(ParameterError, match="calibration must be 'temperature-bias' or None"):
        make_model("ensemble", calibration="isotonic").fit(fs)


def test_calibration_uses_the_real_stars_when_there_are_enough(tiny_features):
    from starskope.features import FeatureSet

    parts = [tiny_features] * (MIN_CALIBRATION_STARS // len(tiny_features) + 2)
    fs = FeatureSet.concat(parts)
    origin = np.full(len(fs), "simulated", dtype=object)
    origin[len(tiny_features):] = "real"
    fs.meta["origin"] = origin
    m = make_model("ensemble", members=("gbt",), n_folds=2, member_params={"gbt": {"max_iter": 10}}).fit(fs)
    assert m.calibration_["on"] == "real" and m.calibration_["n_stars"] == int((origin == "real").sum())
    assert m.training_summary_["n_real"] == m.calibration_["n_stars"]
    assert m.oof_real_["proba"].shape == (m.calibration_["n_stars"], 4)


def test_calibration_is_saved_and_an_older_model_file_reads_as_uncalibrated(tiny_features, tiny_test_features, tmp_path):
    from starskope.models import load_model, save_model

    m = make_model("ensemble", members=("gbt",), n_folds=2, member_params={"gbt": {"max_iter": 10}}).fit(tiny_features)
    save_model(m, tmp_path / "m")
    back = load_model(tmp_path / "m")
    np.testing.assert_allclose(back.predict_proba(tiny_test_features), m.predict_proba(tiny_test_features))
    state, arrays, _ = m._export_state()
    for k in ("temperature", "class_bias", "calibration"):
        state.pop(k)
    old = make_model("ensemble", members=("gbt",))
    old._import_state(state, arrays, classes=list(m.classes_), members=m.members_)
    np.testing.assert_allclose(old.predict_proba(tiny_test_features), m.uncalibrated_proba(tiny_test_features))


def test_models_read_their_scalars_by_name(tiny_features, tiny_test_features):
    from starskope.features import FeatureSet

    m = make_model("dbn", hidden=[8], rbm_epochs=1, epochs=2).fit(tiny_features)
    before = m.predict_proba(tiny_test_features)
    # a later starskope adds a scalar feature and reorders nothing the model knew
    x = tiny_test_features
    wider = FeatureSet(views=x.views, spectrogram=x.spectrogram,
                       scalars=np.column_stack([x.scalars, np.ones(len(x))]),
                       scalar_names=(*x.scalar_names, "a_new_feature"), meta=x.meta, labels=x.labels)
    np.testing.assert_allclose(m.predict_proba(wider), before)
    narrower = FeatureSet(views=x.views, spectrogram=x.spectrogram, scalars=x.scalars[:, :5],
                          scalar_names=x.scalar_names[:5], meta=x.meta, labels=x.labels)
    with pytest.raises(ParameterError, match="lacks scalar features"):
        m.predict_proba(narrower)


def test_permutation_importance_finds_what_the_model_reads(tiny_features, tiny_test_features):
    m = make_model("ensemble", members=("gbt", "spectrogram-cnn"), n_folds=2,
                   member_params={"gbt": {"max_iter": 20}, "spectrogram-cnn": {"epochs": 1, "width": 4}})
    m.fit(tiny_features)
    imp = permutation_importance(m, tiny_test_features, n_repeats=2, single_scalars=False)
    assert set(imp["drops"]) == {"ensemble", "gbt", "spectrogram-cnn"}
    # the trees read scalars only, the spectrogram CNN the spectrogram only
    assert "global view" not in imp["drops"]["gbt"] and "spectrogram" not in imp["drops"]["gbt"]
    assert set(imp["drops"]["spectrogram-cnn"]) == {"spectrogram"}
    best = max(imp["drops"]["gbt"].items(), key=lambda kv: kv[1]["mean_log_p"])
    assert best[1]["mean_log_p"] > 0.05 and best[0].endswith("scalars")
    mem = member_importance(m, tiny_test_features, n_repeats=2)
    assert mem["members"]["gbt"]["drop"]["mean_log_p"] > mem["members"]["spectrogram-cnn"]["drop"]["mean_log_p"]
    with pytest.raises(ParameterError, match="at least 10 labelled stars"):
        permutation_importance(m, tiny_test_features.subset(slice(0, 5)))
    with pytest.raises(ParameterError, match="needs a stacked ensemble"):
        member_importance(m.members_[0][1], tiny_test_features)
