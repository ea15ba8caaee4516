"""``zonemap demo``: load the synthetic national demo data."""

from __future__ import annotations

import typer

from api.cli.common import print_json, session_scope


def demo(
    scale: float = typer.Option(1.0, min=0.001, max=1000, help="1 ≈ today's ~2,500 zones."),
    seed: int = typer.Option(7, help="Random seed; the same seed gives the same data."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when zones exist."),
    as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
) -> None:
    """Generate and load synthetic zones (labelled synthetic), replacing earlier synthetic ones."""
    from api.db.repositories import zones as zones_repo
    from api.services.demo import load_demo

    with session_scope() as session:
        if if_empty and zones_repo.count(session):
            typer.echo("zones already loaded: demo data left as it is", err=as_json)
            return
        counts = load_demo(
            session, scale=scale, seed=seed, progress=lambda msg: typer.echo(msg, err=True)
        )
    if as_json:
        print_json(counts)
    else:
        typer.echo(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()) + " loaded")
