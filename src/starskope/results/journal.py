"""The run journal: finished results, one JSON line each, durable line by line.

A batch run (:func:`starskope.batch.run_batch`) appends an entry per finished item and
fsyncs it, so a crash, a killed client or Ctrl-C loses only what was still running. An
entry is::

    {"key": <item key: the path, with #rows=START-STOP for a table chunk>,
     "content": <content key: sha256 of the bytes (+ row range)>,
     "result_key": <content + options + model, see starskope.results.keys>,
     "status": "ok" | "error", "rows": [...], "error": "...", ...}

Results are looked up by ``result_key``: re-running the same command skips an item only
when its file still has the same bytes and the options and model are the same; a file
replaced under the same path, other options or another model run again. The journal
keeps the older results too, so switching back to earlier options finds them.
Journals written before result keys existed have entries without one; they match
nothing and are run again.
"""

from __future__ import annotations

import json
import os
from collections.abc import Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import IO, Any

__all__ = ["Journal"]


class Journal:
    """Append-only JSON-lines record of finished items.

    Parameters
    ----------
    path : path-like
        The journal file (created on the first append).

    Notes
    -----
    A line cut short by a crash (no final newline) ends the reading; a line that is
    not JSON is skipped. Of several entries with the same item key and result key the
    first is used (the same bytes under two paths are two entries: each row names its
    file).
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def entries(self) -> Iterator[dict[str, Any]]:
        """The complete entries, in the order they were written, without repeats."""
        if not self.path.exists():
            return
        seen: set[str] = set()  # item key + result key
        with self.path.open("r", encoding="utf-8") as fh:
            for line in fh:
                if not line.endswith("\n"):
                    break  # a partial last line from a crash
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                if not isinstance(entry, dict) or entry.get("key") is None:
                    continue
                ident = f"{entry['key']}\n{entry.get('result_key') or ''}"
                if ident in seen:
                    continue
                seen.add(ident)
                yield entry

    def done_keys(self) -> set[str]:
        """Item keys with at least one entry (whatever content, options or model made it)."""
        return {entry["key"] for entry in self.entries()}

    def results(self) -> dict[str, set[str]]:
        """``item key → result keys`` it was journalled under (entries without one left out)."""
        done: dict[str, set[str]] = {}
        for entry in self.entries():
            if entry.get("result_key"):
                done.setdefault(entry["key"], set()).add(entry["result_key"])
        return done

    def append(self, entry: dict[str, Any], fh: IO[str]) -> None:
        """Write one entry to ``fh`` (the journal opened for appending) and fsync it."""
        fh.write(json.dumps(entry, default=_json_default, allow_nan=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())

    @contextmanager
    def writer(self) -> Iterator[IO[str]]:
        """The journal opened for :meth:`append` (its folder is created when missing)."""
        self.path.parent.mkdir(parents=True, exist_ok=True)
        with self.path.open("a", encoding="utf-8") as fh:
            yield fh


def _json_default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)
