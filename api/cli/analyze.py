"""``zonemap analyze``: run the analysis and store it.

The analysis runs province by province (one partition each, with its halo) on this process, a
local process pool or a Dask cluster; each province's result is stored as it arrives, then the
dense clusters are found over the nation and a national snapshot lists the newest result of
every province. ``--province`` runs that province alone (the others keep their results).
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from api.cli.common import fail, print_json, settings


def analyze(
    province: str = typer.Option(None, "--province", help="Province code (default: all)."),
    admin_version: str = typer.Option(
        None, "--admin-version", help="2008-63 or 2025-34 (default: ZONEMAP_DEFAULT_ADMIN_VERSION)."
    ),
    thresholds: Path = typer.Option(None, "--thresholds", help="YAML file overriding defaults."),
    as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
    workers: int = typer.Option(
        None, "--workers", min=1, help="Local worker processes (default: one per core; 1 = here)."
    ),
    scheduler: str = typer.Option(
        None, "--scheduler", help="Dask scheduler address, e.g. tcp://HOST:8786."
    ),
) -> None:
    """Compare footprints, measure density and raise the flags; stores a run."""
    admin_version = admin_version or settings().default_admin_version
    from api.db.engine import make_engine, make_session_factory
    from api.services import live_analysis as live
    from geo.flags.thresholds import load_thresholds

    if workers is not None and scheduler is not None:
        fail("use --workers or --scheduler, not both")
    loaded = load_thresholds(thresholds)
    url = settings().resolved_database_url()
    engine = make_engine(url)
    try:
        outcome = live.analyze_all(
            make_session_factory(engine),
            database_url=url,
            version=admin_version,
            provinces=None if province is None else [province],
            thresholds=loaded,
            executor=_executor(
                1 if province is not None and workers is None else workers, scheduler
            ),
            progress=lambda msg: typer.echo(msg, err=True),
        )
    finally:
        engine.dispose()
    snap = outcome.snapshot
    if as_json:
        print_json(
            {
                "run_id": snap.run_id,
                "admin_version": admin_version,
                "province": province,
                "partitions": outcome.provinces,
                "zones": outcome.zones,
                "national": {"zones": snap.zones, "flags": snap.flag_counts},
                "fingerprint": snap.fingerprint,
                "duration_s": round(outcome.duration_s, 3),
            }
        )
        return
    typer.echo(
        f"analysed {outcome.provinces} partitions ({outcome.zones} zones) in "
        f"{outcome.duration_s:.1f} s; national run {snap.run_id}: {snap.zones} zones, "
        f"{snap.flags} flags {snap.flag_counts}"
    )


def _executor(workers: int | None, scheduler: str | None):  # noqa: ANN202
    from api.services import live_analysis as live

    if scheduler:
        return live.DaskCluster(scheduler)
    count = workers or os.cpu_count() or 1
    return live.InProcess() if count == 1 else live.ProcessPool(count)
