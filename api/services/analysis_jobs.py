"""The durable re-analysis queue: procrastinate jobs in our PostgreSQL.

A commit or rollback marks the partitions it touched dirty in its own transaction
(:func:`mark_upload_dirty`) and, once that transaction is committed, defers one
``analyse_province`` job per partition. A job carries a queueing lock per partition, so
several commits in a row while a job waits coalesce into that one job; a commit made while a
job runs defers the next one. A job records the dirty mark it started from: edits made
meanwhile keep the partition dirty.

The first of those jobs a worker takes analyses every partition still waiting, at once on the
worker's standing process pool (the others then find nothing to do), stores each as it
arrives and builds the national snapshot. An advisory lock per partition keeps two jobs (on
this or other workers) from analysing the same partition at once.
"""

from __future__ import annotations

import contextlib
import logging
import os
import time
import traceback
from collections.abc import Callable, Iterable, Iterator
from functools import lru_cache
from typing import Any

import procrastinate
from procrastinate.exceptions import AlreadyEnqueued
from procrastinate.jobs import Status
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
ATTEMPTS = 3  # a partition's analysis is tried this many times before it stays failed
RETRY_AFTER_S = 1
log = logging.getLogger(__name__)

tasks = procrastinate.Blueprint()


# Jobs are retried by deferring a twin under the same queueing lock, never with procrastinate's
# retry: putting a failed job back in the queue while its twin waits there breaks the queueing
# lock's unique index and leaves the job "doing" for good.
@tasks.task(name="analyse_province", queue=QUEUE)
def analyse_province(version: str, province: str, attempt: int = 1) -> None:
    run_pending_partitions(_database_url(), version, province, attempt=attempt)


@tasks.task(name="combine_results", queue=QUEUE)
def combine_results(version: str) -> None:
    run_combine_job(_database_url(), version)


@tasks.periodic(cron="* * * * *", periodic_id="stalled")
@tasks.task(name="retry_stalled", queue=QUEUE, pass_context=True)
async def retry_stalled(context: procrastinate.JobContext, timestamp: int) -> None:
    await retry_stalled_jobs(context.app, seconds=STALLED_AFTER_S)


STALLED_AFTER_S = float(os.environ.get("ZONEMAP_STALLED_AFTER_S", "30"))


def run_province_job(database_url: str, version: str, key: str) -> bool:
    """Analyse one partition here if it is dirty and store it. True if it ran.

    Raises the analysis' error after recording it as the partition's failure.
    """
    computed = _run_partitions(database_url, version, [key], live.InProcess(), wait=True)
    if computed:
        defer(database_url, [(COMBINE, {"version": version}, f"combine:{version}")])
    return bool(computed)


def run_pending_partitions(
    database_url: str,
    version: str,
    key: str,
    *,
    attempt: int = 1,
    executor: live.Executor | None = None,
) -> list[str]:
    """The queue's job for partition ``key``: analyse it together with every other partition
    of ``version`` still waiting (on the worker's process pool, so that a commit touching two
    provinces waits for the slower of them, not for both), then combine. Returns the
    partitions analysed.

    A partition another job is analysing is left to it; ``key`` itself is deferred again, since
    its dirty mark may be newer than what that job started from. A partition whose analysis
    fails is recorded as failed and tried again (``attempt`` of :data:`ATTEMPTS`). ``executor``
    defaults to this process's standing pool.
    """
    factory = live._session_factory(database_url)
    with factory() as session:
        keys = [key, *(k for v, k in repo.pending(session, version) if k != key)]
    failures: dict[str, Exception] = {}
    started = time.perf_counter()
    try:
        done = _run_partitions(database_url, version, keys, executor or _pool(), failures=failures)
        analysed = time.perf_counter()
        run_combine_job(database_url, version)  # also when an earlier try stored and then failed
        log.info(
            "%s: analysed and stored %s in %.2f s, national snapshot in %.2f s",
            version,
            ", ".join(done) or "nothing",
            analysed - started,
            time.perf_counter() - analysed,
        )
    except Exception:  # e.g. the database went away: this job is tried again as a whole
        if attempt < ATTEMPTS:
            defer_partitions(database_url, [(version, key)], attempt=attempt + 1)
        raise
    retry = [k for k in failures if attempt < ATTEMPTS]
    if key not in done and key not in failures and _still_dirty(database_url, version, key):
        retry.append(key)  # analysed by another job meanwhile: look again once it is done
    if retry:
        defer_partitions(database_url, [(version, k) for k in retry], attempt=attempt + 1)
    if key in failures:
        raise failures[key]
    return done


def _run_partitions(
    database_url: str,
    version: str,
    keys: list[str],
    executor: live.Executor,
    *,
    wait: bool = False,
    failures: dict[str, Exception] | None = None,
) -> list[str]:
    """Analyse the dirty partitions among ``keys`` that no other job holds, each stored in its
    own transaction as it arrives. Errors are recorded; with ``failures`` they are collected
    there, else the first is raised."""
    factory = live._session_factory(database_url)
    engine = factory.kw["bind"]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as locks:
        try:
            held = [k for k in keys if repo.lock_partition(locks, version, k, wait=wait)]
            done: list[str] = []
            for key, outcome, seq in _compute(database_url, version, held, executor):
                if isinstance(outcome, Exception):
                    with factory() as session, session.begin():
                        repo.record_failure(
                            session, version=version, key_=key, seq=seq, error=_describe(outcome)
                        )
                    if failures is None:
                        raise outcome
                    failures[key] = outcome
                    continue
                with factory() as session, session.begin():
                    live.store_partition(session, outcome, seq=seq)
                done.append(key)
            return done
        finally:
            repo.unlock_partitions(locks)


def _compute(
    database_url: str, version: str, keys: list[str], executor: live.Executor
) -> Iterator[tuple[str, Any, int]]:
    """(key, Computed or the exception, the dirty mark it covers) of each dirty partition."""
    factory = live._session_factory(database_url)
    seqs: dict[str, int] = {}
    with factory() as session:
        for key in keys:
            mark = _unanalysed_mark(session, version, key)
            if mark is not None:
                seqs[key] = mark
    if not seqs:
        return
    try:
        thresholds = live.default_thresholds()
        with factory() as session:
            jobs = live.plan_jobs(
                session,
                database_url=database_url,
                version=version,
                provinces=[repo.province_of(k) for k in seqs],
                thresholds=thresholds,
            )
    except Exception as exc:
        for key, seq in seqs.items():
            yield key, exc, seq
        return
    for job, outcome in live.try_partitions(jobs, executor):
        key = repo.key(job.province)
        yield key, outcome, seqs[key]


def _still_dirty(database_url: str, version: str, key: str) -> bool:
    with live._session_factory(database_url)() as session:
        return _unanalysed_mark(session, version, key) is not None


def _unanalysed_mark(session: Session, version: str, key: str) -> int | None:
    """The partition's newest dirty mark when no analysis has covered it yet, else None."""
    state = repo.dirty_seq(session, version, key)
    return state[0] if state is not None and state[0] > state[1] else None


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


def defer_partitions(
    database_url: str, pairs: Iterable[tuple[str, str]], *, attempt: int = 1
) -> None:
    arguments = [({"version": v, "province": k}, f"analyse:{v}:{k}") for v, k in pairs]
    if attempt > 1:  # a retry: after a pause, counting its attempts
        arguments = [({**kwargs, "attempt": attempt}, lock) for kwargs, lock in arguments]
    delay = RETRY_AFTER_S if attempt > 1 else 0
    defer(database_url, [(ANALYSE, kwargs, lock) for kwargs, lock in arguments], delay_s=delay)


def defer(database_url: str, jobs: list[tuple[str, dict, str]], *, delay_s: float = 0) -> None:
    """Defer ``(task name, arguments, queueing lock)``; a job already waiting absorbs its twin."""
    app = _sync_app(database_url)
    schedule = {"schedule_in": {"seconds": delay_s}} if delay_s else {}
    with app.open():
        for name, kwargs, lock in jobs:
            task = app.configure_task(name, queue=QUEUE, queueing_lock=lock, **schedule)
            with contextlib.suppress(AlreadyEnqueued):  # a waiting job will do
                task.defer(**kwargs)


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
    """Retry the jobs of workers that stopped sending heartbeats: each is closed as failed and
    a twin deferred under its queueing lock (a twin already waiting does its work)."""
    stalled = list(await app.job_manager.get_stalled_jobs(seconds_since_heartbeat=seconds))
    for job in stalled:
        await app.job_manager.finish_job(job, status=Status.FAILED, delete_job=False)
        if job.task_name in (ANALYSE, COMBINE):
            task = app.configure_task(job.task_name, queue=QUEUE, queueing_lock=job.queueing_lock)
            with contextlib.suppress(AlreadyEnqueued):
                await task.defer_async(**job.task_kwargs)
    await app.job_manager.prune_stalled_workers(seconds)
    return len(stalled)


def worker_alive(session: Session, *, within_s: float = 30.0) -> bool:
    return repo.worker_alive(session, within_s=within_s)


def run_worker(
    database_url: str,
    *,
    processes: int | None = None,
    concurrency: int = 1,
    stalled_after_s: float = 30,
) -> None:
    """Run a worker until interrupted: start its pool of ``processes`` (default one per core),
    read the newest cluster inputs, sweep, retry stalled jobs, then process the queue."""
    import asyncio

    app = worker_app(database_url)
    pool = _pool(processes)
    try:  # best effort: a job meets, and records, whatever stops the warm-up
        pool.warm(database_url)
        live.warm_inputs(database_url)
    except Exception:
        log.exception("the worker's warm-up failed; its first job will be slower")

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

    try:
        asyncio.run(main())
    finally:
        for pool in _standing:
            pool.shutdown()


_standing: list[live.StandingPool] = []


def _pool(processes: int | None = None) -> live.StandingPool:
    """This process's pool of analysis processes (a new one if it broke): ``processes`` or as
    many as the first pool had, by default one per core."""
    if not _standing or _standing[0].broken:
        size = processes or (_standing[0].workers if _standing else os.cpu_count() or 1)
        _standing[:] = [live.StandingPool(size)]
    return _standing[0]


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
