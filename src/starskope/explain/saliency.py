"""Which stretches of the light curve moved the CNN's planet score: occlusion saliency.

The view CNN reads phase-folded views, not the light curve itself, so gradients with
respect to the views say *which phases* mattered, not *which cadences*. Occlusion answers
the question in time directly (Zeiler & Fergus 2014): the light curve is cut into
windows of about half a transit duration; for each window its cadences are replaced by
the median flux (a flat, featureless stretch — leaving them out instead would change
nothing when every transit looks alike, since the views are averages), the five views
are rebuilt exactly as the feature extractor builds them (same ephemeris, same depth
normalisation), and the CNN scores the result. The saliency of a window is

    S = score(all data) − score(window flattened),

positive where the data pushed the score towards a planet (typically the transits),
negative where they pulled it away (an odd-even mismatch, a secondary eclipse, a
glitch). All windows are scored in one batch.

The score (:func:`view_cnn_scorer`) is the CNN's planet *log-odds*, ln p/(1 − p):
probabilities saturate near 0 and 1, where a real change of evidence barely moves them.
By default the CNN's scalar branch is held at its training mean while scoring, so the
curve shows what the *view* branches read from the light curve; the scalar features
(search and vetting statistics) do not change when one window is flattened, and when they
dominate the network they would otherwise hide the views' response.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ParameterError
from ..features.views import ViewSpec, normalize_views, star_views

__all__ = ["Saliency", "occlusion_saliency", "view_cnn_scorer"]

Scorer = Callable[[dict[str, np.ndarray]], np.ndarray]


@dataclass
class Saliency:
    """Occlusion saliency of the CNN's planet score over time.

    Attributes
    ----------
    start, stop : ndarray
        Window edges, BJD_TDB days.
    value : ndarray
        ``score(all) − score(window flattened)`` per window (NaN: no data in it).
    score_full : float
        The score with all data.
    window_days : float
        Window width.
    model : str
        What was scored.
    score_name : str
        What the score is, in words.
    """

    start: np.ndarray
    stop: np.ndarray
    value: np.ndarray
    score_full: float
    window_days: float
    model: str = "view-cnn"
    score_name: str = "planet log-odds of the view CNN (view branches)"

    def at(self, time: np.ndarray) -> np.ndarray:
        """Saliency of each time stamp (the value of its window; NaN outside)."""
        t = np.asarray(time, float)
        i = np.searchsorted(self.start, t, side="right") - 1
        out = np.full(t.shape, np.nan)
        ok = (i >= 0) & (i < self.start.size)
        ok[ok] &= t[ok] < self.stop[i[ok]]
        out[ok] = self.value[i[ok]]
        return out

    @property
    def peak_time(self) -> float:
        """Centre of the window with the largest saliency (NaN when none)."""
        if not np.isfinite(self.value).any():
            return float("nan")
        k = int(np.nanargmax(self.value))
        return float(0.5 * (self.start[k] + self.stop[k]))

    def to_dict(self) -> dict[str, Any]:
        def clean(a: np.ndarray, nd: int) -> list[float | None]:
            return [None if not np.isfinite(x) else round(float(x), nd) for x in a]

        return {"start": clean(self.start, 6), "stop": clean(self.stop, 6), "value": clean(self.value, 6),
                "score_full": float(self.score_full), "window_days": float(self.window_days), "model": self.model,
                "score": self.score_name,
                "method": "occlusion: score(all data) − score(window flattened to the median flux)"}


def occlusion_saliency(
    time: np.ndarray,
    flux: np.ndarray,
    *,
    period: float,
    epoch: float,
    duration: float,
    depth: float,
    score: Scorer,
    view_spec: ViewSpec | None = None,
    secondary_phase: float = 0.5,
    window_days: float | None = None,
    max_windows: int = 300,
    model: str = "view-cnn",
    score_name: str = "planet log-odds of the view CNN (view branches)",
) -> Saliency:
    """Occlusion saliency of a view-based score over the light curve.

    Parameters
    ----------
    time, flux : ndarray
        Cleaned light curve, BJD_TDB days and normalised flux.
    period, epoch, duration : float
        The candidate's ephemeris (days, BJD_TDB, days).
    depth : float
        Depth (fraction) the views are normalised by, as in feature extraction.
    score : callable
        ``score(views) -> p`` with ``views`` a dict of 2-D arrays (one row per
        occlusion, names of :data:`~starskope.features.views.VIEW_NAMES`), normalised.
    view_spec : ViewSpec, optional
    secondary_phase : float
        Phase of the secondary view (vetting's, else 0.5).
    window_days : float, optional
        Window width (default half the duration, widened so at most ``max_windows``
        windows cover the data).
    max_windows : int
    model, score_name : str
        What ``score`` evaluates (for the record).

    Returns
    -------
    Saliency

    Raises
    ------
    ParameterError
        Arrays of different lengths, fewer than 10 finite points, or a non-positive
        period, duration or window.
    """
    t = np.asarray(time, float)
    f = np.asarray(flux, float)
    if t.shape != f.shape:
        raise ParameterError(f"time and flux differ in length ({t.size} and {f.size})")
    ok = np.isfinite(t) & np.isfinite(f)
    if ok.sum() < 10:
        raise ParameterError(f"occlusion saliency needs at least 10 finite points; got {int(ok.sum())}")
    if not (period > 0 and duration > 0):
        raise ParameterError(f"period and duration must be positive days; got {period}, {duration}")
    t, f = t[ok], f[ok]
    spec = view_spec or ViewSpec()
    span = float(t[-1] - t[0])
    cad = float(np.median(np.diff(t))) if t.size > 1 else duration
    width = float(window_days) if window_days is not None else max(0.5 * duration, span / max(1, int(max_windows)),
                                                                   2 * cad)
    if not width > 0:
        raise ParameterError(f"window_days must be positive; got {window_days}")
    edges = t[0] + width * np.arange(int(np.floor(span / width)) + 2)
    start, stop = edges[:-1], edges[1:]
    idx = np.searchsorted(start, t, side="right") - 1
    has = np.bincount(idx, minlength=start.size)[: start.size] > 0

    def views_of(fl: np.ndarray) -> dict[str, np.ndarray]:
        raw = star_views(t, fl, period, epoch, duration, spec=spec, secondary_phase=secondary_phase)
        v, _ = normalize_views(raw, depth)
        return v

    full = views_of(f)
    batch: dict[str, list[np.ndarray]] = {k: [v] for k, v in full.items()}
    windows = np.flatnonzero(has)
    baseline = float(np.median(f))
    for w in windows:
        fl = f.copy()
        fl[idx == w] = baseline
        for k, v in views_of(fl).items():
            batch[k].append(v)
    stacked = {k: np.stack(v).astype(np.float32) for k, v in batch.items()}
    p = np.asarray(score(stacked), float)
    if p.shape != (windows.size + 1,):
        raise ParameterError(f"score returned shape {p.shape}; expected ({windows.size + 1},)")
    value = np.full(start.size, np.nan)
    value[windows] = p[0] - p[1:]
    return Saliency(start=start, stop=stop, value=value, score_full=float(p[0]), window_days=width, model=model,
                    score_name=score_name)


def view_cnn_scorer(cnn: Any, features: Any, class_index: int = 0, *, views_only: bool = True) -> Scorer:
    """A :data:`Scorer` from a fitted view CNN and the star's one-row FeatureSet: the views
    are replaced, the scalar features kept, and the score is the log-odds of class
    ``class_index`` (planet) against all others.

    Parameters
    ----------
    cnn : ViewCNN
    features : FeatureSet
        The star's features (first row).
    class_index : int
    views_only : bool
        Hold the CNN's scalar branch at its training mean (see the module docstring).
        Needs a network that can ablate a branch; otherwise the full network is scored.
    """
    net = getattr(cnn, "network_", None)
    can_ablate = net is not None and hasattr(cnn, "network_inputs")

    def as_features(views: dict[str, np.ndarray]) -> Any:
        n = next(iter(views.values())).shape[0]
        fs = features.subset(np.zeros(n, dtype=int))
        fs.views = {k: np.asarray(v, np.float32) for k, v in views.items()}
        return fs

    def log_odds(logp: np.ndarray) -> np.ndarray:
        others = np.delete(logp, class_index, axis=1)
        m = others.max(axis=1, keepdims=True)
        return logp[:, class_index] - (m[:, 0] + np.log(np.exp(others - m).sum(axis=1)))

    def score(views: dict[str, np.ndarray]) -> np.ndarray:
        fs = as_features(views)
        if can_ablate:
            import torch

            assert net is not None

            inputs = {k: torch.from_numpy(np.ascontiguousarray(v)) for k, v in cnn.network_inputs(fs).items()}
            net.eval()
            with torch.no_grad():
                z = net(**inputs, ablate="scalars" if views_only else None)
                logp = torch.log_softmax(z.double(), dim=1).numpy()
        else:
            logp = np.log(np.clip(np.asarray(cnn.predict_proba(fs), float), 1e-12, 1.0))
        return log_odds(logp)

    return score
