"""Transit physics with units: radii, orbits, durations, densities, temperatures, times.

Every public function takes astropy Quantities and returns Quantities (a bare float where
a unit is expected is a :class:`~starskope.errors.UnitsError`; a value outside its
physical range is a :class:`~starskope.errors.ParameterError`). Pure ratios (dilution,
albedo, impact parameter, a/R★, Rp/R★) may be given as plain numbers or dimensionless
Quantities. Transit depths and noise levels must carry units (``290 * ppm`` or
``2.9e-4 * u.dimensionless_unscaled``) because a bare number is ambiguous between a
fraction, a percentage and parts per million. Every function works element-wise on
array Quantities.

The formulas assume a circular orbit and neglect limb darkening; each function names
its source.

The orbit formulas (a/R★, T14, stellar density) also come as a plain-array numeric core
(``*_arrays``: floats in the units their argument names say, NaN where the geometry has
no answer) for the hot paths — the simulator, the vetting diagnostics, the multi-telescope
fits. The Quantity functions check units and ranges and then call the same core, so the
two give the same numbers.

Time conversions turn the missions' day counts into absolute :class:`astropy.time.Time`
objects in the TDB scale and back::

    BKJD = BJD_TDB − 2454833.0   (Kepler and K2; Kepler Archive Manual, KDMC-10008-006 §2.3.2)
    BTJD = BJD_TDB − 2457000.0   (TESS; TESS Science Data Products Description, §5.1)
    BMJD = BJD_TDB − 2400000.5   (modified Julian date on the same barycentric TDB scale)

Examples
--------
>>> import astropy.units as u
>>> from starskope.physics import planet_radius, semi_major_axis, ppm
>>> planet_radius(290 * ppm, 1.10 * u.R_sun).round(2)          # pi Men c
<Quantity 2.04 earthRad>
>>> semi_major_axis(365.25 * u.day, 1 * u.M_sun).round(3)
<Quantity 1. AU>
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import astropy.constants as const
import astropy.units as u
import numpy as np
from astropy.time import Time
from astropy.units import cds

from . import lightcurve as _lightcurve  # noqa: F401  (importing lightkurve registers the 'bkjd'/'btjd' Time formats)
from .errors import ParameterError, TimeSystemError, UnitsError
from .missions import DAY_COUNT_OFFSETS
from .quantities import require_quantity
from .registry import Registry

__all__ = [
    "BJD_OFFSETS",
    "TIME_SYSTEMS",
    "S_earth",
    "a_over_rstar_arrays",
    "a_over_rstar_from_density",
    "a_over_rstar_from_density_arrays",
    "a_over_rstar_from_duration",
    "a_over_rstar_from_duration_arrays",
    "bjd_to_bkjd",
    "bjd_to_btjd",
    "bjd_to_iso",
    "bkjd_to_bjd",
    "bkjd_to_time",
    "btjd_to_bjd",
    "btjd_to_time",
    "convert_time",
    "depth_from_radii",
    "equilibrium_temperature",
    "insolation",
    "period_from_semi_major_axis",
    "period_range_from_duration",
    "period_range_from_duration_arrays",
    "planet_radius",
    "ppm",
    "semi_major_axis",
    "snr_expected",
    "stellar_density",
    "stellar_density_from_transit",
    "stellar_density_from_transit_arrays",
    "time_to_bjd",
    "time_to_bkjd",
    "time_to_btjd",
    "transit_duration",
    "transit_duration_arrays",
]

#: Parts per million (1e-6), the usual unit of transit depths and CDPP.
ppm = cds.ppm

#: Earth's insolation: the solar luminosity spread over a sphere of 1 AU,
#: L☉ / (4π · 1 AU²) ≈ 1361 W m⁻² (IAU 2015 nominal L☉ = 3.828e26 W).
S_earth = u.def_unit(
    "S_earth",
    (const.L_sun / (4 * np.pi * const.au**2)).to(u.W / u.m**2),
    doc="Earth's insolation, L_sun / (4 pi au^2)",
)

# Largest stellar radius (~2000 R☉, above the biggest red supergiants) and mass
# (~300 R☉, above the most massive stars known) accepted before a value is called absurd.
_MAX_STELLAR_RADIUS = 2000.0 * u.R_sun
_MAX_STELLAR_MASS = 300.0 * u.M_sun
_MAX_TEFF = 1.0e6 * u.K

# Constants of the plain-array cores: GM☉ (IAU 2015 nominal) in m³/day², R☉ in m, and G in cgs.
_GM_SUN_M3_PER_DAY2 = const.GM_sun.to_value(u.m**3 / u.day**2)
_R_SUN_M = const.R_sun.to_value(u.m)
_G_CGS = const.G.cgs.value
_DAY_S = 86400.0


# --------------------------------------------------------------------------------------
# argument checking


def _positive(
    value: Any, unit: u.UnitBase, name: str, upper: u.Quantity | None = None
) -> u.Quantity:
    q = require_quantity(value, unit, name)
    v = np.asarray(q.value, dtype=float)
    if not np.all(np.isfinite(v)) or np.any(v <= 0):
        raise ParameterError(f"{name} must be finite and positive; got {value}")
    if upper is not None and np.any(q > upper):
        raise ParameterError(f"{name} must be at most {upper}; got {value}, which is not physical")
    return q


def _non_negative(value: Any, unit: u.UnitBase, name: str) -> u.Quantity:
    q = require_quantity(value, unit, name)
    v = np.asarray(q.value, dtype=float)
    if not np.all(np.isfinite(v)) or np.any(v < 0):
        raise ParameterError(f"{name} must be finite and ≥ 0; got {value}")
    return q


def _ratio(value: Any, name: str) -> np.ndarray | float:
    """A pure number given as a float or a dimensionless Quantity, as float(s)."""
    if isinstance(value, u.Quantity):
        v = require_quantity(value, u.dimensionless_unscaled, name).value
    else:
        try:
            v = np.asarray(value, dtype=float)
        except (TypeError, ValueError):
            raise UnitsError(
                f"{name} must be a number or a dimensionless Quantity; got {value!r}"
            ) from None
    v = np.asarray(v, dtype=float)
    if not np.all(np.isfinite(v)):
        raise ParameterError(f"{name} must be finite; got {value}")
    return v if v.ndim else float(v)


def _fraction(value: Any, name: str) -> np.ndarray | float:
    """A transit depth or noise level: a dimensionless Quantity (not a bare float)."""
    q = require_quantity(value, u.dimensionless_unscaled, name)
    v = np.asarray(q.value, dtype=float)
    if not np.all(np.isfinite(v)) or np.any(v <= 0) or np.any(v >= 1):
        raise ParameterError(
            f"{name} must be a fraction between 0 and 1 (exclusive); got {value} "
            f"(= {q.to_value(u.dimensionless_unscaled)} as a fraction)"
        )
    return v if v.ndim else float(v)


# --------------------------------------------------------------------------------------
# radii and depths


def planet_radius(depth: u.Quantity, stellar_radius: u.Quantity, dilution: Any = 1.0) -> u.Quantity:
    """Planet radius from the transit depth.

    .. math:: R_p = R_\\star \\sqrt{\\delta \\, D}

    where δ is the observed depth and D the dilution, the ratio of the total flux in
    the aperture to the target's own flux (D = 1 when no neighbour adds light; a
    neighbour as bright as the target gives D = 2). Limb darkening is neglected, so
    the radius is good to ~10% (Seager & Mallén-Ornelas 2003, ApJ 585, 1038).

    Parameters
    ----------
    depth : Quantity [dimensionless]
        Observed fractional depth, e.g. ``290 * ppm``.
    stellar_radius : Quantity [length]
        Radius of the host star.
    dilution : float, optional
        Total flux / target flux (≥ 1).

    Returns
    -------
    Quantity [R_earth]

    Raises
    ------
    UnitsError
        ``depth`` or ``stellar_radius`` without units or with the wrong kind of unit.
    ParameterError
        Depth outside (0, 1), a non-positive or absurd stellar radius, dilution < 1.
    """
    delta = _fraction(depth, "depth")
    rstar = _positive(stellar_radius, u.R_sun, "stellar_radius", _MAX_STELLAR_RADIUS)
    d = _ratio(dilution, "dilution")
    if np.any(np.asarray(d) < 1):
        raise ParameterError(
            f"dilution is total flux / target flux and must be ≥ 1; got {dilution}"
        )
    undiluted = np.asarray(delta) * d
    if np.any(undiluted >= 1):
        raise ParameterError(
            f"depth × dilution = {undiluted} ≥ 1: the undiluted dip would remove all the star's light"
        )
    return (rstar * np.sqrt(undiluted)).to(u.R_earth)


def depth_from_radii(
    planet_radius: u.Quantity, stellar_radius: u.Quantity, dilution: Any = 1.0
) -> u.Quantity:
    """Transit depth a planet of a given radius makes: δ = (Rp/R★)² / D.

    The inverse of :func:`planet_radius` (same assumptions: no limb darkening, the
    planet wholly inside the disc).

    Parameters
    ----------
    planet_radius, stellar_radius : Quantity [length]
    dilution : float, optional
        Total flux / target flux (≥ 1).

    Returns
    -------
    Quantity [dimensionless]

    Raises
    ------
    ParameterError
        Non-positive radii, a planet as large as its star, dilution < 1.
    """
    rp = _positive(planet_radius, u.R_earth, "planet_radius")
    rstar = _positive(stellar_radius, u.R_sun, "stellar_radius", _MAX_STELLAR_RADIUS)
    d = _ratio(dilution, "dilution")
    if np.any(np.asarray(d) < 1):
        raise ParameterError(
            f"dilution is total flux / target flux and must be ≥ 1; got {dilution}"
        )
    k = (rp / rstar).to_value(u.dimensionless_unscaled)
    if np.any(k >= 1):
        raise ParameterError(
            f"planet_radius {planet_radius} is not smaller than stellar_radius {stellar_radius}"
        )
    return (k**2 / d) * u.dimensionless_unscaled


# --------------------------------------------------------------------------------------
# orbits


def semi_major_axis(
    period: u.Quantity, stellar_mass: u.Quantity, planet_mass: u.Quantity | None = None
) -> u.Quantity:
    """Orbital semi-major axis from Kepler's third law.

    .. math:: a = \\left( \\frac{G (M_\\star + M_p) P^2}{4\\pi^2} \\right)^{1/3}

    Newton's form of the law for a two-body circular or elliptical orbit (Murray &
    Correia 2010, "Keplerian Orbits and Dynamics of Exoplanets", in Exoplanets, ed. Seager); the Earth
    (1 sidereal year, 1 M☉) comes out at 1 AU.

    Parameters
    ----------
    period : Quantity [time]
    stellar_mass : Quantity [mass]
    planet_mass : Quantity [mass], optional
        Neglected (zero) when not given.

    Returns
    -------
    Quantity [AU]

    Raises
    ------
    ParameterError
        Non-positive period or stellar mass, absurd stellar mass, negative planet mass.
    """
    p = _positive(period, u.day, "period")
    m = _positive(stellar_mass, u.M_sun, "stellar_mass", _MAX_STELLAR_MASS)
    mp = 0 * u.M_sun if planet_mass is None else _non_negative(planet_mass, u.M_sun, "planet_mass")
    a3 = const.G * (m + mp) * p**2 / (4 * np.pi**2)
    return np.cbrt(a3.to(u.AU**3).value) * u.AU


def period_from_semi_major_axis(
    semi_major_axis: u.Quantity, stellar_mass: u.Quantity, planet_mass: u.Quantity | None = None
) -> u.Quantity:
    """Orbital period from Kepler's third law, P = 2π √(a³ / (G (M★ + Mp))).

    The inverse of :func:`semi_major_axis`.

    Returns
    -------
    Quantity [day]
    """
    a = _positive(semi_major_axis, u.AU, "semi_major_axis")
    m = _positive(stellar_mass, u.M_sun, "stellar_mass", _MAX_STELLAR_MASS)
    mp = 0 * u.M_sun if planet_mass is None else _non_negative(planet_mass, u.M_sun, "planet_mass")
    return (2 * np.pi * np.sqrt(a**3 / (const.G * (m + mp)))).to(u.day)


def transit_duration(
    period: u.Quantity,
    stellar_radius: u.Quantity,
    stellar_mass: u.Quantity,
    planet_radius: u.Quantity | None = None,
    impact_parameter: Any = 0.0,
) -> u.Quantity:
    """Expected total transit duration T14 (first to last contact), circular orbit.

    .. math::

        T_{14} = \\frac{P}{\\pi} \\arcsin\\left[ \\frac{R_\\star}{a}
                 \\frac{\\sqrt{(1 + k)^2 - b^2}}{\\sin i} \\right],
        \\qquad \\cos i = b \\frac{R_\\star}{a}, \\quad k = \\frac{R_p}{R_\\star}

    with ``a`` from Kepler's third law (Winn 2010, "Transits and Occultations",
    eq. 14; Seager & Mallén-Ornelas 2003). ``impact_parameter=0`` is a central
    transit: for the Earth and the Sun it gives about 13 h.

    Parameters
    ----------
    period : Quantity [time]
    stellar_radius : Quantity [length]
    stellar_mass : Quantity [mass]
    planet_radius : Quantity [length], optional
        Neglected (k = 0) when not given.
    impact_parameter : float, optional
        b, the sky-projected distance of closest approach in stellar radii (≥ 0).

    Returns
    -------
    Quantity [hour]

    Raises
    ------
    ParameterError
        No transit (b ≥ 1 + k) or an orbit inside the star (a ≤ R★ (1 + k)).
    """
    rstar = _positive(stellar_radius, u.R_sun, "stellar_radius", _MAX_STELLAR_RADIUS)
    p = _positive(period, u.day, "period")
    m = _positive(stellar_mass, u.M_sun, "stellar_mass", _MAX_STELLAR_MASS)
    k = (
        0.0
        if planet_radius is None
        else (_non_negative(planet_radius, u.R_earth, "planet_radius") / rstar).to_value(
            u.dimensionless_unscaled
        )
    )
    b = _ratio(impact_parameter, "impact_parameter")
    if np.any(np.asarray(b) < 0):
        raise ParameterError(f"impact_parameter must be ≥ 0; got {impact_parameter}")
    if np.any(np.asarray(b) >= 1 + np.asarray(k)):
        raise ParameterError(
            f"impact_parameter {impact_parameter} ≥ 1 + Rp/R★: the planet misses the star, no transit"
        )
    p_days = p.to_value(u.day)
    a_r = a_over_rstar_arrays(p_days, m.to_value(u.M_sun), rstar.to_value(u.R_sun))
    if np.any(a_r <= 1 + np.asarray(k)):
        raise ParameterError(
            f"the orbit (a = {a_r * rstar}) lies inside the star (R★ = {rstar}); "
            "check period, stellar_mass and stellar_radius"
        )
    sin_i = np.sqrt(1 - (b / a_r) ** 2)
    if np.any(np.sqrt((1 + k) ** 2 - b**2) / (a_r * sin_i) > 1):
        raise ParameterError(
            f"the orbit (a/R★ = {a_r}) is too tight for the transit formula; check the inputs"
        )
    return (transit_duration_arrays(p_days, a_r, k, b) * u.day).to(u.hour)


def a_over_rstar_arrays(period_days: Any, mass_msun: Any, radius_rsun: Any) -> np.ndarray | float:
    """Scaled semi-major axis a/R★ from Kepler's third law (numeric core, planet mass neglected).

    .. math:: \\frac{a}{R_\\star} = \\frac{1}{R_\\star}
              \\left( \\frac{G M_\\star P^2}{4\\pi^2} \\right)^{1/3}

    Parameters
    ----------
    period_days : float or ndarray
        Orbital period, days.
    mass_msun, radius_rsun : float or ndarray
        Stellar mass (M☉) and radius (R☉).

    Returns
    -------
    float or ndarray
        a/R★ (float for scalar input).
    """
    a_m = np.cbrt(
        _GM_SUN_M3_PER_DAY2 * np.asarray(mass_msun, dtype=float) * np.asarray(period_days, dtype=float) ** 2
        / (4 * np.pi**2)
    )
    out = a_m / (np.asarray(radius_rsun, dtype=float) * _R_SUN_M)
    return out if np.ndim(out) else float(out)


def transit_duration_arrays(
    period_days: Any, a_over_rstar: Any, radius_ratio: Any = 0.0, impact: Any = 0.0
) -> np.ndarray | float:
    """Total transit duration T14 of a circular orbit, days (numeric core of :func:`transit_duration`).

    .. math:: T_{14} = \\frac{P}{\\pi} \\arcsin\\left[ \\frac{\\sqrt{(1 + k)^2 - b^2}}
                                                     {(a/R_\\star) \\sin i} \\right],
              \\qquad \\sin i = \\sqrt{1 - (b R_\\star / a)^2}

    (Winn 2010, eq. 14.) The arcsine's argument is capped at 1 (T14 = P/2 for an orbit
    that grazes the stellar surface).

    Parameters
    ----------
    period_days : float or ndarray
        Orbital period, days.
    a_over_rstar : float or ndarray
        Scaled semi-major axis.
    radius_ratio : float or ndarray
        k = Rp/R★.
    impact : float or ndarray
        Impact parameter b, stellar radii.

    Returns
    -------
    float or ndarray
        T14 in days; NaN where a/R★ ≤ 1 or b ≥ 1 + k (no transit).
    """
    a = np.asarray(a_over_rstar, dtype=float)
    b = np.asarray(impact, dtype=float)
    k = np.asarray(radius_ratio, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        sin_i = np.sqrt(np.maximum(1.0 - (b / a) ** 2, 1e-300))
        arg = np.sqrt(np.clip((1.0 + k) ** 2 - b**2, 0.0, None)) / (a * sin_i)
        out = np.asarray(period_days, dtype=float) / np.pi * np.arcsin(np.clip(arg, 0.0, 1.0))
    out = np.where((a > 1.0) & (b < 1.0 + k), out, np.nan)
    return out if np.ndim(out) else float(out)


def a_over_rstar_from_duration(
    period: u.Quantity, duration: u.Quantity, radius_ratio: Any = 0.0, impact_parameter: Any = 0.0
) -> u.Quantity:
    """Scaled semi-major axis a/R★ from the period and total transit duration T14.

    Inverts :func:`transit_duration` (Winn 2010 eq. 14 solved for a/R★, circular orbit;
    cf. Seager & Mallén-Ornelas 2003):

    .. math:: \\frac{a}{R_\\star} = \\frac{\\sqrt{(1 + k)^2 - b^2 \\cos^2(\\pi T_{14}/P)}}
                                         {\\sin(\\pi T_{14}/P)}

    Parameters
    ----------
    period, duration : Quantity [time]
        Orbital period and T14; T14 must be shorter than P/2.
    radius_ratio : float, optional
        k = Rp/R★ (≥ 0).
    impact_parameter : float, optional
        b (0 ≤ b < 1 + k).

    Returns
    -------
    Quantity [dimensionless]

    Raises
    ------
    ParameterError
        T14 ≥ P/2, k < 0, b outside [0, 1 + k).
    """
    p = _positive(period, u.day, "period")
    t = _positive(duration, u.day, "duration")
    k = _ratio(radius_ratio, "radius_ratio")
    b = _ratio(impact_parameter, "impact_parameter")
    if np.any(np.asarray(k) < 0):
        raise ParameterError(f"radius_ratio must be ≥ 0; got {radius_ratio}")
    if np.any(np.asarray(b) < 0) or np.any(np.asarray(b) >= 1 + np.asarray(k)):
        raise ParameterError(
            f"impact_parameter must lie in [0, 1 + radius_ratio); got {impact_parameter}"
        )
    p_days, t_days = p.to_value(u.day), t.to_value(u.day)
    if np.any(np.pi * t_days / p_days >= np.pi / 2):
        raise ParameterError(f"duration {duration} must be shorter than half the period {period}")
    return a_over_rstar_from_duration_arrays(p_days, t_days, k, b) * u.dimensionless_unscaled


def a_over_rstar_from_duration_arrays(
    period_days: Any, duration_days: Any, radius_ratio: Any = 0.0, impact: Any = 0.0
) -> np.ndarray | float:
    """a/R★ from the period and T14 (numeric core of :func:`a_over_rstar_from_duration`).

    Parameters
    ----------
    period_days, duration_days : float or ndarray
        Period and total duration T14, days.
    radius_ratio, impact : float or ndarray
        k = Rp/R★ and the impact parameter b.

    Returns
    -------
    float or ndarray
        a/R★; NaN where T14 ≥ P/2 or b ≥ 1 + k.
    """
    phase = np.pi * np.asarray(duration_days, dtype=float) / np.asarray(period_days, dtype=float)
    k = np.asarray(radius_ratio, dtype=float)
    b = np.asarray(impact, dtype=float)
    with np.errstate(invalid="ignore", divide="ignore"):
        ratio = np.sqrt((1 + k) ** 2 - b**2 * np.cos(phase) ** 2) / np.sin(phase)
    ratio = np.where((phase > 0) & (phase < np.pi / 2) & (b < 1 + k), ratio, np.nan)
    return ratio if np.ndim(ratio) else float(ratio)


# --------------------------------------------------------------------------------------
# densities


def stellar_density_from_transit(period: u.Quantity, a_over_rstar: Any) -> u.Quantity:
    """Mean stellar density implied by a transit's a/R★ and period.

    .. math:: \\rho_\\star = \\frac{3\\pi}{G P^2} \\left(\\frac{a}{R_\\star}\\right)^3

    Kepler's third law with the planet's mass neglected (Seager & Mallén-Ornelas 2003). A large mismatch with the catalogue density points to a wrong period, an
    eccentric orbit or a blend.

    Parameters
    ----------
    period : Quantity [time]
    a_over_rstar : float or Quantity [dimensionless]
        Scaled semi-major axis (> 1).

    Returns
    -------
    Quantity [g / cm³]
    """
    p = _positive(period, u.day, "period")
    ar = _ratio(a_over_rstar, "a_over_rstar")
    if np.any(np.asarray(ar) <= 1):
        raise ParameterError(
            f"a_over_rstar must be > 1 (an orbit outside the star); got {a_over_rstar}"
        )
    return stellar_density_from_transit_arrays(p.to_value(u.day), ar) * (u.g / u.cm**3)


def stellar_density_from_transit_arrays(period_days: Any, a_over_rstar: Any) -> np.ndarray | float:
    """Stellar density (g/cm³) from a/R★ and the period (numeric core of
    :func:`stellar_density_from_transit`): ρ★ = 3π (a/R★)³ / (G P²).

    Parameters
    ----------
    period_days : float or ndarray
        Period, days.
    a_over_rstar : float or ndarray
        Scaled semi-major axis.

    Returns
    -------
    float or ndarray
        g/cm³; NaN where a/R★ is not finite or ≤ 1 (an orbit inside the star).
    """
    ar = np.asarray(a_over_rstar, dtype=float)
    p_s = np.asarray(period_days, dtype=float) * _DAY_S
    with np.errstate(invalid="ignore"):
        rho = 3 * np.pi / (_G_CGS * p_s**2) * ar**3
    rho = np.where(np.isfinite(ar) & (ar > 1), rho, np.nan)
    return rho if np.ndim(rho) else float(rho)


def a_over_rstar_from_density(period: u.Quantity, stellar_density: u.Quantity) -> u.Quantity:
    """a/R★ expected for a star of given mean density: (ρ★ G P² / 3π)^(1/3).

    The inverse of :func:`stellar_density_from_transit`.

    Returns
    -------
    Quantity [dimensionless]
    """
    p = _positive(period, u.day, "period")
    rho = _positive(stellar_density, u.g / u.cm**3, "stellar_density")
    return a_over_rstar_from_density_arrays(p.to_value(u.day), rho.to_value(u.g / u.cm**3)) * u.dimensionless_unscaled


def a_over_rstar_from_density_arrays(period_days: Any, density_gcc: Any) -> np.ndarray | float:
    """a/R★ of a star of mean density ρ★ (numeric core of :func:`a_over_rstar_from_density`):
    (G ρ★ P² / 3π)^(1/3).

    Parameters
    ----------
    period_days : float or ndarray
        Period, days.
    density_gcc : float or ndarray
        Mean stellar density, g/cm³.

    Returns
    -------
    float or ndarray
    """
    rho = np.asarray(density_gcc, dtype=float)
    p = np.asarray(period_days, dtype=float)
    out = (_G_CGS * rho * (p * _DAY_S) ** 2 / (3 * np.pi)) ** (1.0 / 3.0)
    return out if np.ndim(out) else float(out)


def stellar_density(mass: u.Quantity, radius: u.Quantity) -> u.Quantity:
    """Mean density of a star, ρ = 3 M / (4π R³) (the Sun: 1.41 g/cm³).

    Returns
    -------
    Quantity [g / cm³]
    """
    m = _positive(mass, u.M_sun, "mass", _MAX_STELLAR_MASS)
    r = _positive(radius, u.R_sun, "radius", _MAX_STELLAR_RADIUS)
    return (3 * m / (4 * np.pi * r**3)).to(u.g / u.cm**3)


# --------------------------------------------------------------------------------------
# irradiation


def equilibrium_temperature(
    teff: u.Quantity,
    stellar_radius: u.Quantity,
    semi_major_axis: u.Quantity,
    albedo: Any = 0.3,
    redistribution: Any = 0.25,
) -> u.Quantity:
    """Planet equilibrium temperature.

    .. math:: T_{eq} = T_{eff} \\sqrt{\\frac{R_\\star}{a}} \\left[ f (1 - A_B) \\right]^{1/4}

    ``redistribution`` is the factor f of Cowan & Agol (2011, ApJ 729, 54): 1/4
    when the heat is spread over the whole planet (the usual "Teq"), 1/2 for a
    dayside-only average, up to 2/3 for the hottest dayside with no redistribution.
    The Earth (A = 0.3, f = 1/4) comes out at 255 K.

    Parameters
    ----------
    teff : Quantity [temperature]
        Stellar effective temperature.
    stellar_radius, semi_major_axis : Quantity [length]
    albedo : float, optional
        Bond albedo A_B in [0, 1].
    redistribution : float, optional
        f in [1/4, 2/3].

    Returns
    -------
    Quantity [K]
    """
    t = _positive(teff, u.K, "teff", _MAX_TEFF)
    rstar = _positive(stellar_radius, u.R_sun, "stellar_radius", _MAX_STELLAR_RADIUS)
    a = _positive(semi_major_axis, u.AU, "semi_major_axis")
    albedo_v = _ratio(albedo, "albedo")
    f = _ratio(redistribution, "redistribution")
    if np.any(np.asarray(albedo_v) < 0) or np.any(np.asarray(albedo_v) > 1):
        raise ParameterError(f"albedo must lie in [0, 1]; got {albedo}")
    if np.any(np.asarray(f) < 0.25 - 1e-12) or np.any(np.asarray(f) > 2 / 3 + 1e-12):
        raise ParameterError(
            f"redistribution factor f must lie in [1/4, 2/3] (full to no heat redistribution); got {redistribution}"
        )
    scale = np.sqrt((rstar / a).to_value(u.dimensionless_unscaled))
    return (t * scale * (f * (1 - albedo_v)) ** 0.25).to(u.K)


def insolation(
    semi_major_axis: u.Quantity,
    luminosity: u.Quantity | None = None,
    *,
    teff: u.Quantity | None = None,
    stellar_radius: u.Quantity | None = None,
) -> u.Quantity:
    """Stellar flux received by the planet, in units of Earth's insolation.

    .. math:: S = \\frac{L_\\star}{4\\pi a^2}, \\qquad L_\\star = 4\\pi R_\\star^2 \\sigma T_{eff}^4

    Give either ``luminosity`` or both ``teff`` and ``stellar_radius``. The result is
    in :data:`S_earth` (L☉ / 4π AU² ≈ 1361 W m⁻²); ``.to(u.W / u.m**2)`` converts it.

    Returns
    -------
    Quantity [S_earth]

    Raises
    ------
    ParameterError
        Neither or both ways of giving the luminosity.
    """
    a = _positive(semi_major_axis, u.AU, "semi_major_axis")
    if luminosity is not None and (teff is not None or stellar_radius is not None):
        raise ParameterError("give either luminosity or teff and stellar_radius, not both")
    if luminosity is not None:
        lum = _positive(luminosity, u.L_sun, "luminosity")
    elif teff is not None and stellar_radius is not None:
        t = _positive(teff, u.K, "teff", _MAX_TEFF)
        r = _positive(stellar_radius, u.R_sun, "stellar_radius", _MAX_STELLAR_RADIUS)
        lum = 4 * np.pi * r**2 * const.sigma_sb * t**4
    else:
        raise ParameterError("insolation needs the luminosity, or both teff and stellar_radius")
    return (lum / (4 * np.pi * a**2)).to(S_earth)


def snr_expected(depth: u.Quantity, cdpp: u.Quantity, n_transits: Any) -> np.ndarray | float:
    """Expected detection signal-to-noise ratio of a transit signal.

    .. math:: \\mathrm{SNR} = \\frac{\\delta}{\\sigma_{CDPP}} \\sqrt{N_{tr}}

    with σ_CDPP the combined differential photometric precision over a window as long
    as the transit (Christiansen et al. 2012, PASP 124, 1279). The Kepler pipeline's
    detection threshold is 7.1.

    Parameters
    ----------
    depth : Quantity [dimensionless]
    cdpp : Quantity [dimensionless]
        Noise over the transit duration, e.g. ``60 * ppm``.
    n_transits : int or float
        Number of transits observed (≥ 1).

    Returns
    -------
    float or ndarray
        A pure number, like :attr:`TransitCandidate.snr`.
    """
    delta = _fraction(depth, "depth")
    sigma = _fraction(cdpp, "cdpp")
    n = _ratio(n_transits, "n_transits")
    if np.any(np.asarray(n) < 1):
        raise ParameterError(f"n_transits must be ≥ 1; got {n_transits}")
    result = np.asarray(delta) / np.asarray(sigma) * np.sqrt(n)
    return result if result.ndim else float(result)


# --------------------------------------------------------------------------------------
# times

#: JD offsets of the day counts (BJD_TDB − offset); see the module docstring. The telescope
#: day counts (BKJD, BTJD) come from the telescope profiles; MJD's offset is its definition.
BJD_OFFSETS: dict[str, float] = {**DAY_COUNT_OFFSETS, "bjd": 0.0, "mjd": 2400000.5}


def _day_count(value: Any, name: str) -> np.ndarray:
    if isinstance(value, Time):
        raise TimeSystemError(f"{name} is already an astropy Time; it needs plain day numbers")
    if isinstance(value, u.Quantity):
        value = require_quantity(value, u.day, name).value
    try:
        v = np.asarray(value, dtype=np.float64)
    except (TypeError, ValueError):
        raise TimeSystemError(
            f"{name} must be a number or an array of numbers (days); got {value!r}"
        ) from None
    if not np.all(np.isfinite(v)):
        raise ParameterError(
            f"{name} holds {int(np.size(v) - np.isfinite(v).sum())} NaN or infinite values; drop them first"
        )
    return v


def _from_day_count(value: Any, system: str, name: str) -> Time:
    v = _day_count(value, name)
    offset = BJD_OFFSETS[system]
    # Two-part JD (offset, day count) keeps full double precision in the day count.
    t = Time(np.full_like(v, offset), v, format="jd", scale="tdb")
    t.format = {"bkjd": "bkjd", "btjd": "btjd", "mjd": "mjd"}.get(system, "jd")
    return t


def _to_day_count(time: Any, system: str, name: str = "time") -> np.ndarray | float:
    if not isinstance(time, Time):
        raise TimeSystemError(f"{name} must be an astropy Time; got {type(time).__name__} {time!r}")
    t = time.tdb
    # (jd1 − offset) is exact for the integer and half-integer offsets; jd2 is the fraction.
    v = (np.asarray(t.jd1, dtype=np.float64) - BJD_OFFSETS[system]) + np.asarray(
        t.jd2, dtype=np.float64
    )
    return v if v.ndim else float(v)


def bkjd_to_time(bkjd: Any) -> Time:
    """Kepler/K2 BKJD day numbers as an absolute TDB Time (BJD_TDB = BKJD + 2454833).

    Parameters
    ----------
    bkjd : float, array or Quantity [day]

    Returns
    -------
    astropy.time.Time
        TDB scale, ``format='bkjd'``; scalar for scalar input.
    """
    return _from_day_count(bkjd, "bkjd", "bkjd")


def btjd_to_time(btjd: Any) -> Time:
    """TESS BTJD day numbers as an absolute TDB Time (BJD_TDB = BTJD + 2457000).

    Returns
    -------
    astropy.time.Time
        TDB scale, ``format='btjd'``.
    """
    return _from_day_count(btjd, "btjd", "btjd")


def time_to_bkjd(time: Time) -> np.ndarray | float:
    """BKJD day numbers (BJD_TDB − 2454833) of a Time (converted to TDB first)."""
    return _to_day_count(time, "bkjd")


def time_to_btjd(time: Time) -> np.ndarray | float:
    """BTJD day numbers (BJD_TDB − 2457000) of a Time (converted to TDB first)."""
    return _to_day_count(time, "btjd")


def time_to_bjd(time: Time) -> np.ndarray | float:
    """Full BJD_TDB Julian dates (starskope's internal numeric time) of a Time."""
    return _to_day_count(time, "bjd")


def bkjd_to_bjd(bkjd: Any) -> np.ndarray | float:
    """Full BJD_TDB of Kepler/K2 BKJD day numbers: BKJD + 2454833."""
    return convert_time(bkjd, "bkjd", "bjd")


def btjd_to_bjd(btjd: Any) -> np.ndarray | float:
    """Full BJD_TDB of TESS BTJD day numbers: BTJD + 2457000."""
    return convert_time(btjd, "btjd", "bjd")


def bjd_to_bkjd(bjd: Any) -> np.ndarray | float:
    """BKJD day numbers of full BJD_TDB dates: BJD − 2454833."""
    return convert_time(bjd, "bjd", "bkjd")


def bjd_to_btjd(bjd: Any) -> np.ndarray | float:
    """BTJD day numbers of full BJD_TDB dates: BJD − 2457000."""
    return convert_time(bjd, "bjd", "btjd")


def bjd_to_iso(bjd: Any, *, scale: str = "utc", precision: int = 3) -> str | np.ndarray:
    """Calendar date and time (ISO 8601) of full BJD_TDB Julian dates.

    The barycentric instant is written on the ``scale`` time scale (UTC by default,
    i.e. TDB − 69.184 s since 2017); the light-travel-time correction to the
    barycentre is not undone, so this is *not* the UTC at the spacecraft.

    Parameters
    ----------
    bjd : float, array or Quantity [day]
        BJD_TDB (e.g. 2456977.10277).
    scale : {'utc', 'tdb', 'tt'}
    precision : int
        Decimal places of the seconds.

    Returns
    -------
    str or ndarray of str
        E.g. ``'2014-11-15T14:26:49.811'``.
    """
    t = _from_day_count(bjd, "bjd", "bjd")
    if scale not in {"utc", "tdb", "tt"}:
        raise ParameterError(f"scale must be 'utc', 'tdb' or 'tt'; got {scale!r}")
    out = getattr(t, scale)
    out.precision = precision
    return out.isot


@dataclass(frozen=True)
class TimeSystem:
    """One way of writing a time, for :func:`convert_time`."""

    name: str
    description: str
    to_time: Callable[[Any], Time]
    from_time: Callable[[Time], Any]


def _parse_iso(value: Any) -> Time:
    try:
        return Time(value, format="isot", scale="utc").tdb
    except (ValueError, TypeError):
        try:
            return Time(value, format="iso", scale="utc").tdb
        except (ValueError, TypeError):
            raise TimeSystemError(f"cannot read {value!r} as an ISO 8601 UTC date") from None


def _as_time(value: Any) -> Time:
    if not isinstance(value, Time):
        raise TimeSystemError(f"from_='time' needs an astropy Time; got {type(value).__name__}")
    return value.tdb


def _to_iso(time: Time) -> Any:
    t = time.utc
    t.precision = 3
    return t.isot


#: Time systems :func:`convert_time` knows, by name.
TIME_SYSTEMS: Registry[TimeSystem] = Registry("time system")
TIME_SYSTEMS.add(
    "bkjd",
    TimeSystem("bkjd", f"BJD_TDB − {BJD_OFFSETS['bkjd']:.0f} (Kepler, K2)", bkjd_to_time, time_to_bkjd),
)
TIME_SYSTEMS.add(
    "btjd", TimeSystem("btjd", f"BJD_TDB − {BJD_OFFSETS['btjd']:.0f} (TESS)", btjd_to_time, time_to_btjd)
)
TIME_SYSTEMS.add(
    "bjd",
    TimeSystem(
        "bjd", "full BJD_TDB Julian date", lambda v: _from_day_count(v, "bjd", "bjd"), time_to_bjd
    ),
)
TIME_SYSTEMS.add(
    "mjd",
    TimeSystem(
        "mjd",
        "BJD_TDB − 2400000.5 (modified Julian date, TDB)",
        lambda v: _from_day_count(v, "mjd", "mjd"),
        lambda t: _to_day_count(t, "mjd"),
    ),
)
TIME_SYSTEMS.add(
    "iso", TimeSystem("iso", "ISO 8601 calendar date on the UTC scale", _parse_iso, _to_iso)
)
TIME_SYSTEMS.add("time", TimeSystem("time", "astropy Time (TDB)", _as_time, lambda t: t.tdb))


def convert_time(value: Any, from_: str = "bkjd", to: str = "btjd") -> Any:
    """Convert times between BKJD, BTJD, BJD, MJD (all BJD_TDB based), ISO and Time.

    Parameters
    ----------
    value : float, array, Quantity [day], str (for 'iso') or Time (for 'time')
    from_, to : str
        Names in :data:`TIME_SYSTEMS`: 'bkjd', 'btjd', 'bjd', 'mjd', 'iso', 'time'.

    Returns
    -------
    float, ndarray, str or Time
        Day numbers for the numeric systems, ISO strings (UTC, milliseconds) for
        'iso', a TDB Time for 'time'.

    Raises
    ------
    UnknownNameError
        An unknown system name (the message lists the known ones).
    TimeSystemError
        A value that does not fit ``from_`` (a Time given as day numbers, a bad ISO string).

    Examples
    --------
    >>> round(convert_time(2144.10277106, "bkjd", "btjd"), 8)
    -22.89722894
    """
    source = TIME_SYSTEMS.get(from_)
    target = TIME_SYSTEMS.get(to)
    if isinstance(value, Time) and source.name != "time":
        raise TimeSystemError(
            f"value is an astropy Time but from_={from_!r}; pass from_='time' to convert a Time"
        )
    return target.from_time(source.to_time(value))


def period_range_from_duration_arrays(duration_days: Any, density_min_gcc: float, density_max_gcc: float,
                                      impact_max: float = 0.8) -> tuple[np.ndarray | float, np.ndarray | float]:
    """Periods (days) a transit of duration T14 allows around a star whose density lies
    in ``[density_min, density_max]`` (numeric core of :func:`period_range_from_duration`).

    For a small planet on a circular orbit, T14 ≈ (P/π)(R★/a)√(1 − b²) with
    a/R★ = (G ρ★ P² / 3π)^(1/3) (Seager & Mallén-Ornelas 2003), so

        P = π² G ρ★ T14³ / (3 (1 − b²)^(3/2)).

    The shortest period is a central transit (b = 0) of the least dense star; the longest
    a transit at ``impact_max`` of the densest. A single transit's period is somewhere in
    this range (its duration alone cannot say more without the star's density).

    Returns
    -------
    (float or ndarray, float or ndarray)
        Shortest and longest period, days.
    """
    t = np.asarray(duration_days, dtype=float) * _DAY_S
    base = np.pi**2 * _G_CGS * t**3 / 3.0 / _DAY_S
    lo = base * float(density_min_gcc)
    hi = base * float(density_max_gcc) / (1.0 - float(impact_max) ** 2) ** 1.5
    return (lo if np.ndim(lo) else float(lo)), (hi if np.ndim(hi) else float(hi))


def period_range_from_duration(duration: u.Quantity, stellar_density: u.Quantity | tuple[u.Quantity, u.Quantity],
                               impact_max: float = 0.8) -> tuple[u.Quantity, u.Quantity]:
    """The periods a transit of duration ``duration`` allows for a star of density
    ``stellar_density`` (one value, or a (min, max) pair); see
    :func:`period_range_from_duration_arrays`.

    Returns
    -------
    (Quantity [day], Quantity [day])
    """
    t = _positive(duration, u.day, "duration")
    if isinstance(stellar_density, tuple) or np.size(stellar_density) == 2:
        lo_rho = _positive(stellar_density[0], u.g / u.cm**3, "stellar_density")
        hi_rho = _positive(stellar_density[1], u.g / u.cm**3, "stellar_density")
    else:
        lo_rho = hi_rho = _positive(stellar_density, u.g / u.cm**3, "stellar_density")
    if not 0 <= impact_max < 1:
        raise ParameterError(f"impact_max must be in [0, 1); got {impact_max}")
    lo, hi = period_range_from_duration_arrays(t.to_value(u.day), lo_rho.to_value(u.g / u.cm**3),
                                               hi_rho.to_value(u.g / u.cm**3), impact_max)
    return lo * u.day, hi * u.day
