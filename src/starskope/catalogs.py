"""Public catalogues: known planets, candidates, eclipsing binaries and stellar parameters.

starskope reads the gzipped tables in the shared data folder (``shared/data/catalogs``)
with pandas and turns their rows into the objects the pipeline uses: transit candidates
(:class:`~starskope.search.candidate.TransitCandidate`) with absolute BJD_TDB epochs,
known ephemerides to match a new signal against, and stellar radius, mass, density and
effective temperature with units.

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

The folder is found from ``$STARSKOPE_CATALOGS``, else ``$STARSKOPE_SHARED_DATA/catalogs``,
else ``../shared/data/catalogs`` beside the repository.
"""

from __future__ import annotations

import functools
import os
import re
from collections.abc import Iterable
from dataclasses import dataclass, field
from pathlib import Path
from typing import Any

import astropy.constants as const
import astropy.units as u
import numpy as np
import pandas as pd
from astropy.time import Time

from .errors import CatalogError, ParameterError
from .quantities import require_positive
from .registry import Registry
from .search.candidate import TransitCandidate

__all__ = [
    "CATALOGS",
    "CatalogSpec",
    "KnownEphemeris",
    "StellarParameters",
    "Target",
    "catalog_dir",
    "dr24_tces",
    "ephemeris_matches",
    "kic_to_tic",
    "known_ephemerides",
    "known_planets",
    "koi_candidates",
    "load",
    "parse_target",
    "stellar_parameters",
    "tic_to_kic",
    "toi_candidates",
]

BKJD_OFFSET = 2454833.0
BTJD_OFFSET = 2457000.0
RJD_OFFSET = 2400000.0  # "reduced" JD of the Villanova catalogue's bjd0


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
CATALOGS: Registry = Registry("catalogue")
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


# ----------------------------------------------------------------------------- files


def catalog_dir() -> Path:
    """The folder holding the catalogue files.

    Raises
    ------
    CatalogError
        ``$STARSKOPE_CATALOGS`` set to something that is not a folder, or no folder
        found at any of the documented places.
    """
    tried: list[Path] = []
    env = os.environ.get("STARSKOPE_CATALOGS")
    if env:
        if not Path(env).is_dir():
            raise CatalogError(f"STARSKOPE_CATALOGS={env} is not a folder; point it at the gzipped catalogue tables")
        return Path(env)
    shared = os.environ.get("STARSKOPE_SHARED_DATA")
    if shared:
        tried.append(Path(shared) / "catalogs")
    here = Path(__file__).resolve()
    tried.extend(p.parent / "shared" / "data" / "catalogs" for p in here.parents[1:4])
    tried.append(Path.cwd().parent / "shared" / "data" / "catalogs")
    for path in tried:
        if path.is_dir():
            return path
    raise CatalogError(
        "catalogue folder not found; looked in "
        + ", ".join(str(p) for p in tried)
        + "; set STARSKOPE_CATALOGS to the folder with the gzipped tables"
    )


def _file_of(spec: CatalogSpec) -> Path:
    folder = catalog_dir()
    hits = sorted(folder.glob(spec.pattern))
    if not hits:
        raise CatalogError(
            f"catalogue {spec.name!r}: no file matching {spec.pattern!r} in {folder}"
        )
    return hits[-1]


@functools.cache
def _load_cached(name: str, folder: str) -> pd.DataFrame:
    spec: CatalogSpec = CATALOGS.get(name)
    path = _file_of(spec)
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


def load(name: str) -> pd.DataFrame:
    """The whole catalogue ``name`` as a DataFrame (read once, then cached).

    Parameters
    ----------
    name : str
        One of :data:`CATALOGS` (``"dr24_tce"``, ``"koi"``, ``"villanova_eb"``,
        ``"tess_eb"``, ``"toi"``, ``"k2_planets"``, ``"confirmed"``, ``"kic2tic"``).

    Raises
    ------
    UnknownNameError
        An unknown catalogue name (the message lists the known ones).
    CatalogError
        The folder or file is missing or unreadable.
    """
    CATALOGS.get(name)
    return _load_cached(name, str(catalog_dir()))


# ----------------------------------------------------------------------------- targets


@dataclass(frozen=True)
class Target:
    """A star named by its catalogue: ``Target("KIC", 11442793)``.

    ``catalog`` is ``"KIC"``, ``"EPIC"``, ``"TIC"`` or ``"NAME"`` (a host name such as
    ``"K2-3"``, kept in ``name``; ``number`` is then 0).
    """

    catalog: str
    number: int
    name: str = ""

    def __str__(self) -> str:
        return self.name if self.catalog == "NAME" else f"{self.catalog} {self.number}"


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

_TARGET_RE = re.compile(r"^\s*(KIC|EPIC|TIC|KPLR|KTWO)\s*[-_ ]?\s*0*(\d+)\s*$", re.IGNORECASE)
_MISSION_CATALOG = {"kepler": "KIC", "k2": "EPIC", "tess": "TIC"}


def parse_target(target: Any, mission: str | None = None) -> Target:
    """A :class:`Target` from ``"KIC 11442793"``, ``"TIC 261136679"``, ``"EPIC 201367065"``,
    a host name (``"K2-3"``), an int with ``mission``, or a light curve (its meta).

    Raises
    ------
    ParameterError
        An int without a mission, or an empty name.
    """
    if isinstance(target, Target):
        return target
    meta = getattr(target, "meta", None)
    if meta is not None and not isinstance(target, str | int):
        obj = meta.get("OBJECT")
        if obj:
            try:
                return parse_target(str(obj))
            except ParameterError:
                pass
        tid = meta.get("TARGETID")
        miss = meta.get("MISSION")
        if tid is not None and miss:
            return parse_target(int(tid), str(miss))
        raise ParameterError("light curve meta has neither OBJECT nor TARGETID+MISSION; cannot name the star")
    if isinstance(target, int | np.integer):
        cat = _MISSION_CATALOG.get((mission or "").lower())
        if cat is None:
            raise ParameterError(
                f"target {target} is a bare number; give mission='Kepler'|'K2'|'TESS' "
                "or a name like 'KIC 11442793'"
            )
        return Target(cat, int(target))
    text = str(target).strip()
    if not text:
        raise ParameterError("target name is empty")
    m = _TARGET_RE.match(text)
    if m:
        cat = m.group(1).upper()
        cat = {"KPLR": "KIC", "KTWO": "EPIC"}.get(cat, cat)
        return Target(cat, int(m.group(2)))
    return Target("NAME", 0, text)


# ----------------------------------------------------------------------------- cross-match


@functools.lru_cache(maxsize=1)
def _kic_tic_maps() -> tuple[dict[int, int], dict[int, int]]:
    frame = load("kic2tic").dropna()
    kic = frame["KIC"].astype(np.int64).to_numpy()
    tic = frame["TIC"].astype(np.int64).to_numpy()
    return dict(zip(kic.tolist(), tic.tolist(), strict=True)), dict(zip(tic.tolist(), kic.tolist(), strict=True))


def kic_to_tic(kic: int) -> int | None:
    """TIC number of a Kepler star, or None when the cross-match lacks it."""
    return _kic_tic_maps()[0].get(int(kic))


def tic_to_kic(tic: int) -> int | None:
    """KIC number of a TESS star, or None when the cross-match lacks it."""
    return _kic_tic_maps()[1].get(int(tic))


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


_DR24_LABELS = ("PC", "AFP", "NTP", "UNK")


def dr24_tces(kepid: int | str | Target, *, labels: Iterable[str] | None = None) -> list[TransitCandidate]:
    """The DR24 threshold-crossing events of a Kepler star, as transit candidates.

    Parameters
    ----------
    kepid : int, str or Target
        KIC number (``757450``) or name (``"KIC 757450"``).
    labels : iterable of str, optional
        Keep only these ``av_training_set`` labels (``"PC"``, ``"AFP"``, ``"NTP"``,
        ``"UNK"``); all by default.

    Returns
    -------
    list of TransitCandidate
        In TCE order, ``source="DR24 <label>"``, epoch converted from BKJD to BJD_TDB,
        ``extra={"kepid", "tce_plnt_num", "period_err_days", "epoch_err_days"}``.

    Raises
    ------
    ParameterError
        A target that is not a KIC star, or an unknown label.
    """
    target = parse_target(kepid, "Kepler") if not isinstance(kepid, Target) else kepid
    if target.catalog != "KIC":
        raise ParameterError(f"dr24_tces needs a KIC star; got {target}")
    wanted = None
    if labels is not None:
        wanted = {str(lab).upper() for lab in labels}
        bad = wanted - set(_DR24_LABELS)
        if bad:
            raise ParameterError(f"unknown DR24 label(s) {sorted(bad)}; known: {', '.join(_DR24_LABELS)}")
    frame = load("dr24_tce")
    rows = frame[frame["kepid"] == target.number].sort_values("tce_plnt_num")
    out: list[TransitCandidate] = []
    for row in rows.itertuples(index=False):
        label = str(row.av_training_set)
        if wanted is not None and label not in wanted:
            continue
        cand = _candidate(
            row.tce_period, row.tce_time0bk + BKJD_OFFSET, row.tce_duration, np.nan,
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


def koi_candidates(kepid: int | str | Target) -> list[TransitCandidate]:
    """The KOIs of a Kepler star (cumulative table), with depth and disposition.

    ``source`` is ``"KOI <kepoi_name> <disposition>"``; ``extra`` holds ``koi_score``,
    ``impact`` and the four Robovetter false-positive flags (NT, SS, CO, EC).
    """
    target = parse_target(kepid, "Kepler") if not isinstance(kepid, Target) else kepid
    if target.catalog != "KIC":
        raise ParameterError(f"koi_candidates needs a KIC star; got {target}")
    frame = load("koi")
    rows = frame[frame["kepid"] == target.number]
    out = []
    for row in rows.itertuples(index=False):
        cand = _candidate(
            row.koi_period, row.koi_time0bk + BKJD_OFFSET, row.koi_duration, row.koi_depth,
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


def toi_candidates(tic: int | str | Target) -> list[TransitCandidate]:
    """The TOIs of a TESS star, ``source="TOI <number> <TFOPWG disposition>"``."""
    target = parse_target(tic, "TESS") if not isinstance(tic, Target) else tic
    if target.catalog != "TIC":
        raise ParameterError(f"toi_candidates needs a TIC star; got {target}")
    frame = load("toi")
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


@functools.lru_cache(maxsize=1)
def _all_known() -> tuple[KnownEphemeris, ...]:
    out: list[KnownEphemeris] = []
    eb = load("villanova_eb")
    for row in eb.itertuples(index=False):
        period = float(row.period)
        if not (_finite(period) and period > 0):
            continue
        width = float(row.pwidth) * period * 24.0 if _finite(row.pwidth) and row.pwidth > 0 else np.nan
        out.append(KnownEphemeris("villanova_eb", f"KIC {int(row.KIC)} EB", f"KIC {int(row.KIC)}", "eb",
                                  period, float(row.bjd0) + RJD_OFFSET, width,
                                  float(row.RA), float(row.DEC)))
    koi = load("koi")
    for row in koi.itertuples(index=False):
        if not _finite(row.koi_period):
            continue
        out.append(KnownEphemeris("koi", f"KOI {row.kepoi_name}", f"KIC {int(row.kepid)}",
                                  _koi_kind(row.koi_disposition), float(row.koi_period),
                                  float(row.koi_time0bk) + BKJD_OFFSET, float(row.koi_duration),
                                  float(row.ra), float(row.dec)))
    toi = load("toi")
    for row in toi.itertuples(index=False):
        if not _finite(row.pl_orbper) or float(row.pl_orbper) <= 0:
            continue
        out.append(KnownEphemeris("toi", f"TOI {row.toi}", f"TIC {int(row.tid)}",
                                  _toi_kind(row.tfopwg_disp), float(row.pl_orbper),
                                  float(row.pl_tranmid), float(row.pl_trandurh),
                                  float(row.ra), float(row.dec)))
    teb = load("tess_eb")
    for row in teb.itertuples(index=False):
        if not _finite(row.P0) or float(row.P0) <= 0:
            continue
        out.append(KnownEphemeris("tess_eb", f"TIC {int(row.tic)} EB", f"TIC {int(row.tic)}", "eb",
                                  float(row.P0), float(row.t0) + BTJD_OFFSET))
    return tuple(out)


def known_ephemerides(target: Any = None) -> list[KnownEphemeris]:
    """Known periodic signals: all of them, or those of one star.

    A Kepler star also gets the entries filed under its TIC number and vice versa
    (through the KIC→TIC cross-match).
    """
    entries = _all_known()
    if target is None:
        return list(entries)
    names = _star_names(parse_target(target))
    return [e for e in entries if e.star in names]


def _star_names(target: Target) -> set[str]:
    names = {str(target)}
    if target.catalog == "KIC":
        tic = kic_to_tic(target.number)
        if tic is not None:
            names.add(f"TIC {tic}")
    elif target.catalog == "TIC":
        kic = tic_to_kic(target.number)
        if kic is not None:
            names.add(f"KIC {kic}")
    return names


def _host_names(target: Target) -> set[str]:
    """Host names of a star in the tables keyed by host name."""
    hosts = set()
    if target.catalog == "NAME":
        hosts.add(target.name)
    if str(target) in HOST_NAMES:
        hosts.add(HOST_NAMES[str(target)])
    kic = target.number if target.catalog == "KIC" else (tic_to_kic(target.number) if target.catalog == "TIC" else None)
    if kic is not None:
        koi = load("koi")
        for name in koi.loc[koi["kepid"] == kic, "kepler_name"].dropna():
            hosts.add(str(name).rsplit(" ", 1)[0])
        names = koi.loc[koi["kepid"] == kic, "kepoi_name"].dropna()
        for name in names:
            hosts.add(f"KOI-{int(str(name)[1:].split('.')[0])}")
    return hosts


def known_planets(target: Any, *, include_candidates: bool = True) -> list[KnownEphemeris]:
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
    """
    t = parse_target(target)
    kinds = {"planet", "candidate"} if include_candidates else {"planet"}
    out = [e for e in known_ephemerides(t) if e.kind in kinds and e.catalog in ("koi", "toi")]
    hosts = _host_names(t)
    if hosts:
        conf = load("confirmed")
        rows = conf[conf["hostname"].isin(hosts) & (conf["discoverymethod"] == "Transit")]
        for row in rows.itertuples(index=False):
            if _finite(row.pl_orbper):
                out.append(KnownEphemeris("confirmed", str(row.pl_name), str(t), "planet",
                                          float(row.pl_orbper), float("nan")))
        k2 = load("k2_planets")
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

    Returns
    -------
    list of EphemerisMatch
        Best first (same star first, then by period mismatch).
    """
    p = float(require_positive(period, u.day, "period").to_value(u.day))
    dur_d = float(require_positive(duration, u.hour, "duration").to_value(u.day))
    if not isinstance(epoch, Time):
        raise ParameterError(f"epoch must be an astropy Time; got {type(epoch).__name__}")
    t0 = float(epoch.tdb.jd)
    rad = float(require_positive(radius, u.arcsec, "radius").to_value(u.arcsec))
    names = _star_names(parse_target(target)) if target is not None else set()
    entries = _all_known()
    known_p = np.array([e.period_days for e in entries])
    out: list[EphemerisMatch] = []
    near_pos = np.zeros(len(entries), bool)
    sep = np.full(len(entries), np.nan)
    if ra_deg is not None and dec_deg is not None:
        ra = np.radians([e.ra_deg for e in entries])
        dec = np.radians([e.dec_deg for e in entries])
        r0, d0 = np.radians(ra_deg), np.radians(dec_deg)
        cosd = np.sin(d0) * np.sin(dec) + np.cos(d0) * np.cos(dec) * np.cos(ra - r0)
        sep = np.degrees(np.arccos(np.clip(cosd, -1, 1))) * 3600.0
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


# ----------------------------------------------------------------------------- stellar parameters


@dataclass(frozen=True)
class StellarParameters:
    """A star's radius, mass, density, effective temperature and surface gravity.

    Any of them may be None when the catalogue lacks it; :attr:`density` is derived from
    mass and radius, or from log g and radius, when not given.

    Attributes
    ----------
    radius : Quantity [R_sun] or None
    mass : Quantity [M_sun] or None
    teff : Quantity [K] or None
    logg : float or None
        log10 of the surface gravity in cm s⁻².
    source : str
        Where the values came from.
    """

    radius: u.Quantity | None = None
    mass: u.Quantity | None = None
    teff: u.Quantity | None = None
    logg: float | None = None
    source: str = "user"
    extra: dict[str, float] = field(default_factory=dict)

    def __post_init__(self) -> None:
        if self.radius is not None:
            object.__setattr__(self, "radius", require_positive(self.radius, u.R_sun, "stellar radius"))
        if self.mass is not None:
            object.__setattr__(self, "mass", require_positive(self.mass, u.M_sun, "stellar mass"))
        if self.teff is not None:
            object.__setattr__(self, "teff", require_positive(self.teff, u.K, "stellar teff"))
        if self.logg is not None:
            g = float(self.logg)
            if not np.isfinite(g) or not (-1.0 < g < 9.0):
                raise ParameterError(f"stellar logg must be log10(g / cm s^-2) in (-1, 9); got {self.logg}")
            object.__setattr__(self, "logg", g)
        if self.mass is None and self.radius is not None and self.logg is not None:
            g_cgs = 10.0 ** self.logg * u.cm / u.s**2
            object.__setattr__(self, "mass", (g_cgs * self.radius**2 / const.G).to(u.M_sun))

    @property
    def density(self) -> u.Quantity | None:
        """Mean density ρ★ = 3M/(4πR³) [g/cm³], or None."""
        if self.mass is None or self.radius is None:
            return None
        return (3 * self.mass / (4 * np.pi * self.radius**3)).to(u.g / u.cm**3)

    @classmethod
    def from_mapping(cls, values: Any) -> StellarParameters:
        """From a dict with keys radius, mass, teff, logg (Quantities; logg a float)."""
        if isinstance(values, StellarParameters):
            return values
        if not hasattr(values, "get"):
            raise ParameterError(
                f"stellar must be a StellarParameters or a dict of radius/mass/teff/logg; got {type(values).__name__}"
            )
        known = {"radius", "mass", "teff", "logg", "source"}
        unknown = set(values) - known
        if unknown:
            raise ParameterError(f"unknown stellar parameter(s) {sorted(unknown)}; known: {sorted(known)}")
        return cls(radius=values.get("radius"), mass=values.get("mass"), teff=values.get("teff"),
                   logg=values.get("logg"), source=str(values.get("source", "user")))

    def as_row(self) -> dict[str, float]:
        """Floats with the unit in the name (NaN where unknown)."""
        def v(q: u.Quantity | None, unit: u.UnitBase) -> float:
            return float("nan") if q is None else float(q.to_value(unit))

        return {
            "stellar_radius_rsun": v(self.radius, u.R_sun),
            "stellar_mass_msun": v(self.mass, u.M_sun),
            "stellar_teff_k": v(self.teff, u.K),
            "stellar_logg_cgs": float("nan") if self.logg is None else float(self.logg),
            "stellar_density_gcc": v(self.density, u.g / u.cm**3),
        }


def _q(value: Any, unit: u.UnitBase) -> u.Quantity | None:
    return float(value) * unit if _finite(value) and float(value) > 0 else None


def stellar_parameters(target: Any) -> StellarParameters | None:
    """Stellar parameters of a star from the catalogues, or None when none has them.

    Looked up in: the KOI table (Kepler stars, and TESS stars cross-matched to KIC),
    the TOI table (TESS stars, and Kepler stars cross-matched to TIC), the K2 planets
    table (by host name; the row flagged as default).
    """
    t = parse_target(target)
    kic = t.number if t.catalog == "KIC" else (tic_to_kic(t.number) if t.catalog == "TIC" else None)
    tic = t.number if t.catalog == "TIC" else (kic_to_tic(t.number) if t.catalog == "KIC" else None)
    if kic is not None:
        koi = load("koi")
        rows = koi[koi["kepid"] == kic]
        if len(rows):
            r = rows.iloc[0]
            params = StellarParameters(
                radius=_q(r.koi_srad, u.R_sun), teff=_q(r.koi_steff, u.K),
                logg=float(r.koi_slogg) if _finite(r.koi_slogg) else None,
                source=f"KOI cumulative (KIC {kic})",
            )
            if params.radius is not None:
                return params
    if tic is not None:
        toi = load("toi")
        rows = toi[toi["tid"] == tic]
        if len(rows):
            r = rows.iloc[0]
            params = StellarParameters(
                radius=_q(r.st_rad, u.R_sun), teff=_q(r.st_teff, u.K),
                logg=float(r.st_logg) if _finite(r.st_logg) else None,
                source=f"TOI table (TIC {tic})",
            )
            if params.radius is not None:
                return params
    host = t.name if t.catalog == "NAME" else HOST_NAMES.get(str(t))
    if host:
        k2 = load("k2_planets")
        rows = k2[k2["hostname"] == host]
        if len(rows):
            default = rows[rows["default_flag"] == 1]
            r = (default if len(default) else rows).iloc[0]
            params = StellarParameters(
                radius=_q(r.st_rad, u.R_sun), mass=_q(r.st_mass, u.M_sun), teff=_q(r.st_teff, u.K),
                logg=float(r.st_logg) if _finite(r.st_logg) else None,
                source=f"K2 planets table ({host})",
            )
            if params.radius is not None:
                return params
    return None
