"""The stellar-property cache: atomic writes, checksums, corrupt entries refetched."""

from __future__ import annotations

import json
import os
import warnings
from pathlib import Path

import astropy.units as u
import pytest

from starskope.errors import StarskopeWarning
from starskope.stars import LOGG_UNIT, StellarCache, StellarProperties, get_stellar_properties


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
def test_corrupt_cache_entry_is_removed_and_refetched(damage: str, tmp_path: Path, fake_mast: list) -> None:
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
        p = get_stellar_properties("TIC 261136679", cache_dir=tmp_path)
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
