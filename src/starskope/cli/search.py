"""``starskope search FILE...``: find and vet transits in light-curve files.

Each file is read (:func:`starskope.io.read`) and analysed as every entry point
analyses a star (:func:`starskope.analysis.analyse`: cleaned with its telescope's
defaults, searched in period bands several planets deep, every candidate vetted knowing
the others, stellar parameters and known signals from the catalogues when the star is
in them). The result is one row per candidate: file, target, period (d), epoch
(BJD_TDB), depth (ppm), duration (h), SNR, transits with data, implied radius (R⊕) and
the vetting flags, in a table that fits a 100-column terminal; ``--long`` adds, below it,
each candidate's file, depth error, odd/even and secondary significance, disposition and
the reason for each flag. ``--out table.csv`` or ``--out table.json`` also writes
every diagnostic of every candidate. ``--time-format`` and ``--mission`` say how to read
files that do not state their time system or telescope (a headerless CSV).

A file that cannot be read, cleaned or searched gives one line naming it on stderr and
the run goes on; the exit code is 2 when any file failed.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer

from ..analysis.options import AnalysisOptions
from ..errors import ParameterError, StarskopeError
from ..limits import check_snr_threshold
from ._common import cli_message, mission_option, read_options, stdout_console, time_format_option

__all__ = ["register", "search_file", "write_rows"]

#: Columns of the printed table: (row key, header, format), narrow enough for a
#: 100-column terminal; ``--long`` adds :func:`candidate_details` below it.
TABLE_COLUMNS: list[tuple[str, str, str]] = [
    ("target", "star", "{}"),
    ("candidate", "#", "{:.0f}"),
    ("period_days", "period\n[d]", "{:.5f}"),
    ("epoch_bjd", "epoch\n[BJD_TDB]", "{:.4f}"),
    ("depth_ppm", "depth\n[ppm]", "{:.0f}"),
    ("duration_hours", "T14\n[h]", "{:.2f}"),
    ("snr", "SNR", "{:.1f}"),
    ("n_transits", "tran-\nsits", "{:.0f}"),
    ("radius_rearth", "Rp\n[R⊕]", "{:.2f}"),
    ("flags", "flags", "{}"),
]

#: Columns whose text may wrap; the numbers never do.
_WRAPPING = ("target", "flags")


def search_file(
    path: str,
    *,
    period_min: float = AnalysisOptions.period_min_days,
    period_max: float | None = None,
    snr: float = 7.1,
    max_planets: int = 3,
    catalog_match: bool = True,
    mission: str | None = None,
    time_format: str | None = None,
    notes: list[str] | None = None,
    catalog_dir: str | None = None,
) -> list[dict[str, Any]]:
    """Read, analyse and vet one file; one dict per candidate.

    The star is analysed as every entry point analyses it (:func:`starskope.analysis.analyse`
    with :func:`~starskope.analysis.options_for` and these settings: period range,
    detection threshold ``snr``, ``max_planets`` candidates, the catalogue comparison),
    and every candidate is vetted knowing the others. ``mission`` and ``time_format``
    are passed to :func:`starskope.io.read` for files that do not say (a headerless
    CSV). With ``catalog_match`` the star's parameters and the known signals of it and
    its neighbours come from the catalogue folder ``catalog_dir``
    (:func:`starskope.analysis.lookups.catalogue_lookups`); a look-up that failed is said
    in ``notes``.

    Each dict holds ``file``, ``target``, ``mission``, ``candidate`` (1, 2, ...),
    ``flags`` (comma-separated), ``disposition``, the candidate's columns and every
    diagnostic of :meth:`~starskope.vetting.VettingReport.as_row`; a lone transit gets
    ``flags = "SINGLE_TRANSIT"`` and its period range (``period_days`` the shortest the
    data allow, ``period_max_days`` the longest its duration allows). A file with no
    candidate above ``snr`` gives one row with ``candidate = 0`` and NaN values.

    Raises
    ------
    StarskopeError
        The file cannot be read, cleaned or searched (the message names the file).
    """
    import os

    import numpy as np

    from ..analysis import analyse, options_for
    from ..analysis.lookups import catalogue_lookups
    from ..io import read
    from ..lightcurve import arrays

    if catalog_dir is not None:
        os.environ["STARSKOPE_CATALOGS"] = str(catalog_dir)  # where this command's look-ups read
    lc = read(path, mission=mission, time_format=time_format)
    span = float(np.ptp(arrays(lc).time)) if len(lc) else 0.0
    if period_max is not None and period_max > span:
        raise ParameterError(
            f"{path}: --period-max {period_max:g} d is longer than the light curve's {span:.1f}-day span"
        )
    options = options_for(None, {"period_min_days": period_min, "period_max_days": period_max, "search_snr": snr,
                                 "max_planets": max_planets, "catalog_match": catalog_match,
                                 "stellar": "auto" if catalog_match else False, "star_types": False})
    a = analyse(lc, options=options, detail=True, label=Path(path).name)
    if notes is not None and catalog_match:
        found = catalogue_lookups(a.target or None)
        notes.extend(n for n in found.notes if n not in notes)
    base = {"file": str(path), "target": a.target, "mission": a.mission}
    rows = []
    reports = list(getattr(a, "candidate_reports", None) or [])
    for i, cand in enumerate(a.candidates, start=1):
        rep = reports[i - 1] if i - 1 < len(reports) else None
        row: dict[str, Any] = {**base, "candidate": i, "flags": ",".join(rep.flag_names) if rep else "",
                               "disposition": rep.disposition if rep else "not vetted"}
        shown = rep.candidate if rep is not None else cand
        if rep is not None:
            row.update(rep.as_row())
        row.update(period_days=shown.period_days, epoch_bjd=shown.epoch_bjd, snr=float(shown.snr),
                   n_transits=float(shown.n_transits), duration_hours=shown.duration_hours,
                   depth_ppm=shown.depth_ppm, search_snr=float(cand.snr),
                   reasons=" | ".join(f"{f.name}: {f.reason}" for f in rep.flags) if rep else "")
        row.setdefault("radius_rearth", math.nan)
        rows.append(row)
    for k, single in enumerate(a.search.singles if a.search is not None else [], start=len(rows) + 1):
        rows.append({**base, "candidate": k, "flags": "SINGLE_TRANSIT", "disposition": "single transit",
                     "period_days": single.period_days, "period_max_days": single.extra.get("period_max_days"),
                     "epoch_bjd": single.epoch_bjd, "depth_ppm": single.depth_ppm,
                     "duration_hours": single.duration_hours, "snr": float(single.snr), "n_transits": 1.0,
                     "radius_rearth": math.nan, "search_snr": float(single.snr), "reasons": ""})
    if not rows:
        return [{**base, "candidate": 0, "flags": "", "disposition": "no candidate", "period_days": math.nan,
                 "epoch_bjd": math.nan, "depth_ppm": math.nan, "duration_hours": math.nan, "snr": math.nan,
                 "n_transits": math.nan, "radius_rearth": math.nan}]
    return rows


def write_rows(rows: list[dict[str, Any]], out: str) -> Path:
    """Write rows to ``out``: CSV (``.csv``) or JSON (``.json``, NaN as null).

    Raises
    ------
    ParameterError
        An extension other than .csv or .json.
    """
    import pandas as pd

    path = Path(out)
    suffix = path.suffix.lower()
    if suffix not in (".csv", ".json"):
        raise ParameterError(f"--out {out}: the extension must be .csv or .json; got {suffix or 'none'!r}")
    if suffix == ".csv":
        pd.DataFrame(rows).to_csv(path, index=False)
    else:
        def clean_value(v: Any) -> Any:
            return None if isinstance(v, float) and not math.isfinite(v) else v

        path.write_text(json.dumps([{k: clean_value(v) for k, v in r.items()} for r in rows], indent=1))
    return path


def _fmt(value: Any, fmt: str) -> str:
    if isinstance(value, float) and not math.isfinite(value):
        return "-"
    try:
        return fmt.format(value)
    except (ValueError, TypeError):
        return str(value)


def _cell(row: dict[str, Any], key: str, fmt: str) -> str:
    if key == "target":
        return str(row.get("target") or Path(str(row.get("file", ""))).name)
    if key == "flags":
        # a space after each comma lets a narrow table wrap between flag names
        return ", ".join(f for f in str(row.get("flags") or "").split(",") if f) or (
            "none" if row.get("candidate") else "no candidate")
    if key == "candidate" and not row.get("candidate"):
        return "-"
    return _fmt(row.get(key, math.nan), fmt)


def candidate_table(rows: list[dict[str, Any]], title: str) -> Any:
    """The printed table of :func:`search_file` rows: the key numbers and the flags,
    narrow enough for a 100-column terminal."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=escape(title), title_justify="left", box=box.SIMPLE_HEAD, pad_edge=False,
                  collapse_padding=True)
    # a star's name stays on one line while it can; the flags wrap first
    star_width = min(max((len(_cell(r, "target", "{}")) for r in rows), default=4), 18)
    for key, header, _ in TABLE_COLUMNS:
        wraps = key in _WRAPPING
        table.add_column(escape(header), justify="left" if wraps else "right", no_wrap=not wraps,
                         overflow="fold", min_width=star_width if key == "target" else None)
    for r in rows:
        table.add_row(*[escape(_cell(r, key, fmt)) for key, _, fmt in TABLE_COLUMNS])
    return table


def candidate_details(row: dict[str, Any]) -> list[str]:
    """What ``--long`` prints about one candidate below the table: its file, the
    numbers the table leaves out, the disposition and the reason for each flag."""
    star = _cell(row, "target", "{}")
    head = f"{star} #{row.get('candidate', 0)} ({Path(str(row.get('file', ''))).name})"
    if not row.get("candidate"):
        return [f"{head}: no candidate above the threshold"]
    numbers = [
        ("depth error", row.get("depth_err_ppm"), "{:.0f} ppm"),
        ("odd/even", row.get("odd_even_sigma"), "{:.1f}σ"),
        ("secondary", row.get("secondary_sigma"), "{:.1f}σ"),
        ("a/R★", row.get("a_over_rstar"), "{:.3g}"),
        ("stellar density", row.get("density_gcc"), "{:.3g} g/cm³"),
        ("search SNR", row.get("search_snr"), "{:.1f}"),
    ]
    said = [f"{name} {_fmt(v, fmt)}" for name, v, fmt in numbers
            if isinstance(v, int | float) and math.isfinite(v)]
    lines = [head, f"  {row.get('disposition', '')}" + (f"; {', '.join(said)}" if said else "")]
    for reason in (str(row.get("reasons") or "").split(" | ") if row.get("reasons") else []):
        lines.append(f"  {reason}")
    return lines


def register(app: typer.Typer) -> None:
    @app.command("search")
    def search_cmd(
        files: list[str] = typer.Argument(..., help="Light-curve files (FITS, CSV/TXT, NPZ; .gz too)."),
        out: str | None = typer.Option(None, "--out", "-o",
                                       help="Write every candidate and diagnostic to a .csv or .json file."),
        period_min: float = typer.Option(
            AnalysisOptions.period_min_days, "--period-min",
            help="Shortest period searched, days (0.1 finds contact binaries down to 0.2-d orbits, at half "
                 "their orbit; slower, and more false short-period boxes on active stars)."),
        period_max: float | None = typer.Option(
            None, "--period-max", help="Longest period searched, days (default: half the light curve's span)."),
        snr: float = typer.Option(7.1, "--snr", help="Detection threshold: the least signal-to-noise ratio reported."),
        max_planets: int = typer.Option(3, "--max-planets", help="Most candidates per light curve."),
        no_catalogs: bool = typer.Option(False, "--no-catalogs", help="Do not compare ephemerides with the catalogues."),
        catalog_dir: str | None = typer.Option(
            None, "--catalogs",
            help="Folder of the catalogue tables (default: $STARSKOPE_CATALOGS, else $STARSKOPE_SHARED_DATA/catalogs)."),
        mission: str | None = mission_option(),
        time_format: str | None = time_format_option(),
        long: bool = typer.Option(False, "--long", "-l",
                                  help="Below the table, each candidate's file, depth error, odd/even and "
                                       "secondary significance, disposition and the reason for each flag."),
    ) -> None:
        """Search light curves for transits and vet every candidate (period, depth, SNR, radius, flags).

        Examples:

          starskope search tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz

          starskope search EPIC201367065.csv --time-format bkjd --mission K2 --period-max 40

          starskope search kepler/*.fits --max-planets 5 --out candidates.csv
        """
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )

        if not (math.isfinite(period_min) and period_min > 0):
            raise ParameterError(f"--period-min must be positive; got {period_min}")
        if period_max is not None and not (math.isfinite(period_max) and period_max > period_min):
            raise ParameterError(f"--period-max ({period_max}) must be longer than --period-min ({period_min})")
        check_snr_threshold(snr, name="--snr")
        if max_planets < 1:
            raise ParameterError(f"--max-planets must be at least 1; got {max_planets}")
        if out is not None and Path(out).suffix.lower() not in (".csv", ".json"):
            raise ParameterError(f"--out {out}: the extension must be .csv or .json")
        reading = read_options(mission=mission, time_format=time_format)
        console = stdout_console(wide=long)
        err_console = Console(stderr=True)
        rows: list[dict[str, Any]] = []
        failed: list[str] = []
        notes: list[str] = []
        with Progress(TextColumn("[bold]searching"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      TextColumn("{task.description}"), console=err_console, transient=True,
                      disable=len(files) < 2) as progress:
            task = progress.add_task("", total=len(files))
            for name in files:
                progress.update(task, description=Path(name).name)
                try:
                    rows.extend(search_file(name, period_min=period_min, period_max=period_max, snr=snr,
                                            max_planets=max_planets, catalog_match=not no_catalogs, notes=notes,
                                            catalog_dir=catalog_dir, **reading))
                except StarskopeError as exc:
                    if len(files) == 1:
                        raise  # one file, one line: the error itself
                    text = cli_message(str(exc))
                    msg = text if name in text else f"{name}: {text}"
                    err_console.print(f"error: {escape(msg)}", highlight=False, soft_wrap=True)
                    failed.append(name)
                progress.advance(task)
        for note in notes:
            err_console.print(f"note: {escape(note)}", highlight=False, soft_wrap=True)
        table = candidate_table(rows, f"starskope search: {len(files) - len(failed)} of {len(files)} files")
        if rows:
            console.print(table)
        if long:
            for r in rows:
                for line in candidate_details(r):
                    console.print(escape(line), highlight=False)
        if out is not None:
            path = write_rows(rows, out)
            console.print(f"wrote {len(rows)} rows to {escape(str(path))}")
        if failed:
            raise StarskopeError(f"{len(failed)} of {len(files)} files failed: {', '.join(failed)}")
