"""``starskope pixels FILE`` and the other commands on pixel files."""

from __future__ import annotations

import json

import pytest

from starskope.cli import main


def test_pixels_on_the_real_file_shows_the_aperture_and_the_difference_image(real_tpf, tmp_path, capsys):
    png = tmp_path / "px.png"
    rc = main(["pixels", str(real_tpf), "--plot", str(png)])
    text = capsys.readouterr().out
    assert rc == 0
    assert "K2 TPF: 5×7 pixels of 3.97″, 2487 cadences" in text
    assert "aperture: pipeline, 2 pixels" in text and "[535]*" in text
    assert "difference image:" in text
    assert png.is_file() and png.read_bytes()[:4] == b"\x89PNG"


def test_pixels_with_an_ephemeris_flags_a_neighbours_eclipse(k2_neighbour_file, tmp_path, capsys):
    path, truth = k2_neighbour_file
    stars = tmp_path / "stars.csv"
    stars.write_text(f"name,column,row\nthe binary,{truth['source_column_pix']},{truth['source_row_pix']}\n")
    rc = main(["pixels", str(path), "--period", str(truth["period_days"]), "--epoch", str(truth["epoch_bjd"]),
               "--duration", str(truth["duration_hours"]), "--aperture", "optimal", "--neighbours", str(stars),
               "--json"])
    doc = json.loads(capsys.readouterr().out)
    assert rc == 0
    d = doc["difference_image"]
    assert d["flagged"] and d["nearest"]["name"] == "the binary" and doc["aperture"]["name"] == "optimal"
    assert d["offset_pixels"] == pytest.approx(truth["source_separation_pix"], abs=0.5)
    assert doc["ephemeris_from"] == "given"
    rc = main(["pixels", str(path), "--period", str(truth["period_days"]), "--epoch", str(truth["epoch_bjd"]),
               "--duration", str(truth["duration_hours"])])
    assert rc == 0 and "CENTROID_OFFSET" in capsys.readouterr().out


@pytest.mark.parametrize("args,message", [
    (["--period", "3"], "give --period, --epoch and --duration together (missing --epoch, --duration)"),
    (["--plot", "x.jpg"], "--plot x.jpg: the extension must be .png"),
    (["--aperture", "best"], "unknown aperture 'best'; known apertures: pipeline"),
])
def test_mistakes_are_one_line(real_tpf, capsys, args, message):
    rc = main(["pixels", str(real_tpf), *args])
    err = capsys.readouterr().err
    assert rc == 2 and message in err and len(err.strip().splitlines()) == 1


def test_a_corrupt_pixel_file_is_one_line_naming_it(real_tpf, tmp_path, capsys):
    bad = tmp_path / "bad_lpd-targ.fits.gz"
    bad.write_bytes(real_tpf.read_bytes()[:5000])
    assert main(["pixels", str(bad)]) == 2
    err = capsys.readouterr().err
    assert str(bad) in err and len(err.strip().splitlines()) == 1


def test_search_and_vet_read_a_pixel_file(k2_neighbour_file, capsys):
    path, truth = k2_neighbour_file
    assert main(["search", str(path), "--max-planets", "1", "--no-catalogs"]) == 0
    assert "EPIC" in capsys.readouterr().out
    rc = main(["vet", str(path), "--period", str(truth["period_days"]), "--epoch", str(truth["epoch_bjd"]),
               "--duration", str(truth["duration_hours"]), "--no-catalogs"])
    assert rc == 0 and "verdict" in capsys.readouterr().out


def test_classify_and_report_accept_a_pixel_file(k2_neighbour_file, tmp_path, capsys):
    import pandas as pd

    path, _ = k2_neighbour_file
    out = tmp_path / "rows.csv"
    assert main(["classify", str(path), "--out", str(out), "--quiet", "--no-star-types", "--workers", "1"]) == 0
    row = pd.read_csv(out).iloc[0]
    assert "CENTROID_OFFSET" in str(row["flags"]) and row["mission"] == "K2"
    assert main(["report", str(path), "--out", str(tmp_path / "rep"), "--no-model", "--quiet", "--no-saliency"]) == 0
    pages = list((tmp_path / "rep").glob("*.html"))
    assert len(pages) == 1 and 'id="sk-pixels"' in pages[0].read_text()


def test_pixels_on_a_simulated_tess_cutout(tmp_path, capsys):
    """A TESScut-style FFI cutout (no pipeline aperture) with a planet on the target: the
    search finds it, the difference image puts the dip on the target, and an ephemeris
    given in BTJD gives the same answer."""
    from starskope.simulate.instrument import sector_grid

    from .conftest import planet, simulated_file

    t0 = float(sector_grid(1, "ffi_30min").time_bjd[0])
    path, truth = simulated_file(tmp_path, planet("TESS", period=3.1, radius_rearth=10.0, epoch=t0 + 1.3),
                                 mission="TESS", cutout=True, seed=4)
    assert main(["pixels", str(path), "--json"]) == 0
    doc = json.loads(capsys.readouterr().out)
    assert doc["product"] == "TESScut FFI cutout" and doc["mission"] == "TESS"
    assert doc["aperture"]["name"] == "threshold" and doc["ephemeris_from"].startswith("the best candidate")
    d = doc["difference_image"]
    assert d["period_days"] == pytest.approx(3.1, rel=1e-3)
    assert not d["flagged"] and d["offset_pixels"] < 0.3
    btjd = truth["epoch_bjd"] - 2457000.0
    rc = main(["pixels", str(path), "--period", "3.1", "--epoch", f"{btjd:.5f}", "--epoch-format", "btjd",
               "--duration", f"{truth['duration_hours']:.3f}"])
    text = capsys.readouterr().out
    assert rc == 0 and "TESScut FFI cutout" in text and "on target" in text and "CENTROID_OFFSET" not in text


def test_pixels_help_teaches_with_examples(capsys, monkeypatch):
    monkeypatch.setenv("COLUMNS", "1000")  # each example on one line
    assert main(["pixels", "--help"]) == 0
    text = capsys.readouterr().out
    assert "starskope pixels ktwo211983544-c18_lpd-targ.fits.gz --plot pixels.png" in text
    assert "--epoch-format btjd" in text
