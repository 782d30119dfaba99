"""The vetting diagnostics one by one: each runs alone (``vet(..., diagnostics=[name])``) on a
light curve where it must fire and on one where it must not; the registry; vetting's imports."""

from __future__ import annotations

import ast
import subprocess
import sys
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from vetting_synth import T_START, candidate, synthetic, trapezoid

from starskope.errors import ParameterError, UnknownNameError
from starskope.search.candidate import TransitCandidate
from starskope.vetting import DIAGNOSTIC_ORDER, DIAGNOSTICS, HostStar, KnownSignal, vet

SUN = {"radius": 1 * u.R_sun, "mass": 1 * u.M_sun, "teff": 5777 * u.K}


@pytest.fixture(scope="module")
def planet():
    """A clean 1000 ppm, 3-hour transit every 3.3 d (80 days, 30-min cadence)."""
    return synthetic(depth=1e-3, noise=2e-4, seed=101)


def alone(data, name, cand=None, **kw):
    """Vet with the one diagnostic ``name`` only."""
    rep = vet(data, cand or candidate(), diagnostics=[name], **kw)
    return rep


def flags(rep):
    return {f.name: f.diagnostic for f in rep.flags}


# ----------------------------------------------------------------------------- registry


def test_registry_lists_every_diagnostic_in_the_run_order():
    assert DIAGNOSTICS.names() == sorted(DIAGNOSTIC_ORDER)
    assert len(DIAGNOSTIC_ORDER) == len(set(DIAGNOSTIC_ORDER)) == len(DIAGNOSTICS)


def test_an_unknown_diagnostic_is_an_error_that_lists_the_known(planet):
    with pytest.raises(UnknownNameError, match=r"unknown vetting diagnostic 'odd_evn'; known vetting diagnostics: "
                                               r"cadences_left_out, centroid, density"):
        vet(planet, candidate(), diagnostics=["odd_evn"])


def test_all_by_default_and_a_subset_in_the_fixed_order(planet):
    full = vet(planet, candidate())
    sub = vet(planet, candidate(), diagnostics=["odd_even", "transit_fit"])
    fit_lines = [d.name for d in full.diagnostics][:12]
    assert [d.name for d in sub.diagnostics] == [*fit_lines, "odd_even", "odd_depth", "even_depth"]
    # each line is the one the full run gives
    for d in sub.diagnostics:
        assert d == full[d.name]
    one = vet(planet, candidate(), diagnostics="ODD_EVEN")  # one name, any case
    assert [d.name for d in one.diagnostics] == ["odd_even", "odd_depth", "even_depth"]
    # the refined candidate does not depend on which diagnostics ran
    assert one.candidate.depth_ppm == full.candidate.depth_ppm and one.candidate.snr == full.candidate.snr


def test_stellar_and_catalogue_look_ups_are_the_callers(planet):
    with pytest.raises(ParameterError, match=r"stellar='auto': vet no longer looks the star up; look it up first "
                                             r"with starskope.stars.get_stellar_properties\(target\)"):
        vet(planet, candidate(), stellar="auto")
    with pytest.raises(ParameterError, match=r"catalog_match=True: vet no longer searches the catalogues; look the "
                                             r"known signals up with starskope.stars.known_ephemerides"):
        vet(planet, candidate(), catalog_match=True)
    with pytest.raises(ParameterError, match=r"catalog_match=False: vet no longer searches the catalogues"):
        vet(planet, candidate(), catalog_match=False)


def test_vetting_imports_no_catalogue_module():
    src = Path(__file__).resolve().parents[2] / "src" / "starskope" / "vetting"
    imported = set()
    for path in src.glob("*.py"):
        for node in ast.walk(ast.parse(path.read_text())):
            if isinstance(node, ast.ImportFrom):
                imported.add(("." * node.level) + (node.module or ""))
                imported.update(f"{'.' * node.level}{node.module or ''}.{a.name}" for a in node.names)
            elif isinstance(node, ast.Import):
                imported.update(a.name for a in node.names)
    assert not [m for m in imported if "catalogs" in m or m.split(".")[-1] == "stars" or ".stars." in m], imported
    code = ("import sys, starskope.vetting; "
            "print([m for m in sys.modules if m.startswith(('starskope.stars', 'starskope.catalogs'))])")
    out = subprocess.run([sys.executable, "-c", code], capture_output=True, text=True, check=True)
    assert out.stdout.strip() == "[]"


# ----------------------------------------------------------------------------- measurements


def test_transit_fit_measures_the_limb_darkened_depth_or_says_why_not(planet):
    rep = alone(planet, "transit_fit")
    assert [d.name for d in rep.diagnostics] == ["period", "epoch", "depth", "depth_err", "depth_trapezoid",
                                                 "rp_over_rstar", "depth_mean", "duration", "snr", "red_noise_factor",
                                                 "ttv_sigma", "ttv_rms"]
    assert rep["depth"].reason.startswith("limb-darkened transit fit")
    assert rep.value("depth") == pytest.approx(1000, rel=0.15)
    assert rep.flags == []
    noise = 1.0 + np.random.default_rng(102).normal(0, 3e-4, planet[0].size)
    flat = alone((planet[0], noise), "transit_fit")
    assert "trapezoid fit not significant" in flat["depth"].reason
    assert np.isnan(flat.value("rp_over_rstar"))


def test_cadences_left_out_counts_flares_and_other_candidates(planet):
    t, f = planet
    quiet = alone(planet, "cadences_left_out")
    assert quiet.value("clipped") == 0 and "others_masked" not in quiet
    flared = f.copy()
    flared[100:103] += 0.02
    rep = alone((t, flared), "cadences_left_out")
    assert rep.value("clipped") == 3
    other = TransitCandidate.from_floats(7.1, T_START + 2.0, 3.0)
    masked = alone(planet, "cadences_left_out", others=[candidate(), other])
    assert masked.value("others_masked") > 0


# ----------------------------------------------------------------------------- transit-likeness


def test_depth_significance_fires_without_a_dip(planet):
    assert alone(planet, "depth_significance")["depth_significance"].verdict == "planet"
    noise = 1.0 + np.random.default_rng(103).normal(0, 3e-4, planet[0].size)
    rep = alone((planet[0], noise), "depth_significance")
    assert flags(rep) == {"NOT_TRANSIT_LIKE": "depth_significance"}


def test_uniqueness_fires_on_a_second_dip_as_deep(planet):
    assert flags(alone(planet, "uniqueness")) == {}
    t, _ = planet
    _, a = synthetic(depth=1e-3, noise=2e-4, seed=104)
    # outside phases 0.3–0.7, where a second dip would be taken for a secondary eclipse
    _, b = synthetic(epoch=T_START + 1.1 + 0.2 * 3.3, depth=1e-3, noise=0.0, seed=104)
    rep = alone((t, a * b), "uniqueness")
    assert flags(rep) == {"NOT_TRANSIT_LIKE": "uniqueness"}
    assert "not unique" in rep["uniqueness"].reason


def test_sine_test_fires_on_a_sinusoid(planet):
    assert alone(planet, "sine_test")["sine_test"].verdict == "planet"
    t = planet[0]
    wave = 1.0 + 2e-3 * np.cos(2 * np.pi * (t - (T_START + 1.1)) / 3.3 + np.pi)
    wave += np.random.default_rng(105).normal(0, 3e-4, t.size)
    rep = alone((t, wave), "sine_test", candidate(duration_hours=12.0))
    assert flags(rep) == {"NOT_TRANSIT_LIKE": "sine_test"}


def test_single_event_fires_when_one_transit_carries_the_signal(planet):
    assert flags(alone(planet, "single_event")) == {}
    t, f = synthetic(depth=0.0, noise=2e-4, seed=106)
    dt = (t - (T_START + 1.1) + 1.65) % 3.3 - 1.65
    n = np.floor((t - (T_START + 1.1) + 1.65) / 3.3)
    f = np.where((np.abs(dt) < 0.06) & (n == 5), f - 5e-3, f)
    rep = alone((t, f), "single_event")
    assert flags(rep) == {"NOT_TRANSIT_LIKE": "single_event_fraction"}
    assert rep.value("single_event_fraction") > 0.8


def test_transits_in_gaps_counts_the_missing_ones(planet):
    t, f = planet
    assert alone(planet, "transits_in_gaps").value("transits_in_gaps") == 0
    keep = (t < T_START + 20) | (t > T_START + 40)
    rep = alone((t[keep], f[keep]), "transits_in_gaps")
    assert (rep.value("transits_in_gaps"), rep.value("transits_expected"), rep.value("n_transits")) == (6, 24, 18)


# ----------------------------------------------------------------------------- eclipsing binaries


def test_odd_even_fires_on_alternating_depths(planet):
    assert alone(planet, "odd_even")["odd_even"].verdict == "planet"
    rep = alone(synthetic(depth=4e-3, odd_depth=2e-3, noise=3e-4, seed=107), "odd_even")
    assert flags(rep) == {"ODD_EVEN": "odd_even"}


def test_secondary_fires_on_a_stellar_eclipse_at_phase_half(planet):
    assert flags(alone(planet, "secondary", stellar=SUN)) == {}
    rep = alone(synthetic(depth=5e-3, secondary=1.5e-3, noise=3e-4, seed=108), "secondary", stellar=SUN)
    assert flags(rep) == {"SIGNIFICANT_SECONDARY": "secondary"}
    assert rep.value("secondary_phase") == pytest.approx(0.5, abs=0.02)


@pytest.mark.parametrize("seed", [110, 111, 112])
def test_a_secondary_dip_no_deeper_than_the_folds_other_dips_is_not_an_eclipse(seed):
    # a 1000-ppm dip at phase 0.6 is a secondary eclipse when it is the fold's second dip;
    # add a 1200-ppm dip at phase 0.85 (outside the secondary zone: variability, another
    # planet) and it no longer stands out by the false-alarm level of one of P/T boxes
    t, f = synthetic(depth=6e-3, secondary=1.0e-3, sec_phase=0.6, noise=1.2e-3, seed=seed)
    assert flags(alone((t, f), "secondary", stellar=SUN)) == {"SIGNIFICANT_SECONDARY": "secondary"}
    sub = t[:, None] + 0.0204 * ((np.arange(9) + 0.5) / 9 - 0.5)
    rival = f * trapezoid(sub, 3.3, T_START + 1.1 + 0.85 * 3.3, 0.125, 1.2e-3, 0.01).mean(axis=1)
    rep = alone((t, rival), "secondary", stellar=SUN)
    assert flags(rep) == {}
    assert rep["secondary"].verdict == "neutral"
    assert "not a secondary eclipse: another dip" in rep["secondary"].reason and "phase 0.8" in rep["secondary"].reason


def test_shape_fires_on_a_v_shaped_eclipse(planet):
    assert flags(alone(planet, "shape")) == {}
    v = synthetic(depth=3e-3, duration=0.2, ingress=0.1, noise=2e-4, seed=109)
    rep = alone(v, "shape", candidate(duration_hours=4.8))
    assert flags(rep) == {"V_SHAPED": "shape"}
    assert rep.value("ingress_ratio") > 0.35


# ----------------------------------------------------------------------------- the star


def test_density_fires_when_the_star_is_far_denser_than_the_orbit_allows(planet):
    deep = synthetic(depth=3e-3, noise=2e-4, seed=110)
    assert alone(deep, "density", stellar=SUN)["density_ratio"].verdict != "not planet"
    dense = {"radius": 0.2 * u.R_sun, "mass": 1.0 * u.M_sun}  # 176 g/cm³: a/R★ ≈ 51 at 3.3 d
    rep = alone(deep, "density", stellar=dense)
    assert flags(rep) == {"DENSITY_MISMATCH": "density_ratio"}
    assert np.isnan(alone(deep, "density").value("density_ratio"))  # no star, no verdict


def test_duration_fires_on_a_transit_too_long_for_the_star():
    ok = synthetic(depth=2e-3, duration=0.11, noise=2e-4, seed=111)
    assert alone(ok, "duration", candidate(duration_hours=2.6), stellar=SUN)["duration_ratio"].verdict == "planet"
    long = synthetic(depth=2e-3, duration=0.25, noise=2e-4, seed=111)
    rep = alone(long, "duration", candidate(duration_hours=6.0), stellar=SUN)
    assert flags(rep) == {"DENSITY_MISMATCH": "duration_ratio"}
    assert rep.value("duration_ratio") > 1.5


def test_radius_fires_above_two_jupiter_radii(planet):
    assert alone(planet, "radius", stellar=SUN)["radius"].verdict == "planet"
    big = synthetic(depth=0.2, duration=0.125, noise=1e-3, seed=112, ingress=0.03)
    rep = alone(big, "radius", stellar=SUN)
    assert flags(rep) == {"TOO_LARGE": "radius"}
    assert alone(big, "radius")["radius"].verdict == "neutral"  # no stellar radius


# ----------------------------------------------------------------------------- the ephemeris


def test_period_alias_prefers_half_the_period_for_an_equal_dip_at_phase_half(planet):
    assert alone(planet, "period_alias").value("period_alias") == 1.0
    rep = alone(synthetic(period=1.65, depth=1e-3, noise=2e-4, seed=113), "period_alias")
    assert rep.value("period_alias") == 0.5


def test_centroid_fires_when_the_light_centroid_moves_in_transit(planet):
    t, f = planet
    rng = np.random.default_rng(114)
    col = 500.0 + rng.normal(0, 2e-3, t.size)
    row = 300.0 + rng.normal(0, 2e-3, t.size)
    inside = np.abs((t - (T_START + 1.1) + 1.65) % 3.3 - 1.65) < 0.0625
    on = alone({"time": t, "flux": f, "centroid_col": col, "centroid_row": row}, "centroid", mission="Kepler")
    assert flags(on) == {} and on.value("centroid_shift") < 3
    off = alone({"time": t, "flux": f, "centroid_col": col + np.where(inside, 0.01, 0.0), "centroid_row": row},
                "centroid", mission="Kepler")
    assert flags(off) == {"CENTROID_OFFSET": "centroid_shift"}


def test_ephemeris_match_fires_on_a_known_eclipsing_binary(planet):
    assert "ephemeris_match" not in alone(planet, "ephemeris_match")  # nothing looked up, no other candidate
    none = alone(planet, "ephemeris_match", known=[])
    assert none["ephemeris_match"].reason.startswith("no known EB")
    eb = KnownSignal("KIC 1 EB", "eb", 3.3, T_START + 1.1, star="KIC 1")
    rep = alone(planet, "ephemeris_match", known=[eb], target="KIC 1")
    assert flags(rep) == {"EPHEMERIS_MATCH": "ephemeris_match"}
    assert "eclipsing binary KIC 1 EB" in rep["ephemeris_match"].reason
    mine = KnownSignal("KOI 1.01", "planet", 3.3, T_START + 1.1, star="KIC 1")
    assert alone(planet, "ephemeris_match", known=[mine], target="KIC 1")["ephemeris_match"].verdict == "planet"
    # a neighbour 30″ away with this ephemeris: its light, not this star's
    far = KnownSignal("TOI 9.01", "planet", 3.3, T_START + 1.1, star="TIC 9", ra_deg=10.0, dec_deg=30.0 + 30 / 3600)
    data = {"time": planet[0], "flux": planet[1]}
    rep = vet(data, candidate(), diagnostics=["ephemeris_match"], known=[far], target="KIC 1")
    assert "ephemeris_match" in rep and rep["ephemeris_match"].verdict == "planet"  # no position: same star
    from starskope.vetting import VettingData

    placed = VettingData(planet[0], planet[1], target="KIC 1", ra_deg=10.0, dec_deg=30.0)
    rep = vet(placed, candidate(), diagnostics=["ephemeris_match"], known=[far])
    assert flags(rep) == {"EPHEMERIS_MATCH": "ephemeris_match"}
    assert "light from a neighbour" in rep["ephemeris_match"].reason


def test_ephemeris_match_fires_on_a_harmonic_of_a_stronger_candidate():
    t, f = synthetic(period=1.65, depth=1e-3, noise=2e-4, seed=115)
    strong = TransitCandidate.from_floats(1.65, T_START + 1.1, 3.0, snr=40.0)
    weak = TransitCandidate.from_floats(3.3, T_START + 1.1, 3.0, snr=20.0)
    assert flags(alone((t, f), "ephemeris_match", strong, others=[strong, weak])) == {}
    rep = alone((t, f), "ephemeris_match", weak, others=[strong, weak])
    assert flags(rep) == {"EPHEMERIS_MATCH": "ephemeris_match"}


# ----------------------------------------------------------------------------- inputs


def test_host_star_reads_mappings_objects_and_plain_floats():
    q = HostStar.from_value(SUN)
    plain = HostStar.from_value({"radius_rsun": 1.0, "mass_msun": 1.0, "teff_k": 5777.0, "logg_cgs": float("nan"),
                                 "radius_rsun_err": 0.05})
    np.testing.assert_equal(plain.as_row(), q.as_row())
    assert plain.errors["radius"].to_value(u.R_sun) == pytest.approx(0.05)
    assert q.as_row()["stellar_density_gcc"] == pytest.approx(1.41, rel=0.01)
    from_logg = HostStar.from_value({"radius": 1 * u.R_sun, "logg": 4.438})
    assert from_logg.mass.to_value(u.M_sun) == pytest.approx(1.0, rel=2e-3)

    class Props:
        def as_mapping(self):
            return {"radius_rsun": 2.0, "teff_k": 6000.0, "density_gcc": 0.2, "mass_msun": float("nan")}

    p = HostStar.from_value(Props())
    assert p.as_row()["stellar_density_gcc"] == 0.2 and p.mass is None
    assert HostStar.from_value(None) is None
    with pytest.raises(ParameterError, match="unknown stellar parameter 'radus'"):
        HostStar.from_value({"radus": 1 * u.R_sun})
    with pytest.raises(ParameterError, match="stellar must be None, a mapping"):
        HostStar.from_value(42)
    with pytest.raises(ParameterError, match=r"stellar logg must be log10\(g / cm s\^-2\) in \(-1, 9\)"):
        HostStar.from_value({"logg": 12.0})


def test_known_signals_are_read_by_their_attributes():
    from types import SimpleNamespace

    k = KnownSignal.from_object(SimpleNamespace(name="X", kind="eb", period_days=2.0, epoch_bjd=T_START))
    assert (k.star, k.same_star) == ("", None)
    with pytest.raises(ParameterError, match="lacks epoch_bjd"):
        KnownSignal.from_object(SimpleNamespace(name="X", kind="eb", period_days=2.0))
    with pytest.raises(ParameterError, match="kind must be one of"):
        KnownSignal("X", "binary", 2.0)
    with pytest.raises(ParameterError, match="period_days must be finite and positive"):
        KnownSignal("X", "eb", 0.0)
