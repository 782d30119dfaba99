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
  differ a little), or the dip is broad — not transit-like (``NOT_TRANSIT_LIKE``) or
  V-shaped, spanning at least :data:`BROAD_DUTY` of the fold (the light varies all
  along the orbit) — or it is V-shaped (``V_SHAPED``) and deeper than
  :data:`V_DEPTH_MIN`, more than a grazing giant planet can hide.

What stays ambiguous: a binary whose secondary eclipse is too faint to see and whose
primary is deep and V-shaped or broad, or whose events alternate by chance, is put at
twice its period. Measured on the 145 detectable TESS binaries of ../shared/data: 104 at
their orbital period with this rule, 79 without (30 gained, 5 that were right now at twice
their period); no planet host of Kepler, K2 or TESS changed.
The candidate is then vetted again at the orbital period, where the two eclipses are the
odd and even events, and the analysis notes say what was done.
"""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np

from ..search.candidate import TransitCandidate

__all__ = ["BROAD_DUTY", "SECONDARY_PHASE_TOL", "V_DEPTH_MIN", "equal_eclipses", "orbital_candidate"]

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


def equal_eclipses(report: Any) -> str | None:
    """Why the vetted signal is a binary's two alike eclipses per orbit (words), or None.

    Parameters
    ----------
    report : VettingReport
        The vetting of the candidate at the period the search found.
    """
    from ..vetting import THRESHOLDS

    if report is None or report.candidate.extra.get("single"):
        return None
    sec = report.value("secondary") if "secondary" in report else float("nan")
    phase = report.value("secondary_phase") if "secondary_phase" in report else float("nan")
    names = set(report.flag_names)
    c = report.candidate
    broad = bool(names & {"NOT_TRANSIT_LIKE", "V_SHAPED"}) and c.duration_days >= BROAD_DUTY * c.period_days
    if (np.isfinite(sec) and sec > THRESHOLDS["secondary_sigma"]
            and (abs(phase - 0.5) <= SECONDARY_PHASE_TOL or not broad)):
        return None
    why = ["odd and even events differ in depth"] if "ODD_EVEN" in names else []
    if broad:
        why.append(f"a broad minimum ({'not transit-like' if 'NOT_TRANSIT_LIKE' in names else 'V-shaped'}, "
                   f"spanning {c.duration_days / c.period_days:.0%} of the fold)")
    depth = float(c.depth.to_value(u.dimensionless_unscaled))
    if "V_SHAPED" in names and np.isfinite(depth) and depth >= V_DEPTH_MIN:
        why.append(f"a V-shaped dip {depth:.0%} deep")
    if not why:
        return None
    sec_text = f"{sec:.1f}σ at phase {phase:.2f}" if np.isfinite(sec) else "none measured"
    return f"{'; '.join(why)}; no secondary eclipse in the fold (deepest dip at phases 0.3–0.7: {sec_text})"


def orbital_candidate(report: Any) -> TransitCandidate:
    """The vetted candidate at twice its period, on its deeper events (the primary
    eclipse: odd events are the ones after the epoch's, as vetting numbers them)."""
    c = report.candidate
    odd = report.value("odd_depth") if "odd_depth" in report else float("nan")
    even = report.value("even_depth") if "even_depth" in report else float("nan")
    epoch = c.epoch + c.period if (np.isfinite(odd) and np.isfinite(even) and odd > even) else c.epoch
    extra = {**c.extra, "found_period_days": c.period_days}
    return c.with_(period=2.0 * c.period, epoch=epoch, n_transits=max(int(c.n_transits) // 2, 1), extra=extra)
