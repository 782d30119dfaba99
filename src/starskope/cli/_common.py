"""Pieces the commands share: the options that say how to read a file, the translation of
library messages into command-line words, and the width of printed tables.

Not a command (the leading underscore keeps :func:`starskope.cli.build_app` from
registering it).
"""

from __future__ import annotations

import re
import sys
from typing import Any

import typer

__all__ = [
    "MISSION_HELP",
    "TABLE_WIDTH",
    "TIME_FORMAT_HELP",
    "cli_message",
    "mission_option",
    "read_options",
    "stdout_console",
    "time_format_option",
]

#: Width of tables printed to a file or a pipe (no terminal to fit): the usual 100-column
#: terminal, so that ``starskope search ... > table.txt`` reads the same as on screen.
TABLE_WIDTH = 100

TIME_FORMAT_HELP = (
    "Time system of a file that does not state it: bkjd (BJD − 2454833, Kepler/K2), btjd "
    "(BJD − 2457000, TESS), bjd, jd, mjd, or phase (with --epoch)."
)
MISSION_HELP = "Telescope of a file that does not say: Kepler, K2 or TESS."

#: Keyword arguments of the Python API whose command-line option has another spelling.
_OPTION_NAMES = {
    "time_format": "--time-format",
    "mission": "--mission",
    "epoch": "--epoch",
    "flux_column": "--flux-column",
    "target_id": "--target-id",
    "period_min": "--period-min",
    "period_max": "--period-max",
    "snr_threshold": "--snr",
    "max_planets": "--max-planets",
}
_KEYWORD = re.compile(r"\b(" + "|".join(_OPTION_NAMES) + r")=(?:'([^']*)'|\"([^\"]*)\"|(?=[\s(,;)]|$))")


def time_format_option() -> Any:
    """The ``--time-format`` option of every command that reads light-curve files."""
    return typer.Option(None, "--time-format", help=TIME_FORMAT_HELP)


def mission_option() -> Any:
    """The ``--mission`` option of every command that reads light-curve files."""
    return typer.Option(None, "--mission", help=MISSION_HELP)


def read_options(*, mission: str | None, time_format: str | None) -> dict[str, str]:
    """``--mission`` and ``--time-format`` checked before any file is read, as keyword
    arguments of :func:`starskope.io.read` (only those given).

    Raises
    ------
    UnknownNameError
        A telescope or time system starskope does not know (the message lists the known
        ones, in command-line words).
    """
    from ..errors import UnknownNameError
    from ..io import ReadOptions

    out: dict[str, str] = {}
    if time_format is not None:
        out["time_format"] = str(ReadOptions(time_format=time_format).time_format)
    if mission is not None:
        try:
            out["mission"] = str(ReadOptions(mission=mission).mission)
        except UnknownNameError as exc:  # the registry's message does not say which option
            raise UnknownNameError(f"--mission: {exc}") from None
    return out


def cli_message(message: str) -> str:
    """A library message in command-line words: ``pass time_format='bkjd'`` becomes
    ``pass --time-format bkjd``, ``unknown time_format`` becomes ``unknown --time-format``.

    The library's messages speak to Python callers; a user of the command line cannot
    pass a keyword argument, only an option.
    """

    def option(match: re.Match[str]) -> str:
        name = _OPTION_NAMES[match.group(1)]
        value = match.group(2) if match.group(2) is not None else match.group(3)
        return f"{name} {value}" if value is not None else name

    text = _KEYWORD.sub(option, message)
    text = re.sub(r"\b(unknown|with|and) (" + "|".join(_OPTION_NAMES) + r")\b",
                  lambda m: f"{m.group(1)} {_OPTION_NAMES[m.group(2)]}", text)

    def unquote(match: re.Match[str]) -> str:
        # the values listed after "pass --time-format" are words to type, not Python strings
        words = re.sub(r"'([\w.+-]+)'", r"\1", match.group(2)).replace("(", "").replace(")", "")
        return match.group(1) + words

    return re.sub(r"(pass --[a-z-]+ ?)([^;]*)", unquote, text)


def stdout_console(*, wide: bool = False) -> Any:
    """A rich console for results on stdout.

    On a terminal, or with ``COLUMNS`` set, the terminal's width. Written to a file or a
    pipe, :data:`TABLE_WIDTH` columns, so that the default output reads the same as on
    screen; ``wide`` (the ``--long`` outputs) gives 240, so that a file keeps every
    detail of a row on one line.
    """
    import os

    from rich.console import Console

    if sys.stdout.isatty() or os.environ.get("COLUMNS"):
        return Console()
    return Console(width=240 if wide else TABLE_WIDTH)
