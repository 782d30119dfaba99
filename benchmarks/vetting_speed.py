"""Time vetting one candidate on a K2-length light curve, with and without the transit fit.

These are the timings the vetting tests used to assert (tests assert no timings: a shared
or slow machine would fail them without anything being wrong). Two simulated light curves
of 3197 long cadences (K2 Campaign 3 length, 29.4 min), batman transits with white noise:

* ``hot``: P = 0.9 d, Rp/R★ = 0.06, b = 0.4, with a slow 0.03 % wiggle;
* ``warm``: P = 1.2 d, Rp/R★ = 0.03, b = 0.5.

Measured, best of ``--repeat`` runs after one warm-up (which compiles the Numba kernels),
one thread:

* ``vet(fit_transit=False)``: the batch-screening path (trapezoid depth);
* ``vet(fit_transit=True)``: the default, with the limb-darkened transit fit;
* ``fit_limb_darkened``: the transit fit alone.

Run::

    .venv/bin/python benchmarks/vetting_speed.py
    .venv/bin/python benchmarks/vetting_speed.py --repeat 10 --json benchmarks/results/vetting_speed.json
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse
import json
import platform
import time
from pathlib import Path

import numpy as np

from starskope.search.candidate import TransitCandidate
from starskope.search.folding import time_from_transit
from starskope.vetting import _core, vet

T_START = 2456728.4
CADENCE = 0.0204  # days: K2 long cadence


def batman_transit(t: np.ndarray, period: float, epoch: float, k: float, b: float) -> np.ndarray:
    """Quadratic limb-darkened transit of a planet k = Rp/R★ at impact parameter b around a
    Sun-density star, integrated over the long cadence."""
    import batman

    p = batman.TransitParams()
    a_r = (6.674e-8 * 1.41 * (period * 86400.0) ** 2 / (3 * np.pi)) ** (1 / 3)
    p.t0, p.per, p.rp, p.a = epoch, period, k, a_r
    p.inc, p.ecc, p.w = float(np.degrees(np.arccos(b / a_r))), 0.0, 90.0
    p.u, p.limb_dark = [0.4, 0.25], "quadratic"
    return batman.TransitModel(p, t, supersample_factor=7, exp_time=CADENCE).light_curve(p)


def cases() -> dict[str, tuple[np.ndarray, np.ndarray, TransitCandidate, float]]:
    t = T_START + np.arange(3197) * CADENCE
    rng = np.random.default_rng(11)
    hot = batman_transit(t, 0.9, T_START + 0.3, 0.06, 0.4) * (1 + 3e-4 * np.sin(t / 1.7))
    hot = hot + rng.normal(0, 3e-4, t.size)
    rng = np.random.default_rng(4)
    warm = batman_transit(t, 1.2, T_START + 0.5, 0.03, 0.5) + rng.normal(0, 2e-4, t.size)
    return {
        "hot": (t, hot, TransitCandidate.from_floats(0.9, T_START + 0.302, 2.0), 3e-4),
        "warm": (t, warm, TransitCandidate.from_floats(1.2, T_START + 0.504, 1.9), 2e-4),
    }


def best_of(repeat: int, fn) -> float:
    fn()  # warm-up: Numba compilation, caches
    best = np.inf
    for _ in range(repeat):
        t0 = time.perf_counter()
        fn()
        best = min(best, time.perf_counter() - t0)
    return best


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--repeat", type=int, default=5, help="timed runs per measurement (best is kept)")
    parser.add_argument("--json", type=Path, help="also write the results here")
    args = parser.parse_args()
    results: dict[str, dict[str, float]] = {}
    for name, (t, f, cand, sigma) in cases().items():
        dt = time_from_transit(t, cand.period_days, cand.epoch_bjd)
        trap = _core.fit_trapezoid(dt, f, sigma, cand.duration_days, cand.period_days, CADENCE)
        results[name] = {
            "vet_without_fit_ms": 1e3 * best_of(args.repeat, lambda t=t, f=f, c=cand: vet(
                (t, f), c, stellar=None, mission="K2", fit_transit=False)),
            "vet_with_fit_ms": 1e3 * best_of(args.repeat, lambda t=t, f=f, c=cand: vet(
                (t, f), c, stellar=None, mission="K2", fit_transit=True)),
            "fit_limb_darkened_ms": 1e3 * best_of(args.repeat, lambda dt=dt, f=f, c=cand, s=sigma, tr=trap:
                                                  _core.fit_limb_darkened(dt, f, s, c.period_days, CADENCE, tr)),
        }
    print(f"vetting one candidate, 3197 cadences, one thread, best of {args.repeat} ({platform.processor() or platform.machine()})")
    print(f"{'case':<6} {'vet, no fit':>12} {'vet, fit':>10} {'fit alone':>10}   (ms)")
    for name, r in results.items():
        print(f"{name:<6} {r['vet_without_fit_ms']:12.1f} {r['vet_with_fit_ms']:10.1f} {r['fit_limb_darkened_ms']:10.1f}")
    if args.json:
        args.json.write_text(json.dumps({"date": time.strftime("%Y-%m-%d"), "repeat": args.repeat,
                                         "results": results}, indent=1) + "\n")


if __name__ == "__main__":
    main()
