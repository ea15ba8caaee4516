"""``zonemap demo``: load the synthetic national demo data."""

from __future__ import annotations

import typer

from api.cli.common import print_json, settings, transaction
from geo.vocabulary import CURRENT_ADMIN_VERSION


def demo(
    scale: float = typer.Option(1.0, min=0.001, max=1000, help="1 ≈ today's ~2,500 zones."),
    seed: int = typer.Option(7, help="Random seed; the same seed gives the same data."),
    if_empty: bool = typer.Option(False, "--if-empty", help="Do nothing when zones exist."),
    as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    analyse: bool = typer.Option(
        True, "--analyse/--no-analyse", help="Analyse the data (all provinces) once loaded."
    ),
) -> None:
    """Generate and load synthetic zones (labelled synthetic), replacing earlier synthetic ones."""
    from api.db.repositories import zones as zones_repo
    from api.services.demo import load_demo

    with transaction() as session:
        if if_empty and zones_repo.count(session):
            typer.echo("zones already loaded: demo data left as it is", err=as_json)
            if analyse:
                _analyse_unless_done()
            return
        counts = load_demo(
            session, scale=scale, seed=seed, progress=lambda msg: typer.echo(msg, err=True)
        )
    if analyse:
        _analyse_unless_done(force=True)
    if as_json:
        print_json(counts)
    else:
        typer.echo(", ".join(f"{v} {k.replace('_', ' ')}" for k, v in counts.items()) + " loaded")


def _analyse_unless_done(*, force: bool = False, version: str = CURRENT_ADMIN_VERSION) -> None:
    """Analyse every province (the map shows flags from the first page load)."""
    import os

    from api.db.engine import make_engine, make_session_factory
    from api.db.repositories import live_analysis as live_repo
    from api.services import live_analysis as live

    url = settings().resolved_database_url()
    engine = make_engine(url)
    try:
        factory = make_session_factory(engine)
        with factory() as session:
            if not force and live_repo.latest_snapshot(session, version) is not None:
                return
        workers = os.cpu_count() or 1
        executor = live.ProcessPool(workers) if workers > 1 else live.InProcess()
        outcome = live.analyze_all(
            factory,
            database_url=url,
            version=version,
            thresholds=live.default_thresholds(),
            executor=executor,
            progress=lambda msg: typer.echo(msg, err=True),
        )
    finally:
        engine.dispose()
    typer.echo(
        f"analysed {outcome.provinces} partitions: {outcome.snapshot.flags} flags "
        f"(run {outcome.run_id}, {outcome.duration_s:.1f} s)",
        err=True,
    )
