"""Classify a light curve's star type and return the evidence a scientist can check."""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass, field
from typing import Any

import astropy.units as u
import numpy as np

from ..errors import StarskopeError, UnknownNameError
from .classes import STAR_TYPES
from .features import FeatureSet, light_curve_features
from .model import StarTypeModel, load_default_model

__all__ = [
    "PPT",
    "StarTypeEvidence",
    "StarTypeResult",
    "classify_star_type",
    "classify_star_type_arrays",
    "classify_star_types",
    "classify_star_types_arrays",
    "probability_columns",
    "quality_mask_for",
]

#: Parts per thousand, the unit of relative-flux amplitudes here.
PPT = u.def_unit("ppt", 1e-3 * u.dimensionless_unscaled, doc="parts per thousand of the median flux")


def probability_columns() -> list[str]:
    """Column names a table gets: ``star_type`` then ``p_type_<type>`` per star type."""
    return ["star_type", *[f"p_type_{t}" for t in STAR_TYPES]]


@dataclass(frozen=True)
class StarTypeEvidence:
    """What the verdict rests on, in physical units, ready to plot.

    Attributes
    ----------
    dominant_period, dominant_frequency : Quantity
        Highest Lomb–Scargle peak (days; cycles/day).
    amplitude : Quantity
        Semi-amplitude of that peak's sinusoid (ppt of the median flux).
    peak_to_peak : Quantity
        1st–99th percentile range of the relative flux (ppt).
    noise : Quantity
        Median of the amplitude spectrum (ppt): the floor peaks are compared with.
    other_periods : list of Quantity
        Second and third highest independent peaks (days).
    harmonics : dict
        ``r21``, ``r31`` (amplitude ratios of the 2nd/3rd harmonic to the 1st),
        ``phi21``, ``phi31`` (rad), ``amplitudes`` (Quantity, ppt, harmonics 1..4),
        ``variance_explained`` at P and at 2P.
    frequency, amplitude_spectrum : Quantity arrays
        The periodogram (cycles/day, ppt).
    fold_period : Quantity
        Period of the folded curve (twice the dominant period, so an eclipsing binary
        shows both eclipses).
    fold_phase : ndarray
        Phase bin centres (0–1), minimum at phase 0.
    fold_flux : Quantity array
        Mean relative flux per phase bin (ppt).
    eclipse : dict
        ``depth`` (ppt, of the folded minimum), ``secondary_ratio``, ``width`` (phase).
    box_search : dict
        Box search on the flattened curve: ``period`` (d), ``depth`` (ppt), ``snr``,
        ``sde``, ``odd_even_sigma``.
    features : dict of str to float
        Every readable feature (names carry units).
    """

    dominant_period: u.Quantity
    dominant_frequency: u.Quantity
    amplitude: u.Quantity
    peak_to_peak: u.Quantity
    noise: u.Quantity
    other_periods: list[u.Quantity]
    harmonics: dict[str, Any]
    frequency: u.Quantity
    amplitude_spectrum: u.Quantity
    fold_period: u.Quantity
    fold_phase: np.ndarray
    fold_flux: u.Quantity
    eclipse: dict[str, float]
    box_search: dict[str, float]
    features: dict[str, float] = field(repr=False, default_factory=dict)

    @classmethod
    def from_features(cls, fs: FeatureSet) -> StarTypeEvidence:
        v, ev = fs.values, fs.evidence
        f1 = v["f1_cpd"]
        period = (1.0 / f1) if f1 and np.isfinite(f1) and f1 > 0 else np.nan
        others = [(1.0 / f) * u.day for f, _ in ev["peaks"][1:] if np.isfinite(f) and f > 0]
        bls = ev["bls"]
        return cls(
            dominant_period=period * u.day,
            dominant_frequency=f1 / u.day,
            amplitude=v["a1_ppt"] * PPT,
            peak_to_peak=v["amp98_ppt"] * PPT,
            noise=ev["noise_ppt"] * PPT,
            other_periods=others,
            harmonics={"r21": v["r21"], "r31": v["r31"], "phi21": v["phi21"], "phi31": v["phi31"],
                       "amplitudes": np.asarray(ev["harmonic_amplitudes_ppt"]) * PPT,
                       "variance_explained_p": v["harm_var_frac_p1"],
                       "variance_explained_2p": v["harm_var_frac_2p1"]},
            frequency=np.asarray(ev["frequency"]) / u.day,
            amplitude_spectrum=np.asarray(ev["amplitude"]) * PPT,
            fold_period=ev["fold_period_d"] * u.day,
            fold_phase=np.asarray(ev["fold_phase"]),
            fold_flux=np.asarray(ev["fold_flux"]) * PPT,
            eclipse={"depth": v["fold_depth1_ppt"], "secondary_ratio": v["fold_depth2_over_depth1"],
                     "width": v["fold_min_width"]},
            box_search={"period": bls["period"], "depth": bls["depth"], "snr": bls["depth_snr"],
                        "sde": bls["sde"], "odd_even_sigma": bls["odd_even_sigma"]},
            features=dict(v),
        )


@dataclass(frozen=True)
class StarTypeResult:
    """The star type of one light curve.

    Attributes
    ----------
    star_type : str
        Most probable type (one of :data:`~.classes.STAR_TYPES`).
    probabilities : dict of str to float
        Every star type → probability (types the model was not trained on get 0).
    evidence : StarTypeEvidence
    """

    star_type: str
    probabilities: dict[str, float]
    evidence: StarTypeEvidence

    def columns(self) -> dict[str, Any]:
        """``{'star_type': …, 'p_type_<type>': …}`` for a results table."""
        return {"star_type": self.star_type,
                **{f"p_type_{t}": float(self.probabilities.get(t, 0.0)) for t in STAR_TYPES}}

    def as_dict(self, *, arrays: bool = False) -> dict[str, Any]:
        """JSON-ready summary (plain floats; periodogram and fold arrays if ``arrays``)."""
        ev = self.evidence
        out: dict[str, Any] = {
            **self.columns(),
            "dominant_period_d": float(ev.dominant_period.to_value(u.day)),
            "amplitude_ppt": float(ev.amplitude.to_value(PPT)),
            "peak_to_peak_ppt": float(ev.peak_to_peak.to_value(PPT)),
            "noise_ppt": float(ev.noise.to_value(PPT)),
            "other_periods_d": [float(p.to_value(u.day)) for p in ev.other_periods],
            "harmonics": {k: (v.to_value(PPT).tolist() if isinstance(v, u.Quantity) else float(v))
                          for k, v in ev.harmonics.items()},
            "eclipse": {k: float(v) for k, v in ev.eclipse.items()},
            "box_search": {k: float(v) for k, v in ev.box_search.items()},
        }
        if arrays:
            out["periodogram"] = {"frequency_per_day": ev.frequency.to_value(1 / u.day).tolist(),
                                  "amplitude_ppt": ev.amplitude_spectrum.to_value(PPT).tolist()}
            out["fold"] = {"period_d": float(ev.fold_period.to_value(u.day)),
                           "phase": ev.fold_phase.tolist(),
                           "flux_ppt": ev.fold_flux.to_value(PPT).tolist()}
        return _clean(out)


def _clean(obj: Any) -> Any:
    if isinstance(obj, dict):
        return {k: _clean(v) for k, v in obj.items()}
    if isinstance(obj, list):
        return [_clean(v) for v in obj]
    if isinstance(obj, float) and not np.isfinite(obj):
        return None
    return obj


def quality_mask_for(mission: Any, quality_mask: str | int = "default") -> int:
    """QUALITY bit mask of a telescope's named mask ('default', 'hard', …); 0 for an
    unknown or missing telescope; an int is returned as it is."""
    return _quality_mask(mission, quality_mask)


def _quality_mask(mission: Any, quality_mask: str | int) -> int:
    if isinstance(quality_mask, int):
        return quality_mask
    if not mission:
        return 0
    from ..missions import get_mission

    try:
        return int(get_mission(str(mission)).quality_mask(quality_mask))
    except UnknownNameError:
        return 0


def _results(model: StarTypeModel, sets: Sequence[FeatureSet]) -> list[StarTypeResult]:
    X = np.vstack([fs.vector() for fs in sets])
    spectrum = np.vstack([fs.spectrum for fs in sets])
    shape = np.vstack([fs.shape for fs in sets])
    proba = model.predict_proba(X, spectrum, shape)
    out = []
    for fs, p in zip(sets, proba, strict=True):
        probs = {t: 0.0 for t in STAR_TYPES}
        probs.update({c: float(x) for c, x in zip(model.classes_, p, strict=True)})
        best = max(probs, key=lambda t: probs[t])
        out.append(StarTypeResult(best, probs, StarTypeEvidence.from_features(fs)))
    return out


def classify_star_types_arrays(
    curves: Sequence[tuple[np.ndarray, np.ndarray, np.ndarray | None, int] | None],
    *,
    model: StarTypeModel | None = None,
    sources: Sequence[str] | None = None,
) -> list[StarTypeResult | None]:
    """Star types of many light curves given as ``(time_bjd, flux, quality, quality_mask)``
    (one batched model call). A curve that is None, or cannot be classified (too few
    cadences, non-positive flux), gets None instead of a result."""
    sets, where = [], []
    for i, curve in enumerate(curves):
        if curve is None:
            continue
        try:
            sets.append(light_curve_features(curve[0], curve[1], curve[2], quality_mask=curve[3],
                                             source=sources[i] if sources is not None else "<memory>"))
            where.append(i)
        except (StarskopeError, ValueError):
            continue
    out: list[StarTypeResult | None] = [None] * len(curves)
    if sets:
        for i, res in zip(where, _results(model or load_default_model(), sets), strict=True):
            out[i] = res
    return out


def classify_star_type_arrays(
    time_bjd: np.ndarray,
    flux: np.ndarray,
    quality: np.ndarray | None = None,
    *,
    quality_mask: int = 0,
    model: StarTypeModel | None = None,
    source: str = "<memory>",
) -> StarTypeResult:
    """Star type from plain arrays (times BJD_TDB days, positive flux)."""
    fs = light_curve_features(time_bjd, flux, quality, quality_mask=quality_mask, source=source)
    return _results(model or load_default_model(), [fs])[0]


def classify_star_type(
    lc: Any, *, model: StarTypeModel | None = None, quality_mask: str | int = "default"
) -> StarTypeResult:
    """What kind of star is this? Star type, probabilities and periodogram evidence.

    Parameters
    ----------
    lc : lightkurve.LightCurve
        A starskope light curve (any mission, any cadence; fast cadences are binned to
        30 min first). Flux must be positive (raw or normalised to 1).
    model : StarTypeModel, optional
        Defaults to the model shipped in ``starskope/data/startypes``.
    quality_mask : str or int
        Mission quality mask name ('default', 'hard', …) or bit mask; cadences with
        those QUALITY bits are dropped.

    Returns
    -------
    StarTypeResult

    Raises
    ------
    LightCurveDataError
        Fewer than 100 usable cadences, or non-positive median flux.
    ModelFileError
        The model cannot be loaded.
    """
    from ..lightcurve import arrays

    a = arrays(lc)
    mask = _quality_mask(lc.meta.get("MISSION"), quality_mask)
    source = str(lc.meta.get("FILENAME") or lc.meta.get("OBJECT") or "<light curve>")
    return classify_star_type_arrays(a.time, a.flux, a.quality, quality_mask=mask, model=model,
                                     source=source)


def classify_star_types(
    lcs: Sequence[Any], *, model: StarTypeModel | None = None, quality_mask: str | int = "default"
) -> list[StarTypeResult]:
    """:func:`classify_star_type` for many light curves (one batched model call)."""
    from ..lightcurve import arrays

    if not lcs:
        return []
    sets = []
    for lc in lcs:
        a = arrays(lc)
        mask = _quality_mask(lc.meta.get("MISSION"), quality_mask)
        source = str(lc.meta.get("FILENAME") or lc.meta.get("OBJECT") or "<light curve>")
        sets.append(light_curve_features(a.time, a.flux, a.quality, quality_mask=mask, source=source))
    return _results(model or load_default_model(), sets)
