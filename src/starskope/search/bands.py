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
from .bls import Periodogram, SearchResult
from .candidate import TransitCandidate
from .folding import time_from_transit

__all__ = ["BAND_RATIO", "merge_band_results", "period_bands"]

#: Ratio between a band's longest and shortest period.
BAND_RATIO: float = 4.0


def period_bands(period_min: float, period_max: float, ratio: float = BAND_RATIO) -> list[tuple[float, float]]:
    """Consecutive period ranges (days) covering ``[period_min, period_max]``, each at
    most ``ratio`` long (a last band shorter than half the ratio joins the one before).

    Raises
    ------
    ParameterError
        ``period_min`` not positive or not below ``period_max``, or ``ratio`` ≤ 1.
    """
    if not (np.isfinite(period_min) and period_min > 0 and np.isfinite(period_max) and period_max > period_min):
        raise ParameterError(f"period bands need 0 < period_min < period_max; got {period_min}, {period_max} d")
    if not ratio > 1:
        raise ParameterError(f"ratio must be > 1; got {ratio}")
    edges = [float(period_min)]
    while edges[-1] * ratio < period_max:
        edges.append(edges[-1] * ratio)
    if len(edges) > 1 and period_max / edges[-1] < np.sqrt(ratio):
        edges.pop()
    edges.append(float(period_max))
    return list(itertools.pairwise(edges))


def _same_signal(weak: TransitCandidate, strong: TransitCandidate, tolerance: float = 0.01) -> bool:
    """``weak`` repeats ``strong``'s transits: its period is a whole multiple (or
    fraction) of the other's and a transit of one falls on a transit of the other."""
    ratio = weak.period_days / strong.period_days
    n = max(round(ratio), 1) if ratio >= 1 else 1.0 / max(round(1.0 / ratio), 1)
    if abs(ratio / n - 1.0) > tolerance:
        return False
    short, long_ = (weak, strong) if weak.period_days < strong.period_days else (strong, weak)
    offset = time_from_transit(np.array([long_.epoch_bjd]), short.period_days, short.epoch_bjd)[0]
    return bool(abs(offset) < 0.5 * max(weak.duration_days, strong.duration_days))


def merge_band_results(results: Sequence[SearchResult | None],
                       bands: Sequence[tuple[float, float]]) -> tuple[SearchResult | None, int]:
    """The bands' searches as one: every candidate ranked by SNR, repeats of a stronger
    candidate's transits left out, and the band the winner came from.

    Parameters
    ----------
    results : sequence of SearchResult or None
        One search per band (None: the band could not be searched).
    bands : sequence of (float, float)
        The bands' period ranges, days.

    Returns
    -------
    (SearchResult or None, int)
        The merged result (``extra['band']`` on each candidate; ``settings['bands']``;
        the periodograms of every band; ``best``, the highest-SNR first-pass peak), and
        the index of the band whose light curve the best candidate was measured on (the
        last band when nothing was found). None when no band could be searched.
    """
    found: list[tuple[TransitCandidate, int]] = []
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

    found.sort(key=snr, reverse=True)
    kept: list[tuple[TransitCandidate, int]] = []
    for cand, k in found:
        if not any(_same_signal(cand, other) for other, _ in kept):
            kept.append((cand, k))
    candidates = [c.with_(extra={**c.extra, "band": float(k)}) for c, k in kept]
    best = None
    band = len(bands) - 1
    if kept:
        band = kept[0][1]
        best = candidates[0]
    elif bests:
        b, band = max(bests, key=snr)
        best = b.with_(extra={**b.extra, "band": float(band)})
    settings.update(period_min_days=float(bands[0][0]), period_max_days=float(bands[-1][1]),
                    bands=[(float(lo), float(hi)) for lo, hi in bands],
                    n_periods=len(whole.period))
    return SearchResult(candidates, periodograms, best, settings), band
