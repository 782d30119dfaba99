"""Tiny labelled FeatureSets for fast model tests (no search: candidates are given)."""

from __future__ import annotations

import numpy as np
import pytest

from starskope.features import SpectrogramSpec, StarData, ViewSpec, extract_features
from starskope.search import TransitCandidate

BJD0 = 2456977.0
CADENCE = 29.4244 / 1440.0


def make_stars(n_per_class: int = 12, seed: int = 0, n_cadences: int = 1200):
    """Planets (box transits), EBs (deep, unequal odd/even, secondary), variables
    (sinusoids) and quiet stars, with the candidate a search would report."""
    rng = np.random.default_rng(seed)
    t = BJD0 + np.arange(n_cadences) * CADENCE
    stars, labels = [], []
    for cls in range(4):
        for _ in range(n_per_class):
            f = 1 + 3e-4 * rng.normal(size=t.size)
            p, e, d = rng.uniform(1.0, 4.0), BJD0 + rng.uniform(0.1, 1.0), 0.1
            ph = ((t - e) / p + 0.5) % 1 - 0.5
            k = np.floor((t - e) / p + 0.5)
            intr = np.abs(ph * p) < d / 2
            depth = rng.uniform(1e-3, 3e-3)
            if cls == 0:
                f[intr] -= depth
            elif cls == 1:
                depth = rng.uniform(1e-2, 3e-2)
                f[intr] -= np.where(k[intr] % 2 == 0, depth, 0.5 * depth)
                sec = np.abs(((t - e) / p) % 1 - 0.5) * p < d / 2
                f[sec] -= 0.2 * depth
            elif cls == 2:
                f += rng.uniform(3e-3, 1e-2) * np.sin(2 * np.pi * (t - BJD0) / rng.uniform(0.3, 2.0))
                depth = 3e-4
            else:
                depth = 3e-4
            cand = TransitCandidate.from_floats(p, e, d * 24, depth * 1e6, snr=float(depth / 3e-4 * 8),
                                                n_transits=int(np.ptp(t) / p))
            stars.append(StarData(time=t, flux=f, raw_flux=f, candidate=cand, file=f"s{len(stars)}",
                                  target_id=f"EPIC {len(stars)}", mission="K2", table_flux=1000 * f))
            labels.append(cls)
    order = rng.permutation(len(stars))
    return [stars[i] for i in order], np.asarray(labels)[order]


@pytest.fixture(scope="session")
def tiny_features():
    stars, labels = make_stars()
    return extract_features(stars, labels=labels, view_spec=ViewSpec(n_global=301, n_local=61),
                            spectrogram_spec=SpectrogramSpec(n_freq=16, n_time=8))


@pytest.fixture(scope="session")
def tiny_test_features():
    stars, labels = make_stars(n_per_class=6, seed=1)
    return extract_features(stars, labels=labels, view_spec=ViewSpec(n_global=301, n_local=61),
                            spectrogram_spec=SpectrogramSpec(n_freq=16, n_time=8))
