"""A small K2 C3-like flux table with a known planet, shared by tests."""

from __future__ import annotations

import numpy as np

from starskope.io.flux_table import FluxTable

CADENCES = 3197


def small_table(n=8, seed=0):
    """K2 C3-like rows in e-/s: a planet (P = 3.1 d, 1500 ppm) in rows 0 and 4, noise elsewhere."""
    from starskope.io.flux_table import rebuild_time

    rng = np.random.default_rng(seed)
    t = rebuild_time(CADENCES).tdb.jd
    f = 1 + 3e-4 * rng.normal(size=(n, CADENCES))
    for i in (0, 4)[: (n + 3) // 4]:
        ph = ((t - t[0] - 0.9) / 3.1 + 0.5) % 1 - 0.5
        f[i, np.abs(ph * 3.1) < 0.05] -= 1.5e-3
    f[min(2, n - 1), 100] = np.nan  # a missing cadence
    labels = np.where(np.isin(np.arange(n), (0, 4)), 2, 1)
    return FluxTable(f * rng.uniform(500, 3000, (n, 1)), labels)
