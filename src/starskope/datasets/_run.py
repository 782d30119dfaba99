"""Running a builder's chunks on an executor, and turning analyses into model inputs."""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..analysis import StarAnalysis, features_of
from ..features.dataset import FeatureSet, StarData, extract_features

#: ``progress(stage, stars_done, n_stars)``.
Progress = Callable[[str, int, int], None]


def run_chunks(fn: Callable[..., Any], jobs: list[tuple], workers: int, progress: Progress | None, stage: str,
               sizes: list[int]) -> list[Any]:
    """``fn(*job)`` for every job, in ``workers`` processes (:func:`starskope.executors.executor_for`),
    results in job order; ``progress`` counts stars (``sizes``: stars per job)."""
    from ..executors import executor_for

    total = int(sum(sizes))
    out: list[Any] = [None] * len(jobs)
    done = 0
    if progress is not None:
        progress(stage, 0, total)
    with executor_for(max(1, min(int(workers), len(jobs) or 1))) as ex:
        for k, result in ex.map(fn, jobs, star=True):
            out[k] = result
            done += sizes[k]
            if progress is not None:
                progress(stage, done, total)
    return out


def error_star(file: str, message: str, *, target: str = "", mission: str = "") -> StarData:
    """An input that could not be analysed: no arrays, its error in ``flags``."""
    return StarData(time=np.zeros(0), flux=np.zeros(0), file=file, target_id=target, mission=mission,
                    flags=f"error: {message}"[:300])


def features_with_errors(results: Sequence[StarAnalysis | StarData], options: Any,
                         labels: Any = None) -> FeatureSet:
    """One FeatureSet row per result, in order: the analysis's own inputs, or an empty
    row whose ``flags`` carry the error (so rows stay aligned with their labels)."""
    parts = []
    for r in results:
        if isinstance(r, StarAnalysis):
            parts.append(features_of([r]))
        else:
            parts.append(extract_features([r], view_spec=options.views(), spectrogram_spec=options.spectrogram()))
    keys = set.union(*(set(p.meta) for p in parts)) if parts else set()
    for p in parts:  # star-type columns exist only where measured: fill the others
        for k in keys - set(p.meta):
            p.meta[k] = np.asarray([""], dtype=object) if k == "star_type" else np.asarray([np.nan])
    fs = FeatureSet.concat(parts)
    return fs if labels is None else fs.with_labels(labels)
