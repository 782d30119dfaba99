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


def test_a_file_replaced_under_the_same_path_runs_again(tmp_path, k2_files):
    star = tmp_path / "star_llc.fits.gz"
    star.write_bytes(k2_files[0].read_bytes())
    items = [BatchItem(str(star))]
    out = tmp_path / "out.csv"
    first = run_batch(items, describe_item, out, inline=True, progress=False)
    assert (first.n_done, first.n_skipped) == (1, 0)
    same = run_batch(items, describe_item, out, inline=True, progress=False)
    assert (same.n_done, same.n_skipped) == (0, 1)  # the same bytes: done by the earlier run
    old_target = pd.read_csv(out)["target_id"].iloc[0]
    star.write_bytes(k2_files[1].read_bytes())  # another star under the same name
    again = run_batch(items, describe_item, out, inline=True, progress=False)
    assert (again.n_done, again.n_skipped) == (1, 0)
    table = pd.read_csv(out)
    assert len(table) == 1 and table["target_id"].iloc[0] != old_target  # the new star's row alone


def test_other_options_or_another_model_run_again(tmp_path, k2_files, tiny_model_dir):
    from starskope.batch.classify import classify_task

    items = [BatchItem(str(p)) for p in k2_files[:2]]
    out = tmp_path / "out.parquet"

    def run(model_dir, options):
        ident = classify_task(model_dir, options).identity
        return run_batch(items, describe_item, out, inline=True, progress=False, identity=ident)

    assert run(None, {"star_types": True}).n_done == 2
    assert run(None, {"star_types": True}).n_skipped == 2
    assert run(None, {"star_types": False}).n_done == 2  # an option changed
    assert run(tiny_model_dir, {"star_types": False}).n_done == 2  # another model
    assert run(None, {"star_types": True}).n_skipped == 2  # the journal keeps the earlier results
    assert len(_table(out)) == 2  # the table holds this run's rows only
    assert len(list(Journal(str(out) + ".journal.jsonl").entries())) == 6


def test_a_journal_without_result_keys_counts_nothing_as_done(tmp_path, k2_files):
    items = [BatchItem(str(p)) for p in k2_files[:2]]
    out = tmp_path / "old.csv"
    Journal(str(out) + ".journal.jsonl").path.write_text(
        "".join(f'{{"key": "{it.key}", "status": "ok", "rows": [{{"stale": 1}}]}}\n' for it in items))
    summary = run_batch(items, describe_item, out, inline=True, progress=False)
    assert (summary.n_done, summary.n_skipped) == (2, 0)
    assert "stale" not in pd.read_csv(out).columns


def test_table_chunks_carry_the_table_hash(tmp_path):
    import gzip

    import numpy as np

    from starskope.io.flux_table import write_flux_table
    from starskope.results.keys import file_sha256

    path = tmp_path / "exoTest.csv"
    write_flux_table(path, np.ones((5, 40)), np.array([1, 1, 1, 1, 2]))
    items = collect_items([path], table_chunk=2)
    assert {it.content for it in items} == {file_sha256(path)}
    gz = tmp_path / "exoTest.csv.gz"
    gz.write_bytes(gzip.compress(path.read_bytes()))
    assert [(i.row_start, i.row_stop, i.content) for i in collect_items([gz], table_chunk=4)] == [
        (0, 4, file_sha256(gz)), (4, 5, file_sha256(gz))]


def test_which_runs_are_small_enough_for_this_process(tmp_path):
    from starskope.batch import is_small_run

    files = [BatchItem(f"/d/{i}.fits") for i in range(9)]
    assert is_small_run(files[:8]) and not is_small_run(files)
    assert is_small_run([BatchItem("/d/big.csv", 0, 128)])  # one task: nothing to share out
    assert not is_small_run([BatchItem("/d/t.csv", 0, 4), BatchItem("/d/t.csv", 4, 6)])  # a table in two chunks
    assert is_small_run([BatchItem("/d/t.csv", 0, 6), files[0], files[1]])
    assert not is_small_run([BatchItem("/d/t.csv", 0, 7), files[0], files[1]])  # nine light curves


def _rows_with_one_error(item: BatchItem) -> list[dict]:
    """Two light curves of one item, the second of which could not be analysed."""
    return [{"file": item.key, "flags": ""}, {"file": item.key, "flags": "error: LightCurveFileError: empty"}]


def test_the_progress_bar_counts_rows_that_could_not_be_analysed_as_failed(tmp_path, k2_files, capsys):
    items = [BatchItem(str(k2_files[0])), BatchItem(str(k2_files[1]))]
    summary = run_batch(items, _rows_with_one_error, tmp_path / "out.csv", inline=True, progress=True)
    bar = capsys.readouterr().err
    assert summary.n_rows == 4
    assert "2/2 items" in bar and "2 light curves" in bar and "2 failed" in bar, bar
