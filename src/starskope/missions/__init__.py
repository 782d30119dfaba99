"""Telescope profiles: how Kepler, K2 and TESS behave, as data.

Each telescope is described by a TOML file in ``missions/data/`` (time system, cadences,
quarter / campaign / sector tables, QUALITY bits and masks, pixel scale, bandpass, and the
systematics each is known for) loaded into a :class:`TelescopeProfile`. Profiles live in the
:data:`MISSIONS` registry::

    >>> from starskope.missions import get_mission
    >>> k2 = get_mission("K2")
    >>> k2.long_cadence.to("min")            # doctest: +FLOAT_CMP
    <Quantity 29.42440667 min>
    >>> k2.quality_mask("default")
    1130799

:func:`detect_mission` tells which telescope a file came from, from its header or name.
"""

from __future__ import annotations

import re
import tomllib
from collections.abc import Mapping
from dataclasses import dataclass, field
from importlib import resources
from types import MappingProxyType
from typing import Any

import astropy.units as u
import numpy as np
from astropy.time import Time

from .. import lightcurve as _lightcurve  # noqa: F401  (imports lightkurve, which registers the 'bkjd'/'btjd' Time formats)
from ..errors import ParameterError, TimeSystemError, UnknownNameError
from ..registry import Registry

__all__ = [
    "DAY_COUNT_OFFSETS",
    "MISSIONS",
    "Segment",
    "Systematic",
    "TelescopeProfile",
    "day_count_offset",
    "detect_mission",
    "get_mission",
]


@dataclass(frozen=True)
class Segment:
    """One observing unit: a Kepler quarter, K2 campaign or TESS sector."""

    number: int
    start: Time
    stop: Time

    @property
    def duration(self) -> u.Quantity:
        return (self.stop - self.start).to(u.day)

    def contains(self, time: Time) -> bool:
        return bool(self.start <= time <= self.stop)


@dataclass(frozen=True)
class Systematic:
    """A known instrumental systematic and the QUALITY bits that mark it (0 if none)."""

    name: str
    description: str
    period: u.Quantity | None = None
    quality_bits: int = 0


@dataclass(frozen=True)
class TelescopeProfile:
    """Everything starskope knows about one telescope.

    Attributes
    ----------
    name : str
        'Kepler', 'K2' or 'TESS'.
    time_format : str
        Time format of the mission's files ('bkjd' or 'btjd'); ``bjd_offset`` is its JD offset.
    cadences : dict of str to Quantity
        Named cadences (e.g. 'long', 'short', 'two_minute', 'ffi_30min').
    segment_kind : str
        'quarter', 'campaign' or 'sector'; ``segments`` lists them with start/stop times.
    quality_bits : dict of int to str
        Names of the QUALITY bits.
    quality_masks : dict of str to int
        Bitmasks 'none', 'default', 'hard', 'hardest'.
    pixel_scale : Quantity [arcsec]
    bandpass : Quantity [nm], shape (2,)
    systematics : list of Systematic
    """

    name: str
    aliases: tuple[str, ...]
    telescope_keyword: str
    time_format: str
    bjd_offset: float
    time_system: str
    catalog: str
    target_prefix: str
    cadences: dict[str, u.Quantity]
    segment_kind: str
    segments: tuple[Segment, ...]
    quality_bits: dict[int, str]
    quality_masks: dict[str, int]
    pixel_scale: u.Quantity
    bandpass: u.Quantity
    aperture: u.Quantity
    systematics: tuple[Systematic, ...]
    extra: dict[str, Any] = field(default_factory=dict)

    @property
    def long_cadence(self) -> u.Quantity:
        """The cadence most light curves of this telescope use (Kepler/K2 long, TESS 2-min)."""
        key = "long" if "long" in self.cadences else "two_minute"
        return self.cadences[key]

    def cadence(self, name: str) -> u.Quantity:
        try:
            return self.cadences[name]
        except KeyError:
            raise UnknownNameError(
                f"{self.name} has no cadence {name!r}; known: {', '.join(self.cadences)}"
            ) from None

    def ffi_cadence(self, sector: int) -> u.Quantity:
        """TESS full-frame-image cadence of a sector (30 min, 10 min, 200 s)."""
        if self.name != "TESS":
            raise ParameterError(f"{self.name} has no full-frame-image light curves")
        if sector <= 26:
            return self.cadences["ffi_30min"]
        if sector <= 55:
            return self.cadences["ffi_10min"]
        return self.cadences["ffi_200s"]

    def quality_mask(self, name: str | int) -> int:
        """Bitmask for 'none', 'default', 'hard', 'hardest' (an int passes through)."""
        if isinstance(name, (int, np.integer)):
            return int(name)
        try:
            return self.quality_masks[name.lower()]
        except KeyError:
            raise UnknownNameError(
                f"unknown quality mask {name!r}; known: {', '.join(self.quality_masks)}"
            ) from None

    def describe_quality(self, flags: int) -> list[str]:
        """Names of the bits set in one QUALITY value."""
        return [label for bit, label in sorted(self.quality_bits.items()) if flags & bit]

    def segment(self, number: int) -> Segment:
        for seg in self.segments:
            if seg.number == number:
                return seg
        known = f"{self.segments[0].number}-{self.segments[-1].number}"
        raise UnknownNameError(f"{self.name} has no {self.segment_kind} {number}; known: {known}")

    def segment_at(self, time: Time) -> Segment | None:
        """The quarter / campaign / sector containing ``time`` (None in a gap between them)."""
        for seg in self.segments:
            if seg.contains(time):
                return seg
        return None

    def to_time(self, values: Any) -> Time:
        """Mission time stamps (BKJD / BTJD floats) as an absolute TDB Time."""
        t = Time(np.asarray(values, dtype=float) + self.bjd_offset, format="jd", scale="tdb")
        t.format = self.time_format
        return t

    def from_time(self, time: Time) -> np.ndarray:
        """Absolute times as this mission's BKJD / BTJD floats."""
        return np.asarray(time.tdb.jd, dtype=float) - self.bjd_offset


def _load(name: str) -> TelescopeProfile:
    text = resources.files(__package__).joinpath("data", f"{name}.toml").read_text()
    raw = tomllib.loads(text)
    segments = tuple(
        Segment(int(n), Time(start, scale="utc").tdb, Time(stop, scale="utc").tdb)
        for n, start, stop in raw["segments"]
    )
    systematics = tuple(
        Systematic(
            name=s["name"],
            description=s["description"],
            period=s["period_days"] * u.day if "period_days" in s else None,
            quality_bits=int(s.get("quality_bits", 0)),
        )
        for s in raw.get("systematics", [])
    )
    masks = {"none": 0, **{k: int(v) for k, v in raw["quality_masks"].items()}}
    known = {
        "name", "aliases", "telescope_keyword", "time_format", "bjd_offset", "time_system",
        "catalog", "target_prefix", "pixel_scale_arcsec", "bandpass_nm", "aperture_m",
        "segment_kind", "cadences", "quality_masks", "quality_bits", "systematics", "segments",
    }
    return TelescopeProfile(
        name=raw["name"],
        aliases=tuple(raw["aliases"]),
        telescope_keyword=raw["telescope_keyword"],
        time_format=raw["time_format"],
        bjd_offset=float(raw["bjd_offset"]),
        time_system=raw["time_system"],
        catalog=raw["catalog"],
        target_prefix=raw["target_prefix"],
        cadences={k: (float(v) * u.s).to(u.min) for k, v in raw["cadences"].items()},
        segment_kind=raw["segment_kind"],
        segments=segments,
        quality_bits={int(k): v for k, v in raw["quality_bits"].items()},
        quality_masks=masks,
        pixel_scale=raw["pixel_scale_arcsec"] * u.arcsec,
        bandpass=np.asarray(raw["bandpass_nm"]) * u.nm,
        aperture=raw["aperture_m"] * u.m,
        systematics=systematics,
        extra={k: v for k, v in raw.items() if k not in known},
    )


MISSIONS: Registry[TelescopeProfile] = Registry("telescope")
for _name in ("kepler", "k2", "tess"):
    _profile = _load(_name)
    MISSIONS.add(_profile.name, _profile)


def _day_count_offsets() -> dict[str, float]:
    offsets: dict[str, float] = {}
    for profile_name in MISSIONS.names():
        profile = MISSIONS.get(profile_name)
        known = offsets.setdefault(profile.time_format, profile.bjd_offset)
        if known != profile.bjd_offset:  # two profiles naming one day count differently
            raise ParameterError(
                f"telescope profiles disagree on the {profile.time_format} offset: {known} and "
                f"{profile.bjd_offset} ({profile.name})"
            )
    return offsets


#: JD offset of each telescope day count, read from the profiles (BJD_TDB = day count +
#: offset): ``{'bkjd': …, 'btjd': …}``. The one place starskope keeps these numbers.
DAY_COUNT_OFFSETS: Mapping[str, float] = MappingProxyType(_day_count_offsets())


def day_count_offset(time_format: str) -> float:
    """JD offset of a telescope day count: BJD_TDB = day count + offset.

    Parameters
    ----------
    time_format : str
        ``'bkjd'`` (Kepler, K2) or ``'btjd'`` (TESS); case-insensitive.

    Returns
    -------
    float
        The offset in days, from the telescope profiles.

    Raises
    ------
    TimeSystemError
        A day count no telescope profile uses (the message lists the known ones).
    """
    try:
        return DAY_COUNT_OFFSETS[str(time_format).lower()]
    except KeyError:
        raise TimeSystemError(
            f"unknown telescope day count {time_format!r}; known: {', '.join(DAY_COUNT_OFFSETS)}"
        ) from None


def get_mission(name: str) -> TelescopeProfile:
    """The profile of a telescope by name ('Kepler', 'K2', 'TESS'; case-insensitive)."""
    if not isinstance(name, str):
        raise UnknownNameError(f"telescope name must be a string; got {name!r}")
    for profile_name in MISSIONS.names():
        profile = MISSIONS.get(profile_name)
        if name.lower() in profile.aliases:
            return profile
    return MISSIONS.get(name)


_EPIC_MIN = 200_000_000  # EPIC ids start at 201000001; KIC ids stay below 13.2 million


def detect_mission(header: Mapping[str, Any] | None, path: str | None = None) -> str | None:
    """Which telescope a light curve came from: 'Kepler', 'K2', 'TESS' or None if unsure.

    Looks, in order, at the MISSION and TELESCOP keywords (with CAMPAIGN / QUARTER / SECTOR
    to tell K2 from Kepler), the OBJECT name prefix (KIC / EPIC / TIC), the size of KEPLERID,
    and finally the file name (``kplr…``, ``ktwo…``, ``…k2…``, ``tess…``, ``…tic…``).
    """
    h = {str(k).upper(): v for k, v in (header or {}).items()}

    def text(key: str) -> str:
        value = h.get(key)
        return str(value).strip().upper() if value not in (None, "") else ""

    mission = text("MISSION")
    if mission in {"K2", "KEPLER", "TESS"}:
        return {"K2": "K2", "KEPLER": "Kepler", "TESS": "TESS"}[mission]
    telescope = text("TELESCOP")
    if telescope == "TESS" or h.get("SECTOR") not in (None, "") or h.get("TICID") not in (None, ""):
        if telescope in {"", "TESS"}:
            return "TESS"
    if telescope == "KEPLER" or h.get("KEPLERID") not in (None, ""):
        if h.get("CAMPAIGN") not in (None, ""):
            return "K2"
        if h.get("QUARTER") not in (None, ""):
            return "Kepler"
        kid = h.get("KEPLERID")
        if isinstance(kid, (int, np.integer)) or (isinstance(kid, str) and kid.isdigit()):
            return "K2" if int(kid) >= _EPIC_MIN else "Kepler"
    obj = text("OBJECT")
    for prefix, name in (("EPIC", "K2"), ("KIC", "Kepler"), ("KPLR", "Kepler"), ("TIC", "TESS")):
        if obj.startswith(prefix):
            return name
    if path:
        base = re.sub(r".*[\\/]", "", str(path)).lower()
        if base.startswith("ktwo") or "_k2_" in base or base.startswith("epic") or "-c0" in base or "-c1" in base:
            return "K2"
        if base.startswith("kplr") or base.startswith("kic"):
            return "Kepler"
        if base.startswith("tess") or "_tess_" in base or base.startswith("tic") or "-s00" in base:
            return "TESS"
    return None
