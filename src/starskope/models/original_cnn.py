"""The original starskope CNN, reproduced as published, as the baseline to beat.

The original project (Ru Keïn, "STARSKØPE", 2020; after Peter Grenholm's Kaggle kernel on
the "Exoplanet Hunting in Deep Space" K2 Campaign 3 tables) classified each star as a
planet host or not from its raw flux row alone:

* **input** — each star's flux scaled to zero mean and unit variance, with a uniform
  moving average over 200 cadences stacked as a second channel
  (``np.stack([x, uniform_filter1d(x, 200)], axis=2)``);
* **network** — four blocks ``Conv1D(filters, kernel 11, ReLU) → MaxPool1D(pool 2,
  stride 4)``, with 8, 16, 32, 64 filters and batch normalisation after the first three;
  flatten, dropout 0.5, dense 64 (ReLU), dropout 0.25, dense 64 (ReLU), one sigmoid
  output; Keras defaults (Glorot-uniform weights, batch-norm momentum 0.99, ε = 10⁻³);
* **training** — batches of 32, half planet hosts and half not, each sample rolled in
  time by a random shift (augmentation); binary cross-entropy; Adam at 10⁻⁵ for 5 epochs,
  then at 4·10⁻⁵ for 40 epochs, each epoch ``n_cadences // 32`` = 99 batches (the
  published code's ``x_train.shape[1] // 32``).

Here in PyTorch on the CPU; ``predict_proba`` has two columns (not a host, host) and
``classes_`` is ``[0, 1]`` (1 = planet host; Kaggle ``LABEL`` 2).
"""

from __future__ import annotations

import time
import warnings
from typing import Any

import numpy as np

from ..errors import ParameterError, StarskopeWarning
from ..features.dataset import FeatureSet
from .base import Progress, StarskopeClassifier

__all__ = ["OriginalCNN", "original_preprocess"]


def original_preprocess(flux: np.ndarray, moving_average: int = 200) -> np.ndarray:
    """The published preprocessing: per-star zero mean, unit variance, and a uniform
    moving average stacked as a second channel.

    Parameters
    ----------
    flux : ndarray, shape (n_stars, n_cadences)
        Raw table flux (any unit).
    moving_average : int
        Window of the moving average, cadences (published: 200).

    Returns
    -------
    ndarray, shape (n_stars, 2, n_cadences), float32
        Channels first (PyTorch layout).

    Warns
    -----
    StarskopeWarning
        NaN cells (the Kaggle tables have none): they are set to the star's mean (0
        after scaling) so the network can run.
    """
    from scipy.ndimage import uniform_filter1d

    x = np.asarray(flux, dtype=np.float64)
    if x.ndim != 2:
        raise ParameterError(f"flux must be 2-D (n_stars, n_cadences); got shape {x.shape}")
    bad = ~np.isfinite(x)
    if bad.any():
        warnings.warn(
            f"{int(bad.sum())} non-finite flux cells in {int(bad.any(axis=1).sum())} stars set to the star's mean "
            "for the original CNN (the published model assumes complete rows)",
            StarskopeWarning,
            stacklevel=2,
        )
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", RuntimeWarning)
        mean = np.nanmean(x, axis=1, keepdims=True)
        std = np.nanstd(x, axis=1, keepdims=True)
    mean = np.where(np.isfinite(mean), mean, 0.0)
    std = np.where(np.isfinite(std) & (std > 0), std, 1.0)
    z = np.where(bad, 0.0, (x - mean) / std)
    ma = uniform_filter1d(z, axis=1, size=int(moving_average))
    return np.stack([z, ma], axis=1).astype(np.float32)


def _build_network(n_cadences: int, kernel_size: int, filters: tuple[int, ...], pool_stride: int,
                   dropout: tuple[float, float], dense: int):
    import torch
    from torch import nn

    layers: list[nn.Module] = []
    ch, length = 2, n_cadences
    for i, f in enumerate(filters):
        layers += [nn.Conv1d(ch, f, kernel_size), nn.ReLU(), nn.MaxPool1d(kernel_size=2, stride=pool_stride)]
        length = (length - kernel_size + 1 - 2) // pool_stride + 1
        if i < len(filters) - 1:
            layers.append(nn.BatchNorm1d(f, eps=1e-3, momentum=0.01))  # Keras defaults
        ch = f
    if length < 1:
        raise ParameterError(f"{n_cadences} cadences are too few for the original CNN's four conv/pool blocks")
    layers += [
        nn.Flatten(),
        nn.Dropout(dropout[0]),
        nn.Linear(ch * length, dense),
        nn.ReLU(),
        nn.Dropout(dropout[1]),
        nn.Linear(dense, dense),
        nn.ReLU(),
        nn.Linear(dense, 1),
    ]
    net = nn.Sequential(*layers)
    for m in net.modules():  # Keras initialisation: Glorot-uniform kernels, zero biases
        if isinstance(m, nn.Conv1d | nn.Linear):
            nn.init.xavier_uniform_(m.weight)
            nn.init.zeros_(m.bias)
    with torch.no_grad():
        net(torch.zeros(2, 2, n_cadences))
    return net


class OriginalCNN(StarskopeClassifier):
    """The original starskope 1-D CNN on raw flux rows (binary: planet host or not).

    Parameters
    ----------
    kernel_size : int
        Convolution kernel, cadences (11).
    filters : tuple of int
        Filters of the four convolution blocks ((8, 16, 32, 64)).
    pool_stride : int
        Max-pool stride (4; pool size 2).
    moving_average : int
        Moving-average window of the second channel, cadences (200).
    dropout : tuple of float
        Dropout before the first and second dense layers ((0.5, 0.25)).
    dense : int
        Units of the two dense layers (64).
    batch_size : int
        Batch size, half planet hosts (32).
    warmup_epochs, warmup_learning_rate : int, float
        First phase of training (5 epochs at 1e-5).
    epochs, learning_rate : int, float
        Second phase (40 epochs at 4e-5).
    steps_per_epoch : int or None
        Batches per epoch (None: ``n_cadences // batch_size``, as published).
    seed : int
        Random seed (weights, batches, shifts).
    """

    model_name = "original-cnn"
    weights_kind = "torch"

    def __init__(
        self,
        kernel_size: int = 11,
        filters: tuple[int, ...] = (8, 16, 32, 64),
        pool_stride: int = 4,
        moving_average: int = 200,
        dropout: tuple[float, float] = (0.5, 0.25),
        dense: int = 64,
        batch_size: int = 32,
        warmup_epochs: int = 5,
        warmup_learning_rate: float = 1e-5,
        epochs: int = 40,
        learning_rate: float = 4e-5,
        steps_per_epoch: int | None = None,
        seed: int = 0,
    ) -> None:
        self.kernel_size = kernel_size
        self.filters = filters
        self.pool_stride = pool_stride
        self.moving_average = moving_average
        self.dropout = dropout
        self.dense = dense
        self.batch_size = batch_size
        self.warmup_epochs = warmup_epochs
        self.warmup_learning_rate = warmup_learning_rate
        self.epochs = epochs
        self.learning_rate = learning_rate
        self.steps_per_epoch = steps_per_epoch
        self.seed = seed

    # ------------------------------------------------------------------ inputs
    @staticmethod
    def _flux(X: Any) -> np.ndarray:
        if isinstance(X, FeatureSet):
            if X.table_flux is None:
                raise ParameterError(
                    "the original CNN reads raw Kaggle-table rows; this FeatureSet has no table_flux "
                    "(it was not built from a flux table)"
                )
            return X.table_flux
        if hasattr(X, "flux") and hasattr(X, "labels") and hasattr(X, "n_cadences"):  # FluxTable
            return np.asarray(X.flux, dtype=np.float64)
        x = np.asarray(X, dtype=np.float64)
        if x.ndim != 2:
            raise ParameterError(f"the original CNN takes a 2-D flux table (n_stars, n_cadences); got shape {x.shape}")
        return x

    @staticmethod
    def _binary(X: Any, y: Any) -> np.ndarray:
        if y is None:
            if isinstance(X, FeatureSet) and X.labels is not None:
                return (X.labels == 0).astype(np.int64)  # class 0 = planet_transit
            if hasattr(X, "labels") and getattr(X, "labels", None) is not None and not isinstance(X, FeatureSet):
                return (np.asarray(X.labels) == 2).astype(np.int64)
            raise ParameterError("OriginalCNN.fit needs labels: y (1 = planet host, 0 = not) or a labelled table")
        yb = np.asarray(y)
        if yb.dtype.kind in "US" or yb.dtype == object:
            yb = (yb == "planet_transit").astype(np.int64)
        if not np.isin(yb, (0, 1)).all():
            raise ParameterError(f"OriginalCNN labels must be 0 (not a host) or 1 (planet host); found {np.unique(yb)[:5]}")
        return yb.astype(np.int64)

    # ------------------------------------------------------------------ fit
    def fit(self, X: Any, y: Any = None, *, progress: Progress | None = None) -> OriginalCNN:
        """Train as published (see the module docstring).

        Parameters
        ----------
        X : ndarray (n_stars, n_cadences), FluxTable or FeatureSet with ``table_flux``
        y : array of 0/1, optional
            1 for a planet host (default: the table's labels).
        progress : callable, optional
            ``progress("original-cnn", batches_done, total_batches)``.
        """
        import torch

        flux = self._flux(X)
        yb = self._binary(X, y)
        if yb.size != flux.shape[0]:
            raise ParameterError(f"OriginalCNN.fit: {yb.size} labels for {flux.shape[0]} stars")
        pos, neg = np.flatnonzero(yb == 1), np.flatnonzero(yb == 0)
        if pos.size == 0 or neg.size == 0:
            raise ParameterError("OriginalCNN.fit needs both planet hosts and non-hosts in the training labels")
        x = original_preprocess(flux, self.moving_average)
        torch.manual_seed(int(self.seed))
        rng = np.random.default_rng(int(self.seed))
        net = _build_network(x.shape[2], self.kernel_size, tuple(self.filters), self.pool_stride,
                             tuple(self.dropout), self.dense)
        steps = self.steps_per_epoch or max(1, x.shape[2] // self.batch_size)
        half = self.batch_size // 2
        loss_fn = torch.nn.BCEWithLogitsLoss()
        history: dict[str, list[float]] = {"train_loss": [], "train_accuracy": []}
        total = (self.warmup_epochs + self.epochs) * steps
        done = 0
        t0 = time.perf_counter()
        xb = np.empty((self.batch_size, 2, x.shape[2]), np.float32)
        for phase_epochs, lr in ((self.warmup_epochs, self.warmup_learning_rate), (self.epochs, self.learning_rate)):
            # the published code re-compiles with a fresh Adam for the second phase
            opt = torch.optim.Adam(net.parameters(), lr=lr, eps=1e-7)
            for _ in range(phase_epochs):
                net.train()
                tot, acc = 0.0, 0.0
                for _ in range(steps):
                    rng.shuffle(pos)
                    rng.shuffle(neg)
                    # as published: positives pos[:half], negatives neg[half:batch]
                    idx = np.concatenate([np.resize(pos, half), neg[half: self.batch_size]])
                    yv = np.concatenate([np.ones(half), np.zeros(idx.size - half)]).astype(np.float32)
                    xb = x[idx].copy()
                    shifts = rng.integers(0, x.shape[2], size=idx.size)
                    for i, s in enumerate(shifts):
                        xb[i] = np.roll(xb[i], int(s), axis=1)
                    logits = net(torch.from_numpy(xb)).squeeze(1)
                    target = torch.from_numpy(yv)
                    loss = loss_fn(logits, target)
                    opt.zero_grad()
                    loss.backward()
                    opt.step()
                    tot += float(loss.item())
                    acc += float(((logits > 0).float() == target).float().mean())
                    done += 1
                    if progress is not None and done % 10 == 0:
                        progress(self.model_name, done, total)
                history["train_loss"].append(tot / steps)
                history["train_accuracy"].append(acc / steps)
        net.eval()
        self.network_ = net
        self.n_cadences_ = int(x.shape[2])
        self.classes_ = np.array([0, 1])
        self.history_ = history
        self.history_["seconds"] = time.perf_counter() - t0
        self.training_summary_ = {"n_stars": int(yb.size), "n_planet_hosts": int(pos.size),
                                  "seconds": round(self.history_["seconds"], 1), "seed": int(self.seed)}
        if progress is not None:
            progress(self.model_name, total, total)
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Columns: P(not a host), P(planet host)."""
        import torch

        self._check_fitted()
        flux = self._flux(X)
        if flux.shape[1] != self.n_cadences_:
            raise ParameterError(f"the original CNN was trained on {self.n_cadences_} cadences; got {flux.shape[1]}")
        from ._torch import limited_threads

        x = original_preprocess(flux, self.moving_average)
        self.network_.eval()
        out = []
        with torch.no_grad(), limited_threads(1):
            for s in range(0, x.shape[0], 256):
                out.append(torch.sigmoid(self.network_(torch.from_numpy(x[s: s + 256])).squeeze(1)).numpy())
        p = np.concatenate(out).astype(np.float64) if out else np.zeros(0)
        return np.column_stack([1 - p, p])

    # ------------------------------------------------------------------ files
    def _export_state(self):
        self._check_fitted()
        return ({"n_cadences": self.n_cadences_, "history": self.history_}, dict(self.network_.state_dict()), "torch")

    def _import_state(self, state, arrays, *, classes, members):
        net = _build_network(int(state["n_cadences"]), self.kernel_size, tuple(self.filters), self.pool_stride,
                             tuple(self.dropout), self.dense)
        net.load_state_dict(arrays)
        net.eval()
        self.network_ = net
        self.n_cadences_ = int(state["n_cadences"])
        self.history_ = state.get("history", {})
        self.classes_ = np.asarray(classes)
