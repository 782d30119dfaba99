"""One star through the stages, keeping every intermediate result an explanation needs.

:func:`starskope.pipeline.classify` keeps only what the classifier reads (views, scalars);
a report also needs the raw light curve and its quality flags, the removed trend, the
periodogram and the full vetting report. :func:`analyse_lightcurve` and
:func:`analyse_table_row` run the same stages with the same settings
(:class:`~starskope.pipeline.AnalysisOptions`) — clean, search, vet, features — and keep
them in a :class:`StarAnalysis`. The model inputs they build are the ones ``classify``
builds, so the probabilities in a report equal those of ``starskope classify``.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import LightCurveDataError, ParameterError, StarskopeError, StarskopeWarning
from ..features.dataset import FeatureSet, StarData, extract_features
from ..pipeline import AnalysisOptions, search_period_max
from ..search.candidate import TransitCandidate

__all__ = ["StarAnalysis", "analyse_file", "analyse_lightcurve", "analyse_table_row", "default_options"]


def default_options() -> AnalysisOptions:
    """Analysis settings of reports and the web app: the pipeline defaults with stellar
    parameters looked up in the (offline) catalogues, as ``starskope classify`` does."""
    return AnalysisOptions(stellar="auto")


@dataclass
class StarAnalysis:
    """Everything measured about one star, before the classifier.

    Attributes
    ----------
    label : str
        What the user gave (file name, or ``"row 7 of exoTest.csv"``).
    target, mission, product, flux_origin : str
        From the light curve's meta (``""`` when unknown).
    raw_time : ndarray
        Every cadence the reader returned, BJD_TDB days.
    raw_flux : ndarray
        Flux before cleaning divided by the median trend (≈ 1; NaN where missing).
    quality : ndarray of int
        QUALITY flags of every cadence (0 when the file has none).
    quality_bitmask : int
        The bitmask cleaning applied.
    kept : ndarray of bool
        Cadences that survived cleaning (quality mask, NaNs, outliers).
    time, flux : ndarray
        The cleaned cadences, BJD_TDB days, and the detrended flux (≈ 1).
    trend : ndarray
        The removed trend at the cleaned cadences, on the scale of ``raw_flux``.
    search : SearchResult or None
        The transit search (periodogram, candidates); None when it could not run.
    candidate : TransitCandidate or None
        The best candidate (vetting's refined one when vetted).
    vetting : VettingReport or None
        Vetting of the best candidate, also when it is below ``vet_min_snr`` (then shown
        for information only, and not given to the model).
    vetted_for_model : bool
        Whether the vetting row went into the model's features (SNR ≥ ``vet_min_snr``).
    star : StarData
        Exactly what the pipeline gives the feature extractor.
    features : FeatureSet
        The model inputs of this one star.
    provenance : list of str
        Reading and cleaning steps.
    notes : list of str
        Anything that did not go as usual (search or vetting failures).
    options : AnalysisOptions
    """

    label: str
    target: str
    mission: str
    product: str
    flux_origin: str
    raw_time: np.ndarray
    raw_flux: np.ndarray
    quality: np.ndarray
    quality_bitmask: int
    kept: np.ndarray
    time: np.ndarray
    flux: np.ndarray
    trend: np.ndarray
    search: Any
    candidate: TransitCandidate | None
    vetting: Any
    vetted_for_model: bool
    star: StarData
    features: FeatureSet
    provenance: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    options: AnalysisOptions = field(default_factory=default_options)

    @property
    def quality_flagged(self) -> np.ndarray:
        """Cadences whose QUALITY has a bit of the applied mask set."""
        return (self.quality.astype(np.int64) & int(self.quality_bitmask)) != 0

    @property
    def outliers(self) -> np.ndarray:
        """Cadences removed by cleaning for another reason than QUALITY (outliers, NaN)."""
        return ~self.kept & ~self.quality_flagged & np.isfinite(self.raw_flux)

    @property
    def stellar(self) -> dict[str, float]:
        """Stellar parameters used by vetting (unit-suffixed floats; empty when unknown)."""
        return dict(self.vetting.stellar) if self.vetting is not None else {}

    def scalar(self, name: str) -> float:
        """One scalar feature of this star (NaN when not measured)."""
        return float(self.features.scalar(name)[0])


def _best(result: Any) -> TransitCandidate | None:
    if result is None:
        return None
    return result.candidates[0] if len(result.candidates) else result.best


def _search_and_vet(time: np.ndarray, flux: np.ndarray, options: AnalysisOptions, *, target: str,
                    mission: str, notes: list[str]) -> tuple[Any, TransitCandidate | None, Any, bool, str]:
    """The pipeline's search and vetting (:func:`starskope.pipeline.analyze_arrays`),
    keeping the search result and the vetting report."""
    from ..search import search_transits
    from ..vetting import vet

    res, cand, report, vetted, flags = None, None, None, False, ""
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StarskopeWarning)
            res = search_transits(time, flux, period_min=options.period_min_days,
                                  period_max=search_period_max(time, options), max_planets=1,
                                  oversample=options.search_oversample)
        cand = _best(res)
    except ParameterError as exc:
        flags = f"error: search failed: {exc}"
        notes.append(f"transit search failed: {exc}")
    if cand is not None:
        vetted = bool(np.isfinite(cand.snr) and cand.snr >= options.vet_min_snr)
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                report = vet((time, flux), cand, stellar=options.stellar if target else None,
                             target=target or None, mission=mission or None, catalog_match=False)
        except StarskopeError as exc:
            notes.append(f"vetting failed: {exc}")
            if vetted:
                flags = "vetting_failed"
            vetted = False
        if report is not None and vetted:
            flags = ";".join(report.flag_names)
    return res, cand, report, vetted, flags


def _finish(*, label: str, target: str, mission: str, product: str, flux_origin: str, raw_time: np.ndarray,
            raw_flux: np.ndarray, quality: np.ndarray, bitmask: int, kept: np.ndarray, time: np.ndarray,
            flux: np.ndarray, trend: np.ndarray, raw_at_kept: np.ndarray | None, options: AnalysisOptions,
            provenance: list[str], table_flux: np.ndarray | None = None) -> StarAnalysis:
    notes: list[str] = []
    res, cand, report, vetted, flags = _search_and_vet(time, flux, options, target=target, mission=mission,
                                                       notes=notes)
    star = StarData(time=time, flux=flux, raw_flux=raw_at_kept, candidate=cand,
                    vetting=report.as_row() if (vetted and report is not None) else None, file=label,
                    target_id=target, mission=mission, flags=flags, table_flux=table_flux)
    fs = extract_features([star], view_spec=options.views(), spectrogram_spec=options.spectrogram())
    shown = report.candidate if report is not None else cand
    return StarAnalysis(label=label, target=target, mission=mission, product=product, flux_origin=flux_origin,
                        raw_time=raw_time, raw_flux=raw_flux, quality=quality, quality_bitmask=int(bitmask),
                        kept=kept, time=time, flux=flux, trend=trend, search=res, candidate=shown,
                        vetting=report, vetted_for_model=vetted, star=star, features=fs,
                        provenance=list(provenance), notes=notes, options=options)


def _target_name(meta: dict[str, Any]) -> str:
    if meta.get("OBJECT"):
        return str(meta["OBJECT"])
    tid, miss = meta.get("TARGETID"), str(meta.get("MISSION") or "")
    prefix = {"kepler": "KIC", "k2": "EPIC", "tess": "TIC"}.get(miss.lower(), "")
    return f"{prefix} {tid}".strip() if tid is not None else ""


def analyse_lightcurve(lc: Any, *, options: AnalysisOptions | None = None, label: str = "") -> StarAnalysis:
    """Clean, search and vet one light curve, keeping every intermediate result.

    Parameters
    ----------
    lc : lightkurve.LightCurve
        A starskope light curve (:func:`starskope.io.read`).
    options : AnalysisOptions, optional
        Default :func:`default_options`.
    label : str
        Display name (default the file name in ``meta['FILENAME']``).

    Returns
    -------
    StarAnalysis

    Raises
    ------
    LightCurveDataError
        Cleaning left too few cadences to analyse.
    """
    import astropy.units as u

    from ..clean import clean
    from ..lightcurve import arrays
    from ..missions import get_mission

    options = options or default_options()
    meta = dict(lc.meta or {})
    a0 = arrays(lc)
    mission = str(meta.get("MISSION") or "")
    bitmask = 0
    if mission:
        try:
            bitmask = int(get_mission(mission).quality_mask("default"))
        except StarskopeError:
            bitmask = 0
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarskopeWarning)
        cleaned = clean(lc, period_max=search_period_max(a0.time, options) * u.day, method=options.detrend)
    a = arrays(cleaned)
    if a.time.size < 50:
        raise LightCurveDataError(f"{label or meta.get('FILENAME', 'light curve')}: cleaning left "
                                  f"{a.time.size} cadences; at least 50 are needed")
    kept = np.isin(a0.time, a.time)
    trend_raw = np.asarray(getattr(cleaned["trend"], "value", cleaned["trend"]), float) if "trend" in cleaned.colnames \
        else np.ones(a.time.size)
    med = float(np.nanmedian(trend_raw))
    if not (np.isfinite(med) and med > 0):
        med = float(np.nanmedian(a0.flux))
    scale = med if np.isfinite(med) and med > 0 else 1.0
    trend = trend_raw / scale
    raw_at_kept = a.flux * trend  # the pipeline's raw flux: cleaned × trend / median trend
    cmeta = dict(cleaned.meta or {})
    return _finish(label=label or str(meta.get("FILENAME") or ""), target=_target_name(cmeta), mission=mission,
                   product=str(meta.get("PRODUCT") or ""), flux_origin=str(meta.get("FLUX_ORIGIN") or ""),
                   raw_time=a0.time, raw_flux=a0.flux / scale, quality=np.asarray(a0.quality, np.int64),
                   bitmask=bitmask, kept=kept, time=a.time, flux=a.flux, trend=trend, raw_at_kept=raw_at_kept,
                   options=options, provenance=[str(p) for p in cmeta.get("PROVENANCE") or []])


def analyse_file(path: str | Path, *, options: AnalysisOptions | None = None, label: str = "",
                 mission: str | None = None, time_format: str | None = None) -> StarAnalysis:
    """Read one light-curve file (:func:`starskope.io.read`) and analyse it.

    Parameters
    ----------
    path : path-like
    options : AnalysisOptions, optional
    label : str
        Display name (default the file name).
    mission, time_format : str, optional
        For files that do not say (CSV, NPZ), as in :func:`starskope.io.read`.
    """
    from ..io import read

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = read(path, mission=mission, time_format=time_format)
    return analyse_lightcurve(lc, options=options, label=label or Path(path).name)


def analyse_table_row(time: np.ndarray, row: np.ndarray, *, options: AnalysisOptions | None = None,
                      label: str = "", target: str = "", mission: str = "K2",
                      firing: np.ndarray | None = None) -> StarAnalysis:
    """Analyse one row of a Kaggle-layout table the way :func:`starskope.pipeline.table_features`
    does (:func:`starskope.pipeline.clean_table_rows`): normalise by the median,
    (optionally) drop upward outliers, divide out the K2 roll against the table's
    thruster firings, detrend.

    Parameters
    ----------
    time : ndarray
        The table's time stamps, BJD_TDB days (``FluxTable.time``).
    row : ndarray
        The star's flux row (e-/s).
    options : AnalysisOptions, optional
    label : str
        Display name (``"row 7 of exoTest.csv"``).
    target : str
        Star name when known (no catalogue look-up is made without one, as in the pipeline).
    mission : str
        Telescope of the table (K2 Campaign 3 for the Kaggle tables).
    firing : ndarray of bool, optional
        The table's thruster-firing cadences (:func:`starskope.pipeline.table_firing_mask`
        or :func:`~starskope.pipeline.table_file_firing_mask`); without them no roll
        correction is made.

    Raises
    ------
    LightCurveDataError
        A row whose median flux is not positive, or with fewer than 50 finite cadences.
    """
    import astropy.units as u

    from ..clean import default_window
    from ..pipeline import clean_table_rows

    options = options or default_options()
    t = np.asarray(time, float)
    f_row = np.asarray(row, float)
    if t.shape != f_row.shape:
        raise LightCurveDataError(f"{label or 'table row'}: {f_row.size} flux values for {t.size} time stamps")
    clean, raw, notes = clean_table_rows(t, f_row[None, :], options, firing)
    if notes[0]:
        fin = np.isfinite(f_row)
        raise LightCurveDataError(f"{label or 'table row'}: flux median not positive or fewer than 50 finite "
                                  f"cadences ({int(fin.sum())}); it cannot be normalised")
    med = float(np.median(f_row[np.isfinite(f_row)]))
    clean_all, f = clean[0], raw[0]
    steps = [f"normalised by the row's median flux {med:.6g} e-/s"]
    if options.table_outliers:
        steps.append("upward outliers removed")
    if firing is not None:
        steps.append(f"K2 roll removed against the roll phase of {int(np.sum(firing))} thruster firings found "
                     "in the table; firing cadences left out")
    elif options.k2_roll:
        steps.append("K2 roll not corrected: no thruster firings were found in the table")
    window = float(default_window(search_period_max(t, options) * u.day).to_value(u.day))
    steps.append(f"detrend: {options.detrend} window {window:.2f} d")
    good = np.isfinite(clean_all)
    with np.errstate(invalid="ignore", divide="ignore"):
        trend_all = f / clean_all  # everything divided out: roll and stellar trend
    return _finish(label=label, target=target, mission=mission, product="Kaggle-layout flux table",
                   flux_origin="PDCSAP_FLUX (table)", raw_time=t, raw_flux=f_row / med,
                   quality=np.zeros(t.size, np.int64), bitmask=0, kept=good, time=t[good], flux=clean_all[good],
                   trend=trend_all[good], raw_at_kept=f[good], options=options, provenance=steps,
                   table_flux=f_row)
