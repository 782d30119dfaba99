"""One parser for star names: catalogue prefixes, bare numbers, host names, light curves."""

from __future__ import annotations

import pytest

from starskope.errors import ParameterError
from starskope.lightcurve import from_arrays
from starskope.stars import Target, parse_target


@pytest.mark.parametrize(
    ("text", "expected"),
    [("TIC 261136679", Target("TIC", 261136679)), ("tic261136679", Target("TIC", 261136679)),
     ("KIC 011904151", Target("KIC", 11904151)), ("kplr011904151", Target("KIC", 11904151)),
     ("Kepler ID 11904151", Target("KIC", 11904151)), ("TIC:261136679", Target("TIC", 261136679)),
     ("EPIC 201367065", Target("EPIC", 201367065)), ("ktwo201367065", Target("EPIC", 201367065)),
     ("K2-3", Target("NAME", 0, "K2-3")), ("pi Men", Target("NAME", 0, "pi Men"))],
)
def test_parse_target(text: str, expected: Target) -> None:
    assert parse_target(text) == expected


def test_names_print_as_the_catalogues_write_them() -> None:
    assert str(parse_target("kplr011442793")) == "KIC 11442793"
    assert str(parse_target("K2-3")) == "K2-3"
    t = Target("TIC", 1)
    assert parse_target(t) is t


def test_bare_numbers_need_a_mission_or_catalogue() -> None:
    assert parse_target(261136679, "TESS") == Target("TIC", 261136679)
    assert parse_target("201367065", "k2") == Target("EPIC", 201367065)
    assert parse_target(261136679, catalog="tic") == Target("TIC", 261136679)
    assert parse_target(11904151, "TESS", catalog="KIC") == Target("KIC", 11904151)  # catalog wins
    with pytest.raises(ParameterError, match=r"target 261136679 is a bare number; give mission="):
        parse_target(261136679)
    with pytest.raises(ParameterError, match="'261136679' is a bare number"):
        parse_target("261136679")
    with pytest.raises(ParameterError, match=r"catalog must be one of KIC, EPIC, TIC; got 'HIP'"):
        parse_target(5, catalog="HIP")
    with pytest.raises(ParameterError, match=r"mission must be 'Kepler', 'K2' or 'TESS'; got 'Hubble'"):
        parse_target(5, "Hubble")
    with pytest.raises(ParameterError, match="target is empty"):
        parse_target("  ")


def test_a_light_curve_is_named_by_its_meta() -> None:
    lc = from_arrays([2458325.0, 2458325.1], [1.0, 1.0], meta={"OBJECT": "TIC 261136679"})
    assert parse_target(lc) == Target("TIC", 261136679)
    lc = from_arrays([2458325.0, 2458325.1], [1.0, 1.0], meta={"TARGETID": 11904151, "MISSION": "Kepler"})
    assert parse_target(lc) == Target("KIC", 11904151)
    lc = from_arrays([2458325.0, 2458325.1], [1.0, 1.0])
    with pytest.raises(ParameterError, match="neither OBJECT nor TARGETID"):
        parse_target(lc)
