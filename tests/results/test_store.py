"""The SQLite storage: migrations, persistence, queries, and the plug-in point for other databases."""

from __future__ import annotations

import sqlite3

import pytest

from starskope.errors import ParameterError, UnknownNameError
from starskope.results.store import (
    MIGRATIONS,
    STORAGE_BACKENDS,
    JobItem,
    JobRecord,
    SQLiteStorage,
    StarQuery,
    StarRecord,
    Storage,
    UploadRecord,
    open_storage,
)


def _star(i, cls="planet_transit", p=0.9, job="j1", flags=""):
    return StarRecord(id=f"s{i}", job_id=job, upload_id="u1", label=f"file{i}.fits", target_id=f"TIC {i}",
                      mission="TESS", predicted_class=cls, verdict_source="model", p_planet_transit=p,
                      period_days=float(i), depth_ppm=float("nan"), flags=flags, reason="because")


def test_migrations_are_applied_once_and_recorded(tmp_path):
    db = tmp_path / "a.db"
    s = SQLiteStorage(db)
    assert s.schema_version() == len(MIGRATIONS)
    assert isinstance(s, Storage)
    s.close()
    s2 = SQLiteStorage(f"sqlite:///{db}")
    assert s2.schema_version() == len(MIGRATIONS)
    rows = sqlite3.connect(db).execute("SELECT version FROM schema_version ORDER BY version").fetchall()
    assert [r[0] for r in rows] == list(range(1, len(MIGRATIONS) + 1))


def test_an_older_database_is_migrated(tmp_path):
    db = tmp_path / "old.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)")
    for stmt in MIGRATIONS[0].split(";"):
        if stmt.strip():
            con.execute(stmt)
    con.execute("INSERT INTO schema_version VALUES (1, 'then')")
    con.execute("INSERT INTO jobs (id, status, created_at) VALUES ('old', 'done', 'then')")
    con.commit()
    con.close()
    s = SQLiteStorage(db)
    assert s.schema_version() == len(MIGRATIONS)
    assert s.get_job("old").options == "{}"  # column added by migration 2, old rows kept


def test_a_newer_database_is_refused(tmp_path):
    db = tmp_path / "new.db"
    SQLiteStorage(db).close()
    con = sqlite3.connect(db)
    con.execute("INSERT INTO schema_version VALUES (99, 'future')")
    con.commit()
    con.close()
    with pytest.raises(ParameterError, match="schema version 99 is newer"):
        SQLiteStorage(db)


def test_everything_survives_a_reopen(tmp_path):
    db = tmp_path / "p.db"
    s = open_storage(db)
    s.add_upload(UploadRecord(id="u1", original_name="x.fits", stored_path="u1/x.fits", kind="lightcurve",
                              size_bytes=10, sha256="ab"))
    s.add_job(JobRecord(id="j1", total=1), [JobItem(job_id="j1", position=0, upload_id="u1", label="x.fits")])
    s.save_star(_star(1), '{"a": 1}')
    s.update_job("j1", status="done", done=1)
    s.update_item("j1", 0, status="done", star_id="s1")
    s.close()
    s = open_storage(db)
    assert s.get_upload("u1").original_name == "x.fits"
    assert s.get_job("j1").status == "done" and s.job_items("j1")[0].star_id == "s1"
    star = s.get_star("s1")
    assert star.reason == "because" and star.depth_ppm is None  # NaN stored as NULL
    assert s.get_report("s1") == '{"a": 1}'
    assert s.unfinished_jobs() == [] and s.count_stars() == 1


def test_star_queries(tmp_path):
    s = SQLiteStorage(tmp_path / "q.db")
    s.save_star(_star(1, p=0.9, flags="ODD_EVEN;V_SHAPED"), "{}")
    s.save_star(_star(2, cls="eclipsing_binary", p=0.1, job="j2"), "{}")
    s.save_star(_star(3, p=None), "{}")
    ids = lambda q: [r.id for r in s.list_stars(q)]  # noqa: E731
    assert ids(StarQuery(sort="period_days", descending=False)) == ["s1", "s2", "s3"]
    assert ids(StarQuery(sort="p_planet_transit", descending=True)) == ["s1", "s2", "s3"]  # NULL last
    assert ids(StarQuery(sort="p_planet_transit", descending=False)) == ["s2", "s1", "s3"]
    assert ids(StarQuery(predicted_class="eclipsing_binary")) == ["s2"]
    assert ids(StarQuery(min_p_planet=0.5)) == ["s1"]
    assert ids(StarQuery(flag="V_SHAPED")) == ["s1"] and ids(StarQuery(flag="SHAPED")) == []
    assert ids(StarQuery(text="tic 3")) == ["s3"] and ids(StarQuery(text="v_shaped")) == ["s1"]
    assert ids(StarQuery(job_id="j2")) == ["s2"]
    assert ids(StarQuery(sort="period_days", descending=False, limit=1, offset=1)) == ["s2"]
    s.save_star(_star(1, p=0.5), "{}")  # saving again replaces
    assert s.count_stars() == 3 and s.get_star("s1").p_planet_transit == 0.5


def test_query_and_update_errors(tmp_path):
    with pytest.raises(ParameterError, match="cannot sort by 'reason; DROP TABLE stars'"):
        StarQuery(sort="reason; DROP TABLE stars")
    with pytest.raises(ParameterError, match="limit must lie in"):
        StarQuery(limit=0)
    with pytest.raises(ParameterError, match="offset must be >= 0"):
        StarQuery(offset=-1)
    with pytest.raises(ParameterError, match="min_p_planet must lie in"):
        StarQuery(min_p_planet=2.0)
    s = SQLiteStorage(tmp_path / "e.db")
    with pytest.raises(ParameterError, match="cannot update \\['id'\\] of jobs"):
        s.update_job("j", id="other")
    with pytest.raises(ValueError):
        s.save_star(_star(9), "not json")
    assert s.get_star("s9") is None


def test_unknown_url_scheme_and_a_plugged_in_backend(tmp_path):
    with pytest.raises(UnknownNameError, match="postgresql"):
        open_storage("postgresql://user@host/db")
    opened = []

    def factory(url):
        opened.append(url)
        return SQLiteStorage(tmp_path / "stand-in.db")

    STORAGE_BACKENDS.add("teststore", factory)
    s = open_storage("teststore://somewhere/db")
    assert opened == ["teststore://somewhere/db"] and isinstance(s, Storage)


def test_a_version_2_database_is_migrated_to_result_keys(tmp_path):
    db = tmp_path / "v2.db"
    con = sqlite3.connect(db)
    con.execute("CREATE TABLE schema_version (version INTEGER NOT NULL, applied_at TEXT NOT NULL)")
    for k in (0, 1):
        for stmt in MIGRATIONS[k].split(";"):
            if stmt.strip():
                con.execute(stmt)
        con.execute("INSERT INTO schema_version VALUES (?, 'then')", (k + 1,))
    con.execute("INSERT INTO stars (id, job_id, upload_id, label, created_at) VALUES ('old', 'j', 'u', 'x', 'then')")
    con.commit()
    con.close()
    s = SQLiteStorage(db)
    assert s.schema_version() == len(MIGRATIONS) == 4
    old = s.get_star("old")
    assert old.result_key == "" and s.find_star("") is None  # kept, keyed by nothing
    assert old.verdict_status == "" and old.model_class == ""  # verdicts came later
    s.save_star(_star(1), "{}")
    s.save_star(_star(2), "{}")  # two stars without keys are two stars
    assert s.count_stars() == 3


def test_one_star_per_result_key(tmp_path):
    s = SQLiteStorage(tmp_path / "k.db")
    first = _star(1)
    first.result_key = "k" * 64
    assert s.save_star(first, '{"n": 1}') == "s1"
    again = _star(2, p=0.2)  # another id, the same result: replaces the first and keeps its id
    again.result_key = "k" * 64
    assert s.save_star(again, '{"n": 2}') == "s1" and again.id == "s1"
    assert s.count_stars() == 1 and s.get_report("s1") == '{"n": 2}'
    assert s.find_star("k" * 64).p_planet_transit == 0.2
    assert s.find_star("z" * 64) is None


def test_the_stars_of_a_job_include_those_its_items_found_done(tmp_path):
    s = SQLiteStorage(tmp_path / "u.db")
    for u in ("u1", "u2"):
        s.add_upload(UploadRecord(id=u, original_name="x.fits", stored_path=f"{u}/x.fits", kind="lightcurve",
                                  size_bytes=10, sha256="ab" * 32))
    s.add_job(JobRecord(id="j1", total=1), [JobItem(job_id="j1", position=0, upload_id="u1", label="x.fits")])
    s.add_job(JobRecord(id="j2", total=1), [JobItem(job_id="j2", position=0, upload_id="u2", label="x.fits")])
    star = _star(1, job="j1")
    star.result_key = "k" * 64
    s.save_star(star, "{}")
    s.update_item("j1", 0, status="done", star_id="s1")
    s.update_item("j2", 0, status="done", star_id="s1")  # the second upload found the result stored
    assert [r.id for r in s.list_stars(StarQuery(job_id="j2"))] == ["s1"]
    assert [r.id for r in s.list_stars(StarQuery(job_id="j1"))] == ["s1"]
    assert [u.id for u in s.star_uploads("s1")] == ["u1", "u2"]
