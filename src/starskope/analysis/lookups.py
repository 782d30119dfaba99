"""The catalogue look-ups an analysis makes before vetting.

Vetting itself looks nothing up (:func:`starskope.vetting.vet` takes ``stellar=`` and
``known=``); :func:`catalogue_lookups` finds both in the catalogue folder, offline, for
every entry point (the analysis with ``stellar="auto"`` / ``catalog_match``, and the
``vet`` and ``search`` commands through it).
"""

from __future__ import annotations

from typing import Any, NamedTuple

__all__ = ["CatalogueLookups", "catalogue_lookups"]


class CatalogueLookups(NamedTuple):
    """What :func:`~starskope.vetting.vet` takes from the catalogues, and what went wrong."""

    stellar: Any  # StellarProperties or None
    known: list[Any]  # KnownSignal of the star (same_star=True) and of its neighbours
    notes: list[str]


def stellar_lookup(target: str | None, *, catalog_dir: str | None = None) -> tuple[Any, list[str]]:
    """The star's parameters from the catalogue folder (None when unknown) and a note
    when the look-up could not run (:func:`catalogue_lookups` without the known signals)."""
    from .. import stars
    from ..errors import CatalogError, ParameterError

    if not target:
        return None, []
    try:
        # without the per-user cache: the same answer on every machine
        return stars.get_stellar_properties(target, offline=True, use_cache=False, required=False,
                                            catalog_dir=catalog_dir), []
    except (CatalogError, ParameterError) as exc:
        return None, [f"stellar parameters not looked up ({exc})"]


def catalogue_lookups(target: str | None, ra_deg: float | None = None,
                      dec_deg: float | None = None, *, catalog_dir: str | None = None) -> CatalogueLookups:
    """The star's parameters and the known signals of it and its neighbours, for vetting.

    Offline, from the catalogue folder (:func:`starskope.stars.resolve_catalog_dir`):
    stellar parameters from :func:`starskope.stars.get_stellar_properties`; the known
    EBs, KOIs and TOIs filed under the star (by name, with the KIC↔TIC cross-match)
    marked as on this star, and those within 120″ of ``(ra_deg, dec_deg)`` as neighbours
    (:func:`starskope.stars.known_ephemerides`).

    Parameters
    ----------
    target : str or None
        The star's name (``"KIC 1026032"``); None looks up neither its parameters nor
        its own entries.
    ra_deg, dec_deg : float, optional
        Its position, degrees, for the neighbours.
    catalog_dir : str, optional
        The catalogue folder (``--catalogs``); default ``$STARSKOPE_CATALOGS``, else
        ``$STARSKOPE_SHARED_DATA/catalogs``.

    Returns
    -------
    CatalogueLookups
        ``stellar`` None and ``known`` empty where nothing was found; ``notes`` say
        which look-up failed and why (e.g. no catalogue folder set).
    """
    from .. import stars
    from ..errors import CatalogError, ParameterError
    from ..vetting import KnownSignal

    known: list[Any] = []
    stellar, notes = stellar_lookup(target, catalog_dir=catalog_dir)
    try:
        own = stars.known_ephemerides(target, catalog_dir=catalog_dir) if target else []
        names = {(e.catalog, e.name) for e in own}
        near = []
        if ra_deg is not None and dec_deg is not None:
            near = [e for e in stars.known_ephemerides(ra_deg=ra_deg, dec_deg=dec_deg, catalog_dir=catalog_dir)
                    if (e.catalog, e.name) not in names]
        known = ([KnownSignal.from_object(e, same_star=True) for e in own]
                 + [KnownSignal.from_object(e, same_star=False) for e in near])
    except (CatalogError, ParameterError) as exc:
        notes.append(f"catalogues of known signals not searched ({exc})")
    return CatalogueLookups(stellar, known, notes)
