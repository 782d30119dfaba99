"""The starskope web app: upload light curves, watch them being analysed, read the reports.

:func:`create_app` builds a FastAPI application from :class:`WebSettings`. Pages:

=================================  ==========================================================
``GET /``                          upload form, data-folder picker, jobs, results table
``GET /stars/{id}``                the star's interactive report
=================================  ==========================================================

REST API (OpenAPI schema at ``/openapi.json``, interactive docs at ``/docs``):

=================================  ==========================================================
``GET  /api/health``               version, model, storage, counts
``POST /api/jobs``                 upload light-curve files or Kaggle tables (multipart)
``POST /api/jobs/from-folder``     analyse files chosen from the data folder (JSON)
``GET  /api/jobs``                 recent jobs
``GET  /api/jobs/{id}``            a job's progress and its stars
``GET  /api/stars``                results, filtered and sorted
``GET  /api/stars.csv``            the same as CSV
``GET  /api/stars/{id}``           one star's result and reason
``GET  /api/stars/{id}/report``    its report document (JSON)
``GET  /api/stars/{id}/report.html``  its report as one offline HTML file
``GET  /api/uploads``              uploaded files (metadata)
``GET  /api/data-files``           the data folder's light-curve files
=================================  ==========================================================

Every asset, Plotly.js included, is served by the app itself (Plotly from the installed
``plotly`` package); the pages load nothing from the network.
"""

import csv
import io
import json
import math
import shutil
from contextlib import asynccontextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any, Literal

from fastapi import FastAPI, File, Form, HTTPException, Query, Request, UploadFile
from fastapi.responses import FileResponse, HTMLResponse, JSONResponse, Response
from fastapi.staticfiles import StaticFiles
from pydantic import BaseModel, Field

from .. import __version__
from ..errors import ParameterError, StarskopeError
from ..results.store import (
    CLASS_COLUMNS,
    SORTABLE_COLUMNS,
    JobItem,
    JobRecord,
    StarQuery,
    Storage,
    UploadRecord,
    open_storage,
)
from .jobs import JobRunner, RunnerSettings
from .uploads import (
    LIGHT_CURVE_SUFFIXES,
    UploadRejected,
    check_file,
    check_name,
    copy_limited,
    new_id,
    remove_tree,
    resolve_data_path,
    safe_stored_name,
)

__all__ = ["MAX_FILES_PER_REQUEST", "WebSettings", "create_app"]

#: Most files one upload request may carry.
MAX_FILES_PER_REQUEST = 200

_HERE = Path(__file__).resolve().parent
_MISSIONS = ("Kepler", "K2", "TESS")
_TIME_FORMATS = ("bkjd", "btjd", "bjd", "jd", "mjd")


@dataclass
class WebSettings:
    """Configuration of the web app.

    Attributes
    ----------
    db : str
        Storage URL or SQLite path (``starskope.db``).
    files_dir : Path or None
        Where uploaded files are kept (default: ``<db name>-files`` beside the database).
    data_dir : Path or None
        Folder users may pick files from (None: no picker).
    max_upload_mb : float
        Largest request body (all files together), MiB (2^20 bytes).
    runner : RunnerSettings
        Executor, workers and model of the background jobs.
    analysis : dict
        Overrides of :func:`starskope.analysis.options_for` (default none: the model's
        own settings, so a star gets the same numbers here as in ``starskope classify``).
    """

    db: str = "starskope.db"
    files_dir: Path | None = None
    data_dir: Path | None = None
    max_upload_mb: float = 200.0
    runner: RunnerSettings = field(default_factory=RunnerSettings)
    analysis: dict[str, Any] = field(default_factory=dict)

    def resolved_files_dir(self) -> Path:
        if self.files_dir is not None:
            return Path(self.files_dir)
        if "://" in self.db and not self.db.startswith("sqlite:///"):
            return Path("starskope-files")
        path = Path(self.db.removeprefix("sqlite:///"))
        return path.with_name(path.name + "-files") if str(path) != ":memory:" else Path("starskope-files")


class HealthOut(BaseModel):
    """Server status."""

    status: str
    version: str
    model: str
    storage: str
    schema_version: int
    stars: int
    data_folder: bool
    max_upload_mb: float


class UploadOut(BaseModel):
    """A file given to the app (stored under its generated id)."""

    id: str
    original_name: str
    kind: str
    size_bytes: int
    sha256: str
    n_stars: int
    source: str
    detail: str
    created_at: str


class JobItemOut(BaseModel):
    """One star of a job."""

    position: int
    label: str
    upload_id: str
    row: int
    status: str
    star_id: str
    error: str


class JobOut(BaseModel):
    """A background job and its progress."""

    id: str
    status: str = Field(description="queued, running, done or failed")
    total: int
    done: int
    failed: int
    progress: float = Field(description="fraction of stars finished (done or failed)")
    stage: str
    message: str
    created_at: str
    started_at: str
    finished_at: str
    items: list[JobItemOut] | None = None
    uploads: list[UploadOut] | None = None


class StarOut(BaseModel):
    """One star's result."""

    id: str
    job_id: str
    upload_id: str
    label: str
    target_id: str
    mission: str
    product: str
    predicted_class: str
    verdict_status: str = Field("", description="confident, or check: the evidence disagrees (see reason)")
    model_class: str = Field("", description="the model's own decision, when it differs from the verdict")
    verdict_source: str
    p_planet_transit: float | None
    p_eclipsing_binary: float | None
    p_other_variable: float | None
    p_nothing_significant: float | None
    period_days: float | None
    epoch_bjd: float | None
    depth_ppm: float | None
    duration_hours: float | None
    snr: float | None
    planet_radius_earth: float | None
    flags: str
    reason: str
    model_version: str
    created_at: str
    result_key: str = Field(description="SHA-256 of the input's bytes (and table row), the analysis options and "
                                        "the model: one star per result (empty for results stored before keys)")
    report_url: str
    page_url: str


class FolderRequest(BaseModel):
    """Files to analyse from the data folder."""

    paths: list[str] = Field(description="file paths relative to the data folder", min_length=1,
                             max_length=MAX_FILES_PER_REQUEST)
    mission: Literal["Kepler", "K2", "TESS"] | None = None
    time_format: Literal["bkjd", "btjd", "bjd", "jd", "mjd"] | None = None
    per_file: bool = Field(False, description="analyse each file alone; by default the files of one star (same "
                                              "target id) are stitched and analysed as one star")


class DataEntry(BaseModel):
    """A folder or light-curve file in the data folder."""

    name: str
    path: str
    kind: Literal["dir", "file"]
    size_bytes: int | None = None


class DataListing(BaseModel):
    """The content of one folder of the data folder."""

    path: str
    parent: str | None
    entries: list[DataEntry]


def _finite(x: Any) -> Any:
    return None if isinstance(x, float) and not math.isfinite(x) else x


@dataclass
class _Context:
    """What the route groups share: the settings, storage, job runner, folders and pages."""

    settings: WebSettings
    store: Storage
    runner: JobRunner
    data_dir: Path | None
    uploads_dir: Path
    incoming_dir: Path
    limit_bytes: int
    env: Any

    def job_out(self, job: JobRecord, *, with_items: bool = True) -> dict[str, Any]:
        d = dict(job.__dict__)
        d.pop("options", None)
        d["progress"] = (job.done + job.failed) / job.total if job.total else 0.0
        if with_items:
            items = self.store.job_items(job.id)
            d["items"] = [{k: v for k, v in it.__dict__.items() if k != "job_id"} for it in items]
            ups = {it.upload_id for it in items}
            d["uploads"] = [self.upload_out(u) for u in (self.store.get_upload(i) for i in sorted(ups))
                            if u is not None]
        return d

    @staticmethod
    def upload_out(u: UploadRecord) -> dict[str, Any]:
        d = dict(u.__dict__)
        d.pop("stored_path", None)
        return d

    @staticmethod
    def star_out(s: Any) -> dict[str, Any]:
        d = {k: _finite(v) for k, v in s.as_dict().items()}
        d["report_url"] = f"/api/stars/{s.id}/report"
        d["page_url"] = f"/stars/{s.id}"
        return d

    def get_star_or_404(self, star_id: str) -> Any:
        s = self.store.get_star(star_id)
        if s is None:
            raise HTTPException(404, f"no star with id {star_id!r}")
        return s

    def make_job(self, uploads: list[UploadRecord], options: dict[str, Any]) -> JobRecord:
        job = JobRecord(id=new_id(), options=json.dumps(options))
        items: list[JobItem] = []
        for u in uploads:
            if u.kind == "table":
                for r in range(u.n_stars):
                    items.append(JobItem(job_id=job.id, position=len(items), upload_id=u.id,
                                         label=f"row {r + 1} of {u.original_name}", row=r))
            else:
                items.append(JobItem(job_id=job.id, position=len(items), upload_id=u.id, label=u.original_name))
        job.total = len(items)
        job.stage = "queued"
        for u in uploads:
            self.store.add_upload(u)
        self.store.add_job(job, items)
        self.runner.submit(job.id)
        return job

    @staticmethod
    def star_query(predicted_class: str | None, q: str | None, flag: str | None, min_p_planet: float | None,
                   job_id: str | None, sort: str, order: str, limit: int, offset: int) -> StarQuery:
        try:
            return StarQuery(predicted_class=predicted_class or None, text=q or None, flag=flag or None,
                             min_p_planet=min_p_planet, job_id=job_id or None, sort=sort,
                             descending=(order == "desc"), limit=limit, offset=offset)
        except ParameterError as exc:
            raise HTTPException(400, str(exc)) from None

    def page(self, template: str, **context: Any) -> HTMLResponse:
        html = self.env.get_template(template).render(version=__version__, **context)
        return HTMLResponse(html)


def create_app(settings: WebSettings | None = None, *, storage: Storage | None = None) -> Any:
    """Build the FastAPI application.

    Parameters
    ----------
    settings : WebSettings, optional
    storage : Storage, optional
        An open storage (default: :func:`~starskope.results.store.open_storage` of
        ``settings.db``).

    Returns
    -------
    fastapi.FastAPI
        With ``app.state.storage``, ``app.state.runner`` and ``app.state.settings``.
        The job runner starts with the app (lifespan) and stops with it.
    """
    from ..report.html import template_environment

    settings = settings or WebSettings()
    data_dir = Path(settings.data_dir).resolve() if settings.data_dir is not None else None
    if data_dir is not None and not data_dir.is_dir():
        raise ParameterError(f"--data-dir {settings.data_dir}: not a folder")
    limit_bytes = int(float(settings.max_upload_mb) * 2**20)
    if limit_bytes <= 0:
        raise ParameterError(f"max_upload_mb must be positive; got {settings.max_upload_mb}")
    settings.runner.new_executor().close()  # an unknown executor name fails here, listing the known ones
    store = storage or open_storage(settings.db)
    files_dir = settings.resolved_files_dir()
    uploads_dir = files_dir / "uploads"
    incoming_dir = files_dir / "incoming"
    for d in (uploads_dir, incoming_dir):
        d.mkdir(parents=True, exist_ok=True)
    for leftover in incoming_dir.iterdir():  # half-received uploads of a previous run
        remove_tree(leftover)

    def upload_path(upload: UploadRecord) -> Path:
        if upload.source == "data-folder":
            if data_dir is None:
                raise UploadRejected(404, "the data folder is no longer configured")
            return resolve_data_path(data_dir, upload.stored_path)
        return uploads_dir / upload.stored_path

    runner = JobRunner(store, upload_path, settings.runner)

    @asynccontextmanager
    async def lifespan(app: Any):
        runner.start()
        try:
            yield
        finally:
            runner.stop()

    app = FastAPI(
        title="starskope",
        version=__version__,
        description=("Upload Kepler, K2 and TESS light curves (or Kaggle-layout tables) and get each star's "
                     "verdict — planet transit, eclipsing binary, variable, nothing significant — with "
                     "probabilities, the evidence, derived parameters in physical units and a full report."),
        lifespan=lifespan,
        docs_url=None,  # Swagger UI and ReDoc load their scripts from a CDN: the schema is at /openapi.json
        redoc_url=None,
    )
    app.state.storage = store
    app.state.runner = runner
    app.state.settings = settings
    ctx = _Context(settings=settings, store=store, runner=runner, data_dir=data_dir, uploads_dir=uploads_dir,
                   incoming_dir=incoming_dir, limit_bytes=limit_bytes,
                   env=template_environment([_HERE / "templates"]))
    # registered in this order: the static mount must come after the Plotly route it would shadow
    _guards(app, ctx)
    _job_routes(app, ctx)
    _star_routes(app, ctx)
    _file_routes(app, ctx)
    _page_routes(app, ctx)
    return app


def _guards(app: Any, ctx: _Context) -> None:
    """The request-size limit and the error replies."""
    settings, limit_bytes = ctx.settings, ctx.limit_bytes

    @app.middleware("http")
    async def limit_body(request: Request, call_next: Any) -> Any:
        length = request.headers.get("content-length")
        if request.method == "POST" and length is not None:
            try:
                n = int(length)
            except ValueError:
                return JSONResponse({"detail": "invalid Content-Length header"}, status_code=400)
            if n > limit_bytes + 2**20:  # the files plus room for the multipart headers
                return JSONResponse({"detail": f"request of {n / 2**20:.3g} MiB is larger than the upload limit "
                                               f"of {settings.max_upload_mb:g} MiB (--max-upload-mb)"},
                                    status_code=413)
        return await call_next(request)

    @app.exception_handler(UploadRejected)
    async def rejected(request: Request, exc: UploadRejected) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=exc.status)

    @app.exception_handler(StarskopeError)
    async def starskope_error(request: Request, exc: StarskopeError) -> JSONResponse:
        return JSONResponse({"detail": str(exc)}, status_code=400)


def _job_routes(app: Any, ctx: _Context) -> None:
    """``/api/health`` and the jobs: upload, pick from the data folder, list, follow."""
    settings, store, data_dir = ctx.settings, ctx.store, ctx.data_dir

    @app.get("/api/health", response_model=HealthOut, tags=["service"])
    def health() -> dict[str, Any]:
        """Version, model and storage of this server."""
        return {"status": "ok", "version": __version__, "model": settings.runner.model, "storage": store.url,
                "schema_version": store.schema_version(), "stars": store.count_stars(),
                "data_folder": data_dir is not None, "max_upload_mb": float(settings.max_upload_mb)}

    @app.post("/api/jobs", response_model=JobOut, status_code=202, tags=["jobs"])
    def submit_files(
        files: list[UploadFile] = File(..., description="light-curve files (FITS, CSV/TXT, NPZ) or Kaggle-layout tables"),
        mission: str | None = Form(None, description="telescope of files that do not say (Kepler, K2, TESS)"),
        time_format: str | None = Form(None, description="time system of text files that do not say"),
        per_file: bool = Form(False, description="analyse each file alone; by default the files of one star "
                                                 "(same target id) are stitched and analysed as one star"),
    ) -> dict[str, Any]:
        """Upload files and start analysing them. Every file is checked first; if any is
        refused, nothing is stored and the reply says which file and why. Files of one
        star become one star (its light curves stitched), unless ``per_file``."""
        if mission and mission not in _MISSIONS:
            raise HTTPException(400, f"mission must be one of {', '.join(_MISSIONS)}; got {mission!r}")
        if time_format and time_format not in _TIME_FORMATS:
            raise HTTPException(400, f"time_format must be one of {', '.join(_TIME_FORMATS)}; got {time_format!r}")
        if not files:
            raise HTTPException(400, "no files in the request")
        if len(files) > MAX_FILES_PER_REQUEST:
            raise HTTPException(400, f"{len(files)} files in one request; at most {MAX_FILES_PER_REQUEST}")
        accepted = _receive(ctx, files, mission=mission, time_format=time_format)
        job = ctx.make_job(accepted, {"analysis": settings.analysis, "mission": mission, "time_format": time_format,
                                      **({"per_file": True} if per_file else {})})
        return ctx.job_out(store.get_job(job.id) or job)

    @app.post("/api/jobs/from-folder", response_model=JobOut, status_code=202, tags=["jobs"])
    def submit_folder(request: FolderRequest) -> dict[str, Any]:
        """Analyse files chosen from the configured data folder (paths relative to it)."""
        import hashlib

        uploads = []
        for rel in request.paths:
            path = resolve_data_path(data_dir, rel)
            checked = check_file(path, rel, mission=request.mission, time_format=request.time_format)
            h = hashlib.sha256()
            with open(path, "rb") as fh:
                while block := fh.read(1 << 20):
                    h.update(block)
            rel_norm = path.relative_to(data_dir).as_posix()  # type: ignore[arg-type]
            uploads.append(UploadRecord(id=new_id(), original_name=rel_norm, stored_path=rel_norm, kind=checked.kind,
                                        size_bytes=path.stat().st_size, sha256=h.hexdigest(),
                                        n_stars=checked.n_stars, source="data-folder", detail=checked.detail))
        job = ctx.make_job(uploads, {"analysis": settings.analysis, "mission": request.mission,
                                     "time_format": request.time_format,
                                     **({"per_file": True} if request.per_file else {})})
        return ctx.job_out(store.get_job(job.id) or job)

    @app.get("/api/jobs", response_model=list[JobOut], tags=["jobs"])
    def list_jobs(limit: int = Query(50, ge=1, le=1000)) -> list[dict[str, Any]]:
        """Recent jobs, newest first (without their items)."""
        return [ctx.job_out(j, with_items=False) for j in store.list_jobs(limit)]

    @app.get("/api/jobs/{job_id}", response_model=JobOut, tags=["jobs"])
    def get_job(job_id: str) -> dict[str, Any]:
        """A job's progress, its stars (with their ids once analysed) and its files."""
        job = store.get_job(job_id)
        if job is None:
            raise HTTPException(404, f"no job with id {job_id!r}")
        return ctx.job_out(job)


def _receive(ctx: _Context, files: list[UploadFile], *, mission: str | None,
             time_format: str | None) -> list[UploadRecord]:
    """Check and store uploaded files: all of them, or none (the first refusal is raised)."""
    staging = ctx.incoming_dir / new_id()
    staging.mkdir(parents=True)
    accepted: list[tuple[UploadRecord, Path]] = []
    try:
        total = 0
        for f in files:
            name = check_name(f.filename)
            upload_id = new_id()
            stored = safe_stored_name(name)
            (staging / upload_id).mkdir()
            dest = staging / upload_id / stored
            n, sha = copy_limited(f.file, dest, ctx.limit_bytes - total, name)
            total += n
            checked = check_file(dest, name, mission=mission, time_format=time_format, limit_bytes=ctx.limit_bytes)
            accepted.append((UploadRecord(id=upload_id, original_name=name, stored_path=f"{upload_id}/{stored}",
                                          kind=checked.kind, size_bytes=n, sha256=sha, n_stars=checked.n_stars,
                                          detail=checked.detail), staging / upload_id))
        for rec, folder in accepted:
            shutil.move(str(folder), str(ctx.uploads_dir / rec.id))
    finally:
        remove_tree(staging)
    return [rec for rec, _ in accepted]


def _star_routes(app: Any, ctx: _Context) -> None:
    """The results: listed, as CSV, one star, its report document and its offline page."""
    from ..report import render_html

    store = ctx.store
    sort_pattern = "^(" + "|".join(SORTABLE_COLUMNS) + ")$"

    @app.get("/api/stars", response_model=list[StarOut], tags=["stars"])
    def list_stars(
        predicted_class: str | None = Query(None, description="only this class"),
        q: str | None = Query(None, description="text in the file name, target or flags"),
        flag: str | None = Query(None, description="only stars with this vetting flag"),
        min_p_planet: float | None = Query(None, ge=0, le=1),
        job_id: str | None = None,
        sort: str = Query("created_at", pattern=sort_pattern),
        order: Literal["asc", "desc"] = "desc",
        limit: int = Query(1000, ge=1, le=100_000),
        offset: int = Query(0, ge=0),
    ) -> list[dict[str, Any]]:
        """Results, filtered and sorted."""
        query = ctx.star_query(predicted_class, q, flag, min_p_planet, job_id, sort, order, limit, offset)
        return [ctx.star_out(s) for s in store.list_stars(query)]

    @app.get("/api/stars.csv", tags=["stars"], response_class=Response,
             responses={200: {"content": {"text/csv": {}}, "description": "the results as CSV"}})
    def stars_csv(
        predicted_class: str | None = None, q: str | None = None, flag: str | None = None,
        min_p_planet: float | None = Query(None, ge=0, le=1), job_id: str | None = None,
        sort: str = Query("created_at", pattern=sort_pattern), order: Literal["asc", "desc"] = "desc",
        limit: int = Query(100_000, ge=1, le=100_000), offset: int = Query(0, ge=0),
    ) -> Response:
        """The filtered results as a CSV file (one row per star)."""
        query = ctx.star_query(predicted_class, q, flag, min_p_planet, job_id, sort, order, limit, offset)
        return Response(_stars_csv_text(store.list_stars(query)), media_type="text/csv",
                        headers={"Content-Disposition": 'attachment; filename="starskope-results.csv"'})

    @app.get("/api/stars/{star_id}", response_model=StarOut, tags=["stars"])
    def get_star(star_id: str) -> dict[str, Any]:
        """One star's result and the reason for its verdict."""
        return ctx.star_out(ctx.get_star_or_404(star_id))

    @app.get("/api/stars/{star_id}/report", tags=["stars"],
             responses={200: {"content": {"application/json": {}}, "description": "the report document"}})
    def get_report(star_id: str) -> Response:
        """The star's report document: verdict, evidence, parameters, provenance, figures."""
        ctx.get_star_or_404(star_id)
        text = store.get_report(star_id)
        if text is None:
            raise HTTPException(404, f"star {star_id!r} has no report")
        return Response(text, media_type="application/json")

    @app.get("/api/stars/{star_id}/report.html", tags=["stars"], response_class=HTMLResponse)
    def get_report_html(star_id: str, download: bool = True) -> HTMLResponse:
        """The star's report as one self-contained HTML file (Plotly inlined; works offline)."""
        s = ctx.get_star_or_404(star_id)
        text = store.get_report(star_id)
        if text is None:
            raise HTTPException(404, f"star {star_id!r} has no report")
        doc = json.loads(text)
        if doc.get("kind") == "batch-row":
            raise HTTPException(404, f"star {star_id!r} was classified in a batch run and has no full report; "
                                     "make one with 'starskope report FILE'")
        headers = {}
        if download:
            stem = "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in (s.target_id or s.label))[:80] or "star"
            headers["Content-Disposition"] = f'attachment; filename="{stem}.html"'
        return HTMLResponse(render_html(doc, plotly="inline"), headers=headers)


def _stars_csv_text(stars: Any) -> str:
    """The results as CSV text (epochs to the microday, other floats to 6 digits)."""
    cols = ["id", "label", "target_id", "mission", "product", "predicted_class", "verdict_status", "model_class",
            "verdict_source",
            *CLASS_COLUMNS, "period_days", "epoch_bjd", "depth_ppm", "duration_hours", "snr",
            "planet_radius_earth", "flags", "model_version", "created_at", "reason"]
    buf = io.StringIO()
    w = csv.writer(buf)
    w.writerow(cols)
    for s in stars:
        d = s.as_dict()
        row = []
        for c in cols:
            v = d.get(c)
            if v is None:
                row.append("")
            elif c == "epoch_bjd":
                row.append(f"{v:.6f}")
            elif isinstance(v, float):
                row.append(f"{v:.6g}")
            else:
                row.append(v)
        w.writerow(row)
    return buf.getvalue()


def _file_routes(app: Any, ctx: _Context) -> None:
    """The files given to the app, and the data folder's light curves."""
    store, data_dir = ctx.store, ctx.data_dir

    @app.get("/api/uploads", response_model=list[UploadOut], tags=["files"])
    def list_uploads() -> list[dict[str, Any]]:
        """Files given to the app (names as given; they are stored under generated ids)."""
        return [ctx.upload_out(u) for u in store.list_uploads()]

    @app.get("/api/data-files", response_model=DataListing, tags=["files"])
    def data_files(path: str = Query("", description="folder relative to the data folder")) -> dict[str, Any]:
        """Folders and light-curve files in the data folder (or one of its sub-folders)."""
        folder = resolve_data_path(data_dir, path, want="dir")
        root = data_dir
        assert root is not None
        entries: list[dict[str, Any]] = []
        for p in sorted(folder.iterdir(), key=lambda q: (not q.is_dir(), q.name.lower())):
            if p.name.startswith("."):
                continue
            try:
                real = p.resolve()
            except OSError:
                continue
            if real != root and root not in real.parents:
                continue  # a link out of the data folder is not listed
            rel = p.relative_to(root).as_posix()
            if p.is_dir():
                entries.append({"name": p.name, "path": rel, "kind": "dir"})
            elif p.name.lower().endswith(LIGHT_CURVE_SUFFIXES):
                entries.append({"name": p.name, "path": rel, "kind": "file", "size_bytes": p.stat().st_size})
        rel_folder = "" if folder == root else folder.relative_to(root).as_posix()
        parent = None if folder == root else ("" if folder.parent == root else folder.parent.relative_to(root).as_posix())
        return {"path": rel_folder, "parent": parent, "entries": entries}


def _page_routes(app: Any, ctx: _Context) -> None:
    """The pages and their assets (Plotly.js from the installed plotly package)."""
    from ..report import PLOTLY_JS_NAME, plotly_js_path

    settings, store, env = ctx.settings, ctx.store, ctx.env

    @app.get(f"/static/{PLOTLY_JS_NAME}", include_in_schema=False)
    def plotly_js() -> FileResponse:
        return FileResponse(plotly_js_path(), media_type="application/javascript",
                            headers={"Cache-Control": "public, max-age=86400"})

    app.mount("/static", StaticFiles(directory=str(_HERE / "static")), name="static")

    @app.get("/", response_class=HTMLResponse, include_in_schema=False)
    def index() -> HTMLResponse:
        classes = ["planet_transit", "eclipsing_binary", "other_variable", "nothing_significant"]
        return ctx.page("web_index.html", data_folder=ctx.data_dir is not None, max_upload_mb=settings.max_upload_mb,
                        classes=classes, suffixes=", ".join(LIGHT_CURVE_SUFFIXES), missions=_MISSIONS,
                        time_formats=_TIME_FORMATS, model=settings.runner.model)

    @app.get("/stars/{star_id}", response_class=HTMLResponse, include_in_schema=False)
    def star_page(star_id: str) -> HTMLResponse:
        s = store.get_star(star_id)
        text = store.get_report(star_id) if s is not None else None
        if s is None or text is None:
            return HTMLResponse(env.get_template("web_missing.html").render(version=__version__, star_id=star_id),
                                status_code=404)
        doc = json.loads(text)
        if doc.get("kind") == "batch-row":  # a row stored by `starskope classify --db`
            row = dict(doc.get("row") or {})
            cell = row.pop("candidates", None)  # `--all-candidates`: JSON rows, shown as a table
            candidates = json.loads(cell) if isinstance(cell, str) and cell else []
            return ctx.page("web_batch_star.html", row=row, star=s, candidates=candidates)
        # a star read from several files lists them (each upload that asked for it)
        uploads = list(dict.fromkeys(u.original_name for u in store.star_uploads(s.id)))
        return ctx.page("web_star.html", doc=doc, star=s, uploads=uploads)
