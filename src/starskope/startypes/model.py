"""The star-type classifier: readable features + a learned representation → boosted trees.

The learned representation is principal-component analysis (PCA) of two fixed-length
vectors every light curve yields: the log amplitude spectrum on a log-frequency grid and
the phase-folded shape (:mod:`.features`). The first components of each (fitted on the
training split only) summarise what the hand-made features miss: the whole pattern of
peaks in the periodogram, and the whole eclipse or pulsation profile.

The classifier is scikit-learn's ``HistGradientBoostingClassifier`` with balanced class
weights. A model is saved as ``model.json`` (configuration, version, class and feature
names, training summary, metrics) beside ``model.npz`` (PCA means and components, and the
trees as flat arrays, :mod:`.trees`); loading never unpickles.
"""

from __future__ import annotations

import json
import zipfile
from dataclasses import dataclass
from functools import lru_cache
from importlib import resources
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ModelFileError, ParameterError
from .classes import STAR_TYPES
from .features import FEATURE_NAMES, FEATURE_VERSION, SHAPE_BINS, SPECTRUM_BINS
from .trees import TreeEnsemble, export_trees

__all__ = [
    "MODEL_FEATURES",
    "MODEL_FORMAT",
    "MODEL_VERSION",
    "SELECTION_FEATURES",
    "PrincipalComponents",
    "StarTypeModel",
    "default_model_dir",
    "load_default_model",
]

MODEL_FORMAT = "starskope-startype-model"
MODEL_VERSION = 1

#: Readable features computed and reported but kept out of the classifier: they follow
#: how the catalogue samples were chosen (star brightness → white-noise level; which
#: sectors → time span) rather than what the star does. Leaving them out costs nothing
#: on the held-out set (macro-F1 0.871 without vs 0.870 with, feature version 3) and
#: keeps the model from learning the selection.
SELECTION_FEATURES: tuple[str, ...] = ("span_d", "n_points", "std_ppt", "p2p_ppt")
#: Readable features the classifier uses, in column order.
MODEL_FEATURES: tuple[str, ...] = tuple(n for n in FEATURE_NAMES if n not in SELECTION_FEATURES)
_MODEL_INDEX = np.array([FEATURE_NAMES.index(n) for n in MODEL_FEATURES])


@dataclass(frozen=True)
class PrincipalComponents:
    """A PCA projection: ``(x - mean) @ components.T``.

    Attributes
    ----------
    mean : ndarray, shape (d,)
    components : ndarray, shape (k, d)
        Orthonormal rows, largest variance first; each row's largest |loading| is positive.
    explained_variance_ratio : ndarray, shape (k,)
    """

    mean: np.ndarray
    components: np.ndarray
    explained_variance_ratio: np.ndarray

    @classmethod
    def fit(cls, data: np.ndarray, n_components: int) -> PrincipalComponents:
        data = np.asarray(data, dtype=np.float64)
        if not np.isfinite(data).all():
            raise ParameterError("PCA input contains NaN or infinite values")
        mean = data.mean(axis=0)
        _, s, vt = np.linalg.svd(data - mean, full_matrices=False)
        comps = vt[:n_components]
        signs = np.sign(comps[np.arange(comps.shape[0]), np.argmax(np.abs(comps), axis=1)])
        comps = comps * signs[:, None]
        var = s**2
        return cls(mean, comps, var[:n_components] / var.sum())

    def transform(self, data: np.ndarray) -> np.ndarray:
        data = np.nan_to_num(np.asarray(data, dtype=np.float64), nan=0.0, posinf=0.0, neginf=0.0)
        return (data - self.mean) @ self.components.T


class StarTypeModel:
    """Star-type classifier (scikit-learn estimator conventions).

    Parameters
    ----------
    n_spectrum_components, n_shape_components : int
        PCA components kept from the spectrum and folded-shape vectors.
    learning_rate, max_iter, max_leaf_nodes, min_samples_leaf, l2_regularization
        Passed to ``HistGradientBoostingClassifier``.
    random_state : int
        Seed of the boosting's internal validation split (fit is deterministic).

    Attributes
    ----------
    classes_ : tuple of str
        Star types the model was trained on (probability columns, in this order).
    spectrum_pca_, shape_pca_ : PrincipalComponents
    trees_ : TreeEnsemble
    estimator_ : HistGradientBoostingClassifier or None
        The scikit-learn model right after :meth:`fit` (``None`` after :meth:`load`).
    info_ : dict
        Free-form training summary and metrics, saved in ``model.json``.
    """

    def __init__(
        self,
        *,
        n_spectrum_components: int = 8,
        n_shape_components: int = 8,
        learning_rate: float = 0.05,
        max_iter: int = 400,
        max_leaf_nodes: int = 15,
        min_samples_leaf: int = 10,
        l2_regularization: float = 1.0,
        random_state: int = 0,
    ) -> None:
        self.n_spectrum_components = n_spectrum_components
        self.n_shape_components = n_shape_components
        self.learning_rate = learning_rate
        self.max_iter = max_iter
        self.max_leaf_nodes = max_leaf_nodes
        self.min_samples_leaf = min_samples_leaf
        self.l2_regularization = l2_regularization
        self.random_state = random_state

    def get_params(self) -> dict[str, Any]:
        return {k: getattr(self, k) for k in (
            "n_spectrum_components", "n_shape_components", "learning_rate", "max_iter",
            "max_leaf_nodes", "min_samples_leaf", "l2_regularization", "random_state")}

    # ------------------------------------------------------------------ columns
    @property
    def column_names(self) -> list[str]:
        """Names of the design-matrix columns (readable features, then PCA scores)."""
        return ([*MODEL_FEATURES]
                + [f"spectrum_pc{i + 1}" for i in range(self.n_spectrum_components)]
                + [f"shape_pc{i + 1}" for i in range(self.n_shape_components)])

    def design_matrix(self, X: np.ndarray, spectrum: np.ndarray, shape: np.ndarray) -> np.ndarray:
        """Readable features followed by the learned (PCA) representation."""
        self._check_fitted()
        X, spectrum, shape = _check_inputs(X, spectrum, shape)
        return np.hstack([X[:, _MODEL_INDEX], self.spectrum_pca_.transform(spectrum),
                          self.shape_pca_.transform(shape)])

    # ------------------------------------------------------------------ fit / predict
    def fit(self, X: np.ndarray, spectrum: np.ndarray, shape: np.ndarray, y: Any) -> StarTypeModel:
        """Fit the PCA representation and the boosted trees.

        Parameters
        ----------
        X : ndarray, shape (n, len(FEATURE_NAMES))
        spectrum : ndarray, shape (n, SPECTRUM_BINS)
        shape : ndarray, shape (n, SHAPE_BINS)
        y : array of str
            Star types (members of :data:`STAR_TYPES`).

        Raises
        ------
        ParameterError
            Shapes disagree, a label is not a star type, or fewer than three types.
        """
        from sklearn.ensemble import HistGradientBoostingClassifier

        X, spectrum, shape = _check_inputs(X, spectrum, shape)
        y = np.asarray(y, dtype=str)
        if y.shape != (X.shape[0],):
            raise ParameterError(f"y must have one label per row ({X.shape[0]}); got shape {y.shape}")
        bad = sorted(str(t) for t in set(y) - set(STAR_TYPES))
        if bad:
            raise ParameterError(f"unknown star types in y: {bad}; known: {', '.join(STAR_TYPES)}")
        present = [t for t in STAR_TYPES if t in set(y)]
        if len(present) < 3:
            raise ParameterError(f"need at least three star types to fit; got {present}")
        self.spectrum_pca_ = PrincipalComponents.fit(spectrum, self.n_spectrum_components)
        self.shape_pca_ = PrincipalComponents.fit(shape, self.n_shape_components)
        design = np.hstack([X[:, _MODEL_INDEX], self.spectrum_pca_.transform(spectrum),
                            self.shape_pca_.transform(shape)])
        codes = np.array([present.index(t) for t in y])
        est = HistGradientBoostingClassifier(
            learning_rate=self.learning_rate, max_iter=self.max_iter,
            max_leaf_nodes=self.max_leaf_nodes, min_samples_leaf=self.min_samples_leaf,
            l2_regularization=self.l2_regularization, class_weight="balanced",
            early_stopping=True, validation_fraction=0.15, n_iter_no_change=25,
            random_state=self.random_state,
        )
        est.fit(design, codes)
        self.estimator_ = est
        self.classes_ = tuple(present)
        self.trees_ = export_trees(est)
        self.info_: dict[str, Any] = {"n_train": int(X.shape[0]), "n_iter": int(est.n_iter_),
                                      "train_counts": {t: int((y == t).sum()) for t in present}}
        return self

    def predict_proba(self, X: np.ndarray, spectrum: np.ndarray, shape: np.ndarray) -> np.ndarray:
        """Probabilities, shape (n, len(classes_)), columns in :attr:`classes_` order."""
        self._check_fitted()
        return self.trees_.predict_proba(self.design_matrix(X, spectrum, shape))

    def predict(self, X: np.ndarray, spectrum: np.ndarray, shape: np.ndarray) -> np.ndarray:
        """Most probable star type per row."""
        proba = self.predict_proba(X, spectrum, shape)
        return np.asarray(self.classes_)[np.argmax(proba, axis=1)]

    def _check_fitted(self) -> None:
        if not hasattr(self, "trees_"):
            raise ModelFileError("this StarTypeModel is not fitted; call fit() or StarTypeModel.load()")

    # ------------------------------------------------------------------ save / load
    def save(self, directory: str | Path) -> Path:
        """Write ``model.json`` and ``model.npz`` into ``directory`` (created if needed)."""
        self._check_fitted()
        directory = Path(directory)
        directory.mkdir(parents=True, exist_ok=True)
        meta = {
            "format": MODEL_FORMAT,
            "version": MODEL_VERSION,
            "feature_version": FEATURE_VERSION,
            "classes": list(self.classes_),
            "feature_names": list(FEATURE_NAMES),
            "model_features": list(MODEL_FEATURES),
            "column_names": self.column_names,
            "spectrum_bins": SPECTRUM_BINS,
            "shape_bins": SHAPE_BINS,
            "params": self.get_params(),
            "preprocessing": "startypes.features.light_curve_features: relative flux (ppt), "
                             "30-min bins, Lomb-Scargle to 24 c/d, folds at P1 and 2*P1, BLS on "
                             "1-d running-median-flattened flux, ACF",
            "info": self.info_,
        }
        arrays: dict[str, Any] = {
            "spectrum_mean": self.spectrum_pca_.mean,
            "spectrum_components": self.spectrum_pca_.components,
            "spectrum_evr": self.spectrum_pca_.explained_variance_ratio,
            "shape_mean": self.shape_pca_.mean,
            "shape_components": self.shape_pca_.components,
            "shape_evr": self.shape_pca_.explained_variance_ratio,
            **self.trees_.to_arrays(),
        }
        _atomic_write(directory / "model.npz", lambda fh: np.savez_compressed(fh, **arrays))
        _atomic_write(directory / "model.json",
                      lambda fh: fh.write(json.dumps(meta, indent=1, default=_json_default).encode()))
        return directory

    @classmethod
    def load(cls, directory: str | Path) -> StarTypeModel:
        """Load a model written by :meth:`save`.

        Raises
        ------
        ModelFileError
            Missing files, unreadable JSON or arrays, another format, an incompatible
            version, or a feature version other than this code's.
        """
        directory = Path(directory)
        meta_path, npz_path = directory / "model.json", directory / "model.npz"
        for p in (meta_path, npz_path):
            if not p.is_file():
                raise ModelFileError(f"{p}: star-type model file not found")
        try:
            meta = json.loads(meta_path.read_text())
        except (OSError, UnicodeDecodeError, json.JSONDecodeError) as exc:
            raise ModelFileError(f"{meta_path}: not a readable JSON model description ({exc})") from None
        if not isinstance(meta, dict) or meta.get("format") != MODEL_FORMAT:
            raise ModelFileError(f"{meta_path}: format is {meta.get('format') if isinstance(meta, dict) else meta!r}, "
                                 f"expected {MODEL_FORMAT!r}")
        if meta.get("version") != MODEL_VERSION:
            raise ModelFileError(f"{meta_path}: model version {meta.get('version')} is not supported "
                                 f"(this starskope reads version {MODEL_VERSION})")
        if (meta.get("feature_version") != FEATURE_VERSION or meta.get("feature_names") != list(FEATURE_NAMES)
                or meta.get("model_features") != list(MODEL_FEATURES)):
            raise ModelFileError(
                f"{meta_path}: trained on feature version {meta.get('feature_version')}, this code "
                f"computes version {FEATURE_VERSION}; retrain with `starskope startype train`")
        model = cls(**meta["params"])
        try:
            with np.load(npz_path, allow_pickle=False) as data:
                model.spectrum_pca_ = PrincipalComponents(data["spectrum_mean"], data["spectrum_components"],
                                                          data["spectrum_evr"])
                model.shape_pca_ = PrincipalComponents(data["shape_mean"], data["shape_components"],
                                                       data["shape_evr"])
                model.trees_ = TreeEnsemble.from_arrays(data, source=str(npz_path))
        except ModelFileError:
            raise
        except (OSError, ValueError, KeyError, EOFError, zipfile.BadZipFile) as exc:
            raise ModelFileError(f"{npz_path}: unreadable model arrays ({exc})") from None
        model.classes_ = tuple(meta["classes"])
        if len(model.classes_) != model.trees_.n_classes:
            raise ModelFileError(f"{npz_path}: {model.trees_.n_classes} tree classes but "
                                 f"{len(model.classes_)} class names in model.json")
        if model.trees_.n_features != len(model.column_names):
            raise ModelFileError(f"{npz_path}: trees use {model.trees_.n_features} columns, "
                                 f"expected {len(model.column_names)}")
        model.estimator_ = None
        model.info_ = meta.get("info", {})
        return model


def _check_inputs(X: Any, spectrum: Any, shape: Any) -> tuple[np.ndarray, np.ndarray, np.ndarray]:
    X = np.atleast_2d(np.asarray(X, dtype=np.float64))
    spectrum = np.atleast_2d(np.asarray(spectrum, dtype=np.float64))
    shape = np.atleast_2d(np.asarray(shape, dtype=np.float64))
    if X.shape[1] != len(FEATURE_NAMES):
        raise ParameterError(f"X must have {len(FEATURE_NAMES)} feature columns; got {X.shape[1]}")
    if spectrum.shape != (X.shape[0], SPECTRUM_BINS) or shape.shape != (X.shape[0], SHAPE_BINS):
        raise ParameterError(
            f"spectrum and shape must be ({X.shape[0]}, {SPECTRUM_BINS}) and ({X.shape[0]}, {SHAPE_BINS}); "
            f"got {spectrum.shape} and {shape.shape}")
    return X, spectrum, shape


def _json_default(obj: Any) -> Any:
    if isinstance(obj, np.generic):
        return obj.item()
    if isinstance(obj, np.ndarray):
        return obj.tolist()
    raise TypeError(f"not JSON serialisable: {type(obj).__name__}")


def _atomic_write(path: Path, write: Any) -> None:
    import os
    import tempfile

    fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=path.parent)
    try:
        with os.fdopen(fd, "wb") as fh:
            write(fh)
        os.chmod(tmp, 0o644)  # mkstemp makes 0600; a model file is shared data
        os.replace(tmp, path)
    except BaseException:
        Path(tmp).unlink(missing_ok=True)
        raise


def default_model_dir() -> Path:
    """Folder of the model shipped with starskope (``starskope/data/startypes``)."""
    return Path(str(resources.files("starskope") / "data" / "startypes"))


@lru_cache(maxsize=1)
def load_default_model() -> StarTypeModel:
    """The shipped star-type model (loaded once).

    Raises
    ------
    ModelFileError
        The shipped model is missing; build it with ``starskope startype train``.
    """
    return StarTypeModel.load(default_model_dir())
