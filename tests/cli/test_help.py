"""Every command's ``--help`` shows each option's help as written (units included) and an example.

Help is rendered with rich markup, which takes ``[days]`` for a style tag and drops it
("Orbital period ."); the help texts write units without brackets, and this test renders
every command's help to check that nothing was eaten.
"""

from __future__ import annotations

import re
from collections.abc import Iterator

import pytest

from starskope.cli import build_app, main

#: Options whose help must name a unit: (command path, option, unit as written).
UNITS = [
    (("search",), "--period-min", "days"),
    (("search",), "--period-max", "days"),
    (("vet",), "--period", "days"),
    (("vet",), "--duration", "hours"),
    (("vet",), "--epoch", "BJD_TDB"),
    (("info",), "--epoch", "BJD_TDB"),
    (("serve",), "--max-upload-mb", "MiB"),
    (("star",), "--radius", "R_sun"),
    (("star",), "--teff", "K"),
    (("report",), "--density", "g/cm³"),
]

_BOX = re.compile(r"[│╭╮╰╯─┃━┏┓┗┛]")


def _flat(text: str) -> str:
    """Rendered help as one line: box drawing gone, runs of white space one space."""
    return " ".join(_BOX.sub(" ", text).split())


def _commands(command, path=()) -> Iterator[tuple[tuple[str, ...], object]]:
    subcommands = getattr(command, "commands", None)
    if subcommands:
        for name, sub in sorted(subcommands.items()):
            yield from _commands(sub, (*path, name))
    else:
        yield path, command


def _all_commands() -> list[tuple[tuple[str, ...], object]]:
    from typer.main import get_command

    return list(_commands(get_command(build_app())))


COMMANDS = _all_commands()


def _help(path: tuple[str, ...], capsys, monkeypatch) -> str:
    # a wide terminal: each option's help on one line, so it can be compared as written
    monkeypatch.setenv("COLUMNS", "1000")
    assert main([*path, "--help"]) == 0
    return capsys.readouterr().out


def test_every_command_is_covered() -> None:
    names = {" ".join(p) for p, _ in COMMANDS}
    assert {"search", "vet", "info", "classify", "report", "serve", "star", "demo", "train", "evaluate",
            "simulate k2-c3", "startype classify"} <= names


@pytest.mark.parametrize(("path", "command"), COMMANDS, ids=[" ".join(p) for p, _ in COMMANDS])
def test_help_shows_every_option_as_written_and_an_example(path, command, capsys, monkeypatch) -> None:
    flat = _flat(_help(path, capsys, monkeypatch))
    for param in command.params:
        text = getattr(param, "help", None)
        if text:
            assert _flat(text) in flat, (param.name, text)
    # a unit eaten by the markup leaves its sentence ending in " ."
    assert not re.search(r"\w \.( |$)", flat), flat
    assert "Examples:" in flat and f"starskope {' '.join(path)}" in flat[flat.index("Examples:"):]


@pytest.mark.parametrize(("path", "option", "unit"), UNITS, ids=[f"{' '.join(p)} {o}" for p, o, _ in UNITS])
def test_help_names_the_unit(path, option, unit, capsys, monkeypatch) -> None:
    lines = [line for line in _help(path, capsys, monkeypatch).splitlines() if re.search(rf"{option}\b", line)]
    assert any(unit in line for line in lines), (option, lines)
