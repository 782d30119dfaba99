"""Photometric noise of Kepler, K2 and TESS versus magnitude, and stellar granulation.

Each telescope has a :class:`NoiseModel` in :data:`NOISE_MODELS` (looked up by the
telescope profile's name, :func:`starskope.missions.get_mission`). A model gives the
flux rate of a star (e⁻/s) and the relative white noise per cadence, from which the
combined differential photometric precision (CDPP) over any duration follows.

Kepler (Jenkins et al. 2010, ApJ 713, L120; Gilliland et al. 2011, ApJS 197, 6)
    Per cadence of length Δt the detector integrates t = Δt · 6.0198/6.5388 s (270 frames of
    6.02 s with 0.52-s readouts per long cadence) and reads each pixel Δt / 6.5388 s times.
    With F the star's rate, N_pix optimal-aperture pixels, B the sky background per
    pixel and R the read noise per read,

    .. math:: \\sigma^2 = \\frac{F t + N_{pix} B t + N_{pix} N_{read} R^2}{(F t)^2}
              + \\sigma_{floor}^2 \\frac{6.5\\,h}{\\Delta t}

    with F = 1.74 × 10⁵ e⁻/s at Kp = 12, R = 100 e⁻ per read, N_pix = 25 · 10^(−0.1 (Kp − 12))
    optimal-aperture pixels (clipped to 4–60), B = 500 e⁻/s per pixel (zodiacal light,
    unresolved stars, smear) and a white floor of 12 ppm per 6.5 h. This gives a 6.5-h
    white-noise CDPP of ~22 ppm at Kp 12, ~63 ppm at Kp 14 and ~250 ppm at Kp 16 (Jenkins
    et al. 2010 and Christiansen et al. 2012 report medians near 30 ppm at Kp 12 including
    stellar noise, which granulation adds here). N_pix, B and the floor were chosen so that
    the per-cadence scatter of the 68 quiet no-known-planet Kepler DR24 quarters in
    ``shared/data`` is matched to within ~25 % from Kp 11 to 16 (measured/model medians per
    magnitude: 0.97, 1.27, 1.09, 0.99, 1.02 for Kp 11, 12, 13, 14, 15).
K2 (Howell et al. 2014, PASP 126, 398; Vanderburg et al. 2016, ApJS 222, 14)
    The Kepler terms times 1.5 (pointing jitter along the roll arc smears the star over more
    pixels and their sensitivity variations) plus a 30-ppm-per-6.5-h floor: a white-noise
    CDPP 1.5–2.3× Kepler's; the roll-residual sawtooth, thruster-firing outliers and drifts
    that :mod:`starskope.simulate.instrument` adds bring K2 to its usual 2–3× Kepler. (The
    per-cadence scatter of the real C5 PDCSAP light curves in ``shared/data`` is 1–1.5×
    Kepler's at the same Kp.)
TESS (Sullivan et al. 2015, ApJ 809, 77; Stassun et al. 2018, AJ 156, 102)
    The one-hour noise of the TESS Input Catalog, a fifth-order polynomial in T fitted to
    the Sullivan et al. model (shot noise, zodiacal and unresolved-star background, 10 e⁻
    read noise per 2-s frame, and a 60 ppm h^½ systematic floor):
    ln σ₁ₕ[ppm] = 3.29685 + 0.850021 T − 0.285042 T² + 0.0395908 T³ − 0.00223080 T⁴
    + 4.73508×10⁻⁵ T⁵, scaled as 1/√(cadence). Flux rate 1.5 × 10⁴ e⁻/s at T = 10.

Granulation is a damped random walk (Ornstein–Uhlenbeck process) of rms σ and time scale
τ from :func:`starskope.simulate.stars.granulation_parameters`; integrating it over an
exposure T reduces its variance by 2(τ/T)²(T/τ − 1 + e^(−T/τ)) and successive cadences are
correlated by φ = e^(−Δt/τ) (:func:`granulation_at_cadence`, :func:`granulation_series`).
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass, field

import astropy.units as u
import numpy as np

from ..errors import ParameterError
from ..missions import TelescopeProfile, get_mission
from ..physics import ppm
from ..quantities import require_positive, to_value
from ..registry import Registry

__all__ = [
    "NOISE_MODELS",
    "NoiseModel",
    "ar1_mean_variance",
    "get_noise_model",
    "granulation_at_cadence",
    "granulation_series",
]

_SIX_HALF_HOURS_MIN = 390.0


@dataclass(frozen=True)
class NoiseModel:
    """Relative white noise per cadence of one telescope as a function of magnitude.

    Attributes
    ----------
    telescope : str
        Profile name ('Kepler', 'K2', 'TESS').
    band : str
        Magnitude the model takes ('Kp' or 'Tmag').
    zero_point_mag, zero_point_e_per_s : float
        The star's flux rate is ``zero_point_e_per_s · 10^(−0.4 (m − zero_point_mag))`` e⁻/s.
    mag_limits : (float, float)
        Magnitudes the model is valid for.
    parameters : dict
        The model's constants (documented in the module docstring).
    reference : str
        Where the model comes from.
    """

    telescope: str
    band: str
    zero_point_mag: float
    zero_point_e_per_s: float
    mag_limits: tuple[float, float]
    variance: Callable[[np.ndarray, float], np.ndarray] = field(repr=False)
    parameters: dict[str, float] = field(default_factory=dict)
    reference: str = ""

    @property
    def profile(self) -> TelescopeProfile:
        """The telescope's profile (cadences, QUALITY bits, segments, systematics)."""
        return get_mission(self.telescope)

    def _mags(self, mag: np.ndarray | float, name: str = "mag") -> np.ndarray:
        m = np.asarray(mag, dtype=float)
        lo, hi = self.mag_limits
        if not np.all(np.isfinite(m)) or np.any(m < lo) or np.any(m > hi):
            bad = m[~(np.isfinite(m) & (m >= lo) & (m <= hi))]
            raise ParameterError(
                f"{name}: the {self.telescope} noise model covers {self.band} {lo:g}–{hi:g}; "
                f"got {bad.ravel()[:3].tolist()}"
            )
        return m

    def flux_rate(self, mag: np.ndarray | float) -> np.ndarray:
        """The star's flux rate [e⁻/s] at magnitude ``mag`` (float or array)."""
        m = self._mags(mag)
        return self.zero_point_e_per_s * 10.0 ** (-0.4 * (m - self.zero_point_mag))

    def aperture(self, mag: np.ndarray | float) -> tuple[np.ndarray, np.ndarray]:
        """Pixels in the optimal aperture and the sky background they collect [e⁻/s] at ``mag``
        (for the simulated SAP_BKG column)."""
        m = self._mags(mag)
        p = self.parameters
        if "npix_12" in p:
            npix = np.clip(p["npix_12"] * 10.0 ** (-p["npix_slope"] * (m - 12.0)), p["npix_min"], p["npix_max"])
            return npix, npix * p["background_e_per_s_pix"]
        npix = np.clip(30.0 * 10.0 ** (-0.15 * (m - 8.0)), 4.0, 80.0)  # TESS (Sullivan et al. 2015, Fig. 14)
        return npix, npix * 50.0

    def sigma(self, mag: np.ndarray | float, cadence_minutes: float) -> np.ndarray:
        """Relative white noise per cadence (a fraction, not ppm) at ``mag``.

        Parameters
        ----------
        mag : float or ndarray
            Magnitude in the model's band.
        cadence_minutes : float
            Cadence (= exposure) length [min].
        """
        if not np.isfinite(cadence_minutes) or cadence_minutes <= 0:
            raise ParameterError(f"cadence_minutes must be finite and positive; got {cadence_minutes}")
        return np.sqrt(self.variance(self._mags(mag), float(cadence_minutes)))

    def cadence_noise(self, mag: np.ndarray | float, cadence: u.Quantity) -> u.Quantity:
        """Relative noise per cadence as a Quantity in ppm (public, unit-checked form of :meth:`sigma`)."""
        c = require_positive(cadence, u.min, "cadence")
        return (self.sigma(mag, float(c.value)) * 1e6) * ppm

    def cdpp(self, mag: np.ndarray | float, duration: u.Quantity, cadence: u.Quantity | None = None) -> u.Quantity:
        """White-noise CDPP over ``duration`` (σ per cadence / √(cadences in the window)).

        Parameters
        ----------
        mag : float or ndarray
        duration : Quantity [time]
            E.g. ``6.5 * u.hour``.
        cadence : Quantity [time], optional
            Default the telescope's long cadence (Kepler/K2 29.4 min, TESS 2 min).

        Returns
        -------
        Quantity [ppm]
        """
        d = to_value(duration, u.min, "duration")
        c = float(self.profile.long_cadence.to_value(u.min)) if cadence is None else to_value(cadence, u.min, "cadence")
        if d <= 0 or c <= 0:
            raise ParameterError(f"duration and cadence must be positive; got {duration}, {cadence}")
        n = max(d / c, 1.0)
        return (self.sigma(mag, c) / np.sqrt(n) * 1e6) * ppm



def _kepler_terms(mag: np.ndarray, cadence_min: float, p: dict[str, float]) -> tuple[np.ndarray, float]:
    """Photon + background + read variance (relative) and the floor variance for Kepler's detector."""
    seconds = cadence_min * 60.0
    t_int = seconds * p["int_time_s"] / p["frame_time_s"]
    n_read = seconds / p["frame_time_s"]
    flux = p["zero_point_e_per_s"] * 10.0 ** (-0.4 * (mag - p["zero_point_mag"]))
    npix = np.clip(p["npix_12"] * 10.0 ** (-p["npix_slope"] * (mag - 12.0)), p["npix_min"], p["npix_max"])
    signal = flux * t_int
    var = (signal + npix * p["background_e_per_s_pix"] * t_int + npix * n_read * p["read_noise_e"] ** 2) / signal**2
    floor = (p["floor_ppm_6p5h"] * 1e-6) ** 2 * (_SIX_HALF_HOURS_MIN / cadence_min)
    return var, floor


_KEPLER = {
    "zero_point_mag": 12.0,
    "zero_point_e_per_s": 1.74e5,
    "int_time_s": 6.019802903,
    "frame_time_s": 6.538751429,
    "read_noise_e": 100.0,
    "background_e_per_s_pix": 500.0,
    "npix_12": 25.0,
    "npix_slope": 0.1,
    "npix_min": 4.0,
    "npix_max": 60.0,
    "floor_ppm_6p5h": 12.0,
}
_K2 = {**_KEPLER, "k2_factor": 1.5, "floor_ppm_6p5h": 30.0}
_TESS = {
    "zero_point_mag": 10.0,
    "zero_point_e_per_s": 1.5e4,
    "lnA": 3.29685004771,
    "B": 0.850021465753,
    "C": -0.285041632435,
    "D": 0.0395908321369,
    "E": -0.0022308015894,
    "F": 4.73508403525e-5,
}


def _kepler_variance(mag: np.ndarray, cadence_min: float) -> np.ndarray:
    var, floor = _kepler_terms(mag, cadence_min, _KEPLER)
    return var + floor


def _k2_variance(mag: np.ndarray, cadence_min: float) -> np.ndarray:
    var, floor = _kepler_terms(mag, cadence_min, _K2)
    return _K2["k2_factor"] ** 2 * var + floor


def _tess_variance(mag: np.ndarray, cadence_min: float) -> np.ndarray:
    p = _TESS
    ln_sigma = p["lnA"] + p["B"] * mag + p["C"] * mag**2 + p["D"] * mag**3 + p["E"] * mag**4 + p["F"] * mag**5
    sigma_hour = np.exp(ln_sigma) * 1e-6
    return sigma_hour**2 * (60.0 / cadence_min)


NOISE_MODELS: Registry[NoiseModel] = Registry("noise model")
NOISE_MODELS.add("Kepler", NoiseModel(
    "Kepler", "Kp", 12.0, 1.74e5, (6.0, 18.0), _kepler_variance, dict(_KEPLER),
    "shot + background + read noise + 20 ppm/6.5 h floor (Jenkins et al. 2010; Gilliland et al. 2011)",
))
NOISE_MODELS.add("K2", NoiseModel(
    "K2", "Kp", 12.0, 1.74e5, (6.0, 18.0), _k2_variance, dict(_K2),
    "Kepler terms × 1.5 + 30 ppm/6.5 h floor (Howell et al. 2014; Vanderburg et al. 2016)",
))
NOISE_MODELS.add("TESS", NoiseModel(
    "TESS", "Tmag", 10.0, 1.5e4, (4.0, 16.0), _tess_variance, dict(_TESS),
    "TIC one-hour noise polynomial (Stassun et al. 2018) from the Sullivan et al. (2015) model",
))


def get_noise_model(mission: str) -> NoiseModel:
    """The noise model of a telescope ('Kepler', 'K2', 'TESS'; aliases as for get_mission)."""
    return NOISE_MODELS.get(get_mission(mission).name)


# ----------------------------------------------------------------------------- granulation


def granulation_at_cadence(
    sigma_ppm: np.ndarray | float, tau_minutes: np.ndarray | float, cadence_minutes: float
) -> tuple[np.ndarray, np.ndarray]:
    """Rms and lag-one correlation of granulation sampled with exposures of one cadence.

    Returns
    -------
    sigma_ppm : ndarray
        Rms of the exposure-averaged damped random walk [ppm].
    phi : ndarray
        Correlation of successive cadences, e^(−Δt/τ).
    """
    s = np.asarray(sigma_ppm, dtype=float)
    x = cadence_minutes / np.asarray(tau_minutes, dtype=float)
    reduction = 2.0 / x**2 * (x - 1.0 + np.exp(-x))
    return s * np.sqrt(reduction), np.exp(-x)


def granulation_series(
    sigma: np.ndarray, phi: np.ndarray, innovations: np.ndarray
) -> np.ndarray:
    """A stationary AR(1) series per row: x_j = φ x_{j−1} + σ √(1 − φ²) e_j.

    Parameters
    ----------
    sigma, phi : ndarray, shape (n_stars,)
        Rms (any unit) and lag-one correlation per star.
    innovations : ndarray, shape (n_stars, n_cadences)
        Standard normal deviates.

    Returns
    -------
    ndarray, shape (n_stars, n_cadences)
    """
    e = np.asarray(innovations, dtype=float)
    sigma = np.asarray(sigma, dtype=float)[:, None]
    phi = np.asarray(phi, dtype=float)
    out = np.empty_like(e)
    out[:, 0] = e[:, 0]
    scale = np.sqrt(1.0 - phi**2)
    for j in range(1, e.shape[1]):
        out[:, j] = phi * out[:, j - 1] + scale * e[:, j]
    return out * sigma


def ar1_mean_variance(n: np.ndarray | float, phi: np.ndarray | float) -> np.ndarray:
    """Variance of the mean of ``n`` successive AR(1) samples of unit variance.

    (1/n) [1 + 2 Σ_{k=1}^{n−1} (1 − k/n) φ^k], in closed form.
    """
    n = np.maximum(np.asarray(n, dtype=float), 1.0)
    phi = np.clip(np.asarray(phi, dtype=float), 0.0, 1.0 - 1e-12)
    s = phi / (1 - phi) - phi * (1 - phi**n) / (n * (1 - phi) ** 2)
    return (1.0 + 2.0 * s) / n
