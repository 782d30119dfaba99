"""Bad input: each problem is a typed StarskopeError whose message names the file and the fault.

The bad files are made in a temporary folder from real files of ../shared/data (truncated,
overwritten with garbage, rewritten with astropy).
"""

from __future__ import annotations

import gzip
import re
import shutil
from pathlib import Path

import numpy as np
import pytest
from astropy.io import fits

from starskope.errors import (
    LightCurveDataError,
    LightCurveFileError,
    ParameterError,
    StarskopeError,
    StarskopeWarning,
    TimeSystemError,
    UnknownLayoutError,
    UnknownNameError,
)
from starskope.io import read

KEPLER = "kepler/misc/google-research+exoplanet-ml/kplr011442793-2010009091648_llc.fits"
KEPLER_GZ = "kepler/dr24/kplr000757450-2009259160929_llc.fits.gz"
TESS = "tess/misc/zclaytor+lcs_demo/hlsp_tess-spoc_tess_phot_0000000261136679-s0001_tess_v1_lc.fits"
FFI = "tess/ffi/101433435.fits.gz"
CSV = "kepler/misc/enosair+lightcurve-download/kplr000757450_Q17_conf.csv"
NPZ = "kepler/eb/kic003228863_eb.npz"
TPF = "k2/misc/ekaterinailin+AltaiPony/ktwo211983544-c18_lpd-targ.fits.gz"
FOLDED = "kepler/misc/stevengiacalone+triceratops/Kepler10b_lightcurve.csv"


def _raises(error: type[StarskopeError], path: Path, pattern: str, **kwargs) -> StarskopeError:
    """read(path) raises ``error`` whose message names the file and matches ``pattern``."""
    with pytest.raises(error, match=re.escape(str(path)) + ".*" + pattern) as info:
        read(path, **kwargs)
    assert isinstance(info.value, StarskopeError)
    return info.value


def _copy(shared_data: Path, name: str, tmp_path: Path, new_name: str | None = None) -> Path:
    dest = tmp_path / (new_name or Path(name).name)
    shutil.copyfile(shared_data / name, dest)
    return dest


def _rewrite(src: Path, dest: Path, edit) -> Path:
    """Copy a FITS light curve through astropy, letting ``edit(hdul)`` change it."""
    with fits.open(src) as hdul:
        hdul = fits.HDUList([h.copy() for h in hdul])
    edit(hdul)
    hdul.writeto(dest, overwrite=True)
    return dest


# ---------------------------------------------------------------------------- files that cannot be read


def test_missing_file(tmp_path: Path) -> None:
    err = _raises(LightCurveFileError, tmp_path / "nothing_here.fits", "no such file")
    assert isinstance(err, OSError)


def test_directory(tmp_path: Path) -> None:
    _raises(LightCurveFileError, tmp_path, "is a directory")


def test_empty_file(tmp_path: Path) -> None:
    path = tmp_path / "empty.fits"
    path.write_bytes(b"")
    _raises(LightCurveFileError, path, r"file is empty \(0 bytes\)")


def test_empty_gzip(tmp_path: Path) -> None:
    path = tmp_path / "empty.fits.gz"
    path.write_bytes(gzip.compress(b""))
    _raises(LightCurveFileError, path, "file is empty")


def test_truncated_fits(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / KEPLER).read_bytes()
    half = tmp_path / "half.fits"
    half.write_bytes(data[: len(data) // 2])
    _raises(LightCurveFileError, half, "corrupt or truncated FITS file .*truncated")
    header_only = tmp_path / "cut_in_header.fits"
    header_only.write_bytes(data[:1000])
    _raises(LightCurveFileError, header_only, "corrupt or truncated FITS file")
    last_bytes = tmp_path / "cut_at_end.fits"
    last_bytes.write_bytes(data[:-5000])
    _raises(LightCurveFileError, last_bytes, "corrupt or truncated FITS file")


def test_truncated_gzip_fits(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / KEPLER_GZ).read_bytes()
    path = tmp_path / "truncated.fits.gz"
    path.write_bytes(data[: len(data) // 2])
    _raises(LightCurveFileError, path, "gzip stream is truncated or corrupt")


def test_garbage_in_fits_header(shared_data: Path, tmp_path: Path) -> None:
    data = bytearray((shared_data / KEPLER).read_bytes())
    data[3000:4000] = b"\x00\xff" * 500  # inside the primary header
    path = tmp_path / "garbage_header.fits"
    path.write_bytes(bytes(data))
    _raises(LightCurveFileError, path, "corrupt or truncated FITS file .*non-ASCII")


def test_garbage_at_start_of_fits(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / KEPLER).read_bytes()
    path = tmp_path / "garbage_start.fits"
    path.write_bytes(b"\x13\x37garbage" * 100 + data[1000:])
    _raises(LightCurveFileError, path, "does not start with a SIMPLE card; the file is corrupt")


def test_garbage_in_fits_data_fails_the_datasum(shared_data: Path, tmp_path: Path) -> None:
    data = bytearray(gzip.decompress((shared_data / FFI).read_bytes()))
    with fits.open(shared_data / FFI) as hdul:
        start = hdul[1]._data_offset  # the light-curve table's data
    data[start + 4000 : start + 4256] = bytes(range(256))
    path = tmp_path / "garbage_data.fits"
    path.write_bytes(bytes(data))
    _raises(LightCurveFileError, path, "do not match its DATASUM checksum; the file is corrupt")


def test_corrupt_gzip_stream(shared_data: Path, tmp_path: Path) -> None:
    data = bytearray((shared_data / FFI).read_bytes())
    data[200:400] = bytes(200)
    path = tmp_path / "corrupt.fits.gz"
    path.write_bytes(bytes(data))
    _raises(LightCurveFileError, path, "gzip stream is truncated or corrupt")


def test_truncated_npz(shared_data: Path, tmp_path: Path) -> None:
    data = (shared_data / NPZ).read_bytes()
    path = tmp_path / "truncated.npz"
    path.write_bytes(data[: len(data) // 2])
    _raises(LightCurveFileError, path, "corrupt or truncated NPZ file")


# ---------------------------------------------------------------------------- unknown layouts


def test_fits_without_light_curve_table(shared_data: Path, tmp_path: Path) -> None:
    path = _rewrite(shared_data / TESS, tmp_path / "no_table.fits", lambda h: h.pop(1))
    err = _raises(UnknownLayoutError, path, "FITS file has no light-curve table .*APERTURE \\(image")
    assert isinstance(err, ValueError)


def test_fits_image(tmp_path: Path) -> None:
    path = tmp_path / "image.fits"
    fits.PrimaryHDU(np.zeros((20, 30), dtype=np.float32)).writeto(path)
    _raises(UnknownLayoutError, path, r"no light-curve table .*PRIMARY \(image 30x20\)")


def test_fits_table_of_unknown_layout(shared_data: Path, tmp_path: Path) -> None:
    def rename(hdul: fits.HDUList) -> None:
        cols = [c for c in hdul[1].columns if c.name in ("TIME", "SAP_BKG")]
        hdul[1] = fits.BinTableHDU.from_columns(cols, header=hdul[1].header, name="LIGHTCURVE")

    path = _rewrite(shared_data / TESS, tmp_path / "odd.fits", rename)
    _raises(UnknownLayoutError, path, "unknown FITS light-curve layout .*TIME, SAP_BKG.*known readers: csv")


def test_random_csv(shared_data: Path) -> None:
    path = shared_data / "catalogs" / "koi_cumulative.csv.gz"
    _raises(UnknownLayoutError, path, "no time column among kepid, kepoi_name")


def test_csv_without_flux_column(tmp_path: Path) -> None:
    path = tmp_path / "no_flux.csv"
    path.write_text("time,mag\n" + "\n".join(f"{2458000 + i},{10 + i * 0.1}" for i in range(10)))
    _raises(UnknownLayoutError, path, r"no flux column among time, mag")


def test_csv_with_too_many_unnamed_columns(tmp_path: Path) -> None:
    path = tmp_path / "wide.csv"
    path.write_text("\n".join(f"{2458000 + i},1,2,3" for i in range(10)))
    _raises(UnknownLayoutError, path, "4 unnamed columns")


def test_binary_file_that_is_no_light_curve(tmp_path: Path) -> None:
    path = tmp_path / "blob.dat"
    path.write_bytes(bytes(range(256)) * 4)
    _raises(UnknownLayoutError, path, "binary file that is neither FITS, NPZ nor text")


def test_npz_without_time_array(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "no_time.npz"
    with np.load(shared_data / NPZ) as z:
        np.savez(path, flux=z["flux"], flux_err=z["flux_err"])
    _raises(UnknownLayoutError, path, "unknown npz layout")


def test_npz_with_pickled_objects(tmp_path: Path) -> None:
    path = tmp_path / "objects.npz"
    np.savez(path, time=np.array([{"a": 1}], dtype=object))
    _raises(UnknownLayoutError, path, "NPZ file holds arrays starskope will not load")


# ---------------------------------------------------------------------------- contents that break the rules


def test_all_nan_flux(shared_data: Path, tmp_path: Path) -> None:
    def blank(hdul: fits.HDUList) -> None:
        hdul[1].data["PDCSAP_FLUX"][:] = np.nan

    path = _rewrite(shared_data / TESS, tmp_path / "all_nan.fits", blank)
    err = _raises(LightCurveDataError, path, "flux is NaN or masked at every one of its 1282 cadences")
    assert isinstance(err, ValueError)
    assert len(read(path, flux_column="sap")) == 1282  # the SAP flux is still there


def test_non_monotonic_times(shared_data: Path, tmp_path: Path) -> None:
    def swap(hdul: fits.HDUList) -> None:
        t = hdul[1].data["TIME"]
        t[100], t[101] = t[101], t[100]

    path = _rewrite(shared_data / TESS, tmp_path / "swapped.fits", swap)
    _raises(LightCurveDataError, path, "time stamps are not monotonic")


def test_duplicated_times(shared_data: Path, tmp_path: Path) -> None:
    def duplicate(hdul: fits.HDUList) -> None:
        hdul[1].data["TIME"][11] = hdul[1].data["TIME"][10]

    path = _rewrite(shared_data / TESS, tmp_path / "duplicated.fits", duplicate)
    _raises(LightCurveDataError, path, "duplicated time stamp")


def test_duplicated_times_in_csv(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / CSV).read_text().splitlines()
    lines.insert(10, lines[9])
    path = tmp_path / "dup.csv"
    path.write_text("\n".join(lines))
    _raises(LightCurveDataError, path, "duplicated time stamp", time_format="bkjd")


def test_all_times_nan(shared_data: Path, tmp_path: Path) -> None:
    def blank(hdul: fits.HDUList) -> None:
        hdul[1].data["TIME"][:] = np.nan

    path = _rewrite(shared_data / TESS, tmp_path / "no_times.fits", blank)
    _raises(LightCurveDataError, path, "no cadence has a finite time stamp")


def test_csv_rows_of_different_lengths(shared_data: Path, tmp_path: Path) -> None:
    lines = (shared_data / CSV).read_text().splitlines()
    lines[20] = lines[20].split(",")[0]  # a row that lost its flux
    path = tmp_path / "ragged.csv"
    path.write_text("\n".join(lines))
    _raises(LightCurveDataError, path, "data line 21 has 1 columns but the header has 2", time_format="bkjd")


def test_npz_arrays_of_different_lengths(shared_data: Path, tmp_path: Path) -> None:
    path = tmp_path / "ragged.npz"
    with np.load(shared_data / NPZ) as z:
        np.savez(path, time_bkjd=z["time_bkjd"], flux=z["flux"][:-5], flux_err=z["flux_err"])
    _raises(LightCurveDataError, path, "array 'flux' has 18031 values but 'time_bkjd' has 18036")


def test_text_with_header_only(tmp_path: Path) -> None:
    path = tmp_path / "header_only.csv"
    path.write_text("time,flux\n")
    _raises(LightCurveDataError, path, "header but no data lines")


def test_non_numeric_values(tmp_path: Path) -> None:
    path = tmp_path / "words.csv"
    path.write_text("time,flux\n2458000.1,1.0\n2458000.2,bright\n")
    _raises(LightCurveDataError, path, "cannot parse the numbers")


# ---------------------------------------------------------------------------- time systems


def test_csv_whose_time_system_cannot_be_determined(shared_data: Path, tmp_path: Path) -> None:
    # renamed: an archive file name (kplr…) would say BKJD
    path = _copy(shared_data, CSV, tmp_path, "star757450.csv")
    err = _raises(
        TimeSystemError, path,
        r"cannot tell the time system of the time column \('time'\) \(values 1559.2257 to 1591.0015\)"
        r".*pass time_format=",
    )
    assert isinstance(err, ValueError)


def test_an_archive_file_name_gives_the_time_system_and_says_so(shared_data: Path) -> None:
    with pytest.warns(StarskopeWarning, match="time system assumed: BKJD from the archive file name"):
        lc = read(shared_data / CSV)
    assert any("from the archive file name 'kplr000757450_Q17_conf.csv'" in p for p in lc.meta["PROVENANCE"])
    np.testing.assert_array_equal(lc.time.tdb.jd, read(shared_data / CSV, time_format="bkjd").time.tdb.jd)


def test_folded_csv_needs_an_epoch(shared_data: Path) -> None:
    _raises(TimeSystemError, shared_data / FOLDED, "phase-folded light curve; pass epoch=", time_format="phase")


def test_time_format_contradicting_a_csv(tmp_path: Path) -> None:
    path = tmp_path / "btjd.csv"
    path.write_text("time_btjd,flux\n1500.0,1\n1500.1,1\n")
    _raises(TimeSystemError, path, "time_format='bkjd' contradicts the file, whose column name 'time_btjd' says 'btjd'",
            time_format="bkjd")


def test_time_format_that_does_not_fit_the_values(tmp_path: Path) -> None:
    path = tmp_path / "small.csv"
    path.write_text("time,flux\n1500.0,1\n1500.1,1\n")
    _raises(TimeSystemError, path, "time format 'bjd' .*means full Julian dates", time_format="bjd")


def test_heliocentric_times(tmp_path: Path) -> None:
    path = tmp_path / "hjd.csv"
    path.write_text("HJD,flux\n2458000.0,1\n2458000.1,1\n")
    _raises(TimeSystemError, path, r"heliocentric Julian dates \(HJD\)")


def test_time_format_contradicting_a_fits_file(shared_data: Path) -> None:
    _raises(TimeSystemError, shared_data / KEPLER, "time_format='btjd' contradicts the file, whose BJDREFI",
            time_format="btjd")


def test_fits_times_that_are_not_barycentric(shared_data: Path, tmp_path: Path) -> None:
    def local(hdul: fits.HDUList) -> None:
        hdul[1].header["TIMEREF"] = "LOCAL"

    path = _rewrite(shared_data / TESS, tmp_path / "local.fits", local)
    _raises(TimeSystemError, path, "TIMEREF = 'LOCAL' .*not barycentric")


def test_fits_without_time_reference(shared_data: Path, tmp_path: Path) -> None:
    def strip(hdul: fits.HDUList) -> None:
        for key in ("BJDREFI", "BJDREFF"):
            hdul[1].header.remove(key)
        cols = [fits.Column(name=c.name, format=c.format, unit=None if c.name == "TIME" else c.unit,
                            array=hdul[1].data[c.name]) for c in hdul[1].columns]
        header = hdul[1].header.copy()
        header.remove("TUNIT1")
        hdul[1] = fits.BinTableHDU.from_columns(cols, header=header, name="LIGHTCURVE")

    path = _rewrite(shared_data / TESS, tmp_path / "no_ref.fits", strip)
    _raises(TimeSystemError, path, "states no time reference .*pass time_format=")
    lc = read(path, time_format="btjd")  # the user can say
    assert "time_format='btjd' argument" in lc.meta["TIME_REFERENCE"]


def test_fits_time_reference_and_unit_disagree(shared_data: Path, tmp_path: Path) -> None:
    def clash(hdul: fits.HDUList) -> None:
        hdul[1].header["BJDREFI"] = 2454833

    path = _rewrite(shared_data / TESS, tmp_path / "clash.fits", clash)
    _raises(TimeSystemError, path, "disagrees with the unit 'BJD - 2457000, days'")


def test_unknown_time_scale(shared_data: Path, tmp_path: Path) -> None:
    def scale(hdul: fits.HDUList) -> None:
        hdul[1].header["TIMESYS"] = "GPS-ish"

    path = _rewrite(shared_data / TESS, tmp_path / "scale.fits", scale)
    _raises(TimeSystemError, path, "TIMESYS = 'GPS-ish' .*is not a time scale")


def test_utc_times_are_converted_to_tdb(shared_data: Path, tmp_path: Path) -> None:
    def utc(hdul: fits.HDUList) -> None:
        hdul[1].header["TIMESYS"] = "UTC"

    path = _rewrite(shared_data / TESS, tmp_path / "utc.fits", utc)
    tdb, as_utc = read(shared_data / TESS), read(path)
    assert as_utc.time.scale == "tdb"
    assert (as_utc.time.jd[0] - tdb.time.jd[0]) * 86400 == pytest.approx(69.184, abs=0.01)


# ---------------------------------------------------------------------------- arguments


def test_unknown_flux_column(shared_data: Path) -> None:
    _raises(UnknownNameError, shared_data / KEPLER, "unknown flux_column 'best'.*known: pdcsap, sap",
            flux_column="best")


def test_unknown_time_format() -> None:
    with pytest.raises(UnknownNameError, match="unknown time_format 'julian'; known time formats: bkjd"):
        read("whatever.csv", time_format="julian")


def test_unknown_mission() -> None:
    with pytest.raises(UnknownNameError, match="unknown telescope 'Hubble'"):
        read("whatever.csv", mission="Hubble")


def test_mission_contradicting_the_file(shared_data: Path) -> None:
    _raises(ParameterError, shared_data / KEPLER, "mission='TESS' disagrees with the file, which is from Kepler",
            mission="TESS")


def test_target_contradicting_the_file(shared_data: Path) -> None:
    _raises(ParameterError, shared_data / KEPLER, "target_id='KIC 1' disagrees with the file, whose header key",
            target_id="KIC 1")


def test_target_that_is_no_catalogue_id(shared_data: Path) -> None:
    _raises(ParameterError, shared_data / CSV, "target_id='Kepler-10' is not a catalogue id",
            time_format="bkjd", target_id="Kepler-10")


def test_quality_mask_needs_a_mission(tmp_path: Path) -> None:
    path = tmp_path / "jd.csv"
    path.write_text("time,flux\n2458000.0,1\n2458000.1,1\n")
    _raises(ParameterError, path, "quality_bitmask='default' needs the telescope", quality_bitmask="default")


def test_tpf_has_no_pdcsap_flux(shared_data: Path) -> None:
    _raises(ParameterError, shared_data / TPF, "a target pixel file has only pixel fluxes", flux_column="pdcsap")
