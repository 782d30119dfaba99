"""``starskope startype train|evaluate|classify``: what kind of star is it?"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from ._common import mission_option, read_options, time_format_option

__all__ = ["register"]


def _progress_bar(description: str) -> Any:
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TimeRemainingColumn

    return Progress("[progress.description]{task.description}", BarColumn(), MofNCompleteColumn(),
                    TimeRemainingColumn(), transient=True)


def _data_option() -> Any:
    """``--data DIR``: the real-data folder (manifest.csv, tess/ffi, kepler/eb, catalogs)."""
    return typer.Option(None, "--data", "--shared-data", envvar="STARSKOPE_SHARED_DATA",
                        help="Real-data folder holding manifest.csv (default: $STARSKOPE_SHARED_DATA).")


def _data_folder(data: Path | None, command: str) -> Path:
    """The ``--data`` folder, or a ParameterError saying how to give it."""
    if data is None:
        from ..errors import ParameterError

        raise ParameterError(f"startype {command} needs the real-data folder: --data DIR "
                             "(or set STARSKOPE_SHARED_DATA)")
    return Path(data)


def register(app: typer.Typer) -> None:
    group = typer.Typer(help="Star-type classification: non-variable, eclipsing binary, delta Scuti, "
                             "gamma Dor, RR Lyrae, rotational, planet host, other.",
                        no_args_is_help=True)
    app.add_typer(group, name="startype")

    @group.command("train")
    def train(
        data: Path = _data_option(),
        model_dir: Path = typer.Option(None, "--model-dir", help="Where to save the model (default: the shipped model folder)."),
        results: Path = typer.Option(Path("benchmarks/results"), "--results", help="Folder for the evaluation JSON/Markdown/PNG."),
        cache_dir: Path = typer.Option(None, "--cache-dir", help="Feature cache (default ~/.cache/starskope/startypes)."),
        jobs: int = typer.Option(1, "--jobs", "-j", min=1, help="Processes for feature extraction."),
    ) -> None:
        """Build features (cached), train on the training split, evaluate on the kept-aside
        TESS FFI stars, save the model (JSON + NPZ, no pickle) and the evaluation.

        Examples:

          starskope startype train --data shared/data

          starskope startype train --data shared/data --model-dir my-startypes --jobs 2
        """
        from ..startypes.model import default_model_dir
        from ..startypes.training import train_and_evaluate

        data = _data_folder(data, "train")
        out_model = model_dir or default_model_dir()
        with _progress_bar("features") as bar:
            task = bar.add_task("features", total=None)

            def progress(done: int, total: int) -> None:
                bar.update(task, completed=done, total=total)

            _, ev = train_and_evaluate(data, model_dir=out_model, results_dir=results, cache_dir=cache_dir,
                                       n_jobs=jobs, progress=progress)
        _print_evaluation(ev)
        typer.echo(f"model saved in {out_model}; evaluation in {results}")

    @group.command("evaluate")
    def evaluate_cmd(
        model_dir: Path = typer.Option(None, "--model-dir", help="Model folder (default: the shipped model)."),
        data: Path = _data_option(),
        results: Path = typer.Option(None, "--results", help="Also write JSON/Markdown/PNG here."),
        cache_dir: Path = typer.Option(None, "--cache-dir", help="Feature cache folder."),
    ) -> None:
        """Score a saved model on the kept-aside TESS FFI stars.

        Examples:

          starskope startype evaluate --data shared/data --results startype-eval
        """
        from ..startypes.dataset import build_items, compute_feature_table, default_cache_dir
        from ..startypes.model import StarTypeModel, load_default_model
        from ..startypes.training import (
            evaluate,
            permutation_importance_by_class,
            training_config,
            write_results,
        )

        model = StarTypeModel.load(model_dir) if model_dir else load_default_model()
        # the split the model was trained with, so no star it trained on is scored
        cfg = training_config(model)
        data = _data_folder(data, "evaluate")
        items = [i for i in build_items(data, cfg) if i.split == "test"]
        cache = (cache_dir or default_cache_dir() / "startypes") / cfg.cache_name()
        with _progress_bar("features") as bar:
            task = bar.add_task("held-out features", total=len(items))
            table = compute_feature_table(items, data, cache_path=cache,
                                          progress=lambda d, n: bar.update(task, completed=d, total=n))
        ev = evaluate(model, table)
        ev.importances = permutation_importance_by_class(model, table, seed=cfg.seed)
        _print_evaluation(ev)
        if results:
            write_results(ev, results, extra={"command": "starskope startype evaluate", "seed": cfg.seed})

    @group.command("classify")
    def classify(
        files: list[Path] = typer.Argument(..., help="Light-curve files (any format starskope reads)."),
        model_dir: Path = typer.Option(None, "--model-dir", help="Model folder (default: the shipped model)."),
        as_json: bool = typer.Option(False, "--json", help="JSON lines, with periodogram arrays."),
        mission: str | None = mission_option(),
        time_format: str | None = time_format_option(),
    ) -> None:
        """Star type of each light curve, its probabilities and the periodogram evidence.

        Examples:

          starskope startype classify tess2019112060037-s0011-0000000425064757-0143-s_lc.fits.gz

          starskope startype classify EPIC201367065.csv --time-format bkjd --mission K2 --json
        """
        from ..startypes.api import classify_star_type
        from ..startypes.model import StarTypeModel, load_default_model

        reading = read_options(mission=mission, time_format=time_format)
        model = StarTypeModel.load(model_dir) if model_dir else load_default_model()
        for path in files:
            lc = _read(path, **reading)
            res = classify_star_type(lc, model=model)
            if as_json:
                typer.echo(json.dumps({"file": str(path), **res.as_dict(arrays=True)}))
                continue
            ev = res.evidence
            top = sorted(res.probabilities.items(), key=lambda kv: -kv[1])[:3]
            typer.echo(f"{path}: {res.star_type}  ("
                       + ", ".join(f"{t} {p:.2f}" for t, p in top) + ")")
            typer.echo(f"    dominant period {ev.dominant_period.value:.5f} d, amplitude "
                       f"{ev.amplitude.value:.3g} ppt (noise {ev.noise.value:.2g} ppt), "
                       f"R21 {ev.harmonics['r21']:.2f}, folded depth {ev.eclipse['depth']:.3g} ppt "
                       f"at {ev.fold_period.value:.5f} d")


def _read(path: Path, **reading: str) -> Any:
    """Read with :func:`starskope.io.read`; ``reading`` holds ``mission`` /
    ``time_format`` for files that do not say."""
    from ..io import read

    return read(str(path), **reading)


def _print_evaluation(ev: Any) -> None:
    typer.echo(f"held-out stars: {ev.n}   accuracy {ev.accuracy:.3f}   macro-F1 {ev.macro_f1:.3f} "
               f"(without planet_host {ev.macro_f1_without_planet_host:.3f})")
    typer.echo(f"{'type':18s} {'precision':>9s} {'recall':>7s} {'F1':>6s} {'n':>5s}")
    for t, m in ev.per_class.items():
        typer.echo(f"{t:18s} {m['precision']:9.3f} {m['recall']:7.3f} {m['f1']:6.3f} {m['support']:5d}")
