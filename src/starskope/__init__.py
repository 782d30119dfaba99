"""starskope: a cyberoptic artificial telescope for Kepler, K2 and TESS light curves.

The data flows one way: read (:mod:`starskope.io`) → clean (:mod:`starskope.clean`, with
per-telescope profiles from :mod:`starskope.missions`) → search and vet
(:mod:`starskope.search`, :mod:`starskope.vetting`) → views and features
(:mod:`starskope.features`) → models (:mod:`starskope.models`) → explanation
(:mod:`starskope.explain`) → report, CLI, web app, batch.
"""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

from .errors import StarskopeError, StarskopeWarning

try:
    __version__ = version("starskope")
except PackageNotFoundError:  # pragma: no cover - running from a source tree
    __version__ = "0.0.0"

__all__ = ["StarskopeError", "StarskopeWarning", "__version__"]
