"""The models on real stars: retrain the default model and measure it on the kept-aside half.

Run from the repository root::

    .venv/bin/python benchmarks/models_real.py --data /work/shared/data --work /tmp/models-real
    .venv/bin/python benchmarks/models_real.py --data DIR --work W --skip-train --model src/starskope/data/default-model

Steps (wall-clock seconds of each are recorded):

1. ``starskope train --preset default`` into ``<work>/model`` (features cached in
   ``<work>/cache``, keyed by the settings and the analysis source, so a second run only
   refits) — skipped with ``--skip-train`` (then ``--model`` is measured);
2. ``starskope demo`` into ``<work>/demo`` unless ``--demo-report`` names a finished one or
   ``--no-demo``;
3. ``starskope evaluate <model> --full --demo-report ... --card <card>``: the kept-aside real
   files and stars per telescope, calibration, DR24 TCEs, star types, permutation
   importance, and the model card (``--card``, default ``<work>/model.md``).

Results go to ``benchmarks/results/models_real.json`` (the evaluation's ``metrics.json``
plus the timings, the git commit and the analysis code hash) and ``models_real.md`` (the
headline numbers).
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import time
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def _run(args: list[str]) -> float:
    from starskope.cli import main

    t0 = time.perf_counter()
    rc = main(args)
    if rc != 0:
        raise SystemExit(f"`starskope {' '.join(args)}` failed with exit code {rc}")
    return time.perf_counter() - t0


def _headline(m: dict) -> list[str]:
    out = []
    real = m.get("real_data", {})
    for unit in ("files", "stars"):
        for mission, t in real.get(unit, {}).items():
            h, b = t["hosts"], t["binaries"]
            out.append(f"| {unit} | {mission} | {t['n']} | {h['n_above']}/{h['n_detectable']} | "
                       f"{b['called_eb']}/{b['n_detectable']} | {b.get('verdict_eb', '–')} | "
                       f"{t['ece_p_planet']:.4f} | {t['roc_auc']:.3f} |")
    return out


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--data", type=Path, required=True, help="real-data folder (manifest.csv, catalogs/)")
    ap.add_argument("--work", type=Path, default=Path("/tmp/starskope-models-real"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--skip-train", action="store_true")
    ap.add_argument("--model", type=Path, default=None, help="model to measure with --skip-train")
    ap.add_argument("--demo-report", type=Path, default=None)
    ap.add_argument("--no-demo", action="store_true")
    ap.add_argument("--card", type=Path, default=None)
    ap.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    args = ap.parse_args()

    from starskope.datasets import analysis_code_hash

    work, cache = args.work, args.work / "cache"
    common = ["--data", str(args.data), "--workers", str(args.workers), "--cache", str(cache), "--quiet"]
    timings: dict[str, float] = {}
    model = args.model if args.skip_train else work / "model"
    if not args.skip_train:
        timings["train"] = _run(["train", "--preset", "default", "--out", str(model), *common])
    demo = args.demo_report
    if demo is None and not args.no_demo:
        timings["demo"] = _run(["demo", "--work", str(work / "demo"), "--workers", str(args.workers), "--quiet"])
        demo = work / "demo" / "report"
    card = args.card or work / "model.md"
    ev = ["evaluate", str(model), "--full", "--out", str(work / "eval"), "--card", str(card), *common]
    if demo is not None:
        ev += ["--demo-report", str(demo)]
    timings["evaluate"] = _run(ev)
    metrics = json.loads((work / "eval" / "metrics.json").read_text())
    commit = subprocess.run(["git", "rev-parse", "HEAD"], cwd=ROOT, capture_output=True, text=True).stdout.strip()
    dirty = bool(subprocess.run(["git", "status", "--porcelain", "src/starskope"], cwd=ROOT, capture_output=True,
                                text=True).stdout.strip())
    doc = {"commit": commit, "working_tree_changed": dirty, "analysis_code_hash": analysis_code_hash(),
           "timings_seconds": {k: round(v, 1) for k, v in timings.items()}, "model": str(model), **metrics}
    args.results.mkdir(parents=True, exist_ok=True)
    (args.results / "models_real.json").write_text(json.dumps(doc, indent=1) + "\n")
    lines = ["# The default model on kept-aside real stars", "",
             f"Commit {commit}{' (working tree changed)' if dirty else ''}; analysis code hash "
             f"{doc['analysis_code_hash']}; timings {doc['timings_seconds']} s. The model card: `{card}`.", "",
             "| unit | telescope | n | detectable hosts above p99 | detectable EBs called EB (model) | "
             "(verdict) | ECE p_planet | ROC-AUC |", "|---|---|---|---|---|---|---|---|", *_headline(metrics)]
    dr24 = metrics.get("dr24_tces", {})
    for k, v in dr24.items():
        lines.append(f"\nDR24 TCEs ({k}): {v['n_tces']} TCEs, ROC-AUC PC vs AFP+NTP "
                     f"{v.get('roc_auc_pc_vs_afp_ntp', float('nan')):.3f}")
    st = metrics.get("star_types")
    if st:
        lines.append(f"\nStar types, kept-aside TESS FFI: macro-F1 (5 variability types) "
                     f"{st['macro_f1_variability']:.3f}; EB recall {st['per_class']['eclipsing_binary']['recall']:.3f}"
                     f" ({st.get('eb_recall_detectable', float('nan')):.3f} over detectable eclipses)")
    (args.results / "models_real.md").write_text("\n".join(lines) + "\n")
    print("\n".join(lines))
    return 0


if __name__ == "__main__":
    sys.exit(main())
