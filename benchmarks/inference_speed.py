"""Model inference throughput, and where a light curve's time goes in the pipeline.

Run from the repository root::

    .venv/bin/python benchmarks/inference_speed.py            # 512 simulated K2 C3 stars
    .venv/bin/python benchmarks/inference_speed.py --n 128

One process, one thread (``OMP_NUM_THREADS=1``, torch and BLAS limited to 1 thread), on
the first ``--n`` rows of the simulated K2 C3 training table (3197 cadences each):

* **stages** — milliseconds per light curve for each stage of ``starskope classify``:
  clean (normalise + biweight detrend), transit search (batched over the rows, which share
  their time stamps), vetting of the best candidate (only for candidates with SNR ≥ 7.1,
  averaged over all stars), model features (views, spectrogram, scalars), the star type
  (periodogram features and its model), and the classifier;
* **inference** — light curves per second for the shipped default model's
  ``predict_proba`` on those features: the stacked ensemble and each member alone.

Results go to ``benchmarks/results/inference_speed.json``.
"""

from __future__ import annotations

import argparse
import json
import os
import tempfile
import time
from pathlib import Path

for _var in ("OMP_NUM_THREADS", "MKL_NUM_THREADS", "OPENBLAS_NUM_THREADS", "NUMBA_NUM_THREADS"):
    os.environ.setdefault(_var, "1")


def main() -> int:
    ap = argparse.ArgumentParser(description=__doc__.splitlines()[0])
    ap.add_argument("--work", type=Path, default=Path(tempfile.gettempdir()) / "starskope-end-to-end")
    ap.add_argument("--n", type=int, default=512)
    ap.add_argument("--repeat", type=int, default=3)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "inference_speed.json")
    args = ap.parse_args()

    import warnings

    import numpy as np
    import torch

    torch.set_num_threads(1)
    from end_to_end import _cpu

    from starskope.analysis import clean_table_rows, options_for, search_period_max
    from starskope.analysis.core import measure, star_types_of
    from starskope.io.flux_table import read_flux_table_rows
    from starskope.models import default_model
    from starskope.search import search_many
    from starskope.simulate import DEFAULT_SEED, simulate_k2_c3

    warnings.simplefilter("ignore")
    k2 = args.work / "k2c3"
    if not (k2 / "exoTrain.csv").exists():
        simulate_k2_c3(k2, seed=DEFAULT_SEED)
    table = read_flux_table_rows(k2 / "exoTrain.csv", 0, args.n)
    time_ = np.asarray(table.time.tdb.jd, float)
    flux = table.flux
    n = len(flux)
    model = default_model()
    options = options_for(model, warn=False)
    ms: dict[str, float] = {}

    t0 = time.perf_counter()
    clean, raw, _notes = clean_table_rows(time_, flux, options)
    ms["clean"] = (time.perf_counter() - t0) / n * 1e3
    t0 = time.perf_counter()
    found = search_many(time_, clean, period_min=options.period_min_days, period_max=search_period_max(time_, options),
                        max_planets=1, oversample=options.search_oversample)
    ms["search (batched)"] = (time.perf_counter() - t0) / n * 1e3
    t0 = time.perf_counter()
    analyses, n_vetted = [], 0
    for i in range(n):
        good = np.isfinite(clean[i])
        # vetting and features of one star (analysis.core.measure), timed together
        a = measure(label=f"row {i + 1}", file="", target=f"row {i + 1}", mission="K2", time=time_[good],
                    flux=clean[i][good], raw_at_kept=raw[i][good], options=options, search=found[i],
                    product="", flux_origin="", raw_time=time_, raw_flux=flux[i], quality=np.zeros(time_.size, int),
                    quality_bitmask=0, kept=good, trend=np.ones(int(good.sum())))
        n_vetted += a.vetted_for_model
        analyses.append(a)
    ms["vet + features"] = (time.perf_counter() - t0) / n * 1e3
    t0 = time.perf_counter()
    star_types_of(analyses, [(time_, flux[i], None, 0) for i in range(n)])
    ms["star type"] = (time.perf_counter() - t0) / n * 1e3
    from starskope.analysis import features_of

    fs = features_of(analyses)

    throughput: dict[str, float] = {}
    models = {"ensemble": model, **dict(getattr(model, "members_", []))}
    for name, m in models.items():
        m.predict_proba(fs.subset(slice(0, 8)))  # warm-up
        best = float("inf")
        for _ in range(args.repeat):
            t0 = time.perf_counter()
            m.predict_proba(fs)
            best = min(best, time.perf_counter() - t0)
        throughput[name] = n / best
    ms["classify (ensemble)"] = 1e3 / throughput["ensemble"]
    total = sum(ms.values())
    print(f"{n} simulated K2 C3 light curves, 3197 cadences, one thread; {n_vetted} candidates vetted")
    print(f"{'stage':<22} {'ms per light curve':>18} {'share':>7}")
    for k, v in ms.items():
        print(f"{k:<22} {v:>18.1f} {v / total:>7.0%}")
    print(f"{'total':<22} {total:>18.1f}   -> {1e3 / total:.1f} light curves/s per worker")
    print("\nmodel inference (predict_proba on precomputed features), light curves per second:")
    for k, v in throughput.items():
        print(f"  {k:<18} {v:>10.0f}/s")
    result = {"date": time.strftime("%Y-%m-%d"), "machine": _cpu(), "n": n, "n_vetted": n_vetted,
              "ms_per_light_curve": ms, "total_ms": total, "inference_per_second": throughput}
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps(result, indent=2) + "\n")
    print(f"wrote {args.out}")
    return 0


if __name__ == "__main__":
    raise SystemExit(main())
