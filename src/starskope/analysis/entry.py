"""``analyse()``: one star from whatever the user has — a light curve, a file, a row of a
flux table, or several files of one star — through the one chain."""

from __future__ import annotations

import os
import warnings
from collections.abc import Sequence
from pathlib import Path
from typing import Any

from ..errors import ParameterError
from .core import analyse_lightcurve, collect_warnings
from .options import AnalysisOptions, options_for
from .result import StarAnalysis

__all__ = ["analyse", "analyse_file", "analyse_files", "read_star"]


def read_star(paths: Sequence[str | os.PathLike[str]], *, mission: str | None = None,
              time_format: str | None = None) -> Any:
    """Read the files of one star into one light curve: one file as it is; several
    segments of one telescope stitched (:func:`starskope.clean.stitch`); several
    telescopes on one BJD_TDB axis (:func:`starskope.multi.stitch_missions`).

    Of several files, one that cannot be read is left out with a
    :class:`~starskope.errors.StarskopeWarning` naming it; when none can be read, the
    error names every file.
    """
    return _read_star(paths, mission=mission, time_format=time_format)[0]


def _read_star(paths: Sequence[str | os.PathLike[str]], *, mission: str | None,
               time_format: str | None) -> tuple[Any, list[str]]:
    """The star's light curve and the files it was made of."""
    from ..clean import stitch
    from ..errors import LightCurveFileError, StarskopeError, StarskopeWarning
    from ..io import read

    if not paths:
        raise ParameterError("no light-curve files given for the star")
    if len(paths) == 1:
        return read(paths[0], mission=mission, time_format=time_format), [str(paths[0])]
    lcs, used, failed = [], [], []
    for p in paths:
        try:
            lcs.append(read(p, mission=mission, time_format=time_format))
            used.append(str(p))
        except StarskopeError as exc:
            failed.append((p, exc))
    if not lcs:
        kinds = {type(exc) for _, exc in failed}
        error = kinds.pop() if len(kinds) == 1 else LightCurveFileError
        raise error(f"none of the star's {len(paths)} files could be read: "
                    + "; ".join(_without_path(p, exc) for p, exc in failed))
    for p, exc in failed:
        # a group of files is one star; the others still tell about it
        warnings.warn(f"{Path(p).name} left out of the star, it cannot be read: {_without_path(p, exc)}",
                      StarskopeWarning, stacklevel=3)
    if len(lcs) == 1:
        return lcs[0], used
    missions = {str(lc.meta.get("MISSION") or "") for lc in lcs}
    if len(missions) == 1:
        return stitch(sorted(lcs, key=lambda lc: float(lc.time.tdb.jd[0]))), used
    from ..multi import stitch_missions

    return stitch_missions(lcs), used


def _without_path(path: str | os.PathLike[str], exc: Exception) -> str:
    """The error's message with the file named once, by its name."""
    text = str(exc).replace(str(path), Path(path).name)
    return text if Path(path).name in text else f"{Path(path).name}: {text}"


def analyse_file(path: str | os.PathLike[str], *, options: AnalysisOptions | None = None, label: str = "",
                 mission: str | None = None, time_format: str | None = None, detail: bool = False) -> StarAnalysis:
    """Read one light-curve file (:func:`starskope.io.read`) and analyse it.

    Parameters
    ----------
    path : path-like
    options : AnalysisOptions, optional
    label : str
        Display name (default the file name).
    mission, time_format : str, optional
        For files that do not say (CSV, NPZ), as in :func:`starskope.io.read`.
    detail : bool
        Also vet a candidate below the detection threshold, for display.
    """
    return analyse_files([path], options=options, label=label or Path(path).name, mission=mission,
                         time_format=time_format, detail=detail)


def analyse_files(paths: Sequence[str | os.PathLike[str]], *, options: AnalysisOptions | None = None,
                  label: str = "", mission: str | None = None, time_format: str | None = None,
                  detail: bool = False) -> StarAnalysis:
    """Analyse the files of one star together (quarters, campaigns, sectors, telescopes).

    One target pixel file or FFI cutout is also read as pixels
    (:func:`starskope.io.read_pixels`): the analysis keeps them and vetting adds the
    difference image (:attr:`StarAnalysis.difference_image`).
    """
    with collect_warnings() as read_notes:
        lc, used = _read_star(paths, mission=mission, time_format=time_format)
        pixels = _pixels_of(paths, mission=mission, time_format=time_format)
    name = label or (Path(paths[0]).name if len(paths) == 1 else "")
    # ``file`` lists the files the light curve was made of (a file left out is in the warnings)
    out = analyse_lightcurve(lc, options=options, label=name, file=";".join(used), detail=detail, pixels=pixels)
    if not label and len(paths) > 1:
        out.label = f"{out.target or Path(used[0]).name} ({len(used)} files)"
    out.warnings[:0] = [m for m in read_notes if m not in out.warnings]
    return out


def _pixels_of(paths: Sequence[str | os.PathLike[str]], *, mission: str | None,
               time_format: str | None) -> Any:
    """The pixels of a single target pixel file or FFI cutout (None for anything else)."""
    from ..io import is_pixel_file, read_pixels

    if len(paths) != 1 or not is_pixel_file(paths[0]):
        return None
    return read_pixels(paths[0], mission=mission, time_format=time_format)


def analyse(source: Any, *, options: AnalysisOptions | None = None, model: Any = None, row: int | None = None,
            mission: str | None = None, time_format: str | None = None, label: str = "",
            detail: bool = False) -> StarAnalysis:
    """Analyse one star, and classify it when a model is given.

    Parameters
    ----------
    source : lightkurve.LightCurve, path-like, sequence of path-like, or FluxTable
        A light curve; a light-curve file; the files of one star (stitched); or a
        Kaggle-layout flux table (path or :class:`~starskope.io.flux_table.FluxTable`)
        with ``row``.
    options : AnalysisOptions, optional
        Default :func:`options_for` ``(model)``: the model's own settings.
    model : StarskopeClassifier, optional
        Four-class model whose verdict goes into ``analysis.classification``.
    row : int, optional
        0-based row of a flux table.
    mission, time_format : str, optional
        For files that do not say which telescope or time system they use.
    label : str
        Display name.
    detail : bool
        Also vet a candidate below the detection threshold (reports, web pages).

    Returns
    -------
    StarAnalysis

    Raises
    ------
    ParameterError
        ``row`` without a table, or a table without ``row``.
    LightCurveFileError, LightCurveDataError, TimeSystemError, UnknownLayoutError
        What reading the input raises.
    """
    options = options or options_for(model)
    if row is not None or _is_table(source):
        if row is None:
            raise ParameterError("a flux table holds many stars: give row= (0-based) to analyse one")
        out = _table_row(source, int(row), options=options, label=label, detail=detail)
    elif hasattr(source, "flux") and hasattr(source, "time"):
        out = analyse_lightcurve(source, options=options, label=label, detail=detail)
    elif isinstance(source, str | os.PathLike):
        out = analyse_file(source, options=options, label=label, mission=mission, time_format=time_format,
                           detail=detail)
    else:
        out = analyse_files(list(source), options=options, label=label, mission=mission,
                            time_format=time_format, detail=detail)
    if model is not None:
        from .classify import classify_analyses

        classify_analyses([out], model)
    return out


def _is_table(source: Any) -> bool:
    from ..io.flux_table import FluxTable, is_flux_table

    if isinstance(source, FluxTable):
        return True
    return isinstance(source, str | os.PathLike) and Path(source).is_file() and is_flux_table(source)


def _table_row(source: Any, row: int, *, options: AnalysisOptions, label: str, detail: bool) -> StarAnalysis:
    from ..io.flux_table import FluxTable, read_flux_table_rows
    from .tables import analyse_table_row, table_file_firing_mask, table_firing_mask

    with collect_warnings() as read_notes:
        if isinstance(source, FluxTable):
            table, path = source, str(getattr(source, "source", "") or "")
            if not 0 <= row < len(table):
                raise ParameterError(f"row {row + 1} is outside the table's {len(table)} rows")
            firing = table_firing_mask(table.time.tdb.jd, table.flux, options)
            time, flux = table.time.tdb.jd, table.flux[row]
        else:
            path = str(source)
            part = read_flux_table_rows(path, row, row + 1)
            firing = table_file_firing_mask(path, options)
            time, flux = part.time.tdb.jd, part.flux[0]
    out = analyse_table_row(time, flux, options=options, label=label or f"row {row + 1} of {Path(path).name}",
                            target=f"row {row + 1}", file=path, firing=firing, detail=detail)
    out.warnings[:0] = [m for m in read_notes if m not in out.warnings]
    return out
