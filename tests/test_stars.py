"""Stellar properties: shipped catalogues offline, MAST online (mocked with stored TIC
responses from tests/data/mast), and the crash-safe cache."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.table import Table
from astroquery.mast import Catalogs

from starskope.errors import CatalogError, ParameterError, StarskopeWarning, UnitsError
from starskope.stars import (
    LOGG_UNIT,
    StellarCache,
    StellarProperties,
    get_stellar_properties,
    offline_properties,
    parse_target,
    query_mast,
    tic_row_to_properties,
)

MAST = Path(__file__).parent / "data" / "mast"


@pytest.fixture()
def catalogs(shared_data: Path) -> Path:
    return shared_data / "catalogs"


@pytest.fixture()
def fake_mast(monkeypatch: pytest.MonkeyPatch) -> list[tuple[str, tuple, dict]]:
    """Replace astroquery's MAST catalogue calls with the stored TIC responses."""
    calls: list[tuple[str, tuple, dict]] = []

    def query_criteria(*args, **kwargs):
        calls.append(("query_criteria", args, kwargs))
        assert kwargs.get("catalog") == "Tic"
        if kwargs.get("ID") == 261136679:
            return Table.read(MAST / "tic_261136679.ecsv")
        if kwargs.get("KIC") == 11904151:
            return Table.read(MAST / "tic_kic_11904151.ecsv")
        return Table.read(MAST / "tic_261136679.ecsv")[:0]

    def query_object(*args, **kwargs):
        calls.append(("query_object", args, kwargs))
        assert args[0] == "EPIC 201367065" and kwargs.get("catalog") == "TIC"
        return Table.read(MAST / "tic_cone_epic_201367065.ecsv")

    monkeypatch.setattr(Catalogs, "query_criteria", query_criteria)
    monkeypatch.setattr(Catalogs, "query_object", query_object)
    return calls


@pytest.fixture()
def no_mast(monkeypatch: pytest.MonkeyPatch) -> None:
    def boom(*args, **kwargs):
        raise AssertionError("MAST must not be queried here")

    monkeypatch.setattr(Catalogs, "query_criteria", boom)
    monkeypatch.setattr(Catalogs, "query_object", boom)


# --------------------------------------------------------------------------- targets


@pytest.mark.parametrize(
    ("text", "expected"),
    [("TIC 261136679", ("TIC", 261136679)), ("tic261136679", ("TIC", 261136679)),
     ("KIC 011904151", ("KIC", 11904151)), ("kplr011904151", ("KIC", 11904151)),
     ("EPIC 201367065", ("EPIC", 201367065)), ("ktwo201367065", ("EPIC", 201367065)),
     ("K2-3", ("NAME", "K2-3")), ("pi Men", ("NAME", "pi Men"))],
)
def test_parse_target(text: str, expected: tuple) -> None:
    assert parse_target(text) == expected


def test_parse_target_bare_number_needs_catalog() -> None:
    assert parse_target(261136679, catalog="tic") == ("TIC", 261136679)
    with pytest.raises(ParameterError, match="bare number"):
        parse_target("261136679")
    with pytest.raises(ParameterError, match="catalog must be one of"):
        parse_target(5, catalog="HIP")
    with pytest.raises(ParameterError, match="target is empty"):
        parse_target("  ")


# --------------------------------------------------------------------------- offline


def test_offline_tic_from_toi_table(catalogs: Path, tmp_path: Path, no_mast: None) -> None:
    p = get_stellar_properties("TIC 261136679", offline=True, cache_dir=tmp_path, catalog_dir=catalogs)
    assert p.radius.unit == u.Rsun and p.radius.value == pytest.approx(1.15)
    assert p.teff.to_value(u.K) == pytest.approx(5950)
    assert p.logg.to_value(LOGG_UNIT) == pytest.approx(4.438)
    # mass from g R²/G: log g is solar, so M = R² M☉
    assert p.mass.to_value(u.Msun) == pytest.approx(1.15**2, rel=1e-6)
    assert p.density.to_value(u.g / u.cm**3) == pytest.approx(1.408 / 1.15, rel=1e-3)
    assert "TOI table" in p.source
    assert any("mass derived" in n for n in p.notes)
    assert p.magnitudes["Tmag"] == pytest.approx(5.1054)
    assert not list(tmp_path.iterdir()), "offline look-ups are not cached"


def test_offline_kic_and_tic_cross_match(catalogs: Path, tmp_path: Path) -> None:
    by_kic = offline_properties("KIC 11904151", catalog_dir=catalogs)
    assert by_kic.ids == {"KIC": 11904151, "TIC": 377780790}
    assert by_kic.radius.to_value(u.Rsun) == pytest.approx(1.044)  # koi_srad of Kepler-10
    assert by_kic.source.startswith("Kepler KOI cumulative")
    by_tic = offline_properties("TIC 377780790", catalog_dir=catalogs)
    assert by_tic.ids["KIC"] == 11904151
    assert by_tic.magnitudes["Kepmag"] == pytest.approx(10.961)


def test_offline_k2_host_by_name(catalogs: Path) -> None:
    p = offline_properties("K2-3", catalog_dir=catalogs)
    assert p.mass is not None and p.radius is not None
    assert 0.4 < p.radius.to_value(u.Rsun) < 0.7
    assert "K2 planetary-systems" in p.source


def test_offline_unknown_star(catalogs: Path, tmp_path: Path, no_mast: None) -> None:
    with pytest.raises(CatalogError, match="none of the shipped catalogues"):
        get_stellar_properties("TIC 1", offline=True, cache_dir=tmp_path, catalog_dir=catalogs)


def test_missing_catalogue_folder(tmp_path: Path) -> None:
    with pytest.raises(CatalogError, match="catalogue folder not found"):
        offline_properties("TIC 261136679", catalog_dir=tmp_path / "nowhere")


# --------------------------------------------------------------------------- online (mocked)


def test_online_tic_parses_mast_columns_and_caches(fake_mast: list, tmp_path: Path, catalogs: Path) -> None:
    p = get_stellar_properties("TIC 261136679", cache_dir=tmp_path, catalog_dir=catalogs)
    assert fake_mast[0][0] == "query_criteria" and fake_mast[0][2]["ID"] == 261136679
    assert p.source == "MAST TIC"
    assert p.radius.to_value(u.Rsun) == pytest.approx(1.15)
    assert p.mass.to_value(u.Msun) == pytest.approx(1.3225)
    assert p.density.to_value(u.g / u.cm**3) == pytest.approx(0.8696 * 1.408)  # TIC rho is solar units
    assert p.uncertainties["radius"].to_value(u.Rsun) == pytest.approx(0.05)
    assert "teff" not in p.uncertainties  # e_Teff is masked in the response
    assert p.ra.to_value(u.deg) == pytest.approx(84.29928)
    cached = list(tmp_path.glob("*.json"))
    assert [c.name for c in cached] == ["TIC_261136679.json"]
    # a second look-up is served from the cache, even with MAST gone
    fake_mast.clear()
    again = get_stellar_properties("TIC 261136679", cache_dir=tmp_path, catalog_dir=catalogs)
    assert not fake_mast
    assert again.source == "cache (MAST TIC)"
    assert again.radius == p.radius and again.mass == p.mass and again.magnitudes == p.magnitudes
    offline_again = get_stellar_properties("TIC 261136679", offline=True, cache_dir=tmp_path)
    assert offline_again.source == "cache (MAST TIC)"


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


def test_mast_no_rows_and_wrong_rows(fake_mast: list) -> None:
    with pytest.raises(CatalogError, match="returned no entry"):
        query_mast("TIC", 5)


def test_mast_rows_without_the_asked_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Catalogs, "query_criteria",
                        lambda **kw: Table.read(MAST / "tic_261136679.ecsv"))
    with pytest.raises(CatalogError, match="none with ID = 42"):
        query_mast("TIC", 42)


def test_network_failure_falls_back_to_shipped_catalogues(
    monkeypatch: pytest.MonkeyPatch, tmp_path: Path, catalogs: Path
) -> None:
    def down(*args, **kwargs):
        raise ConnectionError("Failed to establish a new connection: mast.stsci.edu")

    monkeypatch.setattr(Catalogs, "query_criteria", down)
    with pytest.warns(StarskopeWarning, match="MAST TIC query for TIC 261136679 failed.*shipped"):
        p = get_stellar_properties("TIC 261136679", cache_dir=tmp_path, catalog_dir=catalogs)
    assert "TOI table" in p.source
    assert not list(tmp_path.glob("*.json")), "a failed download leaves no cache entry"
    with pytest.raises(CatalogError, match=r"failed: ConnectionError.*and offline"):
        get_stellar_properties("TIC 1", cache_dir=tmp_path, catalog_dir=catalogs)


def test_non_positive_tic_values_are_unknown() -> None:
    t = Table.read(MAST / "tic_261136679.ecsv")
    t["rad"][0] = -1.0
    p = tic_row_to_properties(t[0], target="TIC 261136679")
    assert p.radius is None and "radius" not in p.uncertainties
    # the catalogue's own density column is still used (TIC rho, solar units)
    assert p.density.to_value(u.g / u.cm**3) == pytest.approx(0.8696 * 1.408)
    assert any("rad=-1.0 is not positive" in n for n in p.notes)


# --------------------------------------------------------------------------- cache safety


def _sample() -> StellarProperties:
    return StellarProperties(target="TIC 7", radius=1.0 * u.Rsun, teff=5000 * u.K,
                             logg=4.4 * LOGG_UNIT, ids={"TIC": 7}, source="MAST TIC").complete()


def test_cache_round_trip(tmp_path: Path) -> None:
    cache = StellarCache(tmp_path)
    path = cache.put("TIC 7", _sample())
    payload = json.loads(path.read_text())
    assert payload["schema"] == 1 and len(payload["checksum"]) == 64
    got = cache.get("TIC 7")
    assert got == _sample()


@pytest.mark.parametrize("damage", ["truncate", "edit", "garbage", "schema"])
def test_corrupt_cache_entry_is_removed_and_refetched(
    damage: str, tmp_path: Path, fake_mast: list, catalogs: Path
) -> None:
    cache = StellarCache(tmp_path)
    path = cache.put("TIC 261136679", _sample())
    text = path.read_text()
    if damage == "truncate":
        path.write_text(text[: len(text) // 2])
    elif damage == "edit":  # still valid JSON, but the checksum no longer matches
        payload = json.loads(text)
        payload["properties"]["radius"] = 9.9
        path.write_text(json.dumps(payload))
    elif damage == "garbage":
        path.write_bytes(b"\x00\xff\xfe not json")
    else:
        payload = json.loads(text)
        payload["schema"] = 99
        path.write_text(json.dumps(payload))
    with pytest.warns(StarskopeWarning, match="corrupt stellar-property cache entry removed"):
        p = get_stellar_properties("TIC 261136679", cache_dir=tmp_path, catalog_dir=catalogs)
    assert p.source == "MAST TIC" and fake_mast, "refetched from MAST"
    fresh = StellarCache(tmp_path).get("TIC 261136679")
    assert fresh is not None and fresh.radius.to_value(u.Rsun) == pytest.approx(1.15)


def test_interrupted_cache_write_keeps_old_entry(monkeypatch: pytest.MonkeyPatch, tmp_path: Path) -> None:
    cache = StellarCache(tmp_path)
    cache.put("TIC 7", _sample())

    def crash(src, dst):
        raise KeyboardInterrupt

    monkeypatch.setattr(os, "replace", crash)
    newer = StellarProperties(target="TIC 7", radius=2.0 * u.Rsun, source="MAST TIC")
    with pytest.raises(KeyboardInterrupt):
        cache.put("TIC 7", newer)
    monkeypatch.undo()
    assert [p.name for p in tmp_path.iterdir()] == ["TIC_7.json"], "no temporary file left behind"
    with warnings.catch_warnings():
        warnings.simplefilter("error")
        assert cache.get("TIC 7") == _sample()


# --------------------------------------------------------------------------- user values


def test_user_values_override_and_rederive(catalogs: Path, tmp_path: Path, no_mast: None) -> None:
    p = get_stellar_properties("TIC 261136679", offline=True, cache_dir=tmp_path, catalog_dir=catalogs,
                               user={"radius": 1.0 * u.Rsun, "magnitudes": {"Vmag": 5.65}})
    assert p.radius.to_value(u.Rsun) == pytest.approx(1.0)
    assert p.mass.to_value(u.Msun) == pytest.approx(1.0, rel=1e-6)  # re-derived from logg with R = 1
    assert p.teff.to_value(u.K) == pytest.approx(5950)
    assert p.magnitudes == {"Tmag": pytest.approx(5.1054), "Vmag": 5.65}
    assert p.source.startswith("user + ")


def test_user_values_alone_for_unknown_star(tmp_path: Path, catalogs: Path, no_mast: None) -> None:
    p = get_stellar_properties("TIC 1", offline=True, cache_dir=tmp_path, catalog_dir=catalogs,
                               user={"radius": 0.5 * u.Rsun, "mass": 0.5 * u.Msun})
    assert p.source == "user"
    assert p.density.to_value(u.g / u.cm**3) == pytest.approx(4 * 1.408)


def test_user_values_are_checked(tmp_path: Path, catalogs: Path, no_mast: None) -> None:
    with pytest.raises(UnitsError, match="user radius must be an astropy Quantity"):
        get_stellar_properties("TIC 1", offline=True, cache_dir=tmp_path, catalog_dir=catalogs,
                               user={"radius": 1.2})
    with pytest.raises(ParameterError, match="user mass must be finite and positive"):
        get_stellar_properties("TIC 1", offline=True, cache_dir=tmp_path, catalog_dir=catalogs,
                               user={"mass": -1 * u.Msun})
    with pytest.raises(ParameterError, match="unknown stellar property 'age'"):
        get_stellar_properties("TIC 1", offline=True, cache_dir=tmp_path, catalog_dir=catalogs,
                               user={"age": 4 * u.Gyr})


def test_record_round_trip_and_malformed() -> None:
    p = _sample()
    assert StellarProperties.from_dict(p.to_dict()) == p
    with pytest.raises(CatalogError, match="record is malformed"):
        StellarProperties.from_dict({"target": "x"})


# --------------------------------------------------------------------------- CLI


def test_cli_star_offline(capsys: pytest.CaptureFixture, catalogs: Path, tmp_path: Path,
                          monkeypatch: pytest.MonkeyPatch, no_mast: None) -> None:
    from starskope.cli import main

    monkeypatch.setenv("STARSKOPE_CATALOGS", str(catalogs))
    monkeypatch.setenv("STARSKOPE_CACHE", str(tmp_path))
    assert main(["star", "TIC", "261136679", "--offline"]) == 0
    out = capsys.readouterr().out
    assert "TIC 261136679" in out and "1.150 solRad" in out and "5950 K" in out
    assert main(["star", "TIC 261136679", "--offline", "--json"]) == 0
    data = json.loads(capsys.readouterr().out)
    assert data["radius"] == pytest.approx(1.15) and data["ids"] == {"TIC": 261136679}
    assert main(["star", "TIC", "1", "--offline"]) == 2
    assert "none of the shipped catalogues" in capsys.readouterr().err


# --------------------------------------------------------------------------- online, through astroquery


@pytest.fixture()
def mast_http(monkeypatch: pytest.MonkeyPatch) -> list[dict]:
    """Run astroquery's real ``Catalogs`` code with MAST's HTTP answers taken from the
    stored wire-format responses in tests/data/mast (the way astroquery's own tests mock
    MAST): columns config, facet histograms, Mashup ``invoke`` answers and the STScI
    name resolver. Returns the decoded requests, for assertions."""
    from urllib.parse import unquote

    from astroquery.mast import discovery_portal
    from astroquery.mast import utils as mast_utils
    from astroquery.utils.mocks import MockResponse

    requests: list[dict] = []

    def answer(name: str) -> list:
        return [MockResponse((MAST / name).read_bytes())]

    def portal_request(self, method="POST", url=None, data=None, **kwargs):
        if "columnsconfig" in url:
            requests.append({"columnsconfig": unquote(data).split("=", 1)[1]})
            return answer("columnsconfig_tess_cone.json")
        req = json.loads(unquote(data[len("request="):]))
        requests.append(req)
        service, params = req["service"], req["params"]
        if service == "Mast.Catalogs.All.Tic":
            return answer("all_tic_extjs.json")
        if service == "Mast.Catalogs.Filtered.Tic.Rows":
            wanted = {f["paramName"]: [str(v) for v in f["values"]] for f in params["filters"]}
            if wanted == {"ID": ["261136679"]}:
                return answer("mashup_tic_261136679.json")
            if wanted == {"KIC": ["11904151"]}:
                return answer("mashup_tic_kic_11904151.json")
            return answer("mashup_tic_empty.json")
        if service.lower() == "mast.catalogs.tic.cone":  # "Mast.Catalogs." + the catalog name as given
            k23 = json.loads((MAST / "resolver_epic_201367065.json").read_text())["resolvedCoordinate"][0]
            near = abs(params["ra"] - k23["ra"]) < 1e-6 and abs(params["dec"] - k23["decl"]) < 1e-6
            return answer("mashup_tic_cone_epic_201367065.json" if near else "mashup_tic_empty.json")
        raise AssertionError(f"unexpected MAST service {service}")

    def simple_request(url, params=None):
        requests.append({"resolver": url, **(params or {})})
        if "epic 201367065" in str(params.get("name", "")).lower():
            return MockResponse((MAST / "resolver_epic_201367065.json").read_bytes())
        return MockResponse(b'{"resolvedCoordinate": [], "status": ""}')

    monkeypatch.setattr(discovery_portal.PortalAPI, "_request", portal_request)
    monkeypatch.setattr(mast_utils, "_simple_request", simple_request)
    return requests


def test_astroquery_tic_table_matches_the_stored_one(mast_http: list) -> None:
    table = Catalogs.query_criteria(catalog="Tic", ID=261136679)
    stored = Table.read(MAST / "tic_261136679.ecsv")
    assert table.colnames == stored.colnames and len(table.colnames) == 125
    assert table["ID"].dtype.kind == "U" and table["ID"][0] == "261136679"  # MAST types ID as a string
    assert table["KIC"].dtype.kind == "i" and table["KIC"].mask[0]  # null integers are masked
    assert np.isnan(table["e_Teff"][0]) and not table["e_Teff"].mask[0]  # null floats are NaN
    for col in ("rad", "e_rad", "Teff", "logg", "mass", "rho", "Tmag", "ra", "dec"):
        assert table[col][0] == pytest.approx(stored[col][0]), col
    invoke = [r for r in mast_http if r.get("service") == "Mast.Catalogs.Filtered.Tic.Rows"]
    assert invoke[0]["params"]["filters"] == [{"paramName": "ID", "values": ["261136679"]}]
    assert invoke[0]["params"]["columns"] == "*"


def test_online_paths_through_astroquery(mast_http: list, tmp_path: Path) -> None:
    p = query_mast("TIC", 261136679)
    assert p.ids == {"TIC": 261136679} and p.radius.to_value(u.Rsun) == pytest.approx(1.15)
    assert p.density.to_value(u.g / u.cm**3) == pytest.approx(0.8696 * 1.408)
    kic = get_stellar_properties("KIC 11904151", cache_dir=tmp_path)
    assert kic.source == "MAST TIC" and kic.ids == {"TIC": 377780790, "KIC": 11904151}
    assert kic.teff.to_value(u.K) == pytest.approx(5676)
    epic = get_stellar_properties("EPIC 201367065", cache_dir=tmp_path)
    assert epic.ids == {"TIC": 173103335, "EPIC": 201367065}  # the nearest row, not the first
    resolved = [r for r in mast_http if "resolver" in r]
    assert resolved and "EPIC 201367065" in str(resolved[0]["name"])
    cone = [r for r in mast_http if r.get("service") == "Mast.Catalogs.TIC.Cone"]
    assert cone[0]["params"]["radius"] == pytest.approx(3.0 / 3600.0)
    with pytest.raises(CatalogError, match="MAST TIC query for TIC 5 returned no entry"):
        query_mast("TIC", 5)
    with pytest.raises(CatalogError, match=r"MAST TIC query for EPIC 1 failed: ResolverError"):
        query_mast("EPIC", 1)
