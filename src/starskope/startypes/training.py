"""Train the star-type model, evaluate it on the kept-aside TESS FFI stars, explain it.

One function per step, and :func:`train_and_evaluate` to run them all in order (the
``starskope startype train`` command and ``benchmarks/startypes_eval.py`` call it):

1. :func:`~.dataset.build_items` and :func:`~.dataset.compute_feature_table` (cached);
2. :func:`train_model` on the training split;
3. :func:`evaluate` on the kept-aside TESS FFI stars: per-class precision, recall, F1,
   macro-F1 and the confusion matrix;
4. :func:`permutation_importance_by_class`: which features each class's verdicts lean on;
5. :func:`write_results`: JSON, Markdown and the confusion-matrix PNG.
"""

from __future__ import annotations

import json
import time
from collections.abc import Callable
from dataclasses import asdict, dataclass, field, fields
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParameterError
from .classes import STAR_TYPES
from .dataset import (
    DatasetConfig,
    FeatureTable,
    build_items,
    compute_feature_table,
    default_cache_dir,
)
from .model import MODEL_FEATURES, StarTypeModel

__all__ = [
    "Evaluation",
    "evaluate",
    "evaluate_shipped",
    "permutation_importance_by_class",
    "plot_confusion_matrix",
    "train_and_evaluate",
    "train_model",
    "training_config",
    "write_results",
]


@dataclass
class Evaluation:
    """Held-out scores.

    Attributes
    ----------
    labels : list of str
        Star types in the confusion matrix's row/column order.
    confusion : list of list of int
        Rows: true type; columns: predicted type.
    per_class : dict
        type → {precision, recall, f1, support}.
    macro_f1 : float
        Mean F1 over the types present among the held-out stars.
    macro_f1_without_planet_host : float
        The same over the variability types only (planet hosts have 3 held-out stars).
    accuracy : float
    n : int
    injected : dict
        Kept-aside quiet stars with injected signals (types the real set lacks):
        type → {recall, n, predicted: {type: count}}.
    """

    labels: list[str]
    confusion: list[list[int]]
    per_class: dict[str, dict[str, float]]
    macro_f1: float
    macro_f1_without_planet_host: float
    accuracy: float
    n: int
    importances: dict[str, list[tuple[str, float]]] = field(default_factory=dict)
    injected: dict[str, Any] = field(default_factory=dict)


def train_model(table: FeatureTable, **params: Any) -> StarTypeModel:
    """Fit a :class:`StarTypeModel` on the rows of ``table`` whose split is 'train'."""
    train = table.subset(table.split == "train")
    if len(train) == 0:
        raise ParameterError("the feature table has no training rows")
    return StarTypeModel(**params).fit(train.X, train.spectrum, train.shape, train.star_type)


def evaluate(model: StarTypeModel, table: FeatureTable) -> Evaluation:
    """Score ``model`` on the held-out real light curves (split 'test', origin
    'tess_ffi') of ``table``; held-out injected rows are scored separately into
    :attr:`Evaluation.injected`."""
    test = table.subset((table.split == "test") & (table.origin == "tess_ffi"))
    if len(test) == 0:
        raise ParameterError("the feature table has no held-out (test) TESS FFI rows")
    pred = model.predict(test.X, test.spectrum, test.shape)
    true = test.star_type
    present = [t for t in STAR_TYPES if t in set(true)]
    labels = [t for t in STAR_TYPES if t in set(true) or t in set(pred)]
    cm = np.array([[int(np.sum((true == a) & (pred == b))) for b in labels] for a in labels])
    per: dict[str, dict[str, float]] = {}
    for t in present:
        tp = float(np.sum((true == t) & (pred == t)))
        n_pred = float(np.sum(pred == t))
        n_true = float(np.sum(true == t))
        precision = tp / n_pred if n_pred else 0.0
        recall = tp / n_true if n_true else 0.0
        f1 = 2 * precision * recall / (precision + recall) if precision + recall else 0.0
        per[t] = {"precision": precision, "recall": recall, "f1": f1, "support": int(n_true)}
    macro = float(np.mean([per[t]["f1"] for t in present]))
    variab = [t for t in present if t != "planet_host"]
    macro_v = float(np.mean([per[t]["f1"] for t in variab])) if variab else float("nan")
    injected: dict[str, dict[str, Any]] = {}
    inj = table.subset((table.split == "test") & (table.origin != "tess_ffi"))
    if len(inj):
        p_inj = model.predict(inj.X, inj.spectrum, inj.shape)
        for t in [t for t in STAR_TYPES if t in set(inj.star_type)]:
            m = inj.star_type == t
            counts = {str(k): int(v) for k, v in zip(*np.unique(p_inj[m], return_counts=True), strict=True)}
            injected[t] = {"recall": float(np.mean(p_inj[m] == t)), "n": int(m.sum()), "predicted": counts}
    return Evaluation(labels=labels, confusion=cm.tolist(), per_class=per, macro_f1=macro,
                      macro_f1_without_planet_host=macro_v,
                      accuracy=float(np.mean(pred == true)), n=len(test), injected=injected)


def _column_groups(model: StarTypeModel) -> dict[str, list[int]]:
    names = model.column_names
    groups: dict[str, list[int]] = {n: [i] for i, n in enumerate(names) if n in MODEL_FEATURES}
    groups["spectrum PCA (learned)"] = [i for i, n in enumerate(names) if n.startswith("spectrum_pc")]
    groups["shape PCA (learned)"] = [i for i, n in enumerate(names) if n.startswith("shape_pc")]
    return groups


def permutation_importance_by_class(
    model: StarTypeModel, table: FeatureTable, *, n_repeats: int = 5, seed: int = 0, top: int = 6
) -> dict[str, list[tuple[str, float]]]:
    """Per-class permutation importance on the held-out rows.

    For each feature (the PCA scores of each learned vector count as one group), its
    column is shuffled across the held-out stars and the drop in the mean log-probability
    the model gives each star's true type is averaged over the stars of that type and
    ``n_repeats`` shuffles. A large drop means the verdicts for that type lean on the
    feature.

    Returns
    -------
    dict
        type → the ``top`` (feature, drop in mean log-probability) pairs, largest first;
        plus ``'all'`` over every held-out star.
    """
    test = table.subset((table.split == "test") & (table.origin == "tess_ffi"))
    design = model.design_matrix(test.X, test.spectrum, test.shape)
    classes = list(model.classes_)
    known = np.array([t in classes for t in test.star_type])
    design, true = design[known], test.star_type[known]
    idx = np.array([classes.index(t) for t in true])
    rows = np.arange(idx.size)

    def true_logp(d: np.ndarray) -> np.ndarray:
        p = model.trees_.predict_proba(d)[rows, idx]
        return np.log(np.clip(p, 1e-6, 1.0))

    base = true_logp(design)
    rng = np.random.default_rng(seed)
    present = [t for t in STAR_TYPES if t in set(true)]
    drops: dict[str, dict[str, float]] = {t: {} for t in [*present, "all"]}
    for name, cols in _column_groups(model).items():
        acc = np.zeros(idx.size)
        for _ in range(n_repeats):
            d = design.copy()
            perm = rng.permutation(idx.size)
            d[:, cols] = design[perm][:, cols]
            acc += base - true_logp(d)
        acc /= n_repeats
        for t in present:
            drops[t][name] = float(acc[true == t].mean())
        drops["all"][name] = float(acc.mean())
    return {t: sorted(v.items(), key=lambda kv: -kv[1])[:top] for t, v in drops.items()}


def plot_confusion_matrix(evaluation: Evaluation, path: str | Path, title: str = "") -> Path:
    """Write the confusion matrix (counts, row-normalised colour) as a PNG."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    cm = np.asarray(evaluation.confusion, dtype=float)
    norm = cm / np.maximum(cm.sum(axis=1, keepdims=True), 1)
    labels = evaluation.labels
    fig, ax = plt.subplots(figsize=(1.0 * len(labels) + 2.5, 0.9 * len(labels) + 2.0))
    ax.imshow(norm, cmap="Blues", vmin=0, vmax=1)
    for i in range(cm.shape[0]):
        for j in range(cm.shape[1]):
            ax.text(j, i, f"{int(cm[i, j])}", ha="center", va="center",
                    color="white" if norm[i, j] > 0.5 else "black", fontsize=9)
    ax.set_xticks(range(len(labels)), labels, rotation=40, ha="right")
    ax.set_yticks(range(len(labels)), labels)
    ax.set_xlabel("predicted star type")
    ax.set_ylabel("true star type (catalogue)")
    ax.set_title(title or (f"held-out TESS FFI stars (n={evaluation.n}): macro-F1 {evaluation.macro_f1:.3f}, "
                           f"{evaluation.macro_f1_without_planet_host:.3f} without planet_host"), fontsize=10)
    fig.tight_layout()
    path = Path(path)
    path.parent.mkdir(parents=True, exist_ok=True)
    fig.savefig(path, dpi=120)
    plt.close(fig)
    return path


def write_results(evaluation: Evaluation, out_dir: str | Path, extra: dict[str, Any] | None = None) -> dict[str, Path]:
    """Write ``startypes_eval.json``, ``startypes_eval.md`` and ``startypes_confusion.png``."""
    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    payload = {**asdict(evaluation), **(extra or {})}
    json_path = out / "startypes_eval.json"
    json_path.write_text(json.dumps(payload, indent=1))
    png = plot_confusion_matrix(evaluation, out / "startypes_confusion.png")
    lines = [
        "# Star-type classifier: held-out TESS FFI stars",
        "",
        f"Held-out stars: {evaluation.n}. Accuracy {evaluation.accuracy:.3f}. "
        f"**Macro-F1 {evaluation.macro_f1:.3f}** over the {len(evaluation.per_class)} types present; "
        f"{evaluation.macro_f1_without_planet_host:.3f} without planet_host.",
        "",
        "| type | precision | recall | F1 | held-out stars |",
        "|---|---|---|---|---|",
    ]
    for t, m in evaluation.per_class.items():
        lines.append(f"| {t} | {m['precision']:.3f} | {m['recall']:.3f} | {m['f1']:.3f} | {m['support']} |")
    if evaluation.injected:
        lines += ["", "## Injected signals in kept-aside quiet stars (types the real set lacks)", "",
                  "| type | recall | n | predicted as |", "|---|---|---|---|"]
        for t, m in evaluation.injected.items():
            pred = ", ".join(f"{k} {v}" for k, v in sorted(m["predicted"].items(), key=lambda kv: -kv[1]))
            lines.append(f"| {t} | {m['recall']:.3f} | {m['n']} | {pred} |")
    lines += ["", "Confusion matrix (rows true, columns predicted): `startypes_confusion.png`", "",
              "## What drives each type (permutation importance, drop in mean log-probability of the true type)", ""]
    for t, pairs in evaluation.importances.items():
        lines.append(f"- **{t}**: " + ", ".join(f"{n} ({d:.2f})" for n, d in pairs))
    if extra:
        lines += ["", "## Run", "", "```", json.dumps(extra, indent=1), "```"]
    md = out / "startypes_eval.md"
    md.write_text("\n".join(lines) + "\n")
    return {"json": json_path, "markdown": md, "png": png}


def train_and_evaluate(
    shared_data: str | Path,
    *,
    model_dir: str | Path | None = None,
    results_dir: str | Path | None = None,
    cache_dir: str | Path | None = None,
    config: DatasetConfig | None = None,
    n_jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    importance_repeats: int = 5,
) -> tuple[StarTypeModel, Evaluation]:
    """Build (or load cached) features, train, evaluate on the kept-aside part, save.

    Parameters
    ----------
    shared_data : path
        The shared data folder (manifest.csv, tess/ffi, kepler/eb, catalogs).
    model_dir : path, optional
        Where to save the model (``model.json`` + ``model.npz``).
    results_dir : path, optional
        Where to write the evaluation JSON/Markdown/PNG.
    cache_dir : path, optional
        Feature cache folder (default :func:`~.dataset.default_cache_dir`/startypes).
    config : DatasetConfig, optional
    n_jobs : int
        Processes for feature extraction.
    """
    config = config or DatasetConfig()
    t_start = time.perf_counter()
    cache = Path(cache_dir) if cache_dir else default_cache_dir() / "startypes"
    items = build_items(Path(shared_data), config)
    table = compute_feature_table(items, Path(shared_data), cache_path=cache / config.cache_name(),
                                  n_jobs=n_jobs, progress=progress)
    t_feat = time.perf_counter() - t_start
    model = train_model(table, random_state=config.seed % (2**31))
    evaluation = evaluate(model, table)
    evaluation.importances = permutation_importance_by_class(model, table, n_repeats=importance_repeats,
                                                             seed=config.seed)
    train = table.subset(table.split == "train")
    model.info_.update({
        "dataset": asdict(config),
        "train_by_origin": {f"{o}:{t}": int(np.sum((train.origin == o) & (train.star_type == t)))
                            for o in sorted(set(train.origin)) for t in STAR_TYPES
                            if np.any((train.origin == o) & (train.star_type == t))},
        "heldout": {"macro_f1": evaluation.macro_f1, "accuracy": evaluation.accuracy, "n": evaluation.n,
                    "per_class": evaluation.per_class},
        "command": "starskope startype train",
    })
    if model_dir is not None:
        model.save(model_dir)
    if results_dir is not None:
        write_results(evaluation, results_dir, extra={
            "command": "starskope startype train (or python benchmarks/startypes_eval.py)",
            "seed": config.seed, "test_fraction": config.test_fraction,
            "n_train": len(train), "train_by_origin": model.info_["train_by_origin"],
            "feature_seconds": round(t_feat, 1),
            "total_seconds": round(time.perf_counter() - t_start, 1),
        })
    return model, evaluation


def evaluate_shipped(
    shared_data: str | Path,
    *,
    model: StarTypeModel | None = None,
    cache_dir: str | Path | None = None,
    config: DatasetConfig | None = None,
    n_jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
) -> tuple[Evaluation, FeatureTable]:
    """Score a star-type model (default: the shipped one) on the kept-aside TESS FFI stars
    of the data folder, as :func:`train_and_evaluate` does after training.

    The stars kept aside are those the model was kept from: by default the dataset
    settings stored with the model (``info['dataset']``; a model stored before the split
    was recorded was trained on the seeded split by file, ``split='stratified'``), so a
    star the model trained on is never scored as kept aside.

    Returns
    -------
    Evaluation, FeatureTable
        The scores, and the kept-aside TESS FFI rows (their ``keys`` name the files,
        ``ffi:<path in the data folder>``) for per-star follow-ups.
    """
    from .model import load_default_model

    model = model or load_default_model()
    config = config or training_config(model)
    cache = Path(cache_dir) if cache_dir else default_cache_dir() / "startypes"
    items = build_items(Path(shared_data), config)
    table = compute_feature_table(items, Path(shared_data), cache_path=cache / config.cache_name(),
                                  n_jobs=n_jobs, progress=progress)
    return evaluate(model, table), table.subset((table.split == "test") & (table.origin == "tess_ffi"))


def training_config(model: StarTypeModel) -> DatasetConfig:
    """The dataset settings a star-type model was trained with (``info['dataset']``); a
    model stored before the split was recorded used the seeded split by file
    (``split='stratified'``)."""
    stored = dict((getattr(model, "info_", None) or {}).get("dataset") or {})
    known = {f.name for f in fields(DatasetConfig)}
    kwargs = {k: v for k, v in stored.items() if k in known}
    if stored:
        kwargs.setdefault("split", "stratified")
    return DatasetConfig(**kwargs)

