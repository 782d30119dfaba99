"""The model inputs of many stars: views, spectrograms, scalar features and metadata.

:func:`extract_features` turns a list of :class:`StarData` (each star's cleaned arrays, its
best candidate and vetting row) into a :class:`FeatureSet`, the one input type of every
starskope classifier. A FeatureSet also carries the raw table flux of each star when it
came from a Kaggle-layout table (the input of the reproduced original CNN), the labels
when known, and per-star metadata (file, target, mission, ephemeris). It saves to and
loads from a single ``.npz`` without pickle.
"""

from __future__ import annotations

import json
import os
from collections.abc import Callable, Sequence
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError, ParameterError
from .eclipses import eclipse_features_of
from .scalars import (
    FEATURE_VERSION,
    SCALAR_NAMES,
    lightcurve_features,
    search_features,
    vetting_features,
    view_features,
)
from .spectrogram import SpectrogramSpec, spectrogram_image
from .views import VIEW_NAMES, ViewSpec, normalize_views, star_views

__all__ = ["META_COLUMNS", "FeatureSet", "StarData", "extract_features", "star_features"]

#: Per-star metadata columns of a FeatureSet (strings and floats).
META_COLUMNS: tuple[str, ...] = (
    "file",
    "target_id",
    "mission",
    "period_days",
    "epoch_bjd",
    "depth_ppm",
    "duration_hours",
    "snr",
    "n_transits",
    "planet_radius_earth",
    "flags",
)
_STRING_META = ("file", "target_id", "mission", "flags")
_FORMAT = "starskope-features"
_FORMAT_VERSION = 1


@dataclass
class StarData:
    """One star, ready for feature extraction (plain arrays).

    Attributes
    ----------
    time : ndarray
        Times, BJD_TDB days.
    flux : ndarray
        Cleaned, detrended flux normalised to ≈ 1.
    raw_flux : ndarray or None
        Normalised flux before detrending (shows stellar variability).
    candidate : TransitCandidate or None
        The star's best candidate (None: no dip at all).
    vetting : dict or None
        ``VettingReport.as_row()`` of the candidate (None: not vetted).
    file, target_id, mission : str
        Provenance.
    flags : str
        Vetting flags, ``;``-separated.
    table_flux : ndarray or None
        The star's raw row of a Kaggle-layout table (input of the original CNN).
    """

    time: np.ndarray
    flux: np.ndarray
    raw_flux: np.ndarray | None = None
    candidate: Any | None = None
    vetting: dict[str, float] | None = None
    file: str = ""
    target_id: str = ""
    mission: str = ""
    flags: str = ""
    table_flux: np.ndarray | None = None


@dataclass
class FeatureSet:
    """Model inputs of ``n`` stars.

    Attributes
    ----------
    views : dict of str to ndarray
        ``global`` (n, n_global), ``local``/``odd``/``even``/``secondary`` (n, n_local),
        float32, normalised (baseline 0, primary depth −1).
    spectrogram : ndarray, shape (n, n_freq, n_time), float32
    scalars : ndarray, shape (n, n_scalars), float64 (NaN: not measured)
    scalar_names : tuple of str
    meta : dict of str to ndarray
        :data:`META_COLUMNS`.
    labels : ndarray of int or None
        Class indices (positions in :data:`starskope.models.labels.CLASSES`).
    table_flux : ndarray or None, shape (n, n_cadences)
        Raw Kaggle-table rows (for the original CNN).
    spec : dict
        View and spectrogram sizes used.
    """

    views: dict[str, np.ndarray]
    spectrogram: np.ndarray
    scalars: np.ndarray
    scalar_names: tuple[str, ...] = SCALAR_NAMES
    meta: dict[str, np.ndarray] = field(default_factory=dict)
    labels: np.ndarray | None = None
    table_flux: np.ndarray | None = None
    spec: dict[str, Any] = field(default_factory=dict)

    def __post_init__(self) -> None:
        n = self.scalars.shape[0]
        for name, v in self.views.items():
            if v.shape[0] != n:
                raise ParameterError(f"view {name!r} has {v.shape[0]} rows; scalars have {n}")
        if self.spectrogram.shape[0] != n:
            raise ParameterError(f"spectrogram has {self.spectrogram.shape[0]} rows; scalars have {n}")
        if self.scalars.shape[1] != len(self.scalar_names):
            raise ParameterError(f"{self.scalars.shape[1]} scalar columns but {len(self.scalar_names)} names")
        if self.labels is not None and len(self.labels) != n:
            raise ParameterError(f"{len(self.labels)} labels for {n} stars")
        if self.table_flux is not None and self.table_flux.shape[0] != n:
            raise ParameterError(f"table_flux has {self.table_flux.shape[0]} rows for {n} stars")
        for k, v in self.meta.items():
            if len(v) != n:
                raise ParameterError(f"meta column {k!r} has {len(v)} rows for {n} stars")

    def __len__(self) -> int:
        return int(self.scalars.shape[0])

    def __repr__(self) -> str:
        lab = "unlabelled" if self.labels is None else f"labels {np.bincount(self.labels, minlength=4).tolist()}"
        return f"<FeatureSet {len(self)} stars, {len(self.scalar_names)} scalars, {lab}>"

    def subset(self, index: Any) -> FeatureSet:
        """The stars at ``index`` (integer array, slice or boolean mask)."""
        idx = np.arange(len(self))[index]
        return FeatureSet(
            views={k: v[idx] for k, v in self.views.items()},
            spectrogram=self.spectrogram[idx],
            scalars=self.scalars[idx],
            scalar_names=self.scalar_names,
            meta={k: v[idx] for k, v in self.meta.items()},
            labels=None if self.labels is None else self.labels[idx],
            table_flux=None if self.table_flux is None else self.table_flux[idx],
            spec=dict(self.spec),
        )

    def with_labels(self, labels: np.ndarray | None) -> FeatureSet:
        """A copy sharing the arrays, with ``labels`` replaced."""
        out = self.subset(slice(None))
        out.labels = None if labels is None else np.asarray(labels, dtype=np.int64)
        out.__post_init__()
        return out

    def scalar(self, name: str) -> np.ndarray:
        """One scalar feature column by name."""
        try:
            return self.scalars[:, self.scalar_names.index(name)]
        except ValueError:
            raise ParameterError(f"no scalar feature {name!r}; known: {', '.join(self.scalar_names)}") from None

    @staticmethod
    def concat(parts: Sequence[FeatureSet]) -> FeatureSet:
        """Stars of several FeatureSets (same view sizes and scalar names) in one."""
        if not parts:
            raise ParameterError("concat needs at least one FeatureSet")
        names = parts[0].scalar_names
        for p in parts[1:]:
            if p.scalar_names != names or set(p.views) != set(parts[0].views):
                raise ParameterError("FeatureSets to concatenate must have the same views and scalar names")
        labels = None
        if all(p.labels is not None for p in parts):
            labels = np.concatenate([p.labels for p in parts])
        table = None
        if all(p.table_flux is not None for p in parts) and len({p.table_flux.shape[1] for p in parts}) == 1:
            table = np.concatenate([p.table_flux for p in parts])
        keys = set.intersection(*(set(p.meta) for p in parts))
        return FeatureSet(
            views={k: np.concatenate([p.views[k] for p in parts]) for k in parts[0].views},
            spectrogram=np.concatenate([p.spectrogram for p in parts]),
            scalars=np.concatenate([p.scalars for p in parts]),
            scalar_names=names,
            meta={k: np.concatenate([p.meta[k] for p in parts]) for k in keys},
            labels=labels,
            table_flux=table,
            spec=dict(parts[0].spec),
        )

    # ------------------------------------------------------------------ persistence
    def save(self, path: str | os.PathLike[str]) -> Path:
        """Write to one ``.npz`` (no pickle), atomically: the folder is created if
        missing, and an interrupted write leaves no partial file behind."""
        path = Path(path)
        arrays: dict[str, np.ndarray] = {f"view_{k}": v for k, v in self.views.items()}
        arrays["spectrogram"] = self.spectrogram
        arrays["scalars"] = self.scalars
        arrays["scalar_names"] = np.asarray(self.scalar_names, dtype=str)
        for k, v in self.meta.items():
            text = k in _STRING_META or np.asarray(v).dtype.kind in "OUS"
            arrays[f"meta_{k}"] = np.asarray(v, dtype=str) if text else np.asarray(v, dtype=float)
        if self.labels is not None:
            arrays["labels"] = self.labels
        if self.table_flux is not None:
            arrays["table_flux"] = self.table_flux
        arrays["header"] = np.asarray(json.dumps({"format": _FORMAT, "format_version": _FORMAT_VERSION, "spec": self.spec}))
        path.parent.mkdir(parents=True, exist_ok=True)
        tmp = path.with_name(f".{path.name}.{os.getpid()}.partial.npz")  # savez wants the .npz ending
        try:
            np.savez_compressed(tmp, **arrays)
            os.replace(tmp, path)
        finally:
            tmp.unlink(missing_ok=True)
        return path

    @classmethod
    def load(cls, path: str | os.PathLike[str]) -> FeatureSet:
        """Read a FeatureSet written by :meth:`save`.

        Raises
        ------
        ModelFileError
            Missing or unreadable file, or not a starskope feature file.
        """
        path = Path(path)
        try:
            with np.load(path, allow_pickle=False) as z:
                data = {k: z[k] for k in z.files}
        except FileNotFoundError:
            raise ModelFileError(f"{path}: feature file not found") from None
        except Exception as exc:
            raise ModelFileError(f"{path}: cannot read feature file ({type(exc).__name__}: {exc})") from None
        try:
            header = json.loads(str(data["header"]))
            assert header["format"] == _FORMAT
        except Exception:
            raise ModelFileError(f"{path}: not a starskope feature file (no valid header)") from None
        if header.get("format_version", 0) > _FORMAT_VERSION:
            raise ModelFileError(f"{path}: feature file format_version {header['format_version']} is newer than this starskope reads")
        meta = {k[5:]: (v.astype(object) if v.dtype.kind in "US" else v) for k, v in data.items() if k.startswith("meta_")}
        return cls(
            views={k[5:]: v for k, v in data.items() if k.startswith("view_")},
            spectrogram=data["spectrogram"],
            scalars=data["scalars"],
            scalar_names=tuple(str(s) for s in data["scalar_names"]),
            meta=meta,
            labels=data.get("labels"),
            table_flux=data.get("table_flux"),
            spec=header.get("spec", {}),
        )


def star_features(
    star: StarData, *, view_spec: ViewSpec | None = None, spectrogram_spec: SpectrogramSpec | None = None
) -> tuple[dict[str, np.ndarray], np.ndarray, np.ndarray]:
    """Views, spectrogram image and scalar vector of one star.

    Returns
    -------
    views : dict of ndarray
        Normalised views (zeros when the star has no candidate).
    image : ndarray, shape (n_freq, n_time)
    scalars : ndarray, shape (len(SCALAR_NAMES),)
    """
    view_spec = view_spec or ViewSpec()
    spectrogram_spec = spectrogram_spec or SpectrogramSpec()
    t = np.asarray(star.time, float)
    f = np.asarray(star.flux, float)
    ok = np.isfinite(t) & np.isfinite(f)
    raw = None if star.raw_flux is None else np.asarray(star.raw_flux, float)
    cand = star.candidate
    row: dict[str, float] = {}
    row.update(search_features(cand))
    depth = cand.depth_ppm * 1e-6 if cand is not None else float("nan")
    row.update(vetting_features(star.vetting, depth_ppm=cand.depth_ppm if cand is not None else float("nan")))
    if cand is not None and ok.sum() >= 3:
        sec_phase = float((star.vetting or {}).get("secondary_phase", 0.5))
        raw_views = star_views(t[ok], f[ok], cand.period_days, cand.epoch_bjd, cand.duration_days,
                               spec=view_spec, secondary_phase=sec_phase)
        views, _ = normalize_views(raw_views, depth)
        row.update(view_features(views, view_spec.local_durations))
    else:
        views = {
            name: np.zeros(view_spec.n_global if name == "global" else view_spec.n_local, np.float32) for name in VIEW_NAMES
        }
        row.update(view_features(views, view_spec.local_durations))
        row.update({k: float("nan") for k in ("view_local_snr", "view_odd_even_difference",
                                               "view_secondary_over_depth", "view_global_min_outside",
                                               "view_local_asymmetry")})
    row.update(lightcurve_features(t[ok], f[ok], None if raw is None else raw[ok]))
    if cand is not None and ok.sum() >= 3:
        row.update(eclipse_features_of(t[ok], f[ok], None if raw is None else raw[ok], cand, views,
                                       view_spec.local_durations))
    src = raw if raw is not None and np.isfinite(raw[ok]).sum() >= 2 else f
    if ok.sum() >= 2:
        image = spectrogram_image(t[ok], src[ok], spec=spectrogram_spec)
    else:
        image = np.zeros((spectrogram_spec.n_freq, spectrogram_spec.n_time), np.float32)
    scalars = np.array([row.get(k, float("nan")) for k in SCALAR_NAMES], dtype=np.float64)
    return views, image, scalars


def extract_features(
    stars: Sequence[StarData],
    *,
    labels: Sequence[int] | np.ndarray | None = None,
    view_spec: ViewSpec | None = None,
    spectrogram_spec: SpectrogramSpec | None = None,
    progress: Callable[[int, int], None] | None = None,
) -> FeatureSet:
    """Build the FeatureSet of many stars.

    Parameters
    ----------
    stars : sequence of StarData
    labels : sequence of int, optional
        Class indices, one per star.
    view_spec, spectrogram_spec : optional
        View and spectrogram sizes (defaults: 2001/201 bins, 48 × 16 image).
    progress : callable, optional
        Called as ``progress(done, total)`` after each star.

    Returns
    -------
    FeatureSet
    """
    view_spec = view_spec or ViewSpec()
    spectrogram_spec = spectrogram_spec or SpectrogramSpec()
    n = len(stars)
    views = {name: np.zeros((n, view_spec.n_global if name == "global" else view_spec.n_local), np.float32)
             for name in VIEW_NAMES}
    images = np.zeros((n, spectrogram_spec.n_freq, spectrogram_spec.n_time), np.float32)
    scalars = np.full((n, len(SCALAR_NAMES)), np.nan)
    meta: dict[str, list[Any]] = {k: [] for k in META_COLUMNS}
    table_rows = []
    for i, star in enumerate(stars):
        v, img, s = star_features(star, view_spec=view_spec, spectrogram_spec=spectrogram_spec)
        for name in VIEW_NAMES:
            views[name][i] = v[name]
        images[i] = img
        scalars[i] = s
        c = star.candidate
        vrow = star.vetting or {}
        meta["file"].append(star.file)
        meta["target_id"].append(star.target_id)
        meta["mission"].append(star.mission)
        meta["period_days"].append(c.period_days if c is not None else np.nan)
        meta["epoch_bjd"].append(c.epoch_bjd if c is not None else np.nan)
        meta["depth_ppm"].append(c.depth_ppm if c is not None else np.nan)
        meta["duration_hours"].append(c.duration_hours if c is not None else np.nan)
        meta["snr"].append(float(c.snr) if c is not None else np.nan)
        meta["n_transits"].append(float(c.n_transits) if c is not None else np.nan)
        meta["planet_radius_earth"].append(float(vrow.get("radius_rearth", np.nan)))
        meta["flags"].append(star.flags)
        table_rows.append(star.table_flux)
        if progress is not None:
            progress(i + 1, n)
    table = None
    if n and all(r is not None for r in table_rows) and len({np.shape(r) for r in table_rows}) == 1:
        table = np.asarray(table_rows, dtype=np.float64)
    meta_arr = {k: (np.asarray(v, dtype=object) if k in _STRING_META else np.asarray(v, dtype=float)) for k, v in meta.items()}
    lab = None if labels is None else np.asarray(labels, dtype=np.int64)
    return FeatureSet(views=views, spectrogram=images, scalars=scalars, scalar_names=SCALAR_NAMES, meta=meta_arr,
                      labels=lab, table_flux=table,
                      spec={"feature_version": FEATURE_VERSION, "views": view_spec.as_dict(),
                            "spectrogram": spectrogram_spec.as_dict()})
