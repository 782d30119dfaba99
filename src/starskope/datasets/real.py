"""Real labelled stars from a data folder (a ``manifest.csv`` of light-curve files with
classes, laid out as the project's shared data), split in two by star, and the training
and evaluation sets built from them: the stars themselves, the Kepler DR24 TCEs vetted at
their catalogue ephemerides, and planets injected into real quiet stars."""

from __future__ import annotations

import os
from collections.abc import Sequence
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from ..analysis import (
    AnalysisOptions,
    analyse_lightcurve,
    collect_warnings,
    features_of,
    read_star,
    vet_ephemerides,
)
from ..errors import ParameterError, StarskopeError
from ..features.dataset import FeatureSet
from ._run import Progress, error_star, features_with_errors, run_chunks

__all__ = [
    "REAL_GROUPS",
    "RealStar",
    "dr24_tce_features",
    "injected_features",
    "read_real_star",
    "real_features",
    "real_stars",
]

#: Manifest folders whose labelled light curves are used, and how files group into stars.
REAL_GROUPS: tuple[str, ...] = ("kepler/dr24", "kepler/eb", "kepler/misc", "k2/misc", "tess/misc", "tess/ffi")


@dataclass(frozen=True)
class RealStar:
    """One labelled real star: its files (several quarters are stitched), class and
    whether it is kept aside for evaluation."""

    target_id: str
    mission: str
    files: tuple[str, ...]
    label: int
    manifest_class: str
    group: str
    held_out: bool


def _folder(folder: str | os.PathLike[str] | None) -> Path:
    base = Path(folder) if folder is not None else (Path(os.environ["STARSKOPE_SHARED_DATA"])
                                                     if os.environ.get("STARSKOPE_SHARED_DATA") else None)
    if base is None:
        raise ParameterError("no real-data folder given: pass the folder that holds manifest.csv "
                             "(--data DIR, or set STARSKOPE_SHARED_DATA)")
    if not (base / "manifest.csv").is_file():
        raise ParameterError(f"{base}: no manifest.csv there; give the folder that holds the labelled light curves")
    return base


def real_stars(folder: str | os.PathLike[str] | None = None) -> list[RealStar]:
    """The labelled stars of a data folder's manifest, split in two by target.

    A star is held out for evaluation when the SHA-1 of its target id is even, so the
    split is fixed, the same for every run, and never puts one star (or another product
    of it) on both sides. Kepler DR24 stars stitch their quarters; other folders give
    one star per target (the first file listed) for evaluation and every file for
    training.

    Parameters
    ----------
    folder : path-like, optional
        The folder holding ``manifest.csv`` (default ``$STARSKOPE_SHARED_DATA``).

    Raises
    ------
    ParameterError
        No folder given, or no manifest in it.
    """
    import csv
    import hashlib

    from ..models.labels import CLASSES, from_manifest_class

    base = _folder(folder)
    with (base / "manifest.csv").open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    by_target: dict[tuple[str, str], list[dict[str, str]]] = {}
    for r in rows:
        group = "/".join(r["file"].split("/")[:2])
        if group not in REAL_GROUPS or ("light curve" not in r["kind"] and "lightcurve" not in r["kind"]):
            continue
        if from_manifest_class(r["class"]) is None:
            continue
        by_target.setdefault((group, r["target_id"]), []).append(r)
    out = []
    for (group, target), rs in sorted(by_target.items()):
        held = int(hashlib.sha1(target.encode()).hexdigest(), 16) % 2 == 0
        label = CLASSES.index(from_manifest_class(rs[0]["class"]))
        if group == "kepler/dr24":
            out.append(RealStar(target, rs[0]["mission"], tuple(str(base / r["file"]) for r in rs), label,
                                rs[0]["class"], group, held))
        else:
            chosen = rs[:1] if held else rs
            for r in chosen:
                out.append(RealStar(target, r["mission"], (str(base / r["file"]),), label, r["class"], group, held))
    return out


def read_real_star(star: RealStar) -> Any:
    """The star's light curve (its files stitched). A text file that does not state its
    time system is read in its telescope's day count (BKJD for Kepler and K2, BTJD for
    TESS), as the manifest names the telescope."""
    from ..errors import TimeSystemError

    try:
        return read_star(star.files)
    except TimeSystemError:
        fmt = "btjd" if star.mission.upper() == "TESS" else "bkjd"
        return read_star(star.files, mission=star.mission, time_format=fmt)


def _name(star: RealStar) -> str:
    return star.files[0] if len(star.files) == 1 else f"{star.target_id} ({len(star.files)} files stitched)"


def _real_chunk(stars: Sequence[RealStar], options: AnalysisOptions) -> FeatureSet:
    results: list[Any] = []
    for s in stars:
        name = _name(s)
        try:
            with collect_warnings():
                lc = read_real_star(s)
            a = analyse_lightcurve(lc, options=options, label=name, file=name)
            a.target = a.target or s.target_id
            a.star.target_id = a.target
            a.features.meta["target_id"][:] = a.target
            results.append(a)
        except (StarskopeError, OSError, ValueError) as exc:
            results.append(error_star(name, f"{type(exc).__name__}: {str(exc)[:200]}", target=s.target_id,
                                      mission=s.mission))
    return features_with_errors(results, options, labels=[s.label for s in stars])


def real_features(
    split: str,
    *,
    options: AnalysisOptions | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
    folder: str | os.PathLike[str] | None = None,
    groups: Sequence[str] | None = None,
) -> FeatureSet:
    """Labelled features of the real stars of one side of the split.

    Parameters
    ----------
    split : {'train', 'eval', 'all'}
        'eval' is the held-out half (see :func:`real_stars`).
    folder : path-like, optional
        The data folder (default ``$STARSKOPE_SHARED_DATA``).
    groups : sequence of str, optional
        Manifest folders to use (default :data:`REAL_GROUPS`).

    Stars whose files cannot be read or analysed are dropped (their number is kept in
    ``spec['dropped']``).
    """
    if split not in ("train", "eval", "all"):
        raise ParameterError(f"split must be 'train', 'eval' or 'all'; got {split!r}")
    options = options or AnalysisOptions(star_types=False)
    stars = [s for s in real_stars(folder) if split == "all" or s.held_out == (split == "eval")]
    if groups is not None:
        stars = [s for s in stars if s.group in groups]
    if not stars:
        raise ParameterError(f"no labelled real stars for split {split!r}")
    cached = None
    if cache_dir is not None:
        import hashlib
        import json

        key = hashlib.sha256(json.dumps([split, sorted(groups or REAL_GROUPS), options.as_dict(),
                                         [s.files for s in stars]], default=str).encode()).hexdigest()[:16]
        cached = Path(cache_dir) / f"real-{split}-{key}.npz"
        if cached.exists():
            return FeatureSet.load(cached)
    # slow (stitched, long) stars first so the workers stay busy
    stars.sort(key=lambda s: -len(s.files))
    step = 4
    jobs = [(stars[i: i + step], options) for i in range(0, len(stars), step)]
    fs = FeatureSet.concat(run_chunks(_real_chunk, jobs, workers, progress, f"analyse real ({split})",
                                      [len(j[0]) for j in jobs]))
    ok = ~np.char.startswith(fs.meta["flags"].astype(str), "error:")
    kept = fs.subset(ok)
    kept.spec = dict(kept.spec, dropped=int((~ok).sum()), groups=list(groups or REAL_GROUPS))
    kept.meta["group"] = np.asarray([_group_of(f) for f in kept.meta["file"]], dtype=object)
    if cached is not None:
        kept.save(cached)
    return kept


def _group_of(file: str) -> str:
    for g in REAL_GROUPS:
        if g in str(file):
            return g
    return "kepler/dr24"


def _tce_chunk(items: Sequence[tuple[RealStar, list[Any]]], options: AnalysisOptions) -> tuple[FeatureSet | None, list[str]]:
    analyses, labels = [], []
    for star, tces in items:
        try:
            with collect_warnings():
                lc = read_real_star(star)
            found = vet_ephemerides(lc, tces, options=options, label=star.target_id)
        except (StarskopeError, OSError, ValueError):
            continue
        for tce, a in zip(tces, found, strict=True):
            if a.vetting is None:
                continue
            a.label = a.file = f"{star.target_id} TCE {int(tce.extra.get('tce_plnt_num', 0))}"
            a.star.file = a.label
            a.features.meta["file"][:] = a.label
            analyses.append(a)
            labels.append(tce.source.split()[-1])
    return (features_of(analyses) if analyses else None), labels


def dr24_tce_features(
    *, options: AnalysisOptions | None = None, workers: int = 1, progress: Progress | None = None,
    folder: str | os.PathLike[str] | None = None,
) -> tuple[FeatureSet, np.ndarray]:
    """Features of every DR24 TCE (PC, AFP, NTP) of the Kepler DR24 stars of the data
    folder (its ``catalogs/q1_q17_dr24_tce_*.csv.gz``), vetted at the catalogue ephemeris
    on the stitched Q2–Q4 light curve, cleaned as every other star
    (:func:`starskope.analysis.vet_ephemerides`).

    Returns
    -------
    FeatureSet, ndarray of str
        One row per TCE with transits in the data, and its ``av_training_set`` label.
    """
    from ..stars import dr24_tces

    options = options or AnalysisOptions(star_types=False)
    items = []
    catalogs = _folder(folder) / "catalogs"
    for s in real_stars(folder):
        if s.group != "kepler/dr24":
            continue
        tces = dr24_tces(s.target_id, labels=["PC", "AFP", "NTP"], catalog_dir=catalogs)
        if tces:
            items.append((s, tces))
    if not items:
        raise ParameterError("no DR24 TCEs among the Kepler DR24 stars of the data folder")
    jobs = [([it], options) for it in items]
    parts = [p for p in run_chunks(_tce_chunk, jobs, workers, progress, "vet DR24 TCEs", [1] * len(jobs))
             if p[0] is not None]
    if not parts:
        raise ParameterError("none of the DR24 TCEs could be vetted")
    fs = FeatureSet.concat([p[0] for p in parts])
    labels = np.concatenate([np.asarray(p[1], dtype=object) for p in parts])
    return fs, labels


def _inject_chunk(jobs: Sequence[tuple[RealStar, int]], options: AnalysisOptions) -> FeatureSet | None:
    from ..lightcurve import arrays
    from ..models.labels import CLASSES
    from ..simulate import inject

    found = []
    for star, seed in jobs:
        try:
            with collect_warnings():
                lc = read_real_star(star)
                lc = lc[np.isfinite(arrays(lc).flux)]
                new, truth = inject(lc, "planet", seed=seed)
            name = f"{star.files[0]} + injected planet (seed {seed})"
            a = analyse_lightcurve(new, options=options, label=name, file=name)
        except (StarskopeError, OSError, ValueError):
            continue
        cand = a.star.candidate
        p_true = float(truth.get("period_days", np.nan))
        # label only transits the search found at the injected period (or half / twice it):
        # an injected planet lost in the noise is no example of what a planet looks like
        if cand is None or not np.isfinite(p_true) or not (cand.snr >= options.vet_min_snr):
            continue
        ratio = cand.period_days / p_true
        if not any(abs(ratio - r) < 0.01 * r for r in (0.5, 1.0, 2.0)):
            continue
        a.target = star.target_id
        a.features.meta["target_id"][:] = star.target_id
        found.append(a)
    if not found:
        return None
    return features_of(found, labels=np.full(len(found), CLASSES.index("planet_transit")))


def injected_features(
    *,
    per_star: int = 2,
    groups: Sequence[str] = ("kepler/dr24", "tess/ffi"),
    max_stars: int | None = 150,
    seed: int = 0,
    options: AnalysisOptions | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    folder: str | os.PathLike[str] | None = None,
) -> FeatureSet:
    """Planet transits injected into the real quiet stars of the *training* half of the
    data folder (:func:`starskope.simulate.inject`, planets drawn from the Kepler
    occurrence rates), kept as ``planet_transit`` examples when the search finds them.

    Parameters
    ----------
    per_star : int
        Injections per star (different planets).
    groups : sequence of str
        Manifest folders whose quiet stars (``nothing_significant``) receive planets.
    max_stars : int or None
        Most stars per group (the first ones in target order).
    seed : int
        Seed of the drawn planets.
    """
    from ..models.labels import CLASSES

    options = options or AnalysisOptions(star_types=False)
    quiet = CLASSES.index("nothing_significant")
    jobs: list[tuple[RealStar, int]] = []
    stars_all = real_stars(folder)
    for g in groups:
        stars = [s for s in stars_all if s.group == g and not s.held_out and s.label == quiet]
        for s in stars[:max_stars]:
            jobs += [(s, seed * 1000 + len(jobs) + k) for k in range(per_star)]
    if not jobs:
        raise ParameterError(f"no quiet training stars in {list(groups)} to inject into")
    step = 4
    chunks = [(jobs[i: i + step], options) for i in range(0, len(jobs), step)]
    parts = [p for p in run_chunks(_inject_chunk, chunks, workers, progress, "inject planets",
                                   [len(c[0]) for c in chunks]) if p is not None]
    if not parts:
        raise ParameterError("no injected planet was recovered by the search")
    return FeatureSet.concat(parts)
