"""``zonemap analyze``: run the analysis and store it."""

from __future__ import annotations

from pathlib import Path

import typer

from api.cli.common import print_json, session_scope


def analyze(
    province: str = typer.Option(None, "--province", help="Province code (default: all)."),
    admin_version: str = typer.Option("2025-34", "--admin-version", help="2008-63 or 2025-34."),
    thresholds: Path = typer.Option(None, "--thresholds", help="YAML file overriding defaults."),
    as_json: bool = typer.Option(False, "--json", help="One JSON document on stdout."),
) -> None:
    """Compare footprints, measure density and raise the flags; stores a run."""
    from api.services.analysis import run_analysis

    with session_scope() as session:
        outcome = run_analysis(
            session,
            version=admin_version,
            province=province,
            thresholds_path=thresholds,
            progress=lambda msg: typer.echo(msg, err=True),
        )
    if as_json:
        print_json(outcome.to_json())
        return
    by_severity: dict[str, int] = {}
    for flag in outcome.result.flags:
        by_severity[flag.severity] = by_severity.get(flag.severity, 0) + 1
    typer.echo(
        f"run {outcome.run_id}: {len(outcome.result.metrics)} zones, "
        f"{len(outcome.result.flags)} flags {by_severity}, {outcome.duration_s:.1f} s"
    )
