"""The one code path that runs a task function over items and hands back entries as they finish.

Both job systems use it: :func:`starskope.batch.run_batch` (``starskope classify``, which
journals each entry and writes a table) and the web app's job runner
(:class:`starskope.web.jobs.JobRunner`, which stores each entry in the results
database). :func:`execute` sends :func:`run_one` to an executor
(:mod:`starskope.executors`: this process, local processes or Dask); :func:`run_one`
runs the task function on the worker and turns whatever happens into an entry::

    {"key": <item key>, "content": <content key>, "result_key": <content+options+model>,
     "status": "ok" | "error", "rows": [<rows>], "error": "<Type: message>",
     "worker_pid": <pid>, "worker_peak_rss_mb": <MB>}

A task that raises gives an ``error`` entry, and a worker that died for good (the
executor gave up on the job) gives one on the client: one item never stops the others.

Items are :class:`~starskope.batch.runner.BatchItem` (their content is hashed where
they are read, on the worker, unless the item carries it; a star of several files is
keyed by all of them) or plain dicts with a
``key`` and, when the caller knows it, a ``result_key`` (the web app's tasks).
"""

from __future__ import annotations

import os
import resource
import traceback
import uuid
from collections.abc import Callable, Generator, Iterable
from dataclasses import asdict, is_dataclass
from functools import partial
from typing import Any

from ..errors import StarskopeError
from ..executors import Executor
from ..results.keys import AnalysisIdentity, content_key, file_sha256

__all__ = ["NO_IDENTITY", "execute", "files_content", "item_content", "item_key", "result_key_of", "run_one"]

#: The identity of a task that depends on its input alone (no options, no model).
NO_IDENTITY = AnalysisIdentity(options="", model="")


def item_key(item: Any) -> str:
    """The item's key: ``BatchItem.key``, or a dict's ``"key"``."""
    if isinstance(item, dict):
        return str(item["key"])
    return str(item.key)


def item_content(item: Any, hashes: dict[str, str] | None = None) -> str:
    """The content key of a :class:`~starskope.batch.runner.BatchItem`: the hash its
    collection recorded, else the hash of its file now (``hashes`` memoises file
    hashes by path within one call site), plus its row range. A star of several files
    is the content keys of all its files, sorted and joined by ``;``: a file replaced,
    added or taken away is another input."""
    paths = getattr(item, "paths", ()) or ()
    if paths:
        return files_content(_file_hash(p, hashes) for p in paths)
    sha = getattr(item, "content", "") or ""
    if not sha:
        sha = _file_hash(item.path, hashes)
    return content_key(sha, item.row_start, item.row_stop)


def files_content(sha256s: Iterable[str]) -> str:
    """The content key of one star made of several files: the content keys of the files
    (SHA-256 hex of each) sorted and joined by ``;`` (one file: its own content key)."""
    return ";".join(sorted(content_key(sha) for sha in sha256s))


def _file_hash(path: str, hashes: dict[str, str] | None) -> str:
    if hashes is not None and path in hashes:
        return hashes[path]
    sha = file_sha256(path)
    if hashes is not None:
        hashes[path] = sha
    return sha


def result_key_of(item: Any, identity: AnalysisIdentity | None, hashes: dict[str, str] | None = None) -> str:
    """The result key of an item: a dict's own ``result_key``, or the content of a
    BatchItem combined with ``identity``.

    Raises
    ------
    OSError
        The item's file cannot be read.
    """
    if isinstance(item, dict):
        return str(item.get("result_key") or "")
    return (identity or NO_IDENTITY).result_key(item_content(item, hashes))


def _unreadable() -> str:
    """A result key no later run matches: for a file that could not be read (and hashed)."""
    return f"unreadable:{uuid.uuid4().hex}"


def _describe(item: Any) -> dict[str, Any]:
    return asdict(item) if is_dataclass(item) and not isinstance(item, type) else {}


def run_one(fn: Callable[[Any], Any], item: Any, identity: AnalysisIdentity | None = None) -> dict[str, Any]:
    """Worker side: key the item, run ``fn`` on it, and capture its rows or its error.

    Parameters
    ----------
    fn : callable
        ``fn(item) -> row dict or list of row dicts``.
    item : BatchItem or dict
    identity : AnalysisIdentity, optional
        Options and model of the run (for the result key).

    Returns
    -------
    dict
        The entry (see the module docstring). The content is hashed before ``fn``
        reads the file, so a file replaced while it runs is journalled under its old
        content and runs again next time.
    """
    entry: dict[str, Any] = {"key": item_key(item)}
    described = _describe(item)
    if described:
        entry["item"] = described
    if isinstance(item, dict):
        entry["result_key"] = str(item.get("result_key") or "")
    else:
        try:
            entry["content"] = item_content(item)
            entry["result_key"] = (identity or NO_IDENTITY).result_key(entry["content"])
        except OSError:
            entry["result_key"] = _unreadable()  # fn says what is wrong; it runs again next time
    try:
        result = fn(item)
        rows = result if isinstance(result, list) else [result]
        entry.update(status="ok", rows=rows, error="")
    except StarskopeError as exc:
        entry.update(status="error", rows=[], error=f"{type(exc).__name__}: {exc}")
    except Exception as exc:  # a bug or a library failure on one file must not stop the run
        last = traceback.format_exception_only(type(exc), exc)[-1].strip()
        entry.update(status="error", rows=[], error=last)
    entry["worker_pid"] = os.getpid()
    entry["worker_peak_rss_mb"] = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    return entry


def failed_entry(item: Any, exc: BaseException, identity: AnalysisIdentity | None = None) -> dict[str, Any]:
    """Client side: the entry of an item whose worker failed it for good (``KilledWorker``,
    :class:`~starskope.executors.WorkerLostError`)."""
    entry: dict[str, Any] = {"key": item_key(item), "status": "error", "rows": [],
                             "error": f"{type(exc).__name__}: {exc}"}
    described = _describe(item)
    if described:
        entry["item"] = described
    try:
        if not isinstance(item, dict):
            entry["content"] = item_content(item)
        entry["result_key"] = result_key_of(item, identity)
    except OSError:
        entry["result_key"] = _unreadable()
    return entry


def execute(items: Iterable[Any], fn: Callable[[Any], Any], executor: Executor, *,
            identity: AnalysisIdentity | None = None,
            window: int | None = None) -> Generator[dict[str, Any], None, None]:
    """Run ``fn`` over ``items`` on ``executor``; yield each item's entry as it finishes.

    Parameters
    ----------
    items : iterable of BatchItem or dict
    fn : callable
        The task function (picklable for executors of other processes).
    executor : Executor
        Where it runs (see :func:`starskope.executors.executor_for`); not closed here.
    identity : AnalysisIdentity, optional
        Options and model of the run, for the entries' result keys.
    window : int, optional
        Most items in flight at once (the executor's default otherwise).

    Yields
    ------
    dict
        One entry per item, in the order they finish. Close the generator (or let it
        go) to cancel the items still in flight.
    """
    todo = list(items)
    task = partial(run_one, fn, identity=identity)
    results = executor.map(task, todo, window=window,
                           on_error=lambda index, exc: failed_entry(todo[index], exc, identity))
    try:
        for _index, entry in results:
            yield entry
    finally:
        results.close()
