"""A model's verdict on analysed stars, and the one row each star gets in a results table.

``starskope classify``'s table, the web app's results list and a report's summary are
all built by :func:`result_row` from a :class:`~.result.StarAnalysis`, so they cannot
disagree. Its ``predicted_class`` is the star's one verdict
(:func:`~.verdict.verdict_of`: the model, the vetting flags and the star type
reconciled), with ``verdict_status`` (``confident`` or ``check``) and
``verdict_reason``; the model's own decision is ``model_class``.
"""

from __future__ import annotations

from collections.abc import Sequence
from typing import Any

import numpy as np

from ..errors import ParameterError, error_flags
from .result import Classification, StarAnalysis

__all__ = [
    "CLASSIFY_COLUMNS",
    "check_four_class_model",
    "classify_analyses",
    "error_row",
    "result_columns",
    "result_row",
]

#: Columns of a results row, before the per-class ``p_<class>`` columns (inserted after
#: ``p_planet``) and the star-type columns (at the end, before ``verdict_reason`` and
#: ``warnings``). ``n_candidates`` counts the search's candidates (all of them:
#: ``classify --all-candidates``); ``n_files`` the files the star was read from
#: (``file`` lists them, joined by ``;``).
CLASSIFY_COLUMNS: tuple[str, ...] = (
    "file", "target_id", "mission", "predicted_class", "verdict_status", "model_class", "p_planet",
    "period_days", "epoch_bjd", "depth_ppm", "duration_hours", "snr", "planet_radius_earth", "flags",
    "n_candidates", "n_files", "n_transits", "period_max_days",
)


def check_four_class_model(model: Any, what: str = "classify") -> None:
    """Raise ParameterError unless ``model`` predicts starskope's four classes."""
    from ..models.labels import CLASSES

    classes = [str(c) for c in getattr(model, "classes_", [])]
    if classes != list(CLASSES):
        raise ParameterError(f"{what} needs a four-class starskope model (classes {', '.join(CLASSES)}); "
                             f"this one has classes {classes}")


def classify_analyses(analyses: Sequence[StarAnalysis], model: Any) -> None:
    """Give each analysed star the model's verdict (``analysis.classification``).

    Every star is scored on its own inputs, one at a time, so a star's probabilities do
    not depend on which other stars were scored with it (a batch can differ in the last
    bits of floating point).

    Raises
    ------
    ParameterError
        A model whose classes are not the four starskope classes.
    """
    from ..models import model_identity

    check_four_class_model(model)
    classes = [str(c) for c in model.classes_]
    identity = model_identity(model)
    decide = getattr(model, "decide", None)
    for a in analyses:
        proba = np.asarray(model.predict_proba(a.features), float)
        pick = int(decide(proba)[0]) if decide is not None else int(np.argmax(proba[0]))
        a.classification = Classification({c: float(p) for c, p in zip(classes, proba[0], strict=True)},
                                          classes[pick], identity)


def result_columns() -> list[str]:
    """The columns of a results table, in order."""
    from ..models.labels import CLASSES
    from ..startypes import STAR_TYPES

    cols = list(CLASSIFY_COLUMNS)
    at = cols.index("p_planet") + 1
    cols[at:at] = [f"p_{c}" for c in CLASSES]
    return [*cols, "star_type", *[f"p_type_{t}" for t in STAR_TYPES], "verdict_reason", "warnings"]


def result_row(a: StarAnalysis) -> dict[str, Any]:
    """The star's row: provenance, its one verdict (class, status, reason) beside the
    model's own decision and probabilities, the best candidate in physical units, the
    vetting flags the model saw, the number of candidates, the star type and the repairs
    made to the data. Without a model the verdict is the vetting rules'."""
    from ..models.labels import CLASSES
    from ..startypes import STAR_TYPES

    nan = float("nan")
    c = a.candidate
    cl = a.classification
    v = a.verdict
    row: dict[str, Any] = {
        "file": a.file, "target_id": a.target, "mission": a.mission, **v.columns(),
        "p_planet": cl.p_planet if cl is not None else nan,
    }
    for k in CLASSES:
        row[f"p_{k}"] = float(cl.probabilities.get(k, nan)) if cl is not None else nan
    row.update({
        "period_days": c.period_days if c is not None else nan,
        "epoch_bjd": c.epoch_bjd if c is not None else nan,
        "depth_ppm": c.depth_ppm if c is not None else nan,
        "duration_hours": c.duration_hours if c is not None else nan,
        "snr": float(c.snr) if c is not None else nan,
        "planet_radius_earth": float((a.star.vetting or {}).get("radius_rearth", nan)),
        "flags": a.flags,
        "n_candidates": len(a.candidates),
        "n_files": _n_files(a.file),
        "n_transits": int(c.n_transits) if c is not None else 0,
        # a lone transit: period_days is the shortest period the data allow, this the
        # longest its duration allows for the star
        "period_max_days": float(c.extra.get("period_max_days", nan)) if c is not None else nan,
        "star_type": a.star_type.star_type if a.star_type is not None else "",
    })
    for t in STAR_TYPES:
        row[f"p_type_{t}"] = float(a.star_type.probabilities.get(t, 0.0)) if a.star_type is not None else nan
    row["warnings"] = "; ".join(a.warnings)
    return {k: row[k] for k in result_columns()}


def error_row(file: str, target: str, message: str) -> dict[str, Any]:
    """A full-width row for an input that could not be analysed (``flags`` start with
    ``error:``; every number empty)."""
    row: dict[str, Any] = dict.fromkeys(result_columns(), float("nan"))
    row.update(file=file, n_files=_n_files(file), n_transits=0, target_id=target, mission="", predicted_class="",
               verdict_status="", model_class="", verdict_reason="", star_type="", warnings="", flags=error_flags(message)[:1100])
    return row


def _n_files(file: str) -> int:
    """How many files a ``file`` cell names (several files of one star are joined by ``;``)."""
    return len([f for f in str(file or "").split(";") if f])
