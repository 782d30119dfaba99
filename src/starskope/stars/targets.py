"""Star names: one parser for 'KIC 11442793', 'tic261136679', 'ktwo201367065', 'K2-3'.

A star is named by its catalogue and number (:class:`Target`): KIC for Kepler, EPIC for
K2, TIC for TESS; any other name (a host name such as 'K2-3' or 'pi Men') is kept as it
is, with catalogue ``'NAME'``.
"""

from __future__ import annotations

import re
from dataclasses import dataclass
from typing import Any

import numpy as np

from ..errors import ParameterError

__all__ = ["CATALOG_OF_MISSION", "Target", "parse_target"]

#: The catalogue that numbers each telescope's targets.
CATALOG_OF_MISSION: dict[str, str] = {"kepler": "KIC", "k2": "EPIC", "tess": "TIC"}
_CATALOGS = ("KIC", "EPIC", "TIC")
_TARGET_RE = re.compile(r"^\s*(TIC|KIC|EPIC|KEPLER\s*ID|KPLR|KTWO)[\s_\-:]*0*(\d+)\s*$", re.IGNORECASE)
_PREFIX_CATALOG = {"KEPLERID": "KIC", "KPLR": "KIC", "KTWO": "EPIC"}


@dataclass(frozen=True)
class Target:
    """A star named by its catalogue: ``Target("KIC", 11442793)``.

    Attributes
    ----------
    catalog : str
        ``"KIC"``, ``"EPIC"``, ``"TIC"``, or ``"NAME"`` for any other name.
    number : int
        The catalogue number (0 for a ``"NAME"``).
    name : str
        The name as given, for ``"NAME"`` targets ('K2-3'); empty otherwise.
    """

    catalog: str
    number: int
    name: str = ""

    def __str__(self) -> str:
        return self.name if self.catalog == "NAME" else f"{self.catalog} {self.number}"


def _catalog_for(mission: str | None, catalog: str | None) -> str | None:
    """The catalogue a bare number belongs to, from ``catalog`` or ``mission``."""
    if catalog is not None:
        cat = str(catalog).upper()
        if cat not in _CATALOGS:
            raise ParameterError(f"catalog must be one of {', '.join(_CATALOGS)}; got {catalog!r}")
        return cat
    if mission is None:
        return None
    found = CATALOG_OF_MISSION.get(str(mission).lower())
    if found is None:
        raise ParameterError(f"mission must be 'Kepler', 'K2' or 'TESS'; got {mission!r}")
    return found


def parse_target(target: Any, mission: str | None = None, *, catalog: str | None = None) -> Target:
    """The :class:`Target` a name, number or light curve stands for.

    Parameters
    ----------
    target : str, int, Target or light curve
        'TIC 261136679', 'tic261136679', 'KIC 011904151', 'kplr011904151',
        'EPIC 201367065', 'ktwo201367065', 'Kepler ID 11904151'; a bare number (with
        ``mission`` or ``catalog``); any other name ('K2-3', 'pi Men'); or a light curve,
        named by its meta (``OBJECT``, else ``TARGETID`` with ``MISSION``).
    mission : str, optional
        'Kepler', 'K2' or 'TESS': the catalogue of a bare number (KIC, EPIC, TIC).
    catalog : str, optional
        'KIC', 'EPIC' or 'TIC' for a bare number (wins over ``mission``).

    Raises
    ------
    ParameterError
        A bare number with neither ``mission`` nor ``catalog``, an unknown mission or
        catalogue, an empty name, or a light curve whose meta names no star.
    """
    if isinstance(target, Target):
        return target
    cat = _catalog_for(mission, catalog)
    meta = getattr(target, "meta", None)
    if meta is not None and not isinstance(target, str | int | np.integer):
        obj = meta.get("OBJECT")
        if obj:
            try:
                return parse_target(str(obj))
            except ParameterError:
                pass
        tid, miss = meta.get("TARGETID"), meta.get("MISSION")
        if tid is not None and miss:
            return parse_target(int(tid), str(miss))
        raise ParameterError("light curve meta has neither OBJECT nor TARGETID+MISSION; cannot name the star")
    if isinstance(target, int | np.integer) or (isinstance(target, str) and target.strip().isdigit()):
        if cat is None:
            raise ParameterError(
                f"target {target!r} is a bare number; give mission='Kepler'|'K2'|'TESS' or "
                f"catalog='KIC'|'EPIC'|'TIC', or write e.g. 'TIC {int(target)}'"
            )
        return Target(cat, int(target))
    text = str(target).strip()
    if not text:
        raise ParameterError("target is empty; give e.g. 'TIC 261136679'")
    m = _TARGET_RE.match(text)
    if m:
        prefix = re.sub(r"\s+", "", m.group(1).upper())
        return Target(_PREFIX_CATALOG.get(prefix, prefix), int(m.group(2)))
    return Target("NAME", 0, text)
