"""The Python API's front door: classify files, folders and tables into a DataFrame.

This module holds no science. It wires the stages for the most common call::

    >>> from starskope.pipeline import classify          # doctest: +SKIP
    >>> df = classify(["exoTest.csv", "kplr011442793-2009350155506_llc.fits"])  # doctest: +SKIP

which is exactly ``starskope classify``: the settings come from
:func:`starskope.analysis.options_for` (the model's own), every star is analysed by
:mod:`starskope.analysis` and every row is :func:`starskope.analysis.result_row`, run on
the batch engine (:mod:`starskope.batch`) in this process or on a local Dask cluster.

Where the rest went: one star's analysis is :mod:`starskope.analysis`
(``analyse``, ``options_for``, ``AnalysisOptions``); training and evaluation sets
are :mod:`starskope.datasets`.
"""

from __future__ import annotations

import os
from collections.abc import Callable, Sequence
from pathlib import Path
from typing import Any

from .errors import LightCurveDataError, ParameterError, is_error_flags

__all__ = ["classify"]

Progress = Callable[[str, int, int], None]


def classify(
    paths: Sequence[str | os.PathLike[str]],
    model: Any = None,
    *,
    options: Any = None,
    overrides: dict[str, Any] | None = None,
    workers: int = 1,
    progress: Progress | None = None,
) -> Any:
    """Classify light-curve files, folders, globs, manifests and Kaggle-layout tables.

    The table of ``starskope classify``, in memory: the same batch engine and the same
    rows, in one process (``workers=1``) or on a local Dask cluster.

    Parameters
    ----------
    paths : sequence of path-like
    model : StarskopeClassifier, optional
        A four-class starskope model (default: the shipped default model).
    options : AnalysisOptions, optional
        Settings to use as they are (default: :func:`starskope.analysis.options_for`
        ``(model, overrides)``).
    overrides : dict, optional
        Settings that differ from the model's own (e.g. ``{"star_types": False}``).
    workers : int
        1: in this process; more: worker processes of a local Dask cluster.
    progress : callable, optional
        ``progress("classify", done, total)`` after each file or table chunk.

    Returns
    -------
    pandas.DataFrame
        The columns of :func:`starskope.analysis.result_columns`, one row per light
        curve in input order; ``predicted_class`` is the model's decision; a light curve
        that could not be analysed has ``flags`` starting with ``error:``.

    Raises
    ------
    ParameterError
        Not a four-class model, or no light-curve files in ``paths``.
    LightCurveDataError
        None of the inputs could be analysed.
    """
    import tempfile

    import pandas as pd

    from .analysis import check_four_class_model, options_for
    from .batch import collect_items, run_batch
    from .batch.classify import classify_task
    from .models import default_model, save_model

    given = model is not None
    model = model if given else default_model()
    check_four_class_model(model)
    if options is None:
        options = options_for(model, overrides)
    elif overrides:
        raise ParameterError("give either options or overrides, not both")
    items = collect_items(paths)
    if not items:
        raise ParameterError("no light-curve files found in the given paths")
    done = [0]

    def tick(_entry: dict[str, Any]) -> None:
        done[0] += 1
        if progress is not None:
            progress("classify", done[0], len(items))

    inline = workers <= 1
    with tempfile.TemporaryDirectory(prefix="starskope-classify-") as tmp:
        model_dir = ""
        if given and not inline:  # workers load the model from a folder
            model_dir = str(save_model(model, Path(tmp) / "model"))
        task = classify_task(model_dir, options.as_dict(), model=model if inline else None)
        out = Path(tmp) / "classify.parquet"
        run_batch(items, task, out, workers=max(int(workers), 1), progress=False, on_result=tick, inline=inline,
                  status_columns=False)
        table = pd.read_parquet(out)
    bad = table["flags"].map(is_error_flags)
    if bad.all():
        raise LightCurveDataError(f"none of the {len(table)} inputs could be analysed; first error: {table['flags'].iloc[0]}")
    return table
