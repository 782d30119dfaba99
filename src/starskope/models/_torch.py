"""Shared PyTorch machinery: seeding, scalar scaling, a training loop with class
weights, augmentation, early stopping and progress, and batched prediction."""

from __future__ import annotations

import copy
import math
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

import numpy as np
import torch
from torch import nn

from ..errors import ParameterError
from ..scatter import robust_std

__all__ = [
    "ScalarScaler",
    "class_weights",
    "limited_threads",
    "predict_batched",
    "set_seed",
    "stratified_split",
    "train_network",
]


@contextmanager
def limited_threads(n: int = 1) -> Iterator[None]:
    """Run torch and the BLAS/OpenMP pools with ``n`` threads, restoring them after.

    Small networks gain nothing from intra-op threads, and on a shared two-core machine
    two threads per process fight over the cores (measured: 17 × slower per batch under
    load); parallelism comes from running several processes instead.
    """
    from threadpoolctl import threadpool_limits

    prev = torch.get_num_threads()
    torch.set_num_threads(int(n))
    try:
        with threadpool_limits(int(n)):
            yield
    finally:
        torch.set_num_threads(prev)


def set_seed(seed: int | None) -> np.random.Generator:
    """Seed torch (and return a NumPy generator) for reproducible training."""
    s = 0 if seed is None else int(seed)
    torch.manual_seed(s)
    return np.random.default_rng(s)


class ScalarScaler:
    """Robust standardisation of scalar features: (x − median) / robust σ (the MAD scaled
    to a standard deviation, :func:`starskope.scatter.robust_std`), NaN → 0,
    clipped to ±``clip``; a feature with no finite value in training is always 0 (its
    scale is infinite). Fitted arrays: ``center``, ``scale``."""

    def __init__(self, clip: float = 8.0) -> None:
        self.clip = clip
        self.center: np.ndarray | None = None
        self.scale: np.ndarray | None = None

    def fit(self, x: np.ndarray) -> ScalarScaler:
        x = np.asarray(x, float)
        with np.errstate(all="ignore"):
            import warnings

            with warnings.catch_warnings():
                warnings.simplefilter("ignore", RuntimeWarning)
                c = np.nanmedian(x, axis=0)
                mad = robust_std(x, axis=0, center=c)
                sd = np.nanstd(x, axis=0)
        c = np.where(np.isfinite(c), c, 0.0)
        s = np.where(np.isfinite(mad) & (mad > 1e-12), mad, np.where(np.isfinite(sd) & (sd > 1e-12), sd, 1.0))
        # a feature never measured in training carries no learned meaning: always 0
        s = np.where(np.isfinite(x).any(axis=0), s, np.inf)
        self.center, self.scale = c, s
        return self

    def transform(self, x: np.ndarray) -> np.ndarray:
        if self.center is None or self.scale is None:
            raise ParameterError("ScalarScaler used before fit")
        z = (np.asarray(x, float) - self.center) / self.scale
        z = np.where(np.isfinite(z), z, 0.0)
        return np.clip(z, -self.clip, self.clip).astype(np.float32)

    def state(self) -> dict[str, np.ndarray]:
        return {"scaler_center": np.asarray(self.center), "scaler_scale": np.asarray(self.scale)}

    @classmethod
    def from_state(cls, arrays: dict[str, Any], clip: float = 8.0) -> ScalarScaler:
        s = cls(clip)
        s.center = np.asarray(arrays["scaler_center"], float)
        s.scale = np.asarray(arrays["scaler_scale"], float)
        return s


def class_weights(y: np.ndarray, n_classes: int, mode: str | None) -> np.ndarray:
    """Per-class loss weights: None → 1; 'balanced' → n/(k·n_c); 'sqrt' → its square root.
    Classes absent from ``y`` get weight 0 in 'balanced'/'sqrt' (they never occur)."""
    if mode is None or mode == "none":
        return np.ones(n_classes)
    counts = np.bincount(y, minlength=n_classes).astype(float)
    present = counts > 0
    w = np.zeros(n_classes)
    w[present] = counts.sum() / (present.sum() * counts[present])
    if mode == "sqrt":
        w = np.sqrt(w)
    elif mode != "balanced":
        raise ParameterError(f"class_weight must be None, 'balanced' or 'sqrt'; got {mode!r}")
    w[present] /= np.average(w[present], weights=counts[present])  # mean weight per sample = 1
    return w


def stratified_split(y: np.ndarray, fraction: float, rng: np.random.Generator) -> tuple[np.ndarray, np.ndarray]:
    """Indices (train, validation) with about ``fraction`` of every class in validation
    (at least one member of a class with ≥ 3 members)."""
    tr, va = [], []
    for c in np.unique(y):
        idx = np.flatnonzero(y == c)
        rng.shuffle(idx)
        k = round(fraction * idx.size)
        if idx.size >= 3:
            k = max(k, 1)
        va.append(idx[:k])
        tr.append(idx[k:])
    return np.sort(np.concatenate(tr)), np.sort(np.concatenate(va))


Batch = dict[str, torch.Tensor]


def _take(inputs: dict[str, np.ndarray], idx: np.ndarray) -> Batch:
    return {k: torch.from_numpy(np.ascontiguousarray(v[idx])) for k, v in inputs.items()}


def predict_batched(module: nn.Module, inputs: dict[str, np.ndarray], batch_size: int = 512) -> np.ndarray:
    """Softmax probabilities of ``module`` over all rows of ``inputs`` (eval mode)."""
    module.eval()
    n = next(iter(inputs.values())).shape[0]
    out = []
    with torch.no_grad(), limited_threads(1):
        for s in range(0, n, batch_size):
            b = _take(inputs, np.arange(s, min(n, s + batch_size)))
            out.append(torch.softmax(module(**b), dim=1).numpy())
    return np.concatenate(out).astype(np.float64) if out else np.zeros((0, 0))


def _train_network(
    module: nn.Module,
    inputs: dict[str, np.ndarray],
    y: np.ndarray,
    *,
    n_classes: int,
    epochs: int = 30,
    batch_size: int = 64,
    learning_rate: float = 1e-3,
    weight_decay: float = 1e-4,
    class_weight: str | None = "sqrt",
    validation_fraction: float = 0.15,
    patience: int = 6,
    augment: Callable[[Batch, np.random.Generator], Batch] | None = None,
    rng: np.random.Generator | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    stage: str = "train",
    max_seconds: float | None = None,
) -> dict[str, list[float]]:
    """The loop of :func:`train_network`."""
    rng = rng or np.random.default_rng(0)
    y = np.asarray(y, dtype=np.int64)
    if validation_fraction > 0 and np.bincount(y).max() >= 5:
        tr, va = stratified_split(y, validation_fraction, rng)
    else:
        tr, va = np.arange(y.size), np.zeros(0, dtype=np.int64)
    w = torch.tensor(class_weights(y[tr], n_classes, class_weight), dtype=torch.float32)
    loss_fn = nn.CrossEntropyLoss(weight=w)
    opt = torch.optim.Adam(module.parameters(), lr=learning_rate, weight_decay=weight_decay)
    hist: dict[str, Any] = {"train_loss": [], "val_loss": [], "val_accuracy": []}
    best, best_state, bad = math.inf, None, 0
    yt = torch.from_numpy(y)
    t0 = time.perf_counter()
    for epoch in range(epochs):
        module.train()
        order = rng.permutation(tr)
        total, count = 0.0, 0
        for s in range(0, order.size, batch_size):
            idx = order[s: s + batch_size]
            if idx.size < 2:  # batch norm needs two samples
                continue
            batch = _take(inputs, idx)
            if augment is not None:
                batch = augment(batch, rng)
            opt.zero_grad()
            loss = loss_fn(module(**batch), yt[idx])
            loss.backward()
            opt.step()
            total += float(loss.detach()) * idx.size
            count += idx.size
        hist["train_loss"].append(total / max(count, 1))
        if va.size:
            p = predict_batched(module, {k: v[va] for k, v in inputs.items()})
            with torch.no_grad():
                vl = float(loss_fn(torch.log(torch.from_numpy(np.clip(p, 1e-7, 1)).float()), yt[va]))
            hist["val_loss"].append(vl)
            hist["val_accuracy"].append(float(np.mean(np.argmax(p, 1) == y[va])))
            if vl < best - 1e-4:
                best, best_state, bad = vl, copy.deepcopy(module.state_dict()), 0
                hist["best_epoch"] = epoch
            else:
                bad += 1
        if progress is not None:
            progress(stage, epoch + 1, epochs)
        if va.size and bad >= patience:
            break
        if max_seconds is not None and time.perf_counter() - t0 > max_seconds:
            break
    if best_state is not None:
        module.load_state_dict(best_state)
    hist.setdefault("best_epoch", len(hist["train_loss"]) - 1)
    hist["seconds"] = time.perf_counter() - t0
    module.eval()
    return hist


def train_network(module: nn.Module, inputs: dict[str, np.ndarray], y: np.ndarray, **kwargs: Any) -> dict[str, Any]:
    """Train ``module`` (called as ``module(**batch)`` → logits) with Adam and a
    class-weighted cross-entropy; stop when the validation loss has not improved for
    ``patience`` epochs and restore the best weights.

    Returns
    -------
    dict
        History: ``train_loss``, ``val_loss``, ``val_accuracy`` per epoch, ``best_epoch``,
        ``seconds``.
    """
    with limited_threads(1):
        return _train_network(module, inputs, y, **kwargs)
