"""Fixtures of the simulator tests: small simulated sets made once per session."""

from __future__ import annotations

from pathlib import Path

import pytest

from starskope.simulate import simulate_k2_c3

#: Sizes of the small K2 C3 set the tests write (the full set is timed in a slow test).
SMALL = {"n_train": 200, "n_train_hosts": 16, "n_test": 40, "n_test_hosts": 4}


@pytest.fixture(scope="session")
def small_k2_c3(tmp_path_factory: pytest.TempPathFactory) -> dict:
    """A small simulated K2 C3 set (seed 11) written to a temporary folder."""
    out = tmp_path_factory.mktemp("k2c3_small")
    return simulate_k2_c3(out, seed=11, **SMALL)


@pytest.fixture(scope="session")
def small_k2_c3_dir(small_k2_c3: dict) -> Path:
    return Path(small_k2_c3["train"]).parent
