"""The web app makes one star of the files of one star uploaded together (its light curves
stitched, its uploads listed), keyed by all their bytes; ``per_file`` analyses each alone."""

from __future__ import annotations

from .conftest import fits_upload, wait_for_job

QUARTERS = [f"kepler/dr24/kplr002985587-{stamp}_llc.fits.gz" for stamp in ("2009259160929", "2009350155506",
                                                                            "2010078095331")]
OTHER_STAR = "kepler/dr24/kplr002988145-2009259160929_llc.fits.gz"


def test_files_of_one_star_are_one_star(client, shared_data):
    files = [fits_upload(shared_data / name) for name in [*QUARTERS, OTHER_STAR]]
    r = client.post("/api/jobs", files=files)
    assert r.status_code == 202, r.text
    job = wait_for_job(client, r.json()["id"], timeout=600)
    assert job["status"] == "done" and (job["done"], job["failed"]) == (4, 0), job
    star_ids = [it["star_id"] for it in job["items"]]
    assert len(set(star_ids[:3])) == 1 and star_ids[3] != star_ids[0]  # the quarters point to one star
    stars = {s["id"]: s for s in client.get("/api/stars", params={"job_id": job["id"]}).json()}
    assert len(stars) == 2
    star = stars[star_ids[0]]
    assert star["target_id"] == "KIC 2985587" and star["label"].endswith("(3 files)")
    doc = client.get(star["report_url"]).json()
    names = [name.split("/")[-1] for name in QUARTERS]
    assert all(n in doc["provenance"]["source"] for n in names)
    page = client.get(star["page_url"]).text
    assert "One star from 3 files" in page and all(n in page for n in names)

    # the same files again: the star is found by its files' bytes, not analysed again
    again = wait_for_job(client, client.post("/api/jobs", files=files[:3]).json()["id"])
    assert {it["star_id"] for it in again["items"]} == {star_ids[0]}

    # a file alone is another input: a star of its own
    alone = wait_for_job(client, client.post("/api/jobs", files=files[:1]).json()["id"])
    assert alone["items"][0]["star_id"] not in star_ids


def test_per_file_analyses_each_file_alone(client, shared_data):
    r = client.post("/api/jobs", files=[fits_upload(shared_data / q) for q in QUARTERS[:2]],
                    data={"per_file": "true"})
    assert r.status_code == 202, r.text
    job = wait_for_job(client, r.json()["id"], timeout=600)
    assert job["done"] == 2 and len({it["star_id"] for it in job["items"]}) == 2
    labels = sorted(s["label"] for s in client.get("/api/stars", params={"job_id": job["id"]}).json())
    assert labels == sorted(q.split("/")[-1] for q in QUARTERS[:2])
    folder = client.post("/api/jobs/from-folder", json={"paths": QUARTERS[:2]})
    assert folder.status_code == 202, folder.text
    grouped = wait_for_job(client, folder.json()["id"], timeout=600)
    assert len({it["star_id"] for it in grouped["items"]}) == 1
