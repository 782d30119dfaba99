"""``starskope demo``: the K2 Campaign 3 benchmark, end to end, on built-in data.

1. simulate the benchmark (:func:`starskope.simulate.simulate_k2_c3`): ``exoTrain.csv``
   and ``exoTest.csv`` in the Kaggle layout plus ``truth.csv``;
2. analyse both tables (clean → search → vet → views, spectrograms, scalars), and
   inject planets into 400 quiet training rows as extra planet examples (augmentation;
   the test table is never touched);
3. train the reproduced original CNN on the raw training rows and starskope's stacked
   ensemble on the analysed training stars;
4. evaluate both on the test table and print the metric tables side by side;
5. write a report folder: ``metrics.json``, ROC / PR / confusion / training-curve PNGs,
   ``ranked.csv`` (the test stars ranked by ``p_planet``), ``hosts.csv`` (each test host's
   signal at its true ephemeris against the quiet stars' noise peaks, what the search
   found and the host's rank: :func:`starskope.datasets.host_detectability`),
   ``timings.json`` and the two trained model folders.

Example::

    starskope demo --work demo-run --workers 2
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer

__all__ = ["register", "run_demo"]


def run_demo(
    work: Path,
    *,
    seed: int = 0,
    workers: int = 2,
    ensemble_params: dict[str, Any] | None = None,
    cnn_params: dict[str, Any] | None = None,
    simulate_kwargs: dict[str, Any] | None = None,
    augment_planets: int = 400,
    progress: Any = None,
    echo: Any = print,
) -> dict[str, Any]:
    """Run the benchmark in ``work``; return the metrics and timings.

    Parameters
    ----------
    work : Path
        Work folder (``data/``, ``models/``, ``report/`` are written inside).
    seed : int
        Seed of the simulation and of training (the built-in benchmark is
        :data:`starskope.simulate.DEFAULT_SEED`).
    workers : int
        Processes for the analysis and the ensemble fits.
    ensemble_params, cnn_params : dict, optional
        Hyperparameters overriding the defaults (tests use small ones).
    simulate_kwargs : dict, optional
        Extra arguments of :func:`starskope.simulate.simulate_k2_c3` (e.g. smaller tables).
    augment_planets : int
        Quiet training rows that receive an injected planet (augmentation of the
        starskope models' training set; the original CNN trains on the table as published).
    """
    import numpy as np

    from ..analysis import options_for
    from ..models import save_model
    from ..models.evaluation import format_metric_table
    from ..simulate import simulate_k2_c3
    from .evaluate import evaluate_features, write_report
    from .train import features_for_input, train_model

    progress = progress or (lambda stage, done, total: None)
    work = Path(work)
    data, models_dir, report = work / "data", work / "models", work / "report"
    timings: dict[str, float] = {}
    t_all = time.perf_counter()

    t0 = time.perf_counter()
    if not ((data / "exoTrain.csv").exists() and (data / "exoTest.csv").exists() and (data / "truth.csv").exists()):
        echo(f"simulating the K2 Campaign 3 benchmark into {data} ...")
        simulate_k2_c3(data, seed=seed, **(simulate_kwargs or {}))
    timings["simulate"] = time.perf_counter() - t0

    options = options_for(None, {"star_types": False})  # a new model: today's settings
    t0 = time.perf_counter()
    train = features_for_input(data / "exoTrain.csv", truth=data / "truth.csv", split="train", options=options,
                               workers=workers, progress=progress, cache_dir=data)
    test = features_for_input(data / "exoTest.csv", truth=data / "truth.csv", split="test", options=options,
                              workers=workers, progress=progress, cache_dir=data)
    timings["analyse"] = time.perf_counter() - t0
    echo(f"training stars {len(train)} (classes {np.bincount(train.labels, minlength=4).tolist()}), "
         f"test stars {len(test)} (classes {np.bincount(test.labels, minlength=4).tolist()})")

    from ..features import FeatureSet
    from .train import augmented_planets

    t0 = time.perf_counter()
    ens_train = train
    if augment_planets:
        aug = augmented_planets(data / "exoTrain.csv", train, augment_planets, seed=seed, options=options,
                                workers=workers, progress=progress, cache_dir=data)
        ens_train = FeatureSet.concat([train, aug])
        echo(f"augmentation: {len(aug)} of {augment_planets} planets injected into quiet training rows were found")
    timings["augment"] = time.perf_counter() - t0

    t0 = time.perf_counter()
    cnn = train_model("original-cnn", train, params=cnn_params, seed=seed, progress=progress)
    timings["train_original_cnn"] = time.perf_counter() - t0
    t0 = time.perf_counter()
    ens = train_model("ensemble", ens_train, params=ensemble_params, seed=seed, workers=workers, progress=progress)
    timings["train_ensemble"] = time.perf_counter() - t0
    timings["train_total"] = timings["train_original_cnn"] + timings["train_ensemble"]

    t0 = time.perf_counter()
    m_cnn, p_cnn = evaluate_features(cnn, test)
    m_ens, p_ens = evaluate_features(ens, test)
    member_metrics = {}
    from ..models.evaluation import binary_metrics

    y = (test.labels == 0).astype(int)
    for name, proba in ens.member_probabilities(test).items():
        member_metrics[name] = binary_metrics(y, proba[:, 0], predicted=(proba.argmax(1) == 0).astype(int))
    timings["evaluate"] = time.perf_counter() - t0

    save_model(cnn, models_dir / "original-cnn", metrics=m_cnn)
    save_model(ens, models_dir / "ensemble", metrics=m_ens,
               preprocessing={"analysis": options.as_dict(), "features": train.spec,
                              "scalar_names": list(train.scalar_names)})
    timings["total"] = time.perf_counter() - t_all
    histories = {"original-cnn": cnn.history_}
    for m, est in ens.members_:
        h = getattr(est, "history_", {}) or {}
        if h.get("train_loss"):
            histories[f"ensemble/{m}"] = h
    write_report(report, {"starskope-ensemble": (y, p_ens, m_ens), "original-cnn": (y, p_cnn, m_cnn)}, fs=test,
                 histories=histories,
                 extra={"members": member_metrics, "timings_seconds": timings,
                        "ensemble_out_of_fold": ens.oof_metrics_, "seed": seed, "workers": workers})
    (report / "timings.json").write_text(json.dumps({k: round(v, 1) for k, v in timings.items()}, indent=1) + "\n")
    from ..datasets import host_detectability

    hosts = host_detectability(data / "exoTest.csv", data / "truth.csv", test, p_ens, options=options)
    hosts.to_csv(report / "hosts.csv", index=False)
    table = format_metric_table({"original CNN": m_cnn, "starskope ensemble": m_ens, **{
        f"  {k}": v for k, v in member_metrics.items()}})
    echo("\nK2 Campaign 3 benchmark (simulated), test table: planet host vs not\n" + table)
    echo("\nstarskope ensemble, four classes (rows true, columns predicted: planet, EB, variable, nothing):")
    for row in m_ens["multiclass_confusion"]:
        echo("  " + " ".join(f"{v:5d}" for v in row))
    echo("\ntest hosts (SNR: the simulator's, and the search's at the true ephemeris; quiet stars with a "
         "stronger noise peak):")
    for h in hosts.itertuples():
        echo(f"  {h.target_id:>8}  P {h.period_days:7.3f} d  depth {h.depth_ppm:6.0f} ppm  SNR {h.snr_simulated:5.1f} / "
             f"{h.snr_at_truth:5.1f}  p_planet {h.p_planet:.3f}  rank {h.rank:3d}  quiet stronger "
             f"{h.stronger_quiet_stars:3d}  {h.verdict.split(':')[0]}")
    echo("\ntimings (s): " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))
    echo(f"report: {report}")
    return {"original-cnn": m_cnn, "ensemble": m_ens, "members": member_metrics, "timings": timings, "report": report,
            "hosts": hosts}


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_cmd(
        work: Path = typer.Option(Path("starskope-demo"), "--work", "-w", help="Work folder (data, models, report)."),
        seed: int = typer.Option(None, "--seed",
                                 help="Seed of the simulation and training (default: the built-in set's, 3)."),
        workers: int = typer.Option(2, "--workers", "-j", help="Processes for analysis and ensemble fits."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    ) -> None:
        """Simulate the K2 C3 benchmark, train the original CNN and starskope's models, compare them.

        Examples:

          starskope demo

          starskope demo --work demo-run --workers 2 --seed 3
        """
        from ..simulate import DEFAULT_SEED
        from .train import progress_reporter

        with progress_reporter(not quiet) as progress:
            run_demo(work, seed=DEFAULT_SEED if seed is None else seed, workers=workers, progress=progress,
                     echo=typer.echo)
