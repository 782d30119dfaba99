"""``starskope star TIC 261136679``: a star's radius, mass, Teff, log g, density, magnitudes."""

from __future__ import annotations

import json

import typer

__all__ = ["register"]


def register(app: typer.Typer) -> None:
    @app.command("star")
    def star(
        target: list[str] = typer.Argument(..., help="Star, e.g. 'TIC 261136679', KIC 11904151, EPIC 201367065, K2-3."),
        offline: bool = typer.Option(False, "--offline", help="No network: cache, then the catalogue tables."),
        refresh: bool = typer.Option(False, "--refresh", help="Ignore the cache entry and fetch again."),
        cache_dir: str = typer.Option(None, "--cache-dir", help="Cache folder (default ~/.cache/starskope/stars)."),
        catalog_dir: str = typer.Option(None, "--catalogs", help="Folder of the catalogue tables (default: "
                                        "$STARSKOPE_CATALOGS, else $STARSKOPE_SHARED_DATA/catalogs)."),
        radius: float = typer.Option(None, "--radius", help="Your stellar radius, R_sun (overrides)."),
        mass: float = typer.Option(None, "--mass", help="Your stellar mass, M_sun (overrides)."),
        teff: float = typer.Option(None, "--teff", help="Your effective temperature, K (overrides)."),
        as_json: bool = typer.Option(False, "--json", help="Print JSON instead of a table."),
    ) -> None:
        """Stellar properties from MAST (cached), the shipped catalogues, or your values.

        Examples:

          starskope star TIC 261136679

          starskope star K2-3 --offline --json

          starskope star KIC 11904151 --radius 1.06 --mass 0.98
        """
        import astropy.units as u

        from ..stars import get_stellar_properties

        user = {}
        if radius is not None:
            user["radius"] = radius * u.Rsun
        if mass is not None:
            user["mass"] = mass * u.Msun
        if teff is not None:
            user["teff"] = teff * u.K
        props = get_stellar_properties(" ".join(target), offline=offline, refresh=refresh,
                                       cache_dir=cache_dir, catalog_dir=catalog_dir, user=user or None)
        if as_json:
            typer.echo(json.dumps(props.to_dict(), indent=1))
        else:
            typer.echo(props.summary())
