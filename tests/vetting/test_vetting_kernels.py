"""The compiled vetting kernels against their references: the trapezoid model and its
Nelder–Mead against NumPy and scipy, the tabulated limb-darkened transit against
batman, and the speed they exist for."""

from __future__ import annotations

import numpy as np
import pytest
from scipy import optimize, special, stats
from vetting_synth import T_START, batman_transit, synthetic

from starskope.search.candidate import TransitCandidate
from starskope.search.folding import time_from_transit
from starskope.vetting import _core, _kernels, vet


def _folded(seed=3, depth=2e-3, duration=0.15, ingress=0.02):
    t, f = synthetic(depth=depth, duration=duration, ingress=ingress, noise=1e-4, seed=seed)
    dt = time_from_transit(t, 3.3, T_START + 1.1 + 0.01)
    x, y, n = _core._fold_bins(dt, f, 0.3, 0.004)
    w = n / 1e-4**2
    sw = float(w.sum())
    ybar = float((w * y).sum() / sw)
    return x, y, w, sw, ybar


def test_trapezoid_kernel_matches_the_numpy_model():
    x, y, w, sw, ybar = _folded()
    yc = y - ybar
    syy = float((w * yc * yc).sum())
    offsets = _core._supersample_offsets(0.0204, 0.15 / 8)
    shifts, durs, ratios = np.linspace(-0.03, 0.03, 5), np.geomspace(0.06, 0.3, 7), np.linspace(0.0, 0.5, 6)
    grid = _kernels.grid_chi2(x, yc, w, sw, syy, offsets, shifts, durs, ratios)
    S, D, R = np.meshgrid(shifts, durs, ratios, indexing="ij")
    xx = x[None, None, :] - S.ravel()[:, None, None] + offsets[None, :, None]
    m = _core.trapezoid_shape(xx, D.ravel()[:, None, None], R.ravel()[:, None, None] * D.ravel()[:, None, None])
    depth, err, base, chi2, syy_ref = _core._profile_chi2(y, w, m.mean(-2))
    assert syy == pytest.approx(syy_ref, rel=1e-12)
    np.testing.assert_allclose(grid.ravel(), chi2, rtol=1e-10, atol=1e-8 * syy)
    i = int(np.argmin(chi2))
    d, e, mbar, c2 = _kernels.profile_fit(x, yc, w, sw, syy, offsets, S.ravel()[i], D.ravel()[i], R.ravel()[i])
    assert d == pytest.approx(depth[i], rel=1e-10) and e == pytest.approx(err[i], rel=1e-10)
    assert ybar + d * mbar == pytest.approx(base[i], rel=1e-12)
    assert c2 == pytest.approx(chi2[i], rel=1e-10)


def test_nelder_mead_kernel_takes_scipys_steps():
    x, y, w, sw, ybar = _folded(seed=5)
    yc = y - ybar
    syy = float((w * yc * yc).sum())
    offsets = _core._supersample_offsets(0.0204, 0.15 / 8)
    args = (x, yc, w, sw, syy, offsets, 0.03, 0.05, 0.35, 0.0, 0.25)

    def objective(p):
        return float(_kernels._objective(np.asarray(p, dtype=np.float64), *args))

    for start in ([0.004, np.log(0.12), 0.1], [-0.01, np.log(0.2), 0.0], [0.0, np.log(0.1), 0.2]):
        ref = optimize.minimize(objective, start, method="Nelder-Mead",
                                options={"xatol": 1e-4, "fatol": 1e-3, "maxiter": 200})
        xb, fb, nfev = _kernels.nelder_mead(np.array(start), *args, 1e-4, 1e-3, 200)
        np.testing.assert_allclose(xb, ref.x, rtol=0, atol=1e-9)
        assert fb == pytest.approx(ref.fun, rel=1e-12)
        assert nfev == ref.nfev


@pytest.mark.parametrize(("k", "b"), [(0.01, 0.2), (0.03, 0.0), (0.08, 0.6), (0.12, 0.95), (0.3, 1.1), (0.5, 0.3)])
@pytest.mark.parametrize("cadence", [0.0204, 0.00139])
def test_tabulated_transit_matches_batman(k, b, cadence):
    import batman

    period, t14 = 2.7, 0.11
    x = np.sort(np.random.default_rng(1).uniform(-0.15, 0.15, 800))
    ss = _core.ld_supersample(cadence)
    exposure = cadence if ss > 1 else 0.0
    model = _core.QuadraticTransit(x, period, exposure, ss, 0.4, 0.26)
    beta = b / (1 + k)
    s = np.sin(np.pi * t14 / period)
    a = np.sqrt(((1 + k) ** 2 - b * b) / s**2 + b * b)
    p = batman.TransitParams()
    p.t0, p.per, p.rp, p.a, p.inc = 0.004, period, k, a, float(np.degrees(np.arccos(b / a)))
    p.ecc, p.w, p.u, p.limb_dark = 0.0, 90.0, [0.4, 0.26], "quadratic"
    ref = batman.TransitModel(p, x, supersample_factor=ss, exp_time=exposure).light_curve(p)
    flux = model.flux(0.004, k, beta, np.log(t14))
    assert np.abs(flux - ref).max() < 2e-8
    assert (ref < 1).sum() > 20  # the comparison covers the transit


def test_centre_flux_is_batmans_mid_transit_value():
    import batman

    rng = np.random.default_rng(9)
    for _ in range(200):
        k, s = rng.uniform(1e-3, 0.9), rng.uniform(0.01, 0.9)
        b = rng.uniform(0.0, 1.0 + k)
        a = np.sqrt(((1 + k) ** 2 - b * b) / s**2 + b * b)
        p = batman.TransitParams()
        p.t0, p.per, p.rp, p.a, p.inc = 0.0, rng.uniform(0.5, 30.0), k, a, float(np.degrees(np.arccos(b / a)))
        p.ecc, p.w, p.u, p.limb_dark = 0.0, 90.0, [0.4, 0.26], "quadratic"
        assert _core._centre_flux(k, a, p.inc, 0.4, 0.26) == batman.TransitModel(p, np.zeros(1)).light_curve(p)[0]


def test_transit_gradient_matches_finite_differences():
    x = np.sort(np.random.default_rng(2).uniform(-0.2, 0.2, 600))
    model = _core.QuadraticTransit(x, 3.1, 0.0204, 8, 0.4, 0.26)
    for k, beta, t14, t0 in [(0.02, 0.3, 0.12, 0.003), (0.1, 0.85, 0.2, -0.01), (0.3, 0.9, 0.15, 0.0)]:
        q = np.array([k, beta, np.log(t14), t0])
        _, grad = model.flux_gradient(t0, k, beta, np.log(t14))
        for i in range(4):
            # (small steps: the flux is singular at the contacts, where wide differences fail)
            h = 1e-6 * max(abs(q[i]), 1e-2)
            up, down = q.copy(), q.copy()
            up[i] += h
            down[i] -= h
            fd = (model.flux(up[3], *up[:3]) - model.flux(down[3], *down[:3])) / (2 * h)
            assert np.linalg.norm(grad[i] - fd) <= 1e-4 * np.linalg.norm(fd), (k, beta, i)


def test_robust_phase_scan_takes_each_bins_median():
    rng = np.random.default_rng(7)
    t = np.sort(rng.uniform(T_START, T_START + 40, 1500))
    f = np.round(1 + rng.normal(0, 1e-3, t.size), 4)  # ties, odd and even bins
    scan = _core.phase_scan(t, f, 1e-3, 2.3, T_START + 0.4, 0.23, 1.0, robust=True)
    nbins = int(np.round(2.3 / (0.23 / 4)))
    ph = ((t - T_START - 0.4) / 2.3 + 0.5 / nbins) % 1.0
    idx = np.minimum((ph * nbins).astype(np.int64), nbins - 1)
    med = np.array([np.median(f[idx == i]) if np.any(idx == i) else 0.0 for i in range(nbins)])
    n = np.bincount(idx, minlength=nbins)
    k = max(int(np.round(0.23 / (2.3 / nbins))), 1)
    box = [(np.roll(med * n, -i)[:k].sum() / np.roll(n, -i)[:k].sum()) for i in range(nbins)]
    centre = ((np.arange(nbins) + (k - 1) / 2.0) / nbins) % 1.0
    ref = (1.0 - np.array(box))[np.argsort(centre)]
    np.testing.assert_allclose(scan.depth, ref, rtol=0, atol=1e-12)


def test_chi2_to_sigma_is_scipy_stats():
    for chi2 in (0.01, 0.5, 3.0, 9.0, 40.0, 300.0):
        for dof in (1, 2, 4):
            ref = stats.norm.isf(np.exp(stats.chi2.logsf(chi2, dof)) / 2.0)
            assert _core.chi2_to_sigma(chi2, dof) == pytest.approx(ref, rel=1e-12)
    assert _core.chi2_to_sigma(9.0, 1) == pytest.approx(-special.ndtri(special.erfc(3 / np.sqrt(2)) / 2), rel=1e-12)


def test_vetting_with_and_without_the_transit_fit_on_a_k2_long_cadence_light_curve():
    """The batch path (``fit_transit=False``) keeps the trapezoid depth; the default fits the
    limb-darkened transit. How long each takes is measured by benchmarks/vetting_speed.py
    (tests assert no timings)."""
    rng = np.random.default_rng(11)
    cad = 0.0204
    t = T_START + np.arange(3197) * cad
    f = batman_transit(t, 0.9, T_START + 0.3, 0.06, 0.4, cad) * (1 + 3e-4 * np.sin(t / 1.7))
    f = f + rng.normal(0, 3e-4, t.size)
    c = TransitCandidate.from_floats(0.9, T_START + 0.302, 2.0)
    fitted = vet((t, f), c, stellar=None, mission="K2", fit_transit=True)
    assert fitted["rp_over_rstar"].reason.startswith("limb-darkened transit fit (used")
    quick = vet((t, f), c, stellar=None, mission="K2", fit_transit=False)
    assert not quick["rp_over_rstar"].reason.startswith("limb-darkened transit fit (used")
    assert quick.candidate.depth_ppm == pytest.approx(quick.value("depth_trapezoid"), rel=1e-6)
