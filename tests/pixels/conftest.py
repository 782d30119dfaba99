"""Pixel files for the pixel tests: the real K2 target pixel file, and simulated stamps with
a planet on the target or an eclipsing binary on a neighbour (made once per session)."""

from __future__ import annotations

from pathlib import Path

import astropy.units as u
import numpy as np
import pytest

#: The one real target pixel file of the shared data (K2 C18, EPIC 211983544).
REAL_TPF = "k2/misc/ekaterinailin+AltaiPony/ktwo211983544-c18_lpd-targ.fits.gz"


def planet(mission: str = "K2", period: float = 3.3, radius_rearth: float = 8.0, epoch: float = 2456980.3):
    from starskope.simulate import Star, TransitSignal

    star = Star.sun_like(12.0, mission)
    return TransitSignal(period * u.day, radius_rearth * u.R_earth, star, epoch, impact=0.2)


def binary(mission: str = "K2", period: float = 2.7, epoch: float = 2456980.7):
    from starskope.simulate import EclipsingBinarySignal, Star

    star = Star.sun_like(14.0, mission)
    return EclipsingBinarySignal(period * u.day, star, 0.5 * u.M_sun, 0.5 * u.R_sun, 3800 * u.K, epoch, impact=0.2)


def simulated_file(folder: Path, signal, *, mission: str = "K2", on: str = "target", separation: float = 2.5,
                   seed: int = 1, cutout: bool = False, n_cadences: int = 1500) -> tuple[Path, dict]:
    """A simulated pixel file whose signal sits on the target or on a neighbour
    ``separation`` pixels away (an empty field otherwise)."""
    from starskope.simulate import BackgroundBinarySignal
    from starskope.simulate.instrument import k2_c3_grid, make_schedule, quarter_grid, sector_grid
    from starskope.simulate.pixels import make_scene, render_pixels, write_pixel_file

    rng = np.random.default_rng(seed)
    if mission == "K2":
        grid = k2_c3_grid(n_cadences)
    elif mission == "Kepler":
        grid = quarter_grid(3)
    else:
        grid = sector_grid(1, "ffi_30min" if cutout else "two_minute")
    target_signal = signal
    if on == "neighbour":
        target_signal = BackgroundBinarySignal(signal, 0.05, separation_pix=separation)
    scene = make_scene(mission, 12.0, rng, target_signal=target_signal, neighbours=())
    sim = render_pixels(scene, grid, make_schedule(grid, rng), rng, star_id=299_100_000 + seed,
                        truth={"class": "planet" if on == "target" else "background_eb", **signal.truth()})
    return write_pixel_file(sim, folder, cutout=cutout), dict(sim.truth)


@pytest.fixture(scope="session")
def real_tpf(shared_data: Path) -> Path:
    return shared_data / REAL_TPF


@pytest.fixture(scope="session")
def k2_planet_file(tmp_path_factory) -> tuple[Path, dict]:
    return simulated_file(tmp_path_factory.mktemp("k2planet"), planet(), on="target")


@pytest.fixture(scope="session")
def k2_neighbour_file(tmp_path_factory) -> tuple[Path, dict]:
    return simulated_file(tmp_path_factory.mktemp("k2beb"), binary(), on="neighbour", seed=2)


def pixel_only_features(n: int, seed: int = 0):
    """A FeatureSet of pixel inputs only (random images, two classes) for training a pixel CNN
    in tests that need one but do not judge it."""
    from starskope.features.dataset import FeatureSet

    rng = np.random.default_rng(seed)
    labels = (np.arange(n) % 2).astype(np.int64)
    images = rng.normal(0, 1, (n, 3, 11, 11)).astype(np.float32)
    scalars = np.column_stack([np.ones(n), np.ones(n), rng.uniform(5, 30, n), rng.uniform(0, 10, n),
                               rng.uniform(0, 3, n)]).astype(np.float32)
    return FeatureSet(views={}, spectrogram=np.zeros((n, 1, 1), np.float32), scalars=np.zeros((n, 0)),
                      scalar_names=(), meta={"pixel_images": images, "pixel_scalars": scalars}, labels=labels)
