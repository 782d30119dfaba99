"""``starskope classify FILE... --out results.csv``: what each star is, with probabilities.

Accepts light-curve files (FITS, CSV/TXT, NPZ), folders (searched recursively) and
Kaggle-layout tables (one row per star). Each light curve is cleaned, searched and its
best candidate vetted, then classified by the model (default: the one shipped with
starskope). One output row per light curve:

``file, target_id, mission, predicted_class, p_planet, p_planet_transit,
p_eclipsing_binary, p_other_variable, p_nothing_significant, period_days, epoch_bjd,
depth_ppm, duration_hours, snr, planet_radius_earth, flags``

``planet_radius_earth`` is empty when the star's radius is unknown; ``flags`` lists the
vetting flags, or ``error: …`` for a file that could not be analysed (its probabilities are
then empty). The exit code is 2 when any input failed.
"""

from __future__ import annotations

from pathlib import Path

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("classify")
    def classify_cmd(
        inputs: list[Path] = typer.Argument(..., help="Light-curve files, folders or Kaggle-layout tables."),
        out: Path = typer.Option(..., "--out", "-o", help="CSV file to write (one row per light curve)."),
        model_dir: Path = typer.Option(None, "--model", "-m", help="Model folder (default: the shipped model)."),
        workers: int = typer.Option(1, "--workers", "-j", help="Processes for the analysis."),
        stellar: bool = typer.Option(True, "--stellar/--no-stellar",
                                     help="Look stellar radii up in the catalogues (planet radius in Earth radii)."),
        quiet: bool = typer.Option(False, "--quiet", "-q", help="No progress bars."),
    ) -> None:
        """Classify light curves: predicted class, p_planet, per-class probabilities, best candidate."""
        import dataclasses

        from ..models import default_model, load_model
        from ..pipeline import AnalysisOptions, classify
        from .train import progress_reporter

        model = load_model(model_dir) if model_dir is not None else default_model()
        options = AnalysisOptions.from_dict((getattr(model, "preprocessing_", {}) or {}).get("analysis"))
        options = dataclasses.replace(options, stellar="auto" if stellar else None)
        with progress_reporter(not quiet) as progress:
            df = classify(inputs, model, options=options, workers=workers, progress=progress)
        out.parent.mkdir(parents=True, exist_ok=True)
        # BJD needs 7 integer digits and sub-minute precision; the rest 6 significant digits
        df["epoch_bjd"] = [f"{v:.6f}" if v == v else "" for v in df["epoch_bjd"]]
        df.to_csv(out, index=False, float_format="%.6g", na_rep="")
        failed = df["flags"].astype(str).str.startswith("error:")
        for _, row in df[failed].iterrows():
            typer.echo(f"{row['file']}: {row['flags']}", err=True)
        counts = df.loc[~failed, "predicted_class"].value_counts().to_dict()
        typer.echo(f"classified {int((~failed).sum())} light curves ({counts}); wrote {out}")
        if failed.any():
            from ..errors import StarskopeError

            raise StarskopeError(f"{int(failed.sum())} of {len(df)} inputs could not be analysed (rows kept in {out})")
