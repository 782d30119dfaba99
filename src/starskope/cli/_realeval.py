"""The measurements ``starskope evaluate`` makes on kept-aside real stars.

Not a command (the leading underscore keeps :func:`starskope.cli.build_app` from
registering it). Every number is per telescope (the manifest's) and over all of them, by
file (each Kepler quarter alone) and by star (Kepler quarters stitched; a star with
several other files counts once, with its most planet-like file):

* **hosts found** — planet hosts whose transit is detectable (:data:`~starskope.datasets.DETECTABLE`:
  SNR ≥ 7.1 at a known period, ≥ 2 transits) ranked above the 99th percentile of the
  non-hosts' ``p_planet`` on the same telescope;
* **binaries called binaries** — detectable eclipsing binaries the model decides are
  eclipsing binaries, and those ``classify``'s verdict calls so
  (:func:`~starskope.datasets.star_verdicts`);
* **calibration** — the expected calibration error of ``p_planet`` before and after the
  ensemble's calibration, with the reliability diagram;
* the four-class confusion matrix, recall per class and per catalogue class, ROC-AUC.
"""

from __future__ import annotations

import math
from collections.abc import Callable, Mapping
from pathlib import Path
from typing import Any

import numpy as np

__all__ = ["MISSIONS", "RANK_PERCENTILE", "real_data_evaluation", "unit_table"]

#: Telescopes reported one by one.
MISSIONS: tuple[str, ...] = ("Kepler", "K2", "TESS")
#: Hosts must rank above this percentile of the non-hosts' p_planet.
RANK_PERCENTILE = 99.0
#: A found period is "right" within this fraction of a known one (½× and 2× are not).
PERIOD_TOLERANCE = 0.01


def period_right(found: Any, known: Any) -> Any:
    """Whether each found period (days) is within :data:`PERIOD_TOLERANCE` of one of its
    star's known periods (``known``: one sequence per row; empty → False)."""
    found = np.asarray(found, float)
    return np.array([bool(np.isfinite(f) and any(abs(f / k - 1) < PERIOD_TOLERANCE for k in ks if k > 0))
                     for f, ks in zip(found, known, strict=True)], bool)


def _table_of(fs: Any, model: Any, det: Any) -> Any:
    """One row per star of a feature set: manifest star, telescope, classes, the model's
    probabilities and decision, and the detectability of its known signal."""
    import pandas as pd

    from ..models.labels import CLASSES

    proba = np.asarray(model.predict_proba(fs), float)
    uncal = np.asarray(model.uncalibrated_proba(fs), float) if hasattr(model, "uncalibrated_proba") else proba
    decided = np.asarray(model.predict(fs)).astype(str)
    df = pd.DataFrame({
        "name": np.asarray(fs.meta["file"]).astype(str),
        "star": np.asarray(fs.meta.get("star", fs.meta["target_id"])).astype(str),
        "mission": np.asarray(fs.meta.get("manifest_mission", fs.meta["mission"])).astype(str),
        "group": np.asarray(fs.meta.get("group", np.full(len(fs), ""))).astype(str),
        "manifest_class": np.asarray(fs.meta.get("manifest_class", np.full(len(fs), ""))).astype(str),
        "label": np.asarray(fs.labels, int),
        "true_class": np.asarray(CLASSES, dtype=object)[np.asarray(fs.labels, int)],
        "model_class": decided,
        "p_planet": proba[:, 0],
        "p_planet_uncalibrated": uncal[:, 0],
        "snr_found": np.asarray(fs.meta["snr"], float),
        "period_found_days": np.asarray(fs.meta["period_days"], float),
        "flags": np.asarray(fs.meta["flags"]).astype(str),
    })
    for k, c in enumerate(CLASSES):
        df[f"p_{c}"] = proba[:, k]
    # a star of one file is measured once whether it came as a file or as a star
    known = det.drop_duplicates("name").set_index("name") if len(det) else None
    df["detectable"] = False
    df["snr_known"] = np.nan
    if known is not None:
        hit = df["name"].isin(known.index)
        df.loc[hit, "detectable"] = known.loc[df.loc[hit, "name"], "detectable"].astype(bool).to_numpy()
        df.loc[hit, "snr_known"] = known.loc[df.loc[hit, "name"], "snr"].astype(float).to_numpy()
    return df


def stars_from(files: Any, stitched: Any) -> Any:
    """One row per star: the stitched entries as they are, and every other star's files
    folded into one (its most planet-like file's row; detectable when one file is)."""
    import pandas as pd

    rest = files[~files["star"].isin(set(stitched["star"]))]
    rows = []
    for _, g in rest.groupby("star", sort=True):
        best = g.loc[g["p_planet"].idxmax()].copy()
        best["detectable"] = bool(g["detectable"].any())
        rows.append(best)
    folded = pd.DataFrame(rows) if rows else rest.iloc[:0]
    return pd.concat([stitched, folded], ignore_index=True)


def unit_table(df: Any) -> dict[str, Any]:
    """The measurements of one unit (files or stars) of one telescope (or all)."""
    from sklearn.metrics import roc_auc_score

    from ..models.evaluation import expected_calibration_error
    from ..models.labels import CLASSES

    y = df["label"].to_numpy(int)
    pred = np.array([CLASSES.index(c) for c in df["model_class"]], int)
    planet = y == 0
    out: dict[str, Any] = {"n": len(df), "class_counts": np.bincount(y, minlength=4).tolist()}
    cm = np.zeros((4, 4), int)
    np.add.at(cm, (y, pred), 1)
    out["confusion"] = cm.tolist()
    out["accuracy"] = float(np.mean(pred == y)) if y.size else float("nan")
    out["recall"] = {c: (float(cm[k, k] / cm[k].sum()) if cm[k].sum() else None) for k, c in enumerate(CLASSES)}
    p = df["p_planet"].to_numpy(float)
    out["roc_auc"] = float(roc_auc_score(planet, p)) if 0 < planet.sum() < planet.size else float("nan")
    out["ece_p_planet"] = expected_calibration_error(planet.astype(int), p) if y.size else float("nan")
    out["ece_p_planet_uncalibrated"] = (expected_calibration_error(planet.astype(int),
                                                                   df["p_planet_uncalibrated"].to_numpy(float))
                                        if y.size else float("nan"))
    # hosts above the 99th percentile of the non-hosts (per telescope when pooled)
    above = np.zeros(len(df), bool)
    thresholds = {}
    for m, g in df.groupby("mission"):
        neg = g.loc[g["label"] != 0, "p_planet"].to_numpy(float)
        if neg.size:
            thr = float(np.percentile(neg, RANK_PERCENTILE))
            thresholds[m] = thr
            above[(df["mission"] == m).to_numpy()] = (g["p_planet"].to_numpy(float) > thr)
    det = df["detectable"].to_numpy(bool)
    hosts = planet & det
    out["hosts"] = {"n_hosts": int(planet.sum()), "n_detectable": int(hosts.sum()),
                    "n_above": int((hosts & above).sum()),
                    "fraction_above": float((hosts & above).sum() / hosts.sum()) if hosts.sum() else float("nan"),
                    "thresholds": thresholds,
                    "missed": df.loc[hosts & ~above, ["name", "p_planet", "snr_known", "snr_found"]].to_dict("records")}
    right = df["period_right"].to_numpy(bool) if "period_right" in df else None
    if right is not None:
        out["hosts"]["period_right"] = int((hosts & right).sum())
    eb = (y == 1) & det
    called = pred == 1
    out["binaries"] = {"n_eb": int((y == 1).sum()), "n_detectable": int(eb.sum()),
                       "called_eb": int((eb & called).sum()),
                       "fraction_called": float((eb & called).sum() / eb.sum()) if eb.sum() else float("nan"),
                       "called_as": {c: int((eb & (pred == k)).sum()) for k, c in enumerate(CLASSES)}}
    if "verdict_class" in df:
        v = df["verdict_class"].astype(str).to_numpy()
        out["binaries"]["verdict_eb"] = int((eb & (v == "eclipsing_binary")).sum())
        out["binaries"]["verdict_fraction"] = (float((eb & (v == "eclipsing_binary")).sum() / eb.sum())
                                               if eb.sum() else float("nan"))
        out["binaries"]["verdict_as"] = {c: int((eb & (v == c)).sum()) for c in CLASSES}
        out["binaries"]["missed"] = df.loc[eb & ~called, ["name", "model_class", "verdict_class", "snr_known"]] \
            .to_dict("records")
        out["hosts"]["verdict_planet"] = int((hosts & (v == "planet_transit")).sum())
        if right is not None:  # what a user of `classify` gets: the right period, called a planet
            out["hosts"]["period_right_and_planet"] = int((hosts & right & (v == "planet_transit")).sum())
    else:
        out["binaries"]["missed"] = df.loc[eb & ~called, ["name", "model_class", "snr_known"]].to_dict("records")
    return out


def _by_mission(df: Any) -> dict[str, Any]:
    out = {m: unit_table(df[df["mission"] == m]) for m in MISSIONS if (df["mission"] == m).any()}
    out["all"] = unit_table(df)
    return out


def _by_catalogue_class(df: Any) -> dict[str, Any]:
    """What the model calls the stars of each catalogue class (the manifest's)."""
    from ..models.labels import CLASSES

    out = {}
    for c, g in df.groupby("manifest_class"):
        out[str(c)] = {"n": len(g), **{k: int((g["model_class"] == k).sum()) for k in CLASSES}}
    return out


def real_data_evaluation(
    model: Any,
    model_dir: str | Path,
    *,
    options: Any,
    data: str | Path,
    out: Path,
    workers: int = 1,
    cache: str | Path | None = None,
    progress: Callable[[str, int, int], None] | None = None,
    verdicts: bool = True,
) -> tuple[dict[str, Any], Any]:
    """Evaluate a four-class model on the kept-aside real stars of a data folder.

    Writes ``real_files.csv`` and ``real_stars.csv`` (every kept-aside file and star with
    its probabilities, decision, verdict and detectability) and ``reliability.png`` into
    ``out``.

    Returns
    -------
    dict, FeatureSet
        The measurements (``files`` and ``stars``, each ``{telescope or 'all': ...}``;
        ``by_catalogue_class``; ``calibration``), and the kept-aside files' features.
    """
    from ..datasets import real_features, real_stars, star_detectability, star_name, star_verdicts
    from ..models.evaluation import expected_calibration_error, plot_reliability, reliability_table

    out.mkdir(parents=True, exist_ok=True)
    kw = dict(options=options, workers=workers, progress=progress, cache_dir=cache, folder=data)
    fs_files = real_features("eval", unit="file", **kw)
    fs_stitched = real_features("eval", unit="stitched", **kw)
    held_files = [s for s in real_stars(data, unit="file") if s.held_out]
    held_stitched = [s for s in real_stars(data, unit="stitched") if s.held_out]
    det = star_detectability(held_files + held_stitched, workers=workers, progress=progress, cache_dir=cache)
    files = _table_of(fs_files, model, det)
    stitched = _table_of(fs_stitched, model, det)
    known = {star_name(s): s.known_periods for s in held_files + held_stitched}
    for df in (files, stitched):
        df["period_right"] = period_right(df["period_found_days"], [known.get(n, ()) for n in df["name"]])
    if verdicts:
        # the verdict a user reads, for the files whose known signal is detectable
        names = set(files.loc[files["detectable"] & files["label"].isin([0, 1]), "name"])
        chosen = [s for s in held_files if star_name(s) in names]
        v = star_verdicts(chosen, model_dir, workers=workers, progress=progress)
        vmap = dict(zip(v["name"], v["predicted_class"], strict=True)) if len(v) else {}
        smap = dict(zip(v["name"], v["star_type"], strict=True)) if len(v) else {}
        files["verdict_class"] = [vmap.get(n, "") for n in files["name"]]
        files["star_type"] = [smap.get(n, "") for n in files["name"]]
    stars = stars_from(files.drop(columns=[c for c in ("verdict_class", "star_type") if c in files]), stitched)
    files.sort_values("p_planet", ascending=False).to_csv(out / "real_files.csv", index=False)
    stars.sort_values("p_planet", ascending=False).to_csv(out / "real_stars.csv", index=False)
    calibration = {}
    curves = {}
    for unit, df in (("files", files), ("stars", stars)):
        y = (df["label"].to_numpy(int) == 0).astype(int)
        after, before = df["p_planet"].to_numpy(float), df["p_planet_uncalibrated"].to_numpy(float)
        calibration[unit] = {"ece_before": expected_calibration_error(y, before),
                             "ece_after": expected_calibration_error(y, after),
                             "reliability_after": reliability_table(y, after),
                             "reliability_before": reliability_table(y, before)}
        if unit == "files":
            curves = {"before calibration": (y, before), "after calibration": (y, after)}
    plot_reliability(curves, out / "reliability.png",
                     title=f"p_planet on kept-aside real files (n = {len(files)})")
    result = {"files": _by_mission(files), "stars": _by_mission(stars),
              "by_catalogue_class": _by_catalogue_class(files), "calibration": calibration,
              "n_files": len(files), "n_stars": len(stars),
              "dropped": {"files": fs_files.spec.get("dropped"), "stitched": fs_stitched.spec.get("dropped")},
              "reliability_png": str(out / "reliability.png")}
    return result, fs_files


def fmt(v: Any, digits: int = 3) -> str:
    """A number for a table (– for missing)."""
    if v is None or (isinstance(v, float) and not math.isfinite(v)):
        return "–"
    if isinstance(v, float):
        return f"{v:.{digits}f}"
    return str(v)


def summary_lines(result: Mapping[str, Any]) -> list[str]:
    """The printed summary of :func:`real_data_evaluation`: one line per unit and telescope."""
    lines = []
    for unit in ("files", "stars"):
        for m, t in result[unit].items():
            h, b = t["hosts"], t["binaries"]
            verdict = f", verdict {b['verdict_eb']}/{b['n_detectable']}" if "verdict_eb" in b else ""
            right = (f" (at the right period {h['period_right']}"
                     + (f", and called planet {h['period_right_and_planet']}" if "period_right_and_planet" in h else "")
                     + ")") if "period_right" in h else ""
            lines.append(
                f"  {unit:5s} {m:6s} n={t['n']:4d}  detectable hosts above 99th pct of non-hosts "
                f"{h['n_above']}/{h['n_detectable']} ({fmt(h['fraction_above'])}){right}  detectable EBs called EB "
                f"{b['called_eb']}/{b['n_detectable']} ({fmt(b['fraction_called'])}{verdict})  ROC-AUC "
                f"{fmt(t['roc_auc'])}  ECE {fmt(t['ece_p_planet'])} (uncalibrated {fmt(t['ece_p_planet_uncalibrated'])})")
    return lines
