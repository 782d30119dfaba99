"""In a real browser: a pixel file uploaded to the web app, and its star page's difference image."""

from __future__ import annotations

import pytest

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path, synth):
    from starskope.web.app import WebSettings
    from starskope.web.jobs import RunnerSettings

    settings = WebSettings(db=str(tmp_path / "px.db"), max_upload_mb=50,
                           runner=RunnerSettings(executor="threads", workers=1, model="none"))
    with synth.serve_app(settings) as url:
        yield url


def test_the_star_page_of_a_pixel_file_draws_its_difference_image(server, k2_neighbour_file, synth, tmp_path):
    path, _ = k2_neighbour_file
    with synth.chromium_page(1360, 900) as page:
        page.goto(server + "/")
        page.set_input_files("#file-input", str(path))
        page.click("#upload-button")
        page.wait_for_selector("#upload-message.app-ok >> text=Accepted", timeout=60_000)
        page.wait_for_selector("#results-body tr.app-link", timeout=180_000)
        page.click("#results-body tr.app-link a.app-star-name")
        page.wait_for_url("**/stars/*", timeout=30_000)
        page.wait_for_selector("#sk-pixels", timeout=30_000)
        page.wait_for_selector("#sk-difference-image.sk-rendered svg.main-svg", timeout=60_000)
        assert page.get_attribute("#sk-pixels", "data-flagged") == "true"
        assert "CENTROID_OFFSET" in page.inner_text("#sk-pixels-reason")
        assert page.locator("#sk-pixels [data-figure=pixels_out_of_transit].sk-rendered svg.main-svg").count() > 0
        page.locator("#sk-pixels").screenshot(path=str(tmp_path / "pixels-section.png"))
        page.screenshot(path=str(tmp_path / "pixels.png"), full_page=True)
    assert (tmp_path / "pixels.png").stat().st_size > 50_000
