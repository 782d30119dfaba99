"""``starskope vet FILE --period P --epoch T0 --duration D``: the evidence about one signal.

The file is read and cleaned, and the signal — given by its ephemeris, or taken from a
catalogue with ``--catalog dr24|koi|toi`` (every entry of the file's star) — is vetted
(:func:`starskope.vetting.vet`). The evidence table lists each diagnostic with its value
and unit, the threshold, the verdict (planet / not planet / neutral) and the reason in
words, then the flags.

The epoch is BJD_TDB by default; ``--epoch-format bkjd`` (BJD − 2454833, Kepler/K2) or
``btjd`` (BJD − 2457000, TESS) take the missions' day counts. ``--json`` prints the
reports as JSON, ``--out report.json`` writes them.
"""

from __future__ import annotations

import json
import sys
from pathlib import Path
from typing import Any

import typer

from ..errors import ParameterError, TimeSystemError

__all__ = ["epoch_to_bjd", "register"]

_VERDICT_STYLE = {"planet": "green", "not planet": "bold red", "neutral": "dim"}


def epoch_to_bjd(epoch: float, epoch_format: str) -> float:
    """A mid-transit time in ``epoch_format`` as BJD_TDB.

    Raises
    ------
    TimeSystemError
        An unknown format, or a "BJD" below 2 400 000 (a mission day count given
        without ``--epoch-format``).
    """
    # imported here, not at the top: the telescope profiles load astropy, and the CLI starts fast
    from ..missions import DAY_COUNT_OFFSETS

    offsets = {"bjd": 0.0, **DAY_COUNT_OFFSETS}  # the day counts accepted by --epoch-format
    fmt = epoch_format.lower()
    if fmt not in offsets:
        raise TimeSystemError(f"--epoch-format {epoch_format!r} is not one of {', '.join(offsets)}")
    bjd = float(epoch) + offsets[fmt]
    if bjd < 2_400_000.0:
        raise TimeSystemError(
            f"--epoch {epoch} read as BJD_TDB is before 1858; give --epoch-format bkjd (Kepler/K2) "
            "or btjd (TESS) for a mission day count"
        )
    return bjd


def _candidates(lc: Any, catalog: str) -> list[Any]:
    from .. import catalogs

    target = lc.meta.get("OBJECT")
    if not target:
        raise ParameterError("--catalog needs the file's star, but the file does not name it")
    t = catalogs.parse_target(str(target))
    if catalog == "dr24":
        if t.catalog != "KIC":
            raise ParameterError(f"--catalog dr24 needs a Kepler (KIC) star; this file is {t}")
        cands = catalogs.dr24_tces(t.number)
    elif catalog == "koi":
        if t.catalog != "KIC":
            raise ParameterError(f"--catalog koi needs a Kepler (KIC) star; this file is {t}")
        cands = catalogs.koi_candidates(t.number)
    elif catalog == "toi":
        if t.catalog != "TIC":
            raise ParameterError(f"--catalog toi needs a TESS (TIC) star; this file is {t}")
        cands = catalogs.toi_candidates(t.number)
    else:
        raise ParameterError(f"--catalog must be dr24, koi or toi; got {catalog!r}")
    if not cands:
        raise ParameterError(f"the {catalog} catalogue has no entry for {t}")
    return cands


def _evidence_table(report: Any, title: str) -> Any:
    from rich.markup import escape
    from rich.table import Table

    table = Table(title=title, title_justify="left", show_lines=False)
    table.add_column("diagnostic", style="bold", no_wrap=True)
    table.add_column("value", justify="right")
    table.add_column("unit")
    table.add_column("threshold", justify="right")
    table.add_column("verdict", no_wrap=True)
    table.add_column("reason", overflow="fold")
    for d in report.diagnostics:
        v = d.float_value
        value = "-" if v != v else (f"{v:.6f}" if d.name in ("period",) else f"{v:.5f}" if d.name == "epoch" else f"{v:.4g}")
        thr = "-" if d.threshold is None or d.threshold != d.threshold else f"{d.threshold:g}"
        style = _VERDICT_STYLE[d.verdict]
        table.add_row(escape(d.label), value, escape(d.unit), thr, f"[{style}]{d.verdict}[/{style}]", escape(d.reason))
    return table


def register(app: typer.Typer) -> None:
    @app.command("vet")
    def vet_cmd(
        file: str = typer.Argument(..., help="Light-curve file (FITS, CSV/TXT, NPZ; .gz too)."),
        period: float | None = typer.Option(None, "--period", help="Orbital period [days]."),
        epoch: float | None = typer.Option(None, "--epoch", help="Mid-transit time (BJD_TDB, or see --epoch-format)."),
        duration: float | None = typer.Option(None, "--duration", help="Total transit duration T14 [hours]."),
        epoch_format: str = typer.Option("bjd", "--epoch-format", help="bjd (default), bkjd (BJD − 2454833) or btjd (BJD − 2457000)."),
        catalog: str | None = typer.Option(None, "--catalog", help="Vet the catalogue's entries for this star instead: dr24, koi or toi."),
        no_catalogs: bool = typer.Option(False, "--no-catalogs", help="Use no catalogue (no stellar parameters, no ephemeris match)."),
        as_json: bool = typer.Option(False, "--json", help="Print the reports as JSON."),
        out: str | None = typer.Option(None, "--out", "-o", help="Write the reports to a .json file."),
    ) -> None:
        """Vet one transit signal: the evidence table with a verdict and reason per diagnostic, and the flags."""
        import astropy.units as u
        from astropy.time import Time
        from rich.console import Console
        from rich.markup import escape

        from ..clean import clean
        from ..io import read
        from ..search.candidate import TransitCandidate
        from ..vetting import vet

        given = [x is not None for x in (period, epoch, duration)]
        if catalog is None and not all(given):
            missing = [n for n, g in zip(("--period", "--epoch", "--duration"), given, strict=True) if not g]
            raise ParameterError(f"give --period, --epoch and --duration (missing {', '.join(missing)}), or --catalog")
        if catalog is not None and any(given):
            raise ParameterError("give either --catalog or --period/--epoch/--duration, not both")
        if out is not None and Path(out).suffix.lower() != ".json":
            raise ParameterError(f"--out {out}: the extension must be .json")
        lc = read(file)
        cleaned = clean(lc)
        if catalog is not None:
            cands = _candidates(cleaned, catalog.lower())
        else:
            assert period is not None and epoch is not None and duration is not None
            if period <= 0 or duration <= 0:
                raise ParameterError(f"--period and --duration must be positive; got {period} d and {duration} h")
            bjd = epoch_to_bjd(epoch, epoch_format)
            cands = [TransitCandidate.from_ephemeris(period * u.day, Time(bjd, format="jd", scale="tdb"),
                                                     duration * u.hour, source="user")]
        # a wide table when the output is a file or pipe (no terminal to fit)
        console = Console(width=None if sys.stdout.isatty() else 240)
        reports = [vet(cleaned, c, stellar=None if no_catalogs else "auto", catalog_match=not no_catalogs,
                       others=cands) for c in cands]
        if as_json or out:
            payload = [r.to_dict() for r in reports]
            for p, c in zip(payload, cands, strict=True):
                p["file"] = file
                p["given"] = {"period_days": c.period_days, "epoch_bjd": c.epoch_bjd,
                              "duration_hours": c.duration_hours, "source": c.source}
            text = json.dumps(payload, indent=1)
            if out:
                Path(out).write_text(text)
            if as_json:
                typer.echo(text)
                return
        for rep, c in zip(reports, cands, strict=True):
            title = (f"{escape(rep.target or Path(file).name)} — {escape(c.source)}: "
                     f"P = {c.period_days:.6f} d, T0 = BJD {c.epoch_bjd:.5f}, T14 = {c.duration_hours:.2f} h")
            console.print(_evidence_table(rep, title))
            if rep.flags:
                for f in rep.flags:
                    console.print(f"[bold red]{f.name}[/bold red]: {escape(f.reason)}")
            else:
                console.print("[green]no flags: planet candidate[/green]")
            console.print(f"[bold]verdict:[/bold] {rep.disposition}\n")
        if out:
            console.print(f"wrote {len(reports)} report(s) to {escape(out)}")
