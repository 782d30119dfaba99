"""The ``starskope`` command line.

Each command lives in its own module in this package and exposes
``register(app: typer.Typer) -> None``; :func:`build_app` discovers them, so adding a
command never edits this file. Heavy libraries (torch, dask) are imported inside the
commands, keeping ``starskope --help`` fast.

A :class:`~starskope.errors.StarskopeError` becomes one clear line on stderr and exit
code 2; ``--verbose`` shows the traceback instead.
"""

from __future__ import annotations

import importlib
import pkgutil
import sys
import traceback
from typing import Any

import typer

from ..errors import StarskopeError

__all__ = ["build_app", "main"]

_STATE = {"verbose": False}


def build_app() -> typer.Typer:
    app = typer.Typer(
        name="starskope",
        help=(
            "starskope: a cyberoptic artificial telescope. Point it at Kepler, K2 or TESS "
            "light curves and get back what each star is, with a probability, physical "
            "parameters in real units, and the evidence for the verdict."
        ),
        no_args_is_help=True,
        add_completion=False,
        pretty_exceptions_enable=False,
        rich_markup_mode="rich",
    )

    @app.callback()
    def _root(
        verbose: bool = typer.Option(
            False, "--verbose", "-v", help="Show full tracebacks instead of one-line errors."
        ),
    ) -> None:
        _STATE["verbose"] = verbose

    for info in sorted(pkgutil.iter_modules(__path__), key=lambda m: m.name):
        if info.name.startswith("_"):
            continue
        module = importlib.import_module(f"{__name__}.{info.name}")
        register = getattr(module, "register", None)
        if callable(register):
            register(app)
    return app


def _framework_errors() -> tuple[tuple[type[BaseException], ...], tuple[type[BaseException], ...]]:
    """The usage-error and abort classes of the installed typer and click.

    typer up to 0.15 raises click's own exceptions; later versions carry a private copy
    of click (``typer._click``) whose exceptions derive from ``typer.TyperException``
    and are not click's. Both are looked up by what is importable, so the one-line
    errors hold for every typer the project allows.
    """
    usage: list[type[BaseException]] = []
    abort: list[type[BaseException]] = []
    for name in ("typer._click.exceptions", "click.exceptions"):
        try:
            module = importlib.import_module(name)
        except ImportError:
            continue
        usage += [c for c in (getattr(module, "ClickException", None),) if isinstance(c, type)]
        abort += [c for c in (getattr(module, "Abort", None),) if isinstance(c, type)]
    for attr, into in (("TyperException", usage), ("Abort", abort)):
        cls = getattr(typer, attr, None)
        if isinstance(cls, type) and cls not in into:
            into.append(cls)
    return tuple(usage), tuple(abort)


def _one_line(text: str) -> str:
    """A message on one line, without a leading "error:" of its own."""
    line = " ".join(str(text).split())
    while line.lower().startswith("error:"):
        line = line[len("error:"):].lstrip()
    return line


def _given_value(exc: BaseException, args: list[str]) -> str | None:
    """The text given on the command line for the option a usage error is about.

    Some typer versions word a bad value without the value itself ("Input should be a
    valid number"); the user should see what they typed.
    """
    param = getattr(exc, "param", None)
    opts = [o for o in getattr(param, "opts", None) or [] if o.startswith("-")]
    for i, arg in enumerate(args):
        for opt in opts:
            if arg == opt and i + 1 < len(args):
                return args[i + 1]
            if arg.startswith(opt + "="):
                return arg[len(opt) + 1:]
    return None


def _usage_message(exc: BaseException, args: list[str]) -> str:
    """A usage error as one line: for which command, what was wrong (with the value
    given), and where to look."""
    format_message = getattr(exc, "format_message", None)
    text = _one_line(format_message() if callable(format_message) else str(exc))
    value = _given_value(exc, args)
    if value is not None and repr(value) not in text and f'"{value}"' not in text:
        text = f"{text.rstrip('.')}; got {value!r}"
    ctx = getattr(exc, "ctx", None)
    command = getattr(ctx, "command_path", None) or "starskope"
    if text.lower().startswith("no such command") and "did you mean" not in text.lower():
        # older click versions do not suggest; the user still gets the close names
        text = f"{text.rstrip('.')}.{_close_commands(ctx, text)}"
    if text:
        text = text[0].lower() + text[1:]
    return f"{command}: {text.rstrip('.')} (see '{command} --help')"


def _close_commands(ctx: object, text: str) -> str:
    """The " Did you mean 'search'?" for a mistyped command name, or nothing."""
    import difflib

    typed = text.split("'")[1] if text.count("'") >= 2 else ""
    group = getattr(ctx, "command", None)
    try:
        names = list(group.list_commands(ctx)) if group is not None else []  # type: ignore[attr-defined]
    except Exception:  # a suggestion is a courtesy, never a new error
        names = []
    close = difflib.get_close_matches(typed, names, n=3)
    return f" Did you mean {', '.join(repr(n) for n in close)}?" if close else ""


def _is_help(exc: BaseException) -> bool:
    """A command or group run without arguments, which shows its help."""
    return any(c.__name__ == "NoArgsIsHelpError" for c in type(exc).__mro__)


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``starskope`` console script.

    Returns the exit code: 0 on success, 2 for a usage mistake or a
    :class:`~starskope.errors.StarskopeError` (one line on stderr: ``error: <message>``;
    ``-v/--verbose`` before the command shows the traceback instead), 130 when
    interrupted. Warnings are one line each (``warning: <message>``).
    """
    import warnings

    app = build_app()
    args = sys.argv[1:] if argv is None else list(argv)
    _STATE["verbose"] = "--verbose" in args or "-v" in args
    usage_errors, aborts = _framework_errors()
    shown = warnings.showwarning
    if not _STATE["verbose"]:
        warnings.showwarning = _one_line_warning
    try:
        return _run(app, args, usage_errors, aborts)
    finally:
        warnings.showwarning = shown


def _one_line_warning(message: Warning | str, category: type[Warning], filename: str, lineno: int,
                      file: Any = None, line: str | None = None) -> None:
    """A warning as one line on stderr ("warning: ..."), without the source line Python
    adds; ``--verbose`` keeps Python's own form."""
    from ..errors import StarskopeWarning
    from ._common import cli_message

    kind = "" if issubclass(category, StarskopeWarning) else f"{category.__name__}: "
    typer.echo(f"warning: {kind}{_one_line(cli_message(str(message)))}", err=True)


def _run(app: typer.Typer, args: list[str], usage_errors: tuple[type[BaseException], ...],
         aborts: tuple[type[BaseException], ...]) -> int:
    """Run the command line; every way it can end becomes an exit code (see :func:`main`)."""
    from ._common import cli_message

    try:
        result = app(args=args, standalone_mode=False, prog_name="starskope")
    except StarskopeError as exc:
        if _STATE["verbose"]:
            traceback.print_exc()
        else:
            typer.echo(f"error: {_one_line(cli_message(str(exc)))}", err=True)
        return 2
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    except SystemExit as exc:
        return exc.code if isinstance(exc.code, int) else (0 if exc.code is None else 1)
    except usage_errors as exc:
        if _is_help(exc):
            show = getattr(exc, "show", None)
            if callable(show):
                show()
            return 2
        if _STATE["verbose"]:
            traceback.print_exc()
        else:
            typer.echo(f"error: {_usage_message(exc, args)}", err=True)
        return 2
    except aborts:
        typer.echo("aborted", err=True)
        return 1
    except OSError as exc:
        # a file the user named cannot be written or read (permission, a folder in its
        # place, a full disk): the user's to fix, so one line, not a traceback
        if getattr(exc, "filename", None) is None:
            raise
        if _STATE["verbose"]:
            traceback.print_exc()
        else:
            typer.echo(f"error: {exc.filename}: {exc.strerror or exc}", err=True)
        return 2
    # typer returns the code of an Exit raised inside a command when not standalone
    return result if isinstance(result, int) and not isinstance(result, bool) else 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
