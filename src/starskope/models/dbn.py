"""A deep belief network: stacked Restricted Boltzmann Machines, pre-trained greedily with
contrastive divergence, then fine-tuned as a classifier (Hinton, Osindero & Teh 2006;
Hinton 2010, "A practical guide to training RBMs") — the original starskope's RBM idea.

Input: a fixed-length vector per star — the local view and the odd−even and secondary
views averaged to 67 bins each, the global view averaged to 100 bins, and the robustly
standardised scalar features — squashed into (0, 1) with a logistic function so that a
Bernoulli RBM can model it (the squashed values are used as probabilities).

Pre-training: each RBM (sizes ``hidden``) is trained on the previous layer's hidden
probabilities with CD-``k`` (default 1), momentum and weight decay; its reconstruction
error per epoch is kept in ``history_['rbm_reconstruction']``. Fine-tuning: the RBM
weights initialise a sigmoid MLP with a new soft-max output layer, trained by
back-propagation with the same loop as the CNNs (class weights, early stopping).
``pretrain=False`` trains the same MLP from random weights, so the benefit of
pre-training can be measured rather than assumed.
"""

from __future__ import annotations

import itertools
import time
from typing import Any

import numpy as np

from .base import (
    Progress,
    StarskopeClassifier,
    check_features,
    resolve_labels,
    scalar_matrix,
    stored_scalar_names,
)
from .labels import CLASSES

__all__ = ["DeepBeliefNetwork", "dbn_inputs", "train_rbm"]


def _avg_pool(v: np.ndarray, n: int) -> np.ndarray:
    """Resample rows to ``n`` values: bin averages, or linear interpolation when the
    rows are shorter than ``n``."""
    m = v.shape[1]
    if m < n:
        x_old, x_new = (np.arange(m) + 0.5) / m, (np.arange(n) + 0.5) / n
        return np.stack([np.interp(x_new, x_old, row) for row in v]) if v.shape[0] else np.zeros((0, n))
    edges = np.linspace(0, m, n + 1).astype(int)
    csum = np.concatenate([np.zeros((v.shape[0], 1)), np.cumsum(v, axis=1)], axis=1)
    return (csum[:, edges[1:]] - csum[:, edges[:-1]]) / np.diff(edges)


def dbn_inputs(X: Any, scaled_scalars: np.ndarray) -> np.ndarray:
    """The DBN's input vector in (0, 1): pooled views and squashed scalars."""
    v = X.views
    parts = [
        _avg_pool(np.asarray(v["global"], float), 100),
        _avg_pool(np.asarray(v["local"], float), 67),
        _avg_pool(np.asarray(v["odd"], float) - np.asarray(v["even"], float), 67),
        _avg_pool(np.asarray(v["secondary"], float), 67),
    ]
    views = np.concatenate(parts, axis=1)
    x = np.concatenate([2.0 * views, 0.5 * np.asarray(scaled_scalars, float)], axis=1)
    return (1.0 / (1.0 + np.exp(-x))).astype(np.float32)


def train_rbm(data, n_hidden: int, *, epochs: int, learning_rate: float, batch_size: int, k: int,
              momentum: float, weight_decay: float, rng: np.random.Generator, generator=None):
    """Train one Bernoulli–Bernoulli RBM with CD-k.

    Parameters
    ----------
    data : torch.Tensor, shape (n, n_visible)
        Visible probabilities in [0, 1].

    Returns
    -------
    W, b_visible, b_hidden : torch.Tensor
    errors : list of float
        Mean squared reconstruction error per epoch.
    """
    import torch

    n, n_vis = data.shape
    W = 0.01 * torch.randn(n_vis, n_hidden, generator=generator)
    p_mean = data.mean(0).clamp(1e-3, 1 - 1e-3)
    bv = torch.log(p_mean / (1 - p_mean))  # Hinton's guide §8: visible biases log(p/(1-p))
    bh = torch.zeros(n_hidden)
    dW, dbv, dbh = torch.zeros_like(W), torch.zeros_like(bv), torch.zeros_like(bh)
    errors = []
    for _ in range(epochs):
        order = torch.from_numpy(rng.permutation(n))
        err = 0.0
        for s in range(0, n, batch_size):
            v0 = data[order[s: s + batch_size]]
            ph0 = torch.sigmoid(v0 @ W + bh)
            h = torch.bernoulli(ph0, generator=generator)
            vk, phk = v0, ph0
            for _ in range(k):
                vk = torch.sigmoid(h @ W.T + bv)  # mean-field visible reconstruction
                phk = torch.sigmoid(vk @ W + bh)
                h = torch.bernoulli(phk, generator=generator)
            m = v0.shape[0]
            gW = (v0.T @ ph0 - vk.T @ phk) / m - weight_decay * W
            dW = momentum * dW + learning_rate * gW
            dbv = momentum * dbv + learning_rate * (v0 - vk).mean(0)
            dbh = momentum * dbh + learning_rate * (ph0 - phk).mean(0)
            W += dW
            bv += dbv
            bh += dbh
            err += float(((v0 - vk) ** 2).sum())
        errors.append(err / (n * n_vis))
    return W, bv, bh, errors


def _network(n_in: int, hidden: tuple[int, ...], dropout: float):
    import torch
    from torch import nn

    class DBNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            sizes = [n_in, *hidden]
            self.layers = nn.ModuleList([nn.Linear(a, b) for a, b in itertools.pairwise(sizes)])
            self.drop = nn.Dropout(dropout)
            self.out = nn.Linear(sizes[-1], len(CLASSES))

        def forward(self, x):
            for layer in self.layers:
                x = torch.sigmoid(layer(x))
            return self.out(self.drop(x))

    return DBNet()


class DeepBeliefNetwork(StarskopeClassifier):
    """Stacked RBMs pre-trained with contrastive divergence, then fine-tuned (four classes).

    Parameters
    ----------
    hidden : tuple of int
        Hidden units of each RBM layer.
    pretrain : bool
        Greedy layer-wise RBM pre-training (False: random initialisation, for comparison).
    rbm_epochs, rbm_learning_rate, cd_k, rbm_momentum, rbm_weight_decay
        Pre-training settings.
    dropout : float
        Dropout before the output layer during fine-tuning.
    epochs, batch_size, learning_rate, class_weight, patience, seed
        Fine-tuning settings.
    """

    model_name = "dbn"
    weights_kind = "torch"

    def __init__(
        self,
        hidden: tuple[int, ...] = (128, 64),
        pretrain: bool = True,
        rbm_epochs: int = 8,
        rbm_learning_rate: float = 0.05,
        cd_k: int = 1,
        rbm_momentum: float = 0.5,
        rbm_weight_decay: float = 2e-4,
        dropout: float = 0.2,
        epochs: int = 40,
        batch_size: int = 64,
        learning_rate: float = 2e-3,
        class_weight: str | None = "sqrt",
        patience: int = 6,
        seed: int = 0,
    ) -> None:
        self.hidden = hidden
        self.pretrain = pretrain
        self.rbm_epochs = rbm_epochs
        self.rbm_learning_rate = rbm_learning_rate
        self.cd_k = cd_k
        self.rbm_momentum = rbm_momentum
        self.rbm_weight_decay = rbm_weight_decay
        self.dropout = dropout
        self.epochs = epochs
        self.batch_size = batch_size
        self.learning_rate = learning_rate
        self.class_weight = class_weight
        self.patience = patience
        self.seed = seed

    def network_inputs(self, X) -> dict[str, np.ndarray]:
        return {"x": dbn_inputs(X, self.scaler_.transform(scalar_matrix(X, self.scalar_names_, type(self).__name__)))}

    def fit(self, X: Any, y: Any = None, *, progress: Progress | None = None) -> DeepBeliefNetwork:
        """Pre-train the RBM stack (unless ``pretrain=False``), then fine-tune."""
        import torch

        from ._torch import ScalarScaler, set_seed, train_network

        X = check_features(X, type(self).__name__)
        yi = resolve_labels(X, y, type(self).__name__)
        rng = set_seed(self.seed)
        gen = torch.Generator().manual_seed(int(self.seed))
        self.scalar_names_ = tuple(X.scalar_names)
        self.scaler_ = ScalarScaler().fit(X.scalars)
        inputs = self.network_inputs(X)
        self.n_inputs_ = int(inputs["x"].shape[1])
        hidden = tuple(int(h) for h in self.hidden)
        net = _network(self.n_inputs_, hidden, self.dropout)
        rbm_errors: list[list[float]] = []
        t0 = time.perf_counter()
        from ._torch import limited_threads

        if self.pretrain:
            data = torch.from_numpy(inputs["x"])
            for i, (layer, h) in enumerate(zip(net.layers, hidden, strict=True)):
                with limited_threads(1):
                    W, _, bh, errs = train_rbm(data, h, epochs=self.rbm_epochs, learning_rate=self.rbm_learning_rate,
                                               batch_size=self.batch_size, k=self.cd_k,
                                               momentum=self.rbm_momentum,
                                               weight_decay=self.rbm_weight_decay, rng=rng, generator=gen)
                with torch.no_grad():
                    layer.weight.copy_(W.T)
                    layer.bias.copy_(bh)
                    data = torch.sigmoid(data @ W + bh)
                rbm_errors.append(errs)
                if progress is not None:
                    progress(f"{self.model_name} pre-training", i + 1, len(hidden))
        pre_seconds = time.perf_counter() - t0
        hist = train_network(
            net, inputs, yi, n_classes=len(CLASSES), epochs=self.epochs, batch_size=self.batch_size,
            learning_rate=self.learning_rate, weight_decay=0.0, class_weight=self.class_weight,
            patience=self.patience, rng=rng, progress=progress, stage=f"{self.model_name} fine-tuning",
        )
        hist["rbm_reconstruction"] = rbm_errors
        hist["pretrain_seconds"] = pre_seconds
        self.history_ = hist
        self.network_ = net
        self._set_classes()
        self.training_summary_ = {"n_stars": int(yi.size), "class_counts": np.bincount(yi, minlength=4).tolist(),
                                  "pretrained": bool(self.pretrain), "epochs_run": len(hist["train_loss"]),
                                  "seconds": round(pre_seconds + hist["seconds"], 1)}
        return self

    def predict_proba(self, X: Any) -> np.ndarray:
        """Class probabilities, columns in :data:`~starskope.models.labels.CLASSES` order."""
        from ._torch import predict_batched

        self._check_fitted()
        X = check_features(X, type(self).__name__)
        return predict_batched(self.network_, self.network_inputs(X))

    def _export_state(self):
        import torch

        self._check_fitted()
        arrays = dict(self.network_.state_dict())
        for k, v in self.scaler_.state().items():
            arrays[k] = torch.from_numpy(np.asarray(v, np.float64))
        return {"n_inputs": self.n_inputs_, "scalar_names": list(self.scalar_names_), "history": self.history_}, \
            arrays, "torch"

    def _import_state(self, state, arrays, *, classes, members):
        from ._torch import ScalarScaler

        self.n_inputs_ = int(state["n_inputs"])
        self.scaler_ = ScalarScaler.from_state({k: arrays.pop(k).numpy() for k in ("scaler_center", "scaler_scale")})
        self.scalar_names_ = stored_scalar_names(state, self.scaler_.center.size)
        net = _network(self.n_inputs_, tuple(int(h) for h in self.hidden), self.dropout)
        net.load_state_dict(arrays)
        net.eval()
        self.network_ = net
        self.history_ = state.get("history", {})
        self.classes_ = np.asarray(classes, dtype=object)
