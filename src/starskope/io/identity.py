"""Which star a light-curve file holds, from its headers alone.

Grouping many files into stars (``starskope classify DIR``: one row per star) needs each
file's telescope, target and segment before any file is analysed. :func:`identify` reads
them from the FITS headers (the primary header and the first table's), which for a
gzipped archive file means decompressing a few kilobytes, not the whole light curve.
Files whose headers do not say (CSV, TXT, NPZ, FITS tables without the keywords) are
read with :func:`starskope.io.read`, so the answer is always the one reading gives.
"""

from __future__ import annotations

import os
import warnings
from pathlib import Path
from typing import Any, NamedTuple

from ..errors import LightCurveFileError, ParameterError

__all__ = ["FileIdentity", "identify"]


class FileIdentity(NamedTuple):
    """A light-curve file's star and segment.

    Attributes
    ----------
    mission : str or None
        'Kepler', 'K2' or 'TESS' (None when neither the file nor the caller says).
    target_id : str or None
        Catalogue name as :func:`starskope.io.read` puts it in ``meta['OBJECT']``
        ('KIC 757450', 'EPIC 201367065', 'TIC 261136679'); None when the file carries none.
    segment : int or None
        Kepler quarter, K2 campaign or TESS sector (None when unknown).
    pixels : bool
        True for a target pixel file or FFI cutout (an image per cadence).
    """

    mission: str | None
    target_id: str | None
    segment: int | None
    pixels: bool = False


_SEGMENT_KEY = {"Kepler": "QUARTER", "K2": "CAMPAIGN", "TESS": "SECTOR"}


def _int_or_none(value: Any) -> int | None:
    if isinstance(value, bool):
        return None
    if isinstance(value, int):
        return int(value)
    if isinstance(value, str) and value.strip().isdigit():
        return int(value)
    return None


def _fits_headers(path: Path) -> tuple[dict[str, Any], bool] | None:
    """The primary header merged with the first binary table's (primary keys of identity
    kept, as the FITS reader does), and whether that table holds images; None when the
    file is not FITS. Only the headers are read."""
    from astropy.io import fits

    with open(path, "rb") as fh:
        magic = fh.read(2)
    if magic == b"\x1f\x8b":
        import gzip

        with gzip.open(path, "rb") as fh:
            try:
                start = fh.read(6)
            except (OSError, EOFError) as exc:
                raise LightCurveFileError(f"{path}: the gzip stream is truncated or corrupt ({exc})") from exc
    else:
        with open(path, "rb") as fh:
            start = fh.read(6)
    if start != b"SIMPLE":
        return None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        try:
            with fits.open(path, lazy_load_hdus=True, memmap=False) as hdul:
                primary = {k: v for k, v in hdul[0].header.items() if k not in ("COMMENT", "HISTORY", "")}
                table: dict[str, Any] = {}
                pixels = False
                for hdu in hdul[1:]:
                    if isinstance(hdu, fits.BinTableHDU):
                        table = {k: v for k, v in hdu.header.items() if k not in ("COMMENT", "HISTORY", "")}
                        pixels = _holds_images(table)
                        break
        except Exception as exc:  # astropy raises OSError, ValueError, TypeError, IndexError
            raise LightCurveFileError(f"{path}: corrupt or truncated FITS file ({type(exc).__name__}: {exc})") from exc
    merged = {**primary, **table}
    for key in ("QUARTER", "CAMPAIGN", "SECTOR", "OBJECT", "KEPLERID", "TICID", "TARGETID"):
        if primary.get(key) not in (None, ""):
            merged[key] = primary[key]
    return merged, pixels


def _holds_images(header: dict[str, Any]) -> bool:
    """A table whose FLUX column has more than one value per row (a pixel time series)."""
    for key, value in header.items():
        if key.startswith("TTYPE") and str(value).strip().upper() == "FLUX":
            form = str(header.get("TFORM" + key[5:], "")).strip().upper()
            digits = "".join(ch for ch in form if ch.isdigit())
            return "A" not in form and bool(digits) and int(digits) > 1
    return False


def identify(path: str | os.PathLike[str], *, mission: str | None = None,
             time_format: str | None = None) -> FileIdentity:
    """The telescope, target and segment of a light-curve file, as :func:`starskope.io.read` gives them.

    Parameters
    ----------
    path : path-like
        A light-curve file (FITS, CSV/TXT, NPZ; optionally gzipped) or pixel file.
    mission, time_format : str, optional
        For files that do not say, as in :func:`starskope.io.read` (used only when the
        file has to be read).

    Returns
    -------
    FileIdentity
        ``(mission, target_id, segment, pixels)``.

    Raises
    ------
    LightCurveFileError
        A missing, truncated or corrupt file.
    ParameterError
        ``mission`` contradicting the file's headers.
    UnknownNameError
        An unknown ``mission``.
    UnknownLayoutError, LightCurveDataError, TimeSystemError
        A file without identifying headers that :func:`starskope.io.read` cannot read.
    """
    from ..missions import detect_mission
    from ._base import ReadOptions, _resolve_target

    mission = ReadOptions(mission=mission).mission  # the canonical name ('kepler' → 'Kepler')
    p = Path(path)
    if not p.is_file():
        raise LightCurveFileError(f"{p}: no such file")
    found = _fits_headers(p)
    if found is not None:
        header, pixels = found
        detected = detect_mission(header, str(p))
        if mission is not None and detected is not None and detected != mission:
            raise ParameterError(f"{p}: mission={mission!r} disagrees with the file, which is from {detected}")
        which = detected or mission
        _, target, _ = _resolve_target(header, p, which, None, str(p))
        segment = _int_or_none(header.get(_SEGMENT_KEY.get(which or "", "")))
        if which is not None and target is not None and segment is not None:
            return FileIdentity(which, target, segment, pixels)
    # the headers do not say everything: read the file (what reading gives is the answer)
    from . import read

    lc = read(p, mission=mission, time_format=time_format)
    meta = lc.meta
    which = meta.get("MISSION")
    segment = _int_or_none(meta.get(_SEGMENT_KEY.get(str(which or ""), "")))
    return FileIdentity(which or None, meta.get("OBJECT") or None, segment,
                        bool(found[1]) if found is not None else False)
