"""What each part of the model contributed to a star's planet probability.

Two levels, both by ablation (the part is replaced by an uninformative stand-in and the
change in ``p_planet`` is its contribution; positive means it argued for a planet):

* **ensemble members** — the stacked ensemble combines its members' log-probabilities
  with a logistic-regression stacker; a member is ablated by giving the stacker a
  uniform distribution (¼ per class) in its place. The stacker's coefficients are the
  ensemble's *weights*: each member's share of the summed absolute coefficients, and its
  coefficient on its own log ``p_planet`` in the planet row;
* **view-CNN branches** — global view, local view, odd/even, secondary, scalars: each
  branch's embedding is replaced by its training-set mean
  (:meth:`starskope.models.view_cnn.ViewCNN.branch_contributions`).
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

__all__ = [
    "BranchContribution",
    "MemberContribution",
    "ModelContributions",
    "find_view_cnn",
    "model_contributions",
]


@dataclass(frozen=True)
class MemberContribution:
    """One ensemble member: its own ``p_planet``, its weight, its ablation effect."""

    name: str
    p_planet: float
    weight: float
    planet_coefficient: float
    contribution: float

    def to_dict(self) -> dict[str, Any]:
        return {k: (None if isinstance(v, float) and not np.isfinite(v) else v) for k, v in self.__dict__.items()}


@dataclass(frozen=True)
class BranchContribution:
    """One view-CNN branch and its ablation effect on the CNN's ``p_planet``."""

    name: str
    contribution: float

    def to_dict(self) -> dict[str, Any]:
        return {"name": self.name, "contribution": float(self.contribution) if np.isfinite(self.contribution) else None}


@dataclass
class ModelContributions:
    """Contributions of a model's parts for one star.

    Attributes
    ----------
    model : str
        Registry name of the model (``"ensemble"``, ``"view-cnn"``, ...).
    p_planet : float
        The model's planet probability.
    members : list of MemberContribution
        Ensemble members (empty for a single model).
    branches : list of BranchContribution
        View-CNN branches (empty without a view CNN).
    cnn_p_planet : float
        The view CNN's own planet probability (NaN without one).
    notes : list of str
    """

    model: str
    p_planet: float
    members: list[MemberContribution] = field(default_factory=list)
    branches: list[BranchContribution] = field(default_factory=list)
    cnn_p_planet: float = float("nan")
    notes: list[str] = field(default_factory=list)

    def to_dict(self) -> dict[str, Any]:
        return {"model": self.model, "p_planet": float(self.p_planet),
                "cnn_p_planet": float(self.cnn_p_planet) if np.isfinite(self.cnn_p_planet) else None,
                "members": [m.to_dict() for m in self.members],
                "branches": [b.to_dict() for b in self.branches], "notes": list(self.notes)}


def _name(model: Any) -> str:
    return str(getattr(model, "model_name", type(model).__name__))


def find_view_cnn(model: Any) -> Any | None:
    """The view CNN inside ``model`` (itself, or an ensemble member), or None."""
    if model is None:
        return None
    if _name(model) == "view-cnn":
        return model
    for name, member in getattr(model, "members_", None) or []:
        if name == "view-cnn" or _name(member) == "view-cnn":
            return member
    return None


def _planet_column(model: Any) -> int:
    classes = [str(c) for c in getattr(model, "classes_", [])]
    return classes.index("planet_transit") if "planet_transit" in classes else 0


def _ensemble_members(model: Any, X: Any, p_full: float) -> tuple[list[MemberContribution], list[str]]:
    members = list(getattr(model, "members_", None) or [])
    needed = ("combine", "coef_", "member_probabilities")
    if not members or not all(hasattr(model, k) for k in needed):
        return [], []
    probs = model.member_probabilities(X)
    names = [m for m, _ in members]
    k = probs[names[0]].shape[1]
    coef = np.asarray(model.coef_, float)
    total = float(np.abs(coef).sum()) or 1.0
    present = [int(c) for c in getattr(model, "present_classes_", range(coef.shape[0]))]
    planet_row = present.index(0) if (coef.shape[0] > 1 and 0 in present) else None
    out = []
    for j, name in enumerate(names):
        block = coef[:, j * k:(j + 1) * k]
        weight = float(np.abs(block).sum() / total)
        pc = float(block[planet_row, 0]) if planet_row is not None else float(block[0, 0])
        ablated = {m: probs[m] if m != name else np.full_like(probs[m], 1.0 / k) for m in names}
        p_abl = float(model.combine(ablated)[0, _planet_column(model)])
        out.append(MemberContribution(name=name, p_planet=float(probs[name][0, _planet_column(model)]),
                                      weight=weight, planet_coefficient=pc, contribution=p_full - p_abl))
    return out, []


def model_contributions(model: Any, X: Any) -> ModelContributions:
    """Contributions of the parts of ``model`` to the planet probability of the first
    star of the FeatureSet ``X``.

    Parameters
    ----------
    model : StarskopeClassifier
        A fitted four-class model (ensemble, view CNN, or another single model).
    X : FeatureSet
        The star's features (its first row is explained).

    Returns
    -------
    ModelContributions
    """
    X1 = X.subset(slice(0, 1))
    col = _planet_column(model)
    p_full = float(np.asarray(model.predict_proba(X1))[0, col])
    result = ModelContributions(model=_name(model), p_planet=p_full)
    result.members, notes = _ensemble_members(model, X1, p_full)
    result.notes += notes
    cnn = find_view_cnn(model)
    if cnn is not None and hasattr(cnn, "branch_contributions"):
        contrib = cnn.branch_contributions(X1)
        result.branches = [BranchContribution(name=b, contribution=float(np.asarray(v)[0])) for b, v in contrib.items()]
        result.cnn_p_planet = float(np.asarray(cnn.predict_proba(X1))[0, _planet_column(cnn)])
    else:
        result.notes.append("the model has no view CNN: no branch contributions")
    return result
