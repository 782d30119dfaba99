"""``starskope demo``: the K2 Campaign 3 benchmark, end to end, on built-in data.

1. simulate the benchmark (:func:`starskope.simulate.simulate_k2_c3`): ``exoTrain.csv``
   and ``exoTest.csv`` in the Kaggle layout plus ``truth.csv``;
2. analyse both tables (clean → search → vet → views, spectrograms, scalars), and
   inject planets into 400 quiet training rows as extra planet examples (augmentation;
   the test table is never touched);
3. train the reproduced original CNN on the raw training rows and starskope's stacked
   ensemble on the analysed training stars;
4. evaluate both on the test table and print the metric tables side by side;
5. pixels (skip with ``--no-pixels``): simulated K2 C3 target pixel files, analysed as a
   user's files are; the pixel-aware model (``pixel-ensemble``: the ensemble just trained,
   a pixel CNN trained on difference images at the true ephemeris, a stacker trained on a
   small analysed field) against the ensemble alone on a separate test field: how many
   background eclipsing binaries each calls a planet at the same host recall
   (:func:`run_pixel_comparison`; the full-size measurement is ``benchmarks/pixels.py``);
6. write a report folder: ``metrics.json`` (with the pixel comparison under ``pixels``),
   ROC / PR / confusion / training-curve PNGs, ``ranked.csv`` (the test stars ranked by
   ``p_planet``), ``hosts.csv`` (each test host's signal at its true ephemeris against the
   quiet stars' noise peaks, what the search found and the host's rank:
   :func:`starskope.datasets.host_detectability`), ``timings.json`` and the trained model
   folders.

Example::

    starskope demo --work demo-run --workers 2
"""

from __future__ import annotations

import json
import time
from pathlib import Path
from typing import Any

import typer

__all__ = ["PIXEL_DEFAULTS", "format_pixel_table", "register", "run_demo", "run_pixel_comparison"]

#: Size of the demo's pixel comparison (a few minutes of one core; ``benchmarks/pixels.py``
#: measures the same with 1500 training images and a 900-star test field).
PIXEL_DEFAULTS: dict[str, Any] = {
    "training_images": 200,  # difference images at the true ephemeris for the pixel CNN
    "train_stars": 32,  # analysed pixel files for the stacker
    "test_stars": 40,  # analysed pixel files the two models are compared on
    "host_share": 0.25,
    "beb_share": 0.25,
    "cnn_params": {"epochs": 40, "width": 8},
    "n_folds": 3,
}


def _field_classes(n: int, host_share: float, beb_share: float, rng: Any) -> list[str]:
    """Hosts, background binaries and the simulator's other non-hosts in its own mix, shuffled."""
    from ..simulate import NEGATIVE_FRACTIONS, plan_classes

    n_hosts, n_bebs = round(n * host_share), round(n * beb_share)
    others = plan_classes(n - n_hosts - n_bebs, 0, rng, hosts_first=False,
                          fractions={k: v for k, v in NEGATIVE_FRACTIONS.items() if k != "background_eb"})
    allc = ["planet"] * n_hosts + ["background_eb"] * n_bebs + others
    return [allc[i] for i in rng.permutation(len(allc))]


def run_pixel_comparison(
    folder: Path,
    light_curve_model: str | Path,
    *,
    options: Any,
    seed: int = 0,
    workers: int = 1,
    progress: Any = None,
    save_to: Path | None = None,
    **config: Any,
) -> dict[str, Any]:
    """The light-curve model against the pixel-aware model on simulated K2 C3 pixel files.

    The pixel-aware model (:class:`starskope.models.pixel_cnn.PixelEnsemble`) keeps the
    light-curve model as it is, trains a pixel CNN on ``training_images`` difference
    images at the true ephemeris (:func:`starskope.datasets.pixels.pixel_training_features`)
    and its stacker on a field of ``train_stars`` analysed pixel files; both models then
    score a separate field of ``test_stars`` (other seeds). Both fields hold ``host_share``
    planet hosts and ``beb_share`` background eclipsing binaries — more than the demo's
    6 % of non-hosts, so that a small field holds enough of them (the count of binaries
    called planets at a host recall is a share of the binaries, whatever their number) —
    and the simulator's other non-hosts in its mix.

    Parameters
    ----------
    folder : Path
        Where the pixel files are written (``pixels-train/``, ``pixels-test/``; reused).
    light_curve_model : path
        Folder of the light-curve model (e.g. the demo's ensemble).
    options : AnalysisOptions
        The analysis settings the light-curve model was trained with.
    seed, workers, progress
        As for :func:`run_demo`.
    save_to : Path, optional
        Save the pixel-aware model there.
    **config
        Overrides of :data:`PIXEL_DEFAULTS`.

    Returns
    -------
    dict
        ``rows`` (:func:`starskope.models.pixel_cnn.background_binaries_at_recall`), the
        field sizes, ``centroid_offset`` counts, ``training`` and ``seconds``.
    """
    import numpy as np

    from ..datasets.pixels import pixel_field_features, pixel_training_features
    from ..errors import ParameterError
    from ..models import save_model
    from ..models.pixel_cnn import PixelEnsemble, background_binaries_at_recall

    unknown = set(config) - set(PIXEL_DEFAULTS)
    if unknown:
        raise ParameterError(f"unknown pixel settings {sorted(unknown)}; known: {', '.join(PIXEL_DEFAULTS)}")
    cfg = {**PIXEL_DEFAULTS, **config}
    t0 = time.perf_counter()
    folder = Path(folder)
    rng = np.random.default_rng(seed + 7)
    images = pixel_training_features(int(cfg["training_images"]), mission="K2", seed=seed, workers=workers,
                                     progress=progress)
    fields = {}
    for name, n, field_seed in (("train", int(cfg["train_stars"]), seed + 1000),
                                ("test", int(cfg["test_stars"]), seed + 2000)):
        classes = _field_classes(n, float(cfg["host_share"]), float(cfg["beb_share"]), rng)
        fields[name] = pixel_field_features(folder / f"pixels-{name}", n, classes.count("planet"), mission="K2",
                                            seed=field_seed, classes=classes, options=options, workers=workers,
                                            progress=progress)
    model = PixelEnsemble(base=str(light_curve_model), pixel_params=dict(cfg["cnn_params"]),
                          n_folds=int(cfg["n_folds"]), seed=seed)
    model.fit(fields["train"], pixel_training=images)
    test = fields["test"]
    members = model.member_probabilities(test)
    p_lc = members["base"][:, 0]
    p_px = np.asarray(model.predict_proba(test))[:, 0]
    truth = np.asarray(test.meta["truth_class"]).astype(str)
    thr = getattr(model.base_model_, "planet_threshold_", None)
    rows = background_binaries_at_recall(p_lc, p_px, truth, own_threshold=thr)
    flags = np.asarray(test.meta["flags"]).astype(str)
    offset = np.char.find(flags, "CENTROID_OFFSET") >= 0
    out = {"n_training_images": len(images), "n_train_stars": len(fields["train"]), "n_test_stars": len(test),
           "n_test_hosts": int(np.sum(truth == "planet")), "n_test_bebs": int(np.sum(truth == "background_eb")),
           "centroid_offset": {"bebs": int(np.sum(offset & (truth == "background_eb"))),
                               "hosts": int(np.sum(offset & (truth == "planet")))},
           "rows": rows, "training": model.training_summary_, "config": cfg}
    if save_to is not None:
        save_model(model, save_to, metrics={"pixels": {k: v for k, v in out.items() if k != "training"}})
    out["seconds"] = time.perf_counter() - t0
    return out


def format_pixel_table(result: dict[str, Any]) -> str:
    """The pixel comparison as printed by the demo."""
    n_beb = result["n_test_bebs"]
    lines = [f"\nbackground eclipsing binaries called planets, simulated K2 C3 pixel files ({result['n_test_stars']} "
             f"test stars: {result['n_test_hosts']} hosts, {n_beb} background binaries; CENTROID_OFFSET on "
             f"{result['centroid_offset']['bebs']} binaries, {result['centroid_offset']['hosts']} hosts):",
             f"  {'host recall set at':<40} {'recall (lc / pixels)':>21} {'light-curve ensemble':>21} "
             f"{'pixel-aware':>12} {'fewer':>6}"]
    for r in result["rows"]:
        red = "—" if r["beb_reduction"] is None else f"{r['beb_reduction']:.0%}"
        lines.append(f"  {r['level']:<40} {r['host_recall_light_curve']:>10.2f} / {r['host_recall_pixels']:<8.2f} "
                     f"{r['bebs_called_planet_light_curve']:>13d} of {n_beb:<4d} {r['bebs_called_planet_pixels']:>5d} "
                     f"of {n_beb:<4d} {red:>6}")
    return "\n".join(lines)


def run_demo(
    work: Path,
    *,
    seed: int = 0,
    workers: int = 2,
    ensemble_params: dict[str, Any] | None = None,
    cnn_params: dict[str, Any] | None = None,
    simulate_kwargs: dict[str, Any] | None = None,
    augment_planets: int = 400,
    pixels: bool = True,
    pixel_params: dict[str, Any] | None = None,
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
    pixels : bool
        Compare the ensemble with the pixel-aware model on simulated pixel files
        (:func:`run_pixel_comparison`).
    pixel_params : dict, optional
        Overrides of :data:`PIXEL_DEFAULTS` (tests use small ones).
    """
    import numpy as np

    from ..analysis import options_for
    from ..analysis.options import FOR_MODEL_INPUTS
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

    options = options_for(None, FOR_MODEL_INPUTS)  # a new model: today's settings
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
    pixel_result = None
    if pixels:
        echo("pixels: simulated pixel files, the pixel CNN and the pixel-aware model ...")
        t0 = time.perf_counter()
        pixel_result = run_pixel_comparison(data, models_dir / "ensemble", options=options, seed=seed, workers=workers,
                                            progress=progress, save_to=models_dir / "pixel-ensemble",
                                            **(pixel_params or {}))
        timings["pixels"] = time.perf_counter() - t0
    timings["total"] = time.perf_counter() - t_all
    histories = {"original-cnn": cnn.history_}
    for m, est in ens.members_:
        h = getattr(est, "history_", {}) or {}
        if h.get("train_loss"):
            histories[f"ensemble/{m}"] = h
    write_report(report, {"starskope-ensemble": (y, p_ens, m_ens), "original-cnn": (y, p_cnn, m_cnn)}, fs=test,
                 histories=histories,
                 extra={"members": member_metrics, "timings_seconds": timings,
                        "ensemble_out_of_fold": ens.oof_metrics_, "seed": seed, "workers": workers,
                        **({"pixels": pixel_result} if pixel_result is not None else {})})
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
    if pixel_result is not None:
        echo(format_pixel_table(pixel_result))
    echo("\ntimings (s): " + ", ".join(f"{k} {v:.0f}" for k, v in timings.items()))
    echo(f"report: {report}")
    return {"original-cnn": m_cnn, "ensemble": m_ens, "members": member_metrics, "timings": timings, "report": report,
            "hosts": hosts, "pixels": pixel_result}


def register(app: typer.Typer) -> None:
    @app.command("demo")
    def demo_cmd(
        work: Path = typer.Option(Path("starskope-demo"), "--work", "-w", help="Work folder (data, models, report)."),
        seed: int = typer.Option(None, "--seed",
                                 help="Seed of the simulation and training (default: the built-in set's, 3)."),
        workers: int = typer.Option(2, "--workers", "-j", help="Processes for analysis and ensemble fits."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
        pixels: bool = typer.Option(True, "--pixels/--no-pixels",
                                    help="Also compare the pixel-aware model with the ensemble on simulated pixel "
                                         "files (about two minutes more)."),
    ) -> None:
        """Simulate the K2 C3 benchmark, train the original CNN and starskope's models, compare them.

        Examples:

          starskope demo

          starskope demo --work demo-run --workers 2 --seed 3

          starskope demo --no-pixels    (the light-curve benchmark only)
        """
        from ..simulate import DEFAULT_SEED
        from .train import progress_reporter

        with progress_reporter(not quiet) as progress:
            run_demo(work, seed=DEFAULT_SEED if seed is None else seed, workers=workers, pixels=pixels,
                     progress=progress, echo=typer.echo)
