"""Run one function over many light curves, resumably, in this process, local processes or on Dask.

The design follows four rules:

* **Workers read paths, not arrays.** A task is a small :class:`BatchItem` (a file path,
  or a row range of a Kaggle table); the worker reads the data itself, so nothing large
  crosses the network and the client's memory does not grow with the data.
* **Every finished result is durable at once.** Results are appended to a journal
  (:class:`~starskope.results.journal.Journal`: JSON lines, flushed and fsync'd per
  row) as they arrive. A crash, a killed worker or Ctrl-C loses at most the rows still
  in flight; re-running the same command reads the journal and skips what is done. The
  output table (CSV or Parquet) is rewritten from the journal atomically (temporary file
  + ``os.replace``), so it is never half-written.
* **Done means the same bytes, options and model.** Each result is journalled under
  its result key (:mod:`starskope.results.keys`): the SHA-256 of the item's file (plus
  its row range), the options and the model. A file replaced under the same path, other
  options or another model run again; only true matches are skipped.
* **Bounded memory.** At most ``max_in_flight`` tasks are submitted at a time, and the
  final table is streamed from the journal in chunks.

The work runs on an executor (:mod:`starskope.executors`) through
:func:`starskope.batch.engine.execute`, the same code path as the web app's jobs. A
failing item is recorded with its error (``status="error"``) and the run goes on; on
Dask a worker that dies has its tasks re-run by the scheduler (the nanny restarts it),
and local worker processes are replaced the same way.
"""

from __future__ import annotations

import glob
import os
import tempfile
import time
from collections.abc import Callable, Iterable, Iterator, Sequence
from contextlib import closing
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

from ..errors import ParameterError, error_flags, is_error_flags
from ..executors import Executor, executor_for
from ..filetypes import LIGHT_CURVE_SUFFIXES, find_light_curves
from ..results.journal import Journal
from ..results.keys import AnalysisIdentity
from .engine import execute, result_key_of

__all__ = [
    "LIGHT_CURVE_SUFFIXES",
    "SMALL_RUN_LIGHT_CURVES",
    "BatchItem",
    "BatchSummary",
    "collect_items",
    "is_small_run",
    "run_batch",
    "write_table",
]

@dataclass(frozen=True)
class BatchItem:
    """One unit of work: a light-curve file, the files of one star, or rows
    ``[row_start, row_stop)`` of a table.

    ``key`` names the item in the journal and the output table: the absolute path, with
    ``#rows=START-STOP`` appended for a table chunk, or the star's paths joined by ``;``.
    ``content`` is the SHA-256 of the file's bytes when it is already known
    (:func:`collect_items` hashes tables while it counts their rows); empty, the worker
    hashes the files it reads. ``paths`` holds the files of a star made of several
    (:func:`~starskope.batch.grouping.group_by_star`; ``path`` is then the first of them),
    and ``target`` the star's name.
    """

    path: str
    row_start: int | None = None
    row_stop: int | None = None
    content: str = ""
    paths: tuple[str, ...] = ()
    target: str = ""

    @classmethod
    def star(cls, paths: Sequence[str | os.PathLike[str]], target: str = "") -> BatchItem:
        """The item of one star's files (sorted, so that the key does not depend on the
        order they were given in); a single file is a plain file item."""
        files = tuple(sorted(dict.fromkeys(str(p) for p in paths)))
        if not files:
            raise ParameterError("a star needs at least one file; got none")
        if len(files) == 1:
            return cls(files[0], target=target)
        return cls(files[0], paths=files, target=target)

    @property
    def files(self) -> tuple[str, ...]:
        """The light-curve files the item reads (one, or the star's)."""
        return self.paths or (self.path,)

    @property
    def key(self) -> str:
        if self.paths:
            return ";".join(self.paths)
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
    output, journal : str
        The output table and the journal.
    executor : str
        Where the items ran (:meth:`~starskope.executors.Executor.describe`; empty when
        everything was done by an earlier run).
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
    executor: str = ""

    @property
    def rate(self) -> float:
        """Items per second in this run."""
        return self.n_done / self.seconds if self.seconds > 0 else float("nan")


#: A run of at most this many light curves starts no workers by default (:func:`is_small_run`).
SMALL_RUN_LIGHT_CURVES = 8


def is_small_run(items: Sequence[BatchItem]) -> bool:
    """Whether starting workers would cost more than it saves (~20 s for a local Dask cluster).

    True for a single item (nothing to share out), and for items that hold at most
    :data:`SMALL_RUN_LIGHT_CURVES` light curves in all (a file is one, a table chunk one
    per row) with every table in one chunk.
    """
    if len(items) <= 1:
        return True
    tables = [it.path for it in items if it.is_table_chunk]
    if len(tables) != len(set(tables)):
        return False  # a table split over several chunks
    n = sum((int(it.row_stop or 0) - int(it.row_start or 0)) if it.is_table_chunk else 1 for it in items)
    return n <= SMALL_RUN_LIGHT_CURVES


def _looks_like_manifest(path: Path) -> bool:
    if not path.name.lower().endswith(".csv"):
        return False
    try:
        with path.open(newline="") as fh:
            header = fh.readline().strip().split(",")
    except (OSError, UnicodeDecodeError):
        return False
    return bool({"file", "path"} & {h.strip().lower() for h in header}) and len(header) > 1


def _count_table_rows(path: Path) -> tuple[int, str]:
    """Rows of a table (its lines less the header) and the SHA-256 of its bytes.

    A plain table is read once for both; a gzipped one is hashed as stored and counted
    decompressed.
    """
    import gzip
    import hashlib

    h = hashlib.sha256()
    n = 0
    with open(path, "rb") as fh:
        for block in iter(lambda: fh.read(1 << 20), b""):
            h.update(block)
            n += block.count(b"\n")
    if path.name.lower().endswith(".gz"):
        with gzip.open(path, "rb") as fh:
            n = sum(block.count(b"\n") for block in iter(lambda: fh.read(1 << 20), b""))
    return max(n - 1, 0), h.hexdigest()  # minus the header


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
            n, sha = _count_table_rows(path)
            for start in range(0, n, table_chunk):
                add(BatchItem(str(path), start, min(start + table_chunk, n), content=sha))
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
    executor: Executor | str | None = None,
    identity: AnalysisIdentity | None = None,
) -> BatchSummary:
    """Run ``fn`` over ``items`` and write one table, resumably.

    Parameters
    ----------
    items : sequence of BatchItem
        What to process (see :func:`collect_items`).
    fn : callable
        Importable, picklable function ``fn(item) -> row dict or list of row dicts``. It
        runs on the workers and reads the item's data itself. When it has an
        ``identity`` attribute (:class:`~starskope.results.keys.AnalysisIdentity`, as
        :func:`~starskope.batch.classify.classify_task` gives it), that names its
        options and model.
    out : path
        Output table; ``.parquet`` writes Parquet, anything else CSV. The journal is
        ``<out>.journal.jsonl`` beside it.
    workers : int
        Worker processes of a local Dask cluster (one thread each). Ignored with
        ``scheduler`` or ``executor``.
    scheduler : str, optional
        Address of an existing ``dask.distributed`` scheduler (``tcp://host:8786``).
    max_in_flight : int, optional
        Tasks submitted at once (default: the executor's, 4 per Dask worker), which
        bounds memory.
    progress : bool
        Show a progress bar with items done, rate and ETA.
    on_result : callable, optional
        Called on the client with each journal entry as it arrives (e.g. to store rows
        in the results database).
    memory_limit : str
        Per-worker memory limit of the local Dask cluster.
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
    executor : Executor or str, optional
        Where to run: an executor (left open: the caller owns it) or a name in
        :data:`~starskope.executors.EXECUTORS`. Default: ``inline`` with ``inline=True``,
        else Dask (``workers`` local processes, or ``scheduler``).
    identity : AnalysisIdentity, optional
        The options and model the results depend on (default: ``fn.identity``, else
        none: the results depend on the input alone).

    Returns
    -------
    BatchSummary
        ``n_skipped`` counts the items whose result key (same bytes, options and model)
        is in the journal already.
    """
    if workers < 1:
        raise ParameterError(f"workers must be >= 1; got {workers}")
    out_path = Path(out)
    if out_path.exists() and out_path.is_dir():
        raise ParameterError(f"{out_path}: output must be a file path, not a folder")
    out_path.parent.mkdir(parents=True, exist_ok=True)
    if identity is None:
        identity = getattr(fn, "identity", None)
    journal = Journal(out_path.with_name(out_path.name + ".journal.jsonl"))
    wanted, todo = _resume(items, journal, identity)
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
            write_table(journal, out_path, order=order, wanted=wanted, status_columns=status_columns)
            took = time.perf_counter() - now
            refresh["next"] = time.perf_counter() + max(refresh_seconds, 10 * took)

    if todo:
        if isinstance(executor, Executor):
            owned, ex = False, executor
        else:
            kind = executor or ("inline" if inline and scheduler is None else "dask")
            owned = True
            ex = executor_for(workers, scheduler, kind=kind,
                              **({"memory_limit": memory_limit} if kind == "dask" else {}))
        summary.executor = ex.describe()
        bar = _Progress(len(todo), enabled=progress)
        try:
            with journal.writer() as fh, closing(execute(todo, fn, ex, identity=identity,
                                                         window=max_in_flight)) as entries:
                for entry in entries:
                    wanted[entry["key"]] = entry.get("result_key") or ""
                    _record(entry, journal, fh, summary, bar, sink)
        except KeyboardInterrupt:
            summary.interrupted = True
        finally:
            bar.close()
            if owned:
                ex.close()
    summary.seconds = time.perf_counter() - start
    summary.n_rows = write_table(journal, out_path, order=order, wanted=wanted, status_columns=status_columns)
    return summary


def _resume(items: Sequence[BatchItem], journal: Journal,
            identity: AnalysisIdentity | None) -> tuple[dict[str, str], list[BatchItem]]:
    """Split the items into those the journal holds a result for (same item, same
    result key) and those to run. Only items the journal names are hashed here."""
    done = journal.results()
    wanted: dict[str, str] = {}
    todo: list[BatchItem] = []
    hashes: dict[str, str] = {}
    for it in items:
        if it.key in done:
            try:
                key = result_key_of(it, identity, hashes)
            except OSError:
                key = ""  # gone or unreadable: run it, and let the task say why
            if key in done[it.key]:
                wanted[it.key] = key
                continue
        todo.append(it)
    return wanted, todo


def _record(entry: dict[str, Any], journal: Journal, fh: Any, summary: BatchSummary, bar: _Progress,
            on_result: Callable[[dict[str, Any]], None] | None) -> None:
    """Make one finished entry durable, count it and pass it on."""
    journal.append(entry, fh)
    summary.n_done += 1
    summary.n_failed += entry["status"] != "ok"
    pid = str(entry.get("worker_pid", "?"))
    rss = float(entry.get("worker_peak_rss_mb", 0.0))
    if entry.get("worker_pid") is not None:
        summary.worker_peak_rss_mb[pid] = max(summary.worker_peak_rss_mb.get(pid, 0.0), rss)
    if on_result is not None:
        on_result(entry)
    # an item that ran may still hold light curves that could not be analysed (error flags,
    # as whole-item failures get): the bar counts them as failed, not as light curves done
    rows = entry.get("rows") or []
    bad = sum(is_error_flags(r.get("flags")) for r in rows if isinstance(r, dict))
    bar.advance(failed=int(entry["status"] != "ok") + bad, rows=len(rows) - bad)


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

    def advance(self, *, failed: int, rows: int = 1) -> None:
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
        yield {"file": entry["key"], "flags": error_flags(entry.get("error", ""))}


def write_table(journal: Journal, out: Path, *, order: dict[str, int] | None = None, chunk: int = 20000,
                status_columns: bool = True, wanted: dict[str, str] | None = None) -> int:
    """Rewrite the output table from the journal, atomically; return its row count.

    Rows follow the input order given by ``order`` (key → index); keys not in ``order``
    come last in journal order. With ``wanted`` (item key → result key) only those
    items' entries with those result keys are written: the current run's results, not
    the older ones the journal also keeps (other content, options or model). With
    ``status_columns`` each row begins with ``item, status, error``.
    """
    import pandas as pd

    def chosen(entry: dict[str, Any]) -> bool:
        if wanted is None:
            return True
        key = wanted.get(entry["key"])
        return key is not None and key == (entry.get("result_key") or "")

    # pass 1: the column set and the order, holding only keys and positions in memory
    columns: dict[str, None] = {"item": None, "status": None, "error": None} if status_columns else {}
    positions: list[tuple[int, int]] = []
    for i, entry in enumerate(journal.entries()):
        if not chosen(entry):
            continue
        for row in _flatten(entry, status_columns):
            columns.update(dict.fromkeys(row))
        rank = (order or {}).get(entry["key"], len(order or {}) + i)
        positions.append((rank, i))
    positions.sort()
    sequence = [i for _, i in positions]
    tmp_fd, tmp_name = tempfile.mkstemp(prefix=f".{out.name}.", suffix=".tmp", dir=out.parent)
    os.close(tmp_fd)
    n_rows = 0
    try:
        cols = list(columns)
        writer = None
        header = True
        # pass 2: stream entries in output order, chunk by chunk
        for lo in range(0, len(sequence), chunk):
            block = set(sequence[lo:lo + chunk])
            picked: dict[int, list[dict[str, Any]]] = {}
            for i, entry in enumerate(journal.entries()):
                if i in block:
                    picked[i] = list(_flatten(entry, status_columns))
            rows = [r for i in sequence[lo:lo + chunk] for r in picked[i]]
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
