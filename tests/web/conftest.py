"""Fixtures of the web-app tests: apps on temporary databases, real files, a browser (the
synthetic data, ``synth``, comes from tests/conftest.py)."""

from __future__ import annotations

import time
from pathlib import Path

import pytest

from frontend_data import KEPLER_EB as KEPLER_EB
from frontend_data import PI_MEN as PI_MEN

EB_NPZ = "kepler/eb/kic003228863_eb.npz"
NO_TIME_SYSTEM_CSV = "k2/misc/hippke+tls/EPIC201367065.csv"


def make_app(tmp_path: Path, *, data_dir: Path | None = None, max_upload_mb: float = 20.0, model: str = "none",
             saliency: bool = True, db: Path | None = None):
    from starskope.web.app import WebSettings, create_app
    from starskope.web.jobs import RunnerSettings

    settings = WebSettings(db=str(db or tmp_path / "starskope.db"), data_dir=data_dir, max_upload_mb=max_upload_mb,
                           runner=RunnerSettings(executor="threads", workers=1, model=model, saliency=saliency))
    return create_app(settings)


def wait_for_job(client, job_id: str, timeout: float = 120.0) -> dict:
    """Poll the job endpoint (as the page does) until the job has finished."""
    t0 = time.time()
    while time.time() - t0 < timeout:
        job = client.get(f"/api/jobs/{job_id}").json()
        if job["status"] in ("done", "failed"):
            return job
        time.sleep(0.2)
    raise AssertionError(f"job {job_id} did not finish in {timeout} s: {job}")


@pytest.fixture
def app(tmp_path, shared_data):
    return make_app(tmp_path, data_dir=shared_data)


@pytest.fixture
def client(app):
    from fastapi.testclient import TestClient

    with TestClient(app) as c:
        yield c


def fits_upload(path: Path, name: str | None = None):
    return ("files", (name or path.name, path.read_bytes(), "application/octet-stream"))
