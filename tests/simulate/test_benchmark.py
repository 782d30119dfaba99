"""The simulated benchmarks on disk: Kaggle layout, truth, FITS files, determinism, CLI."""

from __future__ import annotations

import csv
import hashlib
from pathlib import Path

import lightkurve as lk
import numpy as np
import pandas as pd
import pytest
from astropy.io import fits

import starskope
from starskope.cli import main
from starskope.errors import LightCurveFileError, ParameterError, UnitsError
from starskope.io.flux_table import read_flux_table, rebuild_time
from starskope.simulate import (
    NEGATIVE_FRACTIONS,
    Star,
    Truth,
    k2_c3_grid,
    plan_classes,
    plan_set,
    simulate_k2_c3,
    simulate_mission,
    simulate_stars,
)
from starskope.simulate.population import allocate
from starskope.simulate.stars import draw_class_star, draw_stars

from .conftest import SMALL


def _digest(folder: Path, pattern: str = "*") -> dict[str, str]:
    return {p.name: hashlib.sha256(p.read_bytes()).hexdigest() for p in sorted(folder.glob(pattern)) if p.is_file()}


def test_kaggle_layout(small_k2_c3: dict) -> None:
    for key, n, hosts in (("train", SMALL["n_train"], SMALL["n_train_hosts"]), ("test", SMALL["n_test"], SMALL["n_test_hosts"])):
        path = Path(small_k2_c3[key])
        assert path.name == ("exoTrain.csv" if key == "train" else "exoTest.csv")
        with path.open() as fh:
            header = fh.readline().rstrip("\n").split(",")
            first = fh.readline().rstrip("\n").split(",")
        assert header == ["LABEL"] + [f"FLUX.{j}" for j in range(1, 3198)]
        assert first[0] == "2"
        # two decimals, like the Kaggle tables
        assert all(len(cell.split(".")[1]) == 2 for cell in first[1:50])
        table = read_flux_table(path)
        assert table.flux.shape == (n, 3197)
        assert np.isfinite(table.flux).all()
        assert table.labels.tolist() == [2] * hosts + [1] * (n - hosts)  # hosts first, as in Kaggle
        assert np.allclose(table.time.tdb.jd, rebuild_time(3197).tdb.jd)
        lc = table[0]
        assert lc.meta["MISSION"] == "K2" and lc.flux.unit.to_string() == "electron / s"


def test_truth_table(small_k2_c3: dict) -> None:
    truth = pd.read_csv(small_k2_c3["truth"])
    assert len(truth) == SMALL["n_train"] + SMALL["n_test"]
    for split, fname in (("train", "exoTrain.csv"), ("test", "exoTest.csv")):
        part = truth[truth["split"] == split]
        assert (part["file"] == fname).all()
        assert part["row"].tolist() == list(range(len(part)))
        table = read_flux_table(small_k2_c3[split])
        assert (part["label"].to_numpy() == table.labels).all()
        assert ((part["class"] == "planet") == (part["label"] == 2)).all()
        # flux level from the magnitude (PDCSAP-like e-/s)
        quiet = (part["class"] == "quiet").to_numpy()
        med = np.median(table.flux[quiet], axis=1)
        assert np.allclose(med, part["flux_e_per_s"][quiet], rtol=0.01)
        negatives = part[part["label"] == 1]
        expected = allocate(len(negatives), NEGATIVE_FRACTIONS)
        assert negatives["class"].value_counts().to_dict() == {k: v for k, v in expected.items() if v}
    # every drawn parameter carries its unit in its name
    units = ("_days", "_hours", "_ppm", "_rearth", "_rsun", "_msun", "_k", "_bjd", "_cgs", "_minutes", "_au", "_deg", "_pix", "_e_per_s")
    numeric = [c for c in truth.columns if truth[c].dtype.kind == "f"]
    unitless = {"u1", "u2", "impact", "rp_over_rstar", "a_over_rstar", "snr", "dilution", "n_transits",
                "spot_n", "puls_n_modes", "n_cosmic_rays", "n_flagged", "mag", "label", "row"}
    for c in numeric:
        assert c.endswith(units) or c in unitless, c
    hosts = truth[truth["class"] == "planet"]
    assert hosts["snr"].min() >= 6.5
    near = ((hosts["snr"] >= 7) & (hosts["snr"] < 12)).mean()
    assert 0.15 <= near <= 0.35
    assert (hosts["snr"] > 50).mean() <= 0.1
    ebs = truth[truth["class"] == "eclipsing_binary"]
    assert (ebs["secondary_depth_ppm"] >= 0).all() and ebs["companion_radius_rsun"].notna().all()
    bebs = truth[truth["class"] == "background_eb"]
    assert np.allclose(bebs["depth_ppm"], bebs["bg_depth_ppm"] * bebs["dilution"])
    sysrows = truth[truth["class"] == "systematics"]
    assert sysrows["sys_kind"].notna().all()


def test_cadences_file_has_times_and_firing_flags(small_k2_c3: dict) -> None:
    with Path(small_k2_c3["cadences"]).open() as fh:
        rows = list(csv.DictReader(fh))
    assert len(rows) == 3197
    assert rows[0]["column"] == "FLUX.1" and rows[-1]["column"] == "FLUX.3197"
    t = np.array([float(r["time_bjd"]) for r in rows])
    assert np.allclose(t, rebuild_time(3197).tdb.jd, atol=1e-7, rtol=0)
    q = np.array([int(r["quality"]) for r in rows])
    firing = np.flatnonzero(q & 1048576)
    assert 240 < len(firing) < 300
    assert np.median(np.diff(firing)) == pytest.approx(12, abs=1)


def test_same_seed_same_bytes(tmp_path: Path, small_k2_c3_dir: Path) -> None:
    again = simulate_k2_c3(tmp_path / "again", seed=11, **SMALL)
    assert _digest(Path(again["train"]).parent, "*.csv") == _digest(small_k2_c3_dir, "*.csv")
    other = simulate_k2_c3(tmp_path / "other", seed=12, **SMALL)
    assert _digest(Path(other["train"]).parent, "*.csv")["exoTrain.csv"] != _digest(small_k2_c3_dir, "*.csv")["exoTrain.csv"]


def test_chunking_does_not_change_a_star() -> None:
    plan = plan_set(k2_c3_grid(), 12, 3, 9)
    whole = simulate_stars(plan)
    part = simulate_stars(plan, 5, 9)
    assert np.array_equal(whole.pdcsap[5:9], part.pdcsap)
    assert whole.truths[7] == part.truths[2]


@pytest.mark.parametrize(
    ("mission", "kwargs", "n_files"),
    [
        ("Kepler", {"segments": [2, 3]}, 8),
        ("K2", {"segments": [5]}, 4),
        ("TESS", {"segments": [14], "cadence": "ffi_30min"}, 4),
        ("TESS", {"segments": [1]}, 4),
    ],
)
def test_per_star_fits_files(tmp_path: Path, mission: str, kwargs: dict, n_files: int) -> None:
    result = simulate_mission(mission, tmp_path / "a", 4, seed=2, host_fraction=0.5, **kwargs)
    files = result["files"]
    assert len(files) == n_files
    truth = pd.read_csv(result["truth"])
    assert len(truth) == 4 and (truth["class"] == "planet").sum() == 2
    for path in files:
        with fits.open(path) as hdul:
            h0, h1 = hdul[0].header, hdul["LIGHTCURVE"].header
            assert h0["SIMDATA"] is True
            assert h0["TELESCOP"] == ("TESS" if mission == "TESS" else "Kepler")
            assert h1["BJDREFI"] == (2457000 if mission == "TESS" else 2454833)
            assert h1["TIMEREF"] == "SOLARSYSTEM" and h1["TIMESYS"] == "TDB"
            cols = hdul["LIGHTCURVE"].columns.names
            for c in ("TIME", "PDCSAP_FLUX", "PDCSAP_FLUX_ERR", "SAP_FLUX", "CADENCENO"):
                assert c in cols
            assert ("QUALITY" if mission == "TESS" else "SAP_QUALITY") in cols
            key = {"Kepler": "QUARTER", "K2": "CAMPAIGN", "TESS": "SECTOR"}[mission]
            assert h0[key] in kwargs["segments"]
            assert "DATE" not in h0 and "CHECKSUM" not in h0
        lc = starskope.read(path)
        assert lc.meta["MISSION"] == mission
        assert lc.meta["OBJECT"] in set(truth["object"])
        assert np.nanmedian(lc.flux.value) > 0
        lk_lc = lk.read(path)
        assert len(lk_lc) > 0.8 * len(lc)
        assert path.name in ";".join(truth["file"])
    simulate_mission(mission, tmp_path / "b", 4, seed=2, host_fraction=0.5, **kwargs)
    assert _digest(tmp_path / "a") == _digest(tmp_path / "b")


def test_kepler_thruster_free_and_k2_flags_in_fits(tmp_path: Path) -> None:
    result = simulate_mission("K2", tmp_path, 2, seed=1, segments=[3])
    with fits.open(result["files"][0]) as hdul:
        q = hdul["LIGHTCURVE"].data["SAP_QUALITY"]
    assert np.sum(q & 1048576) > 0
    lc = lk.read(result["files"][0])  # lightkurve's default mask drops the firing cadences
    assert not np.any(np.asarray(lc.quality) & 1048576)


def test_gallery_has_every_class(tmp_path: Path) -> None:
    result = simulate_k2_c3(tmp_path, seed=4, n_train=120, n_train_hosts=5, n_test=10, n_test_hosts=1, plots=True)
    names = {p.name for p in result["plots"]}
    assert "k2_c3_overview.png" in names
    for cls in ("planet", "quiet", "spotted", "eclipsing_binary", "background_eb", "delta_scuti",
                "gamma_dor", "rr_lyrae", "single_event", "systematics"):
        assert f"k2_c3_{cls}.png" in names
    for p in result["plots"]:
        assert p.read_bytes()[:8] == b"\x89PNG\r\n\x1a\n"
    tess = simulate_mission("TESS", tmp_path / "tess", 12, seed=4, cadence="ffi_30min", segments=[14], plots=True)
    assert tess["plots"][0].name == "tess_overview.png"


def test_cli_simulate(tmp_path: Path, capsys: pytest.CaptureFixture[str]) -> None:
    rc = main(["simulate", "k2-c3", "--out", str(tmp_path / "k2"), "--seed", "5", "--n-train", "30",
               "--n-train-hosts", "3", "--n-test", "10", "--n-test-hosts", "1"])
    out = capsys.readouterr().out
    assert rc == 0
    assert "done in" in out and "exoTrain.csv" in out
    assert read_flux_table(tmp_path / "k2" / "exoTest.csv").flux.shape == (10, 3197)
    rc = main(["simulate", "tess", "--out", str(tmp_path / "tess"), "--n", "3", "--cadence", "ffi_30min", "--sectors", "14"])
    assert rc == 0
    assert len(list((tmp_path / "tess").glob("hlsp_tess-spoc_*.fits"))) == 3
    rc = main(["simulate", "kepler", "--out", str(tmp_path / "kep"), "--n", "2", "--quarters", "2,3"])
    assert rc == 0 and len(list((tmp_path / "kep").glob("kplr*_llc.fits"))) == 4
    rc = main(["simulate", "k2", "--out", str(tmp_path / "k2c"), "--n", "2", "--campaigns", "5"])
    assert rc == 0 and len(list((tmp_path / "k2c").glob("ktwo*-c05_llc.fits"))) == 2
    rc = main(["simulate", "kepler", "--out", str(tmp_path / "bad"), "--n", "2", "--quarters", "two"])
    err = capsys.readouterr().err
    assert rc == 2 and "--quarters must be comma-separated integers" in err
    rc = main(["simulate", "tess", "--out", str(tmp_path / "bad"), "--n", "2", "--sectors", ","])
    assert rc == 2 and "--sectors must name at least one segment" in capsys.readouterr().err


def test_benchmark_errors(tmp_path: Path) -> None:
    with pytest.raises(ParameterError, match="n_train must be ≥ 1"):
        simulate_k2_c3(tmp_path, n_train=0)
    with pytest.raises(ParameterError, match="n_test must be ≥ 1 and n_test_hosts between 0 and n_test"):
        simulate_k2_c3(tmp_path, n_test=3, n_test_hosts=5)
    a_file = tmp_path / "file.txt"
    a_file.write_text("x")
    with pytest.raises(LightCurveFileError, match="exists and is not a folder"):
        simulate_k2_c3(a_file, n_train=2, n_train_hosts=1, n_test=2, n_test_hosts=1)
    with pytest.raises(ParameterError, match="n must be ≥ 1"):
        simulate_mission("Kepler", tmp_path, 0)
    with pytest.raises(ParameterError, match="host_fraction must be between 0 and 1"):
        simulate_mission("Kepler", tmp_path, 3, host_fraction=2.0)
    with pytest.raises(ParameterError, match="K2 simulations use the long cadence"):
        simulate_mission("K2", tmp_path, 3, cadence="short")


def test_planning_and_population_errors() -> None:
    rng = np.random.default_rng(0)
    with pytest.raises(ParameterError, match="n_hosts must be between 0 and n"):
        plan_classes(5, 6, rng)
    with pytest.raises(ParameterError, match="unknown non-host classes"):
        plan_classes(5, 1, rng, fractions={"quasar": 1.0})
    with pytest.raises(ParameterError, match="classes must be 3 names"):
        plan_set(k2_c3_grid(), 3, 0, 1, classes=["quiet", "unicorn", "quiet"])
    plan = plan_set(k2_c3_grid(), 3, 0, 1)
    with pytest.raises(ParameterError, match="star range 2:5 is outside the plan's 3 stars"):
        simulate_stars(plan, 2, 5)
    with pytest.raises(ParameterError, match="n must be ≥ 0"):
        allocate(-1, {"a": 1.0})
    with pytest.raises(ParameterError, match="fractions must be ≥ 0 and not all zero"):
        allocate(3, {"a": 0.0})
    assert allocate(10, {"a": 0.55, "b": 0.45}) == {"a": 6, "b": 4}
    with pytest.raises(ParameterError, match="n must be ≥ 0"):
        draw_stars(-1, "Kepler", rng)
    with pytest.raises(ParameterError, match="mag_range must be"):
        draw_stars(3, "Kepler", rng, mag_range=(14.0, 12.0))
    with pytest.raises(ParameterError, match="unknown telescope 'Gaia' for a stellar band"):
        draw_stars(3, "Gaia", rng)
    with pytest.raises(ParameterError, match="no special star for class 'quasar'"):
        draw_class_star("quasar", rng)


def test_star_and_truth() -> None:
    import astropy.units as u

    star = Star(0.9 * u.M_sun, 0.95 * u.R_sun, 5500 * u.K, 13.0, "TESS")
    tr = star.truth()
    assert tr["band"] == "Tmag" and tr["logg_cgs"] == pytest.approx(4.44, abs=0.05)
    assert Truth(period_days=3.0).quantity("period_days") == 3.0 * u.day
    assert Truth(depth_ppm=500.0).quantity("depth_ppm").to_value(u.one) == pytest.approx(5e-4)
    with pytest.raises(UnitsError, match="mass must be an astropy Quantity"):
        Star(1.0, 1 * u.R_sun, 5000 * u.K)
    with pytest.raises(ParameterError, match="radius must be finite and positive"):
        Star(1 * u.M_sun, -1 * u.R_sun, 5000 * u.K)
    with pytest.raises(ParameterError, match="magnitude must be finite"):
        Star(1 * u.M_sun, 1 * u.R_sun, 5000 * u.K, float("nan"))
    with pytest.raises(ParameterError, match="truth has no key 'mass_msun'"):
        Truth(period_days=3.0).quantity("mass_msun")
    with pytest.raises(ParameterError, match="has no unit suffix"):
        Truth(snr=3.0).quantity("snr")
    with pytest.raises(ParameterError, match="is not a number"):
        Truth(sys_kind_days="x").quantity("sys_kind_days")


@pytest.mark.slow
def test_full_k2_c3_set(tmp_path: Path) -> None:
    """The full set (5087 + 570 stars × 3197 cadences); how long it takes is measured by
    ``starskope demo`` (timings.json, "simulate") and benchmarks/end_to_end.py."""
    result = simulate_k2_c3(tmp_path)
    train = read_flux_table(result["train"])
    test = read_flux_table(result["test"])
    assert train.flux.shape == (5087, 3197) and int(train.is_host.sum()) == 37
    assert test.flux.shape == (570, 3197) and int(test.is_host.sum()) == 5
    truth = pd.read_csv(result["truth"])
    hosts = truth[truth["class"] == "planet"]
    assert 0.2 <= ((hosts["snr"] >= 7) & (hosts["snr"] < 12)).mean() <= 0.3
    assert (hosts["snr"] > 50).mean() <= 0.1
