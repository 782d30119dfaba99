"""``starskope classify`` on the batch engine: the worker task and the results-database sink.

:func:`classify_item` runs on a worker: it reads its item (one light-curve file, or a
row range of a Kaggle table) where it runs, cleans, searches, vets, classifies with the
model (loaded once per worker process) and names the star type, and returns one row per
light curve: :func:`starskope.analysis.result_row`, the row every entry point gives a
star.

:class:`DatabaseSink` stores each finished row in the results database
(:mod:`starskope.results.store`) as it arrives, so ``starskope serve --db`` on the same
file shows a batch while it runs.
"""

from __future__ import annotations

import hashlib
import os
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

from ..errors import StarskopeError
from ..results.keys import AnalysisIdentity
from .runner import BatchItem

__all__ = ["ClassifyTask", "DatabaseSink", "classify_columns", "classify_item", "classify_task"]

#: Models loaded in this process, by folder ("" = the shipped default model).
_MODELS: dict[str, Any] = {}


def _model(model_dir: str) -> Any:
    if model_dir not in _MODELS:
        from ..models import default_model, load_model

        _MODELS[model_dir] = load_model(model_dir) if model_dir else default_model()
    return _MODELS[model_dir]


def classify_columns() -> list[str]:
    """The columns of a classify table, in order (:func:`starskope.analysis.result_columns`)."""
    from ..analysis import result_columns

    return result_columns()


def _error_row(file: str, target: str, message: str) -> dict[str, Any]:
    from ..analysis import error_row

    return error_row(file, target, message)


def classify_item(item: BatchItem, *, model_dir: str = "", options: dict[str, Any] | None = None,
                  model: Any = None) -> list[dict[str, Any]]:
    """Classify the light curves of one batch item (runs on a worker).

    Parameters
    ----------
    item : BatchItem
        A light-curve file, the files of one star (read as one light curve:
        :func:`starskope.analysis.read_star`), or rows ``[row_start, row_stop)`` of a
        Kaggle-layout table.
    model_dir : str
        Model folder; empty for the shipped default model.
    model : StarskopeClassifier, optional
        A model already in memory (used instead of ``model_dir``; for runs in this process).
    options : dict, optional
        :class:`~starskope.analysis.AnalysisOptions` as a dict, resolved by the caller
        with :func:`~starskope.analysis.options_for` (default: the model's own). Its
        ``star_types`` decides whether the ``star_type`` columns are filled. An entry
        ``"read"`` (``{"mission": "K2", "time_format": "bkjd"}``) says how to read files
        that do not state their telescope or time system; an entry ``"candidates": True``
        vets every candidate of each star knowing the others and adds a ``candidates``
        column (JSON text of :func:`starskope.analysis.candidates.candidate_table_rows`).

    Returns
    -------
    list of dict
        One row per light curve (:func:`starskope.analysis.result_row`; a star's files
        make one). A light curve that cannot be analysed gets a row whose ``flags``
        start with ``error:`` and whose numbers are empty; the run goes on. Of a star's
        files, one that cannot be read is left out with a warning naming it.
    """
    from ..analysis import (
        AnalysisOptions,
        StarAnalysis,
        analyse_files,
        analyse_table_rows,
        classify_analyses,
        options_for,
        result_row,
        table_file_firing_mask,
    )
    from ..analysis.candidates import candidate_table_json
    from ..analysis.core import collect_warnings

    model = model if model is not None else _model(model_dir)
    # "read": how to read files that do not say (mission, time_format); kept in the options
    # dict so that it is part of the results' identity (another --time-format runs again)
    reading: dict[str, Any] = {}
    if options is not None and "read" in options:
        options = dict(options)
        reading = dict(options.pop("read") or {})
    all_candidates = False
    if options is not None and "candidates" in options:
        options = dict(options)
        all_candidates = bool(options.pop("candidates"))
    options_obj = options_for(model, warn=False) if options is None else AnalysisOptions.from_dict(options)
    results: list[Any] = []
    if item.is_table_chunk:
        from ..io.flux_table import read_flux_table_rows

        where = f"rows {int(item.row_start or 0) + 1}-{int(item.row_stop or 0)}"
        try:
            with collect_warnings():
                table = read_flux_table_rows(item.path, int(item.row_start or 0), int(item.row_stop or 0))
        except StarskopeError as exc:
            return [_error_row(item.path, where, f"{type(exc).__name__}: {exc}")]
        ids = [f"row {table.row_offset + i + 1}" for i in range(table.n_stars)]
        with collect_warnings() as notes:
            firing = table_file_firing_mask(item.path, options_obj)
        results = analyse_table_rows(table.time.tdb.jd, table.flux, options=options_obj, ids=ids, file=item.path,
                                     firing=firing, detail=all_candidates)
        for r in results:
            if isinstance(r, StarAnalysis):
                r.warnings[:0] = [m for m in notes if m not in r.warnings]
        targets = ids
    else:
        try:
            results = [analyse_files(list(item.files), options=options_obj,
                                     label="" if item.paths else Path(item.path).name,
                                     mission=reading.get("mission") or item_option(item, "mission"),
                                     time_format=reading.get("time_format") or item_option(item, "time_format"),
                                     detail=all_candidates)]
        except (StarskopeError, OSError, ValueError) as exc:
            results = [exc]
        targets = [item.target]
    done = [r for r in results if isinstance(r, StarAnalysis)]
    if done:
        classify_analyses(done, model)
    rows = []
    for r, target in zip(results, targets, strict=True):
        if isinstance(r, StarAnalysis):
            rows.append(result_row(r))
            if all_candidates:
                rows[-1]["candidates"] = candidate_table_json(r)
        else:
            # the whole message (up to 1000 characters): the advice is at its end
            rows.append(_error_row(";".join(item.files), target, f"{type(r).__name__}: {str(r)[:1000]}"))
    return rows


def item_option(item: BatchItem, name: str) -> str | None:
    """A reading option carried by a batch item (``mission``, ``time_format``), if any."""
    return getattr(item, name, None) or None


class ClassifyTask:
    """The picklable function ``item -> rows`` of a classify run, and what its results depend on.

    Parameters
    ----------
    model_dir : str
        Model folder; empty for the shipped default model.
    options : dict, optional
        Analysis options as a dict (None: the model's own).
    model : StarskopeClassifier, optional
        A model in memory, for runs in this process only (workers of other processes
        load ``model_dir``).
    """

    def __init__(self, model_dir: str = "", options: dict[str, Any] | None = None, model: Any = None) -> None:
        self.model_dir = str(model_dir or "")
        self.options = None if options is None else dict(options)
        self.model = model

    def __call__(self, item: BatchItem) -> list[dict[str, Any]]:
        return classify_item(item, model_dir=self.model_dir, options=self.options, model=self.model)

    @cached_property
    def identity(self) -> AnalysisIdentity:
        """Options and model of the run (:mod:`starskope.results.keys`), for its result keys.

        A model given in memory without a folder is known only to this process: its
        results are keyed by the object, so they match nothing in another run.
        """
        if self.model is not None and not self.model_dir:
            return AnalysisIdentity(options=AnalysisIdentity.options_of("classify", self.options),
                                    model=f"in-memory:{id(self.model):x}")
        return AnalysisIdentity.of("classify", self.options, self.model_dir or None)

    def __getstate__(self) -> dict[str, Any]:
        state = dict(self.__dict__)
        state.pop("identity", None)  # the client's business, not the workers'
        return state

    def __repr__(self) -> str:
        return f"ClassifyTask(model_dir={self.model_dir!r}, options={self.options!r})"


def classify_task(model_dir: str | os.PathLike[str] | None, options: dict[str, Any] | None, *,
                  model: Any = None) -> ClassifyTask:
    """The picklable function ``item -> rows`` that :func:`~starskope.batch.run_batch` sends to
    workers (``model``: a model in memory, for runs in this process only). Its ``identity``
    keys the run's results by options and model."""
    return ClassifyTask(str(model_dir or ""), options, model)


@dataclass
class DatabaseSink:
    """Stores classify rows in the results database as they arrive.

    One job (its id derived from the output table's path, so a resumed run adds to the
    same job) holds the batch. Each light curve becomes a star keyed by its entry's
    result key (content, options, model) and its target: the same result stored twice
    (a resumed run) replaces itself, while a changed file, options or model is a new star.

    Parameters
    ----------
    url : str or Path
        SQLite file (or storage URL) as given to ``starskope serve --db``.
    out : Path
        The batch's output table (names the job).
    model_version : str
    """

    url: str | Path
    out: Path
    model_version: str = ""

    def __post_init__(self) -> None:
        from ..results.store import BATCH_SOURCE, JobRecord, open_storage

        self._store = open_storage(self.url)
        self.job_id = "batch-" + hashlib.sha256(str(Path(self.out).resolve()).encode()).hexdigest()[:24]
        if self._store.get_job(self.job_id) is None:
            self._store.add_job(JobRecord(id=self.job_id, status="running", stage="starskope classify",
                                          options="{" + BATCH_SOURCE + "}"), [])
        else:
            self._store.update_job(self.job_id, status="running")
        self.n_saved = 0

    def __call__(self, entry: dict[str, Any]) -> None:
        """Store the rows of one journal entry (see :func:`~starskope.batch.run_batch`)."""
        from ..results.store import StarRecord, strict_json

        rows = entry.get("rows") or []
        if entry.get("status") != "ok":
            rows = [_error_row(entry.get("key", ""), "", str(entry.get("error", "")))]
        for row in rows:
            identity = f"{entry.get('result_key') or entry.get('key', '')}#{row.get('target_id', '')}"
            result_key = hashlib.sha256(identity.encode()).hexdigest()
            fields: dict[str, Any] = {}
            for name in StarRecord.__dataclass_fields__:
                if name in row and name not in ("id", "job_id", "upload_id", "label", "created_at", "result_key"):
                    value = row[name]
                    if isinstance(value, float) and value != value:
                        value = None
                    if name in ("target_id", "mission", "predicted_class", "flags", "verdict_status",
                                "model_class") and value is None:
                        value = ""
                    fields[name] = value
            fields["reason"] = str(row.get("verdict_reason") or "")
            files = [f for f in str(row.get("file", "")).split(";") if f]
            label = Path(files[0]).name if len(files) == 1 else f"{row.get('target_id', '')} ({len(files)} files)"
            if str(row.get("target_id", "")).startswith("row "):
                label += f" {row['target_id']}"
            record = StarRecord(id=result_key[:32], job_id=self.job_id, upload_id="", label=label,
                                verdict_source="model" if row.get("predicted_class") else "",
                                model_version=self.model_version, result_key=result_key, **fields)
            self._store.save_star(record, strict_json({"kind": "batch-row", "title": label, "row": row}))
            self.n_saved += 1

    def close(self, *, interrupted: bool = False) -> None:
        from ..results.store import now

        if interrupted:
            self._store.update_job(self.job_id, status="done", finished_at=now(), done=self.n_saved,
                                   stage="interrupted", message="interrupted; re-run the same command to resume")
        else:
            self._store.update_job(self.job_id, status="done", finished_at=now(), stage="finished",
                                   done=self.n_saved, total=self.n_saved)
        self._store.close()
