"""The batch runner on a local Dask cluster (loopback only): kills, interrupts, resumes."""

from __future__ import annotations

import os
import signal

import pandas as pd
import pytest

from starskope.batch import BatchItem, Journal, collect_items, run_batch
from starskope.batch.tasks import describe_item
from starskope.errors import ParameterError


@pytest.fixture(scope="module")
def k2_files(shared_data):
    files = sorted((shared_data / "k2" / "misc" / "OxES+k2sc").glob("*.fits.gz"))
    assert len(files) >= 9
    return files


def _table(path):
    frame = pd.read_csv(path) if str(path).endswith(".csv") else pd.read_parquet(path)
    return frame.sort_values("item").reset_index(drop=True)


def test_collect_items_expands_folders_globs_and_manifests(tmp_path, shared_data, k2_files):
    folder = shared_data / "k2" / "misc" / "OxES+k2sc"
    by_folder = collect_items([folder])
    by_glob = collect_items([str(folder / "ktwo2*.fits.gz")])
    assert [i.key for i in by_folder] == [i.key for i in by_glob] == [str(p.resolve()) for p in k2_files]
    manifest = tmp_path / "m.csv"
    manifest.write_text("file,label\n" + "\n".join(f"{p},x" for p in k2_files[:3]) + "\n")
    assert [i.path for i in collect_items([manifest])] == [str(p) for p in k2_files[:3]]
    # duplicates collapse
    assert len(collect_items([k2_files[0], k2_files[0]])) == 1
    with pytest.raises(ParameterError, match="no such file, folder or glob"):
        collect_items([tmp_path / "missing.fits"])
    with pytest.raises(ParameterError, match="matches no files"):
        collect_items([str(tmp_path / "*.fits")])
    (tmp_path / "empty").mkdir()
    with pytest.raises(ParameterError, match="folder holds no light-curve files"):
        collect_items([tmp_path / "empty"])


def test_failures_are_recorded_and_the_run_goes_on(tmp_path, k2_files):
    bad = tmp_path / "corrupt_llc.fits"
    bad.write_bytes(b"SIMPLE  = T" + b"\x00" * 500)
    items = [BatchItem(str(k2_files[0])), BatchItem(str(bad)), BatchItem(str(k2_files[1]))]
    summary = run_batch(items, describe_item, tmp_path / "out.csv", workers=1, progress=False)
    assert (summary.n_done, summary.n_failed, summary.n_rows) == (3, 1, 3)
    table = pd.read_csv(tmp_path / "out.csv")
    assert list(table["item"]) == [i.key for i in items]  # input order
    failed = table[table["status"] == "error"]
    assert len(failed) == 1 and "corrupt_llc.fits" in failed["error"].iloc[0]
    assert set(table.loc[table.status == "ok", "mission"]) == {"K2"}


def test_killed_worker_loses_and_duplicates_nothing(tmp_path, k2_files):
    items = [BatchItem(str(p)) for p in k2_files] * 1
    killed = []

    def kill_one(entry):
        # after the second result, kill the worker process that produced it
        if len(killed) == 0 and entry.get("worker_pid") and entry["status"] == "ok":
            killed.append(entry["worker_pid"])
            os.kill(int(entry["worker_pid"]), signal.SIGKILL)

    summary = run_batch(items, describe_item, tmp_path / "out.csv", workers=2, progress=False,
                        on_result=kill_one)
    assert killed, "no worker was killed"
    table = pd.read_csv(tmp_path / "out.csv")
    assert sorted(table["item"]) == sorted(i.key for i in items)
    assert table["item"].is_unique
    assert (table["status"] == "ok").all(), table[["item", "error"]]
    assert summary.n_rows == len(items)


def test_interrupted_run_resumes_to_the_same_table(tmp_path, k2_files):
    items = [BatchItem(str(p)) for p in k2_files]
    whole = run_batch(items, describe_item, tmp_path / "whole.parquet", workers=1, progress=False)
    assert whole.n_rows == len(items) and not whole.interrupted

    out = tmp_path / "resumed.parquet"
    seen = []

    def interrupt(entry):
        seen.append(entry["key"])
        if len(seen) == 3:
            raise KeyboardInterrupt

    first = run_batch(items, describe_item, out, workers=1, progress=False, on_result=interrupt)
    assert first.interrupted and first.n_done == 3
    assert len(Journal(str(out) + ".journal.jsonl").done_keys()) == 3
    assert len(_table(out)) == 3  # the partial table is complete as far as it goes
    second = run_batch(items, describe_item, out, workers=1, progress=False)
    assert second.n_skipped == 3 and second.n_done == len(items) - 3
    a = _table(tmp_path / "whole.parquet").drop(columns=["status", "error"])
    b = _table(out).drop(columns=["status", "error"])
    pd.testing.assert_frame_equal(a, b)


def test_partial_journal_line_is_ignored(tmp_path):
    j = Journal(tmp_path / "x.journal.jsonl")
    j.path.write_text('{"key": "a", "status": "ok", "rows": []}\n{"key": "b", "sta')
    assert j.done_keys() == {"a"}


def test_bad_parameters(tmp_path, k2_files):
    with pytest.raises(ParameterError, match="workers must be >= 1; got 0"):
        run_batch([BatchItem(str(k2_files[0]))], describe_item, tmp_path / "o.csv", workers=0)
    with pytest.raises(ParameterError, match="must be a file path, not a folder"):
        run_batch([BatchItem(str(k2_files[0]))], describe_item, tmp_path, workers=1)


def test_output_table_holds_the_results_so_far_while_running(tmp_path, k2_files):
    items = [BatchItem(str(p)) for p in k2_files[:4]]
    out = tmp_path / "live.csv"
    rows_seen = []

    def look(entry):  # called after each result is journalled; the table was refreshed before the next
        rows_seen.append(len(pd.read_csv(out)) if out.exists() else 0)

    summary = run_batch(items, describe_item, out, inline=True, progress=False, on_result=look,
                        refresh_seconds=1e-9)
    assert summary.n_rows == 4
    # on_result runs before the refresh: the 2nd call sees the row written after the 1st; later
    # refreshes are spaced by ten times a rewrite's duration, so the table may lag, never lead
    assert rows_seen[:2] == [0, 1]
    assert rows_seen == sorted(rows_seen)
    assert all(n <= k for k, n in enumerate(rows_seen))
