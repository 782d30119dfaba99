"""Synthetic light curves with known answers for the vetting tests (imported by them)."""

from __future__ import annotations

import numpy as np

from starskope.search.candidate import TransitCandidate

T_START = 2455000.0  # BJD_TDB


def trapezoid(t, period, epoch, duration, depth, ingress=0.0):
    """Trapezoid transit (days, fractional depth); ingress 0 is a box."""
    dt = (t - epoch + 0.5 * period) % period - 0.5 * period
    tau = max(ingress, 1e-9)
    return 1.0 - depth * np.clip((0.5 * duration - np.abs(dt)) / tau, 0.0, 1.0)


def synthetic(period=3.3, epoch=T_START + 1.1, duration=0.125, depth=1e-3, *, noise=2e-4, span=80.0,
              cadence=0.0204, ingress=0.01, seed=0, odd_depth=None, secondary=0.0, sec_phase=0.5):
    """Time (BJD_TDB) and flux of a star with a periodic dip and white noise.

    ``odd_depth`` gives odd-numbered transits another depth (an EB at twice the period);
    ``secondary`` adds a box eclipse of that depth at ``sec_phase``.
    """
    rng = np.random.default_rng(seed)
    t = np.arange(T_START, T_START + span, cadence)
    # integrate over the exposure, as a real detector does
    sub = t[:, None] + cadence * ((np.arange(9) + 0.5) / 9 - 0.5)
    f = trapezoid(sub, period, epoch, duration, depth, ingress)
    if odd_depth is not None:
        n = np.floor((sub - epoch + 0.5 * period) / period).astype(int)
        odd = trapezoid(sub, period, epoch, duration, odd_depth, ingress)
        f = np.where(n % 2 == 1, odd, f)
    if secondary:
        f = f * trapezoid(sub, period, epoch + sec_phase * period, duration, secondary, ingress)
    return t, f.mean(axis=1) + rng.normal(0.0, noise, t.size)


def candidate(period=3.3, epoch=T_START + 1.1, duration_hours=3.0, **kw):
    return TransitCandidate.from_floats(period, epoch, duration_hours, **kw)


def batman_transit(t, period, epoch, k, b, cadence, *, density_solar=1.0, u1=0.4, u2=0.25):
    """Limb-darkened transit (batman, quadratic law) of a planet k = Rp/R★ at impact
    parameter b around a star of ``density_solar`` solar densities, integrated over
    the exposure ``cadence`` (days)."""
    import batman

    p = batman.TransitParams()
    a_r = (6.674e-8 * 1.41 * density_solar * (period * 86400.0) ** 2 / (3 * np.pi)) ** (1 / 3)
    p.t0, p.per, p.rp, p.a = epoch, period, k, a_r
    p.inc, p.ecc, p.w = float(np.degrees(np.arccos(b / a_r))), 0.0, 90.0
    p.u, p.limb_dark = [u1, u2], "quadratic"
    ss = 7 if cadence > 0.007 else 1
    model = batman.TransitModel(p, np.asarray(t, float), supersample_factor=ss, exp_time=cadence if ss > 1 else 0.0)
    return model.light_curve(p)
