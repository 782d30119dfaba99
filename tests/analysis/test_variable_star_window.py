"""A pulsating eclipsing binary (TESS FFI, ../shared/data): the long-period bands' windows
keep the pulsations, which drown the eclipses; the shortest band's window does not."""

from __future__ import annotations

import astropy.units as u
import numpy as np

from starskope.analysis import AnalysisOptions, analyse, analyse_table_row, search_period_max
from starskope.analysis.bands import shorter_window_wins, variability_left
from starskope.clean import clean, fit_trend
from starskope.io import read
from starskope.lightcurve import arrays

#: 1.4 % eclipses every 12.73 d under 0.2 % pulsations at 1.1 d (TESS EB catalogue period).
PULSATING_EB = "tess/ffi/27397122.fits.gz"
EB_PERIOD = 12.7336
#: A quiet TESS FFI star.
QUIET = "tess/ffi/328999765.fits.gz"

OPTIONS = AnalysisOptions(star_types=False)


def _band_flux(path, period_max):
    lc = read(path)
    prepared = clean(lc, period_max=search_period_max(arrays(lc).time, OPTIONS) * u.day, method=None)
    trend, _ = fit_trend(prepared, OPTIONS.detrend, period_max=period_max * u.day, thin=True)
    a = arrays(prepared)
    return a.time, a.flux / trend


def test_the_long_window_keeps_a_pulsators_variability_and_not_a_quiet_stars(shared_data):
    t, f = _band_flux(shared_data / PULSATING_EB, 26.0)
    assert variability_left(t, f)
    t, f = _band_flux(shared_data / QUIET, 26.0)
    assert not variability_left(t, f)
    # white noise alone never counts as variability
    rng = np.random.default_rng(1)
    assert not variability_left(np.arange(1300) / 48.0, 1.0 + 1e-3 * rng.standard_normal(1300))


def test_the_pulsating_binary_is_found_at_its_period(shared_data):
    a = analyse(shared_data / PULSATING_EB, options=OPTIONS)
    assert abs(a.candidate.period_days / EB_PERIOD - 1) < 0.01
    assert a.candidate.snr > 12
    note = [s for s in a.provenance if s.startswith("search in")]
    assert note and "shorter window" in note[0] and "variability" in note[0]


def test_a_flux_table_row_gets_the_same_window_and_period(shared_data):
    lc = read(shared_data / PULSATING_EB)
    a = arrays(lc)
    ok = np.isfinite(a.flux) & np.isfinite(a.time)
    row = analyse_table_row(a.time[ok], a.flux[ok], options=OPTIONS, mission="TESS")
    assert abs(row.candidate.period_days / EB_PERIOD - 1) < 0.01
    assert "its own kept the star's variability" in " ".join(row.provenance)


def test_the_stronger_first_candidate_wins_and_lone_transits_stay_the_bands_own(shared_data):
    from starskope.analysis.bands import band_search

    t, long_flux = _band_flux(shared_data / PULSATING_EB, 26.0)
    _, short_flux = _band_flux(shared_data / PULSATING_EB, 2.0)
    own = band_search(t, long_flux, (8.0, 26.0), OPTIONS)
    short = band_search(t, short_flux, (8.0, 26.0), OPTIONS)
    assert short.candidates and short.candidates[0].snr > 12
    chosen, shorter = shorter_window_wins(own, short)
    assert shorter and chosen.candidates[0] is short.candidates[0]
    assert [c.epoch_bjd for c in chosen.singles] == [c.epoch_bjd for c in own.singles]
    kept, shorter = shorter_window_wins(short, own)  # the other way round: the stronger stays
    assert not shorter and kept is short
    assert shorter_window_wins(own, None) == (own, False)
    chosen, shorter = shorter_window_wins(None, short)  # the band's own search could not run
    assert shorter and chosen.singles == []
