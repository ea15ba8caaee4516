"""Reports for every province of an admin version, sequentially or in a process pool.

Each report is written atomically (temporary file + rename); one failing province does not
stop the batch, its error is collected and returned.
"""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from concurrent.futures import ProcessPoolExecutor, as_completed
from dataclasses import dataclass, field
from pathlib import Path

from sqlalchemy import Engine
from sqlalchemy.orm import Session

from api.db.engine import make_engine, make_session_factory
from api.db.repositories import analysis as analysis_repo
from api.db.repositories import provinces as provinces_repo
from api.db.repositories import zones as zones_repo
from api.services.admin_area import check_admin_area
from api.services.reports import (
    ReportWriteError,
    render_report,
    write_atomic,
)

Progress = Callable[[str, str | None], None]  # (province code, error message or None)


@dataclass(frozen=True)
class BatchOutcome:
    written: tuple[Path, ...]
    failed: dict[str, str] = field(default_factory=dict)


def report_path(out_dir: Path, code: str, *, fmt: str, lang: str) -> Path:
    suffix = "" if lang == "vi" else f"_{lang}"
    return out_dir / f"province_{code}{suffix}.{fmt}"


def prepare_batch(session: Session, *, version: str, today: dt.date | None = None) -> list[str]:
    """Check ``version``, run a national analysis when none exists, return the province codes."""
    check_admin_area(session, version, None)
    no_run = analysis_repo.latest_run(session, version=version, province=None) is None
    if no_run and zones_repo.count(session):
        from api.services.analysis import run_analysis  # heavy: only when a run is missing

        run_analysis(session, version=version, province=None, today=today)
    return sorted(provinces_repo.codes(session, version))


def write_reports(
    database_url: str,
    codes: list[str],
    out_dir: Path,
    *,
    version: str,
    fmt: str,
    lang: str,
    workers: int = 1,
    progress: Progress = lambda _c, _e: None,
) -> BatchOutcome:
    """Write one report per province code into ``out_dir``; errors are collected, not raised."""
    try:
        out_dir.mkdir(parents=True, exist_ok=True)
    except OSError as exc:
        raise ReportWriteError(
            f"cannot create the output folder {out_dir}: {exc.strerror}"
        ) from exc
    jobs = [(code, report_path(out_dir, code, fmt=fmt, lang=lang)) for code in codes]
    options = {"version": version, "fmt": fmt, "lang": lang}
    if workers <= 1:
        results = _sequential(database_url, jobs, options, progress)
    else:
        results = _pooled(database_url, jobs, options, workers, progress)
    written = tuple(path for code, path in jobs if results.get(code) is None)
    return BatchOutcome(written, {c: e for c, e in results.items() if e is not None})


def _sequential(database_url: str, jobs: list, options: dict, progress: Progress) -> dict:
    engine = make_engine(database_url)
    results = {}
    shared: dict = {}  # national data read once for the whole batch
    try:
        for code, path in jobs:
            results[code] = _one(engine, code, path, options, shared)
            progress(code, results[code])
    finally:
        engine.dispose()
    return results


def _pooled(database_url: str, jobs: list, options: dict, workers: int, progress: Progress) -> dict:
    results = {}
    with ProcessPoolExecutor(
        max_workers=workers, initializer=_init_worker, initargs=(database_url,)
    ) as pool:
        futures = {pool.submit(_worker_job, code, path, options): code for code, path in jobs}
        for future in as_completed(futures):
            code = futures[future]
            try:
                results[code] = future.result()
            except Exception as exc:  # a crashed worker fails its province only
                results[code] = f"{type(exc).__name__}: {exc}"
            progress(code, results[code])
    return results


_WORKER_ENGINE: Engine | None = None
_WORKER_SHARED: dict = {}  # a worker lives for one batch: national data read once per worker


def _init_worker(database_url: str) -> None:
    global _WORKER_ENGINE
    _WORKER_ENGINE = make_engine(database_url)
    _WORKER_SHARED.clear()


def _worker_job(code: str, path: Path, options: dict) -> str | None:
    assert _WORKER_ENGINE is not None
    return _one(_WORKER_ENGINE, code, path, options, _WORKER_SHARED)


def _one(engine: Engine, code: str, path: Path, options: dict, shared: dict) -> str | None:
    """Render and write one province; the error message, or None on success."""
    try:
        with make_session_factory(engine)() as session:
            data = render_report(
                session,
                code,
                version=options["version"],
                lang=options["lang"],
                fmt=options["fmt"],
                shared=shared,
            )
            session.rollback()  # reading only: the batch ran any missing analysis up front
        write_atomic(path, data)
    except Exception as exc:
        return getattr(exc, "message", None) or f"{type(exc).__name__}: {exc}"
    return None
