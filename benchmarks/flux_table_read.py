"""Time and memory of reading a Kaggle-size flux table (5087 × 3197, like exoTrain.csv).

Writes a table with realistic values (per-star levels from tens to ~1e5 e⁻/s, half of the
stars mean-removed so values go negative, 0.2% noise, box transits in the hosts, two
decimals like the Kaggle files) into a temporary folder, then measures, each in a fresh
Python process so the memory peaks do not mix:

* ``read_flux_table``: the whole table into one array;
* ``iter_flux_table``: streaming in chunks of 500 rows, each chunk dropped after use;
* ``to_lightcurves`` on the first 500 stars.

Time is the best of ``--repeat`` runs. Memory is the process's peak resident set
(VmHWM in /proc/self/status) minus its resident set after the imports and a warm-up read of
a 40-row table, plus tracemalloc's peak of the Python/NumPy allocations and pyarrow's
memory-pool peak.

Run::

    .venv/bin/python benchmarks/flux_table_read.py            # 5087 × 3197
    .venv/bin/python benchmarks/flux_table_read.py --stars 570  # exoTest size
"""

from __future__ import annotations

import argparse
import json
import subprocess
import sys
import tempfile
import time
from pathlib import Path

import numpy as np

CHILD = r"""
import json, sys, time, tracemalloc
import numpy as np
import pyarrow as pa
from starskope.io.flux_table import iter_flux_table, read_flux_table

def status_mb(key):
    with open("/proc/self/status") as fh:
        for line in fh:
            if line.startswith(key + ":"):
                return int(line.split()[1]) / 1024
    return float("nan")

def rss_mb():
    return status_mb("VmRSS")

path, what, repeat, tiny = sys.argv[1], sys.argv[2], int(sys.argv[3]), sys.argv[4]

def run(path=path):
    if what == "read":
        table = read_flux_table(path)
        return table.flux.shape[0]
    if what == "iter":
        n = 0
        for chunk in iter_flux_table(path, chunksize=500):
            n += len(chunk)
            float(np.nansum(chunk.flux))
        return n
    if what == "lightcurves":
        chunk = next(iter_flux_table(path, chunksize=500))
        return len(chunk.to_lightcurves())
    raise SystemExit(f"unknown {what}")

run(tiny)  # warm up: lazy imports, thread pools and allocator arenas are not the table's memory
base = rss_mb()
times = []
for _ in range(repeat):
    t0 = time.perf_counter()
    rows = run()
    times.append(time.perf_counter() - t0)
# VmHWM, not getrusage's ru_maxrss: Linux carries ru_maxrss over from the parent across
# fork/exec, so it would report the parent's peak.
peak = status_mb("VmHWM")
pool_peak = pa.default_memory_pool().max_memory() / 2**20
tracemalloc.start()
run()
traced_peak = tracemalloc.get_traced_memory()[1] / 2**20
tracemalloc.stop()
print(json.dumps({"rows": rows, "best_s": min(times), "times_s": times, "rss_base_mb": base,
                  "rss_peak_mb": peak, "rss_above_base_mb": peak - base,
                  "tracemalloc_peak_mb": traced_peak, "arrow_pool_peak_mb": pool_peak}))
"""


def kaggle_like(n_stars: int, n_cadences: int, seed: int = 0) -> tuple[np.ndarray, np.ndarray]:
    rng = np.random.default_rng(seed)
    level = rng.lognormal(6.0, 2.0, n_stars)
    flux = level[:, None] * (1 + 0.002 * rng.standard_normal((n_stars, n_cadences)))
    flux -= np.where(rng.random(n_stars) < 0.5, level, 0.0)[:, None]
    labels = np.ones(n_stars, dtype=np.int8)
    labels[:37] = 2  # exoTrain has 37 hosts
    for i in np.flatnonzero(labels == 2):
        period = int(rng.integers(150, 600))
        for start in range(int(rng.integers(0, period)), n_cadences, period):
            flux[i, start : start + 6] -= 0.01 * level[i]
    return np.round(flux, 2), labels


def main() -> None:
    parser = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    parser.add_argument("--stars", type=int, default=5087)
    parser.add_argument("--cadences", type=int, default=3197)
    parser.add_argument("--repeat", type=int, default=3)
    args = parser.parse_args()

    from starskope.io.flux_table import write_flux_table

    with tempfile.TemporaryDirectory() as folder:
        path = Path(folder) / "exoTrain.csv"
        tiny = Path(folder) / "tiny.csv"
        write_flux_table(tiny, *kaggle_like(40, args.cadences))
        flux, labels = kaggle_like(args.stars, args.cadences)
        t0 = time.perf_counter()
        write_flux_table(path, flux, labels)
        write_s = time.perf_counter() - t0
        size_mb = path.stat().st_size / 2**20
        array_mb = flux.nbytes / 2**20
        del flux
        print(
            f"table: {args.stars} stars × {args.cadences} cadences, {size_mb:.1f} MiB of CSV, "
            f"{array_mb:.1f} MiB as float64"
        )
        print(f"write_flux_table: {write_s:.2f} s")
        for what in ("read", "iter", "lightcurves"):
            out = subprocess.run(
                [sys.executable, "-c", CHILD, str(path), what, str(args.repeat), str(tiny)],
                check=True,
                capture_output=True,
                text=True,
            )
            r = json.loads(out.stdout.strip().splitlines()[-1])
            label = {
                "read": "read_flux_table",
                "iter": "iter_flux_table(chunksize=500)",
                "lightcurves": "to_lightcurves (first 500 stars)",
            }[what]
            print(
                f"{label}: best {r['best_s']:.2f} s of {args.repeat} "
                f"({', '.join(f'{t:.2f}' for t in r['times_s'])}); rows {r['rows']}; "
                f"peak RSS {r['rss_peak_mb']:.0f} MiB = {r['rss_base_mb']:.0f} after imports and warm-up "
                f"+ {r['rss_above_base_mb']:.0f}; tracemalloc peak {r['tracemalloc_peak_mb']:.0f} MiB; "
                f"arrow pool peak {r['arrow_pool_peak_mb']:.0f} MiB"
            )


if __name__ == "__main__":
    main()
