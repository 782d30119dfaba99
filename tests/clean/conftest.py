"""Light curves from ../shared/data read once per session for the cleaning tests."""

from __future__ import annotations

import warnings
from pathlib import Path

import pytest

from starskope.io import read

C5_QUIET = "k2/misc/OxES+k2sc/ktwo211495446-c05_llc.fits.gz"
K2SFF_K23 = "k2/misc/rodluger+everest/hlsp_k2sff_k2_lightcurve_201367065-c01_kepler_v1_llc.fits.gz"
TESS_PIMEN = "tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz"
KEPLER90 = [
    "kepler/misc/google-research+exoplanet-ml/kplr011442793-2009350155506_llc.fits.gz",
    "kepler/misc/google-research+exoplanet-ml/kplr011442793-2010174085026_llc.fits.gz",
]


def _read(path: Path, **kw):
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return read(path, **kw)


@pytest.fixture(scope="session")
def c5_pdcsap(shared_data: Path):
    return _read(shared_data / C5_QUIET)


@pytest.fixture(scope="session")
def c5_sap_all(shared_data: Path):
    """SAP flux of K2 C5 LLCs, all nine (roll systematics strong)."""
    paths = sorted((shared_data / "k2/misc/OxES+k2sc").glob("ktwo*-c05_llc.fits.gz"))
    return [_read(p, flux_column="sap") for p in paths]


@pytest.fixture(scope="session")
def k2sff(shared_data: Path):
    return _read(shared_data / K2SFF_K23)


@pytest.fixture(scope="session")
def tess_pimen(shared_data: Path):
    return _read(shared_data / TESS_PIMEN)


@pytest.fixture(scope="session")
def kepler90_quarters(shared_data: Path):
    return [_read(shared_data / p) for p in KEPLER90]
