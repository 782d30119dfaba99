"""Functions the batch runner sends to workers. Each takes a BatchItem, reads its data
where it runs, and returns table rows (dicts of plain values)."""

from __future__ import annotations

from typing import Any

import numpy as np

from .runner import BatchItem

__all__ = ["describe_item", "lightcurves_of"]


def lightcurves_of(item: BatchItem) -> list[Any]:
    """The light curves an item stands for: one per file (each file of a star), or one per table row."""
    from ..io import read

    if item.is_table_chunk:
        from ..io.flux_table import read_flux_table_rows

        table = read_flux_table_rows(item.path, item.row_start, item.row_stop)
        return table.to_lightcurves()
    return [read(p) for p in item.files]


def describe_item(item: BatchItem) -> list[dict[str, Any]]:
    """What ``starskope info`` says of each light curve in the item, as table rows."""
    rows = []
    for lc in lightcurves_of(item):
        t = np.asarray(lc.time.jd)
        quality = np.asarray(lc["quality"]) if "quality" in lc.colnames else np.zeros(len(t))
        rows.append(
            {
                "file": lc.meta.get("FILENAME") or item.path,
                "row": lc.meta.get("ROW"),
                "target_id": lc.meta.get("OBJECT"),
                "mission": lc.meta.get("MISSION"),
                "product": lc.meta.get("PRODUCT"),
                "n_cadences": len(t),
                "n_flagged": int(np.count_nonzero(quality)),
                "span_days": float(t[-1] - t[0]),
                "start_bjd": float(t[0]),
            }
        )
    return rows
