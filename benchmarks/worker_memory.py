"""Peak memory per batch worker over 100 versus 2,000 light-curve files.

Run from the repository root::

    .venv/bin/python benchmarks/worker_memory.py            # 100 and 2000 files, 2 workers
    .venv/bin/python benchmarks/worker_memory.py --small 50 --large 400

The simulator writes ``--large`` K2 long-cadence FITS files (one 80-day campaign each,
~3,500 cadences); ``starskope classify``'s batch engine then classifies the first
``--small`` of them and all ``--large`` on a local Dask cluster. Each worker reports its
peak resident set size (``getrusage``; it includes the model, PyTorch and the Numba
kernels). Bounded memory means the ratio large/small stays near 1: workers read one
file at a time and the client holds at most a few tasks in flight, whatever the number
of files. The client's own peak is printed too. Results go to
``benchmarks/results/worker_memory.json``.
"""

from __future__ import annotations

import argparse
import json
import resource
import tempfile
import time
from pathlib import Path

from end_to_end import _cpu, _run


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "starskope-worker-memory")
    ap.add_argument("--small", type=int, default=100)
    ap.add_argument("--large", type=int, default=2000)
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "worker_memory.json")
    args = ap.parse_args()

    from starskope.batch import collect_items

    files = args.work / f"k2-{args.large}"
    if not files.exists():
        from starskope.cli import main as cli

        print(f"simulating {args.large} K2 light-curve files ...", flush=True)
        cli(["simulate", "k2", "--out", str(files), "--n", str(args.large), "--seed", "11"])
    items = collect_items([str(files / "*.fits")])
    runs = args.work / "runs"
    runs.mkdir(parents=True, exist_ok=True)
    small = _run(items[: args.small], runs / "small.csv", args.workers)
    large = _run(items[: args.large], runs / "large.csv", args.workers)
    ratio = max(large["worker_peak_rss_mb"]) / max(small["worker_peak_rss_mb"])
    client_mb = resource.getrusage(resource.RUSAGE_SELF).ru_maxrss / 1024.0
    result = {
        "date": time.strftime("%Y-%m-%d"), "machine": _cpu(), "workers": args.workers,
        "small": small, "large": large, "peak_ratio_large_over_small": ratio, "client_peak_rss_mb": client_mb,
    }
    for _name, run in (("small", small), ("large", large)):
        print(f"{run['light_curves']:>5} files: {run['seconds']:.0f} s, {run['per_second']:.1f}/s, worker peak RSS "
              f"{', '.join(f'{m:.0f}' for m in run['worker_peak_rss_mb'])} MB")
    print(f"peak worker memory, {args.large} vs {args.small} files: {ratio:.2f}x; client peak {client_mb:.0f} MB")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
