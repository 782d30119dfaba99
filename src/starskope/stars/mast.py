"""Stellar properties from the TESS Input Catalog at MAST (network), through astroquery.

The TIC (v8) is queried by TIC number, by KIC number (the TIC's ``KIC`` column), or by
name/EPIC through MAST's name resolver and a 3-arcsec cone search.
"""

from __future__ import annotations

import math
import warnings
from dataclasses import replace
from typing import Any

import astropy.units as u
import numpy as np

from ..errors import CatalogError
from .properties import LOGG_UNIT, RHO_SUN, StellarProperties
from .targets import Target, parse_target

__all__ = ["query_mast", "tic_row_to_properties"]

_CONE_RADIUS = 3.0 * u.arcsec


def _value(row: Any, name: str) -> float | None:
    try:
        v = row[name]
    except (KeyError, IndexError, ValueError):
        return None
    if v is None or np.ma.is_masked(v):
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) else None


def tic_row_to_properties(row: Any, *, target: str, source: str = "MAST TIC") -> StellarProperties:
    """Convert one row of a MAST TIC response (TIC v8 column names) to properties.

    Uses ``ID``, ``KIC``, ``ra``, ``dec``, ``rad``/``e_rad`` (R☉), ``mass``/``e_mass``
    (M☉), ``Teff``/``e_Teff`` (K), ``logg``/``e_logg``, ``rho``/``e_rho`` (solar units)
    and the magnitudes ``Tmag``, ``Vmag``, ``GAIAmag``, ``Jmag``, ``Hmag``, ``Kmag``.
    Non-positive radius, mass, Teff or density are treated as unknown and noted.
    """
    notes: list[str] = []
    unc: dict[str, u.Quantity] = {}

    def positive(name: str, col: str, unit: Any) -> u.Quantity | None:
        v = _value(row, col)
        if v is None:
            return None
        if v <= 0:
            notes.append(f"TIC {col}={v} is not positive; treated as unknown")
            return None
        e = _value(row, f"e_{col}")
        if e is not None and e > 0:
            unc[name] = e * unit
        return v * unit

    radius = positive("radius", "rad", u.Rsun)
    mass = positive("mass", "mass", u.Msun)
    teff = positive("teff", "Teff", u.K)
    rho = positive("density", "rho", u.dimensionless_unscaled)
    density = None if rho is None else rho.value * RHO_SUN * u.g / u.cm**3
    if "density" in unc:
        unc["density"] = unc["density"].value * RHO_SUN * u.g / u.cm**3
    lg = _value(row, "logg")
    logg = None if lg is None else lg * LOGG_UNIT
    elg = _value(row, "e_logg")
    if elg is not None and elg > 0:
        unc["logg"] = elg * LOGG_UNIT
    mags = {}
    for col, band in (("Tmag", "Tmag"), ("Vmag", "Vmag"), ("GAIAmag", "Gmag"), ("Jmag", "Jmag"),
                      ("Hmag", "Hmag"), ("Kmag", "Kmag")):
        v = _value(row, col)
        if v is not None:
            mags[band] = v
    ids = {}
    tic = _value(row, "ID")
    if tic is not None:
        ids["TIC"] = int(tic)
    kic = _value(row, "KIC")
    if kic is not None:
        ids["KIC"] = int(kic)
    ra, dec = _value(row, "ra"), _value(row, "dec")
    return StellarProperties(
        target=target, radius=radius, mass=mass, teff=teff, logg=logg, density=density,
        magnitudes=mags, ra=None if ra is None else ra * u.deg, dec=None if dec is None else dec * u.deg,
        ids=ids, uncertainties=unc, source=source, notes=tuple(notes),
    ).complete()


def query_mast(target: str | Target) -> StellarProperties:
    """Look a star up in the TIC at MAST (network).

    TIC numbers use ``Catalogs.query_criteria(catalog='Tic', ID=…)``; KIC numbers
    ``query_criteria(catalog='Tic', KIC=…)``; EPIC numbers and names resolve through
    MAST's name resolver with ``Catalogs.query_object(…, catalog='TIC', radius=3")`` and
    take the nearest entry.

    Parameters
    ----------
    target : str or Target
        'TIC 261136679', 'KIC 11904151', 'EPIC 201367065', or a name ('K2-3').

    Raises
    ------
    CatalogError
        The query failed (network, service error) or found no matching TIC entry.
    ParameterError
        A target that names no star (:func:`~starskope.stars.parse_target`).
    """
    from astroquery.exceptions import NoResultsWarning
    from astroquery.mast import Catalogs

    star = parse_target(target)
    catalog, ident, target = star.catalog, star.number, str(star)
    try:
        with warnings.catch_warnings():
            # an empty answer becomes the CatalogError below, with the star's name
            warnings.simplefilter("ignore", NoResultsWarning)
            if catalog == "TIC":
                table = Catalogs.query_criteria(catalog="Tic", ID=int(ident))
            elif catalog == "KIC":
                table = Catalogs.query_criteria(catalog="Tic", KIC=int(ident))
            else:
                table = Catalogs.query_object(target, catalog="TIC", radius=_CONE_RADIUS)
    except Exception as exc:  # requests, astroquery and resolver errors all end here
        raise CatalogError(f"MAST TIC query for {target} failed: {type(exc).__name__}: {exc}") from exc
    if table is None or len(table) == 0:
        raise CatalogError(f"MAST TIC query for {target} returned no entry")
    if catalog in ("TIC", "KIC"):
        col = "ID" if catalog == "TIC" else "KIC"
        match = [i for i in range(len(table)) if _value(table[i], col) == float(ident)]
        if not match:
            raise CatalogError(f"MAST TIC query for {target} returned {len(table)} rows, none with "
                               f"{col} = {ident}")
        row = table[match[0]]
    else:
        if "dstArcSec" in table.colnames:
            dist = np.array([_value(table[i], "dstArcSec") or np.inf for i in range(len(table))])
            row = table[int(np.argmin(dist))]
        else:
            row = table[0]
    props = tic_row_to_properties(row, target=target)
    if catalog == "EPIC":
        props = replace(props, ids={**props.ids, "EPIC": int(ident)},
                        notes=(*props.notes, f"nearest TIC entry within {_CONE_RADIUS} of the EPIC position"))
    return props
