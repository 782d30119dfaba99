"""starskope: a cyberoptic artificial telescope for Kepler, K2 and TESS light curves.

The data flows one way: read (:mod:`starskope.io`) → clean (:mod:`starskope.clean`, with
per-telescope profiles from :mod:`starskope.missions`) → search and vet
(:mod:`starskope.search`, :mod:`starskope.vetting`) → views and features
(:mod:`starskope.features`) → models (:mod:`starskope.models`) → explanation
(:mod:`starskope.explain`) → report, CLI, web app, batch.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version
from typing import Any

from .errors import StarskopeError, StarskopeWarning

try:
    __version__ = version("starskope")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = [
    "StarskopeError",
    "StarskopeWarning",
    "__version__",
    "read",
    "read_flux_table",
    "read_many",
    "write_flux_table",
]

# Reading functions load lazily (``starskope.read``): importing them pulls in lightkurve and
# astropy, which a bare ``import starskope`` or ``starskope --help`` should not pay for.
_LAZY = {
    "read": "io",
    "read_many": "io",
    "read_flux_table": "io",
    "write_flux_table": "io",
}


def __getattr__(name: str) -> Any:
    if name in _LAZY:
        import importlib

        module = importlib.import_module(f".{_LAZY[name]}", __name__)
        value = getattr(module, name)
        globals()[name] = value
        return value
    raise AttributeError(f"module 'starskope' has no attribute {name!r}")
