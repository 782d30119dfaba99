"""What starskope.read returns for each product: flux choice, times, QUALITY, columns, meta."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time

import starskope
from starskope.errors import StarskopeWarning
from starskope.io import READERS, read, read_many

K2 = "k2/misc/AstroVPK+kali"
KTWO = f"{K2}/ktwo205905563-c03_llc.fits.gz"
EVEREST = f"{K2}/hlsp_everest_k2_llc_205905563-c03_kepler_v1.0_lc.fits.gz"
K2SC = f"{K2}/hlsp_k2sc_k2_llc_205905563-c03_kepler_v1_lc.fits.gz"
K2SFF = f"{K2}/hlsp_k2sff_k2_lightcurve_205905563-c03_kepler_v1_llc.fits.gz"
K2VARCAT = f"{K2}/hlsp_k2varcat_k2_lightcurve_205905563-c03_kepler_v2_llc.fits"
TPF = "k2/misc/ekaterinailin+AltaiPony/ktwo211983544-c18_lpd-targ.fits.gz"
KEPLER = "kepler/misc/google-research+exoplanet-ml/kplr011442793-2010009091648_llc.fits"
KEPLER_GZ = "kepler/dr24/kplr000757450-2009259160929_llc.fits.gz"
LCS = "tess/misc/zclaytor+lcs_demo"
SPOC_2MIN = f"{LCS}/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz"
SPOC_FFI = f"{LCS}/hlsp_tess-spoc_tess_phot_0000000261136679-s0001_tess_v1_lc.fits"
TASOC = f"{LCS}/hlsp_tasoc_tess_ffi_tic00261136679-s0001-cam4-ccd2-c1800_tess_v05_ens-lc.fits"
ELEANOR = f"{LCS}/hlsp_gsfc-eleanor-lite_tess_ffi_s0001-0000000261136679_tess_v1.0_lc.fits"
ALERT = "tess/misc/afeinstein20+eleanor/hlsp_tess-data-alerts_tess_phot_00055652896-s01_tess_v1_lc.fits.gz"
LK_FITS = "tess/misc/spacetelescope+exovetter/wasp18b.fits.gz"
FFI = "tess/ffi/101433435.fits.gz"
NPZ = "kepler/eb/kic003228863_eb.npz"
KEPLER_CSV = "kepler/misc/enosair+lightcurve-download/kplr000757450_Q17_conf.csv"
LATTE = "tess/misc/noraeisner+LATTE/94986319_data.txt.gz"
WASP18_CSV = "tess/misc/spacetelescope+exovetter/wasp18b_flat_lightcurve.csv.gz"
KEPLER10 = "kepler/misc/stevengiacalone+triceratops/Kepler10b_lightcurve.csv"


def test_top_level_api_exports_read(shared_data: Path) -> None:
    assert starskope.read is read and starskope.read_many is read_many
    assert callable(starskope.read_flux_table) and callable(starskope.write_flux_table)
    assert READERS.names() == [
        "csv", "eleanor", "everest", "fits-columns", "fits-table", "k2sc", "k2sff", "k2varcat", "npz", "qlp",
        "qlp-det", "spoc", "tasoc", "tpf",
    ]


# ---------------------------------------------------------------------------- flux choice


@pytest.mark.parametrize(
    "path,default,sap,unit",
    [
        (KTWO, "pdcsap_flux", "sap_flux", u.electron / u.s),
        (KEPLER, "pdcsap_flux", "sap_flux", u.electron / u.s),
        (SPOC_2MIN, "pdcsap_flux", "sap_flux", u.electron / u.s),
        (EVEREST, "flux", "raw_flux", u.electron / u.s),
        (K2SC, "flux (K2SC on PDCSAP, table PDC)", "flux (K2SC on SAP, table SAP)", u.electron / u.s),
        (K2SFF, "fcor", "fraw", u.dimensionless_unscaled),
        (K2VARCAT, "detflux", "aptflux", None),
        (TASOC, "flux_corr", "flux_raw", None),
        (ELEANOR, "corr_flux", "raw_flux", u.electron / u.s),
    ],
)
def test_flux_column_choice(shared_data: Path, path: str, default: str, sap: str, unit) -> None:
    lc = read(shared_data / path)
    raw = read(shared_data / path, flux_column="sap")
    assert lc.meta["FLUX_ORIGIN"] == default
    assert raw.meta["FLUX_ORIGIN"] == sap
    assert read(shared_data / path, flux_column="pdcsap").meta["FLUX_ORIGIN"] == default
    assert not np.allclose(lc.flux.value, raw.flux.value, equal_nan=True)
    if unit is not None:
        assert lc.flux.unit == unit


def test_flux_units_of_relative_products(shared_data: Path) -> None:
    assert read(shared_data / TASOC).flux.unit.to(u.dimensionless_unscaled) == pytest.approx(1e-6)
    assert read(shared_data / TASOC, flux_column="sap").flux.unit == u.electron / u.s
    assert read(shared_data / K2VARCAT).flux.unit == u.dimensionless_unscaled
    assert read(shared_data / K2VARCAT, flux_column="sap").flux.unit == u.electron / u.s


def test_any_column_by_name(shared_data: Path) -> None:
    lc = read(shared_data / ELEANOR, flux_column="PCA_FLUX")
    assert lc.meta["FLUX_ORIGIN"] == "pca_flux"
    with fits.open(shared_data / ELEANOR) as hdul:
        np.testing.assert_allclose(lc.flux.value, hdul[1].data["PCA_FLUX"])
        np.testing.assert_allclose(lc.flux_err.value, hdul[1].data["FLUX_ERR"])


def test_spoc_flux_and_errors_match_the_file(shared_data: Path) -> None:
    lc = read(shared_data / KEPLER_GZ)
    with fits.open(shared_data / KEPLER_GZ) as hdul:
        data = hdul[1].data
        keep = np.isfinite(data["TIME"])
        np.testing.assert_array_equal(lc.flux.value, data["PDCSAP_FLUX"][keep].astype(float))
        np.testing.assert_array_equal(lc.flux_err.value, data["PDCSAP_FLUX_ERR"][keep].astype(float))
        np.testing.assert_array_equal(lc.quality, data["SAP_QUALITY"][keep])
        # Absolute TDB: TIME + BJDREFI + BJDREFF from the header, to the microsecond.
        ref = hdul[1].header["BJDREFI"] + hdul[1].header["BJDREFF"]
        np.testing.assert_allclose((lc.time.jd - ref), data["TIME"][keep], atol=1e-9, rtol=0)


# ---------------------------------------------------------------------------- times


def test_times_are_absolute_tdb_in_mission_formats(shared_data: Path) -> None:
    kepler = read(shared_data / KEPLER_GZ)
    tess = read(shared_data / SPOC_2MIN)
    assert (kepler.time.format, kepler.time.scale) == ("bkjd", "tdb")
    assert (tess.time.format, tess.time.scale) == ("btjd", "tdb")
    # Quarter 2 began 2009-06-20, sector 1 on 2018-07-25.
    assert kepler.time[0].utc.iso.startswith("2009-06-20")
    assert tess.time[0].utc.iso.startswith("2018-07-25")
    assert starskope.lightcurve.arrays(tess).time[0] == pytest.approx(2458325.29, abs=0.01)


@pytest.mark.parametrize("path", [EVEREST, K2SC, K2SFF, K2VARCAT])
def test_k2_hlsp_times_fall_on_the_k2_cadences(shared_data: Path, path: str) -> None:
    """Every HLSP of EPIC 205905563 has its time stamps on the mission's own cadences.

    K2SC writes no time reference; this checks that the documented BKJD is right.
    """
    mission = read(shared_data / KTWO).time.jd
    lc = read(shared_data / path)
    nearest = np.abs(lc.time.jd[:, None] - mission[None, :]).min(axis=1)
    assert nearest.max() * 86400 < 1e-3  # seconds


@pytest.mark.parametrize("path", [TASOC, ELEANOR])
def test_tess_ffi_hlsp_times_agree_with_tess_spoc(shared_data: Path, path: str) -> None:
    spoc = read(shared_data / SPOC_FFI).time.jd
    lc = read(shared_data / path)
    nearest = np.abs(lc.time.jd[:, None] - spoc[None, :]).min(axis=1)
    assert nearest.max() * 86400 < 1.0  # within a second of the 30-min FFI stamps


def test_k2sc_time_reference_is_recorded_as_documented(shared_data: Path) -> None:
    lc = read(shared_data / K2SC)
    assert "not written in the file" in lc.meta["TIME_REFERENCE"]
    assert any("BKJD" in step for step in lc.meta["PROVENANCE"])


def test_nan_time_cadences_are_dropped_and_recorded(shared_data: Path) -> None:
    lc = read(shared_data / KTWO)
    assert lc.meta["N_CADENCES_FILE"] == 3386
    assert len(lc) == 3379
    assert "dropped 7 cadences whose time stamp is NaN (3379 of 3386 kept)" in lc.meta["PROVENANCE"]


# ---------------------------------------------------------------------------- quality, columns, meta


def test_quality_is_kept_and_masks_drop_cadences(shared_data: Path) -> None:
    lc = read(shared_data / SPOC_2MIN)
    flagged = int(np.count_nonzero(lc.quality))
    assert flagged > 0
    masked = read(shared_data / SPOC_2MIN, quality_bitmask="default")
    assert len(masked) < len(lc)
    assert not np.any(np.asarray(masked.quality) & 175)
    assert any("quality_bitmask='default'" in step for step in masked.meta["PROVENANCE"])
    assert len(read(shared_data / SPOC_2MIN, quality_bitmask=0)) == len(lc)


def test_k2sc_quality_reads_the_16_bit_flags(shared_data: Path) -> None:
    k2sc = read(shared_data / K2SC)
    mission = read(shared_data / KTWO)
    q = np.asarray(k2sc.quality)
    assert q.min() >= 0 and 32768 in q
    index = np.searchsorted(mission.time.jd, k2sc.time.jd)
    np.testing.assert_array_equal(np.asarray(mission.quality)[index] & 0xFFFF, q)


def test_products_without_quality_get_zeros_and_keep_their_flags(shared_data: Path) -> None:
    lc = read(shared_data / K2SFF)
    assert not np.any(lc.quality)
    assert {"arclength", "moving", "fraw", "cadenceno"} <= set(lc.colnames)
    assert "the file has no QUALITY column; quality set to 0" in lc.meta["PROVENANCE"]
    assert "outlier" in read(shared_data / EVEREST).colnames


@pytest.mark.parametrize("path", [KTWO, SPOC_2MIN, TASOC, ELEANOR, K2VARCAT, K2SC, TPF, FFI])
def test_centroids_are_kept(shared_data: Path, path: str) -> None:
    lc = read(shared_data / path)
    assert lc["centroid_col"].unit == u.pix and lc["centroid_row"].unit == u.pix
    assert np.isfinite(lc["centroid_col"].value).mean() > 0.5


def test_spoc_keeps_position_corrections_and_other_fluxes(shared_data: Path) -> None:
    lc = read(shared_data / KTWO)
    assert {"pos_corr1", "pos_corr2", "sap_flux", "sap_bkg", "mom_centr1", "cadenceno"} <= set(lc.colnames)
    assert lc["sap_flux"].unit == u.electron / u.s


@pytest.mark.parametrize(
    "path,key,value",
    [(KEPLER_GZ, "QUARTER", 2), (KTWO, "CAMPAIGN", 3), (SPOC_2MIN, "SECTOR", 1), (FFI, "SECTOR", 13)],
)
def test_segment_from_the_header(shared_data: Path, path: str, key: str, value: int) -> None:
    assert read(shared_data / path).meta[key] == value


def test_products_are_named(shared_data: Path) -> None:
    names = {p: read(shared_data / p).meta["PRODUCT"] for p in
             (KTWO, KEPLER, SPOC_2MIN, SPOC_FFI, ALERT, LK_FITS, EVEREST, K2SC, K2SFF, K2VARCAT, TASOC, ELEANOR)}
    assert names == {
        KTWO: "K2 LLC", KEPLER: "Kepler LLC", SPOC_2MIN: "TESS SPOC 2-min", SPOC_FFI: "TESS-SPOC FFI",
        ALERT: "TESS data-alert (SPOC 2-min)", LK_FITS: "lightkurve FITS", EVEREST: "EVEREST",
        K2SC: "K2SC", K2SFF: "K2SFF", K2VARCAT: "K2VARCAT", TASOC: "TASOC", ELEANOR: "eleanor-lite",
    }


def test_cadence_from_the_header(shared_data: Path) -> None:
    assert read(shared_data / KTWO).meta["CADENCE"].to_value(u.min) == pytest.approx(29.4244, abs=1e-3)
    assert read(shared_data / SPOC_2MIN).meta["CADENCE"].to_value(u.min) == pytest.approx(2.0)
    assert read(shared_data / FFI).meta["CADENCE"].to_value(u.min) == pytest.approx(30.0, abs=0.01)


def test_target_pixel_file_sums_the_pipeline_aperture(shared_data: Path) -> None:
    lc = read(shared_data / TPF)
    assert "pipeline-aperture" in lc.meta["PRODUCT"]
    assert lc.meta["FLUX_ORIGIN"] == "sum of the 2 pipeline-aperture pixels of FLUX"
    with fits.open(shared_data / TPF) as hdul:
        aperture = (hdul[2].data & 2) > 0
        keep = np.isfinite(hdul[1].data["TIME"])
        summed = hdul[1].data["FLUX"][keep][:, aperture].sum(axis=1)
    good = np.isfinite(lc.flux.value)
    np.testing.assert_allclose(lc.flux.value[good], summed[good], rtol=1e-6)
    assert len(lc) == keep.sum() == 2487


# ---------------------------------------------------------------------------- text and NPZ


def test_csv_needs_time_format_then_reads(shared_data: Path) -> None:
    lc = read(shared_data / KEPLER_CSV, time_format="bkjd")
    assert lc.meta["MISSION"] == "Kepler" and lc.meta["OBJECT"] == "KIC 757450"
    assert lc.meta["QUARTER"] == 17  # from the time stamps: the file does not say
    assert "quarter 17 from the time stamps (segment table)" in lc.meta["PROVENANCE"]
    assert lc.meta["FLUX_ORIGIN"] == "flux"


def test_tab_separated_gz_with_mission(shared_data: Path) -> None:
    lc = read(shared_data / LATTE, time_format="btjd", mission="TESS")
    assert lc.meta["OBJECT"] == "TIC 94986319"  # the file is named by its TIC id
    assert lc.meta["PRODUCT"] == "text table"
    assert np.isfinite(lc.flux_err.value).all()


def test_index_column_is_ignored(shared_data: Path) -> None:
    lc = read(shared_data / WASP18_CSV, time_format="btjd", mission="TESS", target_id=100100827)
    assert lc.meta["OBJECT"] == "TIC 100100827"
    assert "column '' is a row index; ignored" in lc.meta["PROVENANCE"]
    assert set(lc.colnames) == {"time", "flux", "flux_err", "quality"}


def _write(path: Path, text: str) -> Path:
    path.write_text(text)
    return path


def test_time_system_from_column_name_and_comments(tmp_path: Path) -> None:
    rows = "\n".join(f"{1500 + 0.02 * i:.5f},{1 + 1e-4 * i:.6f}" for i in range(50))
    by_name = read(_write(tmp_path / "a.csv", "time_btjd,flux\n" + rows), mission="TESS")
    assert by_name.time.format == "btjd" and by_name.time[0].jd == pytest.approx(2458500.0)
    by_comment = read(_write(tmp_path / "b.csv", "# time stamps in BKJD\ntime,flux\n" + rows))
    assert by_comment.time.jd[0] == pytest.approx(2456333.0)
    assert "comment line" in by_comment.meta["TIME_REFERENCE"]
    by_unit = read(_write(tmp_path / "c.csv", "BJD - 2457000,flux\n" + rows))
    assert by_unit.time.jd[0] == pytest.approx(2458500.0)


def test_full_julian_dates_need_no_time_format(tmp_path: Path) -> None:
    rows = "\n".join(f"{2458500 + 0.02 * i:.5f} {1 + 1e-4 * i:.6f} 0.001" for i in range(50))
    lc = read(_write(tmp_path / "jd.txt", rows))
    assert lc.time.format == "jd" and lc.time[0].jd == pytest.approx(2458500.0)
    assert lc.meta["MISSION"] is None and lc.meta["OBJECT"] is None
    assert "taken as BJD_TDB" in lc.meta["TIME_REFERENCE"]
    mjd = "\n".join(f"{58500 + 0.02 * i:.5f},{1.0 + 1e-4 * i}" for i in range(50))
    assert read(_write(tmp_path / "m.csv", "mjd,flux\n" + mjd)).time[0].jd == pytest.approx(2458500.5)


def test_gzipped_csv_and_quality_column(tmp_path: Path) -> None:
    rows = "\n".join(f"{1500 + 0.02 * i:.5f},{1.0:.3f},0.01,{i % 3}" for i in range(40))
    path = tmp_path / "q.csv.gz"
    path.write_bytes(gzip.compress(("time,flux,flux_err,quality\n" + rows).encode()))
    lc = read(path, time_format="btjd", mission="TESS", target_id="TIC 1")
    assert list(np.asarray(lc.quality)[:4]) == [0, 1, 2, 0]
    assert lc.meta["OBJECT"] == "TIC 1"


def test_phase_folded_csv_is_placed_at_the_epoch(shared_data: Path) -> None:
    epoch = Time(2454964.574858, format="jd", scale="tdb")
    lc = read(shared_data / KEPLER10, time_format="phase", epoch=epoch, mission="Kepler",
              target_id=11904151)
    assert lc.meta["FOLDED"] is True and lc.meta["FOLD_EPOCH"] == epoch
    with open(shared_data / KEPLER10) as fh:
        first = float(fh.readline().split(",")[0])
    assert (lc.time[0] - epoch).to_value(u.day) == pytest.approx(first, abs=1e-9)
    assert lc.meta["OBJECT"] == "KIC 11904151" and lc.meta["QUARTER"] is None


def test_npz_reads_time_bkjd(shared_data: Path) -> None:
    lc = read(shared_data / NPZ)
    assert lc.meta["OBJECT"] == "KIC 3228863" and lc.meta["PRODUCT"] == "NPZ"
    assert "BKJD" in lc.meta["TIME_REFERENCE"]
    with np.load(shared_data / NPZ) as z:
        np.testing.assert_allclose(lc.time.jd - 2454833.0, z["time_bkjd"], atol=1e-8)


# ---------------------------------------------------------------------------- read_many


def test_read_many(shared_data: Path, tmp_path: Path) -> None:
    paths = [shared_data / KTWO, shared_data / FFI]
    lcs = read_many(paths)
    assert [lc.meta["MISSION"] for lc in lcs] == ["K2", "TESS"]
    with pytest.warns(StarskopeWarning, match=r"skipped: .*missing\.fits: no such file"):
        lcs = read_many([paths[0], tmp_path / "missing.fits"], on_error="warn")
    assert len(lcs) == 1


def test_reading_emits_no_warnings(shared_data: Path) -> None:
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        for path in (KTWO, TPF, K2SFF, ELEANOR, FFI):
            read(shared_data / path)


def test_quality_mask_on_a_product_without_quality_says_so(shared_data: Path) -> None:
    lc = read(shared_data / K2SFF, quality_bitmask="hard")
    assert len(lc) == 3024
    assert "quality_bitmask='hard' removed nothing: the file has no QUALITY column" in lc.meta["PROVENANCE"]


@pytest.mark.parametrize("flux", ["KSPSAP_FLUX", "DET_FLUX"])
def test_qlp_layout_reads_and_finds_pi_men_c(shared_data: Path, tmp_path: Path, flux: str) -> None:
    """A TESS Quick-Look Pipeline file, written from the real TESS-SPOC FFI light curve of
    pi Men in QLP's layout (normalised detrended flux, raw SAP_FLUX, ORBITID, TICID)."""
    from starskope.analysis import AnalysisOptions, analyse

    with fits.open(shared_data / SPOC_FFI) as hdul:
        d = hdul[1].data
        time, pdc, sap, q = d["TIME"], d["PDCSAP_FLUX"], d["SAP_FLUX"], d["QUALITY"]
    norm = pdc / np.nanmedian(pdc)
    cols = [fits.Column("TIME", "D", unit="BJD - 2457000, days", array=time),
            fits.Column("SAP_FLUX", "E", array=sap),
            fits.Column(flux, "E", array=norm), fits.Column(f"{flux}_ERR", "E", array=np.full(norm.size, 2e-4)),
            fits.Column("QUALITY", "J", array=q), fits.Column("ORBITID", "J", array=np.ones(norm.size, int))]
    primary = fits.PrimaryHDU()
    primary.header.update(TELESCOP="TESS", OBJECT="TIC 261136679", TICID=261136679, SECTOR=1)
    path = tmp_path / "hlsp_qlp_tess_ffi_s0001-0000000261136679_tess_v01_llc.fits"
    fits.HDUList([primary, fits.BinTableHDU.from_columns(cols, name="LIGHTCURVE")]).writeto(path)
    lc = read(path)
    assert lc.meta["PRODUCT"] == "QLP" and lc.meta["FLUX_ORIGIN"] == flux.lower()
    assert lc.meta["TARGETID"] == 261136679 and lc.meta["MISSION"] == "TESS"
    assert np.allclose(lc.time.jd, read(shared_data / SPOC_FFI).time.jd)
    assert read(path, flux_column="sap").meta["FLUX_ORIGIN"] == "sap_flux"
    a = analyse(path, options=AnalysisOptions(star_types=False))
    assert abs(a.candidate.period_days / 6.26783 - 1) < 0.01


@pytest.mark.parametrize("time_name,unit,flux", [("BTJD", None, "PDC_FLUX"), ("TIME", "BJD - 2457000, days", "FLUX_CORR")])
def test_a_fits_table_that_names_its_columns_reads_like_a_csv(shared_data: Path, tmp_path: Path, time_name: str,
                                                               unit: str | None, flux: str) -> None:
    """An author's FITS table with its own column names (here pi Men's real TESS-SPOC FFI
    light curve written so): time, flux, error and quality found by name, as in CSV files;
    the time system from the column's unit, or from its name when it has none."""
    with fits.open(shared_data / SPOC_FFI) as hdul:
        d = hdul[1].data
        time, pdc, err, q = d["TIME"], d["PDCSAP_FLUX"], d["PDCSAP_FLUX_ERR"], d["QUALITY"]
    cols = [fits.Column(time_name, "D", unit=unit, array=time), fits.Column(flux, "E", array=pdc),
            fits.Column(f"{flux}_ERR", "E", array=err), fits.Column("QUALITY", "J", array=q)]
    primary = fits.PrimaryHDU()
    primary.header.update(TELESCOP="TESS", TICID=261136679)
    path = tmp_path / "author_table.fits"
    fits.HDUList([primary, fits.BinTableHDU.from_columns(cols)]).writeto(path)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarskopeWarning)
        lc = read(path)
    assert lc.meta["PRODUCT"] == "FITS table (columns by name)" and lc.meta["FLUX_ORIGIN"] == flux.lower()
    assert np.allclose(lc.time.jd, read(shared_data / SPOC_FFI).time.jd)
    assert np.allclose(lc.flux_err.value, read(shared_data / SPOC_FFI).flux_err.value, equal_nan=True)
    assert ("as the time column's name" in " ".join(lc.meta["PROVENANCE"])) == (unit is None)
    from starskope.analysis import AnalysisOptions, analyse

    a = analyse(lc, options=AnalysisOptions(star_types=False))
    assert abs(a.candidate.period_days / 6.26783 - 1) < 0.01
