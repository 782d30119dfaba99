"""The real-data measurements of ``starskope evaluate`` and the model card, on made-up
stars whose answers are known."""

from __future__ import annotations

import json

import numpy as np
import pandas as pd
import pytest

from starskope.cli._card import write_model_card
from starskope.cli._realeval import period_right, stars_from, summary_lines, unit_table


def _stars(n_quiet: int = 200) -> pd.DataFrame:
    rng = np.random.default_rng(0)
    rows = []
    for i in range(n_quiet):
        rows.append({"name": f"q{i}.fits", "star": f"TIC {i}", "mission": "TESS", "label": 3,
                     "model_class": "nothing_significant", "p_planet": float(rng.uniform(0, 0.2)),
                     "p_planet_uncalibrated": float(rng.uniform(0, 0.5)), "detectable": False, "snr_known": np.nan,
                     "snr_found": 5.0, "manifest_class": "non_variable"})
    # hosts: two detectable ones above every non-host, one detectable below, one undetectable
    for i, (p, det) in enumerate(((0.9, True), (0.8, True), (0.1, True), (0.05, False))):
        rows.append({"name": f"h{i}.fits", "star": f"TIC 9{i}", "mission": "TESS", "label": 0,
                     "model_class": "planet_transit" if p > 0.5 else "nothing_significant", "p_planet": p,
                     "p_planet_uncalibrated": p, "detectable": det, "snr_known": 12.0 if det else 4.0,
                     "snr_found": 11.0, "manifest_class": "planet_host"})
    # binaries: three detectable, two called binaries
    for i, cls in enumerate(("eclipsing_binary", "eclipsing_binary", "other_variable")):
        rows.append({"name": f"b{i}.fits", "star": f"TIC 8{i}", "mission": "TESS", "label": 1, "model_class": cls,
                     "p_planet": 0.01, "p_planet_uncalibrated": 0.02, "detectable": True, "snr_known": 40.0,
                     "snr_found": 40.0, "manifest_class": "eclipsing_binary"})
    return pd.DataFrame(rows)


def test_hosts_above_the_99th_percentile_and_binaries_called_binaries():
    df = _stars()
    t = unit_table(df)
    assert t["n"] == len(df) and t["class_counts"] == [4, 3, 0, 200]
    h = t["hosts"]
    assert (h["n_hosts"], h["n_detectable"], h["n_above"]) == (4, 3, 2)
    assert h["fraction_above"] == pytest.approx(2 / 3)
    assert h["thresholds"]["TESS"] == pytest.approx(np.percentile(df.loc[df.label != 0, "p_planet"], 99))
    assert [m["name"] for m in h["missed"]] == ["h2.fits"]
    b = t["binaries"]
    assert (b["n_detectable"], b["called_eb"]) == (3, 2) and b["called_as"]["other_variable"] == 1
    assert t["recall"]["planet_transit"] == pytest.approx(0.5) and t["recall"]["other_variable"] is None
    df["verdict_class"] = ["nothing_significant"] * 204 + ["eclipsing_binary"] * 3
    assert unit_table(df)["binaries"]["verdict_eb"] == 3


def test_hosts_at_the_right_period_and_called_planet():
    """What a user of classify gets: the known period (within 1 %; 2× is not), called a planet."""
    assert period_right([10.05, 20.1, np.nan, 3.0], [(10.0545, 24.6), (10.0545,), (1.0,), ()]).tolist() == \
        [True, False, False, False]
    df = _stars()
    df["period_right"] = df["name"].isin(["h0.fits", "h2.fits", "h3.fits"])
    h = unit_table(df)["hosts"]
    assert h["period_right"] == 2 and "period_right_and_planet" not in h  # h3 is not detectable
    df["verdict_class"] = df["model_class"]
    h = unit_table(df)["hosts"]
    assert h["period_right_and_planet"] == 1  # h2 is at its period but not called a planet
    real = {"files": {"TESS": unit_table(df)}, "stars": {}}
    assert "at the right period 2, and called planet 1" in summary_lines(real)[0]


def test_a_star_with_several_files_counts_once_with_its_most_planet_like_file():
    files = _stars(20)
    extra = files[files["name"] == "h2.fits"].assign(name="h2-other-product.fits", p_planet=0.95, detectable=False)
    files = pd.concat([files, extra], ignore_index=True)
    stitched = files.iloc[:0].copy()
    stars = stars_from(files, stitched)
    assert len(stars) == files["star"].nunique()
    h2 = stars[stars["star"] == "TIC 92"].iloc[0]
    assert h2["p_planet"] == 0.95 and bool(h2["detectable"])  # one of its files is detectable


def test_the_model_card_says_what_was_measured(tmp_path):
    df = _stars()
    table = unit_table(df)
    real = {"files": {"TESS": table, "all": table}, "stars": {"TESS": table, "all": table}, "n_files": len(df),
            "n_stars": len(df), "by_catalogue_class": {"planet_host": {"n": 4, "planet_transit": 2,
                                                                        "eclipsing_binary": 0, "other_variable": 0,
                                                                        "nothing_significant": 2}},
            "calibration": {"files": {"ece_before": 0.2, "ece_after": 0.03,
                                      "reliability_after": {"lower": [0.0], "upper": [0.1], "count": [5],
                                                            "mean_p": [0.05], "fraction_positive": [0.0]}},
                            "stars": {"ece_before": 0.21, "ece_after": 0.04}},
            "reliability_png": str(tmp_path / "none.png")}
    metrics = {"real_data": real,
               "dr24_tces": {"kept_aside": {"n_tces": 30, "n_pc": 10, "n_afp": 15, "n_ntp": 5, "n_stars": 20,
                                            "roc_auc_pc_vs_afp_ntp": 0.95, "pr_auc_pc": 0.9}},
               "importance": {"members": {"members": {"gbt": {"own": {"roc_auc": 0.9, "mean_log_p": -0.3},
                                                              "drop": {"mean_log_p": 0.2, "roc_auc": 0.05}}}},
                              "inputs": {"drops": {"ensemble": {"vetting scalars": {"mean_log_p": 0.3,
                                                                                    "roc_auc": 0.04}}}}}}
    doc = {"model": "ensemble", "params": {"n_folds": 3, "target_fpr": 0.01},
           "state": {"member_names": ["gbt"], "planet_threshold": 0.4,
                     "calibration": {"method": "temperature-bias", "on": "real", "n_stars": 900, "temperature": 1.3,
                                     "class_bias": {"planet_transit": 0.0}, "ece_p_planet_before": 0.1,
                                     "ece_p_planet_after": 0.02, "threshold_on": "real"}},
           "training": {"class_counts": [1, 2, 3, 4], "total_seconds": 1234.0,
                        "by_origin": {"real": [1, 1, 1, 1], "injected": [0, 1, 0, 0]}},
           "preprocessing": {"analysis": {"detrend": "biweight", "k2_roll": True}}}
    card = write_model_card(tmp_path / "docs" / "model.md", doc, json.loads(json.dumps(metrics)),
                            model_dir="model", report=tmp_path)
    text = card.read_text()
    for needle in ("## Training data", "| real | 1 | 1 | 1 | 1 |", "## Kept-aside real stars", "2/3 (0.67)",
                   "## Calibration", "| files | 0.2000 | 0.0300 |", "## Vetting catalogue signals",
                   "| kept-aside stars | 30 | 10 / 15 / 5 | 0.950 |", "## What drives the decisions",
                   "| gbt | 0.900 |", "## Known failure modes", "K2 has no kept-aside real stars", "`h2.fits`",
                   "temperature 1.30"):
        assert needle in text, needle
    assert any("detectable hosts above 99th pct" in line for line in summary_lines(real))


def test_evaluate_says_what_it_needs(tmp_path, capsys):
    from starskope.cli import main
    from starskope.models import DEFAULT_MODEL_DIR

    rc = main(["evaluate", str(DEFAULT_MODEL_DIR), "--out", str(tmp_path / "r")])
    assert rc == 2 and "nothing to evaluate on" in capsys.readouterr().err
    rc = main(["evaluate", str(DEFAULT_MODEL_DIR), "--importance", "--dr24-tces", "--data", str(tmp_path),
               "--out", str(tmp_path / "r")])
    assert rc == 2 and "--importance is measured on the kept-aside real files: add --real-data" in capsys.readouterr().err
