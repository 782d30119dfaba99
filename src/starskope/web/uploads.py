"""Checking what users give the app: file names, sizes, contents, data-folder paths.

Nothing a user sends is trusted:

* a file name is display text only — one with a path separator, a ``..`` or a control
  character is refused, and files are stored under a generated id
  (``uploads/<id>/<sanitised name>``), never under the given name;
* the body is copied in chunks and refused as soon as it exceeds the limit;
* the content must match its suffix (FITS magic ``SIMPLE  =``, NPZ zip magic, text
  without NUL bytes), and must then actually read as a light curve
  (:func:`starskope.io.read`) or a Kaggle-layout table
  (:func:`starskope.io.read_flux_table`). NPZ files are read with ``allow_pickle=False``;
  nothing uploaded is executed or unpickled;
* a data-folder path must be relative and stay inside the configured folder after
  symbolic links are resolved.

Each refusal is an :class:`UploadRejected` with an HTTP status and a message for the
user (internal paths replaced by the name the user gave).
"""

from __future__ import annotations

import gzip
import hashlib
import re
import shutil
import uuid
import warnings
from dataclasses import dataclass
from pathlib import Path, PurePosixPath, PureWindowsPath
from typing import IO

from ..errors import StarskopeError
from ..filetypes import FITS_SUFFIXES, LIGHT_CURVE_SUFFIXES, TEXT_SUFFIXES

__all__ = [
    "LIGHT_CURVE_SUFFIXES",
    "MAX_EXPANSION",
    "CheckedFile",
    "UploadRejected",
    "check_file",
    "check_name",
    "copy_limited",
    "new_id",
    "remove_tree",
    "resolve_data_path",
    "safe_stored_name",
]



class UploadRejected(StarskopeError, ValueError):
    """An upload or data-folder choice the app refuses.

    Attributes
    ----------
    status : int
        HTTP status (400 bad name or path, 404 missing, 413 too large, 415 wrong type,
        422 unreadable content).
    """

    def __init__(self, status: int, message: str) -> None:
        super().__init__(message)
        self.status = int(status)


def new_id() -> str:
    """A fresh random identifier (32 hex digits)."""
    return uuid.uuid4().hex


def check_name(name: str | None) -> str:
    """The user's file name, if it is a plain file name with a known ending.

    Raises
    ------
    UploadRejected
        400 for an empty name, a path (separators, ``..``), control characters or a name
        over 255 characters; 415 for an ending that is not a light-curve file's.
    """
    if name is None or not str(name).strip():
        raise UploadRejected(400, "a file has no name; give each file its name")
    name = str(name)
    if len(name) > 255:
        raise UploadRejected(400, f"file name of {len(name)} characters is too long (at most 255)")
    if any(ord(ch) < 32 or ord(ch) == 127 for ch in name):
        raise UploadRejected(400, f"file name {name!r} contains control characters")
    if ("/" in name or "\\" in name or name in (".", "..")
            or PurePosixPath(name).name != name or PureWindowsPath(name).name != name):
        raise UploadRejected(400, f"file name {name!r} is a path; give a plain file name (no '/', '\\' or '..')")
    if not name.lower().endswith(LIGHT_CURVE_SUFFIXES):
        raise UploadRejected(415, f"{name}: not a light-curve file; accepted endings: {', '.join(LIGHT_CURVE_SUFFIXES)}")
    return name


def safe_stored_name(name: str) -> str:
    """A storage name built from the user's name: letters, digits, ``.``, ``_``, ``-``
    and ``+`` kept, anything else replaced by ``_`` (the ending is preserved)."""
    stored = re.sub(r"[^A-Za-z0-9._+-]", "_", name)
    stored = stored.lstrip(".") or "upload"
    return stored[-120:]


def copy_limited(src: IO[bytes], dest: Path, limit_bytes: int, name: str, chunk: int = 1 << 20) -> tuple[int, str]:
    """Copy a stream into ``dest``, refusing it once it passes ``limit_bytes``.

    Returns
    -------
    (int, str)
        Bytes written and their SHA-256.

    Raises
    ------
    UploadRejected
        413 when the stream is larger than the limit (the partial file is removed).
    """
    h = hashlib.sha256()
    n = 0
    try:
        with open(dest, "wb") as out:
            while True:
                block = src.read(chunk)
                if not block:
                    break
                n += len(block)
                if n > limit_bytes:
                    raise UploadRejected(413, f"{name}: larger than the upload limit of "
                                              f"{limit_bytes / 2**20:.3g} MiB (--max-upload-mb)")
                h.update(block)
                out.write(block)
    except UploadRejected:
        dest.unlink(missing_ok=True)
        raise
    return n, h.hexdigest()


def _head(path: Path, n: int = 65536) -> bytes:
    with open(path, "rb") as fh:
        data = fh.read(n)
    if data[:2] == b"\x1f\x8b":
        try:
            with gzip.open(path, "rb") as fh:
                return fh.read(n)
        except (OSError, EOFError) as exc:
            raise UploadRejected(422, f"{path.name}: corrupt gzip data ({exc})") from None
    return data


def _sniff(path: Path, name: str) -> None:
    """Check that the content is what the ending says."""
    lower = name.lower()
    head = _head(path)
    if not head:
        raise UploadRejected(422, f"{name}: the file is empty")
    if lower.endswith(FITS_SUFFIXES):
        if not head.startswith(b"SIMPLE  ="):
            raise UploadRejected(415, f"{name}: not a FITS file (it does not start with a FITS header)")
    elif lower.endswith(".npz"):
        if not head.startswith(b"PK\x03\x04"):
            raise UploadRejected(415, f"{name}: not an NPZ file (no zip signature)")
    elif lower.endswith(TEXT_SUFFIXES):
        if b"\x00" in head:
            raise UploadRejected(415, f"{name}: not a text table (it contains binary data)")
        try:
            head.decode("utf-8")
        except UnicodeDecodeError as exc:
            if exc.start < len(head) - 4:  # a multi-byte character cut at the end of the sample is fine
                raise UploadRejected(415, f"{name}: not a UTF-8 text table") from None


#: A gzip upload may expand to at most this many times the upload limit (zip bombs).
MAX_EXPANSION = 40


def _check_expansion(path: Path, name: str, limit_bytes: int) -> None:
    """Refuse gzip data that would expand beyond ``MAX_EXPANSION`` × the upload limit."""
    with open(path, "rb") as fh:
        if fh.read(2) != b"\x1f\x8b":
            return
    cap = max(MAX_EXPANSION * limit_bytes, 64 * 2**20)
    total = 0
    try:
        with gzip.open(path, "rb") as fh:
            while block := fh.read(1 << 20):
                total += len(block)
                if total > cap:
                    raise UploadRejected(413, f"{name}: decompresses to more than {cap / 2**20:.0f} MiB "
                                              f"({MAX_EXPANSION}× the upload limit)")
    except (OSError, EOFError) as exc:
        raise UploadRejected(422, f"{name}: corrupt gzip data ({exc})") from None


def _looks_like_table(path: Path, name: str) -> bool:
    """A CSV whose header names a LABEL or FLUX.n column: meant as a Kaggle-layout table."""
    if not name.lower().endswith((".csv", ".csv.gz")):
        return False
    first = _head(path, 4096).split(b"\n", 1)[0].decode("utf-8", "replace")
    cols = [c.strip().strip('"').upper() for c in first.split(",")]
    return bool(cols) and (cols[0] == "LABEL" or any(re.fullmatch(r"FLUX\.?\d+", c) for c in cols[:3]))


@dataclass(frozen=True)
class CheckedFile:
    """What :func:`check_file` found: ``kind`` (``"lightcurve"`` or ``"table"``), how many
    light curves it holds, and a one-line description."""

    kind: str
    n_stars: int
    detail: str


def check_file(path: Path, name: str, *, mission: str | None = None, time_format: str | None = None,
               limit_bytes: int | None = None) -> CheckedFile:
    """Check that a stored file is a readable light curve or Kaggle-layout table.

    Parameters
    ----------
    path : Path
        The stored copy.
    name : str
        The user's name for it (used in messages instead of ``path``).
    mission, time_format : str, optional
        For text and NPZ files that do not state their telescope or time system.
    limit_bytes : int, optional
        The upload limit; gzip data may expand to :data:`MAX_EXPANSION` times it.

    Raises
    ------
    UploadRejected
        413 gzip data that expands too far, 415 wrong type, 422 unreadable (corrupt FITS,
        corrupt gzip, wrong columns, no time system, ...).
    """
    from ..io import read, read_flux_table

    _sniff(path, name)
    if limit_bytes is not None:
        _check_expansion(path, name, limit_bytes)

    def msg(exc: Exception) -> str:
        text = str(exc).replace(str(path), name).replace(str(path.parent) + "/", "")
        return text if name in text else f"{name}: {text}"

    if _looks_like_table(path, name):
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                table = read_flux_table(path)
        except (StarskopeError, OSError, ValueError) as exc:
            raise UploadRejected(422, f"not a Kaggle-layout table (LABEL, FLUX.1 … FLUX.N): {msg(exc)}") from None
        return CheckedFile("table", len(table), f"Kaggle-layout table: {len(table)} stars × {table.flux.shape[1]} cadences")
    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            lc = read(path, mission=mission or None, time_format=time_format or None)
    except StarskopeError as exc:
        hint = ""
        if type(exc).__name__ == "TimeSystemError":
            hint = " (choose the telescope or time system in the upload form)"
        raise UploadRejected(422, f"not a readable light curve: {msg(exc)}{hint}") from None
    except (OSError, ValueError, KeyError, IndexError, TypeError) as exc:
        raise UploadRejected(422, f"not a readable light curve: {name}: {type(exc).__name__}: {msg(exc)}") from None
    meta = lc.meta or {}
    what = " · ".join(str(x) for x in (meta.get("OBJECT"), meta.get("MISSION"), meta.get("PRODUCT")) if x)
    return CheckedFile("lightcurve", 1, f"{what or 'light curve'}: {len(lc)} cadences")


def resolve_data_path(data_dir: Path | None, relative: str, *, want: str = "file") -> Path:
    """A path inside the data folder from a user's relative path.

    Parameters
    ----------
    data_dir : Path or None
        The configured data folder.
    relative : str
        Path relative to it (``/`` separated; ``""`` is the folder itself).
    want : {'file', 'dir'}

    Raises
    ------
    UploadRejected
        404 no data folder configured or nothing there; 400 an absolute path, a ``..``
        part, or a path that leaves the folder (also through a symbolic link); 415 a
        file that is not a light-curve file.
    """
    if data_dir is None:
        raise UploadRejected(404, "no data folder is configured (start the server with --data-dir DIR)")
    rel = str(relative or "")
    if "\x00" in rel or "\\" in rel:
        raise UploadRejected(400, f"path {rel!r} contains a NUL or backslash")
    p = PurePosixPath(rel)
    if p.is_absolute() or rel.startswith("~"):
        raise UploadRejected(400, f"path {rel!r} must be relative to the data folder")
    if any(part == ".." for part in p.parts):
        raise UploadRejected(400, f"path {rel!r} leaves the data folder ('..' is not allowed)")
    root = data_dir.resolve()
    target = (root / p).resolve()
    if target != root and root not in target.parents:
        raise UploadRejected(400, f"path {rel!r} leaves the data folder")
    if want == "dir":
        if not target.is_dir():
            raise UploadRejected(404, f"no folder {rel!r} in the data folder")
        return target
    if not target.is_file():
        raise UploadRejected(404, f"no file {rel!r} in the data folder")
    if not target.name.lower().endswith(LIGHT_CURVE_SUFFIXES):
        raise UploadRejected(415, f"{rel}: not a light-curve file; accepted endings: {', '.join(LIGHT_CURVE_SUFFIXES)}")
    return target


def remove_tree(path: Path) -> None:
    """Remove a folder the app created (ignores a missing one)."""
    shutil.rmtree(path, ignore_errors=True)
