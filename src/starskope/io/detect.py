"""Opening a file and telling which reader understands it.

:func:`open_probe` reads a file once (gunzipping it in memory), tells FITS from NPZ from
text by its first bytes, and rejects files that cannot be read at all (missing, empty,
truncated, corrupt) with a :class:`~starskope.errors.LightCurveFileError`. Each reader in
:data:`READERS` has a ``sniff(probe)`` that looks at headers and column names only; the
reader whose sniff answers yes reads the file.
"""

from __future__ import annotations

import gzip
import io
import re
import warnings
import zipfile
import zlib
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np
from astropy.io import fits

from ..errors import LightCurveFileError, UnknownLayoutError
from ..filetypes import FITS_SUFFIXES
from ..registry import Registry

__all__ = ["READERS", "Probe", "Reader", "TableInfo", "detect_reader", "open_probe"]


@dataclass(frozen=True)
class TableInfo:
    """A binary-table HDU of a FITS file: its index, name, column names and header."""

    index: int
    name: str
    columns: tuple[str, ...]
    header: fits.Header
    ndim: dict[str, int] = field(default_factory=dict)

    def has(self, *names: str) -> bool:
        upper = {c.upper() for c in self.columns}
        return all(n.upper() in upper for n in names)


@dataclass
class Probe:
    """A file opened for sniffing and reading.

    Attributes
    ----------
    path : Path
        The file.
    kind : str
        'fits', 'text' or 'npz'.
    hdul : HDUList or None
        The open FITS file (``kind == 'fits'``).
    primary : dict
        The FITS primary header as a dict (empty for other kinds).
    tables : list of TableInfo
        Binary-table HDUs of a FITS file.
    text : str or None
        The decoded contents of a text file.
    npz : dict of str to ndarray, or None
        The arrays of an NPZ file.
    """

    path: Path
    kind: str
    hdul: fits.HDUList | None = None
    primary: dict[str, Any] = field(default_factory=dict)
    tables: list[TableInfo] = field(default_factory=list)
    text: str | None = None
    npz: dict[str, np.ndarray] | None = None

    @property
    def name(self) -> str:
        return self.path.name

    def table(self, name: str) -> TableInfo | None:
        """The binary table with EXTNAME ``name`` (case-insensitive), or None."""
        for t in self.tables:
            if t.name.upper() == name.upper():
                return t
        return None

    def first_table_with(self, *columns: str) -> TableInfo | None:
        for t in self.tables:
            if t.has(*columns):
                return t
        return None

    def header_value(self, key: str) -> Any:
        """A keyword from the primary header, then from the first binary table."""
        if key in self.primary and self.primary[key] not in (None, ""):
            return self.primary[key]
        for t in self.tables:
            if key in t.header and t.header[key] not in (None, ""):
                return t.header[key]
        return None


@dataclass(frozen=True)
class Reader:
    """One light-curve layout starskope reads.

    Attributes
    ----------
    name : str
        Registry name, e.g. 'spoc', 'k2sff', 'csv'.
    kind : str
        File kind it applies to: 'fits', 'text' or 'npz'.
    description : str
        One line for listings and error messages.
    sniff : callable
        ``sniff(probe) -> bool``: does this reader understand the file? Looks at headers
        and column names only.
    read : callable
        ``read(probe, options) -> lightkurve.LightCurve``.
    priority : int
        Readers are asked in order of decreasing priority (then name); a generic reader
        has a low priority so that a specific one wins.
    """

    name: str
    kind: str
    description: str
    sniff: Callable[[Probe], bool]
    read: Callable[..., Any]
    priority: int = 0


#: Every reader, by name.
READERS: Registry[Reader] = Registry("reader")

# astropy warns (rather than fails) on these; in a light-curve file they mean damage.
_DAMAGE_WARNINGS = re.compile(
    r"truncated|non-ASCII|Error validating header|invalid or follows an unrecognized|"
    r"Unexpected bytes trailing END|Header missing END card",
    re.I,
)


def _read_bytes(path: Path) -> bytes:
    if not path.exists():
        raise LightCurveFileError(f"{path}: no such file")
    if path.is_dir():
        raise LightCurveFileError(f"{path}: is a directory, not a light-curve file")
    try:
        data = path.read_bytes()
    except OSError as exc:
        raise LightCurveFileError(f"{path}: cannot be read ({exc.strerror or exc})") from exc
    if not data:
        raise LightCurveFileError(f"{path}: file is empty (0 bytes)")
    if data[:2] == b"\x1f\x8b":
        try:
            data = gzip.decompress(data)
        except (EOFError, OSError, zlib.error) as exc:
            raise LightCurveFileError(
                f"{path}: the gzip stream is truncated or corrupt ({exc})"
            ) from exc
        if not data:
            raise LightCurveFileError(f"{path}: file is empty (an empty gzip stream)")
    return data


def _repeat(column: fits.Column) -> int:
    """Values per row of a table column (1 for scalars; strings count as 1)."""
    fmt = column.format
    if "A" in str(fmt).upper():
        return 1
    return int(getattr(fmt, "repeat", 1) or 1)


def _open_fits(path: Path, data: bytes) -> Probe:
    with warnings.catch_warnings(record=True) as caught:
        warnings.simplefilter("always")
        try:
            hdul = fits.open(io.BytesIO(data), lazy_load_hdus=False)
            n_hdu = len(hdul)
        except Exception as exc:  # astropy raises OSError, ValueError, TypeError, IndexError
            raise LightCurveFileError(
                f"{path}: corrupt or truncated FITS file ({type(exc).__name__}: {exc})"
            ) from exc
    damage = [str(w.message).strip().splitlines()[0] for w in caught if _DAMAGE_WARNINGS.search(str(w.message))]
    if damage:
        hdul.close()
        raise LightCurveFileError(f"{path}: corrupt or truncated FITS file ({damage[0]})")
    tables: list[TableInfo] = []
    for i in range(n_hdu):
        hdu = hdul[i]
        if isinstance(hdu, fits.BinTableHDU):
            cols = hdu.columns
            ndim = {c.name: _repeat(c) for c in cols}
            tables.append(TableInfo(i, str(hdu.name or ""), tuple(c.name for c in cols), hdu.header, ndim))
    primary = {k: v for k, v in hdul[0].header.items() if k not in ("COMMENT", "HISTORY", "")}
    return Probe(path=path, kind="fits", hdul=hdul, primary=primary, tables=tables)


def _open_npz(path: Path, data: bytes) -> Probe:
    try:
        with np.load(io.BytesIO(data), allow_pickle=False) as npz:
            arrays = {k: np.asarray(npz[k]) for k in npz.files}
    except (zipfile.BadZipFile, EOFError, zlib.error, OSError) as exc:
        raise LightCurveFileError(f"{path}: corrupt or truncated NPZ file ({exc})") from exc
    except ValueError as exc:
        raise UnknownLayoutError(
            f"{path}: NPZ file holds arrays starskope will not load ({exc})"
        ) from exc
    return Probe(path=path, kind="npz", npz=arrays)


def _open_text(path: Path, data: bytes) -> Probe:
    head = data[:65536]
    if b"\x00" in head:
        if path.name.lower().endswith(FITS_SUFFIXES):
            raise LightCurveFileError(
                f"{path}: named like a FITS file but does not start with a SIMPLE card; "
                "the file is corrupt"
            )
        raise UnknownLayoutError(
            f"{path}: binary file that is neither FITS, NPZ nor text; not a light curve "
            "starskope knows"
        )
    try:
        text = data.decode("utf-8")
    except UnicodeDecodeError:
        text = data.decode("latin-1")
    if not text.strip():
        raise LightCurveFileError(f"{path}: file holds only white space")
    return Probe(path=path, kind="text", text=text)


@contextmanager
def open_probe(path: str | Path) -> Iterator[Probe]:
    """Open ``path`` for sniffing and reading; closes it afterwards.

    Raises
    ------
    LightCurveFileError
        Missing, empty, truncated or corrupt file.
    UnknownLayoutError
        A binary file that is not FITS or NPZ.
    """
    p = Path(path)
    data = _read_bytes(p)
    if data[:6] == b"SIMPLE":
        probe = _open_fits(p, data)
    elif data[:4] == b"PK\x03\x04":
        probe = _open_npz(p, data)
    else:
        probe = _open_text(p, data)
    try:
        yield probe
    finally:
        if probe.hdul is not None:
            probe.hdul.close()


def _describe_fits(probe: Probe) -> str:
    parts = []
    assert probe.hdul is not None
    for hdu in probe.hdul:
        name = hdu.name or "(unnamed)"
        if isinstance(hdu, fits.BinTableHDU):
            cols = ", ".join(hdu.columns.names[:8]) + (", ..." if len(hdu.columns) > 8 else "")
            parts.append(f"{name} (table: {cols})")
        elif getattr(hdu, "data", None) is not None and hdu.header.get("NAXIS", 0):
            shape = "x".join(str(hdu.header.get(f"NAXIS{i}")) for i in range(1, hdu.header["NAXIS"] + 1))
            parts.append(f"{name} (image {shape})")
        else:
            parts.append(f"{name} (header only)")
    return "; ".join(parts)


def detect_reader(probe: Probe) -> Reader:
    """The reader whose ``sniff`` recognises the file.

    Raises
    ------
    UnknownLayoutError
        No reader recognises it; the message says what the file holds.
    """
    readers = sorted((READERS.get(n) for n in READERS.names()), key=lambda r: (-r.priority, r.name))
    for reader in readers:
        if reader.kind == probe.kind and reader.sniff(probe):
            return reader
    known = ", ".join(READERS.names())
    if probe.kind == "fits":
        has_time = any(t.has("TIME") or t.has("T") for t in probe.tables)
        if not has_time:
            raise UnknownLayoutError(
                f"{probe.path}: FITS file has no light-curve table (no binary table with a "
                f"time column); it holds {_describe_fits(probe)}"
            )
        raise UnknownLayoutError(
            f"{probe.path}: unknown FITS light-curve layout ({_describe_fits(probe)}); "
            f"known readers: {known}"
        )
    raise UnknownLayoutError(f"{probe.path}: unknown {probe.kind} layout; known readers: {known}")
