"""The one stellar-parameter type: units at every field, a plain-float form, derivations."""

from __future__ import annotations

import math

import astropy.units as u
import pytest

from starskope.errors import CatalogError, ParameterError, UnitsError
from starskope.stars import LOGG_UNIT, StellarProperties

GCC = u.g / u.cm**3


def _sample() -> StellarProperties:
    return StellarProperties(target="TIC 7", radius=1.0 * u.Rsun, teff=5000 * u.K,
                             logg=4.4 * LOGG_UNIT, ids={"TIC": 7}, source="MAST TIC",
                             uncertainties={"radius": 0.05 * u.Rsun}).complete()


def test_fields_are_checked_and_kept_in_their_units() -> None:
    p = StellarProperties(target="x", radius=695700 * u.km, teff=5000 * u.K)
    assert p.radius.unit == u.Rsun and p.radius.value == pytest.approx(1.0, rel=1e-4)
    with pytest.raises(UnitsError, match="stellar radius must be an astropy Quantity"):
        StellarProperties(target="x", radius=1.0)
    with pytest.raises(UnitsError, match="stellar teff must have units of temperature"):
        StellarProperties(target="x", teff=1 * u.Rsun)
    with pytest.raises(ParameterError, match="stellar mass must be finite and positive"):
        StellarProperties(target="x", mass=-1 * u.Msun)
    with pytest.raises(ParameterError, match="uncertainty of unknown stellar property 'age'"):
        StellarProperties(target="x", uncertainties={"age": 1 * u.Gyr})


def test_complete_derives_mass_and_density_and_says_so() -> None:
    p = _sample()
    # log g 4.4 is 0.038 dex below the Sun's 4.438: M = 10^-0.038 R² M☉
    assert p.mass.to_value(u.Msun) == pytest.approx(10**-0.038, rel=1e-9)
    assert p.density.to_value(GCC) == pytest.approx(10**-0.038 * 1.408, rel=1e-9)
    assert [n.split(" (")[0] for n in p.notes] == ["mass derived from log g and radius",
                                                   "density derived from mass and radius"]


def test_as_mapping_gives_plain_floats_with_units_in_the_keys() -> None:
    m = _sample().as_mapping()
    assert set(m) == {"radius_rsun", "mass_msun", "logg_cgs", "teff_k", "density_gcc",
                      "radius_rsun_err", "mass_msun_err", "logg_cgs_err", "teff_k_err", "density_gcc_err"}
    assert all(type(v) is float for v in m.values())
    assert m["radius_rsun"] == 1.0 and m["logg_cgs"] == pytest.approx(4.4) and m["teff_k"] == 5000.0
    assert m["radius_rsun_err"] == pytest.approx(0.05)
    assert math.isnan(m["teff_k_err"])
    assert math.isnan(StellarProperties(target="x").as_mapping()["radius_rsun"])


def test_as_row_names_the_stellar_columns() -> None:
    row = _sample().as_row()
    assert set(row) == {"stellar_radius_rsun", "stellar_mass_msun", "stellar_teff_k", "stellar_logg_cgs",
                        "stellar_density_gcc"}
    assert row["stellar_density_gcc"] == pytest.approx(_sample().density.to_value(GCC))


def test_from_mapping_reads_both_forms() -> None:
    p = _sample()
    again = StellarProperties.from_mapping(p.as_mapping(), target="TIC 7")
    for name in ("radius", "mass", "teff", "logg", "density"):
        assert getattr(again, name).value == pytest.approx(getattr(p, name).value, rel=1e-12), name
    assert again.uncertainties["radius"].to_value(u.Rsun) == pytest.approx(0.05)
    sun = StellarProperties.from_mapping({"radius": 1 * u.R_sun, "mass": 1 * u.M_sun})
    assert sun.density.to_value(GCC) == pytest.approx(1.41, abs=0.01)
    assert sun.source == "user" and sun.target == ""
    assert StellarProperties.from_mapping(p) is p
    mixed = StellarProperties.from_mapping({"radius_rsun": 1.2, "logg": 4.3 * LOGG_UNIT, "teff_k": float("nan")})
    assert mixed.teff is None and mixed.mass is not None


def test_from_mapping_errors() -> None:
    with pytest.raises(ParameterError, match=r"unknown stellar property 'radus' in stellar values; known: radius"):
        StellarProperties.from_mapping({"radus": 1 * u.R_sun})
    with pytest.raises(UnitsError, match="user radius must be an astropy Quantity"):
        StellarProperties.from_mapping({"radius": 1.2}, name="user")
    with pytest.raises(ParameterError, match=r"stellar logg_cgs must be log10\(g / cm s\^-2\) in \(-1.0, 9.0\); got 44.0"):
        StellarProperties.from_mapping({"logg_cgs": 44.0})
    with pytest.raises(ParameterError, match="stellar radius_rsun must be finite and positive"):
        StellarProperties.from_mapping({"radius_rsun": -1.0})
    with pytest.raises(ParameterError, match="stellar teff_k must be a number; got 'hot'"):
        StellarProperties.from_mapping({"teff_k": "hot"})
    with pytest.raises(ParameterError, match="must be a StellarProperties or a mapping"):
        StellarProperties.from_mapping([1.0, 1.0])


def test_record_round_trip_and_malformed() -> None:
    p = _sample()
    assert StellarProperties.from_dict(p.to_dict()) == p
    with pytest.raises(CatalogError, match="record is malformed"):
        StellarProperties.from_dict({"target": "x"})
    bad = p.to_dict()
    bad["radius"] = -1.0
    with pytest.raises(CatalogError, match="record is malformed: ParameterError"):
        StellarProperties.from_dict(bad)


def test_summary_lists_every_value() -> None:
    text = _sample().summary()
    assert "TIC 7  (TIC 7)" in text and "1.000 solRad" in text and "5000 K" in text
    assert "4.400 dex(cm/s2)" in text and "note     mass derived" in text
