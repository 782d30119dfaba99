"""Reading light curves: any Kepler, K2 or TESS light-curve file into one well-formed light curve.

:func:`read` detects the layout from the file itself (FITS header keys and column names,
CSV header and column names, NPZ array names) through the :data:`READERS` registry and
returns a :class:`lightkurve.LightCurve` that follows the conventions of
:mod:`starskope.lightcurve`: absolute TDB times, flux and errors as Quantities, QUALITY
kept, and every key of :data:`~starskope.lightcurve.META_KEYS` in ``meta``::

    >>> import starskope
    >>> lc = starskope.read("kplr000757450-2009259160929_llc.fits.gz")   # doctest: +SKIP
    >>> lc.meta["OBJECT"], lc.meta["QUARTER"], lc.meta["FLUX_ORIGIN"]   # doctest: +SKIP
    ('KIC 757450', 2, 'pdcsap_flux')

Readers (``starskope.io.READERS.names()``): spoc (Kepler/K2 LLC, TESS SPOC 2-min, TESS-SPOC
FFI and data-alert HLSPs), everest, k2sc, k2sff, k2varcat, tasoc, qlp and qlp-det (TESS
Quick-Look Pipeline, KSPSAP_FLUX or DET_FLUX), eleanor, fits-table
(lightkurve-written and other FITS tables), tpf (target pixel files summed over the
pipeline aperture, TESScut FFI cutouts over a threshold aperture; the pixels themselves:
:func:`read_pixels`, a :class:`PixelSeries`), csv (CSV/TXT), npz.

Besides :data:`~starskope.lightcurve.META_KEYS`, ``meta`` carries ``N_CADENCES_FILE`` (rows
in the file's table, before cadences with NaN time are dropped) and ``TIME_REFERENCE``
(where the time zero point and scale came from). A phase-folded light curve (read with
``time_format='phase'`` and ``epoch=``) has ``FOLDED = True`` and ``FOLD_EPOCH``.
"""

from __future__ import annotations

import os
from collections.abc import Iterable
from pathlib import Path
from typing import Any

from astropy.time import Time

from ..errors import StarskopeError
from . import fits as _fits  # noqa: F401  (registers the FITS readers)
from . import npz as _npz  # noqa: F401  (registers the NPZ reader)
from . import text as _text  # noqa: F401  (registers the CSV/TXT reader)
from . import tpf as _tpf  # noqa: F401  (registers the target-pixel-file reader)
from ._base import TIME_FORMATS, ReadOptions
from .detect import READERS, Reader, detect_reader, open_probe
from .flux_table import FluxTable, is_flux_table, iter_flux_table, read_flux_table, write_flux_table
from .identity import FileIdentity, identify
from .tpf import PixelSeries, is_pixel_file, pixel_photometry, read_pixels, threshold_aperture

__all__ = [
    "READERS",
    "TIME_FORMATS",
    "FileIdentity",
    "FluxTable",
    "PixelSeries",
    "Reader",
    "expand_inputs",
    "identify",
    "is_flux_table",
    "is_pixel_file",
    "iter_flux_table",
    "layout",
    "pixel_photometry",
    "read",
    "read_flux_table",
    "read_many",
    "read_pixels",
    "threshold_aperture",
    "write_flux_table",
]


def read(
    path: str | Path,
    *,
    flux_column: str | None = None,
    mission: str | None = None,
    time_format: str | None = None,
    target_id: int | str | None = None,
    quality_bitmask: str | int = "none",
    epoch: Time | float | None = None,
) -> Any:
    """Read one light-curve file into a starskope light curve.

    Parameters
    ----------
    path : str or Path
        A FITS (optionally .gz), CSV/TXT (optionally .gz) or NPZ light-curve file.
    flux_column : str, optional
        Which flux to use: None or 'pdcsap' for the product's corrected flux (PDCSAP_FLUX,
        K2SFF FCOR, EVEREST FLUX, K2SC flux, K2VARCAT DETFLUX, TASOC FLUX_CORR, eleanor
        CORR_FLUX), 'sap' for its raw flux (SAP_FLUX, FRAW, RAW_FLUX, APTFLUX, FLUX_RAW,
        eleanor RAW_FLUX), or any column name of the file. ``meta['FLUX_ORIGIN']`` records it.
        A flux given as the deviation from 1 in a scaled unit (TASOC's FLUX_CORR: ppm
        centred on zero) gets 1 added in that unit (10⁶ ppm), so it divides by its median
        like any flux; the provenance says so.
    mission : str, optional
        'Kepler', 'K2' or 'TESS', for files that do not say (CSV, NPZ); an error if the file
        says otherwise.
    time_format : str, optional
        Time system of a file that does not state it: 'bkjd' (BJD_TDB − 2454833), 'btjd'
        (BJD_TDB − 2457000), 'bjd' or 'jd' (full dates, taken as BJD_TDB), 'mjd', or
        'phase' (days from mid-transit of a phase-folded light curve; needs ``epoch``).
        An error if the file states a different system.
    target_id : int or str, optional
        Catalogue id ('KIC 757450', 'EPIC 201367065', 'TIC 261136679' or a number) for a
        file that does not carry one; an error if it disagrees with the file.
    quality_bitmask : str or int
        Drop cadences whose QUALITY has any of these bits: 'none' (default: keep all),
        'default', 'hard', 'hardest' (the mission's masks) or an integer.
    epoch : astropy.time.Time or float, optional
        Mid-transit time (BJD_TDB when a float) of a phase-folded light curve: its times
        become ``epoch + phase days``, and ``meta['FOLDED']`` is True. Those are not the
        original observation times; they place the folded transit at the reference epoch.

    Returns
    -------
    lightkurve.LightCurve
        ``time`` absolute in TDB (format 'bkjd' for Kepler/K2, 'btjd' for TESS, 'jd'
        otherwise); cadences whose time is NaN in the file are dropped (recorded in
        ``meta['PROVENANCE']``).

    Raises
    ------
    LightCurveFileError
        Missing, empty, truncated or corrupt file.
    UnknownLayoutError
        Not a light-curve layout starskope knows (e.g. a FITS image, a catalogue CSV), or a
        FITS file without a light-curve table.
    LightCurveDataError
        All-NaN flux, non-monotonic or duplicated times, columns of different lengths.
    TimeSystemError
        Time stamps whose system cannot be determined (pass ``time_format=``), or that
        contradict ``time_format=``.
    UnknownNameError
        Unknown ``flux_column``, ``mission``, ``time_format`` or quality mask name.
    ParameterError
        ``mission`` or ``target_id`` contradicting the file.
    """
    opts = ReadOptions(
        flux_column=flux_column,
        mission=mission,
        time_format=time_format,
        target_id=target_id,
        quality_bitmask=quality_bitmask,
        epoch=epoch,
    )
    with open_probe(path) as probe:
        reader = detect_reader(probe)
        return reader.read(probe, opts)


def layout(path: str | Path) -> str:
    """Name of the reader that recognises ``path`` (e.g. 'spoc', 'k2sff', 'csv')."""
    with open_probe(path) as probe:
        return detect_reader(probe).name


def read_many(
    paths: Iterable[str | Path], *, on_error: str = "raise", **kwargs: Any
) -> list[Any]:
    """Read several files with :func:`read` (same keyword arguments for all).

    Parameters
    ----------
    paths : iterable of str or Path
    on_error : {'raise', 'warn'}
        'raise' stops at the first file that cannot be read; 'warn' emits a
        :class:`~starskope.errors.StarskopeWarning` naming it and goes on (the result
        then has fewer light curves than ``paths``).
    **kwargs
        Passed to :func:`read`.
    """
    if on_error not in ("raise", "warn"):
        from ..errors import ParameterError

        raise ParameterError(f"on_error must be 'raise' or 'warn'; got {on_error!r}")
    out = []
    for p in paths:
        try:
            out.append(read(p, **kwargs))
        except StarskopeError as exc:
            if on_error == "raise":
                raise
            from ._base import warn

            warn(f"skipped: {exc}")
    return out


def expand_inputs(paths: Iterable[str | os.PathLike[str]]) -> list[tuple[str, Path]]:
    """Files to analyse, each tagged ``"table"`` (Kaggle layout) or ``"lightcurve"``;
    folders are searched recursively for light-curve files
    (:func:`starskope.filetypes.find_light_curves`).

    Raises
    ------
    LightCurveFileError
        A path that does not exist.
    """
    from ..errors import LightCurveFileError
    from ..filetypes import find_light_curves

    out: list[tuple[str, Path]] = []
    for raw in paths:
        p = Path(raw)
        if not p.exists():
            raise LightCurveFileError(f"{p}: no such file or folder")
        files = find_light_curves(p)[0] if p.is_dir() else [p]
        for q in files:
            out.append(("table" if is_flux_table(q) else "lightcurve", q))
    return out
