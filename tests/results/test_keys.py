"""Result keys: the same bytes, options and model give the same key; any change gives another."""

from __future__ import annotations

import shutil

import pytest

from starskope.errors import ModelFileError, ParameterError
from starskope.models import DEFAULT_MODEL_DIR
from starskope.results.keys import (
    AnalysisIdentity,
    content_key,
    file_sha256,
    folder_sha256,
    model_identity,
    options_key,
)

SHA = "ab" * 32


def test_content_key_names_the_bytes_and_the_rows(tmp_path):
    f = tmp_path / "x.csv"
    f.write_bytes(b"time,flux\n1,2\n")
    assert file_sha256(f) == "bd7865053f38ec532a9b928fff924fc910fa3ef4cc063a9ccdefca33606c8072"
    assert content_key(SHA) == f"sha256:{SHA}"
    assert content_key(SHA.upper(), 0, 128) == f"sha256:{SHA}#rows=0-128"
    with pytest.raises(ParameterError, match="sha256 must be 64 hex digits; got 'abc'"):
        content_key("abc")
    with pytest.raises(ParameterError, match="give both row_start and row_stop or neither"):
        content_key(SHA, 3)
    with pytest.raises(ParameterError, match="0 <= row_start < row_stop; got 5-5"):
        content_key(SHA, 5, 5)


def test_options_key_ignores_order_and_sees_every_value():
    a = options_key({"star_types": True, "stellar": "auto"})
    assert a == options_key({"stellar": "auto", "star_types": True})
    assert a != options_key({"star_types": False, "stellar": "auto"})
    assert options_key(None) != options_key({})


def test_model_identity_follows_the_folder_content(tmp_path):
    one = tmp_path / "one"
    shutil.copytree(DEFAULT_MODEL_DIR, one)
    two = tmp_path / "two"
    shutil.copytree(DEFAULT_MODEL_DIR, two)
    assert model_identity(one) == model_identity(two) == f"sha256:{folder_sha256(one)}"
    weights = next(two.rglob("weights.pt"))
    weights.write_bytes(weights.read_bytes() + b"\0")  # retrained: other weights
    assert model_identity(one) != model_identity(two)
    assert model_identity("none") == "none"
    shipped = model_identity(None)
    assert shipped == model_identity("default") and shipped.startswith("default@")
    assert shipped.endswith(folder_sha256(DEFAULT_MODEL_DIR)[:16])
    with pytest.raises(ModelFileError, match="not a model folder"):
        model_identity(tmp_path)


def test_result_key_changes_with_content_options_and_model(tmp_path):
    base = AnalysisIdentity.of("classify", {"star_types": True}, "none")
    key = base.result_key(content_key(SHA))
    assert key == AnalysisIdentity.of("classify", {"star_types": True}, "none").result_key(content_key(SHA))
    assert key != base.result_key(content_key("cd" * 32))
    assert key != base.result_key(content_key(SHA, 0, 1))
    assert key != AnalysisIdentity.of("classify", {"star_types": False}, "none").result_key(content_key(SHA))
    assert key != AnalysisIdentity.of("report", {"star_types": True}, "none").result_key(content_key(SHA))
    assert key != AnalysisIdentity.of("classify", {"star_types": True}, None).result_key(content_key(SHA))
