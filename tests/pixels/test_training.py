"""The pixel model's cheap training images and the comparison at matched host recall."""

from __future__ import annotations

import numpy as np
import pytest

from starskope.models.pixel_cnn import background_binaries_at_recall, threshold_for_recall


def test_threshold_for_recall_reaches_the_recall_asked():
    p = np.array([0.9, 0.8, 0.7, 0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.05])
    for recall in (0.1, 0.5, 0.7, 0.9, 1.0):
        t = threshold_for_recall(p, recall)
        assert np.mean(p >= t) == pytest.approx(recall)
    assert threshold_for_recall(p, 0.0) == float("inf")
    with pytest.raises(ValueError, match="at least one host"):
        threshold_for_recall(np.array([]), 0.5)


def test_binaries_are_counted_at_the_same_host_recall():
    cls = np.array(["planet"] * 4 + ["background_eb"] * 4 + ["quiet"] * 2)
    # the light-curve model scores the binaries like the hosts; the pixel model below them
    p_lc = np.array([0.9, 0.8, 0.7, 0.6, 0.85, 0.75, 0.65, 0.1, 0.2, 0.1])
    p_px = np.array([0.6, 0.5, 0.4, 0.3, 0.2, 0.1, 0.1, 0.05, 0.2, 0.1])
    rows = background_binaries_at_recall(p_lc, p_px, cls, own_threshold=0.7, recalls=(0.5, 1.0))
    assert [r["level"] for r in rows] == ["the light-curve model's own threshold", "0.5", "1"]
    own, half, full = rows
    assert own["host_recall_light_curve"] == own["host_recall_pixels"] == 0.75
    assert own["bebs_called_planet_light_curve"] == 2 and own["bebs_called_planet_pixels"] == 0
    assert own["beb_reduction"] == 1.0
    assert half["threshold_pixels"] == 0.5 and half["bebs_called_planet_light_curve"] == 1
    assert full["bebs_called_planet_light_curve"] == 3 and full["bebs_called_planet_pixels"] == 0
    assert full["non_hosts_called_planet_light_curve"] == 3
    # a binary between the own threshold and the lowest host above it is not charged to
    # the light-curve model: both models are scored at the tightest threshold of a recall
    p_loose = p_lc.copy()
    p_loose[7] = 0.62
    loose = background_binaries_at_recall(p_loose, p_px, cls, own_threshold=0.61)[0]
    assert loose["host_recall_light_curve"] == 0.75 and loose["threshold_light_curve"] == 0.7
    assert loose["bebs_called_planet_light_curve"] == 2
    with pytest.raises(ValueError, match="no planet host"):
        background_binaries_at_recall(p_lc, p_px, np.array(["quiet"] * 10))
    with pytest.raises(ValueError, match="one value per star"):
        background_binaries_at_recall(p_lc, p_px[:5], cls)


def test_pixel_training_set_is_labelled_and_reproducible():
    from starskope.models.labels import CLASSES
    from starskope.simulate.pixels import PIXEL_TRAINING_KINDS, pixel_training_set

    a = pixel_training_set(6, seed=3)
    b = pixel_training_set(6, seed=3)
    assert len(a) == 6 and np.array_equal(a.labels, b.labels)
    assert np.array_equal(a.meta["pixel_images"], b.meta["pixel_images"])
    assert a.meta["pixel_images"].shape == (6, 3, 11, 11) and a.meta["pixel_scalars"].shape == (6, 5)
    for kind, label in zip(a.meta["kind"], a.labels, strict=True):
        assert CLASSES[label] == PIXEL_TRAINING_KINDS[str(kind)][1]
    with pytest.raises(ValueError, match="real_share must be between 0 and 1"):
        pixel_training_set(2, real_share=1.5)


def test_pixel_training_set_injects_into_a_real_file(real_tpf):
    from starskope.pixels import read_pixels
    from starskope.simulate.pixels import pixel_training_set

    fs = pixel_training_set(4, seed=5, real=read_pixels(real_tpf), real_share=1.0)
    assert len(fs) >= 1 and set(fs.meta["kind"]) <= {"planet", "eclipsing_binary", "background_eb", "quiet"}
