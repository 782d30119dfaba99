"""Real stars as stars, files, stitched stars and single quarters; whether their known
signals are detectable; signals injected at a chosen SNR; cache keys."""

from __future__ import annotations

import numpy as np
import pytest

from starskope.datasets import (
    DETECTABLE,
    TCE_CLASS,
    analysis_code_hash,
    known_signal_snr,
    real_stars,
    star_detectability,
)
from starskope.errors import ParameterError
from starskope.models.labels import CLASSES
from starskope.models.split import kept_aside


@pytest.fixture(scope="module")
def units(shared_data):
    return {u: real_stars(shared_data, unit=u) for u in ("star", "file", "stitched", "quarter")}


def test_units_cover_every_file_once_and_keep_one_side(units, manifest):
    files = [s.files[0] for s in units["file"]]
    assert len(files) == len(set(files)) and all(len(s.files) == 1 for s in units["file"])
    stitched = {f for s in units["stitched"] for f in s.files}
    assert stitched == {s.files[0] for s in units["quarter"]}
    assert all(len(s.files) >= 2 or s.group == "kepler/dr24" for s in units["stitched"])
    # a star: the stitched stars plus every other file alone
    star_files = sorted(f for s in units["star"] for f in s.files)
    assert star_files == sorted(files)
    assert {s.files for s in units["star"] if len(s.files) > 1} <= {s.files for s in units["stitched"]}
    for u in units.values():
        assert all(s.held_out == kept_aside(s.target_id) for s in u)
    kepler90 = [s for s in units["stitched"] if s.target_id == "KIC 11442793"]
    assert kepler90 and len(kepler90[0].files) == 3 and 331.597 in kepler90[0].known_periods



def test_an_unknown_unit_is_named(shared_data):
    with pytest.raises(ParameterError, match="unit must be one of star, file, stitched, quarter; got 'sector'"):
        real_stars(shared_data, unit="sector")


def test_the_tce_labels_name_four_classes():
    assert set(TCE_CLASS.values()) <= set(CLASSES) and set(TCE_CLASS) == {"PC", "AFP", "NTP"}


def test_known_signal_snr_at_a_known_period():
    rng = np.random.default_rng(0)
    t = 2458000.0 + np.arange(0, 27, 0.0208)
    f = 1 + rng.normal(0, 1e-3, t.size)
    ph = ((t - 2458001.3) / 3.7 + 0.5) % 1 - 0.5
    f[np.abs(ph * 3.7) < 0.06] -= 1.5e-3
    m = known_signal_snr(t, f, 3.7)
    assert m["snr"] > 8 and m["n_transits"] >= 6  # 1.5σ × √40 in-transit points ≈ 9.5 and m["duration_hours"] == pytest.approx(3.0, abs=1.6)
    noise = known_signal_snr(t, 1 + rng.normal(0, 1e-3, t.size), 3.7)
    assert noise["snr"] < DETECTABLE["snr"]


def test_detectability_of_real_stars(shared_data, tmp_path):
    stars = real_stars(shared_data, unit="file")
    eb = next(s for s in stars if s.files[0].endswith("kepler/eb/kic008554005_eb.npz"))
    weak = next(s for s in stars if s.files[0].endswith("kplr002985767-2009350155506_llc.fits.gz"))
    quiet = next(s for s in stars if not s.known_periods)
    df = star_detectability([eb, weak, quiet], cache_dir=tmp_path)
    assert len(df) == 2  # a star without a known period is left out
    row = df.set_index("star")
    assert bool(row.loc[eb.target_id, "detectable"]) and row.loc[eb.target_id, "snr"] > 30
    assert not bool(row.loc[weak.target_id, "detectable"]) and row.loc[weak.target_id, "snr"] < 7.1
    again = star_detectability([eb, weak], cache_dir=tmp_path)  # from the cache
    assert again["snr"].tolist() == pytest.approx(df["snr"].tolist())


def test_a_planet_and_a_binary_injected_at_a_chosen_snr(shared_data):
    from starskope.clean import clean
    from starskope.datasets.real import _signal_for_snr, read_real_star
    from starskope.lightcurve import arrays
    from starskope.simulate import inject
    from starskope.simulate.signals import BackgroundBinarySignal, TransitSignal

    carrier = next(s for s in real_stars(shared_data) if s.group == "tess/ffi" and s.label == 3 and not s.held_out)
    lc = read_real_star(carrier)
    lc = lc[np.isfinite(arrays(lc).flux)]
    rng = np.random.default_rng(5)
    planet = _signal_for_snr("planet", carrier, lc, rng, 15.0)
    assert isinstance(planet, TransitSignal)
    new, truth = inject(lc, planet)
    a = arrays(clean(new))
    snr = known_signal_snr(a.time, a.flux, truth["period_days"])["snr"]
    assert 7 < snr < 30  # white-noise SNR 15; the star's own red noise costs some
    binary = _signal_for_snr("eclipsing_binary", carrier, lc, np.random.default_rng(6), 10.0)
    assert isinstance(binary, BackgroundBinarySignal) and 0 < binary.dilution < 0.99


def test_the_code_hash_names_the_analysis_source():
    h = analysis_code_hash()
    assert len(h) == 16 and h == analysis_code_hash()
    assert h != analysis_code_hash(("clean",))
