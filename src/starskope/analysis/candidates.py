"""Every candidate of a star's search, and how the candidates relate.

The search reports up to ``options.max_planets`` candidates, strongest first, masking the
transits of each before looking for the next. A real multi-planet system gives several
(K2-3 b, c, d); one signal can also come out more than once — an eclipsing binary's
primary, then its secondary at the same period, then a residue at twice or half the
period — and a long-period signal whose period the search cannot reach comes out at a
fraction of it. :func:`candidate_relations` marks, for every pair of candidates:

=====================  ========================================================================
``same signal``        same period (within :data:`RELATION_TOLERANCE`) and the same events:
                       the signal found again
``secondary eclipse``  same period, events at another phase: primary and secondary eclipse of
                       one binary
``harmonic``           periods in the ratio n:1 (n ≤ :data:`MAX_HARMONIC`) and every event of
                       the longer falls on one of the shorter: one signal, the shorter period a
                       sub-harmonic of the longer (or the longer an alias of the shorter)
``commensurate``       periods near a ratio of small integers (:data:`COMMENSURABILITIES`, e.g.
                       2:1, 3:2) whose events do not line up: two signals near a mean-motion
                       resonance, or chance
=====================  ========================================================================

"The same period" and "the same events" also need the two ephemerides to drift apart by
less than the longer of the two durations over the light curve; "the same events" means
the longer period's first event falls within that duration of one of the shorter
period's events. A candidate's own vetting adds a fifth relation,
``period alias``, when it prefers another period for it (alternating depths: 2P; an
equal dip at phase 0.5: P/2; :mod:`starskope.vetting` ``period_alias``).

:func:`candidate_rows` gives one row per candidate (numbers in physical units, its
vetting flags, its relations): the report's candidate table, the web page's and
``starskope classify --all-candidates``'s.
"""

from __future__ import annotations

import math
from collections.abc import Sequence
from dataclasses import dataclass
from fractions import Fraction
from typing import Any

import numpy as np

from ..search.candidate import TransitCandidate
from ..search.folding import time_from_transit

__all__ = [
    "CANDIDATE_COLUMNS",
    "COMMENSURABILITIES",
    "MAX_HARMONIC",
    "RELATION_KINDS",
    "RELATION_TOLERANCE",
    "CandidateRelation",
    "candidate_relations",
    "candidate_rows",
    "candidate_table_json",
    "candidate_table_rows",
]

#: Relative tolerance on a period ratio (1 %).
RELATION_TOLERANCE = 0.01
#: Largest n of an n:1 harmonic.
MAX_HARMONIC = 5
#: Ratios of small integers (p:q, p > q, p ≤ 5) that count as commensurate periods.
COMMENSURABILITIES: tuple[Fraction, ...] = tuple(sorted({Fraction(p, q) for p in range(2, 6) for q in range(1, p)}))
#: Columns of a table of candidates (``starskope classify --all-candidates``), one row per
#: candidate; ``file`` and ``target_id`` join it to the stars' table.
CANDIDATE_COLUMNS: tuple[str, ...] = (
    "file", "target_id", "candidate", "period_days", "epoch_bjd", "depth_ppm", "duration_hours", "snr",
    "n_transits", "planet_radius_earth", "flags", "for_model", "same_signal_as", "relation",
)
#: Kinds of relation, in the order they are tested.
RELATION_KINDS: tuple[str, ...] = ("same signal", "secondary eclipse", "harmonic", "commensurate", "period alias")


@dataclass(frozen=True)
class CandidateRelation:
    """How one candidate relates to another (or, ``period alias``, to its own alias).

    Attributes
    ----------
    kind : str
        One of :data:`RELATION_KINDS`.
    other : int
        The other candidate's number (1-based, strongest first); 0 for ``period alias``.
    ratio : float
        This candidate's period over the other's (the preferred period over this one's
        for ``period alias``).
    text : str
        The relation in words, from this candidate's side.
    """

    kind: str
    other: int
    ratio: float
    text: str

    @property
    def same_signal(self) -> bool:
        """Whether the two are one signal (same signal, secondary eclipse, harmonic)."""
        return self.kind in ("same signal", "secondary eclipse", "harmonic")

    def to_dict(self) -> dict[str, Any]:
        return {"kind": self.kind, "other": self.other, "ratio": self.ratio, "text": self.text}


def _drift(short: TransitCandidate, long: TransitCandidate, n: int, baseline: float) -> float:
    """How far (days) the events of ``long`` and every n-th of ``short`` drift apart over
    the light curve."""
    return abs(long.period_days - n * short.period_days) * (baseline / long.period_days) if baseline > 0 else 0.0


def _aligned(short: TransitCandidate, long: TransitCandidate, n: int, baseline: float) -> bool:
    """Whether every event of ``long`` falls on an event of ``short`` (period ratio ``n``)."""
    width = max(short.duration_days, long.duration_days)
    offset = abs(float(time_from_transit(np.array([long.epoch_bjd]), short.period_days, short.epoch_bjd)[0]))
    return offset < width and _drift(short, long, n, baseline) < width


def _near(ratio: float, target: float) -> bool:
    return abs(ratio / target - 1.0) < RELATION_TOLERANCE


@dataclass(frozen=True)
class _Pair:
    kind: str
    ratio: float  # P_j / P_i
    earlier: str  # words for candidate i (about j)
    later: str  # words for candidate j (about i)
    tag: str  # short words for j in i's list of repeats


def _pair(ci: TransitCandidate, cj: TransitCandidate, i: int, j: int, baseline: float) -> _Pair | None:
    """The relation of candidates ``i`` < ``j`` (1-based), or None."""
    r = cj.period_days / ci.period_days
    width = max(ci.duration_days, cj.duration_days)
    if _near(r, 1.0) and _drift(ci, cj, 1, baseline) < width:  # one period: the data cannot tell them apart
        if _aligned(ci, cj, 1, baseline):
            return _Pair("same signal", r, f"found again as #{j}",
                         f"the same signal as #{i}: same period and events, found again", "again")
        lag = float((cj.epoch_bjd - ci.epoch_bjd) % ci.period_days)
        phase = lag / ci.period_days
        what = ("a secondary eclipse of one eclipsing binary" if 0.35 <= phase <= 0.65 else
                "more of one periodic signal (an eccentric binary's secondary eclipse, or a variable star)")
        return _Pair("secondary eclipse", r, f"#{j} has this period, events at phase {phase:.2f}: {what}",
                     f"the period of #{i} with events at its phase {phase:.2f} ({lag:.3g} d later): {what}",
                     f"same period, phase {phase:.2f}")
    long_later = r > 1
    n = round(r if long_later else 1 / r)
    if 2 <= n <= MAX_HARMONIC and _near(r if long_later else 1 / r, n):
        short, long = (ci, cj) if long_later else (cj, ci)
        if _aligned(short, long, n, baseline):
            s_num, l_num = (i, j) if long_later else (j, i)
            short_text = f"sub-harmonic of #{l_num}: P = P{l_num} / {n}, #{l_num}'s events on these — one signal"
            long_text = f"{n} × the period of #{s_num}, its events on #{s_num}'s — one signal"
            texts = (short_text, long_text) if long_later else (long_text, short_text)
            return _Pair("harmonic", r, texts[0], texts[1], f"{n} × P" if long_later else f"P / {n}")
    hi = max(r, 1 / r)
    for f in COMMENSURABILITIES:
        if _near(hi, float(f)):
            words = "events not aligned" if f.denominator == 1 else "near a mean-motion commensurability"
            ratio = f"period ratio {hi:.3f} ≈ {f.numerator}:{f.denominator}"
            return _Pair("commensurate", r, f"{ratio} with #{j} ({words})", f"{ratio} with #{i} ({words})", "")
    return None


def _parity_alias(c: TransitCandidate, time: np.ndarray) -> CandidateRelation | None:
    """When every event of ``c`` that has data is one of every n-th (n = 2, 3) and the
    others fall in gaps, its period may be n × P: the data cannot tell them apart."""
    if time.size == 0 or not (c.period_days > 0):
        return None
    t0, t1 = float(np.min(time)), float(np.max(time))
    k0 = math.ceil((t0 - c.epoch_bjd) / c.period_days - 0.5)
    k1 = math.floor((t1 - c.epoch_bjd) / c.period_days + 0.5)
    if k1 - k0 > 1000:
        return None
    half = 0.5 * c.duration_days
    seen = [k for k in range(k0, k1 + 1)
            if np.any(np.abs(time - (c.epoch_bjd + k * c.period_days)) < half)]
    if len(seen) < 2 or len(seen) == k1 - k0 + 1:
        return None
    for n in (2, 3):
        if len({k % n for k in seen}) == 1:
            return CandidateRelation("period alias", 0, float(n),
                                     f"only every {'other' if n == 2 else 'third'} event has data (the others fall "
                                     f"in gaps): the period may be {n} × P = {n * c.period_days:.5g} d")
    return None


def candidate_relations(candidates: Sequence[TransitCandidate], *, baseline_days: float = 0.0,
                        reports: Sequence[Any] = (), time: np.ndarray | None = None) -> list[list[CandidateRelation]]:
    """The relations of every candidate to the others (see the module docstring).

    Candidates that are one signal (same signal, secondary eclipse, harmonic) form a
    group: each later member is related to the first member it matches, and the group's
    first candidate lists the others once. Commensurate periods are marked between the
    groups' first candidates.

    Parameters
    ----------
    candidates : sequence of TransitCandidate
        Strongest first (as the search reports them).
    baseline_days : float
        Time span of the light curve, days (0: the drift test is skipped).
    reports : sequence of VettingReport or None, optional
        Each candidate's vetting, for its own ``period alias``.
    time : ndarray, optional
        The light curve's cadences (BJD_TDB days): a candidate whose events with data are
        all one of every 2 or 3 gets a ``period alias`` (the others fall in gaps).

    Returns
    -------
    list of list of CandidateRelation
        One list per candidate, in the candidates' order.
    """
    n = len(candidates)
    pairs = {(a, b): p for a in range(n) for b in range(a + 1, n)
             if (p := _pair(candidates[a], candidates[b], a + 1, b + 1, float(baseline_days))) is not None}
    head = list(range(n))  # the first candidate of each one-signal group
    parent: dict[int, int] = {}
    for b in range(n):
        for a in range(b):
            p = pairs.get((a, b))
            if p is not None and p.kind != "commensurate":
                parent[b], head[b] = a, head[a]
                break
    out: list[list[CandidateRelation]] = [[] for _ in range(n)]
    repeats: dict[int, list[str]] = {}
    for b, a in parent.items():
        p = pairs[(a, b)]
        out[b].append(CandidateRelation(p.kind, a + 1, p.ratio, p.later))
        repeats.setdefault(a, []).append(f"#{b + 1} ({p.tag})")
    for a, tags in repeats.items():
        out[a].insert(0, CandidateRelation("same signal", 0, 1.0, "its signal comes out again as " + ", ".join(tags)))
    for (a, b), p in pairs.items():
        if p.kind == "commensurate" and head[a] == a and head[b] == b:
            out[a].append(CandidateRelation(p.kind, b + 1, 1 / p.ratio, p.earlier))
            out[b].append(CandidateRelation(p.kind, a + 1, p.ratio, p.later))
    for k, rep in enumerate(list(reports)[:n]):
        if rep is None or "period_alias" not in rep:
            continue
        factor = rep.value("period_alias")
        # a binary vetted at its orbital period (:mod:`.orbits`) folds its two alike
        # eclipses at phases 0 and 0.5: the "equal dip" is why it was put there
        halved_back = factor == 0.5 and "found_period_days" in rep.candidate.extra
        if math.isfinite(factor) and factor != 1.0 and not halved_back:
            words = rep["period_alias"].reason.split(";")[0]
            out[k].append(CandidateRelation("period alias", 0, float(factor),
                                            f"its vetting prefers {Fraction(factor).limit_denominator(3)} × P: "
                                            f"{words}"))
    if time is not None:
        for k, c in enumerate(candidates):
            alias = _parity_alias(c, np.asarray(time, float))
            if alias is not None and not any(r.kind == "period alias" for r in out[k]):
                out[k].append(alias)
    return out


def _f(x: Any) -> float:
    try:
        v = float(x)
    except (TypeError, ValueError):
        return float("nan")
    return v


def candidate_rows(a: Any) -> list[dict[str, Any]]:
    """One row per candidate of an analysed star, strongest first.

    The first candidate carries the vetting the model saw (``for_model`` true when its
    SNR reached the detection threshold); the others their vetting knowing every other
    candidate, when it ran (``detail=True``). Rows hold ``candidate`` (1-based),
    ``period_days``, ``epoch_bjd``, ``depth_ppm``, ``duration_hours``, ``snr``,
    ``n_transits``, ``planet_radius_earth``, ``flags`` (``;``-separated), ``vetted``,
    ``for_model``, ``same_signal_as`` (the lowest-numbered candidate it is one signal
    with; 0 for none), ``relations`` (list of :meth:`CandidateRelation.to_dict`) and
    ``relation`` (their words joined by ``"; "``).

    Parameters
    ----------
    a : StarAnalysis
    """
    cands = list(a.candidates)
    # (a best candidate below the search threshold is vetted for display but is no candidate)
    reports = (list(getattr(a, "candidate_reports", None) or []) + [None] * len(cands))[: len(cands)]
    if cands and reports[0] is None and a.vetting is not None:
        reports[0] = a.vetting
    baseline = float(np.ptp(a.time)) if np.size(a.time) else 0.0
    relations = candidate_relations(cands, baseline_days=baseline, reports=reports, time=a.time)
    rows = []
    for k, (c, rep, rel) in enumerate(zip(cands, reports, relations, strict=True)):
        # the first is shown as everywhere else on the star (refined only when the model saw its vetting)
        shown = a.candidate if (k == 0 and a.candidate is not None) else (rep.candidate if rep is not None else c)
        radius = rep.value("radius") if (rep is not None and "radius" in rep) else float("nan")
        same = [r.other for r in rel if r.same_signal and 0 < r.other < k + 1]
        rows.append({
            "candidate": k + 1, "period_days": _f(shown.period_days), "epoch_bjd": _f(shown.epoch_bjd),
            "depth_ppm": _f(shown.depth_ppm), "duration_hours": _f(shown.duration_hours), "snr": _f(shown.snr),
            "n_transits": int(shown.n_transits), "search_snr": _f(c.snr), "planet_radius_earth": _f(radius),
            "flags": ";".join(rep.flag_names) if rep is not None else "", "vetted": rep is not None,
            "for_model": bool(k == 0 and a.vetted_for_model), "same_signal_as": min(same) if same else 0,
            "relations": [r.to_dict() for r in rel],
            "relation": "; ".join(([f"{'no event' if shown.n_transits < 1 else 'a single event'} with data: its "
                                    "period is not measured"] if shown.n_transits <= 1 else [])
                                  + _orbital_words(c, shown) + [r.text for r in rel]),
        })
    return rows


def _orbital_words(found: TransitCandidate, shown: TransitCandidate) -> list[str]:
    """Words for a binary shown at another period than the search found it at
    (:mod:`.orbits`: twice it, or its orbit under the search's floor), else none."""
    if abs(shown.period_days / found.period_days - 2.0) < 1e-6 * 2.0:
        return [f"two alike eclipses per orbit: found at {found.period_days:.5f} d, shown at the orbital period "
                f"{shown.period_days:.5f} d"]
    if "found_period_days" in shown.extra and shown.period_days < found.period_days * (1 - 1e-6):
        return [f"an orbit shorter than the search's floor: found at {found.period_days:.5f} d "
                f"({found.period_days / shown.period_days:.3g} orbits), shown at the orbital period "
                f"{shown.period_days:.5f} d"]
    return []


def candidate_table_rows(a: Any) -> list[dict[str, Any]]:
    """:func:`candidate_rows` as flat table rows (:data:`CANDIDATE_COLUMNS`): the star's
    ``file`` and ``target_id`` on each, the relations as words."""
    return [{"file": a.file, "target_id": a.target, **{k: r[k] for k in CANDIDATE_COLUMNS[2:]}}
            for r in candidate_rows(a)]


def candidate_table_json(a: Any) -> str:
    """:func:`candidate_table_rows` as strict JSON text (NaN as null), to travel in one
    cell of a results row."""
    import json

    def clean(v: Any) -> Any:
        return None if isinstance(v, float) and not math.isfinite(v) else v

    return json.dumps([{k: clean(v) for k, v in r.items()} for r in candidate_table_rows(a)], allow_nan=False)
