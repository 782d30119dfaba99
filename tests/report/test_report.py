"""Report documents, HTML pages and ``starskope report`` on real stars."""

from __future__ import annotations

import json
import re
import warnings

import pytest

from starskope.analysis import analyse_file
from starskope.cli import main
from starskope.errors import ParameterError
from starskope.explain import explain
from starskope.report import (
    PLOTLY_JS_NAME,
    REPORT_FORMAT,
    build_report,
    plotly_js_path,
    render_html,
    to_json,
    write_report,
)

from .conftest import KEPLER_EB, PI_MEN, QUIET_TESS


@pytest.fixture(scope="module")
def pi_men_doc(shared_data, tiny_model):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ex = explain(analyse_file(shared_data / PI_MEN, detail=True), tiny_model)
    return build_report(ex, source=PI_MEN)


def test_document_content(pi_men_doc):
    doc = pi_men_doc
    assert doc["format"] == REPORT_FORMAT and doc["title"] == "TIC 261136679"
    assert doc["star"]["mission"] == "TESS" and doc["star"]["product"]
    assert set(doc["figures"]) == {"lightcurve", "detrended", "periodogram", "fold", "transit", "odd_even",
                                   "secondary", "transit_times", "probabilities", "contributions",
                                   "star_type_spectrum", "star_type_fold", "star_type_probabilities"}
    # pi Men b's transits in the sector, timed one by one: one period fits them
    oc = doc["figures"]["transit_times"]
    assert len(oc["data"][1]["y"]) >= 4 and "the fold on one period" in oc["layout"]["title"]["text"]
    assert max(abs(v) for v in oc["data"][1]["y"]) < 15  # minutes
    assert doc["candidate"]["period_days"] == pytest.approx(6.268, abs=0.005)
    # derived parameters carry units
    planet = {p["name"]: p for p in doc["parameters"]["planet"]}
    assert planet["Period P"]["unit"] == "d" and planet["Depth δ"]["unit"] == "ppm"
    assert planet["Planet radius Rp"]["unit"] == "R⊕" and "R_Jup" in planet["Planet radius Rp"]["note"]
    assert 1.5 < planet["Planet radius Rp"]["value"] < 3.0
    assert planet["Semi-major axis a"]["unit"] == "AU" and 0.05 < planet["Semi-major axis a"]["value"] < 0.1
    assert 1000 < planet["Equilibrium temperature Teq"]["value"] < 1500  # pi Men c: ~1150 K
    star = {p["name"]: p for p in doc["parameters"]["star"]}
    assert star["Radius R★"]["value"] == pytest.approx(1.15) and star["Radius R★"]["unit"] == "R☉"
    # provenance: file, product, cleaning steps, model version
    prov = doc["provenance"]
    assert prov["source"] == PI_MEN and any("mask_quality" in s for s in prov["steps"])
    assert any(s.startswith("detrend") for s in prov["steps"]) and prov["model_version"].startswith("ensemble ")
    assert doc["model"]["saliency"]["window_days"] > 0
    assert len(doc["evidence"]) > 20
    json.loads(to_json(doc))  # strict JSON


def test_html_is_offline_and_complete(pi_men_doc):
    page = render_html(pi_men_doc)
    assert "Plotly" in page and len(page) > plotly_js_path().stat().st_size
    assert not re.search(r"<script[^>]+src=[\"']?(https?:)?//", page)  # no CDN, no network
    assert not re.search(r"<link[^>]+href=[\"']?(https?:)?//", page)
    for section in ("sk-reason", "sk-evidence", "sk-parameters", "sk-model", "sk-provenance"):
        assert f'id="{section}"' in page
    for fig in pi_men_doc["figures"]:
        assert f'data-figure="{fig}"' in page
    linked = render_html(pi_men_doc, plotly="url", plotly_url="/static/plotly.min.js")
    assert '<script src="/static/plotly.min.js"></script>' in linked and len(linked) < len(page)


def test_untrusted_text_cannot_break_out(pi_men_doc):
    doc = json.loads(to_json(pi_men_doc))
    evil = '</script><script>alert("x")</script><img src=x onerror=alert(1)>'
    doc["title"] = evil
    doc["star"]["label"] = evil
    page = render_html(doc, plotly="url")
    assert evil not in page
    assert "&lt;/script&gt;&lt;script&gt;alert" in page  # escaped in the HTML text
    data = re.search(r'<script id="starskope-report-data" type="application/json">(.*?)</script>', page, re.S)
    assert json.loads(data.group(1).replace("<\\/", "</"))["title"] == evil  # intact as data


def test_render_errors(pi_men_doc, tmp_path):
    with pytest.raises(ParameterError, match="plotly must be 'inline' or 'url'"):
        render_html(pi_men_doc, plotly="cdn")
    with pytest.raises(ParameterError, match="must be a local path"):
        render_html(pi_men_doc, plotly="url", plotly_url="https://cdn.plot.ly/plotly.min.js")
    with pytest.raises(ParameterError, match="plotly must be 'inline' or 'file'"):
        write_report(pi_men_doc, tmp_path, plotly="cdn")
    with pytest.raises(ParameterError, match="must be a plain file name"):
        write_report(pi_men_doc, tmp_path, name="../escape")


def test_write_report_with_a_shared_plotly_file(pi_men_doc, tmp_path):
    html, js = write_report(pi_men_doc, tmp_path, plotly="file")
    assert html.name == "TIC_261136679.html" and js.name == "TIC_261136679.json"
    assert (tmp_path / PLOTLY_JS_NAME).read_bytes() == plotly_js_path().read_bytes()
    assert f'<script src="{PLOTLY_JS_NAME}"></script>' in html.read_text()
    assert json.loads(js.read_text())["title"] == "TIC 261136679"


def test_cli_report_on_the_three_stars(shared_data, tmp_path, capsys):
    """Planet, eclipsing binary with its evidence, nothing significant (verdicts from the rules)."""
    files = [str(shared_data / p) for p in (PI_MEN, KEPLER_EB, QUIET_TESS)]
    rc = main(["report", *files, "--out", str(tmp_path), "--no-model", "--plotly", "file", "--quiet"])
    assert rc == 0
    out = capsys.readouterr().out
    assert "wrote 3 report(s)" in out
    docs = {p.stem: json.loads(p.read_text()) for p in tmp_path.glob("*.json")}
    assert set(docs) == {"TIC_261136679", "KIC_1026032", "TIC_328999765"}
    pi, eb, quiet = docs["TIC_261136679"], docs["KIC_1026032"], docs["TIC_328999765"]
    assert pi["verdict"]["class"] == "planet_transit" and "R⊕ planet on a 6.2" in pi["verdict"]["reason"]
    assert eb["verdict"]["class"] == "eclipsing_binary"
    assert "secondary eclipse is present" in eb["verdict"]["reason"] and "V-shaped" in eb["verdict"]["reason"]
    assert {f["name"] for f in eb["flags"]} >= {"SIGNIFICANT_SECONDARY"}
    assert quiet["verdict"]["class"] == "nothing_significant"
    assert "No periodic dip is significant" in quiet["verdict"]["reason"]
    assert (tmp_path / "KIC_1026032.html").stat().st_size > 10_000


def test_cli_report_with_a_model_and_table_rows(synth, tiny_model_dir, tmp_path, capsys):
    import numpy as np

    from starskope.io import write_flux_table

    rows = [synth.light_curve(k, seed=40 + i, n=3197)[1] for i, k in enumerate(("planet", "quiet", "eb"))]
    table = tmp_path / "exoTest.csv"
    write_flux_table(table, np.array(rows), np.array([2, 1, 1]))
    out = tmp_path / "reports"
    rc = main(["report", str(table), "--out", str(out), "--model", str(tiny_model_dir), "--rows", "1,3", "--quiet"])
    assert rc == 0
    assert sorted(p.name for p in out.glob("*.json")) == ["exoTest_row1.json", "exoTest_row3.json"]
    doc = json.loads((out / "exoTest_row1.json").read_text())
    assert doc["verdict"]["source"] == "model" and doc["verdict"]["probabilities"]
    assert "p = " in capsys.readouterr().out


def test_cli_report_errors(shared_data, tmp_path, capsys):
    assert main(["report", str(tmp_path / "missing.fits"), "--out", str(tmp_path)]) == 2
    assert "no such file" in capsys.readouterr().err
    assert main(["report", str(shared_data / PI_MEN), "--out", str(tmp_path), "--plotly", "cdn"]) == 2
    assert "--plotly must be 'inline' or 'file'" in capsys.readouterr().err
    assert main(["report", str(shared_data / PI_MEN), "--out", str(tmp_path), "--no-model", "--model", "x"]) == 2
    assert "either --model or --no-model" in capsys.readouterr().err
    bad = tmp_path / "broken.fits"
    bad.write_bytes((shared_data / PI_MEN).read_bytes()[:20000])
    assert main(["report", str(bad), "--out", str(tmp_path / "r"), "--no-model", "--quiet"]) == 2
    err = capsys.readouterr().err
    assert "broken.fits" in err and "could not be reported" in err


@pytest.mark.browser
def test_report_renders_in_chromium(pi_men_doc, tmp_path):
    from .conftest import chromium_page

    html, _ = write_report(pi_men_doc, tmp_path)
    with chromium_page() as page:
        page.goto(html.as_uri())
        page.wait_for_function("document.querySelectorAll('.sk-rendered').length >= 9", timeout=30000)
        assert page.locator(".sk-rendered .main-svg").count() >= 9
        # the page shows the document's one verdict, its status, and what was reconciled
        verdict = pi_men_doc["verdict"]
        assert verdict["title"] and verdict["status"] in ("confident", "check")
        assert page.locator(".sk-verdict").count() == 1
        assert page.locator("#sk-verdict .sk-verdict-title").inner_text().strip() == verdict["title"]
        assert page.locator("#sk-verdict-status").inner_text().strip().lower() == verdict["status"]
        assert page.locator("#sk-verdict").get_attribute("data-status") == verdict["status"]
        assert f"the {verdict['source']}, the vetting flags and the star type" in page.locator("#sk-verdict").inner_text()
        page.screenshot(path=str(tmp_path / "report.png"), full_page=True)
    assert (tmp_path / "report.png").stat().st_size > 50_000
