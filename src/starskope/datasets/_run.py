"""Running a builder's chunks on an executor, turning analyses into model inputs, and the
key that says when cached inputs are stale."""

from __future__ import annotations

import functools
import hashlib
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis import StarAnalysis, features_of
from ..errors import error_flags
from ..features.dataset import FeatureSet, StarData, extract_features

#: ``progress(stage, stars_done, n_stars)``.
Progress = Callable[[str, int, int], None]

#: Stages whose code decides what a model sees of a star: a cached feature set is keyed by
#: their source (:func:`analysis_code_hash`) as well as by the analysis settings.
ANALYSIS_STAGES: tuple[str, ...] = ("clean", "search", "vetting", "analysis", "features")


@functools.lru_cache(maxsize=8)
def analysis_code_hash(stages: tuple[str, ...] = ANALYSIS_STAGES, extra: tuple[str, ...] = ()) -> str:
    """SHA-1 (16 hex digits) of the Python source of the analysis stages (and of the
    ``extra`` package folders or modules), so that features cached by one version of the
    code are never read by another."""
    root = Path(__file__).resolve().parents[1]
    h = hashlib.sha1()
    for part in (*stages, *extra):
        base = root / part
        files = sorted(base.rglob("*.py")) if base.is_dir() else [root / f"{part}.py"]
        for f in files:
            if f.is_file():
                h.update(str(f.relative_to(root)).encode())
                h.update(f.read_bytes())
    return h.hexdigest()[:16]


def with_origin(fs: Any, origin: str) -> Any:
    """``fs`` with ``meta['origin']`` set for every star ('real', 'injected', 'simulated',
    …): the ensemble calibrates on the real ones, and reports count each kind."""
    fs.meta["origin"] = np.full(len(fs), origin, dtype=object)
    return fs


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
                    flags=error_flags(message)[:300])


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
