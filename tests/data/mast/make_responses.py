"""Build the representative MAST responses in this folder from the shipped catalogues.

Run from the repository root:  .venv/bin/python tests/data/mast/make_responses.py
(README.md in this folder says what each file is, where its layout comes from, and how
honest it is). No network is used.

Two forms are written for each query:

* ``mashup_*.json`` — the MAST Mashup wire format (``status``, ``msg``, ``paging``,
  ``fields`` with each column's MAST type, ``data`` rows), exactly what
  ``https://mast.stsci.edu/api/v0/invoke`` answers and what astroquery parses. The
  tests feed these to astroquery's real ``Catalogs`` code through a mocked HTTP layer.
* ``tic_*.ecsv`` — the astropy Table astroquery makes of that JSON, produced by
  astroquery's own converter (``astroquery.mast.discovery_portal._json_to_table``):
  ``ID`` a string, integer columns masked where null, float columns NaN (unmasked),
  string columns masked ``""``.
"""

from __future__ import annotations

import csv
import gzip
import io
import json
import os
from pathlib import Path
from typing import Any

HERE = Path(__file__).resolve().parent
CATALOGS = Path(os.environ.get("STARSKOPE_SHARED_DATA", HERE.parents[3] / "shared" / "data")) / "catalogs"

# MAST field types of the TIC columns as recorded in a real MAST response to a TIC query
# (the ``fields`` of astroquery's own test recording ``astroquery/mast/tests/data/tic.json``,
# 89 columns): ID, version, objID and duplicate_id are strings; HIP, KIC, numcont integers.
RECORDED_TYPES: dict[str, str] = {
    **{c: "string" for c in ("ID version TYC UCAC TWOMASS SDSS ALLWISE GAIA APASS objType typeSrc POSflag "
                             "PMflag PARflag TWOMflag TESSflag SPFlag lumclass disposition duplicate_id "
                             "objID").split()},
    **{c: "int" for c in ("HIP", "KIC", "numcont")},
}
# Columns TIC v8.2 adds after ``priority`` (Stassun et al. 2019, Table 4; MAST's TIC v8.2
# field list). Their MAST types are not in any recording available offline: the flags
# are text and gaiaqflag/raddflag/wdflag integers in the TIC v8 database schema, so they
# are typed "string"/"int" here; everything else is "float".
V82_STRING = {"EBVflag", "distflag", "TeffFlag", "starchareFlag", "VmagFlag", "BmagFlag", "splists"}
V82_INT = {"gaiaqflag", "raddflag", "wdflag"}

# Column order of a MAST TIC v8.2 response (Catalogs.query_criteria(catalog="Tic", ...)).
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
LOGG_SUN = 4.438


def mast_type(col: str) -> str:
    if col in RECORDED_TYPES:
        return RECORDED_TYPES[col]
    if col in V82_STRING:
        return "string"
    if col in V82_INT:
        return "int"
    return "float"


def rows(name: str) -> list[dict[str, str]]:
    with gzip.open(CATALOGS / name, "rt", newline="") as fh:
        return list(csv.DictReader(io.StringIO("".join(x for x in fh if not x.startswith("#")))))


def f(v: str) -> float | None:
    try:
        x = float(v)
    except (TypeError, ValueError):
        return None
    return x if x == x and abs(x) != float("inf") else None


def derived(r: dict[str, Any]) -> dict[str, Any]:
    """mass from logg and radius, rho (solar units) from mass and radius, as the TIC does."""
    if r.get("mass") is None and r.get("rad") and r.get("logg") is not None:
        r["mass"] = round(10 ** (float(r["logg"]) - LOGG_SUN) * float(r["rad"]) ** 2, 4)
    if r.get("rad") and r.get("mass"):
        r["rho"] = round(float(r["mass"]) / float(r["rad"]) ** 3, 4)
    return r


def mashup(records: list[dict[str, Any]], extra: tuple[tuple[str, str], ...] = ()) -> dict[str, Any]:
    """A MAST Mashup JSON response: every TIC column in every row (null where unknown)."""
    fields = [{"name": c, "type": mast_type(c)} for c in TIC_COLUMNS] + [{"name": n, "type": t} for n, t in extra]
    names = [x["name"] for x in fields]
    data = [{n: r.get(n) for n in names} for r in records]
    n = len(data)
    return {"status": "COMPLETE", "msg": "", "fields": fields, "data": data,
            "paging": {"page": 1, "pageSize": n, "pagesFiltered": 1, "rows": n, "rowsFiltered": n, "rowsTotal": n}}


def columns_config() -> dict[str, Any]:
    """A columns config for ``Mast.Catalogs.Tess.Cone`` (what astroquery fetches from
    ``/portal/Mashup/Mashup.asmx/columnsconfig`` before a TIC criteria query): one entry
    per column with its label; ID and KIC are discrete (no numeric type), as at MAST."""
    labels = {"ID": "TIC ID", "KIC": "KIC ID", "HIP": "HIP ID", "Tmag": "TESS Mag.", "Teff": "Effective Temperature",
              "rad": "Radius", "mass": "Mass", "logg": "Surface Gravity", "rho": "Density", "ra": "RA", "dec": "Dec"}
    return {c: {"text": labels.get(c, c)} for c in TIC_COLUMNS}


def all_tic_histograms() -> dict[str, Any]:
    """The ``Mast.Catalogs.All.Tic`` (extjs) answer astroquery asks for after the columns
    config: facet histograms, which only decorate the config (empty here)."""
    return {"status": "COMPLETE", "msg": "", "data": {"name": "NewDataSet", "Tables": [
        {"name": "Table", "ExtendedProperties": {"discreteHistogram": {}, "continuousHistogram": {}},
         "Columns": [], "Fields": [], "Rows": []}]}}


def resolver(name: str, ra: float, dec: float, catalog: str) -> dict[str, Any]:
    """A STScI name-resolver (SANTA) answer for a catalogue name."""
    return {"resolvedCoordinate": [{"searchString": name.lower(), "resolver": catalog, "cached": False,
                                    "resolverTime": 3, "searchRadius": 0.000333, "canonicalName": name,
                                    "ra": ra, "decl": dec}], "status": ""}


def to_table(response: dict[str, Any]) -> Any:
    """The Table astroquery makes of a Mashup response (astroquery's own converter)."""
    from astroquery.mast.discovery_portal import _json_to_table

    return _json_to_table(response, columns_config())


def write(name: str, obj: dict[str, Any]) -> None:
    (HERE / name).write_text(json.dumps(obj, indent=1) + "\n", encoding="utf-8")


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
                     "lumclass": "DWARF"})
    r1 = mashup([pimen])
    write("mashup_tic_261136679.json", r1)
    to_table(r1).write(HERE / "tic_261136679.ecsv", overwrite=True)

    # 2. Kepler-10 by KIC number: KOI values, TIC id from the KIC→TIC cross-match, Tmag from TOI
    k = koi[11904151]
    tic = 377780790
    kep10 = derived({"ID": tic, "version": "20190415", "KIC": 11904151, "objType": "STAR",
                     "typeSrc": "tmgaia2", "ra": f(k["ra"]), "dec": f(k["dec"]),
                     "Tmag": f(toi[tic]["st_tmag"]), "Teff": f(k["koi_steff"]),
                     "e_Teff": f(k["koi_steff_err1"]), "logg": f(k["koi_slogg"]),
                     "e_logg": f(k["koi_slogg_err1"]), "rad": f(k["koi_srad"]),
                     "e_rad": f(k["koi_srad_err1"]), "lumclass": "DWARF"})
    r2 = mashup([kep10])
    write("mashup_tic_kic_11904151.json", r2)
    to_table(r2).write(HERE / "tic_kic_11904151.ecsv", overwrite=True)

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
    r3 = mashup([neighbour, k23], extra=(("dstArcSec", "float"),))
    write("mashup_tic_cone_epic_201367065.json", r3)
    to_table(r3).write(HERE / "tic_cone_epic_201367065.ecsv", overwrite=True)
    write("resolver_epic_201367065.json", resolver("EPIC 201367065", f(k2["ra"]), f(k2["dec"]), "K2"))

    # 4. a query that matches nothing, and what astroquery fetches before a TIC criteria query
    write("mashup_tic_empty.json", mashup([]))
    write("columnsconfig_tess_cone.json", columns_config())
    write("all_tic_extjs.json", all_tic_histograms())


if __name__ == "__main__":
    main()
