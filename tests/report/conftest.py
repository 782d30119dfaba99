"""Helpers of the report tests (the synthetic data and tiny model, ``synth``, ``tiny_model``
and ``tiny_model_dir``, come from tests/conftest.py, shared with tests/explain and tests/web)."""

from __future__ import annotations

from frontend_data import KEPLER_EB, PI_MEN, QUIET_TESS, load_synth

__all__ = ["KEPLER_EB", "PI_MEN", "QUIET_TESS", "chromium_page"]


def chromium_page(width: int = 1300, height: int = 1000):
    """A Playwright page in Debian's chromium (see ``synth.chromium_page``)."""
    return load_synth().chromium_page(width, height)
