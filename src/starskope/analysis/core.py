"""One star through the stages: clean → search → vet → features → star type.

Every entry point analyses a star with these functions, so a star gets the same
numbers in ``classify``'s table, a report, the web page and the Python API. The light
curve path (:func:`analyse_lightcurve`) and the flux-table path
(:func:`starskope.analysis.tables.analyse_table_rows`) differ only in how they clean;
from the cleaned arrays on they share :func:`measure`.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Iterator, Sequence
from contextlib import contextmanager
from typing import Any

import numpy as np

from ..errors import (
    LightCurveDataError,
    ParameterError,
    StarskopeError,
    StarskopeWarning,
    error_flags,
)
from ..features.dataset import StarData, extract_features
from ..search.candidate import TransitCandidate
from .options import MIN_CADENCES, AnalysisOptions, search_period_max
from .result import StarAnalysis

__all__ = [
    "MIN_CADENCES",
    "analyse_lightcurve",
    "collect_warnings",
    "measure",
    "star_types",
    "star_types_of",
    "target_name",
    "vet_ephemerides",
]


#: Third-party warnings that say nothing to a user of starskope, silenced by name
#: (category, message pattern); every other warning is passed on, and starskope's own
#: are kept with the star (:attr:`StarAnalysis.warnings`).
QUIET_WARNINGS: tuple[tuple[type[Warning], str], ...] = (
    (RuntimeWarning, r"Mean of empty slice|All-NaN slice|invalid value encountered|divide by zero|"
                     r"Degrees of freedom|overflow encountered"),
    (UserWarning, r".*tpfmodel.*|.*oktopus.*"),  # lightkurve's optional-dependency notes
)
_SKIP = object()


class CollectedWarnings(list):
    """The messages of the starskope warnings raised inside :func:`collect_warnings`."""


@contextmanager
def collect_warnings() -> Iterator[CollectedWarnings]:
    """Keep starskope's warnings (repairs made to the data) for the star being analysed,
    drop the named third-party noise (:data:`QUIET_WARNINGS`) and pass every other
    warning on to the caller."""
    kept = CollectedWarnings()
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        yield kept
    for w in caught:
        if issubclass(w.category, StarskopeWarning):
            text = str(w.message)
            if text not in kept:
                kept.append(text)
        elif not any(issubclass(w.category, cat) and re.match(pat, str(w.message)) for cat, pat in QUIET_WARNINGS):
            warnings.warn_explicit(w.message, w.category, w.filename, w.lineno)


def target_name(meta: dict[str, Any]) -> str:
    """The star's catalogue name from a light curve's meta (``"TIC 261136679"``)."""
    if meta.get("OBJECT"):
        return str(meta["OBJECT"])
    tid, miss = meta.get("TARGETID"), str(meta.get("MISSION") or "")
    prefix = {"kepler": "KIC", "k2": "EPIC", "tess": "TIC"}.get(miss.lower(), "")
    return f"{prefix} {tid}".strip() if tid is not None else ""


def _best(result: Any) -> TransitCandidate | None:
    """The most significant periodic candidate, unless a lone transit is far stronger
    (:data:`SINGLE_OVER_PERIODIC` times its SNR: one event is more easily a systematic);
    else the strongest lone transit; else the search's strongest peak whatever its SNR."""
    if result is None:
        return None
    singles = getattr(result, "singles", None) or []
    if len(result.candidates):
        first = result.candidates[0]
        if singles and singles[0].snr > SINGLE_OVER_PERIODIC * first.snr:
            return singles[0]
        return first
    return singles[0] if singles else result.best


#: A lone transit is the best candidate over a periodic one only when its SNR is this
#: many times higher.
SINGLE_OVER_PERIODIC = 1.5


def search_density(meta: dict[str, Any], options: AnalysisOptions) -> tuple[Any, str]:
    """The stellar-density range the search's trial durations cover, and a provenance line.

    The default covers FGKM dwarfs (:data:`starskope.clean.durations.DEFAULT_STELLAR_DENSITY`,
    0.2–20 ρ☉). When the catalogue folder knows the star (``options.stellar == "auto"``),
    the trial durations are those of a third to three times its density, as TLS takes a
    star's catalogue parameters: an ultracool dwarf such as TRAPPIST-1 (≈ 60 ρ☉) has
    transits shorter than any dwarf-range box, and the long boxes of the default grid fit
    its flares and spots instead (TESS: its planet b found in 10 of 10 detectable host
    files instead of 9; Kepler: one marginal quarter of KIC 2985767, SNR ≈ 7, lost).
    Returns (None, "") when the default stands.

    Measured and not kept (2026-12-08): keeping the dwarfs' short durations for every
    catalogued star (densities up to max(3 ρ, the dwarfs' 20 ρ☉)), since an unresolved
    companion's light inflates a binary's catalogue radius (62 of the 138 catalogued
    binaries of ../shared/data are under 0.2 ρ☉) and grazing transits are short on any star.
    ``benchmarks/real_recovery.py``: a Kepler host quarter (KIC 2985767 Q4) and a Kepler
    binary (KIC 10991989) gained, but three TESS binaries lost (TIC 184008771, 184298625,
    268305489, to shorter boxes at aliases) for one gained, and 79 files' periods moved.
    """
    import astropy.units as u

    from ..clean.durations import DEFAULT_STELLAR_DENSITY, SOLAR_DENSITY

    if options.stellar != "auto":
        return None, ""
    name = target_name(meta)
    if not name:
        return None, ""
    from .lookups import stellar_lookup

    stellar, _ = stellar_lookup(name)
    rho = getattr(stellar, "density", None)
    try:
        r = float(rho.to_value(u.g / u.cm**3))
    except (AttributeError, TypeError, u.UnitConversionError):
        return None, ""
    if not (np.isfinite(r) and r > 0):
        return None, ""
    solar = float(SOLAR_DENSITY.to_value(u.g / u.cm**3))
    lo0, hi0 = DEFAULT_STELLAR_DENSITY[0] * solar, DEFAULT_STELLAR_DENSITY[1] * solar
    lo, hi = r / 3, 3 * r
    note = (f"search durations for stellar densities {lo:.3g}–{hi:.3g} g/cm³ (the catalogue's "
            f"{r:.3g} g/cm³ for {name}; the dwarfs' default {lo0:.3g}–{hi0:.3g})")
    return (lo * u.g / u.cm**3, hi * u.g / u.cm**3), note


def catalogue_for(target: str, options: AnalysisOptions,
                  position: tuple[float, float] | None = None) -> tuple[Any, list[Any] | None]:
    """What vetting takes from the catalogue folder (:func:`.lookups.catalogue_lookups`):
    the star's parameters when ``options.stellar == "auto"``, and with
    ``options.catalog_match`` the known signals of it and its neighbours (None when not
    asked for, so vetting makes no ephemeris test)."""
    if options.stellar != "auto" and not options.catalog_match:
        return None, None
    from .lookups import catalogue_lookups

    ra, dec = position if position is not None else (None, None)
    found = catalogue_lookups(target or None, ra if options.catalog_match else None,
                              dec if options.catalog_match else None)
    return (found.stellar if options.stellar == "auto" else None), (found.known if options.catalog_match else None)


def _vet(time: np.ndarray, flux: np.ndarray, cand: TransitCandidate, options: AnalysisOptions, *, target: str,
         mission: str, others: Sequence[TransitCandidate] = (), pixels: Any = None,
         position: tuple[float, float] | None = None, centroids: Any = None) -> Any:
    from ..vetting import vet

    # a lone transit has no period: the tests that fold at one (odd/even, secondary,
    # density, harmonics, ephemeris, gaps, uniqueness) would judge a guess
    diagnostics = SINGLE_TRANSIT_DIAGNOSTICS if cand.extra.get("single") else None
    stellar, known = catalogue_for(target, options, position)
    data: Any = (time, flux)
    if centroids is not None and options.vet_centroids:
        data = {"time": time, "flux": flux, "centroid_col": centroids[0], "centroid_row": centroids[1]}
    return vet(data, cand, stellar=stellar, known=known, others=others, target=target or None,
               mission=mission or None, fit_transit=options.vet_transit_fit, pixels=pixels,
               diagnostics=diagnostics)


#: The vetting diagnostics that judge a lone transit (its shape, depth and size, and
#: where its light comes from).
SINGLE_TRANSIT_DIAGNOSTICS: tuple[str, ...] = (
    "transit_fit", "cadences_left_out", "depth_significance", "shape", "radius", "centroid", "difference_image",
)


def measure(*, label: str, file: str, target: str, mission: str, time: np.ndarray, flux: np.ndarray,
            raw_at_kept: np.ndarray | None, options: AnalysisOptions, search: Any = _SKIP,
            catalogue_target: str = "", catalogue_position: tuple[float, float] | None = None,
            centroids: Any = None,
            table_flux: np.ndarray | None = None, detail: bool = False,
            pixels: Any = None, stellar_density: Any = None, star_type: Any = None, **fields: Any) -> StarAnalysis:
    """Search (unless ``search`` is given), vet and featurise one cleaned light curve.

    Parameters
    ----------
    label, file, target, mission : str
        Provenance (see :class:`StarAnalysis`).
    time, flux : ndarray
        Cleaned cadences, BJD_TDB days, detrended flux ≈ 1 (finite).
    raw_at_kept : ndarray or None
        The flux before detrending at those cadences (≈ 1), or None.
    search : SearchResult or None, optional
        A search already run on these arrays (a table's batched search); None: it
        failed. Not given: run it here.
    catalogue_target : str
        Name to look stellar parameters up by (empty: none, e.g. a table row).
    catalogue_position : (float, float), optional
        RA and Dec (degrees), for the known signals of neighbours (``catalog_match``).
    centroids : (ndarray, ndarray), optional
        Flux-weighted centroid column and row at the cleaned cadences (pixels), for
        vetting's centroid test (``options.vet_centroids``).
    table_flux : ndarray, optional
        The raw table row (input of the reproduced original CNN).
    detail : bool
        Also vet a candidate below ``options.vet_min_snr`` (shown in a report, never
        given to the model).
    pixels : PixelSeries, optional
        The star's pixels: vetting adds the difference image, and the analysis keeps them.
    stellar_density : (Quantity, Quantity), optional
        The density range the search's trial durations cover (:func:`search_density`).
    star_type : StarTypeResult, optional
        The star type, measured before (:func:`star_types`): an eclipsing binary's broad
        minimum is put at its orbit (:func:`starskope.analysis.orbits.equal_eclipses`).
        Kept in the analysis; None with ``options.star_types`` adds the note that it could
        not be measured (:data:`NO_STAR_TYPE`).
    **fields
        The remaining :class:`StarAnalysis` fields (raw arrays, quality, trend, ...).
    """
    from ..search import search_transits

    notes: list[str] = []
    flags = ""
    if search is _SKIP:
        search = None
        try:
            with warnings.catch_warnings():
                # a light curve too short for the period range is said in the flags
                warnings.simplefilter("ignore", StarskopeWarning)
                search = search_transits(time, flux, period_min=options.period_min_days,
                                         period_max=search_period_max(time, options),
                                         max_planets=options.max_planets, oversample=options.search_oversample,
                                         snr_threshold=options.search_snr, stellar_density=stellar_density)
        except ParameterError as exc:
            flags = error_flags(f"search failed: {exc}")
            notes.append(f"transit search failed: {exc}")
    elif search is None:
        flags = error_flags("search failed")
    cand = _best(search)
    report, vetted = None, False
    if cand is not None:
        vetted = bool(np.isfinite(cand.snr) and cand.snr >= options.vet_min_snr)
        if vetted or detail:
            try:
                report = _vet(time, flux, cand, options, target=catalogue_target, mission=mission, pixels=pixels,
                              position=catalogue_position, centroids=centroids)
            except StarskopeError as exc:
                notes.append(f"vetting failed: {exc}")
                if vetted:
                    flags = "vetting_failed"
                vetted = False
        if report is not None and vetted and options.equal_eclipses:
            cand, report = _at_orbital_period(time, flux, cand, report, options, notes, star_type, mission=mission,
                                              pixels=pixels, target=catalogue_target,
                                              position=catalogue_position, centroids=centroids)
        if report is not None and vetted:
            flags = ";".join(report.flag_names)
    if detail and search is not None and len(search.candidates) > 1:
        fields["candidate_reports"] = [report, *_vet_others(time, flux, list(search.candidates), options,
                                                            target=catalogue_target, mission=mission, notes=notes,
                                                            position=catalogue_position, centroids=centroids)]
    elif detail and report is not None:
        fields["candidate_reports"] = [report]
    if options.star_types and star_type is None:
        notes.append(NO_STAR_TYPE)
    return _finish(label=label, file=file, target=target, mission=mission, time=time, flux=flux,
                   raw_at_kept=raw_at_kept, options=options, search=search, search_candidate=cand, report=report,
                   vetted=vetted, flags=flags, notes=notes, table_flux=table_flux, pixels=pixels,
                   star_type=star_type, **fields)


def _at_orbital_period(time: np.ndarray, flux: np.ndarray, cand: TransitCandidate, report: Any,
                       options: AnalysisOptions, notes: list[str], star_type: Any = None,
                       **where: Any) -> tuple[TransitCandidate, Any]:
    """The candidate and its vetting at the orbital period when the search found a
    multiple of a binary's orbit shorter than its floor, or a binary's two alike eclipses
    as one signal (:mod:`.orbits`; ``star_type``, the star's, is evidence of a binary);
    unchanged otherwise."""
    from .orbits import equal_eclipses, orbital_candidate, sub_floor_candidate

    below = sub_floor_candidate(report, time, flux, options.period_min_days)
    if below is not None:
        orbit, why = below
        said = (f"binary with an orbit shorter than the search's floor ({why}): reported at the orbital period "
                f"{orbit.period_days:.5f} d, not the {cand.period_days:.5f} d the search found")
    else:
        why = equal_eclipses(report, time, flux, star_type=star_type)
        if why is None:
            return cand, report
        orbit = orbital_candidate(report, time)
        said = (f"eclipsing binary with two alike eclipses per orbit ({why}): reported at the orbital period "
                f"{orbit.period_days:.5f} d, twice the {cand.period_days:.5f} d the search found")
    try:
        again = _vet(time, flux, orbit, options, **where)
    except StarskopeError as exc:
        notes.append(f"vetting at the orbital period {orbit.period_days:.5f} d failed ({exc}); "
                     f"kept {cand.period_days:.5f} d")
        return cand, report
    notes.append(said)
    return orbit, again


def _vet_others(time: np.ndarray, flux: np.ndarray, candidates: list[TransitCandidate], options: AnalysisOptions, *,
                target: str, mission: str, notes: list[str],
                position: tuple[float, float] | None = None, centroids: Any = None) -> list[Any]:
    """Vet the search's candidates after the first, each knowing all the others (their
    transits left out, harmonics recognised), as ``starskope search`` does; None for a
    candidate whose vetting failed (said in ``notes``). The first keeps the vetting the
    model sees, made without the others as every model was trained."""
    out: list[Any] = []
    for k, c in enumerate(candidates[1:], start=2):
        try:
            out.append(_vet(time, flux, c, options, target=target, mission=mission, others=candidates,
                            position=position, centroids=centroids))
        except StarskopeError as exc:
            notes.append(f"vetting of candidate {k} failed: {exc}")
            out.append(None)
    return out


def _finish(*, label: str, file: str, target: str, mission: str, time: np.ndarray, flux: np.ndarray,
            raw_at_kept: np.ndarray | None, options: AnalysisOptions, search: Any,
            search_candidate: TransitCandidate | None, report: Any, vetted: bool, flags: str, notes: list[str],
            table_flux: np.ndarray | None = None, **fields: Any) -> StarAnalysis:
    star = StarData(time=time, flux=flux, raw_flux=raw_at_kept, candidate=search_candidate,
                    vetting=report.as_row() if (vetted and report is not None) else None, file=file,
                    target_id=target, mission=mission, flags=flags, table_flux=table_flux)
    fs = extract_features([star], view_spec=options.views(), spectrogram_spec=options.spectrogram())
    if fields.get("pixels") is not None:
        # a pixel file: the pixel model's inputs (the difference image of the vetted candidate)
        from ..pixels import model_inputs

        fs.meta.update(model_inputs(report.products.get("difference_image") if (vetted and report is not None)
                                    else None))
    shown = report.candidate if (vetted and report is not None) else search_candidate
    provenance = list(fields.pop("provenance", []))
    return StarAnalysis(label=label, file=file, target=target, mission=mission, time=time, flux=flux,
                        search=search, candidate=shown, vetting=report, vetted_for_model=vetted, star=star,
                        features=fs, provenance=provenance, notes=notes, options=options, **fields)


#: The analysis note of a star whose type could not be measured.
NO_STAR_TYPE = "star type not measured: too few usable cadences or no positive flux"


def star_types(curves: Sequence[Any], labels: Sequence[str]) -> list[Any]:
    """The star type of each light curve before detrending (``(time_bjd, flux, quality,
    quality_mask)`` per star; one batched model call); None where it cannot be measured."""
    from ..startypes.api import classify_star_types_arrays

    return list(classify_star_types_arrays(list(curves), sources=[label or "light curve" for label in labels]))


def star_types_of(analyses: Sequence[StarAnalysis], curves: Sequence[Any]) -> None:
    """Name the star type of each analysis from its light curve before detrending
    (:func:`star_types`)."""
    results = star_types(curves, [a.label or a.target for a in analyses])
    for a, res, curve in zip(analyses, results, curves, strict=True):
        a.star_type = res
        if res is None and curve is not None:
            a.notes.append(NO_STAR_TYPE)


def _raw_arrays(lc: Any) -> tuple[Any, str, int]:
    from ..lightcurve import arrays
    from ..startypes.api import quality_mask_for

    meta = dict(lc.meta or {})
    mission = str(meta.get("MISSION") or "")
    return arrays(lc), mission, quality_mask_for(mission or None)


def _clean(lc: Any, options: AnalysisOptions, label: str) -> tuple[Any, Any]:
    import astropy.units as u

    from ..clean import clean
    from ..lightcurve import arrays

    a0 = arrays(lc)
    with warnings.catch_warnings():
        # clean() warns when it cannot apply a step to this telescope; the step and its
        # reason are in the provenance, which every report shows
        warnings.simplefilter("ignore", StarskopeWarning)
        cleaned = clean(lc, period_max=search_period_max(a0.time, options) * u.day, method=options.detrend)
    a = arrays(cleaned)
    if a.time.size < MIN_CADENCES:
        raise LightCurveDataError(f"{label or 'light curve'}: cleaning left {a.time.size} cadences; "
                                  f"at least {MIN_CADENCES} are needed")
    return cleaned, a


def _centroids(cleaned: Any) -> tuple[np.ndarray, np.ndarray] | None:
    """The cleaned light curve's centroid column and row (pixels), when it has them."""
    if "centroid_col" not in cleaned.colnames or "centroid_row" not in cleaned.colnames:
        return None

    def values(name: str) -> np.ndarray:
        col = cleaned[name]
        return np.asarray(np.ma.filled(np.ma.asarray(getattr(col, "value", col), dtype=float), np.nan), float)

    return values("centroid_col"), values("centroid_row")


def _position(meta: dict[str, Any]) -> tuple[float, float] | None:
    """The star's RA and Dec (degrees) from a light curve's meta, when known."""
    try:
        ra = float(meta.get("RA_OBJ") if meta.get("RA_OBJ") is not None else meta.get("RA"))
        dec = float(meta.get("DEC_OBJ") if meta.get("DEC_OBJ") is not None else meta.get("DEC"))
    except (TypeError, ValueError):
        return None
    return (ra, dec) if np.isfinite(ra) and np.isfinite(dec) else None


def _cleaned_fields(lc: Any, cleaned: Any, a: Any, label: str, file: str) -> dict[str, Any]:
    a0, mission, bitmask = _raw_arrays(lc)
    meta, cmeta = dict(lc.meta or {}), dict(cleaned.meta or {})
    raw_at_kept = None
    trend = np.ones(a.time.size)
    scale = float(np.nanmedian(a0.flux))
    if "trend" in cleaned.colnames:
        trend_raw = np.asarray(getattr(cleaned["trend"], "value", cleaned["trend"]), float)
        med = float(np.nanmedian(trend_raw))
        if np.isfinite(med) and med > 0:
            scale = med
            trend = trend_raw / med
            raw_at_kept = a.flux * trend  # the flux before detrending, ≈ 1
    scale = scale if np.isfinite(scale) and scale > 0 else 1.0
    name = target_name(cmeta)
    return dict(label=label or str(meta.get("FILENAME") or file or name), file=file or str(meta.get("FILENAME") or ""),
                target=name, mission=mission, product=str(meta.get("PRODUCT") or ""),
                flux_origin=str(meta.get("FLUX_ORIGIN") or ""), raw_time=a0.time, raw_flux=a0.flux / scale,
                quality=np.asarray(a0.quality, np.int64), quality_bitmask=int(bitmask),
                kept=np.isin(a0.time, a.time), trend=trend, raw_at_kept=raw_at_kept,
                provenance=[str(p) for p in cmeta.get("PROVENANCE") or []], catalogue_target=name,
                catalogue_position=_position(cmeta), centroids=_centroids(cleaned),
                star_type_curve=(a0.time, a0.flux, a0.quality, bitmask))


def analyse_lightcurve(lc: Any, *, options: AnalysisOptions | None = None, label: str = "", file: str = "",
                       detail: bool = False, pixels: Any = None) -> StarAnalysis:
    """Clean, search, vet and featurise one light curve, and name its star type.

    Parameters
    ----------
    lc : lightkurve.LightCurve
        A starskope light curve (:func:`starskope.io.read`, or several stitched).
    options : AnalysisOptions, optional
        Default :func:`~starskope.analysis.options_for` without a model.
    label : str
        Display name (default the file name in ``meta['FILENAME']``).
    file : str
        The input it came from (default ``meta['FILENAME']``).
    detail : bool
        Also vet a candidate below the detection threshold, for display.
    pixels : PixelSeries, optional
        The star's pixels (the light curve summed from them): vetting adds the difference
        image, and the analysis keeps them.

    Returns
    -------
    StarAnalysis

    Raises
    ------
    LightCurveDataError
        Cleaning left fewer than :data:`MIN_CADENCES` cadences.
    """
    options = options or AnalysisOptions()
    with collect_warnings() as caught:
        search: Any = _SKIP
        density, density_note = search_density(dict(lc.meta or {}), options)
        if options.search_bands:
            from .bands import clean_and_search

            cleaned, a, search = clean_and_search(lc, options, label, stellar_density=density)
        else:
            cleaned, a = _clean(lc, options, label)
        fields = _cleaned_fields(lc, cleaned, a, label, file)
        if density_note:
            fields["provenance"].append(density_note)
        # the star type is judged on the flux as read (detrending removes the variability),
        # before the search's signal is put at its orbit (a binary's light has two minima)
        curve = fields.pop("star_type_curve")
        star_type = star_types([curve], [fields["label"] or fields["target"]])[0] if options.star_types else None
        out = measure(time=a.time, flux=a.flux, options=options, detail=detail, pixels=pixels, search=search,
                      stellar_density=density, star_type=star_type, **fields)
    out.warnings.extend(m for m in caught if m not in out.warnings)
    return out


def vet_ephemerides(lc: Any, candidates: Sequence[TransitCandidate], *, options: AnalysisOptions | None = None,
                    label: str = "", file: str = "", pixels: Any = None) -> list[StarAnalysis]:
    """Vet known ephemerides (a catalogue's TCEs, a user's period) on one light curve:
    cleaned as every other star, no search; one analysis per candidate, each vetted
    knowing the others (harmonics) and given to the model's inputs whatever its SNR.

    Raises
    ------
    ParameterError
        No candidates.
    LightCurveDataError
        Cleaning left fewer than :data:`MIN_CADENCES` cadences.
    """
    if not candidates:
        raise ParameterError("vet_ephemerides needs at least one candidate")
    options = options or AnalysisOptions()
    out = []
    with collect_warnings() as caught:
        cleaned, a = _clean(lc, options, label)
        base = _cleaned_fields(lc, cleaned, a, label, file)
        target = base.pop("catalogue_target")
        position = base.pop("catalogue_position")
        centroids = base.pop("centroids")
        curve = base.pop("star_type_curve")
        for cand in candidates:
            notes: list[str] = []
            others = [c for c in candidates if c is not cand]
            try:
                report = _vet(a.time, a.flux, cand, options, target=target, mission=base["mission"], others=others,
                              pixels=pixels, position=position, centroids=centroids)
            except StarskopeError as exc:
                report = None
                notes.append(f"vetting failed: {exc}")
            flags = ";".join(report.flag_names) if report is not None else "vetting_failed"
            shown = report.candidate if report is not None else cand
            out.append(_finish(time=a.time, flux=a.flux, options=options, search=None, search_candidate=shown,
                               report=report, vetted=report is not None, flags=flags, notes=notes,
                               candidate_reports=[report], pixels=pixels, **dict(base)))
        if options.star_types and out:
            star_types_of(out[:1], [curve])
            for other in out[1:]:
                other.star_type = out[0].star_type
    for res in out:
        res.warnings.extend(m for m in caught if m not in res.warnings)
    return out


def features_of(analyses: Sequence[StarAnalysis], labels: Any = None) -> Any:
    """The model inputs of several analysed stars as one FeatureSet (with the star
    types in its meta when measured)."""
    from ..features.dataset import FeatureSet
    from ..startypes import STAR_TYPES

    fs = FeatureSet.concat([a.features for a in analyses])
    if any(a.star_type is not None for a in analyses):
        fs.meta["star_type"] = np.asarray([a.star_type.star_type if a.star_type else "" for a in analyses], dtype=object)
        for t in STAR_TYPES:
            fs.meta[f"p_type_{t}"] = np.asarray([a.star_type.probabilities.get(t, np.nan) if a.star_type else np.nan
                                                 for a in analyses], float)
    return fs if labels is None else fs.with_labels(labels)
