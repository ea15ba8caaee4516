"""``zonemap import``: read, check and commit a GIS file (or preview it with --dry-run)."""

from __future__ import annotations

import datetime as dt
import getpass
import sys
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import TYPE_CHECKING, NoReturn

import typer

from api.cli import import_hints
from api.cli.common import UserFacingErrors, fail, print_json, settings
from api.db.engine import make_engine, make_session_factory
from geo.vocabulary import UPLOAD_KINDS

if TYPE_CHECKING:  # the upload service (geopandas, pyogrio) loads only when a file is imported
    from sqlalchemy.orm import Session

    from api.services import uploads as svc


def import_(
    path: Path = typer.Argument(..., help="Zipped shapefile, GeoPackage, GeoJSON or KML/KMZ."),
    kind: str = typer.Option(..., "--kind", help="zones | planned | actual | buildings"),
    crs: str | None = typer.Option(None, "--crs", help="CRS of the file (overrides its .prj)."),
    encoding: str | None = typer.Option(None, "--encoding", help="utf-8|cp1258|tcvn3|vni"),
    map_: list[str] = typer.Option([], "--map", help="FIELD=COLUMN (repeatable)."),  # noqa: B006
    layer: str | None = typer.Option(None, "--layer", help="Layer to read."),
    accept_crs_guess: bool = typer.Option(False, "--accept-crs-guess"),
    dry_run: bool = typer.Option(False, "--dry-run", help="Preview only; write nothing."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
    source: str | None = typer.Option(
        None, "--source", help="Source of footprints (actual) or buildings (default: file name)."
    ),
    observed_on: str | None = typer.Option(
        None, "--observed-on", help="YYYY-MM-DD (actual; required for buildings)."
    ),
    decision_ref: str | None = typer.Option(None, "--decision-ref", help="Decision (planned)."),
    set_: list[str] = typer.Option([], "--set", help="FIELD=VALUE for every feature (kind=KCN)."),  # noqa: B006
    code_prefix: str | None = typer.Option(
        None, "--code-prefix", help="No code column: code = PREFIX + feature id."
    ),
    swap_axes: bool = typer.Option(False, "--swap-axes", help="Exchange longitude and latitude."),
    skip_bad: bool = typer.Option(
        False, "--skip-bad", help="Commit the good features, leaving the quarantined ones out."
    ),
    no_wait: bool = typer.Option(
        False, "--no-wait", help="Do not wait for the re-analysis of the touched provinces."
    ),
    derive: bool = typer.Option(
        True,
        "--derive/--no-derive",
        help="buildings: derive every zone's built-up footprint on commit (default).",
    ),
) -> None:
    """Import zones, planning boundaries, actual footprints or buildings from a GIS file.

    A building layer is one observation (--source, --observed-on); on commit each zone's
    built-up footprint is derived from it (see `zonemap derive-footprints`).
    """
    from api.services import uploads as svc
    from geo.ingest.mapping import parse_mapping_args

    refuse = _refuser(as_json)
    if kind not in UPLOAD_KINDS:
        refuse(f"--kind must be one of {', '.join(UPLOAD_KINDS)}, not {kind!r}", code=2)
    if not path.is_file():
        refuse(f"{path} does not exist or is not a file", code=2)
    try:
        options = svc.UploadOptions(
            kind=kind,
            crs=crs,
            encoding=encoding,
            mapping=parse_mapping_args(map_),
            layer=layer,
            accept_crs_guess=accept_crs_guess,
            uploaded_by=f"cli:{getpass.getuser()}",
            defaults=_defaults(source, observed_on, decision_ref, refuse),
            constants=parse_mapping_args(set_),
            code_prefix=code_prefix,
            swap_axes=swap_axes,
        )
        if kind == "buildings":
            document, touched = _run_buildings(
                path, options, dry_run=dry_run, quiet=as_json, derive=derive, skip_bad=skip_bad
            )
        else:
            document, touched = _run(
                path, options, dry_run=dry_run, quiet=as_json, skip_bad=skip_bad
            )
        if touched and not no_wait:
            document["analysis"] = _await_analysis(touched)
    except UserFacingErrors as exc:
        refuse(import_hints.with_hint(exc), code=1, exc=exc)
    if as_json:
        print_json(document)
    else:
        _print_summary(document, dry_run=dry_run)


def _refuser(as_json: bool) -> Callable[..., NoReturn]:
    """A function that ends the command with an error: one JSON document on stdout under --json
    (``errors`` filled, as much of the diagnosis as there is), the message on stderr always."""

    def refuse(message: str, *, code: int, exc: Exception | None = None) -> NoReturn:
        if as_json:
            print_json(import_hints.error_document(message, exc))
        fail(message, code=code)

    return refuse


def _defaults(
    source: str | None,
    observed_on: str | None,
    decision_ref: str | None,
    refuse: Callable[..., NoReturn],
) -> dict:
    try:
        observed = dt.date.fromisoformat(observed_on) if observed_on else None
    except ValueError:
        refuse(f"--observed-on must be a date YYYY-MM-DD, not {observed_on!r}", code=2)
    return {"source": source, "observed_on": observed, "decision_ref": decision_ref}


def _await_analysis(touched: list[tuple[str, str]]) -> dict:
    """Wait for the re-analysis of ``touched``, running it here when no worker is running."""
    from api.services import analysis_jobs as jobs
    from api.services import live_analysis as live

    url = settings().resolved_database_url()
    with live._session_factory(url)() as session:
        alive = jobs.worker_alive(session)
    if alive:
        settled = jobs.wait_until_current(url, touched)
    else:
        sys.stderr.write("no analysis worker is running: re-analysing here\n")
        jobs.run_pending_here(url)
        settled = jobs.wait_until_current(url, touched, timeout_s=0.5)
    return {"provinces": sorted({k for _v, k in touched}), "settled": settled}


def _run(
    path: Path, options: svc.UploadOptions, *, dry_run: bool, quiet: bool, skip_bad: bool
) -> tuple[dict, list[tuple[str, str]]]:
    from api.services import upload_documents as docs
    from api.services import uploads as svc

    max_bytes = settings().max_upload_mb * 1024**2
    with _progress(quiet) as report, _transaction(commit=not dry_run) as session:
        staged = svc.stage_upload(
            session,
            path,
            options,
            filename=path.name,
            max_bytes=max_bytes,
            progress=report,
            with_preview=dry_run,
        )
        prepared, upload_id = staged.prepared, staged.upload_id
        if dry_run:
            # Bounded (docs.PREVIEW_FEATURES): a 100k-polygon preview would be ~100 MB of JSON.
            preview = docs.preview_geojson(session, upload_id)
            return docs.report_document(prepared, staged.counts, preview=preview), []
        try:
            counts = svc.commit(session, upload_id, progress=report, accept_quarantine=skip_bad)
        except svc.QuarantineNotAcceptedError as exc:
            exc.prepared = prepared  # type: ignore[attr-defined]
            raise
        touched = list(session.info.get("dirty_partitions", []))
        return docs.report_document(prepared, counts, upload_id=upload_id), touched


def _run_buildings(
    path: Path,
    options: svc.UploadOptions,
    *,
    dry_run: bool,
    quiet: bool,
    derive: bool,
    skip_bad: bool,
) -> tuple[dict, list[tuple[str, str]]]:
    from api.services import buildings
    from api.services import uploads as svc

    max_bytes = settings().max_upload_mb * 1024**2
    with _progress(quiet) as report, _transaction(commit=not dry_run) as session:
        upload_id, summary = buildings.stage_buildings(
            session, path, options, max_bytes=max_bytes, filename=path.name, progress=report
        )
        if dry_run:
            return {**summary, "upload_id": None, **svc.preview(session, upload_id)}, []
        counts = svc.commit(
            session, upload_id, progress=report, derive=derive, accept_quarantine=skip_bad
        )
        touched = list(session.info.get("dirty_partitions", []))
        return {**summary, **counts}, touched


@contextmanager
def _transaction(*, commit: bool) -> Iterator[Session]:
    engine = make_engine(settings().resolved_database_url())
    try:
        with make_session_factory(engine)() as session:
            try:
                yield session
            except BaseException:
                session.rollback()
                raise
            if commit:
                session.commit()
            else:
                session.rollback()
    finally:
        engine.dispose()


@contextmanager
def _progress(quiet: bool) -> Iterator[svc.Progress]:
    from rich.console import Console
    from rich.progress import BarColumn, Progress, TextColumn, TimeElapsedColumn

    console = Console(stderr=True)
    bar = Progress(
        TextColumn("{task.description:<10}"),
        BarColumn(),
        TimeElapsedColumn(),
        console=console,
        transient=True,
        disable=quiet or not console.is_terminal,
    )
    with bar:
        task = bar.add_task("import", total=1.0)

        def report(stage: str, fraction: float, **_counts: int) -> None:
            bar.update(task, description=stage, completed=fraction)

        yield report


def _print_summary(doc: dict, *, dry_run: bool) -> None:
    if doc["kind"] == "buildings":
        _print_buildings(doc, dry_run=dry_run)
        return
    verb = "would insert" if dry_run else "inserted"
    lines = [
        f"{doc['features']} features read ({doc['crs']}, {doc['encoding']}), "
        f"{doc['area_ha']:,.1f} ha in total",
        f"{verb} {doc['inserted']}, updated {doc['updated']}, unchanged {doc['unchanged']}, "
        f"repaired {doc['repaired']}"
        + (f" — upload {doc['upload_id']}" if doc["upload_id"] else ""),
        *(f"warning: {w}" for w in doc["warnings"]),
        *(f"quarantined: {q['message']}" for q in doc.get("quarantine", [])[:50]),
    ]
    if doc.get("quarantine") and dry_run:
        lines.append(
            f"{len(doc['quarantine'])} feature(s) quarantined: pass --skip-bad to import "
            "the others without them."
        )
    sys.stdout.write("\n".join(lines) + "\n")


def _print_buildings(doc: dict, *, dry_run: bool) -> None:
    verb = "would add" if dry_run else "added"
    lines = [
        f"{doc['features']} features read ({doc['crs']}), {doc['area_ha']:,.1f} ha of buildings",
        f"{verb} {doc['buildings']} buildings as observation {doc['source']!r} of "
        f"{doc['observed_on']}, repaired {doc['repaired']}; {doc['zones_affected']} zones affected"
        + (f" — upload {doc['upload_id']}" if doc["upload_id"] else ""),
        *(f"warning: {w}" for w in doc["warnings"]),
        *(f"quarantined: {q['message']}" for q in doc.get("quarantine", [])[:50]),
    ]
    if doc.get("quarantined") and dry_run:
        lines.append(
            f"{doc['quarantined']} feature(s) quarantined: pass --skip-bad to import "
            "the others without them."
        )
    derived = doc.get("derived")
    if derived:
        lines.append(_derived_line(derived))
    sys.stdout.write("\n".join(lines) + "\n")


def _derived_line(derived: dict) -> str:
    return (
        f"derived {derived['footprints']} built-up footprints from observation "
        f"{derived['observation_id']}: {derived['buildings_in_zones']} buildings in zones, "
        f"{derived['buildings_outside']} outside boundaries, {derived['far']} far from "
        "every zone"
    )


def derive_footprints(
    observation: int = typer.Argument(..., help="Building observation id (see the import)."),
    as_json: bool = typer.Option(False, "--json", help="Print one JSON document on stdout."),
) -> None:
    """Derive every zone's built-up footprint from a building observation (replaces a previous
    derivation of the same observation)."""
    from api.services import buildings

    try:
        with _progress(as_json) as report, _transaction(commit=True) as session:
            document = buildings.derive_footprints(session, observation, progress=report)
    except UserFacingErrors as exc:
        fail(getattr(exc, "message", str(exc)), code=1)
    if as_json:
        print_json(document)
    else:
        sys.stdout.write(_derived_line(document) + "\n")
