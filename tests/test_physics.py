"""Transit physics against worked values (Earth–Sun, Kepler-90 h, pi Men c) and inverses."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest
from astropy.io import fits
from astropy.time import Time
from hypothesis import assume, given, settings
from hypothesis import strategies as st

from starskope.errors import ParameterError, TimeSystemError, UnitsError, UnknownNameError
from starskope.missions import get_mission
from starskope.physics import (
    BJD_OFFSETS,
    S_earth,
    a_over_rstar_arrays,
    a_over_rstar_from_density,
    a_over_rstar_from_density_arrays,
    a_over_rstar_from_duration,
    a_over_rstar_from_duration_arrays,
    bjd_to_bkjd,
    bjd_to_btjd,
    bjd_to_iso,
    bkjd_to_bjd,
    bkjd_to_time,
    btjd_to_bjd,
    btjd_to_time,
    convert_time,
    depth_from_radii,
    equilibrium_temperature,
    insolation,
    period_from_semi_major_axis,
    planet_radius,
    ppm,
    semi_major_axis,
    snr_expected,
    stellar_density,
    stellar_density_from_transit,
    stellar_density_from_transit_arrays,
    time_to_bjd,
    time_to_bkjd,
    time_to_btjd,
    transit_duration,
    transit_duration_arrays,
)

SIDEREAL_YEAR = 365.256363 * u.day


# ------------------------------------------------------------------------------ Earth–Sun


def test_earth_semi_major_axis_is_one_au():
    a = semi_major_axis(SIDEREAL_YEAR, 1 * u.M_sun, planet_mass=1 * u.M_earth)
    assert a.unit == u.AU
    assert a.value == pytest.approx(1.0, rel=1e-3)
    assert semi_major_axis(1 * u.yr, 1 * u.M_sun).to_value(u.AU) == pytest.approx(1.0, rel=1e-3)


def test_earth_central_transit_lasts_13_hours():
    t14 = transit_duration(SIDEREAL_YEAR, 1 * u.R_sun, 1 * u.M_sun, planet_radius=1 * u.R_earth)
    assert t14.unit == u.hour
    # (P/π)·arcsin((R☉/1 AU)(1 + k)) = 116.26 d × 4.693e-3 = 13.10 h
    assert t14.value == pytest.approx(13.10, abs=0.05)
    grazing = transit_duration(
        SIDEREAL_YEAR, 1 * u.R_sun, 1 * u.M_sun, 1 * u.R_earth, impact_parameter=0.9
    )
    assert grazing < t14
    assert grazing.to_value(u.hour) == pytest.approx(
        13.10 * np.sqrt(1.00917**2 - 0.81) / 1.00917, rel=2e-3
    )


def test_earth_equilibrium_temperature_is_255_k():
    teq = equilibrium_temperature(5772 * u.K, 1 * u.R_sun, 1 * u.AU, albedo=0.3)
    assert teq.unit == u.K
    assert teq.value == pytest.approx(255, abs=1)
    dayside = equilibrium_temperature(
        5772 * u.K, 1 * u.R_sun, 1 * u.AU, albedo=0.3, redistribution=0.5
    )
    assert dayside.value == pytest.approx(255 * 2**0.25, abs=1.5)


def test_earth_insolation_is_one():
    s = insolation(1 * u.AU, 1 * u.L_sun)
    assert s.unit == S_earth
    assert s.value == pytest.approx(1.0, rel=1e-12)
    assert s.to_value(u.W / u.m**2) == pytest.approx(1361, rel=1e-3)
    from_teff = insolation(1 * u.AU, teff=5772 * u.K, stellar_radius=1 * u.R_sun)
    assert from_teff.value == pytest.approx(1.0, rel=1e-3)
    assert insolation(0.5 * u.AU, 1 * u.L_sun).value == pytest.approx(4.0)


def test_solar_density_from_transit_and_from_mass():
    rho = stellar_density_from_transit(365.25 * u.day, 215.0)
    assert rho.unit == u.g / u.cm**3
    assert rho.value == pytest.approx(1.41, abs=0.01)
    assert stellar_density(1 * u.M_sun, 1 * u.R_sun).value == pytest.approx(1.41, abs=0.01)
    a_r = a_over_rstar_from_density(365.25 * u.day, 1.41 * u.g / u.cm**3)
    assert a_r.value == pytest.approx(215.0, rel=2e-3)


def test_earth_a_over_rstar_from_duration():
    t14 = transit_duration(SIDEREAL_YEAR, 1 * u.R_sun, 1 * u.M_sun)
    a_r = a_over_rstar_from_duration(SIDEREAL_YEAR, t14)
    assert a_r.value == pytest.approx((1 * u.AU / u.R_sun).decompose().value, rel=1e-3)


# ------------------------------------------------------------------------------ Kepler-90 h


def test_kepler90h_semi_major_axis():
    a = semi_major_axis(331.6 * u.day, 1.2 * u.M_sun)
    # Cabrera et al. 2014 (ApJ 781, 18): a = 1.01 ± 0.11 AU; Kepler's law gives 0.9963 AU.
    assert abs(a.to_value(u.AU) - 1.01) < 0.11
    assert a.to_value(u.AU) == pytest.approx(0.9963, abs=5e-4)


def test_kepler90h_radius_from_depth():
    depth = depth_from_radii(1.01 * u.R_jup, 1.2 * u.R_sun)
    # (1.01 × 71492 km / (1.2 × 695700 km))² = 0.08649² = 7481 ppm
    assert depth.to_value(ppm) == pytest.approx(7481, abs=2)
    rp = planet_radius(7481 * ppm, 1.2 * u.R_sun)
    assert rp.to_value(u.R_jup) == pytest.approx(1.01, abs=1e-3)


# ------------------------------------------------------------------------------ pi Men c


def test_pi_men_c():
    a = semi_major_axis(6.268 * u.day, 1.09 * u.M_sun)
    assert a.to_value(u.AU) == pytest.approx(0.068, abs=7e-4)
    rp = planet_radius(290 * ppm, 1.10 * u.R_sun)
    assert rp.unit == u.R_earth
    assert rp.value == pytest.approx(2.04, abs=0.01)
    assert depth_from_radii(2.04 * u.R_earth, 1.10 * u.R_sun).to_value(ppm) == pytest.approx(
        290, rel=0.01
    )
    # a central transit of pi Men c lasts (P/π)·arcsin((1 + k)/(a/R★)) = 3.64 h
    t14 = transit_duration(6.268 * u.day, 1.10 * u.R_sun, 1.09 * u.M_sun, 2.04 * u.R_earth)
    assert t14.to_value(u.hour) == pytest.approx(3.64, abs=0.01)


def test_dilution_raises_the_radius():
    undiluted = planet_radius(290 * ppm, 1.10 * u.R_sun)
    diluted = planet_radius(290 * ppm, 1.10 * u.R_sun, dilution=2.0)
    assert (diluted / undiluted).decompose().value == pytest.approx(np.sqrt(2))
    assert depth_from_radii(diluted, 1.10 * u.R_sun, dilution=2.0).to_value(ppm) == pytest.approx(
        290
    )


def test_snr_expected():
    assert snr_expected(290 * ppm, 60 * ppm, 100) == pytest.approx(290 / 60 * 10)
    assert snr_expected(1e-3 * u.dimensionless_unscaled, 0.1 * u.percent, 4) == pytest.approx(2.0)


def test_functions_work_on_arrays():
    periods = np.array([1.0, 10.0, 100.0]) * u.day
    a = semi_major_axis(periods, 1 * u.M_sun)
    assert a.shape == (3,)
    assert np.all(np.diff(a) > 0)
    durations = transit_duration(periods, 1 * u.R_sun, 1 * u.M_sun)
    # T14 ∝ P^(1/3) for a central transit far from the star
    assert (durations[2] / durations[1]).decompose().value == pytest.approx(10 ** (1 / 3), rel=1e-3)


# ------------------------------------------------------------------------------ bad input


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: planet_radius(290e-6, 1 * u.R_sun),
            UnitsError,
            "depth must be an astropy Quantity",
        ),
        (
            lambda: planet_radius(290 * ppm, 1.0),
            UnitsError,
            "stellar_radius must be an astropy Quantity",
        ),
        (
            lambda: semi_major_axis(10 * u.m, 1 * u.M_sun),
            UnitsError,
            "period must have units of time",
        ),
        (
            lambda: semi_major_axis(10 * u.day, 1 * u.kg / u.m),
            UnitsError,
            "stellar_mass must have units of mass",
        ),
        (
            lambda: planet_radius(1.5 * u.dimensionless_unscaled, 1 * u.R_sun),
            ParameterError,
            "depth must be a fraction",
        ),
        (lambda: planet_radius(-5 * ppm, 1 * u.R_sun), ParameterError, "depth must be a fraction"),
        (
            lambda: planet_radius(290 * ppm, -1 * u.R_sun),
            ParameterError,
            "stellar_radius must be finite and positive",
        ),
        (
            lambda: planet_radius(290 * ppm, 5000 * u.R_sun),
            ParameterError,
            "stellar_radius must be at most",
        ),
        (
            lambda: planet_radius(290 * ppm, 1 * u.R_sun, dilution=0.5),
            ParameterError,
            "dilution is total flux",
        ),
        (
            lambda: planet_radius(290 * ppm, 1 * u.R_sun, dilution="x"),
            UnitsError,
            "dilution must be a number",
        ),
        (
            lambda: planet_radius(0.5 * u.dimensionless_unscaled, 1 * u.R_sun, dilution=3),
            ParameterError,
            "the undiluted dip would remove all",
        ),
        (
            lambda: depth_from_radii(2 * u.R_sun, 1 * u.R_sun),
            ParameterError,
            "is not smaller than stellar_radius",
        ),
        (
            lambda: semi_major_axis(10 * u.day, 1000 * u.M_sun),
            ParameterError,
            "stellar_mass must be at most",
        ),
        (
            lambda: semi_major_axis(0 * u.day, 1 * u.M_sun),
            ParameterError,
            "period must be finite and positive",
        ),
        (
            lambda: semi_major_axis(np.nan * u.day, 1 * u.M_sun),
            ParameterError,
            "period must be finite",
        ),
        (
            lambda: semi_major_axis(1 * u.day, 1 * u.M_sun, -1 * u.M_earth),
            ParameterError,
            "planet_mass must be finite and ≥ 0",
        ),
        (
            lambda: transit_duration(10 * u.day, 1 * u.R_sun, 1 * u.M_sun, impact_parameter=1.2),
            ParameterError,
            "the planet misses the star, no transit",
        ),
        (
            lambda: transit_duration(10 * u.day, 1 * u.R_sun, 1 * u.M_sun, impact_parameter=-0.1),
            ParameterError,
            "impact_parameter must be ≥ 0",
        ),
        (
            lambda: transit_duration(0.01 * u.day, 1 * u.R_sun, 1 * u.M_sun),
            ParameterError,
            "lies inside the star",
        ),
        (
            lambda: a_over_rstar_from_duration(1 * u.day, 13 * u.hour),
            ParameterError,
            "shorter than half the period",
        ),
        (
            lambda: a_over_rstar_from_duration(1 * u.day, 1 * u.hour, radius_ratio=-0.1),
            ParameterError,
            "radius_ratio must be ≥ 0",
        ),
        (
            lambda: a_over_rstar_from_duration(1 * u.day, 1 * u.hour, impact_parameter=1.5),
            ParameterError,
            r"impact_parameter must lie in \[0, 1 \+ radius_ratio\)",
        ),
        (
            lambda: stellar_density_from_transit(10 * u.day, 0.5),
            ParameterError,
            "a_over_rstar must be > 1",
        ),
        (
            lambda: stellar_density_from_transit(10 * u.day, np.inf),
            ParameterError,
            "a_over_rstar must be finite",
        ),
        (
            lambda: a_over_rstar_from_density(10 * u.day, -1 * u.g / u.cm**3),
            ParameterError,
            "stellar_density must be finite and positive",
        ),
        (
            lambda: stellar_density(1 * u.M_sun, 0 * u.R_sun),
            ParameterError,
            "radius must be finite and positive",
        ),
        (
            lambda: equilibrium_temperature(5772 * u.K, 1 * u.R_sun, 1 * u.AU, albedo=1.5),
            ParameterError,
            r"albedo must lie in \[0, 1\]",
        ),
        (
            lambda: equilibrium_temperature(5772 * u.K, 1 * u.R_sun, 1 * u.AU, redistribution=1.0),
            ParameterError,
            "redistribution factor f must lie in",
        ),
        (
            lambda: equilibrium_temperature(5772, 1 * u.R_sun, 1 * u.AU),
            UnitsError,
            "teff must be an astropy Quantity",
        ),
        (
            lambda: equilibrium_temperature(5e7 * u.K, 1 * u.R_sun, 1 * u.AU),
            ParameterError,
            "teff must be at most",
        ),
        (
            lambda: insolation(1 * u.AU),
            ParameterError,
            "needs the luminosity, or both teff and stellar_radius",
        ),
        (lambda: insolation(1 * u.AU, teff=5772 * u.K), ParameterError, "needs the luminosity"),
        (lambda: insolation(1 * u.AU, 1 * u.L_sun, teff=5772 * u.K), ParameterError, "not both"),
        (lambda: snr_expected(290 * ppm, 60 * ppm, 0), ParameterError, "n_transits must be ≥ 1"),
        (lambda: snr_expected(290 * ppm, 60e-6, 3), UnitsError, "cdpp must be an astropy Quantity"),
    ],
)
def test_bad_input_raises(call, error, match):
    with pytest.raises(error, match=match):
        call()


def test_errors_are_also_builtins():
    with pytest.raises(TypeError):
        planet_radius(290e-6, 1 * u.R_sun)
    with pytest.raises(ValueError):
        planet_radius(2 * u.dimensionless_unscaled, 1 * u.R_sun)


# ------------------------------------------------------------------------------ times


def test_mission_epochs():
    # BKJD 0 = BJD_TDB 2454833.0 = 2009-01-01 12:00 TDB; BTJD 0 = 2014-12-08 12:00 TDB
    assert bkjd_to_time(0.0).tdb.isot == "2009-01-01T12:00:00.000"
    assert btjd_to_time(0.0).tdb.isot == "2014-12-08T12:00:00.000"
    assert bjd_to_iso(2454833.0, scale="tdb") == "2009-01-01T12:00:00.000"
    # TDB − UTC in 2009 = 32.184 s + 34 leap seconds
    assert bjd_to_iso(2454833.0) == "2009-01-01T11:58:53.816"
    assert convert_time(0.0, "bkjd", "btjd") == pytest.approx(2454833.0 - 2457000.0)
    assert convert_time(0.0, "btjd", "bjd") == 2457000.0
    assert convert_time(0.0, "bkjd", "mjd") == 54832.5


def test_day_number_shortcuts():
    assert bkjd_to_bjd(2144.5) == 2456977.5
    assert btjd_to_bjd(1325.25) == 2458325.25
    assert bjd_to_bkjd(2456977.5) == 2144.5
    assert bjd_to_btjd(2458325.25) == 1325.25
    np.testing.assert_array_equal(bkjd_to_bjd(np.array([0.0, 1.0])), [2454833.0, 2454834.0])


def test_offsets_agree_with_the_telescope_profiles():
    assert get_mission("Kepler").bjd_offset == BJD_OFFSETS["bkjd"]
    assert get_mission("K2").bjd_offset == BJD_OFFSETS["bkjd"]
    assert get_mission("TESS").bjd_offset == BJD_OFFSETS["btjd"]


def test_time_objects_are_tdb_in_mission_format():
    t = bkjd_to_time(np.array([2144.1, 2200.5]))
    assert t.scale == "tdb"
    assert t.format == "bkjd"
    assert t.shape == (2,)
    assert btjd_to_time(1325.3).format == "btjd"
    assert bkjd_to_time(2144.1).isscalar
    assert isinstance(time_to_bkjd(bkjd_to_time(2144.1)), float)
    assert bkjd_to_time(1.5 * u.day) == bkjd_to_time(1.5)
    # a UTC Time converts through TDB
    utc = Time("2015-01-01T00:00:00", scale="utc")
    assert time_to_bjd(utc) == pytest.approx(utc.tdb.jd, abs=1e-9)


def test_convert_time_iso_and_time():
    iso = convert_time(2144.1027710617273, "bkjd", "iso")
    assert iso.startswith("2014-11-15T14:2")
    back = convert_time(iso, "iso", "bkjd")
    assert back == pytest.approx(2144.1027710617273, abs=1e-3 / 86400)
    t = convert_time(2144.0, "bkjd", "time")
    assert isinstance(t, Time) and t.scale == "tdb"
    assert convert_time(t, "time", "btjd") == pytest.approx(2144.0 + 2454833.0 - 2457000.0)
    arr = convert_time(np.array([1.0, 2.0]), "btjd", "bkjd")
    np.testing.assert_allclose(arr, np.array([1.0, 2.0]) + 2167.0)


def test_bkjd_matches_a_real_k2_file(shared_data):
    """The TIME column of a real K2 LLC, through starskope's conversions and lightkurve's."""
    path = shared_data / "k2/misc/AstroVPK+kali/ktwo205905563-c03_llc.fits.gz"
    with fits.open(path) as hdul:
        header = hdul[1].header
        raw_all = np.asarray(hdul[1].data["TIME"], dtype=float)
        cadenceno = np.asarray(hdul[1].data["CADENCENO"])
    raw = raw_all[np.isfinite(raw_all)]
    assert header["BJDREFI"] + header["BJDREFF"] == BJD_OFFSETS["bkjd"]
    t = bkjd_to_time(raw)
    np.testing.assert_allclose(time_to_bkjd(t), raw, rtol=0, atol=1e-10)
    np.testing.assert_allclose(time_to_bjd(t), raw + header["BJDREFI"], rtol=0, atol=1e-9)
    # K2 Campaign 3 ran 2014-11-14 … 2015-01-23
    assert bjd_to_iso(time_to_bjd(t[0]))[:10] == "2014-11-15"
    assert bjd_to_iso(time_to_bjd(t[-1]))[:10] == "2015-01-23"
    import lightkurve as lk

    lc = lk.read(str(path), quality_bitmask="none")
    lk_bkjd = time_to_bkjd(lc.time)
    np.testing.assert_allclose(
        lk_bkjd, raw_all[np.isin(cadenceno, np.asarray(lc.cadenceno))], rtol=0, atol=1e-9
    )


@pytest.mark.parametrize(
    ("call", "error", "match"),
    [
        (
            lambda: convert_time(1.0, "jd2000", "bkjd"),
            UnknownNameError,
            "unknown time system 'jd2000'; known time systems: bjd, bkjd, btjd, iso, mjd, time",
        ),
        (
            lambda: convert_time(1.0, "bkjd", "julian"),
            UnknownNameError,
            "unknown time system 'julian'",
        ),
        (
            lambda: convert_time(bkjd_to_time(1.0), "bkjd", "btjd"),
            TimeSystemError,
            "pass from_='time'",
        ),
        (
            lambda: convert_time(1.0, "time", "btjd"),
            TimeSystemError,
            "from_='time' needs an astropy Time",
        ),
        (
            lambda: convert_time("yesterday", "iso", "bkjd"),
            TimeSystemError,
            "cannot read 'yesterday' as an ISO 8601 UTC date",
        ),
        (
            lambda: bkjd_to_time([1.0, np.nan]),
            ParameterError,
            "bkjd holds 1 NaN or infinite values",
        ),
        (
            lambda: bkjd_to_time("noon"),
            TimeSystemError,
            "bkjd must be a number or an array of numbers",
        ),
        (lambda: bkjd_to_time(bkjd_to_time(1.0)), TimeSystemError, "already an astropy Time"),
        (lambda: bkjd_to_time(1.0 * u.m), UnitsError, "bkjd must have units of time"),
        (lambda: time_to_bkjd(2144.0), TimeSystemError, "time must be an astropy Time; got float"),
        (lambda: time_to_btjd([1.0]), TimeSystemError, "time must be an astropy Time"),
        (
            lambda: bjd_to_iso(2454833.0, scale="gps"),
            ParameterError,
            "scale must be 'utc', 'tdb' or 'tt'",
        ),
    ],
)
def test_bad_time_input_raises(call, error, match):
    with pytest.raises(error, match=match):
        call()


# ------------------------------------------------------------------------------ properties

days = st.floats(min_value=-5000.0, max_value=20000.0, allow_nan=False, allow_infinity=False)


@settings(max_examples=200, deadline=None)
@given(days)
def test_bkjd_round_trip(value):
    assert time_to_bkjd(bkjd_to_time(value)) == pytest.approx(value, abs=1e-10)
    assert time_to_btjd(btjd_to_time(value)) == pytest.approx(value, abs=1e-10)


@settings(max_examples=100, deadline=None)
@given(
    days,
    st.sampled_from(["bkjd", "btjd", "bjd", "mjd"]),
    st.sampled_from(["bkjd", "btjd", "bjd", "mjd"]),
)
def test_convert_time_round_trip(value, a, b):
    there = convert_time(value, a, b)
    assert convert_time(there, b, a) == pytest.approx(value, abs=1e-8)
    # every system differs from another by its constant offset
    assert there - value == pytest.approx(BJD_OFFSETS[a] - BJD_OFFSETS[b], abs=1e-8)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=1e-7, max_value=0.5),
    st.floats(min_value=0.08, max_value=100.0),
    st.floats(min_value=1.0, max_value=10.0),
)
def test_radius_depth_inverse(depth, rstar, dilution):
    assume(depth * dilution < 0.99)
    rp = planet_radius(depth * u.dimensionless_unscaled, rstar * u.R_sun, dilution=dilution)
    back = depth_from_radii(rp, rstar * u.R_sun, dilution=dilution)
    assert back.to_value(u.dimensionless_unscaled) == pytest.approx(depth, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=0.1, max_value=1e5),
    st.floats(min_value=0.05, max_value=100.0),
    st.floats(min_value=0.0, max_value=10.0),
)
def test_period_semi_major_axis_inverse(period, mstar, mplanet_earths):
    a = semi_major_axis(period * u.day, mstar * u.M_sun, mplanet_earths * u.M_earth)
    back = period_from_semi_major_axis(a, mstar * u.M_sun, mplanet_earths * u.M_earth)
    assert back.to_value(u.day) == pytest.approx(period, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(st.floats(min_value=0.2, max_value=1000.0), st.floats(min_value=1.5, max_value=500.0))
def test_density_a_over_rstar_inverse(period, a_over_rstar):
    rho = stellar_density_from_transit(period * u.day, a_over_rstar)
    back = a_over_rstar_from_density(period * u.day, rho)
    assert back.value == pytest.approx(a_over_rstar, rel=1e-9)


@settings(max_examples=200, deadline=None)
@given(
    st.floats(min_value=1.0, max_value=500.0),
    st.floats(min_value=0.3, max_value=3.0),
    st.floats(min_value=0.3, max_value=3.0),
    st.floats(min_value=0.0, max_value=0.2),
    st.floats(min_value=0.0, max_value=0.95),
)
def test_duration_a_over_rstar_inverse(period, rstar, mstar, k, b):
    p = period * u.day
    a_r = (semi_major_axis(p, mstar * u.M_sun) / (rstar * u.R_sun)).decompose().value
    assume(a_r > 2 * (1 + k))
    t14 = transit_duration(
        p, rstar * u.R_sun, mstar * u.M_sun, k * rstar * u.R_sun, impact_parameter=b
    )
    back = a_over_rstar_from_duration(p, t14, radius_ratio=k, impact_parameter=b)
    assert back.value == pytest.approx(a_r, rel=1e-7)


# ------------------------------------------------------------------------------ plain-array cores


def test_cores_give_the_quantity_functions_numbers():
    p, r, m, k, b = np.array([3.3, 10.0, 365.256363]), 1.1, 0.95, 0.05, 0.4
    a_r = a_over_rstar_arrays(p, m, r)
    kepler = (semi_major_axis(p * u.day, m * u.M_sun) / (r * u.R_sun)).decompose().value
    assert a_r == pytest.approx(kepler, rel=1e-12)
    t14 = transit_duration(p * u.day, r * u.R_sun, m * u.M_sun, k * r * u.R_sun, impact_parameter=b)
    assert t14.to_value(u.day) == pytest.approx(transit_duration_arrays(p, a_r, k, b), rel=1e-14)  # via hours
    back = a_over_rstar_from_duration(p * u.day, t14, radius_ratio=k, impact_parameter=b)
    assert np.array_equal(back.value, a_over_rstar_from_duration_arrays(p, t14.to_value(u.day), k, b))
    rho = stellar_density_from_transit(p * u.day, a_r)
    assert np.array_equal(rho.to_value(u.g / u.cm**3), stellar_density_from_transit_arrays(p, a_r))
    assert np.array_equal(a_over_rstar_from_density(p * u.day, rho).value,
                          a_over_rstar_from_density_arrays(p, rho.to_value(u.g / u.cm**3)))
    # the Sun: ρ = 1.41 g/cm³, a/R★ = 215 at one year
    assert stellar_density_from_transit_arrays(365.256363, 215.03) == pytest.approx(1.41, rel=0.01)
    assert isinstance(a_over_rstar_arrays(1.0, 1.0, 1.0), float)


def test_cores_give_nan_where_there_is_no_transit():
    assert np.isnan(transit_duration_arrays(3.0, 0.9, 0.1, 0.0))  # orbit inside the star
    assert np.isnan(transit_duration_arrays(3.0, 8.0, 0.1, 1.2))  # the planet misses the star
    assert transit_duration_arrays(3.0, 1.05, 0.1, 0.0) == pytest.approx(1.5)  # grazing the surface: P/2
    assert np.isnan(a_over_rstar_from_duration_arrays(1.0, 0.6))  # T14 ≥ P/2
    assert np.isnan(a_over_rstar_from_duration_arrays(1.0, 0.1, 0.1, 1.2))
    assert np.isnan(stellar_density_from_transit_arrays(3.0, 0.8))
    assert np.isnan(stellar_density_from_transit_arrays(3.0, np.inf))
    out = transit_duration_arrays(np.array([3.0, 3.0]), np.array([8.0, 0.5]), 0.1, 0.2)
    assert np.isfinite(out[0]) and np.isnan(out[1])
