"""Known periodic signals a candidate is compared with (the ephemeris-match diagnostic).

Vetting does not read catalogues: the caller looks the known signals of the star and its
neighbours up (:func:`starskope.stars.known_ephemerides`) and passes them as
``vet(..., known=...)``. Any object with ``name``, ``kind``, ``period_days`` and
``epoch_bjd`` attributes will do (:class:`KnownEphemerisLike`; a
:class:`starskope.stars.KnownEphemeris` is one); ``star``, ``catalog``, ``ra_deg``,
``dec_deg`` and ``same_star`` are read when present. :func:`match_known` finds those
whose ephemeris matches a candidate's.
"""

from __future__ import annotations

import math
import re
from collections.abc import Sequence
from dataclasses import dataclass
from typing import Any, Protocol, runtime_checkable

import numpy as np

from ..errors import ParameterError

__all__ = ["KNOWN_KINDS", "KnownEphemerisLike", "KnownMatch", "KnownSignal", "match_known"]

#: What a known signal can be.
KNOWN_KINDS: tuple[str, ...] = ("eb", "planet", "candidate", "false positive")

#: Period ratios (candidate / known) tested: the same period, harmonics and 3:2 aliases.
HARMONICS: tuple[float, ...] = (1.0, 2.0, 0.5, 3.0, 1.0 / 3.0, 1.5, 2.0 / 3.0)

#: A known signal whose position lies within this many arcseconds of the light curve's is
#: on the same star (catalogue positions of one star agree to well under an arcsecond).
SAME_STAR_ARCSEC = 2.0


@runtime_checkable
class KnownEphemerisLike(Protocol):
    """The attributes vetting needs of a known periodic signal."""

    name: str
    kind: str
    period_days: float
    epoch_bjd: float


@dataclass(frozen=True)
class KnownSignal:
    """A periodic signal known before vetting (an EB, a planet, a candidate, a false positive).

    Attributes
    ----------
    name : str
        Object name (``"KOI K00351.01"``, ``"KIC 1026032 EB"``).
    kind : str
        One of :data:`KNOWN_KINDS`.
    period_days : float
        Period, days (> 0).
    epoch_bjd : float
        A mid-event time, BJD_TDB days (NaN when unknown: then only the period is compared).
    star : str
        The star it belongs to (``"KIC 1026032"``), "" when not said.
    catalog : str
        Where it is listed.
    ra_deg, dec_deg : float
        Its position, degrees (NaN when unknown).
    same_star : bool or None
        Whether it is on the vetted star; None lets :func:`match_known` decide from the
        star's name and the positions.
    """

    name: str
    kind: str
    period_days: float
    epoch_bjd: float = float("nan")
    star: str = ""
    catalog: str = ""
    ra_deg: float = float("nan")
    dec_deg: float = float("nan")
    same_star: bool | None = None

    def __post_init__(self) -> None:
        if self.kind not in KNOWN_KINDS:
            raise ParameterError(f"known signal {self.name!r}: kind must be one of {KNOWN_KINDS}; got {self.kind!r}")
        p = float(self.period_days)
        if not (math.isfinite(p) and p > 0):
            raise ParameterError(f"known signal {self.name!r}: period_days must be finite and positive; got {p}")

    @classmethod
    def from_object(cls, obj: Any, **changes: Any) -> KnownSignal:
        """A KnownSignal from any object with the :class:`KnownEphemerisLike` attributes.

        Parameters
        ----------
        obj : object
            E.g. a :class:`starskope.stars.KnownEphemeris`; a KnownSignal passes through.
        **changes
            Fields to set instead of the object's (e.g. ``same_star=True``).

        Raises
        ------
        ParameterError
            A missing attribute, an unknown kind or a bad period.
        """
        if isinstance(obj, KnownSignal) and not changes:
            return obj
        missing = [a for a in ("name", "kind", "period_days", "epoch_bjd") if not hasattr(obj, a)]
        if missing:
            raise ParameterError(
                f"a known signal needs attributes name, kind, period_days and epoch_bjd; "
                f"{type(obj).__name__} lacks {', '.join(missing)}"
            )
        same = getattr(obj, "same_star", None)
        fields = {
            "name": str(obj.name), "kind": str(obj.kind), "period_days": float(obj.period_days),
            "epoch_bjd": float(obj.epoch_bjd), "star": str(getattr(obj, "star", "") or ""),
            "catalog": str(getattr(obj, "catalog", "") or ""),
            "ra_deg": float(getattr(obj, "ra_deg", float("nan"))),
            "dec_deg": float(getattr(obj, "dec_deg", float("nan"))),
            "same_star": None if same is None else bool(same),
        }
        fields.update(changes)
        return cls(**fields)


@dataclass(frozen=True)
class KnownMatch:
    """A known signal whose ephemeris matches a candidate's.

    ``ratio`` is candidate period / known period (one of :data:`HARMONICS`);
    ``period_mismatch`` the relative period difference after that ratio;
    ``epoch_offset_hours`` the distance from the candidate's epoch to the nearest
    predicted known event (NaN when the known epoch is unknown); ``same_star`` whether
    it is on the vetted star; ``separation_arcsec`` its distance on the sky (0 for the
    same star, NaN when a position is unknown).
    """

    known: KnownSignal
    ratio: float
    period_mismatch: float
    epoch_offset_hours: float
    same_star: bool
    separation_arcsec: float = float("nan")


def _star_key(name: str) -> str:
    """'KIC 001026032' and 'kic1026032' alike: upper case, no spaces, no leading zeros."""
    return re.sub(r"(?<=[A-Z])0+(?=\d)", "", re.sub(r"\s+", "", str(name).upper()))


def match_known(
    known: Sequence[KnownSignal],
    period_days: float,
    epoch_bjd: float,
    duration_days: float,
    *,
    target: str | None = None,
    ra_deg: float | None = None,
    dec_deg: float | None = None,
    period_tolerance: float = 1e-3,
    radius_arcsec: float = 120.0,
) -> list[KnownMatch]:
    """Known signals whose ephemeris matches a candidate's.

    A match needs a period ratio in :data:`HARMONICS` within ``period_tolerance``
    (relative) and, where the known epoch is given, a candidate event within one
    candidate duration (at least an hour) of a predicted known event, the events of
    the shorter period lining up. A known signal is on this star when it says so
    (``same_star``), when its ``star`` names ``target``, or when it lies within
    :data:`SAME_STAR_ARCSEC` of the light curve's position (or either position is
    unknown); others count only within ``radius_arcsec`` (a farther star cannot
    contaminate the light curve).

    Parameters
    ----------
    known : sequence of KnownSignal
    period_days, epoch_bjd, duration_days : float
        The candidate's period (days), mid-transit time (BJD_TDB days) and duration (days).
    target : str, optional
        The vetted star's name.
    ra_deg, dec_deg : float, optional
        The vetted star's position, degrees.
    period_tolerance : float
        Relative period tolerance.
    radius_arcsec : float
        Farthest neighbour considered.

    Returns
    -------
    list of KnownMatch
        Best first: the same star first, then the same period, then by period mismatch.
    """
    entries = list(known)
    if not entries:
        return []
    p, dur_d, t0 = float(period_days), float(duration_days), float(epoch_bjd)
    known_p = np.array([e.period_days for e in entries])
    sep = np.full(len(entries), np.nan)
    if ra_deg is not None and dec_deg is not None:
        ra = np.radians([e.ra_deg for e in entries])
        dec = np.radians([e.dec_deg for e in entries])
        r0, d0 = np.radians(ra_deg), np.radians(dec_deg)
        cosd = np.sin(d0) * np.sin(dec) + np.cos(d0) * np.cos(dec) * np.cos(ra - r0)
        sep = np.degrees(np.arccos(np.clip(cosd, -1, 1))) * 3600.0
    key = _star_key(target) if target else None
    same = np.empty(len(entries), bool)
    for i, e in enumerate(entries):
        if e.same_star is not None:
            same[i] = e.same_star
        elif key is not None and e.star and _star_key(e.star) == key:
            same[i] = True
        else:
            same[i] = not np.isfinite(sep[i]) or sep[i] <= SAME_STAR_ARCSEC
    consider = same | (np.isfinite(sep) & (sep <= radius_arcsec))
    out: list[KnownMatch] = []
    for ratio in HARMONICS:
        mism = np.abs(p / (known_p * ratio) - 1.0)
        for i in np.flatnonzero(consider & (mism < period_tolerance)):
            e = entries[i]
            offset_h = float("nan")
            if math.isfinite(e.epoch_bjd):
                # events of the shorter of the two periods must line up
                step = min(p, e.period_days)
                d = (t0 - e.epoch_bjd) / step
                offset_h = abs(d - round(d)) * step * 24.0
                if offset_h > 24.0 * max(dur_d, 1.0 / 24.0):
                    continue
            out.append(KnownMatch(e, ratio, float(mism[i]), offset_h, bool(same[i]),
                                  0.0 if same[i] else float(sep[i])))
    out.sort(key=lambda m: (not m.same_star, m.ratio != 1.0, m.period_mismatch))
    return out
