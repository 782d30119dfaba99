"""The Kaggle K2 Campaign 3 flux-table layout: round trips, rebuilt times, streaming, bad input."""

from __future__ import annotations

import gzip
import warnings
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time
from hypothesis import given, settings
from hypothesis import strategies as st
from hypothesis.extra.numpy import arrays

from starskope.errors import (
    FluxTableError,
    LightCurveDataError,
    LightCurveFileError,
    ParameterError,
    StarskopeWarning,
)
from starskope.io import flux_table as ft
from starskope.io.flux_table import (
    C3_FIRST_CADENCE_BKJD,
    C3_LONG_CADENCES,
    FLUX_UNIT,
    KAGGLE_N_CADENCES,
    LONG_CADENCE,
    PRODUCT,
    FluxTable,
    iter_flux_table,
    read_flux_table,
    rebuild_time,
    write_flux_table,
)
from starskope.missions import get_mission

C3_LLC = "k2/misc/AstroVPK+kali/ktwo205905563-c03_llc.fits.gz"
N = KAGGLE_N_CADENCES


def kaggle_like(n_stars: int, n_cadences: int = N, seed: int = 3) -> tuple[np.ndarray, np.ndarray]:
    """Flux like the Kaggle tables: per-star levels from tens to ~1e5 e-/s, mean-removed for
    some stars (negative values), noise, a few box transits in the hosts, 2 decimals."""
    rng = np.random.default_rng(seed)
    level = rng.lognormal(6.0, 2.0, n_stars)
    flux = level[:, None] * (1 + 0.002 * rng.standard_normal((n_stars, n_cadences)))
    flux -= np.where(rng.random(n_stars) < 0.5, level, 0.0)[:, None]
    labels = np.ones(n_stars, dtype=np.int8)
    labels[: max(1, n_stars // 8)] = 2
    for i in np.flatnonzero(labels == 2):
        period = rng.integers(150, 600)
        for start in range(int(rng.integers(0, period)), n_cadences, int(period)):
            flux[i, start : start + 6] -= 0.01 * level[i]
    return np.round(flux, 2), labels


@pytest.fixture(scope="module")
def kaggle_table(tmp_path_factory) -> tuple[Path, np.ndarray, np.ndarray]:
    flux, labels = kaggle_like(40)
    flux[5, 100:110] = np.nan  # a gap
    path = tmp_path_factory.mktemp("kaggle") / "exoTrain.csv"
    write_flux_table(path, flux, labels)
    return path, flux, labels


def write_text(tmp_path: Path, text: str, name: str = "table.csv") -> Path:
    path = tmp_path / name
    path.write_text(text)
    return path


def small_header(n: int = 3, label: str | None = "LABEL") -> str:
    return ",".join(([label] if label else []) + [f"FLUX.{j}" for j in range(1, n + 1)])


# ------------------------------------------------------------------------------ round trip


def test_layout_and_round_trip_bit_for_bit(kaggle_table):
    path, flux, labels = kaggle_table
    with path.open() as fh:
        header = fh.readline().rstrip("\n")
        first = fh.readline().rstrip("\n")
        n_lines = 2 + sum(1 for _ in fh)
    assert header == "LABEL," + ",".join(f"FLUX.{j}" for j in range(1, N + 1))
    assert first.split(",")[0] == "2" and len(first.split(",")) == N + 1
    assert n_lines == 1 + len(flux)

    table = read_flux_table(path)
    assert isinstance(table, FluxTable)
    assert len(table) == table.n_stars == 40 and table.n_cadences == N
    assert table.flux.dtype == np.float64 and table.flux.shape == (40, N)
    assert np.array_equal(table.flux, flux, equal_nan=True)
    assert table.labels.dtype == np.int8
    assert np.array_equal(table.labels, labels)
    assert np.array_equal(table.is_host, labels == 2)
    assert table.source == path and table.row_offset == 0 and table.campaign == 3


def test_default_float_format_is_exact_for_any_double(tmp_path):
    rng = np.random.default_rng(0)
    flux = np.concatenate(
        [
            rng.standard_normal((3, 50)) * 10.0 ** rng.integers(-8, 8, (3, 50)),
            rng.standard_normal((2, 50)).astype(np.float32).astype(np.float64) * 1e4,
            np.array([[0.1 + 0.2, 1 / 3, -0.0, 5e-324, 1e300] * 10]),
        ]
    )
    path = write_flux_table(tmp_path / "exact.csv", flux, np.ones(len(flux), dtype=int))
    back = read_flux_table(path).flux
    assert np.array_equal(back.view(np.uint64), flux.view(np.uint64))  # bit for bit, -0.0 included


def test_float_format_keeps_float32_and_kaggle_values(tmp_path):
    rng = np.random.default_rng(1)
    f32 = (rng.standard_normal((4, 30)) * 3000).astype(np.float32)
    path = write_flux_table(tmp_path / "f32.csv", f32, None, float_format="%.9g")
    back = read_flux_table(path, label_column=None).flux
    assert np.array_equal(back.astype(np.float32), f32)

    flux, labels = kaggle_like(5, 200)
    path = write_flux_table(tmp_path / "two.csv", flux + 1e-4, labels, float_format="%.2f")
    assert path.read_text().splitlines()[1].split(",")[1].count(".") == 1
    expected = np.array([[float(f"{v:.2f}") for v in row] for row in flux + 1e-4])
    assert np.array_equal(read_flux_table(path).flux, expected)


def test_quantity_flux_and_gzip_round_trip(tmp_path):
    flux, labels = kaggle_like(6, 120)
    path = write_flux_table(tmp_path / "exoTest.csv.gz", flux * FLUX_UNIT, labels)
    with gzip.open(path, "rt") as fh:
        assert fh.readline().startswith("LABEL,FLUX.1,FLUX.2,")
    table = read_flux_table(path)
    assert np.array_equal(table.flux, flux) and np.array_equal(table.labels, labels)
    assert [len(c) for c in iter_flux_table(path, chunksize=4)] == [4, 2]


def test_table_without_labels(tmp_path):
    flux, _ = kaggle_like(3, 20)
    path = write_flux_table(tmp_path / "nolabel.csv", flux)
    assert path.read_text().startswith("FLUX.1,FLUX.2,")
    table = read_flux_table(path, label_column=None)
    assert table.labels is None
    assert np.array_equal(table.flux, flux)
    assert table[0].meta["LABEL"] is None
    with pytest.raises(FluxTableError, match="the table has no labels, so no hosts are known"):
        _ = table.is_host
    with pytest.raises(
        FluxTableError, match="pass label_column=None to read a table without labels"
    ):
        read_flux_table(path)


def test_other_label_column_name(tmp_path):
    flux, labels = kaggle_like(3, 10)
    path = write_flux_table(tmp_path / "lab.csv", flux, labels, label_column="label")
    assert np.array_equal(read_flux_table(path, label_column="label").labels, labels)
    with pytest.raises(
        FluxTableError, match="column 1 is 'label', expected the label column 'LABEL'"
    ):
        read_flux_table(path)


# ------------------------------------------------------------------------------ rebuilt time


def test_rebuilt_times_span_c3_at_the_long_cadence(kaggle_table):
    table = read_flux_table(kaggle_table[0])
    t = table.time
    assert isinstance(t, Time) and t.scale == "tdb" and t.format == "bkjd" and len(t) == N
    # K2 Campaign 3 ran 2014-11-14 to 2015-01-23
    assert t[0].utc.isot[:10] == "2014-11-15"
    assert Time("2014-11-14", scale="utc") < t[0] and t[-1] < Time("2015-01-23", scale="utc")
    assert t[-1].utc.isot[:10] == "2015-01-19"
    spacing = np.diff((t.jd1 - 2454833.0) + t.jd2) * u.day
    np.testing.assert_allclose(spacing.to_value(u.min), 29.4244, rtol=1e-6)
    assert LONG_CADENCE.to_value(u.min) == pytest.approx(29.4244, rel=1e-6)
    # the first stamp is the first C3 long cadence
    assert (t[0].tdb.jd1 - 2454833.0) + t[0].tdb.jd2 == pytest.approx(
        C3_FIRST_CADENCE_BKJD, abs=1e-9
    )


def test_first_cadence_constant_matches_the_real_c3_file(shared_data):
    with fits.open(shared_data / C3_LLC) as hdul:
        primary, header, data = hdul[0].header, hdul[1].header, hdul[1].data
        assert primary["CAMPAIGN"] == 3 and primary["OBSMODE"] == "long cadence"
        time = np.asarray(data["TIME"], dtype=float)
        cadenceno = np.asarray(data["CADENCENO"])
    assert header["BJDREFI"] + header["BJDREFF"] == 2454833.0
    assert time[0] == pytest.approx(C3_FIRST_CADENCE_BKJD, abs=1e-9)
    assert len(time) == C3_LONG_CADENCES == cadenceno[-1] - cadenceno[0] + 1
    assert header["TIMEDEL"] * 1440 == pytest.approx(LONG_CADENCE.to_value(u.min), rel=1e-5)
    # uniform rebuilt stamps stay within a third of a cadence of the real barycentric ones
    rebuilt = rebuild_time(N)
    real = time[:N]
    ok = np.isfinite(real)
    drift = np.abs((rebuilt.jd1 - 2454833.0) + rebuilt.jd2 - real)[ok] * u.day
    assert drift.max() < LONG_CADENCE / 3
    assert drift.max() > 1 * u.min  # the barycentric drift is real, and documented


def test_constants_agree_with_the_k2_profile():
    k2 = get_mission("K2")
    assert k2.long_cadence.to_value(u.min) == pytest.approx(LONG_CADENCE.to_value(u.min), rel=1e-9)
    c3 = k2.segment(3)
    t = rebuild_time(N)
    assert c3.contains(t[0]) and c3.contains(t[-1])
    assert k2.segment_at(t[N // 2]).number == 3


def test_rebuild_time_rules():
    with pytest.raises(
        ParameterError, match="campaign 5: only K2 Campaign 3 time stamps can be rebuilt"
    ):
        rebuild_time(10, campaign=5)
    with pytest.raises(ParameterError, match="n_cadences must be ≥ 1; got 0"):
        rebuild_time(0)
    with pytest.warns(StarskopeWarning, match="K2 Campaign 3 has only 3386 long cadences"):
        rebuild_time(C3_LONG_CADENCES + 1)


# ------------------------------------------------------------------------------ light curves


def test_rows_become_lightcurves(kaggle_table):
    path, flux, labels = kaggle_table
    table = read_flux_table(path)
    lcs = table.to_lightcurves()
    assert len(lcs) == len(table)
    lc = lcs[5]
    assert lc.flux.unit == u.electron / u.s
    assert np.array_equal(lc.flux.value, flux[5], equal_nan=True)
    assert np.all(np.isnan(lc.flux_err.value))
    assert np.all(np.asarray(lc.quality) == 0)
    assert lc.time.format == "bkjd" and lc.time.scale == "tdb"
    assert np.array_equal(lc.time.jd, table.time.jd)
    meta = lc.meta
    assert meta["MISSION"] == "K2" and meta["CAMPAIGN"] == 3
    assert meta["PRODUCT"] == PRODUCT == "Kaggle K2 C3 flux table"
    assert meta["FLUX_ORIGIN"] == "pdcsap_flux"
    assert meta["TARGETID"] is None and meta["ROW"] == 5
    assert meta["LABEL"] == labels[5] and meta["IS_HOST"] == (labels[5] == 2)
    assert meta["CADENCE"].to_value(u.min) == pytest.approx(29.4244, rel=1e-6)
    assert meta["FILENAME"] == str(path)
    assert any("time stamps rebuilt" in step for step in meta["PROVENANCE"])
    # it is a lightkurve light curve: the ecosystem's methods work on it
    folded = lc.remove_nans().normalize().fold(period=3.0 * u.day)
    assert len(folded) == np.isfinite(flux[5]).sum()
    assert table[0].meta["IS_HOST"] is True
    assert table[-1].meta["ROW"] == 39
    assert [lc.meta["ROW"] for lc in table[10:13]] == [10, 11, 12]


def test_indexing_rules(kaggle_table):
    table = read_flux_table(kaggle_table[0])
    sub = table[10:20]
    assert isinstance(sub, FluxTable) and len(sub) == 10 and sub.row_offset == 10
    assert sub[0].meta["ROW"] == 10
    assert len(table[30:10]) == 0
    with pytest.raises(IndexError, match="star index 40 out of range for 40 stars"):
        table[40]
    with pytest.raises(IndexError, match="only contiguous slices"):
        table[::2]
    with pytest.raises(TypeError, match="FluxTable indices must be int or slice"):
        table["a"]
    assert "40 stars × 3197 cadences, 5 hosts" in repr(table)


def test_flux_table_constructor_rules():
    with pytest.raises(
        FluxTableError, match=r"flux must be 2-D \(n_stars × n_cadences\); got shape \(5,\)"
    ):
        FluxTable(np.ones(5))
    with pytest.raises(FluxTableError, match=r"labels has shape \(2,\) but flux has 3 rows"):
        FluxTable(np.ones((3, 5)), [1, 2])
    with pytest.raises(FluxTableError, match="label 0 at star row 2 is not 1"):
        FluxTable(np.ones((3, 5)), [1, 0, 2])
    with pytest.raises(
        ParameterError, match="campaign 4: only K2 Campaign 3 flux tables are known"
    ):
        FluxTable(np.ones((3, 5)), campaign=4)


# ------------------------------------------------------------------------------ streaming


@pytest.mark.parametrize("chunksize", [1, 7, 40, 500])
def test_stream_chunks_concatenate_to_the_whole(kaggle_table, chunksize):
    path, flux, labels = kaggle_table
    chunks = list(iter_flux_table(path, chunksize=chunksize))
    assert all(len(c) <= chunksize for c in chunks)
    assert [c.row_offset for c in chunks] == list(range(0, 40, chunksize))
    assert np.array_equal(np.concatenate([c.flux for c in chunks]), flux, equal_nan=True)
    assert np.array_equal(np.concatenate([c.labels for c in chunks]), labels)
    assert chunks[-1][len(chunks[-1]) - 1].meta["ROW"] == 39


def test_stream_across_parse_blocks(tmp_path, monkeypatch):
    # small parse blocks: many pyarrow blocks per chunk and chunks spanning blocks
    monkeypatch.setattr(ft, "_MIN_BLOCK", 1 << 14)
    flux, labels = kaggle_like(300, 60, seed=7)
    path = write_flux_table(tmp_path / "blocks.csv", flux, labels)
    chunks = list(iter_flux_table(path, chunksize=64))
    assert [len(c) for c in chunks] == [64, 64, 64, 64, 44]
    assert np.array_equal(np.concatenate([c.flux for c in chunks]), flux)
    whole = read_flux_table(path)
    assert np.array_equal(whole.flux, flux) and np.array_equal(whole.labels, labels)
    # a bad cell far from the start is located exactly
    lines = path.read_text().splitlines()
    cells = lines[251].split(",")
    cells[17] = "12.3.4"
    lines[251] = ",".join(cells)
    path.write_text("\n".join(lines) + "\n")
    with pytest.raises(
        FluxTableError,
        match=r"line 252 \(star row 251\), column 'FLUX.17': '12.3.4' is not a number",
    ):
        read_flux_table(path)
    seen = []
    with pytest.raises(FluxTableError, match="line 252"):
        for chunk in iter_flux_table(path, chunksize=64):
            seen.append(len(chunk))
    assert sum(seen) <= 250


def test_iter_rules(kaggle_table):
    with pytest.raises(ParameterError, match="chunksize must be ≥ 1; got 0"):
        next(iter_flux_table(kaggle_table[0], chunksize=0))
    with pytest.raises(ParameterError, match="only K2 Campaign 3"):
        next(iter_flux_table(kaggle_table[0], campaign=9))
    with pytest.raises(ParameterError, match="only K2 Campaign 3"):
        read_flux_table(kaggle_table[0], campaign=9)


# ------------------------------------------------------------------------------ bad input


def test_missing_file_and_folder(tmp_path):
    with pytest.raises(LightCurveFileError, match=r"nope\.csv: no such file"):
        read_flux_table(tmp_path / "nope.csv")
    with pytest.raises(LightCurveFileError, match="is a folder, not a flux table file"):
        read_flux_table(tmp_path)


@pytest.mark.parametrize(
    ("text", "match"),
    [
        ("", r"empty\.csv: the file is empty; expected a header line 'LABEL,FLUX.1,...,FLUX.N'"),
        ("\n\n", "the file is empty"),
        (
            "\n" + small_header() + "\n1,1,2,3\n",
            "line 1 is blank; the header must be the first line",
        ),
        (small_header() + "\n", r"empty\.csv: the table has a header but no star rows"),
        (
            small_header(label=None) + "\n1,2,3\n",
            "column 1 is 'FLUX.1', expected the label column 'LABEL'; pass label_column=None",
        ),
        (
            "LABEL,FLUX.2,FLUX.1\n1,1,2\n",
            r"column 2 is 'FLUX.2', expected 'FLUX.1' \(flux columns must be FLUX.1 ... FLUX.N in order\)",
        ),
        ("LABEL,FLUX.1,FLUX.3\n1,1,2\n", "column 3 is 'FLUX.3', expected 'FLUX.2'"),
        ("LABEL,FLUX.1,flux.2\n1,1,2\n", "column 3 is 'flux.2', expected 'FLUX.2'"),
        ("LABEL,FLUX.1,TIME\n1,1,2\n", "column 3 is 'TIME', expected 'FLUX.2'"),
        ("LABEL\n1\n", "the header has no FLUX.1 ... FLUX.N columns"),
        (
            small_header() + "\n1,1,2,3\n2,4,abc,6\n",
            r"line 3 \(star row 2\), column 'FLUX.2': 'abc' is not a number",
        ),
        (
            small_header() + "\n1,1,2,3\n\n2,4,5,x6\n",
            r"line 4 \(star row 2\), column 'FLUX.3': 'x6' is not a number",
        ),
        (
            small_header() + "\n1,1,2,3\n3,4,5,6\n",
            r"line 3 \(star row 2\), column 'LABEL': label '3' is not 1 \(no planet\) or 2 \(planet host\)",
        ),
        (
            small_header() + "\n0,1,2,3\n",
            r"line 2 \(star row 1\), column 'LABEL': label '0' is not 1",
        ),
        (small_header() + "\n2.5,1,2,3\n", r"column 'LABEL': label '2.5' is not 1"),
        (small_header() + "\nyes,1,2,3\n", r"column 'LABEL': label 'yes' is not 1"),
        (
            small_header() + "\n1,1,2,3\n,4,5,6\n",
            r"line 3 \(star row 2\), column 'LABEL': the label is missing",
        ),
        (
            small_header() + "\n1,1,2,3\n1,4,5\n",
            r"line 3 \(star row 2\) has 3 fields but the header has 4 \(ragged row\)",
        ),
        (
            small_header() + "\n1,1,2,3,9\n",
            r"line 2 \(star row 1\) has 5 fields but the header has 4 \(ragged row\)",
        ),
        (
            small_header() + "\n1,1,inf,3\n",
            r"line 2 \(star row 1\), column 'FLUX.2': infinite flux 'inf'",
        ),
        (small_header() + "\n1,1,2,-Infinity\n", "column 'FLUX.3': infinite flux '-Infinity'"),
        (small_header(label=None) + "\n1,2,3\n", "column 1 is 'FLUX.1', expected the label column"),
    ],
)
def test_bad_tables_raise(tmp_path, text, match):
    path = write_text(tmp_path, text, "empty.csv")
    with pytest.raises(FluxTableError, match=match):
        read_flux_table(path)
    with pytest.raises(FluxTableError, match=match):
        list(iter_flux_table(path))


def test_labelled_table_read_as_unlabelled(tmp_path):
    path = write_text(tmp_path, small_header() + "\n1,1,2,3\n")
    with pytest.raises(
        FluxTableError, match=r"column 1 is 'LABEL', expected 'FLUX\.1'.*leave label_column='LABEL'"
    ):
        read_flux_table(path, label_column=None)


def test_binary_file_is_not_a_table(tmp_path, shared_data):
    with gzip.open(shared_data / C3_LLC, "rb") as fh:
        data = fh.read()
    path = tmp_path / "ktwo.csv"
    path.write_bytes(data)
    with pytest.raises(
        FluxTableError, match=r"ktwo\.csv: line 1 is not UTF-8 text; this is not a CSV flux table"
    ):
        read_flux_table(path)
    path.write_bytes(
        data[:80] + b"\n" + data[80:160] + b"\n"
    )  # the FITS header's first cards as text
    with pytest.raises(
        FluxTableError,
        match=r"ktwo\.csv: column 1 is 'SIMPLE  = .*expected the label column 'LABEL'",
    ):
        read_flux_table(path)


def test_missing_cells_are_nan_and_all_nan_rows_warn(tmp_path):
    text = small_header() + "\n1,1,,3\n2,nan,NaN,\n1,4,5,6\n"
    path = write_text(tmp_path, text)
    with pytest.warns(
        StarskopeWarning, match=r"1 star rows have no finite flux at any cadence \(rows 2\)"
    ):
        table = read_flux_table(path)
    assert np.isnan(table.flux[0, 1]) and np.isnan(table.flux[1]).all()
    assert table.all_nan_rows.tolist() == [1]
    with pytest.raises(
        LightCurveDataError, match="row 2: flux is NaN or masked at every one of its 3 cadences"
    ):
        table.to_lightcurve(1)
    with pytest.warns(StarskopeWarning, match=r"\(rows 2\)"):
        chunks = list(iter_flux_table(path, chunksize=1))
    assert [c.all_nan_rows.tolist() for c in chunks] == [[], [0], []]
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert len(table.to_lightcurve(0)) == 3


def test_first_rows_are_read_before_a_late_problem(tmp_path):
    text = small_header() + "\n" + "1,1,2,3\n" * 5 + "1,1,2,oops\n"
    path = write_text(tmp_path, text)
    with pytest.raises(FluxTableError, match=r"line 7 \(star row 6\), column 'FLUX.3': 'oops'"):
        read_flux_table(path)


# ------------------------------------------------------------------------------ writing


@pytest.mark.parametrize(
    ("flux", "labels", "kwargs", "error", "match"),
    [
        (
            np.ones(5),
            None,
            {},
            FluxTableError,
            r"flux must be a non-empty 2-D array .* got shape \(5,\)",
        ),
        (np.ones((0, 5)), None, {}, FluxTableError, r"got shape \(0, 5\)"),
        (np.ones((2, 3)), [1], {}, FluxTableError, r"labels has shape \(1,\) but flux has 2 rows"),
        (
            np.ones((2, 3)),
            [1, 0],
            {},
            FluxTableError,
            "label 0 at star row 2 is not 1 .no planet. or 2 .planet host.",
        ),
        (
            np.array([[1.0, np.inf]]),
            None,
            {},
            FluxTableError,
            "infinite flux at star row 1, column FLUX.2",
        ),
        (
            np.ones((2, 3)) * u.Jy,
            None,
            {},
            FluxTableError,
            r"flux must be in e-/s \(or convertible\); got Jy",
        ),
        (
            np.ones((2, 3)),
            None,
            {"float_format": "abc"},
            ParameterError,
            "float_format must be a printf-style float format",
        ),
    ],
)
def test_bad_writes_raise(tmp_path, flux, labels, kwargs, error, match):
    with pytest.raises(error, match=match):
        write_flux_table(tmp_path / "out.csv", flux, labels, **kwargs)
    assert list(tmp_path.iterdir()) == []


def test_write_into_missing_folder(tmp_path):
    with pytest.raises(LightCurveFileError, match="does not exist"):
        write_flux_table(tmp_path / "no" / "out.csv", np.ones((1, 2)))


def test_write_is_atomic(tmp_path, monkeypatch):
    flux, labels = kaggle_like(600, 50)
    path = write_flux_table(tmp_path / "exoTrain.csv", flux[:3], labels[:3])
    before = path.read_bytes()
    calls = []
    real = ft._format_rows

    def failing(*args, **kwargs):
        calls.append(1)
        if len(calls) == 2:
            raise OSError("disk full")
        return real(*args, **kwargs)

    monkeypatch.setattr(ft, "_format_rows", failing)
    with pytest.raises(OSError, match="disk full"):
        write_flux_table(path, flux, labels)
    assert len(calls) == 2  # failed after the first block was written
    assert path.read_bytes() == before
    assert [p.name for p in tmp_path.iterdir()] == ["exoTrain.csv"]
    monkeypatch.setattr(ft, "_format_rows", real)
    write_flux_table(path, flux, labels)
    assert np.array_equal(read_flux_table(path).flux, flux)
    assert [p.name for p in tmp_path.iterdir()] == ["exoTrain.csv"]


# ------------------------------------------------------------------------------ full size


@pytest.mark.slow
def test_full_size_table_reads_and_streams(tmp_path):
    """5087 × 3197, the size of exoTrain: read whole and streamed in chunks, the same values
    (time and memory: benchmarks/flux_table_read.py)."""
    flux, labels = kaggle_like(5087, N, seed=11)
    path = write_flux_table(tmp_path / "exoTrain.csv", flux, labels)
    table = read_flux_table(path)
    assert np.array_equal(table.flux, flux)
    n = sum(len(chunk) for chunk in iter_flux_table(path, chunksize=500))
    assert n == 5087


# ------------------------------------------------------------------------------ properties


@settings(max_examples=40, deadline=None)
@given(
    arrays(
        np.float64,
        st.tuples(st.integers(1, 6), st.integers(1, 12)),
        elements=st.floats(allow_infinity=False, allow_nan=True, width=64),
    ),
    st.booleans(),
)
def test_any_finite_or_nan_table_round_trips(tmp_path_factory, flux, with_labels):
    path = tmp_path_factory.mktemp("prop") / "t.csv"
    labels = (np.arange(len(flux)) % 2 + 1) if with_labels else None
    write_flux_table(path, flux, labels)
    with warnings.catch_warnings():
        warnings.simplefilter("ignore", StarskopeWarning)  # rows of NaN are legal here
        table = read_flux_table(path, label_column="LABEL" if with_labels else None)
    assert np.array_equal(np.isnan(table.flux), np.isnan(flux))
    finite = ~np.isnan(flux)
    assert np.array_equal(table.flux[finite].view(np.uint64), flux[finite].view(np.uint64))


def test_header_problems_raise_when_streaming_starts(tmp_path):
    path = write_text(tmp_path, "LABEL,FLUX.2\n1,2\n")
    with pytest.raises(FluxTableError, match=r"column 2 is 'FLUX\.2', expected 'FLUX\.1'"):
        iter_flux_table(path)  # raised at the call, before any iteration


def test_truncated_gzip_table(tmp_path):
    flux, labels = kaggle_like(200, 300)
    path = write_flux_table(tmp_path / "exoTrain.csv.gz", flux, labels)
    data = path.read_bytes()
    path.write_bytes(data[: len(data) // 2])
    with pytest.raises(
        FluxTableError, match=r"exoTrain\.csv\.gz: the file is truncated or corrupt"
    ):
        read_flux_table(path)
    with pytest.raises(FluxTableError, match="the file is truncated or corrupt"):
        list(iter_flux_table(path))


def test_flux_table_from_quantity():
    table = FluxTable(np.ones((2, 4)) * u.electron / u.min)
    assert table.flux[0, 0] == pytest.approx(1 / 60)
    with pytest.raises(FluxTableError, match=r"flux must be in e-/s \(or convertible\); got Jy"):
        FluxTable(np.ones((2, 4)) * u.Jy)


def test_read_rows_reads_a_slice_without_parsing_the_rest(tmp_path):
    from starskope.io.flux_table import read_flux_table_rows

    rng = np.random.default_rng(5)
    flux = rng.uniform(100, 200, size=(9, 40))
    labels = np.array([2, 1, 1, 1, 2, 1, 1, 1, 1])
    path = tmp_path / "t.csv"
    write_flux_table(path, flux, labels)
    whole = read_flux_table(path)
    part = read_flux_table_rows(path, 3, 7)
    assert part.row_offset == 3 and part.flux.shape == (4, 40)
    np.testing.assert_array_equal(part.flux, whole.flux[3:7])
    np.testing.assert_array_equal(part.labels, labels[3:7])
    assert read_flux_table_rows(path, 8, 100).flux.shape == (1, 40)
    with pytest.raises(FluxTableError, match="has no star row 10"):
        read_flux_table_rows(path, 9, 12)
    with pytest.raises(ParameterError, match="0 <= start < stop"):
        read_flux_table_rows(path, 4, 4)
