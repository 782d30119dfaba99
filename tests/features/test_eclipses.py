"""Eclipsing-binary tells at the candidate's ephemeris: a planet shows none of them; a
binary shows its secondary, its unequal odd and even eclipses, its ellipsoidal light and
its V shape."""

from __future__ import annotations

import numpy as np
import pytest

from starskope.features import ECLIPSE_FEATURES, SCALAR_NAMES, eclipse_features
from starskope.features.eclipses import red_noise_factor, v_shape, v_shape_of_points

P, T0, D = 2.5, 2458000.7, 0.12
T = 2458000.0 + np.arange(0, 27, 0.0208)
PHASE = ((T - T0) / P + 0.5) % 1 - 0.5
NUMBER = np.floor((T - T0) / P + 0.5)


def _box(centre: float, depth: float) -> np.ndarray:
    x = np.abs(((PHASE - centre) + 0.5) % 1 - 0.5) * P
    return np.where(x < D / 2, depth, 0.0)


def _measure(flux, raw=None, **kw):
    return eclipse_features(T, flux, raw, period_days=P, epoch_bjd=T0, duration_days=D, **kw)


@pytest.fixture(scope="module")
def noise():
    return np.random.default_rng(1).normal(0, 1e-3, T.size)


def test_the_eclipse_features_come_last_in_the_scalars():
    assert SCALAR_NAMES[-len(ECLIPSE_FEATURES):] == ECLIPSE_FEATURES


def test_the_feature_version_is_carried_and_the_shipped_model_reads_its_own_features():
    """Feature version 2 appended the eclipse group. The shipped model (retrained on
    version 2) reads every scalar including the binary tells; a model of version 1 (56
    names, or none stored) still reads exactly the columns it was trained on."""
    import json

    from starskope.features import FEATURE_VERSION, StarData, extract_features
    from starskope.models import DEFAULT_MODEL_DIR
    from starskope.models.base import stored_scalar_names

    fs = extract_features([StarData(time=T, flux=np.ones_like(T))])
    assert FEATURE_VERSION == 2 and fs.spec["feature_version"] == FEATURE_VERSION
    doc = json.loads((DEFAULT_MODEL_DIR / "model.json").read_text())
    trained = tuple(doc["preprocessing"]["scalar_names"])
    assert trained == tuple(SCALAR_NAMES) and set(ECLIPSE_FEATURES) <= set(trained)
    version1 = stored_scalar_names({}, len(SCALAR_NAMES) - len(ECLIPSE_FEATURES))
    assert version1 == tuple(SCALAR_NAMES[: -len(ECLIPSE_FEATURES)]) and not set(version1) & set(ECLIPSE_FEATURES)
    assert stored_scalar_names({"scalar_names": list(version1)}, 99) == version1


def test_a_planet_shows_no_binary_tell(noise):
    f = 1 - _box(0.0, 0.005) + noise
    e = _measure(f, f)
    assert e["eb_secondary_snr"] < 4 and e["eb_odd_even_snr"] < 3 and abs(e["eb_ellipsoidal_snr"]) < 3
    assert e["single_transit"] == 0.0


def test_a_binary_shows_its_secondary_and_ellipsoidal_light(noise):
    f = 1 - _box(0.0, 0.02) - _box(0.5, 0.008) + noise
    raw = f - 0.002 * np.cos(4 * np.pi * PHASE)  # before detrending: tidally distorted stars
    e = _measure(f, raw)
    assert e["eb_secondary_snr"] > 30 and e["eb_secondary_phase"] == pytest.approx(0.5, abs=0.02)
    assert e["eb_secondary_over_depth"] == pytest.approx(0.4, abs=0.05)
    assert e["eb_ellipsoidal_snr"] > 10 and e["eb_ellipsoidal_over_depth"] == pytest.approx(0.1, abs=0.02)


def test_a_binary_at_half_its_period_shows_odd_and_even_depths(noise):
    f = 1 - np.where(NUMBER % 2 == 0, _box(0.0, 0.02), _box(0.0, 0.012)) + noise
    e = _measure(f)
    assert e["eb_odd_even_snr"] > 10 and e["eb_odd_even_over_depth"] == pytest.approx(0.5, abs=0.08)


def test_v_shapes_from_views_and_points():
    n = 201
    x = (np.arange(n) - 100) / 200 * 4.0  # durations from the centre
    box = np.where(np.abs(x) < 0.5, -1.0, 0.0)
    vee = np.where(np.abs(x) < 0.5, -(1 - 2 * np.abs(x)), 0.0)
    assert v_shape(box) == pytest.approx(0.0, abs=0.01)
    assert v_shape(vee) == pytest.approx(0.5, abs=0.05)
    assert np.isnan(v_shape(np.zeros(n)))
    flux = 1 - 0.01 * np.clip(1 - 2 * np.abs(PHASE * P) / D, 0, None)  # V-shaped eclipses
    assert v_shape_of_points(T, flux, P, T0, D) == pytest.approx(0.5, abs=0.1)


def test_what_cannot_be_measured_is_nan(noise):
    f = 1 - _box(0.0, 0.005) + noise
    single = _measure(f, single=True)
    assert single["single_transit"] == 1.0 and np.isnan(single["eb_secondary_snr"])
    wide = eclipse_features(T, f, f, period_days=P, epoch_bjd=T0, duration_days=0.3 * P)
    assert np.isnan(wide["eb_secondary_snr"])  # eclipses over a quarter of the orbit
    long = eclipse_features(T, f, f, period_days=10.0, epoch_bjd=T0, duration_days=D)
    assert np.isnan(long["eb_ellipsoidal_snr"])  # fewer than three orbits


def test_red_noise_factor():
    rng = np.random.default_rng(2)
    t = np.arange(0, 20, 0.02)
    white = rng.normal(0, 1, t.size)
    red = white + 2 * np.sin(2 * np.pi * t / 3.0)
    assert red_noise_factor(t, white, 0.2) == pytest.approx(1.0, abs=0.3)
    assert red_noise_factor(t, red, 0.2) > 3
