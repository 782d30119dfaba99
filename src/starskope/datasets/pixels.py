"""Model inputs from pixels: difference images at the true ephemeris (the pixel model's
cheap training examples) and simulated fields of pixel files analysed as a user's files are.

The demo and ``benchmarks/pixels.py`` build the pixel-aware model from these two.
"""

from __future__ import annotations

import os
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis import AnalysisOptions
from ..errors import ERROR_FLAG, ParameterError
from ..features.dataset import FeatureSet
from ._run import Progress, run_chunks
from .files import files_features

__all__ = ["pixel_field_features", "pixel_training_features"]


def _training_chunk(n: int, mission: str, seed: tuple[int, int], real: Any, real_share: float) -> FeatureSet:
    from ..simulate.pixels import pixel_training_set

    return pixel_training_set(n, mission=mission, seed=seed, real=real, real_share=real_share)


def pixel_training_features(
    n: int,
    *,
    mission: str = "K2",
    seed: int = 0,
    real: Any = None,
    real_share: float = 0.25,
    chunk: int = 25,
    workers: int = 1,
    progress: Progress | None = None,
) -> FeatureSet:
    """``n`` difference images at the true ephemeris (:func:`starskope.simulate.pixels.pixel_training_set`),
    made in chunks of ``chunk`` examples in ``workers`` processes.

    Chunk ``k`` is seeded with ``(seed, k)``, so the examples depend on ``seed`` and
    ``chunk`` but not on ``workers``.

    Parameters
    ----------
    n : int
        Examples to draw (those without a difference image are skipped).
    mission : str
        Telescope of the simulated stamps.
    seed : int
    real : PixelSeries, optional
        A real pixel file that a share ``real_share`` of the signals are injected into.
    real_share : float
    chunk : int
        Examples per job.
    workers : int
        Processes.
    progress : callable, optional
        ``progress(stage, done, total)``.

    Returns
    -------
    FeatureSet
        Pixel inputs and labels only.

    Raises
    ------
    ParameterError
        ``n`` or ``chunk`` below 1.
    """
    if int(n) < 1 or int(chunk) < 1:
        raise ParameterError(f"n and chunk must be at least 1; got n={n}, chunk={chunk}")
    sizes = [min(int(chunk), int(n) - s) for s in range(0, int(n), int(chunk))]
    jobs = [(k, mission, (int(seed), i), real, float(real_share)) for i, k in enumerate(sizes)]
    return FeatureSet.concat(run_chunks(_training_chunk, jobs, workers, progress, "pixel training images", sizes))


def pixel_field_features(
    out_dir: str | os.PathLike[str],
    n: int,
    n_hosts: int,
    *,
    mission: str = "K2",
    seed: int = 0,
    classes: Sequence[str] | None = None,
    options: AnalysisOptions | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> FeatureSet:
    """A simulated field written as pixel files (:func:`starskope.simulate.pixels.simulate_pixel_set`,
    skipped when ``out_dir`` already holds its ``truth.csv``) and every file analysed as
    ``classify`` would analyse it (:func:`starskope.datasets.files_features`).

    Parameters
    ----------
    out_dir : path-like
        Folder of the pixel files.
    n, n_hosts : int
        Stars and planet hosts among them.
    mission : str
    seed : int
    classes : sequence of str, optional
        Every star's simulator class (default: the simulator's mix).
    options : AnalysisOptions, optional
    workers : int
        Processes for the analysis.
    progress : callable, optional
        ``progress(stage, done, total)``.

    Returns
    -------
    FeatureSet
        The analysed stars (files that could not be analysed are left out), labelled, with
        the simulator's class in ``meta['truth_class']`` (``planet``, ``background_eb``, …).

    Raises
    ------
    ParameterError
        ``out_dir`` holds a field of another size.
    """
    import pandas as pd

    from ..models.labels import CLASSES, from_truth_class
    from ..simulate.pixels import simulate_pixel_set

    out = Path(out_dir)
    if not (out / "truth.csv").is_file():
        simulate_pixel_set(out, mission, n=int(n), n_hosts=int(n_hosts), seed=int(seed), classes=classes)
    truth = pd.read_csv(out / "truth.csv")
    if len(truth) != int(n):
        raise ParameterError(f"{out}: holds a field of {len(truth)} stars, not {n}; use an empty folder")
    files = [str(out / str(f)) for f in truth["file"]]
    truth_class = truth["class"].astype(str).to_numpy()
    labels = np.array([CLASSES.index(from_truth_class(c)) for c in truth_class], dtype=np.int64)
    fs = files_features(files, labels=labels, options=options, workers=workers, progress=progress)
    fs.meta["truth_class"] = truth_class.astype(object)
    ok = ~np.char.startswith(np.asarray(fs.meta["flags"]).astype(str), ERROR_FLAG)
    return fs.subset(np.flatnonzero(ok))
