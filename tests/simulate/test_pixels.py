"""The pixel simulator: fields, stamps per telescope, files the readers read, the truth."""

from __future__ import annotations

import csv

import astropy.units as u
import numpy as np
import pytest

from starskope.errors import ParameterError
from starskope.pixels import difference_image, read_pixels
from starskope.simulate import BackgroundBinarySignal, EclipsingBinarySignal, Star, TransitSignal
from starskope.simulate.instrument import k2_c3_grid, make_schedule
from starskope.simulate.pixels import (
    FIELD_DENSITY,
    draw_field,
    inject_pixels,
    make_scene,
    render_pixels,
    simulate_pixel_set,
    write_pixel_file,
)


def test_a_field_follows_the_number_magnitude_relation():
    rng = np.random.default_rng(0)
    counts = [len(draw_field("TESS", 10.0, rng)) for _ in range(200)]
    n0, m0, slope = FIELD_DENSITY["TESS"]
    area = (11 + 4) ** 2 * (21.0 / 3600) ** 2
    expected = n0 * area * (10 ** (slope * (16.0 - m0)) - 10 ** (slope * (8.0 - m0)))
    assert np.mean(counts) == pytest.approx(expected, rel=0.15)
    # K2's 3.98″ pixels see far fewer neighbours on the same stamp
    assert np.mean([len(draw_field("K2", 14.0, rng)) for _ in range(200)]) < np.mean(counts)
    with pytest.raises(ParameterError, match="density must be ≥ 0"):
        draw_field("K2", 14.0, rng, density=-1)


def test_a_background_binary_is_a_neighbour_whose_light_makes_the_dilution():
    rng = np.random.default_rng(3)
    eb = EclipsingBinarySignal(2.5 * u.day, Star.sun_like(15.0, "K2"), 0.6 * u.M_sun, 0.6 * u.R_sun, 4000 * u.K,
                               2456980.0, impact=0.1)
    scene = make_scene("K2", 12.5, rng, target_signal=BackgroundBinarySignal(eb, 0.02, separation_pix=1.5),
                       neighbours=())
    assert scene.target.signal is None
    src = scene.neighbours[0]
    assert src.signal is eb
    assert np.hypot(src.column - scene.target.column, src.row - scene.target.row) == pytest.approx(1.5)
    grid = k2_c3_grid(600)
    sim = render_pixels(scene, grid, make_schedule(grid, rng), rng, star_id=7, truth={"class": "background_eb"})
    assert sim.truth["signal_source"] == "neighbour"
    assert sim.truth["aperture_dilution"] == pytest.approx(0.02, rel=0.25)
    assert sim.truth["source_separation_pix"] == pytest.approx(1.5)
    assert sim.flux.shape == (600, 11, 11) and sim.flux.dtype == np.float32
    # the pointing follows the K2 roll: a sawtooth of most of a pixel
    assert np.ptp(sim.pointing[:, 0]) > 0.5


def test_a_set_is_written_with_its_truth_and_the_same_seed_gives_the_same_bytes(tmp_path):
    classes = ["planet", "background_eb", "quiet"]
    grid = k2_c3_grid(800)
    a = simulate_pixel_set(tmp_path / "a", "K2", n=3, n_hosts=1, seed=4, classes=classes, grid=grid)
    b = simulate_pixel_set(tmp_path / "b", "K2", n=3, n_hosts=1, seed=4, classes=classes, grid=grid)
    assert [p.read_bytes() for p in a["files"]] == [p.read_bytes() for p in b["files"]]
    with open(a["truth"]) as fh:
        rows = list(csv.DictReader(fh))
    assert [r["class"] for r in rows] == classes
    assert rows[0]["signal_source"] == "target" and rows[1]["signal_source"] == "neighbour"
    assert rows[2]["signal_source"] == "none"
    for path, row in zip(a["files"], rows, strict=True):
        assert path.name == row["file"] and path.name.endswith("_lpd-targ.fits")
        s = read_pixels(path)
        assert s.mission == "K2" and s.target == pytest.approx((float(row["target_column_pix"]),
                                                                 float(row["target_row_pix"])), abs=1e-6)


def test_injection_into_real_pixels_adds_the_signal_where_asked(shared_data):
    s = read_pixels(shared_data / "k2/misc/ekaterinailin+AltaiPony/ktwo211983544-c18_lpd-targ.fits.gz")
    sig = TransitSignal(3.0 * u.day, 10 * u.R_earth, Star.sun_like(12.0, "K2"), float(s.time_bjd[0]) + 1.0)
    on, truth = inject_pixels(s, sig, position="target")
    assert truth["signal_source"] == "target" and "injected a planet signal" in on.provenance[-1]
    dt = np.abs(((s.time_bjd - truth["epoch_bjd"] + 1.5) % 3.0) - 1.5)
    inside = dt < 0.02
    outside = dt > truth["duration_hours"] / 48 + 0.03
    lost = np.nansum(s.flux.value[inside] - on.flux.value[inside], axis=(1, 2))
    assert np.all(lost > 0) and np.median(lost) == pytest.approx(truth["depth_ppm"] * 1e-6 * truth["source_flux_e_per_s"],
                                                                  rel=0.2)
    assert np.allclose(s.flux.value[outside], on.flux.value[outside], atol=1e-3, equal_nan=True)
    off, truth2 = inject_pixels(s, sig, position=(1.0, 1.0), source_flux=5000.0)
    assert truth2["signal_source"] == "neighbour" and truth2["source_separation_pix"] > 3
    di = difference_image(off, 3.0 * u.day, truth2["epoch_bjd"], truth2["duration_hours"] * u.hour)
    assert di.flagged
    with pytest.raises(ParameterError, match=r"position \(40, 1\) is off the 5×7 stamp"):
        inject_pixels(s, sig, position=(40, 1))


def test_only_tess_has_ffi_cutouts(tmp_path):
    rng = np.random.default_rng(0)
    scene = make_scene("K2", 12.0, rng, neighbours=())
    grid = k2_c3_grid(100)
    sim = render_pixels(scene, grid, make_schedule(grid, rng), rng)
    with pytest.raises(ParameterError, match="FFI cutouts are TESS products"):
        write_pixel_file(sim, tmp_path, cutout=True)
