"""Batched transit search for light curves that share their time stamps.

A Kaggle K2 Campaign 3 table (5087 stars × 3197 cadences) or one sector's FFI stars
share every time stamp, so the fold — the phase bin of each cadence at each trial
period — is computed once per period for all stars, and the binned sums of a whole
chunk of stars accumulate in one pass with the stars in the inner, unit-stride loop.
Every star then gets the same peak refinement, SNR and multi-planet iteration as
:func:`~starskope.search.bls.search_transits`, and the same result.
"""

from __future__ import annotations

from collections.abc import Callable
from typing import Any

import numpy as np

from ..errors import ParameterError
from . import _kernels
from .bls import (
    MIN_POINTS,
    SearchResult,
    _check_settings,
    _prebin_width,
    _prepare,
    _search_grid,
    _search_prepared,
    _time_days,
    search_transits,
)

__all__ = ["search_many"]


def _prebins(cadence: float, pmin: float, density: tuple[float, float]) -> bool:
    from ..clean.durations import duration_limits_days

    shortest = max(float(duration_limits_days(pmin, density)[0]), cadence)
    return _prebin_width(shortest, cadence) is not None


def search_many(
    time: np.ndarray | Any,
    flux_matrix: np.ndarray,
    flux_err: np.ndarray | None = None,
    *,
    chunk_size: int = 64,
    progress: Callable[[int, int], None] | None = None,
    **settings: Any,
) -> list[SearchResult]:
    """Search many light curves on one time axis; the fold is shared between stars.

    Parameters
    ----------
    time : ndarray or astropy.time.Time
        Shared mid-exposure times, BJD_TDB days, strictly increasing (n_cadences).
    flux_matrix : ndarray
        Detrended flux, shape (n_stars, n_cadences); NaNs are ignored per star.
    flux_err : ndarray, optional
        Errors of the same shape; without them each star's points are weighted equally.
    chunk_size : int
        Stars folded together (memory ∝ chunk_size × phase bins).
    progress : callable, optional
        Called as ``progress(stars_done, n_stars)`` after each chunk.
    **settings
        The search settings of :func:`~starskope.search.bls.search_transits`, by
        keyword and with its defaults: ``period_min``, ``period_max``,
        ``stellar_density``, ``oversample``, ``duration_ratio``, ``snr_threshold``,
        ``max_planets``, ``min_transits``, ``mask_factor``.

    Returns
    -------
    list of SearchResult
        One per star, in row order; equal to running
        :func:`~starskope.search.bls.search_transits` on each row.

    Raises
    ------
    ParameterError
        ``flux_matrix`` not 2-D or not matching ``time``, ``chunk_size`` < 1, or any
        error :func:`~starskope.search.bls.search_transits` raises for a row.
    TypeError
        A keyword that is none of the above.
    """
    t = _time_days(time)
    flux = np.asarray(flux_matrix, dtype=np.float64)
    if flux.ndim != 2 or t.ndim != 1 or flux.shape[1] != t.size:
        raise ParameterError(
            f"flux_matrix must be 2-D (n_stars, n_cadences) matching time ({t.size} cadences); "
            f"got shape {flux.shape}"
        )
    if flux_err is not None:
        flux_err = np.asarray(flux_err, dtype=np.float64)
        if flux_err.shape != flux.shape:
            raise ParameterError(f"flux_err has shape {flux_err.shape} but flux_matrix has {flux.shape}")
    if int(chunk_size) < 1:
        raise ParameterError(f"chunk_size must be >= 1; got {chunk_size}")
    # search_transits' keyword defaults are the one statement of the search settings
    defaults = search_transits.__kwdefaults__
    unknown = sorted(set(settings) - set(defaults))
    if unknown:
        raise TypeError(f"search_many() got unexpected keyword arguments {unknown}; it takes chunk_size, "
                        f"progress and the search settings {sorted(defaults)}")
    pmin, period_max, kwargs = _check_settings(**{**defaults, **settings})
    density = kwargs["density"]
    n_stars = flux.shape[0]
    results: list[SearchResult] = []
    for lo in range(0, n_stars, int(chunk_size)):
        hi = min(lo + int(chunk_size), n_stars)
        preps = [_prepare(t, flux[i], None if flux_err is None else flux_err[i],
                          name=f"flux_matrix row {i}") for i in range(lo, hi)]
        # the shared fold needs identical valid cadences and one weight per star, and no
        # time pre-binning (which search_transits applies to cadences much shorter than
        # the shortest transit)
        shared = (
            flux_err is None
            and all(p.t_abs.size == t.size for p in preps)
            and not _prebins(preps[0].cadence, pmin, density)
        )
        first: list[tuple[np.ndarray, np.ndarray, np.ndarray] | None] = [None] * len(preps)
        pmax = None
        if shared:
            baseline = float(t[-1] - t[0])
            pmax = 0.5 * baseline if period_max is None else period_max
            grid = _search_grid(baseline, pmin, pmax, preps[0].cadence, density, kwargs["oversample"],
                                kwargs["duration_ratio"])
            # every point valid in every star: one weight per cadence, stars scaled to unit σ
            y = np.empty((t.size, len(preps)))
            for q, p in enumerate(preps):
                y[:, q] = (p.y - p.y.mean()) / p.sigma
            k = len(grid)
            power = np.zeros((k, len(preps)))
            start = np.zeros((k, len(preps)), dtype=np.int64)
            width = np.zeros((k, len(preps)), dtype=np.int64)
            ones = np.ones(t.size)
            _kernels.bls_many_shared(t - t[0], np.ascontiguousarray(y), ones, float(t.size),
                                     grid.freqs, grid.nbins, grid.dur_offsets, grid.dur_bins, True,
                                     power, start, width)
            first = [(power[:, q].copy(), start[:, q].copy(), width[:, q].copy())
                     for q in range(len(preps))]
        for q, p in enumerate(preps):
            if p.t_abs.size < MIN_POINTS:  # pragma: no cover - _prepare raises first
                raise ParameterError(f"flux_matrix row {lo + q}: too few points to search")
            star_pmax = pmax
            if star_pmax is None:
                base = float(p.t_abs[-1] - p.t_abs[0])
                star_pmax = 0.5 * base if period_max is None else period_max
            results.append(_search_prepared(p, period_min=pmin, period_max=star_pmax,
                                            first_pass=first[q], **kwargs))
        if progress is not None:
            progress(hi, n_stars)
    return results
