"""Compiled (numba) kernels of the fits in :mod:`starskope.vetting._core`.

Trapezoid fit: thousands of trial shapes per candidate, a grid of (shift, duration,
ingress ratio) and then three Nelder–Mead refinements. In plain NumPy each trial
builds a supersampled (offsets × bins) model array and a profile least-squares;
here one trial is a loop over the few folded bins the trial transit touches. The
arithmetic is that of the NumPy reference (:func:`_core.trapezoid_shape` averaged
over the exposure offsets, then :func:`_core._profile_chi2`) and the simplex steps
those of :func:`scipy.optimize.minimize`, so the fitted values agree to rounding.
``x`` are folded-bin centres (sorted ascending), ``yc`` the bin means minus their
weighted mean, ``w`` the inverse variances of the bin means.

Limb-darkened transit: batman's quadratic-law occulted flux, tabulated once per
R_p/R★ (:func:`ld_table_separations`) and interpolated, integrated over the
exposure, with its derivatives for the least-squares fit
(:class:`_core.QuadraticTransit`).

Arrays are plain float64; times in days.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__: list[str] = []

#: χ² returned for parameters outside the allowed box (plus the constant model's χ²).
PENALTY = 1e9


@njit(cache=True, nogil=True)
def _moments(x, yc, w, offsets, shift, duration, ratio):  # pragma: no cover - compiled
    """Σ w·m, Σ w·m², Σ w·yc·m over bins, m the exposure-averaged trapezoid (0…1)."""
    half = 0.5 * duration
    tau = ratio * duration
    if tau < 1e-9:
        tau = 1e-9
    no = offsets.size
    reach = half + max(abs(offsets[0]), abs(offsets[no - 1]))
    lo = np.searchsorted(x, shift - reach, side="left")
    hi = np.searchsorted(x, shift + reach, side="right")
    a = 0.0
    b = 0.0
    c = 0.0
    for j in range(lo, hi):
        xj = x[j] - shift
        s = 0.0
        for k in range(no):
            v = (half - abs(xj + offsets[k])) / tau
            if v > 1.0:
                s += 1.0
            elif v > 0.0:
                s += v
        if s > 0.0:
            m = s / no
            wm = w[j] * m
            a += wm
            b += wm * m
            c += wm * yc[j]
    return a, b, c


@njit(cache=True, nogil=True)
def profile_fit(x, yc, w, sw, syy, offsets, shift, duration, ratio):  # pragma: no cover - compiled
    """Profile least squares of yc = c − δ·m: (δ, σ_δ, mean model m̄, χ²).

    As :func:`_core._profile_chi2`: a fit with δ ≤ 0 (or no model weight) gets the χ²
    of the constant model.
    """
    a, b, c = _moments(x, yc, w, offsets, shift, duration, ratio)
    mbar = a / sw
    smm = b - a * mbar
    if not smm > 1e-12 * b:
        return 0.0, np.inf, mbar, syy
    sym = c
    depth = -sym / smm
    err = 1.0 / np.sqrt(smm)
    if depth > 0.0:
        return depth, err, mbar, syy - sym * sym / smm
    return depth, err, mbar, syy


@njit(cache=True, nogil=True)
def _objective(p, x, yc, w, sw, syy, offsets, max_shift, dmin, dmax, rmin, rmax):  # pragma: no cover
    s = p[0]
    dur = np.exp(p[1])
    r = p[2]
    if not (rmin <= r <= rmax):
        return syy + PENALTY
    if abs(s) > max_shift or not (dmin <= dur <= dmax) or not (0.0 <= r <= 0.5):
        return syy + PENALTY
    return profile_fit(x, yc, w, sw, syy, offsets, s, dur, r)[3]


@njit(cache=True, nogil=True)
def _sort_simplex(sim, fsim):  # pragma: no cover - compiled
    # stable insertion sort (as NumPy's argsort on a handful of values)
    n = fsim.size
    for i in range(1, n):
        fv = fsim[i]
        row = sim[i].copy()
        j = i - 1
        while j >= 0 and fsim[j] > fv:
            fsim[j + 1] = fsim[j]
            sim[j + 1] = sim[j]
            j -= 1
        fsim[j + 1] = fv
        sim[j + 1] = row


@njit(cache=True, nogil=True)
def nelder_mead(x0, x, yc, w, sw, syy, offsets, max_shift, dmin, dmax, rmin, rmax, xatol, fatol,
                maxiter):  # pragma: no cover - compiled
    """Minimise the trapezoid χ² over (shift, log duration, ingress ratio).

    The simplex method of :func:`scipy.optimize.minimize` (``method="Nelder-Mead"``,
    non-adaptive: reflection 1, expansion 2, contraction ½, shrink ½; initial simplex
    5 % steps, 0.00025 for zero coordinates; stop when the simplex spans ≤ ``xatol``
    and its χ² values ≤ ``fatol``, or after ``maxiter`` iterations), with the same
    sequence of trial points. Returns (best point, its χ², function evaluations).
    """
    n = x0.size
    sim = np.empty((n + 1, n))
    fsim = np.empty(n + 1)
    sim[0] = x0
    for k in range(n):
        y = x0.copy()
        if y[k] != 0.0:
            y[k] = 1.05 * y[k]
        else:
            y[k] = 0.00025
        sim[k + 1] = y
    for k in range(n + 1):
        fsim[k] = _objective(sim[k], x, yc, w, sw, syy, offsets, max_shift, dmin, dmax, rmin, rmax)
    nfev = n + 1
    _sort_simplex(sim, fsim)
    it = 1
    while it < maxiter:
        span = 0.0
        fspan = 0.0
        for j in range(1, n + 1):
            fspan = max(fspan, abs(fsim[0] - fsim[j]))
            for k in range(n):
                span = max(span, abs(sim[j, k] - sim[0, k]))
        if span <= xatol and fspan <= fatol:
            break
        xbar = np.zeros(n)
        for j in range(n):
            xbar += sim[j]
        xbar /= n
        worst = sim[n].copy()
        xr = 2.0 * xbar - worst
        fxr = _objective(xr, x, yc, w, sw, syy, offsets, max_shift, dmin, dmax, rmin, rmax)
        nfev += 1
        shrink = False
        if fxr < fsim[0]:
            xe = 3.0 * xbar - 2.0 * worst
            fxe = _objective(xe, x, yc, w, sw, syy, offsets, max_shift, dmin, dmax, rmin, rmax)
            nfev += 1
            if fxe < fxr:
                sim[n] = xe
                fsim[n] = fxe
            else:
                sim[n] = xr
                fsim[n] = fxr
        elif fxr < fsim[n - 1]:
            sim[n] = xr
            fsim[n] = fxr
        elif fxr < fsim[n]:
            xc = 1.5 * xbar - 0.5 * worst
            fxc = _objective(xc, x, yc, w, sw, syy, offsets, max_shift, dmin, dmax, rmin, rmax)
            nfev += 1
            if fxc <= fxr:
                sim[n] = xc
                fsim[n] = fxc
            else:
                shrink = True
        else:
            xcc = 0.5 * xbar + 0.5 * worst
            fxcc = _objective(xcc, x, yc, w, sw, syy, offsets, max_shift, dmin, dmax, rmin, rmax)
            nfev += 1
            if fxcc < fsim[n]:
                sim[n] = xcc
                fsim[n] = fxcc
            else:
                shrink = True
        if shrink:
            for j in range(1, n + 1):
                sim[j] = sim[0] + 0.5 * (sim[j] - sim[0])
                fsim[j] = _objective(sim[j], x, yc, w, sw, syy, offsets, max_shift, dmin, dmax, rmin, rmax)
                nfev += 1
        it += 1
        _sort_simplex(sim, fsim)
    return sim[0].copy(), fsim[0], nfev


@njit(cache=True, nogil=True)
def grid_chi2(x, yc, w, sw, syy, offsets, shifts, durations, ratios):  # pragma: no cover - compiled
    """χ² of every (shift, duration, ratio) on the grid, shape (shifts, durations, ratios)."""
    out = np.empty((shifts.size, durations.size, ratios.size))
    for i in range(shifts.size):
        for j in range(durations.size):
            for k in range(ratios.size):
                out[i, j, k] = profile_fit(x, yc, w, sw, syy, offsets, shifts[i], durations[j], ratios[k])[3]
    return out


# --------------------------------------------------------------------------- limb-darkened transit

#: Nodes per segment of the tabulated quadratic limb-darkened occultation (three segments).
LD_TABLE_NODES = 128
_W2: dict[int, np.ndarray] = {}  # squared node positions w² per node count


def ld_table_separations(k: float, nodes: int = LD_TABLE_NODES) -> np.ndarray:
    """Centre separations (stellar radii) at which :func:`transit_flux`'s table is computed.

    Three segments, each uniform in a variable that makes the flux a smooth function
    (the flux has square-root-type singularities at the contacts z = 1 − k and
    z = 1 + k): planet inside the disc z = (1 − k)(1 − w²); ingress inner half
    z = 1 − k + k·w²; outer half z = 1 + k − k·w², with w = 0…1 in ``nodes`` steps.
    The contact point itself is moved in by 1e-10 (batman's formula is singular there).
    Returns shape (3·nodes,).
    """
    w2 = _W2.get(nodes)
    if w2 is None:
        w2 = _W2[nodes] = np.linspace(0.0, 1.0, nodes) ** 2
    e = 1.0 - k
    z = np.empty(3 * nodes)
    z[:nodes] = max(e, 0.0) * (1.0 - w2)
    z[0] = max(e, 0.0) * (1.0 - 1e-10)
    z[nodes:2 * nodes] = e + k * w2
    z[nodes] = e + 1e-10 * k
    z[2 * nodes:] = 1.0 + k - k * w2
    return z


@njit(cache=True, nogil=True, inline="always")
def _stencil(n, w):  # pragma: no cover - compiled
    """First node ``j`` of the 4-point stencil around w (uniform nodes on 0…1, ``n`` of
    them) and w's position ``t`` in node units from ``j``."""
    s = w * (n - 1)
    j = int(s) - 1
    if j < 0:
        j = 0
    elif j > n - 4:
        j = n - 4
    return j, s - j


@njit(cache=True, nogil=True, inline="always")
def _cubic(tab, row, w):  # pragma: no cover - compiled
    """Cubic (4-point Lagrange) interpolation of ``tab[row]``, uniform on w = 0…1."""
    j, t = _stencil(tab.shape[1], w)
    t1 = t - 1.0
    t2 = t - 2.0
    t3 = t - 3.0
    return (-t1 * t2 * t3 * tab[row, j] + 3.0 * t * t2 * t3 * tab[row, j + 1]
            - 3.0 * t * t1 * t3 * tab[row, j + 2] + t * t1 * t2 * tab[row, j + 3]) / 6.0


@njit(cache=True, nogil=True, inline="always")
def _occulted_flux(z, k, tab):  # pragma: no cover - compiled
    if z >= 1.0 + k:
        return 1.0
    if z >= 1.0:
        return _cubic(tab, 2, np.sqrt((1.0 + k - z) / k))
    e = 1.0 - k
    if z >= e:
        return _cubic(tab, 1, np.sqrt((z - e) / k))
    return _cubic(tab, 0, np.sqrt(1.0 - z / e))


@njit(cache=True, nogil=True)
def transit_flux(x, offsets, sin_off, cos_off, t0, period, half, b, c, k, tab, out):  # pragma: no cover
    """Exposure-averaged flux of a circular-orbit transit at times ``x`` (days).

    Mid-transit ``t0``, total duration 2·``half`` (days), impact parameter ``b`` and
    ``c`` = (a/R★)² − b², so that the centre separation is z² = b² + c·sin²(2πτ/P)
    (batman's circular orbit with ω = 90°); R_p/R★ = ``k``; ``tab`` the flux at
    :func:`ld_table_separations` (3 × nodes).
    Sub-exposures at ``offsets`` (sines and cosines of 2π·offset/P given).
    """
    n = x.size
    ss = offsets.size
    reach = half + max(abs(offsets[0]), abs(offsets[ss - 1]))
    b2 = b * b
    w = 2.0 * np.pi / period
    for i in range(n):
        tau = x[i] - t0
        if abs(tau) >= reach:
            out[i] = 1.0
            continue
        sf0 = np.sin(w * tau)
        cf0 = np.cos(w * tau)
        s = 0.0
        for j in range(ss):
            if abs(tau + offsets[j]) >= half:
                s += 1.0
                continue
            sf = sf0 * cos_off[j] + cf0 * sin_off[j]
            s += _occulted_flux(np.sqrt(b2 + c * sf * sf), k, tab)
        out[i] = s / ss


@njit(cache=True, nogil=True, inline="always")
def _cubic_slope(tab, row, w):  # pragma: no cover - compiled
    """d/dw of :func:`_cubic`."""
    n = tab.shape[1]
    j, t = _stencil(n, w)
    t1 = t - 1.0
    t2 = t - 2.0
    t3 = t - 3.0
    d0 = -(t2 * t3 + t1 * t3 + t1 * t2)
    d1 = 3.0 * (t2 * t3 + t * t3 + t * t2)
    d2 = -3.0 * (t1 * t3 + t * t3 + t * t1)
    d3 = t1 * t2 + t * t2 + t * t1
    return (d0 * tab[row, j] + d1 * tab[row, j + 1] + d2 * tab[row, j + 2] + d3 * tab[row, j + 3]) * (n - 1) / 6.0


@njit(cache=True, nogil=True, inline="always")
def _occulted_flux_derivatives(z, k, tab, dtab):  # pragma: no cover - compiled
    """(flux, ∂flux/∂z, ∂flux/∂k at fixed z) of :func:`_occulted_flux`.

    With w the segment's variable, flux = G(w(z, k), k): ∂/∂z = G_w·∂w/∂z and
    ∂/∂k = G_k + G_w·∂w/∂k, where G_k is interpolated from ``dtab`` (the tables'
    derivative in k at fixed w, smooth there). Both vanish at the contacts.
    """
    if z >= 1.0 + k:
        return 1.0, 0.0, 0.0
    e = 1.0 - k
    if z >= 1.0:
        row = 2
        w = np.sqrt((1.0 + k - z) / k)
        dw_dz = -1.0 / (2.0 * k * w) if w > 1e-12 else 0.0
        dw_dk = -(1.0 - z) / (2.0 * k * k * w) if w > 1e-12 else 0.0
    elif z >= e:
        row = 1
        w = np.sqrt((z - e) / k)
        dw_dz = 1.0 / (2.0 * k * w) if w > 1e-12 else 0.0
        dw_dk = (1.0 - z) / (2.0 * k * k * w) if w > 1e-12 else 0.0
    else:
        row = 0
        w = np.sqrt(1.0 - z / e)
        dw_dz = -1.0 / (2.0 * e * w) if w > 1e-12 else 0.0
        dw_dk = -z / (2.0 * e * e * w) if w > 1e-12 else 0.0
    g_w = _cubic_slope(tab, row, w)
    return _cubic(tab, row, w), g_w * dw_dz, _cubic(dtab, row, w) + g_w * dw_dk


@njit(cache=True, nogil=True)
def transit_flux_gradient(x, offsets, sin_off, cos_off, t0, period, half, k, beta, sin_t, dsin_dlogt,
                          tab, dtab, flux, grad):  # pragma: no cover - compiled
    """Flux (as :func:`transit_flux`) and its derivatives with respect to R_p/R★ ``k``,
    ``beta`` = b / (1 + k), the log of the duration and ``t0``, into ``grad`` (4 × n).

    The geometry is b = β(1 + k), (a/R★)² − b² = (1 + k)²(1 − β²)/sin²(πT14/P) with
    ``sin_t`` = sin(πT14/P) and ``dsin_dlogt`` its derivative with respect to log T14;
    the separation derivatives are analytic, the flux's derivatives those of the
    interpolating cubics (``dtab``: the table's derivative in k, node by node).
    """
    n = x.size
    ss = offsets.size
    reach = half + max(abs(offsets[0]), abs(offsets[ss - 1]))
    kk = 1.0 + k
    b = beta * kk
    b2 = b * b
    c = kk * kk * (1.0 - beta * beta) / (sin_t * sin_t)
    dc_dk = 2.0 * kk * (1.0 - beta * beta) / (sin_t * sin_t)
    dc_dbeta = -2.0 * beta * kk * kk / (sin_t * sin_t)
    dc_dlogt = -2.0 * c / sin_t * dsin_dlogt
    db2_dk = 2.0 * beta * beta * kk
    db2_dbeta = 2.0 * beta * kk * kk
    w = 2.0 * np.pi / period
    for i in range(n):
        tau = x[i] - t0
        if abs(tau) >= reach:
            flux[i] = 1.0
            for q in range(4):
                grad[q, i] = 0.0
            continue
        sf0 = np.sin(w * tau)
        cf0 = np.cos(w * tau)
        s = 0.0
        g0 = 0.0
        g1 = 0.0
        g2 = 0.0
        g3 = 0.0
        for j in range(ss):
            if abs(tau + offsets[j]) >= half:
                s += 1.0
                continue
            sf = sf0 * cos_off[j] + cf0 * sin_off[j]
            cf = cf0 * cos_off[j] - sf0 * sin_off[j]
            sf2 = sf * sf
            z = np.sqrt(b2 + c * sf2)
            f, df_dz, df_dk = _occulted_flux_derivatives(z, k, tab, dtab)
            s += f
            g0 += df_dk
            if z > 0.0:
                h = df_dz / (2.0 * z)
                g0 += h * (db2_dk + dc_dk * sf2)
                g1 += h * (db2_dbeta + dc_dbeta * sf2)
                g2 += h * dc_dlogt * sf2
                g3 += h * (-2.0 * c * sf * cf * w)
        flux[i] = s / ss
        grad[0, i] = g0 / ss
        grad[1, i] = g1 / ss
        grad[2, i] = g2 / ss
        grad[3, i] = g3 / ss
