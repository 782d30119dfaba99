"""Simulated benchmark data sets written to disk.

* :func:`simulate_k2_c3` – the built-in data of ``starskope demo``: a simulated K2
  Campaign 3 in the exact layout of the Kaggle "Exoplanet Hunting in Deep Space" tables,
  ``exoTrain.csv`` (5087 stars, 37 hosts) and ``exoTest.csv`` (570 stars, 5 hosts):
  ``LABEL,FLUX.1,…,FLUX.3197``, label 2 for a host and 1 otherwise, hosts in the first rows,
  PDCSAP-like flux in e⁻/s with two decimals, on the 3197 long-cadence stamps of C3.
  Beside them, ``truth.csv`` (every star's parameters and signals, one row per star, with
  ``split`` and ``row`` giving its place in the tables) and ``cadences.csv`` (the time stamps
  of FLUX.1 … FLUX.3197 and the spacecraft-wide QUALITY flags the tables leave out:
  thruster firings, bit 1048576).
* :func:`simulate_mission` – per-star FITS light curves of Kepler quarters, K2 campaigns
  or TESS sectors in the archive's format, plus ``truth.csv``.

Both take a seed: the same seed writes the same bytes.
"""

from __future__ import annotations

import csv
import os
import time as _time
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import LightCurveFileError, ParameterError
from ..io.flux_table import write_flux_table
from ..missions import get_mission
from .fitsio import write_star_fits
from .gallery import Example, plot_gallery
from .generate import SimulatedSet, plan_set, simulate_stars
from .instrument import (
    TimeGrid,
    campaign_grid,
    join_grids,
    k2_c3_grid,
    make_schedule,
    quarter_grid,
    sector_grid,
)
from .population import allocate
from .truth import write_truth_csv

__all__ = ["DEFAULT_SEED", "simulate_k2_c3", "simulate_mission"]

#: Seed of the built-in K2 C3 set.
DEFAULT_SEED = 3

_KAGGLE_CADENCES = 3197

Progress = Callable[[int, str], None]


def _out_dir(out_dir: str | os.PathLike[str]) -> Path:
    p = Path(out_dir)
    if p.exists() and not p.is_dir():
        raise LightCurveFileError(f"--out {p}: exists and is not a folder")
    p.mkdir(parents=True, exist_ok=True)
    return p


def _examples(sims: Sequence[SimulatedSet], per_class: int = 3, segment: int | None = None) -> dict[str, list[Example]]:
    out: dict[str, list[Example]] = {}
    for sim in sims:
        t = sim.grid.time_bjd
        m = np.ones(len(t), dtype=bool) if segment is None else sim.grid.segments == segment
        for j, cls in enumerate(sim.classes):
            lst = out.setdefault(cls, [])
            if len(lst) < per_class:
                lst.append(Example(t[m], sim.pdcsap[j][m], dict(sim.truths[j])))
    return out


def simulate_k2_c3(
    out_dir: str | os.PathLike[str],
    seed: int = DEFAULT_SEED,
    n_train: int = 5087,
    n_train_hosts: int = 37,
    n_test: int = 570,
    n_test_hosts: int = 5,
    *,
    plots: bool = False,
    progress: Progress | None = None,
) -> dict[str, Any]:
    """Write the simulated K2 Campaign 3 benchmark (see the module docstring).

    Parameters
    ----------
    out_dir : str or PathLike
        Folder to write into (created if missing).
    seed : int
        Random seed; the same seed writes the same bytes.
    n_train, n_train_hosts, n_test, n_test_hosts : int
        Sizes of the two tables (defaults: those of the Kaggle tables).
    plots : bool
        Also write a PNG gallery of every class to ``out_dir/plots``.
    progress : callable, optional
        ``progress(advance, stage)`` is called as stars are made and files written.

    Returns
    -------
    dict
        'train', 'test', 'truth', 'cadences' (Paths), 'plots' (list of Paths) and
        'seconds' (wall time).

    Raises
    ------
    ParameterError
        Fewer than one star, more hosts than stars.
    LightCurveFileError
        ``out_dir`` is a file.
    """
    for name, n, h in (("train", n_train, n_train_hosts), ("test", n_test, n_test_hosts)):
        if n < 1 or not 0 <= h <= n:
            raise ParameterError(f"n_{name} must be ≥ 1 and n_{name}_hosts between 0 and n_{name}; got {n}, {h}")
    start = _time.perf_counter()
    out = _out_dir(out_dir)
    grid = k2_c3_grid(_KAGGLE_CADENCES)
    root = np.random.SeedSequence(int(seed))
    s_sched, s_train, s_test = root.spawn(3)
    schedule = make_schedule(grid, np.random.default_rng(s_sched))
    tick = (lambda k: progress(k, "simulating")) if progress is not None else None
    sims = {}
    rows: list[dict[str, Any]] = []
    for split, n, h, ss, offset in (("train", n_train, n_train_hosts, s_train, 0),
                                    ("test", n_test, n_test_hosts, s_test, 100_000)):
        plan = plan_set(grid, n, h, ss, schedule=schedule, id_offset=offset)
        sim = simulate_stars(plan, progress=tick)
        sims[split] = sim
        fname = "exoTrain.csv" if split == "train" else "exoTest.csv"
        for tr in sim.truths:
            rows.append({**tr, "split": split, "file": fname})
    paths: dict[str, Any] = {}
    for split, fname in (("train", "exoTrain.csv"), ("test", "exoTest.csv")):
        sim = sims[split]
        labels = np.array([2 if c == "planet" else 1 for c in sim.classes], dtype=np.int8)
        paths[split] = write_flux_table(out / fname, sim.pdcsap, labels, float_format="%.2f")
        if progress is not None:
            progress(0, f"wrote {fname}")
    paths["truth"] = write_truth_csv(out / "truth.csv", rows)
    paths["cadences"] = _write_cadences(out / "cadences.csv", grid, schedule.quality)
    paths["plots"] = []
    if plots:
        paths["plots"] = plot_gallery(_examples([sims["train"], sims["test"]]), "k2_c3", out / "plots",
                                      time_label="BKJD", time_offset=get_mission("K2").bjd_offset)
    paths["seconds"] = _time.perf_counter() - start
    return paths


def _write_cadences(path: Path, grid: TimeGrid, quality: np.ndarray) -> Path:
    off = grid.profile.bjd_offset
    with path.open("w", newline="") as fh:
        w = csv.writer(fh, lineterminator="\n")
        w.writerow(["column", "cadenceno", "time_bjd", f"time_{grid.profile.time_format}", "quality"])
        for j, (t, c, q) in enumerate(zip(grid.time_bjd, grid.cadenceno, quality, strict=True)):
            w.writerow([f"FLUX.{j + 1}", int(c), repr(float(t)), repr(float(t - off)), int(q)])
    return path


_DEFAULT_SEGMENTS = {"Kepler": (3,), "K2": (3,), "TESS": (1,)}


def _mission_grid(mission: str, segments: Sequence[int], cadence: str | None) -> TimeGrid:
    if mission == "Kepler":
        return join_grids([quarter_grid(q, cadence or "long") for q in segments])
    if mission == "K2":
        if cadence not in (None, "long"):
            raise ParameterError(f"K2 simulations use the long cadence; got cadence {cadence!r}")
        return join_grids([campaign_grid(c) for c in segments])
    return join_grids([sector_grid(s, cadence or "two_minute") for s in segments])


def simulate_mission(
    mission: str,
    out_dir: str | os.PathLike[str],
    n: int,
    *,
    seed: int = DEFAULT_SEED,
    host_fraction: float = 0.2,
    segments: Sequence[int] | None = None,
    cadence: str | None = None,
    plots: bool = False,
    progress: Progress | None = None,
    chunk: int = 32,
) -> dict[str, Any]:
    """Write ``n`` simulated stars as per-star FITS light curves of one telescope.

    Parameters
    ----------
    mission : str
        'Kepler', 'K2' or 'TESS'.
    out_dir : str or PathLike
    n : int
        Number of stars (≥ 1).
    seed : int
    host_fraction : float
        Fraction of planet hosts (the rest in the proportions of
        :data:`~starskope.simulate.population.NEGATIVE_FRACTIONS`).
    segments : sequence of int, optional
        Kepler quarters, K2 campaigns or TESS sectors (default Q3, C3, S1); each star gets
        one file per segment, all showing the same star and signal.
    cadence : str, optional
        A cadence name of the telescope profile ('long' for Kepler/K2; 'two_minute'
        (default), 'ffi_30min', 'ffi_10min' or 'ffi_200s' for TESS).
    plots : bool
        Also write a PNG gallery to ``out_dir/plots``.
    progress : callable, optional
        ``progress(advance, stage)``.
    chunk : int
        Stars held in memory at once.

    Returns
    -------
    dict
        'files' (list of Paths), 'truth' (Path), 'plots' (list of Paths), 'seconds'.

    Raises
    ------
    ParameterError
        ``n`` < 1, ``host_fraction`` outside 0–1, an unknown cadence or segment.
    """
    prof = get_mission(mission)
    if n < 1:
        raise ParameterError(f"n must be ≥ 1; got {n}")
    if not 0.0 <= host_fraction <= 1.0:
        raise ParameterError(f"host_fraction must be between 0 and 1; got {host_fraction}")
    start = _time.perf_counter()
    out = _out_dir(out_dir)
    segs = tuple(int(s) for s in (segments or _DEFAULT_SEGMENTS[prof.name]))
    grid = _mission_grid(prof.name, segs, cadence)
    n_hosts = allocate(n, {"planet": host_fraction, "other": 1.0 - host_fraction})["planet"]
    plan = plan_set(grid, n, n_hosts, int(seed), hosts_first=False)
    ffi = prof.name == "TESS" and grid.cadence_days > 5.0 / 1440.0
    files: list[Path] = []
    rows: list[dict[str, Any]] = []
    examples: dict[str, list[Example]] = {}
    for a in range(0, n, chunk):
        sim = simulate_stars(plan, a, min(a + chunk, n), detail=True)
        for j in range(len(sim)):
            names = []
            for seg in segs:
                sub = _segment_view(sim, seg)
                path = write_star_fits(out, sub, j, ffi=ffi)
                files.append(path)
                names.append(path.name)
            rows.append({**sim.truths[j], "split": prof.name.lower(), "file": ";".join(names)})
            if progress is not None:
                progress(1, "simulating")
        for cls, lst in _examples([sim], segment=segs[0]).items():
            have = examples.setdefault(cls, [])
            have.extend(lst[: 3 - len(have)])
    truth = write_truth_csv(out / "truth.csv", rows)
    written: list[Path] = []
    if plots:
        written = plot_gallery(examples, prof.name.lower(), out / "plots",
                               time_label=prof.time_format.upper(), time_offset=prof.bjd_offset)
    return {"files": files, "truth": truth, "plots": written, "seconds": _time.perf_counter() - start}


def _segment_view(sim: SimulatedSet, segment: int) -> SimulatedSet:
    """The cadences of one segment of a multi-segment simulation."""
    mask = sim.grid.segments == segment
    if mask.all():
        return sim

    def cut(a: np.ndarray | None) -> np.ndarray | None:
        return None if a is None else a[:, mask]

    return SimulatedSet(
        sim.grid.select(mask), sim.rows, sim.classes, sim.pdcsap[:, mask], sim.pdcsap_err[:, mask],
        sim.truths, sim.signals, cut(sim.quality), cut(sim.sap), cut(sim.sap_err), cut(sim.sap_bkg),
        cut(sim.sap_bkg_err), cut(sim.centroid_col), cut(sim.centroid_row), dict(sim.extra),
    )

