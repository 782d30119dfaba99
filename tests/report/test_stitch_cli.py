"""``starskope report --stitch``: one report for a star seen by Kepler and TESS."""

from __future__ import annotations

import json

from starskope.cli import main

KEPLER_Q3 = "kepler/dr24/kplr002439660-2009350155506_llc.fits.gz"
TESS_S14 = "tess/ffi/122507338.fits.gz"


def test_stitched_report_says_what_each_telescope_contributed(shared_data, tmp_path, capsys):
    out = tmp_path / "reports"
    rc = main(["report", str(shared_data / KEPLER_Q3), str(shared_data / TESS_S14), "--stitch", "--out", str(out),
               "--no-saliency", "--no-stellar", "--quiet", "--plotly", "file"])
    assert rc == 0
    said = capsys.readouterr().out
    assert "TIC 122507338: 2 pieces from Kepler+TESS" in said
    doc = json.loads((out / "TIC_122507338.json").read_text())
    tel = doc["telescopes"]
    assert tel["missions"] == "Kepler+TESS" and tel["n_telescopes"] == 2
    assert [c["instrument"] for c in tel["contributions"]] == ["Kepler", "TESS"]
    assert {p["instrument"] for p in tel["per_telescope"]} == {"Kepler", "TESS"}
    assert "Telescopes" in (out / "TIC_122507338.html").read_text()
    prov = doc["provenance"]
    assert prov["product"] == "stitched" and KEPLER_Q3.split("/")[-1] in prov["source"]
    assert any("pieces were masked by their own telescope's mask" in step for step in prov["steps"])


def test_stitch_option_errors(shared_data, tmp_path, capsys):
    k = str(shared_data / KEPLER_Q3)
    rc = main(["report", k, "--out", str(tmp_path), "--density", "1.4"])
    assert rc == 2 and "--density and --density-error apply with --stitch" in capsys.readouterr().err
    rc = main(["report", k, "--stitch", "--out", str(tmp_path), "--density", "1.4"])
    assert rc == 2 and "give --density and --density-error together" in capsys.readouterr().err
    table = tmp_path / "exoTest.csv"
    table.write_text("LABEL,FLUX.1,FLUX.2\n1,1.0,2.0\n")
    rc = main(["report", k, str(table), "--stitch", "--out", str(tmp_path)])
    assert rc == 2 and "is a Kaggle-layout table" in capsys.readouterr().err
