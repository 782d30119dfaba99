"""K2 roll correction for flux tables without centroids: firings from the table itself."""

from __future__ import annotations

import csv
import warnings

import numpy as np
import pytest
from astropy.io import fits

from starskope.analysis import (
    AnalysisOptions,
    clean_table_rows,
    model_options,
    table_file_firing_mask,
    table_firing_mask,
)
from starskope.clean.k2roll import roll_phase, roll_phase_correction, table_firings
from starskope.errors import StarskopeWarning
from starskope.io.flux_table import read_flux_table
from starskope.search import measure_ephemeris
from starskope.simulate import simulate_k2_c3

THRUSTER = 1048576 | 524288


@pytest.fixture(scope="module")
def c5_table(shared_data):
    """Nine real K2 Campaign 5 stars as a table: PDCSAP flux rows on one cadence grid."""
    files = sorted((shared_data / "k2" / "misc" / "OxES+k2sc").glob("ktwo*-c05_llc.fits.gz"))
    assert len(files) >= 9
    rows, quality, time, cadence = [], None, None, None
    for f in files:
        with fits.open(f) as h:
            d = h[1].data
            if cadence is None:
                quality, time, cadence = np.asarray(d["SAP_QUALITY"]), np.asarray(d["TIME"], float), d["CADENCENO"]
            assert np.array_equal(d["CADENCENO"], cadence)
            rows.append(np.asarray(d["PDCSAP_FLUX"], float))
    good = np.isfinite(time)
    return time[good] + 2454833.0, np.array(rows)[:, good], quality[good]


@pytest.fixture(scope="module")
def sim(tmp_path_factory):
    out = tmp_path_factory.mktemp("k2c3")
    # the common-mode test needs a few hundred stars (a Kaggle test table has 570)
    simulate_k2_c3(out, seed=11, n_train=8, n_train_hosts=2, n_test=300, n_test_hosts=6)
    table = read_flux_table(out / "exoTest.csv")
    truth = sorted((r for r in csv.DictReader(open(out / "truth.csv")) if r["split"] == "test"),
                   key=lambda r: int(r["row"]))
    quality = np.array([int(r["quality"]) for r in csv.DictReader(open(out / "cadences.csv"))])
    return out, table, truth, quality


def test_firings_of_real_k2_stars_are_the_quality_flags(c5_table):
    """The archive's PDCSAP flux is NaN on firing cadences for every star: the shared
    short gaps recur every ~6 h and are the QUALITY thruster bits, found without them."""
    t, flux, quality = c5_table
    truth = (quality & THRUSTER) != 0
    found = table_firings(t, flux)
    assert found is not None
    assert (found & truth).sum() >= 0.95 * truth.sum()
    assert (found & ~truth).sum() <= 2
    ph = roll_phase(t, found)
    inside = np.isfinite(ph)
    assert inside.mean() > 0.95 and ph[inside].min() >= 0 and ph[inside].max() <= 1
    # fewer than three stars, or no recurring signs: no firings are claimed
    assert table_firings(t, flux[:2]) is None
    rng = np.random.default_rng(0)
    assert table_firings(t, 1 + 1e-3 * rng.normal(size=(40, t.size))) is None


def test_simulated_table_firings_and_roll_correction(sim):
    _, table, truth, quality = sim
    t = table.time.tdb.jd
    truth_fire = (quality & 1048576) != 0
    found = table_firings(t, table.flux)
    assert found is not None
    assert (found & truth_fire).sum() >= 0.9 * truth_fire.sum()
    assert (found & ~truth_fire).sum() <= 0.01 * t.size
    # the row whose roll residual stands out most above its noise: its 6-h sawtooth goes
    roll = np.array([float(r.get("roll_residual_ppm") or 0) / float(r["noise_ppm"]) for r in truth])
    i = int(np.argmax(roll))
    assert roll[i] > 0.3
    opts = AnalysisOptions()
    plain, _, _ = clean_table_rows(t, table.flux[i:i + 1], opts)
    fixed, _, _ = clean_table_rows(t, table.flux[i:i + 1], opts, found)
    assert np.isnan(fixed[0][found]).all() and np.isfinite(fixed[0][~found]).mean() > 0.99

    def binned_scatter(y):  # scatter of 2-h means: what a transit search sees
        keep = np.isfinite(y)
        key = np.floor((t[keep] - t[0]) / (2 / 24)).astype(int)
        means = np.bincount(key, y[keep]) / np.maximum(np.bincount(key), 1)
        return float(np.std(means[np.bincount(key) >= 3]))

    assert binned_scatter(fixed[0]) < 0.8 * binned_scatter(plain[0])
    # transits survive: hosts keep their depth at the true ephemeris
    hosts = [k for k, r in enumerate(truth) if r["label"] == "2"]
    cleaned, _, _ = clean_table_rows(t, table.flux[hosts], opts, found)
    base, _, _ = clean_table_rows(t, table.flux[hosts], opts)
    for k, h in enumerate(hosts):
        r = truth[h]
        args = (float(r["period_days"]), float(r["epoch_bjd"]), float(r["duration_hours"]))
        a = measure_ephemeris(t[np.isfinite(cleaned[k])], cleaned[k][np.isfinite(cleaned[k])], *args)
        b = measure_ephemeris(t[np.isfinite(base[k])], base[k][np.isfinite(base[k])], *args)
        assert abs(a.depth_ppm - b.depth_ppm) < max(0.1 * b.depth_ppm, 2 * b.depth_err.value * 1e6)


def test_roll_phase_correction_removes_a_sawtooth_and_keeps_a_transit():
    rng = np.random.default_rng(3)
    t = 2457000 + np.arange(3000) * 0.0204
    fire = np.zeros(t.size, bool)
    fire[::12] = True  # every 5.9 h
    ph = roll_phase(t, fire)
    saw = 400e-6 * (np.nan_to_num(ph, nan=0.5) - 0.5)
    transit = np.where(np.abs(((t - t[0] - 0.7) / 3.3 + 0.5) % 1 - 0.5) * 3.3 < 0.05, 800e-6, 0.0)
    f = (1 + saw - transit) * (1 + 100e-6 * rng.normal(size=t.size))
    corr = roll_phase_correction(t, f, ph, exclude=fire)
    resid = f / corr
    m = ~fire & np.isfinite(ph)
    model = corr[m] / np.median(corr[m])
    expected = (1 + saw[m]) / np.median(1 + saw[m])
    assert np.sqrt(np.mean((model - expected) ** 2)) < 20e-6  # the 400-ppm sawtooth, to 5 %
    inside = transit > 0
    assert 1 - np.median(resid[inside]) / np.median(resid[~inside]) == pytest.approx(800e-6, rel=0.1)


def test_table_options_and_files_share_the_firings(sim):
    out, table, _, _ = sim
    from types import SimpleNamespace

    # a model stored before k2_roll existed was trained without the correction
    legacy = model_options(SimpleNamespace(preprocessing_={"analysis": {"detrend": "biweight"}}))
    assert legacy.k2_roll is False and AnalysisOptions.from_dict(None).k2_roll is True
    assert table_firing_mask(table.time.tdb.jd, table.flux, legacy) is None
    with pytest.warns(StarskopeWarning, match="no K2 thruster firings found in a table of 30 stars"):
        assert table_firing_mask(table.time.tdb.jd, table.flux[:30], AnalysisOptions()) is None
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        from_file = table_file_firing_mask(out / "exoTest.csv", AnalysisOptions())
    np.testing.assert_array_equal(from_file, table_firing_mask(table.time.tdb.jd, table.flux, AnalysisOptions()))


def test_a_report_on_a_table_row_uses_the_same_firings_as_classify(sim):
    """analyse_table_row with the table's firings: the roll step in the provenance, the
    firing cadences out, and the same candidate as the batch classify of that row."""
    from starskope.analysis import analyse_table_row
    from starskope.batch import collect_items
    from starskope.batch.classify import classify_item

    out, table, truth, _ = sim
    opts = AnalysisOptions()
    firing = table_file_firing_mask(out / "exoTest.csv", opts)
    host = next(k for k, r in enumerate(truth) if r["label"] == "2")
    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        a = analyse_table_row(table.time.tdb.jd, table.flux[host], options=opts, label="host", firing=firing)
        item = next(i for i in collect_items([out / "exoTest.csv"], table_chunk=50) if i.row_start <= host < i.row_stop)
        row = classify_item(item, options=opts.as_dict())[host - item.row_start]
    assert any(step.startswith("K2 roll removed") for step in a.provenance)
    assert not a.kept[firing].any() and a.time.size <= (~firing).sum()
    assert a.candidate.period_days == row["period_days"]
    assert a.candidate.period_days == pytest.approx(float(truth[host]["period_days"]), rel=2e-3)
