"""``starskope vet FILE --period P --epoch T0 --duration D``: the evidence about one signal.

The file is read and cleaned, and the signal — given by its ephemeris, or taken from a
catalogue with ``--catalog dr24|koi|toi`` (every entry of the file's star) — is vetted
(:func:`starskope.vetting.vet`). The evidence lists each diagnostic with its value and unit,
the threshold, the verdict (planet / not planet / neutral) and the reason in words, then
the flags.

The default output is short (about 25 lines): the ephemeris, what was measured, the
tests with their verdicts, the flags with their reasons and the verdict. ``--long``
prints every diagnostic with its value, unit, threshold, verdict and reason.

The epoch is BJD_TDB by default; ``--epoch-format bkjd`` (BJD − 2454833, Kepler/K2) or
``btjd`` (BJD − 2457000, TESS) take the missions' day counts. ``--json`` prints the
reports as JSON, ``--out report.json`` writes them. ``--time-format`` and ``--mission``
say how to read a file that does not state its time system or telescope.

An ephemeris no transit can have (:mod:`starskope.limits`) is refused before the file
is read: a period more than 10⁵ transit durations, a duration as long as the period.
"""

from __future__ import annotations

import json
import math
from pathlib import Path
from typing import Any

import typer

from ..errors import ParameterError, TimeSystemError
from ..limits import check_epoch_near_data, check_period_and_duration
from ._common import mission_option, read_options, stdout_console, time_format_option

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
    if not math.isfinite(bjd):
        raise TimeSystemError(f"--epoch must be a finite time; got {epoch}")
    if bjd < 2_400_000.0:
        raise TimeSystemError(
            f"--epoch {epoch} read as BJD_TDB is before 1858; give --epoch-format bkjd (Kepler/K2) "
            "or btjd (TESS) for a mission day count"
        )
    return bjd


def _candidates(lc: Any, catalog: str, catalog_dir: str | None = None) -> list[Any]:
    from .. import stars as catalogs

    target = lc.meta.get("OBJECT")
    if not target:
        raise ParameterError("--catalog needs the file's star, but the file does not name it")
    t = catalogs.parse_target(str(target))
    if catalog == "dr24":
        if t.catalog != "KIC":
            raise ParameterError(f"--catalog dr24 needs a Kepler (KIC) star; this file is {t}")
        cands = catalogs.dr24_tces(t.number, catalog_dir=catalog_dir)
    elif catalog == "koi":
        if t.catalog != "KIC":
            raise ParameterError(f"--catalog koi needs a Kepler (KIC) star; this file is {t}")
        cands = catalogs.koi_candidates(t.number, catalog_dir=catalog_dir)
    elif catalog == "toi":
        if t.catalog != "TIC":
            raise ParameterError(f"--catalog toi needs a TESS (TIC) star; this file is {t}")
        cands = catalogs.toi_candidates(t.number, catalog_dir=catalog_dir)
    else:
        raise ParameterError(f"--catalog must be dr24, koi or toi; got {catalog!r}")
    if not cands:
        raise ParameterError(f"the {catalog} catalogue has no entry for {t}")
    return cands


def _value_text(d: Any) -> str:
    v = d.float_value
    if v != v:
        return "-"
    return f"{v:.6f}" if d.name == "period" else f"{v:.5f}" if d.name == "epoch" else f"{v:.4g}"


def _evidence_table(report: Any, title: str) -> Any:
    """Every diagnostic: value, unit, threshold, verdict and the reason in words."""
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
        thr = "-" if d.threshold is None or d.threshold != d.threshold else f"{d.threshold:g}"
        style = _VERDICT_STYLE[d.verdict]
        table.add_row(escape(d.label), _value_text(d), escape(d.unit), thr, f"[{style}]{d.verdict}[/{style}]",
                      escape(d.reason))
    return table


#: Units as the short table writes them after a value.
_UNIT_TEXT = {"sigma": "σ", "R_earth": " R⊕", "g/cm3": " g/cm³", "": ""}


def _tests_table(report: Any) -> Any:
    """The diagnostics that decide: those with a planet / not-planet verdict and those
    behind a flag, without the reasons (``--long`` has them)."""
    from rich import box
    from rich.markup import escape
    from rich.table import Table

    behind_flags = {f.diagnostic for f in report.flags}
    table = Table(box=box.SIMPLE_HEAD, pad_edge=False, collapse_padding=True)
    table.add_column("test", no_wrap=True)
    table.add_column("value", justify="right", no_wrap=True)
    table.add_column("threshold", justify="right", no_wrap=True)
    table.add_column("verdict", no_wrap=True)
    for d in report.diagnostics:
        if d.verdict == "neutral" and d.name not in behind_flags:
            continue
        unit = _UNIT_TEXT.get(d.unit, f" {d.unit}")
        value = _value_text(d)
        thr = "-" if d.threshold is None or d.threshold != d.threshold else f"{d.threshold:.3g}"
        style = _VERDICT_STYLE[d.verdict]
        table.add_row(escape(d.label), escape(value + (unit if value != "-" else "")), thr,
                      f"[{style}]{d.verdict}[/{style}]")
    return table


def _measured(report: Any) -> str:
    """One line of what vetting measured: depth, duration, SNR, transits, radius."""
    c = report.candidate
    err = float(c.depth_err.to_value("")) * 1e6
    parts = [f"depth {c.depth_ppm:.0f}" + (f" ± {err:.0f}" if err == err else "") + " ppm",
             f"T14 {c.duration_hours:.2f} h", f"SNR {c.snr:.1f}"]
    expected = report.value("transits_expected") if "transits_expected" in report else float("nan")
    parts.append(f"{c.n_transits}" + (f" of {expected:.0f}" if expected == expected else "") + " transits with data")
    radius = report.value("radius") if "radius" in report else float("nan")
    parts.append(f"Rp {radius:.2f} R⊕" if radius == radius else "Rp unknown (no stellar radius)")
    return "measured: " + ", ".join(parts)


def register(app: typer.Typer) -> None:
    @app.command("vet")
    def vet_cmd(
        file: str = typer.Argument(..., help="Light-curve file (FITS, CSV/TXT, NPZ; .gz too)."),
        period: float | None = typer.Option(None, "--period", help="Orbital period, days."),
        epoch: float | None = typer.Option(
            None, "--epoch", help="Mid-transit time, BJD_TDB (or a mission day count with --epoch-format)."),
        duration: float | None = typer.Option(None, "--duration", help="Total transit duration T14, hours."),
        epoch_format: str = typer.Option("bjd", "--epoch-format",
                                         help="bjd (default), bkjd (BJD − 2454833) or btjd (BJD − 2457000)."),
        catalog: str | None = typer.Option(
            None, "--catalog", help="Vet the catalogue's entries for this star instead: dr24, koi or toi."),
        no_catalogs: bool = typer.Option(
            False, "--no-catalogs", help="Use no catalogue (no stellar parameters, no ephemeris match)."),
        catalog_dir: str | None = typer.Option(
            None, "--catalogs",
            help="Folder of the catalogue tables (default: $STARSKOPE_CATALOGS, else $STARSKOPE_SHARED_DATA/catalogs)."),
        as_json: bool = typer.Option(False, "--json", help="Print the reports as JSON."),
        out: str | None = typer.Option(None, "--out", "-o", help="Write the reports to a .json file."),
        mission: str | None = mission_option(),
        time_format: str | None = time_format_option(),
        long: bool = typer.Option(False, "--long", "-l",
                                  help="Every diagnostic with its value, unit, threshold, verdict and reason."),
    ) -> None:
        """Vet one transit signal: the tests with their verdicts, the flags and the verdict.

        Examples:

          starskope vet pi_men_s1.fits.gz --period 6.267832 --epoch 3011.550653 --epoch-format btjd --duration 2.79

          starskope vet kplr000757450-2009259160929_llc.fits.gz --catalog dr24 --long

          starskope vet EPIC201367065.csv --time-format bkjd --mission K2 --period 10.0545 --epoch 1979.29 --epoch-format bkjd --duration 2.6
        """
        given = [x is not None for x in (period, epoch, duration)]
        if catalog is None and not all(given):
            missing = [n for n, g in zip(("--period", "--epoch", "--duration"), given, strict=True) if not g]
            raise ParameterError(f"give --period, --epoch and --duration (missing {', '.join(missing)}), or --catalog")
        if catalog is not None and any(given):
            raise ParameterError("give either --catalog or --period/--epoch/--duration, not both")
        if out is not None and Path(out).suffix.lower() != ".json":
            raise ParameterError(f"--out {out}: the extension must be .json")
        bjd = float("nan")
        if catalog is None:
            assert period is not None and epoch is not None and duration is not None
            # before the file is read: an impossible ephemeris is answered at once
            check_period_and_duration(period, duration, period_name="--period", duration_name="--duration")
            bjd = epoch_to_bjd(epoch, epoch_format)
        reading = read_options(mission=mission, time_format=time_format)

        # the science libraries load only once the arguments are known to be sound
        import os

        import astropy.units as u
        import numpy as np
        from astropy.time import Time
        from rich.markup import escape

        from ..analysis import options_for, vet_ephemerides
        from ..analysis.lookups import catalogue_lookups
        from ..errors import StarskopeError
        from ..io import read
        from ..lightcurve import arrays
        from ..search.candidate import TransitCandidate

        if catalog_dir is not None:
            os.environ["STARSKOPE_CATALOGS"] = str(catalog_dir)  # where this command's look-ups read
        lc = read(file, **reading)
        if catalog is not None:
            cands = _candidates(lc, catalog.lower(), catalog_dir)
        else:
            assert period is not None and duration is not None
            jd = arrays(lc).time
            check_epoch_near_data(bjd, float(np.nanmin(jd)), float(np.nanmax(jd)), duration, epoch_name="--epoch")
            cands = [TransitCandidate.from_ephemeris(period * u.day, Time(bjd, format="jd", scale="tdb"),
                                                     duration * u.hour, source="user")]
        console = stdout_console(wide=long)
        if not no_catalogs:
            for note in catalogue_lookups(str(lc.meta.get("OBJECT") or "") or None).notes:
                typer.echo(f"note: {note}", err=True)
        # cleaned and vetted as every entry point vets a known ephemeris
        options = options_for(None, {"stellar": False if no_catalogs else "auto", "catalog_match": not no_catalogs,
                                     "star_types": False})
        analyses = vet_ephemerides(lc, cands, options=options, label=Path(file).name, file=str(file))
        failed = [a for a in analyses if a.vetting is None]
        if failed:
            raise StarskopeError(f"{file}: vetting failed: {'; '.join(failed[0].notes) or 'no cadence in transit'}")
        reports = [a.vetting for a in analyses]
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
            if long:
                console.print(_evidence_table(rep, title))
            else:
                console.print(title, highlight=False)
                console.print(escape(_measured(rep)), highlight=False)
                console.print(_tests_table(rep))
            if rep.flags:
                for f in rep.flags:
                    console.print(f"[bold red]{f.name}[/bold red]: {escape(f.reason)}", highlight=False)
            else:
                console.print("[green]no flags: planet candidate[/green]")
            console.print(f"[bold]verdict:[/bold] {rep.disposition}" + ("" if long else
                          " [dim](every diagnostic with its reason: --long)[/dim]") + "\n", highlight=False)
        if out:
            console.print(f"wrote {len(reports)} report(s) to {escape(out)}")
