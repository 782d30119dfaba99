"""Warnings reach the user: what starskope assumed or repaired while reading a star shows
in classify's `warnings` column, in the report and on the web page."""

from __future__ import annotations

import json
import warnings

import pandas as pd
import pytest

from starskope.analysis import AnalysisOptions, analyse, collect_warnings
from starskope.cli import main
from starskope.errors import StarskopeWarning

#: A K2SC light curve: its FITS table states no time reference, so BKJD is assumed.
K2SC = "k2/misc/AstroVPK+kali/hlsp_k2sc_k2_llc_205905563-c03_kepler_v1_lc.fits.gz"
ASSUMED = "time system assumed: BKJD"


def test_collect_warnings_keeps_ours_and_passes_other_warnings_on():
    with pytest.warns(UserWarning, match="a library's own news"):
        with collect_warnings() as kept:
            warnings.warn("dropped 3 cadences", StarskopeWarning, stacklevel=1)
            warnings.warn("dropped 3 cadences", StarskopeWarning, stacklevel=1)  # said once
            warnings.warn("a library's own news", UserWarning, stacklevel=1)
            warnings.warn("Mean of empty slice", RuntimeWarning, stacklevel=1)  # named noise: dropped
    assert list(kept) == ["dropped 3 cadences"]


def test_an_assumed_time_system_is_said_in_the_table_the_report_and_the_web_page(shared_data, tmp_path):
    path = shared_data / K2SC
    a = analyse(path, options=AnalysisOptions(star_types=False))
    assert any(ASSUMED in w for w in a.warnings)

    out = tmp_path / "c.csv"
    assert main(["classify", str(path), "--out", str(out), "--workers", "1", "--quiet"]) == 0
    assert ASSUMED in pd.read_csv(out)["warnings"].iloc[0]

    assert main(["report", str(path), "--out", str(tmp_path / "r"), "--no-saliency", "--quiet", "--no-model"]) == 0
    doc = json.loads(next((tmp_path / "r").glob("*.json")).read_text())
    assert any(ASSUMED in w for w in doc["warnings"])
    html = next((tmp_path / "r").glob("*.html")).read_text()
    assert "Repairs to the data" in html and ASSUMED in html

    from fastapi.testclient import TestClient

    from web.conftest import fits_upload, make_app, wait_for_job

    with TestClient(make_app(tmp_path / "web", saliency=False)) as client:
        job = wait_for_job(client, client.post("/api/jobs", files=[fits_upload(path)]).json()["id"])
        star = client.get(f"/api/stars/{job['items'][0]['star_id']}").json()
        page = client.get(star["page_url"]).text
    assert "Repairs to the data" in page and ASSUMED in page
