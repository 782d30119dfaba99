"""Real light curves, read and cleaned once per session, for the vetting tests."""

from __future__ import annotations

import glob
import warnings
from pathlib import Path

import numpy as np
import pytest

from starskope.clean import clean
from starskope.io import read
from starskope.lightcurve import build_lightcurve


@pytest.fixture(scope="session")
def real_lc(shared_data: Path):
    """Read and clean a real file (or several, joined) once per session."""
    cache: dict[str, object] = {}

    def get(pattern: str):
        if pattern not in cache:
            files = sorted(glob.glob(str(shared_data / pattern)))
            assert files, pattern
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                parts = [clean(read(f)) for f in files]
            if len(parts) == 1:
                cache[pattern] = parts[0]
            else:
                from astropy.time import Time

                t = np.concatenate([p.time.tdb.jd for p in parts])
                o = np.argsort(t)

                def cat(name):
                    return np.concatenate([np.asarray(getattr(p[name], "value", p[name]), float) for p in parts])[o]

                extra = {c: cat(c) for c in ("centroid_col", "centroid_row") if all(c in p.colnames for p in parts)}
                cache[pattern] = build_lightcurve(Time(t[o], format="jd", scale="tdb"), cat("flux"), cat("flux_err"),
                                                  cat("quality").astype(np.int32), meta=dict(parts[0].meta),
                                                  extra_columns=extra)
        return cache[pattern]

    return get


@pytest.fixture(scope="session")
def lookups():
    """``stellar=`` and ``known=`` for vet(), looked up in the shipped catalogues the way the
    CLI does (vetting itself looks nothing up)."""
    from starskope.analysis.lookups import catalogue_lookups
    from starskope.vetting import vetting_data

    def get(data, target=None) -> dict:
        vd = vetting_data(data, target=target)
        found = catalogue_lookups(vd.target, vd.ra_deg, vd.dec_deg)
        assert not found.notes, found.notes
        return {"stellar": found.stellar, "known": found.known}

    return get
