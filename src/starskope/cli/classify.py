"""``starskope classify FILE... --out results.csv``: what each star is, with probabilities.

Accepts light-curve files (FITS, CSV/TXT, NPZ), folders (searched recursively), glob
patterns, manifest CSVs (a ``file`` or ``path`` column) and Kaggle-layout tables (one row
per star). The files of one star (the same target id: any quarters, campaigns, sectors,
and telescopes where the KIC→TIC cross-match is configured) are read as one light curve,
each segment normalised on its own and all on one BJD_TDB axis
(:func:`starskope.batch.group_by_star`); ``--per-file`` analyses each file alone. Each
light curve is cleaned, searched, its best candidate vetted, classified by the model
(default: the one shipped with starskope) and given a star type. One output row per star
(per file with ``--per-file``; per row of a table):

``file, target_id, mission, predicted_class, p_planet, p_planet_transit,
p_eclipsing_binary, p_other_variable, p_nothing_significant, period_days, epoch_bjd,
depth_ppm, duration_hours, snr, planet_radius_earth, flags, star_type, p_type_<type>...``

``file`` lists the files a star was read from, joined by ``;`` (``n_files`` counts
them); a file of a star that cannot be read is left out and named in ``warnings``.
``planet_radius_earth`` is empty when the star's radius is unknown; ``flags`` lists the
vetting flags, or ``error: …`` for a light curve that could not be analysed (its
probabilities are then empty). ``predicted_class`` is the star's one verdict — the
model, the vetting flags and the star type reconciled
(:mod:`starskope.analysis.verdict`) — with ``verdict_status`` (``confident`` or
``check``) and ``verdict_reason``; ``model_class`` is the model's own decision and
``n_candidates`` the number of candidates the search found. The exit code is 2 when any
input failed.

``--all-candidates`` also writes ``<out>.candidates.csv`` (or ``.parquet``): one row per
candidate of each star (:data:`starskope.analysis.candidates.CANDIDATE_COLUMNS`), each
vetted knowing the others, with the relations between them (the same signal found
again, a secondary eclipse, a harmonic, commensurate periods); ``file`` and
``target_id`` join it to the stars' table, which stays one row per light curve.

The work runs on the batch engine (:mod:`starskope.batch`): results are journalled as
they finish (``<out>.journal.jsonl``) under a key of the files' bytes, the options and
the model, so re-running the same command after an interrupt or a crash skips what is
done, while a replaced file, other options or another model run again; the table is
rewritten atomically at the end. A few light curves run in this process; more start a
local Dask cluster (``--workers``) or use an existing one (``--scheduler``).
"""

from __future__ import annotations

from pathlib import Path
from typing import Any

import typer

from ..errors import ERROR_FLAG, is_error_flags
from ._common import cli_message, mission_option, read_options, time_format_option

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("classify")
    def classify_cmd(
        inputs: list[str] = typer.Argument(
            ..., help="Light-curve files, folders, glob patterns ('data/**/*.fits'), manifest CSVs or "
                      "Kaggle-layout tables."),
        out: Path = typer.Option(..., "--out", "-o",
                                 help="Table to write: .csv, or .parquet for Parquet (one row per star; with "
                                      "--per-file, per file)."),
        model_dir: Path = typer.Option(None, "--model", "-m", help="Model folder (default: the shipped model)."),
        workers: int = typer.Option(
            0, "--workers", "-j",
            help="Worker processes of a local Dask cluster; 1 runs in this process. 0 (default): this "
                 "process when the inputs hold at most 8 light curves (files or table rows, each table within "
                 "one --table-chunk) or make a single task, else one worker per CPU core (at most 8)."),
        scheduler: str = typer.Option(
            None, "--scheduler",
            help="Address of an existing dask.distributed scheduler (tcp://host:8786) to run on instead."),
        db: str = typer.Option(
            None, "--db", help="Also store each result in this results database as it finishes "
                               "(the SQLite file of 'starskope serve --db')."),
        fresh: bool = typer.Option(False, "--fresh",
                                   help="Forget the results of an earlier run of this command (its journal)."),
        table_chunk: int = typer.Option(128, "--table-chunk", help="Table rows per task."),
        stellar: bool = typer.Option(None, "--stellar/--no-stellar",
                                     help="Look stellar radii up in the catalogues (planet radius in Earth radii). "
                                          "Default: as the model was trained."),
        depth_fit: bool = typer.Option(None, "--depth-fit/--no-depth-fit",
                                       help="Measure depths with vetting's limb-darkened transit fit (~10 ms per "
                                            "vetted candidate); off, the trapezoid fit's depth (~3 % low). "
                                            "Default: as the model was trained."),
        star_types: bool = typer.Option(True, "--star-types/--no-star-types",
                                        help="Name each star's type (star_type, p_type_<type> columns; ~11 ms "
                                             "per light curve). Off, the columns stay empty."),
        all_candidates: bool = typer.Option(
            False, "--all-candidates",
            help="Also write every candidate of each star (up to 5, strongest first) to <OUT stem>.candidates.csv "
                 "(.parquet for Parquet): one row per candidate with file and target_id (to join the stars' table), "
                 "candidate number (1 = the one in the stars' table), period (d), epoch (BJD_TDB), depth (ppm), "
                 "duration (h), SNR, transits, radius (Earth radii), its vetting flags (each vetted knowing the "
                 "others; ~20 ms a candidate), same_signal_as and the relation in words (the same signal again, a "
                 "secondary eclipse, a harmonic, commensurate periods)."),
        per_file: bool = typer.Option(
            False, "--per-file",
            help="One row per file. Default: one row per star, its files (same target id; any quarters, "
                 "campaigns and sectors) stitched into one light curve, each segment normalised on its own. "
                 "Kepler and TESS files of one star join when the catalogue folder with the KIC-to-TIC "
                 "cross-match is set ($STARSKOPE_CATALOGS); without it they are two rows. Two files of the same "
                 "segment, pixel files and files whose quarter/campaign/sector is unknown stay rows of their own."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
        mission: str | None = mission_option(),
        time_format: str | None = time_format_option(),
    ) -> None:
        """Classify stars: predicted class, p_planet, per-class probabilities, best candidate, star type.

        One row per star: the files of a star (quarters, campaigns, sectors) are stitched and analysed together; --per-file gives one row per file.

        Up to 8 light curves (files or table rows, no table over one --table-chunk) run in this process; more run on a local Dask cluster (--workers) or on --scheduler.

        Re-running the same command skips what its journal holds for the same file bytes, options and model.

        Examples:

          starskope classify kplr011442793-2009350155506_llc.fits --out kepler90.csv

          starskope classify kepler_quarters/ --out stars.csv   # one row per star, its quarters stitched

          starskope classify exoTest.csv --out test.parquet --workers 2

          starskope classify exoTrain.csv --out screen.csv --no-star-types --no-depth-fit   # fastest screening

          starskope classify k2-3.fits --out k2.csv --all-candidates   # also k2.candidates.csv, one row per candidate

          starskope classify 'tess/**/*.fits.gz' --out tess.csv --scheduler tcp://10.0.0.5:8786 --db starskope.db
        """
        import os

        from ..analysis import check_four_class_model, options_for
        from ..batch import collect_items, group_by_star, is_small_run, run_batch
        from ..batch.classify import DatabaseSink, classify_task
        from ..errors import ParameterError, StarskopeError
        from ..models import default_model, load_model

        if workers < 0:
            raise ParameterError(f"--workers must be >= 0; got {workers}")
        reading = read_options(mission=mission, time_format=time_format)
        left_out: list[Path] = []
        items = collect_items(inputs, table_chunk=table_chunk, skipped=left_out)
        if left_out:
            names = ", ".join(p.name for p in left_out[:5]) + (", ..." if len(left_out) > 5 else "")
            typer.echo(f"left out {len(left_out)} text file(s) whose header is not a light curve's: {names}")
        if not items:
            raise ParameterError("no light-curve files found in the given paths")
        if not per_file:
            n_before = len(items)
            items = group_by_star(items, mission=reading.get("mission"), time_format=reading.get("time_format"))
            n_stars = sum(len(it.paths) > 1 for it in items)
            if n_stars:
                typer.echo(f"joined {n_before - len(items) + n_stars} files into {n_stars} star(s), each read as "
                           "one light curve (--per-file: a row per file)")
        model = load_model(model_dir) if model_dir is not None else default_model()  # fail early on a bad model
        check_four_class_model(model)
        options = options_for(model, {"stellar": None if stellar is None else ("auto" if stellar else False),
                                      "star_types": star_types, "vet_transit_fit": depth_fit})
        # a local Dask cluster takes ~20 s to start: not worth it for a few light curves
        in_process = not scheduler and (workers == 1 or (workers == 0 and is_small_run(items)))
        n_workers = workers or max(1, min(os.cpu_count() or 1, 8))
        journal = out.with_name(out.name + ".journal.jsonl")
        if fresh:
            journal.unlink(missing_ok=True)
        sink = DatabaseSink(db, out, model_version=str(getattr(model, "version_", "") or "")) if db else None
        try:
            task_options = {**options.as_dict(), **({"read": reading} if reading else {}),
                            **({"candidates": True} if all_candidates else {})}
            summary = run_batch(items, classify_task(model_dir, task_options), out, workers=n_workers,
                                scheduler=scheduler, progress=not quiet, on_result=sink,
                                inline=in_process, status_columns=False)
        finally:
            if sink is not None:
                sink.close()
        import pandas as pd

        df = pd.read_parquet(out) if out.suffix.lower() == ".parquet" else pd.read_csv(out, keep_default_na=False,
                                                                                       na_values=[""])
        cand_out = _split_candidates(df, out) if all_candidates else None
        if cand_out is not None:
            df = df.drop(columns=["candidates"])
        flags = df["flags"].fillna("").astype(str) if "flags" in df else pd.Series([""] * len(df))
        failed = flags.map(is_error_flags)
        # one input: the closing error line below says it, once
        for _, row in (df[failed].head(20) if len(df) > 1 else df.iloc[:0]).iterrows():
            typer.echo(f"{row['file']} {row.get('target_id', '') or ''}: {cli_message(row['flags'])}".replace("  ", " "),
                       err=True)
        counts = df.loc[~failed, "predicted_class"].value_counts().to_dict() if "predicted_class" in df else {}
        where = f"; also stored in {db}" if db else ""
        skipped = f" ({summary.n_skipped} items done by an earlier run)" if summary.n_skipped else ""
        also = f" and {cand_out}" if cand_out is not None else ""
        typer.echo(f"classified {int((~failed).sum())} light curves ({counts}) in {summary.seconds:.1f} s"
                   f"{skipped}; wrote {out}{also}{where}")
        if summary.interrupted:
            raise StarskopeError(f"interrupted after {summary.n_done} items; run the same command again to resume")
        if failed.all():
            first = cli_message(flags.iloc[0].removeprefix(ERROR_FLAG).strip())
            raise StarskopeError(f"none of the {len(df)} inputs could be analysed; first error: {first}")
        if failed.any():
            raise StarskopeError(f"{int(failed.sum())} of {len(df)} inputs could not be analysed (rows kept in {out})")


def _split_candidates(df: Any, out: Path) -> Path | None:
    """Move the ``candidates`` cell of each row (JSON, ``--all-candidates``) into its own
    table beside ``out`` (one row per candidate), and rewrite ``out`` without it."""
    import json

    import pandas as pd

    from ..analysis.candidates import CANDIDATE_COLUMNS

    if "candidates" not in df:
        return None
    rows = [r for cell in df["candidates"] if isinstance(cell, str) and cell for r in json.loads(cell)]
    table = pd.DataFrame(rows, columns=list(CANDIDATE_COLUMNS))
    parquet = out.suffix.lower() == ".parquet"
    cand_out = out.with_name(f"{out.stem}.candidates{out.suffix if parquet else '.csv'}")
    stars = df.drop(columns=["candidates"])
    for frame, path in ((table, cand_out), (stars, out)):
        tmp = path.with_name(f".{path.name}.tmp")
        if parquet:
            frame.to_parquet(tmp, index=False)
        else:
            frame.to_csv(tmp, index=False)
        tmp.replace(path)  # atomically, as the batch engine writes
    return cand_out
