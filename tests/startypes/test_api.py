"""classify_star_type with the shipped model, on held-out real light curves."""

from __future__ import annotations

import json
import warnings
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest

from starskope.errors import LightCurveDataError
from starskope.lightcurve import from_arrays
from starskope.startypes import (
    PPT,
    STAR_TYPES,
    StarTypeResult,
    classify_star_type,
    classify_star_types,
    load_default_model,
    probability_columns,
)
from starskope.startypes.model import default_model_dir

# RR Lyrae and deep eclipsing binaries of the kept-aside part (never trained on: the
# project's split by star, starskope.models.split.kept_aside)
HELD_OUT_RR_LYRAE = ["176780929", "230131487", "236392102", "280799052", "439406520", "75961510"]
HELD_OUT_EB = {"137408317": 3.72283, "164781045": 4.70391, "27767184": 3.51296}


def _read(path: Path):
    import lightkurve as lk

    with warnings.catch_warnings():
        warnings.simplefilter("ignore")
        return lk.read(str(path))


def test_shipped_model_is_small_and_loads_without_pickle() -> None:
    folder = default_model_dir()
    sizes = {p.name: p.stat().st_size for p in folder.iterdir() if p.is_file()}
    assert set(sizes) >= {"model.json", "model.npz"}
    assert sum(sizes.values()) < 1_500_000
    with np.load(folder / "model.npz", allow_pickle=False) as data:
        assert data.files
    model = load_default_model()
    assert set(model.classes_) == set(STAR_TYPES)
    info = model.info_
    # trained on the project's split by star: a star the planet model is measured on is
    # never a star-type training star (every kept-aside TESS FFI star is scored)
    assert info["dataset"]["split"] == "star"
    assert info["heldout"]["n"] == 850 and 0 < info["heldout"]["macro_f1"] <= 1


def test_rr_lyrae_stars(shared_data: Path) -> None:
    lcs = [_read(shared_data / "tess" / "ffi" / f"{tic}.fits.gz") for tic in HELD_OUT_RR_LYRAE]
    results = classify_star_types(lcs)
    types = [r.star_type for r in results]
    assert types.count("rr_lyrae") >= 5, types
    for r in results:
        if r.star_type == "rr_lyrae":
            assert 0.2 < r.evidence.dominant_period.to_value(u.day) < 1.0
            assert r.evidence.peak_to_peak.to_value(PPT) > 50


@pytest.mark.parametrize(("tic", "period"), list(HELD_OUT_EB.items()))
def test_eclipsing_binaries(shared_data: Path, tic: str, period: float) -> None:
    res = classify_star_type(_read(shared_data / "tess" / "ffi" / f"{tic}.fits.gz"))
    assert res.star_type == "eclipsing_binary"
    assert res.probabilities["eclipsing_binary"] > 0.5
    box = res.evidence.box_search["period"]
    assert min(abs(box - period), abs(box - period / 2)) < 0.01 * period


def test_result_columns_and_json(shared_data: Path) -> None:
    res = classify_star_type(_read(shared_data / "tess" / "ffi" / "27767184.fits.gz"))
    assert isinstance(res, StarTypeResult)
    cols = res.columns()
    assert list(cols) == probability_columns() and cols["star_type"] == res.star_type
    assert sum(cols[f"p_type_{t}"] for t in STAR_TYPES) == pytest.approx(1.0)
    ev = res.evidence
    assert ev.dominant_period.unit == u.day and ev.dominant_frequency.unit == 1 / u.day
    assert ev.amplitude.unit == PPT and ev.amplitude.to_value(u.dimensionless_unscaled) < 1
    assert ev.frequency.size == ev.amplitude_spectrum.size > 1000
    assert ev.fold_flux.size == ev.fold_phase.size
    d = json.loads(json.dumps(res.as_dict(arrays=True)))
    assert d["periodogram"]["frequency_per_day"][0] > 0 and len(d["fold"]["phase"]) == 100
    assert "periodogram" not in res.as_dict()


def test_two_minute_light_curve_is_binned(shared_data: Path) -> None:
    """WASP-18 (TESS 2-min, sector 2): its hot Jupiter's 0.9415-d transits are found."""
    lc = _read(shared_data / "tess" / "misc" / "spacetelescope+exovetter" / "wasp18b.fits.gz")
    lc.meta["MISSION"] = "TESS"
    res = classify_star_type(lc)
    assert res.evidence.box_search["period"] == pytest.approx(0.941453, rel=0.01)
    assert res.evidence.box_search["depth"] > 5  # ppt
    assert res.star_type in STAR_TYPES


def test_too_short_light_curve() -> None:
    lc = from_arrays(2458000 + np.arange(40) / 48, np.ones(40), mission="TESS")
    with pytest.raises(LightCurveDataError, match="only 40 usable cadences"):
        classify_star_type(lc)


def test_batched_arrays_skip_what_cannot_be_classified():
    import numpy as np

    from starskope.startypes.api import classify_star_types_arrays

    rng = np.random.default_rng(2)
    t = 2458000.0 + np.arange(1300) / 48.0
    quiet = (t, 1000.0 * (1 + 1e-4 * rng.normal(size=t.size)), None, 0)
    short = (t[:20], np.ones(20), None, 0)
    out = classify_star_types_arrays([quiet, None, short])
    assert out[1] is None and out[2] is None
    assert out[0] is not None and abs(sum(out[0].probabilities.values()) - 1) < 1e-6


def test_a_star_type_that_cannot_be_measured_is_said_once(monkeypatch):
    # the analysis measures the star type before the search's signal is put at its orbit;
    # where the model cannot classify the light curve, the analysis says so once — for a
    # file's light curve and for a table's rows alike — and not when star types are off
    import starskope.analysis.core as core
    import starskope.analysis.tables as tables
    from starskope.analysis import AnalysisOptions, analyse_lightcurve, analyse_table_rows
    from starskope.analysis.core import NO_STAR_TYPE

    def unmeasured(curves, labels):
        return [None] * len(curves)

    monkeypatch.setattr(core, "star_types", unmeasured)
    monkeypatch.setattr(tables, "star_types", unmeasured)
    rng = np.random.default_rng(5)
    t = 2458000.0 + np.arange(1300) / 48.0
    lc = from_arrays(t, 1000.0 * (1 + 1e-4 * rng.normal(size=t.size)), mission="TESS")
    a = analyse_lightcurve(lc, options=AnalysisOptions(star_types=True))
    assert a.star_type is None and a.notes.count(NO_STAR_TYPE) == 1
    assert NO_STAR_TYPE not in analyse_lightcurve(lc, options=AnalysisOptions(star_types=False)).notes
    rows = 1.0 + 1e-4 * rng.normal(size=(2, t.size))
    for row in analyse_table_rows(t, rows, options=AnalysisOptions(star_types=True), mission="TESS"):
        assert row.star_type is None and row.notes.count(NO_STAR_TYPE) == 1
