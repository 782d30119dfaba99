"""Eclipsing binaries at their orbital period, and the search below 0.5 d, on real light curves.

The TESS FFI binaries are from ../shared/data with their catalogue periods (manifest.csv);
the planet hosts keep their periods.
"""

from __future__ import annotations

from types import SimpleNamespace

import numpy as np
import pytest

from starskope.analysis import AnalysisOptions, analyse
from starskope.analysis.candidates import candidate_rows
from starskope.analysis.options import model_options
from starskope.analysis.orbits import COHERENCE_MAX, event_depth_scatter

OPTS = AnalysisOptions(star_types=False, max_planets=2)
LOW = AnalysisOptions(star_types=False, max_planets=2, period_min_days=0.2)


def _close(p: float, q: float, tol: float = 0.01) -> bool:
    return abs(p / q - 1.0) < tol


@pytest.fixture(scope="module")
def ffi(shared_data):
    return lambda tic: str(shared_data / "tess" / "ffi" / f"{tic}.fits.gz")


def test_alike_eclipses_are_reported_at_the_orbital_period(ffi):
    # TIC 121604042: catalogue period 8.885 d; the search stacks both eclipses at 4.44 d
    a = analyse(ffi(121604042), options=OPTS, detail=True)
    assert _close(a.search.candidates[0].period_days, 8.885 / 2)
    assert _close(a.candidate.period_days, 8.885)
    assert a.candidate.extra["found_period_days"] == pytest.approx(a.search.candidates[0].period_days)
    assert any("two alike eclipses per orbit" in n and "orbital period" in n for n in a.notes)
    # the star's vetting is the one at the orbital period, and the report's first row says why
    assert _close(a.vetting.candidate.period_days, 8.885)
    row = candidate_rows(a)[0]
    assert _close(row["period_days"], 8.885)
    assert row["relation"].startswith("two alike eclipses per orbit: found at 4.4")
    assert "P/2" not in row["relation"]
    # the setting off: the period the search found
    off = analyse(ffi(121604042), options=AnalysisOptions(star_types=False, max_planets=2, equal_eclipses=False))
    assert _close(off.candidate.period_days, 8.885 / 2)


def test_a_contact_binary_under_half_a_day_is_found_when_asked(ffi):
    # TIC 120499528: a 0.369-d contact binary; from 0.2 d the search finds it, the default
    # 0.5-d floor cannot reach it
    a = analyse(ffi(120499528), options=LOW)
    assert _close(a.candidate.period_days, 0.369154)
    default = analyse(ffi(120499528), options=OPTS)
    assert not _close(default.candidate.period_days, 0.369154)


def test_alternating_depths_put_a_smooth_binary_at_its_orbit(ffi):
    # TIC 268711288: catalogue period 0.9843 d; from 0.2 d the search stacks both broad
    # minima at 0.492 d (not transit-like, no ODD_EVEN flag); the period-alias test finds
    # that alternate events differ, so the orbital period is reported
    a = analyse(ffi(268711288), options=LOW)
    assert _close(a.candidate.extra["found_period_days"], 0.984304 / 2)
    assert _close(a.candidate.period_days, 0.984304)
    assert any("alternate events differ in depth" in n for n in a.notes)


def test_a_pulsator_is_not_made_a_binary(shared_data):
    # γ Dor stars vary smoothly like an ellipsoidal binary at half its orbit; their beating
    # (events of unequal depth) and the lack of V-shaped eclipses keep them at their period
    import csv

    rows = [r for r in csv.DictReader(open(shared_data / "manifest.csv")) if r["class"] == "gamma_dor"][:12]
    doubled = [r["file"] for r in rows
               if "found_period_days" in analyse(str(shared_data / r["file"]), options=OPTS).candidate.extra]
    assert doubled == []


def test_event_depth_scatter_tells_repeating_eclipses_from_beating():
    t = np.arange(0.0, 27.0, 2.0 / 1440.0)
    rng = np.random.default_rng(1)
    period, epoch, dur = 1.3, 0.4, 0.12
    dip = np.abs(((t - epoch) / period + 0.5) % 1 - 0.5) * period < dur / 2
    steady = 1.0 - 0.01 * dip + 1e-3 * rng.standard_normal(t.size)
    beating = 1.0 - 0.01 * dip * (1 + 0.5 * np.sin(2 * np.pi * t / 9.0)) + 1e-3 * rng.standard_normal(t.size)
    assert event_depth_scatter(t, steady, period, epoch, dur) < 0.05
    assert event_depth_scatter(t, beating, period, epoch, dur) > COHERENCE_MAX


def test_a_binary_with_a_secondary_eclipse_keeps_its_period(ffi):
    # TIC 121457732: 1.966 d with a secondary eclipse at phase 0.5 (found at P, kept at P)
    a = analyse(ffi(121457732), options=OPTS)
    assert _close(a.candidate.period_days, 1.96636)
    assert "found_period_days" not in a.candidate.extra
    assert a.vetting.has_flag("SIGNIFICANT_SECONDARY")


@pytest.mark.parametrize("name, period", [
    ("tess/misc/hpparvi+PyTransit/tess2018234235059-s0002-0000000402026209-0121-s_lc.fits.gz", 1.33823),
    ("tess/misc/spacetelescope+exovetter/wasp18b.fits.gz", 0.941453),
])
def test_planet_hosts_keep_their_period(shared_data, name, period):
    path = shared_data / name
    if not path.exists():
        pytest.skip(f"{name} not in this data folder")
    a = analyse(str(path), options=OPTS)
    assert _close(a.candidate.period_days, period)
    assert "found_period_days" not in a.candidate.extra


def test_models_trained_before_keep_their_analysis():
    old = SimpleNamespace(preprocessing_={"analysis": {"period_min_days": 0.5}})
    stored = model_options(old)
    assert stored.equal_eclipses is False
    assert stored.period_min_days == 0.5
    assert AnalysisOptions().equal_eclipses is True
    assert AnalysisOptions().period_min_days == 0.5
