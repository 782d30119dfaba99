"""Reader for CSV/TXT light curves (comma, tab, semicolon or white-space separated; optional .gz).

Columns are found by name when the file has a header line (``time``, ``flux``,
``flux_err``, ``quality`` and common variants); a file without a header must have two or
three columns, taken as time, flux and flux error. Lines starting with ``#`` are comments.

The time system is taken from what the file says: a column name or comment naming
BKJD, BTJD, BJD, JD or MJD (``time_btjd``, ``BJD-2457000``, ``# time: BKJD``), or values
above 2 400 000 (full Julian dates, taken as BJD_TDB). Values such as 1500 could be BKJD or
BTJD (the two differ by 2167 days), so starskope never guesses from their size: it raises
:class:`~starskope.errors.TimeSystemError` and asks for ``time_format=``.
"""

from __future__ import annotations

import io
import re
from pathlib import Path
from typing import Any

import astropy.units as u
import numpy as np

from ..errors import LightCurveDataError, TimeSystemError, UnknownLayoutError
from ..filetypes import is_number as _is_number
from ._base import TIME_FORMATS, Columns, ReadOptions, TimeReference, finish, parse_unit
from .columns import column_roles, flux_and_error, time_format_hint
from .detect import READERS, Probe, Reader

__all__ = ["read_text", "resolve_time_format", "sniff_text"]

_JD_MIN = 2_400_000.0

def _delimiter(line: str) -> str | None:
    for d in ("\t", ",", ";", "|"):
        if d in line:
            return d
    return None  # white space


def _split(line: str, delim: str | None) -> list[str]:
    parts = line.split(delim) if delim else line.split()
    return [p.strip().strip('"').strip("'") for p in parts]


def _data_lines(text: str) -> tuple[list[str], list[str]]:
    """(comment lines, other non-blank lines)."""
    comments: list[str] = []
    lines: list[str] = []
    for raw in text.splitlines():
        line = raw.strip()
        if not line:
            continue
        if line.startswith("#") or line.startswith("%"):
            comments.append(line.lstrip("#% "))
        else:
            lines.append(line)
    return comments, lines


def _layout(probe: Probe) -> tuple[list[str], list[str], str | None, list[str] | None]:
    """(comments, lines, delimiter, header names or None)."""
    assert probe.text is not None
    comments, lines = _data_lines(probe.text)
    if not lines:
        raise LightCurveDataError(f"{probe.path}: text file has no data lines")
    delim = _delimiter(lines[0])
    first = _split(lines[0], delim)
    header = None if all(_is_number(tok) for tok in first if tok) else first
    return comments, lines, delim, header


def sniff_text(probe: Probe) -> bool:
    """Any text file: :func:`read_text` says precisely what is wrong with one it cannot read."""
    return probe.kind == "text"


#: Archive file names and the day count their telescope's files use: Kepler (``kplr``),
#: K2 (``ktwo``) and TESS (``tess<date>-s00NN-…``) products count days in BKJD or BTJD.
_ARCHIVE_NAMES: tuple[tuple[re.Pattern[str], str], ...] = (
    (re.compile(r"(?i)^kplr\d{9}"), "bkjd"),
    (re.compile(r"(?i)^ktwo\d{9}"), "bkjd"),
    (re.compile(r"(?i)^tess\d{13}-s\d{4}-"), "btjd"),
)


def _archive_name_format(source: str) -> str | None:
    """The day count an archive-convention file name implies (None for other names)."""
    name = Path(source).name
    for pattern, fmt in _ARCHIVE_NAMES:
        if pattern.match(name):
            return fmt
    return None


def resolve_time_format(
    column: str | None,
    comments: list[str],
    values: np.ndarray,
    user_format: str | None,
    source: str,
) -> TimeReference:
    """The time system of a text/NPZ time column, from its name, the comments, or the caller.

    Raises
    ------
    TimeSystemError
        The file does not say and the values are not full Julian dates; the file and the
        caller disagree; or heliocentric times.
    """
    finite = values[np.isfinite(values)]
    lo, hi = (float(finite.min()), float(finite.max())) if finite.size else (np.nan, np.nan)
    said: str | None = None
    where = ""
    if column:
        said = time_format_hint(column.replace("_", " "))
        where = f"column name {column!r}"
    if said is None:
        found = {h for c in comments if (h := time_format_hint(c)) is not None and h != "phase"}
        if len(found) == 1:
            said = found.pop()
            where = "a comment line"
    named = False
    if said is None and user_format is None:
        said = _archive_name_format(source)
        named = said is not None
        where = f"archive file name {Path(source).name!r}"
    if said == "phase" and user_format is None:
        raise TimeSystemError(
            f"{source}: the {where} says the times are phases; pass time_format='phase' and "
            "epoch= (the mid-transit time) to read a phase-folded light curve"
        )
    if said == "hjd":
        raise TimeSystemError(
            f"{source}: the {where} says heliocentric Julian dates (HJD); starskope needs "
            "barycentric times (BJD_TDB); convert them first"
        )
    if said is not None and user_format is not None and said != user_format:
        raise TimeSystemError(
            f"{source}: time_format={user_format!r} contradicts the file, whose {where} says {said!r}"
        )
    fmt = user_format or said
    note = f"time_format={user_format!r} argument" if user_format else f"the {where}"
    assumed = (f"{said.upper()} from the archive file name (the file does not say; pass time_format= if not)"
               if named and said else "")
    if fmt is None:
        if finite.size and lo > _JD_MIN:
            fmt = "bjd"
            note = "values above 2 400 000 (full Julian dates), taken as BJD_TDB"
            assumed = "full Julian dates taken as BJD_TDB (the file does not say; pass time_format= if not)"
        else:
            raise TimeSystemError(
                f"{source}: cannot tell the time system of the time column "
                f"{'(' + repr(column) + ') ' if column else ''}(values {lo:.4f} to {hi:.4f}): "
                "neither its name nor a comment says BKJD, BTJD, BJD, JD or MJD, and values "
                "of this size fit more than one; pass time_format= ('bkjd', 'btjd', 'bjd', "
                "'jd', 'mjd', or 'phase' with epoch=)"
            )
    full = fmt in ("bjd", "jd")
    if finite.size and full and lo < _JD_MIN:
        raise TimeSystemError(
            f"{source}: time format {fmt!r} (from {note}) means full Julian dates, but the "
            f"values run from {lo:.4f} to {hi:.4f}; pass time_format='bkjd', 'btjd' or 'mjd'"
        )
    if finite.size and fmt in ("bkjd", "btjd", "mjd", "phase") and hi > _JD_MIN:
        raise TimeSystemError(
            f"{source}: time format {fmt!r} (from {note}) cannot hold values as large as "
            f"{hi:.4f} (full Julian dates); pass time_format='bjd'"
        )
    offset = TIME_FORMATS[fmt]
    if offset is None:
        return TimeReference(None, "tdb", f"days from mid-transit (phase-folded; from {note})")
    label = {"bkjd": f"BKJD = BJD_TDB - {TIME_FORMATS['bkjd']:.0f}",
             "btjd": f"BTJD = BJD_TDB - {TIME_FORMATS['btjd']:.0f}",
             "bjd": "BJD_TDB", "jd": "JD, taken as BJD_TDB (starskope does not barycentre)",
             "mjd": "MJD = JD - 2400000.5, taken as barycentric TDB"}[fmt]
    if fmt in ("jd", "mjd") and not assumed:
        assumed = f"{fmt.upper()} times taken as barycentric TDB (starskope does not barycentre)"
    return TimeReference(offset, "tdb", f"{label}, from {note}", assumed)


def _unit_from_name(name: str) -> u.UnitBase | None:
    match = re.search(r"[\[(]([^\])]+)[\])]", name)
    if match:
        return parse_unit(match.group(1))
    return None


def read_text(probe: Probe, opts: ReadOptions) -> Any:
    """Read a CSV/TXT light curve (see the module docstring)."""
    import pandas as pd

    source = str(probe.path)
    comments, lines, delim, header = _layout(probe)
    notes: list[str] = []
    if header is not None:
        names = header
        body = lines[1:]
        if "time" not in column_roles(names):
            raise UnknownLayoutError(
                f"{source}: no time column among {', '.join(names[:12])}"
                f"{', ...' if len(names) > 12 else ''}; not a light curve starskope knows"
            )
        flux_and_error(names, opts.flux_column, source)
    else:
        names = []
        body = lines
    widths = np.fromiter((len(_split(line, delim)) for line in body), dtype=np.int64, count=len(body))
    if not body:
        raise LightCurveDataError(f"{source}: text file has a header but no data lines")
    expected = len(names) if header is not None else int(widths[0])
    bad = np.flatnonzero(widths != expected)
    if bad.size:
        k = int(bad[0])
        line_no = k + (2 if header is not None else 1)
        raise LightCurveDataError(
            f"{source}: data line {line_no} has {widths[k]} columns but "
            f"{'the header has' if header is not None else 'the first line has'} {expected}; "
            "every row must have the same number of columns"
        )
    if header is None:
        if expected not in (2, 3):
            raise UnknownLayoutError(
                f"{source}: {expected} unnamed columns; without a header starskope reads only "
                "two or three columns (time, flux[, flux_err])"
            )
        names = ["time", "flux", "flux_err"][:expected]
        notes.append(f"no header line: columns taken as {', '.join(names)}")
    sep = delim if delim else r"\s+"
    try:
        frame = pd.read_csv(
            io.StringIO("\n".join(body)), sep=sep, header=None, names=list(range(len(names))),
            engine="c", dtype=float,
        )
    except (ValueError, pd.errors.ParserError) as exc:
        raise LightCurveDataError(f"{source}: cannot parse the numbers in the table ({exc})") from exc
    roles = column_roles(names)
    i_flux, i_err = flux_and_error(names, opts.flux_column, source)
    if "index" in roles and roles["index"] not in (roles["time"], i_flux):
        notes.append(f"column {names[roles['index']]!r} is a row index; ignored")
    time_values = frame[roles["time"]].to_numpy(dtype=np.float64)
    time_name = names[roles["time"]] if header is not None else None
    time_ref = resolve_time_format(time_name, comments, time_values, opts.time_format, source)
    unit = _unit_from_name(names[i_flux]) if header is not None else None
    if unit is None:
        unit = u.dimensionless_unscaled
        notes.append("flux unit not stated in the file; flux taken as dimensionless")
    flux = u.Quantity(frame[i_flux].to_numpy(dtype=np.float64), unit)
    flux_err = None if i_err is None else u.Quantity(frame[i_err].to_numpy(dtype=np.float64), unit)
    quality = None
    if "quality" in roles:
        q = frame[roles["quality"]].to_numpy()
        quality = np.nan_to_num(q, nan=0).astype(np.int32)
    used = {roles["time"], i_flux, *([i_err] if i_err is not None else []), *([roles["quality"]] if "quality" in roles else [])}
    if "index" in roles:
        used.add(roles["index"])
    extra = {
        names[k].strip().lower().replace(" ", "_"): frame[k].to_numpy(dtype=np.float64)
        for k in range(len(names)) if k not in used and names[k].strip()
    }
    extra = {k: v for k, v in extra.items() if k not in ("time", "flux", "flux_err", "quality")}
    cols = Columns(
        time=time_values,
        flux=flux,
        flux_err=flux_err,
        quality=quality,
        time_ref=time_ref,
        product="CSV" if delim in (",", ";") else "text table",
        flux_origin=names[i_flux].strip().lower() if header is not None else "column 2",
        header={},
        extra=extra,
        provenance=notes,
    )
    return finish(cols, probe.path, opts, "csv")


READERS.add(
    "csv",
    Reader(
        name="csv",
        kind="text",
        description="CSV/TXT light curves (time, flux[, flux_err][, quality]); comma, tab or space separated",
        sniff=sniff_text,
        read=read_text,
    ),
)
