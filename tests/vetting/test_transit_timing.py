"""Transit-timing variations: each transit timed, and the shape fitted on the transits
aligned on their own times when they stray from a linear ephemeris."""

from __future__ import annotations

import warnings
from dataclasses import replace

import numpy as np
import pytest
from vetting_synth import T_START, candidate

from starskope.vetting import vet
from starskope.vetting._core import fit_trapezoid
from starskope.vetting.timing import (
    MIN_EVENT_SNR,
    aligned_time_from_transit,
    fit_aligned,
    measure_transit_times,
)

P, T0, DUR, DEPTH, INGRESS = 3.3, T_START + 1.1, 0.125, 1e-3, 0.01


def ttv_planet(amplitude_days: float, *, seed: int = 0, noise: float = 2e-4, span: float = 120.0):
    """A flat-bottomed transit whose n-th mid-time is moved by A·sin(2πn/25) (a
    companion's tug with a 25-orbit super-period), white noise, 30-min cadence."""
    rng = np.random.default_rng(seed)
    cad = 0.0204
    t = np.arange(T_START, T_START + span, cad)
    sub = t[:, None] + cad * ((np.arange(9) + 0.5) / 9 - 0.5)
    n = np.round((sub - T0) / P)
    dt = sub - (T0 + n * P + amplitude_days * np.sin(2 * np.pi * n / 25.0))
    f = 1.0 - DEPTH * np.clip((0.5 * DUR - np.abs(dt)) / INGRESS, 0.0, 1.0)
    return t, f.mean(axis=1) + rng.normal(0.0, noise, t.size)


def test_transit_times_are_measured_and_a_wandering_transit_is_fitted_aligned():
    amp = 0.4 * DUR  # ±1.2 h on a 3-h transit
    t, f = ttv_planet(amp)
    rep = vet((t, f), candidate(duration_hours=DUR * 24))
    assert rep.value("ttv_sigma") > 10
    assert "aligned on their own times" in rep["ttv_sigma"].reason
    # the fold on one period smears the box into a V; aligned, it is the flat-bottomed
    # transit it is, at its depth and duration
    assert "V_SHAPED" not in rep.flag_names
    assert rep.value("ingress_ratio") < 0.25
    assert rep.value("duration") == pytest.approx(DUR * 24, rel=0.1)
    assert rep.value("depth_trapezoid") == pytest.approx(DEPTH * 1e6, rel=0.1)
    # the times themselves: each within 4σ of the truth, errors honest
    sigma = 2e-4
    dt0 = (t - T0 + 0.5 * P) % P - 0.5 * P
    trap = fit_trapezoid(dt0, f, sigma, DUR, P, 0.0204)
    times = measure_transit_times(t, f, sigma, P, T0 + trap.shift, trap, 0.0204)
    assert times is not None and times.number.size >= 30
    true_offset = amp * np.sin(2 * np.pi * times.number / 25.0)
    pull = (times.offset + trap.shift - true_offset) / times.err
    assert np.median(np.abs(pull)) < 2.0
    assert np.abs(times.residual).max() > 0.5 * amp
    # and the aligned time puts every transit's middle at zero
    aligned = aligned_time_from_transit(t, times)
    assert np.all(np.abs(aligned[(f < 1 - 0.9 * DEPTH) & (np.abs(aligned) < DUR)]) < 0.5 * DUR)


@pytest.mark.parametrize("seed", range(4))
def test_a_strictly_periodic_transit_is_not_realigned(seed):
    t, f = ttv_planet(0.0, seed=seed)
    rep = vet((t, f), candidate(duration_hours=DUR * 24))
    assert rep.value("ttv_sigma") < 5.0
    assert "aligned" not in rep["ttv_sigma"].reason
    assert rep.value("ttv_rms") < 0.1 * DUR * 24 * 60


def test_too_few_transits_are_not_timed():
    t, f = ttv_planet(0.0, span=12.0)
    rep = vet((t, f), candidate(duration_hours=DUR * 24))
    assert np.isnan(rep.value("ttv_sigma"))
    assert "not timed" in rep["ttv_sigma"].reason


def test_kepler_984_stitched_quarters_are_a_planet_with_ttvs_not_a_v_shaped_binary(shared_data):
    """KIC 1161345 (KOI-984.01, a confirmed planet): its transits wander ±0.9 h over
    quarters 2–4, so the linear fold of the stitched quarters looks V-shaped."""
    import glob

    from starskope.analysis import analyse_files

    files = sorted(glob.glob(str(shared_data / "kepler/dr24/kplr001161345-*_llc.fits.gz")))
    assert len(files) == 3
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyse_files(files)
    assert a.candidate.period_days == pytest.approx(4.28747, rel=1e-3)
    rep = a.vetting
    assert rep.value("ttv_sigma") > 10
    assert "aligned on their own times" in rep["ttv_sigma"].reason
    assert rep.value("ttv_rms") > 15  # minutes
    assert "V_SHAPED" not in rep.flag_names


def test_transits_too_faint_to_see_one_by_one_are_not_realigned():
    """Timing noise looks like variations: a transit each too faint to see alone (SNR ≈ 2
    per transit) keeps the fold on one period, whatever its times seem to do."""
    t, f = ttv_planet(0.4 * DUR, noise=1.2e-3, span=240.0)
    rep = vet((t, f), candidate(duration_hours=DUR * 24))
    assert rep.value("snr") > 10  # the folded transit is clear
    assert "aligned on their own times" not in rep["ttv_sigma"].reason
    # and times that stray, but of transits under MIN_EVENT_SNR, are never used to align
    t, f = ttv_planet(0.4 * DUR)
    dt0 = (t - T0 + 0.5 * P) % P - 0.5 * P
    trap = fit_trapezoid(dt0, f, 2e-4, DUR, P, 0.0204)
    times = measure_transit_times(t, f, 2e-4, P, T0 + trap.shift, trap, 0.0204)
    assert times.event_snr > MIN_EVENT_SNR and times.significance > 10
    args = (t, f, 2e-4, P, T0 + trap.shift)
    assert fit_aligned(*args, times, trap, 0.0204, sigma_threshold=5.0) is not None
    faint = replace(times, event_snr=0.9 * MIN_EVENT_SNR)
    assert fit_aligned(*args, faint, trap, 0.0204, sigma_threshold=5.0) is None
