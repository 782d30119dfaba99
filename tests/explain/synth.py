"""Synthetic K2-like light curves, a tiny trained model and a headless chromium for the
front-end tests.

Loaded by ``load_synth`` in tests/frontend_data.py for the fixtures of tests/conftest.py
(registered once in ``sys.modules`` so the model is trained once per test session).
"""

from __future__ import annotations

import functools
import tempfile
import warnings
from pathlib import Path

import numpy as np

CADENCE_DAYS = 29.4244 / 1440.0
N_CADENCES = 1600
BJD0 = 2456977.0
CLASSES = ("planet_transit", "eclipsing_binary", "other_variable", "nothing_significant")


def time_grid(n: int = N_CADENCES) -> np.ndarray:
    return BJD0 + np.arange(n) * CADENCE_DAYS


def light_curve(kind: str, seed: int = 0, n: int = N_CADENCES) -> tuple[np.ndarray, np.ndarray, dict]:
    """(time BJD_TDB, flux in e-/s, truth) of one star of ``kind``: 'planet' (box transits,
    1500–3000 ppm), 'eb' (deep, unequal odd/even depths and a secondary eclipse), 'variable'
    (sinusoid) or 'quiet'."""
    rng = np.random.default_rng(seed)
    t = time_grid(n)
    f = 1 + 2e-4 * rng.normal(size=t.size)
    p = float(rng.uniform(2.0, 4.5))
    e = BJD0 + float(rng.uniform(0.2, 1.5))
    d = 0.12
    phase = ((t - e) / p + 0.5) % 1 - 0.5
    n_tr = np.floor((t - e) / p + 0.5)
    intr = np.abs(phase * p) < d / 2
    truth = {"kind": kind, "period": p, "epoch": e, "duration": d}
    if kind == "planet":
        depth = float(rng.uniform(1.5e-3, 3e-3))
        f[intr] -= depth
        truth["depth"] = depth
    elif kind == "eb":
        depth = float(rng.uniform(0.02, 0.04))
        f[intr] -= np.where(n_tr[intr] % 2 == 0, depth, 0.55 * depth)
        sec = np.abs((((t - e) / p) % 1) - 0.5) * p < d / 2
        f[sec] -= 0.15 * depth
        truth["depth"] = depth
    elif kind == "variable":
        f += float(rng.uniform(4e-3, 1e-2)) * np.sin(2 * np.pi * (t - BJD0) / float(rng.uniform(0.4, 3.0)))
    return t, f * float(rng.uniform(800, 3000)), truth


KINDS = {"planet": 0, "eb": 1, "variable": 2, "quiet": 3}


def analyses(n_per_class: int = 8, seed: int = 0) -> tuple[list, np.ndarray]:
    """StarAnalysis of ``n_per_class`` synthetic stars of each kind, and their labels."""
    from starskope.analysis import AnalysisOptions, analyse_table_row

    opts = AnalysisOptions()
    out, labels = [], []
    for kind, label in KINDS.items():
        for k in range(n_per_class):
            t, f, _ = light_curve(kind, seed=seed * 1000 + 17 * k + label)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                out.append(analyse_table_row(t, f, options=opts, label=f"{kind} {k}"))
            labels.append(label)
    return out, np.asarray(labels)


@functools.cache
def tiny_model_dir() -> Path:
    """A small stacked ensemble (view CNN + gradient-boosted trees) trained on synthetic
    stars, saved as a model folder (trained once per session)."""
    from starskope.features import FeatureSet
    from starskope.models import make_model, save_model

    stars, labels = analyses(8, seed=0)
    fs = FeatureSet.concat([a.features for a in stars]).with_labels(labels)
    model = make_model("ensemble", members=("view-cnn", "gbt"), n_folds=2, seed=0,
                       member_params={"view-cnn": {"epochs": 4, "width": 4, "patience": 4},
                                      "gbt": {"max_iter": 40, "min_samples_leaf": 3}})
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        model.fit(fs)
    out = Path(tempfile.mkdtemp(prefix="starskope-tiny-model-")) / "tiny"
    save_model(model, out)
    return out


@functools.cache
def tiny_model():
    from starskope.models import load_model

    return load_model(tiny_model_dir())


#: Chromium flags for headless runs in CI containers (no sandbox, GPU or network services).
CHROMIUM_ARGS = ["--headless", "--no-sandbox", "--disable-gpu", "--disable-quic", "--no-first-run",
                 "--disable-background-networking", "--disable-component-update", "--disable-sync"]


def chromium_page(width: int = 1300, height: int = 1000):
    """A context manager giving a Playwright page in Debian's chromium with a fresh profile."""
    import contextlib
    import shutil
    import tempfile

    @contextlib.contextmanager
    def cm():
        from playwright.sync_api import sync_playwright

        exe = shutil.which("chromium") or "/usr/bin/chromium"
        profile = tempfile.mkdtemp(prefix="starskope-chromium-")
        try:
            with sync_playwright() as p:
                ctx = p.chromium.launch_persistent_context(profile, executable_path=exe, headless=True,
                                                           args=CHROMIUM_ARGS,
                                                           viewport={"width": width, "height": height})
                try:
                    yield ctx.new_page()
                finally:
                    ctx.close()
        finally:
            shutil.rmtree(profile, ignore_errors=True)

    return cm()


def serve_app(settings):
    """A context manager serving the web app of ``settings`` with uvicorn on a free local
    port, in a thread; gives the base URL and stops the server on exit."""
    import contextlib
    import socket
    import threading
    import time

    @contextlib.contextmanager
    def cm():
        import uvicorn

        from starskope.web.app import create_app

        with socket.socket() as s:
            s.bind(("127.0.0.1", 0))
            port = int(s.getsockname()[1])
        srv = uvicorn.Server(uvicorn.Config(create_app(settings), host="127.0.0.1", port=port,
                                            log_level="warning"))
        thread = threading.Thread(target=srv.run, daemon=True)
        thread.start()
        t0 = time.time()
        while not srv.started:
            if time.time() - t0 > 30:
                raise RuntimeError("uvicorn did not start")
            time.sleep(0.05)
        try:
            yield f"http://127.0.0.1:{port}"
        finally:
            srv.should_exit = True
            thread.join(timeout=20)

    return cm()
