"""The settings of one star's analysis, and the one place they are resolved.

Every entry point — ``starskope classify``, ``report``, ``search``, ``vet``,
``evaluate``, ``train``, the web app, the batch engine and the Python API — calls
:func:`options_for` with the model it will use and the user's overrides, so one star
gets one set of settings and therefore one answer wherever it is analysed.

Settings come in two kinds:

* **model inputs** (:data:`MODEL_FIELDS`): everything that changes what a classifier
  sees — detrending, search range, vetting depth, stellar look-up, view sizes, the K2
  roll correction. A model stores the ones it was trained with (``model.json``,
  ``preprocessing.analysis``) and :func:`options_for` uses *those* for it, saying so
  (:class:`ModelOptionsWarning`) where they differ from today's defaults;
* **run settings** (star types, chunk size, candidates per star): how much to compute
  and how to split the work; they never change a probability.
"""

from __future__ import annotations

import warnings
from collections.abc import Mapping
from dataclasses import asdict, dataclass, field, fields, replace
from typing import Any

import numpy as np

from ..errors import ParameterError, StarskopeWarning
from ..features.spectrogram import SpectrogramSpec
from ..features.views import ViewSpec

__all__ = [
    "MODEL_FIELDS",
    "RUN_FIELDS",
    "AnalysisOptions",
    "ModelOptionsWarning",
    "model_options",
    "options_for",
    "search_period_max",
]


class ModelOptionsWarning(StarskopeWarning):
    """A model is analysed with the settings it was trained with, which differ from
    today's defaults (or an override changes what the model sees)."""


#: Fewest cleaned cadences a star needs to be analysed.
MIN_CADENCES = 50

#: Settings that change the model's inputs (stored with a model, followed for it).
MODEL_FIELDS: tuple[str, ...] = (
    "detrend", "period_min_days", "period_max_days", "search_oversample", "vet_min_snr", "vet_transit_fit",
    "table_outliers", "stellar", "view_spec", "spectrogram_spec", "k2_roll", "search_bands", "search_snr",
    "catalog_match", "vet_centroids", "equal_eclipses",
)
#: Settings that only decide how much is computed and how work is split.
RUN_FIELDS: tuple[str, ...] = ("chunk_size", "star_types", "max_planets")

#: Overrides for computing a model's inputs (training, evaluation): star types are no
#: input, nor the candidates after the best, so the search stops at one (the same
#: features to the last bit, a quarter less CPU per table row).
FOR_MODEL_INPUTS: dict[str, Any] = {"star_types": False, "max_planets": 1}

#: What a model stored before a setting existed was trained with: the behaviour from
#: before the setting (the K2 roll correction of tables and the limb-darkened depth
#: fit were added after the first models were trained).
_BEFORE_THE_SETTING: dict[str, Any] = {"k2_roll": False, "vet_transit_fit": False, "search_bands": False,
                                       "vet_centroids": False, "equal_eclipses": False}


@dataclass(frozen=True)
class AnalysisOptions:
    """Settings of the clean → search → vet → features chain.

    Attributes
    ----------
    detrend : str
        Detrender name (:data:`starskope.clean.DETRENDERS`).
    period_min_days, period_max_days : float
        Search range, days (``period_max_days`` None: the time span, or half of it up
        to 40 d without ``search_bands``; see :func:`search_period_max`). Periods under
        0.5 d are a band of their own (:func:`starskope.search.period_bands`). 0.2 d
        reaches contact binaries (orbits down to 0.22 d) and ultra-short-period planets
        (Kepler-78 b, 0.36 d), but it costs planets their place: measured on
        ../shared/data against 0.5 d, detectable TESS binaries at their catalogue period
        93 → 101 of 145 and Kepler binaries 46 → 47 of 47 (``benchmarks/real_recovery.py``;
        no planet host changed), while planets injected at SNR 7–10 into real quiet
        Kepler/K2/TESS stars were the best candidate 38 times of 64 instead of 44
        (``benchmarks/recovery.py --study inject --n-inject 300``): five of the six lost
        to short-period stellar signals of the "quiet" stars (0.22–0.45 d; SNR up to 99
        in another star), one to the alias evidence of :mod:`.orbits` (since kept to
        not-transit-like dips). It also costs 20–60 % more analysis time on a TESS 2-min
        sector; 0.1 d, tried earlier, put a 0.46-d box on TRAPPIST-1's flares ahead of
        planet b. So the default stays 0.5 d; ``period_min_days=0.2``
        (``--period-min 0.2``) is for binaries and ultra-short-period planets.
    search_oversample : float
        Frequency oversampling of the search grid (the best peaks are then refined ten
        times finer, so 1.0 finds the same periods as 2.0 in half the time: measured on the
        simulated K2 C3 test table, 89 % of planets and EBs recovered either way).
    vet_min_snr : float
        The best candidate's vetting goes into the model's inputs only when its SNR
        reaches this (the Kepler pipeline's detection threshold, 7.1σ, by default);
        weaker candidates keep NaN vetting features.
    vet_transit_fit : bool
        Measure the depth with vetting's limb-darkened transit fit (accurate; ~10 ms more
        per candidate) instead of the trapezoid's (~3 % low).
    table_outliers : bool
        Remove upward outliers and jittery stretches (as light curves' cleaning does,
        :func:`starskope.clean.remove_jitter`) from table rows before detrending. Off by default: the
        biweight trend and the search's robust noise are insensitive to them, and rows
        without removed cadences share their fold in the batched search (4 × faster).
    stellar : str or None
        Stellar parameters: ``"auto"`` (default: the star's entry in the offline
        catalogues, by its identifier; vetting's planet radius in Earth radii and density
        check, and the search's trial durations for a third to three times the star's
        density, :func:`starskope.analysis.core.search_density`) or None (unknown: radius
        and density tests are skipped, the search covers the FGKM dwarfs' densities).
    view_spec, spectrogram_spec : dict
        Sizes of the views and spectrogram images.
    chunk_size : int
        Stars per work unit (table rows analysed together).
    star_types : bool
        Also name each star's type (:mod:`starskope.startypes`) from its light curve
        before detrending (``star_type`` and ``p_type_<type>``).
    k2_roll : bool
        K2 flux tables (no centroids, no QUALITY): find the spacecraft's thruster firings
        as the cadences where many stars jump at once, remove each star's roll sawtooth
        against its place in the roll cycle, and leave the firing cadences out
        (:func:`starskope.clean.k2roll.table_firings`).
    search_snr : float
        The search's detection threshold: candidates with SNR at least this (the
        Kepler pipeline's 7.1σ).
    catalog_match : bool
        Compare each candidate's ephemeris with the known signals of the star and its
        neighbours in the catalogue folder (``EPHEMERIS_MATCH``; :mod:`.lookups`).
    vet_centroids : bool
        Give vetting the light curve's flux-weighted centroids when the file has them
        (the centroid shift in transit: ``CENTROID_OFFSET``, a background binary's tell).
    search_bands : bool
        Search the period range in bands a factor 4 apart, each on the flux detrended
        with the window its own longest transit needs, and rank the bands' candidates
        by SNR (:mod:`starskope.search.bands`); off, one search on the flux detrended for
        the longest period.
    max_planets : int
        Most candidates the search reports per star (strongest first, each found after
        masking the transits of the ones before). Only the first is vetted for the model
        and given to it, so this never changes a probability; reports, the web page and
        ``classify --all-candidates`` show them all with their relations
        (:mod:`starskope.analysis.candidates`).
    equal_eclipses : bool
        An eclipsing binary whose two eclipses look alike, found by the search at half
        its orbital period, is vetted and reported at the orbital period (twice the
        found one; :mod:`starskope.analysis.orbits` says when).
    """

    detrend: str = "biweight"
    period_min_days: float = 0.5
    period_max_days: float | None = None
    search_oversample: float = 1.0
    vet_min_snr: float = 7.1
    vet_transit_fit: bool = True
    table_outliers: bool = False
    stellar: str | None = "auto"
    view_spec: dict[str, Any] = field(default_factory=lambda: ViewSpec().as_dict())
    spectrogram_spec: dict[str, Any] = field(default_factory=lambda: SpectrogramSpec().as_dict())
    chunk_size: int = 128
    star_types: bool = True
    k2_roll: bool = True
    search_bands: bool = True
    search_snr: float = 7.1
    catalog_match: bool = False
    vet_centroids: bool = True
    max_planets: int = 5
    equal_eclipses: bool = True

    def __post_init__(self) -> None:
        if not (np.isfinite(self.period_min_days) and self.period_min_days > 0):
            raise ParameterError(f"period_min_days must be a positive number of days; got {self.period_min_days}")
        if self.period_max_days is not None and not (self.period_max_days > self.period_min_days):
            raise ParameterError(f"period_max_days must exceed period_min_days ({self.period_min_days} d); "
                                 f"got {self.period_max_days}")
        if not self.search_oversample >= 1:
            raise ParameterError(f"search_oversample must be >= 1; got {self.search_oversample}")
        if not (np.isfinite(self.search_snr) and self.search_snr >= 0):
            raise ParameterError(f"search_snr must be a non-negative SNR; got {self.search_snr}")
        if not (np.isfinite(self.vet_min_snr) and self.vet_min_snr > 0):
            raise ParameterError(f"vet_min_snr must be a positive SNR; got {self.vet_min_snr}")
        if self.stellar not in (None, "auto"):
            raise ParameterError(f"stellar must be 'auto' or None; got {self.stellar!r}")
        if int(self.chunk_size) < 1:
            raise ParameterError(f"chunk_size must be >= 1; got {self.chunk_size}")
        whole = isinstance(self.max_planets, int | np.integer) and not isinstance(self.max_planets, bool)
        if not (whole and 1 <= int(self.max_planets) <= 20):
            raise ParameterError(f"max_planets must be a whole number from 1 to 20; got {self.max_planets!r}")

    def views(self) -> ViewSpec:
        return ViewSpec(**self.view_spec)

    def spectrogram(self) -> SpectrogramSpec:
        return SpectrogramSpec(**self.spectrogram_spec)

    def as_dict(self) -> dict[str, Any]:
        return asdict(self)

    def model_inputs(self) -> dict[str, Any]:
        """The settings of :data:`MODEL_FIELDS` (what a model stores)."""
        d = self.as_dict()
        return {k: d[k] for k in MODEL_FIELDS}

    @classmethod
    def from_dict(cls, d: Mapping[str, Any] | None) -> AnalysisOptions:
        """Options from a dict; unknown keys are an error, missing ones take the defaults."""
        d = dict(d or {})
        names = {f.name for f in fields(cls)}
        unknown = sorted(set(d) - names)
        if unknown:
            raise ParameterError(f"unknown analysis option(s) {unknown}; known: {', '.join(sorted(names))}")
        return cls(**d)


def model_options(model: Any) -> AnalysisOptions | None:
    """The analysis settings ``model`` was trained with (its ``preprocessing['analysis']``),
    or None for a model that stores none. A setting the model does not mention is read
    as the behaviour from before that setting existed."""
    stored = (getattr(model, "preprocessing_", None) or {}).get("analysis")
    if not stored:
        return None
    names = {f.name for f in fields(AnalysisOptions)}
    known = {k: v for k, v in dict(stored).items() if k in names}
    for key, before in _BEFORE_THE_SETTING.items():
        known.setdefault(key, before)
    return AnalysisOptions(**known)


def options_for(model: Any = None, overrides: Mapping[str, Any] | None = None, *,
                warn: bool = True) -> AnalysisOptions:
    """The analysis settings for one run: the model's own, then the caller's overrides.

    Parameters
    ----------
    model : StarskopeClassifier, optional
        The model the stars will be classified with. Its stored settings
        (:func:`model_options`) replace the defaults for every setting that changes its
        inputs. None: the defaults (vetting-rule verdicts, or training a new model).
    overrides : mapping, optional
        Settings given by the user (e.g. ``{"star_types": False}``); None values are
        ignored (an option not given on the command line); ``stellar=False`` asks for
        no stellar look-up.
    warn : bool
        Say (:class:`ModelOptionsWarning`) where the model's settings differ from today's
        defaults, and where an override changes a setting the model was trained with.

    Returns
    -------
    AnalysisOptions

    Raises
    ------
    ParameterError
        An unknown setting, or a value out of range.
    """
    base = AnalysisOptions()
    stored = model_options(model) if model is not None else None
    if stored is not None:
        keep = {k: getattr(stored, k) for k in MODEL_FIELDS}
        if warn:
            changed = [f"{k}={keep[k]!r}" for k in MODEL_FIELDS
                       if keep[k] != getattr(base, k) and k not in ("view_spec", "spectrogram_spec")]
            if changed:
                warnings.warn(f"this model was trained with {', '.join(changed)}; its stars are analysed "
                              "the same way (defaults for new models differ)", ModelOptionsWarning, stacklevel=2)
        base = replace(base, **keep)
    given = {k: v for k, v in dict(overrides or {}).items() if v is not None}
    if given.get("stellar") is False:  # "no look-up" given explicitly (None means "not given")
        given["stellar"] = None
    names = {f.name for f in fields(AnalysisOptions)}
    unknown = sorted(set(given) - names)
    if unknown:
        raise ParameterError(f"unknown analysis option(s) {unknown}; known: {', '.join(sorted(names))}")
    if warn and stored is not None:
        moved = [f"{k}={v!r} (trained with {getattr(stored, k)!r})" for k, v in given.items()
                 if k in MODEL_FIELDS and v != getattr(stored, k)]
        if moved:
            warnings.warn(f"{', '.join(moved)}: the model's inputs differ from those it was trained on, so its "
                          "probabilities are less reliable", ModelOptionsWarning, stacklevel=2)
    return replace(base, **given)


def search_period_max(time: np.ndarray, options: AnalysisOptions) -> float:
    """Longest trial period (days) of the search for a light curve spanning ``time``:
    ``options.period_max_days``; else the whole span when the search runs in bands
    (a period needs two transits with data, which the search checks), or half the span
    up to 40 d as models stored before the bands were trained; never above the span."""
    span = float(np.nanmax(time) - np.nanmin(time))
    if options.period_max_days is not None:
        pmax = options.period_max_days
    elif options.search_bands:
        # every period two transits can show: the search counts only events with data
        pmax = span
    else:
        pmax = min(0.5 * span, 40.0)
    return float(min(pmax, span))
