"""Refresh the web-app screenshots in docs/img (run from the repository root).

    .venv/bin/python docs/img/make_screenshots.py

Starts ``starskope serve``'s app on a free local port with a temporary database, uploads a
few real light curves from ../shared/data (pi Men, WASP-18, K2-3, a Kepler eclipsing
binary, a quiet TESS star), waits for the analyses, and saves with Debian's chromium:

* ``web_dashboard.png`` — the results table;
* ``web_star_report.png`` — the top of pi Men's report page.
"""

from __future__ import annotations

import socket
import sys
import tempfile
import threading
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[2]
DATA = ROOT.parent / "shared" / "data"
OUT = Path(__file__).resolve().parent
FILES = [
    "tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz",
    "tess/misc/spacetelescope+exovetter/wasp18b.fits.gz",
    "k2/misc/rodluger+everest/hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits.gz",
    "kepler/dr24/kplr001026032-2009259160929_llc.fits.gz",
    "kepler/eb/kic003228863_eb.npz",
    "tess/ffi/328999765.fits.gz",
]
ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
        "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def main() -> int:
    import uvicorn
    from playwright.sync_api import sync_playwright

    from starskope.web.app import WebSettings, create_app
    from starskope.web.jobs import RunnerSettings

    tmp = Path(tempfile.mkdtemp(prefix="starskope-shots-"))
    settings = WebSettings(db=str(tmp / "shots.db"), data_dir=DATA, runner=RunnerSettings(workers=2))
    with socket.socket() as s:
        s.bind(("127.0.0.1", 0))
        port = s.getsockname()[1]
    server = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port, log_level="warning"))
    threading.Thread(target=server.run, daemon=True).start()
    while not server.started:
        time.sleep(0.05)
    base = f"http://127.0.0.1:{port}"
    with sync_playwright() as p:
        ctx = p.chromium.launch_persistent_context(str(tmp / "profile"), executable_path="/usr/bin/chromium",
                                                   headless=True, args=ARGS, viewport={"width": 1360, "height": 860})
        page = ctx.new_page()
        page.goto(base + "/")
        page.set_input_files("#file-input", [str(DATA / f) for f in FILES])
        page.click("#upload-button")
        page.wait_for_function(f"document.querySelectorAll('#results-body tr.app-link').length >= {len(FILES)}",
                               timeout=600_000)
        page.wait_for_selector(".app-job[data-status=done]", timeout=60_000)
        page.click("#results-table th[data-sort=p_planet_transit]")
        time.sleep(1.0)
        page.screenshot(path=str(OUT / "web_dashboard.png"), full_page=True)
        page.click("#results-body tr.app-link a.app-star-name >> text=TIC 261136679")
        page.wait_for_url("**/stars/*")
        n = page.locator("[data-figure]").count()
        page.wait_for_function(f"document.querySelectorAll('.sk-rendered').length >= {n}", timeout=60_000)
        page.set_viewport_size({"width": 1360, "height": 2150})
        time.sleep(1.0)
        page.screenshot(path=str(OUT / "web_star_report.png"))
        ctx.close()
    server.should_exit = True
    print(f"wrote {OUT / 'web_dashboard.png'} and {OUT / 'web_star_report.png'}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
