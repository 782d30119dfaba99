"""What the front-end tests (tests/explain, tests/report, tests/web) share: the real stars
they analyse and the synthetic-data module ``tests/explain/synth.py``.

The conftests import it by name (pytest puts this folder on ``sys.path``); the fixtures
built on it (``synth``, ``tiny_model``, ``tiny_model_dir``) are in ``tests/conftest.py``.
"""

from __future__ import annotations

import importlib.util
import sys
from pathlib import Path
from types import ModuleType

__all__ = ["KEPLER_EB", "PI_MEN", "QUIET_TESS", "SYNTH_MODULE", "load_synth"]

#: A planet host (π Men, TESS sector 1), paths relative to the shared data folder.
PI_MEN = "tess/misc/zclaytor+lcs_demo/hlsp_tess-spoc_tess_phot_0000000261136679-s0001_tess_v1_lc.fits"
#: An eclipsing binary (Kepler long cadence).
KEPLER_EB = "kepler/dr24/kplr001026032-2009259160929_llc.fits.gz"
#: A quiet star (TESS full-frame-image light curve).
QUIET_TESS = "tess/ffi/328999765.fits.gz"

#: The name ``tests/explain/synth.py`` is registered under in ``sys.modules``.
SYNTH_MODULE = "starskope_frontend_synth"


def load_synth() -> ModuleType:
    """The shared synthetic-data module (one instance per session, so the tiny model is
    trained once)."""
    if SYNTH_MODULE not in sys.modules:
        spec = importlib.util.spec_from_file_location(SYNTH_MODULE, Path(__file__).parent / "explain" / "synth.py")
        module = importlib.util.module_from_spec(spec)
        sys.modules[SYNTH_MODULE] = module
        spec.loader.exec_module(module)
    return sys.modules[SYNTH_MODULE]
