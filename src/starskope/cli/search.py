"""``starskope search FILE...``: find and vet transits in light-curve files.

Each file is read (:func:`starskope.io.read`), cleaned with its telescope's defaults
(:func:`starskope.clean.clean`), searched with the box-least-squares search
(:func:`starskope.search.search`, several planets deep) and every candidate is vetted
(:func:`starskope.vetting.vet_many`, stellar parameters from the catalogues when the
star is in them). The result is one row per candidate: file, target, period (d), epoch
(BJD_TDB), depth (ppm), duration (h), SNR, transits with data, implied radius (R⊕) and
the vetting flags. ``--out table.csv`` or ``--out table.json`` also writes every
diagnostic of every candidate.

A file that cannot be read, cleaned or searched gives one line naming it on stderr and
the run goes on; the exit code is 2 when any file failed.
"""

from __future__ import annotations

import json
import math
import sys
from pathlib import Path
from typing import Any

import typer

from ..errors import ParameterError, StarskopeError

__all__ = ["register", "search_file", "write_rows"]

#: Columns of the printed table: (row key, header, format).
TABLE_COLUMNS: list[tuple[str, str, str]] = [
    ("file", "file", "{}"),
    ("target", "target", "{}"),
    ("period_days", "period [d]", "{:.5f}"),
    ("epoch_bjd", "epoch [BJD_TDB]", "{:.4f}"),
    ("depth_ppm", "depth [ppm]", "{:.0f}"),
    ("duration_hours", "duration [h]", "{:.2f}"),
    ("snr", "SNR", "{:.1f}"),
    ("n_transits", "transits", "{:.0f}"),
    ("radius_rearth", "Rp [R⊕]", "{:.2f}"),
    ("flags", "flags", "{}"),
]


def search_file(
    path: str,
    *,
    period_min: float = 0.5,
    period_max: float | None = None,
    snr: float = 7.1,
    max_planets: int = 3,
    catalog_match: bool = True,
) -> list[dict[str, Any]]:
    """Read, clean, search and vet one file; one dict per candidate.

    Each dict holds ``file``, ``target``, ``mission``, ``candidate`` (1, 2, ...),
    ``flags`` (comma-separated), ``disposition``, the candidate's columns and every
    diagnostic of :meth:`~starskope.vetting.VettingReport.as_row`. A file with no
    candidate above ``snr`` gives one row with ``candidate = 0`` and NaN values.

    Raises
    ------
    StarskopeError
        The file cannot be read, cleaned or searched (the message names the file).
    """
    import astropy.units as u
    import numpy as np

    from ..clean import clean
    from ..io import read
    from ..search import search
    from ..vetting import vet_many

    lc = read(path)
    cleaned = clean(lc, period_max=None if period_max is None else period_max * u.day)
    span = float(np.ptp(cleaned.time.tdb.jd)) if len(cleaned) else 0.0
    pmax = period_max
    if pmax is not None and pmax > span:
        raise ParameterError(
            f"{path}: --period-max {pmax:g} d is longer than the light curve's {span:.1f}-day span"
        )
    result = search(cleaned, period_min=period_min * u.day,
                    period_max=None if pmax is None else pmax * u.day,
                    snr_threshold=snr, max_planets=max_planets)
    target = str(cleaned.meta.get("OBJECT") or "")
    mission = str(cleaned.meta.get("MISSION") or "")
    base = {"file": str(path), "target": target, "mission": mission}
    if not result.candidates:
        return [{**base, "candidate": 0, "flags": "", "disposition": "no candidate", "period_days": math.nan,
                 "epoch_bjd": math.nan, "depth_ppm": math.nan, "duration_hours": math.nan, "snr": math.nan,
                 "n_transits": math.nan, "radius_rearth": math.nan}]
    reports = vet_many(cleaned, result.candidates, catalog_match=catalog_match)
    rows = []
    for i, rep in enumerate(reports, start=1):
        row: dict[str, Any] = {**base, "candidate": i, "flags": ",".join(rep.flag_names),
                               "disposition": rep.disposition}
        row.update(rep.as_row())
        row["period_days"] = rep.candidate.period_days
        row["epoch_bjd"] = rep.candidate.epoch_bjd
        row["snr"] = float(rep.candidate.snr)
        row["n_transits"] = float(rep.candidate.n_transits)
        row["duration_hours"] = rep.candidate.duration_hours
        row["depth_ppm"] = rep.candidate.depth_ppm
        row["search_snr"] = float(result.candidates[i - 1].snr)
        row["reasons"] = " | ".join(f"{f.name}: {f.reason}" for f in rep.flags)
        rows.append(row)
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


def register(app: typer.Typer) -> None:
    @app.command("search")
    def search_cmd(
        files: list[str] = typer.Argument(..., help="Light-curve files (FITS, CSV/TXT, NPZ; .gz too)."),
        out: str | None = typer.Option(None, "--out", "-o", help="Write every candidate and diagnostic to a .csv or .json file."),
        period_min: float = typer.Option(0.5, "--period-min", help="Shortest period searched [days]."),
        period_max: float | None = typer.Option(None, "--period-max", help="Longest period searched [days] (default half the span)."),
        snr: float = typer.Option(7.1, "--snr", help="Detection threshold (SNR)."),
        max_planets: int = typer.Option(3, "--max-planets", help="Most candidates per light curve."),
        no_catalogs: bool = typer.Option(False, "--no-catalogs", help="Do not compare ephemerides with the catalogues."),
    ) -> None:
        """Search light curves for transits and vet every candidate (period, depth, SNR, radius, flags)."""
        from rich.console import Console
        from rich.markup import escape
        from rich.progress import (
            BarColumn,
            MofNCompleteColumn,
            Progress,
            TextColumn,
            TimeRemainingColumn,
        )
        from rich.table import Table

        if period_min <= 0:
            raise ParameterError(f"--period-min must be positive; got {period_min}")
        if period_max is not None and period_max <= period_min:
            raise ParameterError(f"--period-max ({period_max}) must be longer than --period-min ({period_min})")
        if max_planets < 1:
            raise ParameterError(f"--max-planets must be at least 1; got {max_planets}")
        if out is not None and Path(out).suffix.lower() not in (".csv", ".json"):
            raise ParameterError(f"--out {out}: the extension must be .csv or .json")
        # a wide table when the output is a file or pipe (no terminal to fit)
        console = Console(width=None if sys.stdout.isatty() else 240)
        err_console = Console(stderr=True)
        rows: list[dict[str, Any]] = []
        failed: list[str] = []
        with Progress(TextColumn("[bold]searching"), BarColumn(), MofNCompleteColumn(), TimeRemainingColumn(),
                      TextColumn("{task.description}"), console=err_console, transient=True,
                      disable=len(files) < 2) as progress:
            task = progress.add_task("", total=len(files))
            for name in files:
                progress.update(task, description=Path(name).name)
                try:
                    rows.extend(search_file(name, period_min=period_min, period_max=period_max, snr=snr,
                                            max_planets=max_planets, catalog_match=not no_catalogs))
                except StarskopeError as exc:
                    msg = str(exc) if name in str(exc) else f"{name}: {exc}"
                    err_console.print(f"error: {escape(msg)}", highlight=False, soft_wrap=True)
                    failed.append(name)
                progress.advance(task)
        table = Table(title=f"starskope search: {len(files) - len(failed)} of {len(files)} files", title_justify="left")
        for _, header, _ in TABLE_COLUMNS:
            table.add_column(escape(header), justify="left" if header in ("file", "target", "flags") else "right",
                             overflow="fold")
        for r in rows:
            cells = []
            for key, _, fmt in TABLE_COLUMNS:
                value = Path(r[key]).name if key == "file" else r.get(key, "")
                if key == "flags":
                    value = r.get("flags") or ("none" if r.get("candidate") else "no candidate")
                cells.append(escape(_fmt(value, fmt)))
            table.add_row(*cells)
        if rows:
            console.print(table)
        if out is not None:
            path = write_rows(rows, out)
            console.print(f"wrote {len(rows)} rows to {escape(str(path))}")
        if failed:
            raise StarskopeError(f"{len(failed)} of {len(files)} files failed: {', '.join(failed)}")
