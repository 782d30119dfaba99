"""A PNG gallery of simulated light curves: examples of every class for a telescope.

:func:`plot_gallery` writes ``{label}_overview.png`` (one example per class: the whole light
curve and, for periodic signals, the phase-folded dip) and ``{label}_{class}.png`` (up to
three examples of one class) with matplotlib's Agg backend.
"""

from __future__ import annotations

import os
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import numpy as np

from .population import CLASSES

__all__ = ["Example", "plot_gallery"]

_TITLES = {
    "planet": "planet host", "quiet": "quiet star", "spotted": "spotted star (rotation)",
    "eclipsing_binary": "eclipsing binary", "background_eb": "background eclipsing binary",
    "delta_scuti": "δ Scuti pulsator", "gamma_dor": "γ Doradus pulsator", "rr_lyrae": "RR Lyrae",
    "single_event": "single-event false alarm", "systematics": "instrument systematics only",
}


@dataclass
class Example:
    """One light curve to show: times (BJD_TDB days), flux (e⁻/s) and its truth."""

    time_bjd: np.ndarray
    flux: np.ndarray
    truth: dict[str, Any]


def _describe(truth: dict[str, Any]) -> str:
    bits = [f"{truth.get('band', 'mag')} {float(truth['mag']):.1f}"] if "mag" in truth else []
    for key, fmt in (("period_days", "P={:.3g} d"), ("depth_ppm", "δ={:.0f} ppm"), ("snr", "SNR={:.1f}"),
                     ("secondary_depth_ppm", "δ₂={:.0f} ppm"), ("dilution", "dil={:.3f}"),
                     ("spot_period_days", "Prot={:.3g} d"), ("puls_period_days", "Ppuls={:.3g} d"),
                     ("puls_amplitude_ppm", "amp={:.0f} ppm"), ("sys_kind", "{}")):
        v = truth.get(key)
        if v is None or (isinstance(v, float) and not np.isfinite(v)):
            continue
        bits.append(fmt.format(v))
    return ", ".join(bits)


def _panel(ax: Any, ax_fold: Any, ex: Example, offset: float) -> None:
    t = ex.time_bjd - offset
    f = ex.flux
    med = np.nanmedian(f)
    rel = (f / med - 1.0) * 1e3
    ax.plot(t, rel, ".", ms=1.2, color="0.25", rasterized=True)
    ax.set_ylabel("Δflux [ppt]", fontsize=7)
    ax.tick_params(labelsize=6)
    period = ex.truth.get("period_days")
    epoch = ex.truth.get("epoch_bjd")
    if ax_fold is None:
        return
    if period and epoch and np.isfinite(period):
        phase = ((ex.time_bjd - epoch) / period + 0.5) % 1.0 - 0.5
        hours = phase * period * 24.0
        dur = float(ex.truth.get("duration_hours") or 3.0)
        m = np.abs(hours) < max(3.0 * dur, 3.0)
        ax_fold.plot(hours[m], rel[m], ".", ms=1.5, color="C0", rasterized=True)
        ax_fold.set_xlabel("hours from dip", fontsize=6)
    elif epoch and np.isfinite(epoch):
        hours = (ex.time_bjd - epoch) * 24.0
        m = np.abs(hours) < 24.0
        ax_fold.plot(hours[m], rel[m], ".", ms=1.5, color="C0", rasterized=True)
        ax_fold.set_xlabel("hours from event", fontsize=6)
    else:
        ax_fold.axis("off")
    ax_fold.tick_params(labelsize=6)


def plot_gallery(
    examples: dict[str, list[Example]],
    label: str,
    out_dir: str | os.PathLike[str],
    *,
    time_label: str = "BJD_TDB",
    time_offset: float | None = None,
) -> list[Path]:
    """Write the gallery PNGs for one telescope.

    Parameters
    ----------
    examples : dict of class name to list of Example
    label : str
        File-name prefix and title (e.g. 'k2_c3', 'kepler', 'tess').
    out_dir : str or PathLike
        Created if missing.
    time_label : str
        Name of the time axis (e.g. 'BKJD').
    time_offset : float, optional
        Subtracted from BJD_TDB for the axis (e.g. 2454833 for BKJD).

    Returns
    -------
    list of Path
        The files written, overview first.
    """
    import matplotlib

    matplotlib.use("Agg")
    import matplotlib.pyplot as plt

    out = Path(out_dir)
    out.mkdir(parents=True, exist_ok=True)
    classes = [c for c in CLASSES if examples.get(c)]
    offset = 0.0 if time_offset is None else float(time_offset)
    written: list[Path] = []
    if classes:
        fig, axes = plt.subplots(len(classes), 2, figsize=(10, 1.45 * len(classes) + 0.6),
                                 gridspec_kw={"width_ratios": [3.2, 1]}, squeeze=False)
        for row, cls in enumerate(classes):
            ex = examples[cls][0]
            _panel(axes[row, 0], axes[row, 1], ex, offset)
            axes[row, 0].set_title(f"{_TITLES.get(cls, cls)} — {_describe(ex.truth)}", fontsize=7, loc="left")
        axes[-1, 0].set_xlabel(f"time [{time_label}]", fontsize=7)
        fig.suptitle(f"starskope simulated light curves: {label}", fontsize=9)
        fig.tight_layout()
        path = out / f"{label}_overview.png"
        fig.savefig(path, dpi=110, metadata={"Software": None})
        plt.close(fig)
        written.append(path)
    for cls in classes:
        exs = examples[cls][:3]
        fig, axes = plt.subplots(len(exs), 2, figsize=(10, 1.7 * len(exs) + 0.5),
                                 gridspec_kw={"width_ratios": [3.2, 1]}, squeeze=False)
        for row, ex in enumerate(exs):
            _panel(axes[row, 0], axes[row, 1], ex, offset)
            axes[row, 0].set_title(f"{ex.truth.get('object', '')}: {_describe(ex.truth)}", fontsize=7, loc="left")
        axes[-1, 0].set_xlabel(f"time [{time_label}]", fontsize=7)
        fig.suptitle(f"{label}: {_TITLES.get(cls, cls)}", fontsize=9)
        fig.tight_layout()
        path = out / f"{label}_{cls}.png"
        fig.savefig(path, dpi=110, metadata={"Software": None})
        plt.close(fig)
        written.append(path)
    return written
