"""The report's Plotly figures are data: check them as data."""

from __future__ import annotations

import json

import numpy as np
import pytest

from starskope.report import plots


def _lc(n=500, seed=0):
    rng = np.random.default_rng(seed)
    t = 2458325.0 + np.arange(n) * 0.02
    f = 1 + 1e-3 * rng.normal(size=n)
    return t, f


def test_time_axis_per_mission():
    assert plots.time_axis("TESS") == (2457000.0, "Time [BTJD = BJD_TDB − 2457000]")
    assert plots.time_axis("Kepler")[0] == 2454833.0 and plots.time_axis("K2")[0] == 2454833.0
    assert plots.time_axis("")[1] == "Time [BJD_TDB − 2450000]"


def test_lightcurve_figure_marks_flagged_outliers_and_missing():
    t, f = _lc()
    qf = np.zeros(t.size, bool)
    qf[10:20] = True
    f[15:20] = np.nan  # flagged cadences without flux go on the rug below
    ol = np.zeros(t.size, bool)
    ol[100] = True
    kept = ~qf & ~ol
    fig = plots.lightcurve_figure(t, f, kept=kept, quality_flagged=qf, outliers=ol, trend_time=t[kept],
                                  trend=np.ones(kept.sum()), mission="TESS", transit_times=[t[50], t[300]],
                                  quality_bitmask=175)
    names = [d["name"] for d in fig["data"]]
    assert names[0].startswith("flux (489 cadences kept)")
    assert any(n.startswith("QUALITY-flagged (10; mask 175)") for n in names)
    assert any(n.startswith("flagged, no flux (5)") for n in names)
    assert any(n.startswith("outliers removed (1)") for n in names)
    flagged = next(d for d in fig["data"] if d["name"].startswith("QUALITY"))
    assert len(flagged["x"]) == 5  # the five with flux
    assert flagged["x"][0] == pytest.approx(t[10] - 2457000.0, abs=1e-5)
    assert len(fig["layout"]["shapes"]) == 2
    json.dumps(fig, allow_nan=False)  # strict JSON: NaN became null


def test_detrended_figure_with_saliency():
    t, f = _lc(3000)
    sal = {"start": [t[0], t[1000]], "stop": [t[1000], t[2999] + 0.01], "value": [0.2, None]}
    fig = plots.detrended_figure(t, f, mission="Kepler", saliency=sal)
    s = next(d for d in fig["data"] if d["name"].startswith("saliency"))
    assert s["yaxis"] == "y2" and max(v for v in s["y"] if v is not None) == pytest.approx(0.2)
    assert fig["layout"]["yaxis2"]["range"][1] == pytest.approx(0.22)
    assert any(d["name"].startswith("binned") for d in fig["data"])


def test_binned_means_and_errors():
    x = np.array([0.1, 0.2, 0.6, 0.7, 2.5])
    y = np.array([1.0, 3.0, 5.0, 7.0, 9.0])
    c, m, e = plots.binned(x, y, 1.0, 0.0, 3.0)
    np.testing.assert_allclose(c, [0.5, 2.5])
    np.testing.assert_allclose(m, [4.0, 9.0])
    assert e[0] == pytest.approx(np.std([1, 3, 5, 7], ddof=1) / 2)
    assert plots.binned(np.array([]), np.array([]), 1.0)[0].size == 0


def test_trapezoid_model_shape():
    dt = np.linspace(-0.2, 0.2, 401)
    m = plots.trapezoid_model(dt, 0.01, 0.1, 0.02)
    assert m.min() == pytest.approx(0.99) and m[0] == 1.0
    assert m[200] == pytest.approx(0.99)
    assert plots.trapezoid_model(np.array([0.045]), 0.01, 0.1, 0.02)[0] == pytest.approx(1 - 0.01 * 0.25)


def test_periodogram_keeps_the_peak_when_thinned():
    p = np.linspace(0.5, 20, 20000)
    power = np.random.default_rng(1).random(p.size)
    power[12345] = 400.0
    fig = plots.periodogram_figure(p, power, best_period=float(p[12345]), sde=12.0)
    y = fig["data"][0]["y"]
    assert len(y) <= 3500 and max(y) == pytest.approx(20.0)
    assert fig["layout"]["xaxis"]["type"] == "log"
    assert "best P" in fig["layout"]["title"]["text"]
    assert len(fig["layout"]["shapes"]) == 2  # P and P/2; 2P = 25 d is off the axis


def test_fold_odd_even_secondary_and_model_panels():
    t, f = _lc(2000)
    P, E, D = 2.0, t[0] + 0.5, 0.1
    ph = ((t - E) / P + 0.5) % 1 - 0.5
    f[np.abs(ph * P) < D / 2] -= 0.01
    fold = plots.fold_figure(t, f, period=P, epoch=E, secondary_phase=0.5)
    binned = fold["data"][1]
    assert min(binned["y"]) < -5  # the 10 ppt transit, in ppt
    tr = plots.transit_fold_figure(t, f, period=P, epoch=E, duration=D, depth=0.01, ingress=0.01, depth_err=1e-4)
    model = tr["data"][2]
    assert min(model["y"]) == pytest.approx(-10.0)
    assert "depth 10000 ± 100 ppm" in tr["layout"]["title"]["text"]
    oe = plots.odd_even_figure(t, f, period=P, epoch=E, duration=D, odd_depth=10000.0, even_depth=9000.0,
                               odd_even_sigma=4.2)
    assert "4.2σ" in oe["layout"]["title"]["text"]
    assert {s["y0"] for s in oe["layout"]["shapes"]} == {-10.0, -9.0}
    sec = plots.secondary_figure(t, f, period=P, epoch=E, duration=D, phase=0.5, depth_ppm=50.0, sigma=1.2,
                                 planet_limit_ppm=20.0)
    assert "(1.2σ)" in sec["layout"]["title"]["text"] and len(sec["layout"]["shapes"]) == 2
    for fig in (fold, tr, oe, sec):
        json.dumps(fig, allow_nan=False)


def test_probability_and_contribution_bars():
    probs = {"planet_transit": 0.7, "eclipsing_binary": 0.2, "other_variable": 0.05, "nothing_significant": 0.05}
    fig = plots.probabilities_figure(probs, {"planet_transit": "Planet transit"})
    assert fig["data"][0]["y"][-1] == "Planet transit" and fig["data"][0]["x"][-1] == 0.7
    con = {"members": [{"name": "gbt", "contribution": 0.3}], "branches": [{"name": "local", "contribution": -0.1}]}
    bars = plots.contributions_figure(con)["data"][0]
    assert bars["y"] == ["CNN branch: local", "member: gbt"]
    assert bars["marker"]["color"] == [plots.COLORS["negative"], plots.COLORS["positive"]]
