"""Catalogue tables from a catalogue folder: candidates, known ephemerides, the cross-match,
and where the folder comes from."""

from __future__ import annotations

from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from starskope.errors import CatalogError, ParameterError, UnknownNameError
from starskope.search.candidate import TransitCandidate
from starskope.stars import catalogs


@pytest.mark.parametrize(
    ("name", "column"),
    [("dr24_tce", "tce_period"), ("koi", "koi_srad"), ("villanova_eb", "pdepth"), ("tess_eb", "P0"),
     ("toi", "pl_tranmid"), ("k2_planets", "st_rad"), ("confirmed", "pl_orbper"), ("kic2tic", "TIC")],
)
def test_every_catalogue_loads(name, column):
    frame = catalogs.load(name)
    assert len(frame) > 100
    assert column in frame.columns
    assert catalogs.load(name) is frame  # cached


def test_unknown_catalogue_lists_the_known_ones():
    with pytest.raises(UnknownNameError, match=r"unknown catalogue 'nope'.*dr24_tce"):
        catalogs.load("nope")


# ----------------------------------------------------------------------------- the folder


def test_folder_given_wins_over_the_environment(monkeypatch, tmp_path, catalog_folder: Path):
    monkeypatch.setenv("STARSKOPE_CATALOGS", str(tmp_path))
    assert catalogs.resolve_catalog_dir(catalog_folder) == catalog_folder
    assert catalogs.kic_to_tic(757076, catalog_dir=catalog_folder) == 122785227
    with pytest.raises(CatalogError, match=r"catalog_dir=.*nowhere: catalogue folder not found"):
        catalogs.resolve_catalog_dir(tmp_path / "nowhere")


def test_folder_from_the_environment(monkeypatch, tmp_path, catalog_folder: Path):
    monkeypatch.setenv("STARSKOPE_CATALOGS", str(tmp_path / "missing"))
    with pytest.raises(CatalogError, match=r"STARSKOPE_CATALOGS=.*missing is not a folder"):
        catalogs.resolve_catalog_dir()
    monkeypatch.setenv("STARSKOPE_CATALOGS", str(tmp_path))
    assert catalogs.resolve_catalog_dir() == tmp_path
    with pytest.raises(CatalogError, match=r"catalogue 'toi': no file matching 'toi\.csv\.gz' in "):
        catalogs.load("toi")
    monkeypatch.delenv("STARSKOPE_CATALOGS")
    monkeypatch.setenv("STARSKOPE_SHARED_DATA", str(catalog_folder.parent))
    assert catalogs.resolve_catalog_dir() == catalog_folder
    monkeypatch.setenv("STARSKOPE_SHARED_DATA", str(tmp_path))
    with pytest.raises(CatalogError, match=r"STARSKOPE_SHARED_DATA=.* has no catalogs/ folder"):
        catalogs.resolve_catalog_dir()


def test_no_folder_says_how_to_set_one(no_catalog_folder):
    with pytest.raises(CatalogError, match=r"^no catalogue folder given: pass catalog_dir= \(on the command line "
                                           r"--catalogs DIR\) or set STARSKOPE_CATALOGS"):
        catalogs.dr24_tces(757450)
    with pytest.raises(CatalogError, match="no catalogue folder given"):
        catalogs.kic_to_tic(757076)


# ----------------------------------------------------------------------------- candidates


def test_dr24_tce_as_candidate_in_bjd():
    (tce,) = catalogs.dr24_tces(757450)
    assert isinstance(tce, TransitCandidate)
    assert tce.period_days == pytest.approx(8.88492)
    # tce_time0bk 134.452 BKJD + 2454833
    assert tce.epoch_bjd == pytest.approx(2454833.0 + 134.452, abs=1e-3)
    assert tce.duration_hours == pytest.approx(2.078)
    assert tce.source == "DR24 PC"
    assert tce.extra["tce_plnt_num"] == 1.0
    assert catalogs.dr24_tces("KIC 757450", labels=["AFP"]) == []


def test_dr24_errors():
    with pytest.raises(ParameterError, match="dr24_tces needs a KIC star; got TIC 1"):
        catalogs.dr24_tces("TIC 1")
    with pytest.raises(ParameterError, match=r"unknown DR24 label\(s\) \['XX'\]"):
        catalogs.dr24_tces(757450, labels=["XX"])


def test_koi_and_toi_candidates():
    kois = catalogs.koi_candidates("KIC 11442793")
    assert len(kois) == 7
    assert {round(c.period_days, 3) for c in kois} >= {7.008, 8.720, 59.737}
    (toi,) = catalogs.toi_candidates("TIC 261136679")
    assert toi.period_days == pytest.approx(6.26783, rel=1e-5)
    assert toi.depth_ppm == pytest.approx(321)
    assert toi.source.startswith("TOI 144.01")
    with pytest.raises(ParameterError, match="toi_candidates needs a TIC star"):
        catalogs.toi_candidates("KIC 1")
    with pytest.raises(ParameterError, match="koi_candidates needs a KIC star"):
        catalogs.koi_candidates("TIC 1")


# ----------------------------------------------------------------------------- cross-match, hosts


def test_kic_tic_cross_match_round_trip():
    tic = catalogs.kic_to_tic(757076)
    assert tic == 122785227
    assert catalogs.tic_to_kic(tic) == 757076
    assert catalogs.kic_to_tic(1) is None
    whole = catalogs.kic_to_tic_map()
    assert whole[757076] == 122785227 and len(whole) > 190_000
    with pytest.raises(TypeError):
        whole[1] = 2  # read-only: the cached table is shared


def test_host_names_from_the_tables():
    assert catalogs.host_names("KIC 11904151") >= {"Kepler-10", "KOI-72"}
    assert catalogs.host_names("EPIC 201367065") == {"K2-3"}
    assert catalogs.host_names("K2-3") == {"K2-3"}


def test_known_planets_merge_tables():
    k90 = catalogs.known_planets("KIC 11442793")
    periods = sorted(round(p.period_days, 2) for p in k90)
    assert 14.45 in periods  # Kepler-90 i, only in the confirmed-planet table
    assert len(k90) == 8
    trappist = catalogs.known_planets("EPIC 246199087")
    assert len(trappist) == 7
    assert all(np.isnan(p.epoch_bjd) for p in trappist)


# ----------------------------------------------------------------------------- known ephemerides


def test_known_ephemerides_of_a_star_and_of_its_neighbourhood():
    own = catalogs.known_ephemerides("KIC 1026032")
    assert [e.name for e in own] == ["KIC 1026032 EB", "KOI K06252.01"]
    assert own[0].epoch_bjd == pytest.approx(2454966.773813, abs=1e-5)  # bjd0 + 2400000
    assert own[1].kind == "false positive"
    around = catalogs.known_ephemerides(ra_deg=291.0441, dec_deg=36.7293, radius=2 * u.arcsec)
    assert around == own
    # a Kepler star also gets what is filed under its TIC number (TOI 4592.01 on TIC 122785299)
    kic = catalogs.known_ephemerides("KIC 757450")
    assert [(e.name, e.star) for e in kic] == [("KOI K00889.01", "KIC 757450"), ("TOI 4592.01", "TIC 122785299")]
    both = catalogs.known_ephemerides("KIC 757450", ra_deg=291.0441, dec_deg=36.7293, radius=2 * u.arcsec)
    assert {e.star for e in both} == {"KIC 757450", "TIC 122785299", "KIC 1026032"}
    assert len(catalogs.known_ephemerides()) > 10_000


def test_ephemeris_match_finds_the_eclipsing_binary():
    eb = catalogs.ephemeris_matches(8.4604378 * u.day, Time(2454966.773813, format="jd", scale="tdb"),
                                    4 * u.hour, target="KIC 1026032")
    kinds = {m.known.catalog: m for m in eb}
    assert "villanova_eb" in kinds and kinds["villanova_eb"].same_star and kinds["villanova_eb"].ratio == 1.0
    # half the period: still the EB, at ratio 1/2; epoch shifted by one full period
    half = catalogs.ephemeris_matches(4.2302189 * u.day, Time(2454966.773813 + 8.4604378, format="jd", scale="tdb"),
                                      4 * u.hour, target="KIC 1026032")
    assert any(m.known.catalog == "villanova_eb" and m.ratio == 0.5 for m in half)
    # the right period at the wrong epoch does not match
    off = catalogs.ephemeris_matches(8.4604378 * u.day, Time(2454966.773813 + 2.0, format="jd", scale="tdb"),
                                     4 * u.hour, target="KIC 1026032")
    assert not any(m.known.catalog == "villanova_eb" for m in off)
    # another star far away on the sky is never compared
    assert catalogs.ephemeris_matches(8.4604378 * u.day, Time(2454966.773813, format="jd", scale="tdb"),
                                      4 * u.hour, target="KIC 757450") == []


def test_ephemeris_match_neighbour_by_position():
    # KIC 1026032's position, but naming no star: found as a neighbour 0″ away
    m = catalogs.ephemeris_matches(8.4604378 * u.day, Time(2454966.773813, format="jd", scale="tdb"), 4 * u.hour,
                                   ra_deg=291.0441, dec_deg=36.7293)
    assert m and not m[0].same_star and m[0].separation_arcsec < 1.0
    with pytest.raises(ParameterError, match="epoch must be an astropy Time"):
        catalogs.ephemeris_matches(1 * u.day, 2454966.7, 1 * u.hour)
