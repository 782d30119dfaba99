"""``starskope info`` on a sample of each telescope and each product kind, and its errors."""

from __future__ import annotations

import json
import subprocess
import sys
from pathlib import Path

import pytest

from starskope.cli import main

# (file, extra arguments, mission, target, product, segment, flux column, unit)
SAMPLES = [
    ("kepler/dr24/kplr000757450-2009259160929_llc.fits.gz", [], "Kepler", "KIC 757450", "Kepler LLC",
     ("quarter", 2), "pdcsap_flux", "electron / s"),
    ("k2/misc/AstroVPK+kali/ktwo205905563-c03_llc.fits.gz", [], "K2", "EPIC 205905563", "K2 LLC",
     ("campaign", 3), "pdcsap_flux", "electron / s"),
    ("k2/misc/AstroVPK+kali/hlsp_everest_k2_llc_205905563-c03_kepler_v1.0_lc.fits.gz", [], "K2",
     "EPIC 205905563", "EVEREST", ("campaign", 3), "flux", "electron / s"),
    ("k2/misc/AstroVPK+kali/hlsp_k2sc_k2_llc_212141173-c05_kepler_v1_lc.fits.gz", [], "K2",
     "EPIC 212141173", "K2SC", ("campaign", 5), "flux (K2SC on PDCSAP, table PDC)", "electron / s"),
    ("k2/misc/rodluger+everest/hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits.gz", [], "K2",
     "EPIC 201367065", "K2SFF", ("campaign", 1), "fcor", "dimensionless"),
    ("k2/misc/AstroVPK+kali/hlsp_k2varcat_k2_lightcurve_205905563-c03_kepler_v2_llc.fits",
     ["--flux-column", "sap"], "K2", "EPIC 205905563", "K2VARCAT", ("campaign", 3), "aptflux", "electron / s"),
    ("k2/misc/ekaterinailin+AltaiPony/ktwo211983544-c18_lpd-targ.fits.gz", [], "K2", "EPIC 211983544",
     "K2 TPF, pipeline-aperture photometry", ("campaign", 18),
     "sum of the 2 pipeline-aperture pixels of FLUX", "electron / s"),
    ("k2/misc/hippke+tls/EPIC201367065.csv", ["--time-format", "bkjd"], "K2", "EPIC 201367065", "CSV",
     ("campaign", 1), "column 2", "dimensionless"),
    ("tess/misc/spencerw+tess_flare/tess2019112060037-s0011-0000000425064757-0143-s_lc.fits.gz", [], "TESS",
     "TIC 425064757", "TESS SPOC 2-min", ("sector", 11), "pdcsap_flux", "electron / s"),
    ("tess/misc/prajwal309+TRAPPIST1/hlsp_tess-spoc_tess_phot_0000000278892590-s0070_tess_v1_lc.fits.gz", [],
     "TESS", "TIC 278892590", "TESS-SPOC FFI", ("sector", 70), "pdcsap_flux", "electron / s"),
    ("tess/misc/afeinstein20+eleanor/hlsp_tess-data-alerts_tess_phot_00055652896-s01_tess_v1_lc.fits.gz", [],
     "TESS", "TIC 55652896", "TESS data-alert (SPOC 2-min)", ("sector", 1), "pdcsap_flux", "electron / s"),
    ("tess/misc/zclaytor+lcs_demo/hlsp_tasoc_tess_ffi_tic00261136679-s0001-cam4-ccd2-c1800_tess_v05_ens-lc.fits",
     [], "TESS", "TIC 261136679", "TASOC", ("sector", 1), "flux_corr", "ppm"),
    ("tess/misc/zclaytor+lcs_demo/hlsp_gsfc-eleanor-lite_tess_ffi_s0001-0000000261136679_tess_v1.0_lc.fits",
     ["--flux-column", "PCA_FLUX"], "TESS", "TIC 261136679", "eleanor-lite", ("sector", 1), "pca_flux",
     "electron / s"),
    ("tess/ffi/101433435.fits.gz", [], "TESS", "TIC 101433435", "lightkurve FITS", ("sector", 13), "flux",
     "electron / s"),
    ("tess/misc/noraeisner+LATTE/94986319_data.txt.gz", ["--time-format", "btjd", "--mission", "TESS"], "TESS",
     "TIC 94986319", "text table", ("sector", None), "flux", "dimensionless"),
    ("kepler/eb/kic003228863_eb.npz", [], "Kepler", "KIC 3228863", "NPZ", None, "flux", "dimensionless"),
]


@pytest.mark.parametrize("sample", SAMPLES, ids=[Path(s[0]).name for s in SAMPLES])
def test_info_json(sample, shared_data: Path, capsys) -> None:
    name, args, mission, target, product, segment, flux_column, unit = sample
    rc = main(["info", "--json", *args, str(shared_data / name)])
    out = capsys.readouterr().out
    assert rc == 0
    (summary,) = json.loads(out)
    assert summary["mission"] == mission
    assert summary["target"] == target
    assert summary["product"] == product
    assert summary["flux_column"] == flux_column
    assert summary["flux_unit"] == unit
    if segment is not None and segment[1] is not None:
        assert summary["segment"] == {"kind": segment[0], "number": segment[1]}
    assert summary["n_cadences"] <= summary["n_cadences_file"]
    assert 0 <= summary["n_flagged"] <= summary["n_cadences"]
    assert summary["time_span_days"] > 1
    assert summary["start_iso"] < summary["end_iso"]
    assert summary["cadence_min"] > 0


def test_info_table_shows_every_field(shared_data: Path, capsys) -> None:
    path = shared_data / "tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz"
    assert main(["info", str(path)]) == 0
    out = capsys.readouterr().out
    for text in ("TESS", "TIC 261136679", "TESS SPOC 2-min", "sector 1", "2 min", "BTJD (TDB)",
                 "27.881 d, 2018-07-25T19:04:28 to 2018-08-22T16:13:49 UTC", "19261 (of 20076 rows in the file)",
                 "997 (QUALITY ≠ 0)", "pdcsap_flux [electron / s]"):
        assert text in out, text


def test_info_flagged_count_matches_quality(shared_data: Path, capsys) -> None:
    from starskope.io import read

    path = shared_data / "k2/misc/AstroVPK+kali/ktwo205905563-c03_llc.fits.gz"
    main(["info", "--json", str(path)])
    (summary,) = json.loads(capsys.readouterr().out)
    lc = read(path)
    assert summary["n_flagged"] == int((lc.quality != 0).sum()) > 0
    assert summary["n_cadences"] == 3379 and summary["n_cadences_file"] == 3386


def test_info_folded_csv(shared_data: Path, capsys) -> None:
    path = shared_data / "kepler/misc/stevengiacalone+triceratops/Kepler10b_lightcurve.csv"
    rc = main(["info", "--json", "--time-format", "phase", "--epoch", "2454964.574858", "--mission", "Kepler",
               "--target-id", "KIC 11904151", str(path)])
    assert rc == 0
    (summary,) = json.loads(capsys.readouterr().out)
    assert summary["folded"] is True and summary["target"] == "KIC 11904151"
    assert summary["time_span_days"] == pytest.approx(0.2, abs=0.001)


def test_info_one_bad_file_is_one_line_and_exit_2(tmp_path: Path, capsys) -> None:
    missing = tmp_path / "missing.fits"
    assert main(["info", str(missing)]) == 2
    captured = capsys.readouterr()
    assert captured.err.strip() == f"error: {missing}: no such file"
    assert captured.out == ""


def test_info_goes_on_after_a_bad_file(shared_data: Path, tmp_path: Path, capsys) -> None:
    empty = tmp_path / "empty.fits"
    empty.write_bytes(b"")
    good = shared_data / "tess/ffi/101433435.fits.gz"
    # a Kepler CSV without its archive name: nothing says which time system its days count in
    csv = tmp_path / "lightcurve.csv"
    csv.write_bytes((shared_data / "kepler/misc/enosair+lightcurve-download/kplr000757450_Q17_conf.csv").read_bytes())
    rc = main(["info", "--json", str(empty), str(good), str(csv)])
    assert rc == 2
    captured = capsys.readouterr()
    summaries = json.loads(captured.out)
    assert [s["file"] for s in summaries] == [str(empty), str(good), str(csv)]
    assert summaries[0]["error"] == f"{empty}: file is empty (0 bytes)"
    assert summaries[1]["target"] == "TIC 101433435"
    assert "cannot tell the time system" in summaries[2]["error"]
    lines = captured.err.strip().splitlines()
    assert lines[0] == f"error: {empty}: file is empty (0 bytes)"
    assert lines[1].startswith(f"error: {csv}: cannot tell the time system")
    assert lines[2] == f"error: 2 of 3 files could not be read: {empty}, {csv}"


def test_info_console_script(shared_data: Path, tmp_path: Path) -> None:
    """The installed entry point: table on stdout; a bad file gives exit code 2."""
    good = shared_data / "kepler/misc/google-research+exoplanet-ml/kplr011442793-2010009091648_llc.fits"
    bad = tmp_path / "bad.fits"
    bad.write_bytes(b"SIMPLE  = garbage")
    run = subprocess.run([sys.executable, "-m", "starskope", "info", str(good), str(bad)],
                         capture_output=True, text=True, timeout=300)
    assert run.returncode == 2
    assert "KIC 11442793" in run.stdout and "Kepler LLC" in run.stdout
    assert f"error: {bad}: corrupt or truncated FITS file" in run.stderr
