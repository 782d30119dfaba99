"""``starskope serve``: the web app — upload light curves, follow the analysis, read reports.

Starts a FastAPI app under uvicorn. Results, uploads and job state live in SQLite
(``--db``); uploaded files are kept beside it (``<db>-files/``), stored under generated
ids. Restarting the server loses nothing that finished, and resumes the jobs that did not.
``--data-dir`` lets users pick files from a folder on the server (they cannot leave it).
The REST API's OpenAPI schema is at ``/openapi.json``.
"""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("serve")
    def serve_cmd(
        host: str = typer.Option("127.0.0.1", "--host", help="Interface to listen on."),
        port: int = typer.Option(8000, "--port", help="TCP port."),
        db: str = typer.Option("starskope.db", "--db", help="SQLite file (or a storage URL)."),
        data_dir: Path = typer.Option(None, "--data-dir", help="Folder users may pick light curves from."),
        files_dir: Path = typer.Option(None, "--files-dir", help="Where uploads are kept (default: <db>-files)."),
        max_upload_mb: float = typer.Option(200.0, "--max-upload-mb", help="Largest upload (all files together), MiB (2^20 bytes)."),
        workers: int = typer.Option(1, "--workers", "-j", help="Stars analysed at once (worker processes)."),
        model_dir: Path = typer.Option(None, "--model", "-m", help="Model folder (default: the shipped model)."),
        no_model: bool = typer.Option(False, "--no-model", help="Verdicts from the vetting rules only."),
        threads: bool = typer.Option(False, "--threads", help="Analyse in threads instead of worker processes."),
    ) -> None:
        """Start the web app (Ctrl-C stops it; unfinished jobs resume on the next start).

        Examples:

          starskope serve

          starskope serve --db results.db --data-dir /data/lightcurves --port 8080 --workers 2
        """
        import uvicorn

        from ..errors import ParameterError
        from ..web.app import WebSettings, create_app
        from ..web.jobs import RunnerSettings

        if no_model and model_dir is not None:
            raise ParameterError("give either --model or --no-model, not both")
        if not 0 < port < 65536:
            raise ParameterError(f"--port must lie in 1..65535; got {port}")
        model = "none" if no_model else (str(Path(model_dir).resolve()) if model_dir is not None else "default")
        if model_dir is not None:
            from ..models import read_model_json

            read_model_json(model_dir)  # fail now, not in every job
        settings = WebSettings(db=db, data_dir=data_dir, files_dir=files_dir, max_upload_mb=max_upload_mb,
                               runner=RunnerSettings(executor="threads" if threads else "processes", workers=workers,
                                                     model=model))
        application = create_app(settings)
        typer.echo(f"starskope serving on http://{host}:{port}/ (database {settings.db})")
        uvicorn.run(application, host=host, port=port, log_level="info")
