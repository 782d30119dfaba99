"""Transit search: box least squares over a physically scaled grid, one star or many.

>>> result = search(clean(lc))                       # doctest: +SKIP
>>> [c.period for c in result]                       # doctest: +SKIP

:func:`search_transits` works on plain arrays, :func:`search` on a light curve, and
:func:`search_many` on a table of light curves sharing their time stamps (one fold per
trial period for all of them).
"""

from .bands import BAND_RATIO, merge_band_results, period_bands
from .batch import search_many
from .bls import (
    DEFAULT_SNR_THRESHOLD,
    MIN_POINTS,
    Periodogram,
    SearchResult,
    measure_ephemeris,
    search,
    search_transits,
)
from .candidate import TransitCandidate
from .folding import bin_phase, phase_fold
from .grid import SearchGrid, make_grid

__all__ = [
    "BAND_RATIO",
    "DEFAULT_SNR_THRESHOLD",
    "MIN_POINTS",
    "Periodogram",
    "SearchGrid",
    "SearchResult",
    "TransitCandidate",
    "bin_phase",
    "make_grid",
    "measure_ephemeris",
    "merge_band_results",
    "period_bands",
    "phase_fold",
    "search",
    "search_many",
    "search_transits",
]
