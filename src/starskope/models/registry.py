"""Model configurations looked up by name (``MODELS.get("gbt")``).

Each entry is a :class:`ModelSpec`: the estimator class, its default hyperparameters for
that configuration, what it takes as input (``"features"``: a FeatureSet; ``"flux"``:
raw Kaggle-table rows) and a one-line description.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

from ..registry import Registry
from .dbn import DeepBeliefNetwork
from .ensemble import StackedEnsemble
from .gbt import GradientBoostedTrees
from .original_cnn import OriginalCNN
from .pixel_cnn import PixelCNN, PixelEnsemble
from .spectrogram_cnn import SpectrogramCNN
from .view_cnn import ViewCNN

__all__ = ["MODELS", "ModelSpec", "make_model"]


@dataclass(frozen=True)
class ModelSpec:
    """A named model configuration."""

    name: str
    estimator: type
    input: str
    description: str
    defaults: dict[str, Any] = field(default_factory=dict)

    def build(self, **params: Any) -> Any:
        """A new, unfitted estimator with the defaults overridden by ``params``."""
        p = dict(self.defaults)
        p.update(params)
        return self.estimator(**p)


#: The model registry.
MODELS: Registry[ModelSpec] = Registry("model")

for _spec in (
    ModelSpec("original-cnn", OriginalCNN, "flux",
              "the original starskope 1-D CNN on raw flux rows, reproduced as published (baseline)"),
    ModelSpec("view-cnn", ViewCNN, "features",
              "multi-branch CNN on global/local/odd-even/secondary views and scalar features"),
    ModelSpec("spectrogram-cnn", SpectrogramCNN, "features", "2-D CNN on time-frequency images"),
    ModelSpec("dbn", DeepBeliefNetwork, "features",
              "deep belief network: stacked RBMs pre-trained with contrastive divergence, fine-tuned"),
    ModelSpec("gbt", GradientBoostedTrees, "features", "gradient-boosted trees on the physical vetting features"),
    ModelSpec("ensemble", StackedEnsemble, "features",
              "stacked ensemble of view-cnn, spectrogram-cnn, dbn and gbt with a calibrated logistic stacker"),
    ModelSpec("pixel-cnn", PixelCNN, "features",
              "2-D CNN on a star's difference and out-of-transit images (needs pixel files)"),
    ModelSpec("pixel-ensemble", PixelEnsemble, "features",
              "a light-curve model and pixel-cnn, stacked for stars with pixels (the light-curve model's answer "
              "for the others)"),
):
    MODELS.add(_spec.name, _spec)


def make_model(name: str, **params: Any) -> Any:
    """A new, unfitted model of the named configuration.

    Raises
    ------
    UnknownNameError
        An unknown name (the message lists the known ones).
    """
    return MODELS.get(name).build(**params)
