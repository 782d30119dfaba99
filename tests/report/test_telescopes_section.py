"""The report shows which telescope contributed what for a star seen by Kepler and TESS."""

from __future__ import annotations

import warnings

import astropy.units as u
import batman
import numpy as np
import pytest

from starskope.analysis import analyse_file
from starskope.explain import explain
from starskope.lightcurve import arrays
from starskope.multi import resolve_period, stitch_missions, telescope_summary
from starskope.report import build_report, render_html, to_json
from starskope.search import TransitCandidate

# KIC 2439660 = TIC 122507338: Kepler Q3 and TESS sector 14 of one star
KEPLER_Q3 = "kepler/dr24/kplr002439660-2009350155506_llc.fits.gz"
TESS_S14 = "tess/ffi/122507338.fits.gz"


def _read(path):
    import lightkurve as lk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lk.read(str(path))


def _inject(lc, t0, period, a_r, exposure):
    a = arrays(lc)
    p = batman.TransitParams()
    p.t0, p.per, p.rp, p.a, p.inc, p.ecc, p.w = t0, period, 0.1, a_r, float(np.degrees(np.arccos(0.2 / a_r))), 0, 90
    p.limb_dark, p.u = "quadratic", [0.4, 0.25]
    t = np.where(np.isfinite(a.time), a.time, np.nanmedian(a.time))
    out = lc.copy()
    out.flux = out.flux * batman.TransitModel(p, t, supersample_factor=7, exp_time=exposure).light_curve(p)
    return out


@pytest.fixture(scope="module")
def stitched_star(shared_data):
    kepler, tess = _read(shared_data / KEPLER_Q3), _read(shared_data / TESS_S14)
    t1 = float(np.nanmin(arrays(kepler).time)) + 40.0
    t2 = float(arrays(tess).time[0]) + 17.5
    period, rho = (t2 - t1) / 2, 0.153  # g/cm³
    a_r = float((6.674e-8 * rho * (period * 86400.0) ** 2 / (3 * np.pi)) ** (1 / 3))
    s = stitch_missions([_inject(kepler, t1, period, a_r, 29.4244 / 1440), _inject(tess, t1, period, a_r, 30 / 1440)],
                        flatten_window=6 * u.day)
    # a comb member, as a search would report it (periods up to 400 d)
    cand = TransitCandidate.from_floats((t2 - t1) / 9, t1, 48.0, 9800.0, snr=400.0, n_transits=2)
    res = resolve_period(s, cand, stellar_density=rho * u.g / u.cm**3, density_error=0.0107 * u.g / u.cm**3,
                         period_min=500 * u.day)
    return s, res, period


def test_report_shows_what_each_telescope_contributed(stitched_star, shared_data):
    s, res, period = stitched_star
    summary = telescope_summary(s, resolution=res)
    assert summary["missions"] == "Kepler+TESS" and summary["n_telescopes"] == 2
    assert "agree" in summary["note"], summary["note"]  # same depth in both bands: achromatic
    assert [c["instrument"] for c in summary["contributions"]] == ["Kepler", "TESS"]
    assert {d["instrument"]: d["n_transits"] for d in summary["per_telescope"]} == {"Kepler": 1, "TESS": 1}
    assert summary["period"]["unique"] and summary["period"]["period_days"] == pytest.approx(period, rel=1e-3)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        ex = explain(analyse_file(shared_data / TESS_S14, detail=True), None, saliency=False)
    doc = build_report(ex, star_type=None, telescopes=summary)
    to_json(doc)
    page = render_html(doc, plotly="url")
    section = page[page.index('id="sk-telescopes"'):page.index('id="sk-model"')]
    assert "Kepler+TESS on one BJD_TDB time axis" in section
    assert "quarter 3" in section and "sector 14" in section and "420–900 nm" in section
    transits = section[section.index('id="sk-telescope-transits"'):]
    for d in summary["per_telescope"]:
        assert f"{d['depth_ppm']:.0f} ± {d['depth_err_ppm']:.0f} ppm" in transits
    assert f"{summary['period']['period_days']:.6g} d" in section and "only period" in section
    # without the summary the section is absent
    assert 'id="sk-telescopes"' not in render_html(build_report(ex, star_type=None), plotly="url")
