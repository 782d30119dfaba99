"""Fixtures of the report tests (the synthetic data and tiny model are shared with tests/explain)."""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path

import pytest


def load_synth():
    name = "starskope_frontend_synth"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).parents[1] / "explain" / "synth.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


PI_MEN = "tess/misc/zclaytor+lcs_demo/hlsp_tess-spoc_tess_phot_0000000261136679-s0001_tess_v1_lc.fits"
KEPLER_EB = "kepler/dr24/kplr001026032-2009259160929_llc.fits.gz"
QUIET_TESS = "tess/ffi/328999765.fits.gz"


@pytest.fixture(scope="session")
def synth():
    return load_synth()


@pytest.fixture(scope="session")
def tiny_model_dir(synth):
    return synth.tiny_model_dir()


@pytest.fixture(scope="session")
def tiny_model(synth):
    return synth.tiny_model()



def chromium_page(width: int = 1300, height: int = 1000):
    """A Playwright page in Debian's chromium (see ``synth.chromium_page``)."""
    return load_synth().chromium_page(width, height)
