"""``zonemap worker``: process the re-analysis queue (on this or any other machine)."""

from __future__ import annotations

import typer

from api.cli.common import settings


def worker(
    processes: int = typer.Option(
        0, "--processes", min=0, help="Analysis processes (default 0: one per core)."
    ),
    concurrency: int = typer.Option(1, "--concurrency", min=1, help="Jobs run at once."),
    stalled_after: float = typer.Option(
        30.0, "--stalled-after", min=1, help="Seconds without heartbeat before a job is retried."
    ),
) -> None:
    """Run the analysis jobs that commits and rollbacks queue, until interrupted."""
    import logging

    from api.services.analysis_jobs import run_worker

    logging.basicConfig(level=logging.INFO, format="%(asctime)s %(name)s %(message)s")
    typer.echo("analysis worker started; Ctrl-C stops it", err=True)
    run_worker(
        settings().resolved_database_url(),
        processes=processes or None,
        concurrency=concurrency,
        stalled_after_s=stalled_after,
    )
