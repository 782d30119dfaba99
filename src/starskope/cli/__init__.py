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


def main(argv: list[str] | None = None) -> int:
    """Entry point of the ``starskope`` console script."""
    app = build_app()
    args = sys.argv[1:] if argv is None else argv
    _STATE["verbose"] = "--verbose" in args or "-v" in args
    try:
        app(args=args, standalone_mode=False, prog_name="starskope")
    except StarskopeError as exc:
        if _STATE["verbose"]:
            raise
        typer.echo(f"error: {exc}", err=True)
        return 2
    except KeyboardInterrupt:
        typer.echo("interrupted", err=True)
        return 130
    except SystemExit as exc:  # click's own exits (e.g. --help)
        return int(exc.code or 0)
    except Exception as exc:  # click usage errors come through here in non-standalone mode
        import click

        if isinstance(exc, click.exceptions.ClickException):
            exc.show()
            return exc.exit_code
        if isinstance(exc, click.exceptions.Abort):
            typer.echo("aborted", err=True)
            return 1
        raise
    return 0


if __name__ == "__main__":  # pragma: no cover
    sys.exit(main())
