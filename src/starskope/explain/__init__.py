"""Explanations: why a star got its verdict, in words, evidence, contributions and saliency.

For every classified light curve:

* the verdict with each class's probability, and a one-paragraph reason built from the
  measured evidence (:func:`reason_paragraph`);
* the evidence table: each vetting diagnostic with its value, unit, threshold and whether
  it argues for or against a planet (:func:`evidence_table`), and the verdict the
  evidence alone supports (:func:`evidence_verdict`);
* each model part's contribution — ensemble members and view-CNN branches, by ablation —
  and the ensemble's weights (:func:`model_contributions`);
* the occlusion saliency of the CNN's planet score over time (:func:`occlusion_saliency`).

>>> from starskope.analysis import analyse                                            # doctest: +SKIP
>>> model = default_model_or_none()                                                  # doctest: +SKIP
>>> a = analyse("tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz", model=model, detail=True)  # doctest: +SKIP
>>> ex = explain(a, model)                                                           # doctest: +SKIP
>>> ex.verdict, ex.reason                                                            # doctest: +SKIP
"""

from .contributions import (
    BranchContribution,
    MemberContribution,
    ModelContributions,
    find_view_cnn,
    model_contributions,
)
from .evidence import (
    EB_FLAGS,
    STANCES,
    EvidenceRow,
    evidence_table,
    evidence_verdict,
    format_value,
    is_marginal,
)
from .explanation import Explanation, default_model_or_none, explain, model_description
from .reasons import CLASS_TITLES, depth_text, reason_paragraph
from .saliency import Saliency, occlusion_saliency, view_cnn_scorer

__all__ = [
    "CLASS_TITLES",
    "EB_FLAGS",
    "STANCES",
    "BranchContribution",
    "EvidenceRow",
    "Explanation",
    "MemberContribution",
    "ModelContributions",
    "Saliency",
    "default_model_or_none",
    "depth_text",
    "evidence_table",
    "evidence_verdict",
    "explain",
    "find_view_cnn",
    "format_value",
    "is_marginal",
    "model_contributions",
    "model_description",
    "occlusion_saliency",
    "reason_paragraph",
    "view_cnn_scorer",
]
