"""``starskope train``: train a classifier and write it as a model folder.

Inputs are Kaggle-layout tables (``exoTrain.csv``; four-class labels from the simulator's
``truth.csv`` via ``--truth``), light-curve files or folders with labels from a manifest
(``--manifest``), or a saved feature file (``.npz`` from ``--save-features``).

Examples::

    starskope train work/exoTrain.csv --truth work/truth.csv --model ensemble --out my-model
    starskope train work/exoTrain.csv --truth work/truth.csv --model original-cnn --out cnn
    starskope train --preset default --out src/starskope/data/default-model

``--preset default`` builds the model shipped with starskope from what users bring:

* Kaggle-layout tables: the simulated K2 Campaign 3 benchmark (seed 0; 400 of its quiet
  training rows also receive injected planets, ``--augment-planets``);
* the simulator for what real data lacks: 300 Kepler (Q3, long cadence) and 300 TESS
  (sector 1, 30-min FFI) stars;
* with a real-data folder (``--data``; ``--real-data``, the default), the training half of
  its labelled light curves (:func:`starskope.datasets.real_stars`: Kepler quarters
  stitched *and* one by one, Kepler EBs, K2 LLC and high-level products, TESS 2-min and
  FFI sectors; the other half is kept aside for ``starskope evaluate --real-data``),
  planets and eclipsing binaries injected into its quiet Kepler and TESS stars at
  detection SNRs of 7.1–30 (:func:`starskope.datasets.injected_features`), and the DR24
  TCEs of its Kepler stars vetted at their catalogue ephemerides (PC planet, AFP binary,
  NTP other variable).

The stacked ensemble calibrates its probabilities on the out-of-fold predictions of the
real training stars (:mod:`starskope.models.ensemble`). Every part is cached in
``--cache``, keyed by the settings and the source of the analysis stages.
"""

from __future__ import annotations

import contextlib
import hashlib
import json
import os
import time
import warnings
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any

import typer

from ..errors import ParameterError, StarskopeWarning

__all__ = [
    "PRESETS",
    "augmented_planets",
    "features_for_input",
    "progress_reporter",
    "register",
    "table_labels",
    "train_model",
]

#: Presets: model name and hyperparameters.
PRESETS: dict[str, dict[str, Any]] = {
    "default": {"model": "ensemble", "params": {"n_folds": 3}},
    "quick": {
        "model": "ensemble",
        "params": {
            "n_folds": 2,
            "members": ["gbt", "dbn"],
            "member_params": {"gbt": {"max_iter": 40}, "dbn": {"hidden": [32, 16], "rbm_epochs": 2, "epochs": 5}},
        },
    },
}


@contextlib.contextmanager
def progress_reporter(enabled: bool = True) -> Iterator[Callable[[str, int, int], None]]:
    """A ``progress(stage, done, total)`` callback drawing rich progress bars (one per
    stage) on stderr; a no-op when disabled."""
    if not enabled:
        yield lambda stage, done, total: None
        return
    from rich.console import Console
    from rich.progress import BarColumn, MofNCompleteColumn, Progress, TextColumn, TimeElapsedColumn

    bars = Progress(TextColumn("{task.description:<32}"), BarColumn(), MofNCompleteColumn(), TimeElapsedColumn(),
                    console=Console(stderr=True), transient=False)
    tasks: dict[str, Any] = {}

    def update(stage: str, done: int, total: int) -> None:
        if stage not in tasks:
            tasks[stage] = bars.add_task(stage, total=total)
        bars.update(tasks[stage], completed=done, total=total)

    with bars:
        yield update


def table_labels(truth: str | os.PathLike[str] | None, table: Any, split: str | None) -> Any:
    """Four-class labels of a table's rows.

    With a simulator ``truth.csv``: the rows of ``split`` ('train'/'test', or all rows
    when the file has no split column), ordered by ``row``, classes mapped by
    :func:`starskope.models.labels.from_truth_class`. Without one: Kaggle ``LABEL`` 2
    becomes ``planet_transit`` and 1 ``nothing_significant`` (with a warning: the table
    does not say which non-hosts are binaries or variables).

    Raises
    ------
    ParameterError
        No labels at all, or a truth table whose rows do not match the table.
    """
    import numpy as np
    import pandas as pd

    from ..models.labels import CLASSES, from_truth_class

    n = table.n_stars
    if truth is None:
        if table.labels is None:
            raise ParameterError(f"{table.source}: the table has no LABEL column; give --truth truth.csv")
        warnings.warn(
            f"{table.source}: no --truth given; non-hosts are all labelled nothing_significant "
            "(the Kaggle LABEL says only host / not host)",
            StarskopeWarning,
            stacklevel=2,
        )
        return np.where(table.labels == 2, 0, CLASSES.index("nothing_significant")).astype(np.int64)
    df = pd.read_csv(truth)
    if "class" not in df.columns:
        raise ParameterError(f"{truth}: truth table needs a 'class' column; has {', '.join(df.columns[:10])}")
    if split is not None and "split" in df.columns:
        df = df[df["split"].astype(str) == split]
    if "row" in df.columns:
        df = df.sort_values("row")
    if len(df) != n:
        raise ParameterError(f"{truth}: {len(df)} truth rows for split {split!r} but the table has {n} stars")
    return np.array([CLASSES.index(from_truth_class(str(c))) for c in df["class"]], dtype=np.int64)


def _split_of(path: Path) -> str | None:
    name = path.name.lower()
    if "train" in name:
        return "train"
    if "test" in name:
        return "test"
    return None


def _cache_key(path: Path, options: Any) -> str:
    from ..datasets import analysis_code_hash

    st = path.stat()
    h = hashlib.sha256(json.dumps([str(path.resolve()), st.st_size, int(st.st_mtime), options.as_dict(),
                                   analysis_code_hash()], sort_keys=True, default=str).encode())
    return h.hexdigest()[:16]


def features_for_input(
    path: str | os.PathLike[str],
    *,
    truth: str | os.PathLike[str] | None = None,
    split: str | None = None,
    options: Any = None,
    workers: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Any:
    """A labelled FeatureSet from a Kaggle-layout table (with its truth) or a feature
    ``.npz``; tables are analysed once and cached in ``cache_dir`` when given."""
    from ..analysis import AnalysisOptions
    from ..datasets import table_features
    from ..features import FeatureSet
    from ..io import is_flux_table
    from ..io.flux_table import read_flux_table

    p = Path(path)
    if p.suffix == ".npz":
        fs = FeatureSet.load(p)
        return fs
    if not is_flux_table(p):
        raise ParameterError(f"{p}: not a Kaggle-layout table (LABEL,FLUX.1,...) or a feature .npz")
    options = options or AnalysisOptions(star_types=False)
    split = split or _split_of(p)
    cached = None
    if cache_dir is not None:
        Path(cache_dir).mkdir(parents=True, exist_ok=True)
        cached = Path(cache_dir) / f"features-{p.stem}-{_cache_key(p, options)}.npz"
        if cached.exists():
            fs = FeatureSet.load(cached)
            table = read_flux_table(p)
            return fs.with_labels(table_labels(truth, table, split))
    table = read_flux_table(p)
    labels = table_labels(truth, table, split)
    fs = table_features(table, labels=labels, options=options, workers=workers, progress=progress)
    if cached is not None:
        fs.save(cached)
    return fs


def augmented_planets(
    table_path: str | os.PathLike[str],
    fs: Any,
    n: int,
    *,
    seed: int = 0,
    options: Any = None,
    workers: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
    cache_dir: str | os.PathLike[str] | None = None,
) -> Any:
    """Planet-transit examples made by injecting planets into ``n`` quiet training rows
    of a table (:func:`starskope.datasets.injected_table_features`), cached when asked."""
    import numpy as np

    from ..analysis import AnalysisOptions
    from ..datasets import injected_table_features
    from ..features import FeatureSet
    from ..io.flux_table import read_flux_table
    from ..models.labels import CLASSES

    options = options or AnalysisOptions(star_types=False)
    p = Path(table_path)
    cached = None
    if cache_dir is not None:
        key = hashlib.sha256(f"{_cache_key(p, options)}-{n}-{seed}".encode()).hexdigest()[:16]
        cached = Path(cache_dir) / f"augment-{p.stem}-{key}.npz"
        if cached.exists():
            return FeatureSet.load(cached)
    quiet = np.flatnonzero(np.asarray(fs.labels) == CLASSES.index("nothing_significant"))
    if quiet.size == 0:
        raise ParameterError(f"{p}: no quiet training stars to inject planets into")
    rows = np.random.default_rng(seed).choice(quiet, size=min(int(n), quiet.size), replace=False)
    aug = injected_table_features(read_flux_table(p), np.sort(rows), seed=seed, options=options, workers=workers,
                                  progress=progress)
    if cached is not None:
        aug.save(cached)
    return aug


def train_model(
    name: str,
    fs: Any,
    *,
    params: dict[str, Any] | None = None,
    seed: int = 0,
    workers: int = 1,
    progress: Callable[[str, int, int], None] | None = None,
) -> Any:
    """Build the named model with ``params`` (plus ``seed`` and, for the ensemble,
    ``n_jobs=workers``) and fit it on ``fs``."""
    from ..models import make_model

    params = dict(params or {})
    if name == "ensemble":
        params.setdefault("n_jobs", workers)
    model = make_model(name, **params)
    if "seed" in model.get_params():
        model.set_params(seed=seed)
    if name == "original-cnn":
        import numpy as np

        if fs.table_flux is None:
            raise ParameterError("the original CNN trains on Kaggle-layout tables; give a table, not light curves")
        model.fit(fs.table_flux, (np.asarray(fs.labels) == 0).astype(int), progress=progress)
    else:
        model.fit(fs, progress=progress)
    return model


#: Simulated stars of the other telescopes in the default preset: (mission, n, cadence).
OTHER_TELESCOPES: tuple[tuple[str, int, str | None], ...] = (("Kepler", 300, "long"), ("TESS", 300, "ffi_30min"))


def _other_telescopes(folder: Path, options: Any, workers: int, progress: Any) -> list[Any]:
    """Simulated Kepler and TESS stars (FITS light curves), analysed and cached."""
    from ..datasets import analysis_code_hash, simulated_mission_features, with_origin
    from ..features import FeatureSet

    parts = []
    for k, (mission, n, cadence) in enumerate(OTHER_TELESCOPES):
        sub = folder / f"{mission.lower()}-{cadence}-seed{k}"
        key = hashlib.sha256(json.dumps([options.as_dict(), analysis_code_hash()], sort_keys=True,
                                        default=str).encode()).hexdigest()[:12]
        cached = sub / f"features-{key}.npz"
        if cached.exists():
            parts.append(with_origin(FeatureSet.load(cached), "simulated"))
            continue
        fs = simulated_mission_features(mission, n, sub, seed=k, cadence=cadence, options=options, workers=workers,
                                        progress=progress)
        fs.save(cached)
        parts.append(with_origin(fs, "simulated"))
    return parts


def _real_training_features(options: Any, workers: int, progress: Any, cache_dir: Path,
                            data: Path | None) -> list[Any]:
    """The training half of a real-data folder: its labelled light curves (stars with
    their quarters stitched, and the quarters one by one), planets and eclipsing binaries
    injected into its quiet stars, and its DR24 TCEs at their catalogue ephemerides
    (empty, with a warning, when no folder is given)."""
    import numpy as np

    from ..datasets import TCE_CLASS, dr24_tce_features, injected_features, real_features
    from ..models.labels import CLASSES

    if data is None:
        warnings.warn("no real-data folder (--data DIR or STARSKOPE_SHARED_DATA): the model is trained on "
                      "simulated stars only", StarskopeWarning, stacklevel=2)
        return []
    parts = [real_features("train", options=options, workers=workers, progress=progress, cache_dir=cache_dir,
                           folder=data, unit=unit) for unit in ("star", "quarter")]
    parts.append(injected_features(options=options, workers=workers, progress=progress, folder=data,
                                   cache_dir=cache_dir))
    tces, labels = dr24_tce_features(options=options, workers=workers, progress=progress, folder=data,
                                     split="train", cache_dir=cache_dir)
    parts.append(tces.with_labels(np.array([CLASSES.index(TCE_CLASS[str(k)]) for k in labels])))
    return parts


def _origin_counts(fs: Any) -> dict[str, list[int]]:
    """Stars per origin ('real', 'injected', 'simulated', …) and class (CLASSES order)."""
    import numpy as np

    origin = fs.meta.get("origin")
    if origin is None:
        return {}
    origin = np.asarray(origin).astype(str)
    return {str(o): np.bincount(fs.labels[origin == o], minlength=4).tolist() for o in sorted(set(origin))}


def register(app: typer.Typer) -> None:
    @app.command("train")
    def train_cmd(
        inputs: list[Path] = typer.Argument(None, help="Kaggle-layout tables or feature .npz files."),
        out: Path = typer.Option(..., "--out", "-o", help="Model folder to write."),
        model: str = typer.Option(None, "--model", "-m", help="Model name (see `starskope train --list`); default ensemble."),
        truth: Path = typer.Option(None, "--truth", help="Simulator truth.csv with four-class labels."),
        preset: str = typer.Option(None, "--preset", help="Named configuration: default (the shipped model) or quick."),
        seed: int = typer.Option(0, "--seed", help="Random seed (data split, weights, batches)."),
        workers: int = typer.Option(2, "--workers", "-j", help="Processes for analysis and ensemble fits."),
        param: list[str] = typer.Option(None, "--param", "-p", help="Hyperparameter KEY=JSON, e.g. -p epochs=10."),
        save_features: Path = typer.Option(None, "--save-features", help="Also save the training features (.npz)."),
        cache: Path = typer.Option(None, "--cache", help="Folder caching analysed tables (and simulated data for presets)."),
        real_data: bool = typer.Option(True, "--real-data/--no-real-data",
                                       help="Preset default: add the training half of the real-data folder's labelled "
                                            "light curves (--data)."),
        data: Path = typer.Option(None, "--data", envvar="STARSKOPE_SHARED_DATA",
                                  help="Real-data folder holding manifest.csv (default: $STARSKOPE_SHARED_DATA)."),
        augment_planets: int = typer.Option(None, "--augment-planets",
                                            help="Inject planets into this many quiet training rows of each table "
                                                 "(found ones become extra planet examples; preset default: 400)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    ) -> None:
        """Train a classifier (seeded, class-weighted, augmented, early-stopped) and save it.

        Examples:

          starskope train work/exoTrain.csv --truth work/truth.csv --model ensemble --out my-model

          starskope train work/exoTrain.csv --truth work/truth.csv --model original-cnn --out cnn

          starskope train --preset default --out src/starskope/data/default-model
        """
        from ..analysis import options_for
        from ..analysis.options import FOR_MODEL_INPUTS
        from ..features import FeatureSet
        from ..models import MODELS, save_model

        t0 = time.perf_counter()
        params: dict[str, Any] = {}
        if preset is not None:
            if preset not in PRESETS:
                raise ParameterError(f"unknown preset {preset!r}; known presets: {', '.join(PRESETS)}")
            model = model or PRESETS[preset]["model"]
            params.update(PRESETS[preset]["params"])
        model = model or "ensemble"
        MODELS.get(model)  # fail early on an unknown name
        for item in param or []:
            if "=" not in item:
                raise ParameterError(f"--param must be KEY=VALUE; got {item!r}")
            k, v = item.split("=", 1)
            try:
                params[k] = json.loads(v)
            except json.JSONDecodeError:
                params[k] = v
        options = options_for(None, FOR_MODEL_INPUTS)  # a new model is trained with today's settings
        cache_dir = Path(cache) if cache is not None else None
        with progress_reporter(not quiet) as progress:
            parts = []
            if preset == "default" and not inputs:
                from ..simulate import simulate_k2_c3

                sim_dir = (cache_dir or out.parent / f".{out.name}-data") / "k2c3-seed0"
                if not (sim_dir / "exoTrain.csv").exists():
                    simulate_k2_c3(sim_dir, seed=0)
                from ..datasets import with_origin

                k2 = features_for_input(sim_dir / "exoTrain.csv", truth=sim_dir / "truth.csv", split="train",
                                        options=options, workers=workers, progress=progress, cache_dir=sim_dir)
                parts.append(with_origin(k2, "simulated table"))
                n_aug = 400 if augment_planets is None else augment_planets
                if n_aug:
                    parts.append(with_origin(augmented_planets(sim_dir / "exoTrain.csv", k2, n_aug, seed=seed,
                                                               options=options, workers=workers, progress=progress,
                                                               cache_dir=sim_dir), "injected table"))
                parts += _other_telescopes(sim_dir.parent, options, workers, progress)
                if real_data:
                    for extra in _real_training_features(options, workers, progress, sim_dir, data):
                        extra.table_flux = None
                        parts.append(extra)
            for p in inputs or []:
                fs_p = features_for_input(p, truth=truth, options=options, workers=workers, progress=progress,
                                          cache_dir=cache_dir)
                parts.append(fs_p)
                if augment_planets and Path(p).suffix != ".npz" and model != "original-cnn":
                    parts.append(augmented_planets(p, fs_p, augment_planets, seed=seed, options=options,
                                                   workers=workers, progress=progress, cache_dir=cache_dir))
            if not parts:
                raise ParameterError("nothing to train on: give input tables / feature files, or --preset default")
            for fs in parts:
                if fs.labels is None:
                    raise ParameterError("training features carry no labels")
            fs = parts[0] if len(parts) == 1 else FeatureSet.concat(parts)
            if save_features is not None:
                fs.save(save_features)
            fitted = train_model(model, fs, params=params, seed=seed, workers=workers, progress=progress)
        seconds = time.perf_counter() - t0
        import numpy as np

        training = dict(getattr(fitted, "training_summary_", {}))
        training.update({"inputs": [str(p) for p in inputs or []] or [f"preset {preset}"], "seed": seed,
                         "preset": preset, "total_seconds": round(seconds, 1),
                         "class_counts": np.bincount(fs.labels, minlength=4).tolist(),
                         "by_origin": _origin_counts(fs)})
        save_model(fitted, out, training=training,
                   preprocessing={"analysis": options.as_dict(), "features": fs.spec,
                                  "scalar_names": list(fs.scalar_names)},
                   metrics=getattr(fitted, "oof_metrics_", None) or {})
        typer.echo(f"trained {model} on {len(fs)} stars in {seconds:.0f} s; wrote {out}")
