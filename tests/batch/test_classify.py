"""``starskope classify`` on the batch engine: Dask workers, Parquet, the results database."""

from __future__ import annotations

import numpy as np
import pandas as pd
import pytest

from starskope.batch import BatchItem, collect_items, run_batch
from starskope.batch.classify import classify_columns, classify_item, classify_task
from starskope.cli import main
from starskope.io.flux_table import rebuild_time, write_flux_table


@pytest.fixture(scope="module")
def k2_files(shared_data):
    files = sorted((shared_data / "k2" / "misc" / "OxES+k2sc").glob("*.fits.gz"))
    assert len(files) >= 3
    return files[:3]


@pytest.fixture(scope="module")
def small_table(tmp_path_factory):
    """Five Kaggle-layout rows: two with a 1 % transit every 3.1 d, three quiet."""
    rng = np.random.default_rng(7)
    t = rebuild_time(3197).tdb.jd
    flux = 1500 * (1 + 3e-4 * rng.normal(size=(5, t.size)))
    phase = ((t - t[0] - 1.0) / 3.1 + 0.5) % 1 - 0.5
    flux[:2, np.abs(phase * 3.1) < 0.06] *= 0.99
    path = tmp_path_factory.mktemp("table") / "exoTest.csv"
    write_flux_table(path, flux, np.array([2, 2, 1, 1, 1]), float_format="%.3f")
    return path


def test_table_chunks_are_read_where_they_run(small_table):
    items = collect_items([small_table], table_chunk=2)
    assert [(i.row_start, i.row_stop) for i in items] == [(0, 2), (2, 4), (4, 5)]
    rows = classify_item(items[0])
    assert [r["target_id"] for r in rows] == ["row 1", "row 2"]
    assert list(rows[0]) == classify_columns()
    for r in rows:
        assert r["period_days"] == pytest.approx(3.1, rel=1e-3)
        # a 1 % box every 3.1 d: the shipped model's decision (p_planet above its threshold)
        assert r["predicted_class"] == "planet_transit" and r["star_type"]
    late = classify_item(items[2])
    assert [r["target_id"] for r in late] == ["row 5"]


def test_batch_on_two_dask_workers_matches_one_process(tmp_path, small_table, k2_files):
    items = collect_items([small_table, *k2_files], table_chunk=2)
    fn = classify_task(None, None)
    one = run_batch(items, fn, tmp_path / "one.csv", inline=True, progress=False, status_columns=False)
    two = run_batch(items, fn, tmp_path / "two.parquet", workers=2, progress=False, status_columns=False)
    assert one.n_rows == two.n_rows == 8 and one.n_failed == two.n_failed == 0
    a = pd.read_csv(tmp_path / "one.csv")
    b = pd.read_parquet(tmp_path / "two.parquet")
    assert list(a.columns) == list(b.columns) == classify_columns()
    assert list(a["target_id"]) == list(b["target_id"])
    np.testing.assert_allclose(a["p_planet"], b["p_planet"], rtol=1e-9)
    assert len(two.worker_peak_rss_mb) == 2


def test_classify_streams_rows_to_the_results_database(tmp_path, k2_files, capsys):
    from fastapi.testclient import TestClient

    from starskope.results.store import StarQuery, open_storage
    from starskope.web.app import WebSettings, create_app
    from starskope.web.jobs import RunnerSettings

    db = tmp_path / "results.db"
    bad = tmp_path / "truncated_llc.fits"
    bad.write_bytes(k2_files[0].read_bytes()[:5000])
    rc = main(["classify", *map(str, k2_files[:2]), str(bad), "--out", str(tmp_path / "r.csv"), "--db", str(db),
               "--workers", "1", "--quiet", "--no-stellar"])
    assert rc == 2
    err = capsys.readouterr().err
    assert "truncated_llc.fits" in err and "1 of 3 inputs could not be analysed" in err
    store = open_storage(db)
    stars = store.list_stars(StarQuery())
    store.close()
    assert len(stars) == 3
    by_name = {s.label: s for s in stars}
    assert by_name["truncated_llc.fits"].flags.startswith("error:")
    good = by_name[k2_files[0].name]
    assert good.mission == "K2" and good.predicted_class and 0 <= good.p_planet_transit <= 1
    table = pd.read_csv(tmp_path / "r.csv")
    row = table[table["file"] == str(k2_files[0].resolve())].iloc[0]
    assert good.p_planet_transit == pytest.approx(row["p_planet"])
    store = open_storage(db)
    job_id = good.job_id
    store.update_job(job_id, status="running", stage="starskope classify")  # as while the batch runs
    store.close()
    app = create_app(WebSettings(db=str(db), runner=RunnerSettings(executor="threads", workers=1, model="none")))
    with TestClient(app) as client:
        job = client.get(f"/api/jobs/{job_id}").json()
        assert job["status"] == "running" and job["stage"] == "starskope classify"  # the server leaves it alone
        page = client.get(f"/stars/{good.id}")
        assert page.status_code == 200 and "Classified in a batch run" in page.text and row["star_type"] in page.text
        assert client.get(f"/api/stars/{good.id}/report.html").status_code == 404
    # the same command again: nothing re-analysed, no duplicate stars
    rc = main(["classify", *map(str, k2_files[:2]), str(bad), "--out", str(tmp_path / "r.csv"), "--db", str(db),
               "--workers", "1", "--quiet", "--no-stellar"])
    assert rc == 2 and "3 items done by an earlier run" in capsys.readouterr().out
    store = open_storage(db)
    assert store.count_stars() == 3
    store.close()


def test_a_bad_table_range_is_one_error_row(tmp_path, small_table):
    rows = classify_item(BatchItem(str(small_table), 10, 12))
    assert len(rows) == 1 and rows[0]["flags"].startswith("error: FluxTableError") and "no star row 11" in rows[0]["flags"]


def test_star_types_can_be_switched_off(small_table):
    from starskope.analysis import options_for
    from starskope.models import default_model

    options = options_for(default_model(), {"star_types": False}, warn=False).as_dict()
    rows = classify_item(BatchItem(str(small_table), 2, 3), options=options)
    assert list(rows[0]) == classify_columns()
    assert rows[0]["star_type"] == "" and np.isnan(rows[0]["p_type_non_variable"])
    assert rows[0]["predicted_class"]
