"""Robust scatter (starskope.scatter): known answers, NaN rules, axis variants, astropy agreement."""

from __future__ import annotations

import math

import numpy as np
import pytest
from astropy.stats import mad_std

from starskope.errors import ParameterError
from starskope.scatter import (
    MAD_TO_SIGMA,
    binned_std,
    point_to_point_std,
    red_noise_beta,
    robust_std,
)


def test_robust_std_of_gaussian_noise_and_an_outlier():
    rng = np.random.default_rng(1)
    assert robust_std(rng.normal(0, 2.0, 20000)) == pytest.approx(2.0, rel=0.03)
    # median 3, deviations (2, 1, 0, 1, 97): the outlier does not move the median deviation
    assert robust_std([1.0, 2.0, 3.0, 4.0, 100.0]) == MAD_TO_SIGMA * 1.0


def test_robust_std_is_astropy_mad_std_up_to_the_rounded_constant():
    x = np.random.default_rng(3).standard_t(3, 5001)
    x[::97] = np.nan
    ours = robust_std(x)
    assert ours == pytest.approx(mad_std(x, ignore_nan=True), rel=2e-6)
    assert ours != mad_std(x, ignore_nan=True)  # 1.4826 against 1.482602...


def test_robust_std_nan_and_count_rules():
    assert robust_std(np.array([1.0, np.nan, 3.0])) == pytest.approx(MAD_TO_SIGMA * 1.0)
    assert math.isnan(robust_std(np.array([1.0, np.nan]), min_count=3))
    assert math.isnan(robust_std(np.array([])))
    assert robust_std(np.array([1.0, 2.0]), min_count=2) == pytest.approx(MAD_TO_SIGMA * 0.5)


def test_robust_std_about_a_given_centre():
    r = np.array([-3.0, -1.0, 0.5, 2.0, 10.0])
    assert robust_std(r, center=0.0) == MAD_TO_SIGMA * float(np.median(np.abs(r)))


def test_robust_std_along_an_axis_matches_row_by_row():
    rng = np.random.default_rng(4)
    x = rng.normal(0, 1, (5, 300))
    x[1, :10] = np.nan
    x[3, :] = np.nan
    with pytest.warns(RuntimeWarning, match="All-NaN slice"):  # numpy's word on the empty row
        rows = robust_std(x, axis=1)
    for i in (0, 1, 2, 4):
        assert rows[i] == robust_std(x[i])
    assert math.isnan(rows[3])
    kept = robust_std(x[[0, 2]], axis=1, keepdims=True, center=0.0)
    assert kept.shape == (2, 1)
    assert kept[1, 0] == MAD_TO_SIGMA * np.median(np.abs(x[2]))
    few = robust_std(np.array([[1.0, 2.0, np.nan, np.nan], [1.0, 2.0, 3.0, 4.0]]), axis=1, min_count=3)
    assert math.isnan(few[0]) and few[1] == pytest.approx(MAD_TO_SIGMA * 1.0)


def test_point_to_point_std_ignores_trends():
    rng = np.random.default_rng(5)
    t = np.arange(20000)
    y = 0.01 * np.sin(2 * np.pi * t / 2000) + rng.normal(0, 1e-3, t.size)
    assert point_to_point_std(y) == pytest.approx(1e-3, rel=0.03)
    assert point_to_point_std(y, order=2) == pytest.approx(1e-3, rel=0.03)
    assert robust_std(y) > 5e-3  # the per-point scatter sees the trend


def test_point_to_point_std_drops_non_finite_values_before_differencing():
    y = np.array([1.0, 2.0, np.nan, 4.0, np.inf, 7.0])
    d = np.diff([1.0, 2.0, 4.0, 7.0])
    assert point_to_point_std(y) == MAD_TO_SIGMA * float(np.median(np.abs(d - np.median(d)))) / np.sqrt(2.0)
    assert point_to_point_std([1.0, 5.0, 2.0], center=0.0) == MAD_TO_SIGMA * 3.5 / np.sqrt(2.0)


def test_point_to_point_std_errors():
    with pytest.raises(ParameterError, match="needs a 1-D series; got an array of shape"):
        point_to_point_std(np.zeros((3, 3)))
    with pytest.raises(ParameterError, match="order must be 1"):
        point_to_point_std(np.zeros(5), order=3)


def test_binned_std_is_white_noise_over_root_n():
    rng = np.random.default_rng(2)
    t = np.arange(0, 50, 0.02)
    y = rng.normal(0, 1e-3, t.size)
    assert binned_std(t, y, 0.2, 0.02) == pytest.approx(1e-3 / np.sqrt(10), rel=0.15)


def test_binned_std_sees_correlated_noise_and_needs_ten_bins():
    rng = np.random.default_rng(6)
    t = np.arange(0, 50, 0.02)
    red = np.repeat(rng.normal(0, 1e-3, t.size // 10 + 1), 10)[: t.size]  # constant over 0.2 d
    assert binned_std(t, red, 0.2, 0.02) == pytest.approx(1e-3, rel=0.15)
    assert math.isnan(binned_std(t[:100], red[:100], 0.5, 0.02))
    assert math.isnan(binned_std(t, red, 0.0, 0.02))


def test_red_noise_beta_is_one_for_white_noise_and_grows_with_correlated_noise():
    rng = np.random.default_rng(8)
    t = np.arange(0, 50, 0.02)
    white = rng.normal(0, 1e-3, t.size)
    assert red_noise_beta(t, white, 1e-3, 0.2, 0.02) == pytest.approx(1.0, abs=0.2)
    red = np.repeat(rng.normal(0, 1e-3, t.size // 10 + 1), 10)[: t.size]  # constant over 0.2 d
    # white noise of the same per-point scatter would average down by √10 over 0.2 d
    assert red_noise_beta(t, red, 1e-3, 0.2, 0.02) == pytest.approx(np.sqrt(10), rel=0.2)
    # not measurable: the width not above the cadence, or too few bins
    assert red_noise_beta(t, red, 1e-3, 0.02, 0.02) == 1.0
    assert red_noise_beta(t[:100], red[:100], 1e-3, 0.5, 0.02) == 1.0
