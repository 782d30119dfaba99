"""The web app's star page shows what kind of star it is, with the periodogram evidence."""

from __future__ import annotations

import pytest

from starskope.startypes import STAR_TYPES

from .conftest import fits_upload, wait_for_job

# TIC 120627477: a delta Scuti star of the kept-aside TESS FFI stars (never trained on)
DELTA_SCUTI = "tess/ffi/120627477.fits.gz"


def test_star_page_shows_star_type_and_periodogram(client, shared_data):
    job = client.post("/api/jobs", files=[fits_upload(shared_data / DELTA_SCUTI)]).json()
    job = wait_for_job(client, job["id"])
    assert job["status"] == "done", job
    star = client.get(f"/api/stars/{job['items'][0]['star_id']}").json()
    doc = client.get(star["report_url"]).json()
    st = doc["star_type"]
    assert st["star_type"] == "delta_scuti" and set(st["probabilities"]) == set(STAR_TYPES)
    assert sum(st["probabilities"].values()) == pytest.approx(1.0, abs=1e-6)
    spec = doc["figures"]["star_type_spectrum"]
    assert spec["data"][1]["x"][0] == pytest.approx(1.0 / st["dominant_period_d"], rel=1e-5)
    assert len(doc["figures"]["star_type_fold"]["data"][-1]["x"]) == 200
    page = client.get(star["page_url"])
    assert page.status_code == 200
    html = page.text
    assert 'id="sk-startype"' in html and 'data-star-type="delta_scuti"' in html
    for name in ("star_type_spectrum", "star_type_fold", "star_type_probabilities"):
        assert f'data-figure="{name}"' in html
    section = html[html.index('id="sk-startype"'):html.index('id="sk-model"')]
    assert "δ Scuti" in section and f"{st['dominant_period_d']:.5g} d" in section
    # the downloadable offline report carries the same section
    offline = client.get(f"/api/stars/{star['id']}/report.html").text
    assert 'id="sk-startype"' in offline and 'data-figure="star_type_spectrum"' in offline
