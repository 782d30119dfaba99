"""Occlusion saliency and model contributions, with a scripted scorer and a tiny trained model."""

from __future__ import annotations

import re
import warnings

import numpy as np
import pytest

from starskope.analysis import analyse_table_row
from starskope.errors import ParameterError
from starskope.explain import (
    CLASS_TITLES,
    explain,
    find_view_cnn,
    model_contributions,
    occlusion_saliency,
    view_cnn_scorer,
)
from starskope.models.view_cnn import BRANCHES


def _planet(synth, seed=11):
    t, f, truth = synth.light_curve("planet", seed=seed)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return analyse_table_row(t, f, label="planet"), truth


def local_depth_score(views):
    """A scorer that is the transit depth seen in the local view (its centre bins)."""
    loc = views["local"]
    mid = loc.shape[1] // 2
    return -loc[:, mid - 5: mid + 6].mean(axis=1)


def test_saliency_is_largest_where_the_transits_are(synth):
    a, truth = _planet(synth)
    c = a.star.candidate
    sal = occlusion_saliency(a.time, a.flux, period=c.period_days, epoch=c.epoch_bjd, duration=c.duration_days,
                             depth=c.depth_ppm * 1e-6, score=local_depth_score, view_spec=a.options.views())
    centres = 0.5 * (sal.start + sal.stop)
    phase = ((centres - truth["epoch"]) / truth["period"] + 0.5) % 1 - 0.5
    near = np.abs(phase * truth["period"]) < truth["duration"]
    ok = np.isfinite(sal.value)
    # flattening a transit weakens the dip; flattening out-of-transit data changes little
    assert np.nanmean(sal.value[near & ok]) > 5 * np.nanmean(np.abs(sal.value[~near & ok]))
    assert near[np.nanargmax(sal.value)]
    # per-cadence values come from the windows
    per = sal.at(a.time)
    assert per.shape == a.time.shape and np.isfinite(per).all()
    assert np.isnan(sal.at(np.array([a.time[0] - 10.0]))).all()
    d = sal.to_dict()
    assert len(d["start"]) == sal.start.size and "occlusion" in d["method"]


def test_saliency_windows_without_data_are_nan(synth):
    a, _ = _planet(synth)
    c = a.star.candidate
    t = a.time.copy()
    f = a.flux.copy()
    gap = (t > t[0] + 10) & (t < t[0] + 14)
    f[gap] = np.nan
    sal = occlusion_saliency(t, f, period=c.period_days, epoch=c.epoch_bjd, duration=c.duration_days,
                             depth=c.depth_ppm * 1e-6, score=local_depth_score, view_spec=a.options.views())
    inside = (sal.start > t[0] + 10.2) & (sal.stop < t[0] + 13.8)
    assert inside.any() and np.isnan(sal.value[inside]).all()


def test_saliency_errors():
    t = np.linspace(0, 10, 100) + 2456977.0
    f = np.ones(100)
    kw = {"period": 2.0, "epoch": 2456977.5, "duration": 0.1, "depth": 1e-3, "score": local_depth_score}
    with pytest.raises(ParameterError, match="differ in length"):
        occlusion_saliency(t, f[:50], **kw)
    with pytest.raises(ParameterError, match="at least 10 finite points"):
        occlusion_saliency(t[:5], f[:5], **kw)
    with pytest.raises(ParameterError, match="must be positive days"):
        occlusion_saliency(t, f, **{**kw, "period": -1.0})
    with pytest.raises(ParameterError, match="score returned shape"):
        occlusion_saliency(t, f, **{**kw, "score": lambda v: np.zeros(3)})


def test_explain_with_a_model(synth, tiny_model):
    a, _ = _planet(synth, seed=21)
    ex = explain(a, tiny_model)
    assert ex.verdict_source == "model"
    assert set(ex.probabilities) == {"planet_transit", "eclipsing_binary", "other_variable", "nothing_significant"}
    assert sum(ex.probabilities.values()) == pytest.approx(1.0)
    assert ex.model_class == max(ex.probabilities, key=ex.probabilities.get)
    # the paragraph opens with the star's one verdict, then says what the model gave
    assert ex.reason.startswith(ex.verdict_reason) and ex.status in ("confident", "check")
    title = CLASS_TITLES[ex.model_class]
    m = re.search(rf"{re.escape(title)}: probability (\d\.\d+) by the ensemble model", ex.reason)
    assert m and float(m.group(1)) == pytest.approx(ex.probabilities[ex.model_class], abs=0.005)
    # the occlusion rebuilds exactly the views the feature extractor built
    assert ex.saliency is not None
    cnn = find_view_cnn(tiny_model)
    assert ex.saliency.score_full == pytest.approx(view_cnn_scorer(cnn, a.features)(a.features.views)[0], abs=1e-4)
    # and the score is the CNN's planet log-odds (here with every branch)
    p = ex.contributions.cnn_p_planet
    full = view_cnn_scorer(cnn, a.features, views_only=False)(a.features.views)[0]
    assert full == pytest.approx(np.log(p / (1 - p)), abs=1e-3)
    assert "log-odds" in ex.saliency.to_dict()["score"]
    assert ex.model["name"] == "ensemble" and ex.model["version"].startswith("ensemble ")
    s = ex.summary()
    assert s["p_planet_transit"] == pytest.approx(ex.p_planet) and s["model_version"] == ex.model["version"]


def test_member_contributions_and_weights(synth, tiny_model):
    a, _ = _planet(synth, seed=22)
    con = model_contributions(tiny_model, a.features)
    assert [m.name for m in con.members] == ["view-cnn", "gbt"]
    assert sum(m.weight for m in con.members) == pytest.approx(1.0)
    # ablating a member = giving the stacker a uniform distribution in its place
    probs = tiny_model.member_probabilities(a.features)
    for m in con.members:
        p_abl = tiny_model.combine({n: np.full_like(probs[n], 0.25) if n == m.name else probs[n]
                                    for n, _ in tiny_model.members_})[0, 0]
        assert m.contribution == pytest.approx(con.p_planet - p_abl, abs=1e-9)
        assert m.p_planet == pytest.approx(probs[m.name][0, 0])
    assert [b.name for b in con.branches] == list(BRANCHES)
    assert con.p_planet == pytest.approx(tiny_model.predict_proba(a.features)[0, 0])


def test_contributions_of_a_model_without_a_cnn(synth, tiny_model):
    a, _ = _planet(synth, seed=23)
    gbt = dict(tiny_model.members_)["gbt"]
    assert find_view_cnn(gbt) is None and find_view_cnn(None) is None
    assert find_view_cnn(tiny_model) is dict(tiny_model.members_)["view-cnn"]
    con = model_contributions(gbt, a.features)
    assert con.members == [] and con.branches == []
    assert "no view CNN" in con.notes[0]


def test_explain_refuses_a_model_with_other_classes(synth, tiny_model):
    a, _ = _planet(synth, seed=24)

    class Binary:
        classes_ = np.array([0, 1])

    with pytest.raises(ParameterError, match="needs a four-class starskope model"):
        explain(a, Binary())


def test_probabilities_equal_those_of_classify(shared_data, tiny_model):
    """A report and `starskope classify` give a star the same probabilities."""
    from starskope.analysis import analyse, options_for
    from starskope.pipeline import classify

    path = shared_data / "tess/misc/zclaytor+lcs_demo/hlsp_tess-spoc_tess_phot_0000000261136679-s0001_tess_v1_lc.fits"
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        df = classify([path], tiny_model)
        ex = explain(analyse(path, options=options_for(tiny_model), model=tiny_model, detail=True), tiny_model,
                     saliency=False)
    for cls, p in ex.probabilities.items():
        assert df[f"p_{cls}"].iloc[0] == pytest.approx(p, abs=1e-9)
    assert df["predicted_class"].iloc[0] == ex.verdict
    assert df["period_days"].iloc[0] == ex.analysis.candidate.period_days
    assert df["depth_ppm"].iloc[0] == ex.analysis.candidate.depth_ppm
