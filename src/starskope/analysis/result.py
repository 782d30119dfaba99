"""The one result type of a star's analysis."""

from __future__ import annotations

from dataclasses import dataclass, field
from typing import Any

import numpy as np

from ..features.dataset import FeatureSet, StarData
from ..search.candidate import TransitCandidate
from .options import AnalysisOptions

__all__ = ["Classification", "StarAnalysis"]


@dataclass(frozen=True)
class Classification:
    """A model's verdict on one star.

    Attributes
    ----------
    probabilities : dict of str to float
        Class → probability (:data:`starskope.models.labels.CLASSES`).
    decided : str
        The class the model decides (its own decision rule, e.g. the stacked ensemble's
        planet threshold; the most probable class for models without one).
    model : str
        The model's identity (name and weights hash).
    """

    probabilities: dict[str, float]
    decided: str
    model: str

    @property
    def p_planet(self) -> float:
        return float(self.probabilities.get("planet_transit", float("nan")))


@dataclass
class StarAnalysis:
    """Everything measured about one star: the same object behind ``classify``'s row,
    a report and the web page.

    Attributes
    ----------
    label : str
        What the user gave (file name, ``"row 7 of exoTest.csv"``, or the star's name
        for several files stitched).
    file : str
        The input: a file path, a table path, or several paths joined by ``;``.
    target, mission, product, flux_origin : str
        From the light curve's meta (``""`` when unknown); ``target`` is the catalogue
        name (``"TIC 261136679"``) or the table row (``"row 7"``).
    raw_time : ndarray
        Every cadence the reader returned, BJD_TDB days.
    raw_flux : ndarray
        Flux before cleaning divided by the median trend (≈ 1; NaN where missing).
    quality : ndarray of int
        QUALITY flags of every cadence (0 when the file has none).
    quality_bitmask : int
        The bitmask cleaning applied.
    kept : ndarray of bool
        Cadences that survived cleaning (quality mask, NaNs, outliers, thruster firings).
    time, flux : ndarray
        The cleaned cadences, BJD_TDB days, and the detrended flux (≈ 1).
    trend : ndarray
        The removed trend at the cleaned cadences, on the scale of ``raw_flux``.
    search : SearchResult or None
        The transit search (periodograms, every candidate); None when it could not run
        or when the candidates were given (vetting at a known ephemeris).
    candidate : TransitCandidate or None
        The best candidate (vetting's refined one when vetted).
    vetting : VettingReport or None
        Vetting of the best candidate. Its values go into the model's inputs only when
        ``vetted_for_model`` (SNR ≥ ``options.vet_min_snr``); a weaker candidate is vetted
        only for display (``analyse(..., detail=True)``).
    vetted_for_model : bool
    star : StarData
        Exactly what the feature extractor reads.
    features : FeatureSet
        The model inputs of this one star.
    star_type : StarTypeResult or None
        The star type measured on the light curve before detrending (None: not asked
        for, or too few cadences — see ``notes``).
    classification : Classification or None
        The model's decision (None: no model given). The star's one verdict, which
        reconciles it with the vetting and the star type, is :attr:`verdict`.
    candidate_reports : list of VettingReport or None
        The vetting of each of :attr:`candidates` (``detail=True``): the first is
        ``vetting``; the others were vetted knowing all the others. Empty when not
        vetted (``detail=False``); None for a candidate whose vetting failed.
    provenance : list of str
        Reading and cleaning steps.
    notes : list of str
        What did not go as usual (search or vetting failures, star type not measured).
    warnings : list of str
        Repairs made to the data (starskope warnings raised while reading and analysing
        this star: dropped cadences, a guessed time system, ...).
    options : AnalysisOptions
    pixels : PixelSeries or None
        The star's pixels when the input was a target pixel file or an FFI cutout
        (:func:`starskope.pixels.read_pixels`); vetting then measured the difference image.
    """

    label: str
    file: str
    target: str
    mission: str
    product: str
    flux_origin: str
    raw_time: np.ndarray
    raw_flux: np.ndarray
    quality: np.ndarray
    quality_bitmask: int
    kept: np.ndarray
    time: np.ndarray
    flux: np.ndarray
    trend: np.ndarray
    search: Any
    candidate: TransitCandidate | None
    vetting: Any
    vetted_for_model: bool
    star: StarData
    features: FeatureSet
    star_type: Any = None
    classification: Classification | None = None
    candidate_reports: list[Any] = field(default_factory=list)
    provenance: list[str] = field(default_factory=list)
    notes: list[str] = field(default_factory=list)
    warnings: list[str] = field(default_factory=list)
    options: AnalysisOptions = field(default_factory=AnalysisOptions)
    pixels: Any = None

    @property
    def difference_image(self) -> Any:
        """The vetting's :class:`~starskope.pixels.DifferenceImage` (None without pixels or
        without a vetted candidate)."""
        if self.vetting is None:
            return None
        return getattr(self.vetting, "products", {}).get("difference_image")

    @property
    def flags(self) -> str:
        """Vetting flags of the best candidate (``;``-separated), as the model sees them."""
        return self.star.flags

    @property
    def candidates(self) -> list[TransitCandidate]:
        """Every candidate the search reported (strongest first); the given ones when
        vetted at a known ephemeris."""
        if self.search is None:
            return [self.candidate] if self.candidate is not None else []
        return list(self.search.candidates)

    @property
    def verdict(self) -> Any:
        """The star's one verdict (:func:`starskope.analysis.verdict.verdict_of`): the
        model, the vetting and the star type reconciled, with a status and a reason."""
        from .verdict import verdict_of

        return verdict_of(self)

    @property
    def candidate_rows(self) -> list[dict[str, Any]]:
        """Every candidate with its numbers, flags and relations
        (:func:`starskope.analysis.candidates.candidate_rows`)."""
        from .candidates import candidate_rows

        return candidate_rows(self)

    @property
    def quality_flagged(self) -> np.ndarray:
        """Cadences whose QUALITY has a bit of the applied mask set."""
        return (self.quality.astype(np.int64) & int(self.quality_bitmask)) != 0

    @property
    def outliers(self) -> np.ndarray:
        """Cadences removed by cleaning for another reason than QUALITY (outliers, NaN)."""
        return ~self.kept & ~self.quality_flagged & np.isfinite(self.raw_flux)

    @property
    def stellar(self) -> dict[str, float]:
        """Stellar parameters used by vetting (unit-suffixed floats; empty when unknown)."""
        return dict(self.vetting.stellar) if self.vetting is not None else {}

    def scalar(self, name: str) -> float:
        """One scalar feature of this star (NaN when not measured)."""
        return float(self.features.scalar(name)[0])
