"""Stitching quarters, campaigns and sectors into one light curve."""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import astropy.units as u
import numpy as np
from astropy.time import Time

from ..errors import LightCurveDataError, ParameterError
from ..lightcurve import add_provenance, arrays, build_lightcurve

__all__ = ["stitch"]

_SEGMENT_KEYS = ("QUARTER", "CAMPAIGN", "SECTOR")


def _segment_label(lc: Any) -> str:
    for key in _SEGMENT_KEYS:
        value = lc.meta.get(key)
        if value is not None:
            return f"{key.lower()} {value}"
    return "segment"


def stitch(lcs: Sequence[Any], *, normalize: bool = True) -> Any:
    """Join light curves of one star, each divided by its own median flux.

    Flux levels jump between Kepler quarters (the star lands on another CCD), K2
    campaigns and TESS sectors, so each piece is normalised separately before the
    pieces are joined in time order.

    Parameters
    ----------
    lcs : sequence of lightkurve.LightCurve
        Pieces of one target (same ``TARGETID`` where known), not overlapping in time.
    normalize : bool
        Divide each piece by its median flux (default True). With False the pieces
        must share a flux unit.

    Returns
    -------
    lightkurve.LightCurve
        Time-sorted, with the columns every piece has (flux, flux_err, quality, and
        centroid columns when all have them), a ``segment`` column (index of the piece),
        the first piece's meta (segment number cleared), and the provenance of the
        first piece plus one stitch step.

    Raises
    ------
    ParameterError
        No light curves, or pieces of different targets or telescopes.
    LightCurveDataError
        Pieces that overlap in time, or a piece with no finite flux.
    """
    pieces = list(lcs)
    if not pieces:
        raise ParameterError("stitch needs at least one light curve; got none")
    ids = {lc.meta.get("TARGETID") for lc in pieces} - {None}
    if len(ids) > 1:
        raise ParameterError(f"stitch joins one target; got target ids {sorted(ids)}")
    missions = {lc.meta.get("MISSION") for lc in pieces} - {None}
    if len(missions) > 1:
        raise ParameterError(f"stitch joins one telescope's data; got {sorted(missions)}")
    order = np.argsort([float(np.nanmin(arrays(lc).time)) for lc in pieces])
    pieces = [pieces[i] for i in order]
    times, fluxes, errs, quals, segs, labels = [], [], [], [], [], []
    extra_names = [
        name for name in ("centroid_col", "centroid_row", "pos_corr1", "pos_corr2")
        if all(name in lc.colnames for lc in pieces)
    ]
    extras: dict[str, list[np.ndarray]] = {name: [] for name in extra_names}
    unit = pieces[0].flux.unit
    last_end = -np.inf
    for k, lc in enumerate(pieces):
        a = arrays(lc)
        if a.time[0] <= last_end:
            raise LightCurveDataError(
                f"stitch: {_segment_label(lc)} starts at JD {a.time[0]:.5f}, before the previous "
                f"piece ends (JD {last_end:.5f}); pieces must not overlap"
            )
        last_end = a.time[-1]
        if normalize:
            med = float(np.nanmedian(a.flux))
            if not np.isfinite(med) or med == 0:
                raise LightCurveDataError(
                    f"stitch: {_segment_label(lc)} has no finite non-zero median flux to normalise by"
                )
            fluxes.append(a.flux / med)
            errs.append(a.flux_err / abs(med))
        else:
            if lc.flux.unit != unit:
                raise ParameterError(
                    f"stitch(normalize=False) needs one flux unit; got {unit} and {lc.flux.unit}"
                )
            fluxes.append(a.flux)
            errs.append(a.flux_err)
        times.append(a.time)
        quals.append(a.quality)
        segs.append(np.full(a.time.size, k, dtype=np.int32))
        labels.append(_segment_label(lc))
        for name in extra_names:
            col = lc[name]
            extras[name].append(np.asarray(getattr(col, "value", col), dtype=float))
    meta = dict(pieces[0].meta)
    for key in _SEGMENT_KEYS:
        meta[key] = None
    meta["PROVENANCE"] = list(pieces[0].meta.get("PROVENANCE") or [])
    fmt = pieces[0].time.format
    time = Time(np.concatenate(times), format="jd", scale="tdb")
    time.format = fmt
    out = build_lightcurve(
        time,
        u.Quantity(np.concatenate(fluxes), u.dimensionless_unscaled if normalize else unit),
        u.Quantity(np.concatenate(errs), u.dimensionless_unscaled if normalize else unit),
        np.concatenate(quals),
        meta=meta,
    )
    # added after construction: lightkurve's constructor accepts only some column names
    out["segment"] = np.concatenate(segs)
    for name, values in extras.items():
        out[name] = np.concatenate(values)
    how = "each divided by its median flux" if normalize else "not normalised"
    return add_provenance(out, f"stitch: {len(pieces)} pieces ({', '.join(labels)}), {how}")
