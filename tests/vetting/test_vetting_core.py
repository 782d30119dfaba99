"""The numeric core of vetting on arrays whose answers are known."""

from __future__ import annotations

import numpy as np
import pytest
from vetting_synth import T_START, synthetic, trapezoid

from starskope.search.folding import time_from_transit
from starskope.vetting import _core


def test_trapezoid_shape_limits():
    dt = np.linspace(-0.1, 0.1, 201)
    box = _core.trapezoid_shape(dt, 0.1, 0.0)
    assert np.all((box < 1e-6) | (box > 1 - 1e-6))
    assert box[np.abs(dt) < 0.049].min() == 1.0 and box[np.abs(dt) > 0.051].max() == 0.0
    v = _core.trapezoid_shape(dt, 0.1, 0.05)
    assert v.max() == pytest.approx(1.0) and v[100] == pytest.approx(1.0)
    assert v[np.argmin(np.abs(dt - 0.025))] == pytest.approx(0.5, abs=0.02)


def test_chi2_to_sigma():
    assert _core.chi2_to_sigma(9.0, 1) == pytest.approx(3.0, rel=1e-6)
    assert _core.chi2_to_sigma(1e6, 2) > 30
    assert np.isnan(_core.chi2_to_sigma(1.0, 0))


def test_phase_distance_is_circular():
    assert _core.phase_distance(np.array([0.1, 0.9, 0.5]), 0.0) == pytest.approx([0.1, 0.1, 0.5])
    assert _core.phase_distance(np.array([0.05]), 0.95)[0] == pytest.approx(0.1)


def test_trapezoid_fit_recovers_shape():
    t, f = synthetic(depth=2e-3, duration=0.15, ingress=0.02, noise=1e-4, seed=3)
    dt = time_from_transit(t, 3.3, T_START + 1.1 + 0.01)  # epoch 14 min off
    fit = _core.fit_trapezoid(dt, f, 1e-4, 0.12, 3.3, 0.0204)
    assert fit.depth == pytest.approx(2e-3, rel=0.03)
    assert fit.duration == pytest.approx(0.15, rel=0.05)
    assert fit.ingress_ratio == pytest.approx(0.02 / 0.15, abs=0.06)
    assert fit.shift == pytest.approx(-0.01, abs=0.003)
    assert fit.chi2_v > fit.chi2_u  # flat-bottomed fits better


def test_event_depths_separate_odd_and_even():
    t, f = synthetic(depth=1e-3, odd_depth=2e-3, noise=1e-4, seed=4, ingress=0.0)
    ev = _core.event_depths(t, f, 1e-4, 3.3, T_START + 1.1, 0.05, 0.02, 0.12, 0.0204)
    odd = ev.subset(ev.number % 2 == 1).mean()[0]
    even = ev.subset(ev.number % 2 == 0).mean()[0]
    assert odd == pytest.approx(2e-3, rel=0.05)
    assert even == pytest.approx(1e-3, rel=0.08)
    assert len(ev) == pytest.approx(80 / 3.3, abs=1.5)


def test_event_depths_global_baseline_and_coverage():
    t = np.arange(0.0, 10.0, 0.01) + T_START
    f = trapezoid(t, 1.0, T_START + 0.5, 0.6, 0.01)
    ev = _core.event_depths(t, f, 1e-4, 1.0, T_START + 0.5, 0.285, 0.05, 0.3, 0.01, baseline=1.0)
    assert np.allclose(ev.depth, 0.01, rtol=1e-6)
    gappy = t[(t < T_START + 2.3) | (t > T_START + 2.6)]
    ev2 = _core.event_depths(gappy, trapezoid(gappy, 1.0, T_START + 0.5, 0.2, 0.01), 1e-4, 1.0, T_START + 0.5,
                             0.1, 0.02, 0.2, 0.01)
    assert 2 not in set(ev2.number.tolist())  # the transit in the gap is not counted


def test_phase_scan_finds_the_secondary_and_red_noise_is_one_for_white_noise():
    t, f = synthetic(depth=2e-3, secondary=4e-4, sec_phase=0.5, noise=2e-4, seed=5, ingress=0.0)
    scan = _core.phase_scan(t, f, 2e-4, 3.3, T_START + 1.1, 0.125, 1.0)
    zone = (scan.phase > 0.3) & (scan.phase < 0.7)
    best = scan.phase[zone][np.argmax(scan.depth[zone] / scan.err[zone])]
    assert best == pytest.approx(0.5, abs=0.02)
    red = _core.red_noise_factor(scan, [(0.0, 0.05), (0.5, 0.05)])
    assert 1.0 <= red < 1.3


def _contact_binary(amplitude: float, noise: float, seed: int = 0):
    """A W UMa-like light curve (P = 0.44 d: unequal minima, no flat baseline), 30-min
    cadence over 27 days, white noise."""
    rng = np.random.default_rng(seed)
    t = np.arange(T_START, T_START + 27.0, 0.0208)
    phase = 2 * np.pi * (t - T_START) / 0.44
    f = 1.0 - amplitude * (0.5 * (1 - np.cos(2 * phase)) + 0.15 * (1 - np.cos(phase)))
    return t, f + rng.normal(0.0, noise, t.size)


def test_periodic_snr_sees_a_fold_that_varies_and_not_noise():
    t, f = _contact_binary(0.07, 0.02)
    snr = _core.periodic_snr(t, f, 0.44, T_START, 0.13, 0.0208)
    # a 7 % variation folded over ~1300 points in 2 % noise stands far above the threshold; noise does not
    assert snr > 30
    for seed in range(3):
        t, noise = _contact_binary(0.0, 0.02, seed=seed)
        assert _core.periodic_snr(t, noise, 0.44, T_START, 0.13, 0.0208) < 5
    # red noise (a slow random walk) does not pose as a periodic signal at an unrelated period
    rng = np.random.default_rng(7)
    walk = 1.0 + np.cumsum(rng.normal(0.0, 0.002, t.size)) + rng.normal(0.0, 0.02, t.size)
    assert _core.periodic_snr(t, walk - np.polyval(np.polyfit(t - t[0], walk, 3), t - t[0]) + 1, 0.44, T_START,
                              0.13, 0.0208) < 7.1
