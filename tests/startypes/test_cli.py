"""starskope startype classify|evaluate|train from the command line."""

from __future__ import annotations

import json
from pathlib import Path

import pytest

from starskope.cli import main


def test_classify_prints_type_and_evidence(shared_data: Path, capsys: pytest.CaptureFixture) -> None:
    path = shared_data / "tess" / "ffi" / "27767184.fits.gz"  # held-out eclipsing binary, P = 3.513 d
    assert main(["startype", "classify", str(path)]) == 0
    out = capsys.readouterr().out
    assert out.startswith(f"{path}: eclipsing_binary")
    assert "dominant period" in out and "ppt" in out


def test_classify_json_has_columns_and_periodogram(shared_data: Path, capsys: pytest.CaptureFixture) -> None:
    path = shared_data / "tess" / "ffi" / "176780929.fits.gz"  # held-out RR Lyrae
    assert main(["startype", "classify", "--json", str(path)]) == 0
    row = json.loads(capsys.readouterr().out.strip().splitlines()[-1])
    assert row["star_type"] == "rr_lyrae" and row["p_type_rr_lyrae"] > 0.5
    assert len(row["periodogram"]["frequency_per_day"]) == len(row["periodogram"]["amplitude_ppt"])


def test_classify_missing_file(tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    assert main(["startype", "classify", str(tmp_path / "nope.fits")]) == 2
    assert "nope.fits: no such file" in capsys.readouterr().err


def test_classify_bad_model_dir(shared_data: Path, tmp_path: Path, capsys: pytest.CaptureFixture) -> None:
    path = shared_data / "tess" / "ffi" / "34713545.fits.gz"
    assert main(["startype", "classify", "--model-dir", str(tmp_path), str(path)]) == 2
    assert "star-type model file not found" in capsys.readouterr().err


@pytest.mark.slow
def test_evaluate_reproduces_the_shipped_numbers(shared_data: Path, tmp_path: Path,
                                                 capsys: pytest.CaptureFixture) -> None:
    """Recompute the held-out features from scratch and score the shipped model (~4 min)."""
    from starskope.startypes import load_default_model

    rc = main(["startype", "evaluate", "--data", str(shared_data), "--cache-dir", str(tmp_path),
               "--results", str(tmp_path / "results")])
    assert rc == 0
    stored = load_default_model().info_["heldout"]
    result = json.loads((tmp_path / "results" / "startypes_eval.json").read_text())
    assert result["macro_f1"] == pytest.approx(stored["macro_f1"], abs=1e-9)
    assert (tmp_path / "results" / "startypes_confusion.png").stat().st_size > 10_000


@pytest.mark.parametrize("command", ["train", "evaluate"])
def test_train_and_evaluate_need_the_data_folder(command: str, tmp_path: Path, capsys: pytest.CaptureFixture,
                                                 monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("STARSKOPE_SHARED_DATA", raising=False)
    assert main(["startype", command, "--cache-dir", str(tmp_path)]) == 2
    err = capsys.readouterr().err
    assert f"startype {command} needs the real-data folder: --data DIR (or set STARSKOPE_SHARED_DATA)" in err
