"""How detectable each simulated planet host was: the truth set against the noise.

A host that a classifier misses is either a failure of the pipeline or a signal that
the light curve does not carry. :func:`host_detectability` tells the two apart for the
hosts of a simulated Kaggle-layout table: it cleans each host's row as every table star
is cleaned (:func:`starskope.analysis.clean_table_rows`, the K2 roll correction included)
and measures the transit at its *true* ephemeris with the search's own statistics
(:func:`starskope.search.measure_ephemeris`). A transit whose SNR there is below the
detection threshold (7.1σ, the Kepler pipeline's) is below what any transit survey
reports; for scale, it also counts the quiet stars (non-hosts with noise, granulation
and residual systematics only) whose best search peak, pure noise, is stronger.
"""

from __future__ import annotations

import os
import warnings
from typing import Any

import numpy as np

from ..errors import ParameterError

__all__ = ["host_detectability"]

#: Relative period tolerance for "the search found the host's period" (P, P/2 or 2P).
PERIOD_TOLERANCE = 0.01


def _period_match(found: float, true: float) -> bool:
    if not (np.isfinite(found) and np.isfinite(true) and true > 0):
        return False
    return any(abs(found / (true * k) - 1.0) < PERIOD_TOLERANCE for k in (0.5, 1.0, 2.0))


def host_detectability(
    table: str | os.PathLike[str],
    truth: str | os.PathLike[str],
    fs: Any,
    p_planet: np.ndarray,
    *,
    split: str = "test",
    options: Any = None,
    threshold: float | None = None,
) -> Any:
    """One row per planet host of a simulated table: its signal, what was found, its rank.

    Parameters
    ----------
    table : path
        The Kaggle-layout table (``exoTest.csv``).
    truth : path
        The simulator's ``truth.csv``.
    fs : FeatureSet
        The table's analysed stars, in row order, with labels (host = 0).
    p_planet : ndarray
        A model's planet probability per star of ``fs``.
    split : str
        The table's split in ``truth.csv``.
    options : AnalysisOptions, optional
        Cleaning settings (default: :class:`~starskope.analysis.AnalysisOptions`'s).
    threshold : float, optional
        Detection threshold on the SNR at the true ephemeris (default
        :data:`starskope.search.DEFAULT_SNR_THRESHOLD`, 7.1).

    Returns
    -------
    pandas.DataFrame
        ``target_id``, ``period_days``, ``depth_ppm``, ``duration_hours`` (true),
        ``snr_simulated`` (the simulator's), ``snr_at_truth`` (the search's SNR at the true
        ephemeris), ``found_period_days``, ``period_found`` (P, P/2 or 2P within 1 %),
        ``p_planet``, ``rank`` (1 = most planet-like star of the table),
        ``stronger_quiet_stars`` (quiet stars whose best search peak has a higher SNR than
        ``snr_at_truth``) and ``verdict`` ("below the detection threshold" with the numbers,
        whether or not the search's best peak fell on the period; else "found" or "missed by
        the search").

    Raises
    ------
    ParameterError
        Truth rows that do not match the table or the feature set.
    """
    import pandas as pd

    from ..analysis import AnalysisOptions, clean_table_rows, table_firing_mask
    from ..io.flux_table import read_flux_table
    from ..models.labels import CLASSES
    from ..search import DEFAULT_SNR_THRESHOLD, measure_ephemeris

    options = options or AnalysisOptions()
    threshold = DEFAULT_SNR_THRESHOLD if threshold is None else float(threshold)
    tab = read_flux_table(table)
    df = pd.read_csv(truth)
    if "split" in df:
        df = df[df["split"] == split]
    df = df.sort_values("row").reset_index(drop=True)
    p_planet = np.asarray(p_planet, float)
    if not (len(df) == tab.n_stars == len(fs) == p_planet.size):
        raise ParameterError(
            f"{truth}: {len(df)} {split} rows, but {table} has {tab.n_stars} stars, the feature set {len(fs)} "
            f"and the scores {p_planet.size}")
    labels = np.asarray(fs.labels)
    host = labels == CLASSES.index("planet_transit")
    quiet = labels == CLASSES.index("nothing_significant")
    found_snr = np.nan_to_num(np.asarray(fs.meta["snr"], float), nan=0.0)
    n_quiet = int(quiet.sum())
    # rank 1 = highest p_planet; ties share the better rank
    rank = 1 + np.array([(p_planet > p).sum() for p in p_planet])
    rows = np.flatnonzero(host)
    time = np.asarray(tab.time.tdb.jd, float)
    firing = table_firing_mask(time, tab.flux, options)
    cleaned, _, _ = clean_table_rows(time, tab.flux[rows].astype(float), options, firing)
    out = []
    for k, i in enumerate(rows):
        tr = df.iloc[i]
        good = np.isfinite(cleaned[k])
        snr = float("nan")
        try:
            with warnings.catch_warnings():
                warnings.simplefilter("ignore")
                snr = float(measure_ephemeris(time[good], cleaned[k][good], float(tr["period_days"]),
                                              float(tr["epoch_bjd"]), float(tr["duration_hours"])).snr)
        except (ParameterError, ValueError, KeyError):
            pass
        stronger = int((found_snr[quiet] > snr).sum()) if np.isfinite(snr) else n_quiet
        found_p = float(fs.meta["period_days"][i])
        found = _period_match(found_p, float(tr["period_days"]))
        if not snr >= threshold:
            verdict = (f"below the detection threshold: SNR {snr:.1f} < {threshold:g} at the true ephemeris; "
                       f"{stronger} of {n_quiet} quiet stars show a stronger noise peak"
                       + ("; the search's best peak is at its period" if found else ""))
        elif found:
            verdict = "found"
        else:
            verdict = f"missed by the search (SNR {snr:.1f} at the true ephemeris)"
        out.append({
            "target_id": str(fs.meta["target_id"][i]),
            "period_days": float(tr["period_days"]),
            "depth_ppm": float(tr["depth_ppm"]),
            "duration_hours": float(tr["duration_hours"]),
            "snr_simulated": float(tr.get("snr", np.nan)),
            "snr_at_truth": snr,
            "found_period_days": found_p,
            "period_found": bool(found),
            "p_planet": float(p_planet[i]),
            "rank": int(rank[i]),
            "stronger_quiet_stars": stronger,
            "verdict": verdict,
        })
    return pd.DataFrame(out)
