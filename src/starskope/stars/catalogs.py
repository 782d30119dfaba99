"""Public catalogues: known planets, candidates, eclipsing binaries, and the KIC↔TIC cross-match.

starskope reads the gzipped tables of a catalogue folder with pandas and turns their rows
into the objects the rest of the package uses: transit candidates
(:class:`~starskope.search.candidate.TransitCandidate`) with absolute BJD_TDB epochs, and
known ephemerides to match a new signal against. Stellar parameters from the same tables
are :func:`starskope.stars.get_stellar_properties`'s offline source.

=================  ==========================================================  ==========
name               table                                                       time
=================  ==========================================================  ==========
``dr24_tce``       Kepler Q1–Q17 DR24 threshold-crossing events (AstroNet        BKJD
                   labels PC / AFP / NTP / UNK)
``koi``            Kepler Objects of Interest, cumulative (dispositions,         BKJD
                   stellar radius, log g, Teff)
``villanova_eb``   Villanova Kepler eclipsing-binary catalogue (Kirk et al.      BJD−2400000
                   2016)
``tess_eb``        TESS eclipsing binaries, sectors 1–26 (Prša et al. 2022)     BTJD
``toi``            TESS Objects of Interest (ephemerides, stellar parameters)   BJD
``k2_planets``     K2 planets and candidates, NASA Exoplanet Archive            —
``confirmed``      confirmed planets (composite parameters), a subset           —
``kic2tic``        KIC → TIC cross-match                                        —
=================  ==========================================================  ==========

The folder is an argument (``catalog_dir=``); without one, ``$STARSKOPE_CATALOGS``, else
``$STARSKOPE_SHARED_DATA/catalogs``. Nothing else is searched: with neither, a look-up
raises :class:`~starskope.errors.CatalogError` saying how to set it.
"""

from __future__ import annotations

import functools
import os
from collections.abc import Iterable, Mapping
from dataclasses import dataclass
from pathlib import Path
from types import MappingProxyType
from typing import Any

import astropy.units as u
import numpy as np
import pandas as pd
from astropy.time import Time

from ..errors import CatalogError, ParameterError
from ..missions import day_count_offset
from ..quantities import require_positive
from ..registry import Registry
from ..search.candidate import TransitCandidate
from .targets import Target, parse_target

__all__ = [
    "CATALOGS",
    "HOST_NAMES",
    "CatalogSpec",
    "EphemerisMatch",
    "KnownEphemeris",
    "dr24_tces",
    "ephemeris_matches",
    "host_names",
    "kic_to_tic",
    "kic_to_tic_map",
    "known_ephemerides",
    "known_planets",
    "koi_candidates",
    "load",
    "resolve_catalog_dir",
    "tic_to_kic",
    "toi_candidates",
]

_BKJD_OFFSET = day_count_offset("bkjd")
_BTJD_OFFSET = day_count_offset("btjd")
#: The Villanova catalogue gives ``bjd0`` as a "reduced" JD (BJD − 2400000): a fact of that
#: table, not a telescope day count.
_VILLANOVA_RJD_OFFSET = 2400000.0


@dataclass(frozen=True)
class CatalogSpec:
    """One catalogue file and how to read it.

    Attributes
    ----------
    name : str
        Registry name (``"dr24_tce"``, ...).
    pattern : str
        Glob pattern of the file inside the catalogue folder.
    description : str
        What the table holds.
    fixed_width : bool
        A fixed-width text table with a dashed header rule (``.dat``) instead of CSV.
    """

    name: str
    pattern: str
    description: str
    fixed_width: bool = False


#: The catalogues starskope knows, by name.
CATALOGS: Registry[CatalogSpec] = Registry("catalogue")
for _spec in (
    CatalogSpec("dr24_tce", "q1_q17_dr24_tce_*.csv.gz", "Kepler DR24 threshold-crossing events"),
    CatalogSpec("koi", "koi_cumulative.csv.gz", "Kepler Objects of Interest (cumulative)"),
    CatalogSpec("villanova_eb", "kepler_eb_catalog_villanova*.csv.gz", "Villanova Kepler EB catalogue"),
    CatalogSpec("tess_eb", "tesseb_*.dat.gz", "TESS eclipsing binaries (Prsa et al. 2022)", True),
    CatalogSpec("toi", "toi.csv.gz", "TESS Objects of Interest"),
    CatalogSpec("k2_planets", "planetary_systems_k2.csv.gz", "K2 planets and candidates"),
    CatalogSpec("confirmed", "pscomppars_*.csv.gz", "confirmed planets, composite parameters"),
    CatalogSpec("kic2tic", "KIC2TIC_*.csv.gz", "KIC to TIC cross-match"),
):
    CATALOGS.add(_spec.name, _spec)


# ----------------------------------------------------------------------------- the folder


def resolve_catalog_dir(catalog_dir: str | Path | None = None) -> Path:
    """The folder holding the catalogue files.

    Parameters
    ----------
    catalog_dir : path, optional
        The folder. Without it, ``$STARSKOPE_CATALOGS``, else
        ``$STARSKOPE_SHARED_DATA/catalogs``.

    Raises
    ------
    CatalogError
        The folder given (or named by the environment) is not a folder, or none is given
        and neither variable is set; the message says how to set it.
    """
    if catalog_dir is not None:
        path = Path(catalog_dir)
        if not path.is_dir():
            raise CatalogError(
                f"catalog_dir={path}: catalogue folder not found; give the folder of the gzipped catalogue tables"
            )
        return path
    env = os.environ.get("STARSKOPE_CATALOGS")
    if env:
        if not Path(env).is_dir():
            raise CatalogError(f"STARSKOPE_CATALOGS={env} is not a folder; point it at the gzipped catalogue tables")
        return Path(env)
    shared = os.environ.get("STARSKOPE_SHARED_DATA")
    if shared:
        path = Path(shared) / "catalogs"
        if not path.is_dir():
            raise CatalogError(
                f"STARSKOPE_SHARED_DATA={shared} has no catalogs/ folder; set STARSKOPE_CATALOGS to the folder "
                "of the gzipped catalogue tables"
            )
        return path
    raise CatalogError(
        "no catalogue folder given: pass catalog_dir= (on the command line --catalogs DIR) or set "
        "STARSKOPE_CATALOGS to the folder of the gzipped catalogue tables"
    )


@functools.cache
def _load_cached(name: str, folder: str) -> pd.DataFrame:
    spec: CatalogSpec = CATALOGS.get(name)
    hits = sorted(Path(folder).glob(spec.pattern))
    if not hits:
        raise CatalogError(f"catalogue {name!r}: no file matching {spec.pattern!r} in {folder}")
    path = hits[-1]
    try:
        if spec.fixed_width:
            frame = pd.read_fwf(path, skiprows=[1], compression="gzip")
        else:
            frame = pd.read_csv(path, comment="#", low_memory=False)
    except Exception as exc:  # pandas raises many types for a broken file
        raise CatalogError(f"catalogue {name!r}: cannot read {path}: {exc}") from exc
    if frame.empty:
        raise CatalogError(f"catalogue {name!r}: {path} has no rows")
    return frame


def load(name: str, *, catalog_dir: str | Path | None = None) -> pd.DataFrame:
    """The whole catalogue ``name`` as a DataFrame (read once per folder, then cached).

    Parameters
    ----------
    name : str
        One of :data:`CATALOGS` (``"dr24_tce"``, ``"koi"``, ``"villanova_eb"``,
        ``"tess_eb"``, ``"toi"``, ``"k2_planets"``, ``"confirmed"``, ``"kic2tic"``).
    catalog_dir : path, optional
        The catalogue folder (:func:`resolve_catalog_dir`).

    Raises
    ------
    UnknownNameError
        An unknown catalogue name (the message lists the known ones).
    CatalogError
        The folder or file is missing or unreadable.
    """
    CATALOGS.get(name)
    return _load_cached(name, str(resolve_catalog_dir(catalog_dir)))


def _folder(catalog_dir: str | Path | None) -> str:
    return str(resolve_catalog_dir(catalog_dir))


# ----------------------------------------------------------------------------- cross-match


@functools.lru_cache(maxsize=4)
def _kic_tic_maps(folder: str) -> tuple[Mapping[int, int], Mapping[int, int]]:
    frame = _load_cached("kic2tic", folder).dropna()
    kic = frame["KIC"].astype(np.int64).to_numpy().tolist()
    tic = frame["TIC"].astype(np.int64).to_numpy().tolist()
    return (MappingProxyType(dict(zip(kic, tic, strict=True))),
            MappingProxyType(dict(zip(tic, kic, strict=True))))


def kic_to_tic_map(catalog_dir: str | Path | None = None) -> Mapping[int, int]:
    """The whole KIC → TIC cross-match, read-only (for matching many stars at once)."""
    return _kic_tic_maps(_folder(catalog_dir))[0]


def kic_to_tic(kic: int, *, catalog_dir: str | Path | None = None) -> int | None:
    """TIC number of a Kepler star, or None when the cross-match lacks it."""
    return _kic_tic_maps(_folder(catalog_dir))[0].get(int(kic))


def tic_to_kic(tic: int, *, catalog_dir: str | Path | None = None) -> int | None:
    """KIC number of a TESS star, or None when the cross-match lacks it."""
    return _kic_tic_maps(_folder(catalog_dir))[1].get(int(tic))


# Host names of the named stars in the shared data, for the tables keyed by host name
# (K2 planets, confirmed planets). Catalogue identifiers, not results.
HOST_NAMES: dict[str, str] = {
    "EPIC 201367065": "K2-3",
    "EPIC 246199087": "TRAPPIST-1",
    "TIC 278892590": "TRAPPIST-1",
    "TIC 261136679": "HD 39091",
    "TIC 100100827": "WASP-18",
    "KIC 11442793": "KOI-351",
    "KIC 11904151": "Kepler-10",
}


def _kic_of(target: Target, folder: str) -> int | None:
    if target.catalog == "KIC":
        return target.number
    return _kic_tic_maps(folder)[1].get(target.number) if target.catalog == "TIC" else None


def _tic_of(target: Target, folder: str) -> int | None:
    if target.catalog == "TIC":
        return target.number
    return _kic_tic_maps(folder)[0].get(target.number) if target.catalog == "KIC" else None


def _star_names(target: Target, folder: str) -> set[str]:
    """The names a star is filed under: its own, and its TIC or KIC number."""
    names = {str(target)}
    kic, tic = _kic_of(target, folder), _tic_of(target, folder)
    if kic is not None:
        names.add(f"KIC {kic}")
    if tic is not None:
        names.add(f"TIC {tic}")
    return names


def host_names(target: Any, *, catalog_dir: str | Path | None = None) -> set[str]:
    """Host names of a star in the tables keyed by host name ('K2-3', 'Kepler-10', 'KOI-351').

    From the name itself, :data:`HOST_NAMES`, and the KOI table's Kepler and KOI names of
    a Kepler star (or of a TESS star cross-matched to one).
    """
    t = parse_target(target)
    folder = _folder(catalog_dir)
    hosts = set()
    if t.catalog == "NAME":
        hosts.add(t.name)
    if str(t) in HOST_NAMES:
        hosts.add(HOST_NAMES[str(t)])
    kic = _kic_of(t, folder)
    if kic is not None:
        koi = _load_cached("koi", folder)
        for name in koi.loc[koi["kepid"] == kic, "kepler_name"].dropna():
            hosts.add(str(name).rsplit(" ", 1)[0])
        for name in koi.loc[koi["kepid"] == kic, "kepoi_name"].dropna():
            hosts.add(f"KOI-{int(str(name)[1:].split('.')[0])}")
    return hosts


# ----------------------------------------------------------------------------- candidates


def _finite(x: Any) -> bool:
    try:
        return bool(np.isfinite(float(x)))
    except (TypeError, ValueError):
        return False


def _candidate(period_d: float, epoch_bjd: float, duration_h: float, depth_ppm: float,
               source: str, extra: dict[str, float]) -> TransitCandidate | None:
    if not (_finite(period_d) and _finite(epoch_bjd) and _finite(duration_h)):
        return None
    if period_d <= 0 or duration_h <= 0 or duration_h / 24.0 >= period_d:
        return None
    depth = float(depth_ppm) if _finite(depth_ppm) else float("nan")
    return TransitCandidate.from_floats(
        float(period_d), float(epoch_bjd), float(duration_h), depth, source=source, extra=extra
    )


def _star(target: int | str | Target, mission: str, catalog: str, what: str) -> Target:
    t = parse_target(target, mission)
    if t.catalog != catalog:
        raise ParameterError(f"{what} needs a {catalog} star; got {t}")
    return t


_DR24_LABELS = ("PC", "AFP", "NTP", "UNK")


def dr24_tces(kepid: int | str | Target, *, labels: Iterable[str] | None = None,
              catalog_dir: str | Path | None = None) -> list[TransitCandidate]:
    """The DR24 threshold-crossing events of a Kepler star, as transit candidates.

    Parameters
    ----------
    kepid : int, str or Target
        KIC number (``757450``) or name (``"KIC 757450"``).
    labels : iterable of str, optional
        Keep only these ``av_training_set`` labels (``"PC"``, ``"AFP"``, ``"NTP"``,
        ``"UNK"``); all by default.
    catalog_dir : path, optional
        The catalogue folder (:func:`resolve_catalog_dir`).

    Returns
    -------
    list of TransitCandidate
        In TCE order, ``source="DR24 <label>"``, epoch converted from BKJD to BJD_TDB,
        ``extra={"kepid", "tce_plnt_num", "period_err_days", "epoch_err_days"}``.

    Raises
    ------
    ParameterError
        A target that is not a KIC star, or an unknown label.
    CatalogError
        No catalogue folder, or the table is missing.
    """
    target = _star(kepid, "Kepler", "KIC", "dr24_tces")
    wanted = None
    if labels is not None:
        wanted = {str(lab).upper() for lab in labels}
        bad = wanted - set(_DR24_LABELS)
        if bad:
            raise ParameterError(f"unknown DR24 label(s) {sorted(bad)}; known: {', '.join(_DR24_LABELS)}")
    frame = load("dr24_tce", catalog_dir=catalog_dir)
    rows = frame[frame["kepid"] == target.number].sort_values("tce_plnt_num")
    out: list[TransitCandidate] = []
    for row in rows.itertuples(index=False):
        label = str(row.av_training_set)
        if wanted is not None and label not in wanted:
            continue
        cand = _candidate(
            row.tce_period, row.tce_time0bk + _BKJD_OFFSET, row.tce_duration, np.nan,
            f"DR24 {label}",
            {
                "kepid": float(target.number),
                "tce_plnt_num": float(row.tce_plnt_num),
                "period_err_days": float(row.tce_period_err),
                "epoch_err_days": float(row.tce_time0bk_err),
            },
        )
        if cand is not None:
            out.append(cand)
    return out


def koi_candidates(kepid: int | str | Target, *, catalog_dir: str | Path | None = None) -> list[TransitCandidate]:
    """The KOIs of a Kepler star (cumulative table), with depth and disposition.

    ``source`` is ``"KOI <kepoi_name> <disposition>"``; ``extra`` holds ``koi_score``,
    ``impact`` and the four Robovetter false-positive flags (NT, SS, CO, EC).

    Raises
    ------
    ParameterError
        A target that is not a KIC star.
    CatalogError
        No catalogue folder, or the table is missing.
    """
    target = _star(kepid, "Kepler", "KIC", "koi_candidates")
    frame = load("koi", catalog_dir=catalog_dir)
    rows = frame[frame["kepid"] == target.number]
    out = []
    for row in rows.itertuples(index=False):
        cand = _candidate(
            row.koi_period, row.koi_time0bk + _BKJD_OFFSET, row.koi_duration, row.koi_depth,
            f"KOI {row.kepoi_name} {row.koi_disposition}",
            {
                "koi_score": float(row.koi_score) if _finite(row.koi_score) else float("nan"),
                "impact": float(row.koi_impact) if _finite(row.koi_impact) else float("nan"),
                "fpflag_nt": float(row.koi_fpflag_nt),
                "fpflag_ss": float(row.koi_fpflag_ss),
                "fpflag_co": float(row.koi_fpflag_co),
                "fpflag_ec": float(row.koi_fpflag_ec),
            },
        )
        if cand is not None:
            out.append(cand)
    return out


def toi_candidates(tic: int | str | Target, *, catalog_dir: str | Path | None = None) -> list[TransitCandidate]:
    """The TOIs of a TESS star, ``source="TOI <number> <TFOPWG disposition>"``.

    Raises
    ------
    ParameterError
        A target that is not a TIC star.
    CatalogError
        No catalogue folder, or the table is missing.
    """
    target = _star(tic, "TESS", "TIC", "toi_candidates")
    frame = load("toi", catalog_dir=catalog_dir)
    rows = frame[frame["tid"] == target.number].sort_values("toi")
    out = []
    for row in rows.itertuples(index=False):
        cand = _candidate(
            row.pl_orbper, row.pl_tranmid, row.pl_trandurh, row.pl_trandep,
            f"TOI {row.toi} {row.tfopwg_disp}", {"toi": float(row.toi)},
        )
        if cand is not None:
            out.append(cand)
    return out


# ----------------------------------------------------------------------------- known ephemerides


@dataclass(frozen=True)
class KnownEphemeris:
    """A periodic signal some catalogue already knows.

    Attributes
    ----------
    catalog : str
        Registry name of the catalogue (``"villanova_eb"``, ``"koi"``, ``"toi"``, ...).
    name : str
        Object name (``"KOI K00351.01"``, ``"KIC 1026032 EB"``, ``"TOI 144.01"``).
    star : str
        The star (``"KIC 1026032"``).
    kind : str
        ``"eb"``, ``"planet"``, ``"candidate"`` or ``"false positive"``.
    period_days, epoch_bjd, duration_hours : float
        Ephemeris (NaN when the catalogue lacks it).
    ra_deg, dec_deg : float
        Position (NaN when unknown).
    """

    catalog: str
    name: str
    star: str
    kind: str
    period_days: float
    epoch_bjd: float
    duration_hours: float = float("nan")
    ra_deg: float = float("nan")
    dec_deg: float = float("nan")


def _koi_kind(disposition: str) -> str:
    return {"CONFIRMED": "planet", "CANDIDATE": "candidate", "FALSE POSITIVE": "false positive"}.get(
        str(disposition).upper(), "candidate"
    )


def _toi_kind(disposition: str) -> str:
    return {"CP": "planet", "KP": "planet", "PC": "candidate", "APC": "candidate",
            "FP": "false positive", "FA": "false positive", "EB": "eb"}.get(str(disposition).upper(), "candidate")


@functools.lru_cache(maxsize=4)
def _all_known(folder: str) -> tuple[KnownEphemeris, ...]:
    out: list[KnownEphemeris] = []
    eb = _load_cached("villanova_eb", folder)
    for row in eb.itertuples(index=False):
        period = float(row.period)
        if not (_finite(period) and period > 0):
            continue
        width = float(row.pwidth) * period * 24.0 if _finite(row.pwidth) and row.pwidth > 0 else np.nan
        out.append(KnownEphemeris("villanova_eb", f"KIC {int(row.KIC)} EB", f"KIC {int(row.KIC)}", "eb",
                                  period, float(row.bjd0) + _VILLANOVA_RJD_OFFSET, width,
                                  float(row.RA), float(row.DEC)))
    koi = _load_cached("koi", folder)
    for row in koi.itertuples(index=False):
        if not _finite(row.koi_period):
            continue
        out.append(KnownEphemeris("koi", f"KOI {row.kepoi_name}", f"KIC {int(row.kepid)}",
                                  _koi_kind(row.koi_disposition), float(row.koi_period),
                                  float(row.koi_time0bk) + _BKJD_OFFSET, float(row.koi_duration),
                                  float(row.ra), float(row.dec)))
    toi = _load_cached("toi", folder)
    for row in toi.itertuples(index=False):
        if not _finite(row.pl_orbper) or float(row.pl_orbper) <= 0:
            continue
        out.append(KnownEphemeris("toi", f"TOI {row.toi}", f"TIC {int(row.tid)}",
                                  _toi_kind(row.tfopwg_disp), float(row.pl_orbper),
                                  float(row.pl_tranmid), float(row.pl_trandurh),
                                  float(row.ra), float(row.dec)))
    teb = _load_cached("tess_eb", folder)
    for row in teb.itertuples(index=False):
        if not _finite(row.P0) or float(row.P0) <= 0:
            continue
        out.append(KnownEphemeris("tess_eb", f"TIC {int(row.tic)} EB", f"TIC {int(row.tic)}", "eb",
                                  float(row.P0), float(row.t0) + _BTJD_OFFSET))
    return tuple(out)


def _separations_arcsec(entries: tuple[KnownEphemeris, ...], ra_deg: float, dec_deg: float) -> np.ndarray:
    """Sky distance from (ra, dec) to each entry (NaN where the entry has no position)."""
    ra = np.radians([e.ra_deg for e in entries])
    dec = np.radians([e.dec_deg for e in entries])
    r0, d0 = np.radians(ra_deg), np.radians(dec_deg)
    cosd = np.sin(d0) * np.sin(dec) + np.cos(d0) * np.cos(dec) * np.cos(ra - r0)
    return np.degrees(np.arccos(np.clip(cosd, -1, 1))) * 3600.0


def known_ephemerides(
    target: Any = None,
    *,
    ra_deg: float | None = None,
    dec_deg: float | None = None,
    radius: u.Quantity = 120 * u.arcsec,
    catalog_dir: str | Path | None = None,
) -> list[KnownEphemeris]:
    """Known periodic signals (EBs, KOIs, TOIs): all of them, or those of one star and
    its neighbours.

    A Kepler star also gets the entries filed under its TIC number and vice versa
    (through the KIC→TIC cross-match).

    Parameters
    ----------
    target : str, int or Target, optional
        The star; with neither ``target`` nor a position, every entry.
    ra_deg, dec_deg : float, optional
        A position (degrees): entries within ``radius`` of it are kept too (a neighbour
        can contaminate the light curve).
    radius : Quantity [angle]
        Search radius around the position.
    catalog_dir : path, optional
        The catalogue folder (:func:`resolve_catalog_dir`).

    Raises
    ------
    CatalogError
        No catalogue folder, or a table is missing.
    """
    folder = _folder(catalog_dir)
    entries = _all_known(folder)
    if target is None and (ra_deg is None or dec_deg is None):
        return list(entries)
    keep = np.zeros(len(entries), bool)
    if target is not None:
        names = _star_names(parse_target(target), folder)
        keep |= np.array([e.star in names for e in entries], bool)
    if ra_deg is not None and dec_deg is not None:
        rad = float(require_positive(radius, u.arcsec, "radius").to_value(u.arcsec))
        sep = _separations_arcsec(entries, float(ra_deg), float(dec_deg))
        keep |= np.isfinite(sep) & (sep <= rad)
    return [e for e, k in zip(entries, keep, strict=True) if k]


def known_planets(target: Any, *, include_candidates: bool = True,
                  catalog_dir: str | Path | None = None) -> list[KnownEphemeris]:
    """Known transiting planets (and candidates) of one star, one entry per period.

    Entries with an epoch (KOI, TOI) come first; planets known only from the
    host-name tables (confirmed planets, K2 planets) follow with ``epoch_bjd`` NaN.
    Periods within 0.1% of an earlier entry are dropped as duplicates.

    Parameters
    ----------
    target : str, int or Target
        The star.
    include_candidates : bool
        Keep candidates (KOI CANDIDATE, TOI PC) as well as confirmed planets.
    catalog_dir : path, optional
        The catalogue folder (:func:`resolve_catalog_dir`).
    """
    t = parse_target(target)
    folder = _folder(catalog_dir)
    kinds = {"planet", "candidate"} if include_candidates else {"planet"}
    out = [e for e in known_ephemerides(t, catalog_dir=folder) if e.kind in kinds and e.catalog in ("koi", "toi")]
    hosts = host_names(t, catalog_dir=folder)
    if hosts:
        conf = _load_cached("confirmed", folder)
        rows = conf[conf["hostname"].isin(hosts) & (conf["discoverymethod"] == "Transit")]
        for row in rows.itertuples(index=False):
            if _finite(row.pl_orbper):
                out.append(KnownEphemeris("confirmed", str(row.pl_name), str(t), "planet",
                                          float(row.pl_orbper), float("nan")))
        k2 = _load_cached("k2_planets", folder)
        rows = k2[k2["hostname"].isin(hosts) & (k2["default_flag"] == 1)]
        for row in rows.itertuples(index=False):
            if _finite(row.pl_orbper) and (include_candidates or str(row.soltype).startswith("Published Confirmed")):
                out.append(KnownEphemeris("k2_planets", str(row.pl_name), str(t), "planet",
                                          float(row.pl_orbper), float("nan")))
    unique: list[KnownEphemeris] = []
    for e in out:
        if all(abs(e.period_days / u_.period_days - 1.0) > 1e-3 for u_ in unique):
            unique.append(e)
    return unique


_HARMONICS = (1.0, 2.0, 0.5, 3.0, 1.0 / 3.0, 1.5, 2.0 / 3.0)


@dataclass(frozen=True)
class EphemerisMatch:
    """A known signal whose ephemeris matches a candidate's.

    ``ratio`` is candidate period / known period (1, 2, 1/2, 3, 1/3, 3/2, 2/3);
    ``period_mismatch`` the relative period difference after that ratio;
    ``epoch_offset_hours`` the smallest distance from a candidate transit to a
    predicted known event (NaN when the known epoch is unknown); ``separation_arcsec``
    the sky distance (0 for the same star, NaN when positions are unknown).
    """

    known: KnownEphemeris
    ratio: float
    period_mismatch: float
    epoch_offset_hours: float
    same_star: bool
    separation_arcsec: float = float("nan")


def ephemeris_matches(
    period: u.Quantity,
    epoch: Time,
    duration: u.Quantity,
    *,
    target: Any = None,
    ra_deg: float | None = None,
    dec_deg: float | None = None,
    radius: u.Quantity = 120 * u.arcsec,
    period_tolerance: float = 1e-3,
    catalog_dir: str | Path | None = None,
) -> list[EphemerisMatch]:
    """Known EBs, KOIs, TOIs whose ephemeris matches a candidate's.

    A match needs a period ratio (1, 2, 1/2, 3, 1/3, 3/2, 2/3) within
    ``period_tolerance`` (relative) and, where the known epoch is given, a candidate
    transit within one candidate duration of a predicted known event (propagated to
    the candidate's epoch). Only the same star (by KIC/TIC/EPIC, with the KIC↔TIC
    cross-match) and, when the candidate's position is given, stars within ``radius``
    are compared: a distant star cannot contaminate the light curve.

    Parameters
    ----------
    period : Quantity [time]
    epoch : astropy.time.Time
    duration : Quantity [time]
    target : str or Target, optional
        The candidate's star.
    ra_deg, dec_deg : float, optional
        The candidate's position (degrees).
    radius : Quantity [angle]
        Search radius around the position.
    period_tolerance : float
        Relative period tolerance.
    catalog_dir : path, optional
        The catalogue folder (:func:`resolve_catalog_dir`).

    Returns
    -------
    list of EphemerisMatch
        Best first (same star first, then by period mismatch).

    Raises
    ------
    ParameterError
        An epoch that is not an astropy Time; a non-positive period, duration or radius.
    CatalogError
        No catalogue folder, or a table is missing.
    """
    p = float(require_positive(period, u.day, "period").to_value(u.day))
    dur_d = float(require_positive(duration, u.hour, "duration").to_value(u.day))
    if not isinstance(epoch, Time):
        raise ParameterError(f"epoch must be an astropy Time; got {type(epoch).__name__}")
    t0 = float(epoch.tdb.jd)
    rad = float(require_positive(radius, u.arcsec, "radius").to_value(u.arcsec))
    folder = _folder(catalog_dir)
    names = _star_names(parse_target(target), folder) if target is not None else set()
    entries = _all_known(folder)
    known_p = np.array([e.period_days for e in entries])
    out: list[EphemerisMatch] = []
    near_pos = np.zeros(len(entries), bool)
    sep = np.full(len(entries), np.nan)
    if ra_deg is not None and dec_deg is not None:
        sep = _separations_arcsec(entries, float(ra_deg), float(dec_deg))
        near_pos = np.isfinite(sep) & (sep <= rad)
    same = np.array([e.star in names for e in entries], bool)
    consider = same | near_pos
    for ratio in _HARMONICS:
        mism = np.abs(p / (known_p * ratio) - 1.0)
        hit = np.flatnonzero(consider & (mism < period_tolerance))
        for i in hit:
            e = entries[i]
            offset_h = float("nan")
            if _finite(e.epoch_bjd):
                # events of the shorter of the two periods must line up
                step = min(p, e.period_days)
                d = (t0 - e.epoch_bjd) / step
                offset_h = abs(d - round(d)) * step * 24.0
                if offset_h > 24.0 * max(dur_d, 1.0 / 24.0):
                    continue
            out.append(EphemerisMatch(e, ratio, float(mism[i]), offset_h, bool(same[i]),
                                      0.0 if same[i] else float(sep[i])))
    out.sort(key=lambda m: (not m.same_star, m.ratio != 1.0, m.period_mismatch))
    return out
