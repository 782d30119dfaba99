"""Evidence tables, the evidence verdict and the reason paragraph, on real stars."""

from __future__ import annotations

import math
import re

import pytest

from starskope.errors import ParameterError
from starskope.explain import (
    EvidenceRow,
    evidence_table,
    evidence_verdict,
    explain,
    format_value,
    is_marginal,
    reason_paragraph,
)
from starskope.search import TransitCandidate


def test_pi_men_is_a_planet_with_its_evidence(real_analyses):
    a = real_analyses["pi_men"]
    ex = explain(a, None)
    assert ex.verdict == "planet_transit" and ex.verdict_source == "vetting rules"
    assert ex.analysis.candidate.period_days == pytest.approx(6.2678, abs=0.005)  # pi Men c
    assert 1.5 < ex.planet_radius_earth < 3.0  # 2.0 R_earth published
    text = ex.reason
    # the reason names the orbit as measured (4 significant digits)
    orbit = re.search(r"on a ([\d.]+)-day orbit", text)
    assert orbit and float(orbit.group(1)) == pytest.approx(6.2678, abs=0.005)
    assert "flat-bottomed" in text and "odd and even transits agree" in text
    assert "no significant secondary eclipse" in text and "R⊕ planet" in text
    assert "no trained model" in text
    # every number in the paragraph comes from the vetting report
    rep = a.vetting
    assert f"{rep.value('odd_even'):.1f}σ" in text
    assert f"{rep.value('radius'):.2f} R⊕" in text


def test_kepler_eb_is_an_eclipsing_binary_with_its_evidence(real_analyses):
    a = real_analyses["eb"]
    ex = explain(a, None)
    assert ex.verdict == "eclipsing_binary"
    rep = a.vetting
    assert "SIGNIFICANT_SECONDARY" in rep.flag_names
    text = ex.reason
    assert "secondary eclipse is present" in text and f"{rep.value('secondary'):.1f}σ" in text
    assert f"phase {rep.value('secondary_phase'):.3f}" in text
    assert "an eclipsing binary" in text
    assert "SIGNIFICANT_SECONDARY" in ex.evidence_rule


def test_quiet_tess_star_has_nothing_significant(real_analyses):
    a = real_analyses["quiet"]
    ex = explain(a, None)
    assert ex.verdict == "nothing_significant"
    assert "No periodic dip is significant" in ex.reason
    assert f"SNR {a.candidate.snr:.1f}" in ex.reason and "below the 7.1 detection threshold" in ex.reason
    assert not a.vetted_for_model and ex.summary()["flags"] == ""


def test_odd_even_difference_says_twice_the_period(synth):
    import astropy.units as u

    from starskope.analysis import analyse_table_row
    from starskope.vetting import vet

    t, f, _ = synth.light_curve("eb", seed=3)
    a = analyse_table_row(t, f, label="eb")
    assert explain(a, None).verdict == "eclipsing_binary"
    # the binary vetted at half its period (where a search that folds both eclipses puts it)
    half = vet((a.time, a.flux), a.candidate.with_(period=a.candidate.period / 2))
    assert "ODD_EVEN" in half.flag_names
    text = reason_paragraph("eclipsing_binary", candidate=half.candidate, report=half)
    assert re.search(r"odd and even depths differ by \d+\.\dσ", text, re.I)
    assert "at twice the period, 2P = " in text
    two_p = float(re.search(r"2P = ([\d.]+) d", text).group(1))
    assert two_p == pytest.approx(2 * half.candidate.period.to_value(u.day), rel=1e-3)


def test_evidence_table_rows_and_order(real_analyses):
    rep = real_analyses["eb"].vetting
    rows = evidence_table(rep)
    assert len(rows) == len(rep.diagnostics)
    stances = [r.stance for r in rows]
    assert stances == sorted(stances, key=["against planet", "for planet", "neutral"].index)
    sec = next(r for r in rows if r.name == "secondary")
    assert sec.stance == "against planet" and sec.unit == "sigma" and sec.threshold == 3.0
    assert sec.value_text.endswith("σ") and sec.to_dict()["threshold_text"] == "3.00σ"
    depth = next(r for r in rows if r.name == "depth")
    assert depth.value_text.endswith("ppm")
    assert evidence_table(None) == []


def test_evidence_row_rejects_unknown_stance():
    with pytest.raises(ParameterError, match="stance must be one of"):
        EvidenceRow("x", "x", 1.0, "", None, "maybe", "")


def test_format_value():
    assert format_value(float("nan"), "ppm") == "—"
    assert format_value(None) == "—"
    assert format_value(304.6, "ppm") == "305 ppm"
    assert format_value(6.2, "sigma") == "6.20σ"
    assert format_value(2.19, "R_earth") == "2.19 R⊕"
    assert format_value(2458338.04055, "BJD_TDB") == "2458338.04055"
    assert format_value(1.2e-5, "") == "1.20e-05"


def test_marginal_detections():
    def cand(snr, n, sde):
        return TransitCandidate.from_floats(5.0, 2458000.0, 3.0, 500.0, snr=snr, n_transits=n, extra={"sde": sde})

    assert is_marginal(None)
    assert is_marginal(cand(5.0, 10, 12.0))          # below threshold
    assert is_marginal(cand(8.0, 2, 12.0))           # two transits, low SNR
    assert is_marginal(cand(8.0, 6, 4.0))            # peak does not stand out
    assert not is_marginal(cand(8.0, 6, 9.0))
    assert not is_marginal(cand(28.0, 2, 2.7))       # strong enough whatever the peak


def test_evidence_verdict_rules(real_analyses):
    a = real_analyses["pi_men"]
    assert evidence_verdict(a.candidate, a.vetting)[0] == "planet_transit"
    assert evidence_verdict(None, None)[0] == "nothing_significant"
    assert evidence_verdict(None, None, variability_over_noise=80.0)[0] == "other_variable"


def test_reason_mentions_the_model_and_disagreement(real_analyses):
    a = real_analyses["pi_men"]
    probs = {"planet_transit": 0.2, "eclipsing_binary": 0.7, "other_variable": 0.05, "nothing_significant": 0.05}
    text = reason_paragraph("eclipsing_binary", candidate=a.candidate, report=a.vetting, probabilities=probs,
                            evidence_class="planet_transit", evidence_rule="rule", model_name="ensemble model")
    assert text.startswith("Eclipsing binary: probability 0.70 by the ensemble model; next planet transit, 0.20.")
    assert "The vetting rules alone would say planet transit (rule)" in text
    assert math.isfinite(a.candidate.snr)
    sure = reason_paragraph("planet_transit", candidate=a.candidate, report=a.vetting,
                            probabilities={"planet_transit": 0.998, "eclipsing_binary": 0.002,
                                           "other_variable": 0.0, "nothing_significant": 0.0})
    assert sure.startswith("Planet transit: probability 0.998; next eclipsing binary, 0.002.")


def test_variability_is_mentioned_for_variables_not_for_eclipses(synth):
    from starskope.analysis import analyse_table_row

    t, f, _ = synth.light_curve("variable", seed=5)
    var = explain(analyse_table_row(t, f, label="v"), None)
    assert "Before detrending the star varies by" in var.reason and "× its" in var.reason
    t, f, _ = synth.light_curve("eb", seed=5)
    eb = explain(analyse_table_row(t, f, label="eb"), None)
    assert eb.verdict == "eclipsing_binary" and "Before detrending" not in eb.reason


def test_the_shipped_model_on_the_three_stars(real_analyses):
    """With the model shipped with starskope: planet, eclipsing binary with its evidence, nothing."""
    from starskope.explain import default_model_or_none

    model = default_model_or_none()
    if model is None:
        pytest.skip("no default model shipped in this checkout")
    got = {k: explain(a, model, saliency=False) for k, a in real_analyses.items()}
    assert got["pi_men"].verdict == "planet_transit" and got["pi_men"].p_planet > 0.5
    assert got["eb"].verdict == "eclipsing_binary" and "secondary eclipse is present" in got["eb"].reason
    assert got["quiet"].verdict == "nothing_significant"
    for ex in got.values():
        assert "The vetting rules agree" in ex.reason
        assert len(ex.contributions.members) == len(model.members_)
