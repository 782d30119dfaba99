"""The starskope error family.

Every error starskope raises on purpose is a :class:`StarskopeError` and also a
built-in exception (``ValueError``, ``OSError``, ``TypeError``, ``KeyError``-like
look-ups are ``ValueError``), so callers can catch either. Messages name the file or
argument, the rule that was broken, and what was found.

Warnings that report a repair or a doubtful input are :class:`StarskopeWarning`.
"""

from __future__ import annotations

__all__ = [
    "ERROR_FLAG",
    "CatalogError",
    "FluxTableError",
    "LightCurveDataError",
    "LightCurveFileError",
    "ModelFileError",
    "ParameterError",
    "StarskopeError",
    "StarskopeWarning",
    "TimeSystemError",
    "UnitsError",
    "UnknownLayoutError",
    "UnknownNameError",
    "error_flags",
    "is_error_flags",
]

#: How a results row says its light curve could not be analysed: its ``flags`` start with
#: this, then the error in words (one convention for a failed item, file or search).
ERROR_FLAG = "error:"


def error_flags(message: object) -> str:
    """The ``flags`` of a row that could not be analysed (:data:`ERROR_FLAG` and the message)."""
    return f"{ERROR_FLAG} {message}"


def is_error_flags(flags: object) -> bool:
    """Whether a row's ``flags`` say its light curve could not be analysed."""
    return isinstance(flags, str) and flags.startswith(ERROR_FLAG)


class StarskopeError(Exception):
    """Root of every error starskope raises on purpose."""


class LightCurveFileError(StarskopeError, OSError):
    """A file cannot be read at all: missing, empty, truncated or corrupt."""


class UnknownLayoutError(StarskopeError, ValueError):
    """A readable file whose layout is not a light curve starskope knows."""


class LightCurveDataError(StarskopeError, ValueError):
    """A light curve whose contents break a rule (all-NaN flux, unsorted or
    duplicated times, columns of different lengths, too few cadences)."""


class TimeSystemError(StarskopeError, ValueError):
    """Time stamps whose system or units cannot be determined or are inconsistent."""


class FluxTableError(StarskopeError, ValueError):
    """A Kaggle-layout flux table that does not follow the layout."""


class UnitsError(StarskopeError, TypeError):
    """A physical quantity given without units, or with units of the wrong kind."""


class ParameterError(StarskopeError, ValueError):
    """A parameter outside its physically or numerically sensible range."""


class UnknownNameError(StarskopeError, ValueError):
    """A name looked up in a registry (telescope, reader, detrender, model) that is
    not there; the message lists the known names."""


class ModelFileError(StarskopeError, OSError):
    """A model file that is missing, corrupt, or of an incompatible version."""


class CatalogError(StarskopeError, ValueError):
    """A catalogue look-up that failed or returned unusable values."""


class StarskopeWarning(UserWarning):
    """Something doubtful in the input that starskope worked around and says so."""
