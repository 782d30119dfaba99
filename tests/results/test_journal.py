"""The run journal: durable lines, crash-cut lines ignored, results looked up by key."""

from __future__ import annotations

import json

from starskope.results.journal import Journal


def test_entries_are_durable_and_deduplicated_by_item_and_result(tmp_path):
    j = Journal(tmp_path / "sub" / "run.journal.jsonl")
    assert list(j.entries()) == [] and j.done_keys() == set()
    with j.writer() as fh:
        j.append({"key": "a", "result_key": "r1", "status": "ok", "rows": [{"x": 1}]}, fh)
        j.append({"key": "a", "result_key": "r2", "status": "ok", "rows": [{"x": 2}]}, fh)  # the file changed
        j.append({"key": "a", "result_key": "r1", "status": "ok", "rows": [{"x": 9}]}, fh)  # a repeat: ignored
        j.append({"key": "b", "result_key": "r1", "status": "ok", "rows": [{"x": 3}]}, fh)  # same bytes elsewhere
    entries = list(j.entries())
    assert [(e["key"], e["result_key"], e["rows"][0]["x"]) for e in entries] == [("a", "r1", 1), ("a", "r2", 2),
                                                                                   ("b", "r1", 3)]
    assert j.done_keys() == {"a", "b"} and j.results() == {"a": {"r1", "r2"}, "b": {"r1"}}


def test_a_line_cut_by_a_crash_and_old_entries(tmp_path):
    j = Journal(tmp_path / "x.journal.jsonl")
    j.path.write_text('{"key": "a", "status": "ok", "rows": []}\nnot json\n{"key": "b", "sta')
    assert j.done_keys() == {"a"}  # entries without a result key still read (and match nothing)
    assert j.results() == {}


def test_numpy_values_are_written_as_numbers(tmp_path):
    import numpy as np

    j = Journal(tmp_path / "n.journal.jsonl")
    with j.writer() as fh:
        j.append({"key": "a", "result_key": "r", "rows": [{"p": np.float32(0.5), "v": np.arange(2)}]}, fh)
    assert json.loads(j.path.read_text())["rows"] == [{"p": 0.5, "v": [0, 1]}]
    assert j.results() == {"a": {"r"}}
