"""Telescope profiles: values, QUALITY masks, segment tables against real files, detection."""

from __future__ import annotations

import warnings

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits

from starskope.errors import ParameterError, TimeSystemError, UnknownNameError
from starskope.missions import (
    DAY_COUNT_OFFSETS,
    MISSIONS,
    day_count_offset,
    detect_mission,
    get_mission,
)
from starskope.registry import Registry

with warnings.catch_warnings():
    warnings.simplefilter("ignore")
    from lightkurve.utils import KeplerQualityFlags, TessQualityFlags


def test_registry_lists_the_three_telescopes():
    assert MISSIONS.names() == ["k2", "kepler", "tess"]


@pytest.mark.parametrize("alias,name", [("kepler", "Kepler"), ("KPLR", "Kepler"), ("k2", "K2"),
                                        ("ktwo", "K2"), ("Tess", "TESS")])
def test_get_mission_by_alias(alias, name):
    assert get_mission(alias).name == name


def test_unknown_mission_lists_known_names():
    with pytest.raises(UnknownNameError, match=r"unknown telescope 'Hubble'; known telescopes: k2, kepler, tess"):
        get_mission("Hubble")


def test_registry_rejects_duplicates_and_lists_known():
    reg: Registry[int] = Registry("detrender")
    reg.add("biweight", 1)
    with pytest.raises(ValueError, match="already registered"):
        reg.add("Biweight", 2)
    with pytest.raises(UnknownNameError, match="known detrenders: biweight"):
        reg.get("median")


def test_time_systems_and_cadences():
    kepler, k2, tess = get_mission("Kepler"), get_mission("K2"), get_mission("TESS")
    assert kepler.bjd_offset == k2.bjd_offset == 2454833.0
    assert tess.bjd_offset == 2457000.0
    assert kepler.long_cadence.to_value(u.min) == pytest.approx(29.4244, abs=1e-4)
    assert kepler.cadence("short").to_value(u.s) == pytest.approx(58.85, abs=0.01)
    assert tess.long_cadence == 2 * u.min
    assert tess.ffi_cadence(1) == 30 * u.min
    assert tess.ffi_cadence(30) == 10 * u.min
    assert tess.ffi_cadence(60).to(u.s) == 200 * u.s
    with pytest.raises(ParameterError, match="no full-frame-image"):
        kepler.ffi_cadence(1)
    with pytest.raises(UnknownNameError, match="has no cadence 'medium'"):
        kepler.cadence("medium")


def test_day_count_offsets_come_from_the_profiles():
    assert dict(DAY_COUNT_OFFSETS) == {"bkjd": 2454833.0, "btjd": 2457000.0}
    assert day_count_offset("BKJD") == get_mission("K2").bjd_offset
    assert day_count_offset("btjd") == get_mission("TESS").bjd_offset
    with pytest.raises(TimeSystemError, match=r"unknown telescope day count 'hjd'; known: bkjd, btjd"):
        day_count_offset("hjd")
    with pytest.raises(TypeError):
        DAY_COUNT_OFFSETS["bkjd"] = 0.0  # read-only: the profiles are the one source


def test_quality_masks_match_lightkurve():
    for name in ("Kepler", "K2"):
        p = get_mission(name)
        assert p.quality_mask("default") == KeplerQualityFlags.DEFAULT_BITMASK
        assert p.quality_mask("hard") == KeplerQualityFlags.HARD_BITMASK
        assert p.quality_mask("hardest") == KeplerQualityFlags.HARDEST_BITMASK
        assert p.quality_bits == KeplerQualityFlags.STRINGS
    tess = get_mission("TESS")
    # The SPOC-recommended default of 175 (the project's science brief); lightkurve 2.5+
    # adds bits 16, 512 and 16384 to its own default, so ours is a subset of it.
    assert tess.quality_mask("default") == 175
    assert tess.quality_mask("default") & TessQualityFlags.DEFAULT_BITMASK == 175
    assert tess.quality_mask("hardest") == TessQualityFlags.HARDEST_BITMASK
    assert set(tess.quality_bits) == set(TessQualityFlags.STRINGS)
    assert tess.quality_mask("none") == 0
    assert tess.quality_mask(32) == 32
    with pytest.raises(UnknownNameError, match="unknown quality mask 'soft'"):
        tess.quality_mask("soft")


def test_k2_thruster_firing_systematic():
    k2 = get_mission("K2")
    roll = next(s for s in k2.systematics if "thruster" in s.name)
    assert roll.quality_bits == 1048576 | 524288
    assert roll.period.to(u.hour).value == pytest.approx(6, rel=0.05)
    assert k2.describe_quality(1048576) == ["Thruster firing"]


def test_campaign_3_dates_and_first_cadence():
    k2 = get_mission("K2")
    c3 = k2.segment(3)
    assert c3.start.iso.startswith("2014-11-14")
    assert c3.stop.iso.startswith("2015-01-23")
    first = k2.to_time(k2.extra["campaign3"]["first_cadence_bkjd"])
    assert k2.segment_at(first).number == 3
    with pytest.raises(UnknownNameError, match="K2 has no campaign 25"):
        k2.segment(25)


def test_time_round_trip():
    tess = get_mission("TESS")
    values = np.array([1325.3, 2035.1])
    t = tess.to_time(values)
    assert t.scale == "tdb" and t.format == "btjd"
    assert np.allclose(tess.from_time(t), values, atol=1e-9)
    assert np.allclose(t.jd, values + 2457000.0)


def _fits_rows(manifest):
    rows = [r for r in manifest if r["file"].endswith((".fits", ".fits.gz")) and r["kind"] == "lightcurve FITS"]
    ffi = [r for r in rows if r["file"].startswith("tess/ffi/")]
    # every non-FFI file and every 40th FFI file (they are all the same product)
    return [r for r in rows if not r["file"].startswith("tess/ffi/")] + ffi[::40]


def test_real_files_fall_in_their_segment_and_are_detected(shared_data, manifest):
    checked = 0
    for row in _fits_rows(manifest):
        path = shared_data / row["file"]
        with fits.open(path) as hdul:
            header = hdul[0].header
            table = hdul[1].data
            tcol = "TIME" if "TIME" in table.columns.names else table.columns.names[0]
            t = np.asarray(table[tcol], dtype=float)
        t = t[np.isfinite(t)]
        assert detect_mission(header, str(path)) == row["mission"], row["file"]
        profile = get_mission(row["mission"])
        number = header.get(profile.segment_kind.upper())
        if number in (None, "") or t.size == 0:
            continue
        seg = profile.segment(int(number))
        lo, hi = profile.to_time([t.min(), t.max()])
        # a file's data lie within its quarter / campaign / sector (1.5 d slack for the date table)
        assert (lo - seg.start).to_value(u.day) > -1.5, (row["file"], lo.iso, seg.start.iso)
        assert (seg.stop - hi).to_value(u.day) > -1.5, (row["file"], hi.iso, seg.stop.iso)
        checked += 1
    assert checked > 60


@pytest.mark.parametrize(
    "header,path,expected",
    [
        ({"TELESCOP": "Kepler", "QUARTER": 3}, None, "Kepler"),
        ({"TELESCOP": "Kepler", "CAMPAIGN": 5}, None, "K2"),
        ({"TELESCOP": "Kepler", "KEPLERID": 205905563}, None, "K2"),
        ({"TELESCOP": "Kepler", "KEPLERID": 757450}, None, "Kepler"),
        ({"OBJECT": "EPIC 201367065"}, None, "K2"),
        ({"TELESCOP": "TESS"}, None, "TESS"),
        ({"MISSION": "K2"}, None, "K2"),
        ({}, "kplr000757450_Q17_conf.csv", "Kepler"),
        ({}, "EPIC201367065.csv", "K2"),
        ({}, "tess2018206045859-s0001-0000000261136679-0120-s_lc.fits", "TESS"),
        ({}, "mystery.csv", None),
    ],
)
def test_detect_mission_rules(header, path, expected):
    assert detect_mission(header, path) == expected
