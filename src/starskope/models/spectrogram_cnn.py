"""The spectrogram CNN: a 2-D convolutional network on time–frequency images.

The original starskope proposed "computer vision on spectrographs" of the flux; here the
images are built on a physical grid (:mod:`starskope.features.spectrogram`: 30-min steps,
4-day segments, frequency 0.25–24 d⁻¹ whatever the telescope). Three convolution blocks
(3 × 3, ReLU, batch normalisation, 2 × 2 max-pool) then two dense layers into the four
classes. A periodic transit shows as a comb of harmonics at k/P, a pulsator as a strong
line, a quiet star as a flat image. Augmentation rolls and mirrors the image in time
(the time axis says when, not what).
"""

from __future__ import annotations

from typing import Any

import numpy as np

from .base import Progress, TorchClassifier
from .labels import CLASSES

__all__ = ["SpectrogramCNN"]


def _network(n_freq: int, n_time: int, width: int, dropout: float):
    import torch
    from torch import nn

    w = int(width)

    class SpecNet(nn.Module):
        def __init__(self) -> None:
            super().__init__()
            self.features = nn.Sequential(
                nn.Conv2d(1, w, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(w), nn.MaxPool2d(2, ceil_mode=True),
                nn.Conv2d(w, 2 * w, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(2 * w), nn.MaxPool2d(2, ceil_mode=True),
                nn.Conv2d(2 * w, 4 * w, 3, padding=1), nn.ReLU(), nn.BatchNorm2d(4 * w),
                nn.AdaptiveAvgPool2d((6, 1)),
                nn.Flatten(),
            )
            self.head = nn.Sequential(nn.Dropout(dropout), nn.Linear(4 * w * 6, 8 * w), nn.ReLU(),
                                      nn.Linear(8 * w, len(CLASSES)))

        def forward(self, image):
            return self.head(self.features(image.unsqueeze(1)))

    net = SpecNet()
    with torch.no_grad():
        net.eval()
        net(torch.zeros(2, n_freq, n_time))
    return net


def _augment(batch: dict[str, Any], rng: np.random.Generator) -> dict[str, Any]:
    import torch

    img = batch["image"]
    n_time = img.shape[2]
    shift = int(rng.integers(0, n_time))
    img = torch.roll(img, shifts=shift, dims=2)
    if rng.random() < 0.5:
        img = torch.flip(img, dims=[2])
    return {"image": img}


class SpectrogramCNN(TorchClassifier):
    """2-D CNN on spectrogram images (four classes).

    Parameters
    ----------
    width : int
        Filters of the first block (doubling per block).
    dropout : float
    epochs, batch_size, learning_rate, weight_decay, class_weight, patience, seed
        Training settings (see :class:`~starskope.models.base.TorchClassifier`).
    """

    model_name = "spectrogram-cnn"

    def network_inputs(self, X) -> dict[str, np.ndarray]:
        if tuple(X.spectrogram.shape[1:]) != self.image_shape_:
            from ..errors import ParameterError

            raise ParameterError(f"spectrogram images are {X.spectrogram.shape[1:]}; the model was trained on {self.image_shape_}")
        img = np.asarray(X.spectrogram, np.float32)
        return {"image": (img - self.image_center_) / self.image_scale_}

    def fit(self, X: Any, y: Any = None, *, progress: Progress | None = None) -> SpectrogramCNN:
        """Train on a labelled FeatureSet's spectrogram images."""
        X, yi, rng = self._start_fit(X, y)
        img = np.asarray(X.spectrogram, np.float64)
        self.image_center_ = float(np.median(img))
        self.image_scale_ = float(np.std(img)) or 1.0
        self.image_shape_ = tuple(int(s) for s in img.shape[1:])
        net = _network(*self.image_shape_, self.width, self.dropout)
        self._train(net, self.network_inputs(X), yi, augment=_augment, rng=rng, progress=progress)
        return self

    def _export_state(self):
        self._check_fitted()
        state = {"image_center": self.image_center_, "image_scale": self.image_scale_,
                 "image_shape": list(self.image_shape_), "history": self.history_}
        return state, dict(self.network_.state_dict()), "torch"

    def _import_state(self, state, arrays, *, classes, members):
        self.image_center_ = float(state["image_center"])
        self.image_scale_ = float(state["image_scale"])
        self.image_shape_ = tuple(int(s) for s in state["image_shape"])
        net = _network(*self.image_shape_, self.width, self.dropout)
        net.load_state_dict(arrays)
        net.eval()
        self.network_ = net
        self.history_ = state.get("history", {})
        self.classes_ = np.asarray(classes, dtype=object)
