"""Transit times: each transit's own mid-time, and whether they follow a linear ephemeris.

A planet tugged by a companion transits early or late by minutes to hours (transit-timing
variations, TTVs; Agol et al. 2005, Holman & Murray 2005); so does an eclipsing binary
with a third star. Folded on one period, those transits smear: the fold of a flat-bottomed
transit that wanders by a third of its duration looks V-shaped, shallower and longer, and
a planet reads as a grazing binary (Kepler's KOI-984: ±0.9 h over three quarters). The
shape, depth and duration are therefore fitted on the transits aligned on their measured
times when — and only when — those times depart from any linear ephemeris significantly.

Each transit is timed by sliding the folded trapezoid (its depth and shape fixed, the local
baseline free) over ±T14/2 and taking the χ² minimum; its error is a quarter of the width
of Δχ² ≤ 4 (at least one shift step) with the point errors from the transit's own
out-of-transit scatter (at least the light curve's), scaled up by
the transit's reduced χ² and by the light curve's red-noise factor at the duration's scale
(β = σ of the flux averaged over T14 against white noise). The residuals from a weighted
straight line through the times (the ephemeris, period included) give χ² with N − 2
degrees of freedom, reported as a Gaussian significance. This is a per-transit template
fit, as in the Kepler TTV catalogues (Holczer et al. 2016), without their iterations:
vetting only needs to know whether the fold smears and by how much.

Times are BJD_TDB days.
"""

from __future__ import annotations

from dataclasses import dataclass, replace

import numpy as np

from ..scatter import red_noise_beta, robust_std
from ..search.folding import time_from_transit, transit_number
from . import _core

__all__ = ["MATERIAL_SCATTER", "MIN_EVENT_SNR", "TransitTimes", "aligned_time_from_transit", "fit_aligned",
           "measure_transit_times"]

#: Fewest transits with a measured time for the timing test.
MIN_TIMED_TRANSITS = 5
#: O − C scatter, as a share of T14, below which a fold's smear is immaterial: transits
#: that wander by less are left on one period (aligning them would only fit the noise).
MATERIAL_SCATTER = 0.05
#: Median SNR a transit must reach on its own for the times to count: a dip that noise
#: hides cannot be timed — its χ² against the shift has several minima and the times of
#: noise look like variations (on the simulated K2 table 15 of 16 alignments of
#: non-planets, systematics and spotted stars, had 1.2–2.5).
MIN_EVENT_SNR = 3.0
#: Shifts tried per transit, over ±T14/2.
_N_SHIFTS = 161


@dataclass(frozen=True)
class TransitTimes:
    """Measured mid-transit times against the linear ephemeris ``epoch + n·period``.

    Attributes
    ----------
    period, epoch : float
        The ephemeris the offsets are measured from [days, BJD_TDB].
    number : ndarray of int
        Transit numbers timed.
    offset, err : ndarray
        Measured mid-time minus ``epoch + number·period``, and its 1σ error [days].
    line : ndarray
        The weighted straight line through the offsets at each transit (the best linear
        ephemeris) [days].
    line_coef : (float, float)
        That line's offset at transit 0 and its change per transit [days].
    chi2 : float
        χ² of the offsets about ``line``; ``dof`` = N − 2.
    significance : float
        Gaussian σ of that χ² (how sure it is that the times are not linear).
    rms : float
        RMS of the offsets about ``line`` [days].
    event_snr : float
        Median SNR of one transit on its own (its depth at its measured time over the
        depth's error, red noise included).
    aligned : bool
        Whether vetting fitted the transit's shape on the transits aligned on these times.
    """

    period: float
    epoch: float
    number: np.ndarray
    offset: np.ndarray
    err: np.ndarray
    line: np.ndarray
    line_coef: tuple[float, float]
    chi2: float
    dof: int
    significance: float
    rms: float
    event_snr: float = float("nan")
    aligned: bool = False

    @property
    def residual(self) -> np.ndarray:
        """Offsets from the best linear ephemeris (O − C) [days]."""
        return self.offset - self.line

    @property
    def times(self) -> np.ndarray:
        """Measured mid-transit times [BJD_TDB]."""
        return self.epoch + self.number * self.period + self.offset


def _time_one(x: np.ndarray, y: np.ndarray, trap: _core.TrapezoidFit, offsets: np.ndarray,
              shifts: np.ndarray, sigma: float) -> tuple[float, float, float] | None:
    """Mid-time offset, its error and the transit's own SNR (its depth, fitted at that
    time, over the depth's error) of one transit (``x``: time from its predicted
    mid-time), or None when it cannot be timed (too few points in or out of transit, or
    the best shift at the edge of the range)."""
    dur = trap.duration
    inside, outside = np.abs(x) < 0.5 * dur, np.abs(x) > 0.6 * dur
    if inside.sum() < 3 or outside.sum() < 5:
        return None
    local = robust_std(y[outside], min_count=5)
    s = max(local, sigma) if np.isfinite(local) else sigma
    m = np.mean([_core.trapezoid_shape(x[None, :] - shifts[:, None] + o, dur, trap.ingress) for o in offsets], axis=0)
    r = y[None, :] + trap.depth * m  # the transit removed: a constant if the shift is right
    chi2 = (((r - r.mean(axis=1, keepdims=True)) / s) ** 2).sum(axis=1)
    i = int(np.argmin(chi2))
    if i in (0, shifts.size - 1):
        return None
    # half the width of Δχ² ≤ 4, halved: a 1σ error that a narrow dip of χ² between
    # cadences cannot shrink
    within = shifts[chi2 <= chi2[i] + 4.0]
    step = float(shifts[1] - shifts[0])
    err = max(0.25 * float(within.max() - within.min()), step)
    scale = max(1.0, float(np.sqrt(chi2[i] / max(x.size - 2, 1))))
    mc = m[i] - m[i].mean()
    smm = float(np.sum(mc * mc))
    snr = float(-np.sum(mc * (y - y.mean())) / np.sqrt(smm) / (s * scale)) if smm > 0 else 0.0
    return float(shifts[i]), err * scale, snr


def measure_transit_times(t: np.ndarray, f: np.ndarray, sigma: float, period: float, epoch: float,
                          trap: _core.TrapezoidFit, cadence: float) -> TransitTimes | None:
    """Time every transit of ``trap`` (a fit to the fold at ``period``, ``epoch``: see
    :func:`starskope.vetting._core.fit_trapezoid`) and test the times against a straight
    line.

    Returns None when the transits cannot be timed one by one: the dip plus its baseline
    (2·T14 each side) spans more than half the period, or fewer than
    :data:`MIN_TIMED_TRANSITS` transits have enough points.
    """
    dur = float(trap.duration)
    if not (np.isfinite(dur) and dur > 0 and np.isfinite(trap.depth) and trap.depth > 0) or 4.0 * dur > 0.5 * period:
        return None
    dt = time_from_transit(t, period, epoch)
    num = transit_number(t, period, epoch)
    near = np.abs(dt) < 2.0 * dur
    # finely integrated over the exposure, so that χ² changes smoothly with the shift even
    # for a box-shaped transit (whose timing is all in the cadences astride its edges)
    offsets = _core._supersample_offsets(cadence, min(trap.ingress, cadence / 5.0)) if cadence > 0 else np.zeros(1)
    shifts = np.linspace(-0.5 * dur, 0.5 * dur, _N_SHIFTS)
    out_far = np.abs(dt) > dur
    beta = red_noise_beta(t[out_far], f[out_far], sigma, dur, cadence) if out_far.sum() > 20 else 1.0
    rows = []
    for n in np.unique(num[near]):
        sel = near & (num == n)
        timed = _time_one(dt[sel], f[sel], trap, offsets, shifts, sigma)
        if timed is not None:
            rows.append((int(n), timed[0], timed[1] * beta, timed[2] / beta))
    if len(rows) < MIN_TIMED_TRANSITS:
        return None
    number = np.array([r[0] for r in rows], dtype=np.int64)
    offset = np.array([r[1] for r in rows])
    err = np.array([r[2] for r in rows])
    event_snr = float(np.median([r[3] for r in rows]))
    w = 1.0 / err**2
    design = np.vstack([np.ones(number.size), number.astype(np.float64)]).T
    coef = np.linalg.lstsq(design * np.sqrt(w)[:, None], offset * np.sqrt(w), rcond=None)[0]
    line = design @ coef
    resid = offset - line
    chi2 = float(np.sum(w * resid**2))
    dof = number.size - 2
    return TransitTimes(period=float(period), epoch=float(epoch), number=number, offset=offset, err=err,
                        line=line, line_coef=(float(coef[0]), float(coef[1])), chi2=chi2, dof=dof, significance=_core.chi2_to_sigma(chi2, dof),
                        rms=float(np.sqrt(np.mean(resid**2))), event_snr=event_snr)


def aligned_time_from_transit(t: np.ndarray, times: TransitTimes) -> np.ndarray:
    """Time from mid-transit with each timed transit centred on its measured time and the
    others on the best linear ephemeris through the measured times [days]."""
    dt = time_from_transit(t, times.period, times.epoch)
    num = transit_number(t, times.period, times.epoch)
    # the linear ephemeris through the times, for transits not timed
    out = dt - (times.line_coef[0] + times.line_coef[1] * num)
    idx = np.searchsorted(times.number, num)
    idx = np.clip(idx, 0, times.number.size - 1)
    hit = times.number[idx] == num
    out[hit] = dt[hit] - times.offset[idx[hit]]
    return out


def _varies(times: TransitTimes, duration: float, sigma_threshold: float) -> bool:
    """Whether the times of transits seen one by one stray from a straight line both
    significantly and materially."""
    return bool(times.event_snr >= MIN_EVENT_SNR and times.significance >= sigma_threshold
                and times.rms >= MATERIAL_SCATTER * duration)


def fit_aligned(t: np.ndarray, f: np.ndarray, sigma: float, period: float, epoch: float,
                times: TransitTimes, trap: _core.TrapezoidFit, cadence: float, *,
                sigma_threshold: float, passes: int = 2) -> tuple[TransitTimes, np.ndarray, _core.TrapezoidFit] | None:
    """The trapezoid fitted on the transits aligned on ``times``, when transits seen one by
    one (median SNR ≥ :data:`MIN_EVENT_SNR`) stray from a linear ephemeris by
    ``sigma_threshold`` σ or more and by at least :data:`MATERIAL_SCATTER` of the duration; with ``passes`` > 1 the transits are timed
    again with that sharper template and the fit repeated (the first times come from the
    smeared fold's template, so they scatter more), and the new times must still stray.
    Returns the times used, the aligned time from mid-transit and the fit, or None (the
    fold on one period stands)."""
    for k in range(passes):
        if k:
            times = measure_transit_times(t, f, sigma, period, epoch, trap, cadence)
        if times is None or not _varies(times, trap.duration, sigma_threshold):
            return None
        dt = aligned_time_from_transit(t, times)
        trap = _core.fit_trapezoid(dt, f, sigma, trap.duration, period, cadence)
        if not (np.isfinite(trap.depth) and trap.depth > 3 * trap.depth_err):
            return None
    return replace(times, aligned=True), dt, trap
