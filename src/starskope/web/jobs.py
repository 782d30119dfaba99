"""Background work: analyse the stars of a job while the web app keeps serving.

A :class:`JobRunner` owns one dispatcher thread and an executor
(:mod:`starskope.executors`: local worker processes by default, threads, this thread, or
a Dask cluster). Jobs are taken in order; the stars of a job
(:class:`~starskope.results.store.JobItem`) run through the batch engine
(:func:`starskope.batch.engine.execute`, the code path of ``starskope classify``), each
analysed by :func:`analyse_item` — read, clean, search, vet, classify, explain, build the
report — away from the server's event loop. As each star finishes, its result and report
are written to the results database and the job's counters move, which is what the page
polls.

Files of one star given in one job (the same target id: quarters, campaigns, sectors)
are one star (:func:`starskope.batch.group_by_star`): their light curves are stitched and
analysed together, and the star's job items all point to the one result, which lists
them as its uploads. A job asked with ``per_file`` analyses each file alone.

Results are keyed by content (:mod:`starskope.results.keys`): the uploaded bytes (and
table row; every file of a star), the analysis options and the model. A star whose result is in the database
already is not analysed again: its job item points to the stored star, so the same file
uploaded twice is one star with two uploads.

:func:`analyse_item` takes and returns plain dicts (picklable), loads the model once per
worker process, and turns every failure into an error message for that star: one bad
star never stops a job, and a crashed worker process is replaced.

On start the runner resumes the jobs a previous server left queued or running: the
stars already finished stay finished; the others are analysed again.
"""

from __future__ import annotations

import json
import logging
import queue
import threading
import traceback
from contextlib import closing
from dataclasses import dataclass
from typing import Any

from ..batch.engine import execute, files_content
from ..executors import Executor, ExecutorClosedError, executor_for
from ..results.keys import AnalysisIdentity, content_key
from ..results.store import BATCH_SOURCE, JobItem, StarRecord, Storage, UploadRecord, now
from .uploads import new_id

__all__ = ["BATCH_SOURCE", "JobRunner", "RunnerSettings", "analyse_item"]

log = logging.getLogger("starskope.web")

_MODEL_CACHE: dict[str, Any] = {}


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


def analyse_item(task: dict[str, Any]) -> dict[str, Any]:
    """Analyse one star and build its report (runs in a worker).

    Parameters
    ----------
    task : dict
        ``path`` (file on disk), ``kind`` (``"lightcurve"``/``"table"``), ``row`` (table
        row, 0-based), ``label``, ``paths`` (the files of a star of several, read as one
        light curve; ``source`` then names them for the report), ``model`` (spec for :func:`_model`), ``options``
        (overrides of :func:`starskope.analysis.options_for`, as a dict), ``mission``,
        ``time_format``, ``saliency`` (bool).

    Returns
    -------
    dict
        ``{"ok": True, "summary": {...}, "report_json": str}`` or
        ``{"ok": False, "error": str}``.
    """
    from ..analysis import analyse, collect_warnings, options_for
    from ..errors import StarskopeError
    from ..explain import explain
    from ..report import build_report, to_json

    try:
        model = _model(str(task.get("model", "default")))
        options = options_for(model, task.get("options"), warn=False)
        if task["kind"] == "table":  # the row alone is read (the table's firings once per process)
            analysis = analyse(task["path"], row=int(task["row"]), options=options, model=model,
                               label=task["label"], detail=True)
        else:
            source = list(task.get("paths") or []) or task["path"]
            analysis = analyse(source, options=options, model=model, label=task["label"],
                               mission=task.get("mission") or None, time_format=task.get("time_format") or None,
                               detail=True)
        with collect_warnings():  # the data's repairs are in analysis.warnings already
            ex = explain(analysis, model, saliency=bool(task.get("saliency", True)))
        doc = build_report(ex, source=task.get("source") or task["label"])
        return {"ok": True, "summary": ex.summary(), "report_json": to_json(doc), "label": task["label"]}
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
    executor : str
        A name in :data:`starskope.executors.EXECUTORS`: ``processes`` (default; the
        server stays responsive whatever the analysis does), ``threads`` (tests,
        debugging), ``inline`` (the dispatcher thread itself) or ``dask``.
    workers : int
        Stars analysed at once.
    model : str
        ``"default"`` (the shipped model when there is one), ``"none"`` (vetting rules)
        or a model folder.
    saliency : bool
        Compute the CNN saliency curve for each star.
    scheduler : str, optional
        Address of a ``dask.distributed`` scheduler to run on (with ``executor="dask"``).
    """

    executor: str = "processes"
    workers: int = 1
    model: str = "default"
    saliency: bool = True
    scheduler: str | None = None

    def new_executor(self) -> Executor:
        """A fresh executor of this kind (workers start on its first use).

        Raises
        ------
        UnknownNameError
            ``executor`` is no registered executor.
        ParameterError
            ``workers`` below 1, or a scheduler with an executor other than Dask.
        """
        return executor_for(max(1, int(self.workers)), self.scheduler, kind=self.executor)


#: What a web job makes of each star (a full report), as its result keys say.
REPORT_PRODUCT = "web report"


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
        self._executor: Executor | None = None
        self._stopping = threading.Event()
        self._idle = threading.Event()
        self._idle.set()

    # ------------------------------------------------------------------ lifecycle
    def start(self) -> None:
        """Start the dispatcher and resume unfinished jobs."""
        if self._thread is not None:
            return
        self._executor = self.settings.new_executor()
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
            self._executor.close()
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
            except ExecutorClosedError:
                break  # stopping: the job's unfinished stars resume on the next start
            except Exception:  # never let the dispatcher die
                log.error("job %s failed:\n%s", job_id, traceback.format_exc())
                self.storage.update_job(job_id, status="failed", finished_at=now(),
                                        message="the job runner hit an internal error; see the server log")
            if self._queue.empty():
                self._idle.set()

    def identity(self, options: dict[str, Any]) -> AnalysisIdentity:
        """Options and model of a job's results (``options``: the job's stored options)."""
        return AnalysisIdentity.of(REPORT_PRODUCT, {
            "analysis": options.get("analysis") or {}, "mission": options.get("mission"),
            "time_format": options.get("time_format"), "saliency": bool(self.settings.saliency),
        }, self.settings.model)

    def _task(self, members: list[tuple[JobItem, UploadRecord]], options: dict[str, Any], result_key: str,
              label: str) -> dict[str, Any]:
        item, upload = members[0]
        task = {"key": result_key, "result_key": result_key, "path": str(self.resolve_path(upload)),
                "kind": upload.kind, "row": item.row, "label": label, "model": self.settings.model,
                "options": options.get("analysis") or {}, "mission": options.get("mission"),
                "time_format": options.get("time_format"), "saliency": self.settings.saliency}
        if len(members) > 1:  # one star's files, read as one light curve
            task["paths"] = [str(self.resolve_path(u)) for _, u in members]
            task["source"] = ", ".join(u.original_name for _, u in members)
        return task

    def _stars(self, members: list[tuple[JobItem, UploadRecord]],
               options: dict[str, Any]) -> list[tuple[list[tuple[JobItem, UploadRecord]], str]]:
        """The job's items as stars: each light-curve file with the other files of its star
        (:func:`~starskope.batch.group_by_star`), unless the job asked for ``per_file``;
        table rows alone. Each star comes with its label."""
        from ..batch import BatchItem, group_by_star

        files = {str(self.resolve_path(u)): (it, u) for it, u in members if it.row < 0 and u.kind != "table"}
        stars: dict[str, BatchItem] = {}
        if files and not options.get("per_file"):
            grouped = group_by_star([BatchItem(p) for p in files], mission=options.get("mission"),
                                    time_format=options.get("time_format"))
            stars = {p: star for star in grouped for p in star.files}
        out: list[tuple[list[tuple[JobItem, UploadRecord]], str]] = []
        seen: set[str] = set()
        for it, u in members:
            star = stars.get(str(self.resolve_path(u))) if it.row < 0 and u.kind != "table" else None
            if star is None or len(star.files) == 1:
                out.append(([(it, u)], it.label))
            elif star.key not in seen:  # the star comes where its first file was
                seen.add(star.key)
                out.append(([files[p] for p in star.files], f"{star.target} ({len(star.files)} files)"))
        return out

    def _run(self, job_id: str) -> None:
        st = self.storage
        job = st.get_job(job_id)
        if job is None or job.status in ("done", "failed"):
            return
        items = st.job_items(job_id)
        pending = [it for it in items if it.status not in ("done", "failed")]
        counts = {"done": sum(it.status == "done" for it in items), "failed": sum(it.status == "failed" for it in items)}
        st.update_job(job_id, status="running", started_at=job.started_at or now(), total=len(items),
                      done=counts["done"], failed=counts["failed"], stage=f"analysing {len(pending)} star(s)")
        options = json.loads(job.options or "{}")
        identity = self.identity(options)
        waiting: dict[str, list[JobItem]] = {}  # result key -> the items that want that result
        tasks: list[dict[str, Any]] = []
        members: list[tuple[JobItem, UploadRecord]] = []
        for it in pending:
            upload = st.get_upload(it.upload_id)
            if upload is None:
                self._finish_item(job_id, it, counts, error="its upload is missing")
                continue
            members.append((it, upload))
        for star, label in self._stars(members, options):
            items = [it for it, _ in star]
            key = self._result_key(star, identity)
            known = st.find_star(key)
            if known is not None:  # analysed before, with the same bytes, options and model
                for it in items:
                    self._finish_item(job_id, it, counts, star_id=known.id)
                continue
            if key and key in waiting:  # the same star twice in this job: analysed once
                waiting[key] += items
                continue
            key = key or f"unkeyed:{job_id}:{items[0].position}"
            waiting[key] = items
            tasks.append(self._task(star, options, key, label))
            for it in items:
                st.update_item(job_id, it.position, status="running")
        assert self._executor is not None, "start() the runner first"
        with closing(execute(tasks, analyse_item, self._executor)) as entries:
            for entry in entries:
                self._store_entry(job_id, entry, waiting.pop(entry["key"], []), counts, len(items))
        status_msg = f"{counts['done']} analysed" + (f", {counts['failed']} failed" if counts["failed"] else "")
        st.update_job(job_id, status="done", finished_at=now(), done=counts["done"], failed=counts["failed"],
                      stage="finished", message=status_msg)

    @staticmethod
    def _result_key(star: list[tuple[JobItem, UploadRecord]], identity: AnalysisIdentity) -> str:
        """The result key of a star: its files' bytes (or the table row's), the options
        and the model; empty when an upload's hash is unknown."""
        if not all(_is_sha256(u.sha256) for _, u in star):
            return ""
        if len(star) > 1:
            return identity.result_key(files_content(u.sha256 for _, u in star))
        it, upload = star[0]
        rows = (it.row, it.row + 1) if it.row >= 0 else (None, None)
        return identity.result_key(content_key(upload.sha256, *rows))

    def _store_entry(self, job_id: str, entry: dict[str, Any], items: list[JobItem], counts: dict[str, int],
                     total: int) -> None:
        """Store one finished star (an entry of :func:`~starskope.batch.engine.execute`)."""
        if not items:
            return
        res: dict[str, Any] = {"ok": False, "error": str(entry.get("error") or "failed")}
        if entry.get("status") == "ok":
            res = (entry.get("rows") or [{}])[0]
        first = items[0]
        if res.get("ok"):
            s = dict(res["summary"])
            result_key = str(entry.get("result_key") or "")
            record = StarRecord(id=new_id(), job_id=job_id, upload_id=first.upload_id,
                                label=str(res.get("label") or first.label),
                                result_key="" if result_key.startswith("unkeyed:") else result_key,
                                **{k: v for k, v in s.items() if k in StarRecord.__dataclass_fields__
                                   and k not in ("id", "job_id", "upload_id", "label", "created_at", "result_key")})
            star_id = self.storage.save_star(record, res["report_json"])
            for it in items:
                self._finish_item(job_id, it, counts, star_id=star_id)
        else:
            for it in items:
                self._finish_item(job_id, it, counts, error=str(res.get("error", "failed"))[:2000])
        self.storage.update_job(job_id, done=counts["done"], failed=counts["failed"],
                                stage=f"{counts['done'] + counts['failed']} of {total} analysed; last: {first.label}")

    def _finish_item(self, job_id: str, item: JobItem, counts: dict[str, int], *, star_id: str = "",
                     error: str = "") -> None:
        if error:
            self.storage.update_item(job_id, item.position, status="failed", error=error)
            counts["failed"] += 1
        else:
            self.storage.update_item(job_id, item.position, status="done", star_id=star_id)
            counts["done"] += 1


def _is_sha256(text: str) -> bool:
    return len(text) == 64 and all(ch in "0123456789abcdef" for ch in text.lower())
