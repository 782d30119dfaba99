"""Stars: names, stellar parameters and catalogue look-ups, in one system.

* :mod:`~starskope.stars.targets` — one parser for star names (:func:`parse_target`,
  :class:`Target`).
* :mod:`~starskope.stars.properties` — one stellar-parameter type,
  :class:`StellarProperties` (astropy units; :meth:`~StellarProperties.as_mapping` for
  plain floats).
* :mod:`~starskope.stars.lookup` — the one look-up, :func:`get_stellar_properties`:
  user values, then the cache, then MAST, then the catalogue folder.
* :mod:`~starskope.stars.catalogs` — the catalogue tables: DR24 TCEs, KOIs, TOIs,
  eclipsing binaries, known planets and ephemerides, ephemeris matches, the KIC↔TIC
  cross-match.
* :mod:`~starskope.stars.mast`, :mod:`~starskope.stars.cache` — MAST's TIC and the
  on-disk cache of its answers.

The catalogue folder is an argument (``catalog_dir=``) or the environment
(``$STARSKOPE_CATALOGS``, else ``$STARSKOPE_SHARED_DATA/catalogs``); nothing else is
searched.

>>> from starskope.stars import parse_target
>>> parse_target("kplr011904151")
Target(catalog='KIC', number=11904151, name='')
"""

from __future__ import annotations

from .cache import CACHE_SCHEMA, StellarCache
from .catalogs import (
    CATALOGS,
    HOST_NAMES,
    CatalogSpec,
    EphemerisMatch,
    KnownEphemeris,
    dr24_tces,
    ephemeris_matches,
    host_names,
    kic_to_tic,
    kic_to_tic_map,
    known_ephemerides,
    known_planets,
    koi_candidates,
    load,
    resolve_catalog_dir,
    tic_to_kic,
    toi_candidates,
)
from .lookup import get_stellar_properties, offline_properties
from .mast import query_mast, tic_row_to_properties
from .properties import LOGG_SUN, LOGG_UNIT, RHO_SUN, StellarProperties
from .targets import CATALOG_OF_MISSION, Target, parse_target

__all__ = [
    "CACHE_SCHEMA",
    "CATALOGS",
    "CATALOG_OF_MISSION",
    "HOST_NAMES",
    "LOGG_SUN",
    "LOGG_UNIT",
    "RHO_SUN",
    "CatalogSpec",
    "EphemerisMatch",
    "KnownEphemeris",
    "StellarCache",
    "StellarProperties",
    "Target",
    "dr24_tces",
    "ephemeris_matches",
    "get_stellar_properties",
    "host_names",
    "kic_to_tic",
    "kic_to_tic_map",
    "known_ephemerides",
    "known_planets",
    "koi_candidates",
    "load",
    "offline_properties",
    "parse_target",
    "query_mast",
    "resolve_catalog_dir",
    "tic_row_to_properties",
    "tic_to_kic",
    "toi_candidates",
]
