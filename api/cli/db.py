"""``zonemap db up|down|status``: the private PostGIS cluster and the schema."""

from __future__ import annotations

import typer

from api.cli.common import print_json, settings, transaction
from api.db.engine import check_postgis, make_engine, redacted
from api.db.repositories import server_info
from api.db.server import DatabaseServer

app = typer.Typer(help="Start, stop and inspect the database.", no_args_is_help=True)


@app.command()
def up() -> None:
    """Start the private cluster (unless DATABASE_URL is set), migrate, load boundaries."""
    from api.services.bootstrap import prepare_database, start_private_server

    message = start_private_server(settings())
    if message:
        typer.echo(message)
    prepared = prepare_database(settings().resolved_database_url())
    for version, count in prepared.boundaries_inserted.items():
        typer.echo(f"loaded {count} provinces of admin version {version}")
    typer.echo(f"database ready: {redacted(prepared.url)} (PostGIS {prepared.postgis_version})")


@app.command()
def down() -> None:
    """Stop the private cluster (its data is kept)."""
    if settings().database_url:
        typer.echo("DATABASE_URL is set: there is no private cluster to stop")
        return
    typer.echo(DatabaseServer.from_settings(settings()).down())


@app.command()
def status(
    as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
) -> None:
    """Print the database URL, the PostGIS version and row counts."""
    url = settings().resolved_database_url()
    engine = make_engine(url)
    try:
        version = check_postgis(engine, create_extension=False)
    finally:
        engine.dispose()
    with transaction() as session:
        counts = server_info.row_counts(session)
    if as_json:
        print_json({"url": redacted(url), "postgis": version, "counts": counts})
        return
    typer.echo(f"url: {redacted(url)}\npostgis: {version}")
    for table, count in counts.items():
        typer.echo(f"{table}: {count}")
