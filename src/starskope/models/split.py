"""The one split of real stars into a training half and a kept-aside half.

Every model of starskope — the planet model (:mod:`starskope.datasets`) and the star-type
model (:mod:`starskope.startypes`) — trains on one half of the labelled real stars and is
measured on the other, and both use this split, so a star kept aside from one is never
seen in training by the other (the verdict reads both). The split is by star, never by
file: every product, quarter and sector of a star falls on the same side.
"""

from __future__ import annotations

import hashlib

__all__ = ["kept_aside"]


def kept_aside(target_id: str) -> bool:
    """Whether a star is kept aside for evaluation: the SHA-1 of its target id (as the
    manifest writes it, e.g. ``"TIC 261136679"``) is even. Fixed, the same on every
    machine and for every run, and about half the stars."""
    return int(hashlib.sha1(str(target_id).encode()).hexdigest(), 16) % 2 == 0
