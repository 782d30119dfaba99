"""Read every light-curve file of ../shared/data/manifest.csv and check it against the manifest.

For each file: the telescope, the target id, the number of rows in the file's table
(``n_cadences`` in the manifest counts every row, including cadences whose time is NaN,
which starskope drops and records in PROVENANCE), and that the time stamps are absolute
TDB times spanning the manifest's ``time_span_days``.

Most files say everything about themselves. The CSV files do not state their time system
(a ``time`` column of values near 1500 could be BKJD or BTJD), so the reader requires
``time_format=``; :data:`TEXT_FILE_ARGUMENTS` gives it for each, with the reason, and the
id or epoch where the file holds none (taken from the public catalogues, not the manifest).
The 1683 TESS FFI files are read in one test to keep the run short.
"""

from __future__ import annotations

import csv
import gzip
import os
from functools import cache
from pathlib import Path
from typing import Any

import numpy as np
import pytest
from astropy.time import Time

from starskope.io import layout, read
from starskope.lightcurve import META_KEYS
from starskope.missions import get_mission

SHARED_DATA = Path(
    os.environ.get("STARSKOPE_SHARED_DATA", Path(__file__).resolve().parents[2].parent / "shared" / "data")
).resolve()


def manifest_rows() -> list[dict[str, str]]:
    path = SHARED_DATA / "manifest.csv"
    if not path.exists():
        return []
    with path.open(newline="") as fh:
        return list(csv.DictReader(fh))


ROWS = manifest_rows()
FFI_ROWS = [r for r in ROWS if r["file"].startswith("tess/ffi/")]
OTHER_ROWS = [r for r in ROWS if not r["file"].startswith("tess/ffi/")]


@cache
def _catalog(name: str) -> Any:
    import pandas as pd

    with gzip.open(SHARED_DATA / "catalogs" / name, "rt") as fh:
        return pd.read_csv(fh, comment="#")


def _koi(name: str) -> tuple[int, float]:
    koi = _catalog("koi_cumulative.csv.gz")
    row = koi[koi["kepoi_name"] == name].iloc[0]
    return int(row["kepid"]), float(row["koi_time0bk"]) + 2454833.0


def _toi(number: float) -> tuple[int, float]:
    toi = _catalog("toi.csv.gz")
    row = toi[np.isclose(toi["toi"], number)].iloc[0]
    return int(row["tid"]), float(row["pl_tranmid"])


def _text_file_arguments(name: str) -> dict[str, Any]:
    """What a user must tell starskope about each text light curve, and why."""
    if name.startswith("kplr") and name.endswith(".csv"):
        # Kepler Q17 SAP flux exported with the FITS TIME column, i.e. BKJD (values 1559-1591
        # fall in Q17 only as BKJD).
        return {"time_format": "bkjd"}
    if name.startswith("EPIC"):
        # TLS test data: the README of hippke/tls says col1 = BJD - 2454833.
        return {"time_format": "bkjd"}
    if name == "94986319_data.txt.gz":
        # LATTE writes the SPOC TIME column (BTJD); the file is named by its TIC id.
        return {"time_format": "btjd", "mission": "TESS"}
    if name == "wasp18b_flat_lightcurve.csv.gz":
        # exovetter's flattened lightkurve light curve of WASP-18 = TOI 185 (BTJD).
        tic, _ = _toi(185.01)
        return {"time_format": "btjd", "mission": "TESS", "target_id": f"TIC {tic}"}
    if name == "Kepler10b_lightcurve.csv":
        # triceratops example: days from mid-transit of Kepler-10 b (KOI 72.01).
        kic, epoch = _koi("K00072.01")
        return {"time_format": "phase", "epoch": epoch, "mission": "Kepler", "target_id": kic}
    if name.startswith("TOI"):
        # triceratops examples: days from mid-transit of TOI 411.02 / TOI 465.01.
        tic, epoch = _toi(float(name[3:9].replace("_", ".")))
        return {"time_format": "phase", "epoch": epoch, "mission": "TESS", "target_id": tic}
    return {}


# The reader each kind of file must be recognised by.
EXPECTED_READER = [
    ("hlsp_everest", "everest"),
    ("hlsp_k2sc", "k2sc"),
    ("hlsp_k2sff", "k2sff"),
    ("hlsp_k2varcat", "k2varcat"),
    ("hlsp_tasoc", "tasoc"),
    ("hlsp_gsfc-eleanor", "eleanor"),
    ("lpd-targ", "tpf"),
    ("TRAPPIST-1_lightcurve.fits", "fits-table"),
    ("wasp18b.fits", "fits-table"),
    ("tess/ffi/", "fits-table"),
    ("_llc.fits", "spoc"),
    ("_lc.fits", "spoc"),
    (".npz", "npz"),
    (".csv", "csv"),
    (".txt", "csv"),
]


def _expected_reader(path: str) -> str:
    return next(reader for key, reader in EXPECTED_READER if key in path)


def _check(row: dict[str, str], lc: Any) -> None:
    meta = lc.meta
    name = row["file"]
    assert set(META_KEYS) <= set(meta), f"{name}: meta lacks {set(META_KEYS) - set(meta)}"
    assert meta["MISSION"] == row["mission"], name
    assert meta["OBJECT"] == row["target_id"], name
    assert meta["TARGETID"] == int(row["target_id"].split()[-1]), name
    assert meta["N_CADENCES_FILE"] == int(row["n_cadences"]), name
    assert isinstance(lc.time, Time) and lc.time.scale == "tdb", name
    assert lc.time.format == {"Kepler": "bkjd", "K2": "bkjd", "TESS": "btjd"}[row["mission"]], name
    jd = lc.time.jd
    span = float(jd[-1] - jd[0])
    assert span == pytest.approx(float(row["time_span_days"]), abs=1e-3), name
    # Absolute: within the mission's years (Kepler 2009-2013, K2 2014-2018, TESS 2018-).
    profile = get_mission(row["mission"])
    first, last = profile.segments[0].start.jd - 60, profile.segments[-1].stop.jd + 60
    if meta.get("FOLDED"):
        assert jd[0] < meta["FOLD_EPOCH"].jd < jd[-1], name
    assert first < jd[0] and jd[-1] < last, f"{name}: times {jd[0]}-{jd[-1]} outside {profile.name}"
    assert np.all(np.diff(jd) > 0), name
    assert len(lc) <= int(row["n_cadences"]), name
    assert meta["PRODUCT"] and meta["FLUX_ORIGIN"] and meta["PROVENANCE"], name
    assert np.isfinite(lc.flux.value).any(), name


@pytest.mark.parametrize("row", OTHER_ROWS, ids=[r["file"] for r in OTHER_ROWS])
def test_reads_manifest_file(row: dict[str, str], shared_data: Path) -> None:
    path = shared_data / row["file"]
    kwargs = _text_file_arguments(path.name)
    lc = read(path, **kwargs)
    _check(row, lc)
    assert layout(path) == _expected_reader(row["file"])


def test_reads_every_tess_ffi_file(shared_data: Path) -> None:
    """All 1683 TESS-SPOC FFI files (lightkurve-written FITS) in one pass."""
    assert len(FFI_ROWS) == 1683
    sectors = set()
    for row in FFI_ROWS:
        lc = read(shared_data / row["file"])
        _check(row, lc)
        assert lc.meta["PRODUCT"] == "lightkurve FITS"
        if lc.meta["SECTOR"] <= 26:  # 30-min full-frame images in the first two years
            assert lc.meta["CADENCE"].to_value("min") == pytest.approx(30.0, abs=0.05), row["file"]
        sectors.add(lc.meta["SECTOR"])
    assert None not in sectors


def test_manifest_is_complete() -> None:
    """The walk above covers the 1921 files the manifest lists."""
    assert len(ROWS) == 1921
    assert len(OTHER_ROWS) + len(FFI_ROWS) == len(ROWS)
