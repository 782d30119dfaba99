"""Difference images: the dip located on the stamp, on the target or on a neighbour, in the
real K2 target pixel file (with injections) and in simulated files."""

from __future__ import annotations

import re

import astropy.units as u
import numpy as np
import pytest

from starskope.errors import LightCurveDataError, ParameterError, UnitsError
from starskope.pixels import (
    Neighbour,
    difference_image,
    fit_psf,
    get_psf,
    model_inputs,
    psf_image,
    read_pixels,
)
from starskope.simulate.pixels import inject_pixels

from .conftest import planet


def test_the_psf_is_normalised_and_fitting_it_finds_the_star():
    psf = get_psf("K2")
    img = psf_image(psf, (15, 15), 7.3, 6.8)
    assert img.sum() == pytest.approx(1.0, abs=1e-3)
    assert np.unravel_index(np.argmax(img), img.shape) == (7, 7)
    noisy = 1000 * img + np.random.default_rng(0).normal(0, 0.5, img.shape)
    fit = fit_psf(noisy, np.full(img.shape, 0.5), psf, (7.0, 7.0))
    assert fit.converged and fit.column == pytest.approx(7.3, abs=0.02) and fit.row == pytest.approx(6.8, abs=0.02)
    assert fit.flux == pytest.approx(1000, rel=0.02)
    assert get_psf("TESS").pixel_scale.to_value(u.arcsec) == 21.0
    assert get_psf("Kepler").fwhm.to_value(u.arcsec) == pytest.approx(5.2, abs=0.1)


def _inject(real_tpf, position, depth_rearth=9.0, period=2.31, seed=0):
    s = read_pixels(real_tpf)
    sig = planet(period=period, radius_rearth=depth_rearth, epoch=float(s.time_bjd[0]) + 0.9)
    injected, truth = inject_pixels(s, sig, position=position, seed=seed)
    return injected, truth, sig


def test_a_transit_on_the_real_targets_pixels_stays_on_target(real_tpf):
    s, truth, _sig = _inject(real_tpf, "target")
    di = difference_image(s, truth["period_days"] * u.day, truth["epoch_bjd"], truth["duration_hours"] * u.hour)
    assert di.measured and di.snr > 7
    assert not di.flagged, di.reason
    assert di.offset_sigma < 3.0 and di.offset_pixels < 0.5
    assert "on target" in di.reason or "consistent with the target" in di.reason
    assert di.offset_arcsec == pytest.approx(di.offset_pixels * di.pixel_scale_arcsec)


def test_the_same_transit_on_a_neighbour_is_located_and_flagged(real_tpf):
    s, truth, _sig = _inject(real_tpf, (1.5, 2.6))
    assert truth["source_separation_pix"] >= 2.0
    catalogue = [Neighbour("TIC 1", 6.0, 0.5), Neighbour("the injected star", 1.5, 2.6)]
    di = difference_image(s, truth["period_days"] * u.day, truth["epoch_bjd"], truth["duration_hours"] * u.hour,
                          neighbours=catalogue)
    found = np.hypot(di.psf_fit.column - 1.5, di.psf_fit.row - 2.6)
    assert found < 0.5, di.reason
    assert di.flagged and di.offset_sigma > 3
    assert di.nearest["name"] == "the injected star" and di.nearest["consistent"]
    assert re.search(r"pixels \([\d.]+ ± [\d.]+″\) from the target", di.reason)
    assert "points to the injected star" in di.reason
    # the flux-weighted centroid agrees
    assert np.hypot(di.flux_weighted[0] - 1.5, di.flux_weighted[1] - 2.6) < 0.7


def test_simulated_k2_files_planet_on_target_and_binary_on_a_neighbour(k2_planet_file, k2_neighbour_file):
    for (path, truth), off in ((k2_planet_file, False), (k2_neighbour_file, True)):
        s = read_pixels(path)
        di = difference_image(s, truth["period_days"] * u.day, truth["epoch_bjd"],
                              truth["duration_hours"] * u.hour)
        assert di.measured and di.flagged is off, di.reason
        if off:
            err = np.hypot(di.psf_fit.column - truth["source_column_pix"], di.psf_fit.row - truth["source_row_pix"])
            assert err < 0.5


def test_arguments_are_checked(real_tpf):
    s = read_pixels(real_tpf)
    with pytest.raises(UnitsError, match="period"):
        difference_image(s, 2.3, 2458300.0, 3 * u.hour)
    with pytest.raises(ParameterError, match=r"duration 3 d must be shorter than the period 2\.3 d"):
        difference_image(s, 2.3 * u.day, 2458300.0, 3 * u.day)
    with pytest.raises(ParameterError, match="unknown difference-image threshold"):
        difference_image(s, 2.3 * u.day, 2458300.0, 3 * u.hour, thresholds={"sigma": 2})
    with pytest.raises(LightCurveDataError, match=r"no transit of P = 80\.00000 d has good cadences"):
        difference_image(s, 80 * u.day, float(s.time_bjd[0]) - 10.0, 3 * u.hour)
    with pytest.raises(ParameterError, match="has no position"):
        difference_image(s, 2.3 * u.day, 2458300.0, 3 * u.hour, neighbours=[{"name": "x"}])


def test_model_inputs_are_centred_on_the_target(real_tpf):
    s, truth, _sig = _inject(real_tpf, (1.5, 2.6))
    di = difference_image(s, truth["period_days"] * u.day, truth["epoch_bjd"], truth["duration_hours"] * u.hour)
    inp = model_inputs(di)
    assert inp["pixel_images"].shape == (1, 3, 11, 11) and inp["pixel_scalars"].shape == (1, 5)
    assert inp["pixel_scalars"][0, 0] == 1 and inp["pixel_scalars"][0, 1] == 1
    oot = inp["pixel_images"][0, 2]
    assert np.unravel_index(np.argmax(oot), oot.shape) == (5, 5)  # the target's pixel is the centre
    snr = inp["pixel_images"][0, 0]
    _r, c = np.unravel_index(np.argmax(snr), snr.shape)
    assert c < 5  # the light lost lies to the left (lower columns), where the neighbour is
    empty = model_inputs(None)
    assert not empty["pixel_images"].any() and not empty["pixel_scalars"].any()
