"""Property tests: folding and binning invariants, and the kernel against brute force."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from starskope.errors import ParameterError
from starskope.search import bin_phase, make_grid, phase_fold
from starskope.search._kernels import bls_single
from starskope.search.folding import time_from_transit, transit_number

periods = st.floats(0.3, 50.0)
epochs = st.floats(-100.0, 100.0)


@given(periods, epochs, st.integers(-20, 20), st.integers(0, 2**31 - 1))
@settings(max_examples=60, deadline=None)
def test_phase_in_range_and_periodic(period, epoch, n_cycles, seed):
    t = 2457000 + np.random.default_rng(seed).uniform(0, 80, 200)
    ph = phase_fold(t, period, epoch)
    assert np.all((ph >= -0.5) & (ph < 0.5))
    shifted = phase_fold(t + n_cycles * period, period, epoch)
    # the same phase, up to the wrap at ±0.5 and float rounding of a ~2.5e6-day time
    diff = (shifted - ph + 0.5) % 1.0 - 0.5
    assert np.max(np.abs(diff)) < 1e-6


@given(periods, epochs, st.floats(-1.0, 1.0), st.integers(0, 2**31 - 1))
@settings(max_examples=60, deadline=None)
def test_any_phase_range_is_one_cycle_and_agrees_with_the_default(period, epoch, start, seed):
    t = 2457000 + np.random.default_rng(seed).uniform(0, 80, 200)
    ph = phase_fold(t, period, epoch, start=start)
    assert np.all((ph >= start) & (ph < start + 1.0))
    diff = (ph - phase_fold(t, period, epoch) + 0.5) % 1.0 - 0.5
    assert np.max(np.abs(diff)) < 1e-9


@given(periods, st.floats(2.4e6, 2.5e6), st.integers(-50, 50))
@settings(max_examples=60, deadline=None)
def test_the_epoch_and_its_transits_fold_to_phase_zero(period, epoch, n):
    assert phase_fold(np.array([epoch]), period, epoch)[0] == 0.0
    assert time_from_transit(np.array([epoch]), period, epoch)[0] == 0.0
    assert transit_number(np.array([epoch]), period, epoch)[0] == 0
    ph = phase_fold(np.array([epoch + n * period]), period, epoch)[0]
    assert abs(ph) < 1e-9  # up to the rounding of a ~2.5e6-day time
    assert transit_number(np.array([epoch + n * period + 0.1 * period]), period, epoch)[0] == n


@given(periods, epochs, st.floats(-1e3, 1e3))
@settings(max_examples=60, deadline=None)
def test_time_from_transit_is_the_fold_in_days(period, epoch, t):
    dt = time_from_transit(np.array([t]), period, epoch)[0]
    n = transit_number(np.array([t]), period, epoch)[0]
    assert -0.5 * period <= dt <= 0.5 * period
    assert t == pytest.approx(epoch + n * period + dt, abs=1e-6 * max(1.0, abs(t)))
    # the same fold, but half a period from two transits (to the last bit) either end of
    # the range is right: compare across the wrap
    ph_days = phase_fold(np.array([t]), period, epoch)[0] * period
    wrapped = (dt - ph_days + 0.5 * period) % period - 0.5 * period
    assert wrapped == pytest.approx(0.0, abs=1e-9 * max(1.0, abs(t)))


@given(st.integers(1, 200), st.integers(0, 2**31 - 1))
@settings(max_examples=60, deadline=None)
def test_binning_conserves_weight_and_sum(n_bins, seed):
    rng = np.random.default_rng(seed)
    ph = rng.uniform(-0.5, 0.5, 500)
    v = rng.normal(0, 1, 500)
    w = rng.uniform(0.1, 2, 500)
    centers, means, sw = bin_phase(ph, v, n_bins, w)
    assert centers.size == means.size == sw.size == n_bins
    assert sw.sum() == pytest.approx(w.sum())
    filled = sw > 0
    assert np.sum(means[filled] * sw[filled]) == pytest.approx(np.sum(w * v), abs=1e-9)
    assert np.all(np.diff(centers) > 0)


def test_bin_phase_errors():
    with pytest.raises(ParameterError, match="n_bins must be >= 1"):
        bin_phase(np.zeros(3), np.zeros(3), 0)
    with pytest.raises(ParameterError, match=r"phase must lie in \[-0.5, 0.5\)"):
        bin_phase(np.array([0.7]), np.array([1.0]), 4)
    with pytest.raises(ParameterError, match="one shape"):
        bin_phase(np.zeros(3), np.zeros(4), 4)
    with pytest.raises(ParameterError, match="period must be finite and positive"):
        phase_fold(np.zeros(3), 0.0, 0.0)
    with pytest.raises(ParameterError, match="period must be finite and positive"):
        time_from_transit(np.zeros(3), np.nan, 0.0)
    with pytest.raises(ParameterError, match="period must be finite and positive"):
        transit_number(np.zeros(3), -1.0, 0.0)


def _brute_force(t, y, w, freq, nb, widths):
    """Best Δχ² over every cyclic box of the given widths, by direct summation."""
    ym = y - np.sum(w * y) / np.sum(w)
    idx = np.minimum(((t * freq) % 1.0 * nb).astype(int), nb - 1)
    sw = np.bincount(idx, w, nb)
    swy = np.bincount(idx, w * ym, nb)
    total = sw.sum()
    best = 0.0
    for m in widths:
        for s in range(nb):
            sel = [(s + j) % nb for j in range(m)]
            r, q = sw[sel].sum(), swy[sel].sum()
            if q < 0 and 0 < r < total:
                best = max(best, q * q * total / (r * (total - r)))
    return best


@given(st.integers(0, 2**31 - 1), st.floats(0.2, 2.0), st.integers(8, 60))
@settings(max_examples=40, deadline=None)
def test_kernel_equals_brute_force(seed, freq, nb):
    rng = np.random.default_rng(seed)
    t = np.sort(rng.uniform(0, 30, 300))
    y = rng.normal(0, 1, t.size)
    w = rng.uniform(0.5, 2.0, t.size)
    widths = np.array([1, 2, 3, 5], dtype=np.int64)
    widths = widths[widths <= nb // 2]
    power = np.zeros(1)
    start = np.zeros(1, dtype=np.int64)
    width = np.zeros(1, dtype=np.int64)
    ym = y - np.sum(w * y) / np.sum(w)
    bls_single(t, w * ym, w, float(w.sum()), np.array([freq]), np.array([nb], dtype=np.int64),
               np.array([0, widths.size], dtype=np.int64), widths, False, power, start, width)
    assert power[0] == pytest.approx(_brute_force(t, y, w, freq, nb, widths), rel=1e-6, abs=1e-9)


@given(st.floats(20.0, 400.0), st.floats(0.3, 2.0), st.floats(1.5, 10.0))
@settings(max_examples=30, deadline=None)
def test_grid_spacing_follows_the_drift_criterion(baseline, pmin, span):
    pmax = min(pmin * span, baseline)
    if pmax <= pmin:
        return
    grid = make_grid(baseline, pmin, pmax, cadence_days=0.0204, oversample=2.0)
    f = grid.freqs
    assert np.all(np.diff(f) > 0)
    assert f[0] == pytest.approx(1 / pmax) and f[-1] == pytest.approx(1 / pmin)
    # step ≤ D_min(P) / (oversample · T · P) (within the discretisation of the integral)
    allowed = grid.duration_min_days[:-1] * f[:-1] / (2.0 * baseline)
    assert np.all(np.diff(f) <= allowed * 1.05)
    # box widths: at least one bin, increasing, at most half the bins
    for j in (0, len(grid) // 2, len(grid) - 1):
        m = grid.dur_bins[grid.dur_offsets[j] : grid.dur_offsets[j + 1]]
        assert m.size >= 1 and np.all(np.diff(m) > 0) and m[-1] <= grid.nbins[j] // 2
