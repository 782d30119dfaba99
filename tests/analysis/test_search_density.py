"""The search's trial durations follow the star's catalogue density (real TRAPPIST-1 data)."""

from __future__ import annotations

import pytest

from starskope.analysis import AnalysisOptions, analyse
from starskope.analysis.core import search_density

TRAPPIST = "tess/misc/prajwal309+TRAPPIST1/TRAPPIST-1_lightcurve.fits.gz"


def test_an_ultracool_dwarf_is_searched_with_its_own_transit_durations(shared_data):
    # TRAPPIST-1 (TIC 278892590, 84 g/cm³ in the shipped TOI table) is far denser than the
    # dwarfs the default grid covers: its 36-min transits lose to 4.7-h boxes on the flaring
    # star unless the search knows the density
    path = str(shared_data / TRAPPIST)
    a = analyse(path, options=AnalysisOptions(star_types=False, max_planets=2))
    assert a.candidate.period_days == pytest.approx(1.51083, rel=0.01)  # planet b
    assert a.candidate.duration_hours < 1.5
    assert any("the catalogue's 84.4 g/cm³ for TIC 278892590" in p for p in a.provenance)
    blind = analyse(path, options=AnalysisOptions(star_types=False, max_planets=2, stellar=None))
    assert blind.candidate.period_days != pytest.approx(1.51083, rel=0.01)
    assert not any("stellar densities" in p for p in blind.provenance)


def test_no_density_without_a_catalogue_entry():
    assert search_density({"OBJECT": "TIC 1", "MISSION": "TESS"}, AnalysisOptions()) == (None, "")
    assert search_density({"OBJECT": "TIC 278892590", "MISSION": "TESS"}, AnalysisOptions(stellar=None)) == (None, "")
