"""``starskope evaluate``: measure a trained model and write a report folder.

Examples::

    starskope evaluate my-model work/exoTest.csv --truth work/truth.csv --out report
    starskope evaluate src/starskope/data/default-model --full --demo-report demo/report \
        --card docs/model.md --out real-report

Inputs are Kaggle-layout tables (labels from ``--truth`` or the ``LABEL`` column) or
feature ``.npz`` files. On the real-data folder (``--data``):

* ``--real-data``: the kept-aside half of the labelled real light curves
  (:mod:`starskope.cli._realeval`), per telescope, by file and by star: detectable hosts
  ranked above the 99th percentile of the non-hosts, detectable eclipsing binaries called
  binaries (by the model and by ``classify``'s verdict), the four-class confusion, the
  calibration of ``p_planet`` (ECE before and after, ``reliability.png``);
* ``--dr24-tces``: every DR24 TCE of the Kepler stars vetted at its catalogue ephemeris,
  PC against AFP + NTP (the kept-aside stars' TCEs, and all of them);
* ``--star-types``: the shipped star-type model on the kept-aside TESS FFI stars;
* ``--importance``: permutation importance on the kept-aside real files, per member and
  for the ensemble, and what each member adds;
* ``--full``: all four. ``--demo-report DIR`` adds a ``starskope demo`` run's table;
  ``--card FILE`` writes the model card (Markdown) from everything measured.

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


def _dr24(model: Any, options: Any, data: Path, workers: int, progress: Any, cache: Any, out: Path) -> dict[str, Any]:
    """PC against AFP + NTP for the DR24 TCEs of the kept-aside Kepler stars, and of all."""
    import numpy as np
    import pandas as pd
    from sklearn.metrics import average_precision_score, roc_auc_score

    from ..datasets import dr24_tce_features

    result: dict[str, Any] = {}
    frames = []
    for split in ("eval", "all"):
        tfs, tlabels = dr24_tce_features(options=options, workers=workers, progress=progress, folder=data,
                                         split=split, cache_dir=cache)
        tp = model.predict_proba(tfs)[:, 0]
        pc = (tlabels == "PC").astype(int)
        tm: dict[str, Any] = {"n_tces": len(tlabels), "n_pc": int(pc.sum()), "n_afp": int((tlabels == "AFP").sum()),
                              "n_ntp": int((tlabels == "NTP").sum()),
                              "n_stars": len({str(f).split(" TCE")[0] for f in tfs.meta["file"]})}
        if 0 < pc.sum() < pc.size:
            tm["roc_auc_pc_vs_afp_ntp"] = float(roc_auc_score(pc, tp))
            tm["pr_auc_pc"] = float(average_precision_score(pc, tp))
            flagged = np.array([bool(f) for f in tfs.meta["flags"]])
            tm["vetting_flags_accuracy"] = float(np.mean(flagged != pc.astype(bool)))
        result["kept_aside" if split == "eval" else "all"] = tm
        frames.append(pd.DataFrame({"split": split, "tce": tfs.meta["file"], "label": tlabels, "p_planet": tp,
                                    "flags": tfs.meta["flags"]}))
    pd.concat(frames).sort_values(["split", "p_planet"], ascending=[True, False]).to_csv(out / "dr24_tces.csv",
                                                                                       index=False)
    return result


def _star_types(data: Path, workers: int, cache: Any, real: Mapping[str, Any] | None, out: Path) -> dict[str, Any]:
    """The shipped star-type model on the TESS FFI stars kept aside from *it* (the split
    stored with the model: a star it trained on is never scored); the eclipsing binaries'
    recall again over those whose eclipses are detectable (known only for the stars the
    planet model keeps aside too, ``--real-data``)."""
    import numpy as np

    from ..startypes.model import load_default_model
    from ..startypes.training import evaluate_shipped, training_config, write_results

    model = load_default_model()
    config = training_config(model)
    ev, test = evaluate_shipped(data, model=model, config=config,
                                cache_dir=Path(cache) / "startypes" if cache else None, n_jobs=workers)
    write_results(ev, out / "star-types")
    res: dict[str, Any] = {"n": ev.n, "accuracy": ev.accuracy, "macro_f1_variability": ev.macro_f1_without_planet_host,
                           "macro_f1": ev.macro_f1, "per_class": ev.per_class, "labels": ev.labels,
                           "confusion": ev.confusion, "split": config.split,
                           "test_fraction": config.test_fraction if config.split == "stratified" else None}
    if real is not None:
        import pandas as pd

        det = pd.read_csv(out / "real-data" / "real_files.csv")
        detectable = {Path(n).name for n in det.loc[det["detectable"].astype(bool), "name"]}
        pred = model.predict(test.X, test.spectrum, test.shape)
        eb = test.star_type == "eclipsing_binary"
        is_det = np.array([Path(k.split(":", 1)[-1]).name in detectable for k in test.keys])
        sel = eb & is_det
        res["eb_recall_detectable"] = float(np.mean(pred[sel] == "eclipsing_binary")) if sel.any() else float("nan")
        res["n_eb_detectable"] = int(sel.sum())
    return res


def _importance(model: Any, fs: Any, progress: Any) -> dict[str, Any]:
    """Permutation importance on the kept-aside real files, and each member's share."""
    from ..models.importance import member_importance, permutation_importance

    out: dict[str, Any] = {"inputs": permutation_importance(model, fs, n_repeats=2, progress=progress)}
    if getattr(model, "members_", None):
        out["members"] = member_importance(model, fs)
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
        star_types: bool = typer.Option(False, "--star-types", help="Also score the shipped star-type model on the "
                                                                    "kept-aside TESS FFI stars."),
        importance: bool = typer.Option(False, "--importance", help="Permutation importance on the kept-aside real "
                                                                    "files (needs --real-data)."),
        full: bool = typer.Option(False, "--full", help="--real-data --dr24-tces --star-types --importance."),
        demo_report: Path = typer.Option(None, "--demo-report", help="A `starskope demo` report folder to include."),
        card: Path = typer.Option(None, "--card", help="Write the model card (Markdown) here, e.g. docs/model.md."),
        data: Path = typer.Option(None, "--data", envvar="STARSKOPE_SHARED_DATA",
                                  help="Real-data folder holding manifest.csv (default: $STARSKOPE_SHARED_DATA)."),
        workers: int = typer.Option(2, "--workers", "-j", help="Processes for the analysis."),
        cache: Path = typer.Option(None, "--cache", help="Folder caching analysed inputs."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    ) -> None:
        """Evaluate a model: metric table, metrics.json, ROC/PR/confusion/training PNGs, ranked stars.

        Examples:

          starskope evaluate my-model work/exoTest.csv --truth work/truth.csv --out report

          starskope evaluate src/starskope/data/default-model --full --card docs/model.md --out real-report
        """
        import numpy as np

        from ..analysis import options_for
        from ..analysis.options import FOR_MODEL_INPUTS
        from ..features import FeatureSet
        from ..models import load_model, read_model_json
        from ..models.evaluation import format_metric_table
        from .train import features_for_input, progress_reporter

        if full:
            real_data = dr24_tces = star_types = importance = True
        model = load_model(model_dir)
        if not inputs and not real_data and not dr24_tces and not star_types:
            raise ParameterError("nothing to evaluate on: give tables / feature files, --real-data, --dr24-tces, "
                                 "--star-types or --full")
        if (real_data or dr24_tces or star_types) and data is None:
            raise ParameterError("--real-data, --dr24-tces and --star-types need the real-data folder: --data DIR "
                                 "(or set STARSKOPE_SHARED_DATA)")
        if importance and not real_data:
            raise ParameterError("--importance is measured on the kept-aside real files: add --real-data")
        options = options_for(model, FOR_MODEL_INPUTS)  # the model's own settings
        extra: dict[str, Any] = {"model": str(model_dir)}
        out.mkdir(parents=True, exist_ok=True)
        with progress_reporter(not quiet) as progress:
            if inputs:
                parts = [features_for_input(p, truth=truth, options=options, workers=workers, progress=progress,
                                            cache_dir=cache) for p in inputs]
                fs = parts[0] if len(parts) == 1 else FeatureSet.concat(parts)
                metrics, p = evaluate_features(model, fs)
                y = (np.asarray(fs.labels) == 0).astype(int)
                write_report(out, {model.model_name: (y, p, metrics)}, fs=fs, histories=_histories(model), extra=extra)
                typer.echo(format_metric_table({model.model_name: metrics}))
            rfs = None
            if real_data:
                from ._realeval import real_data_evaluation, summary_lines

                res, rfs = real_data_evaluation(model, model_dir, options=options, data=data, out=out / "real-data",
                                                workers=workers, cache=cache, progress=progress)
                extra["real_data"] = res
                rm, rp = evaluate_features(model, rfs)
                write_report(out / "real-data", {model.model_name: ((rfs.labels == 0).astype(int), rp, rm)},
                             fs=rfs, extra={"real_data": res}, title="(real, kept aside)")
                typer.echo(f"kept-aside real light curves: {res['n_files']} files, {res['n_stars']} stars")
                typer.echo(format_metric_table({model.model_name: rm}))
                for line in summary_lines(res):
                    typer.echo(line)
                cal = res["calibration"]
                typer.echo(f"  ECE of p_planet, files: {cal['files']['ece_before']:.4f} before calibration, "
                           f"{cal['files']['ece_after']:.4f} after; stars: {cal['stars']['ece_before']:.4f} → "
                           f"{cal['stars']['ece_after']:.4f} (diagram {res['reliability_png']})")
                typer.echo(f"  4-class confusion, files (rows true): {res['files']['all']['confusion']}")
            if dr24_tces:
                tm = _dr24(model, options, data, workers, progress, cache, out)
                extra["dr24_tces"] = tm
                for split, m in tm.items():
                    typer.echo(f"DR24 TCEs ({split}: {m['n_tces']} TCEs of {m['n_stars']} stars, {m['n_pc']} PC): "
                               f"ROC-AUC PC vs AFP+NTP {m.get('roc_auc_pc_vs_afp_ntp', float('nan')):.3f}")
            if star_types:
                st = _star_types(data, workers, cache, extra.get("real_data"), out)
                extra["star_types"] = st
                eb = st["per_class"].get("eclipsing_binary", {})
                typer.echo(f"star types, kept-aside TESS FFI ({st['n']} stars, kept aside "
                           f"{'by star' if st['split'] == 'star' else 'by file, stratified by class'}): macro-F1 over the variability types "
                           f"{st['macro_f1_variability']:.3f}, accuracy {st['accuracy']:.3f}, eclipsing-binary "
                           f"recall {eb.get('recall', float('nan')):.3f}"
                           + (f" ({st['eb_recall_detectable']:.3f} of the {st['n_eb_detectable']} with detectable "
                              "eclipses)" if "eb_recall_detectable" in st else ""))
            if importance and rfs is not None:
                imp = _importance(model, rfs, progress)
                extra["importance"] = imp
                for m, v in imp.get("members", {}).get("members", {}).items():
                    typer.echo(f"  member {m}: own ROC-AUC {v['own']['roc_auc']:.3f}; the ensemble loses "
                               f"{v['drop']['mean_log_p']:.4f} in mean log p and {v['drop']['roc_auc']:.4f} in "
                               "ROC-AUC without it")
            if demo_report is not None:
                demo = json.loads((Path(demo_report) / "metrics.json").read_text())
                extra["demo"] = {"models": demo.get("models", {}), "timings_seconds": demo.get("timings_seconds", {}),
                                 "seed": demo.get("seed"), "report": str(demo_report)}
                typer.echo("demo (simulated K2 C3 test table):")
                typer.echo(format_metric_table(demo.get("models", {})))
        prev = {}
        if (out / "metrics.json").exists():
            prev = json.loads((out / "metrics.json").read_text())
        prev.update(_json(extra))
        (out / "metrics.json").write_text(json.dumps(prev, indent=1) + "\n")
        if card is not None:
            from ._card import write_model_card

            write_model_card(card, read_model_json(model_dir), prev, model_dir=model_dir, report=out)
            typer.echo(f"wrote the model card {card}")
        typer.echo(f"wrote {out}")
