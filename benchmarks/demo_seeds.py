"""``starskope demo`` over several seeds: how often the issue-5 goal holds, and why not.

Run from the repository root::

    .venv/bin/python benchmarks/demo_seeds.py --seeds 1 2 3 4 5 --work /tmp/demo-seeds

Each seed is a different simulated K2 Campaign 3 benchmark (5087 + 570 stars; the test
table has 5 hosts) and a different training run. A seed whose ``WORK/s<seed>`` folder
already holds a finished demo (``report/metrics.json`` and ``models/ensemble``) is not
run again: its test stars are re-scored with the saved ensemble.

For each seed it prints the original CNN's and the ensemble's PR-AUC and recall at 1 %
false-positive rate, the ensemble's hosts found and non-hosts flagged at its own
decision (argmax class), whether **5/5 hosts rank above all but 1 % of the non-hosts**
(recall @ 1 % FPR = 1: the issue's goal, "5/5 while flagging at most 1 %"), and each
host's detectability (:func:`starskope.datasets.host_detectability`): the
search's SNR at the host's true ephemeris and how many quiet stars show a stronger noise
peak. A host whose transit is below the 7.1σ detection threshold even at its true
ephemeris is one no transit survey would report: a seed that fails on such a host fails
on its data.

Results go to ``benchmarks/results/demo_seeds.json``.
"""

from __future__ import annotations

import argparse
import glob
import json
import os
import time
from pathlib import Path

import numpy as np
from end_to_end import _cpu


def _finished(work: Path) -> bool:
    return (work / "report" / "metrics.json").is_file() and (work / "models" / "ensemble" / "model.json").is_file()


def _rescore(work: Path):
    """Metrics and host detectability of a finished demo folder, from its saved models."""
    from starskope.analysis import AnalysisOptions
    from starskope.cli.evaluate import evaluate_features
    from starskope.cli.train import features_for_input, table_labels
    from starskope.datasets import host_detectability
    from starskope.io.flux_table import read_flux_table
    from starskope.models import load_model

    data = work / "data"
    cached = glob.glob(str(data / "features-exoTest-*.npz"))
    if len(cached) != 1:
        raise SystemExit(f"{data}: expected one cached test feature file, found {len(cached)}")
    test = features_for_input(Path(cached[0]))
    test = test.with_labels(table_labels(data / "truth.csv", read_flux_table(data / "exoTest.csv"), "test"))
    ens = load_model(work / "models" / "ensemble")
    cnn = load_model(work / "models" / "original-cnn")
    m_ens, p_ens = evaluate_features(ens, test)
    m_cnn, _ = evaluate_features(cnn, test)
    hosts = host_detectability(data / "exoTest.csv", data / "truth.csv", test, p_ens, options=AnalysisOptions())
    return m_ens, m_cnn, hosts, p_ens[test.labels != 0]


def main() -> None:
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--seeds", type=int, nargs="+", default=[1, 2, 3, 4, 5])
    ap.add_argument("--work", type=Path, default=Path("demo-seeds"))
    ap.add_argument("--workers", type=int, default=2)
    ap.add_argument("--out", type=Path, default=Path(__file__).parent / "results" / "demo_seeds.json")
    args = ap.parse_args()
    os.environ.setdefault("OMP_NUM_THREADS", "1")

    from starskope.cli.demo import run_demo

    rows = []
    for seed in args.seeds:
        work = args.work / f"s{seed}"
        t0 = time.perf_counter()
        ran = not _finished(work)
        if ran:
            run_demo(work, seed=seed, workers=args.workers, echo=lambda *a, **k: None)
        m_ens, m_cnn, hosts, p_non = _rescore(work)
        noise = hosts[hosts["verdict"].str.startswith("below the detection threshold")]
        goal = m_ens["recall_at_fpr_1pct"] >= 1.0 and m_ens["n_hosts"] == 5
        # hosts outside the 1 % budget: at or below the (k+1)-th highest non-host score
        non = np.sort(np.asarray(p_non, float))[::-1]
        k = int(np.floor(0.01 * non.size))
        missed = hosts[hosts["p_planet"] <= non[k]] if non.size > k else hosts.iloc[:0]
        on_data = bool(len(missed)) and missed["verdict"].str.startswith("below the detection threshold").all()
        row = {
            "seed": seed,
            "ran_now": ran,
            "seconds": round(time.perf_counter() - t0, 1),
            "cnn_pr_auc": m_cnn["pr_auc"], "ens_pr_auc": m_ens["pr_auc"],
            "cnn_recall_at_1pct": m_cnn["recall_at_fpr_1pct"], "ens_recall_at_1pct": m_ens["recall_at_fpr_1pct"],
            "ens_hosts_found": m_ens["hosts_found"], "ens_non_hosts_flagged": m_ens["non_hosts_flagged"],
            "goal_5of5_within_1pct": bool(goal),
            "hosts_below_threshold": len(noise),
            "hosts_outside_1pct": missed["target_id"].tolist(),
            "failure_on_the_data": on_data,
            "hosts": hosts.to_dict(orient="records"),
        }
        rows.append(row)
        print(f"seed {seed}: ensemble PR-AUC {row['ens_pr_auc']:.3f} (CNN {row['cnn_pr_auc']:.3f}), recall@1%FPR "
              f"{row['ens_recall_at_1pct']:.1f} (CNN {row['cnn_recall_at_1pct']:.1f}), argmax "
              f"{row['ens_hosts_found']} hosts with {row['ens_non_hosts_flagged']} flagged; goal "
              f"{'MET' if goal else 'not met'}; hosts below the detection threshold: {len(noise)}; outside the 1 % "
              f"budget: {', '.join(row['hosts_outside_1pct']) or 'none'}", flush=True)
        for h in hosts.itertuples():
            print(f"    {h.target_id:>7} SNR sim {h.snr_simulated:5.1f} at truth {h.snr_at_truth:5.1f} "
                  f"p {h.p_planet:.3f} rank {h.rank:3d} quiet stronger {h.stronger_quiet_stars:3d}  "
                  f"{h.verdict.split(':')[0]}")
    met = [r["seed"] for r in rows if r["goal_5of5_within_1pct"]]
    explained = [r["seed"] for r in rows if r["failure_on_the_data"]]
    print(f"\ngoal met on {len(met)}/{len(rows)} seeds {met}; failures where every host outside the 1 % budget is below the detection threshold: "
          f"{explained}")
    args.out.parent.mkdir(parents=True, exist_ok=True)
    args.out.write_text(json.dumps({
        "date": time.strftime("%Y-%m-%d"), "machine": f"{_cpu()}, {os.cpu_count()} cores",
        "workers": args.workers, "seeds": rows, "goal_met_seeds": met,
        "failures_with_undetectable_hosts": explained,
    }, indent=1, default=float) + "\n")
    print(f"wrote {args.out}")


if __name__ == "__main__":
    main()
