"""End to end in a real browser: Debian's chromium, driven by Playwright, against uvicorn.

Uploads a real TESS FITS file (pi Men, sector 1), waits for the verdict in the results
table, opens the star's page and checks that every plot was drawn. Screenshots go to the
test's temporary folder, and also to ``$STARSKOPE_SCREENSHOT_DIR`` when it is set (that is
how docs/img/ is refreshed).
"""

from __future__ import annotations

import os
import shutil
from pathlib import Path

import pytest

from .conftest import PI_MEN

pytestmark = pytest.mark.browser


@pytest.fixture
def server(tmp_path, shared_data, synth):
    from starskope.explain import default_model_or_none
    from starskope.web.app import WebSettings
    from starskope.web.jobs import RunnerSettings

    model = "default" if default_model_or_none() is not None else str(synth.tiny_model_dir())
    settings = WebSettings(db=str(tmp_path / "e2e.db"), data_dir=shared_data, max_upload_mb=50,
                           runner=RunnerSettings(executor="processes", workers=1, model=model))
    with synth.serve_app(settings) as url:
        yield url


def _save(path: Path, name: str) -> None:
    out = os.environ.get("STARSKOPE_SCREENSHOT_DIR")
    if out:
        Path(out).mkdir(parents=True, exist_ok=True)
        shutil.copyfile(path, Path(out) / name)


def test_upload_a_fits_file_and_read_the_star_page(server, shared_data, synth, tmp_path):
    import httpx

    fits = shared_data / PI_MEN
    with synth.chromium_page(1360, 900) as page:
        page.goto(server + "/")
        assert page.title().startswith("starskope")
        page.set_input_files("#file-input", str(fits))
        page.click("#upload-button")
        page.wait_for_selector("#upload-message.app-ok >> text=Accepted", timeout=60_000)
        # while the worker analyses the star, the server keeps answering (a server blocked
        # by the analysis would let the request time out)
        assert httpx.get(server + "/api/health", timeout=5).status_code == 200
        row = page.wait_for_selector("#results-body tr.app-link", timeout=180_000)
        assert "TIC 261136679" in row.inner_text()
        verdict = page.inner_text("#results-body tr.app-link .app-badge")
        assert verdict in ("planet transit", "eclipsing binary", "other variable", "nothing significant")
        page.wait_for_selector(".app-job[data-status=done]", timeout=30_000)
        page.screenshot(path=str(tmp_path / "dashboard.png"), full_page=True)
        _save(tmp_path / "dashboard.png", "web_dashboard.png")

        page.click("#results-body tr.app-link a.app-star-name")
        page.wait_for_url("**/stars/*", timeout=30_000)
        n_figures = page.locator("[data-figure]").count()
        assert n_figures >= 8
        page.wait_for_function(f"document.querySelectorAll('.sk-rendered').length >= {n_figures}", timeout=60_000)
        for div in page.locator("[data-figure]").all():
            assert div.locator("svg.main-svg, canvas").count() > 0, div.get_attribute("data-figure")
        assert "TIC 261136679" in page.inner_text("h1")
        # one verdict: one badge, the class the results list showed, with its status
        assert page.locator(".sk-verdict").count() == 1
        assert page.get_attribute("#sk-report", "data-verdict") == verdict.replace(" ", "_")
        status = page.locator("#sk-verdict").get_attribute("data-status")
        assert status in ("confident", "check")
        assert page.inner_text("#sk-verdict-status").strip().lower() == status
        assert page.locator("#sk-evidence table tr").count() > 5
        assert "6.2" in page.inner_text("#sk-reason")
        # what kind of star: the type, its probabilities and the periodogram evidence, drawn
        assert page.locator("#sk-startype").count() == 1
        for name in ("star_type_spectrum", "star_type_fold", "star_type_probabilities"):
            assert page.locator(f"#sk-startype [data-figure={name}].sk-rendered svg.main-svg").count() > 0, name
        assert "Lomb–Scargle" in page.inner_text("#sk-startype")
        page.screenshot(path=str(tmp_path / "star.png"), full_page=True)
        _save(tmp_path / "star.png", "web_star_report.png")
    assert (tmp_path / "star.png").stat().st_size > 100_000
