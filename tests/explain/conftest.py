"""Fixtures of the explanation tests: real stars analysed once, synthetic stars, a tiny model."""

from __future__ import annotations

import importlib.util
import sys
import warnings
from pathlib import Path

import pytest


def load_synth():
    """The shared synthetic-data module (one instance per session, so the tiny model is
    trained once)."""
    name = "starskope_frontend_synth"
    if name not in sys.modules:
        spec = importlib.util.spec_from_file_location(name, Path(__file__).with_name("synth.py"))
        module = importlib.util.module_from_spec(spec)
        sys.modules[name] = module
        spec.loader.exec_module(module)
    return sys.modules[name]


#: The three real stars of the issue: a planet host, an eclipsing binary, a quiet star.
PI_MEN = "tess/misc/zclaytor+lcs_demo/hlsp_tess-spoc_tess_phot_0000000261136679-s0001_tess_v1_lc.fits"
KEPLER_EB = "kepler/dr24/kplr001026032-2009259160929_llc.fits.gz"
QUIET_TESS = "tess/ffi/328999765.fits.gz"


@pytest.fixture(scope="session")
def synth():
    return load_synth()


@pytest.fixture(scope="session")
def tiny_model(synth):
    return synth.tiny_model()


@pytest.fixture(scope="session")
def real_analyses(shared_data):
    from starskope.explain import analyse_file

    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, rel in (("pi_men", PI_MEN), ("eb", KEPLER_EB), ("quiet", QUIET_TESS)):
            out[key] = analyse_file(shared_data / rel)
    return out
