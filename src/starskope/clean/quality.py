"""QUALITY masking and NaN removal."""

from __future__ import annotations

from typing import Any

import numpy as np

from ..errors import ParameterError
from ..lightcurve import arrays
from ._util import mission_name, subset

__all__ = ["cosmic_ray_bits", "mask_quality", "quality_keep", "remove_nans"]


def quality_keep(quality: np.ndarray, bitmask: int) -> np.ndarray:
    """True where none of the bits in ``bitmask`` is set (numeric core)."""
    return (np.asarray(quality, dtype=np.int64) & int(bitmask)) == 0


def _bitmask(lc: Any, mask: str | int, mission: str | None) -> tuple[int, str | None]:
    name = mission_name(lc, mission)
    if isinstance(mask, (int, np.integer)):
        if mask < 0:
            raise ParameterError(f"mask must be a non-negative bitmask; got {mask}")
        return int(mask), name
    if str(mask).lower() == "none":
        return 0, name
    if name is None:
        raise ParameterError(
            f"mask={mask!r} needs the telescope: the light curve has no meta['MISSION'] and no "
            "mission= was given; pass mission='Kepler'|'K2'|'TESS' or an integer bitmask"
        )
    from ..missions import get_mission

    return get_mission(name).quality_mask(mask), name


def mask_quality(lc: Any, mask: str | int = "default", *, mission: str | None = None) -> Any:
    """Drop cadences whose QUALITY flags hit the telescope's named bitmask.

    Parameters
    ----------
    lc : lightkurve.LightCurve
        A starskope light curve with a ``quality`` column.
    mask : {'default', 'hard', 'hardest', 'none'} or int
        Named mask from the telescope profile (:func:`starskope.missions.get_mission`),
        or an explicit bitmask.
    mission : str, optional
        Telescope name when ``lc.meta['MISSION']`` is missing.

    Returns
    -------
    lightkurve.LightCurve
        The kept cadences; the step is recorded in ``meta['PROVENANCE']``.

    Raises
    ------
    ParameterError
        A named mask for a light curve whose telescope is unknown, or a negative bitmask.
    UnknownNameError
        An unknown mask or telescope name.
    """
    bitmask, name = _bitmask(lc, mask, mission)
    q = arrays(lc).quality
    keep = quality_keep(q, bitmask)
    n_drop = int((~keep).sum())
    return subset(
        lc, keep,
        f"mask_quality: {name or 'telescope unknown'} mask={mask!r} (bitmask {bitmask}) "
        f"removed {n_drop} of {len(keep)} cadences",
    )


def remove_nans(lc: Any) -> Any:
    """Drop cadences whose flux is NaN or masked.

    Returns
    -------
    lightkurve.LightCurve
        The cadences with finite flux; recorded in ``meta['PROVENANCE']``.
    """
    flux = arrays(lc).flux
    keep = np.isfinite(flux)
    return subset(lc, keep, f"remove_nans: removed {int((~keep).sum())} of {len(keep)} cadences")


def cosmic_ray_bits(mission: str | None) -> int:
    """QUALITY bits that mark cosmic rays and impulsive outliers for a telescope (0 if unknown)."""
    if mission is None or "+" in mission:  # unknown, or stitched pieces of several telescopes
        return 0
    from ..missions import get_mission

    profile = get_mission(mission)
    bits = 0
    for bit, label in profile.quality_bits.items():
        text = label.lower()
        if "cosmic" in text or "impulsive" in text:
            bits |= int(bit)
    return bits
