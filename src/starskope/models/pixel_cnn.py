"""The computer-vision branch: a small CNN on difference images, and the pixel-aware ensemble.

:class:`PixelCNN` (``pixel-cnn``) reads each star's pixel inputs, which
:func:`starskope.pixels.model_inputs` puts in a FeatureSet's meta when the star came from a
target pixel file or an FFI cutout:

* ``pixel_images`` (n, 3, 11, 11): the stacked in-minus-out-of-transit image in units of its
  error, the same scaled to its peak, and the out-of-transit image scaled to its peak, all
  centred on the target's pixel (Bryson et al. 2013's difference images, as a picture);
* ``pixel_scalars`` (n, 5): present, measured, the difference image's SNR, the offset's
  significance and the offset in pixels (:data:`starskope.pixels.PIXEL_SCALARS`).

Two convolution blocks and a dense head give the four class probabilities. A star without
pixels has zeros there, and the network learns to answer with the class mix alone. The
training augmentation turns and mirrors the images (the target stays at the centre, and
which way a neighbour lies carries no information). :meth:`PixelCNN.saliency` shows which
pixels moved its planet score (gradient × input, Simonyan et al. 2014).

:class:`PixelEnsemble` (``pixel-ensemble``) puts it beside a light-curve model: the
light-curve model (``base``: the shipped default model, a saved model folder, or a registry
name trained here) is kept as it is, the pixel CNN is trained, and a multinomial logistic
stacker learns from out-of-fold pixel-CNN probabilities, the light-curve model's
probabilities and the centroid test's evidence (the offset's significance where it reaches
the ``CENTROID_OFFSET`` flag's distance: the Robovetter's test, which the CNN need not
rediscover) how to combine them — for stars with pixels. The stacker has 37 weights: it
needs a few hundred analysed stars with pixels, including a few dozen background binaries,
to learn them (``benchmarks/pixels.py`` trains it on 1200). A star without pixels gets the
light-curve model's probabilities unchanged, so the pixel-aware model never does worse
where it has nothing new to see. The shipped default model is not retrained, which is why
this is a separate model (``--model``) rather than a fifth member of the default ensemble.

What is left, and what was tried (``benchmarks/pixels.py``'s fields, 2026-12-07). At the
light-curve model's own threshold it calls 17 of the 250 extra background binaries
planets; the pixel-aware model removes all 14 whose offset is flagged and keeps 3 (and
calls one more): two whose difference image does not show the dip (SNR 2.3 and 4.5,
under the 5 needed to locate it: 57 of the 250 binaries are so) and one 0.45 pixel from
the target at 8σ, inside the flag's 0.5 pixel (the simulator puts binaries 0.3–3 pixels
away; 10 of the 250 are located 0.3–0.5 pixel off). Transits on the target
also reach 3–7σ at 0.3–0.5 pixel (7 of the 155 measured hosts of the training and test
fields), so a shorter flag distance would flag planets. Four variants, compared by 5-fold
cross-validation on the training field plus 250 background binaries of another seed, each
called 6 of the light-curve model's 26 binaries planets at its threshold, as the model here
does (five located 0.23–0.32 pixel from the target at 2–4σ, one whose difference image does
not show the dip): the offset's significance at any distance as a further stacker input;
the difference image's SNR over the light curve's (a source off the target loses more of
its light outside the aperture than in the image) as a further input; the 250 binaries in
the stacker's training (at recall 0.7: 34 left instead of 39; at 0.9: 108 instead of 117);
and the pixel CNN's probabilities averaged over five seeds (recall 0.7: 32). None was kept:
the goal's operating point did not move.
"""

from __future__ import annotations

import time
from pathlib import Path
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..features.dataset import FeatureSet
from .base import Progress, StarskopeClassifier, TorchClassifier, check_features, resolve_labels
from .labels import CLASSES, PLANET

__all__ = [
    "PIXEL_KEYS",
    "PixelCNN",
    "PixelEnsemble",
    "background_binaries_at_recall",
    "pixel_inputs",
    "pixel_present",
    "threshold_for_recall",
]

#: The FeatureSet meta keys the pixel model reads.
PIXEL_KEYS: tuple[str, str] = ("pixel_images", "pixel_scalars")
_SIZE = 11
_N_SCALARS = 5


def pixel_inputs(X: FeatureSet) -> dict[str, np.ndarray]:
    """The pixel inputs of every star of ``X`` (zeros for stars, or a FeatureSet, without
    pixels): ``images`` (n, 3, 11, 11) and ``scalars`` (n, 5), float32."""
    n = len(X)
    images = X.meta.get("pixel_images")
    scalars = X.meta.get("pixel_scalars")
    if images is None or scalars is None:
        return {"images": np.zeros((n, 3, _SIZE, _SIZE), np.float32), "scalars": np.zeros((n, _N_SCALARS), np.float32)}
    images = np.asarray(images, np.float32)
    scalars = np.asarray(scalars, np.float32)
    if images.shape[1:] != (3, _SIZE, _SIZE) or scalars.shape[1:] != (_N_SCALARS,):
        raise ParameterError(f"pixel inputs must be (n, 3, {_SIZE}, {_SIZE}) images and (n, {_N_SCALARS}) scalars; "
                             f"got {images.shape} and {scalars.shape}")
    scaled = scalars.copy()
    scaled[:, 2] = np.log1p(np.clip(scaled[:, 2], 0.0, None))  # SNR spans decades
    scaled[:, 3] = np.log1p(np.clip(scaled[:, 3], 0.0, None))
    return {"images": np.nan_to_num(images), "scalars": np.nan_to_num(scaled)}


def pixel_present(X: FeatureSet) -> np.ndarray:
    """Which stars of ``X`` have pixel inputs (bool, shape (n,))."""
    scalars = X.meta.get("pixel_scalars")
    if scalars is None:
        return np.zeros(len(X), bool)
    return np.asarray(scalars, float)[:, 0] > 0.5


def _network(width: int, dropout: float):
    import torch
    from torch import nn

    w = int(width)

    class PixelNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.conv = nn.Sequential(
                nn.Conv2d(3, w, 3, padding=1), nn.ReLU(),
                nn.Conv2d(w, 2 * w, 3, padding=1), nn.ReLU(), nn.MaxPool2d(2),  # 11 → 5
                nn.Conv2d(2 * w, 2 * w, 3, padding=1), nn.ReLU(),
                nn.Flatten(),
            )
            self.scalar = nn.Sequential(nn.Linear(_N_SCALARS, 2 * w), nn.ReLU())
            self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(2 * w * 25 + 2 * w, 4 * w), nn.ReLU(),
                                      nn.Linear(4 * w, len(CLASSES)))

        def forward(self, images, scalars):
            return self.head(torch.cat([self.conv(images), self.scalar(scalars)], dim=1))

    net = PixelNet()
    with torch.no_grad():
        net.eval()
        net(torch.zeros(2, 3, _SIZE, _SIZE), torch.zeros(2, _N_SCALARS))
    return net


def _augment(batch: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    import torch

    images = batch["images"]
    k = int(rng.integers(0, 4))
    if k:
        images = torch.rot90(images, k, dims=(2, 3))
    if rng.random() < 0.5:
        images = torch.flip(images, dims=(3,))
    return {"images": images, "scalars": batch["scalars"]}


class PixelCNN(TorchClassifier):
    """Small 2-D CNN on a star's difference and out-of-transit images (four classes).

    Parameters
    ----------
    width : int
        Filters of the first convolution (the others are multiples).
    dropout, epochs, batch_size, learning_rate, weight_decay, class_weight, patience, seed
        As for every starskope network (:class:`~starskope.models.base.TorchClassifier`).
    """

    model_name = "pixel-cnn"

    def __init__(self, width: int = 8, dropout: float = 0.2, epochs: int = 40, batch_size: int = 64,
                 learning_rate: float = 2e-3, weight_decay: float = 1e-4, class_weight: str | None = "sqrt",
                 patience: int = 6, seed: int = 0) -> None:
        super().__init__(width=width, dropout=dropout, epochs=epochs, batch_size=batch_size,
                         learning_rate=learning_rate, weight_decay=weight_decay, class_weight=class_weight,
                         patience=patience, seed=seed)

    def network_inputs(self, X: FeatureSet) -> dict[str, np.ndarray]:
        return pixel_inputs(X)

    def fit(self, X: Any, y: Any = None, *, progress: Progress | None = None) -> PixelCNN:
        """Train on the pixel inputs of ``X`` (labels ``y`` or ``X.labels``)."""
        X, yi, rng = self._start_fit(X, y)
        from ._torch import limited_threads

        with limited_threads(1):
            self._train(_network(self.width, self.dropout), pixel_inputs(X), yi, augment=_augment, rng=rng,
                        progress=progress)
        self.training_summary_["n_with_pixels"] = int(pixel_present(X).sum())
        return self

    def saliency(self, X: Any, class_name: str = PLANET) -> np.ndarray:
        """Gradient × input of the log-probability of ``class_name`` for each star's images,
        summed over the three channels: (n, 11, 11), positive where a pixel's value argued
        for that class (Simonyan et al. 2014)."""
        import torch

        self._check_fitted()
        X = check_features(X, type(self).__name__)
        if class_name not in CLASSES:
            raise ParameterError(f"unknown class {class_name!r}; classes are {', '.join(CLASSES)}")
        inp = pixel_inputs(X)
        images = torch.from_numpy(inp["images"]).requires_grad_(True)
        scalars = torch.from_numpy(inp["scalars"])
        self.network_.eval()
        logp = torch.log_softmax(self.network_(images, scalars), dim=1)[:, CLASSES.index(class_name)]
        logp.sum().backward()
        return (images.grad * images).sum(dim=1).detach().numpy().astype(np.float64)

    def _export_state(self):
        self._check_fitted()
        return ({"history": self.history_, "training_summary": self.training_summary_},
                dict(self.network_.state_dict()), "torch")

    def _import_state(self, state, arrays, *, classes, members):
        net = _network(self.width, self.dropout)
        net.load_state_dict(arrays)
        net.eval()
        self.network_ = net
        self.history_ = state.get("history", {})
        self.training_summary_ = state.get("training_summary", {})
        self.classes_ = np.asarray(classes, dtype=object)


def _offset_evidence(scalars: np.ndarray) -> np.ndarray:
    """The difference-image centroid test's evidence, per star: log(1 + σ) of the offset
    (σ capped at 30) where the image is measured and the offset reaches the
    ``CENTROID_OFFSET`` flag's distance, else 0 (:data:`starskope.pixels.DIFFERENCE_THRESHOLDS`)."""
    from ..pixels import DIFFERENCE_THRESHOLDS

    x = np.nan_to_num(np.asarray(scalars, float))
    far = (x[:, 1] > 0.5) & (x[:, 4] >= DIFFERENCE_THRESHOLDS["offset_threshold_pixels"])
    return np.where(far, np.log1p(np.clip(x[:, 3], 0.0, 30.0)), 0.0)


def _stack(base_p: np.ndarray, pix_p: np.ndarray, scalars: np.ndarray) -> np.ndarray:
    """The stacker's inputs: the log class probabilities of the light-curve model and of the
    pixel CNN, and the centroid test's evidence (:func:`_offset_evidence`)."""
    return np.concatenate([np.log(np.clip(base_p, 1e-6, 1.0)), np.log(np.clip(pix_p, 1e-6, 1.0)),
                           _offset_evidence(scalars)[:, None]], axis=1)


def _scalars(X: FeatureSet) -> np.ndarray:
    scalars = X.meta.get("pixel_scalars")
    return np.zeros((len(X), _N_SCALARS)) if scalars is None else np.asarray(scalars, float)


class PixelEnsemble(StarskopeClassifier):
    """A light-curve model and the pixel CNN, stacked for the stars that have pixels.

    Parameters
    ----------
    base : str
        The light-curve model: ``"default"`` (the shipped model, kept as it is), the path of
        a saved model folder (kept as it is), or a registry name (trained on the stars given
        to :meth:`fit`, with ``base_params``).
    base_params : dict or None
        Hyperparameters of a base trained here.
    pixel_params : dict or None
        Hyperparameters of the :class:`PixelCNN`.
    n_folds : int
        Folds for the pixel CNN's out-of-fold probabilities that train the stacker.
    C : float
        Inverse regularisation of the logistic stacker.
    seed : int
    """

    model_name = "pixel-ensemble"
    weights_kind = "npz"

    def __init__(self, base: str = "default", base_params: dict[str, Any] | None = None,
                 pixel_params: dict[str, Any] | None = None, n_folds: int = 3, C: float = 1.0, seed: int = 0) -> None:
        self.base = base
        self.base_params = base_params
        self.pixel_params = pixel_params
        self.n_folds = n_folds
        self.C = C
        self.seed = seed

    # ------------------------------------------------------------------ members

    def _base_model(self, X: FeatureSet, yi: np.ndarray) -> tuple[Any, bool]:
        """(the light-curve model, whether it was trained here)."""
        from . import default_model, load_model
        from .registry import MODELS

        if self.base == "default":
            return default_model(), False
        if self.base in MODELS:
            est = MODELS.get(self.base).build(**dict(self.base_params or {}))
            return est.fit(X, yi), True
        if Path(self.base).is_dir():
            return load_model(self.base), False
        known = ", ".join(MODELS.names())
        raise ParameterError(f"base must be 'default', a model folder or a model name ({known}); got {self.base!r}")

    def _pixel_model(self, seed_offset: int = 0) -> PixelCNN:
        params = dict(self.pixel_params or {})
        params["seed"] = int(self.seed) + seed_offset
        return PixelCNN(**params)

    # ------------------------------------------------------------------ fit / predict

    def fit(self, X: Any, y: Any = None, *, pixel_training: FeatureSet | None = None,
            progress: Progress | None = None) -> PixelEnsemble:
        """Keep (or train) the light-curve model, train the pixel CNN, fit the stacker.

        Parameters
        ----------
        X : FeatureSet
            Analysed stars (light-curve inputs, and pixel inputs for those with pixels).
        y : labels, optional
        pixel_training : FeatureSet, optional
            More stars with pixel inputs only (e.g. difference images of simulated scenes
            and of injections into real files) for the pixel CNN; their light-curve inputs
            are not read.
        """
        from sklearn.linear_model import LogisticRegression

        from .ensemble import stratified_folds

        X = check_features(X, type(self).__name__)
        yi = resolve_labels(X, y, type(self).__name__)
        t0 = time.perf_counter()
        base, trained = self._base_model(X, yi)
        extra = None
        if pixel_training is not None:
            extra = check_features(pixel_training, "pixel_training")
            resolve_labels(extra, None, "pixel_training")
        present = pixel_present(X)
        coef = np.zeros((len(CLASSES), 2 * len(CLASSES) + 1))
        intercept = np.zeros(len(CLASSES))
        classes_present = np.arange(len(CLASSES))
        fitted_stacker = False
        if present.sum() >= 2 * int(self.n_folds) and np.unique(yi[present]).size >= 2:
            idx = np.flatnonzero(present)
            fold = stratified_folds(yi[idx], int(self.n_folds), int(self.seed))
            oof = np.zeros((idx.size, len(CLASSES)))
            for k in range(int(self.n_folds)):
                tr, te = idx[fold != k], idx[fold == k]
                train = X.subset(tr) if extra is None else FeatureSet.concat([_pixel_only(X.subset(tr)),
                                                                               _pixel_only(extra)])
                m = self._pixel_model(k + 1).fit(train, None if extra is not None else yi[tr])
                oof[fold == k] = m.predict_proba(X.subset(te))
            Z = _stack(np.asarray(base.predict_proba(X.subset(idx)), float), oof, _scalars(X)[idx])
            stacker = LogisticRegression(C=float(self.C), max_iter=2000)
            stacker.fit(Z, yi[idx])
            classes_present = np.asarray(stacker.classes_, np.int64)
            coef = np.asarray(stacker.coef_, float)
            intercept = np.asarray(stacker.intercept_, float)
            fitted_stacker = True
        final_train = X if extra is None else FeatureSet.concat([_pixel_only(X), _pixel_only(extra)])
        self.pixel_model_ = self._pixel_model().fit(final_train, yi if extra is None else None)
        self.base_model_ = base
        self.base_trained_ = bool(trained)
        # the light-curve model's analysis settings are this model's (options_for follows them)
        self.preprocessing_ = dict(getattr(base, "preprocessing_", None) or {})
        self.coef_, self.intercept_ = coef, intercept
        self.present_classes_ = classes_present
        self.stacked_ = bool(fitted_stacker)
        self._set_classes()
        self.training_summary_ = {"n_stars": int(yi.size), "n_with_pixels": int(present.sum()),
                                  "n_pixel_training": 0 if extra is None else len(extra),
                                  "stacker_fitted": self.stacked_, "base_trained_here": self.base_trained_,
                                  "seconds": round(time.perf_counter() - t0, 1)}
        return self

    def member_probabilities(self, X: Any) -> dict[str, np.ndarray]:
        """The light-curve model's and the pixel CNN's class probabilities."""
        self._check_fitted()
        X = check_features(X, type(self).__name__)
        return {"base": np.asarray(self.base_model_.predict_proba(X), float),
                "pixel-cnn": np.asarray(self.pixel_model_.predict_proba(X), float)}

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities: stacked for stars with pixels, the light-curve model's for the others."""
        from .base import present_class_proba

        members = self.member_probabilities(X)
        out = members["base"].copy()
        present = pixel_present(check_features(X, type(self).__name__))
        if self.stacked_ and present.any():
            Z = _stack(members["base"][present], members["pixel-cnn"][present], _scalars(X)[present])
            # a model saved before the centroid evidence joined the stacker has 8 columns
            raw = Z[:, : self.coef_.shape[1]] @ self.coef_.T + self.intercept_
            out[present] = present_class_proba(raw, self.present_classes_)
        return out

    def decide(self, proba: np.ndarray) -> np.ndarray:
        """Class indices: the light-curve model's planet threshold when it has one, else the
        most probable class."""
        base_decide = getattr(self.base_model_, "decide", None)
        if base_decide is not None:
            return np.asarray(base_decide(proba))
        return np.argmax(proba, axis=1)

    def predict(self, X: Any) -> np.ndarray:
        return np.asarray(self.classes_)[self.decide(self.predict_proba(X))]

    def saliency(self, X: Any, class_name: str = PLANET) -> np.ndarray:
        """The pixel CNN's saliency maps (see :meth:`PixelCNN.saliency`)."""
        self._check_fitted()
        return self.pixel_model_.saliency(X, class_name)

    # ------------------------------------------------------------------ files

    def _export_members(self) -> list[tuple[str, Any]]:
        return [("base", self.base_model_), ("pixel-cnn", self.pixel_model_)]

    def _export_state(self):
        self._check_fitted()
        state = {"present_classes": self.present_classes_.tolist(), "stacked": self.stacked_,
                 "base_trained_here": self.base_trained_, "training_summary": self.training_summary_}
        return state, {"coef": self.coef_, "intercept": self.intercept_}, "npz"

    def _import_state(self, state, arrays, *, classes, members):
        byname = dict(members)
        missing = [m for m in ("base", "pixel-cnn") if m not in byname]
        if missing:
            raise ParameterError(f"pixel-ensemble members {missing} are missing from the model folder")
        self.base_model_, self.pixel_model_ = byname["base"], byname["pixel-cnn"]
        self.coef_ = np.asarray(arrays["coef"], float)
        self.intercept_ = np.asarray(arrays["intercept"], float)
        self.present_classes_ = np.asarray(state["present_classes"], np.int64)
        self.stacked_ = bool(state.get("stacked", False))
        self.base_trained_ = bool(state.get("base_trained_here", False))
        self.training_summary_ = state.get("training_summary", {})
        self.classes_ = np.asarray(classes, dtype=object)


def _pixel_only(X: FeatureSet) -> FeatureSet:
    """Only the pixel inputs and labels of ``X`` (so stars from different sources concatenate)."""
    n = len(X)
    inp = {k: np.asarray(X.meta[k]) for k in PIXEL_KEYS if k in X.meta}
    if len(inp) != 2:
        inp = {"pixel_images": np.zeros((n, 3, _SIZE, _SIZE), np.float32),
               "pixel_scalars": np.zeros((n, _N_SCALARS), np.float32)}
    return FeatureSet(views={}, spectrogram=np.zeros((n, 1, 1), np.float32), scalars=np.zeros((n, 0)),
                      scalar_names=(), meta=inp, labels=X.labels)


# ---------------------------------------------------------------------- background binaries at matched recall


def threshold_for_recall(p_hosts: np.ndarray, recall: float) -> float:
    """The highest planet threshold at which at least ``recall`` of the hosts score at or
    above it (``inf`` for a recall of 0: nothing is called a planet)."""
    s = np.sort(np.asarray(p_hosts, float))[::-1]
    if s.size == 0:
        raise ParameterError("threshold_for_recall needs at least one host's score; got none")
    if not recall > 0:
        return float("inf")
    k = int(np.ceil(float(recall) * s.size - 1e-9)) - 1
    return float(s[min(max(k, 0), s.size - 1)])


def background_binaries_at_recall(
    p_light_curve: np.ndarray,
    p_pixels: np.ndarray,
    truth_class: np.ndarray,
    *,
    own_threshold: float | None = None,
    recalls: tuple[float, ...] = (0.5, 0.7, 0.8, 0.9),
) -> list[dict[str, Any]]:
    """How many background eclipsing binaries a light-curve model and a pixel-aware model
    call planets when both find the same share of the planet hosts.

    Each level is a host recall: the one the light-curve model reaches at its own planet
    threshold (``own_threshold``), or one of ``recalls``. Both models are then scored at the
    highest threshold that reaches it (:func:`threshold_for_recall`; with tied scores one
    can reach a little more, and both recalls are reported), so neither is charged for
    binaries that score between its lowest-scoring host called a planet and a looser
    threshold: at the light-curve model's own threshold that would count against it
    binaries a threshold at the same recall does not call planets.

    Parameters
    ----------
    p_light_curve, p_pixels : ndarray, shape (n,)
        Each model's planet probability for the same stars.
    truth_class : ndarray of str, shape (n,)
        The simulator's class of every star: ``planet`` for a host, ``background_eb`` for a
        background eclipsing binary.
    own_threshold : float, optional
        The light-curve model's own planet threshold (a row "own threshold" when given).
    recalls : tuple of float
        Host recalls to compare at.

    Returns
    -------
    list of dict
        One per level: ``level``, ``host_recall_light_curve``, ``host_recall_pixels``, the two
        thresholds (None where no host is called a planet), ``bebs_called_planet_light_curve``
        / ``_pixels``, ``non_hosts_called_planet_*`` and ``beb_reduction`` (1 − pixels / light
        curve; None when the light-curve model calls none).

    Raises
    ------
    ParameterError
        Arrays of different lengths, or no host among the stars.
    """
    p_lc = np.asarray(p_light_curve, float)
    p_px = np.asarray(p_pixels, float)
    cls = np.asarray(truth_class).astype(str)
    if not p_lc.shape == p_px.shape == cls.shape:
        raise ParameterError(f"p_light_curve, p_pixels and truth_class must have one value per star; got shapes "
                             f"{p_lc.shape}, {p_px.shape}, {cls.shape}")
    host, beb = cls == "planet", cls == "background_eb"
    if not host.any():
        raise ParameterError("truth_class holds no planet host ('planet'): recall cannot be matched")
    levels: list[tuple[str, float]] = []
    if own_threshold is not None and np.isfinite(own_threshold):
        levels.append(("the light-curve model's own threshold", float(own_threshold)))
    levels += [(f"{r:g}", threshold_for_recall(p_lc[host], r)) for r in recalls]
    rows = []
    for level, t_level in levels:
        recall_lc = float(np.mean(p_lc[host] >= t_level))
        t_lc = threshold_for_recall(p_lc[host], recall_lc)
        t_px = threshold_for_recall(p_px[host], recall_lc)
        a, b = int(np.sum(p_lc[beb] >= t_lc)), int(np.sum(p_px[beb] >= t_px))
        rows.append({"level": level, "host_recall_light_curve": recall_lc,
                     "host_recall_pixels": float(np.mean(p_px[host] >= t_px)),
                     # an infinite threshold (host recall 0: nothing called a planet) is written as None
                     "threshold_light_curve": t_lc if np.isfinite(t_lc) else None,
                     "threshold_pixels": t_px if np.isfinite(t_px) else None,
                     "bebs_called_planet_light_curve": a, "bebs_called_planet_pixels": b,
                     "non_hosts_called_planet_light_curve": int(np.sum(p_lc[~host] >= t_lc)),
                     "non_hosts_called_planet_pixels": int(np.sum(p_px[~host] >= t_px)),
                     "beb_reduction": (1 - b / a) if a else None})
    return rows
