"""The REST API: every endpoint, every bad input, and the server keeps serving."""

from __future__ import annotations

import gzip
import io
import json
import os

import numpy as np
import pytest
from fastapi.testclient import TestClient

from .conftest import (
    EB_NPZ,
    KEPLER_EB,
    NO_TIME_SYSTEM_CSV,
    PI_MEN,
    fits_upload,
    make_app,
    wait_for_job,
)


def _nothing_stored(client, app):
    assert client.get("/api/uploads").json() == []
    assert client.get("/api/jobs").json() == []
    files = app.state.settings.resolved_files_dir()
    assert list((files / "uploads").iterdir()) == []
    assert list((files / "incoming").iterdir()) == []


def test_health_and_openapi(client):
    h = client.get("/api/health").json()
    assert h["status"] == "ok" and h["schema_version"] >= 1 and h["data_folder"] is True
    schema = client.get("/openapi.json").json()
    paths = set(schema["paths"])
    assert paths >= {"/api/health", "/api/jobs", "/api/jobs/from-folder", "/api/jobs/{job_id}", "/api/stars",
                     "/api/stars.csv", "/api/stars/{star_id}", "/api/stars/{star_id}/report",
                     "/api/stars/{star_id}/report.html", "/api/uploads", "/api/data-files"}
    assert "StarOut" in schema["components"]["schemas"]
    assert client.get("/docs").status_code == 404  # Swagger UI would load from a CDN


def test_upload_a_fits_file_and_read_its_report(client, shared_data):
    r = client.post("/api/jobs", files=[fits_upload(shared_data / PI_MEN)])
    assert r.status_code == 202, r.text
    job = r.json()
    assert job["total"] == 1 and job["uploads"][0]["kind"] == "lightcurve"
    assert "stored_path" not in job["uploads"][0]
    job = wait_for_job(client, job["id"])
    assert job["status"] == "done" and job["done"] == 1 and job["progress"] == 1.0
    star_id = job["items"][0]["star_id"]
    star = client.get(f"/api/stars/{star_id}").json()
    assert star["target_id"] == "TIC 261136679" and star["predicted_class"] == "planet_transit"
    assert star["period_days"] == pytest.approx(6.268, abs=0.005)
    assert f"on a {star['period_days']:.4g}-day orbit" in star["reason"]  # the reason names the measured orbit
    assert star["verdict_source"] == "vetting rules" and star["p_planet_transit"] is None
    doc = client.get(star["report_url"]).json()
    assert doc["title"] == "TIC 261136679" and "lightcurve" in doc["figures"]
    page = client.get(star["page_url"])
    assert page.status_code == 200 and 'data-figure="periodogram"' in page.text
    assert '<script src="/static/plotly.min.js"></script>' in page.text
    html = client.get(f"/api/stars/{star_id}/report.html")
    assert html.status_code == 200 and "attachment" in html.headers["content-disposition"]
    assert len(html.text) > 4_000_000  # Plotly inlined: works offline
    listing = client.get("/api/uploads").json()
    assert listing[0]["original_name"] == PI_MEN.split("/")[-1] and len(listing[0]["sha256"]) == 64


def test_many_files_in_one_request(client, shared_data):
    r = client.post("/api/jobs", files=[fits_upload(shared_data / KEPLER_EB), fits_upload(shared_data / EB_NPZ)])
    assert r.status_code == 202, r.text
    job = wait_for_job(client, r.json()["id"])
    assert job["done"] == 2
    stars = client.get("/api/stars", params={"job_id": job["id"], "sort": "target_id", "order": "asc"}).json()
    assert [s["target_id"] for s in stars] == ["KIC 1026032", "KIC 3228863"]
    assert all(s["predicted_class"] == "eclipsing_binary" for s in stars)
    assert all("secondary eclipse" in s["reason"] for s in stars)


def test_kaggle_table_upload(client, synth, tmp_path):
    from starskope.io import write_flux_table

    rows = np.array([synth.light_curve(k, seed=60 + i, n=3197)[1] for i, k in enumerate(("planet", "quiet", "eb"))])
    path = tmp_path / "exoTest.csv"
    write_flux_table(path, rows, np.array([2, 1, 1]))
    r = client.post("/api/jobs", files=[("files", ("exoTest.csv", path.read_bytes(), "text/csv"))])
    assert r.status_code == 202, r.text
    assert r.json()["uploads"][0]["kind"] == "table" and r.json()["total"] == 3
    job = wait_for_job(client, r.json()["id"])
    assert job["done"] == 3
    labels = [it["label"] for it in job["items"]]
    assert labels == ["row 1 of exoTest.csv", "row 2 of exoTest.csv", "row 3 of exoTest.csv"]
    by_label = {s["label"]: s for s in client.get("/api/stars").json()}
    assert by_label["row 1 of exoTest.csv"]["predicted_class"] == "planet_transit"
    assert by_label["row 2 of exoTest.csv"]["predicted_class"] == "nothing_significant"
    assert by_label["row 3 of exoTest.csv"]["predicted_class"] == "eclipsing_binary"


def test_results_filters_sorting_and_csv(client, shared_data):
    r = client.post("/api/jobs", files=[fits_upload(shared_data / PI_MEN), fits_upload(shared_data / KEPLER_EB)])
    wait_for_job(client, r.json()["id"])
    all_stars = client.get("/api/stars").json()
    assert len(all_stars) == 2
    eb = client.get("/api/stars", params={"predicted_class": "eclipsing_binary"}).json()
    assert [s["target_id"] for s in eb] == ["KIC 1026032"]
    assert [s["target_id"] for s in client.get("/api/stars", params={"q": "261136679"}).json()] == ["TIC 261136679"]
    flagged = client.get("/api/stars", params={"flag": "SIGNIFICANT_SECONDARY"}).json()
    assert [s["target_id"] for s in flagged] == ["KIC 1026032"]
    by_period = client.get("/api/stars", params={"sort": "period_days", "order": "asc"}).json()
    assert [s["target_id"] for s in by_period] == ["TIC 261136679", "KIC 1026032"]
    csv_text = client.get("/api/stars.csv", params={"sort": "period_days", "order": "asc"})
    assert csv_text.headers["content-type"].startswith("text/csv")
    lines = csv_text.text.strip().splitlines()
    header = lines[0].split(",")
    assert header[:6] == ["id", "label", "target_id", "mission", "product", "predicted_class"]
    assert "p_planet_transit" in header and "planet_radius_earth" in header and len(lines) == 3
    assert "TIC 261136679" in lines[1]
    assert client.get("/api/stars", params={"sort": "nonsense"}).status_code == 422
    assert client.get("/api/stars", params={"min_p_planet": 3}).status_code == 422
    assert client.get("/api/stars", params={"order": "sideways"}).status_code == 422
    assert client.get("/api/stars", params={"limit": 0}).status_code == 422


def test_jobs_listing_and_unknown_ids(client, shared_data):
    r = client.post("/api/jobs", files=[fits_upload(shared_data / PI_MEN)])
    wait_for_job(client, r.json()["id"])
    jobs = client.get("/api/jobs").json()
    assert len(jobs) == 1 and jobs[0]["items"] is None and jobs[0]["status"] == "done"
    for url in ("/api/jobs/nope", "/api/stars/nope", "/api/stars/nope/report", "/api/stars/nope/report.html"):
        r = client.get(url)
        assert r.status_code == 404, url
        assert "nope" in r.json()["detail"]
    page = client.get("/stars/../../etc/passwd")
    assert page.status_code == 404
    page = client.get("/stars/nope")
    assert page.status_code == 404 and "No such star" in page.text


@pytest.mark.parametrize(
    ("name", "content", "status", "message"),
    [
        ("../../etc/passwd.fits", b"SIMPLE  =", 400, "is a path"),
        ("..\\..\\boot.ini.fits", b"SIMPLE  =", 400, "is a path"),
        ("..", b"x", 400, "is a path"),
        ("notes.exe", b"MZ\x90\x00", 415, "not a light-curve file"),
        ("picture.png", b"\x89PNG\r\n", 415, "not a light-curve file"),
        ("fake.fits", b"this is plain text, not FITS", 415, "not a FITS file"),
        ("fake.npz", b"SIMPLE  = T", 415, "not an NPZ file"),
        ("binary.csv", b"time,flux\n\x00\x01\x02", 415, "not a text table"),
        ("empty.fits", b"", 422, "the file is empty"),
        ("pickle.npz", b"PK\x03\x04" + b"\x00" * 100, 422, "not a readable light curve"),
        ("random.txt", b"hello world\nthis is no light curve\n", 422, "not a readable light curve"),
    ],
)
def test_bad_uploads_are_refused_and_nothing_is_stored(client, app, name, content, status, message):
    r = client.post("/api/jobs", files=[("files", (name, content, "application/octet-stream"))])
    assert r.status_code == status, r.text
    assert message in r.json()["detail"]
    _nothing_stored(client, app)
    assert client.get("/api/health").json()["status"] == "ok"  # still serving


def test_file_name_rules():
    from starskope.web.uploads import UploadRejected, check_name, safe_stored_name

    assert check_name("kplr001026032-2009259160929_llc.fits.gz") == "kplr001026032-2009259160929_llc.fits.gz"
    for name, message in (("a\x01b.fits", "control characters"), ("", "has no name"), (None, "has no name"),
                          ("x" * 300 + ".fits", "too long"), ("dir/x.fits", "is a path"), ("C:\\x.fits", "is a path")):
        with pytest.raises(UploadRejected, match=message):
            check_name(name)
    assert safe_stored_name("pi Men (sector 1) ünï.fits") == "pi_Men__sector_1___n_.fits"
    assert safe_stored_name("..hidden.fits") == "hidden.fits"


def test_corrupt_fits_is_refused(client, app, shared_data):
    data = (shared_data / PI_MEN).read_bytes()
    for name, blob in (("truncated.fits", data[: len(data) // 3]),
                       ("garbled.fits", data[:2880] + os.urandom(len(data) - 2880)),
                       ("truncated.fits.gz", gzip.compress(data)[:5000])):
        r = client.post("/api/jobs", files=[("files", (name, blob, "application/fits"))])
        assert r.status_code in (415, 422), (name, r.text)
        assert name in r.json()["detail"]
        assert "/incoming/" not in r.json()["detail"]  # server paths never leak
    _nothing_stored(client, app)


def test_one_bad_file_refuses_the_whole_request(client, app, shared_data):
    r = client.post("/api/jobs", files=[fits_upload(shared_data / PI_MEN),
                                        ("files", ("bad.fits", b"nope", "application/fits"))])
    assert r.status_code == 415 and "bad.fits" in r.json()["detail"]
    _nothing_stored(client, app)


def test_kaggle_table_with_wrong_columns(client, app):
    bad_tables = {
        "wrong_names.csv": "LABEL,FLUX1,FLUX2,FLUX3\n2,1.0,2.0,3.0\n",
        "no_label.csv": "LABEL,FLUX.1,FLUX.3\n2,1.0,2.0\n",
        "text_flux.csv": "LABEL,FLUX.1,FLUX.2\n2,abc,2.0\n",
    }
    for name, text in bad_tables.items():
        r = client.post("/api/jobs", files=[("files", (name, text.encode(), "text/csv"))])
        assert r.status_code == 422, (name, r.text)
        assert "Kaggle-layout" in r.json()["detail"] and name in r.json()["detail"]
    _nothing_stored(client, app)


def test_oversized_uploads(tmp_path, shared_data):
    app = make_app(tmp_path, max_upload_mb=0.05)
    with TestClient(app) as c:
        r = c.post("/api/jobs", files=[fits_upload(shared_data / KEPLER_EB)])
        assert r.status_code == 413
        assert "larger than the upload limit of 0.05 MiB" in r.json()["detail"]
        _nothing_stored(c, app)
        assert c.get("/api/health").status_code == 200


def test_gzip_bombs_are_refused(tmp_path):
    bomb = gzip.compress(b"SIMPLE  =" + b" " * (12 * 2**20))  # 12 MB of blanks in ~12 kB
    app = make_app(tmp_path, max_upload_mb=0.2)  # may expand to 40 × 0.2 MB, at least 64 MB
    from starskope.web import uploads

    old = uploads.MAX_EXPANSION
    with TestClient(app) as c:
        try:
            uploads.MAX_EXPANSION = 1  # so that the test stays small: cap = 64 MB floor
            big = gzip.compress(b"SIMPLE  =" + b" " * (70 * 2**20))
            r = c.post("/api/jobs", files=[("files", ("bomb.fits.gz", big, "application/gzip"))])
        finally:
            uploads.MAX_EXPANSION = old
        assert r.status_code == 413 and "decompresses to more than 64 MiB" in r.json()["detail"]
        r = c.post("/api/jobs", files=[("files", ("small.fits.gz", bomb, "application/gzip"))])
        assert r.status_code == 422  # expands within the cap, but is no light curve
        _nothing_stored(c, app)


def test_copy_limited_stops_a_stream_without_length(tmp_path):
    from starskope.web.uploads import UploadRejected, copy_limited

    dest = tmp_path / "x"
    with pytest.raises(UploadRejected, match="larger than the upload limit") as info:
        copy_limited(io.BytesIO(b"a" * 5000), dest, 4096, "big.fits", chunk=1000)
    assert info.value.status == 413 and not dest.exists()
    n, sha = copy_limited(io.BytesIO(b"abc"), dest, 4096, "ok.fits")
    assert n == 3 and sha.startswith("ba7816bf")


def test_text_file_without_time_system_needs_the_form_fields(client, app, shared_data):
    path = shared_data / NO_TIME_SYSTEM_CSV
    r = client.post("/api/jobs", files=[fits_upload(path)])
    assert r.status_code == 422
    assert "cannot tell the time system" in r.json()["detail"] and "upload form" in r.json()["detail"]
    _nothing_stored(client, app)
    r = client.post("/api/jobs", files=[fits_upload(path)], data={"mission": "Venus"})
    assert r.status_code == 400 and "mission must be one of" in r.json()["detail"]
    r = client.post("/api/jobs", files=[fits_upload(path)], data={"time_format": "stardate"})
    assert r.status_code == 400 and "time_format must be one of" in r.json()["detail"]
    r = client.post("/api/jobs", files=[fits_upload(path)], data={"mission": "K2", "time_format": "bkjd"})
    assert r.status_code == 202, r.text
    job = wait_for_job(client, r.json()["id"])
    assert job["done"] == 1, job


def test_no_files(client):
    assert client.post("/api/jobs").status_code == 422
    assert client.post("/api/jobs", data={"mission": "K2"}).status_code == 422


def test_data_folder_listing_and_choice(client, shared_data):
    top = client.get("/api/data-files").json()
    assert top["path"] == "" and top["parent"] is None
    assert {e["name"] for e in top["entries"] if e["kind"] == "dir"} >= {"kepler", "k2", "tess"}
    sub = client.get("/api/data-files", params={"path": "tess/misc/zclaytor+lcs_demo"}).json()
    assert sub["parent"] == "tess/misc"
    assert any(e["path"] == PI_MEN for e in sub["entries"])
    r = client.post("/api/jobs/from-folder", json={"paths": [PI_MEN, KEPLER_EB]})
    assert r.status_code == 202, r.text
    assert {u["source"] for u in r.json()["uploads"]} == {"data-folder"}
    job = wait_for_job(client, r.json()["id"])
    assert job["done"] == 2
    assert {s["label"] for s in client.get("/api/stars").json()} == {PI_MEN, KEPLER_EB}


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("../", 400, "'..' is not allowed"),
        ("tess/../../", 400, "'..' is not allowed"),
        ("/etc", 400, "must be relative"),
        ("~root", 400, "must be relative"),
        ("no/such/folder", 404, "no folder"),
        ("tess\\misc", 400, "backslash"),
    ],
)
def test_data_folder_listing_refuses_escapes(client, path, status, message):
    r = client.get("/api/data-files", params={"path": path})
    assert r.status_code == status and message in r.json()["detail"]


@pytest.mark.parametrize(
    ("path", "status", "message"),
    [
        ("../shared/data/" + PI_MEN, 400, "'..' is not allowed"),
        ("/etc/passwd", 400, "must be relative"),
        ("manifest.csv.missing.fits", 404, "no file"),
        ("README.md", 415, "not a light-curve file"),
        ("catalogs", 404, "no file"),
    ],
)
def test_data_folder_choice_refuses_bad_paths(client, app, path, status, message):
    r = client.post("/api/jobs/from-folder", json={"paths": [path]})
    assert r.status_code == status, r.text
    assert message in r.json()["detail"]
    _nothing_stored(client, app)


def test_symbolic_links_cannot_leave_the_data_folder(tmp_path, shared_data):
    data = tmp_path / "data"
    data.mkdir()
    outside = tmp_path / "secret.fits"
    outside.write_bytes((shared_data / PI_MEN).read_bytes())
    (data / "link.fits").symlink_to(outside)
    (data / "linkdir").symlink_to(tmp_path)
    (data / "ok.fits").write_bytes((shared_data / PI_MEN).read_bytes())
    app = make_app(tmp_path / "srv", data_dir=data)
    with TestClient(app) as c:
        names = [e["name"] for e in c.get("/api/data-files").json()["entries"]]
        assert names == ["ok.fits"]
        for p in ("link.fits", "linkdir/secret.fits"):
            r = c.post("/api/jobs/from-folder", json={"paths": [p]})
            assert r.status_code == 400 and "leaves the data folder" in r.json()["detail"]
        assert c.get("/api/data-files", params={"path": "linkdir"}).status_code == 400
        assert c.post("/api/jobs/from-folder", json={"paths": []}).status_code == 422


def test_no_data_folder_configured(tmp_path):
    app = make_app(tmp_path, data_dir=None)
    with TestClient(app) as c:
        r = c.get("/api/data-files")
        assert r.status_code == 404 and "--data-dir" in r.json()["detail"]
        assert c.post("/api/jobs/from-folder", json={"paths": ["x.fits"]}).status_code == 404
        assert "pick files from the data folder" not in c.get("/").text


def test_pages_and_local_assets(client):
    index = client.get("/")
    assert index.status_code == 200 and 'id="upload-form"' in index.text and 'id="results-table"' in index.text
    assert 'src="/static/app.js"' in index.text
    assert "http://" not in index.text.replace("http://www.w3.org", "") and "https://" not in index.text
    js = client.get("/static/plotly.min.js")
    assert js.status_code == 200 and js.headers["content-type"].startswith("application/javascript")
    assert len(js.content) > 1_000_000
    assert client.get("/static/app.css").status_code == 200
    assert client.get("/static/../app.py").status_code == 404


def test_finished_work_survives_a_restart_and_unfinished_jobs_resume(tmp_path, shared_data):
    from starskope.results.store import JobItem, JobRecord, UploadRecord, open_storage

    db = tmp_path / "persist.db"
    app = make_app(tmp_path, data_dir=shared_data, db=db)
    with TestClient(app) as c:
        r = c.post("/api/jobs", files=[fits_upload(shared_data / PI_MEN)])
        job = wait_for_job(c, r.json()["id"])
        star_id = job["items"][0]["star_id"]
    # a job the previous server accepted but never ran
    store = open_storage(db)
    store.add_upload(UploadRecord(id="u-pending", original_name=KEPLER_EB, stored_path=KEPLER_EB, kind="lightcurve",
                                  size_bytes=1, sha256="x", source="data-folder"))
    store.add_job(JobRecord(id="j-pending", status="running", total=1, options=json.dumps({"analysis": {}})),
                  [JobItem(job_id="j-pending", position=0, upload_id="u-pending", label=KEPLER_EB, status="running")])
    store.close()
    app2 = make_app(tmp_path, data_dir=shared_data, db=db)
    with TestClient(app2) as c:
        assert c.get(f"/api/stars/{star_id}").json()["target_id"] == "TIC 261136679"
        assert c.get(f"/api/stars/{star_id}/report").status_code == 200
        job = wait_for_job(c, "j-pending")
        assert job["status"] == "done" and job["done"] == 1
        assert len(c.get("/api/stars").json()) == 2


def test_analysis_failures_are_reported_per_star(client, synth, tmp_path):
    from starskope.io import write_flux_table

    good = synth.light_curve("planet", seed=70, n=3197)[1]
    bad = -np.abs(good)  # negative flux cannot be normalised
    path = tmp_path / "mixed.csv"
    write_flux_table(path, np.array([good, bad]), np.array([2, 1]))
    r = client.post("/api/jobs", files=[("files", ("mixed.csv", path.read_bytes(), "text/csv"))])
    assert r.status_code == 202, r.text
    job = wait_for_job(client, r.json()["id"])
    assert job["status"] == "done" and job["done"] == 1 and job["failed"] == 1
    failed = [it for it in job["items"] if it["status"] == "failed"]
    assert "cannot be normalised" in failed[0]["error"] and "1 failed" in job["message"]


def test_a_model_gives_probabilities(tmp_path, shared_data, synth):
    app = make_app(tmp_path, model=str(synth.tiny_model_dir()))
    with TestClient(app) as c:
        r = c.post("/api/jobs", files=[fits_upload(shared_data / PI_MEN)])
        job = wait_for_job(c, r.json()["id"])
        star = c.get(f"/api/stars/{job['items'][0]['star_id']}").json()
        probs = [star[k] for k in ("p_planet_transit", "p_eclipsing_binary", "p_other_variable",
                                   "p_nothing_significant")]
        assert sum(probs) == pytest.approx(1.0) and star["verdict_source"] == "model"
        assert star["model_version"].startswith("ensemble ")
        doc = c.get(star["report_url"]).json()
        assert doc["model"]["contributions"]["members"] and doc["model"]["saliency"]


def test_the_same_file_uploaded_twice_is_one_star_with_two_uploads(client, shared_data):
    first = wait_for_job(client, client.post("/api/jobs", files=[fits_upload(shared_data / PI_MEN)]).json()["id"])
    assert first["status"] == "done" and first["done"] == 1
    star_id = first["items"][0]["star_id"]
    # the same bytes under another name, twice in one request: found in the database, not analysed again
    r = client.post("/api/jobs", files=[fits_upload(shared_data / PI_MEN, "again.fits.gz"),
                                        fits_upload(shared_data / PI_MEN, "and_again.fits.gz")])
    second = wait_for_job(client, r.json()["id"])
    assert second["status"] == "done" and second["done"] == 2
    assert [it["star_id"] for it in second["items"]] == [star_id, star_id]
    stars = client.get("/api/stars").json()
    assert [s["id"] for s in stars] == [star_id] and len(stars[0]["result_key"]) == 64
    assert [s["id"] for s in client.get("/api/stars", params={"job_id": second["id"]}).json()] == [star_id]
    uploads = client.get("/api/uploads").json()
    assert len(uploads) == 3 and len({u["sha256"] for u in uploads}) == 1
    # the data folder's copy of the same file is the same star too
    third = wait_for_job(client, client.post("/api/jobs/from-folder", json={"paths": [PI_MEN]}).json()["id"])
    assert third["items"][0]["star_id"] == star_id and client.get("/api/health").json()["stars"] == 1


def test_another_model_makes_another_star(tmp_path, shared_data, synth):
    from starskope.results.store import open_storage

    db = tmp_path / "two-models.db"
    for model in ("none", str(synth.tiny_model_dir())):
        app = make_app(tmp_path, model=model, db=db)
        with TestClient(app) as c:
            job = wait_for_job(c, c.post("/api/jobs", files=[fits_upload(shared_data / PI_MEN)]).json()["id"])
            assert job["done"] == 1
    store = open_storage(db)
    try:
        stars = store.list_stars()
        assert len(stars) == 2 and {s.verdict_source for s in stars} == {"vetting rules", "model"}
    finally:
        store.close()


def test_the_runner_runs_on_a_named_executor(tmp_path):
    from starskope.errors import UnknownNameError
    from starskope.web.app import WebSettings, create_app
    from starskope.web.jobs import RunnerSettings

    with pytest.raises(UnknownNameError, match="unknown executor 'process'; known executors: dask, inline, processes"):
        create_app(WebSettings(db=str(tmp_path / "x.db"), runner=RunnerSettings(executor="process")))
    app = create_app(WebSettings(db=str(tmp_path / "y.db"), runner=RunnerSettings(executor="inline", model="none")))
    assert app.state.runner.settings.new_executor().name == "inline"
