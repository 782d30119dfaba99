"""Eclipsing binaries at their orbital period, and the search below 0.5 d, on real light curves.

The TESS FFI binaries are from ../shared/data with their catalogue periods (manifest.csv);
the planet hosts keep their periods.
"""

from __future__ import annotations

from types import SimpleNamespace

import astropy.units as u
import numpy as np
import pytest

from starskope.analysis import AnalysisOptions, analyse
from starskope.analysis.candidates import candidate_rows
from starskope.analysis.options import model_options
from starskope.analysis.orbits import COHERENCE_MAX, event_depth_scatter

OPTS = AnalysisOptions(star_types=False, max_planets=2)
TYPED = AnalysisOptions(star_types=True, max_planets=2)
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


def test_a_contact_binary_under_half_a_day_is_found_below_the_floor(ffi):
    # TIC 120499528: a 0.369-d contact binary; from 0.2 d the search finds it; from the
    # default 0.5-d floor it finds a multiple of its 0.185-d light cycle (one minimum per
    # cycle: two alike eclipses per orbit), whose fold repeats that many times
    a = analyse(ffi(120499528), options=LOW)
    assert _close(a.candidate.period_days, 0.369154)
    default = analyse(ffi(120499528), options=OPTS)
    found = default.candidate.extra["found_period_days"]
    cycles = round(found / (0.369154 / 2))
    assert cycles >= 3 and _close(found, cycles * 0.369154 / 2)
    assert _close(default.candidate.period_days, 0.369154)
    assert _close(default.vetting.candidate.period_days, 0.369154)
    assert any("shorter than the search's floor" in n and f"repeats {cycles} times" in n for n in default.notes)
    off = analyse(ffi(120499528), options=AnalysisOptions(star_types=False, max_planets=2, equal_eclipses=False))
    assert _close(off.candidate.period_days, found)


class _Report:
    """The parts of a VettingReport that :func:`equal_eclipses` reads."""

    def __init__(self, candidate, flags, values):
        self.candidate, self.flag_names, self._values = candidate, flags, values

    def __contains__(self, name):
        return name in self._values

    def value(self, name):
        return self._values[name]


def _contact(t, period, amp=0.02, unequal=0.0):
    """A contact binary's light: two minima per orbit (the second ``unequal`` shallower)."""
    ph = np.mod(t / period, 1.0)
    return 1 - amp * np.cos(2 * np.pi * ph) ** 2 * (1 - unequal * (np.cos(2 * np.pi * ph) < 0))


def test_the_fold_finds_the_light_cycle_under_the_floor():
    from starskope.analysis.orbits import deepest_phase, fundamental_harmonic, two_minima

    rng = np.random.default_rng(4)
    t = np.arange(0, 27, 2 / 1440)
    noise = rng.normal(0, 1e-3, t.size)
    contact = _contact(t, 0.3) + noise  # minima every 0.15 d
    # found at 0.6 d (four cycles): the fold at 0.15 d explains the same light
    assert fundamental_harmonic(t, contact, 0.6, 0.0, below=0.5) == 4
    assert not two_minima(t, contact, 0.15, 0.0)
    # only cycles the search could not try (under its floor) and not under 0.1 d
    assert fundamental_harmonic(t, contact, 0.6, 0.0, below=0.12) == 1
    unlike = _contact(t, 0.3, unequal=0.5) + noise  # the second minimum half as deep
    assert fundamental_harmonic(t, unlike, 0.9, 0.0, below=0.5) == 3
    assert two_minima(t, unlike, 0.3, 0.0)
    # a transit folded at a third of its period keeps a third of its signal
    planet = 1 - 0.002 * (np.abs(np.mod(t + 0.4, 1.2) - 0.4) < 0.05) + noise
    assert fundamental_harmonic(t, planet, 1.2, 0.0, below=0.5) == 1
    # a box found between minima is moved onto the lowest light
    assert abs(deepest_phase(t, contact, 0.15, 0.05) % 0.15) < 0.15 / 16 or \
        abs(deepest_phase(t, contact, 0.15, 0.05) % 0.15 - 0.15) < 0.15 / 16


def test_a_period_commensurate_with_the_cadence_is_not_taken_for_a_repetition():
    from starskope.analysis.orbits import PHASE_COVERAGE, _coverage, fundamental_harmonic

    # 30-min cadences; the light repeats every 26 cadences (0.54167 d), smoothly, once:
    # its fold at P samples only 26 phases, so the fold at P/5 regroups the same points
    rng = np.random.default_rng(7)
    cad = 30 / 1440
    t = np.arange(0, 27, cad)
    period = 26 * cad
    light = 1 - 0.02 * np.cos(2 * np.pi * t / period) + rng.normal(0, 4e-3, t.size)
    assert _coverage(t, period, 0.0, 16 * 5) < PHASE_COVERAGE
    assert fundamental_harmonic(t, light, period, 0.0, below=0.5) == 1
    # the same light at 2-min cadences fills every phase: still one cycle per period
    t2 = np.arange(0, 27, 2 / 1440)
    light2 = 1 - 0.02 * np.cos(2 * np.pi * t2 / period) + rng.normal(0, 4e-3, t2.size)
    assert _coverage(t2, period, 0.0, 16 * 5) == 1.0
    assert fundamental_harmonic(t2, light2, period, 0.0, below=0.5) == 1


def test_a_binary_found_at_a_cadence_commensurate_period_stays_there(ffi):
    # TIC 271352011: a 1.084-d ellipsoidal binary, found at half its orbit, 0.54166 d —
    # 26.0 cadences of 30 min. Its fold there sampled a third of the phases, and the fold at
    # a fifth of it "repeated" the light: it was reported at 0.217 d (2 × 0.54166 / 5)
    a = analyse(ffi(271352011), options=OPTS)
    assert _close(a.candidate.period_days, 1.084 / 2)
    assert not any("shorter than the search's floor" in n for n in a.notes)


def test_a_contact_binary_typed_so_is_put_at_its_orbit(ffi):
    # TIC 169079394 (catalogue P = 1.12908 d, a star the star-type model was not trained on):
    # two alike broad minima per orbit, found at half of it, smooth (no V, no alternation).
    # Only the star type tells a binary from a pulsator here; with it, the orbit is reported
    a = analyse(ffi(169079394), options=TYPED)
    assert a.star_type.star_type == "eclipsing_binary"
    assert _close(a.candidate.period_days, 1.12908)
    assert _close(a.candidate.extra["found_period_days"], 1.12908 / 2)
    assert any("the star type is eclipsing binary" in n and "two minima per orbit" in n for n in a.notes)
    untyped = analyse(ffi(169079394), options=OPTS)
    assert _close(untyped.candidate.period_days, 1.12908 / 2)


def test_the_star_type_must_say_binary_to_double_a_smooth_minimum():
    from starskope.analysis.orbits import equal_eclipses

    t = np.arange(0.0, 27.0, 10.0 / 1440.0)
    rng = np.random.default_rng(3)
    light = _contact(t, 1.2) + rng.normal(0, 1e-3, t.size)  # minima every 0.6 d
    cand = SimpleNamespace(period_days=0.6, epoch_bjd=0.0, duration_days=0.3, depth=0.02 * u.dimensionless_unscaled,
                           extra={})
    values = {"secondary": 0.5, "secondary_phase": 0.4}
    report = _Report(cand, ["NOT_TRANSIT_LIKE"], values)

    def typed(kind, p):
        return SimpleNamespace(star_type=kind, probabilities={kind: p, "eclipsing_binary": p if kind == "eclipsing_binary"
                                                              else 1 - p})

    assert equal_eclipses(report, t, light) is None
    assert equal_eclipses(report, t, light, star_type=typed("gamma_dor", 0.8)) is None
    assert equal_eclipses(report, t, light, star_type=typed("eclipsing_binary", 0.4)) is None
    assert "star type is eclipsing binary" in equal_eclipses(report, t, light, star_type=typed("eclipsing_binary", 0.9))
    # a secondary eclipse at phase 0.5 means the found period is already the orbit
    at_half = _Report(cand, ["NOT_TRANSIT_LIKE"], {"secondary": 9.0, "secondary_phase": 0.5})
    assert equal_eclipses(at_half, t, light, star_type=typed("eclipsing_binary", 0.9)) is None


_BINARY = SimpleNamespace(star_type="eclipsing_binary", probabilities={"eclipsing_binary": 0.95})


def _detached(seed, period=2.2, dur=0.12, depth=0.056):
    """A detached binary's 5.6 %-deep eclipses with nothing between them (10-min cadences,
    27 d), and the candidate the search finds on them."""
    t = np.arange(0.0, 27.0, 10.0 / 1440.0)
    rng = np.random.default_rng(seed)
    dip = np.abs(((t - 0.3) / period + 0.5) % 1 - 0.5) * period < dur / 2
    light = 1.0 - depth * dip + 1e-3 * rng.standard_normal(t.size)
    cand = SimpleNamespace(period_days=period, epoch_bjd=0.3, duration_days=dur, depth=depth * u.dimensionless_unscaled,
                           extra={})
    return t, light, cand


def test_a_deep_stellar_eclipse_with_nothing_at_half_phase_is_half_the_orbit():
    from starskope.analysis.orbits import DEEP_PRIMARY_MIN, FAINT_SECONDARY_MAX, equal_eclipses

    t, light, cand = _detached(5)
    depth, binary = cand.depth.value, _BINARY

    def report(flags=("TOO_LARGE",), limit_share=0.007, d=depth):
        c = SimpleNamespace(**{**vars(cand), "depth": d * u.dimensionless_unscaled})
        return _Report(c, list(flags), {"secondary": 0.3, "secondary_phase": 0.32,
                                        "secondary_half_limit": limit_share * d * 1e6})

    why = equal_eclipses(report(), t, light, star_type=binary)
    assert why is not None and "nothing at phase 0.5" in why and "0.7% of its depth" in why
    # a faint secondary allowed by the data (a cool companion's eclipse): the period stands
    assert equal_eclipses(report(limit_share=2 * FAINT_SECONDARY_MAX), t, light, star_type=binary) is None
    # shallower than a main-sequence companion's eclipse must be, or a companion that may be a planet
    assert equal_eclipses(report(d=0.5 * DEEP_PRIMARY_MIN), t, light, star_type=binary) is None
    assert equal_eclipses(report(flags=()), t, light, star_type=binary) is None
    # the star must be typed a binary
    assert equal_eclipses(report(), t, light) is None
    pulsator = SimpleNamespace(star_type="gamma_dor", probabilities={"gamma_dor": 0.9, "eclipsing_binary": 0.1})
    assert equal_eclipses(report(), t, light, star_type=pulsator) is None


def test_a_dip_that_vetting_finds_rivalled_is_no_secondary_eclipse():
    from starskope.analysis.orbits import equal_eclipses

    t, light, cand = _detached(6)
    depth, binary = cand.depth.value, _BINARY
    # a 3.1σ dip at phase 0.33 (TIC 121604042's fold at half its orbit): an eccentric
    # orbit's secondary eclipse, unless another dip of the fold is as significant
    values = {"secondary": 3.1, "secondary_phase": 0.33, "secondary_half_limit": 0.018 * depth * 1e6}
    seen = _Report(cand, ["TOO_LARGE", "V_SHAPED"], {**values, "secondary_rival": float("nan")})
    assert equal_eclipses(seen, t, light, star_type=binary) is None
    rivalled = _Report(cand, ["TOO_LARGE", "V_SHAPED"], {**values, "secondary_rival": 3.2})
    why = equal_eclipses(rivalled, t, light, star_type=binary)
    assert why is not None and "nothing at phase 0.5" in why


def test_a_detached_binary_with_alike_eclipses_is_put_at_its_orbit(ffi):
    # TIC 273372402 (catalogue 4.498 d, kept aside): a 5.6 %-deep eclipse by a star (TOO_LARGE),
    # found at 2.248 d with nothing at phase 0.5 (3σ: 0.7 % of the depth)
    a = analyse(ffi(273372402), options=TYPED)
    assert _close(a.candidate.extra["found_period_days"], 4.498 / 2)
    assert _close(a.candidate.period_days, 4.498)
    assert any("nothing at phase 0.5" in n for n in a.notes)
    # TIC 272489100 (1.7906 d, kept aside): its faint secondary is allowed (3σ limit above 2 %
    # of the primary): the period found is the orbit and is kept
    b = analyse(ffi(272489100), options=TYPED)
    assert _close(b.candidate.period_days, 1.79063)
    assert "found_period_days" not in b.candidate.extra


def test_the_orbit_starts_on_the_events_that_have_data(ffi):
    # TIC 63071165 (catalogue 13.684 d): found at 6.869 d, only its odd events have data, so
    # the odd/even depths cannot be compared; the orbit is put on the events seen
    a = analyse(ffi(63071165), options=TYPED)
    assert _close(a.candidate.period_days, 13.6839)
    assert not any("vetting at the orbital period" in n and "failed" in n for n in a.notes)


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
               if "found_period_days" in analyse(str(shared_data / r["file"]), options=TYPED).candidate.extra]
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
    a = analyse(str(path), options=TYPED)  # WASP-18's star type is eclipsing binary (p = 0.84)
    assert _close(a.candidate.period_days, period)
    assert "found_period_days" not in a.candidate.extra


def test_models_trained_before_keep_their_analysis():
    old = SimpleNamespace(preprocessing_={"analysis": {"period_min_days": 0.5}})
    stored = model_options(old)
    assert stored.equal_eclipses is False
    assert stored.period_min_days == 0.5
    assert AnalysisOptions().equal_eclipses is True
    assert AnalysisOptions().period_min_days == 0.5


def test_the_report_row_says_the_orbit_is_under_the_floor(ffi):
    a = analyse(ffi(120499528), options=OPTS, detail=True)
    row = candidate_rows(a)[0]
    assert _close(row["period_days"], 0.369154)
    assert row["relation"].startswith("an orbit shorter than the search's floor: found at ")
