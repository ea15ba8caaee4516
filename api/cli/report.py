"""``zonemap report``: a province report (PDF, HTML, DOCX or XLSX), one per province with
``--all``, or the national report with ``--national``."""

from __future__ import annotations

import os
import sys
from pathlib import Path

import typer

from api.cli.common import fail, settings, transaction

FORMATS = ("pdf", "html", "docx", "xlsx")


def report(
    province: str = typer.Argument(None, help="Province code, e.g. 79 (omit with --all)."),
    all_provinces: bool = typer.Option(False, "--all", help="Every province of the version."),
    national: bool = typer.Option(False, "--national", help="The national report."),
    fmt: str = typer.Option("pdf", "--format", help="pdf, html, docx or xlsx."),
    lang: str = typer.Option("vi", "--lang", help="vi (default) or en."),
    admin_version: str = typer.Option(
        None, "--admin-version", help="2008-63 or 2025-34 (default: ZONEMAP_DEFAULT_ADMIN_VERSION)."
    ),
    since: str = typer.Option(
        None, "--since", help="Changes since this date (YYYY-MM-DD); default: previous report."
    ),
    output: Path = typer.Option(..., "-o", "--output", help="File (or folder with --all)."),
    workers: int | None = typer.Option(
        None, "--workers", min=1, help="Processes for --all (default: one per CPU)."
    ),
) -> None:
    """Write a report from the latest analysis results."""
    admin_version = admin_version or settings().default_admin_version
    if fmt not in FORMATS:
        fail(f"unknown format '{fmt}': use pdf, html, docx or xlsx")
    if lang not in ("vi", "en"):
        fail(f"unknown language '{lang}': use vi or en")
    if sum((all_provinces, national, province is not None)) != 1:
        fail("give either a province code, --all or --national")
    if national:
        _national(output, fmt=fmt, lang=lang, version=admin_version, since=since)
    elif all_provinces:
        if fmt not in ("pdf", "html"):
            fail("--all writes pdf or html; ask for docx or xlsx one province at a time")
        workers = workers or os.cpu_count() or 1
        _all(output, fmt=fmt, lang=lang, version=admin_version, workers=workers)
    else:
        _one(province, output, fmt=fmt, lang=lang, version=admin_version, since=since)


def _national(output: Path, *, fmt: str, lang: str, version: str, since: str | None) -> None:
    from api.services.report_changes import parse_since
    from api.services.report_formats import render_national
    from api.services.reports import write_atomic

    target = output / f"national_{version}_{lang}.{fmt}" if output.is_dir() else output
    with transaction() as session:
        data = render_national(
            session, settings(), version=version, fmt=fmt, lang=lang, since=parse_since(since)
        )
        write_atomic(target, data)  # the report's record commits only once the file is written
    typer.echo(f"{target} ({len(data) / 1024:.0f} kB)", err=True)


def _one(code: str, output: Path, *, fmt: str, lang: str, version: str, since: str | None) -> None:
    from api.services.report_batch import report_path
    from api.services.report_changes import parse_since
    from api.services.report_formats import EDITABLE_FORMATS, render_province_editable
    from api.services.reports import render_report, write_atomic

    target = report_path(output, code, fmt=fmt, lang=lang) if output.is_dir() else output
    with transaction() as session:
        if fmt in EDITABLE_FORMATS:
            data = render_province_editable(
                session,
                settings(),
                code,
                version=version,
                fmt=fmt,
                lang=lang,
                since=parse_since(since),
            )
        else:
            data = render_report(
                session,
                code,
                version=version,
                lang=lang,
                fmt=fmt,
                since=parse_since(since),
                record=True,
            )
        write_atomic(target, data)
    typer.echo(f"{target} ({len(data) / 1024:.0f} kB)", err=True)


def _all(out_dir: Path, *, fmt: str, lang: str, version: str, workers: int) -> None:
    from rich.progress import Progress

    from api.services.report_batch import prepare_batch, write_reports

    with transaction() as session:
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
