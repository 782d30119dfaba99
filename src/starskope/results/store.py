"""The results database: uploads, jobs, results and reports, for the web app and the batch engine.

The web app and ``starskope classify --db`` talk to a :class:`Storage` (a
:class:`typing.Protocol`), never to a database directly. :class:`SQLiteStorage` is the default implementation: one file, versioned
migrations (:data:`MIGRATIONS`, applied in order and recorded in ``schema_version``), WAL
journaling so the page keeps reading while a job writes, one lock around the connection
so worker threads can share it.

Plugging in PostgreSQL
----------------------
Write a class with the methods of :class:`Storage` (the SQL in :data:`MIGRATIONS` is
plain SQL that PostgreSQL accepts, with ``TEXT``/``INTEGER``/``REAL`` columns; use
``%s`` placeholders with psycopg instead of ``?``), register it for the URL scheme with
``STORAGE_BACKENDS.add("postgresql", factory)`` where ``factory(url) -> Storage``, and
start the server with ``--db postgresql://user@host/db``. :func:`open_storage` picks the
backend from the URL scheme; a plain path or ``sqlite:///path`` opens SQLite.

Records are small dataclasses (:class:`UploadRecord`, :class:`JobRecord`,
:class:`JobItem`, :class:`StarRecord`); a star's report is a JSON text stored beside its
row. Everything a finished job produced is in the database, so restarting the server
loses nothing that finished; jobs that were still running are resumed
(:meth:`Storage.unfinished_jobs`).

Results are keyed by content
----------------------------
A star's ``result_key`` (:mod:`starskope.results.keys`) is the hash of its input's bytes
(and table rows), the analysis options and the model. :meth:`Storage.save_star` stores
one star per result key: saving a result whose key is already there replaces that star
and keeps its id. The same file uploaded twice is therefore one star, reached from both
uploads' job items (:meth:`Storage.star_uploads`), and :meth:`Storage.find_star` tells a
job runner that a result exists before it analyses anything.
"""

from __future__ import annotations

import json
import math
import sqlite3
import threading
from collections.abc import Callable, Iterable, Sequence
from dataclasses import asdict, dataclass, field, fields
from datetime import UTC, datetime
from pathlib import Path
from typing import Any, Protocol, runtime_checkable

from ..errors import ParameterError
from ..registry import Registry

__all__ = [
    "BATCH_SOURCE",
    "CLASS_COLUMNS",
    "MIGRATIONS",
    "SORTABLE_COLUMNS",
    "STORAGE_BACKENDS",
    "JobItem",
    "JobRecord",
    "SQLiteStorage",
    "StarQuery",
    "StarRecord",
    "Storage",
    "UploadRecord",
    "now",
    "open_storage",
    "strict_json",
]

#: ``JobRecord.options`` marker of jobs written by ``starskope classify --db``: the batch
#: command fills and finishes them, a web server never runs them.
BATCH_SOURCE = '"source": "starskope classify"'

#: Probability columns of a star, one per class of :data:`starskope.models.labels.CLASSES`.
CLASS_COLUMNS: tuple[str, ...] = (
    "p_planet_transit", "p_eclipsing_binary", "p_other_variable", "p_nothing_significant",
)


def now() -> str:
    """Current UTC time, ISO 8601 with seconds."""
    return datetime.now(UTC).isoformat(timespec="seconds")


# --------------------------------------------------------------------------- records
@dataclass
class UploadRecord:
    """A file the user gave the app (uploaded, or chosen from the data folder).

    Attributes
    ----------
    id : str
        Generated identifier (hex); uploaded files are stored under it, never under
        the name the user gave.
    original_name : str
        The name as the user gave it (display only).
    stored_path : str
        Path of the stored copy relative to the app's file folder (uploads), or
        relative to the data folder (``source == "data-folder"``).
    kind : str
        ``"lightcurve"`` or ``"table"`` (Kaggle layout).
    size_bytes : int
    sha256 : str
    n_stars : int
        Light curves in the file (rows of a table).
    source : str
        ``"upload"`` or ``"data-folder"``.
    detail : str
        What the check found (reader, target, cadences).
    created_at : str
    """

    id: str
    original_name: str
    stored_path: str
    kind: str
    size_bytes: int
    sha256: str
    n_stars: int = 1
    source: str = "upload"
    detail: str = ""
    created_at: str = field(default_factory=now)


@dataclass
class JobRecord:
    """A unit of background work: analyse some stars.

    ``status`` is ``queued``, ``running``, ``done`` (every item finished, some may have
    failed) or ``failed`` (the job itself could not run). ``done`` and ``failed`` count
    items; ``stage`` says what is happening now.
    """

    id: str
    status: str = "queued"
    total: int = 0
    done: int = 0
    failed: int = 0
    stage: str = ""
    message: str = ""
    created_at: str = field(default_factory=now)
    started_at: str = ""
    finished_at: str = ""
    options: str = "{}"


@dataclass
class JobItem:
    """One star of a job: a light-curve file, or one row of a table (``row`` ≥ 0)."""

    job_id: str
    position: int
    upload_id: str
    label: str
    row: int = -1
    status: str = "queued"
    star_id: str = ""
    error: str = ""


@dataclass
class StarRecord:
    """The result for one star, as shown in the results table.

    Probabilities are NaN-free floats or None (no model); ``verdict_source`` says
    whether ``predicted_class`` came from the model or from the vetting rules;
    ``predicted_class`` is the star's one verdict (:mod:`starskope.analysis.verdict`),
    ``verdict_status`` ``confident`` or ``check``, ``model_class`` the model's own
    decision (empty for stars stored before verdicts were reconciled).
    ``result_key`` identifies the result (input content, options, model; empty for
    stars stored before keys existed); ``job_id`` and ``upload_id`` name the job and
    upload that first produced it.
    """

    id: str
    job_id: str
    upload_id: str
    label: str
    target_id: str = ""
    mission: str = ""
    product: str = ""
    predicted_class: str = ""
    verdict_source: str = ""
    p_planet_transit: float | None = None
    p_eclipsing_binary: float | None = None
    p_other_variable: float | None = None
    p_nothing_significant: float | None = None
    period_days: float | None = None
    epoch_bjd: float | None = None
    depth_ppm: float | None = None
    duration_hours: float | None = None
    snr: float | None = None
    planet_radius_earth: float | None = None
    flags: str = ""
    reason: str = ""
    model_version: str = ""
    created_at: str = field(default_factory=now)
    result_key: str = ""
    verdict_status: str = ""
    model_class: str = ""

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)


#: Columns the results table may be sorted on.
SORTABLE_COLUMNS: tuple[str, ...] = tuple(
    f.name for f in fields(StarRecord) if f.name not in ("reason", "result_key")
)


@dataclass(frozen=True)
class StarQuery:
    """Filters and order of a results listing.

    Attributes
    ----------
    predicted_class : str, optional
        Only stars of this class.
    text : str, optional
        Substring of the label, target or flags (case-insensitive).
    flag : str, optional
        Only stars whose flags contain this flag name.
    min_p_planet : float, optional
        Only stars with ``p_planet_transit`` at least this.
    job_id : str, optional
        Only the stars of one job (those it produced, and those its items found
        already analysed).
    sort : str
        One of :data:`SORTABLE_COLUMNS`.
    descending : bool
    limit, offset : int
    """

    predicted_class: str | None = None
    text: str | None = None
    flag: str | None = None
    min_p_planet: float | None = None
    job_id: str | None = None
    sort: str = "created_at"
    descending: bool = True
    limit: int = 1000
    offset: int = 0

    def __post_init__(self) -> None:
        if self.sort not in SORTABLE_COLUMNS:
            raise ParameterError(f"cannot sort by {self.sort!r}; sortable columns: {', '.join(SORTABLE_COLUMNS)}")
        if not 1 <= int(self.limit) <= 100_000:
            raise ParameterError(f"limit must lie in 1..100000; got {self.limit}")
        if int(self.offset) < 0:
            raise ParameterError(f"offset must be >= 0; got {self.offset}")
        if self.min_p_planet is not None and not 0.0 <= float(self.min_p_planet) <= 1.0:
            raise ParameterError(f"min_p_planet must lie in [0, 1]; got {self.min_p_planet}")


# --------------------------------------------------------------------------- protocol
@runtime_checkable
class Storage(Protocol):
    """What the web app needs from a database. Implementations must be thread-safe."""

    url: str

    def schema_version(self) -> int: ...

    def add_upload(self, upload: UploadRecord) -> None: ...

    def get_upload(self, upload_id: str) -> UploadRecord | None: ...

    def list_uploads(self) -> list[UploadRecord]: ...

    def add_job(self, job: JobRecord, items: Sequence[JobItem]) -> None: ...

    def get_job(self, job_id: str) -> JobRecord | None: ...

    def list_jobs(self, limit: int = 100) -> list[JobRecord]: ...

    def update_job(self, job_id: str, **changes: Any) -> None: ...

    def job_items(self, job_id: str) -> list[JobItem]: ...

    def update_item(self, job_id: str, position: int, **changes: Any) -> None: ...

    def unfinished_jobs(self) -> list[JobRecord]: ...

    def save_star(self, star: StarRecord, report_json: str) -> str: ...

    def find_star(self, result_key: str) -> StarRecord | None: ...

    def star_uploads(self, star_id: str) -> list[UploadRecord]: ...

    def get_star(self, star_id: str) -> StarRecord | None: ...

    def get_report(self, star_id: str) -> str | None: ...

    def list_stars(self, query: StarQuery | None = None) -> list[StarRecord]: ...

    def count_stars(self) -> int: ...

    def close(self) -> None: ...


#: Storage backends by URL scheme: ``factory(url) -> Storage``.
STORAGE_BACKENDS: Registry = Registry("storage backend")


def open_storage(url: str | Path) -> Storage:
    """Open the storage named by ``url``.

    Parameters
    ----------
    url : str or Path
        A file path or ``sqlite:///path`` (SQLite, created when missing), or a URL whose
        scheme has a backend in :data:`STORAGE_BACKENDS` (e.g. ``postgresql://...`` once
        such a backend is registered).

    Raises
    ------
    UnknownNameError
        A URL scheme with no registered backend.
    ParameterError
        An SQLite path whose folder cannot be created, or a database written by a newer
        starskope.
    """
    text = str(url)
    if "://" in text:
        scheme = text.split("://", 1)[0].lower()
        return STORAGE_BACKENDS.get(scheme)(text)
    return SQLiteStorage(text)


# --------------------------------------------------------------------------- sqlite
#: Schema migrations, applied in order; entry ``k`` brings the schema to version ``k + 1``.
MIGRATIONS: tuple[str, ...] = (
    """
    CREATE TABLE uploads (
        id TEXT PRIMARY KEY,
        original_name TEXT NOT NULL,
        stored_path TEXT NOT NULL,
        kind TEXT NOT NULL,
        size_bytes INTEGER NOT NULL,
        sha256 TEXT NOT NULL,
        n_stars INTEGER NOT NULL DEFAULT 1,
        source TEXT NOT NULL DEFAULT 'upload',
        detail TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE jobs (
        id TEXT PRIMARY KEY,
        status TEXT NOT NULL,
        total INTEGER NOT NULL DEFAULT 0,
        done INTEGER NOT NULL DEFAULT 0,
        failed INTEGER NOT NULL DEFAULT 0,
        stage TEXT NOT NULL DEFAULT '',
        message TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL,
        started_at TEXT NOT NULL DEFAULT '',
        finished_at TEXT NOT NULL DEFAULT ''
    );
    CREATE TABLE job_items (
        job_id TEXT NOT NULL REFERENCES jobs(id),
        position INTEGER NOT NULL,
        upload_id TEXT NOT NULL REFERENCES uploads(id),
        label TEXT NOT NULL,
        row INTEGER NOT NULL DEFAULT -1,
        status TEXT NOT NULL DEFAULT 'queued',
        star_id TEXT NOT NULL DEFAULT '',
        error TEXT NOT NULL DEFAULT '',
        PRIMARY KEY (job_id, position)
    );
    CREATE TABLE stars (
        id TEXT PRIMARY KEY,
        job_id TEXT NOT NULL,
        upload_id TEXT NOT NULL,
        label TEXT NOT NULL,
        target_id TEXT NOT NULL DEFAULT '',
        mission TEXT NOT NULL DEFAULT '',
        product TEXT NOT NULL DEFAULT '',
        predicted_class TEXT NOT NULL DEFAULT '',
        verdict_source TEXT NOT NULL DEFAULT '',
        p_planet_transit REAL,
        p_eclipsing_binary REAL,
        p_other_variable REAL,
        p_nothing_significant REAL,
        period_days REAL,
        epoch_bjd REAL,
        depth_ppm REAL,
        duration_hours REAL,
        snr REAL,
        planet_radius_earth REAL,
        flags TEXT NOT NULL DEFAULT '',
        reason TEXT NOT NULL DEFAULT '',
        model_version TEXT NOT NULL DEFAULT '',
        created_at TEXT NOT NULL
    );
    CREATE TABLE reports (
        star_id TEXT PRIMARY KEY REFERENCES stars(id),
        json TEXT NOT NULL
    );
    CREATE INDEX stars_job ON stars(job_id);
    CREATE INDEX stars_class ON stars(predicted_class);
    """,
    """
    ALTER TABLE jobs ADD COLUMN options TEXT NOT NULL DEFAULT '{}';
    """,
    # results keyed by content + options + model; older stars keep an empty key, match
    # nothing and are analysed again when asked for
    """
    ALTER TABLE stars ADD COLUMN result_key TEXT NOT NULL DEFAULT '';
    CREATE UNIQUE INDEX stars_result_key ON stars(result_key) WHERE result_key != '';
    CREATE INDEX job_items_star ON job_items(star_id);
    """,
    # one verdict per star: its status (confident / check) and the model's own class
    """
    ALTER TABLE stars ADD COLUMN verdict_status TEXT NOT NULL DEFAULT '';
    ALTER TABLE stars ADD COLUMN model_class TEXT NOT NULL DEFAULT '';
    """,
)


def strict_json(obj: Any) -> str:
    """Strict JSON text of plain data: NumPy scalars and arrays become numbers and lists,
    NaN and infinities become null (a report or a result row as the database stores it)."""
    return json.dumps(_jsonable(obj), allow_nan=False, ensure_ascii=False)


def _jsonable(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {str(k): _jsonable(v) for k, v in obj.items()}
    if isinstance(obj, list | tuple):
        return [_jsonable(v) for v in obj]
    if hasattr(obj, "tolist") and callable(obj.tolist):  # NumPy arrays and scalars
        return _jsonable(obj.tolist())
    if isinstance(obj, float) and not math.isfinite(obj):
        return None
    return obj


def _clean_float(v: Any) -> float | None:
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if f == f and f not in (float("inf"), float("-inf")) else None


class SQLiteStorage:
    """:class:`Storage` in one SQLite file.

    Parameters
    ----------
    path : str or Path
        Database file (``sqlite:///`` prefix allowed; ``:memory:`` for a private
        in-memory database). Its folder is created when missing.
    """

    def __init__(self, path: str | Path) -> None:
        text = str(path)
        if text.startswith("sqlite:///"):
            text = text[len("sqlite:///"):]
        self.path = text
        self.url = f"sqlite:///{text}"
        if text != ":memory:":
            try:
                Path(text).expanduser().resolve().parent.mkdir(parents=True, exist_ok=True)
            except OSError as exc:
                raise ParameterError(f"database {text}: cannot create its folder ({exc})") from None
        self._lock = threading.RLock()
        try:
            self._db = sqlite3.connect(text, check_same_thread=False, isolation_level=None, timeout=30)
        except sqlite3.Error as exc:
            raise ParameterError(f"database {text}: cannot open it ({exc})") from None
        self._db.row_factory = sqlite3.Row
        with self._lock:
            if text != ":memory:":
                self._db.execute("PRAGMA journal_mode=WAL")
            self._db.execute("PRAGMA foreign_keys=ON")
            self._migrate()

    # ---------------------------------------------------------------- schema
    def _migrate(self) -> None:
        self._db.execute("CREATE TABLE IF NOT EXISTS schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)")
        current = self.schema_version()
        if current > len(MIGRATIONS):
            raise ParameterError(
                f"database {self.path}: schema version {current} is newer than this starskope knows "
                f"({len(MIGRATIONS)}); upgrade starskope or use another --db"
            )
        # older databases are brought up to date in place, one recorded migration at a time
        for version in range(current, len(MIGRATIONS)):
            self._db.execute("BEGIN")
            try:
                for statement in MIGRATIONS[version].split(";"):
                    if statement.strip():
                        self._db.execute(statement)
                self._db.execute("INSERT INTO schema_version VALUES (?, ?)", (version + 1, now()))
                self._db.execute("COMMIT")
            except Exception:
                self._db.execute("ROLLBACK")
                raise

    def schema_version(self) -> int:
        """Number of migrations applied."""
        with self._lock:
            row = self._db.execute("SELECT MAX(version) FROM schema_version").fetchone()
        return int(row[0] or 0)

    # ---------------------------------------------------------------- helpers
    def _insert(self, table: str, record: Any) -> None:
        data = asdict(record)
        cols = ", ".join(data)
        marks = ", ".join("?" for _ in data)
        self._db.execute(f"INSERT INTO {table} ({cols}) VALUES ({marks})", tuple(data.values()))

    def _update(self, table: str, where: dict[str, Any], changes: dict[str, Any], allowed: Iterable[str]) -> None:
        allowed = set(allowed)
        bad = set(changes) - allowed
        if bad:
            raise ParameterError(f"cannot update {sorted(bad)} of {table}; updatable: {sorted(allowed)}")
        if not changes:
            return
        sets = ", ".join(f"{k} = ?" for k in changes)
        cond = " AND ".join(f"{k} = ?" for k in where)
        with self._lock:
            self._db.execute(f"UPDATE {table} SET {sets} WHERE {cond}", (*changes.values(), *where.values()))

    @staticmethod
    def _record(cls: Callable[..., Any], row: sqlite3.Row | None) -> Any:
        if row is None:
            return None
        names = {f.name for f in fields(cls)}  # type: ignore[arg-type]
        return cls(**{k: row[k] for k in row.keys() if k in names})

    # ---------------------------------------------------------------- uploads
    def add_upload(self, upload: UploadRecord) -> None:
        with self._lock:
            self._insert("uploads", upload)

    def get_upload(self, upload_id: str) -> UploadRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM uploads WHERE id = ?", (upload_id,)).fetchone()
        return self._record(UploadRecord, row)

    def list_uploads(self) -> list[UploadRecord]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM uploads ORDER BY created_at DESC, rowid DESC").fetchall()
        return [self._record(UploadRecord, r) for r in rows]

    # ---------------------------------------------------------------- jobs
    def add_job(self, job: JobRecord, items: Sequence[JobItem]) -> None:
        with self._lock:
            self._db.execute("BEGIN")
            try:
                self._insert("jobs", job)
                for item in items:
                    self._insert("job_items", item)
                self._db.execute("COMMIT")
            except Exception:
                self._db.execute("ROLLBACK")
                raise

    def get_job(self, job_id: str) -> JobRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM jobs WHERE id = ?", (job_id,)).fetchone()
        return self._record(JobRecord, row)

    def list_jobs(self, limit: int = 100) -> list[JobRecord]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM jobs ORDER BY created_at DESC, rowid DESC LIMIT ?",
                                    (int(limit),)).fetchall()
        return [self._record(JobRecord, r) for r in rows]

    def update_job(self, job_id: str, **changes: Any) -> None:
        self._update("jobs", {"id": job_id}, changes,
                     ("status", "total", "done", "failed", "stage", "message", "started_at", "finished_at"))

    def job_items(self, job_id: str) -> list[JobItem]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM job_items WHERE job_id = ? ORDER BY position", (job_id,)).fetchall()
        return [self._record(JobItem, r) for r in rows]

    def update_item(self, job_id: str, position: int, **changes: Any) -> None:
        self._update("job_items", {"job_id": job_id, "position": int(position)}, changes,
                     ("status", "star_id", "error"))

    def unfinished_jobs(self) -> list[JobRecord]:
        with self._lock:
            rows = self._db.execute("SELECT * FROM jobs WHERE status IN ('queued', 'running') "
                                    "ORDER BY created_at, rowid").fetchall()
        return [self._record(JobRecord, r) for r in rows]

    # ---------------------------------------------------------------- stars
    def save_star(self, star: StarRecord, report_json: str) -> str:
        """Store a star and its report; return the id it is stored under.

        A star with the same id, or with the same non-empty ``result_key``, is replaced;
        in the second case the stored star keeps its id (``star.id`` is set to it).
        """
        for name in (*CLASS_COLUMNS, "period_days", "epoch_bjd", "depth_ppm", "duration_hours", "snr",
                     "planet_radius_earth"):
            setattr(star, name, _clean_float(getattr(star, name)))
        json.loads(report_json)  # refuse to store something that is not JSON
        with self._lock:
            self._db.execute("BEGIN")
            try:
                if star.result_key:
                    row = self._db.execute("SELECT id FROM stars WHERE result_key = ?", (star.result_key,)).fetchone()
                    if row is not None:
                        star.id = str(row[0])
                self._db.execute("DELETE FROM reports WHERE star_id = ?", (star.id,))
                self._db.execute("DELETE FROM stars WHERE id = ?", (star.id,))
                self._insert("stars", star)
                self._db.execute("INSERT INTO reports (star_id, json) VALUES (?, ?)", (star.id, report_json))
                self._db.execute("COMMIT")
            except Exception:
                self._db.execute("ROLLBACK")
                raise
        return star.id

    def find_star(self, result_key: str) -> StarRecord | None:
        """The star stored under a result key, or None (an empty key finds nothing)."""
        if not result_key:
            return None
        with self._lock:
            row = self._db.execute("SELECT * FROM stars WHERE result_key = ?", (result_key,)).fetchone()
        return self._record(StarRecord, row)

    def star_uploads(self, star_id: str) -> list[UploadRecord]:
        """The uploads a star's result was asked for from, oldest first (the upload that
        produced it and every job item that found it done)."""
        with self._lock:
            rows = self._db.execute(
                "SELECT * FROM uploads WHERE id IN (SELECT upload_id FROM job_items WHERE star_id = ? "
                "UNION SELECT upload_id FROM stars WHERE id = ?) ORDER BY created_at, rowid",
                (star_id, star_id)).fetchall()
        return [self._record(UploadRecord, r) for r in rows]

    def get_star(self, star_id: str) -> StarRecord | None:
        with self._lock:
            row = self._db.execute("SELECT * FROM stars WHERE id = ?", (star_id,)).fetchone()
        return self._record(StarRecord, row)

    def get_report(self, star_id: str) -> str | None:
        with self._lock:
            row = self._db.execute("SELECT json FROM reports WHERE star_id = ?", (star_id,)).fetchone()
        return None if row is None else str(row[0])

    def list_stars(self, query: StarQuery | None = None) -> list[StarRecord]:
        q = query or StarQuery()
        cond: list[str] = []
        args: list[Any] = []
        if q.predicted_class:
            cond.append("predicted_class = ?")
            args.append(q.predicted_class)
        if q.text:
            cond.append("(LOWER(label) LIKE ? OR LOWER(target_id) LIKE ? OR LOWER(flags) LIKE ?)")
            like = f"%{q.text.lower()}%"
            args += [like, like, like]
        if q.flag:
            cond.append("(';' || flags || ';') LIKE ?")
            args.append(f"%;{q.flag};%")
        if q.min_p_planet is not None:
            cond.append("p_planet_transit >= ?")
            args.append(float(q.min_p_planet))
        if q.job_id:
            cond.append("(job_id = ? OR id IN (SELECT star_id FROM job_items WHERE job_id = ?))")
            args += [q.job_id, q.job_id]
        where = f"WHERE {' AND '.join(cond)}" if cond else ""
        order = "DESC" if q.descending else "ASC"
        # NULLs last whatever the direction; q.sort is checked against SORTABLE_COLUMNS
        sql = (f"SELECT * FROM stars {where} ORDER BY ({q.sort} IS NULL), {q.sort} {order}, rowid {order} "
               f"LIMIT ? OFFSET ?")
        with self._lock:
            rows = self._db.execute(sql, (*args, int(q.limit), int(q.offset))).fetchall()
        return [self._record(StarRecord, r) for r in rows]

    def count_stars(self) -> int:
        with self._lock:
            return int(self._db.execute("SELECT COUNT(*) FROM stars").fetchone()[0])

    def close(self) -> None:
        with self._lock:
            self._db.close()


STORAGE_BACKENDS.add("sqlite", SQLiteStorage)
