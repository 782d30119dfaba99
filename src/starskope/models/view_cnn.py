"""The view CNN: one branch per view and one for the scalar features (AstroNet/ExoMiner line).

Branches (each a small network ending in a fixed-size embedding):

============  ==========================================================================
global        the phase-folded orbit (2001 bins): 1-D convolutions, four blocks
local         the transit (201 bins): 1-D convolutions, three blocks
odd_even      odd and even transits as two channels (201 bins each): an EB at 2P differs
secondary     the view at the secondary-eclipse phase (201 bins)
scalars       the search, vetting and light-curve scalars (robustly standardised)
============  ==========================================================================

The embeddings are concatenated and classified by two dense layers into the four classes
(Shallue & Vanderburg 2018; Valizadegan et al. 2022, whose branch-per-diagnostic design
lets each branch's contribution be read). :meth:`ViewCNN.branch_contributions` reads them
by ablation: each branch's embedding in turn is replaced by its mean over the training
set, and the change in ``p_planet`` is that branch's contribution for that star.

Training: Adam, class-weighted cross-entropy, early stopping on a stratified validation
split; augmentation mirrors every view in time (a transit is symmetric), swaps odd and
even (which transit is "odd" is arbitrary) and adds a little noise.
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Progress, TorchClassifier, check_features, scalar_matrix, stored_scalar_names
from .labels import CLASSES

__all__ = ["BRANCHES", "ViewCNN"]

#: Branch names, in embedding order.
BRANCHES: tuple[str, ...] = ("global", "local", "odd_even", "secondary", "scalars")


def _network(n_global: int, n_local: int, n_scalars: int, width: int, dropout: float):
    import torch
    from torch import nn

    def conv_stack(channels: int, blocks: list[tuple[int, int]], out_len: int, emb: int) -> nn.Module:
        layers: list[nn.Module] = []
        c = channels
        for i, (f, pool) in enumerate(blocks):
            layers += [nn.Conv1d(c, f, 5, padding=2), nn.ReLU()]
            # the last block pools to a fixed length whatever the view size
            layers.append(nn.MaxPool1d(pool) if i < len(blocks) - 1 else nn.AdaptiveAvgPool1d(out_len))
            c = f
        layers += [nn.Flatten(), nn.Linear(c * out_len, emb), nn.ReLU()]
        return nn.Sequential(*layers)

    w = int(width)
    emb = {"global": 4 * w, "local": 2 * w, "odd_even": 2 * w, "secondary": 2 * w, "scalars": 4 * w}

    class ViewNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.branch_global = conv_stack(1, [(w, 4), (2 * w, 4), (4 * w, 4), (4 * w, 0)], 8, emb["global"])
            self.branch_local = conv_stack(1, [(w, 2), (2 * w, 2), (2 * w, 0)], 8, emb["local"])
            self.branch_odd_even = conv_stack(2, [(w, 2), (2 * w, 2), (2 * w, 0)], 8, emb["odd_even"])
            self.branch_secondary = conv_stack(1, [(w, 2), (2 * w, 2), (2 * w, 0)], 8, emb["secondary"])
            self.branch_scalars = nn.Sequential(nn.Linear(n_scalars, 4 * w), nn.ReLU(), nn.Linear(4 * w, emb["scalars"]), nn.ReLU())
            total = sum(emb.values())
            self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(total, 8 * w), nn.ReLU(), nn.Linear(8 * w, len(CLASSES)))
            self.sizes = [emb[b] for b in BRANCHES]
            self.register_buffer("mean_embedding", torch.zeros(total))

        def embed(self, global_view, local_view, odd_view, even_view, secondary_view, scalars):
            return torch.cat([
                self.branch_global(global_view.unsqueeze(1)),
                self.branch_local(local_view.unsqueeze(1)),
                self.branch_odd_even(torch.stack([odd_view, even_view], dim=1)),
                self.branch_secondary(secondary_view.unsqueeze(1)),
                self.branch_scalars(scalars),
            ], dim=1)

        def forward(self, global_view, local_view, odd_view, even_view, secondary_view, scalars, ablate=None):
            e = self.embed(global_view, local_view, odd_view, even_view, secondary_view, scalars)
            if ablate is not None:
                start = sum(self.sizes[: BRANCHES.index(ablate)])
                stop = start + self.sizes[BRANCHES.index(ablate)]
                e = e.clone()
                e[:, start:stop] = self.mean_embedding[start:stop]
            return self.head(e)

    net = ViewNet()
    with torch.no_grad():
        net.eval()
        net(torch.zeros(2, n_global), torch.zeros(2, n_local), torch.zeros(2, n_local), torch.zeros(2, n_local),
            torch.zeros(2, n_local), torch.zeros(2, n_scalars))
    return net


def _augment(noise: float):
    import torch

    def aug(batch: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
        n = batch["local_view"].shape[0]
        flip = torch.from_numpy(rng.random(n) < 0.5)
        out = dict(batch)
        for k in ("global_view", "local_view", "odd_view", "even_view", "secondary_view"):
            v = batch[k]
            v = torch.where(flip[:, None], torch.flip(v, dims=[1]), v)
            if noise > 0:
                v = v + noise * torch.randn_like(v)
            out[k] = v
        swap = torch.from_numpy(rng.random(n) < 0.5)[:, None]
        out["odd_view"] = torch.where(swap, batch["even_view"], out["odd_view"])
        out["even_view"] = torch.where(swap, batch["odd_view"], out["even_view"])
        return out

    return aug


class ViewCNN(TorchClassifier):
    """Multi-branch CNN on the views and scalar features (four classes).

    Parameters
    ----------
    width : int
        Base number of filters (branch embeddings are 2–4 × width).
    dropout, epochs, batch_size, learning_rate, weight_decay, class_weight, patience
        Training settings (see :class:`~starskope.models.base.TorchClassifier`).
    augment_noise : float
        Standard deviation of the noise added to views (in units of the primary depth).
    seed : int
    """

    model_name = "view-cnn"

    def __init__(
        self,
        width: int = 8,
        dropout: float = 0.3,
        epochs: int = 40,
        batch_size: int = 64,
        learning_rate: float = 2e-3,
        weight_decay: float = 1e-4,
        class_weight: str | None = "sqrt",
        patience: int = 6,
        augment_noise: float = 0.05,
        seed: int = 0,
    ) -> None:
        super().__init__(width=width, dropout=dropout, epochs=epochs, batch_size=batch_size,
                         learning_rate=learning_rate, weight_decay=weight_decay, class_weight=class_weight,
                         patience=patience, seed=seed)
        self.augment_noise = augment_noise

    def network_inputs(self, X) -> dict[str, np.ndarray]:
        return {
            "global_view": X.views["global"].astype(np.float32),
            "local_view": X.views["local"].astype(np.float32),
            "odd_view": X.views["odd"].astype(np.float32),
            "even_view": X.views["even"].astype(np.float32),
            "secondary_view": X.views["secondary"].astype(np.float32),
            "scalars": self.scaler_.transform(scalar_matrix(X, self.scalar_names_, type(self).__name__)),
        }

    def fit(self, X: Any, y: Any = None, *, progress: Progress | None = None) -> ViewCNN:
        """Train on a labelled FeatureSet (labels ``y`` or ``X.labels``)."""
        import torch

        from ._torch import ScalarScaler, limited_threads

        X, yi, rng = self._start_fit(X, y)
        self.scalar_names_ = tuple(X.scalar_names)
        self.scaler_ = ScalarScaler().fit(X.scalars)
        self.n_global_ = int(X.views["global"].shape[1])
        self.n_local_ = int(X.views["local"].shape[1])
        self.n_scalars_ = int(X.scalars.shape[1])
        net = _network(self.n_global_, self.n_local_, self.n_scalars_, self.width, self.dropout)
        inputs = self.network_inputs(X)
        self._train(net, inputs, yi, augment=_augment(self.augment_noise), rng=rng, progress=progress)
        # the mean embedding of the training set stands in for an ablated branch
        with torch.no_grad(), limited_threads(1):
            net.eval()
            embs = []
            for s in range(0, len(X), 512):
                embs.append(net.embed(**{k: torch.from_numpy(v[s: s + 512]) for k, v in inputs.items()}))
            net.mean_embedding.copy_(torch.cat(embs).mean(0))
        return self

    def branch_contributions(self, X: Any) -> dict[str, np.ndarray]:
        """Change in ``p_planet`` when each branch is replaced by its training mean.

        Returns
        -------
        dict of str to ndarray
            For each of :data:`BRANCHES`, ``p_planet(full) − p_planet(branch ablated)``
            per star: positive when the branch argues for a planet.
        """
        import torch

        self._check_fitted()
        X = check_features(X, type(self).__name__)
        from ._torch import limited_threads

        inputs = {k: torch.from_numpy(v) for k, v in self.network_inputs(X).items()}
        self.network_.eval()
        with torch.no_grad(), limited_threads(1):
            full = torch.softmax(self.network_(**inputs), 1)[:, 0].numpy()
            out = {}
            for b in BRANCHES:
                p = torch.softmax(self.network_(**inputs, ablate=b), 1)[:, 0].numpy()
                out[b] = (full - p).astype(np.float64)
        return out

    def _export_state(self):
        self._check_fitted()
        state = {"n_global": self.n_global_, "n_local": self.n_local_, "n_scalars": self.n_scalars_,
                 "scalar_names": list(self.scalar_names_), "history": self.history_}
        arrays = dict(self.network_.state_dict())
        import torch

        for k, v in self.scaler_.state().items():
            arrays[k] = torch.from_numpy(np.asarray(v, np.float64))
        return state, arrays, "torch"

    def _import_state(self, state, arrays, *, classes, members):
        from ._torch import ScalarScaler

        self.n_global_, self.n_local_, self.n_scalars_ = int(state["n_global"]), int(state["n_local"]), int(state["n_scalars"])
        self.scalar_names_ = stored_scalar_names(state, self.n_scalars_)
        self.scaler_ = ScalarScaler.from_state({k: arrays.pop(k).numpy() for k in ("scaler_center", "scaler_scale")})
        net = _network(self.n_global_, self.n_local_, self.n_scalars_, self.width, self.dropout)
        net.load_state_dict(arrays)
        net.eval()
        self.network_ = net
        self.history_ = state.get("history", {})
        self.classes_ = np.asarray(classes, dtype=object)
