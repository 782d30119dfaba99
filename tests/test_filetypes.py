"""Which files a folder scan takes as light curves (``starskope.filetypes``)."""

from __future__ import annotations

import gzip

import pandas as pd
import pytest

from starskope.batch import collect_items
from starskope.cli import main
from starskope.filetypes import find_light_curves, is_light_curve_name, text_header_is_light_curve
from starskope.simulate import simulate_k2_c3


@pytest.fixture(scope="module")
def sim_folder(tmp_path_factory):
    """A small simulated K2 C3 set: two Kaggle tables beside truth.csv and cadences.csv."""
    out = tmp_path_factory.mktemp("sim")
    simulate_k2_c3(out, seed=5, n_train=6, n_train_hosts=2, n_test=4, n_test_hosts=1)
    return out


def test_real_text_light_curves_are_kept_and_tables_of_stars_left_out(shared_data, tmp_path):
    lcs = sorted((shared_data / "kepler" / "misc" / "enosair+lightcurve-download").glob("*.csv"))
    lcs += sorted((shared_data / "k2" / "misc" / "hippke+tls").glob("*.csv"))
    assert len(lcs) >= 5
    assert all(text_header_is_light_curve(p) for p in lcs)
    assert not text_header_is_light_curve(shared_data / "manifest.csv")
    assert not text_header_is_light_curve(shared_data / "catalogs" / "tess_variability" / "KEBCv3.csv")
    # headerless numbers, a gzipped light curve, and a table of stars with an epoch column
    (tmp_path / "plain.txt").write_text("2458325.1 1.0001\n2458325.2 0.9998\n")
    with gzip.open(tmp_path / "lc.csv.gz", "wt") as fh:
        fh.write("# from the archive\nTIME,SAP_FLUX,SAP_FLUX_ERR\n1.0,2.0,0.1\n")
    (tmp_path / "planets.csv").write_text("name,epoch_bjd,period_days,depth_ppm\nb,2458325.1,3.1,500\n")
    assert text_header_is_light_curve(tmp_path / "plain.txt")
    assert text_header_is_light_curve(tmp_path / "lc.csv.gz")
    assert not text_header_is_light_curve(tmp_path / "planets.csv")
    assert is_light_curve_name("x.fits.gz") and not is_light_curve_name("x.fits.bz2")


def test_a_simulated_folder_is_classified_without_its_truth_table(sim_folder, tmp_path, capsys):
    kept, skipped = find_light_curves(sim_folder)
    assert sorted(p.name for p in skipped) == ["cadences.csv", "truth.csv"]
    assert sorted(p.name for p in kept) == ["exoTest.csv", "exoTrain.csv"]
    left_out = []
    items = collect_items([sim_folder], table_chunk=4, skipped=left_out)
    assert sorted(p.name for p in left_out) == ["cadences.csv", "truth.csv"]
    assert sum(i.row_stop - i.row_start for i in items) == 10
    # named explicitly, truth.csv is a manifest (its "file" column names the tables)
    assert sorted(i.key for i in collect_items([sim_folder / "truth.csv"], table_chunk=4)) == sorted(
        i.key for i in items)

    out = tmp_path / "res.csv"
    code = main(["classify", str(sim_folder), "--out", str(out), "--workers", "1", "--quiet", "--no-star-types"])
    assert code == 0
    assert "left out 2 text file(s)" in capsys.readouterr().out
    df = pd.read_csv(out, keep_default_na=False)
    assert len(df) == 10 and not df["flags"].str.startswith("error:").any()
