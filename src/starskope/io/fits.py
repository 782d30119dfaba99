"""Readers for FITS light curves.

Every FITS product is a binary table with a time column and one or more flux columns; what
differs is where the table is, what the columns are called, which flux is the corrected
one, and where the time reference is written. Each product is described here as data
(:class:`TableProduct`) and read by one function, :func:`read_table_product`:

============  =====================================  ==================  =================
reader        product                                default flux        ``flux_column='sap'``
============  =====================================  ==================  =================
spoc          Kepler/K2 LLC & SLC, TESS SPOC 2-min    PDCSAP_FLUX         SAP_FLUX
              and 20-s, TESS-SPOC FFI HLSP, TESS
              data-alert light curves
everest       K2 EVEREST (Luger et al. 2016)          FLUX                RAW_FLUX
k2sc          K2SC (Aigrain et al. 2016)              flux, PDC table     flux, SAP table
k2sff         K2SFF (Vanderburg & Johnson 2014)       FCOR                FRAW
k2varcat      K2VARCAT (Armstrong et al. 2016)        DETFLUX             APTFLUX
tasoc         TASOC (Handberg et al. 2021)            FLUX_CORR           FLUX_RAW
eleanor       eleanor (Feinstein et al. 2019)         CORR_FLUX           RAW_FLUX
qlp, qlp-det  TESS Quick-Look Pipeline FFI light      KSPSAP_FLUX         SAP_FLUX
              curves (Huang et al. 2020; newer        (DET_FLUX)
              sectors write DET_FLUX)
fits-table    lightkurve-written and other FITS       FLUX                SAP_FLUX
              tables with TIME and FLUX columns
fits-columns  any other FITS table that names its     by name, as for     SAP_FLUX
              columns (time, flux, error, quality      CSV files
              and their usual variants)
tpf           Kepler/K2/TESS target pixel files and   pipeline-aperture sum (:mod:`.tpf`)
              TESScut FFI cutouts
============  =====================================  ==================  =================

Any other column of the table can be chosen by name (``flux_column='PCA_FLUX'``). Times are
made absolute from the file's own ``BJDREFI``/``BJDREFF``, ``TIMESYS`` and ``TIMEREF`` keys
(or the time column's unit, e.g. ``'BJD - 2454833'``); a product that writes none of them
(K2SC) uses the time system its documentation states, and says so in PROVENANCE.
"""

from __future__ import annotations

import re
import warnings
from collections.abc import Callable
from dataclasses import dataclass, field, replace
from typing import Any

import astropy.units as u
import numpy as np

from ..errors import (
    LightCurveDataError,
    LightCurveFileError,
    StarskopeError,
    TimeSystemError,
    UnknownLayoutError,
    UnknownNameError,
)
from ._base import TIME_FORMATS, Columns, ReadOptions, TimeReference, finish, parse_unit
from .columns import column_roles, flux_and_error, time_format_hint
from .detect import READERS, Probe, Reader, TableInfo

__all__ = ["PRODUCTS", "FluxChoice", "TableProduct", "fits_time_reference", "read_table_product"]

_TIME_SCALES = {"tdb", "tt", "utc", "tai", "tcb", "tcg"}
_LK_RESERVED = {"time", "flux", "flux_err", "quality"}
_CENTROIDS = {
    "MOM_CENTR1": "centroid_col",
    "MOM_CENTR2": "centroid_row",
    "X_CENTROID": "centroid_col",
    "Y_CENTROID": "centroid_row",
    "CENT_COL": "centroid_col",
    "CENT_ROW": "centroid_row",
}


@dataclass(frozen=True)
class FluxChoice:
    """Where one flux of a product lives: its column, its error column, and table."""

    column: str
    error: str | None
    table: str | None = None
    origin: str | None = None
    note: str | None = None


@dataclass(frozen=True)
class TableProduct:
    """A FITS light-curve product described as data.

    Attributes
    ----------
    name : str
        Reader name in :data:`~starskope.io.detect.READERS`.
    description : str
        One line.
    sniff : callable
        ``sniff(probe) -> bool``.
    choices : dict of str to FluxChoice
        'default' (the corrected flux), 'sap' (raw flux) and any other named choice.
    table : callable
        ``table(probe) -> TableInfo | None``: the table holding the light curve.
    time_column : str
        Name of the time column.
    product : callable
        ``product(probe, table) -> str``: the PRODUCT meta value.
    quality_columns : tuple of str
        QUALITY column names to look for, in order.
    documented_time : str, optional
        Time format ('bkjd', 'btjd') the product's documentation states, used only when
        the file writes no time reference.
    documented_unit : Unit, optional
        Flux unit the documentation states, used only when the column has no unit.
    aliases : dict of str to str
        Extra column aliases (e.g. K2SC ``x`` → ``centroid_col``), besides the standard
        MOM_CENTR1/2 → centroid_col/centroid_row.
    priority : int
        Sniffing order (see :class:`~starskope.io.detect.Reader`).
    resolve : callable, optional
        ``resolve(spec, table) -> TableProduct``: for a product whose columns are found by
        name in each file, the description with that file's columns filled in.
    """

    name: str
    description: str
    sniff: Callable[[Probe], bool]
    choices: dict[str, FluxChoice]
    table: Callable[[Probe], TableInfo | None]
    time_column: str = "TIME"
    product: Callable[[Probe, TableInfo], str] = lambda probe, table: "FITS table"
    quality_columns: tuple[str, ...] = ("QUALITY", "SAP_QUALITY")
    documented_time: str | None = None
    documented_unit: u.UnitBase | None = None
    documented_time_note: str = ""
    extra_notes: tuple[str, ...] = field(default_factory=tuple)
    aliases: dict[str, str] = field(default_factory=dict)
    priority: int = 0
    resolve: Callable[[TableProduct, TableInfo], TableProduct] | None = None


# ---------------------------------------------------------------------------- helpers


def _creator(probe: Probe) -> str:
    return str(probe.primary.get("CREATOR") or "")


def _location(probe: Probe, table: TableInfo) -> str:
    return f"HDU {table.index} ({table.name})" if table.name else f"HDU {table.index}"


def _column_unit_text(table: TableInfo, column: str) -> str | None:
    for i, name in enumerate(table.columns, start=1):
        if name.upper() == column.upper():
            value = table.header.get(f"TUNIT{i}")
            return None if value is None else str(value)
    return None


def _find_column(table: TableInfo, name: str) -> str | None:
    for c in table.columns:
        if c.upper() == name.upper():
            return c
    return None


_UNIT_OFFSET = re.compile(r"(?i)\b(?:b?jd|bjd_tdb)\s*-\s*(\d+(?:\.\d*)?)")


def _offset_from_unit(text: str | None) -> tuple[float, str] | None:
    if not text:
        return None
    match = _UNIT_OFFSET.search(text)
    if match:
        return float(match.group(1)), f"unit {text!r} of the time column"
    key = text.strip().lower()
    if key in ("bkjd", "btjd"):
        return float(TIME_FORMATS[key] or 0.0), f"unit {text!r} of the time column ({key.upper()})"
    if key in ("bjd", "jd", "bjd_tdb"):
        return 0.0, f"unit {text!r} of the time column (full Julian date)"
    return None


def fits_time_reference(
    probe: Probe,
    table: TableInfo,
    time_column: str,
    documented: str | None = None,
    documented_note: str = "",
    user_format: str | None = None,
) -> TimeReference:
    """The time reference of a FITS light-curve table, from the file itself.

    Looks in the table header, then the primary header, for ``TIMEREF`` (must be
    'SOLARSYSTEM': barycentric times), ``TIMESYS`` (the scale; TDB for all three missions)
    and ``BJDREFI`` + ``BJDREFF`` (the zero point), and at the unit of the time column
    (``'BJD - 2454833'``, ``'btjd'``). The two must agree when both are present.

    Raises
    ------
    TimeSystemError
        Non-barycentric times, an unknown scale, a unit and header keys that disagree, a
        ``time_format=`` that contradicts the file, or no reference at all.
    """
    where_table = _location(probe, table)

    def get(key: str) -> tuple[Any, str] | None:
        if key in table.header and table.header[key] not in (None, ""):
            return table.header[key], where_table
        if key in probe.primary and probe.primary[key] not in (None, ""):
            return probe.primary[key], "primary header"
        return None

    src = str(probe.path)
    timeref = get("TIMEREF")
    if timeref is not None and str(timeref[0]).strip().upper() not in ("SOLARSYSTEM", "SOLAR SYSTEM"):
        raise TimeSystemError(
            f"{src}: TIMEREF = {timeref[0]!r} in the {timeref[1]}: the times are not barycentric "
            "(expected 'SOLARSYSTEM'); starskope needs BJD time stamps"
        )
    timesys = get("TIMESYS") or get("TIMSYS")
    scale = "tdb"
    scale_note = "TDB (no TIMESYS key; the BJD convention of Kepler, K2 and TESS)"
    if timesys is not None:
        scale = str(timesys[0]).strip().lower()
        if scale not in _TIME_SCALES:
            raise TimeSystemError(
                f"{src}: TIMESYS = {timesys[0]!r} in the {timesys[1]} is not a time scale "
                f"starskope knows ({', '.join(sorted(_TIME_SCALES))})"
            )
        scale_note = f"TIMESYS = {timesys[0]} ({timesys[1]})"
    header_offset: tuple[float, str] | None = None
    refi = get("BJDREFI")
    if refi is not None:
        reff = get("BJDREFF")
        value = float(refi[0]) + (float(reff[0]) if reff is not None else 0.0)
        header_offset = (value, f"BJDREFI + BJDREFF = {value:.6f} ({refi[1]})")
    elif get("BJDREF") is not None:
        ref = get("BJDREF")
        assert ref is not None
        header_offset = (float(ref[0]), f"BJDREF = {float(ref[0]):.6f} ({ref[1]})")
    unit_offset = _offset_from_unit(_column_unit_text(table, time_column))
    if header_offset and unit_offset and abs(header_offset[0] - unit_offset[0]) > 1e-6:
        raise TimeSystemError(
            f"{src}: the time reference in the header ({header_offset[1]}) disagrees with the "
            f"{unit_offset[1]}"
        )
    found = header_offset or unit_offset
    assumed = ""
    if found is not None and user_format is not None:
        wanted = TIME_FORMATS[user_format]
        if wanted is None or abs(wanted - found[0]) > 1e-6:
            raise TimeSystemError(
                f"{src}: time_format={user_format!r} contradicts the file, whose {found[1]}"
            )
    if found is None:
        if user_format is not None:
            offset = TIME_FORMATS[user_format]
            if offset is None:
                return TimeReference(None, "tdb", "days from mid-transit (time_format='phase')")
            found = (offset, f"time_format={user_format!r} argument (the file states no reference)")
        elif documented is not None:
            offset = TIME_FORMATS[documented]
            assert offset is not None
            found = (
                offset,
                f"{documented.upper()} = BJD - {offset:.0f}, not written in the file; "
                f"{documented_note or 'as the product documentation states'}",
            )
            assumed = f"{documented.upper()} (not written in the file; {documented_note or 'the product documentation'})"
        else:
            raise TimeSystemError(
                f"{src}: the FITS table {where_table} states no time reference (no BJDREFI/"
                f"BJDREFF keys and no unit on column {time_column!r}); pass time_format= "
                f"({', '.join(TIME_FORMATS)})"
            )
    source = (
        f"{time_column} + {found[0]:.6f} d from {found[1]}; scale {scale_note}; "
        f"TIMEREF = {timeref[0] if timeref else '(absent)'}"
    )
    return TimeReference(found[0], scale, source, assumed)


def _native(values: Any) -> np.ndarray:
    arr = np.asarray(values)
    if arr.dtype.byteorder not in ("=", "|"):
        arr = arr.astype(arr.dtype.newbyteorder("="))
    return arr


def _table_arrays(probe: Probe, table: TableInfo) -> dict[str, np.ndarray]:
    """All 1-D columns of a table as native-endian arrays, checking the DATASUM."""
    assert probe.hdul is not None
    hdu = probe.hdul[table.index]
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("error", category=UserWarning)
            data = hdu.data
            if data is None or len(data) == 0:
                raise LightCurveDataError(
                    f"{probe.path}: the light-curve table {_location(probe, table)} has no rows"
                )
            status = hdu.verify_datasum() if "DATASUM" in hdu.header else 2
            arrays = {
                name: _native(data[name]) for name in table.columns if table.ndim.get(name, 1) == 1
            }
    except StarskopeError:
        raise
    except Exception as exc:  # astropy: TypeError/ValueError/OSError on truncated data
        raise LightCurveFileError(
            f"{probe.path}: cannot read the table {_location(probe, table)} "
            f"({type(exc).__name__}: {exc}); the file is truncated or corrupt"
        ) from exc
    if status == 0:
        raise LightCurveFileError(
            f"{probe.path}: the data of {_location(probe, table)} do not match its DATASUM "
            "checksum; the file is corrupt"
        )
    return arrays


def _choose(spec: TableProduct, table: TableInfo, flux_column: str | None, source: str) -> FluxChoice:
    key = (flux_column or "default").strip()
    low = key.lower()
    if low in ("default", "pdcsap", "pdc", "corrected"):
        return spec.choices["default"]
    if low in spec.choices:
        return spec.choices[low]
    for choice in spec.choices.values():  # a column named by the user that a choice describes
        if choice.column.upper() == key.upper() and choice.table is None:
            return choice
    column = _find_column(table, key)
    if column is not None:
        err = _find_column(table, f"{column}_ERR") or _find_column(table, f"{column}_ERROR")
        return FluxChoice(column, err)
    named = sorted(k for k in spec.choices if k != "default")
    flux_like = [c for c in table.columns if "FLUX" in c.upper() and "ERR" not in c.upper()]
    raise UnknownNameError(
        f"{source}: unknown flux_column {flux_column!r} for a {spec.name} file; known: "
        f"{', '.join(['pdcsap', *named, *flux_like])}"
    )


def _unit_of(table: TableInfo, column: str) -> u.UnitBase | None:
    return parse_unit(_column_unit_text(table, column))


def read_table_product(spec: TableProduct, probe: Probe, opts: ReadOptions) -> Any:
    """Read one FITS table product described by ``spec`` into a starskope light curve."""
    source = str(probe.path)
    main = spec.table(probe)
    if main is None:
        raise UnknownLayoutError(f"{source}: no light-curve table for a {spec.name} file")
    if spec.resolve is not None:
        spec = spec.resolve(spec, main)
    choice = _choose(spec, main, opts.flux_column, source)
    table = main
    if choice.table is not None:
        found = probe.table(choice.table)
        if found is None:
            raise UnknownLayoutError(f"{source}: {spec.name} file has no {choice.table!r} table")
        table = found
    flux_col = _find_column(table, choice.column)
    if flux_col is None:
        available = [c for c in table.columns if "FLUX" in c.upper()]
        raise UnknownNameError(
            f"{source}: flux column {choice.column!r} is not in {_location(probe, table)}; "
            f"columns there: {', '.join(available) or ', '.join(table.columns)}"
        )
    err_col = _find_column(table, choice.error) if choice.error else None
    time_col = _find_column(table, spec.time_column)
    if time_col is None:
        raise UnknownLayoutError(
            f"{source}: no time column {spec.time_column!r} in {_location(probe, table)}"
        )
    arrays = _table_arrays(probe, table)
    time_ref = fits_time_reference(
        probe, table, time_col, spec.documented_time, spec.documented_time_note, opts.time_format
    )
    notes: list[str] = list(spec.extra_notes)
    unit = _unit_of(table, flux_col)
    if unit is None:
        if spec.documented_unit is not None:
            unit = spec.documented_unit
            notes.append(f"flux unit {unit.to_string() or 'dimensionless'} as the {spec.name} documentation states "
                         "(the file has none)")
        elif probe.primary.get("BUNIT"):
            unit = parse_unit(probe.primary["BUNIT"])
            notes.append(f"flux unit {unit} from BUNIT in the primary header")
        if unit is None:
            unit = u.dimensionless_unscaled
            notes.append(f"column {flux_col} has no unit; flux taken as dimensionless")
    flux = u.Quantity(np.asarray(arrays[flux_col], dtype=np.float64), unit)
    flux_err = None
    if err_col is not None:
        err_unit = _unit_of(table, err_col) or unit
        flux_err = u.Quantity(np.asarray(arrays[err_col], dtype=np.float64), err_unit).to(unit)
    else:
        notes.append(f"the file has no error column for {flux_col}; flux_err set to NaN")
    if choice.note:
        notes.append(choice.note)
    quality = None
    used = {time_col, flux_col, *([err_col] if err_col else [])}
    for name in spec.quality_columns:
        qcol = _find_column(table, name)
        if qcol is not None:
            q = arrays[qcol]
            if q.dtype == np.int16:  # 16-bit flags stored signed: read the bits, not the sign
                q = q.view(np.uint16)
                notes.append(
                    f"{qcol} is stored as signed 16-bit: read as unsigned bit flags; QUALITY "
                    "bits above 32768 (e.g. K2 thruster firings) are not in the file"
                )
            quality = q.astype(np.int32)
            used.add(qcol)
            break
    extra: dict[str, Any] = {}
    for name, values in arrays.items():
        if name in used or values.dtype.kind not in "biuf":
            continue
        key = name.lower()
        if key in _LK_RESERVED:
            continue
        col_unit = _unit_of(table, name)
        extra[key] = u.Quantity(values.astype(np.float64), col_unit) if col_unit is not None and values.dtype.kind == "f" else values
        alias = spec.aliases.get(name) or _CENTROIDS.get(name.upper())
        if alias is not None and alias not in extra:
            extra[alias] = u.Quantity(values.astype(np.float64), u.pix)
    cadence = None
    timedel = table.header.get("TIMEDEL", probe.primary.get("TIMEDEL"))
    if isinstance(timedel, (int, float)) and timedel > 0:
        cadence = (float(timedel) * u.day).to(u.min)
    origin = choice.origin or flux_col.lower()
    header = {**probe.primary, **{k: v for k, v in table.header.items() if k not in ("COMMENT", "HISTORY", "")}}
    for key in ("QUARTER", "CAMPAIGN", "SECTOR", "OBJECT", "KEPLERID", "TICID", "TARGETID"):
        if probe.primary.get(key) not in (None, ""):
            header[key] = probe.primary[key]
    cols = Columns(
        time=np.asarray(arrays[time_col], dtype=np.float64),
        flux=flux,
        flux_err=flux_err,
        quality=quality,
        time_ref=time_ref,
        product=spec.product(probe, table),
        flux_origin=origin,
        header=header,
        extra=extra,
        provenance=[f"flux from column {flux_col} of {_location(probe, table)}", *notes],
        cadence=cadence,
    )
    return finish(cols, probe.path, opts, spec.name)


# ---------------------------------------------------------------------------- products


def _spoc_product(probe: Probe, table: TableInfo) -> str:
    from ..missions import detect_mission

    mission = detect_mission({**probe.primary, **dict(table.header)}, str(probe.path))
    name = probe.name.lower()
    timedel = table.header.get("TIMEDEL", probe.primary.get("TIMEDEL")) or 0.0
    minutes = float(timedel) * 1440.0
    if mission == "TESS":
        if "tess-data-alerts" in name:
            return "TESS data-alert (SPOC 2-min)"
        if "hlsp_tess-spoc" in name or minutes > 5.0:
            return "TESS-SPOC FFI"
        if 0 < minutes < 1.0:
            return "TESS SPOC 20-s"
        return "TESS SPOC 2-min"
    obsmode = str(probe.primary.get("OBSMODE") or "")
    kind = "SLC" if "short" in obsmode.lower() or 0 < minutes < 5.0 else "LLC"
    return f"{mission or 'Kepler'} {kind}"


def _generic_product(probe: Probe, table: TableInfo) -> str:
    if _creator(probe).lower().startswith("lightkurve"):
        return "lightkurve FITS"
    return "FITS table"


def _is_lightkurve(probe: Probe) -> bool:
    return _creator(probe).lower().startswith("lightkurve")


_SPOC_CHOICES = {
    "default": FluxChoice("PDCSAP_FLUX", "PDCSAP_FLUX_ERR"),
    "sap": FluxChoice("SAP_FLUX", "SAP_FLUX_ERR"),
}

PRODUCTS: dict[str, TableProduct] = {}


def _register(spec: TableProduct) -> TableProduct:
    PRODUCTS[spec.name] = spec
    READERS.add(
        spec.name,
        Reader(
            name=spec.name,
            kind="fits",
            description=spec.description,
            sniff=spec.sniff,
            read=lambda probe, opts, _spec=spec: read_table_product(_spec, probe, opts),
            priority=spec.priority,
        ),
    )
    return spec


_register(
    TableProduct(
        name="spoc",
        description="Kepler/K2 LLC/SLC and TESS SPOC light curves (incl. TESS-SPOC FFI and data-alert HLSPs)",
        sniff=lambda p: (
            (t := p.table("LIGHTCURVE")) is not None
            and t.has("TIME", "SAP_FLUX", "PDCSAP_FLUX")
            and not _is_lightkurve(p)
        ),
        choices=_SPOC_CHOICES,
        table=lambda p: p.table("LIGHTCURVE"),
        product=_spoc_product,
    )
)

_register(
    TableProduct(
        name="everest",
        description="K2 EVEREST pixel-level-decorrelated light curves",
        sniff=lambda p: (t := p.table("EVEREST ARRAYS")) is not None and t.has("TIME", "FLUX"),
        choices={
            "default": FluxChoice(
                "FLUX",
                "RAW_FERR",
                note="flux_err from RAW_FERR: EVEREST v1 writes one photometric error per cadence, "
                "that of the aperture flux it decorrelates",
            ),
            "sap": FluxChoice("RAW_FLUX", "RAW_FERR"),
        },
        table=lambda p: p.table("EVEREST ARRAYS"),
        product=lambda p, t: "EVEREST",
        documented_unit=u.electron / u.s,
    )
)

_register(
    TableProduct(
        name="k2sc",
        description="K2SC Gaussian-process systematics-corrected K2 light curves",
        sniff=lambda p: (
            (a := p.table("PDC")) is not None
            and (b := p.table("SAP")) is not None
            and a.has("time", "flux")
            and b.has("time", "flux")
        ),
        choices={
            "default": FluxChoice(
                "flux",
                "error",
                table="PDC",
                origin="flux (K2SC on PDCSAP, table PDC)",
                note="K2SC flux: PDCSAP flux with the position-dependent systematics trend removed",
            ),
            "sap": FluxChoice(
                "flux",
                "error",
                table="SAP",
                origin="flux (K2SC on SAP, table SAP)",
                note="K2SC flux: SAP flux with the position-dependent systematics trend removed",
            ),
        },
        table=lambda p: p.table("PDC"),
        time_column="time",
        product=lambda p, t: "K2SC",
        quality_columns=("quality",),
        documented_time="bkjd",
        documented_time_note="K2SC files carry the K2 time stamps (BKJD) of the light curves they correct",
        documented_unit=u.electron / u.s,
        aliases={"x": "centroid_col", "y": "centroid_row"},
        extra_notes=("centroid_col/centroid_row are K2SC's x/y: mean-subtracted target positions (pixels)",),
    )
)

_register(
    TableProduct(
        name="k2sff",
        description="K2SFF self-flat-fielded K2 light curves",
        sniff=lambda p: (t := p.table("BESTAPER")) is not None and t.has("T", "FCOR", "FRAW"),
        choices={"default": FluxChoice("FCOR", None), "sap": FluxChoice("FRAW", None)},
        table=lambda p: p.table("BESTAPER"),
        time_column="T",
        product=lambda p, t: "K2SFF",
        documented_unit=u.dimensionless_unscaled,
        extra_notes=(
            "K2SFF has no QUALITY column; its MOVING flag (thruster firing) is kept as column 'moving'",
        ),
    )
)

_register(
    TableProduct(
        name="k2varcat",
        description="K2VARCAT variability-catalogue K2 light curves",
        sniff=lambda p: p.first_table_with("TIME", "DETFLUX", "APTFLUX") is not None,
        choices={
            "default": FluxChoice("DETFLUX", "DETFLUX_ERR"),
            "sap": FluxChoice("APTFLUX", "APTFLUX_ERR"),
        },
        table=lambda p: p.first_table_with("TIME", "DETFLUX", "APTFLUX"),
        product=lambda p, t: "K2VARCAT",
    )
)

_register(
    TableProduct(
        name="tasoc",
        description="TASOC TESS light curves",
        sniff=lambda p: (t := p.table("LIGHTCURVE")) is not None and t.has("TIME", "FLUX_CORR", "FLUX_RAW"),
        choices={
            "default": FluxChoice("FLUX_CORR", "FLUX_CORR_ERR"),
            "sap": FluxChoice("FLUX_RAW", "FLUX_RAW_ERR"),
        },
        table=lambda p: p.table("LIGHTCURVE"),
        product=lambda p, t: "TASOC",
    )
)


def _qlp_table(probe: Probe, flux: str) -> TableInfo | None:
    return probe.first_table_with("TIME", "SAP_FLUX", flux)


for _name, _flux, _what in (("qlp", "KSPSAP_FLUX", "spline-detrended"), ("qlp-det", "DET_FLUX", "detrended")):
    _register(
        TableProduct(
            name=_name,
            description=f"TESS Quick-Look Pipeline FFI light curves ({_flux}, {_what})",
            sniff=lambda p, _f=_flux: _qlp_table(p, _f) is not None,
            choices={
                "default": FluxChoice(_flux, f"{_flux}_ERR"),
                "sap": FluxChoice("SAP_FLUX", None),
            },
            table=lambda p, _f=_flux: _qlp_table(p, _f),
            product=lambda p, t: "QLP",
            documented_unit=u.dimensionless_unscaled,
        )
    )

_register(
    TableProduct(
        name="eleanor",
        description="eleanor TESS full-frame-image light curves",
        sniff=lambda p: p.first_table_with("TIME", "CORR_FLUX", "RAW_FLUX") is not None,
        choices={
            "default": FluxChoice("CORR_FLUX", "FLUX_ERR"),
            "sap": FluxChoice("RAW_FLUX", "FLUX_ERR"),
            "pca": FluxChoice("PCA_FLUX", "FLUX_ERR"),
            "psf": FluxChoice("PSF_FLUX", "FLUX_ERR"),
        },
        table=lambda p: p.first_table_with("TIME", "CORR_FLUX", "RAW_FLUX"),
        product=lambda p, t: "eleanor-lite" if "eleanor-lite" in p.name.lower() else "eleanor",
    )
)


def _named_columns_table(probe: Probe) -> TableInfo | None:
    """The first one-dimensional table with a time and a flux column by name (:mod:`.columns`)."""
    for t in probe.tables:
        names = list(t.columns)
        if "time" not in column_roles(names) or any(t.ndim.get(c, 1) != 1 for c in names):
            continue
        try:
            flux_and_error(names, None, str(probe.path))
        except StarskopeError:
            continue
        return t
    return None


def _resolve_named(spec: TableProduct, table: TableInfo) -> TableProduct:
    names = list(table.columns)
    roles = column_roles(names)
    i, j = flux_and_error(names, None, str(table.name))
    choices = {"default": FluxChoice(names[i], names[j] if j is not None else None)}
    sap = _find_column(table, "SAP_FLUX")
    if sap is not None and sap != names[i]:
        choices["sap"] = FluxChoice(sap, _find_column(table, "SAP_FLUX_ERR"))
    time = names[roles["time"]]
    said = time_format_hint(time.replace("_", " "))
    return replace(
        spec, time_column=time, choices=choices,
        quality_columns=(names[roles["quality"]],) if "quality" in roles else spec.quality_columns,
        documented_time=said if said in ("btjd", "bkjd", "bjd") else None,
        documented_time_note=f"as the time column's name, {time!r}, says",
    )


_register(
    TableProduct(
        name="fits-table",
        description="lightkurve-written and other FITS tables with TIME and FLUX columns",
        sniff=lambda p: any(
            t.has("TIME", "FLUX") and t.ndim.get(_find_column(t, "FLUX") or "", 1) == 1
            for t in p.tables
        ),
        choices={
            "default": FluxChoice("FLUX", "FLUX_ERR"),
            "sap": FluxChoice("SAP_FLUX", "SAP_FLUX_ERR"),
        },
        table=lambda p: next(
            (t for t in p.tables if t.has("TIME", "FLUX") and t.ndim.get(_find_column(t, "FLUX") or "", 1) == 1),
            None,
        ),
        product=_generic_product,
        priority=-10,
    )
)

_register(
    TableProduct(
        name="fits-columns",
        description="other FITS tables whose columns are named (time, flux, error, quality and variants)",
        sniff=lambda p: _named_columns_table(p) is not None,
        choices={},
        table=_named_columns_table,
        product=lambda p, t: "FITS table (columns by name)",
        priority=-20,
        resolve=_resolve_named,
    )
)
