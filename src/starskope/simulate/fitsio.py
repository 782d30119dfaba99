"""Writing simulated stars as Kepler, K2 and TESS light-curve FITS files.

The files follow the archive products' layout (Kepler Archive Manual KDMC-10008; TESS
Science Data Products Description): a primary HDU with the target keywords (TELESCOP,
INSTRUME, OBJECT, KEPLERID or TICID, QUARTER / CAMPAIGN / SECTOR, MISSION, OBSMODE,
magnitude, TEFF, LOGG, RADIUS) and a 'LIGHTCURVE' binary table with the twenty columns of
the real files (TIME, TIMECORR, CADENCENO, SAP_FLUX, SAP_FLUX_ERR, SAP_BKG, SAP_BKG_ERR,
PDCSAP_FLUX, PDCSAP_FLUX_ERR, SAP_QUALITY or QUALITY, PSF_CENTR1/2 (+ERR, NaN as in most
real files), MOM_CENTR1/2 (+ERR), POS_CORR1/2) and the timing keywords (TIMEREF,
TASSIGN, TIMESYS, BJDREFI, BJDREFF, TIMEUNIT, TSTART, TSTOP, TELAPSE, TIMEDEL, TIMEPIXR,
INT_TIME, NUM_FRM, DEADC) plus CDPP, CROWDSAP and FLFRCSAP. ``SIMDATA = T`` marks them
as simulated (the keyword real TESS files carry), ORIGIN names starskope, and no keyword
holds the date of writing, so the same star always gives the same bytes.

File names follow the archive: ``kplr{KIC:09d}-{quarter stamp}_llc.fits``,
``ktwo{EPIC:09d}-c{campaign:02d}_llc.fits``, ``tess{stamp}-s{sector:04d}-{TIC:016d}-0120-s_lc.fits``
(2-min) and ``hlsp_tess-spoc_tess_phot_{TIC:016d}-s{sector:04d}_tess_v1_lc.fits`` (FFI).
"""

from __future__ import annotations

import os
from pathlib import Path

import numpy as np
from astropy.io import fits
from astropy.time import Time

from .generate import SimulatedSet

__all__ = ["fits_name", "write_star_fits"]

#: Time stamps in the names of the Kepler long-cadence files of each quarter.
KEPLER_QUARTER_STAMPS: dict[int, str] = {
    0: "2009131105131", 1: "2009166043257", 2: "2009259160929", 3: "2009350155506",
    4: "2010078095331", 5: "2010174085026", 6: "2010265121752", 7: "2010355172524",
    8: "2011073133259", 9: "2011177032512", 10: "2011271113734", 11: "2012004120508",
    12: "2012088054726", 13: "2012179063303", 14: "2012277125453", 15: "2013011073258",
    16: "2013098041711", 17: "2013131215648",
}

_KEPLER_TIMING = {"INT_TIME": 6.019802903270, "READTIME": 0.518948526144, "FRAMETIM": 6.538751429414}
_TESS_TIMING = {"INT_TIME": 1.98, "READTIME": 0.02, "FRAMETIM": 2.0}


def _tess_stamp(grid_start_bjd: float) -> str:
    t = Time(grid_start_bjd, format="jd", scale="tdb").utc
    return t.strftime("%Y%j%H%M%S")


def fits_name(mission: str, star_id: int, segment: int, *, ffi: bool = False, start_bjd: float = 0.0) -> str:
    """Archive-style file name of a simulated light curve."""
    if mission == "Kepler":
        stamp = KEPLER_QUARTER_STAMPS.get(segment, f"q{segment:02d}")
        return f"kplr{star_id:09d}-{stamp}_llc.fits"
    if mission == "K2":
        return f"ktwo{star_id:09d}-c{segment:02d}_llc.fits"
    if ffi:
        return f"hlsp_tess-spoc_tess_phot_{star_id:016d}-s{segment:04d}_tess_v1_lc.fits"
    return f"tess{_tess_stamp(start_bjd)}-s{segment:04d}-{star_id:016d}-0120-s_lc.fits"


def write_star_fits(
    folder: str | os.PathLike[str],
    sim: SimulatedSet,
    j: int,
    *,
    ffi: bool = False,
) -> Path:
    """Write star ``j`` of ``sim`` (made with ``detail=True``) as a light-curve FITS file.

    Returns
    -------
    Path
        The file written (name from :func:`fits_name`).
    """
    grid = sim.grid
    prof = grid.profile
    truth = sim.truths[j]
    mission = prof.name
    star_id = int(truth["star_id"])
    t_mission = grid.mission_time
    cad_days = grid.cadence_days
    rng = np.random.default_rng(star_id)  # fixed per star: RA/Dec, CCD position
    ra, dec = float(rng.uniform(0, 360)), float(rng.uniform(-80, 80))
    is_tess = mission == "TESS"
    timing = _TESS_TIMING if is_tess else _KEPLER_TIMING
    n_frames = round(cad_days * 86400.0 / timing["FRAMETIM"])
    deadc = timing["INT_TIME"] / timing["FRAMETIM"] * (0.8 if is_tess else 1.0)

    primary = fits.Header()
    primary["NEXTEND"] = (1, "number of standard extensions")
    primary["EXTNAME"] = ("PRIMARY", "name of extension")
    primary["EXTVER"] = (1, "extension version number (not format version)")
    primary["SIMDATA"] = (True, "file is based on simulated data")
    primary["ORIGIN"] = ("starskope simulator", "institution responsible for file")
    primary["CREATOR"] = ("starskope.simulate lightcurve writer", "program used")
    primary["FILEVER"] = ("6.1" if not is_tess else "1.0", "file format version")
    primary["TIMVERSN"] = ("OGIP/93-003", "OGIP memo number for file format")
    primary["TELESCOP"] = (prof.telescope_keyword, "telescope")
    primary["INSTRUME"] = ("TESS Photometer" if is_tess else "Kepler Photometer", "detector type")
    primary["OBJECT"] = (str(truth["object"]), "string version of target id")
    if is_tess:
        primary["TICID"] = (star_id, "unique tess target identifier")
        primary["SECTOR"] = (grid.segment, "Observing sector")
        primary["CAMERA"] = (int(rng.integers(1, 5)), "Camera number")
        primary["CCD"] = (int(rng.integers(1, 5)), "CCD chip number")
        primary["TSTART"] = (float(t_mission[0] - 0.5 * cad_days), "observation start time in BTJD")
        primary["TSTOP"] = (float(t_mission[-1] + 0.5 * cad_days), "observation stop time in BTJD")
    else:
        primary["KEPLERID"] = (star_id, "unique Kepler target identifier")
        primary["CHANNEL"] = (int(rng.integers(1, 85)), "CCD channel")
        if mission == "Kepler":
            primary["QUARTER"] = (grid.segment, "Observing quarter")
        else:
            primary["CAMPAIGN"] = (grid.segment, "Observing campaign number")
        primary["OBSMODE"] = ("long cadence" if cad_days > 0.01 else "short cadence", "observing mode")
        primary["MISSION"] = (mission, "Mission name")
    primary["RADESYS"] = ("ICRS", "reference frame of celestial coordinates")
    primary["RA_OBJ"] = (ra, "[deg] right ascension")
    primary["DEC_OBJ"] = (dec, "[deg] declination")
    primary["EQUINOX"] = (2000.0, "equinox of celestial coordinate system")
    if is_tess:
        primary["TESSMAG"] = (float(truth["mag"]), "[mag] TESS magnitude")
    else:
        primary["KEPMAG"] = (float(truth["mag"]), "[mag] Kepler magnitude (Kp)")
    primary["TEFF"] = (round(float(truth["teff_k"])), "[K] Effective temperature")
    primary["LOGG"] = (round(float(truth["logg_cgs"]), 3), "[cm/s2] log10 surface gravity")
    primary["RADIUS"] = (round(float(truth["rstar_rsun"]), 3), "[solar radii] stellar radius")
    primary["SIMCLASS"] = (str(truth["class"]), "simulated class (starskope truth)")

    n = len(t_mission)
    nan = np.full(n, np.nan, dtype=np.float32)
    time_unit = f"BJD - {prof.bjd_offset:.0f}, days" if is_tess else f"BJD - {prof.bjd_offset:.0f}"
    qcol = "QUALITY" if is_tess else "SAP_QUALITY"
    assert sim.sap is not None and sim.quality is not None and sim.centroid_col is not None
    assert sim.centroid_row is not None and sim.sap_err is not None and sim.sap_bkg is not None
    assert sim.sap_bkg_err is not None
    pos1 = (sim.centroid_col[j] - np.nanmedian(sim.centroid_col[j])).astype(np.float32)
    pos2 = (sim.centroid_row[j] - np.nanmedian(sim.centroid_row[j])).astype(np.float32)
    cols = [
        fits.Column("TIME", "D", time_unit, array=t_mission, disp="D14.7"),
        fits.Column("TIMECORR", "E", "d", array=np.zeros(n, dtype=np.float32), disp="E13.6"),
        fits.Column("CADENCENO", "J", array=grid.cadenceno.astype(np.int32), disp="I10"),
        fits.Column("SAP_FLUX", "E", "e-/s", array=sim.sap[j].astype(np.float32), disp="E14.7"),
        fits.Column("SAP_FLUX_ERR", "E", "e-/s", array=sim.sap_err[j].astype(np.float32), disp="E14.7"),
        fits.Column("SAP_BKG", "E", "e-/s", array=sim.sap_bkg[j].astype(np.float32), disp="E14.7"),
        fits.Column("SAP_BKG_ERR", "E", "e-/s", array=sim.sap_bkg_err[j].astype(np.float32), disp="E14.7"),
        fits.Column("PDCSAP_FLUX", "E", "e-/s", array=sim.pdcsap[j].astype(np.float32), disp="E14.7"),
        fits.Column("PDCSAP_FLUX_ERR", "E", "e-/s", array=sim.pdcsap_err[j].astype(np.float32), disp="E14.7"),
        fits.Column(qcol, "J", array=sim.quality[j].astype(np.int32), disp="B16.16"),
        fits.Column("PSF_CENTR1", "D", "pixel", array=nan.astype(np.float64), disp="F10.5"),
        fits.Column("PSF_CENTR1_ERR", "E", "pixel", array=nan, disp="E14.7"),
        fits.Column("PSF_CENTR2", "D", "pixel", array=nan.astype(np.float64), disp="F10.5"),
        fits.Column("PSF_CENTR2_ERR", "E", "pixel", array=nan, disp="E14.7"),
        fits.Column("MOM_CENTR1", "D", "pixel", array=sim.centroid_col[j], disp="F10.5"),
        fits.Column("MOM_CENTR1_ERR", "E", "pixel", array=np.full(n, 0.002, dtype=np.float32), disp="E14.7"),
        fits.Column("MOM_CENTR2", "D", "pixel", array=sim.centroid_row[j], disp="F10.5"),
        fits.Column("MOM_CENTR2_ERR", "E", "pixel", array=np.full(n, 0.002, dtype=np.float32), disp="E14.7"),
        fits.Column("POS_CORR1", "E", "pixels", array=pos1, disp="E14.7"),
        fits.Column("POS_CORR2", "E", "pixels", array=pos2, disp="E14.7"),
    ]
    table = fits.BinTableHDU.from_columns(cols, name="LIGHTCURVE")
    h = table.header
    h["INHERIT"] = (True, "inherit the primary header")
    h["EXTVER"] = (1, "extension version number (not format version)")
    h["SIMDATA"] = (True, "file is based on simulated data")
    h["TELESCOP"] = (prof.telescope_keyword, "telescope")
    h["OBJECT"] = (str(truth["object"]), "string version of target id")
    if is_tess:
        h["TICID"] = (star_id, "unique tess target identifier")
    else:
        h["KEPLERID"] = (star_id, "unique Kepler target identifier")
    h["TIMEREF"] = ("SOLARSYSTEM", "barycentric correction applied to times")
    h["TASSIGN"] = ("SPACECRAFT", "where time is assigned")
    h["TIMESYS"] = ("TDB", "time system is Barycentric Dynamical Time (TDB)")
    h["BJDREFI"] = (int(prof.bjd_offset), "integer part of BJD reference date")
    h["BJDREFF"] = (float(prof.bjd_offset - int(prof.bjd_offset)), "fraction of the day in BJD reference date")
    h["TIMEUNIT"] = ("d", "time unit for TIME, TSTART and TSTOP")
    tstart = float(t_mission[0] - 0.5 * cad_days)
    tstop = float(t_mission[-1] + 0.5 * cad_days)
    h["TELAPSE"] = (tstop - tstart, "[d] TSTOP - TSTART")
    h["LIVETIME"] = ((tstop - tstart) * deadc, "[d] TELAPSE multiplied by DEADC")
    h["TSTART"] = (tstart, "observation start time in BJD-BJDREF")
    h["TSTOP"] = (tstop, "observation stop time in BJD-BJDREF")
    h["DEADC"] = (deadc, "deadtime correction")
    h["TIMEPIXR"] = (0.5, "bin time beginning=0 middle=0.5 end=1")
    h["INT_TIME"] = (timing["INT_TIME"], "[s] photon accumulation time per frame")
    h["READTIME"] = (timing["READTIME"], "[s] readout time per frame")
    h["FRAMETIM"] = (timing["FRAMETIM"], "[s] frame time (INT_TIME + READTIME)")
    h["NUM_FRM"] = (n_frames, "number of frames per time stamp")
    h["TIMEDEL"] = (cad_days, "[d] time resolution of data")
    h["BACKAPP"] = (True, "background is subtracted")
    h["DEADAPP"] = (True, "deadtime applied")
    h["VIGNAPP"] = (True, "vignetting or collimator correction applied")
    cdpp65 = float(truth["cdpp_6p5h_ppm"])
    durations = (0.5, 1.0, 2.0) if is_tess else (3.0, 6.0, 12.0)
    for d in durations:
        key = f"CDPP{int(d)}_{round(10 * (d - int(d)))}"
        h[key] = (cdpp65 * np.sqrt(6.5 / d), f"[ppm] RMS CDPP on {d:.1f}-hr time scales")
    flfrac = float(np.asarray(sim.extra.get("flfrcsap", np.full(len(sim), 0.9)))[j])
    h["CROWDSAP"] = (float(np.asarray(sim.extra.get("crowdsap", np.full(len(sim), 0.99)))[j]), "Ratio of target flux to total flux in op. ap.")
    h["FLFRCSAP"] = (flfrac, "Frac. of target flux w/in the op. aperture")
    h["PDCMETHD"] = ("simulated", "PDC algorithm used for target")
    name = fits_name(mission, star_id, grid.segment, ffi=ffi, start_bjd=float(grid.time_bjd[0]))
    path = Path(folder) / name
    fits.HDUList([fits.PrimaryHDU(header=primary), table]).writeto(path, overwrite=True)
    return path
