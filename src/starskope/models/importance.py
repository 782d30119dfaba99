"""Which inputs drive a model's decisions: permutation importance (Breiman 2001).

One input at a time — a view, the spectrogram, a group of scalar features or a single
scalar feature — is shuffled across the stars of a labelled set, so it no longer belongs
to its star while keeping its distribution, and the model is scored again. The drop in
score is that input's importance *on that set*: measured on kept-aside real stars it
says what the model uses on real light curves, not what it learned to use on the
training mix. Two scores: the mean log-probability of each star's true class (all four
classes), and the ROC-AUC of ``p_planet`` for planet against not.

For a stacked ensemble every member is scored too (each on the inputs it reads), and each
member's own output is shuffled in turn: how much the ensemble loses without that member's
say, star by star (:func:`member_importance`).
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..features.dataset import FeatureSet
from ..features.eclipses import ECLIPSE_FEATURES
from ..features.scalars import (
    LIGHTCURVE_FEATURES,
    SEARCH_FEATURES,
    VETTING_FEATURES,
    VIEW_FEATURES,
)

__all__ = ["INPUT_GROUPS", "MEMBER_INPUTS", "member_importance", "permutation_importance", "scores"]

#: Groups of inputs shuffled together: name → (kind, what). Views by name, the
#: spectrogram, and the scalar groups of :mod:`starskope.features.scalars`.
INPUT_GROUPS: dict[str, tuple[str, tuple[str, ...]]] = {
    "global view": ("views", ("global",)),
    "local view": ("views", ("local",)),
    "odd/even views": ("views", ("odd", "even")),
    "secondary view": ("views", ("secondary",)),
    "spectrogram": ("spectrogram", ()),
    "search scalars": ("scalars", SEARCH_FEATURES),
    "vetting scalars": ("scalars", VETTING_FEATURES),
    "view scalars": ("scalars", VIEW_FEATURES),
    "light-curve scalars": ("scalars", LIGHTCURVE_FEATURES),
    "eclipse scalars": ("scalars", ECLIPSE_FEATURES),
}

#: What each registered model reads (a model not listed is assumed to read everything).
MEMBER_INPUTS: dict[str, frozenset[str]] = {
    "view-cnn": frozenset({"views", "scalars"}),
    "dbn": frozenset({"views", "scalars"}),
    "spectrogram-cnn": frozenset({"spectrogram"}),
    "gbt": frozenset({"scalars"}),
}


def scores(proba: np.ndarray, labels: np.ndarray) -> dict[str, float]:
    """``mean_log_p`` (mean log-probability of the true class) and ``roc_auc`` of
    ``p_planet`` (column 0) for planet against not (NaN with one class only)."""
    from sklearn.metrics import roc_auc_score

    y = np.asarray(labels, np.int64)
    p = np.asarray(proba, float)
    logp = float(np.mean(np.log(np.clip(p[np.arange(y.size), y], 1e-6, 1.0))))
    planet = y == 0
    auc = float(roc_auc_score(planet, p[:, 0])) if 0 < planet.sum() < planet.size else float("nan")
    return {"mean_log_p": logp, "roc_auc": auc}


def _shuffled(fs: FeatureSet, kind: str, what: Sequence[str], perm: np.ndarray) -> FeatureSet:
    out = fs.subset(slice(None))
    if kind == "views":
        out.views = {k: (v[perm] if k in what else v) for k, v in fs.views.items()}
    elif kind == "spectrogram":
        out.spectrogram = fs.spectrogram[perm]
    elif kind == "scalars":
        cols = [fs.scalar_names.index(n) for n in what if n in fs.scalar_names]
        sc = fs.scalars.copy()
        sc[:, cols] = fs.scalars[perm][:, cols]
        out.scalars = sc
    else:  # pragma: no cover - groups come from INPUT_GROUPS
        raise ParameterError(f"unknown input kind {kind!r}")
    return out


def _groups(fs: FeatureSet, single_scalars: bool) -> dict[str, tuple[str, tuple[str, ...]]]:
    groups = {k: v for k, v in INPUT_GROUPS.items()
              if v[0] != "scalars" or any(n in fs.scalar_names for n in v[1])}
    if single_scalars:
        groups.update({n: ("scalars", (n,)) for n in fs.scalar_names})
    return groups


def permutation_importance(
    model: Any,
    fs: FeatureSet,
    *,
    n_repeats: int = 3,
    seed: int = 0,
    single_scalars: bool = True,
    progress: Callable[[str, int, int], None] | None = None,
) -> dict[str, Any]:
    """Permutation importance of every input group (and, with ``single_scalars``, every
    scalar feature) for a model and, for a stacked ensemble, for each of its members.

    Parameters
    ----------
    model : StarskopeClassifier
        A fitted four-class model (an ensemble is read member by member).
    fs : FeatureSet
        Labelled stars to measure on (kept-aside real stars).
    n_repeats : int
        Shuffles per input; the drops are averaged.
    seed : int

    Returns
    -------
    dict
        ``baseline``: ``{model: scores}``; ``drops``: ``{model: {input: {"mean_log_p": drop,
        "roc_auc": drop}}}`` for the model (its ``model_name``) and each member; a positive
        drop means the score falls without that input.

    Raises
    ------
    ParameterError
        Unlabelled stars, or fewer than 10.
    """
    if fs.labels is None or len(fs) < 10:
        raise ParameterError("permutation importance needs at least 10 labelled stars")
    y = np.asarray(fs.labels, np.int64)
    rng = np.random.default_rng(seed)
    members = list(getattr(model, "members_", []))
    combine = getattr(model, "combine", None) if members else None
    name = str(getattr(model, "model_name", "model"))

    def predict_all(x: FeatureSet, touched: str | None, base: dict[str, np.ndarray] | None) -> dict[str, np.ndarray]:
        if not members:
            return {name: np.asarray(model.predict_proba(x), float)}
        out = {}
        for m, est in members:
            reads = MEMBER_INPUTS.get(m, frozenset({"views", "spectrogram", "scalars"}))
            out[m] = base[m] if (base is not None and touched not in reads) else np.asarray(est.predict_proba(x), float)
        out[name] = combine(out)
        return out

    base = predict_all(fs, None, None)
    baseline = {k: scores(v, y) for k, v in base.items()}
    drops: dict[str, dict[str, dict[str, float]]] = {k: {} for k in base}
    groups = _groups(fs, single_scalars)
    for i, (gname, (kind, what)) in enumerate(groups.items()):
        acc: dict[str, np.ndarray] = {k: np.zeros(2) for k in base}
        for _ in range(int(n_repeats)):
            perm = rng.permutation(len(fs))
            got = predict_all(_shuffled(fs, kind, what, perm), kind, base)
            for k, p in got.items():
                s = scores(p, y)
                acc[k] += [baseline[k]["mean_log_p"] - s["mean_log_p"], baseline[k]["roc_auc"] - s["roc_auc"]]
        for k, v in acc.items():
            reads = MEMBER_INPUTS.get(k, frozenset({"views", "spectrogram", "scalars"})) if k != name else None
            if reads is not None and kind not in reads:
                continue  # the member does not read this input
            drops[k][gname] = {"mean_log_p": float(v[0] / n_repeats), "roc_auc": float(v[1] / n_repeats)}
        if progress is not None:
            progress("permutation importance", i + 1, len(groups))
    return {"baseline": baseline, "drops": drops, "n_stars": len(fs), "n_repeats": int(n_repeats)}


def member_importance(model: Any, fs: FeatureSet, *, n_repeats: int = 5, seed: int = 0) -> dict[str, Any]:
    """For a stacked ensemble: the drop in the ensemble's scores when one member's
    output is shuffled across the stars (its say, star by star, removed), and each
    member's own scores.

    Returns
    -------
    dict
        ``baseline`` (the ensemble's scores), ``members``: ``{member: {"own": scores,
        "drop": {"mean_log_p", "roc_auc"}}}``.

    Raises
    ------
    ParameterError
        ``model`` is not an ensemble, or the stars are unlabelled.
    """
    if not getattr(model, "members_", None):
        raise ParameterError("member importance needs a stacked ensemble (a model with members)")
    if fs.labels is None:
        raise ParameterError("member importance needs labelled stars")
    y = np.asarray(fs.labels, np.int64)
    rng = np.random.default_rng(seed)
    probs = model.member_probabilities(fs)
    base = scores(model.combine(probs), y)
    out: dict[str, Any] = {"baseline": base, "members": {}}
    for m in probs:
        acc = np.zeros(2)
        for _ in range(int(n_repeats)):
            perm = rng.permutation(len(fs))
            s = scores(model.combine({**probs, m: probs[m][perm]}), y)
            acc += [base["mean_log_p"] - s["mean_log_p"], base["roc_auc"] - s["roc_auc"]]
        out["members"][m] = {"own": scores(probs[m], y),
                             "drop": {"mean_log_p": float(acc[0] / n_repeats), "roc_auc": float(acc[1] / n_repeats)}}
    return out
