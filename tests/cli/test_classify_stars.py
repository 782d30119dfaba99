"""``starskope classify`` and ``starskope report`` on a folder of Kepler quarters: one row
(one report) per star by default, one per file with ``--per-file``."""

from __future__ import annotations

import json
import shutil

import pandas as pd
import pytest

from starskope.cli import main

DR24 = "kepler/dr24"
QUARTERS = [f"{DR24}/kplr002985587-{stamp}_llc.fits.gz" for stamp in ("2009259160929", "2009350155506",
                                                                       "2010078095331")]
OTHER_STAR = f"{DR24}/kplr002988145-2009259160929_llc.fits.gz"


@pytest.fixture(scope="module")
def folder(shared_data, tmp_path_factory):
    """The three DR24 quarters of KIC 2985587 and one quarter of KIC 2988145."""
    d = tmp_path_factory.mktemp("quarters")
    for name in [*QUARTERS, OTHER_STAR]:
        shutil.copyfile(shared_data / name, d / (shared_data / name).name)
    return d


def _classify(capsys, folder, out, *extra):
    rc = main(["classify", str(folder), "--out", str(out), "--quiet", "--no-stellar", "--no-star-types",
               "--workers", "1", *extra])
    text = capsys.readouterr().out
    assert rc == 0, text
    return pd.read_csv(out), text


def test_classify_gives_one_row_per_star_and_per_file_on_request(folder, tmp_path, capsys):
    stars, text = _classify(capsys, folder, tmp_path / "stars.csv")
    assert len(stars) == 2 and "joined 3 files into 1 star(s)" in text
    first, second = stars.iloc[0], stars.iloc[1]
    assert first["file"].split(";") == [str(folder / (f.split("/")[-1])) for f in QUARTERS]
    assert (first["n_files"], first["target_id"]) == (3, "KIC 2985587")
    assert (second["n_files"], second["target_id"]) == (1, "KIC 2988145")
    assert second["file"] == str(folder / OTHER_STAR.split("/")[-1])
    files, _ = _classify(capsys, folder, tmp_path / "files.csv", "--per-file")
    assert len(files) == 4 and (files["n_files"] == 1).all()
    assert list(files["target_id"]) == ["KIC 2985587"] * 3 + ["KIC 2988145"]
    # the star's row is the one for its three quarters, not a copy of any one of them
    assert first["period_days"] not in set(files["period_days"].iloc[:3])


def test_a_rerun_skips_the_star_and_a_replaced_quarter_runs_it_again(folder, tmp_path, capsys):
    local = tmp_path / "q"
    shutil.copytree(folder, local)
    out = tmp_path / "r.csv"
    _classify(capsys, local, out)
    _, text = _classify(capsys, local, out)
    assert "(2 items done by an earlier run)" in text
    (local / OTHER_STAR.split("/")[-1]).unlink()
    q4 = local / QUARTERS[2].split("/")[-1]
    data = q4.read_bytes()
    q4.write_bytes(data[:-1] + bytes([data[-1] ^ 0xFF]))  # the last quarter replaced (a damaged copy)
    table, text = _classify(capsys, local, out)
    assert "done by an earlier run" not in text and len(table) == 1
    assert table["n_files"].iloc[0] == 2 and q4.name in table["warnings"].iloc[0]


def test_report_writes_one_report_per_star(folder, tmp_path, capsys):
    out = tmp_path / "reports"
    rc = main(["report", str(folder), "--out", str(out), "--no-model", "--no-saliency", "--no-stellar", "--quiet"])
    assert rc == 0, capsys.readouterr()
    names = sorted(p.name for p in out.glob("*.json"))
    assert len(names) == 2 and "KIC_2985587.json" in names
    doc = json.loads((out / "KIC_2985587.json").read_text())
    assert all(q.split("/")[-1] in doc["provenance"]["source"] for q in QUARTERS)
    rc = main(["report", str(folder), "--out", str(tmp_path / "each"), "--no-model", "--no-saliency",
               "--no-stellar", "--quiet", "--per-file"])
    assert rc == 0
    assert len(list((tmp_path / "each").glob("*.json"))) == 4
    rc = main(["report", str(folder), "--out", str(out), "--per-file", "--stitch"])
    assert rc == 2 and "give either --stitch or --per-file, not both" in capsys.readouterr().err
