"""``starskope evaluate``: measure a trained model and write a report folder.

Examples::

    starskope evaluate my-model work/exoTest.csv --truth work/truth.csv --out report
    starskope evaluate src/starskope/data/default-model --real-data --dr24-tces --out real-report

Inputs are Kaggle-layout tables (labels from ``--truth`` or the ``LABEL`` column) or
feature ``.npz`` files; ``--real-data`` adds the held-out half of the labelled real light
curves in shared/data (Kepler DR24 stars stitched Q2–Q4, Kepler EBs, TESS hosts, EBs,
variables and quiet stars); ``--dr24-tces`` vets every DR24 TCE of the shared Kepler stars
at its catalogue ephemeris and scores PC against AFP + NTP.

Printed and saved (``metrics.json``): accuracy, precision, recall, F1, Jaccard,
Fowlkes–Mallows, ROC-AUC, PR-AUC, recall at 1 % and 5 % false-positive rate, hosts found
and non-hosts flagged, the confusion matrices; plots ``roc.png``, ``pr.png``,
``confusion.png``, ``training_curves.png``; ``ranked.csv``: the stars ranked by
``p_planet``.
"""

from __future__ import annotations

import json
import math
from collections.abc import Mapping
from pathlib import Path
from typing import Any

import typer

from ..errors import ParameterError

__all__ = ["evaluate_features", "register", "write_report"]


def _json(v: Any) -> Any:
    import numpy as np

    if isinstance(v, dict):
        return {str(k): _json(x) for k, x in v.items()}
    if isinstance(v, list | tuple):
        return [_json(x) for x in v]
    if isinstance(v, np.ndarray):
        return _json(v.tolist())
    if isinstance(v, np.generic):
        v = v.item()
    if isinstance(v, float) and not math.isfinite(v):
        return None
    return v


def evaluate_features(model: Any, fs: Any) -> tuple[dict[str, Any], Any]:
    """Metrics of ``model`` on labelled features ``fs`` and its ``p_planet`` per star.

    Four-class models get :func:`~starskope.models.evaluation.multiclass_metrics`
    (planet-versus-not at the model's own decision, ``predict``, plus the 4 × 4
    confusion matrix); the
    original CNN gets :func:`~starskope.models.evaluation.binary_metrics` at p ≥ 0.5.
    """
    import numpy as np

    from ..models import p_planet
    from ..models.evaluation import binary_metrics, multiclass_metrics

    if fs.labels is None:
        raise ParameterError("evaluation needs labelled stars (give --truth for a table)")
    if model.model_name == "original-cnn":
        if fs.table_flux is None:
            raise ParameterError("the original CNN is evaluated on Kaggle-layout tables only")
        p = p_planet(model, fs.table_flux)
        return binary_metrics((np.asarray(fs.labels) == 0).astype(int), p), p
    from ..models.labels import class_index

    proba = model.predict_proba(fs)
    decided = class_index(model.predict(fs))
    return multiclass_metrics(fs.labels, proba, decided), proba[:, 0]


def write_report(
    folder: str | Path,
    results: Mapping[str, tuple[Any, Any, dict[str, Any]]],
    *,
    fs: Any,
    histories: Mapping[str, Mapping[str, Any]] | None = None,
    extra: Mapping[str, Any] | None = None,
    title: str = "",
) -> Path:
    """Write metrics.json, ROC/PR/confusion/training-curve PNGs and ranked.csv.

    Parameters
    ----------
    results : mapping
        ``{model name: (y_true 0/1 planet, p_planet, metrics)}``.
    fs : FeatureSet
        The evaluated stars (for the ranking's metadata).
    """
    import numpy as np
    import pandas as pd

    from ..models.evaluation import plot_confusion, plot_pr, plot_roc, plot_training_curves
    from ..models.labels import CLASSES

    out = Path(folder)
    out.mkdir(parents=True, exist_ok=True)
    curves = {name: (y, p) for name, (y, p, _) in results.items()}
    plot_roc(curves, out / "roc.png", title=f"ROC: planet vs not {title}".strip())
    plot_pr(curves, out / "pr.png", title=f"Precision–recall {title}".strip())
    for name, (_, _, m) in results.items():
        if "multiclass_confusion" in m:
            plot_confusion(m["multiclass_confusion"], CLASSES, out / f"confusion_{name}.png", title=f"{name} (4 classes)")
        plot_confusion(m["confusion"], ["not planet", "planet"], out / f"confusion_binary_{name}.png", title=name)
    first = next(iter(results))
    fm = results[first][2]
    plot_confusion(fm.get("multiclass_confusion", fm["confusion"]),
                   CLASSES if "multiclass_confusion" in fm else ["not planet", "planet"], out / "confusion.png", title=first)
    if histories:
        plot_training_curves(histories, out / "training_curves.png")
    ranked = pd.DataFrame({
        "rank": 0,
        "file": fs.meta.get("file", np.full(len(fs), "")),
        "target_id": fs.meta.get("target_id", np.full(len(fs), "")),
        "true_class": np.asarray(CLASSES, dtype=object)[np.asarray(fs.labels)],
    })
    for name, (_, p, _) in results.items():
        ranked[f"p_planet_{name}"] = p
    for k in ("period_days", "depth_ppm", "duration_hours", "snr"):
        ranked[k] = fs.meta.get(k, np.full(len(fs), np.nan))
    ranked["flags"] = fs.meta.get("flags", np.full(len(fs), ""))
    ranked = ranked.sort_values(f"p_planet_{first}", ascending=False)
    ranked["rank"] = np.arange(1, len(ranked) + 1)
    ranked.to_csv(out / "ranked.csv", index=False)
    doc = {"models": {name: m for name, (_, _, m) in results.items()}, **(dict(extra) if extra else {})}
    (out / "metrics.json").write_text(json.dumps(_json(doc), indent=1) + "\n")
    return out


def _histories(model: Any) -> dict[str, Any]:
    """Epoch-wise training histories of a model, or of an ensemble's members."""
    hist = {model.model_name: getattr(model, "history_", {}) or {}}
    for name, member in getattr(model, "members_", []):
        hist[f"{model.model_name}/{name}"] = getattr(member, "history_", {}) or {}
    return {k: v for k, v in hist.items() if v.get("train_loss")}


def _real_data_metrics(model: Any, fs: Any) -> dict[str, Any]:
    """Planet vs not on real stars, and planets against EBs and against quiet stars."""
    import numpy as np
    from sklearn.metrics import roc_auc_score

    m, p = evaluate_features(model, fs)
    y = np.asarray(fs.labels)
    out = {"all": m, "n_stars": len(fs), "class_counts": np.bincount(y, minlength=4).tolist(),
           "dropped": fs.spec.get("dropped")}
    planet = y == 0
    for name, other in (("planet_vs_eclipsing_binary", y == 1), ("planet_vs_other_variable", y == 2),
                        ("planet_vs_nothing_significant", y == 3)):
        sel = planet | other
        if planet.any() and other.any():
            out[f"roc_auc_{name}"] = float(roc_auc_score(planet[sel], p[sel]))
    groups = fs.meta.get("group")
    if groups is not None:
        per = {}
        for g in sorted(set(groups)):
            sel = groups == g
            if planet[sel].any() and (~planet[sel]).any():
                per[g] = {"roc_auc": float(roc_auc_score(planet[sel], p[sel])), "n": int(sel.sum()),
                          "n_planets": int(planet[sel].sum())}
        out["by_group"] = per
    return out


def register(app: typer.Typer) -> None:
    @app.command("evaluate")
    def evaluate_cmd(
        model_dir: Path = typer.Argument(..., help="Model folder (from `starskope train`)."),
        inputs: list[Path] = typer.Argument(None, help="Kaggle-layout tables or feature .npz files."),
        out: Path = typer.Option(..., "--out", "-o", help="Report folder to write."),
        truth: Path = typer.Option(None, "--truth", help="Simulator truth.csv with four-class labels."),
        real_data: bool = typer.Option(False, "--real-data", help="Also evaluate on the held-out real light curves "
                                                                   "of the real-data folder (--data)."),
        dr24_tces: bool = typer.Option(False, "--dr24-tces", help="Also score the DR24 TCEs of the real-data folder: "
                                                                  "PC vs AFP+NTP."),
        data: Path = typer.Option(None, "--data", envvar="STARSKOPE_SHARED_DATA",
                                  help="Real-data folder holding manifest.csv (default: $STARSKOPE_SHARED_DATA)."),
        workers: int = typer.Option(2, "--workers", "-j", help="Processes for the analysis."),
        cache: Path = typer.Option(None, "--cache", help="Folder caching analysed inputs."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    ) -> None:
        """Evaluate a model: metric table, metrics.json, ROC/PR/confusion/training PNGs, ranked stars.

        Examples:

          starskope evaluate my-model work/exoTest.csv --truth work/truth.csv --out report

          starskope evaluate src/starskope/data/default-model --real-data --dr24-tces --out real-report
        """
        import numpy as np

        from ..analysis import options_for
        from ..features import FeatureSet
        from ..models import load_model
        from ..models.evaluation import format_metric_table
        from .train import features_for_input, progress_reporter

        model = load_model(model_dir)
        if not inputs and not real_data and not dr24_tces:
            raise ParameterError("nothing to evaluate on: give tables / feature files, --real-data or --dr24-tces")
        if (real_data or dr24_tces) and data is None:
            raise ParameterError("--real-data and --dr24-tces need the real-data folder: --data DIR "
                                 "(or set STARSKOPE_SHARED_DATA)")
        # the model's own settings; star types are no model input
        options = options_for(model, {"star_types": False})
        extra: dict[str, Any] = {"model": str(model_dir)}
        with progress_reporter(not quiet) as progress:
            if inputs:
                parts = [features_for_input(p, truth=truth, options=options, workers=workers, progress=progress,
                                            cache_dir=cache) for p in inputs]
                fs = parts[0] if len(parts) == 1 else FeatureSet.concat(parts)
                metrics, p = evaluate_features(model, fs)
                y = (np.asarray(fs.labels) == 0).astype(int)
                write_report(out, {model.model_name: (y, p, metrics)}, fs=fs, histories=_histories(model), extra=extra)
                typer.echo(format_metric_table({model.model_name: metrics}))
            if real_data:
                from ..datasets import real_features

                rfs = real_features("eval", options=options, workers=workers, progress=progress, cache_dir=cache,
                                    folder=data)
                rm = _real_data_metrics(model, rfs)
                extra["real_data"] = rm
                _, rp = evaluate_features(model, rfs)
                write_report(out / "real-data", {model.model_name: ((rfs.labels == 0).astype(int), rp, rm["all"])},
                             fs=rfs, extra={"real_data": rm}, title="(real, held out)")
                typer.echo(f"real light curves held out ({rm['n_stars']} stars, classes {rm['class_counts']}):")
                typer.echo(format_metric_table({model.model_name: rm["all"]}))
                for k, v in rm.items():
                    if k.startswith("roc_auc_"):
                        typer.echo(f"  {k}: {v:.3f}")
                typer.echo(f"  4-class confusion (rows true): {rm['all']['multiclass_confusion']}")
            if dr24_tces:
                from sklearn.metrics import average_precision_score, roc_auc_score

                from ..datasets import dr24_tce_features

                tfs, tlabels = dr24_tce_features(options=options, workers=workers, progress=progress, folder=data)
                tp = model.predict_proba(tfs)[:, 0]
                pc = (tlabels == "PC").astype(int)
                tm = {"n_tces": len(tlabels), "n_pc": int(pc.sum()),
                      "n_afp": int((tlabels == "AFP").sum()), "n_ntp": int((tlabels == "NTP").sum())}
                if 0 < pc.sum() < pc.size:
                    tm["roc_auc_pc_vs_afp_ntp"] = float(roc_auc_score(pc, tp))
                    tm["pr_auc_pc"] = float(average_precision_score(pc, tp))
                    flagged = np.array([bool(f) for f in tfs.meta["flags"]])
                    tm["vetting_flags_accuracy"] = float(np.mean(flagged != pc.astype(bool)))
                extra["dr24_tces"] = tm
                out.mkdir(parents=True, exist_ok=True)
                import pandas as pd

                pd.DataFrame({"tce": tfs.meta["file"], "label": tlabels, "p_planet": tp,
                              "flags": tfs.meta["flags"]}).sort_values("p_planet", ascending=False).to_csv(
                    out / "dr24_tces.csv", index=False)
                typer.echo(f"DR24 TCEs: {tm}")
        out.mkdir(parents=True, exist_ok=True)
        prev = {}
        if (out / "metrics.json").exists():
            prev = json.loads((out / "metrics.json").read_text())
        prev.update(_json(extra))
        (out / "metrics.json").write_text(json.dumps(prev, indent=1) + "\n")
        typer.echo(f"wrote {out}")
