"""``zonemap report``: a province report (PDF or HTML), or one per province with ``--all``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from api.cli.common import fail, session_scope, settings


def report(
    province: str = typer.Argument(None, help="Province code, e.g. 79 (omit with --all)."),
    all_provinces: bool = typer.Option(False, "--all", help="Every province of the version."),
    fmt: str = typer.Option("pdf", "--format", help="pdf or html."),
    lang: str = typer.Option("vi", "--lang", help="vi (default) or en."),
    admin_version: str = typer.Option("2025-34", "--admin-version", help="2008-63 or 2025-34."),
    output: Path = typer.Option(..., "-o", "--output", help="File (or folder with --all)."),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Processes for --all (default: one per CPU)."
    ),
) -> None:
    """Write a print-ready province report from the latest analysis run."""
    if fmt not in ("pdf", "html"):
        fail(f"unknown format '{fmt}': use pdf or html")
    if lang not in ("vi", "en"):
        fail(f"unknown language '{lang}': use vi or en")
    if all_provinces == (province is not None):
        fail("give either a province code or --all")
    if all_provinces:
        workers = workers or os.cpu_count() or 1
        _all(output, fmt=fmt, lang=lang, version=admin_version, workers=workers)
    else:
        _one(province, output, fmt=fmt, lang=lang, version=admin_version)


def _one(code: str, output: Path, *, fmt: str, lang: str, version: str) -> None:
    from api.services.report_batch import report_path
    from api.services.reports import render_report, write_atomic

    target = report_path(output, code, fmt=fmt, lang=lang) if output.is_dir() else output
    with session_scope() as session:
        data = render_report(session, code, version=version, lang=lang, fmt=fmt)
    write_atomic(target, data)
    typer.echo(f"{target} ({len(data) / 1024:.0f} kB)", err=True)


def _all(out_dir: Path, *, fmt: str, lang: str, version: str, workers: int) -> None:
    from rich.progress import Progress

    from api.services.report_batch import prepare_batch, write_reports

    with session_scope() as session:
        codes = prepare_batch(session, version=version)
    with Progress(transient=False) as bar:
        task = bar.add_task(f"{len(codes)} province reports", total=len(codes))
        outcome = write_reports(
            settings().resolved_database_url(),
            codes,
            out_dir,
            version=version,
            fmt=fmt,
            lang=lang,
            workers=workers,
            progress=lambda _code, _err: bar.advance(task),
        )
    typer.echo(f"{len(outcome.written)} reports written to {out_dir}", err=True)
    if outcome.failed:
        for code, error in sorted(outcome.failed.items()):
            print(f"zonemap: error: province {code}: {error}", file=sys.stderr)
        fail(f"{len(outcome.failed)} of {len(codes)} province reports failed")
