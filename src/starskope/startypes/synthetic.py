"""Signals injected into real quiet light curves to widen the star-type training set.

The labelled TESS FFI set has no rotational variables, no "other" variables and only a
dozen planet hosts, so the training set adds signals *injected into real non-variable
TESS light curves of the training split* (their cadence, gaps and noise stay real):

* :func:`spotted_star_signal` – rotational modulation by evolving starspots with
  differential rotation (quasi-periodic, after Aigrain et al. 2015's spot model in
  spirit: spots of finite lifetime on a rotating star).
* :func:`transit_signal` – a limb-darkened planetary transit (batman; Kreidberg 2015),
  integrated over the exposure, with the depth chosen for a detectable SNR.
* :func:`red_noise_signal` – stochastic variability, a damped random walk
  (Ornstein–Uhlenbeck process; Kelly et al. 2009): the "other" class.
* :func:`flare_signal` – flares with the Davenport et al. (2014) template: "other".
* :func:`fourier_template_signal` – a harmonic-series template fitted to a real training
  light curve, re-injected with a new phase, slightly changed period and amplitude
  (augments the 17 training RR Lyrae stars).

Every function returns a relative-flux signal ``s`` (dimensionless, 0 = no change); the
injected curve is ``flux × (1 + s)``.
"""

from __future__ import annotations

import numpy as np

from ..errors import ParameterError

__all__ = [
    "flare_signal",
    "fourier_template_signal",
    "red_noise_signal",
    "spotted_star_signal",
    "transit_signal",
]


def spotted_star_signal(
    time: np.ndarray,
    rng: np.random.Generator,
    *,
    period: float | None = None,
    amplitude: float | None = None,
) -> tuple[np.ndarray, dict[str, float]]:
    """Rotational modulation of a spotted star.

    Parameters
    ----------
    time : ndarray
        Days.
    rng : numpy.random.Generator
    period : float, optional
        Equatorial rotation period, days (default: log-uniform 0.5–20 d).
    amplitude : float, optional
        Peak-to-peak relative amplitude (default: log-uniform 1e-3 – 5e-2).

    Returns
    -------
    signal : ndarray
        Relative flux change.
    params : dict
        ``period_d``, ``amplitude``, ``n_spots``.
    """
    p = float(np.exp(rng.uniform(np.log(0.5), np.log(20.0)))) if period is None else float(period)
    amp = float(np.exp(rng.uniform(np.log(1e-3), np.log(5e-2)))) if amplitude is None else float(amplitude)
    if p <= 0 or amp <= 0:
        raise ParameterError(f"spotted_star_signal: period and amplitude must be > 0; got {p}, {amp}")
    n_spots = int(rng.integers(1, 5))
    t = time - time[0]
    span = float(t[-1]) if t.size else 1.0
    total = np.zeros_like(t)
    shear = rng.uniform(0.0, 0.08)
    for _ in range(n_spots):
        latitude = rng.uniform(0, 1)
        p_spot = p * (1.0 + shear * latitude**2)
        phase0 = rng.uniform(0, 2 * np.pi)
        life = rng.uniform(0.5, 4.0) * max(p, 2.0) * rng.uniform(1.0, 3.0)
        t_peak = rng.uniform(-0.3 * span, 1.3 * span)
        size = rng.uniform(0.3, 1.0) * np.exp(-0.5 * ((t - t_peak) / life) ** 2)
        # projected spot area: foreshortening times visibility (behind the limb → 0)
        cos_mu = np.cos(2 * np.pi * t / p_spot + phase0) * rng.uniform(0.4, 1.0)
        total -= size * np.clip(cos_mu, 0.0, None)
    total -= np.mean(total)
    ptp = float(np.ptp(total))
    signal = total * (amp / ptp) if ptp > 0 else total
    return signal, {"period_d": p, "amplitude": amp, "n_spots": float(n_spots)}


def transit_signal(
    time: np.ndarray,
    rng: np.random.Generator,
    *,
    noise: float,
    period: float | None = None,
    snr: float | None = None,
    exposure_days: float = 30.0 / 1440.0,
) -> tuple[np.ndarray, dict[str, float]]:
    """A limb-darkened transit train (batman) of a planet round a Sun-like star.

    Parameters
    ----------
    time : ndarray
        Days (BJD or relative).
    rng : numpy.random.Generator
    noise : float
        Per-cadence relative noise of the light curve the transit goes into; the
        depth is set so the transit SNR (depth/noise × √N_in-transit) is ``snr``.
    period : float, optional
        Days (default: log-uniform from 0.7 d to a third of the span).
    snr : float, optional
        Target SNR (default: log-uniform 8–60).
    exposure_days : float
        Exposure time for the supersampled integration.

    Returns
    -------
    signal, params
        ``params`` has ``period_d``, ``t0``, ``rp_over_rs``, ``a_over_rs``, ``impact``,
        ``depth``.
    """
    import batman

    span = float(time[-1] - time[0])
    if span <= 2.1:
        raise ParameterError(f"transit_signal: time span {span:.2f} d is too short for two transits")
    p_hi = max(0.8, span / 3.0)
    p = float(np.exp(rng.uniform(np.log(0.7), np.log(p_hi)))) if period is None else float(period)
    target_snr = float(np.exp(rng.uniform(np.log(8.0), np.log(60.0)))) if snr is None else float(snr)
    density = float(np.exp(rng.uniform(np.log(0.3), np.log(3.0))))  # solar units
    a_over_rs = 215.03 * (p / 365.25) ** (2.0 / 3.0) * density ** (1.0 / 3.0)
    a_over_rs = max(a_over_rs, 2.0)
    impact = rng.uniform(0.0, 0.85)
    inc = float(np.degrees(np.arccos(impact / a_over_rs)))
    duration = p / np.pi * np.arcsin(min(1.0, np.sqrt((1 + 0.1) ** 2 - impact**2) / a_over_rs))
    cadence = float(np.median(np.diff(time)))
    n_in = max(1.0, (span / p) * duration / cadence)
    depth = target_snr * noise / np.sqrt(n_in)
    rp = float(np.clip(np.sqrt(depth / 0.85), 0.005, 0.3))
    params = batman.TransitParams()
    params.t0 = float(time[0] + rng.uniform(0, p))
    params.per = p
    params.rp = rp
    params.a = a_over_rs
    params.inc = inc
    params.ecc = 0.0
    params.w = 90.0
    params.limb_dark = "quadratic"
    params.u = [0.4, 0.25]
    model = batman.TransitModel(params, np.asarray(time, dtype=np.float64), supersample_factor=5,
                                exp_time=exposure_days)
    signal = model.light_curve(params) - 1.0
    return signal, {"period_d": p, "t0": params.t0, "rp_over_rs": rp, "a_over_rs": a_over_rs,
                    "impact": float(impact), "depth": float(-signal.min())}


def red_noise_signal(
    time: np.ndarray, rng: np.random.Generator
) -> tuple[np.ndarray, dict[str, float]]:
    """Damped random walk: ``ds = -s/τ dt + σ √(2/τ) dW`` sampled exactly at ``time``.

    τ is log-uniform 0.2–10 d; the stationary rms σ log-uniform 1e-3 – 3e-2.
    """
    tau = float(np.exp(rng.uniform(np.log(0.2), np.log(10.0))))
    sigma = float(np.exp(rng.uniform(np.log(1e-3), np.log(3e-2))))
    s = np.empty(time.size)
    s[0] = rng.normal(0, sigma)
    dt = np.diff(time)
    decay = np.exp(-dt / tau)
    kicks = rng.normal(0, 1, dt.size) * sigma * np.sqrt(1 - decay**2)
    for i in range(1, time.size):
        s[i] = s[i - 1] * decay[i - 1] + kicks[i - 1]
    return s - np.mean(s), {"tau_d": tau, "sigma": sigma}


def _davenport_flare(x: np.ndarray) -> np.ndarray:
    """Davenport et al. (2014) flare template; ``x`` is time over the FWHM from the peak."""
    out = np.zeros_like(x)
    rise = (x > -1) & (x <= 0)
    out[rise] = (1 + 1.941 * x[rise] - 0.175 * x[rise] ** 2 - 2.246 * x[rise] ** 3
                 - 1.125 * x[rise] ** 4)
    decay = x > 0
    out[decay] = 0.6890 * np.exp(-1.600 * x[decay]) + 0.3030 * np.exp(-0.2783 * x[decay])
    return out


def flare_signal(time: np.ndarray, rng: np.random.Generator) -> tuple[np.ndarray, dict[str, float]]:
    """Random flares (rate 0.3–3 per day, peak 5e-3 – 0.3, FWHM 5–60 min), integrated
    over 30-min bins by supersampling ten times."""
    span = float(time[-1] - time[0])
    rate = float(np.exp(rng.uniform(np.log(0.3), np.log(3.0))))
    n = max(2, int(rng.poisson(rate * span)))
    peaks = time[0] + rng.uniform(0, span, n)
    amps = np.exp(rng.uniform(np.log(5e-3), np.log(0.3), n))
    fwhm = np.exp(rng.uniform(np.log(5.0), np.log(60.0), n)) / 1440.0
    cadence = float(np.median(np.diff(time)))
    offsets = (np.arange(10) + 0.5) / 10 - 0.5
    fine = time[:, None] + offsets[None, :] * cadence
    s = np.zeros_like(fine)
    for tp, a, w in zip(peaks, amps, fwhm, strict=True):
        s += a * _davenport_flare((fine - tp) / w)
    return s.mean(axis=1), {"rate_per_day": rate, "n_flares": float(n)}


def fourier_template_signal(
    time: np.ndarray,
    template_time: np.ndarray,
    template_flux: np.ndarray,
    frequency: float,
    rng: np.random.Generator,
    *,
    n_harmonics: int = 10,
) -> tuple[np.ndarray, dict[str, float]]:
    """Fit a harmonic series at ``frequency`` (cycles/day) to a real relative-flux curve
    and re-inject it at ``time`` with a random phase, period × U(0.85, 1.15) and
    amplitude × U(0.5, 1.5)."""
    if not np.isfinite(frequency) or frequency <= 0:
        raise ParameterError(f"fourier_template_signal: frequency must be > 0; got {frequency}")
    w = 2 * np.pi * frequency * template_time
    cols = [np.ones_like(template_time)]
    for k in range(1, n_harmonics + 1):
        cols += [np.sin(k * w), np.cos(k * w)]
    coef, *_ = np.linalg.lstsq(np.column_stack(cols), template_flux, rcond=None)
    scale_p = rng.uniform(0.85, 1.15)
    scale_a = rng.uniform(0.5, 1.5)
    phase = rng.uniform(0, 2 * np.pi)
    w2 = 2 * np.pi * frequency / scale_p * (time - time[0]) + phase
    s = np.zeros_like(time)
    for k in range(1, n_harmonics + 1):
        s += coef[2 * k - 1] * np.sin(k * w2) + coef[2 * k] * np.cos(k * w2)
    return s * scale_a, {"period_d": scale_p / frequency, "amplitude_scale": scale_a}
