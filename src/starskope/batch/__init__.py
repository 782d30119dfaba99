"""Batch processing of many light curves on Dask: resumable, fault tolerant, bounded in memory."""

from .runner import (
    LIGHT_CURVE_SUFFIXES,
    BatchItem,
    BatchSummary,
    Journal,
    collect_items,
    run_batch,
    write_table,
)

__all__ = [
    "LIGHT_CURVE_SUFFIXES",
    "BatchItem",
    "BatchSummary",
    "Journal",
    "collect_items",
    "run_batch",
    "write_table",
]
