"""The difference image in vetting and in one star's analysis (pixel files end to end)."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest

from starskope.analysis import analyse
from starskope.pixels import read_pixels
from starskope.search import TransitCandidate
from starskope.vetting import DIAGNOSTIC_ORDER, DIAGNOSTICS, vet


def _candidate(truth):
    return TransitCandidate.from_floats(truth["period_days"], truth["epoch_bjd"], truth["duration_hours"],
                                        truth["depth_ppm"])


def test_the_difference_image_is_a_registered_diagnostic():
    assert "difference_image" in DIAGNOSTICS and "difference_image" in DIAGNOSTIC_ORDER
    assert DIAGNOSTIC_ORDER.index("difference_image") == DIAGNOSTIC_ORDER.index("centroid") + 1


def test_vet_with_pixels_flags_a_neighbours_eclipse(k2_neighbour_file):
    import starskope

    path, truth = k2_neighbour_file
    lc = starskope.read(path)
    rep = vet(lc, _candidate(truth), pixels=read_pixels(path))
    assert rep.has_flag("CENTROID_OFFSET")
    flag = next(f for f in rep.flags if f.name == "CENTROID_OFFSET")
    assert flag.diagnostic == "diff_offset" and "not the target's" in flag.reason
    assert rep["diff_offset"].verdict == "not planet" and rep["diff_offset"].unit == "pix"
    assert rep.value("diff_offset") == pytest.approx(truth["source_separation_pix"], abs=0.5)
    assert rep["diff_offset_angle"].value.unit == u.arcsec
    row = rep.as_row()
    assert {"diff_offset_pix", "diff_offset_angle_arcsec", "diff_offset_significance_sigma", "diff_image_snr"} <= set(row)
    assert rep.products["difference_image"].flagged
    assert "products" not in rep.to_dict()  # the images travel with the report object, not its JSON


def test_vet_with_pixels_passes_a_planet_on_the_target(k2_planet_file):
    import starskope

    path, truth = k2_planet_file
    rep = vet(starskope.read(path), _candidate(truth), pixels=read_pixels(path))
    assert not rep.has_flag("CENTROID_OFFSET"), rep["diff_offset"].reason
    assert rep["diff_offset"].verdict == "planet"


def test_without_pixels_vetting_is_as_before(k2_planet_file):
    import starskope

    path, truth = k2_planet_file
    rep = vet(starskope.read(path), _candidate(truth))
    assert "diff_offset" not in rep and rep.products == {}


def test_thresholds_of_the_difference_image_can_be_changed(k2_neighbour_file):
    import starskope

    path, truth = k2_neighbour_file
    rep = vet(starskope.read(path), _candidate(truth), pixels=read_pixels(path),
              thresholds={"difference_image_offset_pixels": 10.0})
    assert not rep.has_flag("CENTROID_OFFSET") or rep.flags[0].diagnostic != "diff_offset"


def test_analysing_a_pixel_file_keeps_the_pixels_and_the_difference_image(k2_neighbour_file):
    path, truth = k2_neighbour_file
    a = analyse(path, detail=True)
    assert a.pixels is not None and a.pixels.source == str(path)
    assert a.candidate is not None
    assert a.candidate.period_days == pytest.approx(truth["period_days"], rel=5e-3) or \
        a.candidate.period_days == pytest.approx(2 * truth["period_days"], rel=5e-3)
    assert a.difference_image is not None and a.difference_image.flagged
    assert "CENTROID_OFFSET" in a.flags.split(";")
    assert a.features.meta["pixel_images"].shape == (1, 3, 11, 11)
    assert a.features.meta["pixel_scalars"][0, 0] == 1


def test_the_real_target_pixel_file_end_to_end(real_tpf):
    a = analyse(real_tpf, detail=True)
    assert a.pixels is not None and a.pixels.shape == (5, 7)
    assert "pixel_images" in a.features.meta
    assert a.product == "K2 TPF, pipeline-aperture photometry"
    if a.vetted_for_model:
        assert a.difference_image is not None
        assert np.isfinite(a.difference_image.snr)


def test_a_light_curve_file_has_no_pixels(shared_data):
    a = analyse(shared_data / "kepler/dr24/kplr000757450-2009259160929_llc.fits.gz")
    assert a.pixels is None and a.difference_image is None and "pixel_images" not in a.features.meta
