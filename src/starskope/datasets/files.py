"""Model inputs of light-curve files, light curves in memory, simulated missions and
Kaggle-layout tables — each star analysed by :mod:`starskope.analysis`, as ``classify``
would analyse it."""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis import (
    AnalysisOptions,
    analyse_file,
    analyse_lightcurve,
    analyse_table_rows,
    collect_warnings,
    table_firing_mask,
)
from ..errors import ERROR_FLAG, ParameterError, StarskopeError
from ..features.dataset import FeatureSet
from ._run import Progress, error_star, features_with_errors, run_chunks

__all__ = [
    "files_features",
    "files_from_lightcurves",
    "injected_table_features",
    "simulated_mission_features",
    "table_features",
]


def _files_chunk(paths: Sequence[str], options: AnalysisOptions) -> FeatureSet:
    results: list[Any] = []
    for path in paths:
        try:
            results.append(analyse_file(path, options=options, label=str(path)))
        except (StarskopeError, OSError, ValueError) as exc:
            results.append(error_star(str(path), f"{type(exc).__name__}: {str(exc)[:200]}"))
    return features_with_errors(results, options)


def files_features(
    paths: Sequence[str | os.PathLike[str]],
    *,
    labels: np.ndarray | None = None,
    options: AnalysisOptions | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> FeatureSet:
    """Features of light-curve files, one star per file (unreadable files get a row with
    an ``error: …`` flag and no features).

    Raises
    ------
    ParameterError
        No files.
    """
    options = options or AnalysisOptions(star_types=False)
    paths = [str(p) for p in paths]
    if not paths:
        raise ParameterError("no light-curve files given")
    step = max(1, min(int(options.chunk_size), 16))
    jobs = [(paths[s: s + step], options) for s in range(0, len(paths), step)]
    fs = FeatureSet.concat(run_chunks(_files_chunk, jobs, workers, progress, "analyse files", [len(j[0]) for j in jobs]))
    return fs if labels is None else fs.with_labels(labels)


def files_from_lightcurves(lcs: Sequence[Any], *, options: AnalysisOptions | None = None,
                           labels: np.ndarray | None = None, files: Sequence[str] | None = None) -> FeatureSet:
    """Features of light curves already in memory (e.g. stitched quarters); what
    :func:`files_features` gives the file each was read from."""
    options = options or AnalysisOptions(star_types=False)
    results: list[Any] = []
    for i, lc in enumerate(lcs):
        name = files[i] if files is not None else ""
        try:
            results.append(analyse_lightcurve(lc, options=options, label=name, file=name))
        except (StarskopeError, ValueError) as exc:
            results.append(error_star(name, f"{type(exc).__name__}: {str(exc)[:200]}"))
    return features_with_errors(results, options, labels)


def simulated_mission_features(
    mission: str,
    n: int,
    out_dir: str | os.PathLike[str],
    *,
    seed: int = 0,
    cadence: str | None = None,
    host_fraction: float = 0.2,
    options: AnalysisOptions | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> FeatureSet:
    """Simulate ``n`` stars of one telescope as FITS light curves
    (:func:`starskope.simulate.simulate_mission`, skipped when ``out_dir`` already holds
    them) and analyse them, labelled from the simulator's truth table."""
    import pandas as pd

    from ..models.labels import CLASSES, from_truth_class
    from ..simulate import simulate_mission

    out = Path(out_dir)
    if not (out / "truth.csv").is_file():
        simulate_mission(mission, out, int(n), seed=seed, cadence=cadence, host_fraction=host_fraction)
    truth = pd.read_csv(out / "truth.csv")
    files = [str(out / str(f).split(";")[0]) for f in truth["file"]]
    labels = np.array([CLASSES.index(from_truth_class(str(c))) for c in truth["class"]], dtype=np.int64)
    fs = files_features(files, labels=labels, options=options, workers=workers, progress=progress)
    ok = ~np.char.startswith(fs.meta["flags"].astype(str), ERROR_FLAG)
    return fs.subset(ok)


def _rows_chunk(time: np.ndarray, rows: np.ndarray, options: AnalysisOptions, ids: Sequence[str], file: str,
                firing: np.ndarray | None) -> FeatureSet:
    results = analyse_table_rows(time, rows, options=options, ids=ids, file=file, firing=firing)
    return features_with_errors([r if not isinstance(r, Exception) else
                                 error_star(file, f"{type(r).__name__}: {r}", target=ids[i], mission="K2")
                                 for i, r in enumerate(results)], options)


def _table_jobs(time: np.ndarray, flux: np.ndarray, options: AnalysisOptions, ids: Sequence[str], file: str,
                firing: np.ndarray | None) -> tuple[list[tuple], list[int]]:
    step = max(1, int(options.chunk_size))
    jobs = [(time, flux[s: s + step], options, list(ids[s: s + step]), file, firing)
            for s in range(0, flux.shape[0], step)]
    return jobs, [len(j[1]) for j in jobs]


def table_features(
    table: Any,
    *,
    labels: np.ndarray | None = None,
    options: AnalysisOptions | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> FeatureSet:
    """Features of every star of a Kaggle-layout flux table, one row per star in table
    order (a row that cannot be analysed keeps its place, with an ``error:`` flag).

    Parameters
    ----------
    table : FluxTable or path
        A table from :func:`starskope.io.flux_table.read_flux_table` (or its path).
    labels : ndarray of int, optional
        Class indices per star (e.g. from the simulator's truth table).
    options : AnalysisOptions, optional
    workers : int
        Processes to use.
    progress : callable, optional
        ``progress(stage, stars_done, n_stars)``.
    """
    from ..io.flux_table import read_flux_table

    options = options or AnalysisOptions(star_types=False)
    with collect_warnings():
        if isinstance(table, str | os.PathLike):
            table = read_flux_table(table)
    time = np.asarray(table.time.tdb.jd, float)
    flux = np.asarray(table.flux, float)
    file = str(getattr(table, "source", "") or "")
    ids = [f"row {i + 1}" for i in range(flux.shape[0])]
    firing = table_firing_mask(time, flux, options)
    jobs, sizes = _table_jobs(time, flux, options, ids, file, firing)
    fs = FeatureSet.concat(run_chunks(_rows_chunk, jobs, workers, progress, "analyse table", sizes))
    return fs if labels is None else fs.with_labels(labels)


def injected_table_features(
    table: Any,
    rows: Sequence[int],
    *,
    seed: int = 0,
    options: AnalysisOptions | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> FeatureSet:
    """Augmentation for a training table: planets injected into some of its (non-host)
    rows, kept as ``planet_transit`` examples when the search finds them.

    Each planet comes from the simulator's occurrence rates at a detection SNR drawn like
    the benchmark's hosts (:func:`starskope.simulate.population.draw_planet_for_snr` with
    :func:`~starskope.simulate.population.draw_host_snr`; the SNR assumes white noise at
    the row's point-to-point scatter, so K2's red noise makes some of them weaker), around
    a Sun-like star, multiplied into the row's flux on the table's time stamps. The rows
    then go through the same analysis as every other star. Only the training table is
    augmented; test stars are never touched.
    """
    from ..models.labels import CLASSES
    from ..scatter import point_to_point_std
    from ..simulate import Star
    from ..simulate.population import draw_host_snr, draw_planet_for_snr

    options = options or AnalysisOptions(star_types=False)
    rows = [int(r) for r in rows]
    if not rows:
        raise ParameterError("no rows to inject planets into")
    t = np.asarray(table.time.tdb.jd, float)
    cad = float(np.median(np.diff(t)))
    rng = np.random.default_rng(seed)
    snrs = draw_host_snr(len(rows), rng)
    star = Star.sun_like(mission="K2")
    flux = np.empty((len(rows), t.size))
    periods = np.empty(len(rows))
    for k, r in enumerate(rows):
        row = np.asarray(table.flux[r], float)
        fin = row[np.isfinite(row)]
        sigma = point_to_point_std(fin / np.median(fin))

        def noise_over(duration_days: float, s: float = sigma) -> float:
            return s / np.sqrt(max(duration_days / cad, 1.0))

        planet, _, _ = draw_planet_for_snr(star, rng, float(snrs[k]), noise_over, t, cad)
        flux[k] = row * planet.relative_flux(t, cad)
        periods[k] = float(planet.period.to_value("day"))
    ids = [f"row {r + 1} + injected planet" for r in rows]
    firing = table_firing_mask(t, table.flux, options)  # the host table's firings
    jobs, sizes = _table_jobs(t, flux, options, ids, "injected", firing)
    fs = FeatureSet.concat(run_chunks(_rows_chunk, jobs, workers, progress, "inject planets (augmentation)", sizes))
    found = fs.meta["period_days"] / periods
    ok = np.zeros(len(fs), dtype=bool)
    for ratio in (0.5, 1.0, 2.0):
        ok |= np.abs(found - ratio) < 0.01 * ratio
    ok &= fs.meta["snr"] >= options.vet_min_snr
    out = fs.subset(ok)
    return out.with_labels(np.full(len(out), CLASSES.index("planet_transit")))
