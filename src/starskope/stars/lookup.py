"""The one stellar-parameter look-up: :func:`get_stellar_properties`.

Where the numbers come from, in order:

1. values the user gives (``user=``), which always win;
2. the on-disk cache (:class:`~starskope.stars.cache.StellarCache`) of earlier MAST answers;
3. MAST, the TESS Input Catalog (:func:`~starskope.stars.mast.query_mast`);
4. offline, the catalogue folder (:mod:`starskope.stars.catalogs`): the TOI table
   (``st_rad``, ``st_teff``, ``st_logg``, ``st_tmag``), the Kepler KOI cumulative table
   (``koi_srad``, ``koi_steff``, ``koi_slogg``, ``koi_kepmag``), the Villanova Kepler EB
   catalogue (Teff, Kepler magnitude), the K2 planetary-systems table (``st_rad``,
   ``st_mass``, ``st_teff``, ``st_logg``, magnitudes; by host name) and the KIC→TIC
   cross-match that links Kepler-field TIC stars to their KIC entries.

Missing values are derived where physics allows and the derivation is recorded in
``notes``: mass from log g and radius (M = g R²/G), density from mass and radius.
"""

from __future__ import annotations

import functools
import math
import warnings
from collections.abc import Mapping
from dataclasses import replace
from pathlib import Path
from typing import Any, Literal, overload

from ..errors import CatalogError, StarskopeWarning
from .cache import StellarCache
from .catalogs import HOST_NAMES, _kic_tic_maps, _load_cached, resolve_catalog_dir
from .mast import query_mast
from .properties import StellarProperties
from .targets import Target, parse_target

__all__ = ["get_stellar_properties", "offline_properties"]


# --------------------------------------------------------------------------- offline catalogues


def _num(row: Mapping[str, Any], key: str) -> float | None:
    """A finite catalogue number, or None (absent column, empty, NaN, or the -999 null)."""
    v = row.get(key)
    if v is None:
        return None
    try:
        f = float(v)
    except (TypeError, ValueError):
        return None
    return f if math.isfinite(f) and f != -999.0 else None


@functools.lru_cache(maxsize=4)
def _stellar_index(folder: str) -> dict[str, dict[Any, dict[str, Any]]]:
    """Per table, the first row of each star, as the fields of StellarProperties."""
    index: dict[str, dict[Any, dict[str, Any]]] = {"toi": {}, "koi": {}, "keb": {}, "k2": {}}
    for r in _load_cached("toi", folder).to_dict("records"):
        tid = _num(r, "tid")
        if tid is None or int(tid) in index["toi"]:
            continue
        index["toi"][int(tid)] = {
            "radius": _num(r, "st_rad"), "teff": _num(r, "st_teff"), "logg": _num(r, "st_logg"),
            "radius_err": _num(r, "st_raderr1"), "teff_err": _num(r, "st_tefferr1"),
            "logg_err": _num(r, "st_loggerr1"), "ra": _num(r, "ra"), "dec": _num(r, "dec"),
            "mags": {"Tmag": _num(r, "st_tmag")}, "source": "TOI table (shipped)"}
    for r in _load_cached("koi", folder).to_dict("records"):
        kid = _num(r, "kepid")
        if kid is None or int(kid) in index["koi"]:
            continue
        index["koi"][int(kid)] = {
            "radius": _num(r, "koi_srad"), "teff": _num(r, "koi_steff"), "logg": _num(r, "koi_slogg"),
            "mass": _num(r, "koi_smass"), "radius_err": _num(r, "koi_srad_err1"),
            "teff_err": _num(r, "koi_steff_err1"), "logg_err": _num(r, "koi_slogg_err1"),
            "ra": _num(r, "ra"), "dec": _num(r, "dec"), "mags": {"Kepmag": _num(r, "koi_kepmag")},
            "source": "Kepler KOI cumulative table (shipped)"}
    for r in _load_cached("villanova_eb", folder).to_dict("records"):
        kid = _num(r, "KIC")
        if kid is None or int(kid) in index["keb"]:
            continue
        index["keb"][int(kid)] = {"teff": _num(r, "Teff"), "ra": _num(r, "RA"), "dec": _num(r, "DEC"),
                                  "mags": {"Kepmag": _num(r, "kmag")},
                                  "source": "Villanova Kepler EB catalogue (shipped)"}
    for r in _load_cached("k2_planets", folder).to_dict("records"):
        name = str(r.get("hostname") or "").strip()
        if not name or name == "nan":
            continue
        entry = {"radius": _num(r, "st_rad"), "mass": _num(r, "st_mass"), "teff": _num(r, "st_teff"),
                 "logg": _num(r, "st_logg"), "radius_err": _num(r, "st_raderr1"),
                 "mass_err": _num(r, "st_masserr1"), "teff_err": _num(r, "st_tefferr1"),
                 "ra": _num(r, "ra"), "dec": _num(r, "dec"),
                 "mags": {"Vmag": _num(r, "sy_vmag"), "Kmag": _num(r, "sy_kmag"),
                          "Gmag": _num(r, "sy_gaiamag")},
                 "source": "K2 planetary-systems table (shipped)"}
        key = name.lower()
        filled = sum(entry[k] is not None for k in ("radius", "mass", "teff", "logg"))
        default = _num(r, "default_flag") == 1.0
        old = index["k2"].get(key)
        # prefer the default parameter set, then the most complete row
        if old is None or (default and not old["_default"]) or (default == old["_default"] and filled > old["_filled"]):
            index["k2"][key] = {**entry, "_default": default, "_filled": filled}
    return index


def _merge_entries(target: str, entries: list[dict[str, Any]], ids: dict[str, int]) -> StellarProperties:
    """Merge catalogue entries (the first one that has a field wins it)."""
    fields: dict[str, float] = {}
    errs: dict[str, float] = {}
    mags: dict[str, float] = {}
    sources: list[str] = []
    for e in entries:
        used = False
        for k in ("radius", "mass", "teff", "logg", "ra", "dec"):
            if k not in fields and e.get(k) is not None:
                fields[k] = e[k]
                used = True
                if e.get(f"{k}_err") is not None and e[f"{k}_err"] > 0:
                    errs[k] = e[f"{k}_err"]
        for band, v in e.get("mags", {}).items():
            if v is not None and band not in mags:
                mags[band] = v
                used = True
        if used:
            sources.append(e["source"])
    units = StellarProperties._UNITS
    notes = []
    for k in ("radius", "mass", "teff"):
        if k in fields and fields[k] <= 0:
            notes.append(f"catalogue {k}={fields.pop(k)} is not positive; treated as unknown")
            errs.pop(k, None)
    return StellarProperties(
        target=target,
        **{k: (fields[k] * units[k] if k in fields else None)
           for k in ("radius", "mass", "teff", "logg", "ra", "dec")},
        magnitudes=mags, ids=ids,
        uncertainties={k: v * units[k] for k, v in errs.items()},
        source=" + ".join(sources), notes=tuple(notes),
    ).complete()


def offline_properties(target: Any, *, catalog: str | None = None,
                       catalog_dir: str | Path | None = None) -> StellarProperties:
    """Properties from the catalogue folder only (no network, no cache).

    A TIC star gets its TOI entry, then its KOI and Villanova entries through the KIC→TIC
    cross-match; a KIC star its KOI and Villanova entries, then its TOI entry; a star
    with a host name (:data:`~starskope.stars.catalogs.HOST_NAMES`, or a name such as
    'K2-3') also the K2 planetary-systems entry. The first entry with a value wins it.

    Parameters
    ----------
    target : str, int, Target or light curve
        The star (:func:`~starskope.stars.parse_target`).
    catalog : str, optional
        'TIC', 'KIC' or 'EPIC' for a bare number.
    catalog_dir : path, optional
        The catalogue folder (:func:`~starskope.stars.resolve_catalog_dir`).

    Raises
    ------
    CatalogError
        The star is in none of the catalogues, or no catalogue folder is given or set.
    """
    t = parse_target(target, catalog=catalog)
    name = str(t)
    folder = str(resolve_catalog_dir(catalog_dir))
    idx = _stellar_index(folder)
    kic2tic, tic2kic = _kic_tic_maps(folder)
    entries: list[dict[str, Any] | None] = []
    ids: dict[str, int] = {}
    if t.catalog == "TIC":
        ids["TIC"] = t.number
        kic = tic2kic.get(t.number)
        if kic is not None:
            ids["KIC"] = kic
        entries += [idx["toi"].get(t.number), idx["koi"].get(kic), idx["keb"].get(kic)]
    elif t.catalog == "KIC":
        ids["KIC"] = t.number
        tic = kic2tic.get(t.number)
        if tic is not None:
            ids["TIC"] = tic
        entries += [idx["koi"].get(t.number), idx["keb"].get(t.number), idx["toi"].get(tic)]
    elif t.catalog == "EPIC":
        ids["EPIC"] = t.number
    host = t.name if t.catalog == "NAME" else HOST_NAMES.get(name)
    if host:
        entries.append(idx["k2"].get(host.lower()))
    found = [e for e in entries if e]
    if not found:
        raise CatalogError(
            f"{name} is in none of the shipped catalogues (TOI table, KOI cumulative, Villanova "
            "Kepler EBs, K2 planetary systems, via the KIC→TIC cross-match); go online, or give "
            "the values yourself (user={'radius': ..., 'mass': ..., 'teff': ...})")
    return _merge_entries(name, found, ids)


# --------------------------------------------------------------------------- user values


def _merge_user(base: StellarProperties | None, user: StellarProperties) -> StellarProperties:
    if base is None:
        return user.complete()
    # the values the user gave (not those from_mapping derived from them)
    kw = {k: getattr(user, k) for k in ("radius", "mass", "teff", "logg", "density")
          if getattr(user, k) is not None and not any(n.startswith(f"{k} derived") for n in user.notes)}
    # values derived from fields the user replaced are stale: derive them again
    drop_notes = [n for n in base.notes if "derived" in n]
    clear: dict[str, Any] = {}
    if kw.keys() & {"radius", "logg"} and "mass" not in kw and any("mass derived" in n for n in base.notes):
        clear["mass"] = None
    if kw.keys() & {"radius", "mass"} and "density" not in kw and any("density derived" in n for n in base.notes):
        clear["density"] = None
    unc = {k: v for k, v in base.uncertainties.items() if k not in kw}
    unc.update(user.uncertainties)
    merged = replace(base, **clear, **kw, magnitudes={**base.magnitudes, **user.magnitudes},
                     uncertainties=unc, source=f"user + {base.source}" if base.source else "user",
                     notes=tuple(n for n in base.notes if n not in drop_notes))
    return merged.complete()


# --------------------------------------------------------------------------- the entry point


@overload
def get_stellar_properties(
    target: Any, *, catalog: str | None = ..., offline: bool = ..., refresh: bool = ...,
    use_cache: bool = ..., cache_dir: str | Path | None = ..., catalog_dir: str | Path | None = ...,
    user: Mapping[str, Any] | None = ..., required: Literal[True] = ...,
) -> StellarProperties: ...


@overload
def get_stellar_properties(
    target: Any, *, catalog: str | None = ..., offline: bool = ..., refresh: bool = ...,
    use_cache: bool = ..., cache_dir: str | Path | None = ..., catalog_dir: str | Path | None = ...,
    user: Mapping[str, Any] | None = ..., required: Literal[False],
) -> StellarProperties | None: ...


def get_stellar_properties(
    target: Any,
    *,
    catalog: str | None = None,
    offline: bool = False,
    refresh: bool = False,
    use_cache: bool = True,
    cache_dir: str | Path | None = None,
    catalog_dir: str | Path | None = None,
    user: Mapping[str, Any] | None = None,
    required: bool = True,
) -> StellarProperties | None:
    """Radius, mass, Teff, log g, density and magnitudes of a star.

    Parameters
    ----------
    target : str, int, Target or light curve
        'TIC 261136679', 'KIC 11904151', 'EPIC 201367065', a name, a bare number with
        ``catalog``, or a light curve (named by its meta).
    catalog : str, optional
        'TIC', 'KIC' or 'EPIC' for bare numbers.
    offline : bool
        Never touch the network: cache, then the catalogue folder.
    refresh : bool
        Ignore (and overwrite) the cache entry.
    use_cache : bool
        Read and write the cache (default). False gives answers that do not depend on
        what was looked up before on this machine: with ``offline=True``, the catalogue
        folder alone.
    cache_dir : path, optional
        Cache folder (default ``$STARSKOPE_CACHE/stars`` or ``~/.cache/starskope/stars``).
    catalog_dir : path, optional
        Catalogue folder (default ``$STARSKOPE_CATALOGS``, else
        ``$STARSKOPE_SHARED_DATA/catalogs``; :func:`~starskope.stars.resolve_catalog_dir`).
    user : mapping, optional
        Values that override the catalogues: ``radius`` (R☉), ``mass`` (M☉), ``teff``
        (K), ``density`` (g cm⁻³) as Quantities, ``logg`` as dex(cm s⁻²), ``magnitudes``
        (:meth:`StellarProperties.from_mapping`).
    required : bool
        True (default): nothing known is an error. False: return None instead, for
        callers to whom the star's parameters are optional.

    Returns
    -------
    StellarProperties or None
        None only with ``required=False``.

    Raises
    ------
    CatalogError
        Nothing is known about the star (not cached, not at MAST or offline, not in the
        catalogues, or no catalogue folder set) and no user values were given; only with
        ``required=True``.
    UnitsError, ParameterError
        User values without units or not positive; an unknown user key; a target that
        names no star.

    Notes
    -----
    Online, a MAST failure falls back to the catalogue folder with a
    :class:`~starskope.errors.StarskopeWarning` saying so. What MAST returns is cached;
    offline look-ups are not (the catalogue tables are already on disk).
    """
    t: Target = parse_target(target, catalog=catalog)
    name = str(t)
    user_props = StellarProperties.from_mapping(user, target=name, name="user") if user else None
    cache = StellarCache(cache_dir) if use_cache else None
    found: StellarProperties | None = None
    if cache is not None and not refresh:
        cached = cache.get(name)
        if cached is not None:
            found = replace(cached, source=f"cache ({cached.source})")
    failure: Exception | None = None
    if found is None and not offline:
        try:
            found = query_mast(t)
            if cache is not None:
                cache.put(name, found)
        except CatalogError as exc:
            failure = exc
    if found is None:
        try:
            found = offline_properties(t, catalog_dir=catalog_dir)
            if failure is not None:
                warnings.warn(f"{failure}; using the shipped catalogues instead", StarskopeWarning,
                              stacklevel=2)
        except CatalogError as exc:
            if user_props is None:
                if not required:
                    return None
                if failure is not None:
                    raise CatalogError(f"{failure}; and offline: {exc}") from exc
                raise
    if user_props is not None:
        return _merge_user(found, user_props)
    return found
