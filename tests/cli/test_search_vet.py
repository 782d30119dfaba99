"""``starskope search`` and ``starskope vet`` on real files, and their errors."""

from __future__ import annotations

import json

import pandas as pd
import pytest

from starskope.cli import main

PIMEN = "tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz"
WASP18 = "tess/misc/spacetelescope+exovetter/wasp18b.fits.gz"
KEPLER = "kepler/dr24/kplr000757450-2009259160929_llc.fits.gz"


def test_search_prints_a_table_and_writes_csv(shared_data, tmp_path, capsys):
    out = tmp_path / "table.csv"
    rc = main(["search", str(shared_data / PIMEN), str(shared_data / WASP18), "--period-max", "10",
               "--max-planets", "2", "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 0
    assert "TIC 261136679" in text and "TIC 100100827" in text
    assert "period" in text and "[BJD_TDB]" in text and "[R⊕]" in text  # units in the two-line headers
    table = pd.read_csv(out)
    pimen = table[table["target"] == "TIC 261136679"].iloc[0]
    assert pimen["period_days"] == pytest.approx(6.2678, rel=1e-3)
    assert 200 < pimen["depth_ppm"] < 400
    assert pimen["radius_rearth"] == pytest.approx(2.0, rel=0.2)
    wasp = table[table["target"] == "TIC 100100827"].iloc[0]
    assert wasp["period_days"] == pytest.approx(0.94145, rel=1e-3)
    assert {"odd_even_sigma", "secondary_sigma", "flag_odd_even", "epoch_bjd", "snr", "n_transits"} <= set(table.columns)


def test_search_json_and_bad_file_goes_on(shared_data, tmp_path, capsys):
    bad = tmp_path / "broken.fits"
    bad.write_bytes(b"SIMPLE  =                    T" + b"\0" * 100)
    out = tmp_path / "table.json"
    rc = main(["search", str(bad), str(shared_data / WASP18), "--period-max", "5", "--max-planets", "1",
               "--out", str(out)])
    captured = capsys.readouterr()
    assert rc == 2
    errors = [line for line in captured.err.splitlines() if line.startswith("error:")]
    assert any("broken.fits" in line for line in errors)
    assert "1 of 2 files failed" in captured.err
    rows = json.loads(out.read_text())
    assert len(rows) == 1 and rows[0]["target"] == "TIC 100100827"
    assert rows[0]["period_days"] == pytest.approx(0.94145, rel=1e-3)


def test_search_errors(shared_data, tmp_path, capsys):
    assert main(["search", str(shared_data / WASP18), "--out", str(tmp_path / "t.txt")]) == 2
    assert "the extension must be .csv or .json" in capsys.readouterr().err
    assert main(["search", str(shared_data / WASP18), "--period-min", "5", "--period-max", "2"]) == 2
    assert "must be longer than --period-min" in capsys.readouterr().err
    assert main(["search", str(shared_data / WASP18), "--period-max", "100"]) == 2
    assert "longer than the light curve's" in capsys.readouterr().err
    assert main(["search", str(shared_data / WASP18), "--max-planets", "0"]) == 2
    assert "--max-planets must be at least 1" in capsys.readouterr().err
    assert main(["search", str(shared_data / WASP18), "--period-min", "-1"]) == 2
    assert "--period-min must be positive" in capsys.readouterr().err


def test_vet_prints_the_tests_and_long_the_evidence_table(shared_data, capsys):
    # TOI 144.01 (pi Men c): T0 = BJD 2460011.550653, in BTJD 3011.550653
    args = ["vet", str(shared_data / PIMEN), "--period", "6.267832", "--epoch", "3011.550653",
            "--epoch-format", "btjd", "--duration", "2.79"]
    assert main(args) == 0
    short = capsys.readouterr().out
    # the short form: what was measured, the tests that decide, the verdict
    assert len(short.strip().splitlines()) <= 30
    assert max(len(line) for line in short.splitlines()) <= 100
    assert "measured: depth" in short and "ppm" in short and "transits with data" in short
    for label in ("Odd/even depth difference", "Secondary eclipse significance", "Centroid shift in transit"):
        assert label in short, label
    assert "Red-noise factor" not in short  # a neutral line: only in --long
    assert "no flags: planet candidate" in short
    assert "verdict: planet candidate" in short and "--long" in short
    assert main([*args, "--long"]) == 0
    text = capsys.readouterr().out
    for label in ("Odd/even depth difference", "Secondary eclipse significance", "Implied radius",
                  "Centroid shift in transit", "Ephemeris match", "Depth"):
        assert label in text, label
    assert "no flags: planet candidate" in text
    assert "verdict: planet candidate" in text
    assert len(text.splitlines()) > len(short.splitlines())


def test_vet_from_the_dr24_catalogue_as_json(shared_data, tmp_path, capsys):
    out = tmp_path / "report.json"
    rc = main(["vet", str(shared_data / KEPLER), "--catalog", "dr24", "--json", "--out", str(out)])
    text = capsys.readouterr().out
    assert rc == 0
    reports = json.loads(text)
    assert reports == json.loads(out.read_text())
    (rep,) = reports
    assert rep["given"]["source"] == "DR24 PC"
    assert rep["candidate"]["period_days"] == pytest.approx(8.88492)
    names = {d["name"] for d in rep["diagnostics"]}
    assert {"odd_even", "secondary", "shape", "radius", "density", "period_alias", "centroid_shift"} <= names


def test_vet_errors(shared_data, capsys):
    f = str(shared_data / PIMEN)
    assert main(["vet", f, "--period", "6.27", "--epoch", "3011.55", "--duration", "2.8"]) == 2
    assert "is before 1858; give --epoch-format bkjd" in capsys.readouterr().err
    assert main(["vet", f, "--period", "6.27", "--epoch", "2460011.55"]) == 2
    assert "missing --duration" in capsys.readouterr().err
    assert main(["vet", f, "--catalog", "toi", "--period", "6.27"]) == 2
    assert "either --catalog or --period" in capsys.readouterr().err
    assert main(["vet", f, "--catalog", "dr24"]) == 2
    assert "--catalog dr24 needs a Kepler (KIC) star" in capsys.readouterr().err
    assert main(["vet", f, "--catalog", "gaia"]) == 2
    assert "--catalog must be dr24, koi or toi" in capsys.readouterr().err
    assert main(["vet", f, "--period", "6.27", "--epoch", "2460011.55", "--duration", "2.8",
                 "--epoch-format", "mjd"]) == 2
    assert "--epoch-format 'mjd' is not one of bjd, bkjd, btjd" in capsys.readouterr().err
    assert main(["vet", f, "--period", "-6", "--epoch", "2460011.55", "--duration", "2.8"]) == 2
    assert "must be positive" in capsys.readouterr().err
    assert main(["vet", f, "--catalog", "toi", "--out", "x.csv"]) == 2
    assert "--out x.csv: the extension must be .json" in capsys.readouterr().err


def test_vet_catalogue_folder_option(shared_data, capsys, monkeypatch):
    monkeypatch.delenv("STARSKOPE_CATALOGS", raising=False)
    monkeypatch.delenv("STARSKOPE_SHARED_DATA", raising=False)
    f = str(shared_data / KEPLER)
    assert main(["vet", f, "--catalog", "dr24", "--json"]) == 2
    assert "no catalogue folder given: pass catalog_dir= (on the command line --catalogs DIR)" in capsys.readouterr().err
    assert main(["vet", f, "--catalog", "dr24", "--json", "--catalogs", str(shared_data / "catalogs")]) == 0
    (rep,) = json.loads(capsys.readouterr().out)
    assert rep["given"]["source"] == "DR24 PC"
    assert rep["stellar"]["stellar_radius_rsun"] == pytest.approx(0.843)  # KOI table, through --catalogs
    match = next(d for d in rep["diagnostics"] if d["name"] == "ephemeris_match")
    assert "KOI K00889.01" in match["reason"]
