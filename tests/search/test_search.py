"""Transit search on real light curves from ../shared/data, and its contract."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from astropy.timeseries import BoxLeastSquares

from starskope.errors import ParameterError, UnitsError
from starskope.search import (
    SearchResult,
    TransitCandidate,
    search,
    search_many,
    search_transits,
)


def _close(p: float, q: float, tol: float = 1e-3) -> bool:
    return abs(p - q) / q < tol


def _inject(t, f, period, epoch, duration, depth):
    phase = np.abs(((t - epoch) / period + 0.5) % 1.0 - 0.5) * period
    return f * (1 - depth * (phase < duration / 2))


def _depth_for_snr(f, snr, n_in, t=None, duration=None, n_transits=None):
    """Depth giving ``snr`` for white noise, or with the scatter of duration-long bins."""
    sigma = 1.4826 * np.median(np.abs(f - np.median(f)))
    white = sigma / np.sqrt(n_in)
    if t is None:
        return snr * white
    edges = np.arange(t[0], t[-1], duration)
    idx = np.digitize(t, edges)
    means = np.array([f[idx == k].mean() for k in np.unique(idx) if (idx == k).sum() > 3])
    red = 1.4826 * np.median(np.abs(means - np.median(means))) / np.sqrt(n_transits)
    return snr * max(white, red)


# ---------------------------------------------------------------- known planets


def test_pi_men_c_in_the_spoc_2min_sector(cleaned_lc):
    result = search(cleaned_lc("pimen"), period_max=13 * u.day)
    assert isinstance(result, SearchResult)
    best = result.candidates[0]
    assert _close(best.period_days, 6.26783)
    assert best.source == "search" and best.n_transits >= 4
    assert 200 < best.depth_ppm < 400  # pi Men c: ~ 290 ppm
    assert best.snr > 15 and best.extra["sde"] > 5
    assert 1.5 < best.duration_hours < 4.0
    assert isinstance(best.epoch, Time) and best.epoch.scale == "tdb"


def test_k2_3_b_and_c_in_the_k2sff_file(cleaned):
    t, f = cleaned("k23")
    result = search_transits(t, f, period_min=0.5 * u.day, period_max=30 * u.day)
    periods = [c.period_days for c in result]
    assert _close(periods[0], 10.0545)
    assert any(_close(p, 24.6465) for p in periods)


def test_wasp18_b(cleaned):
    t, f = cleaned("wasp18")
    result = search_transits(t, f, period_min=0.5, period_max=10.0, max_planets=1)
    best = result[0]
    assert _close(best.period_days, 0.941453)
    assert 8000 < best.depth_ppm < 12000


def test_measure_ephemeris_matches_the_search_at_its_own_peak(cleaned_lc):
    """pi Men c measured at the search's ephemeris gives the search's numbers; half a
    period away there is nothing; and a catalogue ephemeris (Huang et al. 2018) gives
    the same strength."""
    from starskope.search import measure_ephemeris

    lc = cleaned_lc("pimen")
    best = search(lc, period_max=13 * u.day).candidates[0]
    t, f = lc.time.tdb.jd, np.asarray(lc.flux.value, float)
    at = measure_ephemeris(t, f, best.period, best.epoch, best.duration)
    assert at.source == "ephemeris" and at.n_transits == best.n_transits
    assert at.snr == pytest.approx(best.snr, rel=1e-3) and at.depth_ppm == pytest.approx(best.depth_ppm, rel=1e-3)
    assert at.extra["snr_bls"] > 10
    off = measure_ephemeris(t, f, best.period, best.epoch.tdb.jd + 0.5 * best.period_days, best.duration)
    assert abs(off.snr) < 4
    catalogue = measure_ephemeris(t, f, 6.2678, 2458325.503, 2.9)
    assert catalogue.snr == pytest.approx(best.snr, rel=0.25)
    with pytest.raises(ParameterError):
        measure_ephemeris(t, f, 6.2678, 2458325.503, 0.0)


@pytest.mark.slow
def test_kepler_90_d_in_three_quarters(shared_data):
    import warnings

    from starskope.clean import clean, stitch
    from starskope.io import read
    from starskope.lightcurve import arrays

    names = ["2009350155506_llc.fits.gz", "2010009091648_llc.fits", "2010174085026_llc.fits.gz"]
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        quarters = [read(shared_data / f"kepler/misc/google-research+exoplanet-ml/kplr011442793-{n}")
                    for n in names]
    lc = clean(stitch(quarters), period_max=100 * u.day)
    a = arrays(lc)
    result = search_transits(a.time, a.flux, period_min=5.0, period_max=100.0, max_planets=4)
    periods = [c.period_days for c in result]
    assert any(_close(p, 59.7371) for p in periods)  # Kepler-90 d
    assert any(_close(p, 91.9401) for p in periods)  # Kepler-90 e
    # the lone deep transit of Kepler-90 h or g is masked, never reported
    assert all(c.n_transits >= 2 for c in result)


# ---------------------------------------------------------------- injections


@pytest.mark.parametrize(
    ("name", "period", "duration", "pmax"),
    [("k2_quiet", 3.4567, 0.12, 30.0), ("tess_quiet", 2.1357, 0.09, 13.0), ("kepler_quiet", 7.7531, 0.2, 40.0)],
)
def test_injected_transit_recovered_in_real_quiet_light_curves(cleaned, name, period, duration, pmax):
    t, f = cleaned(name)
    cadence = np.median(np.diff(t))
    n_tr = (t[-1] - t[0]) / period
    depth = _depth_for_snr(f, 15, n_tr * duration / cadence, t, duration, n_tr)
    fi = _inject(t, f, period, t[0] + 0.77, duration, depth)
    result = search_transits(t, fi, period_min=0.5, period_max=pmax, max_planets=1)
    best = result[0]
    assert _close(best.period_days, period)
    assert best.depth_ppm == pytest.approx(depth * 1e6, rel=0.15)
    phase = ((best.epoch_bjd - (t[0] + 0.77)) / period + 0.5) % 1 - 0.5
    assert abs(phase * period) < duration / 2


def test_two_injected_planets_found_by_iterating(cleaned):
    t, f = cleaned("k2_quiet")
    cadence = np.median(np.diff(t))
    d1 = _depth_for_snr(f, 20, (t[-1] - t[0]) / 5.678 * 0.15 / cadence)
    d2 = _depth_for_snr(f, 14, (t[-1] - t[0]) / 1.9876 * 0.08 / cadence)
    fi = _inject(_inject(t, f, 5.678, t[0] + 2.0, 0.15, d1), t, 1.9876, t[0] + 0.3, 0.08, d2)
    fi = _inject(t, _inject(t, f, 5.678, t[0] + 2.0, 0.15, d1), 1.9876, t[0] + 0.3, 0.08, d2)
    result = search_transits(t, fi, period_min=0.5, period_max=30)
    periods = [c.period_days for c in result]
    assert _close(periods[0], 5.678)
    assert any(_close(p, 1.9876) for p in periods[1:])
    passes = [c.extra["iteration"] for c in result]
    assert passes[0] == 0 and np.all(np.diff(passes) > 0)
    assert len(result.periodograms) >= 2
    assert all(c.snr >= 7.1 for c in result)


def test_nothing_found_in_pure_noise_returns_best_peak():
    rng = np.random.default_rng(5)
    t = 2457000 + np.arange(3000) * 0.0204
    result = search_transits(t, 1 + rng.normal(0, 1e-3, t.size), period_min=0.5, period_max=20)
    assert len(result) == 0
    assert result.best is not None and result.best.snr < 7.1
    assert result.periods.unit == u.day and result.power.shape == result.periods.shape


# ---------------------------------------------------------------- astropy and batch agreement


def test_agrees_with_astropy_bls_on_the_same_periods():
    rng = np.random.default_rng(11)
    t = 2457000 + np.arange(3197) * 0.0204336
    sigma = 5e-4
    f = _inject(t, 1 + rng.normal(0, sigma, t.size), 4.1234, t[0] + 1.1, 0.14, 1e-3)
    ours = search_transits(t, f, np.full(t.size, sigma), period_min=3.0, period_max=6.0, max_planets=1)
    bls = BoxLeastSquares(t, f, dy=np.full(t.size, sigma))
    durations = np.geomspace(0.05, 0.3, 12)
    res = bls.autopower(durations, minimum_period=3.0, maximum_period=6.0, objective="likelihood")
    p_astropy = float(res.period[np.argmax(res.power)])
    assert _close(ours.best.period_days, p_astropy)
    # astropy's likelihood power is ½Δχ²; ours is Δχ² of the best box (finer phase grid)
    assert ours.best.extra["power"] == pytest.approx(2 * float(np.max(res.power)), rel=0.1)
    # on astropy's own best period our coarse periodogram is close to astropy's power
    i = np.argmin(np.abs(ours.periods.to_value(u.day) - p_astropy))
    assert ours.power[i] == pytest.approx(2 * float(np.max(res.power)), rel=0.25)


def test_batched_search_equals_per_star_search(cleaned):
    rng = np.random.default_rng(3)
    t = 2456977.5 + np.arange(3197) * 0.0204336
    flux = 1 + rng.normal(0, 1, (6, t.size)) * np.array([[3e-4], [5e-4], [8e-4], [3e-4], [1e-3], [4e-4]])
    flux[0] = _inject(t, flux[0], 3.3, t[0] + 0.5, 0.1, 1e-3)
    flux[3] = _inject(t, flux[3], 12.1, t[0] + 5.0, 0.2, 8e-4)
    flux[3] = _inject(t, flux[3], 1.7, t[0] + 0.2, 0.07, 6e-4)
    batch = search_many(t, flux, period_min=0.5, period_max=30, chunk_size=4)
    for row, res in zip(flux, batch, strict=True):
        single = search_transits(t, row, period_min=0.5, period_max=30)
        np.testing.assert_allclose(res.power, single.power, rtol=1e-9, atol=1e-9)
        assert [c.period_days for c in res] == [c.period_days for c in single]
        assert res.best.period_days == single.best.period_days
    assert _close(batch[0][0].period_days, 3.3)
    assert {round(c.period_days, 1) for c in batch[3]} >= {12.1, 1.7}


def test_batched_search_with_missing_values_and_progress():
    rng = np.random.default_rng(4)
    t = 2456977.5 + np.arange(2000) * 0.0204336
    flux = 1 + rng.normal(0, 5e-4, (3, t.size))
    flux[1, 100:140] = np.nan
    calls = []
    batch = search_many(t, flux, period_min=0.5, period_max=20, max_planets=1,
                        progress=lambda done, total: calls.append((done, total)))
    single = search_transits(t, flux[1], period_min=0.5, period_max=20, max_planets=1)
    assert batch[1].best.period_days == single.best.period_days
    assert calls == [(3, 3)]


# ---------------------------------------------------------------- bad parameters


@pytest.fixture()
def noise():
    rng = np.random.default_rng(0)
    t = 2457000 + np.arange(1000) * 0.02
    return t, 1 + rng.normal(0, 1e-3, t.size)


def test_bad_period_ranges(noise):
    t, f = noise
    with pytest.raises(ParameterError, match=r"period_min \(5 d\) must be shorter than period_max \(5 d\)"):
        search_transits(t, f, period_min=5, period_max=5)
    with pytest.raises(ParameterError, match="period_min must be finite and positive"):
        search_transits(t, f, period_min=-1, period_max=5)
    with pytest.raises(ParameterError, match="period_max must be finite and positive"):
        search_transits(t, f, period_min=1, period_max=-5 * u.day)
    with pytest.raises(ParameterError, match="longer than the baseline of the data"):
        search_transits(t, f, period_min=1, period_max=40)
    with pytest.raises(ParameterError, match="must be at least 4 cadences"):
        search_transits(t, f, period_min=0.05, period_max=5)
    with pytest.raises(UnitsError, match="period_min must have units of time"):
        search_transits(t, f, period_min=1 * u.m, period_max=5)
    with pytest.raises(UnitsError, match="period_min must be an astropy Quantity"):
        search(None, period_min=0.5)


def test_bad_data(noise):
    t, f = noise
    with pytest.raises(ParameterError, match="too few points to search: 40 finite flux values"):
        search_transits(t[:40], f[:40], period_min=0.1, period_max=0.3)
    g = f.copy()
    g[49:] = np.nan
    with pytest.raises(ParameterError, match="too few points to search: 49 finite"):
        search_transits(t, g, period_min=0.1, period_max=0.3)
    with pytest.raises(ParameterError, match="time must be strictly increasing"):
        search_transits(t[::-1], f, period_min=0.5, period_max=5)
    with pytest.raises(ParameterError, match=r"must be positive .* its median is"):
        search_transits(t, f - 1, period_min=0.5, period_max=5)
    with pytest.raises(ParameterError, match="flux is constant"):
        search_transits(t, np.ones_like(f), period_min=0.5, period_max=5)
    with pytest.raises(ParameterError, match="same length"):
        search_transits(t, f[:-1], period_min=0.5, period_max=5)
    with pytest.raises(ParameterError, match="flux_err has shape"):
        search_transits(t, f, f[:-1], period_min=0.5, period_max=5)
    with pytest.raises(ParameterError, match="max_planets must be >= 1"):
        search_transits(t, f, period_min=0.5, period_max=5, max_planets=0)
    with pytest.raises(ParameterError, match="flux_matrix must be 2-D"):
        search_many(t, f, period_min=0.5, period_max=5)
    with pytest.raises(ParameterError, match="chunk_size must be >= 1"):
        search_many(t, f[None, :], period_min=0.5, period_max=5, chunk_size=0)
    # search_many checks its settings as search_transits does, before any search
    with pytest.raises(ParameterError, match="min_transits must be >= 1"):
        search_many(t, f[None, :], period_min=0.5, period_max=5, min_transits=0)
    with pytest.raises(ParameterError, match="period_max must be finite and positive"):
        search_many(t, f[None, :], period_min=0.5, period_max=-5)
    with pytest.raises(TypeError, match=r"search_many\(\) got unexpected keyword arguments \['period'\]"):
        search_many(t, f[None, :], period=3.0)


def test_candidates_are_transit_candidates(noise):
    t, f = noise
    fi = _inject(t, f, 2.345, t[0] + 0.4, 0.1, 5e-3)
    result = search_transits(Time(t, format="jd", scale="tdb"), fi, period_min=0.5, period_max=8)
    c = result[0]
    assert isinstance(c, TransitCandidate)
    assert set(c.extra) == {"power", "snr_bls", "sde", "iteration", "dominance", "odd_even_sigma"}
    row = c.as_row()
    assert row["depth_err_ppm"] > 0 and row["n_transits"] >= 7
    assert c.epoch_bjd >= t[0] - c.duration_days / 2


# ---------------------------------------------------------------- period multiples


@pytest.mark.parametrize(("k", "secondary", "error"), [(2, 0.0, 1e-4), (2, 0.6, 1e-4), (3, 0.0, 2e-3)])
def test_a_box_at_a_fraction_of_the_period_moves_to_the_period(k, secondary, error):
    """A box found at P/k whose events alternate (every other, or every third, box deep) is
    moved to P on its deeper events — and with ``k`` = 3 its period refined there, which
    carries three times the short box's error (doubled periods are not refined: on
    ../shared/data that moved more periods off than onto the catalogue's)."""
    from starskope.search.bls import _at_multiple, _Box, _box_stats, _refine_multiple

    rng = np.random.default_rng(k)
    t = np.arange(0.0, 27.0, 2.0 / 1440.0) + 2459000.0
    period, t0, dur = 3.3, 2459001.1, 0.12
    y = 1.0 + 2e-4 * rng.standard_normal(t.size)
    phase = ((t - t0) / period + 0.5) % 1.0 - 0.5
    y[np.abs(phase) * period < 0.5 * dur] -= 0.01
    # a shallower secondary eclipse half an orbit later (k = 2: a binary found at P/2)
    y[np.abs(phase - 0.5 + (phase < 0)) * period < 0.5 * dur] -= 0.01 * secondary
    w = np.ones_like(t)
    short = _Box(1.0, period / k * (1.0 + error), t0 + period / k, dur)  # on an empty (or secondary) event
    stats = _box_stats(t, y, w, short, 2.0 / 1440.0)

    def refine(box, m):
        return _refine_multiple(t - t[0], y, w, float(t[0]), box, m,
                                {"cadence": 2.0 / 1440.0, "density": (0.1, 10.0), "phase_oversample": 4.0,
                                 "duration_ratio": 1.1})

    box, s = _at_multiple(t, y, w, short, stats, 2.0 / 1440.0, refine=refine)
    assert box.period == pytest.approx(period, rel=0.002)
    assert abs(((box.t0 - t0) / period + 0.5) % 1.0 - 0.5) * period < 0.5 * dur
    assert s.depth == pytest.approx(0.01, rel=0.1)


def test_a_transit_found_at_its_period_stays():
    """Every event alike: no multiple stands out, the box is kept."""
    from starskope.search.bls import _at_multiple, _Box, _box_stats

    rng = np.random.default_rng(5)
    t = np.arange(0.0, 27.0, 2.0 / 1440.0) + 2459000.0
    y = 1.0 + 2e-4 * rng.standard_normal(t.size)
    phase = ((t - 2459001.1) / 1.1 + 0.5) % 1.0 - 0.5
    y[np.abs(phase) * 1.1 < 0.05] -= 0.002
    box = _Box(1.0, 1.1, 2459001.1, 0.1)
    stats = _box_stats(t, y, np.ones_like(t), box, 2.0 / 1440.0)
    assert _at_multiple(t, y, np.ones_like(t), box, stats, 2.0 / 1440.0)[0] is box


def test_a_box_at_two_thirds_of_the_period_is_not_tripled_to_twice_it():
    """At 2P/3 every third box sits on a transit, and the transits between fall half-way
    between those: tripling would report 2P, an alias. The box is left to lose to the one
    the search finds at P."""
    from starskope.search.bls import _at_multiple, _Box, _box_stats

    rng = np.random.default_rng(7)
    t = np.arange(0.0, 27.0, 2.0 / 1440.0) + 2459000.0
    period, t0, dur = 3.3, 2459001.1, 0.12
    y = 1.0 + 2e-4 * rng.standard_normal(t.size)
    y[np.abs(((t - t0) / period + 0.5) % 1.0 - 0.5) * period < 0.5 * dur] -= 0.01
    w = np.ones_like(t)
    box = _Box(1.0, 2.0 * period / 3.0, t0, dur)
    stats = _box_stats(t, y, w, box, 2.0 / 1440.0)
    out, _ = _at_multiple(t, y, w, box, stats, 2.0 / 1440.0)
    assert abs(out.period / (2.0 * period) - 1.0) > 0.01


def test_one_signal_keeps_the_box_found_at_its_own_period_over_a_tripled_one():
    from starskope.search.bls import _Box, _distinct, _Stats

    stats = _Stats(1e-3, 1e-4, 10.0, 50, 4)
    direct = _Box(10.0, 9.01, 2455001.0, 0.12)
    tripled = _Box(30.0, 9.0, 2455001.02, 0.12, tripled=True)
    other = _Box(20.0, 4.1, 2455002.0, 0.1)
    kept = [b for b, _ in _distinct([(tripled, stats), (other, stats), (direct, stats)])]
    assert kept == [other, direct]
    # a tripled box that no box found at its own period is kept
    assert [b for b, _ in _distinct([(tripled, stats), (other, stats)])] == [other, tripled]


def test_a_dip_narrower_than_its_box_is_no_outlier_but_spikes_are():
    """The median test ("a dip in the mean but not the median is a few outlying points")
    looks again at the box's centre: a box 2.5× wider than an eclipse holds more flat points
    than dipped ones at every event, but its centre is dipped; spikes are not."""
    from starskope.search.bls import _Box, _box_stats

    rng = np.random.default_rng(11)
    cad = 30.0 / 1440.0
    t = np.arange(0.0, 90.0, cad) + 2455000.0
    period, t0 = 0.97, 2455000.3
    phase = np.abs(((t - t0) / period + 0.5) % 1.0 - 0.5) * period
    y = 1.0 + 3e-4 * rng.standard_normal(t.size)
    eclipse = y - 0.008 * np.clip(1 - phase / 0.05, 0, None)  # a V 2.4 h wide
    w = np.ones_like(t)
    wide = _Box(1.0, period, t0, 0.25)  # 6 h
    assert not _box_stats(t, eclipse, w, wide, cad).outliers
    # one low point in each event: the centre's median is not dipped
    spikes = y.copy()
    spikes[np.flatnonzero(phase < 0.5 * cad)] -= 0.01
    assert _box_stats(t, spikes, w, wide, cad).outliers


def test_a_box_at_every_epoch_of_the_light_curve_is_not_cut_out_as_a_lone_event():
    from starskope.search.bls import LONE_CUT_MAX, _Box, _lone_cut

    t = np.arange(0.0, 90.0, 30.0 / 1440.0)
    active = np.ones(t.size, bool)
    # a long box (13.5 h every 2.92 d: 38 % of the light curve at a mask of two durations)
    wide = _Box(1.0, 2.92, 1.0, 13.5 / 24)
    cut = _lone_cut(t, active, wide, 30.2, mask_factor=2.0)
    assert cut.sum() <= LONE_CUT_MAX * t.size
    assert np.all(np.abs(t[cut] - 30.2) < 13.5 / 24)
    # a lone event's box (one epoch in the light curve): cut at its epochs as before
    lone = _Box(1.0, 60.0, 31.0, 0.2)
    cut = _lone_cut(t, active, lone, 31.0, mask_factor=2.0)
    assert np.array_equal(cut, np.abs(((t - 31.0) / 60.0 + 0.5) % 1.0 - 0.5) * 60.0 < 0.2)


def test_a_giants_binary_is_found_at_its_period(shared_data):
    # KIC 10991989 (Kepler Q0–Q17, a 0.974-d binary, 0.9 %-deep eclipses 2.4 h wide; the
    # KIC calls it a 15 R☉ giant, whose density gives trial durations of 6–16 h): it was
    # reported at 3× or 6× its period
    from starskope.analysis import AnalysisOptions, analyse

    a = analyse(shared_data / "kepler" / "eb" / "kic010991989_eb.npz",
                options=AnalysisOptions(max_planets=2, star_types=False))
    assert _close(a.search.candidates[0].period_days, 0.974478)
