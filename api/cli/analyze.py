"""``zonemap analyze``: run the analysis and store it.

Nationally, the analysis runs province by province (one partition each, with its halo) on
this process, a local process pool or a Dask cluster, and stores every province's result
before combining them into the national run. ``--province`` runs that province alone.
"""

from __future__ import annotations

import os
from pathlib import Path

import typer

from api.cli.common import fail, print_json, session_scope, settings


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
    if province is not None:
        _one_province(province, admin_version, thresholds, as_json)
        return
    from api.db.engine import make_engine, make_session_factory
    from api.services import live_analysis as live
    from geo.analysis.run import result_to_json
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
            thresholds=loaded,
            executor=_executor(workers, scheduler),
            progress=lambda msg: typer.echo(msg, err=True),
        )
    finally:
        engine.dispose()
    result = outcome.result
    if as_json:
        print_json(
            {
                "run_id": outcome.run_id,
                "admin_version": admin_version,
                "fingerprint": result.fingerprint,
                "duration_s": round(outcome.duration_s, 3),
                **result_to_json(result),
            }
        )
        return
    _summary(outcome.run_id, len(result.metrics), result.flags, outcome.duration_s)


def _executor(workers: int | None, scheduler: str | None):  # noqa: ANN202
    from api.services import live_analysis as live

    if scheduler:
        return live.DaskCluster(scheduler)
    count = workers or os.cpu_count() or 1
    return live.InProcess() if count == 1 else live.ProcessPool(count)


def _one_province(province: str, version: str, thresholds: Path | None, as_json: bool) -> None:
    from api.services.analysis import run_analysis

    with session_scope() as session:
        outcome = run_analysis(
            session,
            version=version,
            province=province,
            thresholds_path=thresholds,
            progress=lambda msg: typer.echo(msg, err=True),
        )
    if as_json:
        print_json(outcome.to_json())
        return
    _summary(outcome.run_id, len(outcome.result.metrics), outcome.result.flags, outcome.duration_s)


def _summary(run_id: int, zones: int, flags: list, duration_s: float) -> None:
    by_severity: dict[str, int] = {}
    for flag in flags:
        by_severity[flag.severity] = by_severity.get(flag.severity, 0) + 1
    typer.echo(f"run {run_id}: {zones} zones, {len(flags)} flags {by_severity}, {duration_s:.1f} s")
