"""Numba kernels of the box-least-squares search (plain float64 arrays only).

Notation (Kovács et al. 2002; Collier Cameron et al. 2006): with weights w_i, a flux
residual y_i whose weighted mean is zero, and a trial box covering a set of points
with summed weight r and weighted flux sum s (s < 0 for a dip), the best box model
improves χ² by

    Δχ² = s² · W / (r · (W − r)),       W = Σ w_i,

and the box depth is δ = −s · W / (r · (W − r)), with σ_δ² = W / (r · (W − r)).
So Δχ² = (δ/σ_δ)²: the "likelihood" and "snr" objectives of astropy's
BoxLeastSquares rank trial boxes identically. Each trial frequency folds the data
into ``nb`` phase bins; prefix sums over the bins (extended cyclically) make every
box of ``m`` bins an O(1) difference. Boxes 8 bins wide or wider than 4 bins are tried every
``m // 4`` bins (a phase error of at most 1/8 of the box), which the local refinement
around the best peaks then removes.
"""

from __future__ import annotations

import numpy as np
from numba import njit

__all__ = ["bls_many_shared", "bls_single", "fold_bins"]


@njit(cache=True, fastmath=True, nogil=True)
def fold_bins(t, freq, nb, out):  # pragma: no cover - compiled
    """Phase-bin index (0..nb-1) of each time ``t`` (t >= 0) at frequency ``freq``."""
    for i in range(t.size):
        x = t[i] * freq
        b = np.int32((x - np.floor(x)) * nb)
        out[i] = b if b < nb else nb - 1


@njit(cache=True, fastmath=True, nogil=True)
def bls_single(t, wy, w, w_total, freqs, nbins, dur_offsets, dur_bins, start_stride,
               out_power, out_start, out_width):  # pragma: no cover - compiled
    """Best box at each trial frequency for one light curve.

    Parameters
    ----------
    t : float64[n]
        Times relative to a reference, days, all >= 0.
    wy, w : float64[n]
        Weight × mean-subtracted flux, and weights (zero for missing points).
    w_total : float
        Σ w.
    freqs : float64[k]
        Trial frequencies, 1/day.
    nbins : int64[k]
        Phase bins at each frequency.
    dur_offsets : int64[k+1], dur_bins : int64[...]
        Trial box widths (in bins) of frequency j are
        ``dur_bins[dur_offsets[j]:dur_offsets[j+1]]`` (increasing).
    start_stride : bool
        Try wide boxes every ``m // 4`` bins instead of every bin.
    out_power : float64[k]
        Best Δχ² (0 when no dip was found).
    out_start, out_width : int64[k]
        First bin and width (bins) of the best box.
    """
    n = t.size
    kmax = 0
    for j in range(freqs.size):
        kmax = max(kmax, nbins[j])
    mmax = 0
    for j in range(dur_bins.size):
        mmax = max(mmax, dur_bins[j])
    sw = np.zeros(kmax)
    swy = np.zeros(kmax)
    cw = np.zeros(kmax + mmax + 1)
    cy = np.zeros(kmax + mmax + 1)
    idx = np.empty(n, dtype=np.int32)
    tiny = 1e-12 * w_total * w_total
    for k in range(freqs.size):
        nb = nbins[k]
        sw[:nb] = 0.0
        swy[:nb] = 0.0
        fold_bins(t, freqs[k], nb, idx)
        for i in range(n):
            b = idx[i]
            sw[b] += w[i]
            swy[b] += wy[i]
        m_hi = dur_bins[dur_offsets[k + 1] - 1]
        acc_w = 0.0
        acc_y = 0.0
        for b in range(nb + m_hi):
            bb = b if b < nb else b - nb
            acc_w += sw[bb]
            acc_y += swy[bb]
            cw[b + 1] = acc_w
            cy[b + 1] = acc_y
        best = 0.0
        best_s = 0
        best_m = 0
        for j in range(dur_offsets[k], dur_offsets[k + 1]):
            m = dur_bins[j]
            step = m // 4 if (start_stride and m >= 8) else 1
            for s in range(0, nb, step):
                # q > 0 for a dip; no data-dependent branch on its sign (it mispredicts)
                q = max(cy[s] - cy[s + m], 0.0)
                r = cw[s + m] - cw[s]
                # ``tiny`` keeps den > 0 without a second test (which halves the speed)
                den = r * (w_total - r) + tiny
                if q * q > best * den:
                    best = q * q / den
                    best_s = s
                    best_m = m
        out_power[k] = best * w_total
        out_start[k] = best_s
        out_width[k] = best_m


@njit(cache=True, fastmath=True, nogil=True)
def bls_many_shared(t, y, w, w_total, freqs, nbins, dur_offsets, dur_bins, start_stride,
                    out_power, out_start, out_width):  # pragma: no cover - compiled
    """Best box at each trial frequency for many light curves on shared time stamps.

    The fold (bin index of every cadence) is computed once per frequency and reused
    by every star; so are the bin weights, since every star has the same valid
    cadences and one weight per cadence (``w``). Star fluxes are laid out
    cadence-major so the inner loops run over stars with unit stride.

    Parameters
    ----------
    t : float64[n]
        Times relative to a reference, days, all >= 0.
    y : float64[n, s]
        Weight × mean-subtracted, noise-normalised flux; cadence-major.
    w : float64[n]
        Shared weights (zero at cadences missing in every star).
    w_total : float
        Σ w.
    freqs, nbins, dur_offsets, dur_bins, start_stride
        As in :func:`bls_single`.
    out_power : float64[k, s]
    out_start, out_width : int64[k, s]
    """
    n = t.size
    ns = y.shape[1]
    kmax = 0
    for j in range(freqs.size):
        kmax = max(kmax, nbins[j])
    mmax = 0
    for j in range(dur_bins.size):
        mmax = max(mmax, dur_bins[j])
    sw = np.zeros(kmax)
    swy = np.zeros((kmax, ns))
    cw = np.zeros(kmax + mmax + 1)
    cy = np.zeros((kmax + mmax + 1, ns))
    idx = np.empty(n, dtype=np.int32)
    best = np.zeros(ns)
    best_s = np.zeros(ns, dtype=np.int64)
    best_m = np.zeros(ns, dtype=np.int64)
    for k in range(freqs.size):
        nb = nbins[k]
        sw[:nb] = 0.0
        swy[:nb, :] = 0.0
        fold_bins(t, freqs[k], nb, idx)
        for i in range(n):
            b = idx[i]
            sw[b] += w[i]
            for q in range(ns):
                swy[b, q] += y[i, q]
        m_hi = dur_bins[dur_offsets[k + 1] - 1]
        for b in range(nb + m_hi):
            bb = b if b < nb else b - nb
            cw[b + 1] = cw[b] + sw[bb]
            for q in range(ns):
                cy[b + 1, q] = cy[b, q] + swy[bb, q]
        best[:] = 0.0
        best_s[:] = 0
        best_m[:] = 0
        for j in range(dur_offsets[k], dur_offsets[k + 1]):
            m = dur_bins[j]
            step = m // 4 if (start_stride and m >= 8) else 1
            for s in range(0, nb, step):
                r = cw[s + m] - cw[s]
                den = r * (w_total - r)
                if den <= 0.0:
                    continue
                inv = 1.0 / den
                for q in range(ns):
                    d = min(cy[s + m, q] - cy[s, q], 0.0)
                    p = d * d * inv
                    if p > best[q]:
                        best[q] = p
                        best_s[q] = s
                        best_m[q] = m
        for q in range(ns):
            out_power[k, q] = best[q] * w_total
            out_start[k, q] = best_s[q]
            out_width[k, q] = best_m[q]
