"""The orbital period of an eclipsing binary whose two eclipses look alike.

A box search folds the light curve at the period that stacks the most eclipse signal. Two
similar stars eclipse each other twice per orbit with nearly equal depths, so the search
finds **half the orbital period**: its events are the primary and the secondary eclipse in
turn, and the fold at the found period shows no other dip. The same holds for a contact
or ellipsoidal binary, whose light has two minima per orbit. Eclipsing-binary catalogues
(Kepler: Prša et al. 2011; TESS: Prša et al. 2022) give the orbital period, and so does a
scientist, so starskope does too — only when the signal is a star's and not a planet's,
as a planet transits once per orbit:

* no secondary eclipse in the fold at the found period (vetting's ``secondary``: no
  significant dip at phases 0.3–0.7, or, for light varying along the whole orbit, none
  within :data:`SECONDARY_PHASE_TOL` of 0.5) — a distinct secondary eclipse would mean
  the found period already shows both eclipses; and
* stellar evidence: the events alternate in depth (``ODD_EVEN``: primary and secondary
  differ a little; or, for a smooth, not-transit-like minimum that the odd/even test
  does not flag, vetting's ``period_alias`` prefers twice the period because alternate
  events differ — not for a transit-like dip, where it doubled two of 300 planets
  injected into real quiet stars, at SNR 92 and 139),
  or the dip is V-shaped (``V_SHAPED``) and either broad (spanning at
  least :data:`BROAD_DUTY` of the fold: a contact binary's minimum) or deeper than
  :data:`V_DEPTH_MIN`, more than a grazing giant planet can hide; and
* the events repeat: their depths spread by at most :data:`COHERENCE_MAX` of the mean
  beyond their noise (:func:`event_depth_scatter`).

A smooth, not-transit-like minimum alone is no evidence: a γ Dor pulsator looks the same
as an ellipsoidal binary at half its orbit, and on ../shared/data's TESS FFI stars that
evidence doubled 77 of the 194 γ Dor stars (16 even among those whose events repeat).

What stays ambiguous: a binary whose secondary eclipse is too faint to see and whose
primary is V-shaped and deep or broad, or whose events alternate by chance, is put at twice
its period; contact binaries with smooth, equal minima stay at half their orbit. Measured on
../shared/data (``analysis.analyse``, default settings): TESS detectable binaries 92 of 145
at their orbital period, against 79 without the rule (17 gained, 4 that were right now at
twice their period); Kepler binaries 46 of 47 (one reflection-like binary doubled); no planet
host of Kepler, K2 or TESS changed; of 200 δ Scuti, 194 γ Dor, 23 RR Lyrae and 200 quiet TESS
stars, one δ Scuti star's candidate was doubled. The alias evidence changes nothing there
with the default 0.5-d search floor (``benchmarks/real_recovery.py``: the same period for
every file); with ``period_min_days=0.2``, which finds contact binaries at half their orbit,
it put 3 of them back (2 Kepler, 1 TESS; TESS binaries 101 of 145 and Kepler 47 of 47 in
that setting), and doubled one more γ Dor star of the 194.
The candidate is then vetted again at the orbital period, where the two eclipses are the
odd and even events, and the analysis notes say what was done.
"""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np

from ..search.candidate import TransitCandidate

__all__ = ["BROAD_DUTY", "COHERENCE_MAX", "SECONDARY_PHASE_TOL", "V_DEPTH_MIN", "equal_eclipses",
           "event_depth_scatter", "orbital_candidate"]

#: A V-shaped dip at least this deep (5 %) is two stars': a giant planet's grazing transit
#: of a star is shallower.
V_DEPTH_MIN = 0.05

#: When the light varies all along the fold (not transit-like), a significant dip this close
#: to phase 0.5 is a secondary eclipse (a circular orbit's is at 0.5) and the found period
#: the orbital one; further from it, in the fold at half an orbit, a dip is the wing of a
#: contact binary's broad minimum. Between narrow eclipses any significant dip at phases
#: 0.3–0.7 is a secondary eclipse (eccentric orbits put it off 0.5).
SECONDARY_PHASE_TOL = 0.1

#: A not-transit-like or V-shaped dip that spans at least this share of the fold is a
#: contact or ellipsoidal binary's broad minimum (a detached binary's or a planet's eclipse
#: is a few per cent of the orbit; a planet's would need a/R* ≲ 2, inside the Roche limit).
BROAD_DUTY = 0.15

#: The single events' depths may spread by at most this share of their mean beyond their
#: noise: a binary's eclipses repeat; a multi-periodic pulsator's (γ Dor) minima beat.
#: Measured on ../shared/data's TESS FFI stars with a looser shape evidence (a smooth minimum
#: counted too): it kept 28 of the 30 binaries that evidence put right, and spared 60 of the
#: 77 γ Dor stars it would have doubled.
COHERENCE_MAX = 0.15


def equal_eclipses(report: Any, time: np.ndarray, flux: np.ndarray) -> str | None:
    """Why the vetted signal is a binary's two alike eclipses per orbit (words), or None.

    Parameters
    ----------
    report : VettingReport
        The vetting of the candidate at the period the search found.
    time, flux : ndarray
        The light curve it was vetted on (BJD_TDB days, detrended flux ≈ 1).
    """
    from ..vetting import THRESHOLDS

    if report is None or report.candidate.extra.get("single"):
        return None
    sec = report.value("secondary") if "secondary" in report else float("nan")
    phase = report.value("secondary_phase") if "secondary_phase" in report else float("nan")
    names = set(report.flag_names)
    c = report.candidate
    duty = c.duration_days / c.period_days
    broad = bool(names & {"NOT_TRANSIT_LIKE", "V_SHAPED"}) and duty >= BROAD_DUTY
    if (np.isfinite(sec) and sec > THRESHOLDS["secondary_sigma"]
            and (abs(phase - 0.5) <= SECONDARY_PHASE_TOL or not broad)):
        return None
    why = []
    if "ODD_EVEN" in names:
        why.append("odd and even events differ in depth")
    elif "NOT_TRANSIT_LIKE" in names and "period_alias" in report and report.value("period_alias") == 2.0:
        why.append("alternate events differ in depth (the fold at twice the period fits better)")
    if broad and "V_SHAPED" in names:
        why.append(f"a broad V-shaped minimum (spanning {duty:.0%} of the fold)")
    depth = float(c.depth.to_value(u.dimensionless_unscaled))
    if "V_SHAPED" in names and np.isfinite(depth) and depth >= V_DEPTH_MIN:
        why.append(f"a V-shaped dip {depth:.0%} deep")
    if not why:
        return None
    scatter = event_depth_scatter(time, flux, c.period_days, c.epoch_bjd, c.duration_days)
    if not scatter <= COHERENCE_MAX:
        return None
    sec_text = f"{sec:.1f}σ at phase {phase:.2f}" if np.isfinite(sec) else "none measured"
    return (f"{'; '.join(why)}; no secondary eclipse in the fold (deepest dip at phases 0.3–0.7: {sec_text}); "
            f"the events' depths agree (spread {scatter:.0%} beyond their noise)")


def event_depth_scatter(time: np.ndarray, flux: np.ndarray, period: float, epoch: float, duration: float) -> float:
    """The spread of the single events' depths beyond their noise, as a share of the mean
    depth (NaN with fewer than three events of three points, or no dip).

    Each event's depth is the out-of-event median minus its in-event mean, its error the
    point-to-point noise over √(points); the spread is √(var(depths) − mean(error²)).
    """
    t = np.asarray(time, float)
    f = np.asarray(flux, float)
    ok = np.isfinite(t) & np.isfinite(f)
    t, f = t[ok], f[ok]
    if t.size < 10:
        return float("nan")
    n = np.round((t - epoch) / period).astype(np.int64)
    inside = np.abs(t - epoch - n * period) < 0.5 * duration
    base = float(np.median(f[~inside])) if (~inside).sum() > 10 else float(np.median(f))
    sigma = float(np.median(np.abs(np.diff(f)))) * 1.4826 / np.sqrt(2.0)
    events, counts = np.unique(n[inside], return_counts=True)
    keep = counts >= 3
    if keep.sum() < 3:
        return float("nan")
    sums = np.bincount(np.searchsorted(events, n[inside]), weights=f[inside], minlength=events.size)
    depths = base - (sums / counts)[keep]
    errors2 = sigma**2 / counts[keep]
    mean = float(depths.mean())
    if not mean > 0:
        return float("nan")
    return float(np.sqrt(max(float(depths.var()) - float(errors2.mean()), 0.0)) / mean)


def orbital_candidate(report: Any) -> TransitCandidate:
    """The vetted candidate at twice its period, on its deeper events (the primary
    eclipse: odd events are the ones after the epoch's, as vetting numbers them)."""
    c = report.candidate
    odd = report.value("odd_depth") if "odd_depth" in report else float("nan")
    even = report.value("even_depth") if "even_depth" in report else float("nan")
    epoch = c.epoch + c.period if (np.isfinite(odd) and np.isfinite(even) and odd > even) else c.epoch
    extra = {**c.extra, "found_period_days": c.period_days}
    return c.with_(period=2.0 * c.period, epoch=epoch, n_transits=max(int(c.n_transits) // 2, 1), extra=extra)
