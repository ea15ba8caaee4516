"""The durable re-analysis queue: procrastinate jobs in our PostgreSQL.

A commit or rollback marks the partitions it touched dirty in its own transaction
(:func:`mark_upload_dirty`) and, once that transaction is committed, defers one
``analyse_province`` job per partition. A job carries a queueing lock per partition, so
several commits in a row while a job waits coalesce into that one job; a commit made while a
job runs defers the next one. A job records the dirty mark it started from: edits made
meanwhile keep the partition dirty. After storing its result it defers ``combine_results``,
which builds the national snapshot once no partition of the version is still to run.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import traceback
from collections.abc import Callable, Iterable
from functools import lru_cache

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from sqlalchemy import event
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api.db.repositories import live_analysis as repo
from api.services import live_analysis as live
from geo.analysis.partitions import halo_margin_deg

QUEUE = "analysis"
NAMESPACE = "zonemap"
ANALYSE = f"{NAMESPACE}:analyse_province"
COMBINE = f"{NAMESPACE}:combine_results"
RETRY = procrastinate.RetryStrategy(max_attempts=3, wait=1)
log = logging.getLogger(__name__)

tasks = procrastinate.Blueprint()


@tasks.task(name="analyse_province", queue=QUEUE, retry=RETRY)
def analyse_province(version: str, province: str) -> None:
    run_province_job(_database_url(), version, province)


@tasks.task(name="combine_results", queue=QUEUE, retry=RETRY)
def combine_results(version: str) -> None:
    run_combine_job(_database_url(), version)


@tasks.periodic(cron="* * * * *", periodic_id="stalled")
@tasks.task(name="retry_stalled", queue=QUEUE, pass_context=True)
async def retry_stalled(context: procrastinate.JobContext, timestamp: int) -> None:
    await retry_stalled_jobs(context.app, seconds=STALLED_AFTER_S)


STALLED_AFTER_S = float(os.environ.get("ZONEMAP_STALLED_AFTER_S", "30"))


def run_province_job(database_url: str, version: str, key: str) -> bool:
    """Analyse one partition if it is dirty; store it in one transaction. True if it ran."""
    factory = live._session_factory(database_url)
    with factory() as session:
        state = repo.dirty_seq(session, version, key)
    if state is None or state[0] <= state[1]:
        return False
    seq = state[0]
    try:
        thresholds = live.default_thresholds()
        with factory() as session:
            [job] = live.plan_jobs(
                session,
                database_url=database_url,
                version=version,
                provinces=[repo.province_of(key)],
                thresholds=thresholds,
            )
        computed = live.compute_partition(job)
    except Exception as exc:
        with factory() as session, session.begin():
            repo.record_failure(session, version=version, key_=key, seq=seq, error=_describe(exc))
        raise
    with factory() as session, session.begin():
        live.store_partition(session, computed, seq=seq)
    defer(database_url, [(COMBINE, {"version": version}, f"combine:{version}")])
    return True


def run_combine_job(database_url: str, version: str) -> int | None:
    """Build the national snapshot unless a partition of ``version`` still waits for its job."""
    factory = live._session_factory(database_url)
    with factory() as session, session.begin():
        repo.lock_combine(session)
        if repo.partitions_waiting(session, version):
            return None
        stored = live.combine_snapshot(
            session, version=version, thresholds=live.default_thresholds()
        )
        return stored.run_id if stored else None


def mark_upload_dirty(session: Session, upload_id: int) -> list[tuple[str, str]]:
    """Mark the partitions an upload's commit or rollback touched; defer their jobs after commit.

    Called inside the commit's (or rollback's) transaction: the marks are durable with it, and
    the jobs are deferred only once it is committed (a worker's sweep defers them otherwise).
    """
    thresholds = live.default_thresholds(strict=False)
    pairs = repo.dirty_provinces_of_upload(
        session,
        upload_id,
        halo_margin_deg(thresholds),
        thresholds.ccn_decree_32.effective_from,
    )
    for version in sorted({v for v, _k in pairs}):
        repo.mark_dirty(session, version, [k for v, k in pairs if v == version])
    session.info.setdefault("dirty_partitions", []).extend(pairs)
    if pairs:
        url = session.get_bind().url.render_as_string(hide_password=False)
        event.listen(session, "after_commit", _deferrer(url, pairs), once=True)
    return pairs


def _deferrer(url: str, pairs: list[tuple[str, str]]) -> Callable[[Session], None]:
    def after_commit(_session: Session) -> None:
        try:
            defer_partitions(url, pairs)
        except Exception:  # the marks are committed: a worker's sweep defers them later
            log.exception("could not defer the re-analysis of %s", pairs)

    return after_commit


def defer_partitions(database_url: str, pairs: Iterable[tuple[str, str]]) -> None:
    defer(
        database_url,
        [(ANALYSE, {"version": v, "province": k}, f"analyse:{v}:{k}") for v, k in pairs],
    )


def defer(database_url: str, jobs: list[tuple[str, dict, str]]) -> None:
    """Defer ``(task name, arguments, queueing lock)``; a job already waiting absorbs its twin."""
    app = _sync_app(database_url)
    with app.open():
        for name, kwargs, lock in jobs:
            with contextlib.suppress(AlreadyEnqueued):  # a waiting job will do
                app.configure_task(name, queue=QUEUE, queueing_lock=lock).defer(**kwargs)


def sweep(database_url: str) -> int:
    """Defer a job for every partition still dirty (e.g. after a crash); return how many."""
    factory = live._session_factory(database_url)
    with factory() as session:
        pairs = repo.pending(session)
        versions = sorted({v for v, _k in pairs})
    defer_partitions(database_url, pairs)
    defer(database_url, [(COMBINE, {"version": v}, f"combine:{v}") for v in versions])
    return len(pairs)


async def retry_stalled_jobs(app: procrastinate.App, *, seconds: float) -> int:
    """Put back in the queue the jobs of workers that stopped sending heartbeats."""
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds))
    for job in stalled:
        await app.job_manager.retry_job(job)
    await app.job_manager.prune_stalled_workers(seconds)
    return len(stalled)


def worker_alive(session: Session, *, within_s: float = 30.0) -> bool:
    return repo.worker_alive(session, within_s=within_s)


def run_worker(database_url: str, *, concurrency: int = 1, stalled_after_s: float = 30) -> None:
    """Run a worker until interrupted: sweep, retry stalled jobs, then process the queue."""
    import asyncio

    app = worker_app(database_url)

    async def main() -> None:
        async with app.open_async():
            await retry_stalled_jobs(app, seconds=stalled_after_s)
            sweep(database_url)
            await app.run_worker_async(
                queues=[QUEUE],
                concurrency=concurrency,
                update_heartbeat_interval=2,
                stalled_worker_timeout=stalled_after_s,
            )

    asyncio.run(main())


def wait_until_current(
    database_url: str, pairs: list[tuple[str, str]], *, timeout_s: float = 600
) -> bool:
    """Wait until every partition of ``pairs`` is analysed and in a snapshot (or failed)."""
    factory = live._session_factory(database_url)
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with factory() as session:
            if all(_settled(session, v, k) for v, k in pairs):
                return True
        time.sleep(0.2)
    return False


def run_pending_here(database_url: str, version: str | None = None) -> None:
    """Run every dirty partition's job in this process, then combine (no worker needed)."""
    factory = live._session_factory(database_url)
    with factory() as session:
        pairs = repo.pending(session, version)
    for v, k in pairs:
        run_province_job(database_url, v, k)
    for v in sorted({v for v, _k in pairs}):
        run_combine_job(database_url, v)


def _settled(session: Session, version: str, key: str) -> bool:
    row = next((r for r in repo.status_rows(session, version) if r["code"] == key), None)
    if row is None:
        return True
    if row["failed_seq"] is not None and row["failed_seq"] >= row["dirty_seq"]:
        return True
    return row["done_seq"] >= row["dirty_seq"] and row["snapshot_result_id"] == row["result_id"]


def _describe(exc: Exception) -> str:
    message = getattr(exc, "message", None) or str(exc) or type(exc).__name__
    return f"{type(exc).__name__}: {message}\n" + "".join(traceback.format_exception(exc)[-3:])


def _database_url() -> str:
    from api.settings import get_settings

    return get_settings().resolved_database_url()


def _conninfo(database_url: str) -> str:
    return make_url(database_url).set(drivername="postgresql").render_as_string(hide_password=False)


@lru_cache(maxsize=4)
def _sync_app(database_url: str) -> procrastinate.App:
    connector = procrastinate.SyncPsycopgConnector(conninfo=_conninfo(database_url))
    return procrastinate.App(connector=connector)


@lru_cache(maxsize=4)
def worker_app(database_url: str) -> procrastinate.App:
    connector = procrastinate.PsycopgConnector(conninfo=_conninfo(database_url))
    app = procrastinate.App(connector=connector)
    app.add_tasks_from(tasks, namespace=NAMESPACE)
    return app
