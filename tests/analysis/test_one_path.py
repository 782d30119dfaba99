"""One star, one answer: the same stars through `starskope classify`, `starskope report`,
the web app's REST API and the Python API give identical numbers."""

from __future__ import annotations

import json
import math
import warnings
from pathlib import Path

import numpy as np
import pandas as pd
import pytest

from starskope.analysis import analyse, options_for, result_row
from starskope.cli import main
from starskope.io import write_flux_table

#: Real light curves of each kind a user brings (paths in the shared data folder).
FILES = {
    "Kepler LLC": "kepler/dr24/kplr001026032-2009259160929_llc.fits.gz",
    "K2 LLC": "k2/misc/OxES+k2sc/ktwo211436265-c05_llc.fits.gz",
    "TESS SPOC 2-min": "tess/misc/zclaytor+lcs_demo/hlsp_tess-spoc_tess_phot_0000000261136679-s0001_tess_v1_lc.fits",
    "TESS FFI": "tess/ffi/122507338.fits.gz",
}
COMPARED = ("p_planet", "period_days", "depth_ppm", "flags", "predicted_class", "verdict_status", "verdict_reason",
            "model_class", "n_candidates")
_TEXT = ("flags", "predicted_class", "verdict_status", "verdict_reason", "model_class")


@pytest.fixture(scope="module")
def inputs(shared_data, tmp_path_factory, synth):
    """The real files, and a Kaggle-layout table whose first row is a transiting planet."""
    folder = tmp_path_factory.mktemp("one-path")
    rows = np.array([synth.light_curve(k, seed=70 + i, n=3197)[1] for i, k in enumerate(("planet", "quiet"))])
    table = folder / "exoTest.csv"
    write_flux_table(table, rows, np.array([2, 1]))
    return {**{k: shared_data / v for k, v in FILES.items()}, "Kaggle row": table}


def _text(v) -> str:
    return "" if v is None or (isinstance(v, float) and math.isnan(v)) else str(v)


def _same(a: dict, b: dict, where: str) -> None:
    for k in COMPARED:
        x, y = a[k], b[k]
        if k in _TEXT:
            assert _text(x) == _text(y), (where, k, x, y)
        elif isinstance(x, float) or isinstance(y, float):
            x = float("nan") if x is None else float(x)
            y = float("nan") if y is None else float(y)
            assert (math.isnan(x) and math.isnan(y)) or x == pytest.approx(y, rel=1e-9, abs=1e-12), (where, k, x, y)
        else:
            assert x == y, (where, k, x, y)


def _python_api(inputs, model):
    out = {}
    options = options_for(model, warn=False)
    for kind, path in inputs.items():
        a = analyse(path, model=model, options=options, row=0 if kind == "Kaggle row" else None)
        out[kind] = result_row(a)
    return out


def _cli_classify(inputs, tmp, model_dir):
    out = tmp / "classify.csv"
    args = ["classify", *map(str, inputs.values()), "--out", str(out), "--workers", "1", "--quiet"]
    rc = main([*args, *(["--model", str(model_dir)] if model_dir else [])])
    assert rc == 0
    df = pd.read_csv(out, keep_default_na=False, na_values=[""])
    rows = {}
    for kind, path in inputs.items():
        sel = df[df["file"].map(lambda f, p=path: Path(str(f)).resolve() == Path(p).resolve())]
        rows[kind] = sel.iloc[0].to_dict()  # a table's first row comes first
    return rows


def _cli_report(inputs, tmp, model_dir):
    rows = {}
    for kind, path in inputs.items():
        out = tmp / f"report-{kind.replace(' ', '_')}"
        args = ["report", str(path), "--out", str(out), "--no-saliency", "--quiet"]
        if kind == "Kaggle row":
            args += ["--rows", "1"]
        rc = main([*args, *(["--model", str(model_dir)] if model_dir else [])])
        assert rc == 0
        doc = json.loads(next(out.glob("*.json")).read_text())
        s = doc["summary"]
        rows[kind] = {**s, "flags": s.get("flags") or ""}
    return rows


def _web(inputs, tmp, model_spec):
    from fastapi.testclient import TestClient

    from web.conftest import make_app, wait_for_job

    app = make_app(tmp / "web", model=model_spec, saliency=False)
    rows = {}
    with TestClient(app) as client:
        files = [("files", (Path(p).name, Path(p).read_bytes(), "application/octet-stream")) for p in inputs.values()]
        r = client.post("/api/jobs", files=files)
        assert r.status_code == 202, r.text
        job = wait_for_job(client, r.json()["id"], timeout=600)
        assert job["status"] == "done" and job["failed"] == 0, job
        stars = client.get("/api/stars", params={"job_id": job["id"]}).json()
        # the star's page shows its report document: the verdict's status and reason come from it
        summaries = {s["id"]: client.get(s["report_url"]).json()["summary"] for s in stars}
    for kind, path in inputs.items():
        label = "row 1 of exoTest.csv" if kind == "Kaggle row" else Path(path).name
        s = next(s for s in stars if s["label"] == label)
        page = summaries[s["id"]]
        assert s["predicted_class"] == page["predicted_class"], (kind, s["predicted_class"], page["predicted_class"])
        rows[kind] = {**s, "p_planet": s["p_planet_transit"], "verdict_status": page["verdict_status"],
                      "verdict_reason": page["verdict_reason"], "model_class": page["model_class"],
                      "n_candidates": page["n_candidates"]}
    return rows


def _check_every_entry_point(inputs, tmp, model, model_dir, model_spec):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        api = _python_api(inputs, model)
        from starskope.pipeline import classify

        frame = classify(list(inputs.values()), model)
        cli = _cli_classify(inputs, tmp, model_dir)
        rep = _cli_report(inputs, tmp, model_dir)
        web = _web(inputs, tmp, model_spec)
    for kind in inputs:
        ref = api[kind]
        assert np.isfinite(ref["p_planet"]) and np.isfinite(ref["period_days"]), kind
        assert ref["verdict_status"] in ("confident", "check") and ref["verdict_reason"], kind
        row = frame[frame["file"] == str(inputs[kind])].iloc[0].to_dict()
        _same(ref, row, f"pipeline.classify, {kind}")
        _same(ref, cli[kind], f"starskope classify, {kind}")
        _same(ref, rep[kind], f"starskope report, {kind}")
        _same(ref, web[kind], f"web app, {kind}")
    return api


def test_the_shipped_model_gives_one_answer_everywhere(inputs, tmp_path):
    from starskope.models import default_model

    api = _check_every_entry_point(inputs, tmp_path, default_model(), None, "default")
    # the π Men file's planet and the Kepler EB's eclipses are what every entry point saw
    assert api["TESS SPOC 2-min"]["period_days"] == pytest.approx(6.268, rel=2e-3)


def test_a_freshly_trained_model_gives_one_answer_everywhere(inputs, tmp_path, tiny_model, tiny_model_dir):
    _check_every_entry_point(inputs, tmp_path, tiny_model, tiny_model_dir, str(tiny_model_dir))
