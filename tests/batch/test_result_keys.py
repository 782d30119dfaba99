"""``starskope classify`` keys its results by content, options and model: a replaced file,
a changed option or another model runs again; an identical re-run does not; a few files
run in this process."""

from __future__ import annotations

import pandas as pd
import pytest

from starskope.cli import main


@pytest.fixture(scope="module")
def k2_files(shared_data):
    files = sorted((shared_data / "k2" / "misc" / "OxES+k2sc").glob("*.fits.gz"))
    assert len(files) >= 3
    return files


def _classify(capsys, *args):
    rc = main(["classify", *map(str, args), "--quiet", "--no-stellar"])
    out = capsys.readouterr().out
    return rc, out


def test_a_changed_file_option_or_model_runs_again(tmp_path, k2_files, tiny_model_dir, capsys):
    star = tmp_path / "star_llc.fits.gz"
    star.write_bytes(k2_files[0].read_bytes())
    out = tmp_path / "r.csv"
    rc, text = _classify(capsys, star, "--out", out)
    assert rc == 0 and "done by an earlier run" not in text
    first = pd.read_csv(out)
    rc, text = _classify(capsys, star, "--out", out)
    assert rc == 0 and "(1 items done by an earlier run)" in text  # same bytes, options and model
    pd.testing.assert_frame_equal(pd.read_csv(out), first)

    rc, text = _classify(capsys, star, "--out", out, "--no-star-types")  # an option changed
    assert rc == 0 and "done by an earlier run" not in text
    assert pd.read_csv(out)["star_type"].isna().all()

    rc, text = _classify(capsys, star, "--out", out, "--model", tiny_model_dir)  # another model
    assert rc == 0 and "done by an earlier run" not in text

    star.write_bytes(k2_files[1].read_bytes())  # another star under the same name
    rc, text = _classify(capsys, star, "--out", out)
    assert rc == 0 and "done by an earlier run" not in text
    replaced = pd.read_csv(out)
    assert len(replaced) == 1 and replaced["target_id"].iloc[0] != first["target_id"].iloc[0]

    star.write_bytes(k2_files[0].read_bytes())  # the first star back: its result is in the journal
    rc, text = _classify(capsys, star, "--out", out)
    assert rc == 0 and "(1 items done by an earlier run)" in text
    pd.testing.assert_frame_equal(pd.read_csv(out), first)


def test_a_few_files_run_in_this_process(tmp_path, k2_files, capsys, monkeypatch):
    from starskope.executors import DaskExecutor

    def no_cluster(self):
        raise AssertionError("a Dask cluster was started for three files")

    monkeypatch.setattr(DaskExecutor, "_connect", no_cluster)
    rc, text = _classify(capsys, *k2_files[:3], "--out", tmp_path / "three.csv")
    assert rc == 0 and "classified 3 light curves" in text


def test_the_results_database_holds_one_star_per_result(tmp_path, k2_files, capsys):
    from starskope.results.store import open_storage

    db = tmp_path / "r.db"
    out = tmp_path / "r.csv"
    for extra in ([], [], ["--no-star-types"]):
        rc, _ = _classify(capsys, *k2_files[:2], "--out", out, "--db", db, "--workers", "1", *extra)
        assert rc == 0
    store = open_storage(db)
    try:
        stars = store.list_stars()
        assert len(stars) == 4  # two files × two option sets; the identical re-run added none
        assert len({s.result_key for s in stars}) == 4 and all(len(s.result_key) == 64 for s in stars)
    finally:
        store.close()
