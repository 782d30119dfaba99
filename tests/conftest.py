"""Shared fixtures: the real data in ../shared/data and its manifest."""

from __future__ import annotations

import csv
import os
from pathlib import Path

import pytest

ROOT = Path(__file__).resolve().parents[1]
SHARED_DATA = Path(os.environ.get("STARSKOPE_SHARED_DATA", ROOT.parent / "shared" / "data")).resolve()


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
