"""The difference image in reports: the document's pixel section, its figures and the page."""

from __future__ import annotations

import json

import numpy as np
import pytest

from starskope.report import report_file


@pytest.fixture(scope="module")
def neighbour_report(k2_neighbour_file, tmp_path_factory):
    path, truth = k2_neighbour_file
    html, js = report_file(path, tmp_path_factory.mktemp("report"), model=None, saliency=False)
    return html, json.loads(js.read_text()), truth


def test_the_report_of_a_pixel_file_has_the_difference_image(neighbour_report):
    html, doc, truth = neighbour_report
    px = doc["pixels"]
    assert px["flagged"] and px["measured"] and "not the target's" in px["reason"]
    assert px["offset_pixels"] == pytest.approx(truth["source_separation_pix"], abs=0.5)
    assert px["aperture"]["name"] == "pipeline" and px["stamp"] == [11, 11]
    fig = doc["figures"]["difference_image"]
    assert fig["data"][0]["type"] == "heatmap" and np.asarray(fig["data"][0]["z"], float).shape == (11, 11)
    assert {t.get("name") for t in fig["data"][1:]} == {"target", "light lost (PSF fit)"}
    assert "pixels_out_of_transit" in doc["figures"]
    page = html.read_text()
    assert 'id="sk-pixels"' in page and 'data-figure="difference_image"' in page and "CENTROID_OFFSET" in page
    assert 'data-flagged="true"' in page


def test_a_light_curve_report_has_no_pixel_section(shared_data, tmp_path):
    html, js = report_file(shared_data / "kepler/dr24/kplr000757450-2009259160929_llc.fits.gz", tmp_path,
                           model=None, saliency=False)
    doc = json.loads(js.read_text())
    assert doc["pixels"] is None and "difference_image" not in doc["figures"]
    assert 'id="sk-pixels"' not in html.read_text()


def test_a_pixel_aware_model_adds_its_saliency(k2_neighbour_file, k2_planet_file, tmp_path):
    from starskope.analysis import analyse, features_of
    from starskope.models import CLASSES
    from starskope.models.pixel_cnn import PixelEnsemble

    from .conftest import pixel_only_features

    analyses = [analyse(p) for p, _ in (k2_planet_file, k2_neighbour_file)]
    X = features_of(analyses, labels=np.array([CLASSES.index("planet_transit"), CLASSES.index("eclipsing_binary")]))
    model = PixelEnsemble(base="default", pixel_params={"epochs": 2, "width": 4}).fit(X, pixel_training=pixel_only_features(40))
    html, js = report_file(k2_neighbour_file[0], tmp_path, model=model, saliency=False)
    doc = json.loads(js.read_text())
    assert "pixel_saliency" in doc["figures"] and doc["pixels"]["saliency"]["model"] == "pixel-ensemble"
    assert 'data-figure="pixel_saliency"' in html.read_text()
