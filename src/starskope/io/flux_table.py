"""The Kaggle "Exoplanet Hunting in Deep Space" flux tables (K2 Campaign 3).

The tables ``exoTrain.csv`` and ``exoTest.csv`` hold one star per row::

    LABEL,FLUX.1,FLUX.2,...,FLUX.3197
    2,93.85,83.81,20.10,...
    1,-38.88,-33.83,-58.54,...

``LABEL`` is 2 for a planet host and 1 for a star without a known planet; ``FLUX.j`` is the
star's PDCSAP flux (e⁻/s) at its j-th long cadence of K2 Campaign 3. The table strips time,
units and quality flags; this module gives them back: :class:`FluxTable` rebuilds the time
stamps as consecutive Kepler long cadences (29.4244 min) from the first long cadence of
Campaign 3, and :meth:`FluxTable.to_lightcurves` turns each row into a starskope light curve
(flux in e⁻/s, absolute TDB times, MISSION 'K2', CAMPAIGN 3).

Reading cuts the file into 4 MiB blocks of whole lines and parses each with pyarrow's CSV
reader (correctly rounded floats), so a 5087 × 3197 table parses in about 1.5 s on two
cores, and :func:`iter_flux_table` holds only one chunk of rows at a time
(``benchmarks/flux_table_read.py`` measures both).
:func:`write_flux_table` writes the same layout atomically.

Layout rules (each broken rule is a :class:`~starskope.errors.FluxTableError` naming the file,
the line and column, and what was found):

* the file is not empty and its first line is the header;
* the header is ``LABEL`` (the ``label_column``) followed by ``FLUX.1`` … ``FLUX.N`` in order;
  ``label_column=None`` reads a table without labels, whose header is ``FLUX.1`` … ``FLUX.N``;
* every row has as many fields as the header (blank lines are skipped);
* labels are the integers 1 or 2;
* flux cells are numbers; an empty cell or ``nan`` is a missing cadence (NaN); infinities
  are errors.

A row whose flux is missing at every cadence is kept (row numbers stay those of the file)
but reported with a :class:`~starskope.errors.StarskopeWarning`;
:meth:`FluxTable.to_lightcurve` refuses it.

Messages count star rows from 1 (the first row after the header), as a user counts
them; indices in the API (``row_offset``, ``first_row``, ``start``/``stop``) count from 0.
"""

from __future__ import annotations

import csv
import gzip
import io
import os
import re
import uuid
import warnings
from collections.abc import Iterator
from pathlib import Path
from typing import IO, TYPE_CHECKING, Any

import astropy.units as u
import numpy as np
import pyarrow as pa
import pyarrow.csv as pacsv
from astropy.time import Time

from ..errors import FluxTableError, LightCurveFileError, ParameterError, StarskopeWarning
from ..lightcurve import build_lightcurve
from ..missions import get_mission

if TYPE_CHECKING:
    import lightkurve as lk

__all__ = [
    "C3_FIRST_CADENCE_BKJD",
    "C3_LONG_CADENCES",
    "FLUX_UNIT",
    "KAGGLE_N_CADENCES",
    "LONG_CADENCE",
    "PRODUCT",
    "FluxTable",
    "count_star_rows",
    "is_flux_table",
    "iter_flux_table",
    "read_flux_table",
    "read_flux_table_rows",
    "rebuild_time",
    "write_flux_table",
]

#: Kepler/K2 long cadence: 270 co-added frames of 6.5387 s (6.0198 s exposure + 0.5189 s
#: readout) = 1765.4644 s = 29.4244 min (Kepler Instrument Handbook, KSCI-19033, §2.1).
LONG_CADENCE: u.Quantity = (1765.4644 * u.s).to(u.min)

#: Mid-exposure time (BKJD = BJD_TDB − 2454833) of the first long cadence of K2 Campaign 3:
#: TIME of the first row (CADENCENO 99599) of the C3 long-cadence file
#: ktwo205905563-c03_llc.fits (BJDREFI = 2454833, BJDREFF = 0), i.e. 2014-11-15T14:26:52 TDB.
#: Its TSTART, 2144.092555, is half a cadence earlier: the start of that exposure.
#: tests/io/test_flux_table.py checks this value against the file.
C3_FIRST_CADENCE_BKJD = 2144.1027710617273

#: Number of long cadences in K2 Campaign 3 (CADENCENO 99599 … 102984, TELAPSE 69.18 d).
C3_LONG_CADENCES = 3386

#: Cadences (flux columns) of the Kaggle exoTrain/exoTest tables.
KAGGLE_N_CADENCES = 3197

#: Flux unit of the table: PDCSAP flux in electrons per second.
FLUX_UNIT = u.electron / u.s

#: PRODUCT written into each light curve's meta.
PRODUCT = "Kaggle K2 C3 flux table"

_BKJD_OFFSET = get_mission("K2").bjd_offset
_FIRST_CADENCE_BKJD = {3: C3_FIRST_CADENCE_BKJD}
_CAMPAIGN_CADENCES = {3: C3_LONG_CADENCES}
_NULLS = ("", "nan", "NaN", "NAN", "-nan", "NA", "null")
_NULL_SET = frozenset(_NULLS)
_NUMBER = re.compile(
    r"^[+-]?(?:\d+\.?\d*(?:[eE][+-]?\d+)?|\.\d+(?:[eE][+-]?\d+)?|inf|infinity|nan)$", re.IGNORECASE
)
_INTEGER = re.compile(r"^[+-]?\d+$")
_MIN_BLOCK = 4 << 20  # text parsed at a time: 4 MiB, ~200 rows of a Kaggle table


def rebuild_time(n_cadences: int, campaign: int = 3) -> Time:
    """Time stamps of consecutive long cadences from the first one of a K2 campaign.

    .. math:: t_j = t_0 + j \\, \\Delta t, \\qquad j = 0 … n - 1

    with t₀ the campaign's first long-cadence mid-exposure time
    (:data:`C3_FIRST_CADENCE_BKJD`) and Δt = :data:`LONG_CADENCE`. The real K2 stamps are
    barycentric, so their spacing drifts a little (29.4213–29.4225 min in C3); over the
    3197 cadences of the Kaggle tables uniform stamps differ from the real ones by at most
    ~9 min, under a third of a cadence. The Kaggle tables do not say which cadences were
    kept; this assumes FLUX.1 … FLUX.N are consecutive cadences from the campaign's start.

    Parameters
    ----------
    n_cadences : int
        Number of time stamps (≥ 1).
    campaign : int
        K2 campaign; only Campaign 3 (the Kaggle tables' campaign) is known.

    Returns
    -------
    astropy.time.Time
        TDB scale, format 'bkjd'.

    Raises
    ------
    ParameterError
        An unknown campaign or fewer than one cadence.

    Warns
    -----
    StarskopeWarning
        More cadences than the campaign has (the stamps run past its end).
    """
    if campaign not in _FIRST_CADENCE_BKJD:
        raise ParameterError(
            f"campaign {campaign!r}: only K2 Campaign "
            f"{', '.join(map(str, _FIRST_CADENCE_BKJD))} time stamps can be rebuilt"
        )
    n = int(n_cadences)
    if n < 1:
        raise ParameterError(f"n_cadences must be ≥ 1; got {n_cadences}")
    if n > _CAMPAIGN_CADENCES[campaign]:
        warnings.warn(
            f"{n} cadences but K2 Campaign {campaign} has only {_CAMPAIGN_CADENCES[campaign]} "
            "long cadences: the rebuilt time stamps run past the end of the campaign",
            StarskopeWarning,
            stacklevel=2,
        )
    step = LONG_CADENCE.to_value(u.day)
    bkjd = _FIRST_CADENCE_BKJD[campaign] + np.arange(n, dtype=np.float64) * step
    t = Time(np.full(n, _BKJD_OFFSET), bkjd, format="jd", scale="tdb")
    t.format = "bkjd"
    return t


class FluxTable:
    """A batch of K2 light curves from a Kaggle flux table, with labels and rebuilt times.

    Parameters
    ----------
    flux : array_like, shape (n_stars, n_cadences)
        PDCSAP flux in e⁻/s (NaN for missing cadences).
    labels : array_like of int, shape (n_stars,), optional
        2 = planet host, 1 = not; None for a table without labels.
    source : str or Path, optional
        File the rows came from.
    row_offset : int
        Index in ``source`` of the first row (0 = the first star row after the header).
    campaign : int
        K2 campaign of the table (3 for the Kaggle tables).

    Attributes
    ----------
    flux : ndarray of float64, shape (n_stars, n_cadences)
        Flux in e⁻/s (:data:`FLUX_UNIT`).
    labels : ndarray of int8 or None
    source : Path or None
    row_offset : int
    campaign : int

    Raises
    ------
    FluxTableError
        ``flux`` is not 2-D, ``labels`` has the wrong length or values other than 1 and 2.
    """

    def __init__(
        self,
        flux: Any,
        labels: Any = None,
        *,
        source: str | os.PathLike[str] | None = None,
        row_offset: int = 0,
        campaign: int = 3,
    ) -> None:
        self.source = None if source is None else Path(source)
        where = str(self.source) if self.source is not None else "flux table"
        if isinstance(flux, u.Quantity):
            try:
                flux = flux.to_value(FLUX_UNIT)
            except u.UnitConversionError:
                raise FluxTableError(
                    f"{where}: flux must be in e-/s (or convertible); got {flux.unit}"
                ) from None
        flux = np.asarray(flux)
        if flux.ndim != 2:
            raise FluxTableError(
                f"{where}: flux must be 2-D (n_stars × n_cadences); got shape {flux.shape}"
            )
        self.flux = np.asarray(flux, dtype=np.float64)
        if labels is not None:
            labels = np.asarray(labels)
            if labels.shape != (self.flux.shape[0],):
                raise FluxTableError(
                    f"{where}: labels has shape {labels.shape} but flux has {self.flux.shape[0]} rows"
                )
            bad = ~np.isin(labels, (1, 2))
            if bad.any():
                i = int(np.argmax(bad))
                raise FluxTableError(
                    f"{where}: label {labels[i].item()!r} at star row {row_offset + i + 1} is not 1 (no planet) "
                    "or 2 (planet host)"
                )
            labels = labels.astype(np.int8)
        self.labels: np.ndarray | None = labels
        if campaign not in _FIRST_CADENCE_BKJD:
            raise ParameterError(
                f"campaign {campaign!r}: only K2 Campaign "
                f"{', '.join(map(str, _FIRST_CADENCE_BKJD))} flux tables are known"
            )
        self.campaign = campaign
        self.row_offset = int(row_offset)
        self._time: Time | None = None

    # -- shape and labels -------------------------------------------------------------
    @property
    def n_stars(self) -> int:
        return int(self.flux.shape[0])

    @property
    def n_cadences(self) -> int:
        return int(self.flux.shape[1])

    def __len__(self) -> int:
        return self.n_stars

    @property
    def is_host(self) -> np.ndarray:
        """Boolean array, True for planet hosts (LABEL 2).

        Raises
        ------
        FluxTableError
            The table has no labels.
        """
        if self.labels is None:
            raise FluxTableError(f"{self._where()}: the table has no labels, so no hosts are known")
        return self.labels == 2

    @property
    def time(self) -> Time:
        """Rebuilt long-cadence time stamps (TDB, format 'bkjd'); see :func:`rebuild_time`."""
        if self._time is None:
            self._time = rebuild_time(self.n_cadences, self.campaign)
        return self._time

    @property
    def cadence(self) -> u.Quantity:
        """The long cadence, 29.4244 min."""
        return LONG_CADENCE

    @property
    def all_nan_rows(self) -> np.ndarray:
        """Indices (within this table) of rows with no finite flux at all."""
        return np.flatnonzero(~np.isfinite(self.flux).any(axis=1))

    # -- access -----------------------------------------------------------------------
    def __getitem__(self, index: int | slice) -> Any:
        """``table[i]`` is star i as a light curve; ``table[a:b]`` a smaller FluxTable."""
        if isinstance(index, slice):
            start, stop, step = index.indices(self.n_stars)
            if step != 1:
                raise IndexError(f"{self._where()}: only contiguous slices (step 1) are supported")
            stop = max(stop, start)
            sub = FluxTable(
                self.flux[start:stop],
                None if self.labels is None else self.labels[start:stop],
                source=self.source,
                row_offset=self.row_offset + start,
                campaign=self.campaign,
            )
            sub._time = self._time
            return sub
        if isinstance(index, (int, np.integer)):
            return self.to_lightcurve(int(index))
        raise TypeError(f"FluxTable indices must be int or slice; got {type(index).__name__}")

    def __iter__(self) -> Iterator[lk.LightCurve]:
        for i in range(self.n_stars):
            yield self.to_lightcurve(i)

    def __repr__(self) -> str:
        hosts = "unlabelled" if self.labels is None else f"{int(self.is_host.sum())} hosts"
        return (
            f"<FluxTable {self.n_stars} stars × {self.n_cadences} cadences, {hosts}, "
            f"K2 C{self.campaign}, rows {self.row_offset}–{self.row_offset + self.n_stars - 1} "
            f"of {self.source or '<memory>'}>"
        )

    def _where(self) -> str:
        return str(self.source) if self.source is not None else "flux table"

    def to_lightcurve(self, index: int) -> lk.LightCurve:
        """Star ``index`` (within this table) as a starskope light curve.

        The light curve has the rebuilt times, flux in e⁻/s, NaN errors and zero
        quality (the table has neither), and meta MISSION 'K2', CAMPAIGN, PRODUCT,
        FLUX_ORIGIN 'pdcsap_flux', TARGETID None (the table has no ids), ROW (the star's
        row in the file, 0 = first row after the header), LABEL and IS_HOST.

        Raises
        ------
        IndexError
            ``index`` out of range.
        LightCurveDataError
            The row has no finite flux.
        """
        n = self.n_stars
        if not -n <= index < n:
            raise IndexError(f"{self._where()}: star index {index} out of range for {n} stars")
        index %= n
        row = self.row_offset + index
        name = self.source.name if self.source is not None else "flux table"
        label = None if self.labels is None else int(self.labels[index])
        meta = {
            "MISSION": "K2",
            "TARGETID": None,
            "OBJECT": f"{name} row {row + 1}",
            "CAMPAIGN": self.campaign,
            "CADENCE": LONG_CADENCE,
            "PRODUCT": PRODUCT,
            "FLUX_ORIGIN": "pdcsap_flux",
            "FILENAME": None if self.source is None else str(self.source),
            "ROW": row,
            "LABEL": label,
            "IS_HOST": None if label is None else label == 2,
            "PROVENANCE": [
                f"read row {row + 1} of Kaggle flux table {name} (PDCSAP flux, e-/s)",
                f"time stamps rebuilt: K2 C{self.campaign} long cadences from BKJD "
                f"{_FIRST_CADENCE_BKJD[self.campaign]:.6f} every {LONG_CADENCE.to_value(u.min):.4f} min "
                "(the table has no times; real barycentric stamps differ by up to ~9 min)",
                "flux_err unknown (NaN) and quality zeros: the table has neither",
            ],
        }
        return build_lightcurve(
            self.time,
            u.Quantity(self.flux[index], FLUX_UNIT),
            None,
            np.zeros(self.n_cadences, dtype=np.int32),
            meta=meta,
            source=f"{self._where()} row {row + 1}",
        )

    def to_lightcurves(self) -> list[lk.LightCurve]:
        """Every star as a light curve (see :meth:`to_lightcurve`)."""
        return [self.to_lightcurve(i) for i in range(self.n_stars)]


# ------------------------------------------------------------------------------------------
# reading


def _open_binary(path: Path) -> IO[bytes]:
    if path.suffix == ".gz":
        return gzip.open(path, "rb")  # type: ignore[return-value]
    return path.open("rb")


def _check_file(path: str | os.PathLike[str]) -> Path:
    p = Path(path)
    if not p.exists():
        raise LightCurveFileError(f"{p}: no such file")
    if p.is_dir():
        raise LightCurveFileError(f"{p}: is a folder, not a flux table file")
    return p


def _read_header(path: Path, label_column: str | None) -> list[str]:
    """Validate the header line and return the column names."""
    try:
        with _open_binary(path) as fh:
            raw = fh.readline()
            rest = raw.strip() or fh.read(1 << 16).strip()
    except (OSError, EOFError) as exc:
        raise FluxTableError(f"{path}: cannot be read as a text table ({exc})") from None
    if not raw.strip():
        if not rest:
            raise FluxTableError(
                f"{path}: the file is empty; expected a header line 'LABEL,FLUX.1,...,FLUX.N'"
            )
        raise FluxTableError(f"{path}: line 1 is blank; the header must be the first line")
    try:
        text = raw.decode("utf-8-sig")
    except UnicodeDecodeError:
        raise FluxTableError(
            f"{path}: line 1 is not UTF-8 text; this is not a CSV flux table"
        ) from None
    names = [name.strip() for name in next(csv.reader([text]))]
    start = 0
    if label_column is not None:
        if not names or names[0] != label_column:
            found = names[0] if names else ""
            hint = (
                "; pass label_column=None to read a table without labels"
                if found == "FLUX.1"
                else ""
            )
            raise FluxTableError(
                f"{path}: column 1 is {found!r}, expected the label column {label_column!r}{hint}"
            )
        start = 1
    flux_names = names[start:]
    if not flux_names:
        raise FluxTableError(f"{path}: the header has no FLUX.1 ... FLUX.N columns")
    for j, name in enumerate(flux_names, start=1):
        if name != f"FLUX.{j}":
            hint = ""
            if name == "LABEL" and label_column is None:
                hint = "; the table has labels, so leave label_column='LABEL'"
            raise FluxTableError(
                f"{path}: column {start + j} is {name!r}, expected 'FLUX.{j}' "
                f"(flux columns must be FLUX.1 ... FLUX.N in order){hint}"
            )
    return names


def _find_problem(path: Path, names: list[str], has_label: bool, first_row: int) -> str | None:
    """Scan the file from star row ``first_row`` for the first cell that breaks the layout.

    Slow (pure Python) but only run once the fast reader has failed, to name the line,
    the column and the value.
    """
    start = 1 if has_label else 0
    row = -1
    with _open_binary(path) as raw, io.TextIOWrapper(raw, encoding="utf-8-sig", newline="") as fh:
        fh.readline()
        for line_num, line in enumerate(fh, start=2):
            if not line.strip("\r\n"):
                continue
            row += 1
            if row < first_row:
                continue
            fields = next(csv.reader([line]))
            where = f"line {line_num} (star row {row + 1})"
            if len(fields) != len(names):
                return (
                    f"{where} has {len(fields)} fields but the header has {len(names)} (ragged row)"
                )
            if has_label:
                cell = fields[0].strip()
                if cell in _NULL_SET:
                    return f"{where}, column {names[0]!r}: the label is missing"
                if not _INTEGER.match(cell) or int(cell) not in (1, 2):
                    return (
                        f"{where}, column {names[0]!r}: label {cell!r} is not 1 (no planet) "
                        "or 2 (planet host)"
                    )
            for j in range(start, len(fields)):
                cell = fields[j].strip()
                if cell in _NULL_SET:
                    continue
                if not _NUMBER.match(cell):
                    return f"{where}, column {names[j]!r}: {fields[j]!r} is not a number"
                if cell.lstrip("+-").lower() in ("inf", "infinity"):
                    return f"{where}, column {names[j]!r}: infinite flux {fields[j]!r}"
    return None


def _raise_problem(
    path: Path, names: list[str], has_label: bool, first_row: int, fallback: str
) -> None:
    problem = _find_problem(path, names, has_label, first_row)
    raise FluxTableError(f"{path}: {problem or fallback}")


def _read_errors(path: Path, blocks: Iterator[bytes]) -> Iterator[bytes]:
    """Pass blocks through, turning a read failure (truncated gzip, I/O error) into a FluxTableError."""
    while True:
        try:
            block = next(blocks)
        except StopIteration:
            return
        except (OSError, EOFError) as exc:
            raise FluxTableError(f"{path}: the file is truncated or corrupt ({exc})") from None
        yield block


def _text_blocks(fh: IO[bytes], block_size: int) -> Iterator[bytes]:
    """Whole lines of text, about ``block_size`` bytes at a time."""
    while data := fh.read(block_size):
        if not data.endswith(b"\n"):
            data += fh.readline()
        yield data


def _skip_lines(path: Path, fh: IO[bytes], n: int) -> None:
    """Move ``fh`` past ``n`` more lines (a fast byte scan; nothing is parsed)."""
    while n > 0:
        pos = fh.tell()
        try:
            data = fh.read(1 << 22)
        except (OSError, EOFError) as exc:
            raise FluxTableError(f"{path}: the file is truncated or corrupt ({exc})") from None
        if not data:
            return
        newlines = np.flatnonzero(np.frombuffer(data, dtype=np.uint8) == 10)
        if len(newlines) >= n:
            fh.seek(pos + int(newlines[n - 1]) + 1)
            return
        n -= len(newlines)


def _line_blocks(fh: IO[bytes], n_lines: int, block_size: int) -> Iterator[bytes]:
    """At most ``n_lines`` whole lines, in blocks of about ``block_size`` bytes."""
    while n_lines > 0:
        parts: list[bytes] = []
        size = 0
        while n_lines > 0 and size < block_size:
            line = fh.readline()
            if not line:
                n_lines = 0
                break
            parts.append(line)
            size += len(line)
            n_lines -= 1
        if not parts:
            return
        yield b"".join(parts)


def _stream_blocks(
    path: Path,
    names: list[str],
    label_column: str | None,
    *,
    first_row: int = 0,
    n_rows: int | None = None,
) -> Iterator[tuple[int, np.ndarray | None, np.ndarray]]:
    """Yield (first_row, labels, flux) for each block of text, parsed and validated.

    The file is cut into blocks of whole lines here, and each block is parsed by
    pyarrow (in parallel, with correctly rounded float parsing); holding one block at a
    time keeps memory bounded, which pyarrow's own streaming reader, reading ahead,
    does not. ``names`` is the header as checked by :func:`_read_header`. ``first_row``
    and ``n_rows`` read only star rows ``first_row … first_row + n_rows - 1`` (lines after
    the header; the rows before are skipped by a byte scan, not parsed).
    """
    has_label = label_column is not None
    start = 1 if has_label else 0
    n_flux = len(names) - start
    types: dict[str, pa.DataType] = {name: pa.float64() for name in names[start:]}
    if has_label:
        types[names[0]] = pa.int64()
    convert_options = pacsv.ConvertOptions(
        column_types=types,
        null_values=list(_NULLS),
        strings_can_be_null=False,
        quoted_strings_can_be_null=True,
    )
    rows_done = first_row
    with _open_binary(path) as fh:
        fh.readline()  # the header, checked by _read_header
        _skip_lines(path, fh, first_row)
        blocks = _text_blocks(fh, _MIN_BLOCK) if n_rows is None else _line_blocks(fh, n_rows, _MIN_BLOCK)
        for text in _read_errors(path, blocks):
            # One parse block per text block: a single chunk per column, so the
            # conversion below is zero-copy (splitting the block costs more than it gains).
            read_options = pacsv.ReadOptions(
                column_names=names, use_threads=True, block_size=len(text) + 1
            )
            try:
                table = pacsv.read_csv(
                    pa.BufferReader(text),
                    read_options=read_options,
                    convert_options=convert_options,
                )
            except pa.ArrowInvalid as exc:
                _raise_problem(
                    path,
                    names,
                    has_label,
                    rows_done,
                    f"cannot be parsed after star row {rows_done} ({exc})",
                )
            del text
            n = table.num_rows
            if n == 0:
                continue
            # Columns are contiguous in arrow: fill a (cadence, star) array row by row,
            # then transpose once (much faster than writing strided columns).
            by_cadence = np.empty((n_flux, n), dtype=np.float64)
            for j in range(n_flux):
                by_cadence[j] = table.column(start + j).to_numpy()
            flux = np.ascontiguousarray(by_cadence.T)
            del by_cadence
            labels = None
            if has_label:
                col = table.column(0)
                if col.null_count:
                    i = int(np.flatnonzero(col.is_null().to_numpy())[0])
                    _raise_problem(
                        path,
                        names,
                        has_label,
                        rows_done + i,
                        f"star row {rows_done + i + 1}: label missing",
                    )
                values = col.to_numpy()
                bad = (values != 1) & (values != 2)
                if bad.any():
                    i = int(np.argmax(bad))
                    _raise_problem(
                        path,
                        names,
                        has_label,
                        rows_done + i,
                        f"star row {rows_done + i + 1}: label {values[i]} is not 1 (no planet) or 2 (planet host)",
                    )
                labels = values.astype(np.int8)
            del table
            inf_rows = np.isinf(flux).any(axis=1)
            if inf_rows.any():
                i = int(np.argmax(inf_rows))
                _raise_problem(
                    path,
                    names,
                    has_label,
                    rows_done + i,
                    f"star row {rows_done + i + 1}: infinite flux",
                )
            yield rows_done, labels, flux
            rows_done += n
    if rows_done == first_row:
        if first_row:
            raise FluxTableError(f"{path}: the table has no star row {first_row + 1} (it has fewer rows)")
        raise FluxTableError(f"{path}: the table has a header but no star rows")


def count_star_rows(path: str | os.PathLike[str]) -> int:
    """Star rows of a table file (its lines less the header), without parsing them."""
    return max(_count_lines(Path(path)) - 1, 0)


def _count_lines(path: Path) -> int:
    """Upper bound on the number of rows: newline-terminated lines (+1 for an unterminated last one)."""
    count = 0
    last = b"\n"
    with _open_binary(path) as fh:
        while block := fh.read(1 << 24):
            count += block.count(b"\n")
            last = block[-1:]
    return count + (last != b"\n")


def _warn_all_nan(path: Path, rows: list[int]) -> None:
    if rows:
        shown = ", ".join(str(r + 1) for r in rows[:10]) + (" ..." if len(rows) > 10 else "")
        warnings.warn(
            f"{path}: {len(rows)} star rows have no finite flux at any cadence (rows {shown}); "
            "they are kept, but cannot become light curves",
            StarskopeWarning,
            stacklevel=3,
        )


def read_flux_table(
    path: str | os.PathLike[str], *, campaign: int = 3, label_column: str | None = "LABEL"
) -> FluxTable:
    """Read a whole Kaggle-layout flux table (``.csv`` or ``.csv.gz``).

    Parameters
    ----------
    path : str or PathLike
    campaign : int
        K2 campaign of the table, for the rebuilt time stamps (3 for the Kaggle tables).
    label_column : str or None
        Name of the label column, which must come first; None for a table without labels.

    Returns
    -------
    FluxTable

    Raises
    ------
    LightCurveFileError
        The file does not exist or is a folder.
    FluxTableError
        The file breaks the layout (see the module docstring); the message names the
        file, the line and star row, the column and the value.
    ParameterError
        An unknown campaign.

    Warns
    -----
    StarskopeWarning
        Rows with no finite flux.
    """
    p = _check_file(path)
    if campaign not in _FIRST_CADENCE_BKJD:
        rebuild_time(1, campaign)  # raises the ParameterError naming the known campaigns
    names = _read_header(p, label_column)
    try:
        capacity = max(_count_lines(p) - 1, 1)
    except (OSError, EOFError) as exc:
        raise FluxTableError(f"{p}: the file is truncated or corrupt ({exc})") from None
    flux: np.ndarray | None = None
    labels: np.ndarray | None = None
    n = 0
    for first, lab, block in _stream_blocks(p, names, label_column):
        if flux is None:
            flux = np.empty((capacity, block.shape[1]), dtype=np.float64)
            labels = np.empty(capacity, dtype=np.int8) if lab is not None else None
        if first + len(block) > len(
            flux
        ):  # more rows than lines counted: cannot happen for a plain file
            grow = max(first + len(block), 2 * len(flux))
            flux = np.concatenate([flux, np.empty((grow - len(flux), flux.shape[1]))])
            if labels is not None:
                labels = np.concatenate([labels, np.empty(grow - len(labels), dtype=np.int8)])
        flux[first : first + len(block)] = block
        if labels is not None and lab is not None:
            labels[first : first + len(block)] = lab
        n = first + len(block)
    assert flux is not None  # _stream_blocks raises on a table without rows
    if n < len(flux):  # blank lines were counted as rows
        flux = flux[:n].copy()
        labels = None if labels is None else labels[:n].copy()
    table = FluxTable(flux, labels, source=p, row_offset=0, campaign=campaign)
    _warn_all_nan(p, table.all_nan_rows.tolist())
    return table


def iter_flux_table(
    path: str | os.PathLike[str],
    chunksize: int = 500,
    *,
    campaign: int = 3,
    label_column: str | None = "LABEL",
) -> Iterator[FluxTable]:
    """Stream a flux table as FluxTables of at most ``chunksize`` rows.

    Memory stays bounded by one chunk plus one parse block (4 MiB of text), whatever
    the size of the file. Each chunk's ``row_offset`` is the row of its first star.
    The file and its header are checked when this is called; problems in the rows are
    found as the stream reaches them, so chunks before a bad row have already been
    yielded when the :class:`FluxTableError` is raised.

    Parameters
    ----------
    path : str or PathLike
    chunksize : int
        Rows per chunk (≥ 1); the last chunk may be shorter.
    campaign, label_column
        As for :func:`read_flux_table`.

    Returns
    -------
    iterator of FluxTable

    Raises
    ------
    ParameterError
        ``chunksize`` < 1 or an unknown campaign.
    LightCurveFileError, FluxTableError
        As for :func:`read_flux_table`.
    """
    if int(chunksize) < 1:
        raise ParameterError(f"chunksize must be ≥ 1; got {chunksize}")
    p = _check_file(path)
    if campaign not in _FIRST_CADENCE_BKJD:
        rebuild_time(1, campaign)
    names = _read_header(p, label_column)
    return _iter_chunks(p, names, int(chunksize), campaign, label_column)


def is_flux_table(path: str | os.PathLike[str]) -> bool:
    """True when ``path`` is a ``.csv``/``.csv.gz`` whose header is the Kaggle layout
    (``LABEL,FLUX.1,…`` or ``FLUX.1,…``); False for anything else, unreadable files included."""
    p = Path(path)
    name = p.name.lower()
    if not (name.endswith(".csv") or name.endswith(".csv.gz")):
        return False
    try:
        with _open_binary(p) as fh:
            head = fh.readline(4096).decode("utf-8-sig", errors="replace").strip().split(",")
    except (OSError, EOFError):
        return False
    cols = [c.strip().strip('"').upper() for c in head[:3]]
    return (len(cols) >= 2 and cols[0] == "LABEL" and cols[1] == "FLUX.1") or (bool(cols) and cols[0] == "FLUX.1")


def read_flux_table_rows(
    path: str | os.PathLike[str],
    start: int,
    stop: int,
    *,
    campaign: int = 3,
    label_column: str | None = "LABEL",
) -> FluxTable:
    """Read star rows ``start … stop - 1`` of a flux table (0 = the first row after the header).

    The rows before ``start`` are skipped by a byte scan without parsing, so a batch
    worker can read its share of a large table in about the time of parsing the share.

    Parameters
    ----------
    path : str or PathLike
    start, stop : int
        Row range, half open; ``stop`` past the end reads to the end.
    campaign, label_column
        As for :func:`read_flux_table`.

    Returns
    -------
    FluxTable
        With ``row_offset == start``.

    Raises
    ------
    ParameterError
        ``start < 0`` or ``stop <= start``, or an unknown campaign.
    LightCurveFileError, FluxTableError
        As for :func:`read_flux_table`; also when the table has no row ``start``.
    """
    if int(start) < 0 or int(stop) <= int(start):
        raise ParameterError(f"row range must satisfy 0 <= start < stop; got start={start}, stop={stop}")
    p = _check_file(path)
    if campaign not in _FIRST_CADENCE_BKJD:
        rebuild_time(1, campaign)
    names = _read_header(p, label_column)
    fluxes: list[np.ndarray] = []
    labels: list[np.ndarray] = []
    for _first, lab, block in _stream_blocks(p, names, label_column, first_row=int(start),
                                             n_rows=int(stop) - int(start)):
        fluxes.append(block)
        if lab is not None:
            labels.append(lab)
    table = FluxTable(np.concatenate(fluxes), np.concatenate(labels) if labels else None,
                      source=p, row_offset=int(start), campaign=campaign)
    _warn_all_nan(p, (table.all_nan_rows + table.row_offset).tolist())
    return table


def _iter_chunks(
    p: Path, names: list[str], chunksize: int, campaign: int, label_column: str | None
) -> Iterator[FluxTable]:
    pending_flux: list[np.ndarray] = []
    pending_labels: list[np.ndarray] = []
    pending = 0
    offset = 0
    time: Time | None = None

    def emit(count: int) -> FluxTable:
        nonlocal pending_flux, pending_labels, pending, offset, time
        flux = np.concatenate(pending_flux) if len(pending_flux) > 1 else pending_flux[0]
        labels = (
            (np.concatenate(pending_labels) if len(pending_labels) > 1 else pending_labels[0])
            if pending_labels
            else None
        )
        chunk = FluxTable(
            flux[:count],
            None if labels is None else labels[:count],
            source=p,
            row_offset=offset,
            campaign=campaign,
        )
        if time is None:
            time = chunk.time
        chunk._time = time
        pending_flux = [flux[count:]] if count < len(flux) else []
        pending_labels = [labels[count:]] if labels is not None and count < len(labels) else []
        pending -= count
        offset += count
        _warn_all_nan(p, (chunk.all_nan_rows + chunk.row_offset).tolist())
        return chunk

    for _first, lab, block in _stream_blocks(p, names, label_column):
        pending_flux.append(block)
        if lab is not None:
            pending_labels.append(lab)
        pending += len(block)
        while pending >= chunksize:
            yield emit(chunksize)
    if pending:
        yield emit(pending)


# ------------------------------------------------------------------------------------------
# writing


def write_flux_table(
    path: str | os.PathLike[str],
    flux: Any,
    labels: Any = None,
    *,
    float_format: str | None = None,
    label_column: str = "LABEL",
) -> Path:
    """Write the Kaggle layout, atomically.

    The rows go to a temporary file in the same folder, which is flushed to disk and
    then renamed over ``path``: readers see the old file or the whole new one, never
    half of it, and nothing is left behind when writing fails. A ``.gz`` suffix
    writes a gzip-compressed table.

    Parameters
    ----------
    path : str or PathLike
    flux : array_like or Quantity, shape (n_stars, n_cadences)
        Flux in e⁻/s (a Quantity is converted to e⁻/s); NaN is written as ``nan``.
    labels : array_like of int, optional
        2 = planet host, 1 = not; None writes a table without the label column.
    float_format : str, optional
        printf-style format for flux values, e.g. ``'%.2f'`` like the Kaggle tables.
        The default writes the shortest text that reads back to the identical float64,
        so a write → read round trip is bit-for-bit.
    label_column : str
        Name of the label column.

    Returns
    -------
    Path
        The path written.

    Raises
    ------
    FluxTableError
        ``flux`` not 2-D or empty, infinite flux, ``labels`` of the wrong length or with
        values other than 1 and 2.
    ParameterError
        A ``float_format`` that cannot format a float.
    LightCurveFileError
        The target folder does not exist.
    """
    p = Path(path)
    if isinstance(flux, u.Quantity):
        try:
            flux = flux.to_value(FLUX_UNIT)
        except u.UnitConversionError:
            raise FluxTableError(
                f"{p}: flux must be in e-/s (or convertible); got {flux.unit}"
            ) from None
    values = np.asarray(flux, dtype=np.float64)
    if values.ndim != 2 or values.shape[0] == 0 or values.shape[1] == 0:
        raise FluxTableError(
            f"{p}: flux must be a non-empty 2-D array (n_stars × n_cadences); got shape {values.shape}"
        )
    if np.isinf(values).any():
        i, j = (int(x) for x in np.argwhere(np.isinf(values))[0])
        raise FluxTableError(f"{p}: infinite flux at star row {i + 1}, column FLUX.{j + 1}")
    n_stars, n_flux = values.shape
    label_values = None
    if labels is not None:
        label_values = np.asarray(labels)
        if label_values.shape != (n_stars,):
            raise FluxTableError(
                f"{p}: labels has shape {label_values.shape} but flux has {n_stars} rows"
            )
        bad = ~np.isin(label_values, (1, 2))
        if bad.any():
            i = int(np.argmax(bad))
            raise FluxTableError(
                f"{p}: label {label_values[i].item()!r} at star row {i + 1} is not 1 (no planet) or 2 (planet host)"
            )
        label_values = label_values.astype(np.int8)
    if float_format is not None:
        try:
            float_format % 1.5
        except (TypeError, ValueError):
            raise ParameterError(
                f"float_format must be a printf-style float format such as '%.2f'; got {float_format!r}"
            ) from None
    if not p.parent.is_dir():
        raise LightCurveFileError(f"{p}: folder {p.parent} does not exist")

    names = ([label_column] if label_values is not None else []) + [
        f"FLUX.{j}" for j in range(1, n_flux + 1)
    ]
    tmp = p.parent / f".{p.name}.{uuid.uuid4().hex}.tmp"
    raw = tmp.open("xb")
    try:
        out: IO[bytes] = gzip.GzipFile(fileobj=raw, mode="wb") if p.suffix == ".gz" else raw  # type: ignore[assignment]
        out.write((",".join(names) + "\n").encode())
        step = 256
        for a in range(0, n_stars, step):
            block = values[a : a + step]
            lab = None if label_values is None else label_values[a : a + step]
            out.write(_format_rows(block, lab, names, float_format))
        if out is not raw:
            out.close()
        raw.flush()
        os.fsync(raw.fileno())
        raw.close()
        os.replace(tmp, p)
    except BaseException:
        raw.close()
        tmp.unlink(missing_ok=True)
        raise
    _fsync_folder(p.parent)
    return p


def _format_rows(
    block: np.ndarray, labels: np.ndarray | None, names: list[str], float_format: str | None
) -> bytes:
    if float_format is None:
        # pyarrow writes the shortest decimal that parses back to the same double.
        columns: list[pa.Array] = []
        if labels is not None:
            columns.append(pa.array(labels, type=pa.int8()))
        columns.extend(pa.array(block[:, j], type=pa.float64()) for j in range(block.shape[1]))
        table = pa.Table.from_arrays(columns, names=names)
        buf = io.BytesIO()
        pacsv.write_csv(
            table, buf, write_options=pacsv.WriteOptions(include_header=False, quoting_style="none")
        )
        return buf.getvalue()
    lines = []
    for i, row in enumerate(block):
        cells = [float_format % v for v in row.tolist()]
        if labels is not None:
            cells.insert(0, str(int(labels[i])))
        lines.append(",".join(cells))
    return ("\n".join(lines) + "\n").encode()


def _fsync_folder(folder: Path) -> None:
    """Make the rename durable (POSIX); a no-op where folders cannot be opened."""
    try:
        fd = os.open(folder, os.O_RDONLY)
    except OSError:
        return
    try:
        os.fsync(fd)
    except OSError:
        pass
    finally:
        os.close(fd)
