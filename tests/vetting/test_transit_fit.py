"""The limb-darkened transit fit behind vetting's depth: accuracy on real light curves,
fallback to the trapezoid, speed, and its argument checks."""

from __future__ import annotations

import numpy as np
import pytest
from vetting_synth import T_START, batman_transit, candidate, synthetic

from starskope.errors import ParameterError
from starskope.lightcurve import arrays
from starskope.search.candidate import TransitCandidate
from starskope.search.folding import time_from_transit
from starskope.vetting import LIMB_DARKENING, _core, vet

QUIET = {
    "kepler": "kepler/dr24/kplr001026133-2009350155506_llc.fits.gz",  # KIC 1026133 Q3, no known planet
    "k2": "k2/misc/OxES+k2sc/ktwo211495446-c05_llc.fits.gz",  # EPIC 211495446, K2 C5
}


def _inject(lc, period, k, b, *, first=0.37):
    """Cleaned real light curve × batman transit (its real noise untouched; the k chosen
    give white-noise SNRs of 130–400 on these stars)."""
    a = arrays(lc)
    ok = np.isfinite(a.flux)
    t, f = a.time[ok], a.flux[ok] / np.nanmedian(a.flux[ok])
    cad = float(np.median(np.diff(t)))
    epoch = float(t[0] + first * period)
    model = batman_transit(t, period, epoch, k, b, cad)
    truth = 1.0 - batman_transit(np.array([epoch]), period, epoch, k, b, 0.0)[0]
    a_r = (6.674e-8 * 1.41 * (period * 86400) ** 2 / (3 * np.pi)) ** (1 / 3)
    t14 = period / np.pi * np.arcsin(np.sqrt((1 + k) ** 2 - b * b) / np.sqrt(a_r**2 - b * b))
    cand = TransitCandidate.from_floats(period, epoch + 0.15 * t14, 1.2 * t14 * 24)  # ephemeris a bit off
    return t, f * model, truth, cand, meta_mission(lc)


def meta_mission(lc):
    return str(lc.meta.get("MISSION"))


@pytest.mark.parametrize(
    ("which", "period", "k", "b"),
    [("kepler", 3.71, 0.05, 0.2), ("kepler", 11.3, 0.08, 0.6), ("k2", 2.35, 0.06, 0.4), ("k2", 7.9, 0.1, 0.1)],
)
def test_fit_recovers_injected_depth_on_a_real_quiet_light_curve(real_lc, which, period, k, b):
    t, f, truth, cand, mission = _inject(real_lc(QUIET[which]), period, k, b)
    rep = vet((t, f), cand, stellar=None, mission=mission)
    depth, err = rep.value("depth") * 1e-6, rep.value("depth_err") * 1e-6
    assert rep["depth"].reason.startswith("limb-darkened transit fit"), rep["depth"].reason
    assert depth == pytest.approx(truth, rel=0.03)
    assert abs(depth - truth) < 4 * err
    assert rep.candidate.depth_ppm == pytest.approx(rep.value("depth"))
    # the trapezoid, kept in the diagnostics, is flat-bottomed: it sits below the
    # limb-darkened centre
    assert rep.value("depth_trapezoid") * 1e-6 < depth
    assert rep.value("rp_over_rstar") == pytest.approx(k, rel=0.15)
    assert f"u1 = {LIMB_DARKENING[which][0]:.2f}" in rep["depth"].reason


def test_fit_is_unbiased_where_the_trapezoid_is_not():
    """Many noisy limb-darkened transits: the fitted depth scatters around the truth,
    the trapezoid sits low, and the fit's errors describe its scatter."""
    rng = np.random.default_rng(3)
    cad = 0.0204
    t = T_START + np.arange(3197) * cad
    fit, trap, pulls = [], [], []
    for _ in range(16):
        period = float(np.exp(rng.uniform(np.log(0.8), np.log(15.0))))
        k, b = float(rng.uniform(0.03, 0.1)), float(rng.uniform(0.0, 0.7))
        epoch = T_START + 0.3 + float(rng.uniform(0, period))
        truth = 1 - batman_transit(np.array([epoch]), period, epoch, k, b, 0.0)[0]
        noise = truth / 40.0
        f = batman_transit(t, period, epoch, k, b, cad) + rng.normal(0, noise, t.size)
        dt = time_from_transit(t, period, epoch + 0.003)
        a_r = (6.674e-8 * 1.41 * (period * 86400) ** 2 / (3 * np.pi)) ** (1 / 3)
        t14 = period / np.pi * np.arcsin(np.sqrt((1 + k) ** 2 - b * b) / a_r)
        tr = _core.fit_trapezoid(dt, f, noise, 1.1 * t14, period, cad)
        ld = _core.fit_limb_darkened(dt, f, noise, period, cad, tr, u1=0.4, u2=0.25)
        assert ld.converged, ld.message
        fit.append(ld.depth / truth)
        trap.append(tr.depth / truth)
        pulls.append((ld.depth - truth) / ld.depth_err)
    assert abs(np.median(fit) - 1) < 0.01
    assert np.median(trap) < 0.985
    assert 0.5 < np.std(pulls) < 1.6


def test_depth_falls_back_to_the_trapezoid_for_a_box_shaped_dip():
    # a sharp-edged, flat dip at high SNR is no limb-darkened transit: the trapezoid wins
    t, f = synthetic(depth=3e-3, noise=1e-4, ingress=0.0, seed=21)
    rep = vet((t, f), candidate(), stellar=None)
    assert "limb-darkened transit fit not used: a trapezoid fits better" in rep["depth"].reason
    assert rep.value("depth") == rep.value("depth_trapezoid")
    assert rep.value("depth") == pytest.approx(3000, rel=0.03)
    assert "not used" in rep["rp_over_rstar"].reason


def test_no_fit_without_a_dip():
    t, f = synthetic(depth=0.0, noise=3e-4, seed=22)
    rep = vet((t, f), candidate(), stellar=None)
    assert rep["depth"].reason.startswith("box depth")
    assert np.isnan(rep.value("rp_over_rstar"))
    assert np.isnan(rep.value("depth_trapezoid"))


def test_core_fit_refuses_too_few_points_and_no_dip():
    t, f = synthetic(depth=2e-3, noise=1e-4, seed=23)
    dt = time_from_transit(t, 3.3, T_START + 1.1)
    tr = _core.fit_trapezoid(dt, f, 1e-4, 0.125, 3.3, 0.0204)
    few = np.abs(dt) < 0.2
    sparse = _core.fit_limb_darkened(dt[few][:10], f[few][:10], 1e-4, 3.3, 0.0204, tr)
    assert not sparse.converged and "too few cadences" in sparse.message
    assert np.isnan(sparse.depth)
    flat = _core.TrapezoidFit(0.0, 1e-4, 0.125, 0.1, 0.0, 1.0, 0, 0, 0, 0, 10)
    none = _core.fit_limb_darkened(dt, f, 1e-4, 3.3, 0.0204, flat)
    assert not none.converged and "no positive trapezoid depth" in none.message


def test_fit_on_a_3197_cadence_light_curve():
    """The limb-darkened fit converges on a K2-length light curve and vetting uses it; how
    long both take is measured by benchmarks/vetting_speed.py (tests assert no timings)."""
    rng = np.random.default_rng(4)
    cad = 0.0204
    t = T_START + np.arange(3197) * cad
    f = batman_transit(t, 1.2, T_START + 0.5, 0.03, 0.5, cad) + rng.normal(0, 2e-4, t.size)
    c = TransitCandidate.from_floats(1.2, T_START + 0.504, 1.9)
    dt = time_from_transit(t, 1.2, T_START + 0.504)
    tr = _core.fit_trapezoid(dt, f, 2e-4, 1.9 / 24, 1.2, cad)
    ld = _core.fit_limb_darkened(dt, f, 2e-4, 1.2, cad, tr)
    assert ld.converged and ld.depth > 3 * ld.depth_err
    rep = vet((t, f), c, stellar=None)
    assert rep["rp_over_rstar"].reason.startswith("limb-darkened transit fit (used")


def test_limb_darkening_argument():
    t, _ = synthetic(noise=0.0)
    rng = np.random.default_rng(24)
    f = batman_transit(t, 3.3, T_START + 1.1, 0.045, 0.3, 0.0204) + rng.normal(0, 2e-4, t.size)
    rep = vet((t, f), candidate(), stellar=None, limb_darkening=(0.3, 0.2))
    assert rep["depth"].reason.endswith("(quadratic u1 = 0.30, u2 = 0.20)")
    tess = vet((t, f), candidate(), stellar=None, mission="TESS")
    assert tess["depth"].reason.endswith("(quadratic u1 = 0.33, u2 = 0.23)")
    # the shape is fitted, so the assumed limb darkening moves the depth little
    assert tess.value("depth") == pytest.approx(rep.value("depth"), rel=0.02)
    with pytest.raises(ParameterError, match=r"limb_darkening \(u1, u2\) must satisfy u1 ≥ 0, u1 \+ u2 ≤ 1"):
        vet((t, f), candidate(), stellar=None, limb_darkening=(0.9, 0.5))
    with pytest.raises(ParameterError, match=r"limb_darkening \(u1, u2\) must satisfy.*got \(-0.1, 0.2\)"):
        vet((t, f), candidate(), stellar=None, limb_darkening=(-0.1, 0.2))
    with pytest.raises(ParameterError, match="limb_darkening must be a pair of numbers"):
        vet((t, f), candidate(), stellar=None, limb_darkening="quadratic")
