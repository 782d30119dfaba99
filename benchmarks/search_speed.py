"""Time starskope's transit search against astropy's BoxLeastSquares on the same light curves.

Run from the repository root (single core is forced for both searches)::

    .venv/bin/python benchmarks/search_speed.py            # full set (~6 min)
    .venv/bin/python benchmarks/search_speed.py --quick    # two K2 curves + one TESS

What is compared, per light curve (flux cleaned by ``starskope.clean.clean`` first):

* **starskope**: ``search_transits(time, flux, period_min, period_max, max_planets=1)``:
  one pass of the search, i.e. the coarse periodogram over the duration-scaled grid, the
  refinement of the best peaks, and the SNR of the best one. Best of 3 runs, after a
  warm-up run that compiles the Numba kernels (compilation is cached on disk).
* **astropy**: ``BoxLeastSquares(time, flux).autopower(durations, minimum_period=...,
  maximum_period=..., objective='likelihood')`` with astropy's default grid
  (``autoperiod``: frequency_factor=1, oversample=10) and the *same trial durations*
  starskope searches. astropy tries every duration at every period and needs them all
  shorter than the minimum period, so it is called once per period octave (0.5–1, 1–2,
  ... d) with starskope's durations for that octave (geometric, ratio 1.33, from the
  shortest at the octave's shortest period to the longest at its longest period, capped
  at a quarter of its shortest period); the time is the sum and the best period the one
  of highest power over all calls. One run (astropy's time barely varies). Both get
  uniform weights (no ``dy``).
* **periods agree** when ``|P_starskope − P_astropy| / P_astropy < 0.1 %``.
* **astropy (typical durations)**: for context, the same astropy call with six durations
  from 1.9 to 8 h (0.08–0.33 d) — a coarser set a user might pick by hand, which cannot
  find transits shorter than ~1.5 h and so is not the same search.
* **batched**: a simulated K2 Campaign 3 table (``--table-stars`` stars × 3197 cadences,
  white noise and injected transits in every fourth star) searched with ``search_many``
  and star by star with ``search_transits``: total time / number of stars for both, and
  whether every star's best period is the same.
"""

from __future__ import annotations

import os

os.environ.setdefault("OMP_NUM_THREADS", "1")
os.environ.setdefault("OPENBLAS_NUM_THREADS", "1")
os.environ.setdefault("MKL_NUM_THREADS", "1")
os.environ.setdefault("NUMBA_NUM_THREADS", "1")

import argparse
import datetime
import platform
import subprocess
import sys
import time
import warnings
from dataclasses import dataclass
from pathlib import Path

import numpy as np
from threadpoolctl import threadpool_limits

warnings.filterwarnings("ignore")

from astropy.timeseries import BoxLeastSquares  # noqa: E402

from starskope.clean import clean  # noqa: E402
from starskope.io import read  # noqa: E402
from starskope.search import search_many, search_transits  # noqa: E402
from starskope.search.bls import _prepare  # noqa: E402
from starskope.search.grid import make_grid  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
DATA = Path(os.environ.get("STARSKOPE_SHARED_DATA", ROOT.parent / "shared" / "data"))
K2_CADENCE = 29.4244 / 1440  # days
K2_N = 3197


@dataclass
class Curve:
    name: str
    time: np.ndarray  # BJD_TDB days
    flux: np.ndarray
    period_min: float
    period_max: float
    expected: float | None  # period of the known or injected planet, days


def _inject_box(t: np.ndarray, f: np.ndarray, period: float, epoch: float, duration: float,
                depth: float) -> np.ndarray:
    phase = np.abs(((t - epoch) / period + 0.5) % 1.0 - 0.5) * period
    return f * (1.0 - depth * (phase < 0.5 * duration))


def _cleaned(path: Path, n: int | None = None) -> tuple[np.ndarray, np.ndarray]:
    lc = clean(read(path))
    t = np.asarray(lc.time.tdb.jd, float)
    f = np.asarray(lc.flux.value, float)
    ok = np.isfinite(f)
    t, f = t[ok], f[ok]
    if n is not None:
        t, f = t[:n], f[:n]
    return t, f


def _cleaned_csv(path: Path, n: int) -> tuple[np.ndarray, np.ndarray]:
    lc = clean(read(path, time_format="bkjd", mission="K2"))
    t = np.asarray(lc.time.tdb.jd, float)
    f = np.asarray(lc.flux.value, float)
    ok = np.isfinite(f)
    return t[ok][:n], f[ok][:n]


def _noise(f: np.ndarray) -> float:
    return 1.4826 * float(np.median(np.abs(f - np.median(f))))


def k2_curves(quick: bool) -> list[Curve]:
    rng = np.random.default_rng(42)
    out: list[Curve] = []
    # real K2 C3 long-cadence light curve trimmed to the Kaggle length; the star shows a
    # 1.7 %-deep 0.549-d periodic dip (in the LLC, EVEREST and K2SFF products alike)
    t, f = _cleaned(DATA / "k2/misc/AstroVPK+kali/ktwo205905563-c03_llc.fits.gz", K2_N)
    out.append(Curve("K2 C3 EPIC 205905563 LLC (0.549-d dip)", t, f, 0.5, 30.0, 0.5492))
    # real K2 C3 light curve (EPIC 206154641, a CSV with BKJD time stamps), which shows a
    # deep 2.484-d periodic dip
    t, f = _cleaned_csv(DATA / "k2/misc/hippke+tls/EPIC206154641.csv", K2_N)
    out.append(Curve("K2 C3 EPIC 206154641 CSV (2.484-d dip)", t, f, 0.5, 30.0, 2.4841))
    # K2-3 (C1, K2SFF), the real planet b (10.0545 d), trimmed to 3197 cadences
    t, f = _cleaned(DATA / "k2/misc/rodluger+everest/hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits.gz", K2_N)
    out.append(Curve("K2-3 C1 K2SFF (planet b)", t, f, 0.5, 30.0, 10.0545))
    # simulated C3-like light curve: white noise, one planet
    t = 2456977.5 + np.arange(K2_N) * K2_CADENCE
    f = 1.0 + rng.normal(0, 400e-6, K2_N)
    out.append(Curve("simulated C3 white noise + injected P=2.7371 d", t,
                     _inject_box(t, f, 2.7371, t[0] + 0.9, 0.09, 600e-6), 0.5, 30.0, 2.7371))
    if quick:
        return out
    c5 = sorted((DATA / "k2/misc/OxES+k2sc").glob("ktwo*-c05_llc.fits.gz"))
    for path, (period, dur) in zip(c5[1:4], [(3.8765, 0.1), (11.2233, 0.15), (1.6021, 0.07)], strict=False):
        t, f = _cleaned(path, K2_N)
        n_tr = (t[-1] - t[0]) / period
        depth = 15 * _noise(f) / np.sqrt(n_tr * dur / K2_CADENCE)
        out.append(Curve(f"K2 C5 {path.name[:14]} + injected P={period} d", t,
                         _inject_box(t, f, period, t[0] + 0.8, dur, depth), 0.5, 30.0, period))
    return out


def tess_curves(quick: bool) -> list[Curve]:
    out = []
    t, f = _cleaned(DATA / "tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz")
    out.append(Curve("TESS S1 2-min pi Men (planet c)", t, f, 0.5, 13.0, 6.26783))
    if not quick:
        t, f = _cleaned(DATA / "tess/misc/spacetelescope+exovetter/wasp18b.fits.gz")
        out.append(Curve("TESS S2 2-min WASP-18 (planet b)", t, f, 0.5, 13.0, 0.941453))
    return out


def astropy_plan(c: Curve) -> list[tuple[float, float, np.ndarray]]:
    """Period chunks (factor 2 wide) with the trial durations starskope uses there.

    astropy applies every duration at every period of a call and needs each duration
    shorter than the call's minimum period, so the period range is split into octaves
    and each octave gets starskope's durations for it: geometric (ratio 1.33) from the
    shortest duration at the octave's shortest period to the longest at its longest
    period, capped at a quarter of the octave's shortest period (as starskope caps them).
    """
    prep = _prepare(c.time, c.flux, None)
    grid = make_grid(float(c.time[-1] - c.time[0]), c.period_min, c.period_max,
                     cadence_days=prep.cadence)
    periods = grid.periods
    plan = []
    lo = c.period_min
    while lo < c.period_max:
        hi = min(2 * lo, c.period_max)
        sel = (periods >= lo) & (periods <= hi)
        dmin = float(grid.duration_min_days[sel].min())
        dmax = min(float(grid.duration_max_days[sel].max()), 0.25 * lo)
        n = int(np.ceil(np.log(dmax / dmin) / np.log(1.33))) + 1 if dmax > dmin else 1
        plan.append((lo, hi, np.geomspace(dmin, dmax, n)))
        lo = hi
    return plan


def time_ours(c: Curve, repeats: int = 3) -> tuple[float, float]:
    search_transits(c.time, c.flux, period_min=c.period_min, period_max=c.period_max, max_planets=1)
    best = np.inf
    period = np.nan
    for _ in range(repeats):
        t0 = time.perf_counter()
        r = search_transits(c.time, c.flux, period_min=c.period_min, period_max=c.period_max,
                            max_planets=1)
        best = min(best, time.perf_counter() - t0)
        period = r.best.period_days if r.best is not None else np.nan
    return best, period


def time_astropy(c: Curve, plan: list[tuple[float, float, np.ndarray]]) -> tuple[float, float, int]:
    """One astropy autopower call per period octave; the best period over all of them."""
    bls = BoxLeastSquares(c.time, c.flux)
    best_power, best_period, n_periods = -np.inf, np.nan, 0
    t0 = time.perf_counter()
    for lo, hi, durations in plan:
        res = bls.autopower(durations, minimum_period=lo, maximum_period=hi, objective="likelihood")
        i = int(np.argmax(res.power))
        n_periods += len(res.period)
        if res.power[i] > best_power:
            best_power, best_period = float(res.power[i]), float(res.period[i])
    return time.perf_counter() - t0, best_period, n_periods


def simulated_table(n_stars: int, seed: int = 7) -> tuple[np.ndarray, np.ndarray, list[float | None]]:
    rng = np.random.default_rng(seed)
    t = 2456977.5 + np.arange(K2_N) * K2_CADENCE
    flux = 1.0 + rng.normal(0, 1, (n_stars, K2_N)) * rng.uniform(200e-6, 1500e-6, (n_stars, 1))
    truth: list[float | None] = []
    for i in range(n_stars):
        if i % 4 == 0:
            period = float(rng.uniform(0.7, 20.0))
            dur = 0.06 + 0.03 * period ** (1 / 3)
            sig = 1.4826 * np.median(np.abs(flux[i] - 1))
            depth = 15 * sig / np.sqrt((t[-1] - t[0]) / period * dur / K2_CADENCE)
            flux[i] = _inject_box(t, flux[i], period, t[0] + rng.uniform(0, period), dur, depth)
            truth.append(period)
        else:
            truth.append(None)
    return t, flux, truth


def cpu_model() -> str:
    try:
        out = subprocess.run(["lscpu"], capture_output=True, text=True, check=False).stdout
        for line in out.splitlines():
            if line.startswith("Model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown"


def agree(a: float, b: float) -> bool:
    return bool(np.isfinite(a) and np.isfinite(b) and abs(a - b) / b < 1e-3)


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--quick", action="store_true", help="fewer light curves")
    ap.add_argument("--table-stars", type=int, default=256, help="stars in the simulated C3 table")
    args = ap.parse_args(argv)
    print(f"# search_speed  {datetime.date.today()}  CPU: {cpu_model()}  "
          f"({os.cpu_count()} cores visible; single thread enforced)  python {sys.version.split()[0]}")
    rows = []
    with threadpool_limits(limits=1):
        curves = k2_curves(args.quick) + tess_curves(args.quick)
        header = (f"{'light curve':50s} {'N':>6s} {'ours s':>7s} {'astropy s':>9s} {'ratio':>6s} "
                  f"{'P ours':>9s} {'P astropy':>9s} {'agree':>5s} {'P true':>8s} {'n_f ours':>8s} {'n_f astropy':>11s}")
        print(header)
        for c in curves:
            ours, p_ours = time_ours(c)
            theirs, p_theirs, nf_theirs = time_astropy(c, astropy_plan(c))
            prep = _prepare(c.time, c.flux, None)
            nf_ours = len(make_grid(float(c.time[-1] - c.time[0]), c.period_min, c.period_max,
                                    cadence_days=prep.cadence))
            ok = agree(p_ours, p_theirs)
            rows.append((c, ours, theirs, p_ours, p_theirs, ok))
            print(f"{c.name[:50]:50s} {c.time.size:6d} {ours:7.3f} {theirs:9.2f} {theirs / ours:6.0f} "
                  f"{p_ours:9.5f} {p_theirs:9.5f} {'yes' if ok else 'NO':>5s} "
                  f"{(c.expected or float('nan')):8.4f} {nf_ours:8d} {nf_theirs:11d}", flush=True)
        k2 = [r for r in rows if r[0].time.size <= K2_N]
        tess = [r for r in rows if r[0].time.size > K2_N]
        for label, group in (("K2 3197-cadence", k2), ("TESS 2-min sector", tess)):
            if group:
                ratios = [r[2] / r[1] for r in group]
                print(f"{label}: ours {np.mean([r[1] for r in group]):.3f} s, astropy "
                      f"{np.mean([r[2] for r in group]):.2f} s per light curve; speed ratio "
                      f"min {min(ratios):.0f}x, median {np.median(ratios):.0f}x; best periods agree "
                      f"{sum(r[5] for r in group)}/{len(group)}")
        # context: astropy with a hand-picked coarse duration set
        c = curves[0]
        typical = np.array([0.08, 0.12, 0.16, 0.20, 0.25, 0.33])
        theirs, p_theirs, nf = time_astropy(c, [(c.period_min, c.period_max, typical)])
        ours = rows[0][1]
        print(f"context, {c.name[:40]}: astropy with durations 0.08–0.33 d takes {theirs:.2f} s "
              f"({nf} periods), {theirs / ours:.0f}x our time; its best period {p_theirs:.5f} d")
        # full multi-planet search
        t0 = time.perf_counter()
        for c in curves:
            search_transits(c.time, c.flux, period_min=c.period_min, period_max=c.period_max)
        print(f"full iterative search (up to 5 planets, SNR ≥ 7.1): "
              f"{(time.perf_counter() - t0) / len(curves):.3f} s per light curve on average")
        # batched table
        t, flux, truth = simulated_table(args.table_stars)
        search_many(t, flux[:2], period_min=0.5, period_max=30.0, max_planets=1)  # warm-up
        t0 = time.perf_counter()
        batch = search_many(t, flux, period_min=0.5, period_max=30.0, max_planets=1)
        t_batch = (time.perf_counter() - t0) / len(flux)
        t0 = time.perf_counter()
        single = [search_transits(t, f, period_min=0.5, period_max=30.0, max_planets=1) for f in flux]
        t_single = (time.perf_counter() - t0) / len(flux)
        same = sum(
            (a.best is None and b.best is None)
            or (a.best is not None and b.best is not None and a.best.period_days == b.best.period_days)
            for a, b in zip(batch, single, strict=True)
        )
        found = sum(
            1 for r, p in zip(batch, truth, strict=True)
            if p is not None and r.best is not None and agree(r.best.period_days, p)
        )
        n_inj = sum(p is not None for p in truth)
        k2_astropy = np.mean([r[2] for r in k2]) if k2 else float("nan")
        print(f"batched table ({len(flux)} stars x {K2_N} cadences): search_many {t_batch * 1e3:.1f} ms "
              f"per star, star by star {t_single * 1e3:.1f} ms per star; same best period for "
              f"{same}/{len(flux)} stars; injected planets recovered {found}/{n_inj}; vs astropy "
              f"{k2_astropy:.2f} s per K2 light curve: {k2_astropy / t_batch:.0f}x (batched)")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
