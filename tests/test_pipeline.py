"""The wiring: tables and files in, features and predictions out, and the real-data split."""

from __future__ import annotations

import numpy as np
import pytest

from starskope.errors import LightCurveFileError, ParameterError
from starskope.io.flux_table import FluxTable, write_flux_table
from starskope.pipeline import (
    AnalysisOptions,
    analyze_arrays,
    expand_inputs,
    files_features,
    is_flux_table,
    predictions_table,
    real_stars,
    table_features,
)

CADENCES = 3197


def small_table(n=8, seed=0):
    """K2 C3-like rows in e-/s: a planet (P = 3.1 d, 1500 ppm) in rows 0 and 4, noise elsewhere."""
    from starskope.io.flux_table import rebuild_time

    rng = np.random.default_rng(seed)
    t = rebuild_time(CADENCES).tdb.jd
    f = 1 + 3e-4 * rng.normal(size=(n, CADENCES))
    for i in (0, 4)[: (n + 3) // 4]:
        ph = ((t - t[0] - 0.9) / 3.1 + 0.5) % 1 - 0.5
        f[i, np.abs(ph * 3.1) < 0.05] -= 1.5e-3
    f[min(2, n - 1), 100] = np.nan  # a missing cadence
    labels = np.where(np.isin(np.arange(n), (0, 4)), 2, 1)
    return FluxTable(f * rng.uniform(500, 3000, (n, 1)), labels)


def test_table_features_find_the_planet_and_keep_the_rows():
    table = small_table()
    fs = table_features(table, labels=np.where(table.labels == 2, 0, 3), options=AnalysisOptions(chunk_size=4))
    assert len(fs) == 8
    assert fs.table_flux.shape == (8, CADENCES)
    np.testing.assert_array_equal(fs.table_flux[1], table.flux[1])
    for i in (0, 4):
        assert fs.meta["period_days"][i] == pytest.approx(3.1, rel=2e-3)
        assert fs.meta["depth_ppm"][i] == pytest.approx(1500, rel=0.25)
        assert fs.meta["snr"][i] > 10
        assert fs.scalar("vetted")[i] == 1.0
        assert fs.views["local"][i, 100] < -0.6
    assert fs.meta["mission"][0] == "K2" and fs.meta["target_id"][3] == "row 4"
    assert np.isfinite(fs.meta["period_days"]).all()  # every star has a best (maybe weak) peak


def test_a_row_that_cannot_be_normalised_is_reported_not_repaired():
    table = small_table(5)
    flux = table.flux.copy()
    flux[1] -= 10 * np.nanmedian(flux[1])  # negative flux: no relative depth can be measured
    fs = table_features(FluxTable(flux, table.labels))
    assert fs.meta["flags"][1].startswith("not_analysed")
    assert np.isnan(fs.meta["period_days"][1])


def test_analyze_arrays_reports_search_failures_as_errors():
    t = 2457000.0 + np.arange(30) * 0.02
    star = analyze_arrays(t, np.ones(30))
    assert star.candidate is None and star.flags.startswith("error: search failed")


def test_expand_inputs_and_table_detection(tmp_path, shared_data):
    table = small_table(2)
    write_flux_table(tmp_path / "exoTest.csv", table.flux, table.labels)
    (tmp_path / "notes.csv").write_text("time,flux\n1,2\n")
    assert is_flux_table(tmp_path / "exoTest.csv")
    assert not is_flux_table(tmp_path / "notes.csv")
    assert not is_flux_table(shared_data / "kepler" / "eb" / "kic003228863_eb.npz")
    items = expand_inputs([tmp_path])
    assert [(k, p.name) for k, p in items] == [("table", "exoTest.csv"), ("lightcurve", "notes.csv")]
    with pytest.raises(LightCurveFileError, match="no such file or folder"):
        expand_inputs([tmp_path / "missing.fits"])


def test_files_features_on_real_files_and_unreadable_ones(shared_data, tmp_path):
    bad = tmp_path / "broken.fits"
    bad.write_bytes(b"SIMPLE  =                    T" + b" " * 50)
    paths = [shared_data / "tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz",
             bad]
    fs = files_features(paths)
    assert len(fs) == 2
    assert fs.meta["target_id"][0] == "TIC 261136679" and fs.meta["mission"][0] == "TESS"
    # pi Men c: P = 6.268 d
    assert fs.meta["period_days"][0] == pytest.approx(6.268, rel=2e-3)
    assert fs.meta["flags"][1].startswith("error:")
    proba = np.tile([0.7, 0.1, 0.1, 0.1], (2, 1))
    df = predictions_table(fs, proba, ["planet_transit", "eclipsing_binary", "other_variable", "nothing_significant"])
    assert list(df.columns[:5]) == ["file", "target_id", "mission", "predicted_class", "p_planet"]
    assert df["predicted_class"].iloc[0] == "planet_transit" and df["predicted_class"].iloc[1] == ""
    assert np.isnan(df["p_planet"].iloc[1])
    with pytest.raises(ParameterError, match="no light-curve files given"):
        files_features([])


def test_features_of_light_curves_in_memory(shared_data):
    """files_from_lightcurves: what files_features gives a file, for a light curve already read."""
    import warnings

    import starskope
    from starskope.pipeline import files_from_lightcurves

    pimen = shared_data / "tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = starskope.read(pimen)
        fs = files_from_lightcurves([lc, lc[:20]], files=["pimen", "stub"], labels=np.array([0, 3]))
        ref = files_features([pimen])
    assert fs.meta["file"].tolist() == ["pimen", "stub"] and fs.labels.tolist() == [0, 3]
    assert fs.meta["period_days"][0] == pytest.approx(ref.meta["period_days"][0], rel=1e-9)
    np.testing.assert_allclose(fs.scalars[0], ref.scalars[0], rtol=1e-9, equal_nan=True)
    assert fs.meta["flags"][1].startswith("error:")  # 20 cadences: nothing to search


def test_classify_in_memory_is_the_batch_table_in_one_process_or_on_dask(shared_data, tmp_path):
    """pipeline.classify: the rows of ``starskope classify``, the same with 1 or 2 workers
    (a given model is handed to the Dask workers through a saved folder)."""
    import warnings

    from starskope.batch.classify import classify_columns
    from starskope.models import default_model
    from starskope.pipeline import classify

    table = small_table(3)
    write_flux_table(tmp_path / "exoTest.csv", table.flux, table.labels)
    bad = tmp_path / "broken.fits"
    bad.write_bytes(b"SIMPLE  =                    T" + b" " * 50)
    pimen = shared_data / "tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz"
    seen = []
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = classify([tmp_path / "exoTest.csv", pimen, bad], progress=lambda *a: seen.append(a))
        two = classify([tmp_path / "exoTest.csv", pimen, bad], default_model(), workers=2)
    assert list(one.columns) == classify_columns()
    assert one["target_id"].tolist()[:3] == ["row 1", "row 2", "row 3"] and len(one) == 5
    assert one["period_days"].iloc[0] == pytest.approx(3.1, rel=2e-3)
    assert one["period_days"].iloc[3] == pytest.approx(6.268, rel=2e-3)  # pi Men c
    assert one["flags"].iloc[4].startswith("error:") and not one["flags"].iloc[:4].str.startswith("error:").any()
    assert seen[-1] == ("classify", 3, 3)
    cols = ["target_id", "predicted_class", "p_planet", "period_days", "star_type"]
    assert one[cols].equals(two[cols])


def test_real_data_split_is_fixed_and_keeps_stars_on_one_side(shared_data, manifest):
    stars = real_stars(shared_data)
    again = real_stars(shared_data)
    assert [s.held_out for s in stars] == [s.held_out for s in again]
    sides: dict[str, set[bool]] = {}
    for s in stars:
        sides.setdefault(s.target_id, set()).add(s.held_out)
    assert all(len(v) == 1 for v in sides.values())
    held = [s for s in stars if s.held_out]
    assert 0.3 < len(held) / len(stars) < 0.7
    dr24 = [s for s in stars if s.group == "kepler/dr24"]
    n_files = sum(1 for r in manifest if r["file"].startswith("kepler/dr24/"))
    assert sum(len(s.files) for s in dr24) == n_files  # every quarter of every star, stitched
    assert all(1 <= len(s.files) <= 3 for s in dr24) and len(dr24) == len({s.target_id for s in dr24})
    groups = {s.group for s in held if s.label == 0}
    assert {"kepler/dr24", "tess/misc", "tess/ffi"} <= groups
    with pytest.raises(ParameterError, match="shared real data not found"):
        real_stars(shared_data / "nope")
