"""Catalogue access: the gzipped tables in shared/data/catalogs as candidates and stars."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time

from starskope import catalogs
from starskope.errors import CatalogError, ParameterError, UnitsError, UnknownNameError
from starskope.search.candidate import TransitCandidate


@pytest.fixture(autouse=True)
def _data(shared_data):
    return shared_data


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


def test_catalogue_folder_from_environment(monkeypatch, tmp_path):
    monkeypatch.setenv("STARSKOPE_CATALOGS", str(tmp_path / "missing"))
    with pytest.raises(CatalogError, match=r"STARSKOPE_CATALOGS=.*is not a folder"):
        catalogs.catalog_dir()
    monkeypatch.setenv("STARSKOPE_CATALOGS", str(tmp_path))
    assert catalogs.catalog_dir() == tmp_path
    with pytest.raises(CatalogError, match="catalogue 'toi': no file matching"):
        catalogs._load_cached("toi", str(tmp_path))


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


def test_parse_target():
    assert catalogs.parse_target("KIC 11442793") == catalogs.Target("KIC", 11442793)
    assert catalogs.parse_target("kplr011442793") == catalogs.Target("KIC", 11442793)
    assert catalogs.parse_target("ktwo201367065") == catalogs.Target("EPIC", 201367065)
    assert catalogs.parse_target(261136679, "TESS") == catalogs.Target("TIC", 261136679)
    assert str(catalogs.parse_target("K2-3")) == "K2-3"
    with pytest.raises(ParameterError, match="is a bare number; give mission="):
        catalogs.parse_target(261136679)
    with pytest.raises(ParameterError, match="target name is empty"):
        catalogs.parse_target("  ")


def test_stellar_parameters_with_units():
    k90 = catalogs.stellar_parameters("KIC 11442793")
    assert k90.radius.to_value(u.R_sun) == pytest.approx(1.2)
    assert k90.logg == pytest.approx(4.317)
    # mass from log g and radius: g R² / G
    g = 10**4.317 * u.cm / u.s**2
    assert k90.mass.to_value(u.M_sun) == pytest.approx((g * (1.2 * u.R_sun) ** 2 / __import__("astropy.constants").constants.G).to_value(u.M_sun))
    assert k90.density.unit == u.g / u.cm**3
    pimen = catalogs.stellar_parameters("TIC 261136679")
    assert pimen.radius.to_value(u.R_sun) == pytest.approx(1.15)
    k23 = catalogs.stellar_parameters("EPIC 201367065")
    assert k23.radius.to_value(u.R_sun) == pytest.approx(0.546)
    assert k23.mass.to_value(u.M_sun) == pytest.approx(0.549)
    assert "K2 planets" in k23.source
    assert catalogs.stellar_parameters("KIC 1026133") is None
    row = k90.as_row()
    assert set(row) == {"stellar_radius_rsun", "stellar_mass_msun", "stellar_teff_k", "stellar_logg_cgs",
                        "stellar_density_gcc"}


def test_stellar_parameters_are_checked():
    with pytest.raises(UnitsError, match="stellar radius must be an astropy Quantity"):
        catalogs.StellarParameters(radius=1.0)
    with pytest.raises(ParameterError, match="stellar logg must be"):
        catalogs.StellarParameters(radius=1 * u.R_sun, logg=44.0)
    with pytest.raises(ParameterError, match=r"unknown stellar parameter\(s\) \['radus'\]"):
        catalogs.StellarParameters.from_mapping({"radus": 1 * u.R_sun})
    sun = catalogs.StellarParameters.from_mapping({"radius": 1 * u.R_sun, "mass": 1 * u.M_sun})
    assert sun.density.to_value(u.g / u.cm**3) == pytest.approx(1.41, abs=0.01)


def test_kic_tic_cross_match_round_trip():
    tic = catalogs.kic_to_tic(757076)
    assert tic == 122785227
    assert catalogs.tic_to_kic(tic) == 757076
    assert catalogs.kic_to_tic(1) is None


def test_known_planets_merge_tables():
    k90 = catalogs.known_planets("KIC 11442793")
    periods = sorted(round(p.period_days, 2) for p in k90)
    assert 14.45 in periods  # Kepler-90 i, only in the confirmed-planet table
    assert len(k90) == 8
    trappist = catalogs.known_planets("EPIC 246199087")
    assert len(trappist) == 7
    assert all(np.isnan(p.epoch_bjd) for p in trappist)


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
