"""Star-type classifier: train on the training split, score the kept-aside TESS FFI stars.

Usage (from the repository root)::

    .venv/bin/python benchmarks/startypes_eval.py [--save-model] [--jobs N]

Features are computed once and cached in ``~/.cache/starskope/startypes/features_v<N>.npz``
(N = ``FEATURE_VERSION``, so a feature change never reuses stale features; first run
~75 s on one core, later runs ~30 s). Writes ``benchmarks/results/startypes_eval.json``,
``startypes_eval.md`` and ``startypes_confusion.png``. With ``--save-model`` the trained
model replaces the shipped one in ``src/starskope/data/startypes`` (this is what
``starskope startype train`` does).
"""

from __future__ import annotations

import argparse
import os
import sys
import tempfile
from pathlib import Path

ROOT = Path(__file__).resolve().parents[1]


def main(argv: list[str] | None = None) -> int:
    parser = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    parser.add_argument("--save-model", action="store_true", help="replace the shipped model")
    parser.add_argument("--jobs", type=int, default=1, help="processes for feature extraction")
    parser.add_argument("--results", type=Path, default=ROOT / "benchmarks" / "results")
    parser.add_argument("--data", type=Path,
                        default=Path(os.environ.get("STARSKOPE_SHARED_DATA", ROOT.parent / "shared" / "data")),
                        help="real-data folder (default $STARSKOPE_SHARED_DATA, else ../shared/data)")
    args = parser.parse_args(argv)

    from starskope.startypes.model import default_model_dir
    from starskope.startypes.training import train_and_evaluate

    def progress(done: int, total: int) -> None:
        if done % 100 == 0 or done == total:
            print(f"  features {done}/{total}", flush=True)

    model_dir = default_model_dir() if args.save_model else Path(tempfile.mkdtemp(prefix="startype-model-"))
    _, ev = train_and_evaluate(args.data, model_dir=model_dir, results_dir=args.results,
                               n_jobs=args.jobs, progress=progress)
    print(f"held-out TESS FFI stars: {ev.n}; accuracy {ev.accuracy:.3f}; macro-F1 {ev.macro_f1:.3f} "
          f"(variability types only, without planet_host: {ev.macro_f1_without_planet_host:.3f})")
    for t, m in ev.per_class.items():
        print(f"  {t:18s} precision {m['precision']:.3f} recall {m['recall']:.3f} F1 {m['f1']:.3f} n={m['support']}")
    print(f"model in {model_dir}; results in {args.results}")
    return 0


if __name__ == "__main__":
    sys.exit(main())
