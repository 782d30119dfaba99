"""End-to-end throughput of ``starskope classify`` on the batch engine, and 1 → 2 worker scaling.

Run from the repository root::

    .venv/bin/python benchmarks/end_to_end.py              # full: 5657 K2 C3 stars + TESS sector files
    .venv/bin/python benchmarks/end_to_end.py --quick      # 600-star scaling subset only

What is measured, wall clock on this machine, in one run:

* **K2 C3 scaling** — the first ``--scaling-rows`` rows of the simulated K2 C3 training
  table (3197 cadences each), classified by the full pipeline (read where processed →
  clean → search → vet → features → the shipped model → star type) on a local Dask
  cluster of 1 worker process, then of 2; light curves per second and the ratio
  (goal: ≥ 1.6×). Both runs include the cluster start-up, as a user sees it.
* **K2 C3 full set** — all 5657 simulated stars (``exoTrain.csv`` + ``exoTest.csv``) with 2
  workers, with the star types (``classify``'s default) and without (``--no-star-types``:
  read, clean, search, vet, classify); goal: under 120 s.
* **TESS sector** — ``--n-tess`` simulated TESS 2-min SPOC FITS files (one 27-d sector,
  ~18,000 cadences each), 1 and 2 workers; light curves per second.

Peak resident memory of each worker is reported from ``getrusage`` (see
``benchmarks/worker_memory.py`` for its growth with the number of files). Results go to
``benchmarks/results/end_to_end.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import platform
import shutil
import tempfile
import time
from pathlib import Path

K2_GOAL_SECONDS = 120.0
SCALING_GOAL = 1.6


def _cpu() -> str:
    try:
        for line in Path("/proc/cpuinfo").read_text().splitlines():
            if line.startswith("model name"):
                return line.split(":", 1)[1].strip()
    except OSError:
        pass
    return platform.processor() or "unknown CPU"


def _options(star_types: bool, depth_fit: bool = True) -> dict:
    """The shipped model's analysis options, with star types and the limb-darkened depth fit on or off."""
    from starskope.analysis import options_for
    from starskope.models import default_model

    return options_for(default_model(), {"star_types": star_types, "vet_transit_fit": depth_fit},
                       warn=False).as_dict()


def _run(items, out: Path, workers: int, options: dict | None = None) -> dict[str, float]:
    from starskope.batch import run_batch
    from starskope.batch.classify import classify_task

    for p in (out, out.with_name(out.name + ".journal.jsonl")):
        p.unlink(missing_ok=True)
    t0 = time.perf_counter()
    summary = run_batch(items, classify_task(None, options), out, workers=workers, progress=False,
                        status_columns=False, refresh_seconds=0)
    seconds = time.perf_counter() - t0
    return {"workers": workers, "light_curves": summary.n_rows, "items": summary.n_items,
            "failed_items": summary.n_failed, "seconds": seconds, "per_second": summary.n_rows / seconds,
            "worker_peak_rss_mb": sorted(summary.worker_peak_rss_mb.values())}


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "starskope-end-to-end")
    ap.add_argument("--scaling-rows", type=int, default=2048)
    ap.add_argument("--n-tess", type=int, default=24)
    ap.add_argument("--table-chunk", type=int, default=128)
    ap.add_argument("--quick", action="store_true", help="Only the scaling subset (600 rows), no full set, no TESS.")
    ap.add_argument("--only-screening", action="store_true",
                    help="Only the full set in the screening configuration (adds it to the results file).")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "end_to_end.json")
    args = ap.parse_args()
    if args.quick:
        args.scaling_rows = 600

    from starskope.batch import collect_items
    from starskope.simulate import DEFAULT_SEED, simulate_k2_c3

    k2 = args.work / "k2c3"
    if not (k2 / "exoTest.csv").exists():
        print("simulating the K2 C3 tables ...", flush=True)
        simulate_k2_c3(k2, seed=DEFAULT_SEED)
    results: dict[str, object] = {
        "date": time.strftime("%Y-%m-%d"), "machine": f"{_cpu()}, {os.cpu_count()} cores",
        "python": platform.python_version(),
    }
    runs = args.work / "runs"
    runs.mkdir(parents=True, exist_ok=True)

    if args.only_screening and args.out.exists():
        results = {**json.loads(args.out.read_text()), **results}
    # ---- scaling, K2 C3 rows
    items = [it for it in collect_items([k2 / "exoTrain.csv"], table_chunk=args.table_chunk)
             if (it.row_start or 0) < args.scaling_rows]
    if not args.only_screening:
        scaling = [_run(items, runs / f"scaling-{w}.csv", w) for w in (1, 2)]
        ratio = scaling[0]["seconds"] / scaling[1]["seconds"]
        results["k2_scaling"] = {"rows": scaling, "speedup_2_vs_1": ratio, "goal": SCALING_GOAL}
        print(f"K2 C3 scaling on {scaling[0]['light_curves']} light curves: 1 worker {scaling[0]['seconds']:.1f} s "
              f"({scaling[0]['per_second']:.1f}/s), 2 workers {scaling[1]['seconds']:.1f} s "
              f"({scaling[1]['per_second']:.1f}/s): {ratio:.2f}x (goal >= {SCALING_GOAL}x: "
              f"{'met' if ratio >= SCALING_GOAL else 'NOT met'})", flush=True)

    if not args.quick:
        # ---- the full simulated campaign, 2 workers
        full_items = collect_items([k2 / "exoTrain.csv", k2 / "exoTest.csv"], table_chunk=args.table_chunk)
        configs = (("k2_full", "default (star types, limb-darkened depths)", True, True),
                   ("k2_full_no_star_types", "--no-star-types", False, True),
                   ("k2_full_screening", "--no-star-types --no-depth-fit", False, False))
        for key, label, star_types, depth_fit in configs:
            if args.only_screening and key != "k2_full_screening":
                continue
            full = _run(full_items, runs / "full.parquet", 2, _options(star_types, depth_fit))
            results[key] = {**full, "goal_seconds": K2_GOAL_SECONDS}
            print(f"K2 C3 full set, {label}: {full['light_curves']} light curves in {full['seconds']:.1f} s with "
                  f"2 workers ({full['per_second']:.1f}/s; goal < {K2_GOAL_SECONDS:.0f} s: "
                  f"{'met' if full['seconds'] < K2_GOAL_SECONDS else 'NOT met'}); "
                  f"worker peak RSS {', '.join(f'{m:.0f}' for m in full['worker_peak_rss_mb'])} MB", flush=True)

    if not args.quick and not args.only_screening:
        # ---- TESS 2-min sector files
        tess = args.work / f"tess-{args.n_tess}"
        if not tess.exists():
            from starskope.cli import main as cli

            cli(["simulate", "tess", "--out", str(tess), "--n", str(args.n_tess), "--seed", "5"])
        tess_items = collect_items([str(tess / "*.fits")])
        tess_runs = [_run(tess_items, runs / f"tess-{w}.csv", w) for w in (1, 2)]
        tr = tess_runs[0]["seconds"] / tess_runs[1]["seconds"]
        results["tess_sector"] = {"rows": tess_runs, "speedup_2_vs_1": tr}
        print(f"TESS 2-min sector, {tess_runs[0]['light_curves']} files: 1 worker {tess_runs[0]['per_second']:.2f}/s, "
              f"2 workers {tess_runs[1]['per_second']:.2f}/s ({tr:.2f}x)", flush=True)
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(results, indent=2) + "\n")
    print(f"wrote {args.out}")
    shutil.rmtree(runs, ignore_errors=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
