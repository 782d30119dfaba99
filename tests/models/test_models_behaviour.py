"""What each model does beyond the shared contract: the published CNN, tree export,
RBM pre-training, branch ablation, stacking, labels and metrics."""

from __future__ import annotations

import numpy as np
import pytest

from starskope.errors import ParameterError, StarskopeWarning
from starskope.models import (
    class_index,
    class_names,
    from_kaggle_labels,
    from_manifest_class,
    make_model,
)
from starskope.models.evaluation import (
    binary_metrics,
    format_metric_table,
    multiclass_metrics,
    plot_confusion,
    plot_pr,
    plot_roc,
    plot_training_curves,
    recall_at_fpr,
)
from starskope.models.gbt import export_hgb
from starskope.models.original_cnn import _build_network, original_preprocess


def test_original_cnn_is_the_published_architecture():
    from torch import nn

    net = _build_network(3197, 11, (8, 16, 32, 64), 4, (0.5, 0.25), 64)
    convs = [m for m in net if isinstance(m, nn.Conv1d)]
    assert [c.out_channels for c in convs] == [8, 16, 32, 64]
    assert all(c.kernel_size == (11,) for c in convs)
    pools = [m for m in net if isinstance(m, nn.MaxPool1d)]
    assert len(pools) == 4 and all(p.stride == 4 and p.kernel_size == 2 for p in pools)
    assert sum(isinstance(m, nn.BatchNorm1d) for m in net) == 3
    dense = [m for m in net if isinstance(m, nn.Linear)]
    # Keras: 3197 -> conv 3187 -> pool 797 -> 787 -> 197 -> 187 -> 47 -> 37 -> 9; 9 x 64 = 576
    assert [(d.in_features, d.out_features) for d in dense] == [(576, 64), (64, 64), (64, 1)]
    assert [m.p for m in net if isinstance(m, nn.Dropout)] == [0.5, 0.25]


def test_original_preprocessing_scales_each_star_and_adds_the_moving_average():
    from scipy.ndimage import uniform_filter1d

    rng = np.random.default_rng(0)
    x = rng.normal(100, 7, (3, 500))
    z = original_preprocess(x, 200)
    assert z.shape == (3, 2, 500)
    np.testing.assert_allclose(z[:, 0].mean(axis=1), 0, atol=1e-5)
    np.testing.assert_allclose(z[:, 0].std(axis=1), 1, atol=1e-4)
    np.testing.assert_allclose(z[:, 1], uniform_filter1d(z[:, 0].astype(float), 200, axis=1), atol=1e-5)
    x[0, 5] = np.nan
    with pytest.warns(StarskopeWarning, match="non-finite flux cells in 1 stars"):
        original_preprocess(x)
    with pytest.raises(ParameterError, match="flux must be 2-D"):
        original_preprocess(np.zeros(5))


def test_original_cnn_label_errors(tiny_features):
    m = make_model("original-cnn", warmup_epochs=1, epochs=1, steps_per_epoch=1)
    with pytest.raises(ParameterError, match=r"labels must be 0 \(not a host\) or 1 \(planet host\)"):
        m.fit(tiny_features.table_flux, np.full(len(tiny_features), 2))
    with pytest.raises(ParameterError, match="needs both planet hosts and non-hosts"):
        m.fit(tiny_features.table_flux, np.zeros(len(tiny_features), int))
    no_table = tiny_features.subset(slice(None))
    no_table.table_flux = None
    with pytest.raises(ParameterError, match="this FeatureSet has no table_flux"):
        m.fit(no_table)


def test_gbt_export_reproduces_sklearn(tiny_features):
    from sklearn.ensemble import HistGradientBoostingClassifier

    X = tiny_features.scalars[:, np.isfinite(tiny_features.scalars).all(axis=0)][:, :20].copy()
    X[::5, 3] = np.nan  # missing values take their learned branch
    y = tiny_features.labels
    hgb = HistGradientBoostingClassifier(max_iter=25, random_state=0).fit(X, y)
    trees = export_hgb(hgb)
    z = trees.raw_scores(X)
    p = np.exp(z - z.max(1, keepdims=True))
    p /= p.sum(1, keepdims=True)
    np.testing.assert_allclose(p, hgb.predict_proba(X), atol=1e-9)


def test_the_installed_scikit_learn_is_one_the_tree_export_was_tested_with():
    """The export reads scikit-learn's private tree arrays: a version outside the tested
    range must be tested (the reproduction test above) before the range is widened."""
    import sklearn

    from starskope.models.gbt import SKLEARN_EXPORT_TESTED

    major, minor = (int(x) for x in sklearn.__version__.split(".")[:2])
    first, last = SKLEARN_EXPORT_TESTED
    assert first <= (major, minor) < last, f"scikit-learn {sklearn.__version__} is outside {first}..{last}"


def test_gbt_importances_name_physical_features(tiny_features):
    m = make_model("gbt", max_iter=30).fit(tiny_features)
    table = m.importance_table(5)
    assert len(table) == 5 and table[0][1] >= table[-1][1]
    assert pytest.approx(sum(m.feature_importances_)) == 1.0
    assert all(name in m.feature_names_ for name, _ in table)


def test_dbn_pretraining_lowers_reconstruction_error_and_can_be_switched_off(tiny_features):
    m = make_model("dbn", hidden=(24, 12), rbm_epochs=6, epochs=2).fit(tiny_features)
    rec = m.history_["rbm_reconstruction"]
    assert len(rec) == 2 and all(len(r) == 6 for r in rec)
    assert rec[0][-1] < rec[0][0]
    m2 = make_model("dbn", hidden=(24, 12), pretrain=False, epochs=2).fit(tiny_features)
    assert m2.history_["rbm_reconstruction"] == [] and m2.training_summary_["pretrained"] is False


def test_view_cnn_branch_contributions(tiny_features):
    from starskope.models.view_cnn import BRANCHES

    m = make_model("view-cnn", epochs=4, width=4).fit(tiny_features)
    c = m.branch_contributions(tiny_features)
    assert set(c) == set(BRANCHES)
    assert all(v.shape == (len(tiny_features),) for v in c.values())
    assert any(np.abs(v).max() > 0 for v in c.values())


def test_ensemble_stacks_out_of_fold_predictions(tiny_features, tiny_test_features):
    m = make_model("ensemble", members=("gbt", "spectrogram-cnn"), n_folds=2,
                   member_params={"gbt": {"max_iter": 20}, "spectrogram-cnn": {"epochs": 2, "width": 4}})
    m.fit(tiny_features)
    assert m.coef_.shape == (4, 8)
    assert set(m.oof_metrics_) == {"gbt", "spectrogram-cnn", "ensemble"}
    members = m.member_probabilities(tiny_test_features)
    assert set(members) == {"gbt", "spectrogram-cnn"}
    with pytest.raises(ParameterError, match="n_folds must be at least 2"):
        make_model("ensemble", n_folds=1).fit(tiny_features)
    with pytest.raises(ParameterError, match="does not take a FeatureSet"):
        make_model("ensemble", members=("original-cnn",)).fit(tiny_features)


def test_feature_models_reject_other_inputs(tiny_features):
    with pytest.raises(ParameterError, match="GradientBoostedTrees takes a FeatureSet"):
        make_model("gbt").fit(np.zeros((4, 4)), [0, 1, 2, 3])
    with pytest.raises(ParameterError, match="needs at least two classes"):
        make_model("gbt").fit(tiny_features, np.zeros(len(tiny_features), int))
    unlabelled = tiny_features.with_labels(None)
    with pytest.raises(ParameterError, match="needs labels"):
        make_model("gbt").fit(unlabelled)


def test_labels():
    assert class_index(["eclipsing_binary", "planet_transit", 3]).tolist() == [1, 0, 3]
    assert class_names([2]).tolist() == ["other_variable"]
    assert from_kaggle_labels(np.array([1, 2, 2])).tolist() == [0, 1, 1]
    assert from_manifest_class("delta_scuti") == "other_variable"
    assert from_manifest_class("unknown") is None
    with pytest.raises(ParameterError, match="unknown class 'comet'"):
        class_index(["comet"])
    with pytest.raises(ParameterError, match="class index 7 outside"):
        class_index([7])
    with pytest.raises(ParameterError, match="Kaggle labels must be 1"):
        from_kaggle_labels(np.array([0, 1]))
    with pytest.raises(ParameterError, match="unknown manifest class 'comet'"):
        from_manifest_class("comet")


def test_recall_at_fpr_and_binary_metrics():
    y = np.array([1, 1, 1, 1, 1] + [0] * 100)
    s = np.concatenate([[0.99, 0.98, 0.97, 0.5, 0.2], np.linspace(0, 0.96, 100)])
    # 1 % of 100 negatives = 1 allowed above threshold: threshold = second highest negative
    assert recall_at_fpr(y, s, 0.01) == pytest.approx(3 / 5)
    assert recall_at_fpr(y, s, 0.05) == pytest.approx(3 / 5)
    m = binary_metrics(y, s)
    assert m["hosts_found"] == "4/5" and m["non_hosts_flagged"] == "48/100"
    assert m["confusion"] == [[52, 48], [1, 4]]
    assert m["jaccard"] == pytest.approx(4 / (4 + 48 + 1))
    assert m["fowlkes_mallows"] == pytest.approx(np.sqrt(4 / 52 * 4 / 5))
    assert 0.5 < m["roc_auc"] < 1 and 0 < m["pr_auc"] < 1
    with pytest.raises(ParameterError, match="binary labels must be 0 or 1"):
        binary_metrics(np.array([2, 0]), np.array([0.1, 0.2]))
    with pytest.raises(ParameterError, match="scores are not finite"):
        binary_metrics(np.array([1, 0]), np.array([np.nan, 0.2]))


def test_multiclass_metrics_and_table():
    y = np.array([0, 1, 2, 3, 3])
    p = np.eye(4)[[0, 1, 3, 3, 3]] * 0.9 + 0.025
    m = multiclass_metrics(y, p)
    assert m["multiclass_accuracy"] == pytest.approx(0.8)
    assert m["multiclass_confusion"][2][3] == 1
    assert m["hosts_found"] == "1/1"
    text = format_metric_table({"original": m, "starskope": m})
    assert "PR-AUC" in text and "recall @ 1% FPR" in text and "starskope" in text
    with pytest.raises(ParameterError, match="proba must be"):
        multiclass_metrics(y, p[:, :2])


def test_plots_write_pngs(tmp_path):
    y = np.array([0, 1] * 20)
    s = np.linspace(0, 1, 40)
    for path in (
        plot_roc({"a": (y, s)}, tmp_path / "roc.png"),
        plot_pr({"a": (y, s)}, tmp_path / "pr.png"),
        plot_confusion([[5, 1], [0, 2]], ["not", "host"], tmp_path / "cm.png"),
        plot_training_curves({"a": {"train_loss": [1, 0.5], "val_loss": [1.1, 0.7]}}, tmp_path / "tc.png"),
    ):
        assert path.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
