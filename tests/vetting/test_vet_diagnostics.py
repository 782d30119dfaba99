"""vet(): each diagnostic and flag on cases whose answer is known, synthetic and real."""

from __future__ import annotations

import json

import astropy.units as u
import numpy as np
import pytest
from astropy.time import Time
from vetting_synth import T_START, batman_transit, candidate, synthetic

from starskope.errors import LightCurveDataError, ParameterError, TimeSystemError
from starskope.search.candidate import TransitCandidate
from starskope.stars import catalogs
from starskope.vetting import FLAGS, Diagnostic, Flag, VettingReport, vet, vet_many

SUN = {"radius": 1 * u.R_sun, "mass": 1 * u.M_sun, "teff": 5777 * u.K}


# ----------------------------------------------------------------------------- synthetic


def test_clean_planet_passes_with_the_right_numbers():
    # a limb-darkened (batman) planet, k = 0.0316 at b = 0.3 around a Sun, white noise
    t, _ = synthetic(noise=0.0)
    k, b = 0.0316, 0.3
    rng = np.random.default_rng(10)
    f = batman_transit(t, 3.3, T_START + 1.1, k, b, 0.0204) + rng.normal(0, 3e-4, t.size)
    truth = 1 - batman_transit(np.array([T_START + 1.1]), 3.3, T_START + 1.1, k, b, 0.0)[0]
    a_r = (6.674e-8 * 1.41 * (3.3 * 86400.0) ** 2 / (3 * np.pi)) ** (1 / 3)
    t14 = 3.3 / np.pi * np.arcsin(np.sqrt((1 + k) ** 2 - b**2) / np.sqrt(a_r**2 - b**2)) * 24
    rep = vet((t, f), candidate(duration_hours=3.0), stellar=SUN)
    assert rep.flags == [], [fl.reason for fl in rep.flags]
    assert rep.disposition == "planet candidate"
    assert rep.value("depth") == pytest.approx(truth * 1e6, rel=0.06)
    assert abs(rep.value("depth") - truth * 1e6) < 3 * rep.value("depth_err")
    assert rep["depth"].reason.startswith("limb-darkened transit fit")
    # 29.4-min cadences do not resolve ingress: T14 (and b) are loosely constrained
    assert rep.value("duration") == pytest.approx(t14, rel=0.2)
    assert rep.value("n_transits") == 24
    # white noise: SNR ≈ δ_mean/σ √n_in
    mean_depth = 1 - np.mean(batman_transit(np.linspace(-t14 / 48, t14 / 48, 400) + T_START + 1.1, 3.3,
                                            T_START + 1.1, k, b, 0.0))
    assert rep.value("snr") == pytest.approx(mean_depth / 3e-4 * np.sqrt(24 * t14 / 24 / 0.0204), rel=0.15)
    assert rep.value("odd_even") < 3
    assert rep.value("secondary") < 3
    # radius from the fitted R_p/R★, not from √depth (limb darkening deepens the centre)
    k_fit = rep.value("rp_over_rstar")
    k_err = float(rep["rp_over_rstar"].reason.split("±")[1].split(",")[0])
    assert abs(k_fit - k) < 3 * k_err and k_err < 0.2 * k
    assert rep.value("radius") == pytest.approx(k_fit * 109.08, rel=1e-3)
    assert rep["radius"].verdict == "planet"
    assert rep.candidate.snr == pytest.approx(rep.value("snr"))
    assert rep.candidate.depth_ppm == pytest.approx(rep.value("depth"))
    assert rep.value("period_alias") == 1.0


def test_odd_even_flags_an_eclipsing_binary_at_twice_the_period():
    t, f = synthetic(depth=4e-3, odd_depth=2e-3, noise=3e-4, seed=11)
    rep = vet((t, f), candidate(), stellar=None)
    assert rep.has_flag("ODD_EVEN")
    flag = next(fl for fl in rep.flags if fl.name == "ODD_EVEN")
    assert "twice the period" in flag.reason and "6.60000 d" in flag.reason
    assert rep.value("odd_even") > 10
    assert rep.value("period_alias") == 2.0
    assert rep["odd_even"].verdict == "not planet"


def test_secondary_eclipse_flags_an_eclipsing_binary():
    t, f = synthetic(depth=5e-3, secondary=1.5e-3, sec_phase=0.5, noise=3e-4, seed=12)
    rep = vet((t, f), candidate(), stellar=SUN)
    assert rep.has_flag("SIGNIFICANT_SECONDARY")
    assert rep.value("secondary_phase") == pytest.approx(0.5, abs=0.02)
    assert rep.value("secondary_depth") == pytest.approx(1500, rel=0.15)
    assert "eclipsing binary" in rep["secondary"].reason


@pytest.mark.parametrize("seed", range(4))
def test_a_secondary_eclipse_is_not_counted_as_the_primarys_noise(seed):
    # a long, shallow binary eclipse (12 h, 2500 ppm at 2.8 d) with a 1400-ppm secondary at
    # phase 0.35: the detection SNR measures the primary against the noise, as without the
    # secondary (it fell to 0.57–0.83 of that when the secondary counted as noise)
    kw = dict(period=2.8, duration=0.5, depth=2.5e-3, noise=1.5e-3, span=27.0, cadence=30 / 1440, ingress=0.05,
              seed=seed)
    alone = vet(synthetic(**kw), candidate(period=2.8, duration_hours=12.0))
    binary = vet(synthetic(secondary=1.4e-3, sec_phase=0.35, **kw), candidate(period=2.8, duration_hours=12.0))
    assert binary.has_flag("SIGNIFICANT_SECONDARY")
    assert binary.value("snr") >= 0.85 * alone.value("snr")


def test_eccentric_secondary_is_found_off_phase_half():
    t, f = synthetic(depth=5e-3, secondary=1.5e-3, sec_phase=0.38, noise=3e-4, seed=13)
    rep = vet((t, f), candidate(), stellar=SUN)
    assert rep.has_flag("SIGNIFICANT_SECONDARY")
    assert rep.value("secondary_phase") == pytest.approx(0.38, abs=0.02)


def test_hot_jupiter_occultation_is_not_a_false_positive():
    # 1% transit at 0.94 d around a Sun-like star; a 300 ppm occultation is what a hot
    # planet's dayside gives (WASP-18 b), not a stellar eclipse
    t, f = synthetic(period=0.94, epoch=T_START + 0.3, duration=0.09, depth=1e-2, secondary=3e-4,
                     noise=4e-4, cadence=0.0014, span=27, seed=14)
    rep = vet((t, f), candidate(period=0.94, epoch=T_START + 0.3, duration_hours=2.16),
              stellar={"radius": 1.2 * u.R_sun, "mass": 1.2 * u.M_sun, "teff": 6400 * u.K},
              mission="TESS")
    assert rep.value("secondary") > 5
    assert not rep.has_flag("SIGNIFICANT_SECONDARY")
    assert "planetary occultation" in rep["secondary"].reason


def test_grazing_v_shaped_eclipse_is_flagged():
    import batman

    t = np.arange(T_START, T_START + 60, 0.0204)
    p = batman.TransitParams()
    p.t0, p.per, p.rp, p.a, p.inc, p.ecc, p.w = T_START + 1.0, 2.7, 0.25, 8.0, 0.0, 0.0, 90.0
    p.inc = float(np.degrees(np.arccos(1.1 / p.a)))  # b = 1.1: grazing
    p.u, p.limb_dark = [0.4, 0.25], "quadratic"
    flux = batman.TransitModel(p, t, supersample_factor=9, exp_time=0.0204).light_curve(p)
    flux = flux + np.random.default_rng(15).normal(0, 2e-4, t.size)
    depth = 1 - flux.min()
    assert depth > 2e-3
    rep = vet((t, flux), TransitCandidate.from_floats(2.7, T_START + 1.0, 3.0), stellar=None)
    assert rep.has_flag("V_SHAPED")
    assert rep.value("ingress_ratio") > 0.35
    # the same planet transiting centrally is flat-bottomed
    p.inc = 90.0
    p.rp = 0.08
    flat = batman.TransitModel(p, t, supersample_factor=9, exp_time=0.0204).light_curve(p)
    flat = flat + np.random.default_rng(16).normal(0, 2e-4, t.size)
    rep2 = vet((t, flat), TransitCandidate.from_floats(2.7, T_START + 1.0, 4.0), stellar=None)
    assert not rep2.has_flag("V_SHAPED")
    assert rep2.value("ingress_ratio") < 0.25


def test_too_large_and_density_mismatch_with_a_catalogued_star():
    # a 20% eclipse lasting 6 h at 3.3 d: for a Sun-like star 3× too long and 4.9 R_Jup
    t, f = synthetic(depth=0.2, duration=0.25, noise=1e-3, seed=17, ingress=0.03)
    rep = vet((t, f), candidate(duration_hours=6.0), stellar={"radius": 1 * u.R_sun, "mass": 1 * u.M_sun})
    assert rep.has_flag("TOO_LARGE")
    assert "R_Jup" in next(fl.reason for fl in rep.flags if fl.name == "TOO_LARGE")
    assert rep.value("radius") > 22.4
    assert rep.has_flag("DENSITY_MISMATCH")
    assert rep.value("duration_ratio") > 1.5
    # without a stellar radius neither can be judged
    rep2 = vet((t, f), candidate(duration_hours=6.0), stellar=None)
    assert not rep2.has_flag("TOO_LARGE") and not rep2.has_flag("DENSITY_MISMATCH")
    assert np.isnan(rep2.value("radius")) and rep2["radius"].verdict == "neutral"


def test_implied_density_from_the_shape_matches_the_star():
    import batman

    t = np.arange(T_START, T_START + 90, 0.0204)
    p = batman.TransitParams()
    # Sun-like star (ρ = 1.41 g/cm³) at P = 5 d: a/R★ = 12.4
    p.t0, p.per, p.rp, p.a, p.inc, p.ecc, p.w = T_START + 1.0, 5.0, 0.1, 12.36, 90.0, 0.0, 90.0
    p.u, p.limb_dark = [0.0, 0.0], "quadratic"
    flux = batman.TransitModel(p, t, supersample_factor=9, exp_time=0.0204).light_curve(p)
    flux = flux + np.random.default_rng(18).normal(0, 1e-4, t.size)
    rep = vet((t, flux), TransitCandidate.from_floats(5.0, T_START + 1.0, 3.0), stellar=SUN)
    assert rep.value("a_over_rstar") == pytest.approx(12.36, rel=0.15)
    assert rep.value("density") == pytest.approx(1.41, rel=0.4)
    assert rep["density_ratio"].verdict == "planet"
    assert not rep.has_flag("DENSITY_MISMATCH")


def test_centroid_shift_flags_a_background_source():
    t, f = synthetic(depth=3e-3, noise=2e-4, seed=19)
    rng = np.random.default_rng(20)
    dt = (t - (T_START + 1.1) + 1.65) % 3.3 - 1.65
    inside = np.abs(dt) < 0.0625
    col = 500.0 + rng.normal(0, 2e-3, t.size)
    row = 300.0 + rng.normal(0, 2e-3, t.size)
    data = {"time": t, "flux": f, "centroid_col": col + np.where(inside, 0.01, 0.0), "centroid_row": row}
    rep = vet(data, candidate(), stellar=None, mission="Kepler")
    assert rep.has_flag("CENTROID_OFFSET")
    # 0.01 px shift over a 0.3% dip: the source is 3.3 px = 13″ from the light centroid
    assert rep.value("centroid_offset") == pytest.approx(0.01 / 3e-3 * 3.98, rel=0.2)
    on_target = vet({"time": t, "flux": f, "centroid_col": col, "centroid_row": row}, candidate(),
                    stellar=None, mission="Kepler")
    assert not on_target.has_flag("CENTROID_OFFSET")
    assert on_target.value("centroid_shift") < 3
    no_centroids = vet((t, f), candidate(), stellar=None)
    assert np.isnan(no_centroids.value("centroid_shift"))


def test_not_transit_like_without_a_dip_or_with_variability():
    rng = np.random.default_rng(21)
    t = np.arange(T_START, T_START + 60, 0.0204)
    noise = 1.0 + rng.normal(0, 3e-4, t.size)
    rep = vet((t, noise), candidate(), stellar=None)
    assert rep.has_flag("NOT_TRANSIT_LIKE")
    assert "no significant dip" in rep["depth_significance"].reason
    # a pure sinusoid: a sine wave at the period fits as well as any transit
    wave = 1.0 + 2e-3 * np.cos(2 * np.pi * (t - (T_START + 1.1)) / 3.3 + np.pi) + rng.normal(0, 3e-4, t.size)
    rep2 = vet((t, wave), candidate(duration_hours=12.0), stellar=None)
    assert rep2.has_flag("NOT_TRANSIT_LIKE")
    assert rep2["sine_test"].verdict == "not planet"


def test_single_event_dominating_is_not_transit_like():
    t, f = synthetic(depth=0.0, noise=2e-4, seed=22)
    dt = (t - (T_START + 1.1) + 1.65) % 3.3 - 1.65
    n = np.floor((t - (T_START + 1.1) + 1.65) / 3.3)
    f = np.where((np.abs(dt) < 0.06) & (n == 5), f - 5e-3, f)
    rep = vet((t, f), candidate(), stellar=None)
    assert rep.has_flag("NOT_TRANSIT_LIKE")
    assert rep.value("single_event_fraction") > 0.8


def test_half_period_alias_and_harmonic_of_another_candidate():
    # a planet at 1.65 d vetted at twice its period: an equal dip at phase 0.5
    t, f = synthetic(period=1.65, depth=1e-3, noise=2e-4, seed=23)
    rep = vet((t, f), candidate(period=3.3), stellar=None)
    assert rep.value("period_alias") == 0.5
    assert "P/2" in rep["period_alias"].reason
    assert not rep.has_flag("SIGNIFICANT_SECONDARY")
    strong = TransitCandidate.from_floats(1.65, T_START + 1.1, 3.0, snr=40.0)
    weak = TransitCandidate.from_floats(3.3, T_START + 1.1, 3.0, snr=20.0)
    reports = vet_many((t, f), [strong, weak], stellar=None)
    assert not reports[0].has_flag("EPHEMERIS_MATCH")
    assert reports[1].has_flag("EPHEMERIS_MATCH")
    assert "2× that of candidate 1" in reports[1]["ephemeris_match"].reason


def test_transits_in_gaps_are_counted():
    t, f = synthetic(depth=1e-3, noise=2e-4, seed=24)
    keep = (t < T_START + 20) | (t > T_START + 40)
    rep = vet((t[keep], f[keep]), candidate(), stellar=None)
    assert rep.value("transits_expected") == 24
    assert rep.value("transits_in_gaps") == 6
    assert rep.value("n_transits") == 18


def test_other_candidates_are_masked_before_vetting():
    # a second planet at twice the period, half a period out of phase: alone, its
    # transits sit at phase 0.5 of the first and pose as a secondary eclipse
    t, f1 = synthetic(period=3.3, depth=2e-3, noise=2e-4, seed=25)
    _, f2 = synthetic(period=6.6, epoch=T_START + 1.1 + 1.65, depth=1.5e-3, noise=0.0, seed=25)
    f = f1 * f2
    a = TransitCandidate.from_floats(3.3, T_START + 1.1, 3.0, snr=50.0)
    b = TransitCandidate.from_floats(6.6, T_START + 1.1 + 1.65, 3.0, snr=30.0)
    alone = vet((t, f), a, stellar=None)
    both = vet_many((t, f), [a, b], stellar=None)
    assert alone.value("secondary_depth") > 500
    assert both[0].value("secondary_depth") < 200
    assert both[0].value("others_masked") > 0
    assert both[0].flags == [] and both[1].flags == []  # b is not a harmonic: its transits do not line up


# ----------------------------------------------------------------------------- report


def test_report_row_and_json():
    t, f = synthetic(depth=1e-3, noise=3e-4, seed=26)
    rep = vet((t, f), candidate(), stellar=SUN)
    row = rep.as_row()
    assert all(isinstance(v, float) for v in row.values())
    for key in ("period_days", "epoch_bjd", "depth_ppm", "depth_err_ppm", "duration_hours", "snr", "odd_even_sigma",
                "secondary_depth_ppm", "secondary_sigma", "radius_rearth", "density_gcc", "centroid_shift_sigma",
                "flag_odd_even", "flag_not_transit_like", "stellar_radius_rsun", "n_flags"):
        assert key in row, key
    text = json.dumps(rep.to_dict(), allow_nan=False)
    back = json.loads(text)
    assert back["disposition"] == "planet candidate"
    assert {d["verdict"] for d in back["diagnostics"]} <= {"planet", "not planet", "neutral"}
    assert all(d["reason"] for d in back["diagnostics"])
    assert rep["depth"].unit == "ppm" and rep["depth"].value.unit.to_string() == "ppm"
    assert "P = 3.3" in rep.summary()


def test_report_objects_check_their_inputs():
    with pytest.raises(ParameterError, match="verdict must be one of"):
        Diagnostic("x", 1.0, "", None, "maybe", "why")
    with pytest.raises(ParameterError, match="unknown vetting flag 'BOGUS'"):
        Flag("BOGUS", "why")
    rep = VettingReport(candidate(), [Diagnostic("x", 1.0, "", None, "neutral", "why")])
    with pytest.raises(KeyError, match="no diagnostic 'y'; known: x"):
        rep["y"]
    assert set(FLAGS) == {"NOT_TRANSIT_LIKE", "SIGNIFICANT_SECONDARY", "CENTROID_OFFSET", "EPHEMERIS_MATCH",
                          "ODD_EVEN", "V_SHAPED", "TOO_LARGE", "DENSITY_MISMATCH"}


# ----------------------------------------------------------------------------- errors


def test_vet_input_errors():
    t, f = synthetic(depth=1e-3, seed=27)
    with pytest.raises(ParameterError, match="candidate must be a TransitCandidate"):
        vet((t, f), (3.3, T_START, 3.0))
    with pytest.raises(ParameterError, match=r"unknown threshold\(s\) \['odd_evn'\]"):
        vet((t, f), candidate(), thresholds={"odd_evn": 2})
    with pytest.raises(TimeSystemError, match="look like a mission day count"):
        vet((t - 2454833.0, f), candidate())
    with pytest.raises(LightCurveDataError, match="only 10 finite cadences"):
        vet((t[:10], f[:10]), candidate())
    with pytest.raises(LightCurveDataError, match="no cadence falls inside any predicted transit"):
        vet((t[:200], f[:200]), candidate(period=30.0, epoch=T_START + 20.0))
    with pytest.raises(LightCurveDataError, match="time and flux must have the same length"):
        vet((t, f[:-1]), candidate())
    with pytest.raises(LightCurveDataError, match="strictly increasing"):
        vet((t[::-1], f), candidate())
    with pytest.raises(LightCurveDataError, match="vetting needs positive flux"):
        vet((t, f - 2.0), candidate())
    with pytest.raises(ParameterError, match="stellar='sun': vet no longer looks stars up"):
        vet((t, f), candidate(), stellar="sun")
    with pytest.raises(ParameterError, match="vet needs a light curve"):
        vet(42, candidate())
    with pytest.raises(ParameterError, match="do not give 'others'"):
        vet_many((t, f), [candidate()], others=[candidate()])


# ----------------------------------------------------------------------------- real data


def test_pi_men_c_passes_as_planet_like(real_lc, lookups):
    lc = real_lc("tess/misc/zclaytor+lcs_demo/tess2018206045859-s0001-0000000261136679-0120-s_lc.fits.gz")
    (toi,) = catalogs.toi_candidates("TIC 261136679")
    rep = vet(lc, toi, **lookups(lc))
    assert rep.flags == [], [fl.reason for fl in rep.flags]
    assert rep.target == "TIC 261136679"
    assert rep.value("depth") == pytest.approx(290, rel=0.15)  # Huang et al. 2018: ~290 ppm
    assert rep.value("radius") == pytest.approx(2.04, rel=0.15)  # 2.04 R⊕
    assert rep.value("n_transits") == 5
    assert rep["ephemeris_match"].verdict == "planet"
    assert np.isfinite(rep.value("centroid_shift"))
    assert rep.value("centroid_shift") < 3


def test_real_kepler_eb_shows_secondary_and_odd_even(real_lc, lookups):
    lc = real_lc("kepler/dr24/kplr001026032-*_llc.fits.gz")
    eb = catalogs.known_ephemerides("KIC 1026032")
    v = next(e for e in eb if e.catalog == "villanova_eb")
    at_p = TransitCandidate.from_ephemeris(v.period_days * u.day, Time(v.epoch_bjd, format="jd", scale="tdb"),
                                           4.5 * u.hour)
    rep = vet(lc, at_p, **lookups(lc))
    assert rep.has_flag("SIGNIFICANT_SECONDARY")
    assert rep.has_flag("EPHEMERIS_MATCH")
    assert rep.value("secondary_depth") > 5000
    half = at_p.with_(period=at_p.period / 2)
    rep2 = vet(lc, half, **lookups(lc))
    assert rep2.has_flag("ODD_EVEN")
    assert rep2.value("period_alias") == 2.0


def test_real_contact_binary_at_half_period(real_lc, lookups):
    lc = real_lc("kepler/eb/kic005018787_eb.npz")
    eb = next(e for e in catalogs.known_ephemerides("KIC 5018787") if e.catalog == "villanova_eb")
    half = TransitCandidate.from_floats(eb.period_days / 2, eb.epoch_bjd, 2.5)
    rep = vet(lc, half, **lookups(lc, "KIC 5018787"))
    assert rep.has_flag("ODD_EVEN")


def test_wasp18b_occultation_is_planetary(real_lc, lookups):
    lc = real_lc("tess/misc/spacetelescope+exovetter/wasp18b.fits.gz")
    (toi,) = catalogs.toi_candidates("TIC 100100827")
    rep = vet(lc, toi, **lookups(lc, "TIC 100100827"))
    assert not rep.has_flag("SIGNIFICANT_SECONDARY")
    assert not rep.has_flag("ODD_EVEN")
    assert rep.value("depth") == pytest.approx(10000, rel=0.1)
    assert rep.value("radius") == pytest.approx(13.9, rel=0.15)


def test_dr24_tce_vetted_from_its_catalogue_ephemeris(real_lc, lookups):
    lc = real_lc("kepler/dr24/kplr000757450-*_llc.fits.gz")
    (tce,) = catalogs.dr24_tces(757450)
    rep = vet(lc, tce, **lookups(lc))
    assert rep.flags == [], [fl.reason for fl in rep.flags]
    assert rep.value("n_transits") >= 28
    assert rep["ephemeris_match"].verdict == "planet"  # KOI 889.01, Kepler-75 b


def test_a_secondary_zone_dip_rivalled_by_another_dip_is_not_an_eclipse_on_real_stars(shared_data):
    # π Men's TASOC FFI light curve (TIC 261136679, planet c at 6.268 d): the deepest dip at
    # phases 0.3–0.7 is a 63-ppm, 3.7σ dip at 0.65, while the fold holds a 4.5σ dip at 0.84
    # — no secondary eclipse. TIC 378086310's 1400-ppm secondary eclipse stands out alone.
    from starskope.analysis import AnalysisOptions, analyse

    opts = AnalysisOptions(star_types=False)
    pimen = analyse(str(shared_data / "tess/misc/zclaytor+lcs_demo/"
                        "hlsp_tasoc_tess_ffi_tic00261136679-s0001-cam4-ccd2-c1800_tess_v05_ens-lc.fits"), options=opts)
    assert pimen.candidate.period_days == pytest.approx(6.268, rel=0.01)
    assert not pimen.vetting.has_flag("SIGNIFICANT_SECONDARY")
    assert pimen.vetting.value("secondary") > 3
    assert "not a secondary eclipse: another dip" in pimen.vetting["secondary"].reason
    binary = analyse(str(shared_data / "tess/ffi/378086310.fits.gz"), options=opts)
    assert binary.vetting.has_flag("SIGNIFICANT_SECONDARY")
