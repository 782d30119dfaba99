"""Simulated stars: masses, radii, temperatures, magnitudes, limb darkening, granulation.

The population is a magnitude-limited sample of main-sequence FGKM dwarfs like the
targets of Kepler, K2 and TESS:

* **mass** from the Kroupa (2001) broken power law, dN/dM ∝ M^-1.3 below 0.5 M☉ and
  M^-2.3 above, between 0.45 and 1.6 M☉;
* **radius and Teff** from the dwarf sequence of Pecaut & Mamajek (2013) (mean values of
  their table, interpolated in mass), with the radius inflated by main-sequence ageing
  (factor 10^U(0, 0.1)) and ~8 % of the stars above 1 M☉ turned into subgiants
  (R × 1.4–2.4, Teff − 0–400 K);
* **magnitude** (Kepler Kp or TESS T) from p(m) ∝ 10^(0.25 m) in the telescope's target
  range (star counts rise towards faint magnitudes);
* **quadratic limb darkening** (u1, u2) from Teff for the Kepler or TESS band;
* **granulation** as a damped random walk whose amplitude and time scale follow the
  Kallinger et al. (2014) scaling with ν_max ∝ g / √Teff.

Pulsators get the stars their class lives on (:func:`draw_class_star`): δ Scuti and γ Dor
stars are A/F dwarfs, RR Lyrae stars horizontal-branch giants.
"""

from __future__ import annotations

from dataclasses import dataclass

import astropy.constants as const
import astropy.units as u
import numpy as np

from ..errors import ParameterError
from ..quantities import require_positive
from .truth import Truth

__all__ = [
    "BANDS",
    "Star",
    "StarPopulation",
    "draw_class_star",
    "draw_stars",
    "granulation_parameters",
    "limb_darkening",
]

# Dwarf sequence (mass M☉, Teff K, radius R☉), after the mean values of
# Pecaut & Mamajek (2013, ApJS 208, 9), M3V to F0V.
_DWARF_MASS = np.array([0.40, 0.50, 0.57, 0.65, 0.72, 0.80, 0.88, 0.98, 1.00, 1.10, 1.20, 1.33, 1.50, 1.61])
_DWARF_TEFF = np.array([3480, 3700, 3850, 4150, 4440, 4900, 5270, 5660, 5772, 6050, 6250, 6510, 6900, 7220.0])
_DWARF_RADIUS = np.array([0.40, 0.48, 0.59, 0.65, 0.70, 0.76, 0.85, 0.95, 1.00, 1.10, 1.20, 1.40, 1.60, 1.73])

# Quadratic limb-darkening coefficients (u1, u2) at log g = 4.5, [Fe/H] = 0: approximate
# values read from the ATLAS/PHOENIX tables of Claret & Bloemen (2011, A&A 529, A75) for the
# Kepler band and Claret (2017, A&A 600, A30) for the TESS band, interpolated in Teff.
_LD_TEFF = np.array([3500, 4000, 4500, 5000, 5500, 5800, 6000, 6500, 7000, 8000, 9000.0])
_LD_KEPLER = np.array([
    [0.30, 0.38], [0.52, 0.20], [0.56, 0.16], [0.50, 0.20], [0.44, 0.24], [0.40, 0.26],
    [0.38, 0.27], [0.32, 0.30], [0.28, 0.32], [0.22, 0.33], [0.18, 0.33],
])
_LD_TESS = np.array([
    [0.20, 0.38], [0.38, 0.22], [0.42, 0.18], [0.38, 0.21], [0.34, 0.23], [0.31, 0.24],
    [0.29, 0.25], [0.25, 0.27], [0.22, 0.29], [0.17, 0.31], [0.14, 0.31],
])

#: Photometric band of each telescope: name of the magnitude, limb-darkening table,
#: target magnitude range, and the wavelength (nm) used for surface-brightness ratios.
BANDS: dict[str, dict[str, object]] = {
    "Kepler": {"band": "Kp", "ld": _LD_KEPLER, "mag_range": (10.0, 16.0), "wavelength_nm": 640.0},
    "K2": {"band": "Kp", "ld": _LD_KEPLER, "mag_range": (10.0, 16.0), "wavelength_nm": 640.0},
    "TESS": {"band": "Tmag", "ld": _LD_TESS, "mag_range": (7.0, 13.5), "wavelength_nm": 800.0},
}

_G_SUN_CGS = 4.438  # log10 g of the Sun, cgs
_NU_MAX_SUN_UHZ = 3090.0  # Huber et al. 2011
_TEFF_SUN = 5772.0


def _band(mission: str) -> dict[str, object]:
    for name, spec in BANDS.items():
        if name.lower() == str(mission).lower():
            return spec
    raise ParameterError(f"unknown telescope {mission!r} for a stellar band; known: {', '.join(BANDS)}")


def limb_darkening(teff: np.ndarray | float, mission: str) -> np.ndarray:
    """Quadratic limb-darkening coefficients for a telescope's band.

    Parameters
    ----------
    teff : float or ndarray
        Effective temperature [K]; clipped to 3500–9000 K (the table's range).
    mission : str
        'Kepler', 'K2' (Kepler band) or 'TESS'.

    Returns
    -------
    ndarray, shape (..., 2)
        (u1, u2) per star.
    """
    table = np.asarray(_band(mission)["ld"])
    t = np.clip(np.asarray(teff, dtype=float), _LD_TEFF[0], _LD_TEFF[-1])
    u1 = np.interp(t, _LD_TEFF, table[:, 0])
    u2 = np.interp(t, _LD_TEFF, table[:, 1])
    return np.stack([u1, u2], axis=-1)


def granulation_parameters(logg: np.ndarray | float, teff: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
    """Granulation amplitude and time scale from the Kallinger et al. (2014) scaling.

    ν_max = 3090 μHz · (g/g☉) · (Teff/5772 K)^-0.5; the amplitude of one granulation
    component is a = 3382 ν_max^-0.609 ppm and its characteristic frequency
    b = 0.317 ν_max^0.970 μHz, so the damped-random-walk time scale is τ = 1 / (2π b).

    Returns
    -------
    sigma_ppm : ndarray
        Rms of the granulation signal sampled instantaneously [ppm].
    tau_minutes : ndarray
        Correlation time scale [min].
    """
    g_ratio = 10.0 ** (np.asarray(logg, dtype=float) - _G_SUN_CGS)
    nu_max = _NU_MAX_SUN_UHZ * g_ratio * (np.asarray(teff, dtype=float) / _TEFF_SUN) ** -0.5
    sigma = 3382.0 * nu_max**-0.609
    b_uhz = 0.317 * nu_max**0.970
    tau_s = 1.0 / (2.0 * np.pi * b_uhz * 1e-6)
    return sigma, tau_s / 60.0


def _logg(mass: np.ndarray, radius: np.ndarray) -> np.ndarray:
    g = const.G.cgs.value * mass * const.M_sun.cgs.value / (radius * const.R_sun.cgs.value) ** 2
    return np.log10(g)


@dataclass(frozen=True)
class Star:
    """One star's physical parameters.

    Parameters
    ----------
    mass : Quantity [mass]
    radius : Quantity [length]
    teff : Quantity [temperature]
    magnitude : float
        Magnitude in the telescope's band (Kepler Kp or TESS T) [mag].
    mission : str
        Telescope whose band ``magnitude`` is in ('Kepler', 'K2', 'TESS').

    Raises
    ------
    UnitsError
        A bare number where a Quantity is expected.
    ParameterError
        A non-positive mass, radius or temperature, or an unknown telescope.
    """

    mass: u.Quantity
    radius: u.Quantity
    teff: u.Quantity
    magnitude: float = 12.0
    mission: str = "Kepler"

    def __post_init__(self) -> None:
        object.__setattr__(self, "mass", require_positive(self.mass, u.M_sun, "mass"))
        object.__setattr__(self, "radius", require_positive(self.radius, u.R_sun, "radius"))
        object.__setattr__(self, "teff", require_positive(self.teff, u.K, "teff"))
        _band(self.mission)
        if not np.isfinite(self.magnitude):
            raise ParameterError(f"magnitude must be finite; got {self.magnitude}")

    @classmethod
    def sun_like(cls, magnitude: float = 12.0, mission: str = "Kepler") -> Star:
        """A G2 dwarf: 1 M☉, 1 R☉, 5772 K."""
        return cls(1.0 * u.M_sun, 1.0 * u.R_sun, 5772.0 * u.K, magnitude, mission)

    @property
    def mass_msun(self) -> float:
        return float(self.mass.to_value(u.M_sun))

    @property
    def radius_rsun(self) -> float:
        return float(self.radius.to_value(u.R_sun))

    @property
    def teff_k(self) -> float:
        return float(self.teff.to_value(u.K))

    @property
    def logg(self) -> float:
        """log10 of the surface gravity [cgs]."""
        return float(_logg(np.asarray(self.mass_msun), np.asarray(self.radius_rsun)))

    @property
    def limb_darkening(self) -> tuple[float, float]:
        u1, u2 = limb_darkening(self.teff_k, self.mission)
        return float(u1), float(u2)

    def truth(self) -> Truth:
        u1, u2 = self.limb_darkening
        return Truth(
            mag=float(self.magnitude), band=str(_band(self.mission)["band"]),
            mstar_msun=self.mass_msun, rstar_rsun=self.radius_rsun, teff_k=self.teff_k,
            logg_cgs=self.logg, u1=u1, u2=u2,
        )


@dataclass
class StarPopulation:
    """Parameters of many stars as float64 arrays (one element per star).

    Attributes
    ----------
    mission : str
    mass_msun, radius_rsun, teff_k, logg_cgs, mag : ndarray
    u1, u2 : ndarray
        Quadratic limb darkening in the telescope's band.
    gran_sigma_ppm, gran_tau_minutes : ndarray
        Granulation rms and time scale.
    """

    mission: str
    mass_msun: np.ndarray
    radius_rsun: np.ndarray
    teff_k: np.ndarray
    logg_cgs: np.ndarray
    mag: np.ndarray
    u1: np.ndarray
    u2: np.ndarray
    gran_sigma_ppm: np.ndarray
    gran_tau_minutes: np.ndarray

    def __len__(self) -> int:
        return len(self.mass_msun)

    def star(self, i: int) -> Star:
        return Star(self.mass_msun[i] * u.M_sun, self.radius_rsun[i] * u.R_sun,
                    self.teff_k[i] * u.K, float(self.mag[i]), self.mission)

    def set_star(self, i: int, mass: float, radius: float, teff: float) -> None:
        """Replace star ``i``'s mass [M☉], radius [R☉] and Teff [K], updating the derived values."""
        self.mass_msun[i], self.radius_rsun[i], self.teff_k[i] = mass, radius, teff
        self.logg_cgs[i] = _logg(np.asarray(mass), np.asarray(radius))
        self.u1[i], self.u2[i] = limb_darkening(teff, self.mission)
        s, tau = granulation_parameters(self.logg_cgs[i], teff)
        self.gran_sigma_ppm[i], self.gran_tau_minutes[i] = float(s), float(tau)

    def truth(self, i: int) -> Truth:
        return Truth(
            mag=float(self.mag[i]), band=str(_band(self.mission)["band"]),
            mstar_msun=float(self.mass_msun[i]), rstar_rsun=float(self.radius_rsun[i]),
            teff_k=float(self.teff_k[i]), logg_cgs=float(self.logg_cgs[i]),
            u1=float(self.u1[i]), u2=float(self.u2[i]),
            gran_sigma_ppm=float(self.gran_sigma_ppm[i]),
            gran_tau_minutes=float(self.gran_tau_minutes[i]),
        )


def _kroupa_mass(n: int, rng: np.random.Generator, lo: float = 0.45, hi: float = 1.6) -> np.ndarray:
    """Masses from the Kroupa (2001) broken power law between ``lo`` and ``hi`` [M☉]."""
    grid = np.linspace(lo, hi, 2048)
    pdf = np.where(grid < 0.5, (grid / 0.5) ** -1.3, (grid / 0.5) ** -2.3)
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pdf[1:] + pdf[:-1]) * np.diff(grid))])
    return np.interp(rng.random(n) * cdf[-1], cdf, grid)


def _magnitudes(n: int, rng: np.random.Generator, lo: float, hi: float, slope: float = 0.25) -> np.ndarray:
    """Magnitudes with p(m) ∝ 10^(slope·m) between ``lo`` and ``hi``."""
    k = slope * np.log(10.0)
    a, b = np.exp(k * lo), np.exp(k * hi)
    return np.log(a + rng.random(n) * (b - a)) / k


def draw_stars(
    n: int,
    mission: str,
    rng: np.random.Generator,
    *,
    mag_range: tuple[float, float] | None = None,
) -> StarPopulation:
    """Draw ``n`` main-sequence stars for a telescope (see the module docstring).

    Parameters
    ----------
    n : int
        Number of stars (≥ 0).
    mission : str
        'Kepler', 'K2' or 'TESS' (selects the band and default magnitude range).
    rng : numpy.random.Generator
    mag_range : (float, float), optional
        Magnitude range [mag]; default the telescope's target range
        (Kp 10–16 for Kepler/K2, T 7–13.5 for TESS).

    Raises
    ------
    ParameterError
        ``n`` < 0, an empty magnitude range or an unknown telescope.
    """
    if n < 0:
        raise ParameterError(f"n must be ≥ 0; got {n}")
    spec = _band(mission)
    limits: tuple[float, float] = mag_range if mag_range is not None else spec["mag_range"]  # type: ignore[assignment]
    lo, hi = float(limits[0]), float(limits[1])
    if not lo < hi:
        raise ParameterError(f"mag_range must be (faint > bright); got {mag_range}")
    mass = _kroupa_mass(n, rng)
    teff = np.interp(mass, _DWARF_MASS, _DWARF_TEFF) * (1.0 + 0.02 * rng.standard_normal(n))
    radius = np.interp(mass, _DWARF_MASS, _DWARF_RADIUS) * 10.0 ** rng.uniform(0.0, 0.1, n)
    sub = (mass > 1.0) & (rng.random(n) < 0.08)
    radius = np.where(sub, radius * rng.uniform(1.4, 2.4, n), radius)
    teff = np.where(sub, teff - rng.uniform(0.0, 400.0, n), teff)
    mag = _magnitudes(n, rng, lo, hi)
    logg = _logg(mass, radius)
    ld = limb_darkening(teff, mission)
    gs, gt = granulation_parameters(logg, teff)
    return StarPopulation(str(mission), mass, radius, teff, logg, mag, ld[:, 0].copy(), ld[:, 1].copy(), gs, gt)


def draw_class_star(kind: str, rng: np.random.Generator) -> tuple[float, float, float]:
    """Mass [M☉], radius [R☉] and Teff [K] of the star a pulsator class lives on.

    'delta_scuti': A/F dwarfs (1.5–2.5 M☉, 6300–8600 K); 'gamma_dor': early-F dwarfs
    (1.4–1.9 M☉, 6900–7500 K); 'rr_lyrae': horizontal-branch stars (0.6–0.8 M☉,
    4–6 R☉, 6100–7400 K).

    Raises
    ------
    ParameterError
        Another ``kind``.
    """
    if kind == "delta_scuti":
        m = rng.uniform(1.5, 2.5)
        return m, m**0.8 * rng.uniform(1.0, 1.5), rng.uniform(6300.0, 8600.0)
    if kind == "gamma_dor":
        m = rng.uniform(1.4, 1.9)
        return m, m**0.8 * rng.uniform(1.0, 1.3), rng.uniform(6900.0, 7500.0)
    if kind == "rr_lyrae":
        return rng.uniform(0.6, 0.8), rng.uniform(4.0, 6.0), rng.uniform(6100.0, 7400.0)
    raise ParameterError(f"no special star for class {kind!r}; known: delta_scuti, gamma_dor, rr_lyrae")
