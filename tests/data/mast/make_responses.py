"""Build the representative MAST TIC responses in this folder from the shipped catalogues.

Run from the repository root:  .venv/bin/python tests/data/mast/make_responses.py
(see README.md in this folder for what each file is and how honest it is).
"""

from __future__ import annotations

import csv
import gzip
import io
import os
from pathlib import Path

import numpy as np
from astropy.table import MaskedColumn, Table

HERE = Path(__file__).resolve().parent
CATALOGS = Path(os.environ.get("STARSKOPE_SHARED_DATA", HERE.parents[3] / "shared" / "data")) / "catalogs"

# Columns of a MAST TIC v8.2 response (Catalogs.query_criteria(catalog="Tic", ...)), in order.
TIC_COLUMNS = (
    "ID version HIP TYC UCAC TWOMASS SDSS ALLWISE GAIA APASS KIC objType typeSrc ra dec POSflag "
    "pmRA e_pmRA pmDEC e_pmDEC PMflag plx e_plx PARflag gallong gallat eclong eclat Bmag e_Bmag "
    "Vmag e_Vmag umag e_umag gmag e_gmag rmag e_rmag imag e_imag zmag e_zmag Jmag e_Jmag Hmag "
    "e_Hmag Kmag e_Kmag TWOMflag prox w1mag e_w1mag w2mag e_w2mag w3mag e_w3mag w4mag e_w4mag "
    "GAIAmag e_GAIAmag Tmag e_Tmag TESSflag SPFlag Teff e_Teff logg e_logg MH e_MH rad e_rad mass "
    "e_mass rho e_rho lumclass lum e_lum d e_d ebv e_ebv numcont contratio disposition "
    "duplicate_id priority eneg_EBV epos_EBV EBVflag eneg_Mass epos_Mass eneg_Rad epos_Rad "
    "eneg_rho epos_rho eneg_logg epos_logg eneg_lum epos_lum eneg_dist epos_dist distflag "
    "eneg_Teff epos_Teff TeffFlag gaiabp e_gaiabp gaiarp e_gaiarp gaiaqflag starchareFlag "
    "VmagFlag BmagFlag splists e_RA e_Dec RA_orig Dec_orig e_RA_orig e_Dec_orig raddflag wdflag "
    "objID"
).split()
STRING_COLUMNS = {"version", "TYC", "UCAC", "TWOMASS", "SDSS", "ALLWISE", "GAIA", "APASS", "objType",
                  "typeSrc", "POSflag", "PMflag", "PARflag", "TWOMflag", "TESSflag", "SPFlag",
                  "lumclass", "disposition", "EBVflag", "distflag", "TeffFlag", "starchareFlag",
                  "VmagFlag", "BmagFlag", "splists"}
INT_COLUMNS = {"ID", "HIP", "KIC", "numcont", "duplicate_id", "gaiaqflag", "raddflag", "wdflag", "objID"}
LOGG_SUN, RHO_SUN = 4.438, 1.408


def rows(name: str) -> list[dict[str, str]]:
    with gzip.open(CATALOGS / name, "rt", newline="") as fh:
        return list(csv.DictReader(io.StringIO("".join(x for x in fh if not x.startswith("#")))))


def f(v: str) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if np.isfinite(x) else None


def table(records: list[dict[str, object]], extra: tuple[str, ...] = ()) -> Table:
    t = Table()
    for col in (*TIC_COLUMNS, *extra):
        values = [r.get(col) for r in records]
        mask = [v is None for v in values]
        if col in STRING_COLUMNS:
            data = np.array(["" if v is None else str(v) for v in values], dtype=object).astype(str)
        elif col in INT_COLUMNS:
            data = np.array([0 if v is None else int(v) for v in values], dtype=np.int64)
        else:
            data = np.array([np.nan if v is None else float(v) for v in values], dtype=np.float64)
        t[col] = MaskedColumn(data, mask=mask)
    return t


def derived(r: dict[str, object]) -> dict[str, object]:
    """mass from logg and radius, rho (solar units) from mass and radius, as TIC does."""
    if r.get("mass") is None and r.get("rad") and r.get("logg") is not None:
        r["mass"] = round(10 ** (float(r["logg"]) - LOGG_SUN) * float(r["rad"]) ** 2, 4)
    if r.get("rad") and r.get("mass"):
        r["rho"] = round(float(r["mass"]) / float(r["rad"]) ** 3, 4)
    return r


def main() -> None:
    toi = {int(float(r["tid"])): r for r in reversed(rows("toi.csv.gz"))}
    koi = {int(r["kepid"]): r for r in reversed(rows("koi_cumulative.csv.gz"))}
    k2 = next(r for r in rows("planetary_systems_k2.csv.gz") if r["hostname"] == "K2-3" and r["default_flag"] == "1")

    # 1. pi Men by TIC number: TOI table values
    t = toi[261136679]
    pimen = derived({"ID": 261136679, "version": "20190415", "objType": "STAR", "typeSrc": "tmgaia2",
                     "ra": f(t["ra"]), "dec": f(t["dec"]), "Tmag": f(t["st_tmag"]),
                     "e_Tmag": f(t["st_tmagerr1"]), "Teff": f(t["st_teff"]), "e_Teff": f(t["st_tefferr1"]),
                     "logg": f(t["st_logg"]), "e_logg": f(t["st_loggerr1"]), "rad": f(t["st_rad"]),
                     "e_rad": f(t["st_raderr1"]), "d": f(t["st_dist"]), "e_d": f(t["st_disterr1"]),
                     "lumclass": "DWARF", "disposition": None})
    table([pimen]).write(HERE / "tic_261136679.ecsv", overwrite=True)

    # 2. Kepler-10 by KIC number: KOI values, TIC id from the KIC→TIC cross-match, Tmag from TOI
    k = koi[11904151]
    tic = 377780790
    kep10 = derived({"ID": tic, "version": "20190415", "KIC": 11904151, "objType": "STAR",
                     "typeSrc": "tmgaia2", "ra": f(k["ra"]), "dec": f(k["dec"]),
                     "Tmag": f(toi[tic]["st_tmag"]), "Teff": f(k["koi_steff"]),
                     "e_Teff": f(k["koi_steff_err1"]), "logg": f(k["koi_slogg"]),
                     "e_logg": f(k["koi_slogg_err1"]), "rad": f(k["koi_srad"]),
                     "e_rad": f(k["koi_srad_err1"]), "lumclass": "DWARF"})
    table([kep10]).write(HERE / "tic_kic_11904151.ecsv", overwrite=True)

    # 3. EPIC 201367065 (K2-3) by position: K2 table values, TIC id of the TOI at that position,
    #    plus one fictitious faint neighbour 2.4" away to exercise the nearest-entry choice.
    tt = toi[173103335]
    k23 = derived({"ID": 173103335, "version": "20190415", "objType": "STAR", "typeSrc": "tmgaia2",
                   "ra": f(k2["ra"]), "dec": f(k2["dec"]), "Tmag": f(tt["st_tmag"]),
                   "Vmag": f(k2["sy_vmag"]), "Kmag": f(k2["sy_kmag"]), "GAIAmag": f(k2["sy_gaiamag"]),
                   "Teff": f(k2["st_teff"]), "e_Teff": f(k2["st_tefferr1"]), "logg": f(k2["st_logg"]),
                   "rad": f(k2["st_rad"]), "e_rad": f(k2["st_raderr1"]), "mass": f(k2["st_mass"]),
                   "e_mass": f(k2["st_masserr1"]), "lumclass": "DWARF", "dstArcSec": 0.08})
    neighbour = {"ID": 1000000001, "version": "20190415", "objType": "STAR", "typeSrc": "gaia2",
                 "ra": f(k2["ra"]) + 2.4 / 3600.0, "dec": f(k2["dec"]), "Tmag": 18.9,
                 "GAIAmag": 19.6, "dstArcSec": 2.4}
    table([neighbour, k23], extra=("dstArcSec",)).write(HERE / "tic_cone_epic_201367065.ecsv", overwrite=True)


if __name__ == "__main__":
    main()
