"""``starskope simulate``: write simulated benchmark data.

* ``starskope simulate k2-c3 --out DIR [--seed N] [--plots]`` – the simulated K2 Campaign 3
  set in the Kaggle layout (``exoTrain.csv``, ``exoTest.csv``) plus ``truth.csv`` and
  ``cadences.csv``; the built-in data of ``starskope demo``.
* ``starskope simulate kepler --out DIR --n N [--quarters 2,3]`` – per-star Kepler LLC FITS.
* ``starskope simulate k2 --out DIR --n N [--campaigns 3]`` – per-star K2 LLC FITS.
* ``starskope simulate tess --out DIR --n N [--sectors 1] [--cadence two_minute]`` – per-star
  TESS SPOC (or TESS-SPOC FFI) FITS.

Every command takes ``--seed`` (the same seed writes the same bytes) and ``--plots`` (a PNG
gallery of each class in ``DIR/plots``), shows a progress bar and prints the time taken.
"""

from __future__ import annotations

from typing import Any

import typer

from ..errors import ParameterError

__all__ = ["register"]


def _segments(text: str, option: str) -> list[int]:
    try:
        values = [int(x) for x in text.replace(" ", "").split(",") if x]
    except ValueError:
        raise ParameterError(f"{option} must be comma-separated integers such as '2,3'; got {text!r}") from None
    if not values:
        raise ParameterError(f"{option} must name at least one segment; got {text!r}")
    return values


def _run_with_progress(total: int, label: str, fn: Any) -> Any:
    from rich.progress import (
        BarColumn,
        MofNCompleteColumn,
        Progress,
        SpinnerColumn,
        TextColumn,
        TimeElapsedColumn,
        TimeRemainingColumn,
    )

    with Progress(
        SpinnerColumn(), TextColumn("[bold]{task.description}"), BarColumn(), MofNCompleteColumn(),
        TimeElapsedColumn(), TimeRemainingColumn(), transient=False,
    ) as bar:
        task = bar.add_task(label, total=total)

        def progress(advance: int, stage: str) -> None:
            bar.update(task, advance=advance, description=f"{label}: {stage}")

        return fn(progress)


def _summary(result: dict[str, Any], title: str) -> None:
    import pandas as pd
    from rich.console import Console
    from rich.table import Table

    console = Console()
    truth = pd.read_csv(result["truth"], usecols=lambda c: c in ("class", "split", "snr"))
    table = Table(title=title)
    table.add_column("class")
    splits = sorted(truth["split"].unique())
    for s in splits:
        table.add_column(s, justify="right")
    counts = truth.groupby(["class", "split"]).size().unstack(fill_value=0)
    for cls, row in counts.iterrows():
        table.add_row(str(cls), *[str(int(row.get(s, 0))) for s in splits])
    console.print(table)
    hosts = truth[truth["class"] == "planet"]
    if len(hosts):
        near = float(((hosts["snr"] >= 7) & (hosts["snr"] < 12)).mean())
        strong = float((hosts["snr"] > 50).mean())
        console.print(f"hosts: {len(hosts)}, SNR 7–12: {near:.0%}, SNR > 50: {strong:.0%}")
    console.print(f"[green]done in {result['seconds']:.1f} s[/green]")


def register(app: typer.Typer) -> None:
    sim = typer.Typer(help="Write simulated light curves with their truth (K2 C3 Kaggle-layout set, Kepler/K2/TESS FITS).",
                      no_args_is_help=True)

    @sim.command("k2-c3")
    def k2_c3_cmd(
        out: str = typer.Option(..., "--out", "-o", help="Folder to write exoTrain.csv, exoTest.csv, truth.csv, cadences.csv."),
        seed: int = typer.Option(3, "--seed", help="Random seed (same seed, same bytes)."),
        plots: bool = typer.Option(False, "--plots", help="Also write a PNG gallery of every class to OUT/plots."),
        n_train: int = typer.Option(5087, "--n-train", help="Stars in exoTrain.csv."),
        n_train_hosts: int = typer.Option(37, "--n-train-hosts", help="Planet hosts in exoTrain.csv."),
        n_test: int = typer.Option(570, "--n-test", help="Stars in exoTest.csv."),
        n_test_hosts: int = typer.Option(5, "--n-test-hosts", help="Planet hosts in exoTest.csv."),
    ) -> None:
        """The simulated K2 Campaign 3 benchmark in the Kaggle layout (3197 long cadences, e⁻/s).

        Examples:

          starskope simulate k2-c3 --out k2c3

          starskope simulate k2-c3 --out small --n-train 500 --n-test 100 --plots
        """
        from ..simulate import simulate_k2_c3

        result = _run_with_progress(
            n_train + n_test, "K2 C3",
            lambda progress: simulate_k2_c3(out, seed=seed, n_train=n_train, n_train_hosts=n_train_hosts,
                                            n_test=n_test, n_test_hosts=n_test_hosts, plots=plots,
                                            progress=progress),
        )
        typer.echo(f"wrote {result['train']}, {result['test']}, {result['truth']}, {result['cadences']}")
        if result["plots"]:
            typer.echo(f"wrote {len(result['plots'])} gallery images to {result['plots'][0].parent}")
        _summary(result, "simulated K2 C3 set")

    def _mission_cmd(mission: str, out: str, n: int, seed: int, host_fraction: float,
                     segments: list[int], cadence: str | None, plots: bool) -> None:
        from ..simulate import simulate_mission

        result = _run_with_progress(
            n, mission,
            lambda progress: simulate_mission(mission, out, n, seed=seed, host_fraction=host_fraction,
                                              segments=segments, cadence=cadence, plots=plots,
                                              progress=progress),
        )
        typer.echo(f"wrote {len(result['files'])} FITS files and {result['truth']}")
        if result["plots"]:
            typer.echo(f"wrote {len(result['plots'])} gallery images to {result['plots'][0].parent}")
        _summary(result, f"simulated {mission} set")

    @sim.command("kepler")
    def kepler_cmd(
        out: str = typer.Option(..., "--out", "-o", help="Folder for the FITS files and truth.csv."),
        n: int = typer.Option(..., "--n", help="Number of stars."),
        seed: int = typer.Option(3, "--seed", help="Random seed (same seed, same bytes)."),
        quarters: str = typer.Option("3", "--quarters", help="Comma-separated Kepler quarters, one file per star each."),
        host_fraction: float = typer.Option(0.2, "--host-fraction", help="Fraction of planet hosts."),
        plots: bool = typer.Option(False, "--plots", help="Also write a PNG gallery to OUT/plots."),
    ) -> None:
        """Per-star Kepler long-cadence light-curve FITS files (kplr…_llc.fits).

        Examples:

          starskope simulate kepler --out kepler-sim --n 100 --quarters 2,3
        """
        _mission_cmd("Kepler", out, n, seed, host_fraction, _segments(quarters, "--quarters"), None, plots)

    @sim.command("k2")
    def k2_cmd(
        out: str = typer.Option(..., "--out", "-o", help="Folder for the FITS files and truth.csv."),
        n: int = typer.Option(..., "--n", help="Number of stars."),
        seed: int = typer.Option(3, "--seed", help="Random seed (same seed, same bytes)."),
        campaigns: str = typer.Option("3", "--campaigns", help="Comma-separated K2 campaigns."),
        host_fraction: float = typer.Option(0.2, "--host-fraction", help="Fraction of planet hosts."),
        plots: bool = typer.Option(False, "--plots", help="Also write a PNG gallery to OUT/plots."),
    ) -> None:
        """Per-star K2 long-cadence light-curve FITS files (ktwo…_llc.fits).

        Examples:

          starskope simulate k2 --out k2-sim --n 100 --campaigns 3
        """
        _mission_cmd("K2", out, n, seed, host_fraction, _segments(campaigns, "--campaigns"), None, plots)

    @sim.command("tess")
    def tess_cmd(
        out: str = typer.Option(..., "--out", "-o", help="Folder for the FITS files and truth.csv."),
        n: int = typer.Option(..., "--n", help="Number of stars."),
        seed: int = typer.Option(3, "--seed", help="Random seed (same seed, same bytes)."),
        sectors: str = typer.Option("1", "--sectors", help="Comma-separated TESS sectors."),
        cadence: str = typer.Option("two_minute", "--cadence",
                                    help="two_minute (SPOC), twenty_second, or ffi_30min / ffi_10min / ffi_200s (TESS-SPOC FFI)."),
        host_fraction: float = typer.Option(0.2, "--host-fraction", help="Fraction of planet hosts."),
        plots: bool = typer.Option(False, "--plots", help="Also write a PNG gallery to OUT/plots."),
    ) -> None:
        """Per-star TESS light-curve FITS files (SPOC 2-min or TESS-SPOC FFI layout).

        Examples:

          starskope simulate tess --out tess-sim --n 100 --sectors 1

          starskope simulate tess --out ffi-sim --n 50 --cadence ffi_30min
        """
        _mission_cmd("TESS", out, n, seed, host_fraction, _segments(sectors, "--sectors"), cadence, plots)

    app.add_typer(sim, name="simulate")
