"""``starskope pixels FILE``: the aperture, the difference image and where the dip comes from.

For a target pixel file or a TESScut cutout: the stamp (telescope, size, cadences, pixel
scale, the target's place), the aperture summed into the light curve drawn over the median
image, and the difference image of a transit — the in-transit minus out-of-transit image
stacked over the transits, the PSF-fitted and flux-weighted position of the light lost, its
offset from the target in pixels and arcseconds with σ, and the ``CENTROID_OFFSET`` verdict
with its reason (:func:`starskope.pixels.difference_image`).

The transit is the one given (``--period``, ``--epoch``, ``--duration``) or else the best
candidate starskope's search finds in the file (the analysis every command runs).
``--neighbours stars.csv`` (columns ``name`` and ``column``/``row`` in pixels or
``ra``/``dec`` in degrees) says which catalogued star the dip points to. ``--plot out.png``
draws the median image with the aperture, the out-of-transit image, the difference image
and its SNR map; ``--json`` prints everything as JSON.
"""

from __future__ import annotations

import csv
import json
from pathlib import Path
from typing import Any

import typer

from ..errors import ParameterError
from ._common import mission_option, read_options, stdout_console, time_format_option

__all__ = ["pixel_summary", "plot_pixels", "register"]


def _neighbours(path: str | None) -> list[dict[str, Any]]:
    if path is None:
        return []
    p = Path(path)
    if not p.is_file():
        raise ParameterError(f"--neighbours {p}: no such file")
    with p.open(newline="") as fh:
        rows = list(csv.DictReader(fh))
    out = []
    for i, row in enumerate(rows, start=1):
        r = {k.strip().lower(): v for k, v in row.items() if k}
        entry: dict[str, Any] = {"name": r.get("name") or f"star {i}"}
        try:
            for key in ("column", "row", "ra", "dec", "magnitude"):
                if r.get(key) not in (None, ""):
                    entry[key] = float(r[key])
        except ValueError as exc:
            raise ParameterError(f"--neighbours {p}: row {i} has a value that is not a number ({exc})") from None
        out.append(entry)
    return out


def pixel_summary(series: Any, aperture: Any, aperture_name: str, di: Any, source: str) -> dict[str, Any]:
    """What ``starskope pixels`` reports, as a JSON-able dict."""
    import numpy as np

    img = series.median_image()
    return {
        "file": series.source, "mission": series.mission, "product": series.product,
        "stamp_rows": series.shape[0], "stamp_columns": series.shape[1], "n_cadences": len(series),
        "pixel_scale_arcsec": float(series.pixel_scale.to_value("arcsec")),
        "corner_ccd": list(series.corner),
        "target": None if series.target is None else [float(series.target[0]), float(series.target[1])],
        "aperture": {"name": aperture_name, "n_pixels": int(aperture.sum()),
                     "flux_e_per_s": float(np.nansum(img[aperture])),
                     "pixels": [[int(r), int(c)] for r, c in zip(*np.nonzero(aperture), strict=True)]},
        "ephemeris_from": source,
        "difference_image": None if di is None else di.to_dict(),
    }


def _stamp_text(series: Any, aperture: Any) -> str:
    """The median image as text: flux per pixel [e⁻/s], aperture pixels bracketed, the
    target's pixel starred."""
    import numpy as np

    img = series.median_image()
    tc, tr = (None, None) if series.target is None else (int(np.rint(series.target[0])), int(np.rint(series.target[1])))
    lines = []
    for r in range(img.shape[0] - 1, -1, -1):  # row 0 at the bottom, as images are drawn
        cells = []
        for c in range(img.shape[1]):
            v = img[r, c]
            text = "nan" if not np.isfinite(v) else f"{v:.0f}"
            text = f"[{text}]" if aperture[r, c] else f" {text} "
            if (c, r) == (tc, tr):
                text += "*"
            cells.append(f"{text:>9}")
        lines.append(f"row {r:>2} " + "".join(cells))
    return "\n".join(lines)


def plot_pixels(series: Any, aperture: Any, di: Any, path: str | Path) -> Path:
    """A PNG of the median image with the aperture, and (with a difference image) the
    out-of-transit image, the stacked difference and its SNR map, the target (+) and the
    located source (×) marked."""
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt
    import numpy as np

    panels = [("median image [e⁻/s] and aperture", series.median_image(), "viridis")]
    if di is not None:
        with np.errstate(invalid="ignore", divide="ignore"):
            snr = di.difference / di.difference_err
        panels += [("out of transit [e⁻/s]", di.out_of_transit, "viridis"),
                   ("difference: out − in [e⁻/s]", di.difference, "RdBu_r"),
                   ("difference / σ", snr, "RdBu_r")]
    fig, axes = plt.subplots(1, len(panels), figsize=(3.6 * len(panels), 3.6), squeeze=False)
    for ax, (title, img, cmap) in zip(axes[0], panels, strict=True):
        kw: dict[str, Any] = {}
        if cmap == "RdBu_r":
            m = float(np.nanmax(np.abs(img))) if np.isfinite(img).any() else 1.0
            kw = {"vmin": -m, "vmax": m}
        im = ax.imshow(img, origin="lower", cmap=cmap, **kw)
        fig.colorbar(im, ax=ax, fraction=0.046, pad=0.04)
        ax.set_title(title, fontsize=9)
        ax.set_xlabel("column")
        ax.set_ylabel("row")
        if series.target is not None:
            ax.plot(*series.target, "+", color="white", ms=12, mew=2)
        if di is not None and np.isfinite(di.psf_fit.column):
            ax.plot(di.psf_fit.column, di.psf_fit.row, "x", color="magenta", ms=10, mew=2)
    rr, cc = np.nonzero(aperture)
    for r, c in zip(rr, cc, strict=True):
        axes[0][0].add_patch(plt.Rectangle((c - 0.5, r - 0.5), 1, 1, fill=False, ec="red", lw=1.2))
    if di is not None:
        fig.suptitle(("CENTROID_OFFSET — " if di.flagged else "") + di.reason, fontsize=8, wrap=True)
    fig.tight_layout()
    out = Path(path)
    fig.savefig(out, dpi=110)
    plt.close(fig)
    return out


def _print(summary: dict[str, Any], series: Any, aperture: Any) -> None:
    from rich.markup import escape

    console = stdout_console()
    tgt = summary["target"]
    console.print(f"[bold]{escape(Path(summary['file']).name)}[/bold] — {summary['product']}: "
                  f"{summary['stamp_rows']}×{summary['stamp_columns']} pixels of {summary['pixel_scale_arcsec']:.2f}″, "
                  f"{summary['n_cadences']} cadences", highlight=False)
    console.print("target: " + ("unknown position" if tgt is None else
                                f"column {tgt[0]:.2f}, row {tgt[1]:.2f} of the stamp (CCD {summary['corner_ccd'][0]} + "
                                f"column, {summary['corner_ccd'][1]} + row)"), highlight=False)
    ap = summary["aperture"]
    console.print(f"aperture: {ap['name']}, {ap['n_pixels']} pixels, {ap['flux_e_per_s']:.0f} e⁻/s "
                  "(median image below; \\[bracketed] pixels are summed, * is the target's pixel)", highlight=False)
    console.print(escape(_stamp_text(series, aperture)), highlight=False)
    d = summary["difference_image"]
    if d is None:
        console.print(f"difference image: none ({summary['ephemeris_from']})", highlight=False)
        return
    console.print(f"difference image: P = {d['period_days']:.5f} d, T0 = BJD {d['epoch_bjd']:.5f}, "
                  f"T14 = {d['duration_hours']:.2f} h ({summary['ephemeris_from']}); {d['n_transits']} transits, "
                  f"SNR {d['snr']:.1f}" if d["snr"] is not None else "difference image: SNR unknown", highlight=False)
    if d["measured"]:
        src, err = d["source"], d["source_err"]
        console.print(f"light lost at column {src[0]:.2f} ± {err[0]:.2f}, row {src[1]:.2f} ± {err[1]:.2f} (PSF fit); "
                      f"flux-weighted {d['flux_weighted'][0]:.2f}, {d['flux_weighted'][1]:.2f}", highlight=False)
        console.print(f"offset from the target: {d['offset_pixels']:.2f} ± {d['offset_err_pixels']:.2f} pixels = "
                      f"{d['offset_arcsec']:.1f} ± {d['offset_err_arcsec']:.1f}″, {d['offset_sigma']:.1f}σ",
                      highlight=False)
    verdict = "[bold red]CENTROID_OFFSET[/bold red]: " if d["flagged"] else "[green]on target[/green]: " \
        if d["measured"] else "[dim]not measured[/dim]: "
    console.print(verdict + escape(d["reason"]), highlight=False)


def register(app: typer.Typer) -> None:
    @app.command("pixels")
    def pixels_cmd(
        file: str = typer.Argument(..., help="A target pixel file or a TESScut cutout (FITS, .gz too)."),
        aperture: str = typer.Option(
            "default", "--aperture",
            help="Aperture to sum: pipeline, threshold, optimal or circle (default: the pipeline's, "
                 "a threshold aperture for a cutout)."),
        period: float | None = typer.Option(None, "--period", help="Orbital period, days."),
        epoch: float | None = typer.Option(None, "--epoch", help="Mid-transit time, BJD_TDB (or see --epoch-format)."),
        epoch_format: str = typer.Option("bjd", "--epoch-format", help="Time system of --epoch: bjd, bkjd or btjd."),
        duration: float | None = typer.Option(None, "--duration", help="Transit duration T14, hours."),
        neighbours: str | None = typer.Option(
            None, "--neighbours", help="CSV of catalogued stars: name, column/row (pixels) or ra/dec (degrees)."),
        plot: str | None = typer.Option(None, "--plot", help="Write a PNG of the images to this file."),
        as_json: bool = typer.Option(False, "--json", help="Print the result as JSON."),
        mission: str | None = mission_option(),
        time_format: str | None = time_format_option(),
    ) -> None:
        """Show a pixel file's aperture, its difference image and where the dip's light comes from.

        Examples:

          starskope pixels ktwo211983544-c18_lpd-targ.fits.gz --plot pixels.png

          starskope pixels tess-s0001-1-1_astrocut.fits --period 3.21 --epoch 1325.7 --epoch-format btjd --duration 2.4
        """
        given = [x is not None for x in (period, epoch, duration)]
        if any(given) and not all(given):
            missing = [n for n, g in zip(("--period", "--epoch", "--duration"), given, strict=True) if not g]
            raise ParameterError(f"give --period, --epoch and --duration together (missing {', '.join(missing)})")
        if plot is not None and Path(plot).suffix.lower() != ".png":
            raise ParameterError(f"--plot {plot}: the extension must be .png")
        bjd = None
        if epoch is not None:
            from ..limits import check_period_and_duration
            from .vet import epoch_to_bjd

            assert period is not None and duration is not None
            check_period_and_duration(period, duration, period_name="--period", duration_name="--duration")
            bjd = epoch_to_bjd(epoch, epoch_format)
        reading = read_options(mission=mission, time_format=time_format)
        catalogue = _neighbours(neighbours)

        import astropy.units as u

        from ..io.tpf import default_aperture
        from ..pixels import aperture_mask, difference_image, read_pixels

        series = read_pixels(file, **reading)
        if aperture == "default":
            mask, name, _ = default_aperture(series)
        else:
            mask, name = aperture_mask(series, aperture)
        if bjd is not None:
            assert period is not None and duration is not None
            di = difference_image(series, period * u.day, bjd, duration * u.hour, neighbours=catalogue)
            source = "given"
        else:
            from ..analysis import analyse

            a = analyse(file, detail=True, **reading)
            di, source = a.difference_image, "the best candidate of starskope's search"
            if di is None:
                source = ("no candidate found" if a.candidate is None
                          else "no difference image of the best candidate: " + "; ".join(a.notes or ["not vetted"]))
            elif catalogue:
                c = a.candidate
                di = difference_image(series, c.period, c.epoch, c.duration, neighbours=catalogue)
        summary = pixel_summary(series, mask, name, di, source)
        if plot is not None:
            summary["plot"] = str(plot_pixels(series, mask, di, plot))
        if as_json:
            typer.echo(json.dumps(summary, indent=1))
            return
        _print(summary, series, mask)
        if plot is not None:
            typer.echo(f"wrote {plot}")
