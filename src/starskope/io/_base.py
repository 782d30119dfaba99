"""Pieces every reader shares: options, time systems, target ids, units and the final build.

A reader turns a file into columns (times as numbers in some stated system, flux, errors,
QUALITY, extra columns) plus what the file says about itself; :func:`finish` turns that into
a validated starskope light curve with absolute TDB times and every key of
:data:`starskope.lightcurve.META_KEYS` filled.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..errors import (
    LightCurveDataError,
    ParameterError,
    StarskopeWarning,
    TimeSystemError,
    UnknownNameError,
)
from ..lightcurve import build_lightcurve
from ..missions import DAY_COUNT_OFFSETS

with warnings.catch_warnings():
    warnings.filterwarnings("ignore", message=".*tpfmodel submodule.*")
    from lightkurve.units import ppm as _PPM

__all__ = [
    "TIME_FORMATS",
    "Columns",
    "ReadOptions",
    "TimeReference",
    "finish",
    "make_time",
    "parse_target",
    "parse_unit",
    "target_from_filename",
    "warn",
]

#: Time systems a user may name with ``time_format=``: JD offset of the zero point, or None
#: for full Julian dates; ``'phase'`` means days from mid-transit of a folded light curve.
TIME_FORMATS: dict[str, float | None] = {
    **DAY_COUNT_OFFSETS,  # 'bkjd', 'btjd': from the telescope profiles
    "bjd": 0.0,
    "jd": 0.0,
    "mjd": 2400000.5,
    "phase": None,
}

_PREFIX_MISSION = {"KIC": "Kepler", "EPIC": "K2", "TIC": "TESS"}
_MISSION_PREFIX = {"Kepler": "KIC", "K2": "EPIC", "TESS": "TIC"}


@dataclass(frozen=True)
class ReadOptions:
    """What the caller told :func:`starskope.io.read` (see its docstring)."""

    flux_column: str | None = None
    mission: str | None = None
    time_format: str | None = None
    target_id: int | str | None = None
    quality_bitmask: str | int = "none"
    epoch: Time | float | None = None

    def __post_init__(self) -> None:
        if self.time_format is not None:
            if not isinstance(self.time_format, str) or self.time_format.lower() not in TIME_FORMATS:
                raise UnknownNameError(
                    f"unknown time_format {self.time_format!r}; known time formats: "
                    f"{', '.join(TIME_FORMATS)}"
                )
            object.__setattr__(self, "time_format", self.time_format.lower())
        if self.mission is not None:
            from ..missions import get_mission

            object.__setattr__(self, "mission", get_mission(self.mission).name)
        if self.epoch is not None and not isinstance(self.epoch, (Time, int, float, np.floating)):
            raise ParameterError(
                f"epoch must be an astropy Time or a BJD_TDB float; got {type(self.epoch).__name__}"
            )
        if self.quality_bitmask is None:
            object.__setattr__(self, "quality_bitmask", "none")


@dataclass(frozen=True)
class TimeReference:
    """How a file's time numbers become absolute times.

    Attributes
    ----------
    offset : float or None
        JD of the zero point (2454833 for BKJD, 2457000 for BTJD, 0 for full JD); None for a
        phase-folded light curve (days from mid-transit).
    scale : str
        Astropy time scale of the numbers ('tdb', 'tt', 'utc').
    source : str
        Where the reference came from, for the provenance record.
    assumed : str
        Empty when the file (or the user) states the system; otherwise what was assumed
        and why (said as a :class:`~starskope.errors.StarskopeWarning` when read).
    """

    offset: float | None
    scale: str
    source: str
    assumed: str = ""


@dataclass
class Columns:
    """What a reader extracted from a file, before validation.

    ``time`` holds the raw numbers of the file (NaN where the file has none); ``finish``
    applies the :class:`TimeReference`, drops NaN-time cadences and builds the light curve.
    """

    time: np.ndarray
    flux: u.Quantity
    flux_err: u.Quantity | None
    quality: np.ndarray | None
    time_ref: TimeReference
    product: str
    flux_origin: str
    header: Mapping[str, Any] = field(default_factory=dict)
    extra: dict[str, Any] = field(default_factory=dict)
    provenance: list[str] = field(default_factory=list)
    meta: dict[str, Any] = field(default_factory=dict)
    cadence: u.Quantity | None = None


# ---------------------------------------------------------------------------- units


_UNIT_ALIASES: dict[str, u.UnitBase] = {
    "e-/s": u.electron / u.s,
    "e/s": u.electron / u.s,
    "electron/s": u.electron / u.s,
    "electron / s": u.electron / u.s,
    "electrons/s": u.electron / u.s,
    "ppm": _PPM,
    "rel": u.dimensionless_unscaled,
    "relative": u.dimensionless_unscaled,
    "normalized": u.dimensionless_unscaled,
    "normalised": u.dimensionless_unscaled,
    "unitless": u.dimensionless_unscaled,
    "": u.dimensionless_unscaled,
    "pixel": u.pix,
    "pixels": u.pix,
    "pix": u.pix,
    "d": u.day,
    "day": u.day,
    "days": u.day,
    "sigma": u.dimensionless_unscaled,
}


def parse_unit(text: str | None) -> u.UnitBase | None:
    """An astropy unit from a FITS ``TUNITn`` / ``BUNIT`` string (None when absent or unknown)."""
    if text is None:
        return None
    key = str(text).strip()
    if key.lower() in _UNIT_ALIASES:
        return _UNIT_ALIASES[key.lower()]
    unit = u.Unit(key, parse_strict="silent")
    if isinstance(unit, u.UnrecognizedUnit):
        return None
    return unit


# ---------------------------------------------------------------------------- targets


_FILENAME_TARGETS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(r"kplr(\d{9})", re.I), "KIC"),
    (re.compile(r"ktwo(\d{9})", re.I), "EPIC"),
    (re.compile(r"(?:^|[^a-z])epic[_ -]?(\d{6,10})", re.I), "EPIC"),
    (re.compile(r"(?:^|[^a-z])kic[_ -]?(\d{4,9})", re.I), "KIC"),
    (re.compile(r"(?:^|[^a-z])tic[_ -]?(\d{4,16})", re.I), "TIC"),
    # SPOC: tess2018206045859-s0001-0000000261136679-0120-s_lc.fits
    (re.compile(r"tess\d{13}-s\d{4}-(\d{16})-", re.I), "TIC"),
    # TESS HLSPs: ..._0000000261136679-s0001_..., ..._s0001-0000000261136679_..., ..._00055652896-s01_...
    (re.compile(r"hlsp_[a-z0-9-]+_tess_.*?(?:^|[_-])(\d{11,16})(?:[_-]|$)", re.I), "TIC"),
    # K2 HLSPs: hlsp_k2sff_k2_lightcurve_205905563-c03_..., hlsp_everest_k2_llc_205905563-c03_...
    (re.compile(r"hlsp_[a-z0-9-]+_k2_[a-z]+_(\d{9})-c\d+", re.I), "EPIC"),
    # A name that is a bare catalogue number ('94986319_data.txt', '101433435.fits'): the
    # catalogue follows from the telescope, so it is used only when that is known.
    (re.compile(r"^0*(\d{5,12})(?=[_.-])"), ""),
]


def target_from_filename(path: str | Path) -> tuple[str | None, int] | None:
    """(catalogue, number) from a file name such as ``kplr000757450-…`` or ``tess…-0000000261136679-…``.

    The catalogue is None for a name that is a bare number (its telescope decides).
    """
    name = Path(path).name
    for pattern, catalog in _FILENAME_TARGETS:
        match = pattern.search(name)
        if match:
            return (catalog or None), int(match.group(1))
    return None


def parse_target(value: Any, mission: str | None) -> tuple[str | None, int] | None:
    """(catalogue, number) from a header value or user argument: 'KIC 757450', 'TIC 1', 261136679."""
    if value is None or (isinstance(value, str) and not value.strip()):
        return None
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        return _MISSION_PREFIX.get(mission or ""), int(value)
    text = str(value).strip()
    match = re.fullmatch(r"(?i)(kic|kplr|epic|ktwo|tic)?[\s_-]*0*(\d+)", text)
    if not match:
        return None
    prefix = (match.group(1) or "").upper()
    prefix = {"KPLR": "KIC", "KTWO": "EPIC"}.get(prefix, prefix)
    return (prefix or _MISSION_PREFIX.get(mission or "")), int(match.group(2))


def _resolve_target(
    header: Mapping[str, Any], path: Path, mission: str | None, user: int | str | None, source: str
) -> tuple[int | None, str | None, str | None]:
    """(TARGETID, OBJECT, note) from header keys, then the file name, then ``target_id=``."""
    found: tuple[str | None, int] | None = None
    origin = ""
    for key in ("TICID", "TIC_ID", "KEPLERID", "TARGETID", "EPIC", "OBJECT"):
        parsed = parse_target(header.get(key), mission)
        if parsed is not None:
            found, origin = parsed, f"header key {key}"
            break
    if found is None:
        parsed_name = target_from_filename(path)
        if parsed_name is not None and (parsed_name[0] is not None or mission is not None):
            found, origin = parsed_name, "file name"
    if user is not None:
        given = parse_target(user, mission)
        if given is None:
            raise ParameterError(
                f"{source}: target_id={user!r} is not a catalogue id (expected e.g. 'KIC 757450', "
                "'EPIC 201367065', 'TIC 261136679' or an integer)"
            )
        if found is not None and found[1] != given[1]:
            raise ParameterError(
                f"{source}: target_id={user!r} disagrees with the file, whose {origin} says "
                f"{found[0] or ''} {found[1]}".rstrip()
            )
        if found is None:
            found, origin = given, "target_id argument"
        elif found[0] is None:
            found = (given[0], found[1])
    if found is None:
        return None, None, None
    prefix, number = found
    if prefix is None:
        prefix = _MISSION_PREFIX.get(mission or "")
    obj = f"{prefix} {number}" if prefix else str(number)
    return number, obj, f"target {obj} from the {origin}"


# ---------------------------------------------------------------------------- time


def make_time(values: np.ndarray, ref: TimeReference, mission: str | None, epoch: Any, source: str) -> Time:
    """Absolute TDB times from the file's numbers (finite values only)."""
    values = np.asarray(values, dtype=np.float64)
    if ref.offset is None:  # phase-folded: days from mid-transit
        if epoch is None:
            raise TimeSystemError(
                f"{source}: the time column holds days from mid-transit of a phase-folded light "
                "curve; pass epoch= (the mid-transit time as an astropy Time or a BJD_TDB float) "
                "so the times can be made absolute"
            )
        ep = epoch if isinstance(epoch, Time) else Time(float(epoch), format="jd", scale="tdb")
        ep = ep.tdb
        t = Time(np.full(values.shape, ep.jd1), ep.jd2 + values, format="jd", scale="tdb")
    else:
        whole = float(np.floor(ref.offset))
        frac = float(ref.offset - whole)
        t = Time(np.full(values.shape, whole), values + frac, format="jd", scale=ref.scale)
        if ref.scale != "tdb":
            t = t.tdb
    t.format = {"Kepler": "bkjd", "K2": "bkjd", "TESS": "btjd"}.get(mission or "", "jd")
    return t


# ---------------------------------------------------------------------------- build


def _segment(
    header: Mapping[str, Any], mission: str | None, time: Time, infer: bool = True
) -> tuple[dict[str, int | None], str | None]:
    keys: dict[str, int | None] = {"QUARTER": None, "CAMPAIGN": None, "SECTOR": None}
    if mission is None:
        return keys, None
    from ..missions import get_mission

    profile = get_mission(mission)
    key = profile.segment_kind.upper()
    value = header.get(key)
    if isinstance(value, (int, np.integer)) and not isinstance(value, bool):
        keys[key] = int(value)
        return keys, None
    if isinstance(value, str) and value.strip().isdigit():
        keys[key] = int(value)
        return keys, None
    if not infer:
        return keys, None
    # Not in the file: take it from the time stamps when they all lie in one segment (with
    # two days' slack, as the segment table holds nominal calendar dates).
    middle = profile.segment_at(time[len(time) // 2])
    slack = 2.0 * u.day
    if middle is not None and time[0] >= middle.start - slack and time[-1] <= middle.stop + slack:
        keys[key] = middle.number
        return keys, f"{profile.segment_kind} {middle.number} from the time stamps (segment table)"
    return keys, None


def _apply_quality_mask(
    cols: Columns, bitmask: str | int, mission: str | None, source: str
) -> np.ndarray | None:
    if isinstance(bitmask, str) and bitmask.lower() == "none":
        return None
    if isinstance(bitmask, (int, np.integer)) and int(bitmask) == 0:
        return None
    if mission is None:
        raise ParameterError(
            f"{source}: quality_bitmask={bitmask!r} needs the telescope, which is unknown; "
            "pass mission= or an integer bitmask"
        )
    from ..missions import get_mission

    mask_value = get_mission(mission).quality_mask(bitmask)
    if cols.quality is None:
        return None
    return (np.asarray(cols.quality).astype(np.int64) & mask_value) != 0


def relative_deviation_as_flux(flux: Any, origin: str) -> tuple[Any, str | None]:
    """A relative flux written as the deviation from 1 in a scaled unit (TASOC's
    ``FLUX_CORR``: ppm centred on zero) as a flux: 1 in that unit added (10⁶ ppm), so that
    dividing by the median gives 1 + deviation, as for every other product. The unit and
    the errors are kept. Other fluxes, and a scaled flux that is already near 1 (a
    normalised flux in ppm, ≈ 10⁶), are returned unchanged with no note.

    Without this, detrending divides by a trend near zero and the light curve is noise.
    """
    unit = getattr(flux, "unit", None)
    if unit is None or not unit.is_equivalent(u.dimensionless_unscaled):
        return flux, None
    scale = float(u.Quantity(1.0, unit).to_value(u.dimensionless_unscaled))
    if scale == 1.0:
        return flux, None
    values = np.asarray(flux.to_value(u.dimensionless_unscaled), float)
    finite = values[np.isfinite(values)]
    if finite.size == 0 or not abs(float(np.median(finite))) < 0.5:
        return flux, None
    one = u.Quantity(1.0, u.dimensionless_unscaled).to(unit)
    note = (f"flux: {origin or 'the flux column'} is the relative deviation from 1 in {unit} (median "
            f"{np.median(finite) / scale:.3g} {unit}); {one.value:g} {unit} (= 1) added so it reads as a flux")
    return flux + one, note


def finish(cols: Columns, path: Path, opts: ReadOptions, reader: str) -> Any:
    """Validate ``cols`` and build the light curve (absolute TDB time, META_KEYS filled).

    Cadences whose time is NaN are dropped (normal in Kepler and TESS files, where the
    spacecraft did not record a time); this is written to PROVENANCE. Cadences flagged by
    ``opts.quality_bitmask`` are dropped too, also recorded.
    """
    from ..missions import detect_mission

    source = str(path)
    header = dict(cols.header)
    detected = cols.meta.pop("MISSION", None) or detect_mission(header, str(path))
    mission = detected
    if opts.mission is not None:
        if detected is not None and detected != opts.mission:
            raise ParameterError(
                f"{source}: mission={opts.mission!r} disagrees with the file, which is from {detected}"
            )
        mission = opts.mission
    n_file = len(cols.time)
    raw_time = np.asarray(cols.time, dtype=np.float64)
    keep = np.isfinite(raw_time)
    provenance = [f"read {path.name} with starskope.io reader {reader!r} ({cols.product})"]
    provenance += cols.provenance
    provenance.append(f"time: {cols.time_ref.source}")
    n_nan = int((~keep).sum())
    if n_nan:
        provenance.append(
            f"dropped {n_nan} cadences whose time stamp is NaN ({n_file - n_nan} of {n_file} kept)"
        )
        with np.errstate(invalid="ignore"):
            lost = int(np.isfinite(np.asarray(getattr(cols.flux, "value", cols.flux), float)[~keep]).sum())
        if lost:  # a measured flux without a time (not the usual empty cadence of a pipeline file)
            warn(f"{path.name}: dropped {lost} cadences with a flux but no time stamp")
    if cols.time_ref.assumed:
        warn(f"{path.name}: time system assumed: {cols.time_ref.assumed}")
    flagged = _apply_quality_mask(cols, opts.quality_bitmask, mission, source)
    if flagged is not None:
        n_flag = int((flagged & keep).sum())
        keep &= ~flagged
        provenance.append(
            f"dropped {n_flag} cadences flagged by quality_bitmask={opts.quality_bitmask!r}"
        )
    elif cols.quality is None and str(opts.quality_bitmask).lower() not in ("none", "0"):
        provenance.append(
            f"quality_bitmask={opts.quality_bitmask!r} removed nothing: the file has no QUALITY column"
        )
    if not keep.any():
        raise LightCurveDataError(
            f"{source}: no cadence has a finite time stamp (all {n_file} are NaN or masked)"
        )
    time = make_time(raw_time[keep], cols.time_ref, mission, opts.epoch, source)
    number, obj, target_note = _resolve_target(header, path, mission, opts.target_id, source)
    if target_note:
        provenance.append(target_note)
    # A folded light curve's times are placed at the epoch, not observed: no segment from them.
    segments, segment_note = _segment(header, mission, time, infer=cols.time_ref.offset is not None)
    if segment_note:
        provenance.append(segment_note)
    flux, offset_note = relative_deviation_as_flux(cols.flux[keep], cols.flux_origin)
    if offset_note:
        provenance.append(offset_note)
    flux_err = None if cols.flux_err is None else cols.flux_err[keep]
    quality = None if cols.quality is None else np.asarray(cols.quality)[keep].astype(np.int32)
    if quality is None:
        provenance.append("the file has no QUALITY column; quality set to 0")
    extra = {name: col[keep] for name, col in cols.extra.items()}
    meta: dict[str, Any] = {
        "MISSION": mission,
        "TARGETID": number,
        "OBJECT": obj,
        **segments,
        "CADENCE": cols.cadence,
        "PRODUCT": cols.product,
        "FLUX_ORIGIN": cols.flux_origin,
        "FILENAME": source,
        "PROVENANCE": provenance,
        "N_CADENCES_FILE": n_file,
        "TIME_REFERENCE": cols.time_ref.source,
    }
    meta.update(cols.meta)
    if cols.time_ref.offset is None:
        epoch = opts.epoch
        epoch_time = epoch if isinstance(epoch, Time) else Time(float(epoch), format="jd", scale="tdb")  # type: ignore[arg-type]
        meta["FOLDED"] = True
        meta["FOLD_EPOCH"] = epoch_time.tdb
    lc = build_lightcurve(time, flux, flux_err, quality, meta=meta, source=source)
    # Extra columns are added afterwards: lightkurve's constructor accepts only its own
    # legacy column keywords. They share the validated cadences (same ``keep`` mask).
    for name, col in extra.items():
        lc[name] = col
    return lc


def warn(message: str) -> None:
    """Emit a :class:`StarskopeWarning` (a doubtful input that was read anyway)."""
    warnings.warn(message, StarskopeWarning, stacklevel=3)

