"""get_stellar_properties: the catalogue folder offline, MAST online (mocked with stored TIC
responses from tests/data/mast), the cache, user values, and the `starskope star` command."""

from __future__ import annotations

import json
from pathlib import Path

import astropy.units as u
import pytest
from astroquery.mast import Catalogs

from starskope.errors import CatalogError, ParameterError, StarskopeWarning, UnitsError
from starskope.stars import LOGG_UNIT, get_stellar_properties, offline_properties

GCC = u.g / u.cm**3

# --------------------------------------------------------------------------- offline


def test_offline_tic_from_toi_table(catalog_folder: Path, tmp_path: Path, no_mast: None) -> None:
    p = get_stellar_properties("TIC 261136679", offline=True, cache_dir=tmp_path, catalog_dir=catalog_folder)
    assert p.radius.unit == u.Rsun and p.radius.value == pytest.approx(1.15)
    assert p.teff.to_value(u.K) == pytest.approx(5950)
    assert p.logg.to_value(LOGG_UNIT) == pytest.approx(4.438)
    # mass from g R²/G: log g is solar, so M = R² M☉
    assert p.mass.to_value(u.Msun) == pytest.approx(1.15**2, rel=1e-6)
    assert p.density.to_value(GCC) == pytest.approx(1.408 / 1.15, rel=1e-3)
    assert "TOI table" in p.source
    assert any("mass derived" in n for n in p.notes)
    assert p.magnitudes["Tmag"] == pytest.approx(5.1054)
    assert not list(tmp_path.iterdir()), "offline look-ups are not cached"


def test_offline_kic_and_tic_cross_match(catalog_folder: Path) -> None:
    by_kic = offline_properties("KIC 11904151", catalog_dir=catalog_folder)
    assert by_kic.ids == {"KIC": 11904151, "TIC": 377780790}
    assert by_kic.radius.to_value(u.Rsun) == pytest.approx(1.044)  # koi_srad of Kepler-10
    assert by_kic.source.startswith("Kepler KOI cumulative")
    by_tic = offline_properties("TIC 377780790", catalog_dir=catalog_folder)
    assert by_tic.ids["KIC"] == 11904151
    assert by_tic.magnitudes["Kepmag"] == pytest.approx(10.961)


def test_offline_kepler_star_with_log_g() -> None:
    k90 = offline_properties("KIC 11442793")  # the folder from $STARSKOPE_CATALOGS
    assert k90.radius.to_value(u.R_sun) == pytest.approx(1.2)
    assert k90.logg.to_value(LOGG_UNIT) == pytest.approx(4.317)
    assert k90.mass.to_value(u.Msun) == pytest.approx(10 ** (4.317 - 4.438) * 1.2**2, rel=1e-9)
    assert k90.density.unit == GCC


def test_offline_k2_hosts_by_name_and_by_number(catalog_folder: Path) -> None:
    p = offline_properties("K2-3", catalog_dir=catalog_folder)
    assert p.mass is not None and p.radius is not None
    assert 0.4 < p.radius.to_value(u.Rsun) < 0.7
    assert "K2 planetary-systems" in p.source
    by_epic = offline_properties("EPIC 201367065", catalog_dir=catalog_folder)
    assert by_epic.radius.to_value(u.Rsun) == pytest.approx(0.546)
    assert by_epic.mass.to_value(u.Msun) == pytest.approx(0.549)
    assert by_epic.ids == {"EPIC": 201367065}
    trappist = offline_properties("TIC 278892590", catalog_dir=catalog_folder)
    assert 0.1 < trappist.radius.to_value(u.Rsun) < 0.13 and trappist.density.to_value(GCC) > 30


def test_offline_eb_star_has_teff_but_no_radius(catalog_folder: Path) -> None:
    eb = offline_properties("KIC 1433410", catalog_dir=catalog_folder)  # a Villanova EB, no KOI
    assert eb.radius is None and eb.teff is not None
    assert eb.source == "Villanova Kepler EB catalogue (shipped)"


def test_offline_unknown_star(catalog_folder: Path, tmp_path: Path, no_mast: None) -> None:
    with pytest.raises(CatalogError, match="none of the shipped catalogues"):
        get_stellar_properties("TIC 1", offline=True, cache_dir=tmp_path, catalog_dir=catalog_folder)
    assert get_stellar_properties("TIC 1", offline=True, cache_dir=tmp_path, required=False) is None


def test_missing_catalogue_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="catalogue folder not found"):
        offline_properties("TIC 261136679", catalog_dir=tmp_path / "nowhere")


def test_no_catalogue_folder_set(no_catalog_folder: None, tmp_path: Path, no_mast: None) -> None:
    with pytest.raises(CatalogError, match="no catalogue folder given: pass catalog_dir="):
        get_stellar_properties("TIC 261136679", offline=True, cache_dir=tmp_path)
    # where the star's parameters are optional, "unknown" is the answer
    assert get_stellar_properties("TIC 261136679", offline=True, cache_dir=tmp_path, required=False) is None


# --------------------------------------------------------------------------- online (mocked)


def test_online_tic_parses_mast_columns_and_caches(fake_mast: list, tmp_path: Path) -> None:
    p = get_stellar_properties("TIC 261136679", cache_dir=tmp_path)
    assert fake_mast[0][0] == "query_criteria" and fake_mast[0][2]["ID"] == 261136679
    assert p.source == "MAST TIC"
    assert p.radius.to_value(u.Rsun) == pytest.approx(1.15)
    assert p.mass.to_value(u.Msun) == pytest.approx(1.3225)
    assert p.density.to_value(GCC) == pytest.approx(0.8696 * 1.408)  # TIC rho is solar units
    assert p.uncertainties["radius"].to_value(u.Rsun) == pytest.approx(0.05)
    assert "teff" not in p.uncertainties  # e_Teff is masked in the response
    assert p.ra.to_value(u.deg) == pytest.approx(84.29928)
    cached = list(tmp_path.glob("*.json"))
    assert [c.name for c in cached] == ["TIC_261136679.json"]
    # a second look-up is served from the cache, even with MAST gone
    fake_mast.clear()
    again = get_stellar_properties("TIC 261136679", cache_dir=tmp_path)
    assert not fake_mast
    assert again.source == "cache (MAST TIC)"
    assert again.radius == p.radius and again.mass == p.mass and again.magnitudes == p.magnitudes
    offline_again = get_stellar_properties("TIC 261136679", offline=True, cache_dir=tmp_path)
    assert offline_again.source == "cache (MAST TIC)"
    # without the cache, offline means the catalogue folder alone
    folder_only = get_stellar_properties("TIC 261136679", offline=True, use_cache=False, cache_dir=tmp_path)
    assert folder_only.source == "TOI table (shipped)"


def test_online_without_the_cache_writes_none(fake_mast: list, tmp_path: Path) -> None:
    p = get_stellar_properties("TIC 261136679", use_cache=False, cache_dir=tmp_path)
    assert p.source == "MAST TIC" and not list(tmp_path.iterdir())


def test_online_kic_uses_tic_kic_column(fake_mast: list, tmp_path: Path) -> None:
    p = get_stellar_properties("KIC 11904151", cache_dir=tmp_path)
    assert fake_mast[0][2] == {"catalog": "Tic", "KIC": 11904151}
    assert p.ids == {"TIC": 377780790, "KIC": 11904151}
    assert p.teff.to_value(u.K) == pytest.approx(5676)


def test_online_epic_takes_nearest_cone_entry(fake_mast: list, tmp_path: Path) -> None:
    p = get_stellar_properties("EPIC 201367065", cache_dir=tmp_path)
    assert fake_mast[0][0] == "query_object"
    assert fake_mast[0][2]["radius"].to(u.arcsec).value == pytest.approx(3.0)
    assert p.ids == {"TIC": 173103335, "EPIC": 201367065}  # not the first (neighbour) row
    assert p.magnitudes["Kmag"] == pytest.approx(8.561, abs=1e-3)
    assert any("nearest TIC entry" in n for n in p.notes)


def test_network_failure_falls_back_to_the_catalogue_folder(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, catalog_folder: Path
) -> None:
    def down(*args, **kwargs):
        raise ConnectionError("Failed to establish a new connection: mast.stsci.edu")

    monkeypatch.setattr(Catalogs, "query_criteria", down)
    with pytest.warns(StarskopeWarning, match="MAST TIC query for TIC 261136679 failed.*shipped"):
        p = get_stellar_properties("TIC 261136679", cache_dir=tmp_path, catalog_dir=catalog_folder)
    assert "TOI table" in p.source
    assert not list(tmp_path.glob("*.json")), "a failed download leaves no cache entry"
    with pytest.raises(CatalogError, match=r"failed: ConnectionError.*and offline"):
        get_stellar_properties("TIC 1", cache_dir=tmp_path, catalog_dir=catalog_folder)


# --------------------------------------------------------------------------- user values


def test_user_values_override_and_rederive(catalog_folder: Path, tmp_path: Path, no_mast: None) -> None:
    p = get_stellar_properties("TIC 261136679", offline=True, cache_dir=tmp_path, catalog_dir=catalog_folder,
                               user={"radius": 1.0 * u.Rsun, "magnitudes": {"Vmag": 5.65}})
    assert p.radius.to_value(u.Rsun) == pytest.approx(1.0)
    assert p.mass.to_value(u.Msun) == pytest.approx(1.0, rel=1e-6)  # re-derived from logg with R = 1
    assert p.teff.to_value(u.K) == pytest.approx(5950)
    assert p.magnitudes == {"Tmag": pytest.approx(5.1054), "Vmag": 5.65}
    assert p.source.startswith("user + ")
    assert "radius" not in p.uncertainties  # the catalogue's error belonged to its radius


def test_user_values_alone_for_unknown_star(tmp_path: Path, no_mast: None) -> None:
    p = get_stellar_properties("TIC 1", offline=True, cache_dir=tmp_path,
                               user={"radius": 0.5 * u.Rsun, "mass": 0.5 * u.Msun})
    assert p.source == "user"
    assert p.density.to_value(GCC) == pytest.approx(4 * 1.408)


def test_user_values_are_checked(tmp_path: Path, no_mast: None) -> None:
    with pytest.raises(UnitsError, match="user radius must be an astropy Quantity"):
        get_stellar_properties("TIC 1", offline=True, cache_dir=tmp_path, user={"radius": 1.2})
    with pytest.raises(ParameterError, match="user mass must be finite and positive"):
        get_stellar_properties("TIC 1", offline=True, cache_dir=tmp_path, user={"mass": -1 * u.Msun})
    with pytest.raises(ParameterError, match="unknown stellar property 'age' in user values"):
        get_stellar_properties("TIC 1", offline=True, cache_dir=tmp_path, user={"age": 4 * u.Gyr})


# --------------------------------------------------------------------------- CLI


def test_cli_star_offline(capsys: pytest.CaptureFixture, catalog_folder: Path, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch, no_mast: None) -> None:
    from starskope.cli import main

    monkeypatch.setenv("STARSKOPE_CACHE", str(tmp_path))
    assert main(["star", "TIC", "261136679", "--offline"]) == 0
    out = capsys.readouterr().out
    assert "TIC 261136679" in out and "1.150 solRad" in out and "5950 K" in out
    assert main(["star", "TIC 261136679", "--offline", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["radius"] == pytest.approx(1.15) and data["ids"] == {"TIC": 261136679}
    assert main(["star", "TIC", "1", "--offline"]) == 2
    assert "none of the shipped catalogues" in capsys.readouterr().err


def test_cli_star_catalogue_folder_option(capsys: pytest.CaptureFixture, catalog_folder: Path, tmp_path: Path,
                                          monkeypatch: pytest.MonkeyPatch, no_catalog_folder: None,
                                          no_mast: None) -> None:
    from starskope.cli import main

    monkeypatch.setenv("STARSKOPE_CACHE", str(tmp_path))
    assert main(["star", "TIC 261136679", "--offline"]) == 2
    err = capsys.readouterr().err
    assert "no catalogue folder given" in err and "--catalogs DIR" in err
    assert main(["star", "TIC 261136679", "--offline", "--catalogs", str(catalog_folder), "--json"]) == 0
    assert json.loads(capsys.readouterr().out)["radius"] == pytest.approx(1.15)
