"""The model shipped inside the package: present, small, documented, and working."""

from __future__ import annotations

import numpy as np

from starskope.models import CLASSES, DEFAULT_MODEL_DIR, default_model, read_model_json


def test_default_model_is_shipped_small_and_documented():
    doc = read_model_json(DEFAULT_MODEL_DIR)
    assert doc["model"] == "ensemble" and doc["classes"] == list(CLASSES)
    assert doc["training"]["preset"] == "default"  # made by `starskope train --preset default`
    assert doc["preprocessing"]["analysis"]["vet_min_snr"] > 0
    size = sum(p.stat().st_size for p in DEFAULT_MODEL_DIR.rglob("*") if p.is_file())
    assert size < 3_000_000
    assert not list(DEFAULT_MODEL_DIR.rglob("*.pkl")) and not list(DEFAULT_MODEL_DIR.rglob("*.joblib"))


def test_default_model_classifies_a_real_planet_host(shared_data):
    from starskope.analysis import options_for
    from starskope.datasets import files_features

    model = default_model()
    options = options_for(model, warn=False)
    # K2-3 (EPIC 201367065), K2SFF light curve of Campaign 1: K2-3 b at 10.05 d
    path = shared_data / "k2/misc/rodluger+everest/hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits.gz"
    fs = files_features([path], options=options)
    proba = model.predict_proba(fs)
    assert proba.shape == (1, 4) and np.isclose(proba.sum(), 1)
    assert abs(fs.meta["period_days"][0] - 10.05) < 0.05
    assert model.predict(fs)[0] == "planet_transit"
