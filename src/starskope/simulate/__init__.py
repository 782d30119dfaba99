"""Synthetic sky: a physically grounded light-curve simulator and injection into real stars.

Stars (:mod:`.stars`) with noise from each telescope's published noise level
(:mod:`.noise`), astrophysical signals (:mod:`.signals`: limb-darkened transits,
eclipsing and background binaries, single events, spots, pulsations) drawn from their
populations (:mod:`.population`), and telescope effects from the mission profiles
(:mod:`.instrument`: K2 roll and thruster firings, Kepler quarters, TESS orbits, momentum
dumps and scattered light, cosmic rays, gaps). Every drawn parameter is recorded with its
unit (:class:`Truth`).

Entry points:

* :func:`inject` – put a signal into any real light curve and get the truth back;
  :func:`fit_transit_depth` measures it at the known ephemeris.
* :func:`simulate_k2_c3` – the built-in K2 Campaign 3 benchmark in the Kaggle layout
  (``exoTrain.csv``, ``exoTest.csv``, ``truth.csv``), the data of ``starskope demo``.
* :func:`simulate_mission` – per-star Kepler, K2 or TESS FITS light curves.
* ``starskope simulate k2-c3 | kepler | k2 | tess`` on the command line.
"""

from .benchmark import DEFAULT_SEED, simulate_k2_c3, simulate_mission
from .generate import SetPlan, SimulatedSet, plan_classes, plan_set, simulate_stars
from .inject import DRAWABLE, fit_transit_depth, inject
from .instrument import (
    Schedule,
    TimeGrid,
    campaign_grid,
    join_grids,
    k2_c3_grid,
    make_schedule,
    quarter_grid,
    sector_grid,
    star_effects,
)
from .noise import NOISE_MODELS, NoiseModel, get_noise_model
from .population import CLASSES, NEGATIVE_FRACTIONS
from .signals import (
    BackgroundBinarySignal,
    CompositeSignal,
    EclipsingBinarySignal,
    PulsationSignal,
    Signal,
    SingleEventSignal,
    SpotModulation,
    TransitSignal,
)
from .stars import Star, StarPopulation, draw_stars, limb_darkening
from .truth import TRUTH_COLUMNS, Truth, write_truth_csv

__all__ = [
    "CLASSES",
    "DEFAULT_SEED",
    "DRAWABLE",
    "NEGATIVE_FRACTIONS",
    "NOISE_MODELS",
    "TRUTH_COLUMNS",
    "BackgroundBinarySignal",
    "CompositeSignal",
    "EclipsingBinarySignal",
    "NoiseModel",
    "PulsationSignal",
    "Schedule",
    "SetPlan",
    "Signal",
    "SimulatedSet",
    "SingleEventSignal",
    "SpotModulation",
    "Star",
    "StarPopulation",
    "TimeGrid",
    "TransitSignal",
    "Truth",
    "campaign_grid",
    "draw_stars",
    "fit_transit_depth",
    "get_noise_model",
    "inject",
    "join_grids",
    "k2_c3_grid",
    "limb_darkening",
    "make_schedule",
    "plan_classes",
    "plan_set",
    "quarter_grid",
    "sector_grid",
    "simulate_k2_c3",
    "simulate_mission",
    "simulate_stars",
    "star_effects",
    "write_truth_csv",
]
