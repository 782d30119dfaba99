"""Views: folding and binning on a physical grid, normalisation, and their errors."""

from __future__ import annotations

import numpy as np
import pytest
from hypothesis import given, settings
from hypothesis import strategies as st

from starskope.errors import ParameterError
from starskope.features import (
    ViewSpec,
    binned_mean,
    global_view,
    local_view,
    normalize_views,
    odd_even_views,
    secondary_view,
    star_views,
)

BJD0 = 2456977.0
CADENCE = 29.4244 / 1440.0


def box_lightcurve(period=3.3, epoch=BJD0 + 1.1, duration=0.12, depth=2e-3, noise=1e-4, n=3197,
                   cadence=CADENCE, odd_depth=None, secondary=0.0, seed=0):
    """K2-like light curve with box transits (optionally unequal odd/even and a secondary)."""
    rng = np.random.default_rng(seed)
    t = BJD0 + np.arange(n) * cadence
    f = 1 + noise * rng.normal(size=n)
    dt = (t - epoch) / period
    k = np.floor(dt + 0.5)
    inside = np.abs((dt - k) * period) < duration / 2
    d = np.where((k % 2 == 1) & (odd_depth is not None), odd_depth if odd_depth is not None else depth, depth)
    f[inside] -= d[inside]
    if secondary:
        ph2 = dt - np.floor(dt) - 0.5
        f[np.abs(ph2 * period) < duration / 2] -= secondary
    return t, f


def test_binned_mean_matches_brute_force():
    rng = np.random.default_rng(1)
    x = rng.uniform(-1, 1, 500)
    y = rng.normal(size=500)
    centers = np.linspace(-1, 1, 41)
    means, counts = binned_mean(x, y, centers, 0.13)
    for c, m, k in zip(centers, means, counts, strict=True):
        sel = np.abs(x - c) < 0.065
        assert k == sel.sum()
        if k:
            assert m == pytest.approx(y[sel].mean())
        else:
            assert np.isnan(m)


@settings(max_examples=40, deadline=None)
@given(st.lists(st.floats(-10, 10), min_size=1, max_size=60), st.floats(0.01, 5))
def test_binned_mean_counts_every_point_once_when_bins_tile(xs, width):
    x = np.asarray(xs)
    centers = np.arange(-12, 12 + width, width)
    _, counts = binned_mean(x, np.ones_like(x), centers, width)
    # bins of width w spaced w apart tile the line: each point lands in exactly one
    # (points exactly on an edge belong to the upper bin)
    assert counts.sum() == x.size


def test_binned_mean_rejects_non_positive_width():
    with pytest.raises(ParameterError, match="bin width must be positive"):
        binned_mean(np.zeros(3), np.zeros(3), np.zeros(2), 0.0)


def test_global_view_puts_the_transit_in_the_middle():
    t, f = box_lightcurve()
    g = global_view(t, f, 3.3, BJD0 + 1.1, n_bins=2001)
    assert g.shape == (2001,)
    assert np.isfinite(g).all()
    assert abs(int(np.argmin(g)) - 1000) < 40
    assert np.median(g) == pytest.approx(1.0, abs=1e-4)
    assert g.min() < 1 - 1.5e-3


def test_local_view_measures_depth_and_is_centred():
    t, f = box_lightcurve(depth=3e-3)
    v = local_view(t, f, 3.3, BJD0 + 1.1, 0.12, n_bins=201)
    assert v.shape == (201,)
    assert v[100] == pytest.approx(1 - 3e-3, abs=5e-4)
    assert v[0] == pytest.approx(1.0, abs=3e-4) and v[-1] == pytest.approx(1.0, abs=3e-4)


def test_views_do_not_depend_on_cadence_telescope_awareness():
    """The same transit seen at K2 long cadence and at TESS 2-min gives the same local view."""
    kw = dict(period=2.7, epoch=BJD0 + 0.4, duration=0.15, depth=2e-3, noise=2e-5)
    t1, f1 = box_lightcurve(**kw, n=3197, cadence=CADENCE)
    t2, f2 = box_lightcurve(**kw, n=int(3197 * CADENCE / (2 / 1440)), cadence=2 / 1440)
    v1 = local_view(t1, f1, 2.7, BJD0 + 0.4, 0.15)
    v2 = local_view(t2, f2, 2.7, BJD0 + 0.4, 0.15)
    assert v1.shape == v2.shape
    assert np.max(np.abs(v1 - v2)) < 4e-4


def test_odd_even_views_separate_unequal_eclipses():
    t, f = box_lightcurve(depth=4e-3, odd_depth=2e-3, noise=5e-5)
    odd, even = odd_even_views(t, f, 3.3, BJD0 + 1.1, 0.12)
    assert 1 - even[100] == pytest.approx(4e-3, rel=0.15)
    assert 1 - odd[100] == pytest.approx(2e-3, rel=0.15)


def test_secondary_view_finds_the_secondary_eclipse():
    t, f = box_lightcurve(depth=5e-3, secondary=1e-3, noise=5e-5)
    s = secondary_view(t, f, 3.3, BJD0 + 1.1, 0.12)
    assert 1 - s[100] == pytest.approx(1e-3, rel=0.2)
    with pytest.raises(ParameterError, match="secondary phase must lie in"):
        secondary_view(t, f, 3.3, BJD0 + 1.1, 0.12, phase=1.2)


def test_normalize_views_sets_baseline_zero_and_depth_minus_one():
    t, f = box_lightcurve(depth=5e-3, secondary=1e-3, noise=5e-5)
    raw = star_views(t, f, 3.3, BJD0 + 1.1, 0.12, spec=ViewSpec())
    views, scale = normalize_views(raw, depth=5e-3)
    assert scale == 5e-3
    assert views["local"][100] == pytest.approx(-1.0, abs=0.05)
    assert views["secondary"][100] == pytest.approx(-0.2, abs=0.05)
    assert abs(float(np.median(views["global"]))) < 0.02
    assert all(v.dtype == np.float32 for v in views.values())
    # without a measured depth the local view's minimum sets the scale
    _, scale2 = normalize_views(raw)
    assert scale2 == pytest.approx(5e-3, rel=0.2)


def test_bad_ephemeris_is_rejected():
    t, f = box_lightcurve()
    with pytest.raises(ParameterError, match="period must be finite and positive"):
        global_view(t, f, -1.0, BJD0)
    with pytest.raises(ParameterError, match="duration must be positive and shorter than the period"):
        local_view(t, f, 1.0, BJD0, 2.0)


def test_view_spec_validates():
    with pytest.raises(ParameterError, match="views need at least 3 bins"):
        ViewSpec(n_global=2)
    with pytest.raises(ParameterError, match="local_durations must exceed 1"):
        ViewSpec(local_durations=0.5)
    with pytest.raises(ParameterError, match="local_width_factor must be positive"):
        ViewSpec(local_width_factor=0)
