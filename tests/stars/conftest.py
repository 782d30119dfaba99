"""MAST stand-ins for the stellar-property tests: the stored TIC responses in tests/data/mast."""

from __future__ import annotations

import json
from pathlib import Path

import pytest
from astropy.table import Table
from astroquery.mast import Catalogs

MAST = Path(__file__).resolve().parents[1] / "data" / "mast"


@pytest.fixture()
def catalog_folder(shared_data: Path) -> Path:
    """The catalogue folder of the real data."""
    return shared_data / "catalogs"


@pytest.fixture()
def no_catalog_folder(monkeypatch: pytest.MonkeyPatch) -> None:
    """No catalogue folder configured: neither environment variable is set."""
    monkeypatch.delenv("STARSKOPE_CATALOGS", raising=False)
    monkeypatch.delenv("STARSKOPE_SHARED_DATA", raising=False)


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
