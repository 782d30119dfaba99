"""One record of a star's physical properties: radius, mass, Teff, log g, density, magnitudes.

:class:`StellarProperties` carries astropy units at every field; :meth:`~StellarProperties.as_mapping`
gives the same values as plain floats with the unit in the key (what the numeric core and
:func:`starskope.vetting.vet` take), and :meth:`~StellarProperties.from_mapping` reads either
form back.
"""

from __future__ import annotations

import math
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from typing import Any, ClassVar

import astropy.units as u

from ..errors import CatalogError, ParameterError
from ..quantities import require_positive, require_quantity

__all__ = ["LOGG_SUN", "LOGG_UNIT", "RHO_SUN", "StellarProperties"]

#: Solar surface gravity, log10(cm s⁻²) (IAU 2015 nominal).
LOGG_SUN = 4.438
#: Mean solar density, g cm⁻³ (the TIC gives densities in these units).
RHO_SUN = 1.408
#: Unit of log g: dex(cm s⁻²).
LOGG_UNIT = u.dex(u.cm / u.s**2)
# log g outside this range is no star (white dwarfs reach ~9, supergiants ~0)
_LOGG_RANGE = (-1.0, 9.0)

# plain-float keys of as_mapping(): field name → (key, unit)
_FLOAT_KEYS: dict[str, tuple[str, Any]] = {
    "radius": ("radius_rsun", u.Rsun),
    "mass": ("mass_msun", u.Msun),
    "logg": ("logg_cgs", LOGG_UNIT),
    "teff": ("teff_k", u.K),
    "density": ("density_gcc", u.g / u.cm**3),
}


def _check_logg(value: u.Quantity, name: str) -> u.Quantity:
    g = float(value.to_value(LOGG_UNIT))
    if not (math.isfinite(g) and _LOGG_RANGE[0] < g < _LOGG_RANGE[1]):
        raise ParameterError(f"{name} must be log10(g / cm s^-2) in {_LOGG_RANGE}; got {g}")
    return value


@dataclass(frozen=True)
class StellarProperties:
    """Physical properties of one star.

    Attributes
    ----------
    target : str
        Canonical name, e.g. 'TIC 261136679', 'KIC 11904151', 'EPIC 201367065', 'K2-3'.
    radius : Quantity [R☉] or None
        Stellar radius.
    mass : Quantity [M☉] or None
        Stellar mass.
    teff : Quantity [K] or None
        Effective temperature.
    logg : Quantity [dex(cm s⁻²)] or None
        Surface gravity.
    density : Quantity [g cm⁻³] or None
        Mean density.
    magnitudes : dict of str to float
        Band → magnitude ('Tmag', 'Kepmag', 'Vmag', 'Gmag', 'Jmag', 'Hmag', 'Kmag').
    ra, dec : Quantity [deg] or None
        Position.
    ids : dict of str to int
        Catalogue numbers known for the star ('TIC', 'KIC', 'EPIC').
    uncertainties : dict of str to Quantity
        1-σ errors where the source gives them ('radius', 'mass', 'teff', 'logg', 'density').
    source : str
        Where the values came from ('MAST TIC', 'cache (MAST TIC)', 'TOI table (shipped)',
        'user', …; several joined by ' + ').
    notes : tuple of str
        Derivations and caveats.

    Raises
    ------
    UnitsError
        A field without units, or with units of the wrong kind.
    ParameterError
        A radius, mass, Teff, density or error that is not finite and positive; an
        uncertainty for a field that has none.
    """

    target: str
    radius: u.Quantity | None = None
    mass: u.Quantity | None = None
    teff: u.Quantity | None = None
    logg: u.Quantity | None = None
    density: u.Quantity | None = None
    magnitudes: dict[str, float] = field(default_factory=dict)
    ra: u.Quantity | None = None
    dec: u.Quantity | None = None
    ids: dict[str, int] = field(default_factory=dict)
    uncertainties: dict[str, u.Quantity] = field(default_factory=dict)
    source: str = ""
    notes: tuple[str, ...] = ()

    _UNITS: ClassVar[dict[str, Any]] = {"radius": u.Rsun, "mass": u.Msun, "teff": u.K, "logg": LOGG_UNIT,
                                        "density": u.g / u.cm**3, "ra": u.deg, "dec": u.deg}

    def __post_init__(self) -> None:
        # every field in its documented unit, so readers can trust .to_value(unit)
        for name in ("radius", "mass", "teff", "density"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, require_positive(value, self._UNITS[name], f"stellar {name}"))
        for name in ("logg", "ra", "dec"):
            value = getattr(self, name)
            if value is not None:
                object.__setattr__(self, name, require_quantity(value, self._UNITS[name], f"stellar {name}"))
        unc = {}
        for name, value in self.uncertainties.items():
            if name not in _FLOAT_KEYS:
                raise ParameterError(
                    f"uncertainty of unknown stellar property {name!r}; known: {', '.join(_FLOAT_KEYS)}")
            if name == "logg":
                unc[name] = require_quantity(value, LOGG_UNIT, "stellar logg error")
            else:
                unc[name] = require_positive(value, self._UNITS[name], f"stellar {name} error")
        object.__setattr__(self, "uncertainties", unc)

    # ------------------------------------------------------------------ plain forms

    def as_mapping(self) -> dict[str, float]:
        """Plain floats with the unit in the key, NaN where unknown.

        Keys: ``radius_rsun``, ``mass_msun``, ``logg_cgs`` (log10 cm s⁻²), ``teff_k``,
        ``density_gcc`` (g cm⁻³), and each with ``_err`` (1-σ). This is the form
        :func:`starskope.vetting.vet` and the numeric core take.
        """
        out: dict[str, float] = {}
        for name, (key, unit) in _FLOAT_KEYS.items():
            q = getattr(self, name)
            out[key] = float("nan") if q is None else float(q.to_value(unit))
            err = self.uncertainties.get(name)
            out[f"{key}_err"] = float("nan") if err is None else float(err.to_value(unit))
        return out

    def as_row(self) -> dict[str, float]:
        """The values (no errors) for a results row: ``stellar_radius_rsun``, ``stellar_mass_msun``,
        ``stellar_teff_k``, ``stellar_logg_cgs``, ``stellar_density_gcc`` (NaN where unknown)."""
        plain = self.as_mapping()
        return {f"stellar_{key}": plain[key] for key in
                ("radius_rsun", "mass_msun", "teff_k", "logg_cgs", "density_gcc")}

    @classmethod
    def from_mapping(cls, values: Any, *, target: str = "", source: str = "user",
                     name: str = "stellar") -> StellarProperties:
        """Properties from a mapping (a StellarProperties passes through unchanged).

        Parameters
        ----------
        values : mapping or StellarProperties
            Either form, or both mixed: Quantities under ``radius``, ``mass``, ``teff``,
            ``density`` and ``logg`` (dex(cm s⁻²)); or plain floats under the keys of
            :meth:`as_mapping` (``radius_rsun``, ``logg_cgs``, …, ``*_err``; NaN means
            unknown). Also ``magnitudes`` (band → mag), ``target`` and ``source``.
        target, source : str
            Used when ``values`` does not give them.
        name : str
            What the values are, for error messages ('user radius must be …').

        Returns
        -------
        StellarProperties
            Completed: mass from log g and radius, density from mass and radius
            (:meth:`complete`).

        Raises
        ------
        ParameterError
            Not a mapping; an unknown key; a value that is not finite and positive; log g
            outside (-1, 9).
        UnitsError
            A Quantity key given a bare number, or the wrong kind of unit.
        """
        if isinstance(values, StellarProperties):
            return values
        if not isinstance(values, Mapping):
            raise ParameterError(
                f"{name} values must be a StellarProperties or a mapping of radius/mass/teff/logg/density; "
                f"got {type(values).__name__}")
        float_keys = {key: (fname, unit) for fname, (key, unit) in _FLOAT_KEYS.items()}
        known = [*_FLOAT_KEYS, *float_keys, *(f"{k}_err" for k in float_keys), "magnitudes", "target", "source"]
        kw: dict[str, Any] = {}
        unc: dict[str, u.Quantity] = {}
        for key, value in values.items():
            if key in ("radius", "mass", "teff", "density"):
                kw[key] = require_positive(value, cls._UNITS[key], f"{name} {key}")
            elif key == "logg":
                kw["logg"] = _check_logg(require_quantity(value, LOGG_UNIT, f"{name} logg"), f"{name} logg")
            elif key in float_keys or (key.endswith("_err") and key[:-4] in float_keys):
                fname, unit = float_keys[key.removesuffix("_err")]
                try:
                    f = float(value)
                except (TypeError, ValueError):
                    raise ParameterError(f"{name} {key} must be a number; got {value!r}") from None
                if math.isnan(f):
                    continue  # NaN is as_mapping()'s "unknown"
                label = f"{name} {key}"
                if key.endswith("_err") or fname != "logg":
                    if not (math.isfinite(f) and f > 0):
                        raise ParameterError(f"{label} must be finite and positive; got {value}")
                q = f * unit
                if key.endswith("_err"):
                    unc[fname] = q
                else:
                    kw[fname] = _check_logg(q, label) if fname == "logg" else q
            elif key == "magnitudes":
                kw["magnitudes"] = {str(k): float(v) for k, v in dict(value).items()}
            elif key in ("target", "source"):
                kw[key] = str(value)
            else:
                raise ParameterError(f"unknown stellar property {key!r} in {name} values; known: {', '.join(known)}")
        kw.setdefault("target", target)
        kw.setdefault("source", source)
        return cls(**kw, uncertainties=unc).complete()

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (floats in the attribute units, None when unknown)."""
        out: dict[str, Any] = {"target": self.target}
        for name, unit in self._UNITS.items():
            q = getattr(self, name)
            out[name] = None if q is None else float(q.to_value(unit))
        out["magnitudes"] = {k: float(v) for k, v in self.magnitudes.items()}
        out["ids"] = {k: int(v) for k, v in self.ids.items()}
        out["uncertainties"] = {k: float(v.to_value(self._UNITS[k])) for k, v in self.uncertainties.items()}
        out["source"] = self.source
        out["notes"] = list(self.notes)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StellarProperties:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        CatalogError
            A field is missing, of the wrong type, or out of range.
        """
        try:
            kw: dict[str, Any] = {"target": str(data["target"])}
            for name, unit in cls._UNITS.items():
                v = data[name]
                kw[name] = None if v is None else float(v) * unit
            kw["magnitudes"] = {str(k): float(v) for k, v in dict(data["magnitudes"]).items()}
            kw["ids"] = {str(k): int(v) for k, v in dict(data["ids"]).items()}
            kw["uncertainties"] = {str(k): float(v) * cls._UNITS[str(k)]
                                   for k, v in dict(data["uncertainties"]).items()}
            kw["source"] = str(data["source"])
            kw["notes"] = tuple(str(n) for n in data["notes"])
            return cls(**kw)
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CatalogError(f"stellar-property record is malformed: {type(exc).__name__} {exc}") from None

    # ------------------------------------------------------------------ derived values

    def complete(self) -> StellarProperties:
        """Fill mass from log g and radius, and density from mass and radius, noting each."""
        notes = list(self.notes)
        mass, density = self.mass, self.density
        if mass is None and self.radius is not None and self.logg is not None:
            m = 10 ** (self.logg.to_value(LOGG_UNIT) - LOGG_SUN) * self.radius.to_value(u.Rsun) ** 2
            mass = m * u.Msun
            notes.append("mass derived from log g and radius (M = g R²/G)")
        if density is None and mass is not None and self.radius is not None:
            rho = mass.to_value(u.Msun) / self.radius.to_value(u.Rsun) ** 3 * RHO_SUN
            density = rho * u.g / u.cm**3
            notes.append("density derived from mass and radius")
        return replace(self, mass=mass, density=density, notes=tuple(notes))

    def summary(self) -> str:
        """Multi-line human-readable description."""
        def fmt(q: u.Quantity | None, unit: Any, spec: str) -> str:
            return "unknown" if q is None else f"{q.to_value(unit):{spec}} {unit}"

        lines = [
            f"{self.target}  ({', '.join(f'{k} {v}' for k, v in self.ids.items()) or 'no ids'})",
            f"  radius   {fmt(self.radius, u.Rsun, '.3f')}",
            f"  mass     {fmt(self.mass, u.Msun, '.3f')}",
            f"  Teff     {fmt(self.teff, u.K, '.0f')}",
            f"  log g    {'unknown' if self.logg is None else f'{self.logg.to_value(LOGG_UNIT):.3f} dex(cm/s2)'}",
            f"  density  {fmt(self.density, u.g / u.cm**3, '.3f')}",
            "  mags     " + (", ".join(f"{k}={v:.3f}" for k, v in self.magnitudes.items()) or "none"),
            f"  source   {self.source}",
        ]
        lines += [f"  note     {n}" for n in self.notes]
        return "\n".join(lines)

