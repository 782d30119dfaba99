"""``starskope train``, ``evaluate``, ``classify`` and ``demo`` from the command line."""

from __future__ import annotations

import csv
import json

import numpy as np
import pandas as pd
import pytest

from starskope.cli import main
from starskope.io.flux_table import rebuild_time, write_flux_table

TRUTH_NAMES = {0: "planet", 1: "eclipsing_binary", 2: "spotted", 3: "quiet"}


def _table(n, seed):
    """Rows of four kinds: planet transits, eclipsing binaries, spotted stars, quiet stars."""
    rng = np.random.default_rng(seed)
    t = rebuild_time(3197).tdb.jd - 2456977.0
    flux, classes = [], []
    for i in range(n):
        c = i % 4
        f = 1 + 4e-4 * rng.normal(size=t.size)
        p, e = rng.uniform(1.5, 6), rng.uniform(0, 1.5)
        ph = ((t - e) / p + 0.5) % 1 - 0.5
        if c == 0:
            f[np.abs(ph * p) < 0.06] -= rng.uniform(1.5e-3, 3e-3)
        elif c == 1:
            k = np.floor((t - e) / p + 0.5)
            inside = np.abs(ph * p) < 0.08
            f[inside] -= np.where(k[inside] % 2 == 0, 0.03, 0.015)
        elif c == 2:
            f += 5e-3 * np.sin(2 * np.pi * t / rng.uniform(2, 9))
        flux.append(f * rng.uniform(800, 4000))
        classes.append(c)
    return np.array(flux), np.array(classes)


@pytest.fixture(scope="module")
def tables(tmp_path_factory):
    d = tmp_path_factory.mktemp("k2c3")
    rows = []
    for split, n, seed in (("train", 48, 0), ("test", 16, 1)):
        flux, cls = _table(n, seed)
        write_flux_table(d / f"exo{split.capitalize()}.csv", flux, np.where(cls == 0, 2, 1), float_format="%.3f")
        rows += [{"row": i, "split": split, "label": 2 if c == 0 else 1, "class": TRUTH_NAMES[c]}
                 for i, c in enumerate(cls)]
    with (d / "truth.csv").open("w", newline="") as fh:
        w = csv.DictWriter(fh, fieldnames=["row", "split", "label", "class"])
        w.writeheader()
        w.writerows(rows)
    return d


@pytest.fixture(scope="module")
def trained(tables, tmp_path_factory):
    out = tmp_path_factory.mktemp("models") / "quick"
    rc = main(["train", str(tables / "exoTrain.csv"), "--truth", str(tables / "truth.csv"), "--preset", "quick",
               "--out", str(out), "--workers", "1", "--cache", str(tables / "cache"), "--quiet",
               "--save-features", str(tables / "train-features.npz")])
    assert rc == 0
    return out


def test_train_writes_a_model_folder(trained, tables):
    doc = json.loads((trained / "model.json").read_text())
    assert doc["model"] == "ensemble" and doc["params"]["n_folds"] == 2
    assert doc["training"]["class_counts"] == [12, 12, 12, 12]
    assert doc["preprocessing"]["analysis"]["detrend"] == "biweight"
    assert {m["name"] for m in doc["members"]} == {"gbt", "dbn"}
    assert (tables / "train-features.npz").is_file()
    assert list((tables / "cache").glob("features-exoTrain-*.npz"))


def test_train_original_cnn_from_saved_features(tables, tmp_path):
    rc = main(["train", str(tables / "train-features.npz"), "--model", "original-cnn", "--out", str(tmp_path / "cnn"),
               "-p", "warmup_epochs=1", "-p", "epochs=1", "-p", "steps_per_epoch=2", "--quiet"])
    assert rc == 0
    assert json.loads((tmp_path / "cnn" / "model.json").read_text())["weights"]["kind"] == "torch"


def test_evaluate_prints_and_saves_metrics_and_plots(trained, tables, tmp_path, capsys):
    rc = main(["evaluate", str(trained), str(tables / "exoTest.csv"), "--truth", str(tables / "truth.csv"),
               "--out", str(tmp_path / "report"), "--workers", "1", "--quiet"])
    assert rc == 0
    text = capsys.readouterr().out
    for label in ("accuracy", "precision", "recall", "F1", "Jaccard", "Fowlkes–Mallows", "ROC-AUC", "PR-AUC",
                  "recall @ 1% FPR", "recall @ 5% FPR", "hosts found"):
        assert label in text
    report = tmp_path / "report"
    metrics = json.loads((report / "metrics.json").read_text())["models"]["ensemble"]
    assert metrics["n_hosts"] == 4 and len(metrics["multiclass_confusion"]) == 4
    assert metrics["roc_auc"] > 0.8
    for png in ("roc.png", "pr.png", "confusion.png", "training_curves.png"):
        assert (report / png).read_bytes()[:4] == b"\x89PNG"
    ranked = pd.read_csv(report / "ranked.csv")
    assert len(ranked) == 16 and ranked["p_planet_ensemble"].is_monotonic_decreasing


def test_classify_files_and_tables(trained, tables, tmp_path, shared_data, capsys):
    pimen = shared_data / "tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz"
    out = tmp_path / "results.csv"
    rc = main(["classify", str(pimen), str(tables / "exoTest.csv"), "--model", str(trained), "--out", str(out),
               "--quiet", "--no-stellar"])
    assert rc == 0
    df = pd.read_csv(out)
    from starskope.analysis import result_columns
    from starskope.startypes import STAR_TYPES

    assert list(df.columns) == result_columns()
    assert list(df.columns[:18]) == ["file", "target_id", "mission", "predicted_class", "verdict_status",
                                     "model_class", "p_planet",
                                     "p_planet_transit", "p_eclipsing_binary", "p_other_variable",
                                     "p_nothing_significant", "period_days", "epoch_bjd", "depth_ppm",
                                     "duration_hours", "snr", "planet_radius_earth", "flags"]
    assert {"star_type", *[f"p_type_{t}" for t in STAR_TYPES], "warnings"} <= set(df.columns)
    assert len(df) == 17
    assert list(df["target_id"].iloc[1:4]) == ["row 1", "row 2", "row 3"]
    assert set(df["star_type"]) <= set(STAR_TYPES)
    np.testing.assert_allclose(df[[f"p_type_{t}" for t in STAR_TYPES]].sum(axis=1), 1, atol=1e-4)
    row = df.iloc[0]
    assert row["target_id"] == "TIC 261136679" and row["mission"] == "TESS"
    assert row["period_days"] == pytest.approx(6.268, rel=2e-3)
    assert row["epoch_bjd"] > 2_458_000
    assert np.isnan(row["planet_radius_earth"])  # --no-stellar: radius unknown, cell empty
    np.testing.assert_allclose(df[[c for c in df.columns if c.startswith("p_") and c != "p_planet"
                                   and not c.startswith("p_type_")]].sum(axis=1), 1, atol=1e-4)
    assert (df["p_planet"] == df["p_planet_transit"]).all()
    assert "classified 17 light curves" in capsys.readouterr().out
    # a re-run resumes from the journal: nothing is analysed again, the table is the same
    rc = main(["classify", str(pimen), str(tables / "exoTest.csv"), "--model", str(trained), "--out", str(out),
               "--quiet", "--no-stellar"])
    assert rc == 0 and "2 items done by an earlier run" in capsys.readouterr().out
    pd.testing.assert_frame_equal(pd.read_csv(out), df)


def test_classify_reports_unreadable_files(trained, tmp_path, capsys):
    bad = tmp_path / "broken.fits"
    bad.write_bytes(b"not a fits file")
    good_dir = tmp_path / "empty"
    good_dir.mkdir()
    rc = main(["classify", str(bad), "--model", str(trained), "--out", str(tmp_path / "r.csv"), "--quiet"])
    assert rc == 2
    assert "none of the 1 inputs could be analysed" in capsys.readouterr().err
    rc = main(["classify", str(good_dir), "--model", str(trained), "--out", str(tmp_path / "r.csv"), "--quiet"])
    assert rc == 2
    assert "folder holds no light-curve files" in capsys.readouterr().err


def test_cli_errors(tmp_path, tables, trained, capsys):
    rc = main(["train", "--out", str(tmp_path / "m"), "--quiet"])
    assert rc == 2 and "nothing to train on" in capsys.readouterr().err
    rc = main(["train", str(tables / "exoTrain.csv"), "--model", "resnet", "--out", str(tmp_path / "m")])
    assert rc == 2 and "unknown model 'resnet'" in capsys.readouterr().err
    rc = main(["train", "--preset", "huge", "--out", str(tmp_path / "m")])
    assert rc == 2 and "unknown preset 'huge'" in capsys.readouterr().err
    rc = main(["train", str(tables / "exoTrain.csv"), "-p", "epochs", "--out", str(tmp_path / "m")])
    assert rc == 2 and "--param must be KEY=VALUE" in capsys.readouterr().err
    rc = main(["evaluate", str(tmp_path / "no-model"), "--out", str(tmp_path / "r")])
    assert rc == 2 and "model folder not found" in capsys.readouterr().err
    rc = main(["classify", str(tmp_path / "missing.fits"), "--model", str(trained), "--out", str(tmp_path / "r.csv"),
               "--quiet"])
    assert rc == 2 and "no such file, folder or glob pattern" in capsys.readouterr().err


@pytest.mark.slow
def test_demo_end_to_end_on_a_smaller_benchmark(tmp_path, capsys):
    """The whole demo (simulate → analyse → train both → evaluate → report) on a 1200 + 300
    star version of the benchmark with a lighter ensemble; the full-size run is
    ``starskope demo`` (numbers in the report of issue 5)."""
    from starskope.cli.demo import run_demo

    result = run_demo(
        tmp_path / "demo", seed=3, workers=2,
        simulate_kwargs={"n_train": 1200, "n_train_hosts": 40, "n_test": 300, "n_test_hosts": 10},
        cnn_params={"epochs": 10},
        ensemble_params={"n_folds": 2, "member_params": {"view-cnn": {"epochs": 12}, "spectrogram-cnn": {"epochs": 8},
                                                         "dbn": {"epochs": 15}}},
        pixel_params={"training_images": 40, "train_stars": 16, "test_stars": 16, "host_share": 0.3,
                      "beb_share": 0.3, "cnn_params": {"epochs": 3, "width": 4}, "n_folds": 2},
    )
    report = result["report"]
    for name in ("metrics.json", "roc.png", "pr.png", "confusion.png", "training_curves.png", "ranked.csv",
                 "timings.json", "hosts.csv"):
        assert (report / name).is_file(), name
    hosts = pd.read_csv(report / "hosts.csv")
    assert len(hosts) == 10 and hosts["snr_at_truth"].notna().all()
    # a host the search found has its period (or half or double), and the higher the
    # signal at the truth, the fewer quiet stars out-shine it
    assert hosts.loc[hosts["verdict"] == "found", "period_found"].all()
    strong, weak = hosts["snr_at_truth"].idxmax(), hosts["snr_at_truth"].idxmin()
    assert hosts.loc[strong, "stronger_quiet_stars"] <= hosts.loc[weak, "stronger_quiet_stars"]
    assert hosts.loc[strong, "stronger_quiet_stars"] == 0
    ranked = pd.read_csv(report / "ranked.csv")
    assert len(ranked) == 300 and {"p_planet_starskope-ensemble", "p_planet_original-cnn"} <= set(ranked.columns)
    ens, cnn = result["ensemble"], result["original-cnn"]
    assert ens["pr_auc"] > cnn["pr_auc"]
    assert ens["recall_at_fpr_1pct"] >= cnn["recall_at_fpr_1pct"]
    out = capsys.readouterr().out
    assert "original CNN" in out and "starskope ensemble" in out and "PR-AUC" in out and "test hosts" in out
    assert (tmp_path / "demo" / "models" / "ensemble" / "model.json").is_file()
    # the pixel section: both models' background binaries at the same host recall, printed and in metrics.json
    assert "background eclipsing binaries called planets" in out and "pixel-aware" in out
    px = json.loads((report / "metrics.json").read_text())["pixels"]
    assert [r["level"] for r in px["rows"]][-4:] == ["0.5", "0.7", "0.8", "0.9"]
    assert px["n_test_bebs"] >= 3 and "pixels" in result["timings"]
    assert (tmp_path / "demo" / "models" / "pixel-ensemble" / "model.json").is_file()


def test_demo_pixel_comparison_end_to_end(trained, tmp_path):
    """The demo's pixel section on a tiny field: pixel files simulated and analysed, the
    pixel-aware model trained beside a light-curve ensemble and both compared at the same
    host recall, the model saved and the table printed."""
    from starskope.analysis import options_for
    from starskope.cli.demo import format_pixel_table, run_pixel_comparison
    from starskope.models import load_model

    options = options_for(load_model(trained), {"star_types": False}, warn=False)
    result = run_pixel_comparison(tmp_path / "px", trained, options=options, seed=1, workers=1,
                                  save_to=tmp_path / "pixel-model", training_images=24, train_stars=12,
                                  test_stars=12, host_share=0.34, beb_share=0.34, cnn_params={"epochs": 2, "width": 4},
                                  n_folds=2)
    assert result["n_training_images"] > 12 and result["n_test_stars"] >= 10
    assert result["n_test_hosts"] >= 3 and result["n_test_bebs"] >= 3
    assert result["training"]["stacker_fitted"]
    assert [r["level"] for r in result["rows"]][-4:] == ["0.5", "0.7", "0.8", "0.9"]
    for r in result["rows"]:
        assert 0 <= r["bebs_called_planet_pixels"] <= result["n_test_bebs"]
        assert 0 <= r["bebs_called_planet_light_curve"] <= result["n_test_bebs"]
        assert r["host_recall_pixels"] >= r["host_recall_light_curve"]
    assert (tmp_path / "px" / "pixels-test" / "truth.csv").is_file()
    assert (tmp_path / "pixel-model" / "model.json").is_file()
    table = format_pixel_table(result)
    assert "background eclipsing binaries called planets" in table and "pixel-aware" in table
    with pytest.raises(ValueError, match="unknown pixel settings"):
        run_pixel_comparison(tmp_path / "px", trained, options=options, test_starz=3)
