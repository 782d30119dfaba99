"""Cleaned real light curves for the search tests, read and cleaned once per session."""

from __future__ import annotations

import warnings
from pathlib import Path

import numpy as np
import pytest

from starskope.clean import clean
from starskope.io import read
from starskope.lightcurve import arrays

FILES = {
    "pimen": "tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz",
    "k23": "k2/misc/rodluger+everest/hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits.gz",
    "wasp18": "tess/misc/spacetelescope+exovetter/wasp18b.fits.gz",
    "k2_quiet": "k2/misc/OxES+k2sc/ktwo211495446-c05_llc.fits.gz",
    "kepler_quiet": "kepler/dr24/kplr001575873-2009350155506_llc.fits.gz",
}


def _clean_arrays(path: Path) -> tuple[np.ndarray, np.ndarray]:
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        lc = clean(read(path))
    a = arrays(lc)
    ok = np.isfinite(a.flux)
    return a.time[ok], a.flux[ok]


@pytest.fixture(scope="session")
def cleaned(shared_data: Path):
    cache: dict[str, tuple[np.ndarray, np.ndarray]] = {}

    def get(name: str) -> tuple[np.ndarray, np.ndarray]:
        if name == "tess_quiet":
            # pi Men, a quiet bright G dwarf, with the transits of pi Men c cut out
            # (Huang et al. 2018: T0 = BJD 2458325.503, P = 6.2678 d, T14 ≈ 2.9 h)
            t, f = get("pimen")
            phase = np.abs(((t - 2458325.503) / 6.26783 + 0.5) % 1.0 - 0.5) * 6.26783
            keep = phase > 0.15
            return t[keep], f[keep]
        if name not in cache:
            cache[name] = _clean_arrays(shared_data / FILES[name])
        return cache[name]

    return get


@pytest.fixture(scope="session")
def cleaned_lc(shared_data: Path):
    def get(name: str):
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            return clean(read(shared_data / FILES[name]))

    return get
