"""``starskope info FILE...``: what is in a light-curve file.

For each file: telescope, target, product, quarter / campaign / sector, cadence, time span
(days, start and end as ISO dates in UTC), number of cadences and of flagged cadences
(QUALITY ≠ 0), flux column and unit. ``--json`` prints the same as a JSON list.

A file that cannot be read gives one line naming it and the problem on stderr; the other
files are still described, and the exit code is 2 when any file failed.
"""

from __future__ import annotations

import json
from pathlib import Path
from typing import Any

import typer

from ..errors import StarskopeError
from ._common import cli_message, mission_option, read_options, stdout_console, time_format_option

__all__ = ["describe", "register"]


def describe(lc: Any) -> dict[str, Any]:
    """A JSON-ready summary of a light curve read by :func:`starskope.io.read`."""
    import numpy as np

    meta = lc.meta
    time = lc.time
    start, end = time[0], time[-1]
    quality = np.asarray(lc["quality"]) if "quality" in lc.colnames else np.zeros(len(lc), int)
    segment = None
    for key in ("QUARTER", "CAMPAIGN", "SECTOR"):
        if meta.get(key) is not None:
            segment = {"kind": key.lower(), "number": int(meta[key])}
    cadence = meta.get("CADENCE")
    unit = lc.flux.unit
    return {
        "file": str(meta.get("FILENAME")),
        "mission": meta.get("MISSION"),
        "target": meta.get("OBJECT"),
        "target_id": meta.get("TARGETID"),
        "product": meta.get("PRODUCT"),
        "segment": segment,
        "cadence_min": None if cadence is None else round(float(cadence.to_value("min")), 4),
        "time_format": f"{time.format.upper()} ({time.scale.upper()})",
        "time_span_days": round(float((end - start).to_value("day")), 4),
        "start_bjd": float(start.tdb.jd),
        "end_bjd": float(end.tdb.jd),
        "start_iso": start.utc.isot[:19],
        "end_iso": end.utc.isot[:19],
        "n_cadences": len(lc),
        "n_cadences_file": meta.get("N_CADENCES_FILE"),
        "n_flagged": int(np.count_nonzero(quality)),
        "flux_column": meta.get("FLUX_ORIGIN"),
        "flux_unit": (unit.to_string() or "dimensionless") if unit is not None else "dimensionless",
        "folded": bool(meta.get("FOLDED", False)),
    }


def _table(summary: dict[str, Any]) -> Any:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=Path(summary["file"]).name, show_header=False, title_justify="left")
    table.add_column("field", style="bold cyan", no_wrap=True)
    table.add_column("value", overflow="fold")
    seg = summary["segment"]
    n_file = summary["n_cadences_file"]
    rows = [
        ("mission", summary["mission"] or "unknown"),
        ("target", summary["target"] or "unknown"),
        ("product", summary["product"]),
        ("segment", f"{seg['kind']} {seg['number']}" if seg else "-"),
        ("cadence", f"{summary['cadence_min']:.4g} min" if summary["cadence_min"] is not None else "-"),
        ("time", summary["time_format"] + (" [phase-folded, placed at the epoch]" if summary["folded"] else "")),
        ("time span", f"{summary['time_span_days']:.3f} d, {summary['start_iso']} to {summary['end_iso']} UTC"),
        ("cadences", f"{summary['n_cadences']}" + (f" (of {n_file} rows in the file)" if n_file not in (None, summary["n_cadences"]) else "")),
        ("flagged", f"{summary['n_flagged']} (QUALITY ≠ 0)"),
        ("flux", f"{summary['flux_column']} [{summary['flux_unit']}]"),
        ("file", summary["file"]),
    ]
    for key, value in rows:
        table.add_row(key, escape(str(value)))
    return table


def register(app: typer.Typer) -> None:
    @app.command("info")
    def info(
        files: list[str] = typer.Argument(..., help="Light-curve files (FITS, CSV/TXT, NPZ; .gz too)."),
        as_json: bool = typer.Option(False, "--json", help="Print a JSON list instead of tables."),
        flux_column: str | None = typer.Option(
            None, "--flux-column", help="'pdcsap' (default), 'sap', or a column name."
        ),
        mission: str | None = mission_option(),
        time_format: str | None = time_format_option(),
        target_id: str | None = typer.Option(None, "--target-id", help="e.g. 'TIC 261136679', for files that do not say."),
        epoch: float | None = typer.Option(None, "--epoch", help="Mid-transit time of a phase-folded file, BJD_TDB."),
    ) -> None:
        """Describe light-curve files: telescope, target, product, cadence, time span, flags, flux.

        Examples:

          starskope info kplr011442793-2009350155506_llc.fits

          starskope info EPIC201367065.csv --time-format bkjd --mission K2

          starskope info --json tess/*.fits.gz
        """
        from ..io import read

        reading = read_options(mission=mission, time_format=time_format)
        console = stdout_console()
        summaries: list[dict[str, Any]] = []
        failed: list[str] = []
        for name in files:
            try:
                lc = read(name, flux_column=flux_column, target_id=target_id, epoch=epoch, **reading)
            except StarskopeError as exc:
                if len(files) == 1:
                    raise
                typer.echo(f"error: {cli_message(str(exc))}", err=True)
                failed.append(name)
                summaries.append({"file": name, "error": str(exc)})
                continue
            summary = describe(lc)
            summary["file"] = name
            summaries.append(summary)
            if not as_json:
                console.print(_table(summary))
        if as_json:
            typer.echo(json.dumps(summaries, indent=2))
        if failed:
            raise StarskopeError(
                f"{len(failed)} of {len(files)} files could not be read: {', '.join(failed)}"
            )
