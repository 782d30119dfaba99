"""Trial periods and durations for the box search: no finer than detection needs.

Frequency spacing (Ofir 2014, §2; the same argument as Kovács et al. 2002 §3): two
trial frequencies f and f + Δf fold a baseline T so that the last transit drifts by
Δf · T · P in time against the first. The box stays on the transit while that drift is a
fraction 1/``oversample`` of the shortest trial duration D_min(P), so

    Δf(f) = D_min(P) / (oversample · T · P),      P = 1/f.

With D_min ∝ P^(1/3) (Kepler's law) the grid is dense at long periods and sparse at
short ones, unlike astropy's ``autoperiod`` which uses one Δf = D_min / T² for every
frequency (T/P times finer than needed at period P). The best period is refined
afterwards on a local grid ten times finer, so the coarse grid only has to *detect*.

Trial durations at each period run geometrically from the shortest to the longest
physically plausible T14 (:mod:`starskope.clean.durations`), never shorter than one
cadence; the phase bins are ``phase_oversample`` times finer than the shortest one.
"""

from __future__ import annotations

from dataclasses import dataclass
from functools import lru_cache

import numpy as np

from ..clean.durations import DEFAULT_STELLAR_DENSITY, duration_limits_days
from ..errors import ParameterError

__all__ = ["SearchGrid", "make_grid"]


@dataclass(frozen=True)
class SearchGrid:
    """Trial frequencies with their phase binning and box widths (plain arrays).

    Attributes
    ----------
    freqs : ndarray
        Trial frequencies, 1/day, increasing.
    nbins : ndarray of int64
        Phase bins at each frequency.
    dur_offsets : ndarray of int64
        Box widths of frequency j are ``dur_bins[dur_offsets[j]:dur_offsets[j+1]]``.
    dur_bins : ndarray of int64
        Box widths in phase bins.
    duration_min_days, duration_max_days : ndarray
        Shortest and longest trial T14 at each frequency, days.
    """

    freqs: np.ndarray
    nbins: np.ndarray
    dur_offsets: np.ndarray
    dur_bins: np.ndarray
    duration_min_days: np.ndarray
    duration_max_days: np.ndarray

    @property
    def periods(self) -> np.ndarray:
        """Trial periods, days (decreasing, as frequencies increase)."""
        return 1.0 / self.freqs

    def __len__(self) -> int:
        return int(self.freqs.size)

    def box_durations_days(self, j: int) -> np.ndarray:
        """Trial durations (days) at frequency index ``j``."""
        m = self.dur_bins[self.dur_offsets[j] : self.dur_offsets[j + 1]]
        return m / self.freqs[j] / self.nbins[j]

    def all_durations_days(self) -> np.ndarray:
        """Every distinct trial duration of the grid (days, rounded to 0.1 %), sorted."""
        reps = np.diff(self.dur_offsets)
        d = self.dur_bins / np.repeat(self.freqs * self.nbins, reps)
        return np.unique(np.exp(np.round(np.log(d), 3)))


def _limits(period_days: np.ndarray, density: tuple[float, float], cadence_days: float,
            impact_max: float, radius_ratio_max: float) -> tuple[np.ndarray, np.ndarray]:
    lo, hi = duration_limits_days(period_days, density, impact_max=impact_max,
                                  radius_ratio_max=radius_ratio_max)
    lo = np.maximum(lo, cadence_days)
    # a box longer than a quarter of the orbit is no transit
    hi = np.minimum(np.maximum(hi, lo), 0.25 * np.asarray(period_days))
    lo = np.minimum(lo, hi)
    return lo, hi


def make_grid(
    baseline_days: float,
    period_min_days: float,
    period_max_days: float,
    *,
    cadence_days: float,
    stellar_density: tuple[float, float] = DEFAULT_STELLAR_DENSITY,
    oversample: float = 2.0,
    phase_oversample: float = 2.0,
    duration_ratio: float = 1.33,
    impact_max: float = 0.8,
    radius_ratio_max: float = 0.3,
) -> SearchGrid:
    """Build the trial grid (numeric core; all times in days).

    Parameters
    ----------
    baseline_days : float
        Time between the first and last cadence, days.
    period_min_days, period_max_days : float
        Period range, days.
    cadence_days : float
        Typical time between cadences; no trial box is shorter.
    stellar_density : (float, float)
        Stellar density range in solar units.
    oversample : float
        Frequency oversampling against the drift criterion (≥ 1).
    phase_oversample : float
        Phase bins per shortest trial duration (≥ 1).
    duration_ratio : float
        Ratio between successive trial durations (> 1).
    impact_max, radius_ratio_max : float
        See :func:`starskope.clean.durations.duration_limits_days`.

    Returns
    -------
    SearchGrid
    """
    if not oversample >= 1 or not phase_oversample >= 1:
        raise ParameterError(
            f"oversample and phase_oversample must be >= 1; got {oversample}, {phase_oversample}"
        )
    if not duration_ratio > 1:
        raise ParameterError(f"duration_ratio must be > 1; got {duration_ratio}")
    return _make_grid_cached(
        round(float(baseline_days), 6), float(period_min_days), float(period_max_days),
        round(float(cadence_days), 8), (float(stellar_density[0]), float(stellar_density[1])),
        float(oversample), float(phase_oversample), float(duration_ratio), float(impact_max),
        float(radius_ratio_max),
    )


@lru_cache(maxsize=32)
def _make_grid_cached(baseline, pmin, pmax, cadence, density, oversample, phase_oversample,
                      duration_ratio, impact_max, radius_ratio_max) -> SearchGrid:
    fmin, fmax = 1.0 / pmax, 1.0 / pmin
    # trial count density dN/df = oversample·T·P / D_min(P); integrate on a fine log grid
    fgrid = np.geomspace(fmin, fmax, 4096)
    dmin, _ = _limits(1.0 / fgrid, density, cadence, impact_max, radius_ratio_max)
    density_n = oversample * baseline / (fgrid * dmin)
    cum = np.concatenate([[0.0], np.cumsum(0.5 * (density_n[1:] + density_n[:-1]) * np.diff(fgrid))])
    n_trials = max(int(np.ceil(cum[-1])) + 1, 2)
    freqs = np.interp(np.linspace(0.0, cum[-1], n_trials), cum, fgrid)
    periods = 1.0 / freqs
    dlo, dhi = _limits(periods, density, cadence, impact_max, radius_ratio_max)
    binw = dlo / phase_oversample
    nbins = np.maximum(np.ceil(periods / binw).astype(np.int64), 4)
    binw = periods / nbins
    # geometric trial durations from dlo to dhi, in whole bins
    n_dur = np.maximum(np.ceil(np.log(dhi / dlo) / np.log(duration_ratio)).astype(np.int64) + 1, 1)
    kmax = int(n_dur.max())
    steps = np.arange(kmax)
    frac = np.where(n_dur[:, None] > 1, steps[None, :] / np.maximum(n_dur[:, None] - 1, 1), 0.0)
    d = dlo[:, None] * (dhi / dlo)[:, None] ** frac
    m = np.clip(np.rint(d / binw[:, None]).astype(np.int64), 1, (nbins // 2)[:, None])
    keep = steps[None, :] < n_dur[:, None]
    # rows are non-decreasing; keep the first of each run of equal widths
    keep[:, 1:] &= m[:, 1:] != m[:, :-1]
    offsets = np.concatenate([[0], np.cumsum(keep.sum(axis=1))]).astype(np.int64)
    widths = m[keep]
    return SearchGrid(
        freqs=freqs,
        nbins=nbins,
        dur_offsets=offsets,
        dur_bins=widths,
        duration_min_days=dlo,
        duration_max_days=dhi,
    )
