"""How often each method finds the known period in real light curves.

Run from the repository root::

    .venv/bin/python benchmarks/real_recovery.py --data /work/shared/data            # everything
    .venv/bin/python benchmarks/real_recovery.py --data DIR --limit 20               # a quick look
    .venv/bin/python benchmarks/real_recovery.py --data DIR --methods starskope      # re-measure starskope only

The data folder (``--data``, default ``$STARSKOPE_SHARED_DATA``) holds ``manifest.csv`` and
``catalogs/``. Every labelled light-curve file with a known period is used:

* planet hosts, candidates and eclipsing binaries, with the periods of the manifest's
  ``known_periods_days`` (folders kepler/dr24, kepler/eb, kepler/misc, k2/misc, tess/misc,
  tess/ffi); phase-folded transit windows (manifest note "PHASE-FOLDED", a fraction of a
  day long) are not light curves with a period to find and are left out;
* the Kepler DR24 threshold-crossing events of the kepler/dr24 stars, with their
  catalogue ephemerides, as classes of their own by training label (``dr24_tce_PC``,
  ``dr24_tce_AFP``, ``dr24_tce_NTP``, ``dr24_tce_UNK``); a file of a "no known planet"
  star has TCE periods too. A file can therefore be scored in more than one class; each
  method runs once per file.

For each file:

1. **Detectable?** Judged without starskope's cleaning, so that a detrending that eats
   transits cannot shrink the denominator: the light curve as read (the product's
   corrected flux, the mission's default quality mask) is flattened with lightkurve's
   ``flatten`` (Savitzky–Golay, a 1-day window in cadences, splitting at gaps), with the
   known transits masked from the trend fit when a catalogue gives the epoch and duration
   (DR24 TCE table, KOI, Villanova EB, TOI, read straight from ``catalogs/``; without
   both, plain). Then astropy ``BoxLeastSquares`` at the known period, every
   phase, durations 0.48 h to 1 d (at most 0.3 P): SNR = depth / (σ / √N_in) with σ the
   MAD-based standard deviation of the out-of-transit points and N_in the in-transit
   points. Detectable: SNR ≥ 7.1 and ≥ 2 transits with data (at least half of a transit's
   cadences present) that show the dip: without its strongest event the box still has
   SNR ≥ 3 (one deep lone transit — another planet's, or a binary's — and empty epochs
   with data are not two transits; until 2026-12-07 they counted). Such a lone event is cut
   out and the known period judged again (ten times at most), so an artefact does not hide it. A set of several known periods (multi-planet host) is detectable
   when one of its periods is.
2. **starskope**: the period of the best candidate starskope reports for the file
   (:func:`starskope_period`, the public API, default settings). Its time includes reading,
   cleaning, search, vetting and features: what a user waits for.
3. **Baselines**, on the plain-flattened light curve (no knowledge of the period):
   (a) astropy ``BoxLeastSquares`` over ``autoperiod`` from 0.5 d to half the span (at
   most 40 d, starskope's ``search_period_max`` without search bands), durations 1–9.6 h but at most 12 % of
   the period (astropy takes one duration set for all periods, so it is called once per
   period octave), objective likelihood, best period = highest power. ``frequency_factor`` is raised above 1 only
   where the grid would exceed 250,000 periods (the 400-day Kepler EB files: 7.9 M periods,
   ~30 min each); the drift between neighbouring trial frequencies over the baseline then
   stays below the shortest box at the EBs' periods (< 1 d). (b) ``transitleastsquares``
   2.x, same period range, one thread, its default grids. Times include reading and
   flattening. The "in range" shares count only the detectable files with a known period
   in that range (from 0.5 d), the periods every method searched: a run of starskope
   with a lower ``period_min_days`` is compared with the baselines there.
4. **Scoring**: exact = within 1 % of any known period of the set; ½× and 2× (within 1 %
   of half or twice a known period) are counted apart and are not exact.

Single thread throughout (``OMP_NUM_THREADS`` etc. set before any import). Each method is
run once untimed in a worker process before it is timed (Numba compilation, catalogue
loading). Results go to ``benchmarks/results/real_recovery.{json,md,png}``; per-file
results are cached as JSON lines (``--cache``, default
``benchmarks/results/real_recovery.cache.jsonl``), so an interrupted run resumes and a later
run with ``--methods starskope`` re-measures starskope while the baselines come from the
cache. A cached starskope result is stale when the starskope source changed (a hash of
its ``.py`` files); a cached baseline or detectability result is stale when this script's
settings or the library versions changed. Stale results of the methods selected are
re-measured; ``--rerun`` forces it.
"""

from __future__ import annotations

import os

# One thread everywhere, before numpy/numba/torch are imported: the times are per core.
for _var in ("OMP_NUM_THREADS", "OPENBLAS_NUM_THREADS", "MKL_NUM_THREADS", "NUMBA_NUM_THREADS",
             "VECLIB_MAXIMUM_THREADS", "NUMEXPR_NUM_THREADS"):
    os.environ[_var] = "1"

import argparse  # noqa: E402
import contextlib  # noqa: E402
import csv  # noqa: E402
import fnmatch  # noqa: E402
import hashlib  # noqa: E402
import io  # noqa: E402
import itertools  # noqa: E402
import json  # noqa: E402
import sys  # noqa: E402
import time  # noqa: E402
import traceback  # noqa: E402
import warnings  # noqa: E402
from collections import defaultdict  # noqa: E402
from concurrent.futures import ProcessPoolExecutor, as_completed  # noqa: E402
from dataclasses import dataclass, field  # noqa: E402
from pathlib import Path  # noqa: E402
from typing import Any  # noqa: E402

import numpy as np  # noqa: E402

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"
METHODS = ("starskope", "bls", "tls")
METHOD_LABEL = {"starskope": "starskope", "bls": "flatten+BLS", "tls": "TLS 2.x"}

# --- settings of the independent light-curve handling (part of the baseline fingerprint)
BASELINE_VERSION = 2
FLATTEN_WINDOW_DAYS = 1.0        # Savitzky-Golay window of lightkurve.flatten
OUTLIER_SIGMA_UPPER = 4.0        # upward outliers (flares, cosmic rays) removed after flattening
PERIOD_MIN_DAYS = 0.5            # the baselines' shortest trial period, and starskope's default
                                 # (AnalysisOptions.period_min_days); "in range" counts periods above it
PERIOD_MAX_CAP_DAYS = 40.0       # search_period_max without bands: half the span, at most 40 d
BLS_DURATIONS_DAYS = (0.04, 0.06, 0.08, 0.1, 0.13, 0.17, 0.22, 0.3, 0.4)   # 1 h to 9.6 h
BLS_MAX_DUTY = 0.12              # longest BLS box as a fraction of the trial period
BLS_MAX_PERIODS = 250_000
DETECT_DURATIONS_DAYS = tuple(float(d) for d in np.geomspace(0.02, 1.0, 18))
DETECT_MAX_DURATION_FRACTION = 0.3
DETECT_MIN_SNR = 7.1
DETECT_MIN_TRANSITS = 2
# "≥ 2 transits" means two transits that show the dip, not one transit and an empty epoch
# with data: without its strongest event the box must still show it at this SNR (two
# transits at SNR 7.1 in all keep ~5; one deep lone transit — of another planet, or a
# binary's — and empty epochs keep ~0)
DETECT_REST_MIN_SNR = 3.0
DETECT_LONE_CUTS = 10            # lone events cut out before the known period is judged
DETECT_VERSION = 6               # of the detectability judgement (its cache fingerprint)
MASK_DURATION_FACTOR = 1.5       # mask 1.5 catalogue durations around each known transit
MATCH_TOLERANCE = 0.01           # "exact": within 1 % of a known period
BKJD_OFFSET, BTJD_OFFSET, RJD_OFFSET = 2454833.0, 2457000.0, 2400000.0   # catalogue time zero points

GROUP_OF_CLASS = {"planet_host": "host/candidate", "planet_candidate": "host/candidate",
                  "eclipsing_binary": "eclipsing_binary"}
MISSIONS = ("Kepler", "K2", "TESS")


# ----------------------------------------------------------------------------- inputs
@dataclass
class KnownSet:
    """Known periods of one file in one class (the unit that is scored)."""

    cls: str                     # planet_host, planet_candidate, eclipsing_binary, dr24_tce_<label>
    periods: list[float]         # days
    epochs_bjd: list[float]      # NaN where the catalogue gives none
    durations_days: list[float]  # NaN where the catalogue gives none
    source: str                  # "manifest" or "dr24_tce"

    @property
    def group(self) -> str:
        return GROUP_OF_CLASS.get(self.cls, self.cls)


@dataclass
class FileItem:
    file: str                    # path relative to the data folder
    mission: str
    target: str
    manifest_class: str
    sets: list[KnownSet] = field(default_factory=list)


def _period_list(text: str) -> list[float]:
    return [float(p) for p in text.split(";") if p.strip()]


Ephemeris = tuple[float, float, float]   # period (d), epoch (BJD_TDB), duration (d; NaN if unknown)


def load_ephemerides(catalogs: Path) -> dict[str, list[Ephemeris]]:
    """Catalogue ephemerides by star ("KIC n", "TIC n"), read straight from the tables so
    that the benchmark does not depend on starskope's own catalogue code: KOI cumulative,
    Villanova Kepler EBs (primary width × period), TOIs, TESS EBs (no width)."""
    import pandas as pd

    def one(pattern: str) -> Path:
        hits = sorted(catalogs.glob(pattern))
        if not hits:
            raise SystemExit(f"{catalogs}: no catalogue matching {pattern!r}")
        return hits[-1]

    out: dict[str, list[Ephemeris]] = defaultdict(list)
    koi = pd.read_csv(one("koi_cumulative*.csv.gz"), comment="#", low_memory=False)
    for r in koi.itertuples(index=False):
        out[f"KIC {int(r.kepid)}"].append((float(r.koi_period), float(r.koi_time0bk) + BKJD_OFFSET,
                                           float(r.koi_duration) / 24.0))
    eb = pd.read_csv(one("kepler_eb_catalog_villanova*.csv.gz"), comment="#", low_memory=False)
    for r in eb.itertuples(index=False):
        width = float(r.pwidth) * float(r.period) if float(r.pwidth) > 0 else np.nan
        out[f"KIC {int(r.KIC)}"].append((float(r.period), float(r.bjd0) + RJD_OFFSET, width))
    toi = pd.read_csv(one("toi*.csv.gz"), comment="#", low_memory=False)
    for r in toi.itertuples(index=False):
        out[f"TIC {int(r.tid)}"].append((float(r.pl_orbper), float(r.pl_tranmid), float(r.pl_trandurh) / 24.0))
    teb = pd.read_fwf(one("tesseb_*.dat.gz"), skiprows=[1], compression="gzip")
    for r in teb.itertuples(index=False):
        out[f"TIC {int(r.tic)}"].append((float(r.P0), float(r.t0) + BTJD_OFFSET, np.nan))
    return out


def load_tces(catalogs: Path) -> dict[int, list[Any]]:
    """Kepler DR24 TCEs by KIC."""
    import pandas as pd

    hits = sorted(catalogs.glob("q1_q17_dr24_tce_*.csv.gz"))
    if not hits:
        raise SystemExit(f"{catalogs}: no DR24 TCE table (q1_q17_dr24_tce_*.csv.gz)")
    out: dict[int, list[Any]] = defaultdict(list)
    for r in pd.read_csv(hits[-1], comment="#").itertuples(index=False):
        out[int(r.kepid)].append(r)
    return out


def _ephemeris_for(period: float, entries: list[Ephemeris]) -> tuple[float, float]:
    """Epoch (BJD_TDB) and duration (days) of a catalogue entry within 1 % of ``period``
    that has both (NaN, NaN when none has)."""
    for p, epoch, dur in entries:
        if np.isfinite(p) and abs(p / period - 1.0) <= MATCH_TOLERANCE and np.isfinite(epoch) \
                and np.isfinite(dur) and dur > 0:
            return epoch, dur
    return np.nan, np.nan


def load_items(data: Path) -> tuple[list[FileItem], list[str]]:
    """Every labelled file with a known period, and the files left out with why."""
    with (data / "manifest.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    ephemerides = load_ephemerides(data / "catalogs")
    tce_by_kic = load_tces(data / "catalogs")

    items, skipped = [], []
    for r in rows:
        rel = r["file"]
        group = "/".join(rel.split("/")[:2])
        cls = r["class"]
        if r.get("kind") == "target pixel file":
            continue
        sets: list[KnownSet] = []
        periods = _period_list(r["known_periods_days"])
        if periods and cls in GROUP_OF_CLASS:
            if "PHASE-FOLDED" in r["notes"]:
                skipped.append(f"{rel}: phase-folded transit window ({r['time_span_days']} d), no period to find")
            else:
                eph = [_ephemeris_for(p, ephemerides.get(r["target_id"], [])) for p in periods]
                sets.append(KnownSet(cls, periods, [e[0] for e in eph], [e[1] for e in eph], "manifest"))
        elif periods:
            skipped.append(f"{rel}: class {cls} (not a host, candidate or EB)")
        if group == "kepler/dr24" and r["target_id"].startswith("KIC "):
            by_label: dict[str, list[Any]] = defaultdict(list)
            for t in tce_by_kic.get(int(r["target_id"].split()[1]), []):
                by_label[str(t.av_training_set)].append(t)
            for label, tces in sorted(by_label.items()):
                sets.append(KnownSet(
                    f"dr24_tce_{label}", [float(t.tce_period) for t in tces],
                    [float(t.tce_time0bk) + BKJD_OFFSET for t in tces],
                    [float(t.tce_duration) / 24.0 for t in tces], "dr24_tce"))
        if sets:
            items.append(FileItem(rel, r["mission"], r["target_id"], cls, sets))
    return items, skipped


# ----------------------------------------------------------------------------- reading
def read_kwargs(path: Path, mission: str) -> dict[str, str]:
    """Keyword arguments :func:`starskope.io.read` needs for ``path``: none for a file that
    states its time system; the mission and its time system (BKJD for Kepler/K2, BTJD for
    TESS, as the manifest says of these CSVs) for a headerless one."""
    from starskope.errors import TimeSystemError
    from starskope.io import read

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            read(path)
        return {}
    except TimeSystemError:
        return {"mission": mission, "time_format": "btjd" if mission == "TESS" else "bkjd"}


@dataclass
class Flat:
    """A light curve flattened for the baselines: days since its first cadence."""

    t0_bjd: float
    t: np.ndarray
    f: np.ndarray
    e: np.ndarray | None
    cadence: float

    @property
    def span(self) -> float:
        return float(self.t[-1] - self.t[0])


def read_raw(path: Path, kw: dict[str, str]) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """Time (BJD_TDB), flux and error as read, default quality mask, finite, normalised."""
    from starskope.io import read

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = read(path, quality_bitmask="default", **kw)
    t = np.asarray(lc.time.tdb.jd, float)
    f = np.asarray(getattr(lc.flux, "value", lc.flux), float)
    e = np.asarray(getattr(lc.flux_err, "value", lc.flux_err), float)
    ok = np.isfinite(t) & np.isfinite(f)
    t, f, e = t[ok], f[ok], e[ok]
    order = np.argsort(t)
    t, f, e = t[order], f[order], e[order]
    med = np.nanmedian(f)
    if not (np.isfinite(med) and med > 0):
        raise ValueError(f"{path.name}: median flux {med!r} is not positive; cannot normalise")
    return t, f / med, e / med


def flatten(t: np.ndarray, f: np.ndarray, e: np.ndarray, mask: np.ndarray | None = None) -> Flat:
    """lightkurve ``flatten`` with a 1-day window (odd number of cadences), then upward
    outliers removed; ``mask`` (True = in a known transit) is left out of the trend fit."""
    import lightkurve as lk
    from astropy.time import Time

    cadence = float(np.median(np.diff(t)))
    window = max(5, round(FLATTEN_WINDOW_DAYS / cadence) // 2 * 2 + 1)
    err = e if np.all(np.isfinite(e) & (e > 0)) else np.full_like(f, np.nan)
    lc = lk.LightCurve(time=Time(t, format="jd", scale="tdb"), flux=f, flux_err=err)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        flat = lc.flatten(window_length=window, polyorder=2, break_tolerance=5, niters=3, sigma=3,
                          mask=mask)
        flat = flat.remove_nans().remove_outliers(sigma_lower=np.inf, sigma_upper=OUTLIER_SIGMA_UPPER)
    tj = np.asarray(flat.time.jd, float)
    ff = np.asarray(flat.flux.value, float)
    ee = np.asarray(flat.flux_err.value, float)
    ee = ee if np.all(np.isfinite(ee) & (ee > 0)) else None
    return Flat(float(tj[0]), tj - tj[0], ff, ee, cadence)


def period_max(span_days: float) -> float:
    """The baselines' longest trial period: half the span, at most 40 d
    (:func:`starskope.analysis.search_period_max` without search bands; starskope's own
    band search, the default, reaches the whole span)."""
    return float(min(0.5 * span_days, PERIOD_MAX_CAP_DAYS))


# ----------------------------------------------------------------------------- detectability
def _transits_with_data(t: np.ndarray, period: float, t0: float, duration: float, cadence: float) -> int:
    """Transits with at least half of their cadences present."""
    expected = max(duration / cadence, 1.0)
    n = np.round((t - t0) / period)
    near = np.abs(t - t0 - n * period) < 0.5 * duration
    _, counts = np.unique(n[near], return_counts=True)
    return int(np.count_nonzero(counts >= 0.5 * expected))


def snr_at_period(flat: Flat, period: float) -> dict[str, float]:
    """Best box at a fixed period (every phase, a range of durations): SNR with a robust
    per-point noise, transits with data, depth and duration, and the SNR without its
    strongest event (``snr_rest``). A box that is one event and empty epochs has that
    event cut out and the period searched again (at most :data:`DETECT_LONE_CUTS` times),
    so a lone artefact or another body's transit does not hide the known period's."""
    t, f = flat.t, flat.f
    best = _best_box(t, f, period, flat.cadence)
    for _ in range(DETECT_LONE_CUTS):
        if not (np.isfinite(best["snr"]) and best["snr_rest"] < DETECT_REST_MIN_SNR):
            break
        keep = np.abs(t - best["strongest_event"]) >= best["duration_days"]
        t, f = t[keep], f[keep]
        again = _best_box(t, f, period, flat.cadence)
        again["lone_events_cut"] = best.get("lone_events_cut", 0) + 1
        best = again
    best.pop("strongest_event", None)
    return best


def _best_box(t: np.ndarray, f: np.ndarray, period: float, cadence: float) -> dict[str, float]:
    from astropy.stats import mad_std
    from astropy.timeseries import BoxLeastSquares

    bls = BoxLeastSquares(t, f)
    best = {"snr": float("nan"), "n_transits": 0, "depth": float("nan"), "duration_days": float("nan")}
    durations = [d for d in DETECT_DURATIONS_DAYS
                 if d <= DETECT_MAX_DURATION_FRACTION * period and d >= cadence]
    for d in durations:
        r = bls.power([period], [d], objective="likelihood")
        t0, depth = float(r.transit_time[0]), float(r.depth[0])
        if not np.isfinite(depth):
            continue
        phase = (t - t0 + 0.5 * period) % period - 0.5 * period
        inside = np.abs(phase) < 0.5 * d
        n_in = int(inside.sum())
        if n_in == 0 or n_in == t.size:
            continue
        sigma = float(mad_std(f[~inside]))
        snr = depth / sigma * np.sqrt(n_in) if sigma > 0 else float("nan")
        if np.isfinite(snr) and not snr <= best["snr"]:
            rest, strongest = _snr_without_strongest(t, f, period, t0, inside, sigma)
            best = {"snr": float(snr), "n_transits": _transits_with_data(t, period, t0, d, cadence),
                    "depth": depth, "duration_days": d, "snr_rest": rest, "strongest_event": strongest}
    return best


def _snr_without_strongest(t: np.ndarray, f: np.ndarray, period: float, t0: float, inside: np.ndarray,
                           sigma: float) -> tuple[float, float]:
    """The box's SNR with its strongest event (depth × √points) left out — what the other
    transits show on their own (0 with none) — and that event's mid-time."""
    base = float(np.median(f[~inside]))
    n = np.round((t[inside] - t0) / period).astype(np.int64)
    dip = base - f[inside]
    events, where, counts = np.unique(n, return_inverse=True, return_counts=True)
    sums = np.bincount(where, weights=dip)
    top = int(np.argmax(sums / np.sqrt(counts)))  # event SNR ∝ mean depth × √points
    mid = float(t0 + events[top] * period)
    if events.size < 2 or not sigma > 0:
        return 0.0, mid
    rest = where != top
    return float(np.sum(dip[rest]) / np.sqrt(rest.sum()) / sigma), mid


def known_mask(t_bjd: np.ndarray, ks: KnownSet) -> tuple[np.ndarray | None, int]:
    """Cadences within 1.5 catalogue durations of a known transit (None when no period of the
    set has both epoch and duration), and how many periods were masked."""
    mask = np.zeros(t_bjd.size, bool)
    used = 0
    for p, ep, dur in zip(ks.periods, ks.epochs_bjd, ks.durations_days, strict=True):
        if not (np.isfinite(ep) and np.isfinite(dur)):
            continue
        phase = (t_bjd - ep + 0.5 * p) % p - 0.5 * p
        mask |= np.abs(phase) < 0.5 * MASK_DURATION_FACTOR * dur
        used += 1
    return (mask if used else None), used


def detectability(t: np.ndarray, f: np.ndarray, e: np.ndarray, plain: Flat, ks: KnownSet) -> dict[str, Any]:
    mask, n_masked = known_mask(t, ks)
    flat = plain if mask is None or mask.all() else flatten(t, f, e, mask)
    per = []
    for p in ks.periods:
        r = snr_at_period(flat, p)
        r["period"] = p
        r["detectable"] = bool(np.isfinite(r["snr"]) and r["snr"] >= DETECT_MIN_SNR
                               and r["n_transits"] >= DETECT_MIN_TRANSITS
                               and r.get("snr_rest", 0.0) >= DETECT_REST_MIN_SNR)
        per.append(r)
    best = max(per, key=lambda r: (r["detectable"], np.nan_to_num(r["snr"], nan=-np.inf)))
    return {"cls": ks.cls, "periods": ks.periods, "mask": f"catalogue ({n_masked}/{len(ks.periods)} periods)"
            if mask is not None else "none", "per_period": per, "detectable": best["detectable"],
            "snr": best["snr"], "n_transits": best["n_transits"]}


# ----------------------------------------------------------------------------- methods
def starskope_period(path: str | Path, *, mission: str | None = None,
                     time_format: str | None = None) -> tuple[float, float, dict[str, Any]]:
    """Period (days) of the best candidate starskope reports for one file, the wall time
    (s) of the whole analysis, and details of that candidate for the failure analysis.

    The period is NaN when starskope reports no candidate. ``mission``/``time_format`` are
    for files that do not state their time system (headerless CSVs).
    """
    path = Path(path)
    t_start = time.perf_counter()
    c_start = time.process_time()
    try:
        # The lead is replacing explain.analyse_file by analysis.analyse; when the new entry
        # point exists, it is the path users get, so it is the one measured.
        from starskope.analysis import analyse, options_for
    except ImportError:
        analyse = options_for = None
    if analyse is not None:
        import inspect

        accepts = inspect.signature(analyse).parameters
        if mission is None or ("mission" in accepts and "time_format" in accepts):
            extra = {"mission": mission, "time_format": time_format} if mission else {}
            a = analyse(path, options=options_for(None), **extra)
        else:
            from starskope.io import read

            a = analyse(read(path, mission=mission, time_format=time_format), options=options_for(None))
        api = "starskope.analysis.analyse"
    else:
        from starskope.explain import analyse_file

        a = analyse_file(path, mission=mission, time_format=time_format)
        api = "starskope.explain.analyse_file"
    seconds = time.perf_counter() - t_start
    # CPU time of this process as well: the machine may be shared, and one thread's CPU
    # seconds are what contention does not inflate
    info: dict[str, Any] = {"api": api, "cpu_seconds": time.process_time() - c_start}
    cand = getattr(a, "candidate", None)
    if cand is None:
        return float("nan"), seconds, info
    info.update(snr=_float(getattr(cand, "snr", np.nan)),
                duration_h=_float(cand.duration.to_value("h")) if hasattr(cand, "duration") else None,
                depth=_float(getattr(cand.depth, "value", cand.depth)) if hasattr(cand, "depth") else None,
                n_transits=int(getattr(cand, "n_transits", 0)),
                epoch_bjd=_float(cand.epoch.tdb.jd) if hasattr(cand, "epoch") else None)
    t = np.asarray(getattr(a, "time", []), float)
    if t.size > 1 and info.get("epoch_bjd") is not None:
        info.update(_edge_info(t, cand.period_days, info["epoch_bjd"], (info["duration_h"] or 0) / 24.0))
    search = getattr(a, "search", None)
    if search is not None and getattr(search, "candidates", None) is not None:
        info["candidates"] = [[_float(c.period_days), _float(c.snr)] for c in list(search.candidates)[:6]]
    return float(cand.period_days), seconds, info


def _float(x: Any) -> float | None:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return None
    return v if np.isfinite(v) else None


def _edge_info(t: np.ndarray, period: float, epoch: float, duration: float) -> dict[str, Any]:
    """Where the candidate's transits fall: how many have data, and how many of those lie
    within one day of the start, the end or a gap longer than half a day."""
    gaps = np.flatnonzero(np.diff(t) > 0.5)
    edges = np.concatenate([[t[0], t[-1]], t[gaps], t[gaps + 1]])
    n0, n1 = int(np.floor((t[0] - epoch) / period)), int(np.ceil((t[-1] - epoch) / period))
    with_data = at_edge = 0
    for n in range(n0, n1 + 1):
        mid = epoch + n * period
        if np.any(np.abs(t - mid) < max(0.5 * duration, 0.02)):
            with_data += 1
            if np.min(np.abs(edges - mid)) < 1.0:
                at_edge += 1
    return {"transits_with_data": with_data, "transits_at_edge": at_edge,
            "span_days": float(t[-1] - t[0])}


def bls_period(flat: Flat) -> tuple[float, dict[str, Any]]:
    """astropy BoxLeastSquares over its autoperiod grid: the period of highest power.

    astropy applies one set of durations at every trial period, and a 9.6-h box at 0.5 d
    fits stellar variability, not transits; so the range is searched per period octave
    with the durations up to ``BLS_MAX_DUTY`` of the octave's shortest period, and the
    highest power (log-likelihood gain, comparable across calls) wins.
    """
    from astropy.timeseries import BoxLeastSquares

    pmax = period_max(flat.span)
    if pmax <= PERIOD_MIN_DAYS:
        raise ValueError(f"span {flat.span:.2f} d allows no period above {PERIOD_MIN_DAYS} d")
    bls = BoxLeastSquares(flat.t, flat.f, flat.e)
    # the grid spacing is set by the shortest duration and the baseline (Δf = ff·D_min/T²)
    n_full = bls.autoperiod(BLS_DURATIONS_DAYS, minimum_period=PERIOD_MIN_DAYS, maximum_period=pmax).size
    ff = max(1.0, n_full / BLS_MAX_PERIODS)
    edges = [PERIOD_MIN_DAYS]
    while edges[-1] < pmax:
        edges.append(min(2.0 * edges[-1], pmax))
    best_power = -np.inf
    best: dict[str, Any] = {}
    n_periods = 0
    for lo, hi in itertools.pairwise(edges):
        durations = [d for d in BLS_DURATIONS_DAYS if d <= BLS_MAX_DUTY * lo] or [BLS_DURATIONS_DAYS[0]]
        periods = bls.autoperiod(durations, minimum_period=lo, maximum_period=hi, frequency_factor=ff)
        n_periods += periods.size
        r = bls.power(periods, durations, objective="likelihood")
        i = int(np.nanargmax(r.power))
        if r.power[i] > best_power:
            best_power = float(r.power[i])
            best = {"period": float(r.period[i]), "duration_h": float(r.duration[i]) * 24.0,
                    "depth": float(r.depth[i])}
    period = best.pop("period")
    return period, {"n_periods": int(n_periods), "frequency_factor": ff, "power": best_power, **best}


def tls_period(flat: Flat) -> tuple[float, dict[str, Any]]:
    """transitleastsquares 2.x, one thread, default grids: the period of highest SDE."""
    from transitleastsquares import transitleastsquares

    pmax = period_max(flat.span)
    if pmax <= PERIOD_MIN_DAYS:
        raise ValueError(f"span {flat.span:.2f} d allows no period above {PERIOD_MIN_DAYS} d")
    with contextlib.redirect_stdout(io.StringIO()), warnings.catch_warnings():
        warnings.simplefilter("ignore")  # e.g. "mean flux should be normalized to 1" for deep EBs
        model = transitleastsquares(flat.t, flat.f, flat.e)
        r = model.power(period_min=PERIOD_MIN_DAYS, period_max=pmax, use_threads=1,
                        show_progress_bar=False, verbose=False)
    return float(r.period), {"sde": _float(r.SDE), "n_periods": len(r.periods),
                             "duration_h": _float(r.duration * 24.0),
                             "depth": _float(1.0 - r.depth)}  # TLS gives the in-transit flux


_WARM: set[str] = set()


def _warm_tls() -> None:
    """Compile TLS's kernels on a small synthetic light curve (not timed)."""
    rng = np.random.default_rng(0)
    t = np.arange(0, 20, 0.02)
    f = 1 + 1e-4 * rng.standard_normal(t.size)
    f[(t % 3.0) < 0.1] -= 1e-3
    tls_period(Flat(0.0, t, f, None, 0.02))


def process_file(data: str, item: FileItem, parts: list[str]) -> dict[str, Any]:
    """Run the requested parts ("detect", "starskope", "bls", "tls") on one file."""
    path = Path(data) / item.file
    out: dict[str, Any] = {}
    try:
        kw = read_kwargs(path, item.mission)
    except Exception as exc:
        return {p: {"error": _err(exc)} for p in parts}

    if "starskope" in parts:
        try:
            if "starskope" not in _WARM:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    starskope_period(path, **kw)
                _WARM.add("starskope")
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                period, seconds, info = starskope_period(path, **kw)
            out["starskope"] = {"period": _float(period), "seconds": seconds, "info": info}
        except Exception as exc:
            out["starskope"] = {"error": _err(exc)}

    need_flat = [p for p in parts if p in ("detect", "bls", "tls")]
    if not need_flat:
        return out
    try:
        t_start, c_start = time.perf_counter(), time.process_time()
        t, f, e = read_raw(path, kw)
        plain = flatten(t, f, e)
        prep_seconds = time.perf_counter() - t_start
        prep_cpu = time.process_time() - c_start
    except Exception as exc:
        for p in need_flat:
            out[p] = {"error": _err(exc)}
        return out

    if "detect" in parts:
        try:
            out["detect"] = {"n_points": int(plain.t.size), "span_days": plain.span,
                             "sets": [detectability(t, f, e, plain, ks) for ks in item.sets]}
        except Exception as exc:
            out["detect"] = {"error": _err(exc)}
    for name, fn in (("bls", bls_period), ("tls", tls_period)):
        if name not in parts:
            continue
        try:
            if name == "tls" and name not in _WARM:
                _warm_tls()
                _WARM.add(name)
            t_start, c_start = time.perf_counter(), time.process_time()
            period, info = fn(plain)
            seconds = time.perf_counter() - t_start + prep_seconds
            info["cpu_seconds"] = time.process_time() - c_start + prep_cpu
            out[name] = {"period": period, "seconds": seconds, "info": info}
        except Exception as exc:
            out[name] = {"error": _err(exc)}
    return out


def _err(exc: BaseException) -> str:
    tb = traceback.extract_tb(exc.__traceback__)
    where = f" ({Path(tb[-1].filename).name}:{tb[-1].lineno})" if tb else ""
    return f"{type(exc).__name__}: {str(exc).splitlines()[0] if str(exc) else ''}{where}"[:300]


# ----------------------------------------------------------------------------- cache
def starskope_fingerprint() -> str:
    """Hash of starskope's Python sources: a cached starskope result is stale when it changes."""
    import starskope

    h = hashlib.sha1()
    pkg = Path(starskope.__file__).parent
    for p in sorted(pkg.rglob("*.py")):
        h.update(str(p.relative_to(pkg)).encode())
        h.update(p.read_bytes())
    return h.hexdigest()[:12]


def baseline_fingerprints() -> dict[str, str]:
    import astropy
    import lightkurve
    import transitleastsquares

    common = f"v{BASELINE_VERSION} lightkurve {lightkurve.__version__} astropy {astropy.__version__}"
    tls_version = getattr(transitleastsquares, "__version__", None) or \
        transitleastsquares.tls_constants.TLS_VERSION.split()[3]
    return {"detect": f"{common} detect v{DETECT_VERSION}", "bls": common, "tls": f"{common} tls {tls_version}"}


def read_cache(path: Path) -> dict[tuple[str, str], dict[str, Any]]:
    """Latest cached result of each (file, part)."""
    out: dict[tuple[str, str], dict[str, Any]] = {}
    if not path.exists():
        return out
    for line in path.read_text().splitlines():
        if not line.strip():
            continue
        try:
            rec = json.loads(line)
        except json.JSONDecodeError:  # a line cut short by an interrupted run
            continue
        out[(rec["file"], rec["part"])] = rec
    return out


# ----------------------------------------------------------------------------- scoring
def match(found: float | None, known: list[float]) -> dict[str, bool]:
    if found is None or not np.isfinite(found):
        return {"exact": False, "half": False, "double": False}

    def near(x: float) -> bool:
        return any(abs(x / p - 1.0) <= MATCH_TOLERANCE for p in known)

    exact = near(found)
    return {"exact": exact, "half": not exact and near(2.0 * found),
            "double": not exact and near(0.5 * found)}


def build_rows(items: list[FileItem], cache: dict[tuple[str, str], dict[str, Any]],
               methods: list[str]) -> list[dict[str, Any]]:
    rows = []
    for it in items:
        det = cache.get((it.file, "detect"), {}).get("result", {})
        det_sets = {s["cls"]: s for s in det.get("sets", [])}
        for ks in it.sets:
            d = det_sets.get(ks.cls, {})
            span = det.get("span_days")
            in_range = bool(span) and any(
                q["detectable"] and PERIOD_MIN_DAYS <= q["period"] <= period_max(span)
                for q in d.get("per_period", []))
            row: dict[str, Any] = {
                "file": it.file, "mission": it.mission, "target": it.target, "class": ks.cls,
                "group": ks.group, "known_periods": ks.periods,
                "detectable": bool(d.get("detectable", False)), "detectable_in_search_range": in_range,
                "snr": d.get("snr"),
                "n_transits": d.get("n_transits"), "detect_mask": d.get("mask"),
                "detect_error": det.get("error"), "span_days": det.get("span_days"),
            }
            for m in methods:
                rec = cache.get((it.file, m))
                if rec is None:
                    row[m] = None
                    continue
                res = rec["result"]
                entry = {"period": res.get("period"), "seconds": res.get("seconds"),
                         "error": res.get("error"), "fingerprint": rec.get("fingerprint"),
                         "info": res.get("info")}
                entry.update(match(res.get("period"), ks.periods))
                row[m] = entry
            rows.append(row)
    return rows


def _share(rows: list[dict[str, Any]], m: str, key: str = "exact") -> tuple[int, int]:
    have = [r for r in rows if r.get(m) is not None]
    return sum(bool(r[m][key]) for r in have), len(have)


def summarise(rows: list[dict[str, Any]], methods: list[str]) -> list[dict[str, Any]]:
    """One line per mission × class (and per mission over hosts/candidates + EBs)."""
    tce = sorted({r["group"] for r in rows if r["group"].startswith("dr24_tce_")})
    groups = ["host/candidate", "eclipsing_binary", *tce]
    out = []
    for mission in MISSIONS:
        for g in [*groups, "hosts+EBs"]:
            sel = [r for r in rows if r["mission"] == mission and
                   (r["group"] == g or (g == "hosts+EBs" and r["group"] in ("host/candidate", "eclipsing_binary")))]
            if not sel:
                continue
            det = [r for r in sel if r["detectable"]]
            line: dict[str, Any] = {"mission": mission, "class": g, "files": len(sel), "detectable": len(det),
                                    "detectable_in_search_range": sum(r["detectable_in_search_range"] for r in det)}
            for m in methods:
                k, n = _share(det, m)
                kr, nr = _share([r for r in det if r["detectable_in_search_range"]], m)
                ka, na = _share(sel, m)
                half, _ = _share(det, m, "half")
                dbl, _ = _share(det, m, "double")
                errs = sum(1 for r in sel if r.get(m) and r[m].get("error"))
                # seconds per file: each file once, whatever the number of classes it is in
                secs = {r["file"]: r[m]["seconds"] for r in sel if r.get(m) and r[m].get("seconds") is not None}
                cpu = {r["file"]: r[m]["info"]["cpu_seconds"] for r in sel
                       if r.get(m) and (r[m].get("info") or {}).get("cpu_seconds") is not None}
                line[m] = {"exact_detectable": [k, n], "exact_in_range": [kr, nr], "exact_all": [ka, na],
                           "half": half, "double": dbl,
                           "errors": errs,
                           "median_seconds": float(np.median(list(secs.values()))) if secs else None,
                           "median_cpu_seconds": float(np.median(list(cpu.values()))) if cpu else None}
            out.append(line)
    return out


def _frac(kn: list[int]) -> str:
    k, n = kn
    return f"{k / n:.2f} ({k}/{n})" if n else "–"


def _ratio(a: list[int], b: list[int]) -> str:
    if not a[1] or not b[1] or b[0] == 0:
        return "–"
    return f"{(a[0] / a[1]) / (b[0] / b[1]):.2f}"


def starskope_failure(row: dict[str, Any]) -> str | None:
    """What starskope reported instead of a known period (None when it found one)."""
    e = row.get("starskope")
    if not e or e.get("exact"):
        return None
    if e.get("error"):
        return "error"
    if e.get("period") is None:
        return "no candidate"
    if e["half"]:
        return "½× the known period"
    if e["double"]:
        return "2× the known period"
    known = np.asarray(row["known_periods"], float)
    ratio = e["period"] / known
    for k in (3, 4, 5):
        if np.any(np.abs(ratio / k - 1) <= MATCH_TOLERANCE) or np.any(np.abs(ratio * k - 1) <= MATCH_TOLERANCE):
            return f"{k}× or 1/{k}× the known period"
    info = e.get("info") or {}
    n = info.get("transits_with_data")
    edge = info.get("transits_at_edge") or 0
    if n is not None and n <= 3:
        return ("≤ 3-transit box, one within 1 d of an edge or gap" if edge
                else "≤ 3-transit box away from edges")
    return "another period with ≥ 4 transits"


def failure_report(rows: list[dict[str, Any]], methods: list[str], per_pattern: int = 6) -> str:
    """starskope's misses on detectable hosts, candidates and EBs, grouped by what it
    picked, with example files; and whether a baseline picked the same wrong period."""
    misses: dict[str, list[dict[str, Any]]] = defaultdict(list)
    for r in rows:
        if r["detectable"] and r["group"] in ("host/candidate", "eclipsing_binary"):
            why = starskope_failure(r)
            if why:
                misses[why].append(r)
    if not misses:
        return ""
    base = [m for m in methods if m != "starskope"]
    out = ["| what starskope picked | files | a baseline found the known period | a baseline picked the same (±1 %) | examples: file (mission, class): known → starskope P, SNR, transits (at edge); baselines |",
           "|---|---|---|---|---|"]
    for why, rs in sorted(misses.items(), key=lambda kv: -len(kv[1])):
        base_ok = sum(any(r.get(m) and r[m].get("exact") for m in base) for r in rs)
        same = 0
        for r in rs:
            p = r["starskope"].get("period")
            if p and any(r.get(m) and r[m].get("period") and abs(r[m]["period"] / p - 1) <= MATCH_TOLERANCE
                         for m in base):
                same += 1
        ex = []
        for r in rs[:per_pattern]:
            e = r["starskope"]
            info = e.get("info") or {}
            known = ",".join(f"{k:.4g}" for k in r["known_periods"][:3])
            got = "ERR " + str(e.get("error"))[:60] if e.get("error") else (
                f"{e['period']:.4g} d, SNR {info.get('snr') or float('nan'):.1f}, "
                f"{info.get('transits_with_data', '?')} ({info.get('transits_at_edge', '?')})"
                if e.get("period") else "none")
            bl = "; ".join(f"{METHOD_LABEL[m]} {r[m]['period']:.4g}" for m in base
                           if r.get(m) and r[m].get("period"))
            ex.append(f"`{Path(r['file']).name}` ({r['mission']}, {r['class']}): {known} → {got}; {bl}")
        out.append(f"| {why} | {len(rs)} | {base_ok} | {same} | " + "<br>".join(ex) + " |")
    return "\n".join(out)


def markdown_table(summary: list[dict[str, Any]], methods: list[str]) -> str:
    head = ["mission", "class", "files", "detectable (in baselines' range ≥ 0.5 d)"]
    head += [f"{METHOD_LABEL[m]} exact: detectable · in range · all" for m in methods]
    base = [m for m in methods if m != "starskope"]
    if "starskope" in methods:
        head += [f"share ratio starskope / {METHOD_LABEL[m]}" for m in base]
        head += ["starskope ½× · 2×"]
    head += [f"s/file {METHOD_LABEL[m]}" for m in methods]
    if "starskope" in methods:
        head += [f"speed starskope vs {METHOD_LABEL[m]}" for m in base]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summary:
        cells = [s["mission"], f"**{s['class']}**" if s["class"] == "hosts+EBs" else s["class"],
                 str(s["files"]), f"{s['detectable']} ({s['detectable_in_search_range']})"]
        for m in methods:
            cells.append(f"{_frac(s[m]['exact_detectable'])} · {_frac(s[m]['exact_in_range'])} · "
                         f"{_frac(s[m]['exact_all'])}")
        if "starskope" in methods:
            for m in base:
                cells.append(_ratio(s["starskope"]["exact_detectable"], s[m]["exact_detectable"]))
            cells.append(f"{s['starskope']['half']} · {s['starskope']['double']}")
        for m in methods:
            v = s[m]["median_seconds"]
            cells.append(f"{v:.2f}" if v is not None else "–")
        if "starskope" in methods:
            for m in base:
                a, b = s["starskope"]["median_seconds"], s[m]["median_seconds"]
                cells.append(f"{b / a:.1f}×" if a and b else "–")
        lines.append("| " + " | ".join(cells) + " |")
    return "\n".join(lines)


def cpu_table(summary: list[dict[str, Any]], methods: list[str]) -> str:
    """Median CPU seconds per file (this process, one thread): what sharing the machine with
    other jobs does not inflate."""
    head = ["mission", "class", *[f"CPU s/file {METHOD_LABEL[m]}" for m in methods]]
    lines = ["| " + " | ".join(head) + " |", "|" + "---|" * len(head)]
    for s in summary:
        vals = [s[m]["median_cpu_seconds"] for m in methods]
        lines.append("| " + " | ".join([s["mission"], s["class"],
                                         *[f"{v:.2f}" if v is not None else "–" for v in vals]]) + " |")
    return "\n".join(lines)


def plot(rows: list[dict[str, Any]], summary: list[dict[str, Any]], methods: list[str], path: Path) -> None:
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import matplotlib.ticker

    colours = {"starskope": "#d62728", "bls": "#1f77b4", "tls": "#2ca02c"}
    lines = [s for s in summary if s["class"] != "hosts+EBs" and s["detectable"] > 0]
    fig, (ax1, ax2) = plt.subplots(1, 2, figsize=(15, 5.5), gridspec_kw={"width_ratios": [1.5, 1]})
    x = np.arange(len(lines))
    w = 0.8 / len(methods)
    for j, m in enumerate(methods):
        vals = [s[m]["exact_detectable"][0] / s[m]["exact_detectable"][1] if s[m]["exact_detectable"][1]
                else np.nan for s in lines]
        ax1.bar(x + (j - (len(methods) - 1) / 2) * w, vals, w, color=colours[m], label=METHOD_LABEL[m])
    ax1.set_xticks(x, [f"{s['mission']}\n{s['class'].replace('dr24_tce_', 'TCE ')}\n(n={s['detectable']})"
                       for s in lines], fontsize=8)
    ax1.set_ylim(0, 1.05)
    ax1.set_ylabel("period within 1 % (share of detectable files)")
    ax1.axhline(0.95, color="grey", lw=0.8, ls="--")
    ax1.axhline(0.90, color="grey", lw=0.8, ls=":")
    ax1.legend(loc="upper center", bbox_to_anchor=(0.5, -0.16), ncol=len(methods), fontsize=8, frameon=False)
    ax1.set_title("Known period recovered, per mission and class")

    markers = {"starskope": "o", "bls": "s", "tls": "^"}
    for m in methods:
        px, py = [], []
        for r in rows:
            if not r["detectable"] or r["group"] not in ("host/candidate", "eclipsing_binary"):
                continue
            e = r.get(m)
            if not e or e.get("period") is None or not np.isfinite(e["period"]):
                continue
            known = np.asarray(r["known_periods"], float)
            k = known[np.argmin(np.abs(np.log(e["period"] / known)))]
            px.append(k)
            py.append(e["period"] / k)
        ax2.scatter(px, py, s=14, marker=markers[m], facecolors="none", edgecolors=colours[m],
                    label=METHOD_LABEL[m], alpha=0.8)
    for y in (0.5, 1.0, 2.0):
        ax2.axhline(y, color="grey", lw=0.6, ls="--")
    ax2.set_xscale("log")
    ax2.set_yscale("log")
    ticks = [0.125, 0.25, 0.5, 1, 2, 4, 8, 16, 32]
    ax2.set_yticks(ticks, [f"{v:g}" for v in ticks])
    ax2.yaxis.set_minor_formatter(matplotlib.ticker.NullFormatter())
    ax2.xaxis.set_major_formatter(matplotlib.ticker.FuncFormatter(lambda v, _: f"{v:g}"))
    ax2.set_xlabel("known period (d), the nearest one for multi-planet hosts")
    ax2.set_ylabel("found / known period")
    ax2.set_title("Detectable hosts, candidates and EBs")
    ax2.legend(fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)


# ----------------------------------------------------------------------------- main
def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return "unknown CPU"


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", default=os.environ.get("STARSKOPE_SHARED_DATA"),
                    help="data folder with manifest.csv and catalogs/ (default $STARSKOPE_SHARED_DATA)")
    ap.add_argument("--jobs", type=int, default=1, help="worker processes (default 1)")
    ap.add_argument("--limit", type=int, default=None, help="only the first N files (after --only)")
    ap.add_argument("--only", action="append", default=None,
                    help="only files whose path contains this text or matches this glob (repeatable)")
    ap.add_argument("--methods", default=",".join(METHODS),
                    help="methods to measure (comma-separated: starskope,bls,tls); the others come from the cache")
    ap.add_argument("--rerun", default="",
                    help="parts to re-measure even when cached (comma-separated: detect,starskope,bls,tls)")
    ap.add_argument("--report-only", action="store_true",
                    help="measure nothing: tables, JSON and plot from the cache as it is")
    ap.add_argument("--cache", type=Path, default=RESULTS / "real_recovery.cache.jsonl")
    ap.add_argument("--out", type=Path, default=RESULTS / "real_recovery",
                    help="output prefix: writes PREFIX.json, PREFIX.md, PREFIX.png")
    args = ap.parse_args(argv)

    if not args.data:
        ap.error("--data: no data folder given and $STARSKOPE_SHARED_DATA is not set")
    data = Path(args.data).resolve()
    if not (data / "manifest.csv").is_file():
        ap.error(f"--data {data}: no manifest.csv there")
    # starskope's catalogue look-ups (stellar parameters for vetting) read the tables of this folder
    os.environ["STARSKOPE_SHARED_DATA"] = str(data)
    os.environ["STARSKOPE_CATALOGS"] = str(data / "catalogs")
    methods = [m.strip() for m in args.methods.split(",") if m.strip()]
    rerun = {m.strip() for m in args.rerun.split(",") if m.strip()}
    bad = [m for m in [*methods, *rerun] if m not in (*METHODS, "detect")]
    if bad:
        ap.error(f"--methods/--rerun: unknown {bad}; known: detect, {', '.join(METHODS)}")

    items, skipped = load_items(data)
    if args.only:
        items = [it for it in items
                 if any(pat in it.file or fnmatch.fnmatch(it.file, pat) for pat in args.only)]
    if args.limit is not None:
        items = items[: args.limit]
    print(f"{len(items)} files with known periods ({sum(len(i.sets) for i in items)} file × class rows); "
          f"left out: {len(skipped)}", flush=True)
    for s in skipped:
        print(f"  left out: {s}", flush=True)

    fingerprints = {"starskope": starskope_fingerprint(), **baseline_fingerprints()}
    cache = read_cache(args.cache)
    todo: list[tuple[FileItem, list[str]]] = []
    for it in items:
        parts = []
        for p in ["detect", *methods]:
            rec = cache.get((it.file, p))
            if p in rerun or rec is None or rec.get("fingerprint") != fingerprints[p]:
                parts.append(p)
        if parts and not args.report_only:
            todo.append((it, parts))
    print(f"to measure: {len(todo)} files; cached: {len(items) - len(todo)}", flush=True)

    from tqdm import tqdm

    args.cache.parent.mkdir(parents=True, exist_ok=True)
    t_run = time.time()

    def record(it: FileItem, result: dict[str, Any], bar: Any) -> None:
        with args.cache.open("a") as fh:
            for part, res in result.items():
                rec = {"file": it.file, "part": part, "fingerprint": fingerprints[part], "result": res}
                fh.write(json.dumps(rec, default=_float) + "\n")
                cache[(it.file, part)] = json.loads(json.dumps(rec, default=_float))
        known = ",".join(f"{p:.4g}" for p in it.sets[0].periods[:3])
        got = " ".join(f"{m}={_fmt_period(cache.get((it.file, m)))}" for m in methods)
        bar.write(f"{it.file}  known {it.sets[0].cls} {known}  {got}")

    with tqdm(total=len(todo), desc="files", mininterval=10, file=sys.stderr) as bar:
        if args.jobs <= 1:
            for it, parts in todo:
                record(it, process_file(str(data), it, parts), bar)
                bar.update()
        else:
            with ProcessPoolExecutor(max_workers=args.jobs) as pool:
                futures = {pool.submit(process_file, str(data), it, parts): (it, parts) for it, parts in todo}
                for fut in as_completed(futures):
                    it, parts = futures[fut]
                    try:
                        res = fut.result()
                    except Exception as exc:  # a worker that died: record it, go on
                        res = {p: {"error": _err(exc)} for p in parts}
                    record(it, res, bar)
                    bar.update()
    elapsed = time.time() - t_run

    shown = [m for m in METHODS if m in methods or any((it.file, m) in cache for it in items)]
    rows = build_rows(items, cache, shown)
    summary = summarise(rows, shown)
    table = markdown_table(summary, shown)
    cpu = cpu_table(summary, shown)
    failures = failure_report(rows, shown) if "starskope" in shown else ""
    stale = {m: sum(1 for it in items if (it.file, m) in cache and cache[(it.file, m)].get("fingerprint")
                    != fingerprints[m]) for m in ["detect", *shown]}
    meta = {"date": time.strftime("%Y-%m-%d %H:%M"), "cpu": _cpu(), "cores": os.cpu_count(),
            "command": "benchmarks/real_recovery.py " + " ".join(argv if argv is not None else sys.argv[1:]),
            "measure_seconds_this_run": elapsed, "files": len(items), "rows": len(rows),
            "starskope_path": _starskope_path(), "fingerprints": fingerprints, "stale_cached_results": stale, "left_out": skipped,
            "settings": {"flatten_window_days": FLATTEN_WINDOW_DAYS, "period_min_days": PERIOD_MIN_DAYS,
                         "period_max": "min(span/2, 40 d)", "bls_durations_days": BLS_DURATIONS_DAYS,
                         "bls_max_periods": BLS_MAX_PERIODS, "detect_min_snr": DETECT_MIN_SNR,
                         "detect_min_transits": DETECT_MIN_TRANSITS, "detect_rest_min_snr": DETECT_REST_MIN_SNR,
                         "match_tolerance": MATCH_TOLERANCE}}
    print()
    print(table)
    print()
    print(cpu)
    print(f"\nmachine: {meta['cpu']}, {meta['cores']} cores; measured this run: {elapsed / 60:.1f} min")
    if any(stale.values()):
        print(f"note: cached results from other code versions in the table: {stale}")

    args.out.parent.mkdir(parents=True, exist_ok=True)
    Path(f"{args.out}.json").write_text(json.dumps({"meta": meta, "summary": summary, "rows": rows},
                                                   indent=1, default=_float))
    md = [f"# Real-data period recovery ({meta['date']})", "",
          f"Machine: {meta['cpu']}, {meta['cores']} cores. Command: `{meta['command']}`.", "",
          "Exact = within 1 % of a known period. Shares over detectable files "
          "(flatten + BLS at the known period: SNR ≥ 7.1, ≥ 2 transits), then over all files. "
          "Seconds: median wall time per file, one thread; CPU seconds below.", "", table, "", cpu, ""]
    if failures:
        md += ["## starskope's misses on detectable hosts, candidates and EBs", "",
               "Transits (at edge): the candidate's transits with data in starskope's cleaned light "
               "curve, and how many of them lie within 1 d of the start, the end or a gap > 0.5 d.", "",
               failures, ""]
    Path(f"{args.out}.md").write_text("\n".join(md))
    if rows:
        plot(rows, summary, shown, Path(f"{args.out}.png"))
    return 0


def _starskope_path() -> str:
    import starskope

    return str(Path(starskope.__file__).parent)


def _fmt_period(rec: dict[str, Any] | None) -> str:
    if rec is None:
        return "–"
    res = rec["result"]
    if res.get("error"):
        return "ERR"
    p = res.get("period")
    return f"{p:.4g}" if p is not None else "none"


if __name__ == "__main__":
    sys.exit(main())
