"""Spectrogram images, scalar features and the FeatureSet container."""

from __future__ import annotations

import numpy as np
import pytest

from starskope.errors import ModelFileError, ParameterError
from starskope.features import (
    SCALAR_NAMES,
    FeatureSet,
    SpectrogramSpec,
    StarData,
    extract_features,
    lightcurve_features,
    search_features,
    spectrogram_image,
    spectrogram_images,
    uniform_grid,
    vetting_features,
)
from starskope.search import TransitCandidate

BJD0 = 2456977.0


def sine(freq_per_day, cadence_min=29.4244, days=65.0, amp=1e-2, seed=0):
    rng = np.random.default_rng(seed)
    t = BJD0 + np.arange(0, days, cadence_min / 1440.0)
    return t, 1 + amp * np.sin(2 * np.pi * freq_per_day * (t - BJD0)) + 1e-4 * rng.normal(size=t.size)


def test_uniform_grid_averages_and_marks_gaps():
    t = BJD0 + np.array([0.0, 0.01, 0.5, 0.51, 2.0])
    f = np.array([1.0, 3.0, 2.0, 2.0, 5.0])
    gt, gf, filled = uniform_grid(t, f, 0.5)
    assert gt.size == 5
    assert filled.tolist() == [True, True, False, False, True]
    assert gf[0] == pytest.approx(2.0 - 2.0)  # mean 2 minus median 2
    with pytest.raises(ParameterError, match="at least 2 finite points"):
        uniform_grid(t[:1], f[:1], 0.5)


def test_spectrogram_peak_sits_at_the_signal_frequency_for_any_cadence():
    spec = SpectrogramSpec()
    rows = []
    for cad in (29.4244, 2.0):  # K2 long cadence and TESS 2-min on one physical grid
        t, f = sine(6.0, cadence_min=cad, days=27.0 if cad == 2.0 else 65.0)
        img = spectrogram_image(t, f, spec=spec)
        assert img.shape == (spec.n_freq, spec.n_time)
        assert img.dtype == np.float32
        rows.append(int(np.argmax(img.mean(axis=1))))
    # 48 rows span 0.25..24 /d: 6 /d falls near row 48 * 6/24 ≈ 12
    assert abs(rows[0] - 11.5) <= 1.5 and rows[0] == rows[1]


def test_spectrogram_images_batch_equals_single():
    t, f1 = sine(2.0)
    _, f2 = sine(9.0)
    batch = spectrogram_images(t, np.vstack([f1, f2]))
    assert batch.shape[0] == 2
    np.testing.assert_allclose(batch[1], spectrogram_image(t, f2))


def test_spectrogram_spec_validates():
    with pytest.raises(ParameterError, match="segment_days >= 8 steps"):
        SpectrogramSpec(segment_days=0.01)
    with pytest.raises(ParameterError, match="at least 2 x 1"):
        SpectrogramSpec(n_freq=1)


def test_search_and_vetting_features_units_and_missing_values():
    cand = TransitCandidate.from_floats(3.0, BJD0 + 1.0, 2.0, 1000.0, snr=12.0, n_transits=20,
                                        extra={"sde": 9.0, "snr_bls": 11.0})
    s = search_features(cand)
    assert s["log_period_days"] == pytest.approx(np.log10(3.0))
    assert s["log_depth_ppm"] == pytest.approx(3.0)
    assert s["duration_over_solar"] == pytest.approx(2.0 / (13.0 * (3.0 / 365.25) ** (1 / 3)))
    assert all(np.isnan(v) for v in search_features(None).values())
    v = vetting_features(None)
    assert v["vetted"] == 0.0 and np.isnan(v["vet_odd_even_sigma"])
    row = {"odd_even_sigma": 5.0, "density_gcc": 1.41, "secondary_depth_ppm": 100.0, "depth_ppm": 1000.0}
    v = vetting_features(row)
    assert v["vetted"] == 1.0 and v["vet_odd_even_sigma"] == 5.0
    assert v["vet_log_density_gcc"] == pytest.approx(np.log10(1.41))
    assert v["vet_secondary_over_depth"] == pytest.approx(0.1)


def test_lightcurve_features_see_variability_and_its_period():
    t, f = sine(1 / 3.0, amp=5e-3)
    quiet = 1 + 1e-4 * np.random.default_rng(2).normal(size=t.size)
    lf = lightcurve_features(t, quiet, raw_flux=f)
    assert lf["log_dominant_period_days"] == pytest.approx(np.log10(3.0), abs=0.05)
    assert lf["log_variability_ppm"] > 3.5  # ~1.9 % peak to peak
    assert lf["cadence_minutes"] == pytest.approx(29.4244, rel=1e-3)
    assert lf["log_noise_ppm"] == pytest.approx(2.0, abs=0.1)


def _stars(n=6, seed=0):
    rng = np.random.default_rng(seed)
    t = BJD0 + np.arange(3197) * 29.4244 / 1440
    out = []
    for i in range(n):
        f = 1 + 2e-4 * rng.normal(size=t.size)
        cand = None
        if i % 2 == 0:
            ph = ((t - BJD0 - 0.7) / 2.5 + 0.5) % 1 - 0.5
            f[np.abs(ph * 2.5) < 0.05] -= 2e-3
            cand = TransitCandidate.from_floats(2.5, BJD0 + 0.7, 2.4, 2000.0, snr=30.0, n_transits=25)
        out.append(StarData(time=t, flux=f, raw_flux=f, candidate=cand, file=f"star{i}.fits",
                            target_id=f"EPIC {i}", mission="K2", table_flux=f * 1000))
    return out


def test_extract_features_shapes_metadata_and_round_trip(tmp_path):
    fs = extract_features(_stars(), labels=[0, 3, 0, 3, 0, 3])
    assert len(fs) == 6
    assert fs.views["global"].shape == (6, 2001) and fs.views["local"].shape == (6, 201)
    assert fs.spectrogram.shape == (6, 48, 16)
    assert fs.scalars.shape == (6, len(SCALAR_NAMES))
    assert fs.table_flux.shape == (6, 3197)
    assert fs.meta["period_days"][0] == pytest.approx(2.5) and np.isnan(fs.meta["period_days"][1])
    assert fs.views["local"][0, 100] == pytest.approx(-1.0, abs=0.2)
    assert not fs.views["local"][1].any()  # no candidate: empty views
    path = fs.save(tmp_path / "new" / "cache" / "f.npz")  # folders are created
    assert sorted(p.name for p in path.parent.iterdir()) == ["f.npz"]  # no partial file left
    back = FeatureSet.load(path)
    np.testing.assert_array_equal(back.scalars, fs.scalars)
    np.testing.assert_array_equal(back.labels, fs.labels)
    assert back.meta["file"].tolist() == fs.meta["file"].tolist()
    sub = back.subset(np.array([0, 2]))
    assert len(sub) == 2 and sub.labels.tolist() == [0, 0]
    both = FeatureSet.concat([sub, back])
    assert len(both) == 8
    assert fs.scalar("snr")[0] == 30.0
    with pytest.raises(ParameterError, match="no scalar feature 'nope'"):
        fs.scalar("nope")


def test_featureset_errors(tmp_path):
    fs = extract_features(_stars(2))
    with pytest.raises(ParameterError, match="3 labels for 2 stars"):
        fs.with_labels(np.array([0, 1, 2]))
    with pytest.raises(ModelFileError, match="feature file not found"):
        FeatureSet.load(tmp_path / "missing.npz")
    bad = tmp_path / "bad.npz"
    np.savez(bad, x=np.zeros(3))
    with pytest.raises(ModelFileError, match="not a starskope feature file"):
        FeatureSet.load(bad)
    with pytest.raises(ParameterError, match="concat needs at least one FeatureSet"):
        FeatureSet.concat([])


def test_extra_text_metadata_survives_a_round_trip(tmp_path):
    fs = extract_features(_stars(2))
    fs.meta["group"] = np.asarray(["kepler/dr24", "tess/ffi"], dtype=object)
    back = FeatureSet.load(fs.save(tmp_path / "g.npz"))
    assert back.meta["group"].tolist() == ["kepler/dr24", "tess/ffi"]
