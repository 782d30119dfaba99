"""Every candidate of a star: the relations between candidates (constructed ephemerides),
``max_planets`` leaving the model's inputs alone (real files), K2-3's three planets, and
``starskope classify --all-candidates``."""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pandas as pd
import pytest
from astropy.time import Time

from starskope.analysis import (
    AnalysisOptions,
    analyse,
    candidate_relations,
    options_for,
    result_row,
)
from starskope.analysis.candidates import CANDIDATE_COLUMNS
from starskope.errors import ParameterError
from starskope.search import TransitCandidate

K2_3 = "k2/misc/rodluger+everest/hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits.gz"
K2_3_PERIODS = {"b": 10.0545, "c": 24.6465, "d": 44.5576}
WASP18 = "tess/misc/spacetelescope+exovetter/wasp18b.fits.gz"
PI_MEN = "tess/misc/zclaytor+lcs_demo/hlsp_tess-spoc_tess_phot_0000000261136679-s0001_tess_v1_lc.fits"
KEPLER_EB = "kepler/eb/kic007630690_eb.npz"


def _cand(period: float, epoch: float, hours: float = 3.0, snr: float = 20.0) -> TransitCandidate:
    return TransitCandidate(period=period * u.day, epoch=Time(epoch, format="jd", scale="tdb"),
                            duration=hours * u.hour, depth=1e-3 * u.dimensionless_unscaled, snr=snr, n_transits=5)


def _kinds(rels):
    return [[(r.kind, r.other) for r in rel] for rel in rels]


# --------------------------------------------------------------------------- relations


def test_an_eclipsing_binarys_one_signal_coming_out_three_times_is_one_signal():
    t0 = 2455000.0
    primary = _cand(1.5, t0)
    secondary = _cand(1.5005, t0 + 0.75)  # same period, half a period later
    again = _cand(3.0, t0 + 1.5)  # twice the period, on the primary's events
    rels = candidate_relations([primary, secondary, again], baseline_days=90.0)
    assert _kinds(rels) == [[("same signal", 0)], [("secondary eclipse", 1)], [("harmonic", 1)]]
    assert "#2 (same period, phase 0.50)" in rels[0][0].text and "#3 (2 × P)" in rels[0][0].text
    assert "secondary eclipse of one eclipsing binary" in rels[1][0].text
    assert rels[2][0].text.startswith("2 × the period of #1") and rels[2][0].same_signal


def test_a_sub_harmonic_of_a_longer_candidate_is_marked():
    t0 = 2456826.2
    d = _cand(44.556, t0, snr=30)
    half = _cand(22.281, t0 + 22.281, snr=25)  # its events fall on d's and half-way between
    rels = candidate_relations([d, half], baseline_days=80.0)
    assert _kinds(rels) == [[("same signal", 0)], [("harmonic", 1)]]
    assert rels[1][0].text.startswith("sub-harmonic of #1: P = P1 / 2")


def test_the_same_signal_found_again_and_distinct_planets():
    t0 = 2455000.0
    rels = candidate_relations([_cand(5.0, t0), _cand(5.0001, t0 + 10.0)], baseline_days=60.0)
    assert _kinds(rels) == [[("same signal", 0)], [("same signal", 1)]]
    # K2-3 b and c: unrelated periods, no relation
    assert candidate_relations([_cand(10.0545, t0), _cand(24.6465, t0 + 3)], baseline_days=80.0) == [[], []]
    # a 2:1 ratio whose events do not line up, and a 3:2 one: commensurate, two signals
    for p2, words in ((20.0, "≈ 2:1"), (15.0, "≈ 3:2")):
        rels = candidate_relations([_cand(10.0, t0), _cand(p2, t0 + 4.3)], baseline_days=80.0)
        assert _kinds(rels) == [[("commensurate", 2)], [("commensurate", 1)]], p2
        assert words in rels[0][0].text and not rels[0][0].same_signal
    # periods 1.5 % apart are different periods
    assert candidate_relations([_cand(10.0, t0), _cand(10.15, t0)], baseline_days=80.0) == [[], []]


def test_ephemerides_that_drift_apart_over_the_data_are_not_one_signal():
    t0 = 2455000.0
    # 0.5 % apart: over 400 days the events separate by ~2 days, far more than a duration
    rels = candidate_relations([_cand(10.0, t0), _cand(10.05, t0)], baseline_days=400.0)
    assert _kinds(rels) == [[], []]
    # over 60 days they stay within a duration: one period
    assert _kinds(candidate_relations([_cand(10.0, t0), _cand(10.001, t0)], baseline_days=60.0))[1] == [
        ("same signal", 1)]


def test_a_candidate_whose_other_events_fall_in_gaps_may_have_twice_its_period():
    t0 = 2456826.2
    c = _cand(22.28, t0)
    time = np.arange(2456810.0, 2456891.0, 0.02)
    gap = np.abs(time - (t0 + 22.28)) < 1.0  # the event between the two seen ones has no data
    rels = candidate_relations([c], time=time[~gap])
    assert [r.kind for r in rels[0]] == ["period alias"]
    assert "the period may be 2 × P = 44.56 d" in rels[0][0].text
    assert candidate_relations([c], time=time) == [[]]  # with the data there, nothing to say


def test_max_planets_is_checked():
    with pytest.raises(ParameterError, match="max_planets must be a whole number from 1 to 20; got 0"):
        AnalysisOptions(max_planets=0)
    with pytest.raises(ParameterError, match=r"max_planets must be a whole number from 1 to 20; got 2\.5"):
        AnalysisOptions(max_planets=2.5)


# --------------------------------------------------------------------------- real files


@pytest.mark.parametrize(("rel", "shipped"), [
    (K2_3, True), (WASP18, True), (PI_MEN, True), (K2_3, False), (WASP18, False), (KEPLER_EB, False),
])
def test_more_candidates_change_nothing_the_model_sees(shared_data, rel, shipped):
    """With the shipped model's settings and with today's defaults (a new model's)."""
    from starskope.models import default_model

    model = default_model() if shipped else None
    base = options_for(model, warn=False)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        one = analyse(shared_data / rel, model=model, options=AnalysisOptions.from_dict(
            {**base.as_dict(), "max_planets": 1}))
        five = analyse(shared_data / rel, model=model, options=base)
    assert base.max_planets == 5 and len(one.candidates) <= len(five.candidates)
    assert one.candidate == five.candidate
    for name in one.features.views:
        np.testing.assert_array_equal(one.features.views[name], five.features.views[name], err_msg=name)
    np.testing.assert_array_equal(one.features.scalars, five.features.scalars)
    np.testing.assert_array_equal(one.features.spectrogram, five.features.spectrogram)
    if shipped:
        assert one.classification.probabilities == five.classification.probabilities
    a, b = result_row(one), result_row(five)
    for k in a:
        if k == "n_candidates":
            continue
        same = (a[k] == b[k]) or (isinstance(a[k], float) and np.isnan(a[k]) and np.isnan(b[k]))
        assert same, (k, a[k], b[k])


@pytest.fixture(scope="module")
def k2_3(shared_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyse(shared_data / K2_3, detail=True)


def _found(rows, period, tol=0.01):
    return [r for r in rows if abs(r["period_days"] / period - 1) < tol]


def test_k2_3_lists_b_and_c_each_vetted_knowing_the_others(k2_3):
    rows = k2_3.candidate_rows
    assert len(rows) == len(k2_3.candidates) >= 3 and rows[0]["for_model"]
    for planet in ("b", "c"):
        (row,) = _found(rows, K2_3_PERIODS[planet])
        assert row["vetted"] and row["same_signal_as"] == 0, (planet, row)
    # the candidates after the first were vetted with the others' transits left out
    assert all(rep is not None and rep.value("others_masked") > 0 for rep in k2_3.candidate_reports[1:3])


def test_k2_3_d_is_marked_where_the_search_finds_it(k2_3):
    """d (44.56 d, two transits in the campaign) is found at its period, or at half of it
    marked as possibly twice that."""
    rows = k2_3.candidate_rows
    at_d, at_half = _found(rows, K2_3_PERIODS["d"]), _found(rows, K2_3_PERIODS["d"] / 2)
    assert at_d or at_half
    for row in at_half:
        assert "the period may be 2 × P = 44.5" in row["relation"], row


@pytest.mark.xfail(strict=True, reason=(
    "the search does not return 44.56 d: today's band search (0.5-80 d) returns 10.05, 24.64 and 22.29 d; d's "
    "two transits with data fit 22.29 d as well as 44.56 d (the event between falls in a data gap), and the "
    "search keeps the shorter, marked 'the period may be 2 × P = 44.57 d'"))
def test_k2_3_d_is_found_at_its_period(k2_3):
    assert _found(k2_3.candidate_rows, K2_3_PERIODS["d"])


def test_classify_all_candidates_writes_one_row_per_candidate(shared_data, tmp_path):
    from starskope.cli import main

    out = tmp_path / "k2.csv"
    db = tmp_path / "results.db"
    files = [str(shared_data / K2_3), str(shared_data / WASP18)]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["classify", *files, "--out", str(out), "--workers", "1", "--quiet", "--all-candidates",
                     "--db", str(db)]) == 0
    stars = pd.read_csv(out, keep_default_na=False, na_values=[""])
    cands = pd.read_csv(tmp_path / "k2.candidates.csv", keep_default_na=False, na_values=[""])
    assert "candidates" not in stars and list(cands.columns) == list(CANDIDATE_COLUMNS)
    assert len(stars) == 2 and len(cands) == int(stars["n_candidates"].sum())
    for _, star in stars.iterrows():
        mine = cands[(cands["file"] == star["file"]) & (cands["target_id"] == star["target_id"])]
        assert list(mine["candidate"]) == list(range(1, int(star["n_candidates"]) + 1))
        first = mine.iloc[0]
        assert first["for_model"] and first["period_days"] == pytest.approx(star["period_days"], rel=1e-12)
    k2 = cands[cands["file"] == files[0]]
    for planet in ("b", "c"):
        assert ((k2["period_days"] / K2_3_PERIODS[planet] - 1).abs() < 0.01).sum() == 1, planet
    # the web page of a star stored by the run shows its verdict and its candidates
    from fastapi.testclient import TestClient

    from starskope.web.app import WebSettings, create_app
    from starskope.web.jobs import RunnerSettings

    app = create_app(WebSettings(db=str(db), runner=RunnerSettings(executor="threads", workers=1, model="none")))
    with TestClient(app) as client:
        stored = {s["target_id"]: s for s in client.get("/api/stars").json()}
        page = client.get(stored["EPIC 201367065"]["page_url"]).text
    k2_star = stars[stars["file"] == files[0]].iloc[0]
    assert 'id="app-batch-verdict"' in page and k2_star["verdict_status"] in page
    assert 'id="app-batch-candidates"' in page and page.count("<tr><td>") == int(k2_star["n_candidates"])
    # without the option: one table, no candidates column
    plain = tmp_path / "plain.csv"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        assert main(["classify", files[1], "--out", str(plain), "--workers", "1", "--quiet"]) == 0
    assert "candidates" not in pd.read_csv(plain) and not (tmp_path / "plain.candidates.csv").exists()
