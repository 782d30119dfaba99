"""Astrophysical signals: transits, eclipsing binaries, blends, single events, spots, pulsations.

Every signal is a frozen dataclass whose :meth:`~Signal.relative_flux` gives the star's
flux relative to its mean (1 = unchanged) at mid-exposure times in BJD_TDB days,
**integrated over the exposure** (each cadence is the average over ``exp_time_days``, by
supersampling at ≤ 2-minute steps or analytically for sinusoids), and whose
:meth:`~Signal.truth` lists every parameter with its unit in its name. Signals are
deterministic: the random parts (spot phases, pulsation modes) are drawn once when the
signal is made (:mod:`starskope.simulate.population`) and stored in it.

* :class:`TransitSignal` – a planet with a quadratically limb-darkened transit (batman;
  Kreidberg 2015), a/R★ and duration from Kepler's third law for the star.
* :class:`EclipsingBinarySignal` – two stars: primary eclipse (limb-darkened, batman),
  secondary eclipse (uniform disk, depth set by the band surface-brightness ratio),
  grazing V shapes when b > 1 − k, ellipsoidal variation and reflection.
* :class:`BackgroundBinarySignal` – an eclipsing binary blended with the target: its
  variation scaled by the dilution d = F_bg / (F_target + F_bg).
* :class:`SingleEventSignal` – one dip (transit-like trapezoid, box, V or Gaussian).
* :class:`SpotModulation` – quasi-periodic rotational modulation by evolving spots.
* :class:`PulsationSignal` – a sum of sinusoids (δ Scuti, γ Dor) or a Fourier series
  (RR Lyrae sawtooth).
* :class:`CompositeSignal` – the product of several signals.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field, replace
from typing import Any

import astropy.constants as const
import astropy.units as u
import numpy as np

from .. import physics
from ..errors import ParameterError
from ..missions import get_mission
from ..quantities import require_positive, to_value
from ..search.folding import phase_fold
from .stars import Star, _band
from .truth import Truth

__all__ = [
    "BackgroundBinarySignal",
    "CompositeSignal",
    "EclipsingBinarySignal",
    "PulsationSignal",
    "Signal",
    "SingleEventSignal",
    "SpotModulation",
    "TransitSignal",
    "a_over_rstar",
    "supersample_factor",
    "transit_duration_days",
]

_AU_RSUN = (1 * u.AU).to_value(u.R_sun)
_REARTH_RSUN = (1 * u.R_earth).to_value(u.R_sun)
_MAX_STEP_DAYS = 2.0 / 1440.0
#: Default reference time of the phases: the zero of Kepler's day count (BKJD 0), from its profile.
_BKJD_ZERO = get_mission("Kepler").bjd_offset


#: a/R★ from period (days), mass (M☉) and radius (R☉): :func:`starskope.physics.a_over_rstar_arrays`.
a_over_rstar = physics.a_over_rstar_arrays
#: T14 (days) from period, a/R★, R_p/R★ and b: :func:`starskope.physics.transit_duration_arrays`.
transit_duration_days = physics.transit_duration_arrays


def supersample_factor(exp_time_days: float) -> int:
    """Odd number of sub-exposures so that each spans at most 2 minutes."""
    if exp_time_days <= _MAX_STEP_DAYS:
        return 1
    n = math.ceil(exp_time_days / _MAX_STEP_DAYS)
    return n if n % 2 else n + 1


def _subtimes(time: np.ndarray, exp_time_days: float) -> tuple[np.ndarray, int]:
    n = supersample_factor(exp_time_days)
    if n == 1:
        return time, 1
    offsets = ((np.arange(n) + 0.5) / n - 0.5) * exp_time_days
    return (time[:, None] + offsets[None, :]).ravel(), n


def _time(epoch: Any, name: str) -> float:
    """An epoch given as an astropy Time or a float BJD_TDB, as float BJD_TDB days."""
    from astropy.time import Time

    if isinstance(epoch, Time):
        return float(epoch.tdb.jd)
    if isinstance(epoch, (int, float, np.floating, np.integer)) and np.isfinite(epoch):
        value = float(epoch)
        if value < 2_000_000.0:
            raise ParameterError(
                f"{name} must be an astropy Time or a full BJD_TDB (≈ 2.45e6 days); got {value}, "
                "which looks like an offset (BKJD/BTJD?); convert it first"
            )
        return value
    raise ParameterError(f"{name} must be an astropy Time or a float BJD_TDB; got {epoch!r}")


class Signal:
    """Base class: a multiplicative, noiseless change of a star's flux."""

    kind: str = "signal"

    def relative_flux(self, time_bjd: np.ndarray, exp_time_days: float = 0.0) -> np.ndarray:
        """Flux relative to the unperturbed star at ``time_bjd`` (BJD_TDB days), averaged
        over exposures of ``exp_time_days`` centred on each time."""
        t = np.asarray(time_bjd, dtype=float)
        if exp_time_days < 0 or not np.isfinite(exp_time_days):
            raise ParameterError(f"exp_time_days must be finite and ≥ 0; got {exp_time_days}")
        sub, n = _subtimes(t, float(exp_time_days))
        f = self._instant(sub)
        return f if n == 1 else f.reshape(len(t), n).mean(axis=1)

    def _instant(self, t: np.ndarray) -> np.ndarray:  # pragma: no cover - abstract
        raise NotImplementedError

    def truth(self) -> Truth:  # pragma: no cover - abstract
        raise NotImplementedError

    def transit_times(self, t_min: float, t_max: float) -> np.ndarray:
        """Mid-times [BJD_TDB] of the dips between ``t_min`` and ``t_max`` (none by default)."""
        return np.empty(0)


# --------------------------------------------------------------------------- planets


@dataclass(frozen=True)
class TransitSignal(Signal):
    """A transiting planet on a circular orbit.

    Parameters
    ----------
    period : Quantity [time]
    planet_radius : Quantity [length]
    star : Star
        The host; its mass and radius fix a/R★ through Kepler's third law, its Teff and
        band the limb darkening (unless ``limb_darkening`` is given).
    epoch : astropy Time or float
        Mid-time of a transit (a float is BJD_TDB days).
    impact : float
        Impact parameter b in stellar radii, 0 ≤ b < 1 + Rp/R★.
    limb_darkening : (float, float), optional
        Quadratic coefficients (u1, u2); default from the star's Teff and band.

    Raises
    ------
    UnitsError, ParameterError
        Missing units, a non-positive period or radius, an impact parameter that misses
        the star, or an orbit inside the star.
    """

    period: u.Quantity
    planet_radius: u.Quantity
    star: Star
    epoch: Any
    impact: float = 0.3
    limb_darkening: tuple[float, float] | None = None
    kind: str = field(default="planet", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "period", require_positive(self.period, u.day, "period"))
        object.__setattr__(self, "planet_radius", require_positive(self.planet_radius, u.R_earth, "planet_radius"))
        object.__setattr__(self, "epoch", _time(self.epoch, "epoch"))
        if not isinstance(self.star, Star):
            raise ParameterError(f"star must be a starskope.simulate.Star; got {type(self.star).__name__}")
        k = self.k
        if not 0.0 <= float(self.impact) < 1.0 + k:
            raise ParameterError(f"impact must be in [0, 1 + Rp/R★ = {1 + k:.3f}); got {self.impact}")
        if self.a_over_rstar <= 1.0 + k:
            raise ParameterError(
                f"a/R★ = {self.a_over_rstar:.2f} for P = {self.period} around a "
                f"{self.star.mass_msun:.2f} M☉, {self.star.radius_rsun:.2f} R☉ star: the orbit is inside the star"
            )
        if self.limb_darkening is not None:
            u1, u2 = (float(x) for x in self.limb_darkening)
            object.__setattr__(self, "limb_darkening", (u1, u2))

    @classmethod
    def from_floats(cls, period_days: float, rp_rearth: float, star: Star, epoch_bjd: float,
                    impact: float = 0.3, limb_darkening: tuple[float, float] | None = None) -> TransitSignal:
        """Build from plain floats (days, Earth radii, BJD_TDB)."""
        return cls(period_days * u.day, rp_rearth * u.R_earth, star, epoch_bjd, impact, limb_darkening)

    @property
    def period_days(self) -> float:
        return float(self.period.to_value(u.day))

    @property
    def k(self) -> float:
        """Rp / R★."""
        return float(self.planet_radius.to_value(u.R_sun)) / self.star.radius_rsun

    @property
    def a_over_rstar(self) -> float:
        return float(a_over_rstar(self.period_days, self.star.mass_msun, self.star.radius_rsun))

    @property
    def inclination_deg(self) -> float:
        return math.degrees(math.acos(float(self.impact) / self.a_over_rstar))

    @property
    def u(self) -> tuple[float, float]:
        return self.limb_darkening if self.limb_darkening is not None else self.star.limb_darkening

    @property
    def duration_days(self) -> float:
        return float(transit_duration_days(self.period_days, self.a_over_rstar, self.k, float(self.impact)))

    def for_mission(self, mission: str) -> TransitSignal:
        """The same planet seen in another telescope's band (limb darkening re-derived unless fixed)."""
        if self.limb_darkening is not None:
            return self
        return replace(self, star=replace(self.star, mission=mission))

    def _params(self) -> Any:
        import batman

        p = batman.TransitParams()
        p.t0 = 0.0
        p.per = self.period_days
        p.rp = self.k
        p.a = self.a_over_rstar
        p.inc = self.inclination_deg
        p.ecc = 0.0
        p.w = 90.0
        p.limb_dark = "quadratic"
        p.u = list(self.u)
        return p

    def relative_flux(self, time_bjd: np.ndarray, exp_time_days: float = 0.0) -> np.ndarray:
        import batman

        t = np.asarray(time_bjd, dtype=float) - self.epoch
        if exp_time_days < 0 or not np.isfinite(exp_time_days):
            raise ParameterError(f"exp_time_days must be finite and ≥ 0; got {exp_time_days}")
        out = np.ones_like(t)
        # Only cadences near a transit need batman (keeps long light curves fast).
        half = 0.5 * self.duration_days + exp_time_days + 1e-3
        phase = (t + 0.5 * self.period_days) % self.period_days - 0.5 * self.period_days
        near = np.abs(phase) < half
        if not near.any():
            return out
        params = self._params()
        n = supersample_factor(exp_time_days)
        kwargs = {"supersample_factor": n, "exp_time": exp_time_days} if n > 1 else {}
        model = batman.TransitModel(params, np.ascontiguousarray(t[near]), **kwargs)
        out[near] = model.light_curve(params)
        return out

    def _instant(self, t: np.ndarray) -> np.ndarray:
        return self.relative_flux(t, 0.0)

    @property
    def depth(self) -> float:
        """Depth at mid-transit of the noiseless, unsmoothed limb-darkened model (fraction)."""
        return 1.0 - float(self.relative_flux(np.array([self.epoch]), 0.0)[0])

    def transit_times(self, t_min: float, t_max: float) -> np.ndarray:
        p = self.period_days
        n0 = math.ceil((t_min - self.epoch) / p)
        n1 = math.floor((t_max - self.epoch) / p)
        return self.epoch + p * np.arange(n0, n1 + 1)

    def truth(self) -> Truth:
        u1, u2 = self.u
        a_rs = self.a_over_rstar
        return Truth(
            signal="planet", period_days=self.period_days, epoch_bjd=self.epoch,
            depth_ppm=self.depth * 1e6, duration_hours=self.duration_days * 24.0,
            impact=float(self.impact), rp_rearth=float(self.planet_radius.to_value(u.R_earth)),
            rp_over_rstar=self.k, a_over_rstar=a_rs, a_au=float(a_rs * self.star.radius_rsun / _AU_RSUN),
            inclination_deg=self.inclination_deg, u1=u1, u2=u2,
        )


# --------------------------------------------------------------------------- binaries


def _planck_ratio(t2: float, t1: float, wavelength_nm: float) -> float:
    """B_λ(T2) / B_λ(T1): the surface-brightness ratio of two blackbodies at one wavelength."""
    c2 = (const.h * const.c / const.k_B).to_value(u.nm * u.K)
    return math.expm1(c2 / (wavelength_nm * t1)) / math.expm1(c2 / (wavelength_nm * t2))


def _overlap_fraction(z: np.ndarray, r_occ: float, r_disk: float) -> np.ndarray:
    """Fraction of a uniform disk of radius ``r_disk`` hidden by a disk of radius ``r_occ``
    whose centre is ``z`` away (all in the same unit)."""
    z = np.asarray(z, dtype=float)
    out = np.zeros_like(z)
    full = z <= abs(r_occ - r_disk)
    out[full] = 1.0 if r_occ >= r_disk else (r_occ / r_disk) ** 2
    part = (z > abs(r_occ - r_disk)) & (z < r_occ + r_disk)
    if part.any():
        d = z[part]
        c1 = np.clip((d**2 + r_disk**2 - r_occ**2) / (2 * d * r_disk), -1, 1)
        c2 = np.clip((d**2 + r_occ**2 - r_disk**2) / (2 * d * r_occ), -1, 1)
        area = (r_disk**2 * np.arccos(c1) + r_occ**2 * np.arccos(c2)
                - 0.5 * np.sqrt(np.clip((-d + r_disk + r_occ) * (d + r_disk - r_occ)
                                        * (d - r_disk + r_occ) * (d + r_disk + r_occ), 0, None)))
        out[part] = area / (np.pi * r_disk**2)
    return out


@dataclass(frozen=True)
class EclipsingBinarySignal(Signal):
    """Two stars on a circular orbit, seen close to edge-on.

    Phase 0 (``epoch``) is the primary eclipse (companion in front of the primary), phase
    0.5 the secondary (primary in front of the companion).

    Parameters
    ----------
    period : Quantity [time]
    star : Star
        The primary (the brighter star, normally the target).
    companion_mass, companion_radius, companion_teff : Quantity
        The secondary star; its radius must not exceed the primary's.
    epoch : astropy Time or float BJD_TDB
    impact : float
        b = a cos i / R1, 0 ≤ b < 1 + R2/R1; b > 1 − R2/R1 gives a grazing, V-shaped eclipse.
    albedo : float
        Fraction of the primary's light the companion reflects (reflection effect).

    Raises
    ------
    ParameterError
        A companion larger than the primary, an impact parameter that misses, or stars in
        contact (a < 1.2 (R1 + R2)).
    """

    period: u.Quantity
    star: Star
    companion_mass: u.Quantity
    companion_radius: u.Quantity
    companion_teff: u.Quantity
    epoch: Any
    impact: float = 0.3
    albedo: float = 0.5
    kind: str = field(default="eclipsing_binary", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "period", require_positive(self.period, u.day, "period"))
        object.__setattr__(self, "companion_mass", require_positive(self.companion_mass, u.M_sun, "companion_mass"))
        object.__setattr__(self, "companion_radius", require_positive(self.companion_radius, u.R_sun, "companion_radius"))
        object.__setattr__(self, "companion_teff", require_positive(self.companion_teff, u.K, "companion_teff"))
        object.__setattr__(self, "epoch", _time(self.epoch, "epoch"))
        if self.k > 1.0:
            raise ParameterError(
                f"companion_radius {self.companion_radius:.3f} exceeds the primary's {self.star.radius:.3f}; "
                "make the larger star the primary"
            )
        if not 0.0 <= float(self.impact) < 1.0 + self.k:
            raise ParameterError(f"impact must be in [0, 1 + R2/R1 = {1 + self.k:.3f}); got {self.impact}")
        if self.a_over_r1 < 1.2 * (1.0 + self.k):
            raise ParameterError(
                f"a/R1 = {self.a_over_r1:.2f}: the stars are in contact for P = {self.period}; use a longer period"
            )

    @property
    def period_days(self) -> float:
        return float(self.period.to_value(u.day))

    @property
    def k(self) -> float:
        return float(self.companion_radius.to_value(u.R_sun)) / self.star.radius_rsun

    @property
    def q(self) -> float:
        return float(self.companion_mass.to_value(u.M_sun)) / self.star.mass_msun

    @property
    def a_over_r1(self) -> float:
        m = self.star.mass_msun + float(self.companion_mass.to_value(u.M_sun))
        return float(a_over_rstar(self.period_days, m, self.star.radius_rsun))

    @property
    def inclination_deg(self) -> float:
        return math.degrees(math.acos(float(self.impact) / self.a_over_r1))

    @property
    def light_ratio(self) -> float:
        """L2/L1 in the band: k² times the surface-brightness ratio."""
        wl = float(_band(self.star.mission)["wavelength_nm"])  # type: ignore[arg-type]
        j = _planck_ratio(float(self.companion_teff.to_value(u.K)), self.star.teff_k, wl)
        return self.k**2 * j

    @property
    def grazing(self) -> bool:
        return float(self.impact) > 1.0 - self.k

    @property
    def duration_days(self) -> float:
        return float(transit_duration_days(self.period_days, self.a_over_r1, self.k, float(self.impact)))

    @property
    def ellipsoidal_amplitude(self) -> float:
        """Semi-amplitude of the ellipsoidal variation (Morris 1985, α ≈ 1), both stars."""
        sin2 = math.sin(math.radians(self.inclination_deg)) ** 2
        l21 = self.light_ratio
        a1 = self.q * self.a_over_r1**-3 * sin2
        a2 = (1.0 / self.q) * (self.k / self.a_over_r1) ** 3 * sin2
        return (a1 + l21 * a2) / (1.0 + l21)

    @property
    def reflection_amplitude(self) -> float:
        """Peak of the primary's light reflected by the companion (at phase 0.5), relative."""
        return float(self.albedo) * (self.k / self.a_over_r1) ** 2 / (1.0 + self.light_ratio)

    def _eclipses(self, t: np.ndarray) -> np.ndarray:
        import batman

        p = batman.TransitParams()
        p.t0, p.per, p.rp, p.a = 0.0, self.period_days, self.k, self.a_over_r1
        p.inc, p.ecc, p.w, p.limb_dark = self.inclination_deg, 0.0, 90.0, "quadratic"
        p.u = list(self.star.limb_darkening)
        rel = t - self.epoch
        primary = np.ones_like(rel)
        phase = phase_fold(t, self.period_days, self.epoch, start=0.0)  # cycles since the primary eclipse
        half = 0.5 * self.duration_days / self.period_days + 1e-4
        near1 = (phase < half) | (phase > 1.0 - half)
        if near1.any():
            primary[near1] = batman.TransitModel(p, np.ascontiguousarray(rel[near1])).light_curve(p)
        theta = 2.0 * np.pi * phase
        z = self.a_over_r1 * np.sqrt(np.sin(theta) ** 2 + (math.cos(math.radians(self.inclination_deg)) * np.cos(theta)) ** 2)
        hidden = np.where(np.cos(theta) < 0, _overlap_fraction(z, 1.0, self.k), 0.0)
        l21 = self.light_ratio
        return (primary + l21 * (1.0 - hidden)) / (1.0 + l21)

    def _instant(self, t: np.ndarray) -> np.ndarray:
        theta = 2.0 * np.pi * phase_fold(t, self.period_days, self.epoch, start=0.0)
        ell = -self.ellipsoidal_amplitude * np.cos(2.0 * theta)
        refl = self.reflection_amplitude * 0.5 * (1.0 - np.cos(theta))
        return self._eclipses(t) * (1.0 + ell + refl)

    def eclipse_depths(self) -> tuple[float, float]:
        """Primary and secondary eclipse depths (fractions) of the eclipses alone."""
        f = self._eclipses(np.array([self.epoch, self.epoch + 0.5 * self.period_days]))
        return 1.0 - float(f[0]), 1.0 - float(f[1])

    def transit_times(self, t_min: float, t_max: float) -> np.ndarray:
        p = self.period_days
        n0 = math.ceil((t_min - self.epoch) / p)
        n1 = math.floor((t_max - self.epoch) / p)
        return self.epoch + p * np.arange(n0, n1 + 1)

    def truth(self) -> Truth:
        d1, d2 = self.eclipse_depths()
        a_rs = self.a_over_r1
        return Truth(
            signal="eclipsing_binary", period_days=self.period_days, epoch_bjd=self.epoch,
            depth_ppm=d1 * 1e6, duration_hours=self.duration_days * 24.0, impact=float(self.impact),
            rp_over_rstar=self.k, rp_rearth=float(self.companion_radius.to_value(u.R_earth)),
            a_over_rstar=a_rs, a_au=float(a_rs * self.star.radius_rsun / _AU_RSUN),
            inclination_deg=self.inclination_deg, secondary_depth_ppm=d2 * 1e6,
            secondary_epoch_bjd=self.epoch + 0.5 * self.period_days,
            companion_mass_msun=float(self.companion_mass.to_value(u.M_sun)),
            companion_radius_rsun=float(self.companion_radius.to_value(u.R_sun)),
            companion_teff_k=float(self.companion_teff.to_value(u.K)), grazing=self.grazing,
            ellipsoidal_ppm=self.ellipsoidal_amplitude * 1e6, reflection_ppm=self.reflection_amplitude * 1e6,
        )


@dataclass(frozen=True)
class BackgroundBinarySignal(Signal):
    """An eclipsing binary blended with the target.

    Parameters
    ----------
    binary : EclipsingBinarySignal
        The background system (its ``star`` is the background primary, not the target).
    dilution : float
        d = F_bg / (F_target + F_bg), 0 < d < 1: the target sees 1 + d (f_bg − 1).
    separation_pix : float
        Distance of the background star from the target [pixels] (moves the centroid
        during its eclipses; recorded in the truth).
    """

    binary: EclipsingBinarySignal
    dilution: float
    separation_pix: float = 1.0
    kind: str = field(default="background_eb", init=False)

    def __post_init__(self) -> None:
        if not 0.0 < float(self.dilution) < 1.0:
            raise ParameterError(f"dilution must be between 0 and 1 (exclusive); got {self.dilution}")
        if not isinstance(self.binary, EclipsingBinarySignal):
            raise ParameterError(f"binary must be an EclipsingBinarySignal; got {type(self.binary).__name__}")

    def relative_flux(self, time_bjd: np.ndarray, exp_time_days: float = 0.0) -> np.ndarray:
        return 1.0 + float(self.dilution) * (self.binary.relative_flux(time_bjd, exp_time_days) - 1.0)

    def _instant(self, t: np.ndarray) -> np.ndarray:
        return self.relative_flux(t, 0.0)

    def centroid_shift(self, time_bjd: np.ndarray, exp_time_days: float = 0.0) -> np.ndarray:
        """Light-weighted centroid offset towards the background star [pixels]."""
        fb = float(self.dilution) * self.binary.relative_flux(time_bjd, exp_time_days)
        ft = 1.0 - float(self.dilution)
        return float(self.separation_pix) * fb / (ft + fb)

    def transit_times(self, t_min: float, t_max: float) -> np.ndarray:
        return self.binary.transit_times(t_min, t_max)

    def truth(self) -> Truth:
        inner = self.binary.truth()
        d = float(self.dilution)
        out = Truth(signal="background_eb", period_days=inner["period_days"], epoch_bjd=inner["epoch_bjd"],
                    depth_ppm=d * inner["depth_ppm"], duration_hours=inner["duration_hours"],
                    impact=inner["impact"], secondary_depth_ppm=d * inner["secondary_depth_ppm"],
                    secondary_epoch_bjd=inner["secondary_epoch_bjd"], grazing=inner["grazing"],
                    ellipsoidal_ppm=d * inner["ellipsoidal_ppm"], reflection_ppm=d * inner["reflection_ppm"],
                    dilution=d, bg_depth_ppm=inner["depth_ppm"], bg_separation_pix=float(self.separation_pix),
                    companion_mass_msun=inner["companion_mass_msun"],
                    companion_radius_rsun=inner["companion_radius_rsun"],
                    companion_teff_k=inner["companion_teff_k"])
        return out


# --------------------------------------------------------------------------- single events


@dataclass(frozen=True)
class SingleEventSignal(Signal):
    """One dip that never repeats (a single-event false alarm).

    Parameters
    ----------
    epoch : astropy Time or float BJD_TDB
        Centre of the dip.
    depth : Quantity [dimensionless]
        E.g. ``800 * ppm``.
    duration : Quantity [time]
        Full width (box, trapezoid, V) or 2.355 σ (Gaussian).
    shape : str
        'transit' (trapezoid with 15 % ingress/egress), 'box', 'v' or 'gaussian'.
    """

    epoch: Any
    depth: u.Quantity
    duration: u.Quantity
    shape: str = "transit"
    kind: str = field(default="single_event", init=False)

    _SHAPES = ("transit", "box", "v", "gaussian")

    def __post_init__(self) -> None:
        object.__setattr__(self, "epoch", _time(self.epoch, "epoch"))
        d = to_value(self.depth, u.dimensionless_unscaled, "depth")
        if not 0 < d < 1:
            raise ParameterError(f"depth must be a fraction between 0 and 1; got {self.depth}")
        object.__setattr__(self, "duration", require_positive(self.duration, u.hour, "duration"))
        if self.shape not in self._SHAPES:
            raise ParameterError(f"shape must be one of {', '.join(self._SHAPES)}; got {self.shape!r}")

    def _instant(self, t: np.ndarray) -> np.ndarray:
        d = float(self.depth.to_value(u.dimensionless_unscaled))
        w = float(self.duration.to_value(u.day))
        x = np.abs(t - self.epoch) / (0.5 * w)
        if self.shape == "box":
            prof = (x <= 1.0).astype(float)
        elif self.shape == "v":
            prof = np.clip(1.0 - x, 0.0, 1.0)
        elif self.shape == "gaussian":
            sigma = w / 2.3548
            prof = np.exp(-0.5 * ((t - self.epoch) / sigma) ** 2)
        else:
            ingress = 0.15
            prof = np.clip((1.0 - x) / ingress, 0.0, 1.0)
        return 1.0 - d * prof

    def transit_times(self, t_min: float, t_max: float) -> np.ndarray:
        return np.array([self.epoch]) if t_min <= self.epoch <= t_max else np.empty(0)

    def truth(self) -> Truth:
        return Truth(signal="single_event", epoch_bjd=self.epoch,
                     depth_ppm=float(self.depth.to_value(u.dimensionless_unscaled)) * 1e6,
                     duration_hours=float(self.duration.to_value(u.hour)), n_transits=1,
                     event_shape=self.shape)


# --------------------------------------------------------------------------- variability


@dataclass(frozen=True)
class SpotModulation(Signal):
    """Quasi-periodic rotational modulation by a few evolving spots.

    Spot i darkens the star by w_i A_i(t) max(0, c_i + (1 − |c_i|) cos(2π (t − t_ref)/P_i + φ_i)),
    its visibility as it rotates (c_i > 0: a high-latitude spot that never sets), with
    P_i = P (1 + δ_i) (differential rotation, |δ_i| ≤ 5 %) and A_i(t) = 1 + 0.6 sin(2π t / L_i + ψ_i)
    its growth and decay over the spot lifetime L_i. The mean darkening is removed.

    Parameters
    ----------
    period : Quantity [time]
        Rotation period.
    amplitude : Quantity [dimensionless]
        Total spot weight Σ w_i (≈ the peak-to-peak modulation).
    lifetime : Quantity [time]
    spots : tuple of tuples
        Per spot (weight fraction, δ, φ, c, ψ, lifetime factor); made by
        :func:`starskope.simulate.population.draw_spots`.
    reference_bjd : float
    """

    period: u.Quantity
    amplitude: u.Quantity
    lifetime: u.Quantity
    spots: tuple[tuple[float, float, float, float, float, float], ...]
    reference_bjd: float = _BKJD_ZERO
    kind: str = field(default="spotted", init=False)

    def __post_init__(self) -> None:
        object.__setattr__(self, "period", require_positive(self.period, u.day, "period"))
        object.__setattr__(self, "lifetime", require_positive(self.lifetime, u.day, "lifetime"))
        a = to_value(self.amplitude, u.dimensionless_unscaled, "amplitude")
        if not 0 < a < 1:
            raise ParameterError(f"amplitude must be a fraction between 0 and 1; got {self.amplitude}")
        if not self.spots:
            raise ParameterError("spots must list at least one spot")

    def _instant(self, t: np.ndarray) -> np.ndarray:
        p = float(self.period.to_value(u.day))
        life = float(self.lifetime.to_value(u.day))
        amp = float(self.amplitude.to_value(u.dimensionless_unscaled))
        x = t - self.reference_bjd
        total = np.zeros_like(x)
        mean = 0.0
        for w, delta, phi, c, psi, lf in self.spots:
            envelope = 1.0 + 0.6 * np.sin(2.0 * np.pi * x / (life * lf) + psi)
            vis = np.maximum(0.0, c + (1.0 - abs(c)) * np.cos(2.0 * np.pi * x / (p * (1.0 + delta)) + phi))
            total += amp * w * envelope * vis
            mean += amp * w * _mean_visibility(c)
        return 1.0 - total + mean

    def truth(self) -> Truth:
        return Truth(spot_period_days=float(self.period.to_value(u.day)),
                     spot_amplitude_ppm=float(self.amplitude.to_value(u.dimensionless_unscaled)) * 1e6,
                     spot_lifetime_days=float(self.lifetime.to_value(u.day)), spot_n=len(self.spots))


def _mean_visibility(c: float) -> float:
    """Time average of max(0, c + (1 − |c|) cos θ) over θ."""
    a = 1.0 - abs(c)
    if a <= 0:
        return max(c, 0.0)
    r = -c / a
    if r <= -1:
        return c
    if r >= 1:
        return 0.0
    th = math.acos(r)
    return (c * th + a * math.sin(th)) / math.pi


@dataclass(frozen=True)
class PulsationSignal(Signal):
    """A sum of sinusoids in relative flux, integrated analytically over the exposure.

    relative flux = 1 + Σ_k A_k sinc(f_k T) sin(2π f_k (t − t_ref) + φ_k), where the
    sinc (sin x / x with x = π f T) is the average of a sinusoid over an exposure T.

    Parameters
    ----------
    pulsator : str
        'delta_scuti', 'gamma_dor' or 'rr_lyrae' (recorded in the truth).
    frequencies : tuple of float
        Cycles per day.
    amplitudes : tuple of float
        Relative semi-amplitudes.
    phases : tuple of float
        Radians.
    reference_bjd : float
    dominant_period_days : float
        The main period (for RR Lyrae the fundamental of the Fourier series).
    """

    pulsator: str
    frequencies: tuple[float, ...]
    amplitudes: tuple[float, ...]
    phases: tuple[float, ...]
    reference_bjd: float = _BKJD_ZERO
    dominant_period_days: float = 0.0
    kind: str = field(default="pulsator", init=False)

    def __post_init__(self) -> None:
        n = len(self.frequencies)
        if n == 0 or len(self.amplitudes) != n or len(self.phases) != n:
            raise ParameterError(
                f"frequencies, amplitudes and phases must have the same non-zero length; got "
                f"{len(self.frequencies)}, {len(self.amplitudes)}, {len(self.phases)}"
            )
        if any(f <= 0 for f in self.frequencies):
            raise ParameterError(f"frequencies must be positive (cycles/day); got {self.frequencies}")

    def relative_flux(self, time_bjd: np.ndarray, exp_time_days: float = 0.0) -> np.ndarray:
        x = np.asarray(time_bjd, dtype=float) - self.reference_bjd
        out = np.ones_like(x)
        for f, a, ph in zip(self.frequencies, self.amplitudes, self.phases, strict=True):
            out += a * np.sinc(f * exp_time_days) * np.sin(2.0 * np.pi * f * x + ph)
        return out

    def _instant(self, t: np.ndarray) -> np.ndarray:
        return self.relative_flux(t, 0.0)

    def peak_to_peak(self) -> float:
        p = self.dominant_period_days or 1.0 / self.frequencies[int(np.argmax(self.amplitudes))]
        grid = self.reference_bjd + np.linspace(0.0, 20.0 * p, 8001)
        f = self.relative_flux(grid)
        return float(f.max() - f.min())

    def truth(self) -> Truth:
        dominant = self.dominant_period_days or 1.0 / self.frequencies[int(np.argmax(self.amplitudes))]
        periods = sorted({round(1.0 / f, 6) for f in self.frequencies}) if self.pulsator != "rr_lyrae" else [dominant]
        return Truth(puls_type=self.pulsator, puls_period_days=float(dominant),
                     puls_amplitude_ppm=self.peak_to_peak() * 1e6,
                     puls_n_modes=len(self.frequencies) if self.pulsator != "rr_lyrae" else 1,
                     puls_periods_days=";".join(f"{p:.6f}" for p in periods))


@dataclass(frozen=True)
class CompositeSignal(Signal):
    """The product of several signals (e.g. a planet around a spotted star).

    The truth merges the parts' truths (the first part that sets a key wins).
    """

    parts: tuple[Signal, ...]
    kind: str = field(default="composite", init=False)

    def __post_init__(self) -> None:
        if not self.parts:
            raise ParameterError("a CompositeSignal needs at least one part")

    def relative_flux(self, time_bjd: np.ndarray, exp_time_days: float = 0.0) -> np.ndarray:
        out = np.ones(len(np.asarray(time_bjd)))
        for part in self.parts:
            out *= part.relative_flux(time_bjd, exp_time_days)
        return out

    def _instant(self, t: np.ndarray) -> np.ndarray:
        return self.relative_flux(t, 0.0)

    def transit_times(self, t_min: float, t_max: float) -> np.ndarray:
        for part in self.parts:
            times = part.transit_times(t_min, t_max)
            if len(times):
                return times
        return np.empty(0)

    def truth(self) -> Truth:
        out = Truth()
        for part in self.parts:
            for key, value in part.truth().items():
                out.setdefault(key, value)
        return out

