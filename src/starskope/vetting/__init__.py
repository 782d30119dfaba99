"""Vetting: the evidence a human vetter would check, measured in physical units.

:func:`vet` takes a cleaned light curve and a transit candidate (from the search or a
catalogue ephemeris) and returns a :class:`VettingReport`: a table of
:class:`Diagnostic` lines (value, unit, threshold, verdict, reason) and Robovetter-style
:class:`Flag` s (``NOT_TRANSIT_LIKE``, ``SIGNIFICANT_SECONDARY``, ``CENTROID_OFFSET``,
``EPHEMERIS_MATCH``, ``ODD_EVEN``, ``V_SHAPED``, ``TOO_LARGE``, ``DENSITY_MISMATCH``).
:func:`vet_many` vets several candidates of one star, each knowing the others (to spot
harmonics).
"""

from __future__ import annotations

from .report import FLAGS, VERDICTS, Diagnostic, Flag, VettingReport
from .vet import LIMB_DARKENING, THRESHOLDS, VettingData, vet, vet_many, vetting_data

__all__ = [
    "FLAGS",
    "LIMB_DARKENING",
    "THRESHOLDS",
    "VERDICTS",
    "Diagnostic",
    "Flag",
    "VettingData",
    "VettingReport",
    "vet",
    "vet_many",
    "vetting_data",
]
