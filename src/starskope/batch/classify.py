"""``starskope classify`` on the batch engine: the worker task and the results-database sink.

:func:`classify_item` runs on a worker: it reads its item (one light-curve file, or a
row range of a Kaggle table) where it runs, cleans, searches, vets, classifies with the
model (loaded once per worker process) and names the star type, and returns one row per
light curve in the columns of :data:`starskope.pipeline.CLASSIFY_COLUMNS`, the
``p_<class>`` columns, ``star_type`` and the ``p_type_<type>`` columns.

:class:`DatabaseSink` stores each finished row in the results database
(:mod:`starskope.results.store`) as it arrives, so ``starskope serve --db`` on the same
file shows a batch while it runs.
"""

from __future__ import annotations

import hashlib
import os
import warnings
from dataclasses import dataclass
from functools import cached_property
from pathlib import Path
from typing import Any

import numpy as np

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
    """The columns of a classify table, in order."""
    from ..models.labels import CLASSES
    from ..pipeline import CLASSIFY_COLUMNS
    from ..startypes import STAR_TYPES

    cols = list(CLASSIFY_COLUMNS)
    at = cols.index("p_planet") + 1
    cols[at:at] = [f"p_{c}" for c in CLASSES]
    return [*cols, "star_type", *[f"p_type_{t}" for t in STAR_TYPES]]


def _error_row(file: str, target: str, message: str) -> dict[str, Any]:
    """A full-width row for a light curve that could not be analysed."""
    row: dict[str, Any] = dict.fromkeys(classify_columns(), float("nan"))
    row.update(file=file, target_id=target, mission="", predicted_class="", star_type="",
               flags=f"error: {message}"[:400])
    return row


def _rows(frame: Any) -> list[dict[str, Any]]:
    """DataFrame rows as dicts of plain Python values (NaN stays NaN)."""
    out = []
    for rec in frame.to_dict(orient="records"):
        out.append({k: (v.item() if isinstance(v, np.generic) else v) for k, v in rec.items()})
    return out


def classify_item(item: BatchItem, *, model_dir: str = "", options: dict[str, Any] | None = None,
                  model: Any = None) -> list[dict[str, Any]]:
    """Classify the light curves of one batch item (runs on a worker).

    Parameters
    ----------
    item : BatchItem
        A light-curve file, or rows ``[row_start, row_stop)`` of a Kaggle-layout table.
    model_dir : str
        Model folder; empty for the shipped default model.
    model : StarskopeClassifier, optional
        A model already in memory (used instead of ``model_dir``; for runs in this process).
    options : dict, optional
        :class:`~starskope.pipeline.AnalysisOptions` as a dict (default: the model's own,
        with star types on). Its ``star_types`` decides whether the ``star_type`` columns
        are filled (off: they stay empty, ~11 ms per light curve saved).

    Returns
    -------
    list of dict
        One row per light curve. A light curve that cannot be analysed gets a row whose
        ``flags`` start with ``error:`` and whose probabilities are empty; the run goes on.
    """
    import dataclasses

    from ..features.dataset import FeatureSet
    from ..models.labels import CLASSES
    from ..pipeline import (
        AnalysisOptions,
        analyze_files,
        analyze_table_rows,
        predictions_table,
        table_file_firing_mask,
    )

    model = model if model is not None else _model(model_dir)
    if options is None:
        options_obj = AnalysisOptions.from_dict((getattr(model, "preprocessing_", {}) or {}).get("analysis"))
        options_obj = dataclasses.replace(options_obj, star_types=True)
    else:
        options_obj = AnalysisOptions.from_dict(options)
    decide = getattr(model, "decide", None) or (lambda pr: np.argmax(pr, axis=1))
    if item.is_table_chunk:
        from ..io.flux_table import read_flux_table_rows

        where = f"rows {item.row_start}-{item.row_stop}"
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                table = read_flux_table_rows(item.path, int(item.row_start or 0), int(item.row_stop or 0))
        except StarskopeError as exc:
            return [_error_row(item.path, where, f"{type(exc).__name__}: {exc}")]
        time = np.asarray(table.time.tdb.jd, float)
        ids = [f"row {table.row_offset + i + 1}" for i in range(table.n_stars)]
        firing = table_file_firing_mask(item.path, options_obj)
        fs: FeatureSet = analyze_table_rows(time, table.flux, options_obj, ids, item.path, False, firing)
    else:
        fs = analyze_files([item.path], options_obj)
    ok = ~np.char.startswith(fs.meta["flags"].astype(str), "error:")
    proba = np.zeros((len(fs), len(CLASSES)))
    if ok.any():
        proba[ok] = model.predict_proba(fs.subset(ok))
    frame = predictions_table(fs, proba, CLASSES, decide(proba))
    frame["file"] = item.path
    if "star_type" not in frame:  # star types switched off: the columns stay, empty
        for column in classify_columns()[classify_columns().index("star_type"):]:
            frame[column] = "" if column == "star_type" else np.nan
    return _rows(frame)


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
                    if name in ("target_id", "mission", "predicted_class", "flags") and value is None:
                        value = ""
                    fields[name] = value
            label = Path(str(row.get("file", ""))).name
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
