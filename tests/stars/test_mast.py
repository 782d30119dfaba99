"""MAST's TIC through astroquery: the stored wire-format answers, and the row conversion."""

from __future__ import annotations

from pathlib import Path

import astropy.units as u
import numpy as np
import pytest
from astropy.table import Table
from astroquery.mast import Catalogs

from starskope.errors import CatalogError
from starskope.stars import get_stellar_properties, query_mast, tic_row_to_properties

MAST = Path(__file__).resolve().parents[1] / "data" / "mast"


def test_mast_no_rows(fake_mast: list) -> None:
    with pytest.raises(CatalogError, match="returned no entry"):
        query_mast("TIC 5")


def test_mast_rows_without_the_asked_id(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setattr(Catalogs, "query_criteria",
                        lambda **kw: Table.read(MAST / "tic_261136679.ecsv"))
    with pytest.raises(CatalogError, match="none with ID = 42"):
        query_mast("TIC 42")


def test_non_positive_tic_values_are_unknown() -> None:
    t = Table.read(MAST / "tic_261136679.ecsv")
    t["rad"][0] = -1.0
    p = tic_row_to_properties(t[0], target="TIC 261136679")
    assert p.radius is None and "radius" not in p.uncertainties
    # the catalogue's own density column is still used (TIC rho, solar units)
    assert p.density.to_value(u.g / u.cm**3) == pytest.approx(0.8696 * 1.408)
    assert any("rad=-1.0 is not positive" in n for n in p.notes)


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
    p = query_mast("TIC 261136679")
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
        query_mast("TIC 5")
    with pytest.raises(CatalogError, match=r"MAST TIC query for EPIC 1 failed: ResolverError"):
        query_mast("EPIC 1")
