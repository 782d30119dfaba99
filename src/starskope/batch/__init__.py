"""Batch processing of many light curves: resumable, fault tolerant, bounded in memory.

The files of one star make one item (:func:`~starskope.batch.grouping.group_by_star`).

Items run on an executor (:mod:`starskope.executors`: this process, local processes or
Dask) through :func:`~starskope.batch.engine.execute`, the code path the web app's jobs
use too; results are journalled by content, options and model
(:class:`~starskope.results.journal.Journal`).
"""

from ..results.journal import Journal
from .grouping import group_by_star
from .runner import (
    LIGHT_CURVE_SUFFIXES,
    SMALL_RUN_LIGHT_CURVES,
    BatchItem,
    BatchSummary,
    collect_items,
    is_small_run,
    run_batch,
    write_table,
)

__all__ = [
    "LIGHT_CURVE_SUFFIXES",
    "SMALL_RUN_LIGHT_CURVES",
    "BatchItem",
    "BatchSummary",
    "Journal",
    "collect_items",
    "group_by_star",
    "is_small_run",
    "run_batch",
    "write_table",
]
