"""Fixtures of the explanation tests: real stars analysed once (the synthetic stars and the
tiny model, ``synth`` and ``tiny_model``, come from tests/conftest.py)."""

from __future__ import annotations

import warnings

import pytest

from frontend_data import KEPLER_EB, PI_MEN, QUIET_TESS


@pytest.fixture(scope="session")
def real_analyses(shared_data):
    """The three real stars of the issue analysed: a planet host, an eclipsing binary, a quiet star."""
    from starskope.analysis import analyse_file

    out = {}
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        for key, rel in (("pi_men", PI_MEN), ("eb", KEPLER_EB), ("quiet", QUIET_TESS)):
            out[key] = analyse_file(shared_data / rel, detail=True)
    return out
