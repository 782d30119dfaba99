"""Model files: weights plus JSON, validated on load, never unpickled."""

from __future__ import annotations

import json
import shutil

import numpy as np
import pytest

from starskope.errors import ModelFileError
from starskope.models import load_model, make_model, read_model_json, save_model


@pytest.fixture(scope="module")
def saved(tiny_features, tmp_path_factory):
    model = make_model("gbt", max_iter=15).fit(tiny_features)
    return save_model(model, tmp_path_factory.mktemp("m") / "gbt", metrics={"roc_auc": 0.9},
                      preprocessing={"analysis": {"vet_min_snr": 6.0}})


def _copy(saved, tmp_path):
    dst = tmp_path / "copy"
    shutil.copytree(saved, dst)
    return dst


def test_json_holds_config_version_preprocessing_training_and_metrics(saved):
    doc = read_model_json(saved)
    assert doc["format"] == "starskope-model" and doc["format_version"] == 1
    assert doc["model"] == "gbt" and doc["params"]["max_iter"] == 15
    assert doc["starskope_version"]
    assert doc["metrics"] == {"roc_auc": 0.9}
    assert doc["preprocessing"]["analysis"]["vet_min_snr"] == 6.0
    assert doc["training"]["n_stars"] == 48
    assert doc["weights"]["kind"] == "npz" and len(doc["weights"]["sha256"]) == 64


def test_missing_folder_and_json(tmp_path):
    with pytest.raises(ModelFileError, match="model folder not found"):
        load_model(tmp_path / "nope")
    (tmp_path / "empty").mkdir()
    with pytest.raises(ModelFileError, match=r"no model\.json in the model folder"):
        load_model(tmp_path / "empty")
    (tmp_path / "file.bin").write_bytes(b"x")
    with pytest.raises(ModelFileError, match="a model file is a folder"):
        load_model(tmp_path / "file.bin")


def test_invalid_json_and_schema(saved, tmp_path):
    d = _copy(saved, tmp_path)
    (d / "model.json").write_text("{not json")
    with pytest.raises(ModelFileError, match="not valid JSON"):
        load_model(d)
    doc = read_model_json(saved)
    for change, message in (
        ({"format": "pickle"}, "'format' must be 'starskope-model'"),
        ({"format_version": 99}, "format_version 99 is newer than this starskope"),
        ({"weights": {"kind": "pickle"}}, "'weights' must be"),
        ({"model": "resnet"}, "unknown model 'resnet'"),
        ({"params": {"max_iter": 15, "wings": 2}}, "params do not fit GradientBoostedTrees"),
    ):
        (d / "model.json").write_text(json.dumps({**doc, **change}))
        with pytest.raises(ModelFileError, match=message):
            load_model(d)
    bad = dict(doc)
    del bad["classes"]
    (d / "model.json").write_text(json.dumps(bad))
    with pytest.raises(ModelFileError, match="missing key"):
        load_model(d)


def test_corrupt_or_missing_weights(saved, tmp_path):
    d = _copy(saved, tmp_path)
    (d / "arrays.npz").write_bytes(b"garbage")
    with pytest.raises(ModelFileError, match=r"checksum .* does not match"):
        load_model(d)
    (d / "arrays.npz").unlink()
    with pytest.raises(ModelFileError, match=r"weights file named in model\.json is missing"):
        load_model(d)


def test_torch_weights_load_with_weights_only(tiny_features, tmp_path):
    model = make_model("spectrogram-cnn", epochs=1, width=4).fit(tiny_features)
    folder = save_model(model, tmp_path / "spec")
    assert (folder / "weights.pt").is_file()
    import torch

    state = torch.load(folder / "weights.pt", weights_only=True)
    assert all(isinstance(v, torch.Tensor) for v in state.values())
    # a state dict for another architecture does not fit
    other = make_model("spectrogram-cnn", epochs=1, width=8).fit(tiny_features)
    save_model(other, tmp_path / "spec8")
    shutil.copy(tmp_path / "spec8" / "weights.pt", folder / "weights.pt")
    doc = read_model_json(folder)
    from starskope.models.io import _sha256

    doc["weights"]["sha256"] = _sha256(folder / "weights.pt")
    (folder / "model.json").write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match="weights/state do not fit SpectrogramCNN"):
        load_model(folder)


def test_save_refuses_unfitted_and_existing(tiny_features, tmp_path):
    with pytest.raises(ModelFileError, match="cannot save an unfitted GradientBoostedTrees"):
        save_model(make_model("gbt"), tmp_path / "x")
    m = make_model("gbt", max_iter=5).fit(tiny_features)
    save_model(m, tmp_path / "x")
    with pytest.raises(ModelFileError, match="model folder exists"):
        save_model(m, tmp_path / "x", overwrite=False)
    assert np.allclose(load_model(tmp_path / "x").predict_proba(tiny_features), m.predict_proba(tiny_features))


def test_ensemble_members_stay_inside_the_folder(tiny_features, tmp_path):
    m = make_model("ensemble", members=("gbt",), n_folds=2, member_params={"gbt": {"max_iter": 5}}).fit(tiny_features)
    folder = save_model(m, tmp_path / "ens")
    assert (folder / "members" / "gbt" / "model.json").is_file()
    doc = read_model_json(folder)
    doc["members"] = [{"name": "gbt", "path": "../../elsewhere"}]
    (folder / "model.json").write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match="leaves the model folder"):
        load_model(folder)
    doc["members"] = []
    (folder / "model.json").write_text(json.dumps(doc))
    with pytest.raises(ModelFileError, match=r"ensemble members \['gbt'\] are missing"):
        load_model(folder)
