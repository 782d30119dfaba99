"""The search in period bands, each on the light curve detrended for its own transits
(:mod:`starskope.search.bands` says why): light curves here, table rows in
:mod:`.tables`.

Measured and not kept (2026-12-07, commit ab0e850, reverted): a longer band's window keeps
the variability of a spotted or pulsating star, whose scatter over a few hours then drowns
a short eclipse (TESS FFI binary TIC 27397122: 1.4 % eclipses every 12.73 d under 0.2 %
pulsations at 1.1 d, SNR 6.1 on the 8–27 d band's flux, 18 on the 0.5–2 d band's). Searching
such a band (2-hour scatter over 3× its white noise's) on the shortest band's flux too, and
keeping the stronger first candidate, found that binary and changed no other file's period
in ``benchmarks/real_recovery.py`` (TESS binaries 93 → 94 of 145) — but the shorter window
also lowers the red noise that the SNR divides by, so long bands then outrank shorter ones
unfairly: planets injected into a spotted Kepler star (KIC 2578077) at 16.9–22.2 d were
reported at 2× or 3× their period, and ``benchmarks/recovery.py --study inject
--n-inject 300`` lost one planet at SNR 7–10 (any candidate 51 → 50 of 64; best 44 either
way) and one at SNR ≥ 10 (95.5 → 95.0 %). Comparing bands fairly would need one noise
measure for all of them. A second variant, measured the same day and not kept either, gave
every band the shortest band's flux when the longest band's kept the star's variability
(so all bands' SNRs share one noise): injected planets gained (SNR 7–10 best candidate
44 → 45 of 64, SNR ≥ 10 95.5 → 96.0 %) and TIC 27397122 was found, but the short window ate
the long eclipses of a 39.8-d Kepler binary (KIC 2693092, then reported at 36.19 d), which
put Kepler's detectable hosts + binaries at 57 of 69 against flatten + BLS's 58.
A third variant (2026-12-07, not kept either): when the longest band's flux scattered
≥ 1.25× the shortest band's, *every* longer band was searched again on the shortest
band's flux, with trial durations capped at what that window keeps (a third of it: the
durations of a denser star), so a period and its multiples were ranked on one flux and
no long transit was searched where the window eats it. ``benchmarks/real_recovery.py``:
TESS binaries 120 → 122 of 146 (TIC 27397122 at 12.734 d; TIC 121393780 at 22.91 d), and
injections (``benchmarks/recovery.py --study inject --n-inject 300``) unchanged (SNR 7–10:
50 and 44 of 64; SNR ≥ 10: 95.5 %). But the added trials at long periods on a flux
cleaner than the long windows' also found short boxes in spotted Kepler stars' residuals:
over all 1,921 files, quarters of KIC 2714947 and 2988768 (no known planet) became planet
transits or binaries at 31–46 d (SNR 7.4–13.3), KIC 2578077's 1.88-d TCE gave way to a
22.5-d box (SNR 9.0 against 7.2), and TIC 27397122, now at its orbit, was called a planet
transit (its verdict had been eclipsing binary at the pulsation's period).
"""

from __future__ import annotations

import warnings
from typing import Any

import numpy as np

from ..errors import LightCurveDataError, ParameterError, StarskopeWarning
from .options import MIN_CADENCES, AnalysisOptions, search_period_max

__all__ = ["band_search", "clean_and_search"]


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
    trends, found = [], []
    for lo, hi in bands:
        trend, step = fit_trend(prepared, options.detrend, period_max=hi * u.day, thin=True)
        trends.append((trend, step))
        with np.errstate(invalid="ignore", divide="ignore"):
            found.append(band_search(ap.time, ap.flux / trend, (lo, hi), options, stellar_density))
    merged, k = merge_band_results(found, bands, ap.time, options.max_planets)
    ck = divide_trend(prepared, *trends[k])
    ak = arrays(ck)
    if merged is not None:
        ck.meta["PROVENANCE"] = [*ck.meta["PROVENANCE"], _band_note(bands, k)]
    return ck, ak, merged


def _band_note(bands: list[tuple[float, float]], k: int) -> str:
    ranges = ", ".join(f"{lo:.3g}–{hi:.3g} d" for lo, hi in bands)
    return (f"search in {len(bands)} period band(s) ({ranges}), each on the flux detrended for its longest "
            f"transit; the best candidate's band, {bands[k][0]:.3g}–{bands[k][1]:.3g} d, gives the light curve shown")
