"""Whether a real star's known signal is detectable in its light curve at all.

A classifier can only be asked to find a planet (or an eclipsing binary) whose dips the
light curve carries. :func:`known_signal_snr` measures, at each period the manifest knows
for a star, the strongest box the light curve shows at that period: the flux cleaned as
every star is (:func:`starskope.clean.clean`, quality mask, outliers, biweight trend with
a window long enough for the longest transit at the known period), every phase and
durations from 0.5 h to 16 h (at most a fifth of the period), scored with the search's
own statistics (:func:`starskope.search.measure_ephemeris`: SNR with its red-noise
allowance, transits counted when half their cadences have data). A signal is
**detectable** when that SNR reaches the detection threshold (7.1σ) with at least two
transits (:data:`DETECTABLE`); a star with several known periods is detectable when one
of them is. The catalogue's epoch is not needed: at a fixed period the scan over phase
costs a few hundred trials, far from the threshold.
"""

from __future__ import annotations

import hashlib
import json
import math
import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParameterError, StarskopeError, StarskopeWarning
from ..scatter import robust_std
from ._run import Progress, analysis_code_hash, run_chunks

__all__ = ["DETECTABLE", "DURATIONS_H", "known_signal_snr", "star_detectability"]

#: A known signal is detectable with this SNR at its period and this many transits.
DETECTABLE: dict[str, float] = {"snr": 7.1, "min_transits": 2}
#: Trial durations of the scan at a known period, hours (at most a fifth of the period).
DURATIONS_H: tuple[float, ...] = (0.5, 1.0, 1.5, 2.0, 3.0, 4.0, 6.0, 8.0, 12.0, 16.0)
#: Boxes of the fast scan re-measured with the search's statistics.
_REMEASURED = 3


def known_signal_snr(time: np.ndarray, flux: np.ndarray, period_days: float) -> dict[str, float]:
    """The strongest box at a known period: its SNR, transits, epoch and duration.

    Parameters
    ----------
    time : ndarray
        Cleaned cadences, BJD_TDB days.
    flux : ndarray
        Detrended flux, ≈ 1.
    period_days : float

    Returns
    -------
    dict
        ``snr`` and ``n_transits`` (:func:`starskope.search.measure_ephemeris` at the best
        box), ``epoch_bjd``, ``duration_hours``, ``depth_ppm``; NaN when nothing could be
        measured.
    """
    from ..search import measure_ephemeris

    nan = float("nan")
    out = {"snr": nan, "n_transits": 0.0, "epoch_bjd": nan, "duration_hours": nan, "depth_ppm": nan}
    t = np.asarray(time, float)
    y = np.asarray(flux, float)
    ok = np.isfinite(t) & np.isfinite(y)
    t, y = t[ok], y[ok]
    p = float(period_days)
    if t.size < 20 or not (math.isfinite(p) and p > 0):
        return out
    level = float(np.median(y))
    sigma = robust_std(y - level)
    if not sigma > 0:
        return out
    t_ref = float(t[0])
    phase = ((t - t_ref) / p) % 1.0
    order = np.argsort(phase)
    ps = phase[order]
    ys = y[order] - level
    # the fold repeated once either side, so boxes can wrap round phase 0
    ph3 = np.concatenate([ps - 1.0, ps, ps + 1.0])
    c3 = np.concatenate([[0.0], np.cumsum(np.concatenate([ys, ys, ys]))])
    boxes: list[tuple[float, float, float]] = []  # (approximate snr, centre phase, duration days)
    for d_h in DURATIONS_H:
        d = d_h / 24.0
        if d > 0.2 * p:
            break
        w = d / p
        centres = np.arange(0.0, 1.0, 0.25 * w)
        lo = np.searchsorted(ph3, centres - 0.5 * w)
        hi = np.searchsorted(ph3, centres + 0.5 * w)
        n = hi - lo
        with np.errstate(invalid="ignore", divide="ignore"):
            depth = -(c3[hi] - c3[lo]) / n
            snr = depth / (sigma / np.sqrt(n))
        snr = np.where(n >= 3, snr, -np.inf)
        for i in np.argsort(snr)[::-1][:_REMEASURED]:
            if np.isfinite(snr[i]):
                boxes.append((float(snr[i]), float(centres[i]), d))
    boxes.sort(reverse=True)
    best = None
    for _, c, d in boxes[:_REMEASURED]:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cand = measure_ephemeris(t, y, p, t_ref + c * p, d * 24.0)
        except (ParameterError, ValueError):
            continue
        if best is None or (np.isfinite(cand.snr) and cand.snr > best.snr):
            best = cand
    if best is None:
        return out
    return {"snr": float(best.snr), "n_transits": float(best.n_transits), "epoch_bjd": float(best.epoch_bjd),
            "duration_hours": float(best.duration_hours), "depth_ppm": float(best.depth_ppm)}


def _detect_chunk(stars: Sequence[Any]) -> list[dict[str, Any]]:
    import astropy.units as u

    from ..clean import clean
    from ..lightcurve import arrays
    from .real import read_real_star, star_name

    rows = []
    for s in stars:
        row: dict[str, Any] = {"name": star_name(s), "star": s.target_id, "files": ";".join(s.files), "n_files": len(s.files),
                               "label": int(s.label), "manifest_class": s.manifest_class, "group": s.group,
                               "mission": s.mission, "snr": float("nan"), "n_transits": 0.0,
                               "period_days": float("nan"), "detectable": False, "error": ""}
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore", StarskopeWarning)
                lc = read_real_star(s)
                cleaned = clean(lc, period_max=max(s.known_periods) * u.day)
            a = arrays(cleaned)
            best: dict[str, float] | None = None
            for p in s.known_periods:
                m = known_signal_snr(a.time, a.flux, p)
                m["period_days"] = p
                good = m["snr"] >= DETECTABLE["snr"] and m["n_transits"] >= DETECTABLE["min_transits"]
                m["detectable"] = bool(good)
                if best is None or (good, np.nan_to_num(m["snr"], nan=-1)) > (
                        best["detectable"], np.nan_to_num(best["snr"], nan=-1)):
                    best = m
            if best is not None:
                row.update({k: best[k] for k in ("snr", "n_transits", "period_days", "detectable")})
        except (StarskopeError, OSError, ValueError) as exc:
            row["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        rows.append(row)
    return rows


def star_detectability(
    stars: Sequence[Any],
    *,
    workers: int = 1,
    progress: Progress | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Any:
    """One row per star (:class:`~starskope.datasets.RealStar`, files stitched) with known
    periods: the strongest known signal's SNR and transits, and whether it is detectable
    (:data:`DETECTABLE`). Stars without a known period are left out.

    Returns
    -------
    pandas.DataFrame
        ``name`` (as feature sets name the star, ``meta['file']``), ``star``, ``files`` (``;``-joined), ``n_files``, ``label``, ``manifest_class``,
        ``group``, ``mission``, ``period_days`` (the known period that decided), ``snr``,
        ``n_transits``, ``detectable``, ``error`` (why a star could not be measured).
    """
    import pandas as pd

    stars = [s for s in stars if s.known_periods]
    if not stars:
        return pd.DataFrame(columns=["name", "star", "files", "n_files", "label", "manifest_class", "group", "mission",
                                     "snr", "n_transits", "period_days", "detectable", "error"])
    cached = None
    if cache_dir is not None:
        key = hashlib.sha256(json.dumps([[(s.files, s.known_periods) for s in stars], DETECTABLE, DURATIONS_H,
                                         analysis_code_hash(("clean", "search"))]).encode()).hexdigest()[:16]
        cached = Path(cache_dir) / f"detectability-{key}.csv"
        if cached.exists():
            return pd.read_csv(cached, keep_default_na=False, na_values=["nan", "NaN", ""])
    step = 4
    jobs = [(stars[i: i + step],) for i in range(0, len(stars), step)]
    rows = [r for part in run_chunks(_detect_chunk, jobs, workers, progress, "known signals: detectable?",
                                     [len(j[0]) for j in jobs]) for r in part]
    df = pd.DataFrame(rows)
    if cached is not None:
        cached.parent.mkdir(parents=True, exist_ok=True)
        tmp = cached.with_name(f".{cached.name}.{os.getpid()}.partial")
        df.to_csv(tmp, index=False)
        os.replace(tmp, cached)
    return df
