"""Reader for NPZ light curves: NumPy archives of named 1-D arrays.

The time array is found by name (``time_bkjd``, ``time_btjd``, ``time_bjd``, ``time``,
``t``, …), whose suffix says the time system; a bare ``time`` follows the same rules as a
CSV column (see :mod:`starskope.io.text`). Flux is ``flux`` (or ``pdcsap_flux``,
``sap_flux``, …), errors ``flux_err``, flags ``quality``; other 1-D arrays of the same
length are kept as columns. Pickled object arrays are never loaded.
"""

from __future__ import annotations

from typing import Any

import astropy.units as u
import numpy as np

from ..errors import LightCurveDataError, UnknownLayoutError, UnknownNameError
from ._base import Columns, ReadOptions, finish
from .detect import READERS, Probe, Reader
from .text import resolve_time_format

__all__ = ["read_npz", "sniff_npz"]

_TIME_KEYS = ("time", "time_bkjd", "time_btjd", "time_bjd", "time_jd", "time_mjd", "t", "bjd",
              "btjd", "bkjd", "jd", "mjd")
_FLUX_KEYS = ("flux", "pdcsap_flux", "fcor", "flux_corr", "corr_flux", "norm_flux", "sap_flux")
_QUALITY_KEYS = ("quality", "sap_quality", "flags")


def _find(keys: dict[str, str], names: tuple[str, ...]) -> str | None:
    return next((keys[n] for n in names if n in keys), None)


def sniff_npz(probe: Probe) -> bool:
    assert probe.npz is not None
    keys = {k.lower(): k for k in probe.npz}
    return _find(keys, _TIME_KEYS) is not None and _find(keys, _FLUX_KEYS) is not None


def read_npz(probe: Probe, opts: ReadOptions) -> Any:
    """Read an NPZ light curve (see the module docstring)."""
    assert probe.npz is not None
    source = str(probe.path)
    arrays = probe.npz
    keys = {k.lower(): k for k in arrays}
    time_key = _find(keys, _TIME_KEYS)
    if time_key is None:
        raise UnknownLayoutError(f"{source}: no time array among {', '.join(arrays)}")
    if opts.flux_column is not None and opts.flux_column.lower() not in ("default", "pdcsap"):
        wanted = {"sap": "sap_flux"}.get(opts.flux_column.lower(), opts.flux_column.lower())
        if wanted not in keys:
            raise UnknownNameError(
                f"{source}: unknown flux_column {opts.flux_column!r}; arrays: {', '.join(arrays)}"
            )
        flux_key = keys[wanted]
    else:
        found = _find(keys, _FLUX_KEYS)
        if found is None:
            raise UnknownLayoutError(f"{source}: no flux array among {', '.join(arrays)}")
        flux_key = found
    err_key = keys.get(f"{flux_key.lower()}_err") or keys.get("flux_err")
    quality_key = _find(keys, _QUALITY_KEYS)
    used = [k for k in (time_key, flux_key, err_key, quality_key) if k is not None]
    for k in used:
        if np.asarray(arrays[k]).ndim != 1:
            raise LightCurveDataError(
                f"{source}: array {k!r} has shape {np.shape(arrays[k])}; light-curve arrays must be 1-D"
            )
    n = len(arrays[time_key])
    for k in used:
        if len(arrays[k]) != n:
            raise LightCurveDataError(
                f"{source}: array {k!r} has {len(arrays[k])} values but {time_key!r} has {n}; "
                "all arrays must have the same length"
            )
    time_values = np.asarray(arrays[time_key], dtype=np.float64)
    time_ref = resolve_time_format(time_key, [], time_values, opts.time_format, source)
    flux = u.Quantity(np.asarray(arrays[flux_key], dtype=np.float64), u.dimensionless_unscaled)
    flux_err = None
    if err_key is not None:
        flux_err = u.Quantity(np.asarray(arrays[err_key], dtype=np.float64), u.dimensionless_unscaled)
    quality = None if quality_key is None else np.asarray(arrays[quality_key]).astype(np.int32)
    extra = {
        k.lower(): np.asarray(v)
        for k, v in arrays.items()
        if k not in used and np.ndim(v) == 1 and len(v) == n and np.asarray(v).dtype.kind in "biuf"
        and k.lower() not in ("time", "flux", "flux_err", "quality")
    }
    cols = Columns(
        time=time_values,
        flux=flux,
        flux_err=flux_err,
        quality=quality,
        time_ref=time_ref,
        product="NPZ",
        flux_origin=flux_key,
        header={},
        extra=extra,
        provenance=[
            f"arrays {', '.join(used)}; NPZ stores no units, flux taken as dimensionless"
        ],
    )
    return finish(cols, probe.path, opts, "npz")


READERS.add(
    "npz",
    Reader(
        name="npz",
        kind="npz",
        description="NumPy .npz archives with time (time_bkjd, time_btjd, time, ...) and flux arrays",
        sniff=sniff_npz,
        read=read_npz,
    ),
)
