"""``starskope report FILE... --out DIR``: a validation report per star, viewable offline.

For each star (or each row of a Kaggle-layout table) the star is cleaned, searched,
vetted, classified and explained, and two files are written into ``DIR``. The files of
one star (the same target id: any quarters, campaigns and sectors, and Kepler with TESS
where the KIC→TIC cross-match is configured) make one report of their stitched light
curve, named after the star (:func:`starskope.batch.group_by_star`); ``--per-file``
writes one report per file, and ``--stitch`` joins the files of each star by identifier
or sky position across telescopes, with what each telescope contributed:

* ``NAME.html`` — one self-contained page in the spirit of a Kepler data-validation
  one-pager: raw light curve with quality-flagged cadences and the removed trend,
  detrended light curve with the CNN's saliency, periodogram, phase folds with the fitted
  model, odd/even and secondary panels, the evidence table, derived planet and star
  parameters with units, model contributions and provenance. Plotly.js is inlined
  (``--plotly inline``, about 5 MB per page) or copied once beside the pages
  (``--plotly file``); nothing is loaded from the network;
* ``NAME.json`` — the same content as data.

The verdict comes from the model shipped with starskope (or ``--model DIR``); without a
model (``--no-model``, or none shipped yet) it is the verdict of the vetting rules, and the
report says so.
"""

from __future__ import annotations

from pathlib import Path

import typer

from ._common import cli_message, mission_option, time_format_option

__all__ = ["register"]


def _rows(spec: str | None, n: int) -> list[int]:
    from ..errors import ParameterError

    if not spec:
        return list(range(n))
    out: list[int] = []
    for part in spec.split(","):
        part = part.strip()
        try:
            if "-" in part:
                a, b = (int(x) for x in part.split("-", 1))
                out += list(range(a, b + 1))
            else:
                out.append(int(part))
        except ValueError:
            raise ParameterError(f"--rows must list 1-based row numbers like '1,4,10-12'; got {spec!r}") from None
    bad = [r for r in out if not 1 <= r <= n]
    if bad:
        raise ParameterError(f"--rows {bad[:5]} outside the table's rows 1..{n}")
    return [r - 1 for r in out]


def register(app: typer.Typer) -> None:
    @app.command("report")
    def report_cmd(
        inputs: list[Path] = typer.Argument(..., help="Light-curve files, folders or Kaggle-layout tables."),
        out: Path = typer.Option(..., "--out", "-o", help="Folder for the NAME.html and NAME.json reports."),
        model_dir: Path = typer.Option(None, "--model", "-m", help="Model folder (default: the shipped model)."),
        no_model: bool = typer.Option(False, "--no-model", help="Give the vetting rules' verdict; use no model."),
        plotly: str = typer.Option("inline", "--plotly", help="'inline' (self-contained pages) or 'file' "
                                   "(one plotly.min.js beside the pages)."),
        rows: str = typer.Option(None, "--rows", help="Rows of a Kaggle-layout table, 1-based ('1,5,10-12'; default all)."),
        mission: str = mission_option(),
        time_format: str = time_format_option(),
        saliency: bool = typer.Option(True, "--saliency/--no-saliency", help="Compute the CNN saliency curve."),
        stellar: bool = typer.Option(None, "--stellar/--no-stellar",
                                     help="Look stellar parameters up in the catalogues (planet radius, Teq). "
                                          "Default: as the model was trained."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bar."),
        per_file: bool = typer.Option(
            False, "--per-file",
            help="One report per file. Default: one report per star, its files (same target id; any quarters, "
                 "campaigns and sectors; Kepler with TESS when $STARSKOPE_CATALOGS holds the KIC-to-TIC "
                 "cross-match) stitched into one light curve, each segment normalised on its own; two files of one "
                 "segment, pixel files and files of unknown segment are reported on their own."),
        stitch: bool = typer.Option(
            False, "--stitch",
            help="Join the light-curve files of each star (any telescopes, any segments; grouped by identifier "
                 "or sky position) on one BJD_TDB axis and write one report per star, with what each telescope "
                 "contributed and, for a transit seen at two or more epochs, which period alias fits."),
        density: float = typer.Option(None, "--density", help="With --stitch: the star's density, g/cm³ "
                                      "(decides between period aliases; default from the catalogues when known)."),
        density_error: float = typer.Option(None, "--density-error", help="With --stitch: 1σ error of --density, g/cm³."),
    ) -> None:
        """Write an offline HTML (+ JSON) validation report for each star (its files stitched; --per-file: each file).

        Examples:

          starskope report pi_men_s1.fits --out reports/

          starskope report kepler_quarters/ --out reports/   # one report per star, its quarters stitched

          starskope report exoTest.csv --rows 1-5 --out reports/ --plotly file

          starskope report kplr002439660-2009350155506_llc.fits tess-s0014-tic0122507338.fits --stitch --out reports/
        """

        from ..analysis import analyse, collect_warnings, options_for
        from ..errors import ParameterError, StarskopeError
        from ..explain import default_model_or_none, explain
        from ..io import expand_inputs
        from ..models import load_model
        from ..report import build_report, write_report
        from .train import progress_reporter

        if plotly not in ("inline", "file"):
            raise ParameterError(f"--plotly must be 'inline' or 'file'; got {plotly!r}")
        if no_model and model_dir is not None:
            raise ParameterError("give either --model or --no-model, not both")
        model = None if no_model else (load_model(model_dir) if model_dir is not None else default_model_or_none())
        if model is None and not no_model:
            typer.echo("note: no trained model is available; verdicts come from the vetting rules", err=True)
        options = options_for(model, {"stellar": None if stellar is None else ("auto" if stellar else False)})
        if stitch and per_file:
            raise ParameterError("give either --stitch or --per-file, not both")
        if stitch:
            _stitched_reports(inputs, out, model=model, options=options, plotly=plotly, saliency=saliency,
                              density=density, density_error=density_error, mission=mission,
                              time_format=time_format, quiet=quiet)
            return
        if density is not None or density_error is not None:
            raise ParameterError("--density and --density-error apply with --stitch")
        items = expand_inputs(inputs)
        if not items:
            raise ParameterError("no light-curve files found in the given paths")
        stars = {} if per_file else _stars_of(items, mission=mission, time_format=time_format)
        jobs: list[tuple[str, list[Path], int]] = []
        done: set[tuple[Path, ...]] = set()
        for kind, p in items:
            if kind == "table":
                from ..io.flux_table import count_star_rows

                # each row is read on its own when reported, with what its reading repaired
                jobs += [("table", [p], r) for r in _rows(rows, count_star_rows(p))]
                continue
            files = stars.get(p, (p,))
            if files not in done:  # a star's report comes where its first file was given
                done.add(files)
                jobs.append(("lightcurve", list(files), -1))
        failures = 0
        written = []
        names: set[str] = set()
        with progress_reporter(not quiet) as progress:
            progress("reports", 0, len(jobs))
            for k, (kind, files, r) in enumerate(jobs):
                p = files[0]
                label = (f"row {r + 1} of {p.name}" if kind == "table" else p.name if len(files) == 1
                         else f"{len(files)} files of {p.name}")
                try:
                    if kind == "table":
                        a = analyse(p, row=r, options=options, model=model, label=label, detail=True)
                        name = f"{p.name.split('.')[0]}_row{r + 1}"
                    else:
                        a = analyse(p if len(files) == 1 else files, options=options, model=model, mission=mission,
                                    time_format=time_format, detail=True)
                        # a star of several files is named after the star (its label says how many)
                        name = None if len(files) == 1 else _file_stem(a.target or p.name.split(".")[0])
                        label = a.label if len(files) > 1 else label
                    with collect_warnings():  # the data's repairs are in a.warnings already
                        ex = explain(a, model, saliency=saliency)
                    source = f"{p} row {r + 1}" if kind == "table" else ", ".join(a.file.split(";"))
                    doc = build_report(ex, source=source)
                    name = _unused(name or str(doc.get("name") or "star"), names, p)
                    html, _ = write_report(doc, out, plotly=plotly, name=name)
                    written.append(html)
                    typer.echo(f"{label}: {ex.title}"
                               + (f" (p = {ex.probabilities[ex.verdict]:.2f})" if ex.probabilities else " (vetting rules)")
                               + f" → {html}")
                except StarskopeError as exc:
                    failures += 1
                    typer.echo(f"{label}: {cli_message(str(exc))}", err=True)
                progress("reports", k + 1, len(jobs))
        typer.echo(f"wrote {len(written)} report(s) to {out}")
        if failures:
            raise StarskopeError(f"{failures} of {len(jobs)} inputs could not be reported")


def _stars_of(items: list[tuple[str, Path]], *, mission: str | None,
              time_format: str | None) -> dict[Path, tuple[Path, ...]]:
    """Each light-curve file given → the files of its star (:func:`starskope.batch.group_by_star`)."""
    from ..batch import BatchItem, group_by_star

    given = list(dict.fromkeys(p for kind, p in items if kind != "table"))
    grouped = group_by_star([BatchItem(str(p)) for p in given], mission=mission, time_format=time_format)
    by_name = {str(p): p for p in given}
    out: dict[Path, tuple[Path, ...]] = {}
    for item in grouped:
        files = tuple(by_name[f] for f in item.files)
        for f in files:
            out[f] = files
    return out


def _unused(stem: str, names: set[str], path: Path) -> str:
    """A report name not yet written in this run: the star's name, else (another file or
    group of the same star) the file's name, else numbered."""
    for candidate in (stem, _file_stem(path.name.split(".")[0])):
        if candidate not in names:
            names.add(candidate)
            return candidate
    k = 2
    while f"{stem}_{k}" in names:
        k += 1
    names.add(f"{stem}_{k}")
    return f"{stem}_{k}"


def _file_stem(text: str) -> str:
    """A report file name from a star's name (``'KIC 2985587'`` → ``'KIC_2985587'``)."""
    return "".join(ch if ch.isalnum() or ch in "-_" else "_" for ch in text)


def _stitched_reports(inputs: list[Path], out: Path, *, model: object, options: object, plotly: str, saliency: bool,
                      density: float | None, density_error: float | None, mission: str | None,
                      time_format: str | None, quiet: bool) -> None:
    """One report per star for light curves of that star from several telescopes or segments."""

    import astropy.units as u

    from ..analysis import analyse, collect_warnings
    from ..errors import ParameterError, StarskopeError
    from ..explain import explain
    from ..io import expand_inputs, read
    from ..multi import group_by_target, resolve_period, stitch_missions, telescope_summary
    from ..report import build_report, write_report
    from .train import progress_reporter

    if (density is None) != (density_error is None):
        raise ParameterError("give --density and --density-error together")
    if density is not None and not (density > 0 and density_error > 0):
        raise ParameterError(f"--density and --density-error must be positive; got {density}, {density_error}")
    items = expand_inputs(inputs)
    tables = [str(p) for kind, p in items if kind == "table"]
    if tables:
        raise ParameterError(f"--stitch joins light-curve files; {tables[0]} is a Kaggle-layout table")
    if not items:
        raise ParameterError("no light-curve files found in the given paths")
    notes: dict[int, list[str]] = {}
    lcs = []
    for _, p in items:
        with collect_warnings() as caught:
            lcs.append(read(p, mission=mission, time_format=time_format))
        notes[id(lcs[-1])] = list(caught)
    groups = group_by_target(lcs)
    failures = 0
    with progress_reporter(not quiet) as progress:
        progress("stitched reports", 0, len(groups))
        for k, (star, pieces) in enumerate(groups.items()):
            try:
                stitched = stitch_missions(pieces)
                with collect_warnings():  # the data's repairs are kept in a.warnings
                    a = analyse(stitched, options=options, model=model, label=star, detail=True)
                    a.warnings[:0] = [m for lc in pieces for m in notes.get(id(lc), []) if m not in a.warnings]
                    resolution = None
                    if a.candidate is not None and density is not None:
                        try:
                            resolution = resolve_period(stitched, a.candidate, stellar_density=density * u.g / u.cm**3,
                                                        density_error=density_error * u.g / u.cm**3)
                        except StarskopeError as exc:
                            typer.echo(f"{star}: period aliases not resolved ({exc})", err=True)
                    telescopes = telescope_summary(stitched, a.candidate, resolution)
                    ex = explain(a, model, saliency=saliency)
                doc = build_report(ex, source=", ".join(str(lc.meta.get("FILENAME") or "") for lc in pieces),
                                   telescopes=telescopes)
                name = _file_stem(star)
                html, _ = write_report(doc, out, plotly=plotly, name=name)
                n_tel = telescopes.get("n_telescopes", 1)
                typer.echo(f"{star}: {len(pieces)} pieces from {telescopes.get('missions') or n_tel} → {ex.title} → {html}")
            except StarskopeError as exc:
                failures += 1
                typer.echo(f"{star}: {cli_message(str(exc))}", err=True)
            progress("stitched reports", k + 1, len(groups))
    if failures:
        raise StarskopeError(f"{failures} of {len(groups)} stars could not be reported")
