"""Which files are light curves: the endings starskope reads, and folder scans.

One place for the file endings that the readers (:mod:`starskope.io`), the batch engine,
``classify``/``report`` and the web app's uploads accept, and for the rule that decides,
when a whole folder is scanned, which text files are light curves and which are tables
of something else that merely share the folder (the simulator's ``truth.csv``, a
``cadences.csv``, a catalogue). The rule reads only the header line, so a scan stays
fast; a file named explicitly is always read (and a file that is not a light curve then
gets a clear error from the reader).

This module imports nothing heavy: the batch engine and the CLI use it before astropy
is loaded.
"""

from __future__ import annotations

import gzip
import os
import re
import zlib
from pathlib import Path

__all__ = [
    "FITS_SUFFIXES",
    "LIGHT_CURVE_SUFFIXES",
    "NPZ_SUFFIXES",
    "TEXT_SUFFIXES",
    "find_light_curves",
    "is_light_curve_name",
    "is_number",
    "text_header_is_light_curve",
]

#: FITS files (plain or gzipped).
FITS_SUFFIXES: tuple[str, ...] = (".fits.gz", ".fits", ".fit.gz", ".fit", ".fts.gz", ".fts")
#: Text tables (plain or gzipped).
TEXT_SUFFIXES: tuple[str, ...] = (".csv.gz", ".csv", ".txt.gz", ".txt", ".dat", ".tbl")
#: NumPy archives.
NPZ_SUFFIXES: tuple[str, ...] = (".npz",)
#: Every ending taken as a light curve (or a Kaggle-layout flux table).
LIGHT_CURVE_SUFFIXES: tuple[str, ...] = FITS_SUFFIXES + TEXT_SUFFIXES + NPZ_SUFFIXES

# a time axis is named by its system: "time…", "t", "date", "phase", "bjd…", "btjd",
# "mjd" …; a parameter of a star that mentions a time ("epoch_bjd", "sys_time_bjd") is not
_TIME_AXIS = re.compile(r"(?i)^(time|times|t|date|phase|b[kt]?jd|bjd_tdb|tbjd|mjd|hjd|jd)(\b|_|$)")
# a list of files (a manifest) or of stars is not a light curve
_NOT_LIGHT_CURVE = frozenset({"file", "path", "filename", "star_id", "split"})
_FLUX_FIELD = re.compile(r"(?i)^(f|.*flux.*|.*mag.*|counts?|rate)$")
_HEAD_BYTES = 1 << 16


def is_light_curve_name(name: str | os.PathLike[str]) -> bool:
    """True if the file's ending is one starskope reads as a light curve."""
    return Path(name).name.lower().endswith(LIGHT_CURVE_SUFFIXES)


def _first_line(path: Path) -> str | None:
    """First line that is neither blank nor a comment (None: none in the first 64 KiB)."""
    try:
        with path.open("rb") as fh:
            head = fh.read(_HEAD_BYTES)
        if head[:2] == b"\x1f\x8b":
            head = zlib.decompressobj(16 + zlib.MAX_WBITS).decompress(head, _HEAD_BYTES)
    except (OSError, zlib.error, gzip.BadGzipFile):
        return None
    for raw in head.decode("utf-8", errors="replace").splitlines():
        line = raw.strip()
        if line and not line.startswith(("#", "%")):
            return line
    return None


def is_number(token: str) -> bool:
    """True if ``token`` parses as a float."""
    try:
        float(token)
    except ValueError:
        return False
    return True


def text_header_is_light_curve(path: str | os.PathLike[str]) -> bool:
    """Does a text file's header say it is a light curve?

    True for a headerless numeric table, a Kaggle-layout flux table (``LABEL, FLUX.1,
    ...``) and a header with a time column and a flux (or magnitude) column; False for a
    table whose header has no time axis or no flux (a table of stars, of cadences, a
    catalogue). A file that cannot be opened counts as a light curve, so that reading it
    reports what is wrong with it.
    """
    p = Path(path)
    line = _first_line(p)
    if line is None:
        return True
    delim = next((d for d in ("\t", ",", ";", "|") if d in line), None)
    tokens = [t.strip().strip("\"'") for t in (line.split(delim) if delim else line.split())]
    tokens = [t for t in tokens if t]
    if not tokens or all(is_number(t) for t in tokens):
        return True
    low = [t.lower() for t in tokens]
    if low[0] == "label" and len(low) > 1 and low[1].startswith("flux."):
        return True
    if _NOT_LIGHT_CURVE & set(low):
        return False
    has_time = any(_TIME_AXIS.match(n) for n in low)
    has_flux = any(_FLUX_FIELD.match(n) and "err" not in n for n in low)
    return has_time and has_flux


def find_light_curves(folder: str | os.PathLike[str]) -> tuple[list[Path], list[Path]]:
    """Light-curve files under ``folder`` (recursively, sorted), and the text files left
    out because their header is not a light curve's (:func:`text_header_is_light_curve`).
    """
    kept: list[Path] = []
    skipped: list[Path] = []
    for p in sorted(q for q in Path(folder).rglob("*") if q.is_file() and is_light_curve_name(q.name)):
        if p.name.lower().endswith(TEXT_SUFFIXES) and not text_header_is_light_curve(p):
            skipped.append(p)
        else:
            kept.append(p)
    return kept, skipped
