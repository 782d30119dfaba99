"""The explanation of one star's verdict: verdict, probabilities, reason, evidence,
model contributions and saliency.

>>> from starskope.analysis import analyse                       # doctest: +SKIP
>>> model = default_model_or_none()                              # doctest: +SKIP
>>> ex = explain(analyse("pi_men.fits", model=model, detail=True), model)  # doctest: +SKIP
>>> print(ex.reason)                                              # doctest: +SKIP

Without a model (none shipped yet, or ``model=None``) the verdict is the one the vetting
evidence supports (:func:`~starskope.explain.evidence.evidence_verdict`) and the report
says so; with one it is the model's decision (:attr:`StarAnalysis.classification`, the
same as in ``starskope classify``), and the evidence verdict stands beside it.
"""

from __future__ import annotations

import math
from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..analysis import StarAnalysis
from ..errors import ModelFileError, ParameterError
from ..scatter import point_to_point_std
from .contributions import ModelContributions, find_view_cnn, model_contributions
from .evidence import EvidenceRow, evidence_table, evidence_verdict
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
        The class given (:data:`starskope.models.labels.CLASSES`).
    verdict_source : str
        ``"model"`` or ``"vetting rules"``.
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
                   verdict_source=self.verdict_source, reason=self.reason,
                   model_version=self.model.get("version", ""))
        return row


def _variability(a: StarAnalysis) -> dict[str, float]:
    """Peak-to-peak variability of the raw flux (features), its dominant period, and the
    white noise from the scatter of second differences (insensitive to smooth variability)."""
    def pow10(name: str) -> float:
        v = a.scalar(name)
        return float(10 ** v) if math.isfinite(v) else float("nan")

    raw = np.asarray(a.raw_flux, float)[a.kept]
    raw = raw[np.isfinite(raw)]
    noise = float("nan")
    if raw.size > 10:
        # second differences: blind to the variability itself (white noise σ gives σ·√6)
        noise = point_to_point_std(raw / np.median(raw), order=2) * 1e6
    return {"amplitude_ppm": pow10("log_variability_ppm"), "noise_ppm": noise,
            "period_days": pow10("log_dominant_period_days")}


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
    var = _variability(a)
    var_ratio = var["amplitude_ppm"] / var["noise_ppm"] if var["noise_ppm"] > 0 else float("nan")
    ev_class, ev_rule = evidence_verdict(a.candidate, a.vetting if a.vetted_for_model else None,
                                         snr_threshold=snr_thr, variability_over_noise=var_ratio,
                                         search_candidate=search_cand)
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
        verdict = a.classification.decided
        source = "model"
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
        verdict, source = ev_class, "vetting rules"
        notes.append("no trained model available: the verdict comes from the vetting rules")
    reason = reason_paragraph(verdict, candidate=a.candidate, report=a.vetting if a.vetted_for_model else None,
                              probabilities=probabilities, evidence_class=ev_class, evidence_rule=ev_rule,
                              snr_threshold=snr_thr, search_candidate=search_cand, variability=var,
                              model_name=f"{desc['name']} model" if desc else "")
    return Explanation(analysis=a, verdict=verdict, verdict_source=source, probabilities=probabilities,
                       evidence=evidence_table(a.vetting), evidence_class=ev_class, evidence_rule=ev_rule,
                       reason=reason, contributions=contributions, saliency=sal, model=desc, notes=notes)
