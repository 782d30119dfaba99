"""The simulated noise matches the telescopes' noise models, magnitude by magnitude."""

from __future__ import annotations

import astropy.units as u
import numpy as np
import pytest

from starskope.errors import ParameterError, UnitsError, UnknownNameError
from starskope.simulate import (
    get_noise_model,
    k2_c3_grid,
    plan_set,
    quarter_grid,
    sector_grid,
    simulate_stars,
)
from starskope.simulate.noise import ar1_mean_variance, granulation_at_cadence, granulation_series


def _robust_std(x: np.ndarray) -> float:
    return float(1.4826 * np.median(np.abs(x - np.median(x))))


GRIDS = {
    "K2 C3": lambda: k2_c3_grid(),
    "Kepler Q3": lambda: quarter_grid(3),
    "TESS S14 FFI": lambda: sector_grid(14, "ffi_30min"),
    "TESS S1 2-min": lambda: sector_grid(1, "two_minute"),
}


@pytest.mark.parametrize("name", list(GRIDS))
def test_noise_per_magnitude_within_10_percent_of_model(name: str) -> None:
    grid = GRIDS[name]()
    n = 200 if "2-min" not in name else 40
    plan = plan_set(grid, n, 0, 21, classes=["quiet"] * n)
    sim = simulate_stars(plan, detail=True)
    bare = simulate_stars(plan, instrument=False)
    assert sim.quality is not None
    # cadences a pipeline would not use: flagged by the default mask or by scattered light
    profile = grid.profile
    bad_bits = profile.quality_mask("default") | (6144 if profile.name == "TESS" else 0)
    nm = get_noise_model(grid.mission)
    nbin = round(6.5 / 24.0 / grid.cadence_days)
    mags, p2p_ratio, binned_ratio = [], [], []
    for j, truth in enumerate(sim.truths):
        f = sim.pdcsap[j]
        rel = f[np.isfinite(f) & ((sim.quality[j] & bad_bits) == 0)] / np.nanmedian(f)
        # point-to-point scatter: white noise plus the part of granulation that decorrelates
        gs, phi = granulation_at_cadence(truth["gran_sigma_ppm"], truth["gran_tau_minutes"], grid.cadence_minutes)
        model = np.sqrt(float(nm.sigma(truth["mag"], grid.cadence_minutes)) ** 2 + (gs * 1e-6) ** 2 * (1 - phi))
        p2p_ratio.append(_robust_std(np.diff(rel)) / np.sqrt(2.0) / model)
        # 6.5-hour binned scatter of the star without instrumental systematics, against the
        # model's CDPP (white noise plus correlated granulation)
        clean = bare.pdcsap[j] / np.median(bare.pdcsap[j])
        m = len(clean) // nbin * nbin
        bins = clean[:m].reshape(-1, nbin).mean(axis=1)
        binned_ratio.append(_robust_std(bins) / (truth["cdpp_6p5h_ppm"] * 1e-6))
        mags.append(truth["mag"])
    mags, p2p_ratio, binned_ratio = map(np.asarray, (mags, p2p_ratio, binned_ratio))
    checked = 0
    for lo in np.arange(np.floor(mags.min()), mags.max(), 1.0):
        sel = (mags >= lo) & (mags < lo + 1)
        if sel.sum() < 8:
            continue
        checked += 1
        assert abs(np.median(p2p_ratio[sel]) - 1) < 0.10, (name, lo, np.median(p2p_ratio[sel]))
        assert abs(np.median(binned_ratio[sel]) - 1) < 0.10, (name, lo, np.median(binned_ratio[sel]))
    assert checked >= 2


def test_noise_models_match_published_levels() -> None:
    kepler = get_noise_model("Kepler")
    # Kepler's 6.5-h CDPP of quiet 12th-magnitude dwarfs is ~20-40 ppm (Gilliland et al. 2011)
    assert 20 < kepler.cdpp(12.0, 6.5 * u.hour).to_value(u.Unit(1e-6)) < 40
    assert 45 < kepler.cdpp(14.0, 6.5 * u.hour).to_value(u.Unit(1e-6)) < 90
    # K2's white noise is worse than Kepler's (roll residuals come on top, from the instrument)
    k2 = get_noise_model("k2")
    ratio = k2.cdpp(15.5, 6.5 * u.hour) / kepler.cdpp(15.5, 6.5 * u.hour)
    assert 1.4 < float(ratio) < 3.0
    # TESS: the TIC noise model gives ~212 ppm in one hour at T = 10.09 (Stassun et al. 2018)
    tess = get_noise_model("TESS")
    assert tess.cdpp(10.09, 1 * u.hour, 60 * u.min).to_value(u.Unit(1e-6)) == pytest.approx(212, rel=0.02)
    # white noise scales as 1/sqrt(cadence)
    assert tess.sigma(11.0, 2.0) / tess.sigma(11.0, 30.0) == pytest.approx(np.sqrt(15.0))
    # flux rates from the zero points
    assert kepler.flux_rate(12.0) == pytest.approx(1.74e5)
    assert tess.flux_rate(10.0) == pytest.approx(1.5e4)
    assert kepler.profile.name == "Kepler"
    q = tess.cadence_noise(10.0, 60 * u.min)
    assert q.to_value(u.Unit(1e-6)) == pytest.approx(float(tess.sigma(10.0, 60.0)) * 1e6)


def test_noise_model_errors() -> None:
    nm = get_noise_model("Kepler")
    with pytest.raises(ParameterError, match="covers Kp 6–18"):
        nm.sigma(20.0, 29.4)
    with pytest.raises(ParameterError, match="cadence_minutes must be finite and positive"):
        nm.sigma(12.0, 0.0)
    with pytest.raises(UnitsError, match="duration must be an astropy Quantity"):
        nm.cdpp(12.0, 6.5)
    with pytest.raises(ParameterError, match="duration and cadence must be positive"):
        nm.cdpp(12.0, -1 * u.hour)
    with pytest.raises(UnknownNameError, match="unknown telescope 'hubble'"):
        get_noise_model("hubble")


def test_granulation_series_is_stationary_ar1() -> None:
    rng = np.random.default_rng(4)
    sigma, phi = np.array([2.0, 1.0]), np.array([0.0, 0.8])
    x = granulation_series(sigma, phi, rng.standard_normal((2, 200_000)))
    assert np.std(x[0]) == pytest.approx(2.0, rel=0.01)
    assert np.std(x[1]) == pytest.approx(1.0, rel=0.03)
    lag1 = np.corrcoef(x[1, 1:], x[1, :-1])[0, 1]
    assert lag1 == pytest.approx(0.8, abs=0.01)
    # variance of a mean of n correlated samples: brute force agrees with the closed form
    n = 13
    means = x[1, : 200_000 // n * n].reshape(-1, n).mean(axis=1)
    assert np.var(means) == pytest.approx(float(ar1_mean_variance(n, 0.8)), rel=0.08)
    assert float(ar1_mean_variance(10, 0.0)) == pytest.approx(0.1)
    # exposure averaging only reduces the variance
    s, p = granulation_at_cadence(50.0, 5.0, 30.0)
    assert 0 < float(s) < 50.0 and 0 < float(p) < 1


def _p2p(flux: np.ndarray) -> float:
    f = flux[np.isfinite(flux)]
    return _robust_std(np.diff(f / np.median(f))) / np.sqrt(2.0)


def test_noise_models_match_real_quiet_stars(shared_data, manifest) -> None:
    """The models against the per-cadence scatter of real quiet stars in shared/data."""
    from astropy.io import fits

    # TESS-SPOC 30-minute FFI light curves of non-variable stars; T from the flux rate
    tess = get_noise_model("TESS")
    ratios: dict[int, list[float]] = {}
    rows = [r for r in manifest if r["file"].startswith("tess/ffi/") and r["class"] == "non_variable"][:120]
    for row in rows:
        with fits.open(shared_data / row["file"]) as hdul:
            if hdul[0].header["SECTOR"] > 26:
                continue
            d = hdul[1].data
            f = d["FLUX"][(d["QUALITY"] & 175) == 0]
        level = np.nanmedian(f)
        tmag = 10.0 - 2.5 * np.log10(level / 1.5e4)
        if 7.0 <= tmag < 11.0:
            ratios.setdefault(int(tmag), []).append(_p2p(f) / float(tess.sigma(tmag, 30.0)))
    assert sum(len(v) for v in ratios.values()) > 50
    for mag, vals in ratios.items():
        if len(vals) >= 10:
            assert np.median(vals) == pytest.approx(1.0, abs=0.2), (mag, np.median(vals))
    # Kepler long-cadence quarters of stars without known planets, quiet ones only
    # (scatter within 1.6× the pipeline's own error)
    kepler = get_noise_model("Kepler")
    kr: dict[int, list[float]] = {}
    for row in manifest:
        if not (row["file"].startswith("kepler/dr24/") and row["class"] == "no_known_planet"):
            continue
        with fits.open(shared_data / row["file"]) as hdul:
            kp = hdul[0].header["KEPMAG"]
            d = hdul[1].data
            ok = ((d["SAP_QUALITY"] & 1130799) == 0) & np.isfinite(d["PDCSAP_FLUX"])
            f, e = d["PDCSAP_FLUX"][ok], d["PDCSAP_FLUX_ERR"][ok]
        if _p2p(f) < 1.6 * np.median(e / f) and 11.0 <= kp < 16.0:
            kr.setdefault(int(kp), []).append(_p2p(f) / float(kepler.sigma(kp, 29.4244)))
    assert sum(len(v) for v in kr.values()) > 40
    for mag, vals in kr.items():
        if len(vals) >= 5:
            assert np.median(vals) == pytest.approx(1.0, abs=0.3), (mag, np.median(vals))
