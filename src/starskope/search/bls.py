"""Box-least-squares transit search: one light curve, or many sharing time stamps.

The search (Kovács, Zucker & Mazeh 2002) folds the light curve at each trial period,
slides boxes of the physically plausible durations (:mod:`starskope.search.grid`) over
the folded curve and keeps the box that most improves χ². The period grid is only as
fine as detection needs, and short cadences are averaged for it into bins of half the
shortest trial duration (TESS 2-min: ~10 min); the strongest peaks are then refined on
a local grid ten times finer, on every cadence near their transits, so the reported
period is as precise as an oversampled search's.

Each detection gets a signal-to-noise ratio

    SNR = δ / max(σ / √n_in, σ_D / √N_tr),

with δ the in-transit flux decrement, n_in the number of in-transit points, σ a robust
per-point scatter (the median absolute deviation of the out-of-transit flux scaled to a
standard deviation, :func:`starskope.scatter.robust_std`),
σ_D the same robust scatter of the out-of-transit flux averaged in bins one transit
duration long, and N_tr the number of transits with data. For white noise the two terms
agree (δ/σ·√n_in); correlated noise (K2 roll residuals, stellar granulation) makes the
second larger and keeps noise bumps below the threshold. Its transits are then masked and the search repeated, down to
``snr_threshold`` (default 7.1, the Kepler pipeline's threshold).

A detection seen in fewer than ``min_transits`` transits (a single deep event: a
long-period planet, an eclipse, a glitch) is not reported; when it dominates the
periodogram it is masked and the search goes on (at most three such events).

Time is in BJD_TDB days throughout the array interface (``time`` may also be an
astropy ``Time``); flux may be in any positive unit (it is divided by its median).
"""

from __future__ import annotations

import dataclasses
from collections.abc import Callable, Iterator
from dataclasses import dataclass, field
from functools import partial
from typing import Any

import astropy.units as u
import numpy as np
from astropy.time import Time

from .. import limits
from ..clean.durations import DEFAULT_STELLAR_DENSITY, _density_pair
from ..errors import ParameterError
from ..quantities import require_positive
from ..scatter import robust_std
from . import _kernels
from .candidate import TransitCandidate
from .folding import phase_fold, time_from_transit
from .grid import SearchGrid, _limits, make_grid

__all__ = [
    "DEFAULT_SNR_THRESHOLD",
    "MIN_POINTS",
    "Periodogram",
    "SearchResult",
    "measure_ephemeris",
    "search",
    "search_transits",
]

#: Default detection threshold (the Kepler pipeline's 7.1σ).
DEFAULT_SNR_THRESHOLD: float = 7.1

#: Fewest finite flux values a search accepts.
MIN_POINTS: int = 50

_REFINE_FACTOR = 10  # local grid this many times finer than the coarse one
_N_PEAKS = 8  # coarse peaks refined per iteration (then ranked by SNR)


@dataclass(frozen=True)
class Periodogram:
    """One pass of the search: the best box at every trial period.

    Attributes
    ----------
    period : Quantity [day]
        Trial periods (decreasing).
    power : ndarray
        Δχ² of the best box at each period (the "likelihood" objective, ×2).
    duration : Quantity [hour]
        Duration of the best box at each period.
    snr_bls : ndarray
        √power: the box depth over its formal error.
    """

    period: u.Quantity
    power: np.ndarray
    duration: u.Quantity

    @property
    def snr_bls(self) -> np.ndarray:
        return np.sqrt(np.maximum(self.power, 0.0))

    @property
    def sde(self) -> float:
        """Signal detection efficiency of the highest peak: (max − mean)/std of √power."""
        return _sde(self.snr_bls)


@dataclass
class SearchResult:
    """What a search found: candidates above threshold and the periodograms.

    Behaves as a sequence of its candidates (``len``, iteration, indexing).

    Attributes
    ----------
    candidates : list of TransitCandidate
        Detections with SNR ≥ the threshold: the first pass's (the periodogram's most
        significant box), then the later passes' by SNR, each with
        ``extra = {'power', 'snr_bls', 'sde', 'iteration', 'dominance', 'odd_even_sigma'}``
        (``iteration``: the search pass that found it, counting from 0).
    periodograms : list of Periodogram
        One per pass (the last one is the pass that found nothing above threshold).
    best : TransitCandidate or None
        Strongest peak of the first pass whatever its SNR (None when no dip at all).
    settings : dict
        Period range (days), number of trial periods, oversampling and threshold used.
    singles : list of TransitCandidate
        Lone transits above the threshold (one event with data: a long period, or a
        short light curve), strongest first: ``n_transits = 1``, ``period`` the shortest
        period the data and the star allow, ``extra`` with ``single = 1`` and
        ``period_min_days`` / ``period_max_days`` (see :func:`single_transit`).
    """

    candidates: list[TransitCandidate]
    periodograms: list[Periodogram]
    best: TransitCandidate | None
    settings: dict[str, Any] = field(default_factory=dict)
    singles: list[TransitCandidate] = field(default_factory=list)

    @property
    def periods(self) -> u.Quantity:
        """Trial periods of the first pass."""
        return self.periodograms[0].period

    @property
    def power(self) -> np.ndarray:
        """Power (Δχ²) of the first pass."""
        return self.periodograms[0].power

    def __len__(self) -> int:
        return len(self.candidates)

    def __iter__(self) -> Iterator[TransitCandidate]:
        return iter(self.candidates)

    def __getitem__(self, i: int) -> TransitCandidate:
        return self.candidates[i]


# --------------------------------------------------------------------------- inputs


def _days(value: Any, name: str) -> float:
    """A period-like argument as float days (Quantity of time, or a bare number in days)."""
    if isinstance(value, u.Quantity):
        return float(require_positive(value, u.day, name).to_value(u.day))
    try:
        v = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a time Quantity or a number of days; got {value!r}") from None
    if not np.isfinite(v) or v <= 0:
        raise ParameterError(f"{name} must be finite and positive; got {value!r}")
    return v


def _time_days(time: Any) -> np.ndarray:
    if isinstance(time, Time):
        return np.asarray(time.tdb.jd, dtype=np.float64)
    if isinstance(time, u.Quantity):
        return np.asarray(time.to_value(u.day), dtype=np.float64)
    return np.asarray(time, dtype=np.float64)


@dataclass(frozen=True)
class _Prepared:
    """A light curve ready for the kernels: finite points only, relative flux."""

    t_abs: np.ndarray  # BJD days, increasing
    y: np.ndarray  # relative flux − 1 (unweighted)
    w: np.ndarray  # weights 1/σ² (relative-flux units)
    sigma: float  # robust per-point scatter of y
    cadence: float  # median spacing, days


def _robust_sigma(y: np.ndarray) -> float:
    s = robust_std(y)
    if not s > 0:
        s = float(np.std(y))
    return s


def _validate_period_range(pmin: float, pmax: float, baseline: float, cadence: float) -> None:
    if pmin >= pmax:
        raise ParameterError(f"period_min ({pmin:g} d) must be shorter than period_max ({pmax:g} d)")
    if pmax > baseline:
        raise ParameterError(
            f"period_max ({pmax:g} d) is longer than the baseline of the data ({baseline:.4g} d); "
            "a period needs at least two transits inside the data"
        )
    if pmin < 4 * cadence:
        raise ParameterError(
            f"period_min ({pmin:g} d) must be at least 4 cadences ({4 * cadence:.4g} d) so a "
            "transit can be resolved"
        )


def _search_grid(baseline: float, period_min: float, period_max: float, cadence: float,
                 density: tuple[float, float], oversample: float, duration_ratio: float) -> SearchGrid:
    """The trial grid of a search over ``baseline`` days (all in days), the range checked."""
    _validate_period_range(period_min, period_max, baseline, cadence)
    return make_grid(baseline, period_min, period_max, cadence_days=cadence, stellar_density=density,
                     oversample=oversample, duration_ratio=duration_ratio)


def _check_settings(*, period_min: Any, period_max: Any, stellar_density: Any, oversample: float,
                    duration_ratio: float, snr_threshold: float, max_planets: int, min_transits: int,
                    mask_factor: float) -> tuple[float, float | None, dict[str, Any]]:
    """The settings of :func:`search_transits` (and :func:`~starskope.search.search_many`)
    checked and converted for :func:`_search_prepared`.

    Returns
    -------
    period_min : float
        Days.
    period_max : float or None
        Days; None for half the baseline of each light curve searched.
    settings : dict
        The other keyword arguments of :func:`_search_prepared` (``density`` in ρ☉, ...).
    """
    if max_planets < 1:
        raise ParameterError(f"max_planets must be >= 1; got {max_planets}")
    if min_transits < 1:
        raise ParameterError(f"min_transits must be >= 1; got {min_transits}")
    # 0 reports the strongest peak whatever its strength (benchmarks measure noise peaks so)
    limits.check_snr_threshold(snr_threshold, name="snr_threshold", allow_zero=True)
    if not (np.isfinite(mask_factor) and mask_factor > 0):
        raise ParameterError(f"mask_factor must be a positive number of transit durations; got {mask_factor!r}")
    pmin = _days(period_min, "period_min")
    pmax = None if period_max is None else _days(period_max, "period_max")
    density = _density_pair(stellar_density) if stellar_density is not None else DEFAULT_STELLAR_DENSITY
    return pmin, pmax, {
        "density": density,
        "oversample": float(oversample),
        "duration_ratio": float(duration_ratio),
        "snr_threshold": float(snr_threshold),
        "max_planets": int(max_planets),
        "min_transits": int(min_transits),
        "mask_factor": float(mask_factor),
    }


def _prepare(time: Any, flux: Any, flux_err: Any, *, name: str = "flux") -> _Prepared:
    t = _time_days(time)
    f = np.asarray(flux, dtype=np.float64)
    if isinstance(flux, u.Quantity):
        f = np.asarray(flux.value, dtype=np.float64)
    if t.ndim != 1 or f.ndim != 1 or t.size != f.size:
        raise ParameterError(
            f"time and {name} must be 1-D arrays of the same length; got shapes {t.shape} and {f.shape}"
        )
    ok = np.isfinite(t) & np.isfinite(f)
    e = None
    if flux_err is not None:
        e = np.asarray(flux_err.value if isinstance(flux_err, u.Quantity) else flux_err, dtype=np.float64)
        if e.shape != f.shape:
            raise ParameterError(f"flux_err has shape {e.shape} but {name} has {f.shape}")
        ok &= np.isfinite(e) & (e > 0)
    n_ok = int(ok.sum())
    if n_ok < MIN_POINTS:
        raise ParameterError(
            f"too few points to search: {n_ok} finite {name} values (with finite time"
            f"{' and positive flux_err' if e is not None else ''}); at least {MIN_POINTS} are needed"
        )
    t, f = t[ok], f[ok]
    if np.any(np.diff(t) <= 0):
        raise ParameterError("time must be strictly increasing (sort the light curve and drop duplicates)")
    med = float(np.median(f))
    if not med > 0:
        raise ParameterError(
            f"{name} must be positive (raw or normalised to 1); its median is {med:.4g}. "
            "Add 1 to a flux given as a relative deviation"
        )
    y = f / med - 1.0
    sigma = _robust_sigma(y)
    if not sigma > 0:
        raise ParameterError(f"{name} is constant: nothing to search")
    if e is not None:
        w = (med / e[ok]) ** 2
    else:
        w = np.full(t.size, 1.0 / sigma**2)
    cadence = float(np.median(np.diff(t)))
    return _Prepared(t, y, w, sigma, cadence)


# --------------------------------------------------------------------------- core


#: The coarse pass averages cadences into bins of the shortest trial duration divided by
#: this (TESS 2-min: ~10-min bins at the shortest periods) where the cadence is shorter
#: than two thirds of such a bin; the phase bins are half the shortest duration, so no
#: box loses resolution, and the peaks are refined and measured on every cadence.
PREBIN_PER_DURATION: float = 2.0


def _prebin_width(duration_min: float, cadence: float) -> float | None:
    """The coarse pass's time bin (days) for a shortest trial duration, None for none."""
    width = duration_min / PREBIN_PER_DURATION
    return width if cadence < width / 1.5 else None


def _prebin(t: np.ndarray, y: np.ndarray, w: np.ndarray, width: float):
    """Average consecutive points into time bins of ``width`` days (weights add)."""
    key = np.floor((t - t[0]) / width).astype(np.int64)
    starts = np.flatnonzero(np.concatenate([[True], key[1:] != key[:-1]]))
    sw = np.add.reduceat(w, starts)
    swy = np.add.reduceat(w * y, starts)
    swt = np.add.reduceat(w * (t - t[0]), starts)
    return swt / sw + t[0], swy / sw, sw


def _sde(x: np.ndarray) -> float:
    x = np.asarray(x, dtype=float)
    s = float(np.std(x))
    return float((np.max(x) - np.mean(x)) / s) if s > 0 else 0.0


def _top_peaks(power: np.ndarray, k: int, separation: int) -> list[int]:
    order = np.argsort(power)[::-1]
    chosen: list[int] = []
    for i in order[: max(50 * k, 200)]:
        if power[i] <= 0:
            break
        if all(abs(int(i) - j) > separation for j in chosen):
            chosen.append(int(i))
            if len(chosen) == k:
                break
    return chosen


@dataclass(frozen=True)
class _Box:
    power: float
    period: float
    t0: float  # absolute BJD of a mid-transit
    duration: float  # days
    #: found at a third of its period (:func:`_tripled`): kept only for a signal that no
    #: box found at its own period already is (:func:`_distinct`)
    tripled: bool = False


def _run_kernel(tr: np.ndarray, y: np.ndarray, w: np.ndarray, grid: SearchGrid, stride: bool):
    ym = y - np.sum(w * y) / np.sum(w)
    k = len(grid)
    power = np.zeros(k)
    start = np.zeros(k, dtype=np.int64)
    width = np.zeros(k, dtype=np.int64)
    _kernels.bls_single(tr, w * ym, w, float(np.sum(w)), grid.freqs, grid.nbins,
                        grid.dur_offsets, grid.dur_bins, stride, power, start, width)
    return power, start, width


_N_REFINED = 3  # of those, refined: the most significant by their coarse boxes' SNR


def _peaks_to_refine(t: np.ndarray, y: np.ndarray, w: np.ndarray, t_ref: float, grid: SearchGrid,
                     power: np.ndarray, start: np.ndarray, width: np.ndarray, cadence: float,
                     ranked: tuple[np.ndarray, np.ndarray] | None = None) -> list[int]:
    """The coarse peaks worth refining: the :data:`_N_PEAKS` highest in power, ranked by
    the SNR of their coarse boxes (refining costs more than measuring), the best
    :data:`_N_REFINED` of them and the highest peak."""
    peaks = _top_peaks(power, _N_PEAKS, separation=3)
    if len(peaks) <= _N_REFINED:
        return peaks

    def coarse_snr(j: int) -> float:
        period = 1.0 / float(grid.freqs[j])
        nb = int(grid.nbins[j])
        box = _Box(float(power[j]), period, t_ref + (start[j] + 0.5 * width[j]) * period / nb,
                   max(float(width[j]) * period / nb, cadence))
        snr = _box_stats(t, y, w, box, cadence, ranked).snr
        return snr if np.isfinite(snr) else -np.inf

    by_snr = sorted(peaks[1:], key=coarse_snr, reverse=True)
    return [peaks[0], *by_snr[: _N_REFINED - 1]]


def _local_fits(grid: SearchGrid, reach: float) -> bool:
    """The boxes within ``reach`` days of a transit (and their bins) take less than half
    the phase at every frequency of ``grid``: a local search pays."""
    binw = 1.0 / (grid.freqs * grid.nbins)
    m_hi = grid.dur_bins[grid.dur_offsets[1:] - 1]
    rb = np.floor(reach / binw).astype(np.int64) + 1
    return bool(np.all(2 * rb + 2 * m_hi + 4 <= grid.nbins // 2))


def _near_transit(tr: np.ndarray, grid: SearchGrid, t_mid: float, reach: float) -> np.ndarray:
    """The points that can fall in a box of :func:`_run_local` at any frequency of
    ``grid`` (or within its range): those within the boxes' reach (and two more bins) of
    the transit at the middle frequency, plus the drift of the phases between the
    frequencies over the data's span."""
    binw = 1.0 / (grid.freqs * grid.nbins)
    m_hi = grid.dur_bins[grid.dur_offsets[1:] - 1]
    rb = np.floor(reach / binw).astype(np.int64) + 1
    f_mid = float(np.median(grid.freqs))
    span = float(np.max(np.abs(tr - t_mid)))
    drift = span * float(np.max(np.abs(grid.freqs - f_mid))) / float(np.min(grid.freqs))
    near = float(np.max((rb + m_hi + 5) * binw)) + drift
    cycles = (tr - t_mid) * f_mid
    return np.abs(cycles - np.round(cycles)) <= near * f_mid


def _run_local(tr: np.ndarray, y: np.ndarray, w: np.ndarray, grid: SearchGrid, t_mid: float, reach: float,
               near: np.ndarray | None):
    """The box search of :func:`_run_kernel` (every start) restricted to boxes whose middle
    lies within ``reach`` days of the transit at ``t_mid`` (both relative to ``tr``'s
    reference), folding only the points ``near`` it (:func:`_near_transit`). The whole
    phase (as :func:`_run_kernel`) where the reach covers most of it (or ``near`` is None)."""
    if near is None or not _local_fits(grid, reach):
        return _run_kernel(tr, y, w, grid, stride=False)
    ym = y - np.sum(w * y) / np.sum(w)
    k = len(grid)
    power = np.zeros(k)
    start = np.zeros(k, dtype=np.int64)
    width = np.zeros(k, dtype=np.int64)
    _kernels.bls_local(np.ascontiguousarray(tr[near]), np.ascontiguousarray((w * ym)[near]),
                       np.ascontiguousarray(w[near]), float(np.sum(w)), grid.freqs, grid.nbins,
                       grid.dur_offsets, grid.dur_bins, float(t_mid), float(reach), power, start, width)
    return power, start, width


def _refine(tr: np.ndarray, y: np.ndarray, w: np.ndarray, t_ref: float, freqs: np.ndarray,
            grid_kwargs: dict[str, Any], t_c: float, period_c: float, reach: float) -> _Box:
    """Re-search the frequencies ``freqs`` (a small interval around a peak at period
    ``period_c``, finer than the grid that found it).

    Only one transit of the peak is refined: the boxes whose middle lies within ``reach``
    days of ``t_c`` (a box middle relative to ``tr``'s reference), on the points near that
    transit (:func:`_run_local`).
    """
    fine = _grid_for_freqs(freqs, **grid_kwargs)
    # the coarse transit nearest the middle of the data: the phases of the finer
    # frequencies drift least there
    t_mid = t_c + np.round((0.5 * (tr[0] + tr[-1]) - t_c) / period_c) * period_c
    near = _near_transit(tr, fine, t_mid, reach) if _local_fits(fine, reach) else None
    power, start, width = _run_local(tr, y, w, fine, t_mid, reach, near)
    i = int(np.argmax(power))
    # a box a little longer than the transit fits equally well over a small range of
    # periods (a flat-topped peak): take the middle of the range within 5 % of the top
    top = power >= 0.95 * power[i]
    a, b = i, i
    while a > 0 and top[a - 1]:
        a -= 1
    while b < top.size - 1 and top[b + 1]:
        b += 1
    if b > a and a > 0 and b < top.size - 1:  # only a peak resolved inside the window
        mid = np.array([0.5 * (fine.freqs[a] + fine.freqs[b])])
        one = _grid_for_freqs(mid, **grid_kwargs)
        p1, s1, w1 = _run_local(tr, y, w, one, t_mid, reach, near)
        if p1[0] > 0:
            fine, power, start, width, i = one, p1, s1, w1, 0
    period = 1.0 / fine.freqs[i]
    nb = fine.nbins[i]
    t0 = t_ref + (start[i] + 0.5 * width[i]) * period / nb
    return _Box(float(power[i]), float(period), float(t0), float(width[i] * period / nb))


def _refine_peak(tr: np.ndarray, y: np.ndarray, w: np.ndarray, t_ref: float, grid: SearchGrid,
                 j: int, grid_kwargs: dict[str, Any], coarse_start: int, coarse_width: int) -> _Box:
    """:func:`_refine` around coarse peak ``j``: between its neighbours two frequencies
    away, the boxes whose middle lies within half the coarse box, the shortest trial
    duration and a coarse bin of the coarse box's middle (whose phase error is at most an
    eighth of the box and a bin)."""
    lo = grid.freqs[max(j - 2, 0)]
    hi = grid.freqs[min(j + 2, len(grid) - 1)]
    if hi <= lo:
        hi = lo * (1 + 1e-6)
    period_c = 1.0 / float(grid.freqs[j])
    nb_c = int(grid.nbins[j])
    t_c = (coarse_start + 0.5 * coarse_width) * period_c / nb_c
    reach = 0.5 * coarse_width * period_c / nb_c + float(grid.duration_min_days[j]) + period_c / nb_c
    return _refine(tr, y, w, t_ref, np.linspace(lo, hi, 4 * _REFINE_FACTOR + 1), grid_kwargs, t_c, period_c, reach)


def _refine_multiple(tr: np.ndarray, y: np.ndarray, w: np.ndarray, t_ref: float, box: _Box, k: int,
                     grid_kwargs: dict[str, Any]) -> _Box:
    """:func:`_refine` of a box at ``k`` times a found period, which carries ``k`` times
    that period's error: within :data:`MULTIPLE_REFINE_WITHIN` of its frequency, in steps
    that move its farthest transit by at most a quarter of its duration."""
    f = 1.0 / box.period
    baseline = float(tr[-1] - tr[0])
    n = int(max(2 * k * _REFINE_FACTOR, np.ceil(8.0 * MULTIPLE_REFINE_WITHIN * baseline / box.duration))) + 1
    freqs = np.linspace(f * (1.0 - MULTIPLE_REFINE_WITHIN), f * (1.0 + MULTIPLE_REFINE_WITHIN), n)
    return _refine(tr, y, w, t_ref, freqs, grid_kwargs, box.t0 - t_ref, box.period, box.duration)


def _grid_for_freqs(freqs: np.ndarray, *, cadence: float, density: tuple[float, float],
                    phase_oversample: float, duration_ratio: float) -> SearchGrid:
    periods = 1.0 / freqs
    dlo, dhi = _limits(periods, density, cadence, 0.8, 0.3)
    nbins = np.maximum(np.ceil(periods / (dlo / phase_oversample)).astype(np.int64), 4)
    binw = periods / nbins
    n_dur = int(np.ceil(np.log(np.max(dhi / dlo)) / np.log(duration_ratio))) + 1
    frac = np.linspace(0.0, 1.0, n_dur) if n_dur > 1 else np.zeros(1)
    d = dlo[:, None] * (dhi / dlo)[:, None] ** frac[None, :]
    m = np.clip(np.rint(d / binw[:, None]).astype(np.int64), 1, (nbins // 2)[:, None])
    keep = np.ones_like(m, dtype=bool)
    keep[:, 1:] = m[:, 1:] != m[:, :-1]
    offsets = np.concatenate([[0], np.cumsum(keep.sum(axis=1))]).astype(np.int64)
    return SearchGrid(freqs, nbins, offsets, m[keep], dlo, dhi)


@dataclass(frozen=True)
class _Stats:
    depth: float
    depth_err: float
    snr: float
    n_in: int
    n_transits: int
    #: share of the box's signal (Σ event SNR²) carried by its strongest event
    dominance: float = 0.0
    #: the in-transit median is far shallower than the mean: a few outlying points
    outliers: bool = False
    #: odd minus even event depth over its error (nan with fewer than one of each)
    odd_even_sigma: float = float("nan")
    #: the strongest event: its mid-time (BJD_TDB), depth, SNR, and whether it is a
    #: transit with data (half its cadences, and at least :data:`SINGLE_MIN_POINTS`)
    top_event: tuple[float, float, float, bool] = (float("nan"), float("nan"), 0.0, False)
    #: the transits with data: their numbers (transit 0 at the box's ``t0``), cadences and
    #: depths, and the robust per-point scatter
    events: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None
    sigma: float = float("nan")


#: An event counts as a transit with data when at least this share of its expected
#: in-transit cadences is there (a box that only grazes a gap's edge is not a transit).
EVENT_COVERAGE_MIN = 0.5
#: A periodic candidate whose strongest event carries more than this share of its
#: signal is one event plus noise: a single transit, not a period.
DOMINANCE_MAX = 0.85
#: The in-transit median shallower than this share of the mean depth: the "dip" is a few
#: outlying points (cosmic rays, momentum dumps), not a transit.
MEDIAN_DEPTH_MIN = 0.3
#: Fewest cadences inside a lone transit: fewer is an outlier, not a resolved dip.
SINGLE_MIN_POINTS = 3


def _ranked(y: np.ndarray, order: np.ndarray | None = None) -> tuple[np.ndarray, np.ndarray]:
    """``y`` sorted, and each value's position in that order (for :func:`_box_stats`);
    ``order`` is ``y``'s argsort when the caller has it."""
    if order is None:
        order = np.argsort(y)
    rank = np.empty(y.size, dtype=np.int64)
    rank[order] = np.arange(y.size)
    return np.ascontiguousarray(y[order]), rank


def _subset_order(order: np.ndarray, keep: np.ndarray) -> np.ndarray:
    """The argsort of ``y[keep]`` from the argsort ``order`` of ``y`` (no new sort)."""
    position = np.cumsum(keep) - 1
    return position[order[keep[order]]]


def _nanmax2(a: float, b: float) -> float:
    """``np.nanmax([a, b])`` for two floats (NaN only when both are)."""
    if a != a:
        return float(b)
    return float(a) if not b > a else float(b)


def _box_stats(t: np.ndarray, y: np.ndarray, w: np.ndarray, box: _Box, cadence: float,
               ranked: tuple[np.ndarray, np.ndarray] | None = None) -> _Stats:
    """Depth, its error and SNR of a box on the unbinned points, and its events.

    SNR = δ / σ_D · √N_tr, where σ_D is the robust scatter of the out-of-transit flux
    averaged over the transit duration and N_tr the number of transits with data. For
    white noise σ_D = σ/√n_per_transit and this is δ/σ·√n_in; correlated noise raises
    σ_D and so lowers the SNR of noise bumps.

    Transits with data are the events with at least :data:`EVENT_COVERAGE_MIN` of their
    expected cadences; each event's own depth and SNR give the box's dominance (the
    strongest event's share of Σ SNR²) and the odd/even depth difference.

    ``ranked`` is :func:`_ranked` of ``y`` when the caller measures many boxes on the same
    points (computed here otherwise); the numbers are NumPy's to the last bit either way
    (:func:`starskope.search._kernels.box_stats_core`).
    """
    s_sorted, rank = _ranked(y) if ranked is None else ranked
    inside, n_in, base, mean_in, sigma, sigma_d, epochs, counts, ev_mean, median_in = _kernels.box_stats_core(
        t, y, w, s_sorted, rank, float(box.period), float(box.t0), float(box.duration), float(cadence))
    n_out = t.size - n_in
    if n_in == 0 or n_out < 3:
        return _Stats(np.nan, np.nan, 0.0, n_in, 0)
    depth = float(base - mean_in)
    if not sigma > 0:
        sigma = float(np.std(y[~inside]))
    expected = max(box.duration / cadence, 1.0)
    full = counts >= EVENT_COVERAGE_MIN * expected
    n_tr = int(full.sum())
    white = sigma / np.sqrt(n_in)
    red = sigma_d / np.sqrt(max(n_tr, 1))
    err = _nanmax2(white, red)
    depth_err = float(np.sqrt(err**2 + sigma**2 / n_out))
    snr = depth / err if err > 0 else 0.0
    ev_depth = base - ev_mean
    ev_snr2 = np.where(ev_depth > 0, ev_depth**2 * counts / sigma**2, 0.0) if sigma > 0 else np.zeros(epochs.size)
    dominance = float(ev_snr2.max() / ev_snr2.sum()) if ev_snr2.sum() > 0 else 1.0
    outliers = bool(depth > 0 and base - float(median_in) < MEDIAN_DEPTH_MIN * depth)
    if outliers:
        outliers = _outlying_at_centre(t, y, box, base, depth, counts.size)
    odd = (epochs % 2 == 1) & full
    even = (epochs % 2 == 0) & full
    oe = float("nan")
    if odd.any() and even.any():
        d_odd = float(np.average(ev_depth[odd], weights=counts[odd]))
        d_even = float(np.average(ev_depth[even], weights=counts[even]))
        e_odd = sigma / np.sqrt(counts[odd].sum())
        e_even = sigma / np.sqrt(counts[even].sum())
        oe = (d_odd - d_even) / float(np.hypot(e_odd, e_even)) if sigma > 0 else float("nan")
    top = int(np.argmax(ev_snr2)) if ev_snr2.size else 0
    # the event alone, with red noise as for the box: δ / max(σ/√n, σ_D)
    ev_err = _nanmax2(sigma / np.sqrt(counts[top]), sigma_d) if counts.size else float("nan")
    top_event = (float(box.t0 + epochs[top] * box.period), float(ev_depth[top]),
                 float(ev_depth[top] / ev_err) if ev_err > 0 else 0.0,
                 bool(counts.size and full[top] and counts[top] >= SINGLE_MIN_POINTS))
    return _Stats(depth, depth_err, float(snr), n_in, n_tr, dominance, outliers, oe, top_event,
                  (epochs[full], counts[full], ev_depth[full]), float(sigma))


def _outlying_at_centre(t: np.ndarray, y: np.ndarray, box: _Box, base: float, depth: float, n_events: int) -> bool:
    """The median test again on the box's central half, where it has enough points (three
    an event): a box wider than its dip (the trial durations of a catalogue density that
    is wrong for the star) holds more flat points than dipped ones, so its median misses
    a dip that every event shows; a few outlying points are no deeper at the centre."""
    phase = np.abs(phase_fold(t, box.period, box.t0)) * box.period
    centre = phase < 0.25 * box.duration
    if centre.sum() < 3 * max(n_events, 1):
        return True
    return bool(base - float(np.median(y[centre])) < MEDIAN_DEPTH_MIN * depth)


#: Events whose depths differ by more than this many σ, and by more than this share of their
#: mean, between every other (or every third) transit are two different eclipses, or one
#: eclipse and empty boxes: the period is a multiple of the box's.
ODD_EVEN_DOUBLE_SIGMA = 5.0
ODD_EVEN_DOUBLE_SHARE = 0.25
#: The multiples of the box's period tested, in turn: every other event (odd/even), then every
#: third (a binary whose secondary eclipse sits near a third of its orbit, or one found at a
#: third of its period with two boxes of three empty). In this order: measured on
#: ../shared/data, preferring whichever multiple stands out more (in σ) moved a Kepler
#: planet host's 25.9-d planet to half its period and gained nothing over it.
PERIOD_MULTIPLES = (2, 3)
#: A multiple's period carries the box's period error times the multiple: a tripled one is
#: refined within this fraction of itself (:func:`_refine_multiple`). Doubled periods are
#: not: on ../shared/data refining them moved 4 known periods off (a Kepler planet among
#: them) and 3 on.
MULTIPLE_REFINE_WITHIN = 0.02
#: A tripled box is kept only when the box half its period away has data and is shallower
#: than this share of its depth (a dip there too means the period is half the multiple: the
#: box was found at two thirds of it).
HALF_WAY_DEPTH_MAX = 0.5
#: Every third event differing is taken as a period three times the box's only when the
#: shallowest class of events is below this share of the deepest: some boxes are empty. A
#: transit's events partly lost to K2's thruster firings differ by class by more than 5 σ
#: and 25 % (an injected 1.2-d planet: 4.7, 2.9 and 4.1 ppt), but none is empty.
EMPTY_CLASS_SHARE = 0.25


def _deeper_class(stats: _Stats, k: int) -> int | None:
    """The transit class (number mod ``k``) whose events are significantly deeper than the
    others' (:data:`ODD_EVEN_DOUBLE_SIGMA`, :data:`ODD_EVEN_DOUBLE_SHARE`), or None."""
    if stats.events is None or not stats.sigma > 0:
        return None
    numbers, counts, depths = stats.events
    cls = numbers % k
    if np.unique(cls).size < k:
        return None
    n = np.array([counts[cls == r].sum() for r in range(k)], float)
    d = np.array([np.average(depths[cls == r], weights=counts[cls == r]) for r in range(k)])
    best = int(np.argmax(d))
    rest = np.arange(k) != best
    d_rest = float(np.average(d[rest], weights=n[rest]))
    err = stats.sigma * float(np.hypot(1.0 / np.sqrt(n[best]), 1.0 / np.sqrt(n[rest].sum())))
    diff = float(d[best]) - d_rest
    if not (diff > ODD_EVEN_DOUBLE_SIGMA * err and diff > ODD_EVEN_DOUBLE_SHARE * 0.5 * (float(d[best]) + d_rest)):
        return None
    if k > 2 and not float(np.min(d)) < EMPTY_CLASS_SHARE * float(d[best]):
        return None  # beyond odd/even: only when some boxes are empty
    return best


def _period_multiple(stats: _Stats) -> tuple[int, int] | None:
    """The first multiple k of :data:`PERIOD_MULTIPLES` with a deeper transit class, and
    that class; None when none has one."""
    for k in PERIOD_MULTIPLES:
        r = _deeper_class(stats, k)
        if r is not None:
            return k, r
    return None


def _at_multiple(t: np.ndarray, y: np.ndarray, w: np.ndarray, box: _Box, stats: _Stats,
                 cadence: float, ranked: tuple[np.ndarray, np.ndarray] | None = None,
                 refine: Callable[[_Box, int], _Box] | None = None) -> tuple[_Box, _Stats]:
    """The box at a multiple of its period (on its deeper events) while every other or every
    third event differs from the rest: an eclipsing binary's primary and secondary eclipses
    found as one box, or a transit found at a half, a third or a quarter of its period (the
    other boxes empty). ``refine`` re-searches a tripled box's period (:func:`_tripled`)."""
    for _ in range(4):
        multiple = _period_multiple(stats)
        if multiple is None:
            break
        k, r = multiple
        longer = _Box(box.power, k * box.period, box.t0 + r * box.period, box.duration)
        if k > 2:
            return _tripled(t, y, w, box, stats, longer, cadence, ranked, refine)
        s2 = _box_stats(t, y, w, longer, cadence, ranked)
        if not (s2.n_transits >= 1 and s2.depth > 0):
            break
        box, stats = longer, s2
    return box, stats


def _tripled(t: np.ndarray, y: np.ndarray, w: np.ndarray, box: _Box, stats: _Stats, longer: _Box,
             cadence: float, ranked: tuple[np.ndarray, np.ndarray] | None,
             refine: Callable[[_Box, int], _Box] | None) -> tuple[_Box, _Stats]:
    """``longer`` (``box`` at three times its period), refined, when its transits dip and
    the boxes half its period away are seen and shallow; else ``box``. No further multiple
    is tried: a transit's events partly lost to gaps or cleaning differ by chance."""
    if refine is not None:
        better = refine(longer, 3)
        if better.power > 0:
            longer = better
    longer = dataclasses.replace(longer, tripled=True)
    s3 = _box_stats(t, y, w, longer, cadence, ranked)
    if not (s3.n_transits >= 1 and s3.depth > 0):
        return box, stats
    # a box at two thirds of a transit's period has every third box on a transit and the
    # transits between them half-way: then the period is half the multiple (and where no
    # data show the half-way boxes, either may be)
    half = _Box(longer.power, longer.period, longer.t0 + 0.5 * longer.period, longer.duration)
    s_half = _box_stats(t, y, w, half, cadence, ranked)
    if s_half.n_transits == 0 or not s_half.depth <= HALF_WAY_DEPTH_MAX * s3.depth:
        return box, stats
    return longer, s3


def _first_epoch(t0: float, period: float, duration: float, t_min: float) -> float:
    """Mid-time of the first transit that ends after ``t_min``."""
    n = np.ceil((t_min - 0.5 * duration - t0) / period)
    return float(t0 + n * period)


def _make_candidate(box: _Box, stats: _Stats, t_min: float, sde: float, iteration: int) -> TransitCandidate:
    return TransitCandidate.from_floats(
        box.period,
        _first_epoch(box.t0, box.period, box.duration, t_min),
        box.duration * 24.0,
        stats.depth * 1e6,
        depth_err=stats.depth_err * u.dimensionless_unscaled,
        snr=stats.snr,
        n_transits=stats.n_transits,
        source="search",
        extra={
            "power": box.power,
            "snr_bls": float(np.sqrt(max(box.power, 0.0))),
            "sde": sde,
            "iteration": float(iteration),
            "dominance": stats.dominance,
            "odd_even_sigma": stats.odd_even_sigma,
            **({"tripled": 1.0} if box.tripled else {}),
        },
    )


def _allowed_periods(t: np.ndarray, t_event: float, duration: float, periods: np.ndarray) -> np.ndarray:
    """Which trial periods put no second transit of a lone event on data (a transit
    counts as seen when half its cadences are there)."""
    cadence = float(np.median(np.diff(t))) if t.size > 1 else duration
    need = max(EVENT_COVERAGE_MIN * duration / cadence, 1.0)
    ok = np.ones(periods.size, bool)
    for i, p in enumerate(periods):
        n = np.arange(np.floor((t[0] - t_event) / p) - 1, np.ceil((t[-1] - t_event) / p) + 2)
        n = n[n != 0]
        mids = t_event + n * p
        counts = np.searchsorted(t, mids + 0.5 * duration) - np.searchsorted(t, mids - 0.5 * duration)
        ok[i] = not np.any(counts >= need)
    return ok


def single_transit(t: np.ndarray, t_event: float, duration: float, depth: float, depth_err: float, snr: float,
                   density: tuple[float, float]) -> TransitCandidate:
    """A lone transit as a candidate: its epoch, duration, depth and SNR, and the
    periods it allows — those its duration allows for a star in the density range
    (ρ☉ units; :func:`starskope.physics.period_range_from_duration_arrays`) that put no
    second transit on the data. ``period`` is the shortest of them (a lower bound)."""
    from ..clean.durations import SOLAR_DENSITY
    from ..physics import period_range_from_duration_arrays

    rho_sun = float(SOLAR_DENSITY.value)
    p_lo, p_hi = period_range_from_duration_arrays(duration, density[0] * rho_sun, density[1] * rho_sun)
    span = float(t[-1] - t[0])
    trial = np.geomspace(max(2.0 * duration, 0.1), max(p_hi, 2.0 * span), 1500)
    allowed = trial[_allowed_periods(t, t_event, duration, trial) & (trial >= p_lo)]
    p_min = float(allowed[0]) if allowed.size else float(max(p_lo, span))
    p_max = float(max(p_hi, p_min))
    return TransitCandidate.from_floats(
        p_min, t_event, duration * 24.0, depth * 1e6, depth_err=depth_err * u.dimensionless_unscaled, snr=snr,
        n_transits=1, source="search (single transit)",
        extra={"single": 1.0, "period_min_days": p_min, "period_max_days": p_max})


#: A box with only two transits needs this many times the detection threshold: the
#: trials at long periods are many, and two noise bumps (or one real event and a bump)
#: pair up far more often than three.
TWO_TRANSIT_FACTOR = 1.15


def _same_signal(period_a: float, t0_a: float, duration_a: float,
                period_b: float, t0_b: float, duration_b: float) -> bool:
    """Two boxes (days) are one signal: periods within 1 %, and a transit of the first
    within half a duration of one of the second's."""
    return bool(abs(period_a / period_b - 1.0) < 0.01
                and abs(float(time_from_transit(np.array([t0_a]), period_b, t0_b)[0]))
                < 0.5 * max(duration_a, duration_b))


def _distinct(boxes: list[tuple[_Box, _Stats]]) -> list[tuple[_Box, _Stats]]:
    """The boxes, one per signal: boxes within 1 % in period whose transits coincide are
    one signal, kept at its highest power (its best fit; a slightly wrong period with a
    longer box can score a higher SNR on the same transits) — and a box found at its own
    period before one tripled from a third of it: on ../shared/data's kept-aside Kepler
    planets the tripled fit, kept for its higher power, moved p_planet by up to 0.4 either way."""
    kept: list[tuple[_Box, _Stats]] = []
    for box, stats in sorted(boxes, key=lambda bs: (not bs[0].tripled, bs[0].power), reverse=True):
        same = any(_same_signal(box.period, box.t0, box.duration, k.period, k.t0, k.duration) for k, _ in kept)
        if not same:
            kept.append((box, stats))
    return kept


#: A box that is not a periodic transit is cut out at all its epochs only while that
#: leaves this share of the points searched; beyond it, only its strongest event goes.
LONE_CUT_MAX = 0.1


def _lone_cut(t: np.ndarray, active: np.ndarray, box: _Box, t_event: float, mask_factor: float) -> np.ndarray:
    """The cadences to cut before searching on, after a box that is no periodic transit
    (a lone event, or a dip in its mean but not its median): its epochs, unless they hold
    more than :data:`LONE_CUT_MAX` of the points still searched — then the strongest event
    alone. Cut at every epoch, a box far wider than a binary's eclipses (durations for a
    catalogue density that is wrong for the star) took 38 % of the light curve a pass:
    three passes left KIC 10991989 (Kepler, a 0.97-d binary) a ninth of its cadences, whose
    lower scatter made a box at 3× its period the strongest of all the searches."""
    half = 0.5 * mask_factor * box.duration
    cut = np.abs(phase_fold(t, box.period, box.t0)) * box.period < half
    if np.count_nonzero(cut & active) > LONE_CUT_MAX * np.count_nonzero(active) and np.isfinite(t_event):
        cut = np.abs(t - t_event) < half
    return cut


def _periodic(stats: _Stats, min_transits: int, snr_threshold: float) -> bool:
    """A box that is a periodic transit: enough full events, none dominating, a dip in
    its median as well as its mean; two transits only when clearly significant."""
    two_ok = stats.n_transits != 2 or stats.snr >= TWO_TRANSIT_FACTOR * snr_threshold
    return (stats.n_transits >= min_transits and stats.depth > 0 and not stats.outliers
            and (stats.n_transits < 2 or stats.dominance <= DOMINANCE_MAX) and two_ok)


def _search_prepared(
    prep: _Prepared,
    *,
    period_min: float,
    period_max: float,
    density: tuple[float, float],
    oversample: float,
    duration_ratio: float,
    snr_threshold: float,
    max_planets: int,
    min_transits: int,
    mask_factor: float,
    first_pass: tuple[np.ndarray, np.ndarray, np.ndarray] | None = None,
) -> SearchResult:
    t_all, y_all, w_all = prep.t_abs, prep.y, prep.w
    t_ref = float(t_all[0])
    baseline = float(t_all[-1] - t_all[0])
    grid = _search_grid(baseline, period_min, period_max, prep.cadence, density, oversample, duration_ratio)
    fine_kwargs = {"cadence": prep.cadence, "density": density, "phase_oversample": 4.0,
                   "duration_ratio": 1.1}
    prebin_width = _prebin_width(float(np.min(grid.duration_min_days)), prep.cadence)
    active = np.ones(t_all.size, dtype=bool)
    order_all = np.argsort(y_all)
    candidates: list[TransitCandidate] = []
    singles: list[TransitCandidate] = []
    periodograms: list[Periodogram] = []
    best: TransitCandidate | None = None
    n_single = 0
    for iteration in range(max_planets + 3):
        if len(candidates) == max_planets:
            break
        t, y, w = t_all[active], y_all[active], w_all[active]
        if t.size < MIN_POINTS:
            break
        if iteration == 0 and first_pass is not None:
            power, start, width = first_pass
        else:
            if prebin_width is not None:
                tb, yb, wb = _prebin(t, y, w, prebin_width)
            else:
                tb, yb, wb = t, y, w
            power, start, width = _run_kernel(tb - t_ref, yb, wb, grid, stride=True)
        periods = grid.periods
        durations = width / grid.freqs / grid.nbins
        pg = Periodogram(periods * u.day, power, (durations * u.day).to(u.hour))
        periodograms.append(pg)
        sde = pg.sde
        boxes: list[tuple[_Box, _Stats]] = []
        # this pass's points sorted by flux, for every box measured on them: the first
        # pass's sort with the masked points left out
        ranked = _ranked(y, _subset_order(order_all, active))
        for j in _peaks_to_refine(t, y, w, t_ref, grid, power, start, width, prep.cadence, ranked):
            box = _refine_peak(t - t_ref, y, w, t_ref, grid, j, fine_kwargs, int(start[j]), int(width[j]))
            if box.power <= 0:
                continue
            stats = _box_stats(t, y, w, box, prep.cadence, ranked)
            boxes.append(_at_multiple(t, y, w, box, stats, prep.cadence, ranked,
                                  partial(_refine_multiple, t - t_ref, y, w, t_ref, grid_kwargs=fine_kwargs)))
        if not boxes:
            break
        # one signal refined from two coarse peaks: keep its best fit (the highest power)
        boxes = _distinct(boxes)
        # the peaks in order of significance: the SNR counts red noise and the number of
        # transits, so a two-transit box at a gap's edge does not outrank a many-transit one
        # (Δχ², the periodogram's power, favours long periods with few transits)
        boxes.sort(key=lambda bs: bs[1].snr if np.isfinite(bs[1].snr) else -np.inf, reverse=True)
        valid = [bs for bs in boxes if _periodic(bs[1], min_transits, snr_threshold)]
        if iteration == 0:
            b0, s0 = (valid or boxes)[0]
            if np.isfinite(s0.depth) and s0.depth > 0:
                best = _make_candidate(b0, s0, float(t_all[0]), sde, 0)
        if not valid:
            single, sstats = boxes[0]
            if sstats.snr >= snr_threshold and not _periodic(sstats, min_transits, snr_threshold) and n_single < 3:
                # a deep lone event (a long-period planet, a flare's rebound, a glitch)
                # dominates every peak: keep it as a single transit unless it is a few
                # outlying points, cut it out and search on
                n_single += 1
                t_ev, d_ev, snr_ev, resolved = sstats.top_event
                if resolved and not sstats.outliers and np.isfinite(t_ev) and d_ev > 0 and snr_ev >= snr_threshold:
                    singles.append(single_transit(t_all, t_ev, single.duration, d_ev, d_ev / snr_ev, snr_ev,
                                                  density))
                active &= ~_lone_cut(t_all, active, single, t_ev, mask_factor)
                continue
            break
        box, stats = valid[0]
        if stats.snr < snr_threshold:
            break
        candidates.append(_make_candidate(box, stats, float(t_all[0]), sde, iteration))
        phase = np.abs(phase_fold(t_all, box.period, box.t0)) * box.period
        active &= phase >= 0.5 * mask_factor * box.duration
    # the first pass's candidate is the most significant box of the periodogram; later
    # passes (after masking) follow by significance. The first stays first, so asking for
    # more candidates never changes the best one
    candidates[1:] = sorted(candidates[1:], key=lambda c: c.snr, reverse=True)
    settings = {
        "period_min_days": period_min,
        "period_max_days": period_max,
        "n_periods": len(grid),
        "oversample": oversample,
        "duration_ratio": duration_ratio,
        "stellar_density_solar": density,
        "snr_threshold": snr_threshold,
        "n_points": int(t_all.size),
        "baseline_days": baseline,
        "noise_ppm": prep.sigma * 1e6,
    }
    singles.sort(key=lambda c: c.snr, reverse=True)
    return SearchResult(candidates, periodograms, best, settings, singles)


# --------------------------------------------------------------------------- public


def search_transits(
    time: np.ndarray | Time,
    flux: np.ndarray,
    flux_err: np.ndarray | None = None,
    *,
    period_min: u.Quantity | float = 0.5,
    period_max: u.Quantity | float | None = None,
    stellar_density: u.Quantity | tuple[u.Quantity, u.Quantity] | None = None,
    oversample: float = 2.0,
    duration_ratio: float = 1.33,
    snr_threshold: float = DEFAULT_SNR_THRESHOLD,
    max_planets: int = 5,
    min_transits: int = 2,
    mask_factor: float = 2.0,
) -> SearchResult:
    """Search plain arrays for periodic transits, several planets deep.

    Parameters
    ----------
    time : ndarray or astropy.time.Time
        Mid-exposure times, BJD_TDB days (strictly increasing).
    flux : ndarray
        Detrended flux, positive (raw units or normalised to 1); NaNs are ignored.
    flux_err : ndarray, optional
        1-σ flux errors, same unit as ``flux``; used as weights 1/σ² (points whose
        error is NaN or not positive are left out). Without them every point has the
        same weight.
    period_min, period_max : Quantity [time] or float (days)
        Period range. ``period_max`` defaults to half the baseline and may not exceed
        the baseline.
    stellar_density : Quantity [g/cm³] or (Quantity, Quantity), optional
        Star's density or range; sets the trial durations at each period
        (default FGKM dwarfs, 0.2–20 ρ☉; see :mod:`starskope.clean.durations`).
    oversample : float
        Frequency-grid oversampling against the transit-drift criterion (≥ 1).
    duration_ratio : float
        Ratio between successive trial durations.
    snr_threshold : float
        Report candidates with SNR ≥ this (default 7.1).
    max_planets : int
        Most candidates to report.
    min_transits : int
        Fewest transits with data a candidate needs.
    mask_factor : float
        Width of the window masked around each found transit, in transit durations.

    Returns
    -------
    SearchResult
        Candidates (strongest first) and the periodogram of each pass.

    Raises
    ------
    ParameterError
        period_min ≥ period_max, a non-positive period, period_max longer than the
        baseline, period_min shorter than 4 cadences, a negative or non-finite
        snr_threshold, a mask_factor that is not positive, fewer than
        :data:`MIN_POINTS` finite points, unsorted time, non-positive or constant flux.
    UnitsError
        A period Quantity that is not a time.
    """
    pmin, pmax, settings = _check_settings(
        period_min=period_min, period_max=period_max, stellar_density=stellar_density, oversample=oversample,
        duration_ratio=duration_ratio, snr_threshold=snr_threshold, max_planets=max_planets,
        min_transits=min_transits, mask_factor=mask_factor,
    )
    prep = _prepare(time, flux, flux_err)
    baseline = float(prep.t_abs[-1] - prep.t_abs[0])
    return _search_prepared(prep, period_min=pmin, period_max=0.5 * baseline if pmax is None else pmax, **settings)


def measure_ephemeris(
    time: np.ndarray | Time,
    flux: np.ndarray,
    period: u.Quantity | float,
    epoch: Time | float,
    duration: u.Quantity | float,
    flux_err: np.ndarray | None = None,
) -> TransitCandidate:
    """The search's box statistics at a given ephemeris: depth, its error and SNR.

    The same numbers the search reports for a peak it finds (SNR as in the module
    docstring), measured at a known period, mid-transit time and duration (a catalogue
    ephemeris, or a simulation's truth): how strong the signal is where it is, to set
    against what the search found elsewhere.

    Parameters
    ----------
    time, flux, flux_err
        As in :func:`search_transits` (detrended flux; BJD_TDB days or Time).
    period : Quantity [time] or float (days)
    epoch : Time or float (BJD_TDB days)
        A mid-transit time.
    duration : Quantity [time] or float (hours)
        Full transit duration.

    Returns
    -------
    TransitCandidate
        ``source="ephemeris"``; ``extra["power"]`` is the box's Δχ² on the unbinned points.

    Raises
    ------
    ParameterError
        A non-positive period or duration, or the inputs :func:`search_transits` rejects.
    """
    prep = _prepare(time, flux, flux_err)
    p = _days(period, "period")
    dur = float(duration.to_value(u.day)) if isinstance(duration, u.Quantity) else float(duration) / 24.0
    if not (np.isfinite(p) and p > 0 and np.isfinite(dur) and dur > 0):
        raise ParameterError(f"period and duration must be positive; got {p} d and {dur * 24:.4g} h")
    t0 = float(epoch.tdb.jd) if isinstance(epoch, Time) else float(epoch)
    stats = _box_stats(prep.t_abs, prep.y, prep.w, _Box(0.0, p, t0, dur), prep.cadence)
    phase = np.abs(phase_fold(prep.t_abs, p, t0)) * p
    inside = phase < 0.5 * dur
    power = 0.0
    if inside.any() and (~inside).any():
        w_in, w_all = float(prep.w[inside].sum()), float(prep.w.sum())
        d = stats.depth
        power = float(d * d * w_in * (w_all - w_in) / w_all) if np.isfinite(d) else 0.0
    return TransitCandidate.from_floats(
        p, _first_epoch(t0, p, dur, float(prep.t_abs[0])), dur * 24.0, stats.depth * 1e6,
        depth_err=stats.depth_err * u.dimensionless_unscaled, snr=stats.snr, n_transits=stats.n_transits,
        source="ephemeris", extra={"power": power, "snr_bls": float(np.sqrt(max(power, 0.0)))})


def search(
    lc: Any,
    *,
    period_min: u.Quantity = 0.5 * u.day,
    period_max: u.Quantity | None = None,
    stellar_density: u.Quantity | tuple[u.Quantity, u.Quantity] | None = None,
    use_flux_err: bool = True,
    **kwargs: Any,
) -> SearchResult:
    """Search a (cleaned) light curve for transits; see :func:`search_transits`.

    Parameters
    ----------
    lc : lightkurve.LightCurve
        A starskope light curve, detrended (e.g. by :func:`starskope.clean.clean`).
    period_min, period_max : Quantity [time]
        Period range (default 0.5 d to half the baseline).
    stellar_density : Quantity or (Quantity, Quantity), optional
        Stellar density or range (default FGKM dwarfs).
    use_flux_err : bool
        Weight by ``flux_err`` when every finite flux has a positive finite error.
    **kwargs
        Passed to :func:`search_transits` (``snr_threshold``, ``max_planets``, ...).

    Returns
    -------
    SearchResult
    """
    from ..lightcurve import arrays

    pmin = require_positive(period_min, u.day, "period_min")
    pmax = None if period_max is None else require_positive(period_max, u.day, "period_max")
    a = arrays(lc)
    err = None
    if use_flux_err:
        fin = np.isfinite(a.flux)
        e = a.flux_err[fin]
        if e.size and np.all(np.isfinite(e) & (e > 0)):
            err = a.flux_err
    return search_transits(a.time, a.flux, err, period_min=pmin, period_max=pmax,
                           stellar_density=stellar_density, **kwargs)
