"""What vetting returns: a table of diagnostics with units, verdicts and reasons, and flags.

A :class:`Diagnostic` is one line of evidence ("odd/even depth difference: 6.2σ,
threshold 3σ, not planet, because ..."); a :class:`Flag` is a Robovetter-style
false-positive flag raised by one or more diagnostics; a :class:`VettingReport` holds
both plus the candidate, and turns them into a flat row of floats (for tables and
machine-learning features) or a JSON-able dict (for the web app and reports).
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import astropy.units as u

from ..errors import ParameterError
from ..search.candidate import TransitCandidate

__all__ = ["FLAGS", "VERDICTS", "Diagnostic", "Flag", "VettingReport"]

#: The verdicts a diagnostic can give.
VERDICTS: tuple[str, ...] = ("planet", "not planet", "neutral")

#: The flags vetting can raise, with what each means.
FLAGS: dict[str, str] = {
    "NOT_TRANSIT_LIKE": "the signal is not a transit: no significant dip, not unique in phase, "
    "as strong as brightenings, or carried by a single event",
    "SIGNIFICANT_SECONDARY": "a secondary eclipse deeper than a planet's reflected light and heat allow",
    "CENTROID_OFFSET": "the light centroid moves during the dip: the source is off target",
    "EPHEMERIS_MATCH": "period and epoch match a known eclipsing binary, another star's planet, "
    "or a harmonic of another candidate in the same star",
    "ODD_EVEN": "odd and even transits differ in depth: an eclipsing binary at twice the period",
    "V_SHAPED": "V-shaped dip preferred over a flat-bottomed transit: grazing eclipsing binary",
    "TOO_LARGE": "implied companion radius above 2 Jupiter radii: a star, not a planet",
    "DENSITY_MISMATCH": "transit duration inconsistent with the catalogued star (Kepler's law)",
}


def _plain(value: Any) -> Any:
    """JSON-able version of a value: Quantities to float, NaN/inf to None."""
    if isinstance(value, u.Quantity):
        value = value.value
        if getattr(value, "ndim", 0):
            return [_plain(v) for v in value.tolist()]
    if hasattr(value, "item") and not isinstance(value, str | bytes):
        try:
            value = value.item()
        except (ValueError, TypeError):
            pass
    if isinstance(value, float) and not math.isfinite(value):
        return None
    if isinstance(value, dict):
        return {str(k): _plain(v) for k, v in value.items()}
    if isinstance(value, list | tuple):
        return [_plain(v) for v in value]
    return value


@dataclass(frozen=True)
class Diagnostic:
    """One line of vetting evidence.

    Attributes
    ----------
    name : str
        Machine name, also the column stem in :meth:`VettingReport.as_row`
        (``"odd_even"``, ``"secondary_depth"``).
    value : Quantity or float
        The measured value (NaN when it could not be measured).
    unit : str
        Unit of ``value`` as text (``"ppm"``, ``"h"``, ``"sigma"``, ``""``).
    threshold : float or None
        The value at which the verdict changes, in ``unit`` (None when the verdict is
        not a simple cut).
    verdict : str
        ``"planet"``, ``"not planet"`` or ``"neutral"``.
    reason : str
        The evidence in words.
    label : str
        Human-readable name for tables.
    """

    name: str
    value: u.Quantity | float
    unit: str
    threshold: float | None
    verdict: str
    reason: str
    label: str = ""

    def __post_init__(self) -> None:
        if self.verdict not in VERDICTS:
            raise ParameterError(f"diagnostic {self.name!r}: verdict must be one of {VERDICTS}; got {self.verdict!r}")
        if not self.label:
            object.__setattr__(self, "label", self.name.replace("_", " "))

    @property
    def float_value(self) -> float:
        v = self.value
        if isinstance(v, u.Quantity):
            v = v.value
        try:
            return float(v)
        except (TypeError, ValueError):
            return float("nan")

    @property
    def column(self) -> str:
        """Name of the column in :meth:`VettingReport.as_row` (unit-suffixed)."""
        suffix = _UNIT_SUFFIX.get(self.unit, self.unit.replace("/", "_per_").replace(" ", ""))
        return f"{self.name}_{suffix}" if suffix else self.name

    def to_dict(self) -> dict[str, Any]:
        return {
            "name": self.name,
            "label": self.label,
            "value": _plain(self.float_value),
            "unit": self.unit,
            "threshold": _plain(self.threshold),
            "verdict": self.verdict,
            "reason": self.reason,
        }


_UNIT_SUFFIX = {
    "ppm": "ppm", "h": "hours", "d": "days", "BJD_TDB": "bjd", "sigma": "sigma", "": "",
    "R_earth": "rearth", "R_sun": "rsun", "g/cm3": "gcc", "arcsec": "arcsec", "pix": "pix",
    "K": "k",
}


@dataclass(frozen=True)
class Flag:
    """A false-positive flag, the diagnostic that raised it and why."""

    name: str
    reason: str
    diagnostic: str = ""

    def __post_init__(self) -> None:
        if self.name not in FLAGS:
            raise ParameterError(f"unknown vetting flag {self.name!r}; known: {', '.join(FLAGS)}")

    def __str__(self) -> str:
        return self.name

    def to_dict(self) -> dict[str, str]:
        return {"name": self.name, "reason": self.reason, "diagnostic": self.diagnostic}


@dataclass
class VettingReport:
    """The evidence about one candidate.

    Attributes
    ----------
    candidate : TransitCandidate
        The candidate as vetted: refined epoch and duration, measured depth, its error,
        SNR and number of transits.
    diagnostics : list of Diagnostic
        The evidence table.
    flags : list of Flag
        False-positive flags raised (empty: the candidate passes every test).
    target : str
        Star name, when known.
    stellar : dict
        Stellar parameters used (floats with unit-suffixed names, NaN when unknown).
    products : dict
        Whole measurements for figures (the difference image when pixels were given).
    """

    candidate: TransitCandidate
    diagnostics: list[Diagnostic]
    flags: list[Flag] = field(default_factory=list)
    target: str = ""
    stellar: dict[str, float] = field(default_factory=dict)
    #: measurements kept whole for figures, by name (``"difference_image"``: a
    #: :class:`~starskope.pixels.DifferenceImage`); not part of :meth:`as_row` or :meth:`to_dict`
    products: dict[str, Any] = field(default_factory=dict)

    @property
    def flag_names(self) -> list[str]:
        return [f.name for f in self.flags]

    def has_flag(self, name: str) -> bool:
        return name in self.flag_names

    @property
    def disposition(self) -> str:
        """``"planet candidate"`` when no flag is raised, else ``"false positive"``."""
        return "false positive" if self.flags else "planet candidate"

    def __getitem__(self, name: str) -> Diagnostic:
        for d in self.diagnostics:
            if d.name == name:
                return d
        known = ", ".join(d.name for d in self.diagnostics)
        raise KeyError(f"no diagnostic {name!r}; known: {known}")

    def __contains__(self, name: object) -> bool:
        return any(d.name == name for d in self.diagnostics)

    def value(self, name: str) -> float:
        """Float value of diagnostic ``name``."""
        return self[name].float_value

    def as_row(self) -> dict[str, float]:
        """A flat dict of floats: candidate, diagnostics (unit-suffixed names),
        stellar parameters and one 0/1 column per flag (``flag_odd_even``, ...)."""
        row: dict[str, float] = {}
        for d in self.diagnostics:
            row[d.column] = d.float_value
        row.update({k: float(v) for k, v in self.stellar.items()})
        for name in FLAGS:
            row[f"flag_{name.lower()}"] = 1.0 if self.has_flag(name) else 0.0
        row["n_flags"] = float(len(self.flags))
        return row

    def to_dict(self) -> dict[str, Any]:
        """JSON-able dict (NaN becomes None)."""
        cand = self.candidate
        return {
            "target": self.target,
            "disposition": self.disposition,
            "candidate": _plain({
                "period_days": cand.period_days,
                "epoch_bjd": cand.epoch_bjd,
                "duration_hours": cand.duration_hours,
                "depth_ppm": cand.depth_ppm,
                "depth_err_ppm": float(cand.depth_err.to_value(u.dimensionless_unscaled) * 1e6),
                "snr": float(cand.snr),
                "n_transits": int(cand.n_transits),
                "source": cand.source,
            }),
            "flags": [f.to_dict() for f in self.flags],
            "diagnostics": [d.to_dict() for d in self.diagnostics],
            "stellar": _plain(dict(self.stellar)),
        }

    def summary(self) -> str:
        """One line: period, depth, SNR and flags."""
        c = self.candidate
        flags = ", ".join(self.flag_names) or "no flags"
        return (f"{self.target or 'candidate'}: P = {c.period_days:.5f} d, depth = {c.depth_ppm:.0f} ppm, "
                f"SNR = {c.snr:.1f}, {c.n_transits} transits; {self.disposition} ({flags})")
