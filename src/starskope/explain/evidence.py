"""The evidence table, and the verdict the evidence alone gives.

Each vetting :class:`~starskope.vetting.Diagnostic` becomes an :class:`EvidenceRow`: its
value with units, the threshold, and its *stance* — whether it argues for a planet,
against one, or neither. :func:`evidence_verdict` turns the evidence into a class by the
rules a human vetter (or the Kepler Robovetter, Thompson et al. 2018) applies: no
significant periodic dip → nothing significant; an eclipsing-binary tell (odd/even
depths, a secondary eclipse, a V shape, a stellar-size companion, a moving centroid) →
eclipsing binary; a dip that is not transit-like → other variability; otherwise a
planet. It stands beside the model's verdict in every report, so a disagreement between
the two is visible.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..errors import ParameterError

__all__ = [
    "EB_FLAGS",
    "MARGINAL",
    "STANCES",
    "EvidenceRow",
    "evidence_table",
    "evidence_verdict",
    "format_value",
    "is_marginal",
]

#: Stances of an evidence row.
STANCES: tuple[str, ...] = ("for planet", "against planet", "neutral")

_STANCE_OF_VERDICT = {"planet": "for planet", "not planet": "against planet", "neutral": "neutral"}

#: Vetting flags that mark an eclipsing binary (on target or blended).
EB_FLAGS: tuple[str, ...] = ("ODD_EVEN", "SIGNIFICANT_SECONDARY", "V_SHAPED", "TOO_LARGE", "CENTROID_OFFSET")

#: A detection is marginal when its SNR is below ``snr`` and either the periodogram peak
#: barely stands out (SDE below ``sde``) or it rests on ``max_transits`` transits or fewer.
MARGINAL: dict[str, float] = {"snr": 10.0, "sde": 6.0, "max_transits": 2}


def format_value(value: float | None, unit: str = "") -> str:
    """A value for people: significant digits that suit its size, and its unit."""
    if value is None or not math.isfinite(value):
        return "—"
    a = abs(value)
    if unit == "BJD_TDB":
        text = f"{value:.5f}"
    elif a == 0:
        text = "0"
    elif a >= 1e5:
        text = f"{value:.3g}"
    elif a >= 100:
        text = f"{value:.0f}"
    elif a >= 10:
        text = f"{value:.1f}"
    elif a >= 0.01:
        text = f"{value:.3g}" if a < 1 else f"{value:.2f}"
    else:
        text = f"{value:.2e}"
    units = {"sigma": "σ", "R_earth": "R⊕", "R_sun": "R☉", "g/cm3": "g/cm³", "BJD_TDB": ""}
    u = units.get(unit, unit)
    return f"{text} {u}".strip() if u not in ("σ",) else f"{text}σ"


@dataclass(frozen=True)
class EvidenceRow:
    """One line of the evidence table.

    Attributes
    ----------
    name, label : str
        Diagnostic name and its human label.
    value : float
        The measured value (NaN: not measured).
    unit : str
        Unit of ``value`` and ``threshold`` (``"ppm"``, ``"sigma"``, ``"h"``, ...).
    threshold : float or None
        Where the verdict changes.
    stance : str
        ``"for planet"``, ``"against planet"`` or ``"neutral"``.
    reason : str
        The evidence in words.
    """

    name: str
    label: str
    value: float
    unit: str
    threshold: float | None
    stance: str
    reason: str

    def __post_init__(self) -> None:
        if self.stance not in STANCES:
            raise ParameterError(f"evidence {self.name!r}: stance must be one of {STANCES}; got {self.stance!r}")

    @property
    def value_text(self) -> str:
        return format_value(self.value, self.unit)

    @property
    def threshold_text(self) -> str:
        return "" if self.threshold is None else format_value(self.threshold, self.unit)

    def to_dict(self) -> dict[str, Any]:
        v = self.value if math.isfinite(self.value) else None
        t = self.threshold if self.threshold is not None and math.isfinite(self.threshold) else None
        return {"name": self.name, "label": self.label, "value": v, "unit": self.unit, "threshold": t,
                "stance": self.stance, "reason": self.reason, "value_text": self.value_text,
                "threshold_text": self.threshold_text}


def evidence_table(report: Any) -> list[EvidenceRow]:
    """Evidence rows of a vetting report: against-planet first, then for, then neutral
    (each group in the order vetting measured them).

    Parameters
    ----------
    report : VettingReport or None
        None gives an empty table.
    """
    if report is None:
        return []
    rows = []
    for d in report.diagnostics:
        thr = None if d.threshold is None else float(d.threshold)
        rows.append(EvidenceRow(name=d.name, label=d.label, value=d.float_value, unit=d.unit, threshold=thr,
                                stance=_STANCE_OF_VERDICT[d.verdict], reason=d.reason))
    order = {"against planet": 0, "for planet": 1, "neutral": 2}
    return sorted(rows, key=lambda r: order[r.stance])


def _value(report: Any, name: str) -> float:
    if report is None or name not in report:
        return float("nan")
    return report.value(name)


def is_marginal(candidate: Any, *, snr_threshold: float = 7.1) -> bool:
    """Whether a candidate at or above the detection threshold is still marginal
    (see :data:`MARGINAL`)."""
    if candidate is None:
        return True
    snr = float(candidate.snr)
    if not (math.isfinite(snr) and snr >= snr_threshold):
        return True
    sde = float((candidate.extra or {}).get("sde", float("nan")))
    weak_peak = math.isfinite(sde) and sde < MARGINAL["sde"]
    few = int(candidate.n_transits) <= MARGINAL["max_transits"]
    return snr < MARGINAL["snr"] and (weak_peak or few)


def evidence_verdict(candidate: Any, report: Any, *, snr_threshold: float = 7.1,
                     variability_over_noise: float = float("nan"), search_candidate: Any = None) -> tuple[str, str]:
    """The class the evidence alone supports, and the rule that decided.

    Parameters
    ----------
    candidate : TransitCandidate or None
        The best candidate (vetted when vetting ran).
    report : VettingReport or None
        Its vetting.
    snr_threshold : float
        Detection threshold (the Kepler pipeline's 7.1σ).
    variability_over_noise : float
        Peak-to-peak variability of the raw light curve over the white noise (linear);
        above 30 a star without a significant dip counts as variable.
    search_candidate : TransitCandidate, optional
        The candidate as the search reported it (its SDE), when ``candidate`` is the
        vetted one.

    Returns
    -------
    (str, str)
        A class of :data:`starskope.models.labels.CLASSES` and the rule in words.
    """
    probe = search_candidate if search_candidate is not None else candidate
    variable = math.isfinite(variability_over_noise) and variability_over_noise > 30
    if candidate is None or report is None or is_marginal(probe, snr_threshold=snr_threshold):
        if variable:
            return "other_variable", (f"no significant periodic dip, but the star varies by "
                                      f"{variability_over_noise:.0f}× its noise")
        return "nothing_significant", "no periodic dip stands clearly above the noise"
    flags = report.flag_names
    eb = [f for f in flags if f in EB_FLAGS]
    if eb:
        return "eclipsing_binary", "eclipsing-binary tells: " + ", ".join(eb)
    if "NOT_TRANSIT_LIKE" in flags:
        return "other_variable", "the dip is not transit-like"
    if "EPHEMERIS_MATCH" in flags:
        return "eclipsing_binary", "the ephemeris matches a known eclipsing binary or another signal"
    return "planet_transit", "a significant, transit-shaped dip with no false-positive flag"
