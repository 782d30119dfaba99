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

__all__ = ["bls_local", "bls_many_shared", "bls_single", "box_stats_core", "fold_bins", "pairwise_sum"]


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


# --------------------------------------------------------------------------- box statistics
#
# The numbers :func:`starskope.search.bls._box_stats` reports for a box, in one pass over
# the light curve instead of a dozen NumPy passes and two full medians. They are the
# same floating-point numbers NumPy gives: sums are NumPy's pairwise sums (its
# ``pairwise_sum`` order), medians are order statistics, and no ``fastmath`` reorders
# any of it. The robust scatter of the out-of-transit points comes from the light
# curve's values sorted once per search pass: the in-transit points are skipped in
# that order instead of sorting (partitioning) the rest again for every box.

_PW_BLOCKSIZE = 128


@njit(cache=True, nogil=True)
def _block_sum(a, lo, n):  # pragma: no cover - compiled
    """NumPy's pairwise sum of at most 128 values: eight running sums, then the rest."""
    if n < 8:
        res = 0.0
        for i in range(lo, lo + n):
            res += a[i]
        return res
    r0 = a[lo]
    r1 = a[lo + 1]
    r2 = a[lo + 2]
    r3 = a[lo + 3]
    r4 = a[lo + 4]
    r5 = a[lo + 5]
    r6 = a[lo + 6]
    r7 = a[lo + 7]
    i = 8
    top = n - (n % 8)
    while i < top:
        r0 += a[lo + i]
        r1 += a[lo + i + 1]
        r2 += a[lo + i + 2]
        r3 += a[lo + i + 3]
        r4 += a[lo + i + 4]
        r5 += a[lo + i + 5]
        r6 += a[lo + i + 6]
        r7 += a[lo + i + 7]
        i += 8
    res = ((r0 + r1) + (r2 + r3)) + ((r4 + r5) + (r6 + r7))
    while i < n:
        res += a[lo + i]
        i += 1
    return res


@njit(cache=True, nogil=True)
def pairwise_sum(a, lo, n):  # pragma: no cover - compiled
    """Σ a[lo:lo+n] added in NumPy's pairwise order (``np.sum`` of a contiguous array).

    NumPy halves a run longer than 128 values (the first half a multiple of 8) and adds
    the halves' sums; this walks the same tree with a stack (a recursive function breaks
    Numba's on-disk cache).
    """
    if n <= _PW_BLOCKSIZE:
        return _block_sum(a, lo, n)
    depth = 64
    s_lo = np.empty(depth, dtype=np.int64)
    s_n = np.empty(depth, dtype=np.int64)
    s_stage = np.zeros(depth, dtype=np.int64)
    s_left = np.empty(depth)
    top = 0
    s_lo[0] = lo
    s_n[0] = n
    ret = 0.0
    while top >= 0:
        m = s_n[top]
        if m <= _PW_BLOCKSIZE:
            ret = _block_sum(a, s_lo[top], m)
            top -= 1
            continue
        half = m // 2
        half -= half % 8
        if s_stage[top] == 0:  # first the left half
            s_stage[top] = 1
            top += 1
            s_lo[top] = s_lo[top - 1]
            s_n[top] = half
            s_stage[top] = 0
        elif s_stage[top] == 1:  # the left half's sum is back: the right half
            s_left[top] = ret
            s_stage[top] = 2
            top += 1
            s_lo[top] = s_lo[top - 1] + half
            s_n[top] = m - half
            s_stage[top] = 0
        else:
            ret = s_left[top] + ret
            top -= 1
    return ret


@njit(cache=True, nogil=True)
def _median_sorted_skip(s, skip, m):  # pragma: no cover - compiled
    """Median of the values of sorted ``s`` whose ``skip`` flag is False (``m`` of them),
    and the index of the first value not below it."""
    k1 = (m - 1) // 2
    k2 = m // 2
    a = 0.0
    b = 0.0
    cnt = 0
    for j in range(s.size):
        if skip[j]:
            continue
        if cnt == k1:
            a = s[j]
        if cnt == k2:
            b = s[j]
            break
        cnt += 1
    c = a if m % 2 == 1 else (a + b) / 2.0
    p = np.searchsorted(s, c)
    return c, p


@njit(cache=True, nogil=True)
def _mad_sorted_skip(s, skip, m, c, p):  # pragma: no cover - compiled
    """Median of |x − c| over the kept values of sorted ``s`` (``p``: first index with
    s[p] ≥ c): the distances taken in increasing order from both sides of ``p``."""
    k1 = (m - 1) // 2
    k2 = m // 2
    lo = p - 1
    hi = p
    n = s.size
    d1 = 0.0
    d2 = 0.0
    cnt = 0
    while True:
        while lo >= 0 and skip[lo]:
            lo -= 1
        while hi < n and skip[hi]:
            hi += 1
        dl = c - s[lo] if lo >= 0 else np.inf
        dh = s[hi] - c if hi < n else np.inf
        if dl <= dh:
            d = dl
            lo -= 1
        else:
            d = dh
            hi += 1
        if cnt == k1:
            d1 = d
        if cnt == k2:
            d2 = d
            break
        cnt += 1
    return d1 if m % 2 == 1 else (d1 + d2) / 2.0


@njit(cache=True, nogil=True)
def _robust_small(x):  # pragma: no cover - compiled
    """1.4826 × MAD of a small array (as :func:`starskope.scatter.robust_std`)."""
    c = np.median(x)
    return 1.4826 * np.median(np.abs(x - c))


@njit(cache=True, nogil=True)
def box_stats_core(t, y, w, s_sorted, rank, period, t0, duration, cadence):  # pragma: no cover - compiled
    """The box's in/out split and the statistics :func:`~starskope.search.bls._box_stats`
    builds on (see there), on points sorted in time.

    Parameters
    ----------
    t, y, w : float64[n]
        Times (days), relative flux and weights.
    s_sorted : float64[n]
        ``y`` sorted increasing; ``rank[i]`` is the position of ``y[i]`` in it.
    period, t0, duration, cadence : float
        The box (days) and the typical cadence (days).

    Returns
    -------
    inside : bool[n]
        |phase| · P < D/2 (as ``phase_fold``).
    n_in : int
    base, mean_in : float
        Weighted mean of the out-of-transit and in-transit flux (``np.average``).
    sigma : float
        1.4826 × MAD of the out-of-transit flux (0 when the MAD is 0).
    sigma_d : float
        :func:`starskope.scatter.binned_std` of the out-of-transit flux in bins of D.
    epochs, counts : int64[k]
        Transit numbers with in-transit points, and their point counts.
    ev_mean : float64[k]
        Mean in-transit flux of each of those transits.
    median_in : float
        Median in-transit flux.
    """
    n = t.size
    inside = np.zeros(n, dtype=np.bool_)
    half = 0.5 * duration
    n_in = 0
    for i in range(n):
        x = (t[i] - t0) / period - (-0.5)
        ph = abs((x - np.floor(x)) + (-0.5)) * period
        if ph < half:
            inside[i] = True
            n_in += 1
    n_out = n - n_in
    empty_i = np.zeros(0, dtype=np.int64)
    empty_f = np.zeros(0)
    if n_in == 0 or n_out < 3:
        return inside, n_in, np.nan, np.nan, np.nan, np.nan, empty_i, empty_i, empty_f, np.nan
    t_out = np.empty(n_out)
    y_out = np.empty(n_out)
    wy_out = np.empty(n_out)
    w_out = np.empty(n_out)
    y_in = np.empty(n_in)
    wy_in = np.empty(n_in)
    w_in = np.empty(n_in)
    number = np.empty(n_in, dtype=np.int64)
    skip = np.zeros(n, dtype=np.bool_)
    a = 0
    b = 0
    for i in range(n):
        if inside[i]:
            y_in[b] = y[i]
            wy_in[b] = y[i] * w[i]
            w_in[b] = w[i]
            number[b] = np.int64(np.floor((t[i] - t0) / period + 0.5))
            skip[rank[i]] = True
            b += 1
        else:
            t_out[a] = t[i]
            y_out[a] = y[i]
            wy_out[a] = y[i] * w[i]
            w_out[a] = w[i]
            a += 1
    base = pairwise_sum(wy_out, 0, n_out) / pairwise_sum(w_out, 0, n_out)
    mean_in = pairwise_sum(wy_in, 0, n_in) / pairwise_sum(w_in, 0, n_in)
    c, p = _median_sorted_skip(s_sorted, skip, n_out)
    sigma = 1.4826 * _mad_sorted_skip(s_sorted, skip, n_out, c, p)
    # transits: runs of equal numbers (the points are in time order)
    k = 1
    for j in range(1, n_in):
        if number[j] != number[j - 1]:
            k += 1
    epochs = np.empty(k, dtype=np.int64)
    counts = np.zeros(k, dtype=np.int64)
    ev_mean = np.empty(k)
    e = 0
    j0 = 0
    for j in range(1, n_in + 1):
        if j == n_in or number[j] != number[j - 1]:
            epochs[e] = number[j0]
            counts[e] = j - j0
            ev_mean[e] = pairwise_sum(y_in, j0, j - j0) / (j - j0)
            e += 1
            j0 = j
    median_in = np.median(y_in)
    # binned_std(t_out, y_out, duration, cadence)
    sigma_d = np.nan
    if n_out >= 3 and duration > 0:
        nb = 1
        kprev = np.int64(np.floor((t_out[0] - t_out[0]) / duration))
        for j in range(1, n_out):
            kj = np.int64(np.floor((t_out[j] - t_out[0]) / duration))
            if kj != kprev:
                nb += 1
                kprev = kj
        means = np.empty(nb)
        full = np.zeros(nb, dtype=np.bool_)
        need = max(0.5 * duration / cadence, 1.0) if cadence > 0 else 1.0
        kprev = np.int64(np.floor((t_out[0] - t_out[0]) / duration))
        q = 0
        j0 = 0
        for j in range(1, n_out + 1):
            kj = kprev
            if j < n_out:
                kj = np.int64(np.floor((t_out[j] - t_out[0]) / duration))
            if j == n_out or kj != kprev:
                cnt = j - j0
                # np.add.reduceat's order: the first value, then the rest pairwise
                means[q] = (y_out[j0] + pairwise_sum(y_out, j0 + 1, cnt - 1)) / cnt
                full[q] = cnt >= need
                q += 1
                j0 = j
                kprev = kj
        n_full = 0
        for q in range(nb):
            if full[q]:
                n_full += 1
        if n_full >= 10:
            kept = np.empty(n_full)
            r = 0
            for q in range(nb):
                if full[q]:
                    kept[r] = means[q]
                    r += 1
            sigma_d = _robust_small(kept)
    return inside, n_in, base, mean_in, sigma, sigma_d, epochs, counts, ev_mean, median_in


@njit(cache=True, fastmath=True, nogil=True)
def bls_local(t, wy, w, w_total, freqs, nbins, dur_offsets, dur_bins, t_mid, reach,
              out_power, out_start, out_width):  # pragma: no cover - compiled
    """:func:`bls_single` (every start, no stride) for the boxes whose middle lies within
    ``reach`` days of the phase of ``t_mid``: the refinement of one peak.

    The phase bins are :func:`bls_single`'s (bin b of frequency f holds the times with
    ⌊frac(t·f)·nb⌋ = b), so a box is measured on the same sums; only the bins within the
    reach of the boxes are filled. ``t`` may be the points near the transit only: those
    whose phase lies within the boxes' reach at every trial frequency (the caller's
    margin covers the drift between the frequencies).

    Parameters
    ----------
    t, wy, w, w_total, freqs, nbins, dur_offsets, dur_bins
        As in :func:`bls_single`; ``w_total`` is Σ w of the whole light curve.
    t_mid : float
        A mid-transit time of the peak (same reference as ``t``), days.
    reach : float
        Farthest a box's middle may lie from the transit, days.
    out_power, out_start, out_width
        As in :func:`bls_single` (starts are bins of the whole phase, 0..nb-1).
    """
    n = t.size
    tiny = 1e-12 * w_total * w_total
    size_max = 1
    for k in range(freqs.size):
        rb = int(reach * freqs[k] * nbins[k]) + 1
        size_max = max(size_max, min(2 * rb + 2 * dur_bins[dur_offsets[k + 1] - 1] + 4, nbins[k]))
    lw = np.zeros(size_max)
    ly = np.zeros(size_max)
    cw = np.zeros(size_max + 1)
    cy = np.zeros(size_max + 1)
    for k in range(freqs.size):
        nb = nbins[k]
        f = freqs[k]
        m_hi = dur_bins[dur_offsets[k + 1] - 1]
        x = t_mid * f
        centre = (x - np.floor(x)) * nb  # the transit's phase, in bins
        rb = int(reach * f * nb) + 1
        # local bins b0 .. b0+size-1 (mod nb) hold every box whose middle is within rb bins
        b0 = int(np.floor(centre)) - rb - m_hi - 1
        size = min(2 * rb + 2 * m_hi + 4, nb)  # the caller keeps it below nb
        lw[:size] = 0.0
        ly[:size] = 0.0
        for i in range(n):
            xi = t[i] * f
            b = np.int64((xi - np.floor(xi)) * nb)
            if b >= nb:
                b = nb - 1
            rel = b - b0  # in (-nb, 2 nb): folded back without an integer division
            if rel < 0:
                rel += nb
            elif rel >= nb:
                rel -= nb
            if rel < size:
                lw[rel] += w[i]
                ly[rel] += wy[i]
        for b in range(size):
            cw[b + 1] = cw[b] + lw[b]
            cy[b + 1] = cy[b] + ly[b]
        c_rel = centre - b0
        if c_rel >= nb:
            c_rel -= nb
        best = 0.0
        best_s = 0
        best_m = 0
        for j in range(dur_offsets[k], dur_offsets[k + 1]):
            m = dur_bins[j]
            s_lo = max(int(np.floor(c_rel - rb - 0.5 * m)), 0)
            s_hi = min(int(np.ceil(c_rel + rb - 0.5 * m)), size - m)
            for s in range(s_lo, s_hi + 1):
                q = max(cy[s] - cy[s + m], 0.0)
                r = cw[s + m] - cw[s]
                den = r * (w_total - r) + tiny
                if q * q > best * den:
                    best = q * q / den
                    best_s = s
                    best_m = m
        out_power[k] = best * w_total
        out_start[k] = (best_s + b0 + nb) % nb
        out_width[k] = best_m
