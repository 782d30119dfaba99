"""The stages wired together: light curves or flux tables in, model inputs and verdicts out.

This module holds no science; it calls, in order,

1. :mod:`starskope.io` — read FITS/CSV/NPZ light curves or Kaggle-layout tables;
2. :mod:`starskope.clean` — QUALITY mask, outliers, K2 roll, detrending
   (:func:`~starskope.clean.clean` for light curves; its array core —
   :func:`~starskope.clean.outlier_mask`, :func:`~starskope.clean.detrend_arrays` with
   :func:`~starskope.clean.default_window` — for table rows);
3. :mod:`starskope.search` — :func:`~starskope.search.search` per light curve,
   :func:`~starskope.search.search_many` for a table's rows (shared time stamps);
4. :mod:`starskope.vetting` — :func:`~starskope.vetting.vet` on the best candidate when
   its SNR reaches ``vet_min_snr`` (weaker candidates keep NaN vetting features);
5. :mod:`starskope.features` — views, spectrogram, scalars → :class:`FeatureSet`;
6. :mod:`starskope.models` — ``predict_proba`` → one row per star.

Work is split into chunks of stars run in ``workers`` processes.
"""

from __future__ import annotations

import os
import warnings
from collections.abc import Callable, Iterable, Sequence
from concurrent.futures import ProcessPoolExecutor
from dataclasses import asdict, dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from .errors import LightCurveDataError, ParameterError, StarskopeError, StarskopeWarning
from .features.dataset import FeatureSet, StarData, extract_features
from .features.spectrogram import SpectrogramSpec
from .features.views import ViewSpec

__all__ = [
    "CLASSIFY_COLUMNS",
    "FIRING_ROWS",
    "REAL_GROUPS",
    "AnalysisOptions",
    "RealStar",
    "analyze_arrays",
    "analyze_files",
    "analyze_lightcurve",
    "analyze_table_rows",
    "classify",
    "clean_table_rows",
    "dr24_tce_features",
    "expand_inputs",
    "files_features",
    "files_from_lightcurves",
    "injected_features",
    "injected_table_features",
    "is_flux_table",
    "predictions_table",
    "real_features",
    "real_stars",
    "search_period_max",
    "shared_data_dir",
    "simulated_mission_features",
    "table_features",
    "table_file_firing_mask",
    "table_firing_mask",
]

Progress = Callable[[str, int, int], None]


@dataclass(frozen=True)
class AnalysisOptions:
    """Settings of the clean → search → vet → features chain.

    Attributes
    ----------
    detrend : str
        Detrender name (:data:`starskope.clean.DETRENDERS`).
    period_min_days, period_max_days : float
        Search range, days (``period_max_days`` None: half the time span, at most 40 d).
    search_oversample : float
        Frequency oversampling of the search grid (the best peaks are then refined ten
        times finer, so 1.0 finds the same periods as 2.0 in half the time: measured on the
        simulated K2 C3 test table, 89 % of planets and EBs recovered either way).
    vet_min_snr : float
        Vet the best candidate only when its SNR reaches this (the Kepler pipeline's
        detection threshold, 7.1σ, by default); weaker candidates keep NaN vetting features.
    vet_transit_fit : bool
        Measure the depth with vetting's limb-darkened transit fit (accurate; ~10 ms more
        per candidate) instead of the trapezoid's (~3 % low).
    table_outliers : bool
        Remove upward outliers from table rows before detrending. Off by default: the
        biweight trend and the search's robust noise are insensitive to them, and rows
        without removed cadences share their fold in the batched search (4 × faster).
    stellar : str or None
        Stellar parameters for vetting: ``"auto"`` (catalogue look-up) or None.
    view_spec, spectrogram_spec : dict
        Sizes of the views and spectrogram images.
    chunk_size : int
        Stars per work unit.
    star_types : bool
        Also name each star's type (:mod:`starskope.startypes`) from its raw light curve:
        meta columns ``star_type`` and ``p_type_<type>`` (``classify`` turns this on).
    k2_roll : bool
        K2 flux tables (no centroids, no QUALITY): find the spacecraft's thruster firings
        as the cadences where many stars jump at once, remove each star's roll sawtooth
        against its place in the roll cycle, and leave the firing cadences out
        (:func:`starskope.clean.k2roll.table_firings`). Options stored with a model made
        before this setting existed read as False, so such a model sees the tables it was
        trained on.
    """

    detrend: str = "biweight"
    period_min_days: float = 0.5
    period_max_days: float | None = None
    search_oversample: float = 1.0
    vet_min_snr: float = 7.1
    vet_transit_fit: bool = True
    table_outliers: bool = False
    stellar: str | None = None
    view_spec: dict[str, Any] = field(default_factory=lambda: ViewSpec().as_dict())
    spectrogram_spec: dict[str, Any] = field(default_factory=lambda: SpectrogramSpec().as_dict())
    chunk_size: int = 128
    star_types: bool = False
    k2_roll: bool = True

    def views(self) -> ViewSpec:
        return ViewSpec(**self.view_spec)

    def spectrogram(self) -> SpectrogramSpec:
        return SpectrogramSpec(**self.spectrogram_spec)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    @classmethod
    def from_dict(cls, d: dict[str, Any] | None) -> AnalysisOptions:
        d = dict(d or {})
        known = {k: v for k, v in d.items() if k in cls.__dataclass_fields__}
        if known and "k2_roll" not in known:  # stored before the table roll correction
            known["k2_roll"] = False
        return cls(**known)


# --------------------------------------------------------------------------- one star
def search_period_max(time: np.ndarray, options: AnalysisOptions) -> float:
    """Longest trial period (days) of the search for a light curve spanning ``time``:
    ``options.period_max_days``, or half the span up to 40 d; never above the span."""
    span = float(np.nanmax(time) - np.nanmin(time))
    pmax = options.period_max_days if options.period_max_days is not None else min(0.5 * span, 40.0)
    return float(min(pmax, span))


def _vet(time: np.ndarray, flux: np.ndarray, cand: Any, options: AnalysisOptions, *, target: str | None,
         mission: str | None) -> tuple[dict[str, float] | None, str]:
    from .vetting import vet

    if cand is None or not (np.isfinite(cand.snr) and cand.snr >= options.vet_min_snr):
        return None, ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            rep = vet((time, flux), cand, stellar=options.stellar if target else None, target=target,
                      mission=mission, catalog_match=False, fit_transit=options.vet_transit_fit)
    except StarskopeError:
        return None, "vetting_failed"
    return rep.as_row(), ";".join(rep.flag_names)


def _best(result: Any) -> Any:
    if result is None:
        return None
    return result.candidates[0] if len(result.candidates) else result.best


def analyze_arrays(
    time: np.ndarray,
    flux: np.ndarray,
    *,
    raw_flux: np.ndarray | None = None,
    options: AnalysisOptions | None = None,
    file: str = "",
    target_id: str = "",
    mission: str = "",
    table_flux: np.ndarray | None = None,
) -> StarData:
    """Search and vet one cleaned light curve given as arrays (BJD_TDB days, flux ≈ 1)."""
    from .search import search_transits

    options = options or AnalysisOptions()
    t = np.asarray(time, float)
    f = np.asarray(flux, float)
    flags = ""
    cand = None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StarskopeWarning)
            res = search_transits(t, f, period_min=options.period_min_days, period_max=search_period_max(t, options),
                                  max_planets=1, oversample=options.search_oversample)
        cand = _best(res)
    except ParameterError as exc:
        flags = f"error: search failed: {exc}"
    row, vflags = _vet(t, f, cand, options, target=target_id or None, mission=mission or None)
    return StarData(time=t, flux=f, raw_flux=raw_flux, candidate=cand, vetting=row, file=file,
                    target_id=target_id, mission=mission, flags=vflags or flags, table_flux=table_flux)


def _target_name(lc: Any) -> str:
    meta = getattr(lc, "meta", {}) or {}
    if meta.get("OBJECT"):
        return str(meta["OBJECT"])
    tid, miss = meta.get("TARGETID"), str(meta.get("MISSION") or "")
    prefix = {"kepler": "KIC", "k2": "EPIC", "tess": "TIC"}.get(miss.lower(), "")
    return f"{prefix} {tid}".strip() if tid is not None else ""


def analyze_lightcurve(lc: Any, *, options: AnalysisOptions | None = None, file: str = "") -> StarData:
    """Clean, search and vet one light curve (a starskope ``lightkurve.LightCurve``)."""
    import astropy.units as u

    from .clean import clean
    from .lightcurve import arrays

    options = options or AnalysisOptions()
    a0 = arrays(lc)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarskopeWarning)
        cleaned = clean(lc, period_max=search_period_max(a0.time, options) * u.day, method=options.detrend)
    a = arrays(cleaned)
    raw = None
    if "trend" in cleaned.colnames:
        trend = np.asarray(getattr(cleaned["trend"], "value", cleaned["trend"]), float)
        med = np.nanmedian(trend)
        if np.isfinite(med) and med > 0:
            raw = a.flux * trend / med
    meta = cleaned.meta or {}
    return analyze_arrays(a.time, a.flux, raw_flux=raw, options=options, file=file or str(meta.get("FILENAME") or ""),
                          target_id=_target_name(cleaned), mission=str(meta.get("MISSION") or ""))


# --------------------------------------------------------------------------- star types
def _star_type_meta(curves: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray | None, int] | None],
                    sources: Sequence[str]) -> dict[str, np.ndarray]:
    """``star_type`` and ``p_type_<type>`` meta columns for raw light curves given as
    ``(time_bjd, flux, quality, quality_mask)`` (None, or a curve too short to classify,
    gets an empty type and NaN probabilities)."""
    from .startypes import STAR_TYPES
    from .startypes.api import classify_star_types_arrays

    n = len(curves)
    meta: dict[str, np.ndarray] = {"star_type": np.full(n, "", dtype=object)}
    for t in STAR_TYPES:
        meta[f"p_type_{t}"] = np.full(n, np.nan)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        results = classify_star_types_arrays(curves, sources=sources)
    for i, res in enumerate(results):
        if res is not None:
            meta["star_type"][i] = res.star_type
            for t, p in res.probabilities.items():
                meta[f"p_type_{t}"][i] = p
    meta["star_type"] = meta["star_type"].astype(str)
    return meta


def _with_meta(fs: FeatureSet, extra: dict[str, np.ndarray]) -> FeatureSet:
    fs.meta.update(extra)
    return fs


# --------------------------------------------------------------------------- tables
#: A table's thruster firings are found from its first rows (this many): the same
#: cadences however the table is split into chunks or batch items.
FIRING_ROWS = 600

_FIRINGS: dict[tuple[str, int, int], np.ndarray | None] = {}


def table_firing_mask(time: np.ndarray, flux: np.ndarray, options: AnalysisOptions) -> np.ndarray | None:
    """Thruster-firing cadences of a K2 flux table, from its first :data:`FIRING_ROWS`
    rows (:func:`starskope.clean.k2roll.table_firings`); None when ``options.k2_roll`` is
    off, the table is too small, or no firings stand out."""
    if not options.k2_roll:
        return None
    from .clean.k2roll import table_firings

    found = table_firings(np.asarray(time, float), np.asarray(flux[:FIRING_ROWS], float))
    if found is None:
        warnings.warn(f"no K2 thruster firings found in a table of {np.shape(flux)[0]} stars (the common-mode test "
                      "needs a few hundred, or the archive's NaN firing cadences): the roll is not corrected",
                      StarskopeWarning, stacklevel=2)
    return found


def table_file_firing_mask(path: str | os.PathLike[str], options: AnalysisOptions) -> np.ndarray | None:
    """:func:`table_firing_mask` of a table file, read once per process (by path, size
    and modification time): a batch worker analysing one chunk of rows uses the same
    firings as a run over the whole table."""
    if not options.k2_roll:
        return None
    from .io.flux_table import read_flux_table_rows

    st = os.stat(path)
    key = (str(Path(path).resolve()), int(st.st_size), int(st.st_mtime_ns))
    if key not in _FIRINGS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            head = read_flux_table_rows(path, 0, FIRING_ROWS)
        _FIRINGS[key] = table_firing_mask(head.time.tdb.jd, head.flux, options)
    return _FIRINGS[key]


def clean_table_rows(time: np.ndarray, flux: np.ndarray, options: AnalysisOptions,
                     firing: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rows of a flux table cleaned as the pipeline cleans them (the array core of clean).

    Each row is divided by its median; with ``firing`` (the table's thruster-firing
    cadences, :func:`table_firing_mask`) its K2 roll sawtooth is divided out against the
    roll phase and the firing cadences become NaN; then it is detrended.

    Returns the cleaned rows (≈ 1), the rows divided by their median (before any
    correction), and a note per row (empty, or why the row was not analysed).
    """
    import astropy.units as u

    from .clean import default_window, detrend_arrays, outlier_mask

    phase = None
    if firing is not None:
        from .clean.k2roll import roll_phase, roll_phase_correction

        firing = np.asarray(firing, bool)
        phase = roll_phase(time, firing)
    window = float(default_window(search_period_max(time, options) * u.day).to_value(u.day))
    clean = np.full(flux.shape, np.nan)
    raw = np.full(flux.shape, np.nan)
    notes = [""] * flux.shape[0]
    for i, row in enumerate(flux):
        fin = np.isfinite(row)
        med = float(np.median(row[fin])) if fin.sum() else float("nan")
        if not (np.isfinite(med) and med > 0) or fin.sum() < 50:
            notes[i] = "not_analysed: flux median not positive or too few cadences"
            continue
        f = raw[i] = row / med
        if options.table_outliers:
            f = np.where(outlier_mask(f), np.nan, f)
        trend = detrend_arrays(time, f, options.detrend, window)
        if phase is not None:
            # the trend (a window of days) barely sees the 6-h roll: fit the roll on f / trend
            f = np.where(firing, np.nan, f / roll_phase_correction(time, f, phase, exclude=firing, trend=trend))
        with np.errstate(invalid="ignore", divide="ignore"):
            clean[i] = f / trend
    return clean, raw, notes


def analyze_table_rows(time: np.ndarray, flux: np.ndarray, options: AnalysisOptions, ids: Sequence[str],
                       file: str, keep_table: bool, firing: np.ndarray | None = None) -> FeatureSet:
    """Clean, search (batched), vet and featurise rows of a flux table sharing ``time``
    (BJD_TDB days); ``ids`` name the rows, ``keep_table`` keeps the raw rows for the
    original CNN, ``firing`` are the table's thruster-firing cadences
    (:func:`table_firing_mask`; left out of everything after the roll correction). A row
    that cannot be analysed keeps a note in its ``flags``."""
    from .search import search_many

    table_rows, time_all = flux, time
    clean, raw, notes = clean_table_rows(time, flux, options, firing)
    if firing is not None:  # every row loses the same cadences: drop them for all
        keep = ~np.asarray(firing, bool)
        time, clean, raw = time[keep], clean[:, keep], raw[:, keep]
    ok = np.array([not n for n in notes])
    results: list[Any] = [None] * flux.shape[0]
    # search_many shares the fold between stars only when they have the same valid
    # cadences: search the complete rows together and the others on their own
    complete = ok & np.isfinite(clean).all(axis=1)
    for group in (np.flatnonzero(complete), np.flatnonzero(ok & ~complete)):
        if not group.size:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StarskopeWarning)
            found = search_many(time, clean[group], period_min=options.period_min_days,
                                period_max=search_period_max(time, options), max_planets=1,
                                oversample=options.search_oversample)
        for j, i in enumerate(group):
            results[i] = found[j]
    stars = []
    for i in range(flux.shape[0]):
        cand = _best(results[i])
        good = np.isfinite(clean[i])
        row, vflags = (None, "")
        if ok[i]:
            row, vflags = _vet(time[good], clean[i][good], cand, options, target=None, mission="K2")
        stars.append(StarData(time=time, flux=clean[i], raw_flux=raw[i], candidate=cand, vetting=row, file=file,
                              target_id=str(ids[i]), mission="K2", flags=vflags or notes[i],
                              table_flux=table_rows[i] if keep_table else None))
    fs = extract_features(stars, view_spec=options.views(), spectrogram_spec=options.spectrogram())
    if options.star_types:
        curves = [(time_all, table_rows[i], None, 0) if ok[i] else None for i in range(flux.shape[0])]
        fs = _with_meta(fs, _star_type_meta(curves, [f"{file} {ids[i]}" for i in range(flux.shape[0])]))
    return fs


def _run_chunks(fn: Callable[..., FeatureSet], jobs: list[tuple], workers: int, progress: Progress | None,
                stage: str, sizes: list[int]) -> list[FeatureSet]:
    total = int(sum(sizes))
    done = 0
    out: list[FeatureSet | None] = [None] * len(jobs)
    if progress is not None:
        progress(stage, 0, total)
    if workers <= 1 or len(jobs) <= 1:
        for k, job in enumerate(jobs):
            out[k] = fn(*job)
            done += sizes[k]
            if progress is not None:
                progress(stage, done, total)
        return [o for o in out if o is not None]
    import multiprocessing as mp

    with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
        futures = {pool.submit(fn, *job): k for k, job in enumerate(jobs)}
        from concurrent.futures import as_completed

        for fut in as_completed(futures):
            k = futures[fut]
            out[k] = fut.result()
            done += sizes[k]
            if progress is not None:
                progress(stage, done, total)
    return [o for o in out if o is not None]


def table_features(
    table: Any,
    *,
    labels: np.ndarray | None = None,
    options: AnalysisOptions | None = None,
    workers: int = 1,
    progress: Progress | None = None,
    keep_table: bool = True,
) -> FeatureSet:
    """Features of every star of a Kaggle-layout flux table.

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
    keep_table : bool
        Keep the raw rows (``FeatureSet.table_flux``) for the original CNN.
    """
    from .io.flux_table import read_flux_table

    options = options or AnalysisOptions()
    if isinstance(table, str | os.PathLike):
        table = read_flux_table(table)
    time = np.asarray(table.time.tdb.jd, float)
    flux = np.asarray(table.flux, float)
    file = str(getattr(table, "source", "") or "")
    ids = [f"row {i + 1}" for i in range(flux.shape[0])]
    firing = table_firing_mask(time, flux, options)
    step = max(1, int(options.chunk_size))
    jobs, sizes = [], []
    for s in range(0, flux.shape[0], step):
        jobs.append((time, flux[s: s + step], options, ids[s: s + step], file, keep_table, firing))
        sizes.append(min(step, flux.shape[0] - s))
    parts = _run_chunks(analyze_table_rows, jobs, workers, progress, "analyse table", sizes)
    fs = FeatureSet.concat(parts)
    if labels is not None:
        fs = fs.with_labels(labels)
    return fs


# --------------------------------------------------------------------------- files
def is_flux_table(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a CSV whose header is the Kaggle layout (``LABEL,FLUX.1,…``
    or ``FLUX.1,…``); see :func:`starskope.io.flux_table.is_flux_table`."""
    from .io.flux_table import is_flux_table as _is_flux_table

    return _is_flux_table(path)


def expand_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[str, Path]]:
    """Files to classify, each tagged ``"table"`` (Kaggle layout) or ``"lightcurve"``;
    folders are searched recursively for light-curve files
    (:func:`starskope.filetypes.find_light_curves`).

    Raises
    ------
    LightCurveFileError
        A path that does not exist.
    """
    from .errors import LightCurveFileError
    from .filetypes import find_light_curves

    out: list[tuple[str, Path]] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise LightCurveFileError(f"{p}: no such file or folder")
        files = find_light_curves(p)[0] if p.is_dir() else [p]
        for q in files:
            out.append(("table" if is_flux_table(q) else "lightcurve", q))
    return out


def analyze_files(paths: Sequence[str], options: AnalysisOptions) -> FeatureSet:
    """Read, clean, search, vet and featurise light-curve files; a file that cannot be
    read or analysed gets a row whose ``flags`` start with ``error:``."""
    from .io import read

    stars = []
    curves: list[tuple[np.ndarray, np.ndarray, np.ndarray | None, int] | None] = []
    for path in paths:
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lc = read(path)
            stars.append(analyze_lightcurve(lc, options=options, file=str(path)))
            curves.append(_raw_curve(lc) if options.star_types else None)
        except (StarskopeError, OSError, ValueError) as exc:
            stars.append(StarData(time=np.zeros(0), flux=np.zeros(0), file=str(path),
                                  flags=f"error: {type(exc).__name__}: {str(exc)[:200]}"))
            curves.append(None)
    fs = extract_features(stars, view_spec=options.views(), spectrogram_spec=options.spectrogram())
    if options.star_types:
        fs = _with_meta(fs, _star_type_meta(curves, [str(p) for p in paths]))
    return fs


def _raw_curve(lc: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray, int]:
    """A light curve's raw arrays and its telescope's default QUALITY mask, for star types."""
    from .lightcurve import arrays
    from .startypes.api import quality_mask_for

    a = arrays(lc)
    return a.time, a.flux, a.quality, quality_mask_for(lc.meta.get("MISSION"))


def files_features(
    paths: Sequence[str | os.PathLike[str]],
    *,
    labels: np.ndarray | None = None,
    options: AnalysisOptions | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> FeatureSet:
    """Features of light-curve files, one star per file (unreadable files get a row with
    an ``error: …`` flag and no features)."""
    options = options or AnalysisOptions()
    paths = [str(p) for p in paths]
    if not paths:
        raise ParameterError("no light-curve files given")
    step = max(1, min(int(options.chunk_size), 16))
    jobs = [(paths[s: s + step], options) for s in range(0, len(paths), step)]
    sizes = [len(j[0]) for j in jobs]
    fs = FeatureSet.concat(_run_chunks(analyze_files, jobs, workers, progress, "analyse files", sizes))
    return fs if labels is None else fs.with_labels(labels)


def files_from_lightcurves(lcs: Sequence[Any], *, options: AnalysisOptions | None = None,
                           labels: np.ndarray | None = None, files: Sequence[str] | None = None) -> FeatureSet:
    """Features of light curves already in memory (e.g. stitched quarters)."""
    options = options or AnalysisOptions()
    stars = []
    for i, lc in enumerate(lcs):
        name = files[i] if files is not None else ""
        try:
            stars.append(analyze_lightcurve(lc, options=options, file=name))
        except (StarskopeError, ValueError) as exc:
            stars.append(StarData(time=np.zeros(0), flux=np.zeros(0), file=name,
                                  flags=f"error: {type(exc).__name__}: {str(exc)[:200]}"))
    fs = extract_features(stars, view_spec=options.views(), spectrogram_spec=options.spectrogram())
    return fs if labels is None else fs.with_labels(labels)


# --------------------------------------------------------------------------- classify
#: Columns of ``starskope classify`` output, before the per-class ``p_<class>`` columns
#: are inserted after ``p_planet``.
CLASSIFY_COLUMNS: tuple[str, ...] = (
    "file", "target_id", "mission", "predicted_class", "p_planet",
    "period_days", "epoch_bjd", "depth_ppm", "duration_hours", "snr", "planet_radius_earth", "flags",
)


def predictions_table(fs: FeatureSet, proba: np.ndarray, classes: Sequence[str],
                      decided: np.ndarray | None = None) -> Any:
    """One row per star: provenance, class probabilities, the decided class (``decided``
    class indices; default the most probable) and the best candidate."""
    import pandas as pd

    from .models.labels import PLANET

    classes = [str(c) for c in classes]
    pick = np.argmax(proba, axis=1) if decided is None else np.asarray(decided, dtype=np.int64)
    cols: dict[str, Any] = {
        "file": fs.meta.get("file", np.full(len(fs), "")),
        "target_id": fs.meta.get("target_id", np.full(len(fs), "")),
        "mission": fs.meta.get("mission", np.full(len(fs), "")),
        "predicted_class": np.asarray(classes, dtype=object)[pick],
        "p_planet": proba[:, classes.index(PLANET)],
    }
    for j, c in enumerate(classes):
        cols[f"p_{c}"] = proba[:, j]
    for k in ("period_days", "epoch_bjd", "depth_ppm", "duration_hours", "snr", "planet_radius_earth"):
        cols[k] = np.asarray(fs.meta.get(k, np.full(len(fs), np.nan)), float)
    cols["flags"] = fs.meta.get("flags", np.full(len(fs), ""))
    if "star_type" in fs.meta:
        cols["star_type"] = fs.meta["star_type"]
        for k in sorted((k for k in fs.meta if k.startswith("p_type_")), key=_type_order):
            cols[k] = np.asarray(fs.meta[k], float)
    df = pd.DataFrame(cols)
    errored = df["flags"].astype(str).str.startswith("error:")
    if errored.any():
        for c in ["predicted_class", "p_planet", *[f"p_{c}" for c in classes]]:
            df.loc[errored, c] = np.nan if c != "predicted_class" else ""
    return df


def _type_order(column: str) -> int:
    from .startypes import STAR_TYPES

    name = column.removeprefix("p_type_")
    return STAR_TYPES.index(name) if name in STAR_TYPES else len(STAR_TYPES)


def classify(
    paths: Sequence[str | os.PathLike[str]],
    model: Any = None,
    *,
    options: AnalysisOptions | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> Any:
    """Classify light-curve files, folders, globs, manifests and Kaggle-layout tables.

    The table of ``starskope classify``, in memory: the same batch engine
    (:mod:`starskope.batch`) and the same rows, in one process (``workers=1``) or on a
    local Dask cluster.

    Parameters
    ----------
    paths : sequence of path-like
    model : StarskopeClassifier, optional
        A four-class starskope model (default: the shipped default model).
    options : AnalysisOptions, optional
        Default: the options stored with the model, with star types on.
    workers : int
        1: in this process; more: worker processes of a local Dask cluster.
    progress : callable, optional
        ``progress("classify", done, total)`` after each file or table chunk.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`starskope.batch.classify.classify_columns`, one row per
        light curve in input order; ``predicted_class`` is the model's decision
        (``predict``); a light curve that could not be analysed has ``flags`` starting
        with ``error:``.

    Raises
    ------
    ParameterError
        Not a four-class model, or no light-curve files in ``paths``.
    LightCurveDataError
        None of the inputs could be analysed.
    """
    import tempfile

    import pandas as pd

    from .batch import collect_items, run_batch
    from .batch.classify import classify_task
    from .models import default_model, save_model
    from .models.labels import CLASSES

    given = model is not None
    model = model if given else default_model()
    if [str(c) for c in model.classes_] != list(CLASSES):
        raise ParameterError(
            f"classify needs a four-class starskope model (classes {', '.join(CLASSES)}); "
            f"this one has classes {list(model.classes_)}"
        )
    if options is None:
        options = AnalysisOptions.from_dict((getattr(model, "preprocessing_", {}) or {}).get("analysis"))
        options = replace(options, star_types=True)
    items = collect_items(paths)
    if not items:
        raise ParameterError("no light-curve files found in the given paths")
    done = [0]

    def tick(_entry: dict[str, Any]) -> None:
        done[0] += 1
        if progress is not None:
            progress("classify", done[0], len(items))

    inline = workers <= 1
    with tempfile.TemporaryDirectory(prefix="starskope-classify-") as tmp:
        model_dir = ""
        if given and not inline:  # workers load the model from a folder
            model_dir = str(save_model(model, Path(tmp) / "model"))
        task = classify_task(model_dir, options.as_dict(), model=model if inline else None)
        out = Path(tmp) / "classify.parquet"
        run_batch(items, task, out, workers=max(int(workers), 1), progress=False, on_result=tick, inline=inline,
                  status_columns=False)
        table = pd.read_parquet(out)
    bad = table["flags"].fillna("").astype(str).str.startswith("error:")
    if bad.all():
        raise LightCurveDataError(f"none of the {len(table)} inputs could be analysed; first error: {table['flags'].iloc[0]}")
    return table


# --------------------------------------------------------------------------- real data
#: Manifest folders whose labelled light curves are used, and how files group into stars.
REAL_GROUPS: tuple[str, ...] = ("kepler/dr24", "kepler/eb", "kepler/misc", "k2/misc", "tess/misc", "tess/ffi")


def shared_data_dir() -> Path | None:
    """The shared real-data folder (``$STARSKOPE_SHARED_DATA``, else ``../shared/data``
    beside the repository), or None when absent."""
    env = os.environ.get("STARSKOPE_SHARED_DATA")
    candidates = [Path(env)] if env else []
    candidates.append(Path(__file__).resolve().parents[3] / "shared" / "data")
    candidates.append(Path.cwd().parent / "shared" / "data")
    for c in candidates:
        if (c / "manifest.csv").is_file():
            return c
    return None


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


def real_stars(folder: str | os.PathLike[str] | None = None) -> list[RealStar]:
    """The labelled stars of shared/data's manifest, split in two by target.

    A star is held out for evaluation when the SHA-1 of its target id is even, so the
    split is fixed, the same for every run, and never puts one star (or another product
    of it) on both sides. Kepler DR24 stars stitch their quarters; other folders give
    one star per target (the first file listed) for evaluation and every file for
    training.

    Raises
    ------
    ParameterError
        No shared data folder.
    """
    import csv
    import hashlib

    from .models.labels import CLASSES, from_manifest_class

    base = Path(folder) if folder is not None else shared_data_dir()
    if base is None or not (base / "manifest.csv").is_file():
        raise ParameterError("shared real data not found; set STARSKOPE_SHARED_DATA to the folder with manifest.csv")
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


def _read_star(star: RealStar) -> Any:
    from .clean import stitch
    from .errors import TimeSystemError
    from .io import read

    def one(path: str) -> Any:
        try:
            return read(path)
        except TimeSystemError:
            # a text file that does not state its time system: the manifest names the
            # telescope, whose files count days in BKJD (Kepler, K2) or BTJD (TESS)
            fmt = "btjd" if star.mission.upper() == "TESS" else "bkjd"
            return read(path, mission=star.mission, time_format=fmt)

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lcs = [one(f) for f in star.files]
        return lcs[0] if len(lcs) == 1 else stitch(lcs)


def _real_chunk(stars: Sequence[RealStar], options: AnalysisOptions) -> FeatureSet:
    data = []
    for s in stars:
        name = s.files[0] if len(s.files) == 1 else f"{s.target_id} ({len(s.files)} files stitched)"
        try:
            sd = analyze_lightcurve(_read_star(s), options=options, file=name)
            sd.target_id = sd.target_id or s.target_id
        except (StarskopeError, OSError, ValueError) as exc:
            sd = StarData(time=np.zeros(0), flux=np.zeros(0), file=name, target_id=s.target_id, mission=s.mission,
                          flags=f"error: {type(exc).__name__}: {str(exc)[:200]}")
        data.append(sd)
    return extract_features(data, labels=[s.label for s in stars], view_spec=options.views(),
                            spectrogram_spec=options.spectrogram())


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
    groups : sequence of str, optional
        Manifest folders to use (default :data:`REAL_GROUPS`).

    Stars whose files cannot be read or analysed are dropped (their number is kept in
    ``spec['dropped']``).
    """
    if split not in ("train", "eval", "all"):
        raise ParameterError(f"split must be 'train', 'eval' or 'all'; got {split!r}")
    options = options or AnalysisOptions()
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
    # slow (stitched, long) stars first so the pool stays busy
    stars.sort(key=lambda s: -len(s.files))
    step = 4
    jobs = [(stars[i: i + step], options) for i in range(0, len(stars), step)]
    fs = FeatureSet.concat(_run_chunks(_real_chunk, jobs, workers, progress, f"analyse real ({split})",
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


def _tce_chunk(items: Sequence[tuple[RealStar, list[Any]]], options: AnalysisOptions) -> tuple[FeatureSet, list[str]]:
    from .clean import clean
    from .lightcurve import arrays
    from .vetting import vet

    data, labels = [], []
    for star, tces in items:
        try:
            lc = _read_star(star)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                cleaned = clean(lc, method=options.detrend)
        except (StarskopeError, OSError, ValueError):
            continue
        a = arrays(cleaned)
        for tce in tces:
            try:
                with warnings.catch_warnings():
                    warnings.simplefilter("ignore")
                    rep = vet((a.time, a.flux), tce, stellar=options.stellar, target=star.target_id,
                              mission="Kepler", catalog_match=False, others=[t for t in tces if t is not tce])
            except StarskopeError:
                continue
            cand = rep.candidate
            data.append(StarData(time=a.time, flux=a.flux, candidate=cand, vetting=rep.as_row(),
                                 file=f"{star.target_id} TCE {int(tce.extra.get('tce_plnt_num', 0))}",
                                 target_id=star.target_id, mission="Kepler", flags=";".join(rep.flag_names)))
            labels.append(tce.source.split()[-1])
    fs = extract_features(data, view_spec=options.views(), spectrogram_spec=options.spectrogram())
    return fs, labels


def dr24_tce_features(
    *, options: AnalysisOptions | None = None, workers: int = 1, progress: Progress | None = None,
    folder: str | os.PathLike[str] | None = None,
) -> tuple[FeatureSet, np.ndarray]:
    """Features of every DR24 TCE (PC, AFP, NTP) of the shared Kepler DR24 stars, vetted
    at the catalogue ephemeris on the stitched Q2–Q4 light curve.

    Returns
    -------
    FeatureSet, ndarray of str
        One row per TCE with transits in the data, and its ``av_training_set`` label.
    """
    from .catalogs import dr24_tces

    options = options or AnalysisOptions()
    items = []
    for s in real_stars(folder):
        if s.group != "kepler/dr24":
            continue
        tces = dr24_tces(s.target_id, labels=["PC", "AFP", "NTP"])
        if tces:
            items.append((s, tces))
    if not items:
        raise ParameterError("no DR24 TCEs among the shared Kepler stars")
    jobs = [([it], options) for it in items]
    total = len(jobs)
    parts: list[tuple[FeatureSet, list[str]]] = []
    if workers <= 1:
        for k, job in enumerate(jobs):
            parts.append(_tce_chunk(*job))
            if progress is not None:
                progress("vet DR24 TCEs", k + 1, total)
    else:
        import multiprocessing as mp
        from concurrent.futures import as_completed

        with ProcessPoolExecutor(max_workers=workers, mp_context=mp.get_context("spawn")) as pool:
            futs = [pool.submit(_tce_chunk, *job) for job in jobs]
            for k, fut in enumerate(as_completed(futs)):
                parts.append(fut.result())
                if progress is not None:
                    progress("vet DR24 TCEs", k + 1, total)
    parts = [p for p in parts if len(p[0])]
    fs = FeatureSet.concat([p[0] for p in parts])
    labels = np.concatenate([np.asarray(p[1], dtype=object) for p in parts])
    return fs, labels


def _inject_chunk(jobs: Sequence[tuple[RealStar, int]], options: AnalysisOptions) -> FeatureSet:
    from .lightcurve import arrays
    from .models.labels import CLASSES
    from .simulate import inject

    data, labels = [], []
    for star, seed in jobs:
        try:
            lc = _read_star(star)
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                lc = lc[np.isfinite(arrays(lc).flux)]
                new, truth = inject(lc, "planet", seed=seed)
            sd = analyze_lightcurve(new, options=options, file=f"{star.files[0]} + injected planet (seed {seed})")
        except (StarskopeError, OSError, ValueError):
            continue
        cand = sd.candidate
        p_true = float(truth.get("period_days", np.nan))
        # label only transits the search found at the injected period (or half / twice it):
        # an injected planet lost in the noise is no example of what a planet looks like
        if cand is None or not np.isfinite(p_true) or not (cand.snr >= options.vet_min_snr):
            continue
        ratio = cand.period_days / p_true
        if not any(abs(ratio - r) < 0.01 * r for r in (0.5, 1.0, 2.0)):
            continue
        sd.target_id = star.target_id
        data.append(sd)
        labels.append(CLASSES.index("planet_transit"))
    return extract_features(data, labels=labels, view_spec=options.views(), spectrogram_spec=options.spectrogram())


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
    """Planet transits injected into the real quiet stars of the *training* half of
    shared/data (:func:`starskope.simulate.inject`, planets drawn from the Kepler
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
    from .models.labels import CLASSES

    options = options or AnalysisOptions()
    quiet = CLASSES.index("nothing_significant")
    jobs: list[tuple[RealStar, int]] = []
    for g in groups:
        stars = [s for s in real_stars(folder) if s.group == g and not s.held_out and s.label == quiet]
        for s in stars[:max_stars]:
            jobs += [(s, seed * 1000 + len(jobs) + k) for k in range(per_star)]
    if not jobs:
        raise ParameterError(f"no quiet training stars in {list(groups)} to inject into")
    step = 4
    chunks = [(jobs[i: i + step], options) for i in range(0, len(jobs), step)]
    parts = _run_chunks(_inject_chunk, chunks, workers, progress, "inject planets", [len(c[0]) for c in chunks])
    parts = [p for p in parts if len(p)]
    if not parts:
        raise ParameterError("no injected planet was recovered by the search")
    return FeatureSet.concat(parts)


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

    from .models.labels import CLASSES, from_truth_class
    from .simulate import simulate_mission

    out = Path(out_dir)
    if not (out / "truth.csv").is_file():
        simulate_mission(mission, out, int(n), seed=seed, cadence=cadence, host_fraction=host_fraction)
    truth = pd.read_csv(out / "truth.csv")
    files = [str(out / str(f).split(";")[0]) for f in truth["file"]]
    labels = np.array([CLASSES.index(from_truth_class(str(c))) for c in truth["class"]], dtype=np.int64)
    fs = files_features(files, labels=labels, options=options, workers=workers, progress=progress)
    ok = ~np.char.startswith(fs.meta["flags"].astype(str), "error:")
    return fs.subset(ok)


def _robust_point_sigma(row: np.ndarray) -> float:
    """Per-point relative scatter from point-to-point differences (insensitive to trends)."""
    f = row[np.isfinite(row)]
    f = f / np.median(f)
    d = np.diff(f)
    return float(1.4826 * np.median(np.abs(d - np.median(d))) / np.sqrt(2.0))


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
    then go through the same clean → search → vet → features chain as every other star.
    Only the training table is augmented; test stars are never touched.
    """
    from .models.labels import CLASSES
    from .simulate import Star
    from .simulate.population import draw_host_snr, draw_planet_for_snr

    options = options or AnalysisOptions()
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
        sigma = _robust_point_sigma(row)

        def noise_over(duration_days: float, s: float = sigma) -> float:
            return s / np.sqrt(max(duration_days / cad, 1.0))

        planet, _, _ = draw_planet_for_snr(star, rng, float(snrs[k]), noise_over, t, cad)
        flux[k] = row * planet.relative_flux(t, cad)
        periods[k] = float(planet.period.to_value("day"))
    ids = [f"row {r + 1} + injected planet" for r in rows]
    firing = table_firing_mask(t, table.flux, options)  # the host table's firings
    step = max(1, int(options.chunk_size))
    jobs = [(t, flux[s: s + step], options, ids[s: s + step], "injected", True, firing)
            for s in range(0, len(rows), step)]
    fs = FeatureSet.concat(_run_chunks(analyze_table_rows, jobs, workers, progress, "inject planets (augmentation)",
                                       [len(j[1]) for j in jobs]))
    found = fs.meta["period_days"] / periods
    ok = np.zeros(len(fs), dtype=bool)
    for ratio in (0.5, 1.0, 2.0):
        ok |= np.abs(found - ratio) < 0.01 * ratio
    ok &= fs.meta["snr"] >= options.vet_min_snr
    out = fs.subset(ok)
    return out.with_labels(np.full(len(out), CLASSES.index("planet_transit")))
