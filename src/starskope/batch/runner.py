"""Run one function over many light curves on a Dask cluster, resumably.

The design follows three rules:

* **Workers read paths, not arrays.** A task is a small :class:`BatchItem` (a file path,
  or a row range of a Kaggle table); the worker reads the data itself, so nothing large
  crosses the network and the client's memory does not grow with the data.
* **Every finished result is durable at once.** Results are appended to a journal
  (JSON lines, flushed and fsync'd per row) as they arrive. A crash, a killed worker or
  Ctrl-C loses at most the rows still in flight; re-running the same command reads the
  journal and skips what is done. The output table (CSV or Parquet) is rewritten from the
  journal atomically (temporary file + ``os.replace``), so it is never half-written.
* **Bounded memory.** At most ``max_in_flight`` tasks are submitted at a time, and the
  final table is streamed from the journal in chunks.

A failing item is recorded with its error (``status="error"``) and the run goes on; a
worker that dies has its tasks re-run by Dask's scheduler (the nanny restarts it).
"""

from __future__ import annotations

import glob
import json
import os
import resource
import tempfile
import time
import traceback
from collections.abc import Callable, Iterable, Iterator, Sequence
from dataclasses import asdict, dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParameterError, StarskopeError
from ..filetypes import LIGHT_CURVE_SUFFIXES, find_light_curves

__all__ = [
    "LIGHT_CURVE_SUFFIXES",
    "BatchItem",
    "BatchSummary",
    "Journal",
    "collect_items",
    "run_batch",
    "write_table",
]

@dataclass(frozen=True)
class BatchItem:
    """One unit of work: a light-curve file, or rows ``[row_start, row_stop)`` of a table.

    ``key`` identifies the item in the journal and the output table; it is the absolute
    path, with ``#rows=START-STOP`` appended for a table chunk.
    """

    path: str
    row_start: int | None = None
    row_stop: int | None = None

    @property
    def key(self) -> str:
        if self.row_start is None:
            return self.path
        return f"{self.path}#rows={self.row_start}-{self.row_stop}"

    @property
    def is_table_chunk(self) -> bool:
        return self.row_start is not None


@dataclass
class BatchSummary:
    """What a run did.

    Attributes
    ----------
    n_items : int
        Items asked for.
    n_skipped : int
        Items already in the journal from an earlier run (not run again).
    n_done, n_failed : int
        Items finished in this run, and how many of them failed.
    n_rows : int
        Rows in the output table.
    seconds : float
        Wall time of this run.
    worker_peak_rss_mb : dict
        Peak resident memory seen by each worker process (MB), from ``getrusage``.
    interrupted : bool
        True if the run stopped early (Ctrl-C); the journal resumes it.
    """

    n_items: int = 0
    n_skipped: int = 0
    n_done: int = 0
    n_failed: int = 0
    n_rows: int = 0
    seconds: float = 0.0
    worker_peak_rss_mb: dict[str, float] = field(default_factory=dict)
    interrupted: bool = False
    output: str = ""
    journal: str = ""

    @property
    def rate(self) -> float:
        """Items per second in this run."""
        return self.n_done / self.seconds if self.seconds > 0 else float("nan")


def _looks_like_manifest(path: Path) -> bool:
    if not path.name.lower().endswith(".csv"):
        return False
    try:
        with path.open(newline="") as fh:
            header = fh.readline().strip().split(",")
    except (OSError, UnicodeDecodeError):
        return False
    return bool({"file", "path"} & {h.strip().lower() for h in header}) and len(header) > 1


def _count_table_rows(path: Path) -> int:
    import gzip

    opener = gzip.open if path.name.lower().endswith(".gz") else open
    with opener(path, "rb") as fh:
        n = sum(chunk.count(b"\n") for chunk in iter(lambda: fh.read(1 << 20), b""))
    return max(n - 1, 0)  # minus the header; a missing final newline is handled below


def collect_items(inputs: Sequence[str | os.PathLike[str]], *, table_chunk: int = 256,
                  skipped: list[Path] | None = None) -> list[BatchItem]:
    """Expand folders, globs, manifest CSVs and Kaggle tables into batch items.

    Parameters
    ----------
    inputs : sequence of str or path
        Light-curve files; folders (searched recursively for light-curve suffixes);
        glob patterns (``'data/**/*.fits.gz'``); a manifest CSV with a ``file`` or ``path``
        column (relative paths are taken from the manifest's folder); Kaggle-layout flux
        tables (split into chunks of ``table_chunk`` rows).
    table_chunk : int
        Rows of a flux table per task.
    skipped : list, optional
        Receives the text files a folder scan left out because they are tables of
        something else (:func:`starskope.filetypes.find_light_curves`: a ``truth.csv``,
        a catalogue); files named explicitly are never left out.

    Returns
    -------
    list of BatchItem
        In input order, without duplicates.

    Raises
    ------
    ParameterError
        An input that matches nothing.
    """
    if table_chunk < 1:
        raise ParameterError(f"table_chunk must be >= 1; got {table_chunk}")
    from ..io.flux_table import is_flux_table  # astropy and pyarrow: imported when needed
    items: list[BatchItem] = []
    seen: set[str] = set()

    def add(item: BatchItem) -> None:
        if item.key not in seen:
            seen.add(item.key)
            items.append(item)

    def add_file(path: Path) -> None:
        path = path.resolve()
        if is_flux_table(path):
            n = _count_table_rows(path)
            for start in range(0, n, table_chunk):
                add(BatchItem(str(path), start, min(start + table_chunk, n)))
        else:
            add(BatchItem(str(path)))

    for raw in inputs:
        text = str(raw)
        path = Path(text)
        if path.is_dir():
            found, left_out = find_light_curves(path)
            if skipped is not None:
                skipped.extend(left_out)
            if not found:
                raise ParameterError(f"{text}: folder holds no light-curve files ({', '.join(LIGHT_CURVE_SUFFIXES[:4])}, ...)")
            for p in found:
                add_file(p)
        elif path.is_file():
            if _looks_like_manifest(path):
                for p in _manifest_paths(path):
                    add_file(p)
            else:
                add_file(path)
        elif any(ch in text for ch in "*?["):
            matches = sorted(glob.glob(text, recursive=True))
            files = [Path(m) for m in matches if Path(m).is_file()]
            if not files:
                raise ParameterError(f"{text}: the pattern matches no files")
            for p in files:
                add_file(p)
        else:
            raise ParameterError(f"{text}: no such file, folder or glob pattern")
    return items


def _manifest_paths(manifest: Path) -> Iterator[Path]:
    import csv

    with manifest.open(newline="") as fh:
        reader = csv.DictReader(fh)
        column = next((c for c in reader.fieldnames or [] if c.strip().lower() in {"file", "path"}), None)
        if column is None:  # pragma: no cover - guarded by _looks_like_manifest
            raise ParameterError(f"{manifest}: manifest has no 'file' or 'path' column")
        for row in reader:
            value = (row.get(column) or "").strip()
            if not value:
                continue
            p = Path(value)
            yield p if p.is_absolute() else manifest.parent / p


class Journal:
    """Append-only JSON-lines record of finished items, durable row by row.

    Each line is ``{"key": ..., "status": "ok" | "error", "rows": [...], "error": ...}``.
    A line cut short by a crash is ignored when reading.
    """

    def __init__(self, path: str | os.PathLike[str]) -> None:
        self.path = Path(path)

    def done_keys(self) -> set[str]:
        return {entry["key"] for entry in self.entries()}

    def entries(self) -> Iterator[dict[str, Any]]:
        if not self.path.exists():
            return
        seen: set[str] = set()
        with self.path.open("r", encoding="utf-8") as fh:
            for line in fh:
                if not line.endswith("\n"):
                    break  # a partial last line from a crash
                try:
                    entry = json.loads(line)
                except json.JSONDecodeError:
                    continue
                key = entry.get("key")
                if key is None or key in seen:
                    continue
                seen.add(key)
                yield entry

    def append(self, entry: dict[str, Any], fh: Any) -> None:
        fh.write(json.dumps(entry, default=_json_default, allow_nan=True) + "\n")
        fh.flush()
        os.fsync(fh.fileno())


def _json_default(obj: Any) -> Any:
    import numpy as np

    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    return str(obj)


def _run_one(fn: Callable[[BatchItem], Any], item: BatchItem) -> dict[str, Any]:
    """Worker side: run ``fn`` on one item and capture its rows or its error."""
    entry: dict[str, Any] = {"key": item.key, "item": asdict(item)}
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


def run_batch(
    items: Sequence[BatchItem],
    fn: Callable[[BatchItem], dict[str, Any] | list[dict[str, Any]]],
    out: str | os.PathLike[str],
    *,
    workers: int = 2,
    scheduler: str | None = None,
    max_in_flight: int | None = None,
    progress: bool = True,
    on_result: Callable[[dict[str, Any]], None] | None = None,
    memory_limit: str = "4GiB",
    inline: bool = False,
    status_columns: bool = True,
    refresh_seconds: float = 30.0,
) -> BatchSummary:
    """Run ``fn`` over ``items`` on Dask and write one table, resumably.

    Parameters
    ----------
    items : sequence of BatchItem
        What to process (see :func:`collect_items`).
    fn : callable
        Importable, picklable function ``fn(item) -> row dict or list of row dicts``. It
        runs on the workers and reads the item's data itself.
    out : path
        Output table; ``.parquet`` writes Parquet, anything else CSV. The journal is
        ``<out>.journal.jsonl`` beside it.
    workers : int
        Worker processes of a local cluster (one thread each). Ignored with ``scheduler``.
    scheduler : str, optional
        Address of an existing ``dask.distributed`` scheduler (``tcp://host:8786``).
    max_in_flight : int, optional
        Tasks submitted at once (default 4 per worker), which bounds memory.
    progress : bool
        Show a progress bar with items done, rate and ETA.
    on_result : callable, optional
        Called on the client with each journal entry as it arrives (e.g. to store rows
        in the results database).
    memory_limit : str
        Per-worker memory limit of the local cluster.
    inline : bool
        Run the items one after another in this process instead of on Dask (no cluster
        start-up; for one worker and few items). Journal, resume and atomic output work
        the same; a crash of the process is resumed by running again.
    status_columns : bool
        Begin each output row with ``item, status, error``. Without them, an item that
        failed as a whole gets one row ``{"file": <item key>, "flags": "error: …"}``.
    refresh_seconds : float
        While the run goes on, rewrite the output table (atomically) from the journal
        about this often, so it always holds the results so far; at least ten times the
        last rewrite's own duration apart, so large runs are not slowed. 0 writes it only
        at the end.

    Returns
    -------
    BatchSummary
    """
    if workers < 1:
        raise ParameterError(f"workers must be >= 1; got {workers}")
    out_path = Path(out)
    if out_path.exists() and out_path.is_dir():
        raise ParameterError(f"{out_path}: output must be a file path, not a folder")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    journal = Journal(out_path.with_name(out_path.name + ".journal.jsonl"))
    done = journal.done_keys()
    todo = [it for it in items if it.key not in done]
    summary = BatchSummary(
        n_items=len(items), n_skipped=len(items) - len(todo),
        output=str(out_path), journal=str(journal.path),
    )
    start = time.perf_counter()
    order = {it.key: i for i, it in enumerate(items)}
    refresh = {"next": start + refresh_seconds}

    def sink(entry: dict[str, Any]) -> None:
        if on_result is not None:
            on_result(entry)
        now = time.perf_counter()
        if refresh_seconds > 0 and now >= refresh["next"]:
            write_table(journal, out_path, order=order, status_columns=status_columns)
            took = time.perf_counter() - now
            refresh["next"] = time.perf_counter() + max(refresh_seconds, 10 * took)

    if todo and inline and scheduler is None:
        _execute_inline(todo, fn, journal, summary, progress=progress, on_result=sink)
    elif todo:
        _execute(todo, fn, journal, summary, workers=workers, scheduler=scheduler,
                 max_in_flight=max_in_flight, progress=progress, on_result=sink,
                 memory_limit=memory_limit)
    summary.seconds = time.perf_counter() - start
    summary.n_rows = write_table(journal, out_path, order=order, status_columns=status_columns)
    return summary


def _record(entry: dict[str, Any], journal: Journal, fh: Any, summary: BatchSummary, bar: _Progress,
            on_result: Callable[[dict[str, Any]], None] | None) -> None:
    """Make one finished entry durable, count it and pass it on."""
    journal.append(entry, fh)
    summary.n_done += 1
    summary.n_failed += entry["status"] != "ok"
    pid = str(entry.get("worker_pid", "?"))
    rss = float(entry.get("worker_peak_rss_mb", 0.0))
    summary.worker_peak_rss_mb[pid] = max(summary.worker_peak_rss_mb.get(pid, 0.0), rss)
    if on_result is not None:
        on_result(entry)
    bar.advance(failed=entry["status"] != "ok", rows=len(entry.get("rows") or []))


def _execute_inline(
    todo: list[BatchItem],
    fn: Callable[..., Any],
    journal: Journal,
    summary: BatchSummary,
    *,
    progress: bool,
    on_result: Callable[[dict[str, Any]], None] | None,
) -> None:
    bar = _Progress(len(todo), enabled=progress)
    try:
        with journal.path.open("a", encoding="utf-8") as fh:
            for item in todo:
                _record(_run_one(fn, item), journal, fh, summary, bar, on_result)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        bar.close()


def _execute(
    todo: list[BatchItem],
    fn: Callable[..., Any],
    journal: Journal,
    summary: BatchSummary,
    *,
    workers: int,
    scheduler: str | None,
    max_in_flight: int | None,
    progress: bool,
    on_result: Callable[[dict[str, Any]], None] | None,
    memory_limit: str,
) -> None:
    from distributed import Client, LocalCluster, as_completed
    from distributed.client import FutureCancelledError

    cluster = None
    if scheduler:
        client = Client(scheduler, timeout="20s")
        n_workers = max(len(client.scheduler_info().get("workers", {})), 1)
    else:
        cluster = LocalCluster(
            n_workers=workers, threads_per_worker=1, processes=True,
            host="127.0.0.1", dashboard_address=None, memory_limit=memory_limit,
            silence_logs=40,
        )
        client = Client(cluster)
        n_workers = workers
    window = max_in_flight or 4 * n_workers
    bar = _Progress(len(todo), enabled=progress)
    pending = iter(todo)
    by_future: dict[Any, BatchItem] = {}
    try:
        with journal.path.open("a", encoding="utf-8") as fh:
            ac = as_completed()
            for item in _take(pending, window):
                fut = client.submit(_run_one, fn, item, key=f"starskope-{abs(hash(item.key))}-{time.time_ns()}", pure=False)
                by_future[fut] = item
                ac.add(fut)
            for fut in ac:
                item = by_future.pop(fut)
                try:
                    entry = fut.result()
                except FutureCancelledError:
                    raise KeyboardInterrupt from None
                except Exception as exc:  # KilledWorker: the item kept killing its workers
                    entry = {"key": item.key, "item": asdict(item), "status": "error", "rows": [],
                             "error": f"{type(exc).__name__}: {exc}"}
                fut.release()
                _record(entry, journal, fh, summary, bar, on_result)
                for nxt in _take(pending, 1):
                    nf = client.submit(_run_one, fn, nxt, key=f"starskope-{abs(hash(nxt.key))}-{time.time_ns()}", pure=False)
                    by_future[nf] = nxt
                    ac.add(nf)
    except KeyboardInterrupt:
        summary.interrupted = True
    finally:
        bar.close()
        for fut in list(by_future):
            fut.cancel()
        import logging

        # a worker's last heartbeat racing the shutdown logs a harmless CommClosedError
        logging.getLogger("distributed").setLevel(logging.CRITICAL)
        client.close()
        if cluster is not None:
            cluster.close()


def _take(it: Iterator[BatchItem], n: int) -> list[BatchItem]:
    out = []
    for _ in range(n):
        try:
            out.append(next(it))
        except StopIteration:
            break
    return out


class _Progress:
    """A rich progress bar (files done, rate, ETA) that can be switched off."""

    def __init__(self, total: int, *, enabled: bool) -> None:
        self._progress = None
        if not enabled:
            return
        from rich.console import Console
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeElapsedColumn,
            TimeRemainingColumn,
        )

        self._progress = Progress(
            TextColumn("[bold]batch"), BarColumn(), MofNCompleteColumn(), TextColumn("items"),
            TextColumn("{task.fields[rows]} light curves, {task.fields[rate]:.1f}/s"),
            TextColumn("[red]{task.fields[failed]} failed"),
            TimeElapsedColumn(), TimeRemainingColumn(), transient=False, console=Console(stderr=True),
        )
        self._progress.start()
        self._task = self._progress.add_task("batch", total=total, rate=0.0, failed=0, rows=0)
        self._t0 = time.perf_counter()
        self._failed = 0
        self._rows = 0

    def advance(self, *, failed: bool, rows: int = 1) -> None:
        if self._progress is None:
            return
        self._failed += failed
        self._rows += rows
        rate = self._rows / max(time.perf_counter() - self._t0, 1e-9)
        self._progress.update(self._task, advance=1, rate=rate, failed=self._failed, rows=self._rows)

    def close(self) -> None:
        if self._progress is not None:
            self._progress.stop()


def _flatten(entry: dict[str, Any], status_columns: bool = True) -> Iterable[dict[str, Any]]:
    if entry.get("status") == "ok" and entry.get("rows"):
        for row in entry["rows"]:
            yield {"item": entry["key"], "status": "ok", "error": "", **row} if status_columns else row
    elif status_columns:
        yield {"item": entry["key"], "status": entry.get("status", "error"), "error": entry.get("error", "")}
    else:
        yield {"file": entry["key"], "flags": f"error: {entry.get('error', '')}"}


def write_table(journal: Journal, out: Path, *, order: dict[str, int] | None = None, chunk: int = 20000,
                status_columns: bool = True) -> int:
    """Rewrite the output table from the journal, atomically; return its row count.

    Rows follow the input order given by ``order`` (key → index); keys not in ``order``
    (items of another run sharing the journal) come last in journal order. With
    ``status_columns`` each row begins with ``item, status, error``.
    """
    import pandas as pd

    # pass 1: the column set and the order, holding only keys and positions in memory
    columns: dict[str, None] = {"item": None, "status": None, "error": None} if status_columns else {}
    positions: list[tuple[int, int]] = []
    for i, entry in enumerate(journal.entries()):
        for row in _flatten(entry, status_columns):
            columns.update(dict.fromkeys(row))
        rank = (order or {}).get(entry["key"], len(order or {}) + i)
        positions.append((rank, i))
    positions.sort()
    wanted = [i for _, i in positions]
    tmp_fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(tmp_fd)
    n_rows = 0
    try:
        cols = list(columns)
        writer = None
        header = True
        # pass 2: stream entries in output order, chunk by chunk
        for lo in range(0, len(wanted), chunk):
            block = set(wanted[lo:lo + chunk])
            picked: dict[int, list[dict[str, Any]]] = {}
            for i, entry in enumerate(journal.entries()):
                if i in block:
                    picked[i] = list(_flatten(entry, status_columns))
            rows = [r for i in wanted[lo:lo + chunk] for r in picked[i]]
            frame = pd.DataFrame(rows, columns=cols)
            for c in frame.select_dtypes(include="object").columns:
                frame[c] = frame[c].astype("string")
            n_rows += len(frame)
            if out.suffix.lower() == ".parquet":
                import pyarrow as pa
                import pyarrow.parquet as pq

                table = pa.Table.from_pandas(frame, preserve_index=False)
                if writer is None:
                    writer = pq.ParquetWriter(tmp_name, table.schema)
                writer.write_table(table.cast(writer.schema, safe=False))
            else:
                frame.to_csv(tmp_name, mode="w" if header else "a", header=header, index=False)
                header = False
        if writer is not None:
            writer.close()
        elif header:  # nothing at all: still write the header
            pd.DataFrame(columns=cols).to_csv(tmp_name, index=False)
        os.replace(tmp_name, out)
    except BaseException:
        Path(tmp_name).unlink(missing_ok=True)
        raise
    return n_rows
