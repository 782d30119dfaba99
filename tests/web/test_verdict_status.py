"""The results list carries each star's one verdict with its status, as classify does."""

from __future__ import annotations

import pandas as pd
from fastapi.testclient import TestClient

from starskope.cli import main

from .conftest import fits_upload, make_app, wait_for_job

TRAPPIST_S70 = "tess/misc/prajwal309+TRAPPIST1/tess2023263165758-s0070-0000000278892590-0265-s_lc.fits.gz"


def test_the_results_list_and_classify_agree_on_verdict_and_status(shared_data, tmp_path):
    path = shared_data / TRAPPIST_S70
    with TestClient(make_app(tmp_path / "web", model="default", saliency=False)) as client:
        job = wait_for_job(client, client.post("/api/jobs", files=[fits_upload(path)]).json()["id"])
        star = client.get(f"/api/stars/{job['items'][0]['star_id']}").json()
        listed = client.get("/api/stars").json()[0]
        header = client.get("/api/stars.csv").text.splitlines()[0]
    assert star["verdict_status"] in ("confident", "check") and listed["verdict_status"] == star["verdict_status"]
    assert "verdict_status" in header and "model_class" in header
    out = tmp_path / "c.csv"
    assert main(["classify", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    row = pd.read_csv(out, keep_default_na=False).iloc[0]
    assert (row["predicted_class"], row["verdict_status"], row["model_class"]) == (
        star["predicted_class"], star["verdict_status"], star["model_class"])
