"""Real labelled stars from a data folder (a ``manifest.csv`` of light-curve files with
classes, laid out as the project's shared data), split in two by star, and the training
and evaluation sets built from them: the stars themselves (stitched, or file by file),
the Kepler DR24 TCEs vetted at their catalogue ephemerides, and planets and eclipsing
binaries injected into real quiet stars at the signal-to-noise ratios of real detections.

Feature sets are cached (``cache_dir``) under a key made of the analysis settings, the
files and the source of the analysis stages (:func:`~._run.analysis_code_hash`), so a
change to cleaning, search, vetting or features is never read from a stale cache."""

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
from ..errors import ERROR_FLAG, ParameterError, StarskopeError
from ..features.dataset import FeatureSet
from ._run import (
    Progress,
    analysis_code_hash,
    error_star,
    features_with_errors,
    run_chunks,
    with_origin,
)

__all__ = [
    "INJECTED_SNR",
    "REAL_GROUPS",
    "TCE_CLASS",
    "UNITS",
    "RealStar",
    "dr24_tce_features",
    "injected_features",
    "read_real_star",
    "real_features",
    "real_stars",
    "star_name",
]

#: Manifest folders whose labelled light curves are used, and how files group into stars.
REAL_GROUPS: tuple[str, ...] = ("kepler/dr24", "kepler/eb", "kepler/misc", "k2/misc", "tess/misc", "tess/ffi")

#: How files become stars (:func:`real_stars`): ``star`` — the Kepler long-cadence quarters
#: of one star stitched, every other file a star of its own; ``file`` — every file alone
#: (a single quarter too); ``stitched`` — only the stitched stars; ``quarter`` — only the
#: single files of the stitched stars.
UNITS: tuple[str, ...] = ("star", "file", "stitched", "quarter")

#: The four-class label of a DR24 TCE by its ``av_training_set`` label (AstroNet's):
#: planet candidate, astrophysical false positive (eclipsing binaries, blends), and
#: non-transiting phenomenon (systematics, variability).
TCE_CLASS: dict[str, str] = {"PC": "planet_transit", "AFP": "eclipsing_binary", "NTP": "other_variable"}

#: Detection SNR range of the injected planets and eclipsing binaries (log-uniform): from
#: the detection threshold to where a signal is plain to see.
INJECTED_SNR: tuple[float, float] = (7.1, 30.0)


@dataclass(frozen=True)
class RealStar:
    """One labelled real star: its files (several quarters are stitched), class, whether it
    is kept aside for evaluation, and the periods (days) the manifest knows for it."""

    target_id: str
    mission: str
    files: tuple[str, ...]
    label: int
    manifest_class: str
    group: str
    held_out: bool
    known_periods: tuple[float, ...] = ()


def _folder(folder: str | os.PathLike[str] | None) -> Path:
    base = Path(folder) if folder is not None else (Path(os.environ["STARSKOPE_SHARED_DATA"])
                                                     if os.environ.get("STARSKOPE_SHARED_DATA") else None)
    if base is None:
        raise ParameterError("no real-data folder given: pass the folder that holds manifest.csv "
                             "(--data DIR, or set STARSKOPE_SHARED_DATA)")
    if not (base / "manifest.csv").is_file():
        raise ParameterError(f"{base}: no manifest.csv there; give the folder that holds the labelled light curves")
    return base


def _kepler_quarter(row: dict[str, str]) -> bool:
    """A Kepler long-cadence quarter file (``kplr…_llc.fits``): quarters of one star stitch."""
    name = row["file"].rsplit("/", 1)[-1]
    return row["mission"] == "Kepler" and name.startswith("kplr") and "_llc.fits" in name


def _periods(row: dict[str, str]) -> tuple[float, ...]:
    """The manifest's known periods of a row (``known_periods_days``, ``;``-separated)."""
    out = []
    for v in str(row.get("known_periods_days") or "").split(";"):
        try:
            p = float(v)
        except ValueError:
            continue
        if np.isfinite(p) and p > 0:
            out.append(p)
    return tuple(out)


def real_stars(folder: str | os.PathLike[str] | None = None, *, unit: str = "star") -> list[RealStar]:
    """The labelled stars of a data folder's manifest, split in two by target.

    A star is held out for evaluation when the SHA-1 of its target id is even
    (:func:`starskope.models.split.kept_aside`, the split the star-type model uses too),
    so the split is fixed, the same for every run, and never puts one star (or another
    product of it, or one of its quarters) on both sides.

    Parameters
    ----------
    folder : path-like, optional
        The folder holding ``manifest.csv`` (default ``$STARSKOPE_SHARED_DATA``).
    unit : {'star', 'file', 'stitched', 'quarter'}
        How files become entries (:data:`UNITS`). ``star`` (default): the Kepler
        long-cadence quarters of one star (``kepler/dr24``, and ``kplr…_llc`` files
        elsewhere) are stitched into one entry, every other file is an entry of its own;
        ``file``: every file alone; ``stitched``: the stitched entries of ``star`` only;
        ``quarter``: the single files of those stars only.

    Raises
    ------
    ParameterError
        No folder given, no manifest in it, or an unknown ``unit``.
    """
    import csv

    from ..models.labels import CLASSES, from_manifest_class
    from ..models.split import kept_aside

    if unit not in UNITS:
        raise ParameterError(f"unit must be one of {', '.join(UNITS)}; got {unit!r}")
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
        held = kept_aside(target)
        label = CLASSES.index(from_manifest_class(rs[0]["class"]))
        quarters = [r for r in rs if group == "kepler/dr24" or _kepler_quarter(r)]
        others = [r for r in rs if r not in quarters]
        stitch = len(quarters) > 1 or group == "kepler/dr24"

        def one(r: dict[str, str], star: str = target, g: str = group, lab: int = label, h: bool = held) -> RealStar:
            return RealStar(star, r["mission"], (str(base / r["file"]),), lab, r["class"], g, h, _periods(r))

        if unit in ("star", "stitched") and stitch:
            out.append(RealStar(target, quarters[0]["mission"], tuple(str(base / r["file"]) for r in quarters),
                                label, quarters[0]["class"], group, held, _periods(quarters[0])))
        if unit == "quarter" and stitch:
            out += [one(r) for r in quarters]
        if unit == "file":
            out += [one(r) for r in rs]
        elif unit == "star":
            out += [one(r) for r in (others if stitch else rs)]
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


def star_name(star: RealStar) -> str:
    """How a star is named in feature sets (``meta['file']``): its file, or its target
    with the number of files stitched."""
    return star.files[0] if len(star.files) == 1 else f"{star.target_id} ({len(star.files)} files stitched)"


def _real_chunk(stars: Sequence[RealStar], options: AnalysisOptions) -> FeatureSet:
    results: list[Any] = []
    for s in stars:
        name = star_name(s)
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
    unit: str = "star",
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
    unit : str
        How files become stars (:data:`UNITS`; default: quarters stitched).

    Stars whose files cannot be read or analysed are dropped (their number is kept in
    ``spec['dropped']``). ``meta`` gains ``group`` (the manifest folder) and ``origin``
    ('real').
    """
    if split not in ("train", "eval", "all"):
        raise ParameterError(f"split must be 'train', 'eval' or 'all'; got {split!r}")
    options = options or AnalysisOptions(star_types=False)
    stars = [s for s in real_stars(folder, unit=unit) if split == "all" or s.held_out == (split == "eval")]
    if groups is not None:
        stars = [s for s in stars if s.group in groups]
    if not stars:
        raise ParameterError(f"no labelled real stars for split {split!r} (unit {unit!r})")
    cached = None
    if cache_dir is not None:
        import hashlib
        import json

        key = hashlib.sha256(json.dumps([split, unit, sorted(groups or REAL_GROUPS), options.as_dict(),
                                         [s.files for s in stars], analysis_code_hash()],
                                        default=str).encode()).hexdigest()[:16]
        cached = Path(cache_dir) / f"real-{split}-{unit}-{key}.npz"
        if cached.exists():
            return FeatureSet.load(cached)
    # slow (stitched, long) stars first so the workers stay busy
    stars.sort(key=lambda s: -len(s.files))
    step = 4
    jobs = [(stars[i: i + step], options) for i in range(0, len(stars), step)]
    fs = FeatureSet.concat(run_chunks(_real_chunk, jobs, workers, progress, f"analyse real ({split}, {unit})",
                                      [len(j[0]) for j in jobs]))
    done = [s for j in jobs for s in j[0]]
    ok = ~np.char.startswith(fs.meta["flags"].astype(str), ERROR_FLAG)
    fs.meta["group"] = np.asarray([s.group for s in done], dtype=object)
    fs.meta["manifest_class"] = np.asarray([s.manifest_class for s in done], dtype=object)
    # the star's name as the manifest gives it (the files' headers may spell it otherwise)
    fs.meta["star"] = np.asarray([s.target_id for s in done], dtype=object)
    fs.meta["n_files"] = np.asarray([len(s.files) for s in done], dtype=float)
    fs.meta["manifest_mission"] = np.asarray([s.mission for s in done], dtype=object)
    kept = with_origin(fs.subset(ok), "real")
    kept.spec = dict(kept.spec, dropped=int((~ok).sum()), groups=list(groups or REAL_GROUPS), unit=unit)
    if cached is not None:
        kept.save(cached)
    return kept


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
    folder: str | os.PathLike[str] | None = None, split: str = "all",
    cache_dir: str | os.PathLike[str] | None = None,
) -> tuple[FeatureSet, np.ndarray]:
    """Features of every DR24 TCE (PC, AFP, NTP) of the Kepler DR24 stars of the data
    folder (its ``catalogs/q1_q17_dr24_tce_*.csv.gz``), vetted at the catalogue ephemeris
    on the stitched Q2–Q4 light curve, cleaned as every other star
    (:func:`starskope.analysis.vet_ephemerides`).

    Parameters
    ----------
    split : {'all', 'train', 'eval'}
        The TCEs of every DR24 star, or of one side of the split (:func:`real_stars`):
        the training half's TCEs are training examples (labelled by :data:`TCE_CLASS`),
        the kept-aside half's measure the model.
    cache_dir : path-like, optional
        Folder caching the result (keyed like :func:`real_features`).

    Returns
    -------
    FeatureSet, ndarray of str
        One row per TCE with transits in the data (``meta['origin']`` 'dr24 tce'), and its
        ``av_training_set`` label.
    """
    from ..stars import dr24_tces

    if split not in ("train", "eval", "all"):
        raise ParameterError(f"split must be 'train', 'eval' or 'all'; got {split!r}")
    options = options or AnalysisOptions(star_types=False)
    items = []
    catalogs = _folder(folder) / "catalogs"
    for s in real_stars(folder):
        if s.group != "kepler/dr24" or (split != "all" and s.held_out != (split == "eval")):
            continue
        tces = dr24_tces(s.target_id, labels=["PC", "AFP", "NTP"], catalog_dir=catalogs)
        if tces:
            items.append((s, tces))
    if not items:
        raise ParameterError(f"no DR24 TCEs among the Kepler DR24 stars ({split}) of the data folder")
    cached = None
    if cache_dir is not None:
        import hashlib
        import json

        key = hashlib.sha256(json.dumps([split, options.as_dict(), [(s.files, [t.period_days for t in tc])
                                                                    for s, tc in items], analysis_code_hash()],
                                        default=str).encode()).hexdigest()[:16]
        cached = Path(cache_dir) / f"dr24-tces-{split}-{key}.npz"
        if cached.exists():
            fs = FeatureSet.load(cached)
            return fs, np.asarray(fs.meta["tce_label"], dtype=object)
    jobs = [([it], options) for it in items]
    parts = [p for p in run_chunks(_tce_chunk, jobs, workers, progress, f"vet DR24 TCEs ({split})",
                                   [1] * len(jobs)) if p[0] is not None]
    if not parts:
        raise ParameterError("none of the DR24 TCEs could be vetted")
    fs = with_origin(FeatureSet.concat([p[0] for p in parts]), "dr24 tce")
    labels = np.concatenate([np.asarray(p[1], dtype=object) for p in parts])
    fs.meta["tce_label"] = labels
    fs.meta["group"] = np.full(len(fs), "kepler/dr24", dtype=object)
    if cached is not None:
        fs.save(cached)
    return fs, labels


def _noise_over(flux: np.ndarray, cadence: float):
    """σ of a mean over ``duration`` days, from the white noise of the normalised flux."""
    from ..scatter import point_to_point_std

    f = flux[np.isfinite(flux)]
    sigma = point_to_point_std(f / np.median(f))

    def noise_over(duration_days: float) -> float:
        return float(sigma / np.sqrt(max(duration_days / cadence, 1.0)))

    return noise_over


def _host_star(star: RealStar, mission: str) -> Any:
    """The simulator's star for the carrier: its catalogue radius, mass and temperature
    when the offline catalogues have them (so vetting's density and radius tests see a
    planet that fits the star, as a real one would), else a Sun-like star."""
    import astropy.units as u

    from ..analysis.core import catalogue_for
    from ..simulate import Star
    from ..stars import LOGG_SUN

    props = catalogue_for(star.target_id, AnalysisOptions(stellar="auto"))[0]
    try:
        m = props.as_mapping() if props is not None else {}
        mass, radius, teff = float(m.get("mass_msun", np.nan)), float(m.get("radius_rsun", np.nan)), \
            float(m.get("teff_k", np.nan))
        if not np.isfinite(mass):  # from the surface gravity: M / M☉ = (g / g☉)(R / R☉)²
            mass = 10 ** (float(m.get("logg_cgs", np.nan)) - LOGG_SUN) * radius**2
        if all(np.isfinite(v) and v > 0 for v in (mass, radius, teff)):
            return Star(mass * u.M_sun, radius * u.R_sun, teff * u.K, mission=mission)
    except (AttributeError, TypeError, ValueError, StarskopeError):
        pass
    return Star.sun_like(mission=mission)


def _signal_for_snr(kind: str, star: RealStar, lc: Any, rng: np.random.Generator, target_snr: float) -> Any:
    """A planet or an eclipsing binary with the detection SNR ``target_snr`` in ``lc``
    (white noise at the light curve's point-to-point scatter; its own red noise makes
    some weaker). A binary brighter than that is blended with the target (a background
    binary diluted to the SNR), as most shallow eclipses in real data are."""
    import dataclasses

    from ..lightcurve import arrays
    from ..simulate.population import (
        draw_eclipsing_binary,
        draw_planet_for_snr,
        n_transits_observed,
    )
    from ..simulate.signals import BackgroundBinarySignal

    a = arrays(lc)
    t = np.asarray(a.time, float)
    cad = float(np.median(np.diff(t)))
    noise_over = _noise_over(np.asarray(a.flux, float), cad)
    mission = str(lc.meta.get("MISSION") or star.mission)
    host = _host_star(star, mission)
    if kind == "planet":
        planet, _, _ = draw_planet_for_snr(host, rng, target_snr, noise_over, t, cad)
        return planet
    eb = draw_eclipsing_binary(host, rng, float(t[0]), float(t[-1]))
    model = eb.relative_flux(t, cad)
    depth = float(1.0 - np.min(model))
    dur = float(eb.truth().get("duration_hours", 2.0)) / 24.0
    n_ecl = max(n_transits_observed(eb.transit_times(float(t[0]), float(t[-1])), dur, t, cad), 1)
    snr = depth / noise_over(dur) * np.sqrt(n_ecl)
    if not (np.isfinite(snr) and snr > target_snr):
        return eb
    return BackgroundBinarySignal(dataclasses.replace(eb), float(np.clip(target_snr / snr, 1e-5, 0.99)),
                                  separation_pix=float(rng.uniform(0.0, 1.0)))


def _inject_chunk(jobs: Sequence[tuple[RealStar, str, int, float]], options: AnalysisOptions) -> FeatureSet | None:
    from ..lightcurve import arrays
    from ..models.labels import CLASSES
    from ..simulate import inject

    found, labels = [], []
    for star, kind, seed, target_snr in jobs:
        try:
            with collect_warnings():
                lc = read_real_star(star)
                lc = lc[np.isfinite(arrays(lc).flux)]
                rng = np.random.default_rng(seed)
                new, truth = inject(lc, _signal_for_snr(kind, star, lc, rng, target_snr))
            name = f"{star_name(star)} + injected {kind} (seed {seed}, SNR {target_snr:.1f})"
            a = analyse_lightcurve(new, options=options, label=name, file=name)
        except (StarskopeError, OSError, ValueError):
            continue
        cand = a.star.candidate
        p_true = float(truth.get("period_days", np.nan))
        # label only signals the search found at the injected period (or half / twice it):
        # one lost in the noise is no example of what a planet or a binary looks like
        if cand is None or not np.isfinite(p_true) or not (cand.snr >= options.vet_min_snr):
            continue
        ratio = cand.period_days / p_true
        if not any(abs(ratio - r) < 0.01 * r for r in (0.5, 1.0, 2.0)):
            continue
        a.target = star.target_id
        a.features.meta["target_id"][:] = star.target_id
        found.append(a)
        labels.append(CLASSES.index("planet_transit" if kind == "planet" else "eclipsing_binary"))
    if not found:
        return None
    fs = features_of(found, labels=np.asarray(labels))
    fs.meta["group"] = np.asarray([f"injected {CLASSES[k]}" for k in labels], dtype=object)
    return fs


def injected_features(
    *,
    per_star: int = 1,
    kinds: Sequence[str] = ("planet", "eclipsing_binary"),
    groups: Sequence[str] = ("kepler/dr24", "tess/ffi"),
    units: Sequence[str] = ("star", "quarter"),
    max_stars: int | None = 150,
    snr_range: tuple[float, float] = INJECTED_SNR,
    seed: int = 0,
    options: AnalysisOptions | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    folder: str | os.PathLike[str] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> FeatureSet:
    """Planets and eclipsing binaries injected into the real quiet stars of the *training*
    half of the data folder (:func:`starskope.simulate.inject`), each at a detection SNR
    drawn log-uniformly from ``snr_range``, kept as ``planet_transit`` or
    ``eclipsing_binary`` examples when the search finds them.

    Planets come from the Kepler occurrence rates with the radius scaled to the SNR
    (:func:`~starskope.simulate.population.draw_planet_for_snr`) around a star with the
    carrier's catalogue parameters; binaries are detached binaries drawn around the same
    star, blended with the target when brighter than the SNR asks.

    Parameters
    ----------
    per_star : int
        Injections of each kind per carrier (different signals).
    kinds : sequence of {'planet', 'eclipsing_binary'}
    groups : sequence of str
        Manifest folders whose quiet stars (``nothing_significant``) receive signals.
    units : sequence of str
        Which light curves of them (:data:`UNITS`): stitched stars and single quarters.
    max_stars : int or None
        Most carriers per group and unit (in target order).
    snr_range : (float, float)
    seed : int
        Seed of the drawn signals.
    cache_dir : path-like, optional
        Folder caching the result (keyed by all of the above, the settings and the code).
    """
    options = options or AnalysisOptions(star_types=False)
    bad = [k for k in kinds if k not in ("planet", "eclipsing_binary")]
    if bad:
        raise ParameterError(f"kinds must be 'planet' or 'eclipsing_binary'; got {bad}")
    from ..models.labels import CLASSES

    quiet = CLASSES.index("nothing_significant")
    rng = np.random.default_rng(seed)
    lo, hi = float(snr_range[0]), float(snr_range[1])
    if not 0 < lo <= hi:
        raise ParameterError(f"snr_range must be (low, high) with 0 < low <= high; got {snr_range}")
    jobs: list[tuple[RealStar, str, int, float]] = []
    for unit in units:
        stars_all = real_stars(folder, unit=unit)
        for g in groups:
            stars = [s for s in stars_all if s.group == g and not s.held_out and s.label == quiet]
            for s in stars[:max_stars]:
                for kind in kinds:
                    for _ in range(per_star):
                        jobs.append((s, kind, int(rng.integers(2**31)), float(np.exp(rng.uniform(np.log(lo),
                                                                                                  np.log(hi))))))
    if not jobs:
        raise ParameterError(f"no quiet training stars in {list(groups)} to inject into")
    cached = None
    if cache_dir is not None:
        import hashlib
        import json

        key = hashlib.sha256(json.dumps([[(j[0].files, j[1], j[2], j[3]) for j in jobs], options.as_dict(),
                                         analysis_code_hash(extra=("simulate",))],
                                        default=str).encode()).hexdigest()[:16]
        cached = Path(cache_dir) / f"injected-{key}.npz"
        if cached.exists():
            return FeatureSet.load(cached)
    # stitched (long) carriers first so the workers stay busy
    jobs.sort(key=lambda j: -len(j[0].files))
    step = 4
    chunks = [(jobs[i: i + step], options) for i in range(0, len(jobs), step)]
    parts = [p for p in run_chunks(_inject_chunk, chunks, workers, progress, "inject planets and binaries",
                                   [len(c[0]) for c in chunks]) if p is not None]
    if not parts:
        raise ParameterError("no injected signal was recovered by the search")
    fs = with_origin(FeatureSet.concat(parts), "injected")
    fs.spec = dict(fs.spec, injected=len(jobs))
    if cached is not None:
        fs.save(cached)
    return fs
