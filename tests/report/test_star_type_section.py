"""The report's "What kind of star" section: star type, per-type probabilities and the
periodogram evidence (Lomb–Scargle amplitude spectrum, folded curve) on real stars."""

from __future__ import annotations

import math
import re
import warnings
from types import SimpleNamespace

import numpy as np
import pytest

from starskope.analysis import analyse_file
from starskope.explain import explain
from starskope.report import build_report, render_html, star_type_section, to_json
from starskope.report.plots import amplitude_spectrum_figure, star_type_fold_figure
from starskope.startypes import STAR_TYPES, classify_star_type

# TIC 120627477: a delta Scuti star of the kept-aside TESS FFI stars (never trained on);
# KIC 7630690: a Kepler eclipsing binary (Villanova catalogue), 400 days as NPZ.
DELTA_SCUTI = "tess/ffi/120627477.fits.gz"
KEPLER_EB_NPZ = "kepler/eb/kic007630690_eb.npz"


def _doc(path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ex = explain(analyse_file(path, detail=True, **kw), None, saliency=False)
    return build_report(ex, source=str(path))


@pytest.fixture(scope="module")
def dsct_doc(shared_data):
    return _doc(shared_data / DELTA_SCUTI)


@pytest.fixture(scope="module")
def eb_doc(shared_data):
    return _doc(shared_data / KEPLER_EB_NPZ, mission="Kepler")


def test_delta_scuti_section(dsct_doc, shared_data):
    st = dsct_doc["star_type"]
    assert st["star_type"] == "delta_scuti" and st["title"] == "δ Scuti"
    assert set(st["probabilities"]) == set(STAR_TYPES)
    assert sum(st["probabilities"].values()) == pytest.approx(1.0, abs=1e-6)
    assert st["star_type"] == max(st["probabilities"], key=st["probabilities"].get) == st["ranked"][0]
    assert st["p_type_delta_scuti"] == st["probabilities"]["delta_scuti"]
    # the same numbers as classifying the light curve directly (raw flux, default quality mask)
    import lightkurve as lk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        direct = classify_star_type(lk.read(str(shared_data / DELTA_SCUTI)))
    assert direct.star_type == st["star_type"]
    assert direct.probabilities["delta_scuti"] == pytest.approx(st["probabilities"]["delta_scuti"], abs=0.02)
    assert st["dominant_period_d"] == pytest.approx(direct.evidence.dominant_period.value, rel=1e-3)
    assert st["amplitude_over_noise"] == pytest.approx(st["amplitude_ppt"] / st["noise_ppt"])
    assert st["fold_period_d"] == pytest.approx(2 * st["dominant_period_d"])
    assert 600 < st["n_cadences"] <= dsct_doc["star"]["n_cadences"]
    to_json(dsct_doc)  # strict JSON


def test_spectrum_and_fold_figures_carry_the_evidence(dsct_doc):
    st = dsct_doc["star_type"]
    spec = dsct_doc["figures"]["star_type_spectrum"]
    f, amp = np.array(spec["data"][0]["x"], float), np.array(spec["data"][0]["y"], float)
    assert f.size > 1000 and f.max() > 20  # up to the 30-min Nyquist frequency, 24 c/d
    f1 = 1.0 / st["dominant_period_d"]
    # the dominant period is marked (solid line and diamond) at the spectrum's highest peak
    marker = spec["data"][1]
    assert marker["x"][0] == pytest.approx(f1, rel=1e-5)
    assert f[np.nanargmax(amp)] == pytest.approx(f1, rel=0.01)
    assert np.nanmax(amp) == pytest.approx(st["amplitude_ppt"], rel=0.05)
    solid = [s for s in spec["layout"]["shapes"] if s.get("line", {}).get("dash") == "solid"]
    assert solid and solid[0]["x0"] == pytest.approx(f1)
    assert f"{st['dominant_period_d']:.5g} d" in spec["layout"]["title"]["text"]
    noise = [s for s in spec["layout"]["shapes"] if s.get("xref") == "paper"]
    assert noise and noise[0]["y0"] == pytest.approx(st["noise_ppt"])
    fold = dsct_doc["figures"]["star_type_fold"]
    assert f"{st['fold_period_d']:.5g} d" in fold["layout"]["title"]["text"]
    binned = fold["data"][-1]
    assert len(binned["x"]) == 2 * 100 and min(binned["x"]) >= -0.5 and max(binned["x"]) <= 1.5
    probs = dsct_doc["figures"]["star_type_probabilities"]["data"][0]
    assert dict(zip(probs["y"], probs["x"], strict=True))["δ Scuti"] == pytest.approx(
        st["probabilities"]["delta_scuti"], abs=1e-4)


def test_eclipsing_binary_fold_shows_the_eclipse_at_phase_zero(eb_doc):
    st = eb_doc["star_type"]
    assert st["star_type"] == "eclipsing_binary"
    fold = eb_doc["figures"]["star_type_fold"]
    cad, binned = fold["data"][0], fold["data"][1]
    x, y = np.array(cad["x"], float), np.array(cad["y"], float)
    bx, by = np.array(binned["x"], float), np.array(binned["y"], float)
    # the binned minimum sits at phase 0 and the cadences line up with it
    assert abs(bx[np.nanargmin(by)]) < 0.02 or abs(abs(bx[np.nanargmin(by)]) - 1) < 0.02
    near0 = np.abs(x) < 0.02
    away = (np.abs(x - 0.25) < 0.02)
    assert np.median(y[near0]) < np.median(y[away]) - 0.5 * st["eclipse"]["depth"]
    assert st["eclipse"]["depth"] > 0.3  # ppt


def test_html_shows_the_section(dsct_doc):
    page = render_html(dsct_doc, plotly="url")
    assert 'id="sk-startype"' in page and 'data-star-type="delta_scuti"' in page
    for name in ("star_type_spectrum", "star_type_fold", "star_type_probabilities"):
        assert f'data-figure="{name}"' in page
    section = page[page.index('id="sk-startype"'):page.index('id="sk-model"')]
    assert "δ Scuti" in section and "p-mode pulsator" in section
    assert f"{dsct_doc['star_type']['dominant_period_d']:.5g} d" in section
    assert re.search(r"Semi-amplitude</td><td class=\"sk-num\">[0-9.]+ ppt", section)


def test_section_can_be_left_out_and_reports_failures(dsct_doc, shared_data):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ex = explain(analyse_file(shared_data / DELTA_SCUTI, detail=True), None, saliency=False)
    doc = build_report(ex, star_type=None)
    assert doc["star_type"] is None and not any(k.startswith("star_type") for k in doc["figures"])
    assert 'id="sk-startype"' not in render_html(doc, plotly="url")
    # too few cadences: the section says why instead of failing the report
    short = SimpleNamespace(raw_time=np.linspace(2458000.0, 2458001.0, 60), raw_flux=np.ones(60),
                            quality_flagged=np.zeros(60, bool), label="short.fits", target="")
    section, figures = star_type_section(short)
    assert figures == {} and re.search(r"short\.fits: only 60 usable cadences.*at least 100", section["error"])
    doc2 = dict(doc, star_type=section, notes=[f"star type not measured: {section['error']}"])
    page = render_html(doc2, plotly="url")
    assert "The star type could not be measured: short.fits: only 60 usable cadences" in page


def test_amplitude_spectrum_figure_marks_harmonics_and_peaks():
    f = np.linspace(0.01, 24, 5000)
    amp = np.exp(-0.5 * ((f - 2.0) / 0.01) ** 2) + 0.3 * np.exp(-0.5 * ((f - 4.0) / 0.01) ** 2)
    fig = amplitude_spectrum_figure(f, amp, dominant_frequency=2.0, other_periods=[0.25], noise=0.01)
    lines = [s for s in fig["layout"]["shapes"] if s["xref"] == "x"]
    xs = sorted(round(s["x0"], 6) for s in lines)
    assert xs == [2.0, 4.0, 4.0, 6.0]  # f, 2f, 3f and the other peak at 1/0.25 d
    texts = [a["text"] for a in fig["layout"]["annotations"]]
    assert "P = 0.5 d" in texts and "2f" in texts and "noise floor" in texts
    # no dominant period (a flat star): the spectrum alone, nothing marked
    flat = amplitude_spectrum_figure(f, np.full(f.size, 0.01), dominant_frequency=float("nan"))
    assert len(flat["data"]) == 1 and flat["layout"]["shapes"] == []


def test_star_type_fold_figure_aligns_cadences_with_the_bins():
    t = 2458000.0 + np.arange(0, 20, 1 / 96)
    period = 2.0
    phase = np.mod((t - t[0]) / period, 1.0)
    flux = 1.0 - 0.01 * np.clip(1 - np.abs(phase - 0.3) / 0.03, 0, None)  # a V-shaped eclipse at phase 0.3
    nb = 100
    k = np.minimum((phase * nb).astype(int), nb - 1)
    mean = np.bincount(k, weights=(flux - 1) * 1e3, minlength=nb) / np.bincount(k, minlength=nb)
    rolled = np.roll(mean, -int(np.argmin(mean)))
    fig = star_type_fold_figure((np.arange(nb) + 0.5) / nb, rolled, period=period, time=t, flux=flux)
    x, y = np.array(fig["data"][0]["x"]), np.array(fig["data"][0]["y"])
    deep = x[y < -5]  # shown twice: around phase 0 and phase 1
    assert deep.size and np.all((np.abs(deep) < 0.03) | (np.abs(deep - 1) < 0.03))
    assert math.isclose(fig["layout"]["xaxis"]["range"][0], -0.5)
