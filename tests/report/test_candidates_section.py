"""A report lists every candidate of the star with the relations between them: K2-3
(EPIC 201367065, K2 Campaign 1) and its three planets b, c and d."""

from __future__ import annotations

import json
import re
import warnings

import pytest

from starskope.cli import main

K2_3 = "k2/misc/rodluger+everest/hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits.gz"
PERIODS = {"b": 10.0545, "c": 24.6465, "d": 44.5576}


@pytest.fixture(scope="module")
def k2_3_report(shared_data, tmp_path_factory):
    out = tmp_path_factory.mktemp("k2-3")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["report", str(shared_data / K2_3), "--out", str(out), "--no-saliency", "--quiet"]) == 0
    return json.loads(next(out.glob("*.json")).read_text()), next(out.glob("*.html")).read_text()


def _at(doc, period, tol=0.01):
    return [c for c in doc["candidates"] if abs(c["period_days"] / period - 1) < tol]


def test_the_report_lists_b_and_c(k2_3_report):
    doc, _ = k2_3_report
    assert doc["summary"]["n_candidates"] == len(doc["candidates"]) >= 3
    first = doc["candidates"][0]
    assert first["candidate"] == 1 and first["for_model"]
    assert first["period_days"] == pytest.approx(doc["candidate"]["period_days"], rel=1e-12)
    for planet in ("b", "c"):
        (row,) = _at(doc, PERIODS[planet])
        assert row["vetted"] and row["same_signal_as"] == 0, planet


def test_the_report_lists_d_at_its_period_or_half_of_it_marked(k2_3_report):
    doc, _ = k2_3_report
    at_d, at_half = _at(doc, PERIODS["d"]), _at(doc, PERIODS["d"] / 2)
    assert at_d or at_half
    for row in at_half:
        assert "the period may be 2 × P = 44.5" in row["relation"]


@pytest.mark.xfail(strict=True, reason=(
    "with the shipped model's settings (one search, no bands) the search stops at 40 d, half the 80-day "
    "campaign: K2-3 d (44.56 d) is listed at P/2 = 22.29 d, marked 'the period may be 2 × P = 44.57 d'"))
def test_the_report_lists_d_at_its_period(k2_3_report):
    doc, _ = k2_3_report
    assert _at(doc, PERIODS["d"])


def test_the_page_shows_the_candidates_table_and_a_fold_of_each(k2_3_report):
    doc, html = k2_3_report
    n = len(doc["candidates"])
    assert f'id="sk-candidates" data-n="{n}"' in html
    assert len(re.findall(r'<tr class="sk-candidate[^"]*" data-candidate="\d+"', html)) == n
    for c in doc["candidates"]:
        name = f"candidate_fold_{c['candidate']}"
        assert name in doc["figures"] and f'data-figure="{name}"' in html
    assert "the period may be 2 × P" in html
