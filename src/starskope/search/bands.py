"""Searching period bands, each on the light curve detrended for its own transits.

A detrending window must be a few times longer than the transits it keeps (Hippke et al.
2019, §3: 3 × T14 keeps ≳ 95 % of the depth), and the longest plausible transit grows
with the period (T14 ∝ P^(1/3), :mod:`starskope.clean.durations`). One window sized for
the longest period searched (1.7 d at 40 d) leaves the variability of active and
pulsating stars in the light curve, where it hides the short-period planets that a
shorter window would show (a 4.29-d planet at SNR 45 with a 0.5-d window is under the
noise with the 1.7-d one, on a real Kepler quarter). So the period range is split into
bands a factor :data:`BAND_RATIO` apart, each searched on the light curve detrended with
the window its own longest transit needs — the window follows the durations being
tested — and the candidates of all bands are ranked together by their SNR.

:func:`period_bands` makes the bands; :func:`merge_band_results` ranks the bands'
candidates and drops those that repeat a stronger one's transits (the same signal at a
multiple of its period, found again in a longer band).
"""

from __future__ import annotations

import itertools
from collections.abc import Sequence

import astropy.units as u
import numpy as np

from ..errors import ParameterError
from .bls import Periodogram, SearchResult, _same_signal
from .candidate import TransitCandidate

__all__ = ["BAND_ANCHOR", "BAND_RATIO", "merge_band_results", "period_bands"]

#: Ratio between a band's longest and shortest period.
BAND_RATIO: float = 4.0
#: One edge of every star's bands (days): 0.5–2, 2–8, 8–32 d, ...; periods under
#: 0.5 d (contact binaries, ultra-short-period planets) get a band of their own.
BAND_ANCHOR: float = 0.5


def period_bands(period_min: float, period_max: float, ratio: float = BAND_RATIO,
                 anchor: float = BAND_ANCHOR) -> list[tuple[float, float]]:
    """Consecutive period ranges (days) covering ``[period_min, period_max]``, their
    edges on one ladder ``anchor × ratio^k`` whatever the range (so a star's band for a
    given period, and the detrending window with it, does not depend on where the range
    starts). The first band runs from ``period_min`` to the first edge at least
    √``ratio`` above it, and a last band shorter than √``ratio`` joins the one before.

    Raises
    ------
    ParameterError
        ``period_min`` not positive or not below ``period_max``, or ``ratio`` ≤ 1.
    """
    if not (np.isfinite(period_min) and period_min > 0 and np.isfinite(period_max) and period_max > period_min):
        raise ParameterError(f"period bands need 0 < period_min < period_max; got {period_min}, {period_max} d")
    if not ratio > 1:
        raise ParameterError(f"ratio must be > 1; got {ratio}")
    step = np.sqrt(ratio)
    k = int(np.ceil(np.log(period_min * step / anchor) / np.log(ratio) - 1e-9))
    edges = [float(period_min)]
    while anchor * ratio**k < period_max:
        edges.append(float(anchor * ratio**k))
        k += 1
    if len(edges) > 1 and period_max / edges[-1] < step:
        edges.pop()
    edges.append(float(period_max))
    return list(itertools.pairwise(edges))


def _events_with_data(cand: TransitCandidate, time: np.ndarray) -> np.ndarray:
    """Mid-times of the candidate's transits that have cadences inside them."""
    if time.size == 0:
        return np.zeros(0)
    p, t0, half = cand.period_days, cand.epoch_bjd, 0.5 * cand.duration_days
    n = np.arange(np.floor((time[0] - t0) / p) - 1, np.ceil((time[-1] - t0) / p) + 2)
    mids = t0 + n * p
    lo = np.searchsorted(time, mids - half)
    hi = np.searchsorted(time, mids + half)
    return mids[hi > lo]


def _explained(weak: TransitCandidate, strong: Sequence[TransitCandidate], time: np.ndarray) -> bool:
    """At least half of ``weak``'s transits with data fall on transits of stronger
    candidates at least half as deep: it repeats their signals (a multiple of one
    period, or a box pairing transits of two planets), found again in another band."""
    mine = _events_with_data(weak, time)
    if mine.size == 0:
        return True
    hit = np.zeros(mine.size, bool)
    for other in strong:
        if not (np.isfinite(other.depth_ppm) and other.depth_ppm >= 0.5 * weak.depth_ppm):
            continue
        theirs = _events_with_data(other, time)
        if theirs.size:
            gap = np.abs(mine[:, None] - theirs[None, :]).min(axis=1)
            hit |= gap < 0.5 * (weak.duration_days + other.duration_days)
    return bool(hit.sum() >= 0.5 * mine.size)


def _same(a: TransitCandidate, b: TransitCandidate) -> bool:
    return _same_signal(a.period_days, a.epoch_bjd, a.duration_days, b.period_days, b.epoch_bjd, b.duration_days)


def merge_band_results(results: Sequence[SearchResult | None], bands: Sequence[tuple[float, float]],
                       time: np.ndarray, max_candidates: int | None = None) -> tuple[SearchResult | None, int]:
    """The bands' searches as one: every candidate ranked by SNR, those whose transits
    repeat stronger candidates' transits left out, and the band the winner came from.

    Parameters
    ----------
    results : sequence of SearchResult or None
        One search per band (None: the band could not be searched).
    bands : sequence of (float, float)
        The bands' period ranges, days.
    time : ndarray
        The searched cadences, BJD_TDB days, increasing (which transits have data).
    max_candidates : int, optional
        Most candidates kept (the best ones; default all).

    Returns
    -------
    (SearchResult or None, int)
        The merged result (``extra['band']`` on each candidate; ``settings['bands']``;
        the periodograms of every band; ``best``, the highest-SNR first-pass peak), and
        the index of the band whose light curve the best candidate was measured on (the
        last band when nothing was found). None when no band could be searched.
    """
    found: list[tuple[TransitCandidate, int]] = []
    lone: list[tuple[TransitCandidate, int]] = []
    bests: list[tuple[TransitCandidate, int]] = []
    firsts: list[Periodogram] = []
    later: list[Periodogram] = []
    settings: dict = {}
    for k, res in enumerate(results):
        if res is None:
            continue
        firsts.append(res.periodograms[0])
        later += res.periodograms[1:]
        settings = settings or dict(res.settings)
        found += [(c, k) for c in res.candidates]
        lone += [(c, k) for c in res.singles]
        if res.best is not None:
            bests.append((res.best, k))
    if not firsts:
        return None, len(bands) - 1
    # the first passes of the bands as one periodogram over the whole range
    period = np.concatenate([pg.period.to_value(u.day) for pg in firsts])
    order = np.argsort(period)[::-1]
    whole = Periodogram(period[order] * u.day, np.concatenate([pg.power for pg in firsts])[order],
                        np.concatenate([pg.duration.to_value(u.hour) for pg in firsts])[order] * u.hour)
    periodograms = [whole, *later]

    def snr(item: tuple[TransitCandidate, int]) -> float:
        return float(item[0].snr) if np.isfinite(item[0].snr) else -np.inf

    # a box tripled from a third of its period may leave its band; the band that searched
    # that period on its own flux keeps the signal when it found it too
    found = [(c, k) for c, k in found
             if not (c.extra.get("tripled") and any(j != k and not o.extra.get("tripled") and _same(c, o)
                                                     for o, j in found))]

    # each band's first candidate first (the best is the strongest of them, whatever
    # number of candidates was asked for), then the bands' later ones
    firsts = [item for item in found if item[0] is results[item[1]].candidates[0]]
    found = sorted(firsts, key=snr, reverse=True) + sorted(
        (item for item in found if not any(item is f for f in firsts)), key=snr, reverse=True)
    kept: list[tuple[TransitCandidate, int]] = []
    time = np.asarray(time, float)
    for cand, k in found:
        if not _explained(cand, [other for other, _ in kept], time) or not kept:
            kept.append((cand, k))
    kept = kept[:max_candidates] if max_candidates is not None else kept
    candidates = [c.with_(extra={**c.extra, "band": float(k)}) for c, k in kept]
    # lone transits: each event once, none on a periodic transit. A lone transit's period
    # is long, so the event is measured on the flux of the longest band that found it
    # (its window keeps the longest transits; a shorter one eats into their depth)
    lone.sort(key=lambda item: (item[1], snr(item)), reverse=True)
    kept_lone: list[tuple[TransitCandidate, int]] = []
    for cand, k in lone:
        if not _explained(cand, [c for c, _ in kept] + [c for c, _ in kept_lone], time):
            kept_lone.append((cand, k))
    kept_lone.sort(key=snr, reverse=True)
    singles = [c.with_(extra={**c.extra, "band": float(k)}) for c, k in kept_lone]
    best = None
    band = len(bands) - 1
    if kept:
        band = kept[0][1]
        best = candidates[0]
    elif kept_lone:
        band = kept_lone[0][1]
        best = singles[0]
    elif bests:
        b, band = max(bests, key=snr)
        best = b.with_(extra={**b.extra, "band": float(band)})
    settings.update(period_min_days=float(bands[0][0]), period_max_days=float(bands[-1][1]),
                    bands=[(float(lo), float(hi)) for lo, hi in bands],
                    n_periods=len(whole.period))
    return SearchResult(candidates, periodograms, best, settings, singles), band
