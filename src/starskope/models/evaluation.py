"""Evaluation: the metrics and plots ``starskope evaluate`` and ``starskope demo`` report.

Planet versus not (``p_planet`` against "is a planet host"):

* at the model's decision (arg-max class, or ``p ≥ 0.5`` for a binary model): accuracy,
  precision, recall, F1, Jaccard index, Fowlkes–Mallows index, the 2 × 2 confusion
  matrix, hosts found (of how many) and non-hosts flagged (count and fraction);
* threshold-free: ROC-AUC, PR-AUC (average precision), recall at fixed false-positive
  rates (1 %, 5 %: the threshold is the (1 − FPR) quantile of the non-hosts' scores).

Four classes: accuracy and the 4 × 4 confusion matrix. Plots (PNG, matplotlib Agg): ROC,
precision–recall, confusion matrix and training curves.

Calibration: whether ``p_planet = 0.8`` means that 80 % of such stars are planets. The
expected calibration error (:func:`expected_calibration_error`; Naeini, Cooper &
Hauskrecht 2015; Guo et al. 2017) is the star-weighted mean, over equal-width probability
bins, of |fraction of planets − mean p_planet|; :func:`reliability_table` gives the bins
and :func:`plot_reliability` draws them (the reliability diagram, DeGroot & Fienberg 1983).
"""

from __future__ import annotations

import math
from collections.abc import Mapping, Sequence
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParameterError
from .labels import CLASSES

__all__ = [
    "METRIC_ROWS",
    "binary_metrics",
    "expected_calibration_error",
    "format_metric_table",
    "multiclass_metrics",
    "plot_confusion",
    "plot_pr",
    "plot_reliability",
    "plot_roc",
    "plot_training_curves",
    "recall_at_fpr",
    "reliability_table",
]

#: Equal-width probability bins of the calibration error and the reliability diagram.
CALIBRATION_BINS = 10

#: Rows of the side-by-side metric table, in order: (key, label).
METRIC_ROWS: tuple[tuple[str, str], ...] = (
    ("accuracy", "accuracy"),
    ("precision", "precision"),
    ("recall", "recall"),
    ("f1", "F1"),
    ("jaccard", "Jaccard"),
    ("fowlkes_mallows", "Fowlkes–Mallows"),
    ("roc_auc", "ROC-AUC"),
    ("pr_auc", "PR-AUC"),
    ("recall_at_fpr_1pct", "recall @ 1% FPR"),
    ("recall_at_fpr_5pct", "recall @ 5% FPR"),
    ("hosts_found", "hosts found"),
    ("non_hosts_flagged", "non-hosts flagged"),
    ("non_host_flag_rate", "non-host flag rate"),
)


def recall_at_fpr(y_true: np.ndarray, score: np.ndarray, fpr: float) -> float:
    """Fraction of positives scoring above the threshold that flags at most ``fpr`` of the
    negatives (the threshold is the smallest score above the (1 − fpr) quantile)."""
    y = np.asarray(y_true).astype(bool)
    s = np.asarray(score, float)
    if y.sum() == 0 or (~y).sum() == 0:
        return float("nan")
    neg = np.sort(s[~y])[::-1]
    k = math.floor(fpr * neg.size)  # negatives allowed above threshold
    thr = neg[k] if k < neg.size else -np.inf  # strictly greater than the (k+1)-th highest negative
    return float(np.mean(s[y] > thr))


def _check(y_true: np.ndarray, score: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    y = np.asarray(y_true)
    s = np.asarray(score, float)
    if y.shape != s.shape or y.ndim != 1:
        raise ParameterError(f"labels and scores must be 1-D of one length; got {y.shape} and {s.shape}")
    if not np.isin(y, (0, 1)).all():
        raise ParameterError(f"binary labels must be 0 or 1; found {np.unique(y)[:5]}")
    if not np.isfinite(s).all():
        raise ParameterError(f"{int((~np.isfinite(s)).sum())} scores are not finite")
    return y.astype(int), s


def binary_metrics(y_true: np.ndarray, score: np.ndarray, *, predicted: np.ndarray | None = None,
                   threshold: float = 0.5) -> dict[str, Any]:
    """Planet-versus-not metrics.

    Parameters
    ----------
    y_true : ndarray of 0/1
        1 for a planet host.
    score : ndarray
        ``p_planet``.
    predicted : ndarray of 0/1, optional
        The model's decisions (default ``score >= threshold``).
    threshold : float

    Returns
    -------
    dict
        Keys of :data:`METRIC_ROWS` plus ``confusion`` ([[TN, FP], [FN, TP]]),
        ``n_hosts``, ``n_non_hosts``, ``threshold``.
    """
    from sklearn import metrics as skm

    y, s = _check(y_true, score)
    pred = (s >= threshold).astype(int) if predicted is None else np.asarray(predicted).astype(int)
    tp = int(np.sum((pred == 1) & (y == 1)))
    fp = int(np.sum((pred == 1) & (y == 0)))
    fn = int(np.sum((pred == 0) & (y == 1)))
    tn = int(np.sum((pred == 0) & (y == 0)))
    both = y.min() != y.max()
    precision = tp / (tp + fp) if tp + fp else 0.0
    recall = tp / (tp + fn) if tp + fn else float("nan")
    out: dict[str, Any] = {
        "accuracy": (tp + tn) / y.size if y.size else float("nan"),
        "precision": precision,
        "recall": recall,
        "f1": 2 * tp / (2 * tp + fp + fn) if (2 * tp + fp + fn) else 0.0,
        "jaccard": tp / (tp + fp + fn) if (tp + fp + fn) else 0.0,
        "fowlkes_mallows": math.sqrt(precision * recall) if np.isfinite(recall) else float("nan"),
        "roc_auc": float(skm.roc_auc_score(y, s)) if both else float("nan"),
        "pr_auc": float(skm.average_precision_score(y, s)) if both else float("nan"),
        "recall_at_fpr_1pct": recall_at_fpr(y, s, 0.01),
        "recall_at_fpr_5pct": recall_at_fpr(y, s, 0.05),
        "hosts_found": f"{tp}/{tp + fn}",
        "non_hosts_flagged": f"{fp}/{fp + tn}",
        "non_host_flag_rate": fp / (fp + tn) if fp + tn else float("nan"),
        "confusion": [[tn, fp], [fn, tp]],
        "n_hosts": tp + fn,
        "n_non_hosts": fp + tn,
        "threshold": threshold if predicted is None else None,
    }
    return out


def multiclass_metrics(y_true: np.ndarray, proba: np.ndarray, predicted: np.ndarray | None = None) -> dict[str, Any]:
    """Four-class accuracy, confusion matrix (rows true, columns predicted) and per-class
    recall, plus the planet-versus-not metrics at the model's decision (``predicted``
    class indices; default the arg-max of ``proba``)."""
    y = np.asarray(y_true, dtype=np.int64)
    p = np.asarray(proba, float)
    if p.ndim != 2 or p.shape[0] != y.size or p.shape[1] != len(CLASSES):
        raise ParameterError(f"proba must be (n, {len(CLASSES)}) for {y.size} labels; got {p.shape}")
    pred = np.argmax(p, axis=1) if predicted is None else np.asarray(predicted, dtype=np.int64)
    cm = np.zeros((len(CLASSES), len(CLASSES)), dtype=int)
    np.add.at(cm, (y, pred), 1)
    with np.errstate(invalid="ignore", divide="ignore"):
        per_class = np.where(cm.sum(1) > 0, np.diag(cm) / cm.sum(1), np.nan)
    out = binary_metrics((y == 0).astype(int), p[:, 0], predicted=(pred == 0).astype(int))
    out["multiclass_accuracy"] = float(np.mean(pred == y)) if y.size else float("nan")
    out["multiclass_confusion"] = cm.tolist()
    out["per_class_recall"] = {c: (None if not np.isfinite(r) else float(r)) for c, r in zip(CLASSES, per_class, strict=True)}
    return out


def reliability_table(y_true: np.ndarray, prob: np.ndarray, n_bins: int = CALIBRATION_BINS) -> dict[str, list[float]]:
    """Stars per equal-width bin of ``prob``, their mean probability and the fraction that
    are positives (empty bins: NaN).

    Returns
    -------
    dict
        ``lower``, ``upper`` (bin edges), ``count``, ``mean_p``, ``fraction_positive``.
    """
    y, p = _check(y_true, prob)
    if (p < 0).any() or (p > 1).any():
        raise ParameterError("probabilities must lie in [0, 1]")
    edges = np.linspace(0.0, 1.0, int(n_bins) + 1)
    idx = np.clip(np.digitize(p, edges[1:-1], right=False), 0, int(n_bins) - 1)
    count = np.bincount(idx, minlength=n_bins).astype(float)
    with np.errstate(invalid="ignore", divide="ignore"):
        mean_p = np.bincount(idx, weights=p, minlength=n_bins) / count
        frac = np.bincount(idx, weights=y.astype(float), minlength=n_bins) / count
    return {"lower": edges[:-1].tolist(), "upper": edges[1:].tolist(), "count": count.astype(int).tolist(),
            "mean_p": [float(v) for v in mean_p], "fraction_positive": [float(v) for v in frac]}


def expected_calibration_error(y_true: np.ndarray, prob: np.ndarray, n_bins: int = CALIBRATION_BINS) -> float:
    """Expected calibration error of a probability: Σ_bins (n_bin / n) · |fraction of
    positives − mean probability| over ``n_bins`` equal-width bins (NaN for no stars)."""
    t = reliability_table(y_true, prob, n_bins)
    n = float(sum(t["count"]))
    if n == 0:
        return float("nan")
    return float(sum(c / n * abs(f - m) for c, f, m in zip(t["count"], t["fraction_positive"], t["mean_p"], strict=True)
                     if c > 0))


def _fmt(v: Any) -> str:
    if isinstance(v, str):
        return v
    if v is None or (isinstance(v, float) and not np.isfinite(v)):
        return "–"
    return f"{v:.3f}"


def format_metric_table(columns: Mapping[str, Mapping[str, Any]], rows: Sequence[tuple[str, str]] = METRIC_ROWS) -> str:
    """A plain-text table: one row per metric, one column per model."""
    names = list(columns)
    label_w = max(len(lbl) for _, lbl in rows)
    col_w = [max(len(n), 9) for n in names]
    lines = [" " * label_w + "  " + "  ".join(n.rjust(w) for n, w in zip(names, col_w, strict=True))]
    for key, label in rows:
        vals = [_fmt(columns[n].get(key)) for n in names]
        lines.append(label.ljust(label_w) + "  " + "  ".join(v.rjust(w) for v, w in zip(vals, col_w, strict=True)))
    return "\n".join(lines)


# --------------------------------------------------------------------------- plots
def _figure():
    import matplotlib

    matplotlib.use("Agg", force=False)
    import matplotlib.pyplot as plt

    return plt


def plot_roc(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], path: str | Path, title: str = "ROC: planet vs not") -> Path:
    """ROC curves of several models (``{name: (y_true, score)}``) into one PNG."""
    from sklearn.metrics import roc_auc_score, roc_curve

    plt = _figure()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for name, (y, s) in curves.items():
        if np.unique(y).size < 2:
            continue
        fpr, tpr, _ = roc_curve(y, s)
        ax.plot(fpr, tpr, label=f"{name} (AUC {roc_auc_score(y, s):.3f})")
    ax.plot([0, 1], [0, 1], ls=":", c="grey")
    ax.set_xscale("symlog", linthresh=0.01)
    ax.set(xlabel="false-positive rate (non-hosts flagged)", ylabel="recall (hosts found)", title=title, xlim=(0, 1), ylim=(0, 1.02))
    ax.axvline(0.01, c="grey", lw=0.5)
    ax.legend(loc="lower right", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_pr(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], path: str | Path, title: str = "Precision–recall: planet vs not") -> Path:
    """Precision–recall curves of several models into one PNG."""
    from sklearn.metrics import average_precision_score, precision_recall_curve

    plt = _figure()
    fig, ax = plt.subplots(figsize=(5.5, 5))
    for name, (y, s) in curves.items():
        if np.unique(y).size < 2:
            continue
        prec, rec, _ = precision_recall_curve(y, s)
        ax.step(rec, prec, where="post", label=f"{name} (AP {average_precision_score(y, s):.3f})")
    ax.set(xlabel="recall", ylabel="precision", title=title, xlim=(0, 1.02), ylim=(0, 1.02))
    ax.legend(loc="lower left", fontsize=8)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_reliability(curves: Mapping[str, tuple[np.ndarray, np.ndarray]], path: str | Path,
                     title: str = "Reliability of p_planet", n_bins: int = CALIBRATION_BINS) -> Path:
    """Reliability diagram of one or more probabilities (``{name: (y_true, p)}``): fraction
    of positives against mean probability per bin, the diagonal for perfect calibration,
    each curve's ECE in the legend, and the stars per bin below."""
    plt = _figure()
    fig, (ax, hist) = plt.subplots(2, 1, figsize=(5.5, 6.2), gridspec_kw={"height_ratios": [3, 1]}, sharex=True)
    ax.plot([0, 1], [0, 1], ls=":", c="grey", label="perfectly calibrated")
    width = 1.0 / n_bins
    for k, (name, (y, p)) in enumerate(curves.items()):
        t = reliability_table(y, p, n_bins)
        m = np.asarray(t["mean_p"])
        f = np.asarray(t["fraction_positive"])
        c = np.asarray(t["count"])
        ok = c > 0
        ece = expected_calibration_error(y, p, n_bins)
        ax.plot(m[ok], f[ok], marker="o", label=f"{name} (ECE {ece:.3f})")
        shift = (k - 0.5 * (len(curves) - 1)) * width / max(len(curves), 1)
        hist.bar(np.asarray(t["lower"]) + 0.5 * width + shift, c, width=width / max(len(curves), 1), alpha=0.7)
    ax.set(ylabel="fraction that are planets", title=title, xlim=(0, 1), ylim=(-0.02, 1.02))
    ax.legend(loc="upper left", fontsize=8)
    hist.set_yscale("log")
    hist.set(xlabel="p_planet (bin mean)", ylabel="stars per bin")
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_confusion(matrix: Sequence[Sequence[int]], labels: Sequence[str], path: str | Path, title: str = "") -> Path:
    """A confusion matrix (rows true, columns predicted) as a PNG."""
    plt = _figure()
    m = np.asarray(matrix)
    fig, ax = plt.subplots(figsize=(1.2 * len(labels) + 2.5, 1.0 * len(labels) + 2))
    ax.imshow(np.log1p(m), cmap="Blues")
    for i in range(m.shape[0]):
        for j in range(m.shape[1]):
            ax.text(j, i, str(m[i, j]), ha="center", va="center", fontsize=9)
    ax.set_xticks(range(len(labels)), labels, rotation=30, ha="right", fontsize=8)
    ax.set_yticks(range(len(labels)), labels, fontsize=8)
    ax.set(xlabel="predicted", ylabel="true", title=title)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)


def plot_training_curves(histories: Mapping[str, Mapping[str, Any]], path: str | Path) -> Path:
    """Training (and validation) loss per epoch of several models into one PNG."""
    plt = _figure()
    fig, ax = plt.subplots(figsize=(6.5, 4.5))
    for name, h in histories.items():
        tl = h.get("train_loss") or []
        if tl:
            line = ax.plot(np.arange(1, len(tl) + 1), tl, label=f"{name} train")[0]
            vl = h.get("val_loss") or []
            if vl:
                ax.plot(np.arange(1, len(vl) + 1), vl, ls="--", c=line.get_color(), label=f"{name} validation")
    ax.set(xlabel="epoch", ylabel="loss (cross-entropy)", title="Training curves")
    if ax.lines:
        ax.set_yscale("log")
        ax.legend(fontsize=7)
    else:
        ax.text(0.5, 0.5, "no epoch-wise training history", ha="center", va="center", transform=ax.transAxes)
    fig.tight_layout()
    fig.savefig(path, dpi=110)
    plt.close(fig)
    return Path(path)
