"""The star-type training and evaluation set, and its feature cache.

Sources (see :func:`build_items`):

* **TESS FFI** (``tess/ffi`` in the shared data, class from ``manifest.csv``): split by
  star with the split every starskope model uses (:func:`starskope.models.split.kept_aside`,
  so a star the planet model is measured on is never a star-type training star either);
  the kept-aside part (``split == 'test'``) is never used for training, for fitting the
  learned representation, or as a carrier of injected signals. (``DatasetConfig(split=
  'stratified')`` gives the older seeded split by file, stratified by class.)
* **Kepler eclipsing binaries** (``kepler/eb`` NPZ, 400 d each): 27-day windows of the
  normalised Kepler flux multiplied into real quiet TESS training light curves (so the
  cadence, gaps and noise are TESS's). Binaries kept aside themselves, or whose KIC maps
  (KIC→TIC cross-match) to a TIC in the kept-aside part, are left out, so no star is on
  both sides.
* **Injected signals** (:mod:`.synthetic`) into quiet TESS training light curves:
  rotational (spotted) stars, transiting planets, "other" variables (red noise, flares),
  and RR Lyrae re-injected from harmonic templates of the training RR Lyrae stars.

:func:`compute_feature_table` computes every item's features once and keeps them in an
``.npz`` in the cache directory (outside git), written atomically and resumable.

Measured and not kept (2026-12-07, 5-fold cross-validation grouped by star over the
training half's real TESS FFI stars; the kept-aside half not read): templates of the 116
training TESS binaries (each folded at its catalogue period and binned) re-injected into
quiet training stars with a new phase, the period ×0.9–1.1 and the depth ×0.6–1.2 (or
×0.9–1.1, or unchanged; 2 or 4 per binary, templates only from the binaries outside the
scored fold). Binary recall rose from 0.66 to 0.69–0.72 but the binary F1 fell (0.76 →
0.69–0.74): quiet stars and pulsators were called binaries as often as binaries were
gained, and the five-type macro-F1 moved only with the 14 RR Lyrae stars (0.834 → 0.834–0.852).
"""

from __future__ import annotations

import csv
import os
import tempfile
import warnings
from collections.abc import Callable, Iterable, Sequence
from dataclasses import dataclass, field, replace
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import CatalogError, ModelFileError, ParameterError, StarskopeWarning
from ..missions import get_mission
from ..models.split import kept_aside
from ..scatter import point_to_point_std
from ..stars import kic_to_tic_map
from .classes import STAR_TYPES, star_type_from_label
from .features import (
    FEATURE_NAMES,
    FEATURE_VERSION,
    SHAPE_BINS,
    SPECTRUM_BINS,
    light_curve_features,
)

__all__ = [
    "DEFAULT_SEED",
    "DEFAULT_TEST_FRACTION",
    "DatasetConfig",
    "FeatureTable",
    "TrainingItem",
    "build_items",
    "compute_feature_table",
    "default_cache_dir",
    "item_arrays",
    "read_light_curve_arrays",
    "split_ffi",
]

DEFAULT_SEED = 20240817
DEFAULT_TEST_FRACTION = 0.25


def default_cache_dir() -> Path:
    """``$STARSKOPE_CACHE`` or ``~/.cache/starskope`` (never inside the repository)."""
    root = os.environ.get("STARSKOPE_CACHE")
    return Path(root) if root else Path.home() / ".cache" / "starskope"


@dataclass(frozen=True)
class DatasetConfig:
    """How the training set is assembled (all counts are per class, training split only).

    Attributes
    ----------
    seed : int
        Seed for every injected signal (and for the split, when stratified).
    test_fraction : float
        Fraction of each TESS FFI class kept aside by the stratified split.
    split : {'star', 'stratified'}
        ``star``: the project's split by star (:func:`starskope.models.split.kept_aside`,
        about half the stars); ``stratified``: :func:`split_ffi`.
    kepler_eb_windows : int
        27-day windows taken from each Kepler eclipsing binary.
    n_rotational, n_planet, n_other, n_rr_lyrae : int
        Injected light curves of each kind (training split).
    n_injected_test : int
        Injected light curves of each kind (rotational, transit, red noise, flares) in
        kept-aside quiet stars: a held-out check for the types the real set lacks.
    """

    seed: int = DEFAULT_SEED
    test_fraction: float = DEFAULT_TEST_FRACTION
    kepler_eb_windows: int = 5
    n_rotational: int = 300
    n_planet: int = 300
    n_other: int = 250
    n_rr_lyrae: int = 120
    n_injected_test: int = 25
    split: str = "star"

    def __post_init__(self) -> None:
        if self.split not in ("star", "stratified"):
            raise ParameterError(f"split must be 'star' or 'stratified'; got {self.split!r}")

    def cache_name(self) -> str:
        """Feature-cache file name; items are keyed by content, so only the feature
        version matters."""
        return f"features_v{FEATURE_VERSION}.npz"


@dataclass(frozen=True)
class TrainingItem:
    """One labelled light curve (real, or a recipe for an injected one).

    Attributes
    ----------
    key : str
        Unique name of the content: 'ffi:tess/ffi/….fits.gz' for a real file, else
        '<split>:<kind>[:<source>]:<carrier>:<seed>' for an injected recipe.
    star_type : str
    split : str
        'train' or 'test'.
    origin : str
        'tess_ffi', 'kepler_eb' or 'injected'.
    group : str
        Target identifier, used to keep one star on one side of the split.
    path : str
        Light-curve file (relative to the shared data folder) or the carrier for
        injected items.
    recipe : dict
        What to inject ('kind', 'seed', template info).
    """

    key: str
    star_type: str
    split: str
    origin: str
    group: str
    path: str
    recipe: dict[str, Any] = field(default_factory=dict)


# --------------------------------------------------------------------------- reading


def read_light_curve_arrays(path: str | Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(time BJD_TDB days, flux, quality) of a light-curve file, read by
    :func:`starskope.io.read` like every other light curve (the Kepler EB set's NPZ files,
    which count days in BKJD, are read as Kepler's).

    Raises
    ------
    LightCurveFileError
        The file cannot be read.
    """
    from ..io import read
    from ..lightcurve import arrays

    path = Path(path)
    with warnings.catch_warnings():
        # the training set's own files: what the reader assumed is in each one's provenance
        warnings.simplefilter("ignore", StarskopeWarning)
        lc = read(path, mission="Kepler" if path.suffix == ".npz" else None)
    a = arrays(lc)
    return a.time, a.flux, a.quality


# --------------------------------------------------------------------------- the items


def split_ffi(rows: Sequence[dict[str, str]], *, seed: int, test_fraction: float) -> dict[str, str]:
    """Stratified split of TESS FFI manifest rows by star type: file → 'train'/'test'.

    Every class keeps at least one star on each side when it has two or more.
    """
    rng = np.random.default_rng(seed)
    by_type: dict[str, list[str]] = {}
    for r in sorted(rows, key=lambda r: r["file"]):
        by_type.setdefault(star_type_from_label(r["class"]), []).append(r["file"])
    out: dict[str, str] = {}
    for st in sorted(by_type):
        files = by_type[st]
        order = rng.permutation(len(files))
        n_test = round(test_fraction * len(files))
        if len(files) >= 2:
            n_test = min(max(n_test, 1), len(files) - 1)
        for rank, i in enumerate(order):
            out[files[i]] = "test" if rank < n_test else "train"
    return out


def _manifest(shared_data: Path) -> list[dict[str, str]]:
    path = Path(shared_data) / "manifest.csv"
    if not path.exists():
        raise CatalogError(f"{path}: manifest not found; is the shared data folder right?")
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


def build_items(shared_data: Path, config: DatasetConfig | None = None) -> list[TrainingItem]:
    """Every labelled item of the star-type set (real files and injection recipes)."""
    config = config or DatasetConfig()
    shared_data = Path(shared_data)
    rows = _manifest(shared_data)
    ffi = [r for r in rows if r["file"].startswith("tess/ffi/")]
    if config.split == "star":
        split = {r["file"]: "test" if kept_aside(r["target_id"]) else "train" for r in ffi}
    else:
        split = split_ffi(ffi, seed=config.seed, test_fraction=config.test_fraction)
    items: list[TrainingItem] = []
    for r in sorted(ffi, key=lambda r: r["file"]):
        items.append(TrainingItem(
            key=f"ffi:{r['file']}", star_type=star_type_from_label(r["class"]),
            split=split[r["file"]], origin="tess_ffi", group=r["target_id"], path=r["file"],
        ))
    test_tics = {int(i.group.split()[-1]) for i in items if i.split == "test"}
    carriers = sorted(i.path for i in items if i.split == "train" and i.star_type == "non_variable")
    rrl_train = sorted(i.path for i in items if i.split == "train" and i.star_type == "rr_lyrae")
    rng = np.random.default_rng([config.seed, 1])

    kic2tic = kic_to_tic_map(shared_data / "catalogs")
    for r in sorted((r for r in rows if r["file"].startswith("kepler/eb/")), key=lambda r: r["file"]):
        kic = int(r["target_id"].split()[-1])
        if kic2tic.get(kic) in test_tics or (config.split == "star" and kept_aside(r["target_id"])):
            continue
        for w in range(config.kepler_eb_windows):
            items.append(TrainingItem(
                key="", star_type="eclipsing_binary", split="train",
                origin="kepler_eb", group=r["target_id"], path=str(rng.choice(carriers)),
                recipe={"kind": "kepler_eb", "eb_file": r["file"], "window": w,
                        "seed": int(rng.integers(2**31))},
            ))
    plan = [("rotational", "rotational", config.n_rotational),
            ("planet_host", "transit", config.n_planet),
            ("other", "red_noise", config.n_other // 2),
            ("other", "flares", config.n_other - config.n_other // 2),
            ("rr_lyrae", "rr_lyrae_template", config.n_rr_lyrae if rrl_train else 0)]
    for star_type, kind, n in plan:
        for k in range(n):
            recipe: dict[str, Any] = {"kind": kind, "seed": int(rng.integers(2**31))}
            if kind == "rr_lyrae_template":
                recipe["template"] = rrl_train[k % len(rrl_train)]
            items.append(TrainingItem(
                key="", star_type=star_type, split="train", origin="injected",
                group=f"inj:{kind}:{k}", path=str(rng.choice(carriers)), recipe=recipe,
            ))
    # the same kinds injected into kept-aside quiet stars (a separate random stream, so the
    # training recipes do not depend on this count)
    test_carriers = sorted(i.path for i in items if i.split == "test" and i.star_type == "non_variable")
    rng_test = np.random.default_rng([config.seed, 2])
    for star_type, kind, _ in plan[:4]:
        for k in range(config.n_injected_test):
            recipe = {"kind": kind, "seed": int(rng_test.integers(2**31))}
            items.append(TrainingItem(
                key="", star_type=star_type, split="test", origin="injected",
                group=f"inj-test:{kind}:{k}", path=str(rng_test.choice(test_carriers)), recipe=recipe,
            ))
    # the key names the content (carrier, recipe), so cached features stay valid whatever
    # the configuration that produced the item
    return [i if i.key else replace(i, key=_recipe_key(i)) for i in items]


def _recipe_key(item: TrainingItem) -> str:
    r = item.recipe
    extra = f":{r['eb_file']}:w{r['window']}" if r["kind"] == "kepler_eb" else ""
    extra += f":{r['template']}" if "template" in r else ""
    return f"{item.split}:{r['kind']}{extra}:{item.path}:{r['seed']}"


def item_arrays(item: TrainingItem, shared_data: Path) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    """(time BJD days, flux, quality) of an item, injecting its signal if it has a recipe."""
    from . import synthetic

    shared_data = Path(shared_data)
    time, flux, quality = read_light_curve_arrays(shared_data / item.path)
    kind = item.recipe.get("kind")
    if kind is None:
        return time, flux, quality
    good = np.isfinite(time) & np.isfinite(flux)
    time, flux, quality = time[good], flux[good], quality[good]
    rng = np.random.default_rng(item.recipe["seed"])
    t_rel = time - time[0]
    if kind == "kepler_eb":
        kt, kf, _ = read_light_curve_arrays(shared_data / item.recipe["eb_file"])
        ok = np.isfinite(kt) & np.isfinite(kf)
        kt, kf = kt[ok], kf[ok] / np.median(kf[ok])
        span = float(t_rel[-1])
        start = kt[0] + rng.uniform(0, max(kt[-1] - kt[0] - span, 0.0))
        signal = np.interp(start + t_rel, kt, kf) - 1.0
    elif kind == "rotational":
        signal, _ = synthetic.spotted_star_signal(t_rel, rng)
    elif kind == "transit":
        rel = flux / np.median(flux)
        noise = point_to_point_std(rel, center=0.0)
        signal, _ = synthetic.transit_signal(t_rel, rng, noise=noise)
    elif kind == "red_noise":
        signal, _ = synthetic.red_noise_signal(t_rel, rng)
    elif kind == "flares":
        signal, _ = synthetic.flare_signal(t_rel, rng)
    elif kind == "rr_lyrae_template":
        tt, tf, _ = read_light_curve_arrays(shared_data / item.recipe["template"])
        ok = np.isfinite(tt) & np.isfinite(tf)
        tt, tf = tt[ok] - tt[ok][0], tf[ok] / np.median(tf[ok]) - 1.0
        fs = light_curve_features(tt + get_mission("TESS").bjd_offset, tf + 1.0, source=item.recipe["template"])
        signal, _ = synthetic.fourier_template_signal(t_rel, tt, tf, fs.values["f1_cpd"], rng)
    else:  # pragma: no cover - recipes come from build_items
        raise ValueError(f"unknown recipe kind {kind!r}")
    return time, flux * (1.0 + signal), quality


# --------------------------------------------------------------------------- features


@dataclass
class FeatureTable:
    """Features of many light curves, row-aligned.

    Attributes
    ----------
    keys, star_type, split, origin, group : ndarray of str
    X : ndarray, shape (n, len(FEATURE_NAMES))
        Readable features.
    spectrum : ndarray, shape (n, SPECTRUM_BINS)
    shape : ndarray, shape (n, SHAPE_BINS)
    """

    keys: np.ndarray
    star_type: np.ndarray
    split: np.ndarray
    origin: np.ndarray
    group: np.ndarray
    X: np.ndarray
    spectrum: np.ndarray
    shape: np.ndarray

    def __len__(self) -> int:
        return int(self.keys.size)

    def subset(self, mask: np.ndarray) -> FeatureTable:
        return FeatureTable(**{k: getattr(self, k)[mask] for k in self.__dataclass_fields__})

    def save(self, path: Path) -> None:
        """Write the table (with the feature version and names) atomically to ``path``."""
        _atomic_savez(Path(path), feature_names=np.array(FEATURE_NAMES),
                      feature_version=np.array(FEATURE_VERSION),
                      **{k: getattr(self, k) for k in self.__dataclass_fields__})

    @classmethod
    def load(cls, path: Path) -> FeatureTable:
        """Read a table written by :meth:`save`.

        Raises
        ------
        ModelFileError
            The file holds features of another :data:`~.features.FEATURE_VERSION` or
            other feature names (stale features are never reused).
        """
        with np.load(path, allow_pickle=False) as data:
            version = int(data["feature_version"]) if "feature_version" in data.files else None
            if version != FEATURE_VERSION:
                raise ModelFileError(f"{path}: feature cache of feature version {version}; this code "
                                     f"computes version {FEATURE_VERSION}")
            if tuple(data["feature_names"]) != FEATURE_NAMES:
                raise ModelFileError(f"{path}: feature names differ from this version's")
            return cls(**{k: data[k] for k in cls.__dataclass_fields__})


def _atomic_savez(path: Path, **arrays: Any) -> None:
    path.parent.mkdir(parents=True, exist_ok=True)
    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            np.savez_compressed(fh, **arrays)
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def _item_features(args: tuple[TrainingItem, str]) -> tuple[str, np.ndarray, np.ndarray, np.ndarray] | tuple[str, str]:
    item, shared = args
    try:
        time, flux, quality = item_arrays(item, Path(shared))
        fs = light_curve_features(time, flux, quality, source=item.key)
    except Exception as exc:  # one bad file must not stop the whole set
        return item.key, f"{type(exc).__name__}: {exc}"
    return item.key, fs.vector(), fs.spectrum, fs.shape


def compute_feature_table(
    items: Iterable[TrainingItem],
    shared_data: Path,
    *,
    cache_path: Path | None = None,
    n_jobs: int = 1,
    progress: Callable[[int, int], None] | None = None,
    checkpoint_every: int = 200,
) -> FeatureTable:
    """Features of every item, computed once and cached.

    Parameters
    ----------
    items : iterable of TrainingItem
    shared_data : Path
        The shared data folder.
    cache_path : Path, optional
        ``.npz`` that holds the finished (or partial) table; items already in it are
        not recomputed, and partial progress is checkpointed atomically.
    n_jobs : int
        Worker processes (1 = in this process).
    progress : callable, optional
        Called as ``progress(done, total)``.

    Items whose light curve cannot be read or measured are skipped with a
    :class:`~starskope.errors.StarskopeWarning` naming them.
    """
    items = list(items)
    done: dict[str, tuple[np.ndarray, np.ndarray, np.ndarray]] = {}
    if cache_path is not None and Path(cache_path).exists():
        try:
            old = FeatureTable.load(Path(cache_path))
            for i, key in enumerate(old.keys):
                done[str(key)] = (old.X[i], old.spectrum[i], old.shape[i])
        except (OSError, ValueError, KeyError) as exc:
            warnings.warn(f"{cache_path}: unreadable feature cache, recomputing ({exc})",
                          StarskopeWarning, stacklevel=2)
    todo = [it for it in items if it.key not in done]
    failures: list[str] = []

    def table() -> FeatureTable:
        keep = [it for it in items if it.key in done]
        n = len(keep)
        return FeatureTable(
            keys=np.array([it.key for it in keep], dtype=str),
            star_type=np.array([it.star_type for it in keep], dtype=str),
            split=np.array([it.split for it in keep], dtype=str),
            origin=np.array([it.origin for it in keep], dtype=str),
            group=np.array([it.group for it in keep], dtype=str),
            X=np.array([done[it.key][0] for it in keep]).reshape(n, len(FEATURE_NAMES)),
            spectrum=np.array([done[it.key][1] for it in keep]).reshape(n, SPECTRUM_BINS),
            shape=np.array([done[it.key][2] for it in keep]).reshape(n, SHAPE_BINS),
        )

    def handle(res: Any, count: int) -> None:
        if len(res) == 2:
            failures.append(f"{res[0]} ({res[1]})")
        else:
            done[res[0]] = (res[1], res[2], res[3])
        if progress is not None:
            progress(count, len(todo))
        if cache_path is not None and count % checkpoint_every == 0:
            table().save(Path(cache_path))

    args = [(it, str(shared_data)) for it in todo]
    from ..executors import executor_for

    with executor_for(n_jobs if n_jobs > 1 and len(args) > 1 else 1) as executor:
        for count, (_, res) in enumerate(executor.map(_item_features, args), start=1):
            handle(res, count)
    if failures:
        warnings.warn(f"{len(failures)} light curves skipped: " + "; ".join(failures[:10]),
                      StarskopeWarning, stacklevel=2)
    result = table()
    if cache_path is not None and todo:
        result.save(Path(cache_path))
    unknown = set(result.star_type) - set(STAR_TYPES)
    if unknown:  # pragma: no cover - guarded by star_type_from_label
        raise ValueError(f"unknown star types in the table: {sorted(unknown)}")
    return result
