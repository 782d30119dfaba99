"""The explanation of one star's verdict: verdict, probabilities, reason, evidence,
model contributions and saliency.

>>> from starskope.analysis import analyse                       # doctest: +SKIP
>>> model = default_model_or_none()                              # doctest: +SKIP
>>> ex = explain(analyse("pi_men.fits", model=model, detail=True), model)  # doctest: +SKIP
>>> print(ex.reason)                                              # doctest: +SKIP

The verdict is the star's one verdict (:func:`starskope.analysis.verdict.verdict_of`, the
same as ``predicted_class`` in ``starskope classify``): the model's decision
(:attr:`StarAnalysis.classification`) — or, without a model (none shipped yet, or
``model=None``), the one the vetting evidence supports
(:func:`~starskope.explain.evidence.evidence_verdict`) — reconciled with the vetting
flags and the star type, with a status (``confident`` / ``check``) and the reason for it.
"""

from __future__ import annotations

from dataclasses import dataclass, field, replace
from typing import Any

from ..analysis import StarAnalysis
from ..analysis.verdict import Verdict, variability, verdict_of
from ..errors import ModelFileError, ParameterError
from .contributions import ModelContributions, find_view_cnn, model_contributions
from .evidence import EvidenceRow, evidence_table
from .reasons import CLASS_TITLES, reason_paragraph
from .saliency import Saliency, occlusion_saliency, view_cnn_scorer

__all__ = ["Explanation", "default_model_or_none", "explain", "model_description"]


def default_model_or_none() -> Any | None:
    """The shipped default model, or None when starskope has none yet."""
    from ..models import default_model

    try:
        return default_model()
    except ModelFileError:
        return None


def model_description(model: Any) -> dict[str, Any]:
    """Name, version and provenance of a model, for reports (``{}`` for None)."""
    if model is None:
        return {}
    from ..models import model_identity

    doc = getattr(model, "model_json_", {}) or {}
    name = str(doc.get("model") or getattr(model, "model_name", type(model).__name__))
    version = model_identity(model)
    training = doc.get("training") or getattr(model, "training_summary_", {}) or {}
    return {
        "name": name,
        "version": version,
        "starskope_version": str(doc.get("starskope_version") or ""),
        "created": str(doc.get("created") or ""),
        "classes": [str(c) for c in getattr(model, "classes_", [])],
        "members": [m for m, _ in getattr(model, "members_", None) or []],
        "training": {k: training[k] for k in ("n_stars", "class_counts", "preset", "inputs") if k in training},
        "planet_threshold": float(getattr(model, "planet_threshold_", float("nan"))),
    }


@dataclass
class Explanation:
    """Why one star got its verdict.

    Attributes
    ----------
    analysis : StarAnalysis
        Everything measured (light curves, search, vetting, features).
    verdict : str
        The star's one verdict (:data:`starskope.models.labels.CLASSES`): the model (or
        the vetting rules), the vetting flags and the star type reconciled.
    verdict_source : str
        ``"model"`` or ``"vetting rules"``: where ``model_class`` came from.
    probabilities : dict or None
        Class → probability from the model (None without one).
    evidence : list of EvidenceRow
    evidence_class, evidence_rule : str
        What the evidence alone says, and why.
    reason : str
        The paragraph.
    contributions : ModelContributions or None
    saliency : Saliency or None
    model : dict
        :func:`model_description`.
    notes : list of str
    status : str
        ``"confident"`` or ``"check"`` (:mod:`starskope.analysis.verdict`).
    verdict_reason : str
        Why the verdict and its status, naming every disagreement.
    model_class : str
        The model's own decision (the rules' class without a model).
    """

    analysis: StarAnalysis
    verdict: str
    verdict_source: str
    probabilities: dict[str, float] | None
    evidence: list[EvidenceRow]
    evidence_class: str
    evidence_rule: str
    reason: str
    contributions: ModelContributions | None = None
    saliency: Saliency | None = None
    model: dict[str, Any] = field(default_factory=dict)
    notes: list[str] = field(default_factory=list)
    status: str = ""
    verdict_reason: str = ""
    model_class: str = ""

    @property
    def title(self) -> str:
        return CLASS_TITLES.get(self.verdict, self.verdict)

    @property
    def p_planet(self) -> float:
        return float((self.probabilities or {}).get("planet_transit", float("nan")))

    @property
    def planet_radius_earth(self) -> float:
        rep = self.analysis.vetting
        if rep is not None and "radius" in rep:
            return rep.value("radius")
        return float("nan")

    def summary(self) -> dict[str, Any]:
        """One flat row: the star's results row (:func:`starskope.analysis.result_row`,
        the row ``starskope classify`` writes) plus the label, the verdict, where it came
        from, and the reason (floats may be NaN)."""
        from ..analysis import result_row

        a = self.analysis
        row = result_row(a)
        row.update(label=a.label, product=a.product, predicted_class=self.verdict,
                   verdict_status=self.status, verdict_reason=self.verdict_reason, model_class=self.model_class,
                   verdict_source=self.verdict_source, reason=self.reason,
                   model_version=self.model.get("version", ""))
        return row


def explain(analysis: StarAnalysis, model: Any = None, *, saliency: bool = True, max_windows: int = 300) -> Explanation:
    """Explain the verdict on one analysed star.

    Parameters
    ----------
    analysis : StarAnalysis
        From :func:`starskope.analysis.analyse` (with ``detail=True`` a weak candidate's
        vetting is shown too). Its ``classification`` is used when it was classified by
        ``model``; otherwise the model classifies it here, the same way.
    model : StarskopeClassifier, optional
        A fitted four-class model (e.g. :func:`default_model_or_none`). None: the verdict
        comes from the vetting rules.
    saliency : bool
        Compute the occlusion saliency of the view CNN (when the model has one and the
        star has a candidate).
    max_windows : int
        Most occlusion windows.

    Returns
    -------
    Explanation

    Raises
    ------
    ParameterError
        A model whose classes are not the four starskope classes.
    """
    a = analysis
    notes = list(a.notes)
    search_cand = a.star.candidate
    snr_thr = float(a.options.vet_min_snr)
    var = variability(a)
    probabilities = None
    contributions = None
    sal = None
    desc = model_description(model)
    if model is not None:
        from ..analysis import check_four_class_model, classify_analyses
        from ..models import model_identity

        check_four_class_model(model, "explain")
        if a.classification is None or a.classification.model != model_identity(model):
            classify_analyses([a], model)
        assert a.classification is not None
        probabilities = dict(a.classification.probabilities)
        v: Verdict = verdict_of(a)
        contributions = model_contributions(model, a.features)
        cnn = find_view_cnn(model)
        cand = search_cand
        if saliency and cnn is not None and cand is not None:
            depth = cand.depth_ppm * 1e-6
            sec = float((a.star.vetting or {}).get("secondary_phase", 0.5))
            try:
                sal = occlusion_saliency(a.time, a.flux, period=cand.period_days, epoch=cand.epoch_bjd,
                                         duration=cand.duration_days, depth=depth,
                                         score=view_cnn_scorer(cnn, a.features),
                                         view_spec=a.options.views(), secondary_phase=sec, max_windows=max_windows)
            except ParameterError as exc:
                notes.append(f"saliency not computed: {exc}")
        elif saliency and cnn is None:
            notes.append("the model has no view CNN: no saliency curve")
    else:
        # the rules decide even for an analysis a model classified elsewhere
        v = verdict_of(replace(a, classification=None) if a.classification is not None else a)
        notes.append("no trained model available: the verdict comes from the vetting rules")
    paragraph = reason_paragraph(v.model_class, candidate=a.candidate,
                                 report=a.vetting if (a.vetted_for_model or v.detected) else None, probabilities=probabilities,
                                 evidence_class=v.rules_class, evidence_rule=v.rules_rule, snr_threshold=snr_thr,
                                 search_candidate=search_cand, variability=var,
                                 model_name=f"{desc['name']} model" if desc else "")
    return Explanation(analysis=a, verdict=v.predicted_class, verdict_source=v.source, probabilities=probabilities,
                       evidence=evidence_table(a.vetting), evidence_class=v.rules_class, evidence_rule=v.rules_rule,
                       reason=f"{v.reason} {paragraph}", contributions=contributions, saliency=sal, model=desc,
                       notes=notes, status=v.status, verdict_reason=v.reason, model_class=v.model_class)
