"""Training and evaluation sets: tables and files in, features out, and the real-data split."""

from __future__ import annotations

import numpy as np
import pytest

from starskope.analysis import AnalysisOptions
from starskope.datasets import files_features, files_from_lightcurves, real_stars, table_features
from starskope.errors import ParameterError
from starskope.io.flux_table import FluxTable
from table_synth import CADENCES, small_table


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
    assert fs.meta["flags"][1].startswith("error:") and "median not positive" in fs.meta["flags"][1]
    assert len(fs) == 5 and fs.meta["target_id"][1] == "row 2"  # the row keeps its place
    assert np.isnan(fs.meta["period_days"][1])


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
    with pytest.raises(ParameterError, match="no light-curve files given"):
        files_features([])


def test_features_of_light_curves_in_memory(shared_data):
    """files_from_lightcurves: what files_features gives a file, for a light curve already read."""
    import warnings

    import starskope

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
    with pytest.raises(ParameterError, match=r"no manifest\.csv there"):
        real_stars(shared_data / "nope")
