"""What ``starskope classify`` says about real stars: the one verdict per star.

A model's own decision is one of three judges; the verdict a user reads
(``predicted_class``) reconciles it with the vetting flags and the star type
(:mod:`starskope.analysis.verdict`). :func:`star_verdicts` runs the whole path — read,
analyse with the model's settings and the star type, classify, reconcile — on a list of
real stars, as ``classify`` would, so an evaluation can say how often a user is told the
right class.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Sequence
from typing import Any

from ..errors import StarskopeError
from ._run import Progress, run_chunks

__all__ = ["star_verdicts"]


@functools.lru_cache(maxsize=2)
def _model(model_dir: str) -> Any:
    from ..models import load_model

    return load_model(model_dir)


def _verdict_chunk(stars: Sequence[Any], model_dir: str) -> list[dict[str, Any]]:
    from ..analysis import analyse, collect_warnings, options_for
    from .real import read_real_star, star_name

    model = _model(model_dir)
    options = options_for(model, {"star_types": True}, warn=False)
    rows = []
    for s in stars:
        row: dict[str, Any] = {"name": star_name(s), "star": s.target_id, "label": int(s.label),
                               "predicted_class": "", "verdict_status": "", "model_class": "", "star_type": "",
                               "p_planet": float("nan"), "error": ""}
        try:
            with collect_warnings():
                lc = read_real_star(s)
                a = analyse(lc, options=options, model=model, label=star_name(s))
            v = a.verdict
            row.update(predicted_class=v.predicted_class, verdict_status=v.status, model_class=v.model_class,
                       star_type=a.star_type.star_type if a.star_type is not None else "",
                       p_planet=float(a.classification.p_planet))
        except (StarskopeError, OSError, ValueError) as exc:
            row["error"] = f"{type(exc).__name__}: {str(exc)[:200]}"
        rows.append(row)
    return rows


def star_verdicts(stars: Sequence[Any], model_dir: str | os.PathLike[str], *, workers: int = 1,
                  progress: Progress | None = None) -> Any:
    """The verdict ``classify`` gives each star (its files stitched).

    Parameters
    ----------
    stars : sequence of RealStar
    model_dir : path
        The model folder (each worker process loads it once).

    Returns
    -------
    pandas.DataFrame
        ``name`` (as :func:`~starskope.datasets.real_features` names the star), ``star``,
        ``label``, ``predicted_class`` (the verdict), ``verdict_status``, ``model_class``,
        ``star_type``, ``p_planet``, ``error``.
    """
    import pandas as pd

    stars = list(stars)
    if not stars:
        return pd.DataFrame(columns=["name", "star", "label", "predicted_class", "verdict_status", "model_class",
                                     "star_type", "p_planet", "error"])
    step = 4
    jobs = [(stars[i: i + step], str(model_dir)) for i in range(0, len(stars), step)]
    rows = [r for part in run_chunks(_verdict_chunk, jobs, workers, progress, "verdicts (as classify)",
                                     [len(j[0]) for j in jobs]) for r in part]
    return pd.DataFrame(rows)
