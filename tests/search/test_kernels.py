"""The compiled shortcuts of the search give the numbers of the plain NumPy they replace.

* box statistics (:func:`starskope.search.bls._box_stats`) on one compiled pass and a
  sort shared by a search pass: the same floating-point numbers as the NumPy code;
* the refinement of a peak folds only the points near its transit
  (:func:`starskope.search.bls._run_local`): the boxes it can reach get the same
  power, start and width as the whole-phase search.
"""

from __future__ import annotations

import numpy as np
import pytest

from starskope.scatter import binned_std, robust_std
from starskope.search import _kernels
from starskope.search.bls import (
    _Box,
    _box_stats,
    _grid_for_freqs,
    _local_fits,
    _near_transit,
    _prepare,
    _ranked,
    _run_kernel,
    _run_local,
    _subset_order,
)
from starskope.search.folding import phase_fold, transit_number


@pytest.mark.parametrize("n", [0, 1, 7, 8, 9, 127, 128, 129, 255, 256, 1000, 1031, 18279])
def test_pairwise_sum_is_numpys_sum(n):
    rng = np.random.default_rng(n)
    a = 1e-4 + 1e-3 * rng.standard_normal(n + 5)
    assert _kernels.pairwise_sum(a, 0, n) == np.sum(a[:n])
    assert _kernels.pairwise_sum(a, 5, n) == np.sum(a[5:])


def _numpy_box_stats(t, y, w, box, cadence):
    """What ``_box_stats`` measured before it was compiled, step by step in NumPy."""
    phase = np.abs(phase_fold(t, box.period, box.t0)) * box.period
    inside = phase < 0.5 * box.duration
    out_y = y[~inside]
    base = float(np.average(out_y, weights=w[~inside]))
    depth = float(base - np.average(y[inside], weights=w[inside]))
    sigma = robust_std(out_y)
    number = transit_number(t[inside], box.period, box.t0)
    epochs, counts = np.unique(number, return_counts=True)
    sigma_d = binned_std(t[~inside], out_y, box.duration, cadence)
    y_in = y[inside]
    ev_depth = np.array([base - float(np.mean(y_in[number == e])) for e in epochs])
    return {"inside": inside, "depth": depth, "sigma": sigma, "sigma_d": sigma_d,
            "epochs": epochs, "counts": counts, "ev_depth": ev_depth, "median_in": float(np.median(y_in))}


@pytest.mark.parametrize("name", ["pimen", "k2_quiet"])
def test_box_statistics_are_numpys_to_the_last_bit(cleaned, name):
    t, f = cleaned(name)
    prep = _prepare(t, f, None)
    rng = np.random.default_rng(7)
    boxes = [_Box(0.0, 6.26783, 2458325.503, 0.12)]  # pi Men c (and a box on noise in K2)
    boxes += [_Box(0.0, float(p), float(t[0] + rng.uniform(0, p)), float(d))
              for p, d in zip(rng.uniform(0.6, 12.0, 12), rng.uniform(0.03, 0.4, 12), strict=True)]
    ranked = _ranked(prep.y)
    for box in boxes:
        ref = _numpy_box_stats(prep.t_abs, prep.y, prep.w, box, prep.cadence)
        s_sorted, rank = ranked
        inside, n_in, base, mean_in, sigma, sigma_d, epochs, counts, ev_mean, median_in = \
            _kernels.box_stats_core(prep.t_abs, prep.y, prep.w, s_sorted, rank, box.period, box.t0,
                                    box.duration, prep.cadence)
        assert np.array_equal(inside, ref["inside"]) and n_in == inside.sum()
        assert base - mean_in == ref["depth"]
        assert sigma == ref["sigma"]
        assert sigma_d == ref["sigma_d"] or (np.isnan(sigma_d) and np.isnan(ref["sigma_d"]))
        assert np.array_equal(epochs, ref["epochs"]) and np.array_equal(counts, ref["counts"])
        assert np.array_equal(base - ev_mean, ref["ev_depth"])
        assert median_in == ref["median_in"]
        # the whole statistic, with and without the shared sort (repr: NaN fields compare)
        assert repr(_box_stats(prep.t_abs, prep.y, prep.w, box, prep.cadence, ranked)) == \
            repr(_box_stats(prep.t_abs, prep.y, prep.w, box, prep.cadence))


def test_a_subset_keeps_its_sort_order():
    rng = np.random.default_rng(3)
    y = rng.standard_normal(2000)
    y[::50] = 0.25  # ties
    keep = rng.random(2000) > 0.3
    order = _subset_order(np.argsort(y), keep)
    assert np.array_equal(y[keep][order], np.sort(y[keep]))


def test_local_refinement_measures_the_boxes_of_the_whole_phase(cleaned):
    t, f = cleaned("tess_quiet")
    period, epoch, duration, depth = 3.1416, float(t[0]) + 1.234, 0.11, 4e-4
    inside = np.abs(phase_fold(t, period, epoch)) * period < duration / 2
    prep = _prepare(t, f * (1 - depth * inside), None)
    tr = prep.t_abs - prep.t_abs[0]
    freqs = np.linspace(1 / period * (1 - 3e-4), 1 / period * (1 + 3e-4), 41)
    grid = _grid_for_freqs(freqs, cadence=prep.cadence, density=(0.2, 20.0), phase_oversample=4.0,
                           duration_ratio=1.1)
    t_mid = epoch - prep.t_abs[0] + np.round((0.5 * tr[-1] - (epoch - prep.t_abs[0])) / period) * period
    reach = 0.5 * duration + 0.03
    assert _local_fits(grid, reach)
    near = _near_transit(tr, grid, t_mid, reach)
    assert 0 < near.sum() < 0.5 * tr.size  # it folds far fewer points
    p_all, s_all, w_all = _run_kernel(tr, prep.y, prep.w, grid, stride=False)
    p_loc, s_loc, w_loc = _run_local(tr, prep.y, prep.w, grid, t_mid, reach, near)
    # the transit is the best box of the whole phase: the local search finds the same one
    assert np.array_equal(s_loc, s_all) and np.array_equal(w_loc, w_all)
    np.testing.assert_allclose(p_loc, p_all, rtol=1e-9)
    # and a reach that covers most of the phase is the whole-phase search
    wide = _run_local(tr, prep.y, prep.w, grid, t_mid, 0.45 * period, near)
    assert all(np.array_equal(a, b) for a, b in zip(wide, (p_all, s_all, w_all), strict=True))
