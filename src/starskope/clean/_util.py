"""Small helpers shared by the cleaning steps (not public)."""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np

from ..lightcurve import add_provenance

__all__: list[str] = []


def column_values(lc: Any, name: str) -> np.ndarray:
    """A column as a float64 array, masked values as NaN."""
    col = lc[name]
    value = col.value if isinstance(col, u.Quantity) else col
    return np.asarray(np.ma.filled(np.ma.asarray(value, dtype=np.float64), np.nan), dtype=np.float64)


def with_flux(lc: Any, flux: np.ndarray, flux_err: np.ndarray | None, unit: u.UnitBase,
              step: str, extra: dict[str, Any] | None = None) -> Any:
    """A copy of ``lc`` with new flux (and error) values in ``unit``, one provenance step added."""
    out = lc.copy()
    out["flux"] = u.Quantity(np.asarray(flux, dtype=np.float64), unit)
    if flux_err is not None:
        out["flux_err"] = u.Quantity(np.asarray(flux_err, dtype=np.float64), unit)
    for name, values in (extra or {}).items():
        out[name] = values
    return add_provenance(out, step)


def subset(lc: Any, keep: np.ndarray, step: str) -> Any:
    """The cadences where ``keep`` is True, one provenance step added.

    The light curve's indices (a time series keeps one on ``time``) are rebuilt on the
    kept rows rather than relabelled: astropy relabels an index row by row in Python
    (~20 ms for a TESS sector, three times per cleaning), a fresh sorted index is one
    argsort.
    """
    keep = np.asarray(keep, dtype=bool)
    indexed = [tuple(col.info.name for col in index.columns) for index in lc.indices]
    with lc.index_mode("discard_on_copy"):
        out = lc[keep]
    for names in indexed:
        out.add_index(list(names))
    out.meta = dict(lc.meta)
    return add_provenance(out, step)


def mission_name(lc: Any, mission: str | None) -> str | None:
    """The telescope name: the argument if given, else ``lc.meta['MISSION']``."""
    if mission is not None:
        return str(mission)
    value = lc.meta.get("MISSION") if hasattr(lc, "meta") else None
    return None if value in (None, "") else str(value)


def cadence_days(time_bjd: np.ndarray) -> float:
    """Median spacing of the time stamps, days (NaN for fewer than two)."""
    if time_bjd.size < 2:
        return float("nan")
    return float(np.median(np.diff(time_bjd)))
