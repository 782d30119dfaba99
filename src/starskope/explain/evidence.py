"""The evidence table, and the verdict the evidence alone gives.

Each vetting :class:`~starskope.vetting.Diagnostic` becomes an :class:`EvidenceRow`: its
value with units, the threshold, and its *stance* — whether it argues for a planet,
against one, or neither. :func:`evidence_verdict` turns the evidence into a class by the
rules a human vetter (or the Kepler Robovetter, Thompson et al. 2018) applies: no
significant periodic dip → nothing significant; an eclipsing-binary tell (odd/even
depths, a secondary eclipse, a V shape, a stellar-size companion, a moving centroid) →
eclipsing binary; a dip that is not transit-like → other variability; otherwise a
planet. The rules live with the star's one verdict
(:func:`starskope.analysis.verdict.rules_verdict`, which reconciles them with the model
and the star type); this module shows them as evidence.
"""

from __future__ import annotations

import math
from dataclasses import dataclass
from typing import Any

from ..analysis.verdict import EB_FLAGS, MARGINAL, is_marginal
from ..analysis.verdict import rules_verdict as evidence_verdict
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
