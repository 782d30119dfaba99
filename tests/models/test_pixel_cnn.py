"""The pixel CNN and the pixel-aware ensemble: they learn where the light goes, leave stars
without pixels to the light-curve model, save as weights plus JSON, and show saliency."""

from __future__ import annotations

import numpy as np
import pytest

from starskope.features.dataset import FeatureSet
from starskope.models import CLASSES, load_model, make_model, save_model
from starskope.models.pixel_cnn import PixelCNN, PixelEnsemble, pixel_inputs, pixel_present

PLANET, EB = CLASSES.index("planet_transit"), CLASSES.index("eclipsing_binary")


def _blob(col: float, row: float, size: int = 11) -> np.ndarray:
    rr, cc = np.mgrid[0:size, 0:size]
    return np.exp(-((cc - col) ** 2 + (rr - row) ** 2) / (2 * 0.7**2))


def pixel_meta(labels: np.ndarray, rng: np.random.Generator, present: np.ndarray | None = None) -> dict:
    """Difference images like the pixels stage makes: the light lost at the centre (the
    target) for planets, 2–3 pixels away for eclipsing binaries; the target at the centre of
    the out-of-transit image."""
    n = labels.size
    present = np.ones(n, bool) if present is None else present
    images = np.zeros((n, 3, 11, 11), np.float32)
    scalars = np.zeros((n, 5), np.float32)
    for i, y in enumerate(labels):
        if not present[i]:
            continue
        if y == EB:
            ang, sep = rng.uniform(0, 2 * np.pi), rng.uniform(2.0, 3.0)
            c, r, off = 5 + sep * np.cos(ang), 5 + sep * np.sin(ang), sep
        else:
            c, r, off = 5 + rng.normal(0, 0.1), 5 + rng.normal(0, 0.1), 0.1
        snr = rng.uniform(8, 30)
        d = _blob(c, r)
        images[i, 0] = snr * d + rng.normal(0, 1, (11, 11))
        images[i, 1] = d + rng.normal(0, 0.05, (11, 11))
        images[i, 2] = _blob(5, 5)
        scalars[i] = (1, 1, snr, 10 if y == EB else 0.5, off)
    return {"pixel_images": images, "pixel_scalars": scalars}


def pixel_only(n: int, seed: int) -> FeatureSet:
    rng = np.random.default_rng(seed)
    labels = np.where(rng.random(n) < 0.5, PLANET, EB).astype(np.int64)
    return FeatureSet(views={}, spectrogram=np.zeros((n, 1, 1), np.float32), scalars=np.zeros((n, 0)),
                      scalar_names=(), meta=pixel_meta(labels, rng), labels=labels)


def test_the_pixel_cnn_tells_light_lost_on_the_target_from_light_lost_beside_it():
    train, test = pixel_only(240, 0), pixel_only(80, 1)
    m = PixelCNN(epochs=20, width=4, seed=0).fit(train)
    proba = m.predict_proba(test)
    assert proba.shape == (80, 4) and list(m.classes_) == list(CLASSES)
    accuracy = np.mean(np.where(proba[:, PLANET] > proba[:, EB], PLANET, EB) == test.labels)
    assert accuracy > 0.9
    sal = m.saliency(test.subset(np.flatnonzero(test.labels == EB)[:5]), "eclipsing_binary")
    assert sal.shape == (5, 11, 11) and np.isfinite(sal).all()
    # the pixels that argue most are where the light was lost, not the empty corners
    assert np.abs(sal[:, 5, 5]).mean() + np.abs(sal).max(axis=(1, 2)).mean() > np.abs(sal[:, 0, 0]).mean()
    with pytest.raises(Exception, match="unknown class 'planet'"):
        m.saliency(test, "planet")


def test_pixel_inputs_are_zeros_without_pixels(tiny_features):
    inp = pixel_inputs(tiny_features)
    assert inp["images"].shape == (len(tiny_features), 3, 11, 11) and not inp["images"].any()
    assert not pixel_present(tiny_features).any()


@pytest.fixture(scope="module")
def mixed(tiny_features, tiny_test_features):
    """The tiny light-curve FeatureSets, with pixels for three quarters of the stars."""
    out = []
    for fs, seed in ((tiny_features, 2), (tiny_test_features, 3)):
        rng = np.random.default_rng(seed)
        present = rng.random(len(fs)) < 0.75
        x = fs.subset(slice(None))
        x.meta.update(pixel_meta(fs.labels, rng, present))
        out.append(x)
    return out


def test_the_pixel_ensemble_stacks_where_there_are_pixels_and_saves_as_files(mixed, tmp_path):
    train, test = mixed
    model = make_model("pixel-ensemble", base="gbt", base_params={"max_iter": 30},
                       pixel_params={"epochs": 15, "width": 4}, n_folds=2, seed=0)
    assert model.fit(train) is model and model.stacked_
    proba = model.predict_proba(test)
    np.testing.assert_allclose(proba.sum(axis=1), 1.0, atol=1e-6)
    base = model.member_probabilities(test)["base"]
    present = pixel_present(test)
    np.testing.assert_allclose(proba[~present], base[~present])  # no pixels: the light-curve model's answer
    assert not np.allclose(proba[present], base[present])
    folder = save_model(model, tmp_path / "pixel-model")
    assert (folder / "members" / "base" / "model.json").is_file()
    assert (folder / "members" / "pixel-cnn" / "weights.pt").is_file()
    assert not list(folder.rglob("*.pkl"))
    back = load_model(folder)
    assert isinstance(back, PixelEnsemble)
    np.testing.assert_allclose(back.predict_proba(test), proba, atol=1e-6)
    assert back.saliency(test.subset([0])).shape == (1, 11, 11)


def test_extra_pixel_training_stars_and_a_saved_model_kept_as_it_is(mixed, tmp_path):
    train, test = mixed
    gbt = make_model("gbt", max_iter=20).fit(train)
    folder = save_model(gbt, tmp_path / "lc-model")
    model = PixelEnsemble(base=str(folder), pixel_params={"epochs": 3, "width": 4}, n_folds=2)
    model.fit(train, pixel_training=pixel_only(60, 4))
    assert model.training_summary_["n_pixel_training"] == 60 and not model.base_trained_
    assert model.preprocessing_ == model.base_model_.preprocessing_
    # the light-curve model was not trained again
    np.testing.assert_allclose(model.member_probabilities(test)["base"], gbt.predict_proba(test), atol=1e-9)


def test_a_bad_base_is_named(mixed):
    from starskope.errors import ParameterError

    with pytest.raises(ParameterError, match="base must be 'default', a model folder or a model name"):
        PixelEnsemble(base="no-such-model").fit(mixed[0])


def test_the_stacker_weighs_the_centroid_test_and_reads_models_saved_without_it(mixed):
    from starskope.models.pixel_cnn import _offset_evidence
    from starskope.pixels import DIFFERENCE_THRESHOLDS

    far = DIFFERENCE_THRESHOLDS["offset_threshold_pixels"]
    # present, measured, SNR, offset σ, offset [px]: only a measured offset at the flag's
    # distance counts, by its significance (capped at 30 σ)
    scalars = np.array([[1, 1, 20, 10.0, far + 0.5], [1, 1, 20, 10.0, far - 0.1], [1, 0, 3, 10.0, far + 1],
                        [1, 1, 40, 99.0, 2.0], [0, 0, 0, 0, 0]])
    np.testing.assert_allclose(_offset_evidence(scalars), [np.log(11.0), 0, 0, np.log(31.0), 0])
    train, test = mixed
    model = make_model("pixel-ensemble", base="gbt", base_params={"max_iter": 20},
                       pixel_params={"epochs": 3, "width": 4}, n_folds=2, seed=0).fit(train)
    assert model.coef_.shape[1] == 2 * len(CLASSES) + 1
    # a model saved before the evidence joined the stacker has 8 columns: it still predicts,
    # from the probabilities alone
    old = model.coef_.copy()
    model.coef_ = old[:, :8]
    p8 = model.predict_proba(test)
    np.testing.assert_allclose(p8.sum(axis=1), 1.0, atol=1e-6)
    present = pixel_present(test)
    evidence = _offset_evidence(np.asarray(test.meta["pixel_scalars"]))[present] > 0
    model.coef_ = old
    p9 = model.predict_proba(test)
    # stars without the centroid evidence get the same answer either way; the others move
    np.testing.assert_allclose(p8[present][~evidence], p9[present][~evidence], atol=1e-9)
    assert not np.allclose(p8[present][evidence], p9[present][evidence])
