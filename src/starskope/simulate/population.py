"""Drawing signals from astrophysical populations, and the class mix of simulated sets.

Planets follow Kepler's occurrence rates: the period density of *transiting* planets is
the intrinsic dN/dlogP ∝ P^1 below 10 d and flat above (Youdin 2011; Fressin et al. 2013;
Mulders et al. 2015), times the transit probability ∝ P^(−2/3); radii follow
dN/dlogR flat from 0.8 to 2.8 R⊕ and ∝ (R/2.8 R⊕)^−2 up to 22 R⊕ (Petigura et al. 2013;
Fressin et al. 2013). Benchmark hosts are then given a drawn detection SNR
(:func:`draw_host_snr`) by scaling the radius (:func:`draw_planet_for_snr`).

Binaries: periods log-uniform 0.4 d to half the observing span, mass ratio uniform
0.1–1, companion radius and Teff from the dwarf sequence, impact parameter uniform in
[0, 1 + R2/R1) (so about k/(1+k) of them graze). Background binaries add a dilution
log-uniform in [0.002, 0.1]. Spots: rotation 1–40 d (log-uniform), amplitude 0.05–3 %,
lifetime 1–5 rotations. Pulsators: δ Scuti 1–6 modes of 0.02–0.3 d, 1–30 mmag;
γ Dor 2–5 g modes of 0.3–3 d, 0.5–10 mmag; RR Lyrae RRab (0.45–1 d, 0.5–1 mag
sawtooth) or RRc (0.2–0.45 d, 0.3–0.5 mag, near-sinusoidal).
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping

import astropy.units as u
import numpy as np

from ..errors import ParameterError
from .signals import (
    BackgroundBinarySignal,
    EclipsingBinarySignal,
    PulsationSignal,
    SingleEventSignal,
    SpotModulation,
    TransitSignal,
    a_over_rstar,
    transit_duration_days,
)
from .stars import _DWARF_MASS, _DWARF_RADIUS, _DWARF_TEFF, Star, draw_stars

__all__ = [
    "CLASSES",
    "NEGATIVE_FRACTIONS",
    "allocate",
    "draw_background_binary",
    "draw_delta_scuti",
    "draw_eclipsing_binary",
    "draw_gamma_dor",
    "draw_host_snr",
    "draw_period",
    "draw_planet",
    "draw_planet_for_snr",
    "draw_radius",
    "draw_rr_lyrae",
    "draw_single_event",
    "draw_spots",
    "n_transits_observed",
]

#: Every class a simulated star can have ('planet' is the host class, label 2).
CLASSES: tuple[str, ...] = (
    "planet", "quiet", "spotted", "eclipsing_binary", "background_eb", "delta_scuti",
    "gamma_dor", "rr_lyrae", "single_event", "systematics",
)

#: Proportions of the non-host classes in every simulated set (they sum to 1).
NEGATIVE_FRACTIONS: dict[str, float] = {
    "quiet": 0.42,
    "spotted": 0.20,
    "eclipsing_binary": 0.08,
    "background_eb": 0.06,
    "delta_scuti": 0.04,
    "gamma_dor": 0.04,
    "rr_lyrae": 0.01,
    "single_event": 0.05,
    "systematics": 0.10,
}

_R_EARTH_RSUN = (1 * u.R_earth).to_value(u.R_sun)
_R_JUP_REARTH = (1 * u.R_jup).to_value(u.R_earth)
_MMAG = 1e-3 * math.log(10.0) / 2.5  # relative flux of 1 mmag (small-amplitude limit)


def allocate(n: int, fractions: Mapping[str, float]) -> dict[str, int]:
    """Split ``n`` into integer counts proportional to ``fractions`` (largest remainder).

    Raises
    ------
    ParameterError
        ``n`` < 0 or fractions that are negative or sum to zero.
    """
    if n < 0:
        raise ParameterError(f"n must be ≥ 0; got {n}")
    names = list(fractions)
    w = np.array([fractions[k] for k in names], dtype=float)
    if np.any(w < 0) or w.sum() <= 0:
        raise ParameterError(f"fractions must be ≥ 0 and not all zero; got {dict(fractions)}")
    exact = n * w / w.sum()
    counts = np.floor(exact).astype(int)
    order = np.argsort(-(exact - counts), kind="stable")
    for i in order[: n - int(counts.sum())]:
        counts[i] += 1
    return {k: int(c) for k, c in zip(names, counts, strict=True)}


# --------------------------------------------------------------------------- planets


def _inverse_cdf(grid: np.ndarray, pdf: np.ndarray, q: np.ndarray) -> np.ndarray:
    cdf = np.concatenate([[0.0], np.cumsum(0.5 * (pdf[1:] + pdf[:-1]) * np.diff(grid))])
    return np.interp(q * cdf[-1], cdf, grid)


def draw_period(rng: np.random.Generator, lo: float = 0.5, hi: float = 40.0, size: int | None = None) -> np.ndarray | float:
    """Orbital periods [days] of transiting planets between ``lo`` and ``hi``."""
    if not 0 < lo < hi:
        raise ParameterError(f"period range must satisfy 0 < lo < hi; got ({lo}, {hi})")
    x = np.linspace(math.log(lo), math.log(hi), 1024)
    p = np.exp(x)
    pdf = np.where(p < 10.0, p / 10.0, 1.0) * p ** (-2.0 / 3.0)
    out = np.exp(_inverse_cdf(x, pdf, rng.random(1 if size is None else size)))
    return float(out[0]) if size is None else out


def draw_radius(rng: np.random.Generator, lo: float = 0.8, hi: float = 22.0, size: int | None = None) -> np.ndarray | float:
    """Planet radii [R⊕] from the Kepler occurrence rates (flat in log R below 2.8 R⊕)."""
    x = np.linspace(math.log(lo), math.log(hi), 1024)
    r = np.exp(x)
    pdf = np.where(r < 2.8, 1.0, (r / 2.8) ** -2.0)
    out = np.exp(_inverse_cdf(x, pdf, rng.random(1 if size is None else size)))
    return float(out[0]) if size is None else out


def n_transits_observed(times: np.ndarray, duration_days: float, time_bjd: np.ndarray, cadence_days: float) -> int:
    """Transits (mid-times ``times``) with at least half of their cadences in ``time_bjd``."""
    if len(times) == 0:
        return 0
    expected = max(duration_days / cadence_days, 1.0)
    lo = np.searchsorted(time_bjd, times - 0.5 * duration_days)
    hi = np.searchsorted(time_bjd, times + 0.5 * duration_days)
    return int(np.sum((hi - lo) >= 0.5 * expected))


def _ld_depth(k: float, b: float, u1: float, u2: float) -> float:
    """Small-planet depth k² I(μ)/⟨I⟩ with μ = √(1 − b²) (quadratic law)."""
    mu = math.sqrt(max(1.0 - b * b, 0.0))
    intensity = 1.0 - u1 * (1.0 - mu) - u2 * (1.0 - mu) ** 2
    return k * k * intensity / (1.0 - u1 / 3.0 - u2 / 6.0)


def draw_planet(
    star: Star,
    rng: np.random.Generator,
    t_start: float,
    t_stop: float,
    *,
    period_range: tuple[float, float] = (0.5, 40.0),
    min_transits: int = 2,
    radius_rearth: float | None = None,
) -> TransitSignal:
    """A transiting planet from the occurrence rates, with ≥ ``min_transits`` transits
    between ``t_start`` and ``t_stop`` (BJD_TDB days).

    Raises
    ------
    ParameterError
        The window cannot hold ``min_transits`` transits at the shortest period.
    """
    span = t_stop - t_start
    hi = min(period_range[1], span / max(min_transits, 1))
    lo = period_range[0]
    if hi <= lo:
        raise ParameterError(
            f"a {span:.1f}-day window cannot hold {min_transits} transits of periods ≥ {lo} d"
        )
    for _ in range(1000):
        period = float(draw_period(rng, lo, hi))
        rp = float(draw_radius(rng)) if radius_rearth is None else radius_rearth
        k = rp * _R_EARTH_RSUN / star.radius_rsun
        if a_over_rstar(period, star.mass_msun, star.radius_rsun) < 2.0 * (1 + k) or k >= 0.5:
            continue
        b = float(rng.uniform(0.0, 0.9))
        epoch = t_start + float(rng.random()) * period
        planet = TransitSignal.from_floats(period, rp, star, epoch, b)
        if len(planet.transit_times(t_start, t_stop)) >= min_transits:
            return planet
    raise ParameterError(f"no planet found with {min_transits} transits in {span:.1f} days around {star}")


def draw_host_snr(n: int, rng: np.random.Generator, *, low_fraction: float = 0.25, high_fraction: float = 0.05) -> np.ndarray:
    """Detection SNRs of ``n`` hosts: a quarter near threshold, few very strong.

    Stratified draw from a mixture: ``low_fraction`` uniform in 7–12 (near the Kepler
    pipeline's 7.1σ threshold), ``high_fraction`` log-uniform in 50–150, the rest
    log-uniform in 12–50. Stratification makes the fractions hold even for small ``n``.
    """
    q = (rng.permutation(n) + rng.random(n)) / max(n, 1)
    out = np.empty(n)
    low = q < low_fraction
    high = q >= 1.0 - high_fraction
    mid = ~(low | high)
    out[low] = 7.0 + 5.0 * q[low] / low_fraction
    xm = (q[mid] - low_fraction) / (1.0 - low_fraction - high_fraction)
    out[mid] = 12.0 * (50.0 / 12.0) ** xm
    xh = (q[high] - (1.0 - high_fraction)) / high_fraction
    out[high] = 50.0 * 3.0**xh
    return out


def draw_planet_for_snr(
    star: Star,
    rng: np.random.Generator,
    target_snr: float,
    noise_over: Callable[[float], float],
    time_bjd: np.ndarray,
    cadence_days: float,
    *,
    period_range: tuple[float, float] = (0.5, 40.0),
    tries: int = 300,
) -> tuple[TransitSignal, float, int]:
    """A planet from the occurrence rates whose detection SNR is ``target_snr``.

    SNR = δ / σ(T14) · √N_transits, with δ the limb-darkened model depth, σ(T14) =
    ``noise_over(duration_days)`` the relative noise of a mean over the transit duration
    and N the transits with data (:func:`n_transits_observed`). Periods and radii are drawn
    from the occurrence rates until one lands within a factor 2 of the target; its radius
    is then scaled to hit the target exactly (radii kept within 0.5 R⊕ – 2.2 R_Jup and
    Rp/R★ < 0.3).

    Returns
    -------
    planet : TransitSignal
    snr : float
        The achieved SNR (equal to the target unless a radius limit was hit).
    n_transits : int
    """
    t0, t1 = float(time_bjd[0]), float(time_bjd[-1])
    span = t1 - t0
    hi = min(period_range[1], span / 2.0)
    u1, u2 = star.limb_darkening
    best = None
    for attempt in range(tries):
        period = float(draw_period(rng, period_range[0], hi))
        rp = float(draw_radius(rng))
        b = float(rng.uniform(0.0, 0.9))
        epoch = t0 + float(rng.random()) * period
        a_rs = float(a_over_rstar(period, star.mass_msun, star.radius_rsun))
        k = rp * _R_EARTH_RSUN / star.radius_rsun
        if a_rs < 2.5 or k >= 0.3:
            continue
        dur = float(transit_duration_days(period, a_rs, k, b))
        times = epoch + period * np.arange(0, int(span / period) + 2)
        n_tr = n_transits_observed(times[times <= t1], dur, time_bjd, cadence_days)
        if n_tr < 2:
            continue
        snr = _ld_depth(k, b, u1, u2) / noise_over(dur) * math.sqrt(n_tr)
        best = (period, rp, b, epoch, snr)
        if 0.5 <= snr / target_snr <= 2.0 or attempt == tries - 1:
            break
    if best is None:
        raise ParameterError(f"could not place a planet with 2 transits in {span:.1f} days around {star}")
    period, rp, b, epoch, _snr = best
    rp_max = min(2.2 * _R_JUP_REARTH, 0.3 * star.radius_rsun / _R_EARTH_RSUN)
    for _ in range(4):  # scale the radius; duration and depth depend weakly on Rp/R★
        planet = TransitSignal.from_floats(period, rp, star, epoch, b)
        n_tr = n_transits_observed(planet.transit_times(t0, t1), planet.duration_days, time_bjd, cadence_days)
        snr = planet.depth / noise_over(planet.duration_days) * math.sqrt(n_tr)
        rp = float(np.clip(rp * math.sqrt(target_snr / snr), 0.5, rp_max))
    planet = TransitSignal.from_floats(period, rp, star, epoch, b)
    n_tr = n_transits_observed(planet.transit_times(t0, t1), planet.duration_days, time_bjd, cadence_days)
    snr = planet.depth / noise_over(planet.duration_days) * math.sqrt(n_tr)
    return planet, float(snr), int(n_tr)


# --------------------------------------------------------------------------- binaries


def _companion(rng: np.random.Generator, primary: Star) -> tuple[float, float, float]:
    q = float(rng.uniform(0.1, 1.0))
    m2 = q * primary.mass_msun
    r2 = float(np.interp(m2, _DWARF_MASS, _DWARF_RADIUS))
    if m2 < _DWARF_MASS[0]:  # late M dwarfs: R ≈ M (Boyajian et al. 2012)
        r2 = m2
    t2 = float(np.interp(m2, _DWARF_MASS, _DWARF_TEFF))
    if m2 < _DWARF_MASS[0]:
        t2 = 2800.0 + (m2 - 0.08) / (_DWARF_MASS[0] - 0.08) * (_DWARF_TEFF[0] - 2800.0)
    r2 = min(r2, primary.radius_rsun)
    return m2, r2, t2


def draw_eclipsing_binary(
    primary: Star,
    rng: np.random.Generator,
    t_start: float,
    t_stop: float,
    *,
    period_range: tuple[float, float] = (0.4, 40.0),
) -> EclipsingBinarySignal:
    """An eclipsing binary with ``primary`` as the brighter star and ≥ 2 primary eclipses."""
    span = t_stop - t_start
    hi = min(period_range[1], span / 2.0)
    for _ in range(1000):
        period = float(math.exp(rng.uniform(math.log(period_range[0]), math.log(hi))))
        m2, r2, t2 = _companion(rng, primary)
        k = r2 / primary.radius_rsun
        a_r1 = float(a_over_rstar(period, primary.mass_msun + m2, primary.radius_rsun))
        if a_r1 < 1.5 * (1.0 + k):
            continue
        b = float(rng.uniform(0.0, 1.0 + k) * 0.98)
        epoch = t_start + float(rng.random()) * period
        return EclipsingBinarySignal(period * u.day, primary, m2 * u.M_sun, r2 * u.R_sun, t2 * u.K,
                                     epoch, b, albedo=float(rng.uniform(0.3, 0.7)))
    raise ParameterError(f"no detached binary fits a {span:.1f}-day window around {primary}")


def draw_background_binary(
    mission: str,
    rng: np.random.Generator,
    t_start: float,
    t_stop: float,
    *,
    dilution_range: tuple[float, float] = (0.002, 0.1),
) -> BackgroundBinarySignal:
    """A background eclipsing binary blended with the target."""
    pop = draw_stars(1, mission, rng)
    eb = draw_eclipsing_binary(pop.star(0), rng, t_start, t_stop)
    lo, hi = dilution_range
    d = float(math.exp(rng.uniform(math.log(lo), math.log(hi))))
    return BackgroundBinarySignal(eb, d, separation_pix=float(rng.uniform(0.3, 3.0)))


# --------------------------------------------------------------------------- single events and spots


def draw_single_event(
    rng: np.random.Generator,
    t_start: float,
    t_stop: float,
    noise_over: Callable[[float], float],
    *,
    snr_range: tuple[float, float] = (6.0, 30.0),
) -> SingleEventSignal:
    """One dip of 1–12 h, depth set for an SNR in ``snr_range`` against ``noise_over``."""
    duration_h = float(math.exp(rng.uniform(math.log(1.0), math.log(12.0))))
    shape = str(rng.choice(["transit", "transit", "box", "v", "gaussian"]))
    margin = duration_h / 24.0
    epoch = float(rng.uniform(t_start + margin, t_stop - margin))
    snr = float(rng.uniform(*snr_range))
    depth = min(snr * noise_over(duration_h / 24.0), 0.2)
    return SingleEventSignal(epoch, depth * u.dimensionless_unscaled, duration_h * u.hour, shape)


def draw_spots(
    rng: np.random.Generator,
    reference_bjd: float,
    *,
    period_range: tuple[float, float] = (1.0, 40.0),
    amplitude_range: tuple[float, float] = (5e-4, 3e-2),
) -> SpotModulation:
    """Rotational modulation: period and amplitude log-uniform in their ranges."""
    period = float(math.exp(rng.uniform(*np.log(period_range))))
    amp = float(math.exp(rng.uniform(*np.log(amplitude_range))))
    n = int(rng.integers(1, 4))
    weights = rng.dirichlet(np.ones(n))
    spots = tuple(
        (float(w), float(rng.uniform(-0.05, 0.05)), float(rng.uniform(0, 2 * np.pi)),
         float(rng.uniform(-0.3, 0.5)), float(rng.uniform(0, 2 * np.pi)), float(rng.uniform(0.7, 1.3)))
        for w in weights
    )
    lifetime = period * float(rng.uniform(1.0, 5.0))
    return SpotModulation(period * u.day, amp * u.dimensionless_unscaled, lifetime * u.day, spots, reference_bjd)


# --------------------------------------------------------------------------- pulsators


def draw_delta_scuti(rng: np.random.Generator, reference_bjd: float) -> PulsationSignal:
    """δ Scuti pulsation: 1–6 p modes, periods 0.02–0.3 d, dominant 1–30 mmag."""
    n = int(rng.integers(1, 7))
    periods = np.exp(rng.uniform(math.log(0.02), math.log(0.3), n))
    a1 = math.exp(rng.uniform(math.log(1.0), math.log(30.0))) * _MMAG
    amps = a1 * np.concatenate([[1.0], rng.uniform(0.05, 0.6, n - 1)])
    phases = rng.uniform(0, 2 * np.pi, n)
    return PulsationSignal("delta_scuti", tuple((1.0 / periods).tolist()), tuple(amps.tolist()),
                           tuple(phases.tolist()), reference_bjd, float(periods[0]))


def draw_gamma_dor(rng: np.random.Generator, reference_bjd: float) -> PulsationSignal:
    """γ Doradus pulsation: 2–5 g modes of nearly equal period spacing, 0.3–3 d, 0.5–10 mmag."""
    n = int(rng.integers(2, 6))
    p0 = math.exp(rng.uniform(math.log(0.3), math.log(3.0)))
    spacing = p0 * rng.uniform(0.01, 0.04)
    periods = p0 + spacing * np.arange(n) + rng.normal(0.0, 0.1 * spacing, n)
    a1 = math.exp(rng.uniform(math.log(0.5), math.log(10.0))) * _MMAG
    amps = a1 * np.concatenate([[1.0], rng.uniform(0.2, 0.9, n - 1)])
    phases = rng.uniform(0, 2 * np.pi, n)
    return PulsationSignal("gamma_dor", tuple((1.0 / periods).tolist()), tuple(amps.tolist()),
                           tuple(phases.tolist()), reference_bjd, float(periods[0]))


def _rr_lyrae_harmonics(amplitude_mag: float, rise: float, n_harm: int = 12) -> tuple[np.ndarray, np.ndarray]:
    """Fourier amplitudes and phases (of sin) of a sawtooth light curve in relative flux."""
    phase = np.arange(2048) / 2048.0
    decline = np.clip((phase - rise) / (1.0 - rise), 0.0, 1.0) ** 0.8
    m = np.where(phase < rise, 0.5 - phase / rise, -0.5 + decline)
    mag = amplitude_mag * m
    flux = 10.0 ** (-0.4 * mag)
    spec = np.fft.rfft(flux) / len(flux)
    c0 = spec[0].real
    k = np.arange(1, n_harm + 1)
    amps = 2.0 * np.abs(spec[k]) / c0
    # f = c0 + Σ 2|F_k| cos(2πkφ + arg F_k) = c0 + Σ 2|F_k| sin(2πkφ + arg F_k + π/2)
    phases = np.angle(spec[k]) + 0.5 * np.pi
    return amps, phases


def draw_rr_lyrae(rng: np.random.Generator, reference_bjd: float) -> PulsationSignal:
    """RR Lyrae: RRab (70 %: 0.45–1 d, 0.5–1 mag, fast rise) or RRc (0.2–0.45 d, 0.3–0.5 mag)."""
    if rng.random() < 0.7:
        period = float(rng.uniform(0.45, 1.0))
        amp_mag = float(rng.uniform(0.5, 1.0))
        rise = float(rng.uniform(0.1, 0.2))
    else:
        period = float(rng.uniform(0.2, 0.45))
        amp_mag = float(rng.uniform(0.3, 0.5))
        rise = float(rng.uniform(0.35, 0.45))
    amps, phases = _rr_lyrae_harmonics(amp_mag, rise)
    offset = float(rng.uniform(0, 2 * np.pi))
    k = np.arange(1, len(amps) + 1)
    freqs = k / period
    return PulsationSignal("rr_lyrae", tuple(freqs.tolist()), tuple(amps.tolist()),
                           tuple((phases + k * offset).tolist()), reference_bjd, period)
