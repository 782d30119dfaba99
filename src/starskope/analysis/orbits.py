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
  within :data:`SECONDARY_PHASE_TOL` of 0.5; a dip that another dip of the fold rivals,
  vetting's ``secondary_rival``, is noise, not an eclipse) — a distinct secondary eclipse
  would mean the found period already shows both eclipses; and
* stellar evidence: the events alternate in depth (``ODD_EVEN``: primary and secondary
  differ a little; or, for a smooth, not-transit-like minimum that the odd/even test
  does not flag, vetting's ``period_alias`` prefers twice the period because alternate
  events differ — not for a transit-like dip, where it doubled two of 300 planets
  injected into real quiet stars, at SNR 92 and 139),
  or the dip is V-shaped (``V_SHAPED``) and either broad (spanning at
  least :data:`BROAD_DUTY` of the fold: a contact binary's minimum) or deeper than
  :data:`V_DEPTH_MIN`, more than a grazing giant planet can hide; or the eclipse is a
  star's and too deep for the light at phase 0.5 (a *dark companion* that cannot be:
  ``TOO_LARGE``, at least :data:`DEEP_PRIMARY_MIN` deep, the star typed an eclipsing
  binary, and the 3σ limit on an eclipse at phase 0.5 — vetting's ``secondary_half_limit``
  — under :data:`FAINT_SECONDARY_MAX` of the primary's depth: a main-sequence star large
  enough for that eclipse would show its own); and
* the events repeat: their depths spread by at most :data:`COHERENCE_MAX` of the mean
  beyond their noise (:func:`event_depth_scatter`) — not asked of a dark companion's
  eclipse, which no pulsator makes (and whose alternate events, a primary and a
  secondary, may differ a little). Measured on all 1,921 files of ../shared/data
  (2026-12-07): the dark-companion evidence put three detached TESS binaries at their
  catalogue orbit (TIC 121598562, 273372402 and 63071165: eclipses 3.4–17 % deep, nothing
  at phase 0.5 down to 0.3–1.6 % of them); every other file's period and verdict stayed.
  The detached binaries whose faint secondary the data allow (3σ limits of 7–16 % of the
  primary) keep the period found, as their catalogues do.

A smooth, not-transit-like minimum alone is no evidence: a γ Dor pulsator looks the same
as an ellipsoidal binary at half its orbit, and on ../shared/data's TESS FFI stars that
evidence doubled 77 of the 194 γ Dor stars (16 even among those whose events repeat).
What tells them apart is the star as a whole, which the star-type model reads
(:mod:`starskope.startypes`: the light curve before detrending, its skewness, harmonics and
amplitude): a star it calls an eclipsing binary (p ≥ 0.5) whose minimum is broad (not
transit-like or V-shaped, spanning at least :data:`BROAD_DUTY` of the fold) and repeats, with
no secondary eclipse, is a contact or ellipsoidal binary seen at half its orbit — such light
has two minima per orbit. Measured on all 1,921 files of ../shared/data (2026-12-07, the
star-type model trained on the project's split by star): 6 TESS binaries put at their
catalogue orbit (5 of them kept-aside stars, which the star-type model never saw), both K2
files of EPIC 205905563 (type unknown) doubled to 1.099 d; no δ Scuti, γ Dor, RR Lyrae,
non-variable star or planet host moved. (The star-type model shipped before, trained on
three quarters of the TESS stars split by file, typed 11 such binaries so.)

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

**Below the search floor.** The search's shortest trial period (0.5 d by default: a lower
floor costs injected planets) is longer than many contact binaries' orbits (0.22–0.5 d),
so it finds them at a multiple of the light's period: its fold then shows three, four or
more identical cycles (on ../shared/data, 25 of the 145 detectable TESS binaries have
orbits under 0.5 d, found at 1.5–5.5 times their period). :func:`fundamental_harmonic`
finds the largest number of cycles m the fold holds — the fold at P/m keeps at least
:data:`FUNDAMENTAL_KEEP` of the light variation that the fold at P explains at the same
phase resolution (a transit folded at P/m is diluted m-fold and keeps about 1/m) — for a
signal vetting calls stellar (``NOT_TRANSIT_LIKE`` or ``V_SHAPED``) when P/m is below the
floor, where the search could not look, and when the minima repeat (every other one's depth
spreads by at most :data:`COHERENCE_MAX` beyond the noise: a binary's primary and secondary
may differ, a δ Scuti star's beating modes do not repeat). The fold at P/m then shows one
minimum per cycle (two alike eclipses per orbit: the orbit is 2P/m) or two unlike minima
half a cycle apart (the orbit is P/m; :func:`two_minima`), the cycle's phase taken at its
lowest light (:func:`deepest_phase`: a box found at a multiple need not sit on a minimum).
The candidate is vetted again at that orbit. Measured on ../shared/data
(``benchmarks/real_recovery.py``, 2026-12-07): TESS detectable binaries 93 → 109 of 145 at
their orbital period (16 contact binaries of 0.24–0.49 d, none lost), Kepler binaries 45 of
47 and every planet host unchanged; of the 412 δ Scuti, 194 γ Dor, 23 RR Lyrae and 800
non-variable stars, 8, 1, 1 and 0 candidates were moved. Without the repeat condition one
more TESS binary and a Kepler one (KIC 10991989, its primary and secondary unlike) were
gained, but 49 δ Scuti candidates were moved to a "binary orbit". A period commensurate with
the cadence is not judged (:data:`PHASE_COVERAGE`): its fold samples too few phases to show
a repetition: over all 1,921 files of ../shared/data this kept two candidates where the
search found them (2026-12-07) — a 1.084-d binary at half its orbit, which had been moved to
a fifth of its light's period, and an RR Lyrae star at 0.625 d, which had been made a
0.31-d "binary".
"""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..scatter import point_to_point_std
from ..search.candidate import TransitCandidate
from ..search.folding import bin_phase, phase_fold

__all__ = ["BROAD_DUTY", "COHERENCE_MAX", "DEEP_PRIMARY_MIN", "FAINT_SECONDARY_MAX", "FUNDAMENTAL_KEEP",
           "PHASE_COVERAGE", "SECONDARY_PHASE_TOL", "SHORTEST_CYCLE_DAYS", "V_DEPTH_MIN", "deepest_phase",
           "equal_eclipses", "event_depth_scatter", "fundamental_harmonic", "orbital_candidate",
           "sub_floor_candidate", "two_minima"]

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

#: An eclipse at least this deep (3 %) by a companion too large for a planet (``TOO_LARGE``)
#: is a star's: on the main sequence a companion that blocks 3 % of a star up to ~10 000 K
#: is a ≳ 0.17 R☉ M dwarf whose own eclipse, at phase 0.5, is ≳ 3 % of the primary's in the
#: TESS and Kepler bands (Planck surface-brightness ratio at 0.8–1 µm).
DEEP_PRIMARY_MIN = 0.03

#: No eclipse at phase 0.5 deeper than this share of the primary's (3σ): fainter than any
#: main-sequence companion large enough for :data:`DEEP_PRIMARY_MIN` — the found period is
#: half the orbit of two alike stars, whose second eclipse the fold stacked on the first.
FAINT_SECONDARY_MAX = 0.02

#: The single events' depths may spread by at most this share of their mean beyond their
#: noise: a binary's eclipses repeat; a multi-periodic pulsator's (γ Dor) minima beat.
#: Measured on ../shared/data's TESS FFI stars with a looser shape evidence (a smooth minimum
#: counted too): it kept 28 of the 30 binaries that evidence put right, and spared 60 of the
#: 77 γ Dor stars it would have doubled.
COHERENCE_MAX = 0.15


def equal_eclipses(report: Any, time: np.ndarray, flux: np.ndarray, *, star_type: Any = None) -> str | None:
    """Why the vetted signal is a binary's two alike eclipses per orbit (words), or None.

    Parameters
    ----------
    report : VettingReport
        The vetting of the candidate at the period the search found.
    time, flux : ndarray
        The light curve it was vetted on (BJD_TDB days, detrended flux ≈ 1).
    star_type : StarTypeResult, optional
        The star's type: an eclipsing binary (p ≥ ``STAR_TYPE_MIN_P``) whose minimum is
        broad has two per orbit (:data:`BROAD_DUTY`; the module's notes).
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
    # a dip that vetting finds rivalled by another of the fold is no secondary eclipse
    rivalled = "secondary_rival" in report and np.isfinite(report.value("secondary_rival"))
    if (np.isfinite(sec) and sec > THRESHOLDS["secondary_sigma"] and not rivalled
            and (abs(phase - 0.5) <= SECONDARY_PHASE_TOL or not broad)):
        return None
    why = []
    if "ODD_EVEN" in names:
        why.append("odd and even events differ in depth")
    elif "NOT_TRANSIT_LIKE" in names and "period_alias" in report and report.value("period_alias") == 2.0:
        why.append("alternate events differ in depth (the fold at twice the period fits better)")
    if broad and "V_SHAPED" in names:
        why.append(f"a broad V-shaped minimum (spanning {duty:.0%} of the fold)")
    p_binary = _typed_binary(star_type)
    if broad and not why and p_binary:
        why.append(f"the star type is eclipsing binary (p = {p_binary:.2f}) and its minimum is broad (spanning "
                   f"{duty:.0%} of the fold): a contact or ellipsoidal binary's light has two minima per orbit")
    depth = float(c.depth.to_value(u.dimensionless_unscaled))
    if "V_SHAPED" in names and np.isfinite(depth) and depth >= V_DEPTH_MIN:
        why.append(f"a V-shaped dip {depth:.0%} deep")
    dark = _dark_companion(report, depth, star_type)
    if dark:
        why.append(dark)
    if not why:
        return None
    scatter = event_depth_scatter(time, flux, c.period_days, c.epoch_bjd, c.duration_days)
    if not (scatter <= COHERENCE_MAX or dark):  # a pulsator makes no deep, narrow eclipse by a star
        return None
    sec_text = f"{sec:.1f}σ at phase {phase:.2f}" if np.isfinite(sec) else "none measured"
    agree = (f"the events' depths agree (spread {scatter:.0%} beyond their noise)" if scatter <= COHERENCE_MAX
             else "alternate events are the two stars' eclipses" if np.isfinite(scatter)
             else "too few events to compare their depths")
    return f"{'; '.join(why)}; no secondary eclipse in the fold (deepest dip at phases 0.3–0.7: {sec_text}); {agree}"


def _typed_binary(star_type: Any) -> float:
    """The star type's probability of an eclipsing binary when that is its type with
    p ≥ ``STAR_TYPE_MIN_P`` (:mod:`.verdict`); 0 otherwise."""
    from .verdict import STAR_TYPE_MIN_P

    if star_type is None or star_type.star_type != "eclipsing_binary":
        return 0.0
    p = float(star_type.probabilities.get("eclipsing_binary", 0.0))
    return p if p >= STAR_TYPE_MIN_P else 0.0


def _dark_companion(report: Any, depth: float, star_type: Any) -> str:
    """Why a star's eclipse with nothing at phase 0.5 is half its orbit (words; empty: no
    such evidence): the companion is a star (``TOO_LARGE``), its eclipse at least
    :data:`DEEP_PRIMARY_MIN` deep, the star typed an eclipsing binary, and the 3σ limit on
    an eclipse at phase 0.5 below :data:`FAINT_SECONDARY_MAX` of the primary's depth."""
    if not _typed_binary(star_type):
        return ""
    if "TOO_LARGE" not in report.flag_names or not depth >= DEEP_PRIMARY_MIN \
            or "secondary_half_limit" not in report:
        return ""
    limit = report.value("secondary_half_limit") * 1e-6
    if not limit < FAINT_SECONDARY_MAX * depth:
        return ""
    return (f"a star's {depth:.1%}-deep eclipse with nothing at phase 0.5 (3σ limit {limit / depth:.1%} of its "
            f"depth): a star that large would show its own eclipse, two alike stars eclipse twice per orbit")


def event_depth_scatter(time: np.ndarray, flux: np.ndarray, period: float, epoch: float, duration: float) -> float:
    """The spread of the single events' depths beyond their noise, as a share of the mean
    depth (NaN with fewer than three events of three points, or no dip).

    Each event's depth is the out-of-event median minus its in-event mean, its error the
    point-to-point noise over √(points); the spread is √(var(depths) − mean(error²)).
    """
    t, f = _finite(time, flux)
    if t.size < 10:
        return float("nan")
    n = np.round((t - epoch) / period).astype(np.int64)
    inside = np.abs(t - epoch - n * period) < 0.5 * duration
    base = float(np.median(f[~inside])) if (~inside).sum() > 10 else float(np.median(f))
    sigma = point_to_point_std(f, center=0.0)
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


def orbital_candidate(report: Any, time: np.ndarray | None = None) -> TransitCandidate:
    """The vetted candidate at twice its period, on its deeper events (the primary
    eclipse: odd events are the ones after the epoch's, as vetting numbers them) — or, when
    only one of odd and even events has data (``time`` given), on those."""
    c = report.candidate
    odd = report.value("odd_depth") if "odd_depth" in report else float("nan")
    even = report.value("even_depth") if "even_depth" in report else float("nan")
    if np.isfinite(odd) and np.isfinite(even):
        later = odd > even
    elif time is not None:
        t = np.asarray(time, float)
        n = np.round((t - c.epoch_bjd) / c.period_days)
        inside = np.abs(t - c.epoch_bjd - n * c.period_days) < 0.5 * c.duration_days
        later = np.count_nonzero(inside & (n % 2 == 1)) > np.count_nonzero(inside & (n % 2 == 0))
    else:
        later = False
    epoch = c.epoch + c.period if later else c.epoch
    extra = {**c.extra, "found_period_days": c.period_days}
    return c.with_(period=2.0 * c.period, epoch=epoch, n_transits=max(int(c.n_transits) // 2, 1), extra=extra)


#: The fold at P/m must keep this share of the light variation the fold at P explains
#: (noise-corrected, the same bins per cycle): an m-fold repetition keeps all of it; a
#: transit or a single eclipse per cycle keeps about 1/m.
FUNDAMENTAL_KEEP = 0.8

#: Shortest light cycle considered [days]: half the shortest contact binary's orbit
#: (≈ 0.22 d, Rucinski 1992); δ Scuti pulsations are shorter still and are left alone.
SHORTEST_CYCLE_DAYS = 0.1

#: Phase bins per cycle of the folds compared.
_CYCLE_BINS = 16

#: Share of the fold at P's m × :data:`_CYCLE_BINS` phase bins that must hold points for
#: an m-fold repetition to be judged. A period commensurate with the cadence samples only
#: a few phases, and the fold at P/m then gathers the same few points of the fold at P,
#: reshuffled, and seems to explain all of it: TIC 271352011, a 1.084-d ellipsoidal binary
#: found at 0.54166 d (26.0 TESS FFI cadences of 30 min), filled 33 % of the 80 bins of
#: m = 5 and was reported at 0.217 d. Light curves not commensurate fill them all.
PHASE_COVERAGE = 0.9


def _finite(time: np.ndarray, flux: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    t = np.asarray(time, float)
    f = np.asarray(flux, float)
    ok = np.isfinite(t) & np.isfinite(f)
    return t[ok], f[ok]


def _binned(t: np.ndarray, f: np.ndarray, period: float, epoch: float, nbins: int) -> tuple[np.ndarray, np.ndarray]:
    """Points and mean flux per phase bin, the first bin starting at ``epoch``."""
    _, mean, n = bin_phase(phase_fold(t, period, epoch, start=0.0) - 0.5, f, nbins)
    return n, mean


def _coverage(t: np.ndarray, period: float, epoch: float, nbins: int) -> float:
    """Share of the fold's ``nbins`` phase bins that hold at least one point."""
    n, _ = _binned(t, np.zeros_like(t), period, epoch, nbins)
    return float(np.mean(n > 0))


def _explained(t: np.ndarray, f: np.ndarray, period: float, epoch: float, nbins: int, noise2: float) -> float:
    """Variance the binned fold explains, less what noise alone would (bins − 1 points' worth)."""
    n, mean = _binned(t, f, period, epoch, nbins)
    ok = n > 0
    return float(np.sum(n[ok] * (mean[ok] - f.mean()) ** 2)) - (int(ok.sum()) - 1) * noise2


def fundamental_harmonic(time: np.ndarray, flux: np.ndarray, period: float, epoch: float, *,
                         below: float = np.inf, shortest: float = SHORTEST_CYCLE_DAYS, max_harmonic: int = 16) -> int:
    """The largest m such that the fold at ``period / m`` (shorter than ``below`` and at
    least ``shortest`` days) explains as much of the light as the fold at ``period`` does
    (:data:`FUNDAMENTAL_KEEP`); 1 when none does. An m whose fold at ``period`` leaves
    too many phase bins empty (:data:`PHASE_COVERAGE`) is not judged.

    Parameters
    ----------
    time, flux : ndarray
        The detrended light curve (BJD_TDB days; flux ≈ 1).
    period, epoch : float
        The found period (days) and the time of a minimum (BJD_TDB).
    below : float
        Only cycles shorter than this are tried (the search's floor: longer ones it tried).
    """
    t, f = _finite(time, flux)
    if t.size < 4 * _CYCLE_BINS or not (np.isfinite(period) and period > 0):
        return 1
    noise2 = point_to_point_std(f, center=0.0) ** 2
    best = 1
    for m in range(2, int(max_harmonic) + 1):
        p = period / m
        if p < shortest:
            break
        if p >= below:
            continue
        if _coverage(t, period, epoch, _CYCLE_BINS * m) < PHASE_COVERAGE:
            continue  # too few phases of the fold at P sampled to see it repeat m times
        whole = _explained(t, f, period, epoch, _CYCLE_BINS * m, noise2)
        if whole > 0 and _explained(t, f, p, epoch, _CYCLE_BINS, noise2) >= FUNDAMENTAL_KEEP * whole:
            best = m
    return best


def deepest_phase(time: np.ndarray, flux: np.ndarray, period: float, epoch: float, nbins: int = 32) -> float:
    """The time (BJD_TDB) of the lowest light in the fold at ``period``, near ``epoch``: a
    box found at a multiple of the light's period need not sit on a minimum of its cycle."""
    n, mean = _binned(*_finite(time, flux), period, epoch - period / (2 * nbins), nbins)
    if not (n > 0).any():
        return float(epoch)
    k = int(np.nanargmin(np.where(n > 0, mean, np.inf)))
    shift = k * period / nbins
    return float(epoch + (shift if shift <= period / 2 else shift - period))


def two_minima(time: np.ndarray, flux: np.ndarray, period: float, epoch: float) -> bool:
    """Whether the fold at ``period`` (a minimum at ``epoch``) has a second minimum half a
    cycle later: the light at phase 0.5 is significantly (3σ) below the light at both
    quarter phases, as between two unlike eclipses — not a maximum, as at half an orbit of
    a contact binary."""
    t, f = _finite(time, flux)
    noise = point_to_point_std(f, center=0.0)
    n, mean = _binned(t, f, period, epoch - period / (2 * _CYCLE_BINS), _CYCLE_BINS)
    q1, half, q3 = _CYCLE_BINS // 4, _CYCLE_BINS // 2, 3 * _CYCLE_BINS // 4
    if min(n[q1], n[half], n[q3]) < 3:
        return False
    err = noise * np.sqrt(1.0 / n[half] + 1.0 / min(n[q1], n[q3]))
    return bool(min(mean[q1], mean[q3]) - mean[half] > 3.0 * err)


def sub_floor_candidate(report: Any, time: np.ndarray, flux: np.ndarray, floor: float) -> tuple[TransitCandidate, str] | None:
    """The vetted stellar signal at its orbital period when that is below the search's
    ``floor`` and the search found a multiple of it (see the module's notes), with words
    for the analysis notes; None otherwise."""
    if report is None or report.candidate.extra.get("single"):
        return None
    if not set(report.flag_names) & {"NOT_TRANSIT_LIKE", "V_SHAPED"}:
        return None
    c = report.candidate
    m = fundamental_harmonic(time, flux, c.period_days, c.epoch_bjd, below=floor)
    if m < 2:
        return None
    cycle = c.period_days / m
    epoch = deepest_phase(time, flux, cycle, c.epoch_bjd)
    width = min(c.duration_days, 0.45 * cycle)
    # a binary's minima repeat — every other one alike, primary and secondary may differ —
    # where a δ Scuti star's many modes beat
    scatter = max(event_depth_scatter(time, flux, 2 * cycle, epoch, width),
                  event_depth_scatter(time, flux, 2 * cycle, epoch + cycle, width))
    if not scatter <= COHERENCE_MAX:
        return None
    unlike = two_minima(time, flux, cycle, epoch)
    orbit = cycle if unlike else 2.0 * cycle
    if not orbit < c.period_days * (1 - 1e-6):
        return None
    extra = {**c.extra, "found_period_days": c.period_days}
    dur = min(c.duration_days, 0.45 * orbit)
    new = c.with_(period=orbit * u.day, epoch=Time(epoch, format="jd", scale="tdb"), duration=dur * u.day,
                  n_transits=max(round(float(c.n_transits) * c.period_days / orbit), 1), extra=extra)
    how = ("two unlike minima per cycle" if unlike else "one minimum per cycle: two alike eclipses per orbit")
    why = (f"the fold at the found {c.period_days:.5f} d repeats {m} times (the search's floor is {floor:g} d); "
           f"{how}; the minima repeat (depth spread {scatter:.0%} beyond their noise)")
    return new, why
