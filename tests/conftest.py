"""Shared fixtures: the real data in ../shared/data and its manifest."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

from frontend_data import load_synth

ROOT = Path(__file__).resolve().parents[1]
# Test-only discovery: the data sit beside the checkout unless the environment says
# otherwise. Product code never looks there; it is told (see _data_folders below).
SHARED_DATA = Path(os.environ.get("STARSKOPE_SHARED_DATA", ROOT.parent / "shared" / "data")).resolve()
CATALOGS = Path(os.environ.get("STARSKOPE_CATALOGS", SHARED_DATA / "catalogs")).resolve()


def manifest_rows() -> list[dict[str, str]]:
    """Rows of ../shared/data/manifest.csv (empty if the data folder is absent)."""
    path = SHARED_DATA / "manifest.csv"
    if not path.exists():
        return []
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


@pytest.fixture(scope="session")
def shared_data() -> Path:
    """Path of the real-data folder; the test suite needs it (CI has it beside the repo)."""
    if not (SHARED_DATA / "manifest.csv").exists():
        pytest.fail(f"real data not found at {SHARED_DATA}; set STARSKOPE_SHARED_DATA")
    return SHARED_DATA


@pytest.fixture(scope="session")
def manifest(shared_data: Path) -> list[dict[str, str]]:
    return manifest_rows()


@pytest.fixture(scope="session", autouse=True)
def _data_folders():
    """Tell starskope where the real data are, as a user would: STARSKOPE_SHARED_DATA and
    STARSKOPE_CATALOGS, for the whole session (a test that needs them unset deletes them
    with its own monkeypatch)."""
    with pytest.MonkeyPatch.context() as mp:
        mp.setenv("STARSKOPE_SHARED_DATA", str(SHARED_DATA))
        mp.setenv("STARSKOPE_CATALOGS", str(CATALOGS))
        yield


# -- the front-end tests (tests/explain, tests/report, tests/web) ----------------------------
@pytest.fixture(scope="session")
def synth():
    """The synthetic-data module ``tests/explain/synth.py`` (see ``frontend_data``)."""
    return load_synth()


@pytest.fixture(scope="session")
def tiny_model(synth):
    """A small stacked ensemble trained on synthetic stars (once per session)."""
    return synth.tiny_model()


@pytest.fixture(scope="session")
def tiny_model_dir(synth):
    """The folder the tiny model is saved in."""
    return synth.tiny_model_dir()
