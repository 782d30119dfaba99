"""The arrays vetting works on: :class:`VettingData` and :func:`vetting_data`, which turns
a light curve, arrays or a mapping into it (finite cadences, flux normalised to 1,
BJD_TDB days, centroids when present)."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass, replace
from typing import Any

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..errors import LightCurveDataError, ParameterError, TimeSystemError
from ..missions import DAY_COUNT_OFFSETS

__all__ = ["VettingData", "vetting_data"]


@dataclass(frozen=True)
class VettingData:
    """The arrays vetting works on (finite cadences only).

    ``time`` BJD_TDB days, ``flux`` normalised to a median of 1, ``centroid_col`` /
    ``centroid_row`` in pixels or None, ``mission`` / ``target`` / ``ra_deg`` /
    ``dec_deg`` when known.
    """

    time: np.ndarray
    flux: np.ndarray
    centroid_col: np.ndarray | None = None
    centroid_row: np.ndarray | None = None
    mission: str | None = None
    target: str | None = None
    ra_deg: float | None = None
    dec_deg: float | None = None

    @property
    def cadence(self) -> float:
        d = np.diff(self.time)
        d = d[d > 0]
        return float(np.median(d)) if d.size else float("nan")


def _column(obj: Any, name: str) -> np.ndarray | None:
    try:
        if hasattr(obj, "colnames"):
            if name not in obj.colnames:
                return None
            col = obj[name]
        elif isinstance(obj, Mapping):
            if name not in obj:
                return None
            col = obj[name]
        else:
            return None
    except (KeyError, TypeError):
        return None
    value = col.value if isinstance(col, u.Quantity) else col
    return np.asarray(np.ma.filled(np.ma.asarray(value, dtype=np.float64), np.nan), dtype=np.float64)


def vetting_data(data: Any, *, mission: str | None = None, target: str | None = None) -> VettingData:
    """Turn a light curve, :class:`VettingData`, :class:`~starskope.lightcurve.LightCurveArrays`, a
    ``(time, flux[, flux_err])`` tuple or a mapping with ``time``/``flux`` (and optional
    ``centroid_col``/``centroid_row``) into :class:`VettingData`.

    Time must be an astropy ``Time`` or BJD_TDB days (a plain float array whose values
    are below 2 400 000 is refused: it is a mission day count, convert it first).

    Raises
    ------
    LightCurveDataError
        Fewer than 20 finite cadences, arrays of different lengths, time not increasing,
        or flux with a non-positive median.
    TimeSystemError
        Times that look like a mission day count (BKJD/BTJD) rather than BJD.
    """
    if isinstance(data, VettingData):
        changes = {k: v for k, v in (("mission", mission), ("target", target)) if v is not None}
        return replace(data, **changes) if changes else data
    meta: Mapping[str, Any] = {}
    ccol = crow = None
    if hasattr(data, "time") and hasattr(data, "flux") and hasattr(data, "meta"):
        t = data.time
        time = np.asarray(t.tdb.jd if isinstance(t, Time) else t, dtype=np.float64)
        flux = _column(data, "flux")
        ccol, crow = _column(data, "centroid_col"), _column(data, "centroid_row")
        meta = data.meta or {}
    elif hasattr(data, "time") and hasattr(data, "flux"):  # LightCurveArrays
        time = np.asarray(data.time, dtype=np.float64)
        flux = np.asarray(data.flux, dtype=np.float64)
    elif isinstance(data, Mapping):
        t = data["time"]
        time = np.asarray(t.tdb.jd if isinstance(t, Time) else t, dtype=np.float64)
        flux = _column(data, "flux")
        ccol, crow = _column(data, "centroid_col"), _column(data, "centroid_row")
    elif isinstance(data, Sequence) and len(data) in (2, 3):
        t = data[0]
        time = np.asarray(t.tdb.jd if isinstance(t, Time) else t, dtype=np.float64)
        fx = data[1]
        flux = np.asarray(fx.value if isinstance(fx, u.Quantity) else fx, dtype=np.float64)
    else:
        raise ParameterError(
            "vet needs a light curve, LightCurveArrays, a (time, flux[, flux_err]) tuple or a "
            f"mapping with 'time' and 'flux'; got {type(data).__name__}"
        )
    if flux is None or time.shape != flux.shape:
        raise LightCurveDataError(
            f"time and flux must have the same length; got {time.shape} and {None if flux is None else flux.shape}"
        )
    fin = np.isfinite(time)
    if fin.any() and np.nanmedian(time) < 2_400_000.0:
        raise TimeSystemError(
            f"time values around {np.nanmedian(time):.1f} look like a mission day count (BKJD/BTJD), "
            "not BJD_TDB; pass an astropy Time or add the offset ("
            + ", ".join(f"{k.upper()} + {v:.0f}" for k, v in DAY_COUNT_OFFSETS.items()) + ")"
        )
    good = fin & np.isfinite(flux)
    if good.sum() < 20:
        raise LightCurveDataError(f"only {int(good.sum())} finite cadences; vetting needs at least 20")
    time, flux = time[good], flux[good]
    if np.any(np.diff(time) <= 0):
        raise LightCurveDataError("time stamps must be strictly increasing")
    med = float(np.median(flux))
    if not med > 0:
        raise LightCurveDataError(f"flux median is {med:g}; vetting needs positive flux (normalised or e-/s)")
    flux = flux / med
    if ccol is not None and crow is not None:
        ccol, crow = ccol[good], crow[good]
        if np.isfinite(ccol).mean() < 0.5 or np.isfinite(crow).mean() < 0.5:
            ccol = crow = None
    else:
        ccol = crow = None
    miss = mission or (meta.get("MISSION") if meta else None)
    tgt = target or (meta.get("OBJECT") if meta else None)
    if tgt is None and meta and meta.get("TARGETID") is not None and miss:
        prefix = {"kepler": "KIC", "k2": "EPIC", "tess": "TIC"}.get(str(miss).lower())
        if prefix:
            tgt = f"{prefix} {int(meta['TARGETID'])}"

    def _deg(key: str) -> float | None:
        v = meta.get(key) if meta else None
        try:
            v = float(v)
        except (TypeError, ValueError):
            return None
        return v if np.isfinite(v) else None

    return VettingData(time, flux, ccol, crow, str(miss) if miss else None,
                       str(tgt) if tgt else None, _deg("RA_OBJ") or _deg("RA"), _deg("DEC_OBJ") or _deg("DEC"))
