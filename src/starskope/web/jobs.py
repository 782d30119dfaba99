"""Background work: analyse the stars of a job while the web app keeps serving.

A :class:`JobRunner` owns one dispatcher thread and an executor. Jobs are taken in
order; each star of a job (:class:`~starskope.results.store.JobItem`) is analysed by
:func:`analyse_item` — read, clean, search, vet, classify, explain, build the report —
in a worker *process* by default, so the server's event loop never waits on the
science. As each star finishes, its result and report are written to the storage and
the job's counters move, which is what the page polls.

:func:`analyse_item` takes and returns plain dicts (picklable), loads the model once per
worker process, and turns every failure into an error message for that star: one bad
star never stops a job, and a crashed worker process is replaced.

On start the runner resumes the jobs a previous server left queued or running: the
stars already finished stay finished; the others are analysed again.
"""

from __future__ import annotations

import concurrent.futures as cf
import logging
import queue
import threading
import traceback
import warnings
from dataclasses import dataclass
from pathlib import Path
from typing import Any

from ..results.store import BATCH_SOURCE, JobItem, StarRecord, Storage, now
from .uploads import new_id

__all__ = ["BATCH_SOURCE", "JobRunner", "RunnerSettings", "analyse_item"]

log = logging.getLogger("starskope.web")

_MODEL_CACHE: dict[str, Any] = {}
_TABLE_CACHE: dict[str, Any] = {}


def _model(spec: str) -> Any:
    """The model named by ``spec`` (``"default"``, ``"none"`` or a model folder), cached."""
    if spec not in _MODEL_CACHE:
        if spec == "none":
            _MODEL_CACHE[spec] = None
        elif spec == "default":
            from ..explain import default_model_or_none

            _MODEL_CACHE[spec] = default_model_or_none()
        else:
            from ..models import load_model

            _MODEL_CACHE[spec] = load_model(spec)
    return _MODEL_CACHE[spec]


def _table(path: str) -> Any:
    """A Kaggle-layout table, cached (one at a time) so its rows are read once."""
    key = f"{path}:{Path(path).stat().st_mtime_ns}"
    if key not in _TABLE_CACHE:
        from ..io import read_flux_table

        _TABLE_CACHE.clear()
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            _TABLE_CACHE[key] = read_flux_table(path)
    return _TABLE_CACHE[key]


def analyse_item(task: dict[str, Any]) -> dict[str, Any]:
    """Analyse one star and build its report (runs in a worker).

    Parameters
    ----------
    task : dict
        ``path`` (file on disk), ``kind`` (``"lightcurve"``/``"table"``), ``row`` (table
        row, 0-based), ``label``, ``model`` (spec for :func:`_model`), ``options``
        (:class:`~starskope.pipeline.AnalysisOptions` as a dict), ``mission``,
        ``time_format``, ``saliency`` (bool).

    Returns
    -------
    dict
        ``{"ok": True, "summary": {...}, "report_json": str}`` or
        ``{"ok": False, "error": str}``.
    """
    from ..errors import StarskopeError
    from ..explain import analyse_file, analyse_table_row, explain
    from ..pipeline import AnalysisOptions, table_file_firing_mask
    from ..report import build_report, to_json

    try:
        options = AnalysisOptions.from_dict(task.get("options"))
        if task["kind"] == "table":
            table = _table(task["path"])
            row = int(task["row"])
            analysis = analyse_table_row(table.time.tdb.jd, table.flux[row], options=options, label=task["label"],
                                         firing=table_file_firing_mask(task["path"], options))
        else:
            analysis = analyse_file(task["path"], options=options, label=task["label"],
                                    mission=task.get("mission") or None, time_format=task.get("time_format") or None)
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            ex = explain(analysis, _model(str(task.get("model", "default"))), saliency=bool(task.get("saliency", True)))
        doc = build_report(ex, source=task["label"])
        return {"ok": True, "summary": ex.summary(), "report_json": to_json(doc)}
    except (StarskopeError, OSError, ValueError) as exc:
        return {"ok": False, "error": f"{type(exc).__name__}: {exc}"}
    except Exception as exc:  # a bug must not stop the job: record it for this star
        log.error("analysis of %s failed:\n%s", task.get("label"), traceback.format_exc())
        return {"ok": False, "error": f"internal error: {type(exc).__name__}: {exc}"}


@dataclass(frozen=True)
class RunnerSettings:
    """How the runner works.

    Attributes
    ----------
    executor : {'process', 'thread'}
        Worker processes (default; the server stays responsive whatever the analysis
        does) or threads (tests, debugging).
    workers : int
        Stars analysed at once.
    model : str
        ``"default"`` (the shipped model when there is one), ``"none"`` (vetting rules)
        or a model folder.
    saliency : bool
        Compute the CNN saliency curve for each star.
    """

    executor: str = "process"
    workers: int = 1
    model: str = "default"
    saliency: bool = True


class JobRunner:
    """Runs jobs in the background and records their progress in a storage.

    Parameters
    ----------
    storage : Storage
    resolve_path : callable
        ``resolve_path(upload) -> Path`` of an upload's file on disk.
    settings : RunnerSettings
    """

    def __init__(self, storage: Storage, resolve_path: Any, settings: RunnerSettings | None = None) -> None:
        self.storage = storage
        self.resolve_path = resolve_path
        self.settings = settings or RunnerSettings()
        self._queue: queue.Queue[str | None] = queue.Queue()
        self._thread: threading.Thread | None = None
        self._executor: cf.Executor | None = None
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._idle.set()

    # ------------------------------------------------------------------ lifecycle
    def _new_executor(self) -> cf.Executor:
        n = max(1, int(self.settings.workers))
        if self.settings.executor == "thread":
            return cf.ThreadPoolExecutor(max_workers=n, thread_name_prefix="starskope-job")
        import multiprocessing as mp

        return cf.ProcessPoolExecutor(max_workers=n, mp_context=mp.get_context("spawn"))

    def start(self) -> None:
        """Start the dispatcher and resume unfinished jobs."""
        if self._thread is not None:
            return
        self._executor = self._new_executor()
        for job in self.storage.unfinished_jobs():
            if BATCH_SOURCE in (job.options or ""):
                continue  # a `starskope classify --db` run: that command fills and finishes it
            for item in self.storage.job_items(job.id):
                if item.status == "running":
                    self.storage.update_item(job.id, item.position, status="queued")
            self.storage.update_job(job.id, status="queued", stage="resumed after a restart")
            self.submit(job.id)
        self._thread = threading.Thread(target=self._loop, name="starskope-jobs", daemon=True)
        self._thread.start()

    def stop(self) -> None:
        """Stop taking jobs and shut the workers down (unfinished stars resume on the next start)."""
        self._stopping.set()
        self._queue.put(None)
        if self._executor is not None:
            self._executor.shutdown(wait=False, cancel_futures=True)
        if self._thread is not None:
            self._thread.join(timeout=10)
        self._thread = None

    def submit(self, job_id: str) -> None:
        """Queue a job (already stored with its items)."""
        self._idle.clear()
        self._queue.put(job_id)

    def wait_idle(self, timeout: float | None = None) -> bool:
        """Block until every queued job has finished (for tests and scripts)."""
        return self._idle.wait(timeout)

    # ------------------------------------------------------------------ work
    def _loop(self) -> None:
        while not self._stopping.is_set():
            job_id = self._queue.get()
            if job_id is None:
                break
            try:
                self._run(job_id)
            except Exception:  # never let the dispatcher die
                log.error("job %s failed:\n%s", job_id, traceback.format_exc())
                self.storage.update_job(job_id, status="failed", finished_at=now(),
                                        message="the job runner hit an internal error; see the server log")
            if self._queue.empty():
                self._idle.set()

    def _task(self, job_id: str, item: JobItem) -> dict[str, Any] | None:
        upload = self.storage.get_upload(item.upload_id)
        if upload is None:
            return None
        job = self.storage.get_job(job_id)
        import json

        extra = json.loads(job.options or "{}") if job is not None else {}
        return {"path": str(self.resolve_path(upload)), "kind": upload.kind, "row": item.row, "label": item.label,
                "model": self.settings.model, "options": extra.get("analysis") or {},
                "mission": extra.get("mission"), "time_format": extra.get("time_format"),
                "saliency": self.settings.saliency}

    def _run(self, job_id: str) -> None:
        st = self.storage
        job = st.get_job(job_id)
        if job is None or job.status in ("done", "failed"):
            return
        items = st.job_items(job_id)
        pending = [it for it in items if it.status not in ("done", "failed")]
        done = sum(it.status == "done" for it in items)
        failed = sum(it.status == "failed" for it in items)
        st.update_job(job_id, status="running", started_at=job.started_at or now(), total=len(items),
                      done=done, failed=failed, stage=f"analysing {len(pending)} star(s)")
        futures: dict[cf.Future[dict[str, Any]], JobItem] = {}
        for it in pending:
            task = self._task(job_id, it)
            if task is None:
                st.update_item(job_id, it.position, status="failed", error="its upload is missing")
                failed += 1
                continue
            st.update_item(job_id, it.position, status="running")
            futures[self._submit_task(task)] = it
        for fut in cf.as_completed(futures):
            it = futures[fut]
            try:
                res = fut.result()
            except cf.CancelledError:
                return  # shutting down: the item stays 'running' and resumes on restart
            except Exception as exc:  # a worker process died (out of memory, killed)
                res = {"ok": False, "error": f"the worker analysing this star died ({type(exc).__name__})"}
                self._replace_executor()
            if res.get("ok"):
                star_id = new_id()
                s = dict(res["summary"])
                record = StarRecord(id=star_id, job_id=job_id, upload_id=it.upload_id, label=it.label,
                                    **{k: v for k, v in s.items() if k in StarRecord.__dataclass_fields__
                                       and k not in ("id", "job_id", "upload_id", "label", "created_at")})
                st.save_star(record, res["report_json"])
                st.update_item(job_id, it.position, status="done", star_id=star_id)
                done += 1
            else:
                st.update_item(job_id, it.position, status="failed", error=str(res.get("error", "failed"))[:2000])
                failed += 1
            st.update_job(job_id, done=done, failed=failed,
                          stage=f"{done + failed} of {len(items)} analysed; last: {it.label}")
        status_msg = f"{done} analysed" + (f", {failed} failed" if failed else "")
        st.update_job(job_id, status="done", finished_at=now(), done=done, failed=failed, stage="finished",
                      message=status_msg)

    def _submit_task(self, task: dict[str, Any]) -> cf.Future[dict[str, Any]]:
        assert self._executor is not None
        try:
            return self._executor.submit(analyse_item, task)
        except (RuntimeError, cf.BrokenExecutor):
            self._replace_executor()
            return self._executor.submit(analyse_item, task)

    def _replace_executor(self) -> None:
        old = self._executor
        self._executor = self._new_executor()
        if old is not None:
            old.shutdown(wait=False, cancel_futures=True)
