"""Vetting: the evidence a human vetter would check, measured in physical units.

:func:`vet` takes a cleaned light curve and a transit candidate (from the search or a
catalogue ephemeris) and returns a :class:`VettingReport`: a table of
:class:`Diagnostic` lines (value, unit, threshold, verdict, reason) and Robovetter-style
:class:`Flag` s (``NOT_TRANSIT_LIKE``, ``SIGNIFICANT_SECONDARY``, ``CENTROID_OFFSET``,
``EPHEMERIS_MATCH``, ``ODD_EVEN``, ``V_SHAPED``, ``TOO_LARGE``, ``DENSITY_MISMATCH``).
Each test is a function registered by name in :data:`DIAGNOSTICS`, run in
:data:`DIAGNOSTIC_ORDER`. :func:`vet_many` vets several candidates of one star, each
knowing the others (to spot harmonics).

Vetting looks nothing up in catalogues: the caller passes the star's parameters
(:class:`HostStar` reads them) and the known signals of the star and its neighbours
(:class:`KnownSignal`).
"""

from __future__ import annotations

from .data import VettingData, vetting_data
from .diagnostics import DIAGNOSTIC_ORDER, DIAGNOSTICS, Findings
from .known import KNOWN_KINDS, KnownEphemerisLike, KnownMatch, KnownSignal, match_known
from .report import FLAGS, VERDICTS, Diagnostic, Flag, VettingReport
from .stellar import HostStar
from .vet import LIMB_DARKENING, THRESHOLDS, vet, vet_many

__all__ = [
    "DIAGNOSTICS",
    "DIAGNOSTIC_ORDER",
    "FLAGS",
    "KNOWN_KINDS",
    "LIMB_DARKENING",
    "THRESHOLDS",
    "VERDICTS",
    "Diagnostic",
    "Findings",
    "Flag",
    "HostStar",
    "KnownEphemerisLike",
    "KnownMatch",
    "KnownSignal",
    "VettingData",
    "VettingReport",
    "match_known",
    "vet",
    "vet_many",
    "vetting_data",
]
