"""Rows of a Kaggle-layout flux table: cleaned together, searched together (they share
their time stamps), then each measured as every other star (:func:`~.core.measure`)."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import LightCurveDataError, ParameterError, StarskopeWarning
from .core import MIN_CADENCES, collect_warnings, measure, star_types
from .options import AnalysisOptions, search_period_max
from .result import StarAnalysis

__all__ = [
    "FIRING_ROWS",
    "analyse_table_row",
    "analyse_table_rows",
    "clean_table_rows",
    "clean_table_rows_for",
    "table_file_firing_mask",
    "table_firing_mask",
]

#: A table's thruster firings are found from its first rows (this many): the same
#: cadences however the table is split into chunks or batch items.
FIRING_ROWS = 600

_FIRINGS: dict[tuple[str, int, int, bool], np.ndarray | None] = {}


def table_firing_mask(time: np.ndarray, flux: np.ndarray, options: AnalysisOptions) -> np.ndarray | None:
    """Thruster-firing cadences of a K2 flux table, from its first :data:`FIRING_ROWS`
    rows (:func:`starskope.clean.k2roll.table_firings`); None when ``options.k2_roll`` is
    off, the table is too small, or no firings stand out (said with a warning)."""
    if not options.k2_roll:
        return None
    from ..clean.k2roll import table_firings

    found = table_firings(np.asarray(time, float), np.asarray(flux[:FIRING_ROWS], float))
    if found is None:
        warnings.warn(f"no K2 thruster firings found in a table of {np.shape(flux)[0]} stars (the common-mode test "
                      "needs a few hundred, or the archive's NaN firing cadences): the roll is not corrected",
                      StarskopeWarning, stacklevel=2)
    return found


def table_file_firing_mask(path: str | os.PathLike[str], options: AnalysisOptions) -> np.ndarray | None:
    """:func:`table_firing_mask` of a table file, read once per process (by path, size
    and modification time): a batch worker analysing one chunk of rows uses the same
    firings as a run over the whole table. The warning for a table without firings is
    raised at every call, so every star of it carries it."""
    if not options.k2_roll:
        return None
    from ..io.flux_table import read_flux_table_rows

    st = os.stat(path)
    key = (str(Path(path).resolve()), int(st.st_size), int(st.st_mtime_ns), True)
    if key not in _FIRINGS:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            head = read_flux_table_rows(path, 0, FIRING_ROWS)
        with warnings.catch_warnings(record=True) as caught:
            warnings.simplefilter("always")
            _FIRINGS[key] = table_firing_mask(head.time.tdb.jd, head.flux, options)
        _FIRINGS[(*key[:3], False)] = np.asarray([str(w.message) for w in caught], dtype=object)
    for message in _FIRINGS[(*key[:3], False)]:
        warnings.warn(str(message), StarskopeWarning, stacklevel=2)
    return _FIRINGS[key]


def clean_table_rows(time: np.ndarray, flux: np.ndarray, options: AnalysisOptions,
                     firing: np.ndarray | None = None, *,
                     period_max: float | None = None) -> tuple[np.ndarray, np.ndarray, list[str]]:
    """Rows of a flux table cleaned as every table star is (the array core of clean).

    Each row is divided by its median; with ``firing`` (the table's thruster-firing
    cadences, :func:`table_firing_mask`) its K2 roll sawtooth is divided out against the
    roll phase and the firing cadences become NaN; then it is detrended with the window
    that keeps the longest transit up to ``period_max`` days (default: the search's
    longest period, :func:`~.options.search_period_max`).

    Returns the cleaned rows (≈ 1), the rows divided by their median (before any
    correction), and a note per row (empty, or why the row was not analysed).
    """
    pmax = search_period_max(time, options) if period_max is None else float(period_max)
    cleaned, raw, notes = clean_table_rows_for(time, flux, options, firing, [pmax])
    return cleaned[0], raw, notes


def clean_table_rows_for(time: np.ndarray, flux: np.ndarray, options: AnalysisOptions,
                         firing: np.ndarray | None, periods_max: Sequence[float]
                         ) -> tuple[list[np.ndarray], np.ndarray, list[str]]:
    """:func:`clean_table_rows` for several detrending windows at once (one per longest
    period in ``periods_max``): the rows are normalised and their K2 roll fitted once
    (against the trend of the longest window), then detrended with each window."""
    import astropy.units as u

    from ..clean import default_window, detrend_arrays, jitter_mask, outlier_mask

    phase = None
    if firing is not None:
        from ..clean.k2roll import roll_phase, roll_phase_correction

        firing = np.asarray(firing, bool)
        phase = roll_phase(time, firing)
    windows = [float(default_window(p * u.day).to_value(u.day)) for p in periods_max]
    longest = int(np.argmax(windows))
    cleaned = [np.full(flux.shape, np.nan) for _ in windows]
    raw = np.full(flux.shape, np.nan)
    notes = [""] * flux.shape[0]
    for i, row in enumerate(flux):
        fin = np.isfinite(row)
        med = float(np.median(row[fin])) if fin.sum() else float("nan")
        if not (np.isfinite(med) and med > 0) or fin.sum() < MIN_CADENCES:
            notes[i] = (f"not_analysed: flux median not positive or fewer than {MIN_CADENCES} finite cadences "
                        f"({int(fin.sum())}); it cannot be normalised")
            continue
        f = raw[i] = row / med
        if options.table_outliers:
            f = np.where(jitter_mask(f, time), np.nan, f)
            f = np.where(outlier_mask(f), np.nan, f)
        trends = [detrend_arrays(time, f, options.detrend, w) for w in windows]
        if phase is not None:
            # the trend (a window of days) barely sees the 6-h roll: fit the roll on f / trend
            f = np.where(firing, np.nan,
                         f / roll_phase_correction(time, f, phase, exclude=firing, trend=trends[longest]))
        with np.errstate(invalid="ignore", divide="ignore"):
            for k, trend in enumerate(trends):
                cleaned[k][i] = f / trend
    return cleaned, raw, notes


def _search_rows(time: np.ndarray, clean: np.ndarray, ok: np.ndarray, options: AnalysisOptions,
                 band: tuple[float, float] | None = None) -> list[Any]:
    """The transit search of every analysable row over ``band`` (days; default the whole
    range); rows with the same valid cadences share their fold
    (:func:`starskope.search.search_many`): the complete rows together, the others on
    their own. Equal to searching each row alone."""
    from ..errors import ParameterError
    from ..search import search_many

    results: list[Any] = [None] * clean.shape[0]
    complete = ok & np.isfinite(clean).all(axis=1)
    for group in (np.flatnonzero(complete), np.flatnonzero(ok & ~complete)):
        if not group.size:
            continue
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StarskopeWarning)
            try:
                lo, hi = band or (options.period_min_days, search_period_max(time, options))
                hi = min(hi, float(time[-1] - time[0]))  # the firings dropped may shorten the baseline
                found = search_many(time, clean[group], period_min=lo, period_max=hi,
                                    max_planets=options.max_planets, oversample=options.search_oversample,
                                    snr_threshold=options.search_snr)
            except ParameterError:
                # one bad row fails the batch: search the rows one by one so only it fails
                found = [_search_one(time, clean[i], options, band) for i in group]
        for j, i in enumerate(group):
            results[i] = found[j]
    return results


def _search_one(time: np.ndarray, flux: np.ndarray, options: AnalysisOptions,
                band: tuple[float, float] | None = None) -> Any:
    from .bands import band_search

    return band_search(time, flux, band or (options.period_min_days, search_period_max(time, options)), options)


def analyse_table_rows(time: np.ndarray, rows: np.ndarray, *, options: AnalysisOptions | None = None,
                       ids: Sequence[str] | None = None, file: str = "", mission: str = "K2",
                       firing: np.ndarray | None = None, keep_table: bool = True,
                       detail: bool = False) -> list[StarAnalysis | LightCurveDataError]:
    """Analyse rows of a Kaggle-layout flux table sharing ``time`` (BJD_TDB days).

    Parameters
    ----------
    time : ndarray
        The table's time stamps (``FluxTable.time.tdb.jd``).
    rows : ndarray, shape (n_stars, n_cadences)
        Flux rows, e-/s.
    options : AnalysisOptions, optional
    ids : sequence of str, optional
        Row names (default ``"row 1"``, ``"row 2"``, … in the order given).
    file : str
        The table's path.
    mission : str
        Telescope of the table (K2 Campaign 3 for the Kaggle tables).
    firing : ndarray of bool, optional
        The table's thruster-firing cadences (:func:`table_firing_mask` or
        :func:`table_file_firing_mask`); left out of everything after the roll
        correction. Without them no roll correction is made.
    keep_table : bool
        Keep each raw row with its features (the input of the reproduced original CNN).
    detail : bool
        Also vet candidates below the detection threshold, for display.

    Returns
    -------
    list
        One :class:`StarAnalysis` per row, or a :class:`LightCurveDataError` for a row
        that cannot be analysed (non-positive median flux, too few finite cadences).
    """
    options = options or AnalysisOptions()
    time_all = np.asarray(time, float)
    rows = np.atleast_2d(np.asarray(rows, float))
    if rows.shape[1] != time_all.size:
        raise LightCurveDataError(f"{file or 'table'}: rows of {rows.shape[1]} flux values for {time_all.size} "
                                  "time stamps")
    ids = list(ids) if ids is not None else [f"row {i + 1}" for i in range(rows.shape[0])]
    name = Path(file).name if file else "table"
    with collect_warnings() as caught:
        t, clean_of, raw, notes, searches, windows = _clean_and_search_rows(time_all, rows, options, firing)
        ok = np.array([not n for n in notes])
        labels = [f"{ids[i]} of {name}" for i in range(rows.shape[0])]
        # the star types first: an eclipsing binary's broad minimum is put at its orbit
        analysed = np.flatnonzero(ok).tolist()
        types: dict[int, Any] = {}
        if options.star_types and analysed:
            found = star_types([(time_all, rows[i], None, 0) for i in analysed], [labels[i] for i in analysed])
            types = dict(zip(analysed, found, strict=True))
        out: list[StarAnalysis | LightCurveDataError] = []
        for i in range(rows.shape[0]):
            label = labels[i]
            if not ok[i]:
                out.append(LightCurveDataError(f"{label}: {notes[i].removeprefix('not_analysed: ')}"))
                continue
            clean = clean_of[i]
            good = np.isfinite(clean)
            row_all = rows[i]
            med = float(np.median(row_all[np.isfinite(row_all)]))
            with np.errstate(invalid="ignore", divide="ignore"):
                trend = raw[i] / clean  # everything divided out: roll and stellar trend
            kept = np.zeros(time_all.size, bool)
            kept[np.flatnonzero(~np.asarray(firing, bool)) if firing is not None else np.arange(t.size)] = good
            steps = [f"normalised by the row's median flux {med:.6g} e-/s"]
            if options.table_outliers:
                steps.append("upward outliers removed")
            if firing is not None:
                steps.append(f"K2 roll removed against the roll phase of {int(np.sum(firing))} thruster firings "
                             "found in the table; firing cadences left out")
            elif options.k2_roll:
                steps.append("K2 roll not corrected: no thruster firings were found in the table")
            steps.append(windows[i])
            out.append(measure(
                label=label, file=file, target=str(ids[i]), mission=mission, time=t[good], flux=clean[good],
                raw_at_kept=raw[i][good], options=options, search=searches[i], detail=detail,
                table_flux=row_all if keep_table else None, product="Kaggle-layout flux table",
                flux_origin="PDCSAP_FLUX (table)", raw_time=time_all, raw_flux=row_all / med,
                quality=np.zeros(time_all.size, np.int64), quality_bitmask=0, kept=kept, trend=trend[good],
                provenance=steps, star_type=types.get(i)))
    for a in out:
        if isinstance(a, StarAnalysis):
            a.warnings.extend(m for m in caught if m not in a.warnings)
    return out


def _window_text(period_max: float, options: AnalysisOptions) -> str:
    import astropy.units as u

    from ..clean import default_window

    window = float(default_window(period_max * u.day).to_value(u.day))
    return f"detrend: {options.detrend} window {window:.2f} d"


def _clean_and_search_rows(time_all: np.ndarray, rows: np.ndarray, options: AnalysisOptions,
                           firing: np.ndarray | None) -> tuple[np.ndarray, list[np.ndarray], np.ndarray, list[str],
                                                               list[Any], list[str]]:
    """Clean and search the rows, in period bands when ``options.search_bands`` (each
    band on the rows detrended for its own longest transit; the bands' searches merged
    per row). Returns the time stamps kept, each row's cleaned flux (from the band of
    its best candidate), the rows divided by their median, the notes, each row's search
    and its detrending step in words."""
    from ..search import merge_band_results, period_bands

    keep = ~np.asarray(firing, bool) if firing is not None else np.ones(time_all.size, bool)
    t = time_all[keep]
    pmax = search_period_max(time_all, options)
    bands = [(options.period_min_days, pmax)]
    if options.search_bands:
        try:
            bands = period_bands(options.period_min_days, pmax)
        except ParameterError:
            pass
    # every row loses the same cadences: the firings are dropped for all
    per_band, raw, notes = clean_table_rows_for(time_all, rows, options, firing, [hi for _, hi in bands])
    raw = raw[:, keep]
    ok = np.array([not n for n in notes])
    cleans, searches = [], []
    for band, clean in zip(bands, per_band, strict=True):
        clean = clean[:, keep]
        cleans.append(clean)
        searches.append(_search_rows(t, clean, ok, options, band))
    rows_clean, rows_search, rows_window = [], [], []
    for i in range(rows.shape[0]):
        if len(bands) == 1:
            merged, k = searches[0][i], 0
        else:
            merged, k = merge_band_results([found[i] for found in searches], bands, t[np.isfinite(cleans[0][i])],
                                                options.max_planets)
        rows_clean.append(cleans[k][i])
        rows_search.append(merged)
        note = _window_text(bands[k][1], options)
        if len(bands) > 1:
            note += f" (the flux of the {bands[k][0]:.3g}–{bands[k][1]:.3g} d band of {len(bands)} searched)"
        rows_window.append(note)
    return t, rows_clean, raw, notes, rows_search, rows_window


def analyse_table_row(time: np.ndarray, row: np.ndarray, *, options: AnalysisOptions | None = None,
                      label: str = "", target: str = "row 1", file: str = "", mission: str = "K2",
                      firing: np.ndarray | None = None, detail: bool = True) -> StarAnalysis:
    """One row of a flux table, analysed exactly as :func:`analyse_table_rows` does.

    Raises
    ------
    LightCurveDataError
        A row whose median flux is not positive, or with too few finite cadences.
    """
    res = analyse_table_rows(time, np.asarray(row, float)[None, :], options=options, ids=[target], file=file,
                             mission=mission, firing=firing, keep_table=True, detail=detail)[0]
    if isinstance(res, LightCurveDataError):
        raise res
    if label:
        res.label = label
    return res
