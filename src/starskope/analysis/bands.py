"""The search in period bands, each on the light curve detrended for its own transits
(:mod:`starskope.search.bands` says why): light curves here, table rows in
:mod:`.tables`.

A longer band's window keeps its long transits but also the variability of a spotted or
pulsating star, whose scatter over a few hours then drowns a short eclipse: a TESS FFI
binary (TIC 27397122, 12.73 d, 1.4 % deep eclipses under 0.2 % pulsations at 1.1 d) has
SNR 6.1 on the 8–27 d band's flux and 18 on the 0.5–2 d band's. So where the band's flux
still holds the star's variability (:func:`variability_left`), the band is searched on the
shortest band's flux too, and the search with the stronger first candidate is kept
(:func:`shorter_window_wins`). On a quiet star nothing changes and nothing more is run.
Measured with ``benchmarks/real_recovery.py`` on every labelled file of ../shared/data:
that binary is found at its period, no other file's period changed.
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..errors import LightCurveDataError, ParameterError, StarskopeWarning
from .options import MIN_CADENCES, AnalysisOptions, search_period_max

__all__ = ["VARIABILITY_LEFT", "band_search", "clean_and_search", "shorter_window_wins", "variability_left"]


def band_search(time: np.ndarray, flux: np.ndarray, band: tuple[float, float], options: AnalysisOptions,
                stellar_density: Any = None) -> Any:
    """One band's transit search on its detrended flux (None when it cannot run);
    ``stellar_density``: the range its trial durations cover (default dwarfs')."""
    from ..search import search_transits

    good = np.isfinite(flux)
    t = time[good]
    # cleaning drops cadences at the ends: no period beyond the baseline left
    hi = min(band[1], float(t[-1] - t[0])) if t.size > 1 else band[1]
    if not hi > band[0]:
        return None
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore", StarskopeWarning)
            return search_transits(t, flux[good], period_min=band[0], period_max=hi,
                                   max_planets=options.max_planets, oversample=options.search_oversample,
                                   snr_threshold=options.search_snr, stellar_density=stellar_density)
    except ParameterError:
        return None


def clean_and_search(lc: Any, options: AnalysisOptions, label: str,
                     stellar_density: Any = None) -> tuple[Any, Any, Any]:
    """Clean a light curve once, then detrend and search it band by band (trial durations
    for ``stellar_density``, a (min, max) pair of Quantities; default the dwarfs').

    Returns
    -------
    (LightCurve, LightCurveArrays, SearchResult or None)
        The light curve detrended for the band of the best candidate (the longest band
        when nothing was found), its arrays, and the bands' searches merged
        (:func:`starskope.search.merge_band_results`); None when no band could be searched.

    Raises
    ------
    LightCurveDataError
        Cleaning left fewer than :data:`MIN_CADENCES` cadences.
    """
    import astropy.units as u

    from ..clean import clean, divide_trend, fit_trend
    from ..lightcurve import arrays
    from ..search import merge_band_results, period_bands

    a0 = arrays(lc)
    pmax = search_period_max(a0.time, options)
    with warnings.catch_warnings():
        # clean() warns when it cannot apply a step to this telescope; the step and its
        # reason are in the provenance, which every report shows
        warnings.simplefilter("ignore", StarskopeWarning)
        prepared = clean(lc, period_max=pmax * u.day, method=None)
    ap = arrays(prepared)
    n_left = int(np.isfinite(ap.flux).sum())
    if n_left < MIN_CADENCES:
        raise LightCurveDataError(f"{label or 'light curve'}: cleaning left {n_left} cadences; "
                                  f"at least {MIN_CADENCES} are needed")
    try:
        bands = period_bands(options.period_min_days, pmax)
    except ParameterError:
        bands = [(options.period_min_days, max(pmax, options.period_min_days * 1.01))]
    # each band searches its own detrended flux as plain arrays; only the band that gives
    # the result becomes a light curve (a table copy, a few ms each). The trends are
    # thinned (evaluated every window/36 on short cadences): a window of hundreds of
    # 2-min cadences changes by a few thousandths of the noise between them
    trends, found, short_bands = [], [], set()
    for lo, hi in bands:
        trend, step = fit_trend(prepared, options.detrend, period_max=hi * u.day, thin=True)
        with np.errstate(invalid="ignore", divide="ignore"):
            res = band_search(ap.time, ap.flux / trend, (lo, hi), options, stellar_density)
            if trends and variability_left(ap.time, ap.flux / trend):
                alt = band_search(ap.time, ap.flux / trends[0][0], (lo, hi), options, stellar_density)
                res, shorter = shorter_window_wins(res, alt)
                if shorter:
                    trend, step = trends[0]
                    short_bands.add(len(trends))
        trends.append((trend, step))
        found.append(res)
    merged, k = merge_band_results(found, bands, ap.time, options.max_planets)
    ck = divide_trend(prepared, *trends[k])
    ak = arrays(ck)
    if merged is not None:
        ck.meta["PROVENANCE"] = [*ck.meta["PROVENANCE"], _band_note(bands, k, k in short_bands)]
    return ck, ak, merged


#: A band's detrended flux whose scatter averaged over 2 hours is more than this many times
#: what its white noise alone would give has kept the star's own variability (spots,
#: pulsations): the band is then searched on the shortest band's flux too.
VARIABILITY_LEFT = 3.0


def variability_left(time: np.ndarray, flux: np.ndarray) -> bool:
    """Whether detrended ``flux`` still holds the star's variability: its scatter in
    2-hour bins (:func:`starskope.scatter.binned_std`) over :data:`VARIABILITY_LEFT` ×
    the white noise's there (point-to-point scatter / √points per bin)."""
    from ..scatter import binned_std, point_to_point_std

    ok = np.isfinite(flux)
    t, f = time[ok], flux[ok]
    if t.size < 50:
        return False
    cadence = float(np.median(np.diff(t)))
    width = max(2.0 / 24.0, 2.0 * cadence)
    white = point_to_point_std(f) / np.sqrt(max(width / cadence, 1.0))
    return bool(white > 0 and binned_std(t, f, width, cadence) > VARIABILITY_LEFT * white)


def shorter_window_wins(regular: Any, shorter: Any) -> tuple[Any, bool]:
    """A band's search on its own window's flux and on the shortest band's: the one whose
    first candidate has the higher SNR, and whether that is the shorter window's. The
    lone transits stay the band's own (a shorter window eats into long events)."""
    def first_snr(res: Any) -> float:
        snr = float(res.candidates[0].snr) if res is not None and res.candidates else float("nan")
        return snr if np.isfinite(snr) else -np.inf

    if not first_snr(shorter) > first_snr(regular):
        return regular, False
    import dataclasses

    return dataclasses.replace(shorter, singles=list(regular.singles) if regular is not None else []), True


def _band_note(bands: list[tuple[float, float]], k: int, shorter: bool = False) -> str:
    ranges = ", ".join(f"{lo:.3g}–{hi:.3g} d" for lo, hi in bands)
    text = (f"search in {len(bands)} period band(s) ({ranges}), each on the flux detrended for its longest "
            f"transit; the best candidate's band, {bands[k][0]:.3g}–{bands[k][1]:.3g} d, gives the light curve shown")
    if shorter:
        text += (f" — detrended with the {bands[0][0]:.3g}–{bands[0][1]:.3g} d band's shorter window, as the band's "
                 "own left the star's variability and the shorter one gave the stronger candidate")
    return text
