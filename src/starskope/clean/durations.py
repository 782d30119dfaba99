"""How long a transit can last: the physically possible durations at a period.

The search scales its trial durations with the period, and the detrender sizes its
window from the longest transit it must preserve. Both follow from Kepler's third law
for a star of mean density ρ★ (Seager & Mallén-Ornelas 2003, eq. 8–9):

    a/R★ = (G ρ★ P² / 3π)^(1/3),      T14 = (P/π) · arcsin[(1 + k)·√(1 − b²/(1+k)²) / (a/R★)]

with k = Rp/R★ and b the impact parameter. The longest transit comes from the least
dense star, a central crossing and a large planet; the shortest worth searching from
the densest star and a high impact parameter (a grazing transit is shorter still,
but it is V-shaped and shallow, and no box search finds it well).

Defaults cover FGKM main-sequence dwarfs: ρ★ from 0.2 ρ☉ (F dwarfs, slightly evolved
G stars) to 20 ρ☉ (mid-M dwarfs); give the star's own range when it is known
(TRAPPIST-1 has ρ★ ≈ 53 ρ☉).
"""

from __future__ import annotations

import astropy.constants as const
import astropy.units as u
import numpy as np

from ..errors import ParameterError
from ..physics import a_over_rstar_from_density_arrays
from ..quantities import require_positive

__all__ = [
    "DEFAULT_IMPACT_MAX",
    "DEFAULT_RADIUS_RATIO_MAX",
    "DEFAULT_STELLAR_DENSITY",
    "SOLAR_DENSITY",
    "default_window",
    "duration_limits_days",
    "transit_duration_range",
]

#: Mean solar density, g/cm³.
SOLAR_DENSITY: u.Quantity = (const.M_sun / (4 / 3 * np.pi * const.R_sun**3)).to(u.g / u.cm**3)

#: Default stellar-density range for FGKM dwarfs, in units of the solar density.
DEFAULT_STELLAR_DENSITY: tuple[float, float] = (0.2, 20.0)

#: Largest impact parameter for the shortest trial duration (√(1 − 0.8²) = 0.6 of central).
DEFAULT_IMPACT_MAX: float = 0.8

#: Largest planet-to-star radius ratio for the longest trial duration.
DEFAULT_RADIUS_RATIO_MAX: float = 0.3

_RHO_SUN_CGS = float(SOLAR_DENSITY.value)


def _central_duration_days(period_days: np.ndarray, density_solar: float, factor: float) -> np.ndarray:
    """T14 (days) of a transit with chord ``factor`` stellar radii across the disc centre."""
    p = np.asarray(period_days, dtype=np.float64)
    rho = density_solar * _RHO_SUN_CGS
    a_over_r = a_over_rstar_from_density_arrays(p, rho)
    return p / np.pi * np.arcsin(np.minimum(1.0, factor / a_over_r))


def duration_limits_days(
    period_days: np.ndarray | float,
    density_range: tuple[float, float] = DEFAULT_STELLAR_DENSITY,
    *,
    impact_max: float = DEFAULT_IMPACT_MAX,
    radius_ratio_max: float = DEFAULT_RADIUS_RATIO_MAX,
) -> tuple[np.ndarray, np.ndarray]:
    """Shortest and longest physically plausible T14 at each period (numeric core).

    Parameters
    ----------
    period_days : float or ndarray
        Orbital periods, days.
    density_range : (float, float)
        Least and most dense star, in units of the solar mean density.
    impact_max : float
        Impact parameter of the shortest transit considered (0 ≤ b < 1).
    radius_ratio_max : float
        Rp/R★ of the longest transit considered.

    Returns
    -------
    (ndarray, ndarray)
        Shortest and longest T14 in days, same shape as ``period_days``.
    """
    lo, hi = float(density_range[0]), float(density_range[1])
    if not (np.isfinite(lo) and np.isfinite(hi) and 0 < lo <= hi):
        raise ParameterError(
            f"stellar_density must be a (min, max) pair with 0 < min <= max (solar units); "
            f"got ({lo}, {hi})"
        )
    if not 0 <= impact_max < 1:
        raise ParameterError(f"impact_max must be in [0, 1); got {impact_max}")
    if not 0 <= radius_ratio_max < 1:
        raise ParameterError(f"radius_ratio_max must be in [0, 1); got {radius_ratio_max}")
    shortest = _central_duration_days(period_days, hi, float(np.sqrt(1 - impact_max**2)))
    longest = _central_duration_days(period_days, lo, 1.0 + radius_ratio_max)
    return shortest, longest


def _density_pair(stellar_density: object) -> tuple[float, float]:
    """A (min, max) stellar density in solar units from Quantities or None."""
    if stellar_density is None:
        return DEFAULT_STELLAR_DENSITY
    if isinstance(stellar_density, u.Quantity) and stellar_density.isscalar:
        v = require_positive(stellar_density, u.g / u.cm**3, "stellar_density")
        r = float((v / SOLAR_DENSITY).decompose().value)
        return (r, r)
    try:
        lo, hi = stellar_density  # type: ignore[misc]
    except (TypeError, ValueError):
        raise ParameterError(
            "stellar_density must be a Quantity (g/cm³) or a (min, max) pair of Quantities; "
            f"got {stellar_density!r}"
        ) from None
    lo_q = require_positive(lo, u.g / u.cm**3, "stellar_density[0]")
    hi_q = require_positive(hi, u.g / u.cm**3, "stellar_density[1]")
    pair = (
        float((lo_q / SOLAR_DENSITY).decompose().value),
        float((hi_q / SOLAR_DENSITY).decompose().value),
    )
    if pair[0] > pair[1]:
        raise ParameterError(
            f"stellar_density must be (min, max) with min <= max; got ({lo_q:.3g}, {hi_q:.3g})"
        )
    return pair


def transit_duration_range(
    period: u.Quantity,
    stellar_density: u.Quantity | tuple[u.Quantity, u.Quantity] | None = None,
    *,
    impact_max: float = DEFAULT_IMPACT_MAX,
    radius_ratio_max: float = DEFAULT_RADIUS_RATIO_MAX,
) -> tuple[u.Quantity, u.Quantity]:
    """Shortest and longest plausible transit duration (T14) at a period.

    Parameters
    ----------
    period : Quantity [time]
        Orbital period(s).
    stellar_density : Quantity [g/cm³] or (Quantity, Quantity), optional
        The star's mean density, or a (min, max) range; default FGKM dwarfs,
        0.2–20 ρ☉ (ρ☉ = 1.41 g/cm³).
    impact_max, radius_ratio_max : float
        See :func:`duration_limits_days`.

    Returns
    -------
    (Quantity [hour], Quantity [hour])
        Shortest and longest T14.

    Raises
    ------
    UnitsError
        ``period`` or ``stellar_density`` without units.
    ParameterError
        Non-positive period or density, or min > max.

    Examples
    --------
    >>> lo, hi = transit_duration_range(365.25 * u.day, 1.41 * u.g / u.cm**3)
    >>> round(hi.to_value(u.hour), 1)  # the Earth's 13 h, times 1 + k_max
    16.9
    """
    p = require_positive(period, u.day, "period").to_value(u.day)
    lo, hi = duration_limits_days(
        p,
        _density_pair(stellar_density),
        impact_max=impact_max,
        radius_ratio_max=radius_ratio_max,
    )
    return (lo * u.day).to(u.hour), (hi * u.day).to(u.hour)


def default_window(
    period_max: u.Quantity,
    stellar_density: u.Quantity | tuple[u.Quantity, u.Quantity] | None = None,
    *,
    factor: float = 3.0,
) -> u.Quantity:
    """Detrending window that preserves the longest transit expected up to ``period_max``.

    A sliding robust location filter (biweight) leaves a box-shaped dip intact when the
    window is a few times longer than the dip (Hippke et al. 2019, wotan paper §3:
    3 × T14 keeps ≳ 95 % of the depth). The window is therefore ``factor`` times the
    longest T14 at ``period_max`` for the least dense star in the range.

    Parameters
    ----------
    period_max : Quantity [time]
        Longest period that will be searched.
    stellar_density : Quantity or (Quantity, Quantity), optional
        Stellar density or range (default FGKM dwarfs, see :func:`transit_duration_range`).
    factor : float
        Window length in units of the longest T14 (default 3).

    Returns
    -------
    Quantity [day]
    """
    if not factor > 0:
        raise ParameterError(f"factor must be positive; got {factor}")
    _, longest = transit_duration_range(period_max, stellar_density)
    return (factor * longest).to(u.day)
