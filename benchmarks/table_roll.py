"""K2 roll correction for flux tables (no centroids): what it finds and what it buys.

Run from the repository root::

    .venv/bin/python benchmarks/table_roll.py [--seed 3] [--quiet-rows 150]

In one run, on this machine:

* **firings, real K2** — nine real Campaign 5 light curves from ``../shared/data`` laid out
  as a table of PDCSAP rows: thruster firings found by
  :func:`starskope.clean.k2roll.table_firings` against the files' QUALITY thruster bits;
* **firings, simulated K2 C3** — the same on the simulated ``exoTest.csv`` (570 stars)
  against the simulator's ``cadences.csv``;
* **noise peaks** — the search's best-peak SNR of the table's quiet stars (pure noise:
  their peaks are false alarms) with and without the correction: the tail a planet has
  to rise above;
* **hosts** — each test host's SNR at its true ephemeris with and without it;
* **time** — cleaning milliseconds per star with and without it (one process, after a
  warm-up; wall clock, so other load on the machine shows).

Results go to ``benchmarks/results/table_roll.json``.
"""

from __future__ import annotations

import argparse
import csv
import json
import os
import tempfile
import time
import warnings
from pathlib import Path

import numpy as np
from end_to_end import _cpu


def _real_c5(shared: Path) -> dict[str, float]:
    from astropy.io import fits

    from starskope.clean.k2roll import table_firings

    files = sorted((shared / "k2" / "misc" / "OxES+k2sc").glob("ktwo*-c05_llc.fits.gz"))
    rows, quality, t = [], None, None
    for f in files:
        with fits.open(f) as h:
            d = h[1].data
            if quality is None:
                quality, t = np.asarray(d["SAP_QUALITY"]), np.asarray(d["TIME"], float)
            rows.append(np.asarray(d["PDCSAP_FLUX"], float))
    good = np.isfinite(t)
    truth = (quality[good] & (1048576 | 524288)) != 0
    found = table_firings(t[good] + 2454833.0, np.array(rows)[:, good])
    found = np.zeros(truth.size, bool) if found is None else found
    return {"stars": len(files), "flagged": int(truth.sum()), "found": int(found.sum()),
            "hits": int((found & truth).sum()), "false": int((found & ~truth).sum())}


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seed", type=int, default=None, help="simulation seed (default: the built-in set's)")
    ap.add_argument("--quiet-rows", type=int, default=150, help="quiet stars searched for noise peaks")
    ap.add_argument("--data", type=Path, default=os.environ.get("STARSKOPE_SHARED_DATA"),
                    help="real-data folder with the K2 C5 light curves (default $STARSKOPE_SHARED_DATA)")
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "table_roll.json")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")
    warnings.simplefilter("ignore")

    from starskope.analysis import AnalysisOptions, clean_table_rows, search_period_max
    from starskope.clean.k2roll import table_firings
    from starskope.io.flux_table import read_flux_table
    from starskope.search import measure_ephemeris, search_transits
    from starskope.simulate import DEFAULT_SEED, simulate_k2_c3

    seed = DEFAULT_SEED if args.seed is None else args.seed
    result: dict[str, object] = {"date": time.strftime("%Y-%m-%d"), "machine": f"{_cpu()}, {os.cpu_count()} cores",
                                 "seed": seed}
    shared = Path(args.data) if args.data else None
    if shared is not None:
        result["real_c5"] = _real_c5(shared)
        print(f"real K2 C5 table: {result['real_c5']}")

    with tempfile.TemporaryDirectory() as tmp:
        simulate_k2_c3(tmp, seed=seed, n_train=10, n_train_hosts=2)
        table = read_flux_table(Path(tmp) / "exoTest.csv")
        truth = sorted((r for r in csv.DictReader(open(Path(tmp) / "truth.csv")) if r["split"] == "test"),
                       key=lambda r: int(r["row"]))
        quality = np.array([int(r["quality"]) for r in csv.DictReader(open(Path(tmp) / "cadences.csv"))])
    t = np.asarray(table.time.tdb.jd, float)
    flux = np.asarray(table.flux, float)
    fire_true = (quality & 1048576) != 0
    found = table_firings(t, flux)
    found = np.zeros(t.size, bool) if found is None else found
    result["simulated_firings"] = {"flagged": int(fire_true.sum()), "found": int(found.sum()),
                                   "hits": int((found & fire_true).sum()), "false": int((found & ~fire_true).sum())}
    print(f"simulated K2 C3 test table: {result['simulated_firings']}")

    opts = AnalysisOptions()
    quiet = [i for i, r in enumerate(truth) if r["class"] == "quiet"][: args.quiet_rows]
    hosts = [i for i, r in enumerate(truth) if r["label"] == "2"]
    clean_table_rows(t, flux[quiet[:2]], opts, found if found.any() else None)  # warm-up (compilation)
    for name, firing in (("without", None), ("with", found if found.any() else None)):
        t0 = time.perf_counter()
        cq, _, _ = clean_table_rows(t, flux[quiet], opts, firing)
        ms = 1e3 * (time.perf_counter() - t0) / len(quiet)
        peaks = []
        for row in cq:
            g = np.isfinite(row)
            res = search_transits(t[g], row[g], period_min=opts.period_min_days, period_max=search_period_max(t, opts),
                                  max_planets=1, oversample=opts.search_oversample, snr_threshold=0.0)
            peaks.append(float((res.candidates[0] if len(res.candidates) else res.best).snr))
        ch, _, _ = clean_table_rows(t, flux[hosts], opts, firing)
        host_snr = []
        for k, i in enumerate(hosts):
            g = np.isfinite(ch[k])
            r = truth[i]
            host_snr.append(round(float(measure_ephemeris(
                t[g], ch[k][g], float(r["period_days"]), float(r["epoch_bjd"]), float(r["duration_hours"])).snr), 2))
        p = np.percentile(peaks, [50, 90, 99])
        result[name] = {"clean_ms_per_star": round(ms, 1), "quiet_peak_snr_p50_p90_p99": [round(float(x), 2) for x in p],
                        "quiet_peaks_above_7.1": int(np.sum(np.asarray(peaks) >= 7.1)), "n_quiet": len(quiet),
                        "host_snr_at_truth": host_snr,
                        "host_roll_residual_ppm": [round(float(truth[i].get("roll_residual_ppm") or 0), 1) for i in hosts]}
        print(f"{name} roll correction: {result[name]}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=1) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
