"""Unit checking at the public boundary.

Public functions take astropy Quantities and say so when they get a bare number;
the numeric core then works on plain floats in a documented unit.
"""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np

from .errors import ParameterError, UnitsError

__all__ = ["require_positive", "require_quantity", "to_value"]


def require_quantity(value: Any, unit: u.UnitBase | str, name: str) -> u.Quantity:
    """Return ``value`` as a Quantity convertible to ``unit``.

    Raises
    ------
    UnitsError
        If ``value`` is a bare number or has units of another physical type.
    """
    unit = u.Unit(unit)
    if not isinstance(value, u.Quantity):
        raise UnitsError(
            f"{name} must be an astropy Quantity in units of {unit.physical_type} "
            f"(e.g. {1 * unit!s}); got a bare {type(value).__name__} {value!r}"
        )
    try:
        return value.to(unit, equivalencies=u.dimensionless_angles())
    except u.UnitConversionError:
        raise UnitsError(
            f"{name} must have units of {unit.physical_type} (convertible to {unit}); "
            f"got {value.unit} ({value.unit.physical_type})"
        ) from None


def to_value(value: Any, unit: u.UnitBase | str, name: str) -> Any:
    """Value of a Quantity in ``unit`` (float or array), after checking it has units."""
    return require_quantity(value, unit, name).value


def require_positive(value: Any, unit: u.UnitBase | str, name: str) -> u.Quantity:
    """Like :func:`require_quantity`, and every element must be finite and > 0."""
    q = require_quantity(value, unit, name)
    v = np.asarray(q.value)
    if not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ParameterError(f"{name} must be finite and positive; got {value}")
    return q
