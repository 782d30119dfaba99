"""``starskope.io.identify``: a file's telescope, target and segment from its headers, the
same answer reading gives, without reading the light curve when the headers say it."""

from __future__ import annotations

import gzip

import pytest

import starskope.io as sio
from starskope.errors import LightCurveFileError, ParameterError
from starskope.io import FileIdentity, identify, read

SEGMENT = {"Kepler": "QUARTER", "K2": "CAMPAIGN", "TESS": "SECTOR"}

FILES = [
    "kepler/dr24/kplr002985587-2009259160929_llc.fits.gz",  # Kepler LLC, quarter 2
    "kepler/dr24/kplr002985587-2010078095331_llc.fits.gz",  # the same star, quarter 4
    "k2/misc/AstroVPK+kali/hlsp_k2sc_k2_llc_205905563-c03_kepler_v1_lc.fits.gz",  # HLSP, OBJECT=None
    "k2/misc/ekaterinailin+AltaiPony/ktwo211983544-c18_lpd-targ.fits.gz",  # target pixel file
    "tess/ffi/101433435.fits.gz",  # TESS-SPOC FFI light curve written by lightkurve
    "kepler/eb/kic003228863_eb.npz",  # NPZ: the headers say nothing, the file is read
]


@pytest.mark.parametrize("name", FILES)
def test_identify_agrees_with_reading(shared_data, name):
    path = shared_data / name
    found = identify(path)
    meta = read(path).meta
    assert found[:3] == (meta["MISSION"], meta["OBJECT"], meta.get(SEGMENT[meta["MISSION"]]))
    assert found.pixels == name.endswith("targ.fits.gz")


def test_identify_reads_only_the_headers_of_an_archive_file(shared_data, monkeypatch):
    def no_read(*args, **kwargs):
        raise AssertionError("identify read the whole light curve")

    monkeypatch.setattr(sio, "read", no_read)
    found = identify(shared_data / FILES[1])
    assert found == FileIdentity("Kepler", "KIC 2985587", 4, False)


def test_identify_passes_reading_options_to_files_that_do_not_say(shared_data):
    csv = shared_data / "k2/misc/hippke+tls/EPIC201367065.csv"
    found = identify(csv, mission="K2", time_format="bkjd")
    meta = read(csv, mission="K2", time_format="bkjd").meta
    assert found[:2] == ("K2", meta["OBJECT"]) and found.target_id == "EPIC 201367065"


def test_identify_errors_name_the_file(shared_data, tmp_path):
    with pytest.raises(LightCurveFileError, match=r"missing_llc\.fits: no such file"):
        identify(tmp_path / "missing_llc.fits")
    broken = tmp_path / "broken_llc.fits.gz"
    broken.write_bytes(gzip.compress(b"SIMPLE  =                    T" + b"\x00" * 40)[:30])
    with pytest.raises(LightCurveFileError, match=r"broken_llc\.fits\.gz"):
        identify(broken)
    with pytest.raises(ParameterError, match=r"mission='TESS' disagrees with the file, which is from Kepler"):
        identify(shared_data / FILES[0], mission="TESS")
