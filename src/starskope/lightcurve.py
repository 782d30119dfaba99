"""The light curve starskope passes between stages, and the conventions it follows.

starskope's light curve *is* a :class:`lightkurve.LightCurve` (an astropy
``TimeSeries``), so everything the ecosystem does with one works here. On top of
that, starskope guarantees:

* ``lc.time`` is an absolute :class:`astropy.time.Time` in the TDB scale
  (``format`` is ``"bkjd"`` for Kepler/K2, ``"btjd"`` for TESS, ``"jd"`` otherwise);
* ``lc.flux`` / ``lc.flux_err`` are Quantities (e⁻/s for pipeline flux, or
  dimensionless for normalised flux);
* ``lc.quality`` holds the mission's QUALITY bit flags (zeros when the file has none);
* ``lc.meta`` carries the keys in :data:`META_KEYS`.

The numeric core never sees the object: :func:`arrays` hands it plain float64
arrays with time as full BJD_TDB days.
"""

from __future__ import annotations

import warnings
from dataclasses import dataclass
from typing import Any

import astropy.units as u

with warnings.catch_warnings():
    # lightkurve warns at import that an optional PRF extra is missing; starskope never uses it.
    warnings.filterwarnings("ignore", message=".*tpfmodel submodule.*")
    import lightkurve as lk
import numpy as np
from astropy.time import Time

from .errors import LightCurveDataError, TimeSystemError

__all__ = [
    "META_KEYS",
    "LightCurveArrays",
    "add_provenance",
    "arrays",
    "build_lightcurve",
    "from_arrays",
]

#: Keys starskope fills in ``lc.meta`` (absent values are ``None``).
META_KEYS: dict[str, str] = {
    "MISSION": "telescope name as in the mission registry: 'Kepler', 'K2' or 'TESS'",
    "TARGETID": "integer catalogue id (KIC, EPIC or TIC number)",
    "OBJECT": "human-readable target name, e.g. 'KIC 11442793', 'TIC 261136679'",
    "QUARTER": "Kepler quarter (int) or None",
    "CAMPAIGN": "K2 campaign (int) or None",
    "SECTOR": "TESS sector (int) or None",
    "CADENCE": "median cadence as a Quantity in minutes",
    "PRODUCT": "product kind, e.g. 'Kepler LLC', 'K2SFF', 'TESS SPOC 2-min', 'CSV'",
    "FLUX_ORIGIN": "the column the flux came from, e.g. 'pdcsap_flux'",
    "FILENAME": "path of the file read",
    "PROVENANCE": "list of strings, one per processing step applied",
}

@dataclass(frozen=True)
class LightCurveArrays:
    """Plain arrays for the numeric core.

    Attributes
    ----------
    time : ndarray
        Mid-exposure times, BJD_TDB (days, float64).
    flux, flux_err : ndarray
        Flux and its 1-σ error in the light curve's flux unit (float64).
    quality : ndarray
        QUALITY bit flags (int32).
    """

    time: np.ndarray
    flux: np.ndarray
    flux_err: np.ndarray
    quality: np.ndarray

    def __len__(self) -> int:
        return len(self.time)


def arrays(lc: lk.LightCurve) -> LightCurveArrays:
    """The light curve's columns as float64 arrays, time as BJD_TDB days.

    Masked values become NaN; a missing ``flux_err`` becomes NaN; missing
    ``quality`` becomes zeros.
    """
    t = lc.time
    if not isinstance(t, Time):
        raise TimeSystemError("light curve time is not an astropy Time; build it with starskope.read")
    time = np.asarray(t.tdb.jd, dtype=np.float64)
    flux = _as_float(lc.flux)
    if "flux_err" in lc.colnames:
        flux_err = _as_float(lc.flux_err)
    else:
        flux_err = np.full_like(flux, np.nan)
    if "quality" in lc.colnames:
        quality = np.asarray(np.ma.filled(np.ma.asarray(lc["quality"]), 0), dtype=np.int32)
    else:
        quality = np.zeros(len(time), dtype=np.int32)
    return LightCurveArrays(time, flux, flux_err, quality)


def _as_float(col: Any) -> np.ndarray:
    value = col.value if isinstance(col, u.Quantity) else col
    return np.asarray(np.ma.filled(np.ma.asarray(value, dtype=np.float64), np.nan), dtype=np.float64)


def build_lightcurve(
    time: Time,
    flux: u.Quantity | np.ndarray,
    flux_err: u.Quantity | np.ndarray | None = None,
    quality: np.ndarray | None = None,
    *,
    meta: dict[str, Any] | None = None,
    source: str = "<memory>",
    extra_columns: dict[str, Any] | None = None,
    min_cadences: int = 2,
) -> lk.LightCurve:
    """Validate columns and build a starskope light curve.

    Parameters
    ----------
    time : astropy.time.Time
        Absolute mid-exposure times; converted to the TDB scale.
    flux, flux_err : Quantity or ndarray
        Flux and 1-σ errors (bare arrays are taken as dimensionless).
    quality : ndarray of int, optional
        QUALITY bit flags; zeros when absent.
    meta : dict, optional
        Values for :data:`META_KEYS` (missing keys are set to ``None``).
    source : str
        File name or description used in error messages.
    extra_columns : dict, optional
        More columns of the same length (centroids, background, position).
    min_cadences : int
        Fewest cadences accepted.

    Raises
    ------
    LightCurveDataError
        Columns of different lengths, too few cadences, all-NaN flux, times that are
        NaN, decreasing or duplicated.
    TimeSystemError
        ``time`` is not an astropy ``Time``.
    """
    if not isinstance(time, Time):
        raise TimeSystemError(f"{source}: time must be an astropy Time; got {type(time).__name__}")
    n = len(time)
    flux = flux if isinstance(flux, u.Quantity) else u.Quantity(np.asarray(flux, dtype=float))
    columns: dict[str, Any] = {"flux": flux}
    if flux_err is None:
        flux_err = np.full(n, np.nan) * flux.unit
    elif not isinstance(flux_err, u.Quantity):
        flux_err = u.Quantity(np.asarray(flux_err, dtype=float), flux.unit)
    columns["flux_err"] = flux_err
    columns["quality"] = np.zeros(n, dtype=np.int32) if quality is None else np.asarray(quality)
    for name, col in {**columns, **(extra_columns or {})}.items():
        if len(col) != n:
            raise LightCurveDataError(
                f"{source}: column {name!r} has {len(col)} values but time has {n}; "
                "all columns must have the same length"
            )
    if n < min_cadences:
        raise LightCurveDataError(f"{source}: only {n} cadences; at least {min_cadences} are needed")
    jd = np.asarray(time.jd, dtype=float)
    finite_t = np.isfinite(jd)
    if not finite_t.all():
        raise LightCurveDataError(
            f"{source}: {int((~finite_t).sum())} time stamps are NaN; drop those cadences first"
        )
    steps = np.diff(jd)
    if np.any(steps < 0):
        i = int(np.argmax(steps < 0))
        raise LightCurveDataError(
            f"{source}: time stamps are not monotonic (cadence {i + 1} at JD {jd[i + 1]:.6f} "
            f"comes before cadence {i} at JD {jd[i]:.6f})"
        )
    if np.any(steps == 0):
        i = int(np.argmax(steps == 0))
        raise LightCurveDataError(
            f"{source}: duplicated time stamp JD {jd[i]:.6f} at cadences {i} and {i + 1}"
        )
    fv = np.asarray(np.ma.filled(np.ma.asarray(flux.value, dtype=float), np.nan))
    if not np.isfinite(fv).any():
        raise LightCurveDataError(f"{source}: flux is NaN or masked at every one of its {n} cadences")
    time = time.tdb
    full_meta = {key: None for key in META_KEYS}
    full_meta["PROVENANCE"] = []
    full_meta.update(meta or {})
    if full_meta.get("CADENCE") is None and n > 1:
        full_meta["CADENCE"] = (float(np.nanmedian(steps)) * u.day).to(u.min)
    lc = lk.LightCurve(time=time, **columns)
    # lightkurve's constructor takes only its own column names; add the rest afterwards
    for name, col in (extra_columns or {}).items():
        lc[name] = col
    lc.meta.update(full_meta)
    if full_meta.get("FILENAME") is None and source != "<memory>":
        lc.meta["FILENAME"] = source
    return lc


def from_arrays(
    time_bjd: np.ndarray,
    flux: np.ndarray,
    flux_err: np.ndarray | None = None,
    quality: np.ndarray | None = None,
    *,
    mission: str | None = None,
    flux_unit: u.UnitBase = u.dimensionless_unscaled,
    meta: dict[str, Any] | None = None,
    source: str = "<memory>",
) -> lk.LightCurve:
    """Build a light curve from plain arrays (time in BJD_TDB days).

    The time format follows the mission: BKJD for Kepler/K2, BTJD for TESS, JD otherwise.
    """
    fmt = {"kepler": "bkjd", "k2": "bkjd", "tess": "btjd"}.get((mission or "").lower(), "jd")
    time = Time(np.asarray(time_bjd, dtype=float), format="jd", scale="tdb")
    time.format = fmt
    m = dict(meta or {})
    if mission is not None:
        m.setdefault("MISSION", mission)
    return build_lightcurve(
        time,
        u.Quantity(np.asarray(flux, dtype=float), flux_unit),
        None if flux_err is None else u.Quantity(np.asarray(flux_err, dtype=float), flux_unit),
        quality,
        meta=m,
        source=source,
    )


def add_provenance(lc: lk.LightCurve, step: str) -> lk.LightCurve:
    """Record a processing step in ``lc.meta['PROVENANCE']`` (a copy of the list)."""
    lc.meta["PROVENANCE"] = [*list(lc.meta.get("PROVENANCE") or []), step]
    return lc
