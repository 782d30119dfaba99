"""What ``starskope classify`` says every labelled real star is: the one verdict per file
against the data folder's labels, on the kept-aside and the training half.

Run from the repository root::

    .venv/bin/python benchmarks/verdicts.py --data /work/shared/data --workers 2
    .venv/bin/python benchmarks/verdicts.py --data DIR --before benchmarks/results/verdicts.csv   # what changed

``starskope evaluate`` measures the models on the kept-aside half (the planet model's
classes, p_planet, the star types) and the verdict only on the detectable hosts and
binaries. This benchmark asks the user's question of every file: it runs the product
itself — ``starskope classify --per-file`` with the shipped model and default options —
over every light-curve file of ``manifest.csv`` with a usable label, and compares the
verdict (``predicted_class``) and the model's own class (``model_class``) with the label's
class (:data:`starskope.models.labels.MANIFEST_CLASS_MAP`: hosts and candidates → planet
transit, binaries → eclipsing binary, δ Scuti / γ Doradus / RR Lyrae / rotating stars →
other variable, non-variable stars → nothing significant; the "no known planet" stars of
kepler/dr24 are listed but not scored: each has a pipeline detection, often a binary's or a
variable's, so "no planet" does not say what it is).

The label says what the star is, not what one file can show: a host whose transits no
single file holds clearly is counted as missed by every method. Read the tables as "how
often the one answer a user gets is the star's catalogue class", not as a detection
efficiency (``benchmarks/real_recovery.py`` and ``starskope evaluate`` measure those).

Files are split by star (:func:`starskope.models.split.kept_aside`); the kept-aside half
is what the shipped models never saw, the training half is shown for comparison.
Headerless text files (their time system unstated) get the manifest's mission and that
mission's day count (``--mission``/``--time-format``, as a user would pass them);
phase-folded transit windows (manifest note "PHASE-FOLDED") are left out.

Writes ``benchmarks/results/verdicts.{csv,json,md}`` (``--out``): the classify table with
the labels, the confusion matrices, and the headline table. ``--per-star`` also runs
``classify`` as it runs by default — the files of one star (Kepler quarters, K2 products,
TESS sectors) stitched into one row — into ``verdicts_stars.*``; a star's row takes the
label of its files. ``--before`` names an earlier
run's CSV: the files whose verdict changed are listed, with the counts before and after.
"""

from __future__ import annotations

import argparse
import json
import os
import subprocess
import sys
import tempfile
import time
import warnings
from collections import Counter
from pathlib import Path

import pandas as pd
from end_to_end import _cpu

ROOT = Path(__file__).resolve().parents[1]
RESULTS = ROOT / "benchmarks" / "results"


#: Manifest classes listed by verdict but not scored (see :func:`_files`).
UNSCORED = ("no_known_planet",)


def _files(data: Path) -> pd.DataFrame:
    """The manifest's labelled light-curve files: file, mission, target, label class, half."""
    from starskope.models.labels import from_manifest_class
    from starskope.models.split import kept_aside

    man = pd.read_csv(data / "manifest.csv", keep_default_na=False)
    notes = man["notes"] if "notes" in man.columns else pd.Series("", index=man.index)
    man = man[~notes.str.contains("PHASE-FOLDED", case=False)]
    man = man[man["class"].map(from_manifest_class).notna()].copy()
    # "no known planet" (the kepler/dr24 stars without a planet) says what the star is not:
    # the pipeline found a threshold-crossing event on each — binaries and variables among
    # them — so those files are listed by verdict but not scored
    man["truth"] = [from_manifest_class(c) if c not in UNSCORED else "" for c in man["class"]]
    man["half"] = ["kept-aside" if kept_aside(t) else "training" for t in man["target_id"]]
    return man[["file", "mission", "target_id", "class", "truth", "half"]].reset_index(drop=True)


def _read_options(path: Path, mission: str) -> tuple[str, ...]:
    """classify options a headerless file needs (its mission's day count), else none."""
    from starskope.errors import TimeSystemError
    from starskope.io import read

    try:
        with warnings.catch_warnings():
            warnings.simplefilter("ignore")
            read(path)
        return ()
    except TimeSystemError:
        return ("--mission", mission.lower(), "--time-format", "btjd" if mission == "TESS" else "bkjd")
    except Exception:  # any other reading error is classify's to report, in its row
        return ()


def _classify(files: pd.DataFrame, data: Path, workers: int, work: Path,
              per_file: bool = True) -> tuple[pd.DataFrame, float]:
    """``starskope classify`` over the files, ``--per-file`` or (``per_file=False``) one row per
    star as by default (one call per set of read options; ``file`` relative to ``data``,
    the files of a star joined by ``;``)."""
    groups: dict[tuple[str, ...], list[str]] = {}
    for f, m in zip(files["file"], files["mission"], strict=True):
        groups.setdefault(_read_options(data / f, m), []).append(str(data / f))
    tables, seconds = [], 0.0
    for k, (opts, paths) in enumerate(sorted(groups.items())):
        out = work / f"classify-{k}-{'files' if per_file else 'stars'}.csv"
        cmd = [sys.executable, "-m", "starskope", "classify", *paths, *(["--per-file"] if per_file else []),
               "--out", str(out), "--workers", str(workers), "--quiet", *opts]
        t0 = time.perf_counter()
        subprocess.run(cmd, check=True, cwd=work)
        seconds += time.perf_counter() - t0
        tables.append(pd.read_csv(out, keep_default_na=False))
    got = pd.concat(tables, ignore_index=True)
    got["file"] = [";".join(str(Path(p).resolve().relative_to(data.resolve())) for p in str(f).split(";"))
                   for f in got["file"]]
    return got, seconds


COLUMNS = ["file", "predicted_class", "verdict_status", "model_class", "p_planet", "period_days", "snr", "flags",
           "star_type", "verdict_reason"]


def _labelled(files: pd.DataFrame, got: pd.DataFrame) -> pd.DataFrame:
    """classify's rows with the label of their (first) file: a star's files share its label."""
    got = got[[c for c in COLUMNS if c in got.columns]].copy()
    got["first"] = [f.split(";")[0] for f in got["file"]]
    got["n_files"] = [len(f.split(";")) for f in got["file"]]
    lab = files.drop(columns="file").assign(first=files["file"])
    return lab.merge(got, on="first", how="inner" if (got["n_files"] > 1).any() else "left").drop(
        columns="first").fillna("")


def _confusion(df: pd.DataFrame, column: str) -> dict:
    from starskope.models.labels import CLASSES

    df = df[df["truth"] != ""]
    cm = [[int(((df["truth"] == t) & (df[column] == p)).sum()) for p in CLASSES] for t in CLASSES]
    n = len(df)
    right = sum(cm[i][i] for i in range(len(CLASSES)))
    recall = {t: (cm[i][i] / sum(cm[i]) if sum(cm[i]) else None) for i, t in enumerate(CLASSES)}
    return {"n": n, "accuracy": right / n if n else None, "recall": recall, "confusion": cm,
            "not_analysed": int((df[column] == "").sum())}


def summarise(df: pd.DataFrame) -> dict:
    """Confusion of the verdict and of the model's class, per half and mission."""
    out: dict = {}
    for half in ("kept-aside", "training"):
        h = df[df["half"] == half]
        out[half] = {}
        for mission in ("all", *sorted(h["mission"].unique())):
            m = h if mission == "all" else h[h["mission"] == mission]
            out[half][mission] = {"verdict": _confusion(m, "predicted_class"),
                                  "model": _confusion(m, "model_class"),
                                  "by_label": {c: dict(Counter(g["predicted_class"]))
                                               for c, g in m.groupby("class")}}
    return out


def _pct(x: float | None) -> str:
    return "–" if x is None else f"{x:.3f}"


def markdown(summary: dict, meta: dict, unit: str = "file") -> str:
    """One section of the results: ``unit`` "file" (``--per-file``) or "star" (the default)."""
    from starskope.models.labels import CLASSES

    short = {"planet_transit": "planet", "eclipsing_binary": "EB", "other_variable": "variable",
             "nothing_significant": "nothing"}
    how = "`starskope classify --per-file`" if unit == "file" else "`starskope classify`, a star's files stitched"
    lines = [f"# One verdict per {unit} on the labelled real stars ({how})", "",
             f"{meta['date']}, {meta['machine']}; {meta['n_files']} files, classify {meta['classify_seconds']:.0f} s "
             f"with {meta['workers']} workers; commit {meta['commit']}.", "",
             "Recall of each label class by the verdict (the model's own class in brackets); accuracy over the scored "
             f"{unit}s (the 'no known planet' stars of kepler/dr24 are listed below, not scored).",
             "", f"| half | mission | scored {unit}s | accuracy | " + " | ".join(short[c] for c in CLASSES) + " |",
             "|---|---|---|---|" + "---|" * len(CLASSES)]
    for half, missions in summary.items():
        for mission, s in missions.items():
            v, m = s["verdict"], s["model"]
            cells = [f"{_pct(v['recall'][c])} ({_pct(m['recall'][c])})" for c in CLASSES]
            lines.append(f"| {half} | {mission} | {v['n']} | {_pct(v['accuracy'])} ({_pct(m['accuracy'])}) | "
                         + " | ".join(cells) + " |")
    lines += ["", f"Verdict confusion, kept-aside {unit}s (rows: label class; columns: verdict), all missions:", "",
              "| label \\ verdict | " + " | ".join(short[c] for c in CLASSES) + " |",
              "|---|" + "---|" * len(CLASSES)]
    cm = summary["kept-aside"]["all"]["verdict"]["confusion"]
    for c, row in zip(CLASSES, cm, strict=True):
        lines.append(f"| {short[c]} | " + " | ".join(str(x) for x in row) + " |")
    lines += ["", f"Verdicts by manifest class, kept-aside {unit}s:", ""]
    for c, counts in sorted(summary["kept-aside"]["all"]["by_label"].items()):
        lines.append(f"- {c}: " + ", ".join(f"{short.get(k, k or 'not analysed')} {n}"
                                             for k, n in sorted(counts.items(), key=lambda kv: -kv[1])))
    return "\n".join(lines) + "\n"


def compare(before: pd.DataFrame, after: pd.DataFrame) -> list[str]:
    """The files whose verdict changed, with their label class, per half."""
    b = before.set_index("file")
    lines, moved = [], Counter()
    for _, r in after.iterrows():
        if r["file"] not in b.index:
            continue
        old = b.loc[r["file"], "predicted_class"]
        if old != r["predicted_class"]:
            moved[(r["half"], r["class"], old, r["predicted_class"])] += 1
            lines.append(f"  {r['half']:10s} {r['file']}  {r['class']}: {old or 'not analysed'} -> "
                         f"{r['predicted_class'] or 'not analysed'}")
    lines.append("changed (half, label class, before -> after):")
    lines += [f"  {k[0]:10s} {k[1]:19s} {k[2] or '-':19s} -> {k[3] or '-':19s} {n}" for k, n in sorted(moved.items())]
    return lines


def main(argv: list[str] | None = None) -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, default=os.environ.get("STARSKOPE_SHARED_DATA"),
                    help="data folder with manifest.csv (default $STARSKOPE_SHARED_DATA)")
    ap.add_argument("--workers", type=int, default=2, help="classify's --workers (default 2)")
    ap.add_argument("--out", type=Path, default=RESULTS / "verdicts", help="output prefix (.csv, .json, .md)")
    ap.add_argument("--before", type=Path, default=None, help="an earlier run's CSV to compare with")
    ap.add_argument("--limit", type=int, default=None, help="only the first N files (a quick look)")
    ap.add_argument("--per-star", action="store_true",
                    help="also classify as by default, a star's files stitched into one row (<out>_stars.*)")
    args = ap.parse_args(argv)
    if args.data is None or not (Path(args.data) / "manifest.csv").is_file():
        ap.error("--data must name a folder with manifest.csv")
    data = Path(args.data)
    files = _files(data)
    if args.limit:
        files = files.head(args.limit)
    commit = subprocess.run(["git", "describe", "--always", "--dirty"], cwd=ROOT, capture_output=True,
                            text=True).stdout.strip()
    args.out.parent.mkdir(parents=True, exist_ok=True)
    for per_file in (True, False) if args.per_star else (True,):
        with tempfile.TemporaryDirectory(prefix="verdicts-") as tmp:
            got, seconds = _classify(files, data, args.workers, Path(tmp), per_file=per_file)
        df = _labelled(files, got)
        summary = summarise(df)
        meta = {"date": time.strftime("%Y-%m-%d"), "machine": f"{_cpu()}, {os.cpu_count()} cores",
                "n_files": len(files), "rows": len(df), "classify_seconds": seconds, "workers": args.workers,
                "commit": commit, "command": " ".join(["benchmarks/verdicts.py", *(argv or sys.argv[1:])])}
        out = args.out if per_file else args.out.with_name(args.out.name + "_stars")
        df.to_csv(out.with_suffix(".csv"), index=False)
        out.with_suffix(".json").write_text(json.dumps({"meta": meta, "summary": summary}, indent=1))
        md = markdown(summary, meta, "file" if per_file else "star")
        out.with_suffix(".md").write_text(md)
        print(md)
        if args.before is not None and per_file:
            print("\n".join(compare(pd.read_csv(args.before, keep_default_na=False), df)))
    return 0


if __name__ == "__main__":
    sys.exit(main())
