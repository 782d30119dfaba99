"""Which column is which, by name: shared by the CSV/TXT reader and the generic FITS table
reader, so a table that names its columns (time, flux, error, quality and the usual
variants) reads the same whatever its format or author."""

from __future__ import annotations

import re

from ..errors import UnknownLayoutError, UnknownNameError
from ._base import TIME_FORMATS

__all__ = ["column_roles", "flux_and_error", "is_time_name", "time_format_hint"]

_TIME_WORDS = re.compile(r"(?i)\b(b[kt]?jd|tbjd|mjd|hjd|jd)\b")


def is_time_name(name: str) -> bool:
    """Whether a column name is a time's (``time``, ``t``, ``bjd``, ``time_btjd``, ``MJD`` ...)."""
    n = name.strip().lower()
    return n in ("t", "date", "phase", "times") or n.startswith("time") or bool(
        _TIME_WORDS.search(n.replace("_", " "))
    )


_ERR_NAMES = ("err", "error", "errors", "sigma", "uncertainty", "unc", "e_flux", "flux_unc")
_QUALITY_NAMES = ("quality", "sap_quality", "qual", "flag", "flags", "quality_flag")
_INDEX_NAMES = ("", "index", "row")


def column_roles(names: list[str]) -> dict[str, int]:
    """Column index of time and quality (by name), and of a leading index column.

    >>> column_roles(["index", "time_btjd", "flux", "quality"])
    {'time': 1, 'quality': 3, 'index': 0}
    """
    low = [n.strip().lower() for n in names]
    roles: dict[str, int] = {}
    for i, name in enumerate(low):
        if "time" not in roles and is_time_name(name) and "flux" not in name:
            roles["time"] = i
    for i, name in enumerate(low):
        if name in _QUALITY_NAMES:
            roles.setdefault("quality", i)
    if low and (low[0] in _INDEX_NAMES or low[0].startswith("unnamed")):
        roles["index"] = 0
    return roles


def flux_and_error(names: list[str], flux_column: str | None, source: str) -> tuple[int, int | None]:
    """Column index of the flux (the one named by ``flux_column``, or the corrected flux
    by the usual names, or the first ``*flux*`` column) and of its error (or None).

    Raises
    ------
    UnknownNameError
        ``flux_column`` is not a column.
    UnknownLayoutError
        No column is a flux.
    """
    low = [n.strip().lower() for n in names]
    if flux_column is not None and flux_column.lower() not in ("default", "pdcsap"):
        wanted = {"sap": "sap_flux"}.get(flux_column.lower(), flux_column.lower())
        if wanted not in low:
            raise UnknownNameError(
                f"{source}: unknown flux_column {flux_column!r}; columns: {', '.join(names)}"
            )
        i = low.index(wanted)
    else:
        preferred = ("flux", "pdcsap_flux", "fcor", "flux_corr", "corr_flux", "detflux",
                     "normalized_flux", "normalised_flux", "norm_flux", "rel_flux", "sap_flux", "f")
        i = next((low.index(p) for p in preferred if p in low), -1)
        if i < 0:
            cands = [k for k, n in enumerate(low) if "flux" in n and "err" not in n and "unc" not in n]
            if not cands:
                raise UnknownLayoutError(
                    f"{source}: no flux column among {', '.join(names)} (expected e.g. 'flux')"
                )
            i = cands[0]
    base = low[i]
    err_names = [f"{base}_err", f"{base}_error", f"{base}_unc", f"e_{base}", "flux_err", "flux_error",
                 *_ERR_NAMES]
    j = next((low.index(e) for e in err_names if e in low), None)
    return i, j


_HINTS: list[tuple[re.Pattern[str], str]] = [
    (re.compile(rf"(?i)btjd|bjd\s*-\s*{TIME_FORMATS['btjd']:.0f}|tbjd"), "btjd"),
    (re.compile(rf"(?i)bkjd|bjd\s*-\s*{TIME_FORMATS['bkjd']:.0f}"), "bkjd"),
    (re.compile(r"(?i)\bmjd\b|modified julian"), "mjd"),
    (re.compile(r"(?i)\bhjd\b|heliocentric"), "hjd"),
    (re.compile(r"(?i)\bbjd(_tdb)?\b|barycentric julian"), "bjd"),
    (re.compile(r"(?i)\bjd\b|julian date"), "jd"),
    (re.compile(r"(?i)phase|from mid-?transit|days? since mid"), "phase"),
]


def time_format_hint(text: str) -> str | None:
    """The time system a column name or a comment names ('btjd', 'bkjd', 'mjd', 'hjd',
    'bjd', 'jd', 'phase'), or None."""
    for pattern, fmt in _HINTS:
        if pattern.search(text):
            return fmt
    return None
