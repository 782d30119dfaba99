"""Physical limits on ephemerides and thresholds (starskope.limits) and the entry points that
apply them: an absurd value is one clear ParameterError, before any work is sized by it."""

from __future__ import annotations

import sys

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from starskope.errors import ParameterError
from starskope.limits import (
    BEST_PERIOD_PRECISION,
    MAX_PERIOD_OVER_DURATION,
    check_epoch_near_data,
    check_period_and_duration,
    check_snr_threshold,
)
from starskope.search import search_transits
from starskope.search.candidate import TransitCandidate
from starskope.vetting import vet

T_START = 2458325.0  # BJD_TDB of a 27-day TESS-like light curve


def light_curve(period: float = 3.0, epoch: float = T_START + 1.0, depth: float = 2e-3) -> tuple:
    """A 27-day, 30-minute-cadence light curve with box transits of 3 h, as (time, flux)."""
    rng = np.random.default_rng(1)
    t = T_START + np.arange(0.0, 27.0, 0.5 / 24)
    phase = ((t - epoch) / period + 0.5) % 1.0 - 0.5
    flux = 1.0 + 3e-4 * rng.standard_normal(t.size) - depth * (np.abs(phase * period) < 1.5 / 24)
    return t, flux


def test_limits_module_loads_without_numpy_or_astropy() -> None:
    """The command line checks an ephemeris before it loads the science libraries."""
    import subprocess

    code = ("import sys; import starskope.limits; "
            "print(any(m in sys.modules for m in ('numpy', 'astropy')))")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True).stdout
    assert out.strip() == "False"


@pytest.mark.parametrize(
    ("period", "duration", "match"),
    [
        (1e9, 2.8, r"period 1e\+09 d is 8\.57e\+09 transit durations \(duration 2\.8 h\); no transiting orbit "
                   r"has P/T14 above 1e\+05 \(so at most 1\.167e\+04 d for this duration\)"),
        (5.0, 120.0, r"duration 120 h must be shorter than the period 5 d \(120 h\)"),
        (-5.0, 2.0, r"period must be positive and finite; got -5\.0 days"),
        (5.0, 0.0, r"duration must be positive and finite; got 0\.0 hours"),
        (float("nan"), 2.0, r"period must be positive and finite; got nan days"),
        ("abc", 2.0, r"period must be a number of days; got 'abc'"),
    ],
)
def test_impossible_periods_and_durations(period, duration, match) -> None:
    with pytest.raises(ParameterError, match=match):
        check_period_and_duration(period, duration)


def test_the_period_limit_is_generous() -> None:
    # the longest known transiting orbits (P ~ 10⁴ d with T14 ~ 1 d) stay well inside it
    check_period_and_duration(1e4, 24.0)
    check_period_and_duration(MAX_PERIOD_OVER_DURATION * 0.99 / 24, 1.0)
    with pytest.raises(ParameterError):
        check_period_and_duration(MAX_PERIOD_OVER_DURATION * 1.01 / 24, 1.0)


def test_epoch_distance() -> None:
    end = T_START + 27
    check_epoch_near_data(T_START + 3, T_START, end, 2.8)  # inside
    check_epoch_near_data(T_START - 5 * 365.25, T_START, end, 2.8)  # a catalogue epoch 5 years earlier
    limit = 2.8 / 24 / BEST_PERIOD_PRECISION
    check_epoch_near_data(end + 0.99 * limit, T_START, end, 2.8)
    with pytest.raises(ParameterError, match=r"epoch BJD 1e\+12 lies 1e\+12 d from the light curve"):
        check_epoch_near_data(1e12, T_START, end, 2.8)
    with pytest.raises(ParameterError, match="epoch must be a finite BJD_TDB; got inf"):
        check_epoch_near_data(float("inf"), T_START, end, 2.8)


def test_snr_threshold() -> None:
    assert check_snr_threshold(7.1) == 7.1
    assert check_snr_threshold(0, allow_zero=True) == 0.0
    for bad in (0, -1, float("nan"), float("inf")):
        with pytest.raises(ParameterError, match="must be a positive signal-to-noise ratio"):
            check_snr_threshold(bad, name="--snr")
    with pytest.raises(ParameterError, match="snr_threshold must be a signal-to-noise ratio of at least 0; got -1"):
        check_snr_threshold(-1, allow_zero=True)


def test_vet_refuses_an_absurd_period_before_allocating() -> None:
    """``period=1e9 d`` with a 2.8-hour transit once asked for a 228 GiB phase scan."""
    t, f = light_curve()
    cand = TransitCandidate.from_ephemeris(1e9 * u.day, Time(T_START + 1.0, format="jd", scale="tdb"),
                                           2.8 * u.hour, source="user")
    with pytest.raises(ParameterError, match=r"period 1e\+09 d is .* transit durations"):
        vet((t, f), cand, stellar=None)


def test_vet_refuses_an_epoch_far_from_the_data() -> None:
    t, f = light_curve()
    cand = TransitCandidate.from_ephemeris(3.0 * u.day, Time(1e12, format="jd", scale="tdb"), 3.0 * u.hour,
                                           source="user")
    with pytest.raises(ParameterError, match=r"epoch BJD 1e\+12 lies .* from the light curve"):
        vet((t, f), cand, stellar=None)


def test_vet_accepts_a_single_transit_longer_than_the_data() -> None:
    """A period longer than the light curve is a single transit, not a mistake."""
    t, f = light_curve(period=3.0)
    cand = TransitCandidate.from_ephemeris(400.0 * u.day, Time(T_START + 1.0, format="jd", scale="tdb"),
                                           3.0 * u.hour, source="user")
    report = vet((t, f), cand, stellar=None)
    assert report.candidate.n_transits == 1


def test_search_refuses_a_negative_threshold() -> None:
    t, f = light_curve()
    with pytest.raises(ParameterError, match="snr_threshold must be a signal-to-noise ratio of at least 0; got -1"):
        search_transits(t, f, period_min=1.0, period_max=10.0, snr_threshold=-1)
    with pytest.raises(ParameterError, match="mask_factor must be a positive number of transit durations"):
        search_transits(t, f, period_min=1.0, period_max=10.0, mask_factor=0)
