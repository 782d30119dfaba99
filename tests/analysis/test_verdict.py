"""One verdict per star: the rules of :mod:`starskope.analysis.verdict` on constructed
inputs and analyses, and the real stars of issue 15 (WASP-18, TRAPPIST-1 sector 70, a
Kepler eclipsing binary) giving one verdict in ``starskope classify``, the report and the
web page."""

from __future__ import annotations

import json
import warnings
from dataclasses import replace
from types import SimpleNamespace

import astropy.units as u
import pandas as pd
import pytest

from starskope.analysis import (
    CHECK,
    CONFIDENT,
    AnalysisOptions,
    Classification,
    analyse,
    analyse_table_row,
    options_for,
    reconcile,
    result_row,
    verdict_of,
)
from starskope.analysis.verdict import STAR_TYPE_MIN_P
from starskope.cli import main

WASP18 = "tess/misc/spacetelescope+exovetter/wasp18b.fits.gz"
TRAPPIST1_S70 = "tess/misc/prajwal309+TRAPPIST1/tess2023263165758-s0070-0000000278892590-0265-s_lc.fits.gz"
#: A Villanova catalogue EB the shipped model has called "nothing significant" (a V-shaped dip of SNR ≈ 41).
KEPLER_EB = "kepler/eb/kic007630690_eb.npz"
#: A TESS FFI contact binary (catalogue P = 0.4417 d): eclipses 7 % deep spanning the whole orbit,
#: so the box SNR against its "baseline" (the binary's own light) is only ≈ 4.5.
CONTACT_EB = "tess/ffi/138960108.fits.gz"
#: A TESS FFI δ Scuti star of the kept-aside half (Murphy et al. 2019): no transit-like dip
#: reaches the detection threshold (best box SNR ≈ 5.4), the star type says δ Scuti.
PULSATOR = "tess/ffi/236932242.fits.gz"

BASE = {"rules_class": "planet_transit", "rules_rule": "a significant, transit-shaped dip with no false-positive flag",
        "snr": 40.0, "snr_threshold": 7.1, "period_days": 3.0}


def _probs(decided: str, p: float) -> dict[str, float]:
    rest = (1 - p) / 3
    return {k: (p if k == decided else rest)
            for k in ("planet_transit", "eclipsing_binary", "other_variable", "nothing_significant")}


# --------------------------------------------------------------------------- the rules, one by one


def test_everyone_agreeing_on_a_detection_is_confident():
    v = reconcile(model_class="planet_transit", probabilities=_probs("planet_transit", 0.95), star_type="planet_host",
                  star_type_p=0.9, **BASE)
    assert (v.predicted_class, v.status, v.rules) == ("planet_transit", CONFIDENT, ())
    assert v.reason.startswith("Planet transit. A dip of SNR 40.0 stands above the detection threshold 7.1")
    assert "the star type agrees: planet host (p = 0.90)" in v.reason and "check" not in v.reason


def test_rule_1_a_probability_on_a_dip_below_the_threshold_is_not_a_detection():
    v = reconcile(model_class="planet_transit", probabilities=_probs("planet_transit", 0.98),
                  **{**BASE, "snr": 3.8, "period_days": 0.7722}, flags=["NOT_TRANSIT_LIKE", "V_SHAPED"],
                  star_type="other", star_type_p=1.0)
    assert (v.predicted_class, v.status, v.model_class, v.detected) == ("nothing_significant", CHECK,
                                                                        "planet_transit", False)
    assert v.reason.startswith("Not a detection (nothing significant): check.")
    assert "The model says planet transit (p = 0.98), but the best dip (P = 0.7722 d) has SNR 3.8, below the " \
           "detection threshold 7.1, and vetting flags NOT_TRANSIT_LIKE, V_SHAPED" in v.reason
    # what a light curve without a signal is: a variable star when it varies well above its noise
    var = reconcile(model_class="eclipsing_binary", probabilities=_probs("eclipsing_binary", 0.7),
                    **{**BASE, "snr": 5.0}, no_signal_class="other_variable")
    assert (var.predicted_class, var.status) == ("other_variable", CHECK)
    # a model that sees no signal agrees with the detection statistics
    quiet = reconcile(model_class="nothing_significant", probabilities=_probs("nothing_significant", 0.9),
                      **{**BASE, "snr": 5.0})
    assert (quiet.predicted_class, quiet.status) == ("nothing_significant", CONFIDENT)
    # no candidate at all
    none = reconcile(model_class="other_variable", probabilities=_probs("other_variable", 0.8),
                     **{**BASE, "snr": float("nan")})
    assert (none.predicted_class, none.status) == ("other_variable", CONFIDENT) and "found no dip" in none.reason


def test_rule_2_a_dip_above_the_threshold_is_something():
    v = reconcile(model_class="nothing_significant", probabilities=_probs("nothing_significant", 0.52),
                  **{**BASE, "rules_class": "eclipsing_binary", "rules_rule": "eclipsing-binary tells: V_SHAPED"},
                  flags=["V_SHAPED"])
    assert (v.predicted_class, v.status, v.rules[0]) == ("eclipsing_binary", CHECK, 2)
    assert v.reason.startswith("Eclipsing binary by the vetting rules, nothing significant by the model: check.")


def test_rules_3_and_4_model_against_vetting_rules():
    kw = {**BASE, "rules_class": "eclipsing_binary", "rules_rule": "eclipsing-binary tells: ODD_EVEN"}
    sided = reconcile(model_class="other_variable", probabilities=_probs("other_variable", 0.7),
                      star_type="eclipsing_binary", star_type_p=0.84, **kw)
    assert (sided.predicted_class, sided.status, sided.rules) == ("eclipsing_binary", CHECK, (3,))
    assert sided.reason.startswith("Eclipsing binary by the vetting rules and the star type, other variable by the "
                                   "model: check.")
    alone = reconcile(model_class="other_variable", probabilities=_probs("other_variable", 0.7), **kw)
    assert (alone.predicted_class, alone.status, alone.rules) == ("other_variable", CHECK, (4,))
    assert alone.reason.startswith("Other variable by the model, eclipsing binary by the vetting rules: check.")


def test_rule_7_the_star_type_tells_a_binary_from_another_variable():
    kw = {**BASE, "rules_class": "other_variable", "rules_rule": "a smooth, non-transit-shaped variation"}
    v = reconcile(model_class="other_variable", probabilities=_probs("other_variable", 0.7),
                  star_type="eclipsing_binary", star_type_p=0.9, **kw)
    assert (v.predicted_class, v.status, v.rules, v.model_class) == ("eclipsing_binary", CHECK, (7,),
                                                                     "other_variable")
    assert v.reason.startswith("Eclipsing binary by the star type, other variable by the model: check.")
    assert "the star type says eclipsing binary (p = 0.90)" in v.reason
    # not below the detection threshold, not on an unsure star type, not against a pulsator's type
    weak = reconcile(model_class="other_variable", probabilities=_probs("other_variable", 0.7),
                     star_type="eclipsing_binary", star_type_p=0.9, **{**kw, "snr": 5.0})
    assert weak.predicted_class == "other_variable" and 7 not in weak.rules
    unsure = reconcile(model_class="other_variable", probabilities=_probs("other_variable", 0.7),
                       star_type="eclipsing_binary", star_type_p=STAR_TYPE_MIN_P - 0.01, **kw)
    assert unsure.predicted_class == "other_variable"
    pulsator = reconcile(model_class="other_variable", probabilities=_probs("other_variable", 0.7),
                         star_type="gamma_dor", star_type_p=0.9, **kw)
    assert (pulsator.predicted_class, pulsator.status) == ("other_variable", CONFIDENT)
    # a model that says planet keeps its class (rule 5 asks for a check)
    planet = reconcile(model_class="planet_transit", probabilities=_probs("planet_transit", 0.8),
                       star_type="eclipsing_binary", star_type_p=0.9, **BASE)
    assert (planet.predicted_class, planet.rules) == ("planet_transit", (5,))


def test_rule_8_a_pulsators_or_a_binarys_star_type_speaks_where_no_dip_is_detected():
    kw = {**BASE, "rules_class": "nothing_significant", "rules_rule": "no periodic dip stands clearly above the noise",
          "snr": 5.4}
    v = reconcile(model_class="nothing_significant", probabilities=_probs("nothing_significant", 0.8),
                  star_type="delta_scuti", star_type_p=0.97, **kw)
    assert (v.predicted_class, v.status, v.rules, v.model_class) == ("other_variable", CHECK, (1, 8),
                                                                     "nothing_significant")
    assert v.reason == ("Other variable by the star type, nothing significant by the model: check. The star type "
                        "says δ Scuti (p = 0.97); the best dip (P = 3 d) has SNR 5.4, below the detection threshold "
                        "7.1; the model says nothing significant (p = 0.80).")
    # a model probability on a dip that is not a detection gives way to the pulsation too
    dip = reconcile(model_class="planet_transit", probabilities=_probs("planet_transit", 0.6),
                    star_type="gamma_dor", star_type_p=0.9, **kw)
    assert (dip.predicted_class, dip.rules) == ("other_variable", (1, 8))
    # a binary's star type: its light before detrending shows what the transit box did not
    eb = reconcile(model_class="nothing_significant", probabilities=_probs("nothing_significant", 0.8),
                   star_type="eclipsing_binary", star_type_p=0.8, **kw)
    assert (eb.predicted_class, eb.status, eb.rules) == ("eclipsing_binary", CHECK, (1, 8))
    assert eb.reason.startswith("Eclipsing binary by the star type, nothing significant by the model: check.")
    # a model's class below the threshold that the star type shares
    both = reconcile(model_class="eclipsing_binary", probabilities=_probs("eclipsing_binary", 0.6),
                     star_type="eclipsing_binary", star_type_p=0.8, **kw)
    assert (both.predicted_class, both.status, both.rules) == ("eclipsing_binary", CHECK, (1, 8))
    assert both.reason.startswith("Eclipsing binary by the star type and the model: check. The star type says "
                                  "eclipsing binary (p = 0.80); the model says eclipsing binary (p = 0.60), but the "
                                  "best dip")
    # not on an unsure star type, a quiet or rotating star's, or a planet host's (a planet
    # needs a detected transit), not above the threshold
    for st, p in (("delta_scuti", STAR_TYPE_MIN_P - 0.01), ("non_variable", 0.99), ("rotational", 0.99),
                  ("planet_host", 0.9)):
        w = reconcile(model_class="nothing_significant", probabilities=_probs("nothing_significant", 0.8),
                      star_type=st, star_type_p=p, **kw)
        assert w.predicted_class == "nothing_significant" and 8 not in w.rules, (st, p)
    det = reconcile(model_class="planet_transit", probabilities=_probs("planet_transit", 0.9),
                    star_type="delta_scuti", star_type_p=0.97, **BASE)
    assert det.predicted_class == "planet_transit" and 8 not in det.rules
    # a marginal dip above the threshold that the model and the vetting rules both call nothing
    marginal = reconcile(model_class="nothing_significant", probabilities=_probs("nothing_significant", 0.7),
                         star_type="delta_scuti", star_type_p=0.95, **{**kw, "snr": 8.5})
    assert (marginal.predicted_class, marginal.status, marginal.rules) == ("other_variable", CHECK, (8,))
    assert marginal.reason.startswith("Other variable by the star type, nothing significant by the model: check. "
                                      "The star type says δ Scuti (p = 0.95); a dip of SNR 8.5 stands above")
    # a model that already says other variable is confident
    agree = reconcile(model_class="other_variable", probabilities=_probs("other_variable", 0.8),
                      star_type="delta_scuti", star_type_p=0.97, **kw)
    assert (agree.predicted_class, agree.status, agree.rules) == ("other_variable", CONFIDENT, (1,))


def test_rule_5_the_star_type_disagreeing_asks_for_a_check():
    v = reconcile(model_class="planet_transit", probabilities=_probs("planet_transit", 0.83),
                  star_type="eclipsing_binary", star_type_p=0.84, **BASE)
    assert (v.predicted_class, v.status, v.rules) == ("planet_transit", CHECK, (5,))
    assert v.reason.startswith("Planet-like transit on an eclipsing-binary-like star: check.")
    assert "the star type says eclipsing binary (p = 0.84)" in v.reason
    # an unsure star type, or one that implies no class, claims nothing
    for st, p in (("eclipsing_binary", STAR_TYPE_MIN_P - 0.01), ("rotational", 0.99), ("other", 1.0)):
        w = reconcile(model_class="planet_transit", probabilities=_probs("planet_transit", 0.83), star_type=st,
                      star_type_p=p, **BASE)
        assert w.status == CONFIDENT, (st, p)
    # a pulsator's star type says "other variable"
    d = reconcile(model_class="planet_transit", probabilities=_probs("planet_transit", 0.9), star_type="delta_scuti",
                  star_type_p=0.9, **BASE)
    assert d.status == CHECK and "on a δ Scuti-like star" in d.reason


def test_rule_6_an_unsure_model_asks_for_a_check():
    v = reconcile(model_class="eclipsing_binary", probabilities=_probs("eclipsing_binary", 0.4),
                  **{**BASE, "rules_class": "eclipsing_binary", "rules_rule": "eclipsing-binary tells: V_SHAPED"})
    assert (v.predicted_class, v.status, v.rules) == ("eclipsing_binary", CHECK, (6,))
    assert "the model is unsure (p = 0.40 for eclipsing binary)" in v.reason


def test_without_a_model_the_vetting_rules_decide():
    v = reconcile(model_class=None, probabilities=None, **BASE)
    assert (v.predicted_class, v.status, v.source, v.model_class) == ("planet_transit", CONFIDENT, "vetting rules",
                                                                      "planet_transit")
    assert "the vetting rules say planet transit" in v.reason


# --------------------------------------------------------------------------- constructed analyses


@pytest.fixture(scope="module")
def planet_analysis(synth):
    t, f, _ = synth.light_curve("planet", seed=11)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyse_table_row(t, f, label="planet", options=AnalysisOptions(star_types=False))


def _star_type(name: str, p: float, period_days: float = 2.0):
    return SimpleNamespace(star_type=name, probabilities={name: p},
                           evidence=SimpleNamespace(dominant_period=period_days * u.day))


def test_verdict_of_an_analysis_reads_the_model_the_flags_and_the_star_type(planet_analysis):
    a = planet_analysis
    assert a.candidate.snr > 7.1 and a.flags == ""
    rules = verdict_of(a)
    assert (rules.predicted_class, rules.status, rules.source) == ("planet_transit", CONFIDENT, "vetting rules")
    classified = replace(a, classification=Classification(_probs("planet_transit", 0.9), "planet_transit", "m"))
    assert verdict_of(classified).status == CONFIDENT
    on_eb = replace(classified, star_type=_star_type("eclipsing_binary", 0.84))
    v = verdict_of(on_eb)
    assert (v.predicted_class, v.status) == ("planet_transit", CHECK)
    assert "eclipsing-binary-like star" in v.reason
    # the row every entry point shows carries it, beside the model's own decision
    row = result_row(on_eb)
    assert (row["predicted_class"], row["verdict_status"], row["model_class"]) == ("planet_transit", CHECK,
                                                                                     "planet_transit")
    assert row["verdict_reason"] == v.reason
    # the model's planet on a dip below the threshold
    weak = replace(classified, candidate=a.candidate.with_(snr=3.8))
    w = result_row(weak)
    assert (w["predicted_class"], w["verdict_status"], w["model_class"]) == ("nothing_significant", CHECK,
                                                                               "planet_transit")


def test_the_dominant_period_is_the_star_types_when_measured(planet_analysis):
    from starskope.analysis.verdict import variability

    a = planet_analysis
    own = variability(a)["period_days"]
    assert own == pytest.approx(10 ** a.scalar("log_dominant_period_days"))
    assert variability(replace(a, star_type=_star_type("rotational", 0.9, 5.04)))["period_days"] == 5.04


# --------------------------------------------------------------------------- the real stars of the issue


@pytest.fixture(scope="module")
def issue_stars(shared_data, tmp_path_factory):
    """WASP-18, TRAPPIST-1 (sector 70, 2-min) and a Kepler EB through the Python API, the
    classify command, the report command and the web app (the shipped model)."""
    from fastapi.testclient import TestClient

    from starskope.models import default_model
    from web.conftest import make_app, wait_for_job

    tmp = tmp_path_factory.mktemp("verdicts")
    files = {"wasp18": shared_data / WASP18, "trappist": shared_data / TRAPPIST1_S70, "eb": shared_data / KEPLER_EB,
             "contact": shared_data / CONTACT_EB, "pulsator": shared_data / PULSATOR}
    model = default_model()
    out: dict[str, dict] = {k: {} for k in files}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for k, path in files.items():
            a = analyse(path, model=model, options=options_for(model, warn=False))
            out[k]["api"] = {**result_row(a), "snr": float(a.candidate.snr), "star_type": a.star_type.star_type}
        csv = tmp / "classify.csv"
        assert main(["classify", *map(str, files.values()), "--out", str(csv), "--workers", "1", "--quiet"]) == 0
        df = pd.read_csv(csv, keep_default_na=False)
        for k, path in files.items():
            out[k]["classify"] = df[df["file"] == str(path)].iloc[0].to_dict()
            rep = tmp / f"report-{k}"
            assert main(["report", str(path), "--out", str(rep), "--no-saliency", "--quiet"]) == 0
            out[k]["report"] = json.loads(next(rep.glob("*.json")).read_text())
            out[k]["report_html"] = next(rep.glob("*.html")).read_text()
        with TestClient(make_app(tmp / "web", model="default", saliency=False)) as client:
            up = [("files", (p.name, p.read_bytes(), "application/octet-stream")) for p in files.values()]
            job = wait_for_job(client, client.post("/api/jobs", files=up).json()["id"], timeout=900)
            assert job["status"] == "done" and job["failed"] == 0, job
            stars = {s["label"]: s for s in client.get("/api/stars", params={"job_id": job["id"]}).json()}
            for k, path in files.items():
                s = stars[path.name]
                out[k]["web"] = s
                out[k]["web_page"] = client.get(s["page_url"]).text
                out[k]["web_doc"] = client.get(s["report_url"]).json()
    return out


def _badge(html: str) -> tuple[str, str]:
    """(class, status) of the one verdict badge of a page."""
    import re

    found = re.findall(r'<div class="sk-verdict sk-(\w+)(?: sk-status-(\w+))?" id="sk-verdict" data-status="(\w*)"',
                       html)
    assert len(found) == 1, found
    cls, status, data = found[0]
    assert status == data
    return cls, status


@pytest.mark.parametrize("star", ["wasp18", "trappist", "eb", "contact", "pulsator"])
def test_one_verdict_in_classify_the_report_and_the_web_page(issue_stars, star):
    got = issue_stars[star]
    ref = got["api"]
    for where in ("classify", "report", "web_doc"):
        row = got[where] if where == "classify" else got[where]["summary"]
        for key in ("predicted_class", "verdict_status", "verdict_reason", "model_class"):
            assert row[key] == ref[key], (star, where, key, row[key], ref[key])
    assert got["web"]["predicted_class"] == ref["predicted_class"]  # the results list
    for where in ("report", "web_doc"):
        v = got[where]["verdict"]
        assert (v["class"], v["status"], v["verdict_reason"]) == (ref["predicted_class"], ref["verdict_status"],
                                                                  ref["verdict_reason"])
    # one badge on the report page and on the web page, styled by its status
    for html in (got["report_html"], got["web_page"]):
        assert _badge(html) == (ref["predicted_class"], ref["verdict_status"])


def test_wasp18_is_a_planet_on_an_eclipsing_binary_like_star_to_check(issue_stars):
    ref = issue_stars["wasp18"]["api"]
    assert ref["model_class"] == "planet_transit" and ref["snr"] > 100 and ref["flags"] == ""
    assert ref["star_type"] == "eclipsing_binary"
    assert (ref["predicted_class"], ref["verdict_status"]) == ("planet_transit", CHECK)
    assert ref["verdict_reason"].startswith("Planet-like transit on an eclipsing-binary-like star: check.")


#: TRAPPIST-1's seven planets (days; Agol et al. 2021).
TRAPPIST1_PERIODS = (1.51088, 2.42182, 4.04961, 6.09965, 9.20669, 12.35294, 18.7729)


def test_trappist1_s70_is_no_confident_planet_on_the_wrong_dip(issue_stars):
    """The flaring M dwarf: a confident planet only at one of its planets' orbits."""
    ref = issue_stars["trappist"]["api"]
    if ref["predicted_class"] == "planet_transit" and ref["verdict_status"] == CONFIDENT:
        assert min(abs(ref["period_days"] / p - 1) for p in TRAPPIST1_PERIODS) < 0.01, ref
        assert ref["snr"] >= 7.1
    if ref["snr"] < 7.1:  # the dip the model gives its planet probability to
        assert ref["predicted_class"] in ("nothing_significant", "other_variable")
        assert ref["verdict_status"] == CHECK and "below the detection threshold 7.1" in ref["verdict_reason"]
        if ref["model_class"] == "planet_transit":
            assert ref["verdict_reason"].startswith("Not a detection")


def test_the_catalogue_eb_is_an_eclipsing_binary(issue_stars):
    ref = issue_stars["eb"]["api"]
    assert ref["predicted_class"] == "eclipsing_binary" and ref["star_type"] == "eclipsing_binary"
    if ref["model_class"] != "eclipsing_binary":  # the model's own decision stays visible, and is checked
        assert ref["verdict_status"] == CHECK and "by the model" in ref["verdict_reason"]


def test_a_contact_binary_is_detected_by_its_fold_not_its_box(issue_stars):
    """A dip that leaves no flat baseline within the orbit is judged by the SNR of the folded
    light curve's variation (vetting's ``periodic_snr``), not the box SNR against the
    binary's own light: an eclipsing binary, not "nothing significant"."""
    ref = issue_stars["contact"]["api"]
    assert ref["snr"] < 7.1 and abs(ref["period_days"] / 0.44170 - 1) < 0.01
    assert ref["predicted_class"] == "eclipsing_binary", ref["verdict_reason"]
    assert "below the detection threshold" not in ref["verdict_reason"]
    doc = issue_stars["contact"]["report"]
    assert "the folded light curve varies at SNR" in doc["verdict"]["reason"]
    wide = next(e for e in doc["evidence"] if e["name"] == "periodic_snr")
    assert wide["value"] > 30


def test_a_pulsator_without_a_transit_like_dip_is_another_variable(issue_stars):
    """Rule 8 on a real star: the transit search finds no dip above 7.1σ, the model says
    nothing significant, the star type (never trained on this star) says δ Scuti — the star
    is a variable, and the verdict says which judge said so."""
    ref = issue_stars["pulsator"]["api"]
    assert ref["snr"] < 7.1 and ref["star_type"] == "delta_scuti"
    assert (ref["predicted_class"], ref["verdict_status"]) == ("other_variable", CHECK)
    assert ref["verdict_reason"].startswith("Other variable by the star type")
    assert "The star type says δ Scuti" in ref["verdict_reason"]
    assert "below the detection threshold 7.1" in ref["verdict_reason"]


def test_a_binary_the_transit_search_misses_is_named_by_its_star_type(shared_data):
    """Rule 8 on a real binary of the kept-aside half (TIC 268303870, TESS FFI): no dip reaches
    7.1σ in the detrended light curve, the model says nothing significant, the star type
    (which reads the light curve before detrending) says eclipsing binary."""
    from starskope.models import default_model

    model = default_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyse(shared_data / "tess/ffi/268303870.fits.gz", model=model, options=options_for(model, warn=False))
    v = verdict_of(a)
    assert a.candidate.snr < 7.1 and a.star_type.star_type == "eclipsing_binary"
    assert (v.predicted_class, v.status, v.model_class) == ("eclipsing_binary", CHECK, "nothing_significant")
    assert 8 in v.rules and v.reason.startswith("Eclipsing binary by the star type")


def test_a_detached_binary_is_measured_against_its_noise_not_its_secondary(shared_data):
    """TIC 378086310 (TESS FFI, catalogue P = 2.8219 d): a 12.8-h, 2400-ppm primary and a
    1400-ppm secondary at phase 0.35. Counted as noise, the secondary put the primary at
    SNR 6.6 — "not a detection"; measured against the noise, the dip is detected and its
    secondary eclipse is in the verdict's reason (what it is, the model and the star type
    then say: they call it variable, and the verdict says to check)."""
    from starskope.models import default_model

    model = default_model()
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyse(shared_data / "tess/ffi/378086310.fits.gz", model=model, options=options_for(model, warn=False))
    assert abs(a.candidate.period_days / 2.82187 - 1) < 0.01
    assert a.candidate.snr >= 7.1 and "SIGNIFICANT_SECONDARY" in a.vetting.flag_names
    assert a.verdict.detected and 1 not in a.verdict.rules
    assert "below the detection threshold" not in a.verdict.reason
    assert "SIGNIFICANT_SECONDARY" in a.verdict.reason


def test_a_report_states_one_dominant_period(issue_stars):
    for star in ("wasp18", "trappist", "eb"):
        doc = issue_stars[star]["report"]
        shown = next(p for p in doc["parameters"]["star"] if p["name"] == "Dominant variability period")
        assert shown["value"] == pytest.approx(doc["star_type"]["dominant_period_d"], rel=1e-9), star


def test_the_page_of_a_check_verdict_names_it(issue_stars):
    page = issue_stars["wasp18"]["web_page"]
    assert 'id="sk-verdict-status"' in page and ">check</div>" in page
    assert "Planet-like transit on an eclipsing-binary-like star: check." in page
