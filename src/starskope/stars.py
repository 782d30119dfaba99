"""Stellar properties: radius, mass, Teff, log g, density and magnitudes of a target star.

Where the numbers come from, in order:

1. values the user gives (``user=``), which always win;
2. the on-disk cache (one JSON file per star, written atomically: a temporary file then
   ``os.replace``; each file carries a SHA-256 checksum of its contents, so a truncated or
   altered entry is detected, removed with a :class:`~starskope.errors.StarskopeWarning`,
   and fetched again — never used);
3. MAST, through ``astroquery.mast.Catalogs``: the TESS Input Catalog (TIC v8) by TIC
   number, by KIC number (the TIC's ``KIC`` column), or by name/EPIC through MAST's name
   resolver and a 3-arcsec cone search;
4. offline, the catalogues shipped in the shared data folder (``catalogs/``): the TOI
   table (``st_rad``, ``st_teff``, ``st_logg``, ``st_tmag``), the Kepler KOI cumulative
   table (``koi_srad``, ``koi_steff``, ``koi_slogg``, ``koi_kepmag``), the Villanova
   Kepler EB catalogue (Teff, Kepler magnitude), the K2 planetary-systems table
   (``st_rad``, ``st_mass``, ``st_teff``, ``st_logg``, magnitudes) and the KIC→TIC
   cross-match that links Kepler-field TIC stars to their KIC entries.

Missing values are derived where physics allows and the derivation is recorded in
``notes``: mass from log g and radius (M = g R²/G), density from mass and radius.
"""

from __future__ import annotations

import csv
import gzip
import hashlib
import io
import json
import math
import os
import re
import tempfile
import warnings
from collections.abc import Mapping
from dataclasses import dataclass, field, replace
from datetime import UTC, datetime
from functools import lru_cache
from pathlib import Path
from typing import Any, ClassVar

import astropy.units as u
import numpy as np

from .errors import CatalogError, ParameterError, StarskopeWarning
from .quantities import require_positive, require_quantity

__all__ = [
    "CACHE_SCHEMA",
    "StellarCache",
    "StellarProperties",
    "default_catalog_dir",
    "get_stellar_properties",
    "kic_to_tic",
    "offline_properties",
    "parse_target",
    "query_mast",
    "tic_row_to_properties",
]

CACHE_SCHEMA = 1
LOGG_SUN = 4.438  # log10(cm s^-2), IAU 2015 nominal
RHO_SUN = 1.408  # g cm^-3
LOGG_UNIT = u.dex(u.cm / u.s**2)
_CATALOGS = ("TIC", "KIC", "EPIC")
_CONE_RADIUS = 3.0 * u.arcsec


# --------------------------------------------------------------------------- the record


@dataclass(frozen=True)
class StellarProperties:
    """Physical properties of one star.

    Attributes
    ----------
    target : str
        Canonical name, e.g. 'TIC 261136679', 'KIC 11904151', 'EPIC 201367065', 'K2-3'.
    radius : Quantity or None
        Stellar radius (R☉).
    mass : Quantity or None
        Stellar mass (M☉).
    teff : Quantity or None
        Effective temperature (K).
    logg : Quantity or None
        Surface gravity, dex(cm s⁻²).
    density : Quantity or None
        Mean density (g cm⁻³).
    magnitudes : dict of str to float
        Band → magnitude ('Tmag', 'Kepmag', 'Vmag', 'Gmag', 'Jmag', 'Hmag', 'Kmag').
    ra, dec : Quantity or None
        Position (deg).
    ids : dict of str to int
        Catalogue numbers known for the star ('TIC', 'KIC', 'EPIC').
    uncertainties : dict of str to Quantity
        1-σ errors where the source gives them ('radius', 'mass', 'teff', 'logg', 'density').
    source : str
        Where the values came from ('MAST TIC', 'cache (MAST TIC)', 'TOI table (shipped)',
        'user', …; several joined by ' + ').
    notes : tuple of str
        Derivations and caveats.
    """

    target: str
    radius: u.Quantity | None = None
    mass: u.Quantity | None = None
    teff: u.Quantity | None = None
    logg: u.Quantity | None = None
    density: u.Quantity | None = None
    magnitudes: dict[str, float] = field(default_factory=dict)
    ra: u.Quantity | None = None
    dec: u.Quantity | None = None
    ids: dict[str, int] = field(default_factory=dict)
    uncertainties: dict[str, u.Quantity] = field(default_factory=dict)
    source: str = ""
    notes: tuple[str, ...] = ()

    _UNITS: ClassVar[dict[str, Any]] = {"radius": u.Rsun, "mass": u.Msun, "teff": u.K, "logg": LOGG_UNIT,
              "density": u.g / u.cm**3, "ra": u.deg, "dec": u.deg}

    def to_dict(self) -> dict[str, Any]:
        """JSON-ready dict (floats in the attribute units, None when unknown)."""
        out: dict[str, Any] = {"target": self.target}
        for name, unit in self._UNITS.items():
            q = getattr(self, name)
            out[name] = None if q is None else float(q.to_value(unit))
        out["magnitudes"] = {k: float(v) for k, v in self.magnitudes.items()}
        out["ids"] = {k: int(v) for k, v in self.ids.items()}
        out["uncertainties"] = {k: float(v.to_value(self._UNITS[k])) for k, v in self.uncertainties.items()}
        out["source"] = self.source
        out["notes"] = list(self.notes)
        return out

    @classmethod
    def from_dict(cls, data: Mapping[str, Any]) -> StellarProperties:
        """Inverse of :meth:`to_dict`.

        Raises
        ------
        CatalogError
            A field is missing or of the wrong type.
        """
        try:
            kw: dict[str, Any] = {"target": str(data["target"])}
            for name, unit in cls._UNITS.items():
                v = data[name]
                kw[name] = None if v is None else float(v) * unit
            kw["magnitudes"] = {str(k): float(v) for k, v in dict(data["magnitudes"]).items()}
            kw["ids"] = {str(k): int(v) for k, v in dict(data["ids"]).items()}
            kw["uncertainties"] = {str(k): float(v) * cls._UNITS[str(k)]
                                   for k, v in dict(data["uncertainties"]).items()}
            kw["source"] = str(data["source"])
            kw["notes"] = tuple(str(n) for n in data["notes"])
        except (KeyError, TypeError, ValueError, AttributeError) as exc:
            raise CatalogError(f"stellar-property record is malformed: {type(exc).__name__} {exc}") from None
        return cls(**kw)

    def complete(self) -> StellarProperties:
        """Fill mass from log g and radius, and density from mass and radius, noting each."""
        notes = list(self.notes)
        mass, density = self.mass, self.density
        if mass is None and self.radius is not None and self.logg is not None:
            m = 10 ** (self.logg.to_value(LOGG_UNIT) - LOGG_SUN) * self.radius.to_value(u.Rsun) ** 2
            mass = m * u.Msun
            notes.append("mass derived from log g and radius (M = g R²/G)")
        if density is None and mass is not None and self.radius is not None:
            rho = mass.to_value(u.Msun) / self.radius.to_value(u.Rsun) ** 3 * RHO_SUN
            density = rho * u.g / u.cm**3
            notes.append("density derived from mass and radius")
        return replace(self, mass=mass, density=density, notes=tuple(notes))

    def summary(self) -> str:
        """Multi-line human-readable description."""
        def fmt(q: u.Quantity | None, unit: Any, spec: str) -> str:
            return "unknown" if q is None else f"{q.to_value(unit):{spec}} {unit}"

        lines = [
            f"{self.target}  ({', '.join(f'{k} {v}' for k, v in self.ids.items()) or 'no ids'})",
            f"  radius   {fmt(self.radius, u.Rsun, '.3f')}",
            f"  mass     {fmt(self.mass, u.Msun, '.3f')}",
            f"  Teff     {fmt(self.teff, u.K, '.0f')}",
            f"  log g    {'unknown' if self.logg is None else f'{self.logg.to_value(LOGG_UNIT):.3f} dex(cm/s2)'}",
            f"  density  {fmt(self.density, u.g / u.cm**3, '.3f')}",
            "  mags     " + (", ".join(f"{k}={v:.3f}" for k, v in self.magnitudes.items()) or "none"),
            f"  source   {self.source}",
        ]
        lines += [f"  note     {n}" for n in self.notes]
        return "\n".join(lines)


# --------------------------------------------------------------------------- targets


_TARGET_RE = re.compile(r"^\s*(TIC|KIC|EPIC|KEPLER\s*ID|KPLR|KTWO)[\s_\-:]*0*(\d+)\s*$", re.IGNORECASE)


def parse_target(target: str | int, catalog: str | None = None) -> tuple[str, int | str]:
    """Split a target into (catalogue, number), or ('NAME', name) for other names.

    Parameters
    ----------
    target : str or int
        'TIC 261136679', 'tic261136679', 'KIC 11904151', 'kplr011904151', 'EPIC 201367065',
        a bare number (then ``catalog`` is required), or any other name ('K2-3',
        'pi Men'), resolved by name.
    catalog : str, optional
        'TIC', 'KIC' or 'EPIC' for a bare number.

    Raises
    ------
    ParameterError
        A bare number without ``catalog``, an unknown ``catalog``, or an empty name.
    """
    if catalog is not None and catalog.upper() not in _CATALOGS:
        raise ParameterError(f"catalog must be one of {', '.join(_CATALOGS)}; got {catalog!r}")
    if isinstance(target, (int, np.integer)) or (isinstance(target, str) and target.strip().isdigit()):
        if catalog is None:
            raise ParameterError(
                f"target {target!r} is a bare number; say which catalogue it is in "
                f"(catalog='TIC', 'KIC' or 'EPIC') or write e.g. 'TIC {int(target)}'")
        return catalog.upper(), int(target)
    text = str(target).strip()
    if not text:
        raise ParameterError("target is empty; give e.g. 'TIC 261136679'")
    m = _TARGET_RE.match(text)
    if m:
        prefix = m.group(1).upper().replace(" ", "")
        cat = {"KEPLERID": "KIC", "KPLR": "KIC", "KTWO": "EPIC"}.get(prefix, prefix)
        return cat, int(m.group(2))
    return "NAME", text


def _canonical(catalog: str, ident: int | str) -> str:
    return str(ident) if catalog == "NAME" else f"{catalog} {ident}"


# --------------------------------------------------------------------------- cache


def _default_cache_dir() -> Path:
    root = os.environ.get("STARSKOPE_CACHE")
    return (Path(root) if root else Path.home() / ".cache" / "starskope") / "stars"


class StellarCache:
    """One JSON file per star, written atomically and checked on reading.

    Parameters
    ----------
    directory : path, optional
        Default ``$STARSKOPE_CACHE/stars`` or ``~/.cache/starskope/stars``.
    """

    def __init__(self, directory: str | Path | None = None) -> None:
        self.directory = Path(directory) if directory is not None else _default_cache_dir()

    def path(self, target: str) -> Path:
        safe = re.sub(r"[^A-Za-z0-9_.+-]+", "_", target.strip()).strip("_") or "unnamed"
        return self.directory / f"{safe}.json"

    @staticmethod
    def _checksum(properties: Mapping[str, Any]) -> str:
        return hashlib.sha256(json.dumps(properties, sort_keys=True).encode()).hexdigest()

    def get(self, target: str) -> StellarProperties | None:
        """The cached record, or None when absent or corrupt (a corrupt file is removed
        with a :class:`~starskope.errors.StarskopeWarning`)."""
        path = self.path(target)
        if not path.exists():
            return None
        try:
            payload = json.loads(path.read_text(encoding="utf-8"))
            if payload.get("schema") != CACHE_SCHEMA:
                raise CatalogError(f"cache schema {payload.get('schema')!r}, expected {CACHE_SCHEMA}")
            props = payload["properties"]
            if self._checksum(props) != payload.get("checksum"):
                raise CatalogError("checksum does not match the contents")
            record = StellarProperties.from_dict(props)
        except (OSError, UnicodeDecodeError, json.JSONDecodeError, CatalogError, KeyError,
                AttributeError, TypeError) as exc:
            warnings.warn(f"{path}: corrupt stellar-property cache entry removed and will be "
                          f"fetched again ({type(exc).__name__}: {exc})", StarskopeWarning, stacklevel=3)
            path.unlink(missing_ok=True)
            return None
        return record

    def put(self, target: str, record: StellarProperties) -> Path:
        """Write ``record`` atomically (temporary file in the same folder, then replace)."""
        self.directory.mkdir(parents=True, exist_ok=True)
        props = record.to_dict()
        payload = {"schema": CACHE_SCHEMA, "target": target,
                   "written": datetime.now(UTC).isoformat(timespec="seconds"),
                   "checksum": self._checksum(props), "properties": props}
        path = self.path(target)
        fd, tmp = tempfile.mkstemp(prefix=path.name + ".", suffix=".tmp", dir=self.directory)
        try:
            with os.fdopen(fd, "w", encoding="utf-8") as fh:
                json.dump(payload, fh, indent=1)
                fh.flush()
                os.fsync(fh.fileno())
            os.replace(tmp, path)
        except BaseException:
            Path(tmp).unlink(missing_ok=True)
            raise
        return path


# --------------------------------------------------------------------------- MAST


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


def query_mast(catalog: str, ident: int | str) -> StellarProperties:
    """Look a star up in the TIC at MAST (network).

    TIC numbers use ``Catalogs.query_criteria(catalog='Tic', ID=…)``; KIC numbers
    ``query_criteria(catalog='Tic', KIC=…)``; EPIC numbers and names resolve through
    MAST's name resolver with ``Catalogs.query_object(…, catalog='TIC', radius=3")`` and
    take the nearest entry.

    Raises
    ------
    CatalogError
        The query failed (network, service error) or found no matching TIC entry.
    """
    from astroquery.exceptions import NoResultsWarning
    from astroquery.mast import Catalogs

    target = _canonical(catalog, ident)
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


# --------------------------------------------------------------------------- offline catalogues


def default_catalog_dir() -> Path:
    """The shipped catalogues: ``$STARSKOPE_CATALOGS``, else ``$STARSKOPE_SHARED_DATA/catalogs``,
    else ``shared/data/catalogs`` beside the starskope checkout."""
    if os.environ.get("STARSKOPE_CATALOGS"):
        return Path(os.environ["STARSKOPE_CATALOGS"])
    if os.environ.get("STARSKOPE_SHARED_DATA"):
        return Path(os.environ["STARSKOPE_SHARED_DATA"]) / "catalogs"
    return Path(__file__).resolve().parents[3] / "shared" / "data" / "catalogs"


def _read_table(path: Path) -> list[dict[str, str]]:
    with gzip.open(path, "rt", newline="") as fh:
        text = "".join(line for line in fh if not line.startswith("#"))
    return list(csv.DictReader(io.StringIO(text)))


def _num(row: Mapping[str, str], key: str) -> float | None:
    v = row.get(key)
    if v is None or str(v).strip() in ("", "nan", "NaN", "-999", "-999.0"):
        return None
    try:
        f = float(v)
    except ValueError:
        return None
    return f if math.isfinite(f) else None


@lru_cache(maxsize=4)
def _offline_index(catalog_dir: str) -> dict[str, dict[Any, Any]]:
    root = Path(catalog_dir)
    if not root.is_dir():
        raise CatalogError(f"{root}: shipped catalogue folder not found; set STARSKOPE_CATALOGS")
    index: dict[str, dict[Any, Any]] = {"toi": {}, "koi": {}, "keb": {}, "k2": {},
                                                   "kic2tic": {}, "tic2kic": {}}
    p = root / "toi.csv.gz"
    if p.exists():
        for r in _read_table(p):
            tid = _num(r, "tid")
            if tid is None or int(tid) in index["toi"]:
                continue
            index["toi"][int(tid)] = {
                "radius": _num(r, "st_rad"), "teff": _num(r, "st_teff"), "logg": _num(r, "st_logg"),
                "radius_err": _num(r, "st_raderr1"), "teff_err": _num(r, "st_tefferr1"),
                "logg_err": _num(r, "st_loggerr1"), "ra": _num(r, "ra"), "dec": _num(r, "dec"),
                "mags": {"Tmag": _num(r, "st_tmag")}, "source": "TOI table (shipped)"}
    p = root / "koi_cumulative.csv.gz"
    if p.exists():
        for r in _read_table(p):
            kid = _num(r, "kepid")
            if kid is None or int(kid) in index["koi"]:
                continue
            index["koi"][int(kid)] = {
                "radius": _num(r, "koi_srad"), "teff": _num(r, "koi_steff"), "logg": _num(r, "koi_slogg"),
                "mass": _num(r, "koi_smass"), "radius_err": _num(r, "koi_srad_err1"),
                "teff_err": _num(r, "koi_steff_err1"), "logg_err": _num(r, "koi_slogg_err1"),
                "ra": _num(r, "ra"), "dec": _num(r, "dec"), "mags": {"Kepmag": _num(r, "koi_kepmag")},
                "source": "Kepler KOI cumulative table (shipped)"}
    p = root / "kepler_eb_catalog_villanova_kvyh_tricycle.csv.gz"
    if p.exists():
        for r in _read_table(p):
            kid = _num(r, "KIC")
            if kid is None or int(kid) in index["keb"]:
                continue
            index["keb"][int(kid)] = {"teff": _num(r, "Teff"), "ra": _num(r, "RA"), "dec": _num(r, "DEC"),
                                      "mags": {"Kepmag": _num(r, "kmag")},
                                      "source": "Villanova Kepler EB catalogue (shipped)"}
    p = root / "planetary_systems_k2.csv.gz"
    if p.exists():
        for r in _read_table(p):
            name = (r.get("hostname") or "").strip()
            if not name:
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
            old = index["k2"].get(key)
            # prefer the default parameter set, then the most complete row
            if old is None or (r.get("default_flag") == "1" and not old["_default"]) or (
                    (r.get("default_flag") == "1") == old["_default"] and filled > old["_filled"]):
                index["k2"][key] = {**entry, "_default": r.get("default_flag") == "1", "_filled": filled}
    p = root / "KIC2TIC_spencerw_tess_flare.csv.gz"
    if p.exists():
        for r in _read_table(p):
            k, t = _num(r, "KIC"), _num(r, "TIC")
            if k is not None and t is not None:
                index["kic2tic"][int(k)] = int(t)
                index["tic2kic"][int(t)] = int(k)
    return index


def _entry_to_properties(target: str, entries: list[dict[str, Any]], ids: dict[str, int]) -> StellarProperties:
    """Merge catalogue entries (first one wins per field)."""
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
    return StellarProperties(
        target=target,
        **{k: (fields[k] * units[k] if k in fields else None)
           for k in ("radius", "mass", "teff", "logg", "ra", "dec")},
        magnitudes=mags, ids=ids,
        uncertainties={k: v * units[k] for k, v in errs.items()},
        source=" + ".join(sources), notes=tuple(notes),
    ).complete()


def offline_properties(target: str | int, *, catalog: str | None = None,
                       catalog_dir: str | Path | None = None) -> StellarProperties:
    """Properties from the shipped catalogues only (no network).

    Raises
    ------
    CatalogError
        The star is in none of the shipped catalogues, or the folder is missing.
    """
    cat, ident = parse_target(target, catalog)
    name = _canonical(cat, ident)
    idx = _offline_index(str(Path(catalog_dir) if catalog_dir else default_catalog_dir()))
    entries: list[dict[str, Any]] = []
    ids: dict[str, int] = {}
    if cat == "TIC":
        ids["TIC"] = int(ident)
        kic = idx["tic2kic"].get(int(ident))
        if kic is not None:
            ids["KIC"] = kic
        entries += [e for e in (idx["toi"].get(int(ident)), idx["koi"].get(kic), idx["keb"].get(kic)) if e]
    elif cat == "KIC":
        ids["KIC"] = int(ident)
        tic = idx["kic2tic"].get(int(ident))
        if tic is not None:
            ids["TIC"] = tic
        entries += [e for e in (idx["koi"].get(int(ident)), idx["keb"].get(int(ident)),
                                idx["toi"].get(tic)) if e]
    else:
        if cat == "EPIC":
            ids["EPIC"] = int(ident)
        e = idx["k2"].get(name.lower())
        if e:
            entries.append(e)
    if not entries:
        raise CatalogError(
            f"{name} is in none of the shipped catalogues (TOI table, KOI cumulative, Villanova "
            "Kepler EBs, K2 planetary systems, via the KIC→TIC cross-match); go online, or give "
            "the values yourself (user={'radius': ..., 'mass': ..., 'teff': ...})")
    return _entry_to_properties(name, entries, ids)


def kic_to_tic(kic: int, *, catalog_dir: str | Path | None = None) -> int | None:
    """TIC number of a KIC star from the shipped KIC→TIC cross-match (None if absent)."""
    idx = _offline_index(str(Path(catalog_dir) if catalog_dir else default_catalog_dir()))
    return idx["kic2tic"].get(int(kic))


# --------------------------------------------------------------------------- user values


def _user_properties(target: str, user: Mapping[str, Any]) -> StellarProperties:
    allowed = {"radius": u.Rsun, "mass": u.Msun, "teff": u.K, "density": u.g / u.cm**3}
    kw: dict[str, Any] = {}
    for key, value in user.items():
        if key in allowed:
            kw[key] = require_positive(value, allowed[key], f"user {key}")
        elif key == "logg":
            if isinstance(value, u.Quantity) and value.unit == LOGG_UNIT:
                kw["logg"] = value
            else:
                kw["logg"] = require_quantity(value, LOGG_UNIT, "user logg")
        elif key == "magnitudes":
            kw["magnitudes"] = {str(k): float(v) for k, v in dict(value).items()}
        else:
            raise ParameterError(
                f"unknown stellar property {key!r} in user values; known: "
                f"{', '.join([*allowed, 'logg', 'magnitudes'])}")
    return StellarProperties(target=target, source="user", **kw)


def _merge(base: StellarProperties | None, user: StellarProperties) -> StellarProperties:
    if base is None:
        return user.complete()
    kw = {k: getattr(user, k) for k in ("radius", "mass", "teff", "logg", "density")
          if getattr(user, k) is not None}
    # values derived from fields the user replaced are stale: derive them again
    drop_notes = [n for n in base.notes if "derived" in n]
    clear: dict[str, Any] = {}
    if kw.keys() & {"radius", "logg"} and "mass" not in kw and any("mass derived" in n for n in base.notes):
        clear["mass"] = None
    if kw.keys() & {"radius", "mass"} and "density" not in kw and any("density derived" in n for n in base.notes):
        clear["density"] = None
    unc = {k: v for k, v in base.uncertainties.items() if k not in kw}
    merged = replace(base, **clear, **kw, magnitudes={**base.magnitudes, **user.magnitudes},
                     uncertainties=unc, source=f"user + {base.source}" if base.source else "user",
                     notes=tuple(n for n in base.notes if n not in drop_notes))
    return merged.complete()


# --------------------------------------------------------------------------- the entry point


def get_stellar_properties(
    target: str | int,
    *,
    catalog: str | None = None,
    offline: bool = False,
    refresh: bool = False,
    cache_dir: str | Path | None = None,
    catalog_dir: str | Path | None = None,
    user: Mapping[str, Any] | None = None,
) -> StellarProperties:
    """Radius, mass, Teff, log g, density and magnitudes of a star.

    Parameters
    ----------
    target : str or int
        'TIC 261136679', 'KIC 11904151', 'EPIC 201367065', a name, or a bare number with
        ``catalog``.
    catalog : str, optional
        'TIC', 'KIC' or 'EPIC' for bare numbers.
    offline : bool
        Never touch the network: cache, then the shipped catalogues.
    refresh : bool
        Ignore (and overwrite) the cache entry.
    cache_dir, catalog_dir : path, optional
        Cache folder (default ``~/.cache/starskope/stars``) and shipped-catalogue folder
        (:func:`default_catalog_dir`).
    user : mapping, optional
        Values that override the catalogues: ``radius`` (R☉), ``mass`` (M☉), ``teff``
        (K), ``density`` (g cm⁻³) as Quantities, ``logg`` as dex(cm s⁻²), ``magnitudes``.

    Returns
    -------
    StellarProperties

    Raises
    ------
    CatalogError
        Nothing is known about the star (not cached, not at MAST or offline, not in the
        shipped catalogues) and no user values were given.
    UnitsError, ParameterError
        User values without units or not positive; an unknown user key.

    Notes
    -----
    Online, a MAST failure falls back to the shipped catalogues with a
    :class:`~starskope.errors.StarskopeWarning` saying so. What MAST returns is cached;
    offline look-ups are not (the shipped tables are already on disk).
    """
    cat, ident = parse_target(target, catalog)
    name = _canonical(cat, ident)
    user_props = _user_properties(name, user) if user else None
    cache = StellarCache(cache_dir)
    found: StellarProperties | None = None
    if not refresh:
        cached = cache.get(name)
        if cached is not None:
            found = replace(cached, source=f"cache ({cached.source})")
    failure: Exception | None = None
    if found is None and not offline:
        try:
            found = query_mast(cat, ident)
            cache.put(name, found)
        except CatalogError as exc:
            failure = exc
    if found is None:
        try:
            found = offline_properties(name, catalog_dir=catalog_dir)
            if failure is not None:
                warnings.warn(f"{failure}; using the shipped catalogues instead", StarskopeWarning,
                              stacklevel=2)
        except CatalogError as exc:
            if user_props is None:
                if failure is not None:
                    raise CatalogError(f"{failure}; and offline: {exc}") from exc
                raise
    if user_props is not None:
        return _merge(found, user_props)
    assert found is not None
    return found
