"""Period bands, lone transits and the search's choice of signal, on real light curves."""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest

from starskope.analysis import AnalysisOptions, analyse
from starskope.errors import ParameterError
from starskope.physics import period_range_from_duration
from starskope.search import TransitCandidate, merge_band_results, period_bands
from starskope.search.bls import SearchResult, single_transit

OPTS = AnalysisOptions(star_types=False)


def test_period_bands_cover_the_range_a_factor_four_apart():
    bands = period_bands(0.5, 40.0)
    assert bands == [(0.5, 2.0), (2.0, 8.0), (8.0, 40.0)]  # 32–40 d joins the band before
    assert period_bands(0.5, 89.0)[-1] == (32.0, 89.0)
    assert period_bands(0.5, 1.5) == [(0.5, 1.5)]
    with pytest.raises(ParameterError, match="0 < period_min < period_max"):
        period_bands(2.0, 1.0)


def test_period_bands_keep_their_edges_wherever_the_range_starts():
    # periods under 0.5 d get a band of their own; the others keep the bands (and the
    # detrending windows) they have when the search starts at 0.5 d
    assert period_bands(0.1, 40.0) == [(0.1, 0.5), (0.5, 2.0), (2.0, 8.0), (8.0, 40.0)]
    assert period_bands(0.3, 40.0)[0] == (0.3, 2.0)  # 0.3–0.5 d is too short a band
    assert period_bands(0.1, 0.4) == [(0.1, 0.4)]


def _cand(period, epoch, depth=1000.0, snr=10.0, hours=3.0):
    return TransitCandidate.from_floats(period, epoch, hours, depth, snr=snr, n_transits=4)


def test_merging_keeps_the_strongest_and_drops_repeats_of_its_transits():
    t = np.arange(2455000.0, 2455080.0, 0.02)
    strong = _cand(5.0, 2455001.0, snr=30.0)
    alias = _cand(10.0, 2455001.0, snr=20.0)        # every other transit of `strong`
    other = _cand(7.3, 2455002.0, depth=500.0, snr=12.0)
    shallow_on_top = _cand(15.0, 2455001.0, depth=5000.0, snr=11.0)  # deeper: not explained by `strong`
    res = [SearchResult([alias, shallow_on_top], [], None), SearchResult([strong, other], [], None)]
    from starskope.search.bls import Periodogram

    pg = Periodogram(np.array([3.0, 2.0]) * u.day, np.array([1.0, 2.0]), np.array([2.0, 2.0]) * u.hour)
    for r in res:
        r.periodograms.append(pg)
    merged, band = merge_band_results(res, [(2.0, 8.0), (8.0, 32.0)], t)
    periods = [c.period_days for c in merged.candidates]
    assert periods == [5.0, 7.3, 15.0] and band == 1
    assert [c.extra["band"] for c in merged.candidates] == [1.0, 1.0, 0.0]
    assert len(merged.periodograms[0].period) == 4  # the bands' first passes as one periodogram


def test_a_box_tripled_out_of_its_band_yields_to_the_band_that_found_the_signal():
    """A box tripled from a third of its period may leave its band; the band that searched
    that period on its own flux keeps the signal when it found it too, even with a lower
    SNR (the shorter band's window lowers the noise the SNR divides by)."""
    from starskope.search.bls import Periodogram

    t = np.arange(2455000.0, 2455080.0, 0.02)
    tripled = _cand(9.0, 2455001.02, snr=40.0).with_(extra={"tripled": 1.0})
    direct = _cand(9.01, 2455001.0, snr=30.0)
    alone = _cand(21.0, 2455003.0, snr=50.0).with_(extra={"tripled": 1.0})  # no band found it
    pg = Periodogram(np.array([3.0, 2.0]) * u.day, np.array([1.0, 2.0]), np.array([2.0, 2.0]) * u.hour)
    res = [SearchResult([tripled], [pg], None), SearchResult([direct], [pg], None)]
    merged, band = merge_band_results(res, [(2.0, 8.0), (8.0, 32.0)], t)
    assert [c.period_days for c in merged.candidates] == [9.01] and band == 1
    res = [SearchResult([alone], [pg], None), SearchResult([direct], [pg], None)]
    merged, band = merge_band_results(res, [(2.0, 8.0), (8.0, 32.0)], t)
    assert [c.period_days for c in merged.candidates] == [21.0, 9.01] and band == 0


def test_a_single_transit_gets_the_periods_its_duration_allows_and_the_data_leave():
    t = np.arange(2455000.0, 2455089.0, 0.0204)
    c = single_transit(t, 2455040.0, 12.4 / 24, 1600e-6, 100e-6, 16.0, (0.2, 20.0))
    assert c.n_transits == 1 and c.extra["single"] == 1.0
    lo, hi = c.extra["period_min_days"], c.extra["period_max_days"]
    assert lo >= 49.0  # a second transit would have been seen up to the far end of the data
    assert c.period_days == lo
    p_lo, p_hi = period_range_from_duration(12.4 * u.hour, (0.2 * 1.41, 20 * 1.41) * u.g / u.cm**3)
    assert hi == pytest.approx(p_hi.to_value(u.day), rel=0.01) and lo >= p_lo.to_value(u.day)
    assert lo < 365.0 < hi  # an Earth twin's 12.4-h transit


def test_a_lone_transit_in_a_real_quarter_is_reported_as_one(shared_data):
    """A planet on a 300-d orbit injected into a real Kepler quarter shows one transit:
    reported as a single transit with the right epoch and depth, and a period range
    holding the truth, not forced onto a two-transit alias."""
    from starskope.io import read
    from starskope.lightcurve import arrays
    from starskope.simulate import Star, inject
    from starskope.simulate.signals import TransitSignal

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = read(shared_data / "kepler/dr24/kplr001575873-2009350155506_llc.fits.gz")
    t = arrays(lc).time
    mid = float(t[0] + 0.43 * (t[-1] - t[0]))
    signal = TransitSignal(period=300 * u.day, planet_radius=4 * u.R_earth, star=Star.sun_like(mission="Kepler"),
                           epoch=mid, impact=0.2)
    new, truth = inject(lc, signal)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyse(new, options=OPTS)
    singles = a.search.singles
    assert singles, [(c.period_days, c.snr) for c in a.candidates]
    s = singles[0]
    assert s.epoch_bjd == pytest.approx(mid, abs=0.1)
    assert s.depth_ppm == pytest.approx(truth["depth_ppm"], rel=0.2)
    assert s.extra["period_min_days"] < 300.0 < s.extra["period_max_days"]
    assert all(abs(c.period_days - 300.0) > 1 for c in a.candidates)


@pytest.mark.parametrize(("path", "period"), [
    # a 4.29-d planet under a variable star's trend: lost with one 1.7-d window
    ("kepler/dr24/kplr001161345-2009350155506_llc.fits.gz", 4.28747),
    # an eclipsing binary whose eclipses differ: found at P/2, doubled to its period
    ("kepler/dr24/kplr002306740-2009259160929_llc.fits.gz", 10.307),
    # TRAPPIST-1 (K2SFF): a two-point dip of 10 % is no transit; b is
    ("k2/misc/prajwal309+TRAPPIST1/hlsp_k2sff_k2_lightcurve_246199087-c12_kepler_v1_llc.fits.gz", 1.51083),
    # a binary whose secondary eclipse sits a third of an orbit after its primary: the box
    # at a third of the period holds both, and every third box is empty
    ("tess/ffi/120684604.fits.gz", 2.1891),
    # Kepler-90 d in one quarter: found at a third of its period, every third event deep
    ("kepler/misc/google-research+exoplanet-ml/kplr011442793-2009350155506_llc.fits.gz", 59.7371),
])
def test_the_search_reports_the_known_period(shared_data, path, period):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyse(shared_data / path, options=OPTS)
    assert a.candidate.period_days == pytest.approx(period, rel=0.01)


def test_a_model_trained_before_the_bands_searches_as_it_did(shared_data):
    """Settings a model does not record read as what it was trained with: one search on
    the flux detrended for the longest period, up to half the span (at most 40 d)."""
    from types import SimpleNamespace

    from starskope.analysis import model_options

    old = model_options(SimpleNamespace(preprocessing_={"analysis": {"detrend": "biweight"}}))
    assert old.search_bands is False
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyse(shared_data / "kepler/dr24/kplr001161345-2009350155506_llc.fits.gz",
                    options=AnalysisOptions(**{**old.as_dict(), "star_types": False}))
    assert "bands" not in a.search.settings and a.search.settings["period_max_days"] <= 40.0
