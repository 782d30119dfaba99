"""What vetting needs to know about the star: :class:`HostStar`.

Vetting does not look stars up; the caller does (:func:`starskope.stars.get_stellar_properties`)
and passes the result, or a mapping, or nothing. :meth:`HostStar.from_value` reads any of
them: a :class:`~starskope.stars.StellarProperties` (through its ``as_mapping()``), a
mapping of Quantities (``radius``, ``mass``, ``teff``, ``density``; ``logg`` a number in
log10(cm s⁻²)) or of plain floats with the unit in the key (``radius_rsun``,
``mass_msun``, ``teff_k``, ``logg_cgs``, ``density_gcc``, each also with ``_err``), or
any object with ``radius``/``mass``/``teff``/``logg``/``density`` attributes.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass
from typing import Any

import astropy.constants as const
import astropy.units as u

from ..errors import ParameterError
from ..quantities import require_positive

__all__ = ["HostStar"]

# field → (plain-float key, unit)
_FIELDS: dict[str, tuple[str, Any]] = {
    "radius": ("radius_rsun", u.R_sun),
    "mass": ("mass_msun", u.M_sun),
    "teff": ("teff_k", u.K),
    "logg": ("logg_cgs", None),
    "density": ("density_gcc", u.g / u.cm**3),
}
_FLOAT_KEYS = {key: name for name, (key, _unit) in _FIELDS.items()}
# keys a mapping may carry that vetting does not use
_IGNORED_KEYS = ("source", "target", "magnitudes")
_STRING_HINT = (
    "vet no longer looks stars up; pass the stellar parameters "
    "(starskope.stars.get_stellar_properties(target)), a mapping, or None"
)


def _logg_value(value: Any, name: str) -> float:
    """log g as a float in log10(cm s⁻²) from a number or a dex Quantity."""
    if isinstance(value, u.Quantity):
        try:
            value = value.to_value(u.dex(u.cm / u.s**2))
        except u.UnitConversionError:
            raise ParameterError(f"{name} must be log10(g / cm s^-2) (a number or dex(cm/s2)); got {value}") from None
    try:
        g = float(value)
    except (TypeError, ValueError):
        raise ParameterError(f"{name} must be a number, log10(g / cm s^-2); got {value!r}") from None
    if not (math.isfinite(g) and -1.0 < g < 9.0):
        raise ParameterError(f"{name} must be log10(g / cm s^-2) in (-1, 9); got {value}")
    return g


@dataclass(frozen=True)
class HostStar:
    """The stellar parameters vetting uses (any may be unknown, None).

    Attributes
    ----------
    radius : Quantity [R_sun] or None
    mass : Quantity [M_sun] or None
        Derived from log g and radius (M = g R² / G) when not given.
    teff : Quantity [K] or None
    logg : float or None
        log10 of the surface gravity in cm s⁻².
    density : Quantity [g / cm³] or None
        Derived from mass and radius (ρ = 3M / 4πR³) when not given.
    errors : dict
        1-σ errors given with the values (same keys and units as the fields); kept for
        the caller, not used by the diagnostics.
    source : str
        Where the values came from.

    Raises
    ------
    UnitsError
        A radius, mass, Teff or density without units or with the wrong kind.
    ParameterError
        A value that is not finite and positive; log g outside (−1, 9).
    """

    radius: u.Quantity | None = None
    mass: u.Quantity | None = None
    teff: u.Quantity | None = None
    logg: float | None = None
    density: u.Quantity | None = None
    errors: Mapping[str, Any] | None = None
    source: str = "user"

    def __post_init__(self) -> None:
        for name in ("radius", "mass", "teff", "density"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, require_positive(value, _FIELDS[name][1], f"stellar {name}"))
        if self.logg is not None:
            object.__setattr__(self, "logg", _logg_value(self.logg, "stellar logg"))
        if self.mass is None and self.radius is not None and self.logg is not None:
            g_cgs = 10.0 ** self.logg * u.cm / u.s**2
            object.__setattr__(self, "mass", (g_cgs * self.radius**2 / const.G).to(u.M_sun))
        if self.density is None and self.mass is not None and self.radius is not None:
            object.__setattr__(self, "density", (3 * self.mass / (4 * math.pi * self.radius**3)).to(u.g / u.cm**3))
        object.__setattr__(self, "errors", dict(self.errors or {}))

    @classmethod
    def from_value(cls, value: Any) -> HostStar | None:
        """A HostStar from what a caller of :func:`~starskope.vetting.vet` may pass as ``stellar``.

        Parameters
        ----------
        value : None, HostStar, mapping or object
            See the module docstring. NaN under a plain-float key means unknown.

        Returns
        -------
        HostStar or None
            None for None.

        Raises
        ------
        ParameterError
            A string (vetting does not look stars up), an unknown key in a mapping, or
            an object with neither stellar attributes nor ``as_mapping()``/``to_dict()``.
        """
        if value is None or isinstance(value, HostStar):
            return value
        if isinstance(value, str):
            raise ParameterError(f"stellar={value!r}: {_STRING_HINT}")
        if isinstance(value, Mapping):
            return cls._from_mapping(value, strict=True)
        as_mapping = getattr(value, "as_mapping", None)
        if callable(as_mapping):
            return cls._from_mapping(as_mapping(), strict=False, source=getattr(value, "source", "") or "user")
        if any(hasattr(value, name) for name in _FIELDS):
            return cls(radius=getattr(value, "radius", None), mass=getattr(value, "mass", None),
                       teff=getattr(value, "teff", None), logg=getattr(value, "logg", None),
                       density=getattr(value, "density", None), source=str(getattr(value, "source", "user")))
        to_dict = getattr(value, "to_dict", None)
        if callable(to_dict):
            return cls._from_mapping(to_dict(), strict=False, plain_in_field_units=True)
        raise ParameterError(
            "stellar must be None, a mapping of radius/mass/teff/logg/density, or an object with those "
            f"attributes or an as_mapping() method; got {type(value).__name__}"
        )

    @classmethod
    def _from_mapping(cls, values: Mapping[str, Any], *, strict: bool, source: str = "user",
                      plain_in_field_units: bool = False) -> HostStar:
        kw: dict[str, Any] = {}
        errors: dict[str, Any] = {}
        for key, value in values.items():
            base = key.removesuffix("_err")
            is_err = key.endswith("_err")
            if base in _FIELDS and not (plain_in_field_units and not isinstance(value, u.Quantity)):
                name = base
                if value is None:
                    continue
            elif base in _FLOAT_KEYS or (plain_in_field_units and base in _FIELDS):
                name = _FLOAT_KEYS.get(base, base)
                try:
                    f = float(value)
                except (TypeError, ValueError):
                    if strict:
                        raise ParameterError(f"stellar {key} must be a number; got {value!r}") from None
                    continue
                if math.isnan(f):
                    continue  # NaN is the plain form of "unknown"
                unit = _FIELDS[name][1]
                value = f if unit is None else f * unit
            elif key == "source":
                source = str(value)
                continue
            elif key in _IGNORED_KEYS or not strict:
                continue
            else:
                known = [*_FIELDS, *_FLOAT_KEYS, *(f"{k}_err" for k in (*_FIELDS, *_FLOAT_KEYS)), *_IGNORED_KEYS]
                raise ParameterError(f"unknown stellar parameter {key!r}; known: {', '.join(known)}")
            if is_err:
                errors[name] = value
            else:
                kw[name] = value
        return cls(**kw, errors=errors, source=source)

    def as_row(self) -> dict[str, float]:
        """Floats with the unit in the name, NaN where unknown (the report's ``stellar``)."""

        def v(q: u.Quantity | None, unit: Any) -> float:
            return float("nan") if q is None else float(q.to_value(unit))

        return {
            "stellar_radius_rsun": v(self.radius, u.R_sun),
            "stellar_mass_msun": v(self.mass, u.M_sun),
            "stellar_teff_k": v(self.teff, u.K),
            "stellar_logg_cgs": float("nan") if self.logg is None else float(self.logg),
            "stellar_density_gcc": v(self.density, u.g / u.cm**3),
        }
