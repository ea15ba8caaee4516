"""Partitioned analysis on the database: compute province partitions, keep them, combine them.

A partition is computed by :func:`compute_partition`, which reads its own inputs from PostGIS
and so runs anywhere: in this process, in a local process pool or on a Dask worker. The
coordinator stores each province's result in its own transaction (never half a province): its
metrics, flags and density row go into a part run of their own. :func:`combine_snapshot` then
finds the dense clusters of the nation from the partitions' small cluster graphs, stores them
as one more part, and makes the national run the map, the API and the reports read out of the
newest part of every province: a few ``run_parts`` rows, nothing copied.
"""

from __future__ import annotations

import datetime as dt
import os
import time
from collections.abc import Callable, Iterable, Iterator
from dataclasses import dataclass, replace
from functools import lru_cache
from typing import Any

import shapely
from sqlalchemy.orm import Session

from api.db.engine import make_engine, make_session_factory
from api.db.repositories import analysis as analysis_repo
from api.db.repositories import live_analysis as repo
from api.services.admin_area import check_admin_area
from api.services.analysis import store_clusters_part, store_part
from geo.analysis.clusters import outline_anchor
from geo.analysis.partitions import (
    ORPHAN_REACH_DEG,
    ClusterInputs,
    PartitionResult,
    analyze_partition,
    cluster_inputs,
    combine_clusters,
    combined_fingerprint,
    halo_margin_deg,
    merge_chunks,
)
from geo.errors import GeoError
from geo.flags.rules import json_safe
from geo.flags.thresholds import Thresholds, load_thresholds
from geo.vocabulary import SEVERITIES

Progress = Callable[[str], None]


@dataclass(frozen=True)
class PartitionJob:
    """Everything a worker needs to compute one partition (picklable)."""

    database_url: str
    version: str
    province: str | None
    thresholds: Thresholds
    today: dt.date
    anchor: tuple[float, float]
    chunk: tuple[int, int] = (0, 1)  # (i, k): slice i of k of the partition's core


@dataclass(frozen=True)
class Computed:
    job: PartitionJob
    result: PartitionResult
    duration_s: float


def compute_partition(job: PartitionJob) -> Computed:
    """Read one partition from PostGIS and analyse it (runs in any worker process)."""
    started = time.perf_counter()
    with _session_factory(job.database_url)() as session:
        session.connection(execution_options={"isolation_level": "REPEATABLE READ"})
        inputs = read_partition(session, job)
        session.rollback()
    return Computed(job, analyse(job, *inputs), time.perf_counter() - started)


def compute_in_session(session: Session, job: PartitionJob) -> Computed:
    """:func:`compute_partition` reading through ``session`` (it sees that session's writes)."""
    started = time.perf_counter()
    result = analyse(job, *read_partition(session, job))
    return Computed(job, result, time.perf_counter() - started)


def read_partition(session: Session, job: PartitionJob) -> tuple:
    """The zones (core and halo), the actual footprints of those that may be core, and the
    province outlines nearby."""
    margin = halo_margin_deg(job.thresholds)
    zones = repo.read_partition_zones(
        session,
        version=job.version,
        province=job.province,
        reach=2 * ORPHAN_REACH_DEG,
        margin=margin,
        ccn_from=job.thresholds.ccn_decree_32.effective_from,
    )
    bounds = _bounds(zones.geometry.to_numpy(), margin)
    provinces = repo.read_partition_provinces(
        session, version=job.version, province=job.province, bounds=bounds
    )
    candidates = zones.pop("candidate").fillna(False).to_numpy(dtype=bool)
    actual = analysis_repo.read_actual(session, list(zones["code"][candidates]))
    return zones, actual, provinces


def analyse(job: PartitionJob, zones, actual, provinces) -> PartitionResult:  # noqa: ANN001
    return analyze_partition(
        zones,
        actual,
        provinces,
        province=job.province,
        thresholds=job.thresholds,
        today=job.today,
        anchor=job.anchor,
        chunk=job.chunk,
    )


def _bounds(geoms: Any, margin: float) -> tuple[float, ...]:
    """The geometries' bounds grown by ``margin`` (NaN when there is no geometry)."""
    present = geoms[~shapely.is_missing(geoms)]
    if not len(present):
        return (float("nan"),) * 4
    grow = (-margin, -margin, margin, margin)
    return tuple(float(v + g) for v, g in zip(shapely.total_bounds(present), grow, strict=True))


@lru_cache(maxsize=4)
def _session_factory(url: str):  # noqa: ANN202 - one engine per worker process and database
    return make_session_factory(make_engine(url))


def plan_jobs(
    session: Session,
    *,
    database_url: str,
    version: str,
    provinces: Iterable[str | None] | None = None,
    thresholds: Thresholds,
    today: dt.date | None = None,
    stale_too: bool = False,
) -> list[PartitionJob]:
    """The jobs of ``provinces`` (default: every province of ``version`` and the None partition).

    Without ``database_url`` the jobs are for :func:`compute_in_session` on ``session``; with
    ``stale_too`` the partitions whose newest result predates part runs are added.
    """
    check_admin_area(session, version, None)
    codes = repo.province_codes(session, version)
    chosen = [*codes, None] if provinces is None else list(provinces)
    unknown = [p for p in chosen if p is not None and p not in codes]
    if unknown:
        check_admin_area(session, version, unknown[0])  # the clear "unknown province" error
    if stale_too:  # results of an older form cannot join a snapshot: analyse them again too
        chosen += [
            p for p in map(repo.province_of, repo.legacy_keys(session, version)) if p not in chosen
        ]
    anchor = (
        _anchor(database_url, version)
        if database_url
        else outline_anchor(analysis_repo.read_provinces(session, version))
    )
    day = today or dt.date.today()
    return [PartitionJob(database_url, version, p, thresholds, day, anchor) for p in chosen]


@lru_cache(maxsize=8)
def _anchor(database_url: str, version: str) -> tuple[float, float]:
    """:func:`outline_anchor` of the version's outlines (read once per process: they are fixed)."""
    with _session_factory(database_url)() as session:
        return outline_anchor(analysis_repo.read_provinces(session, version))


def run_partitions(
    jobs: list[PartitionJob], executor: Executor, *, progress: Progress = lambda _m: None
) -> Iterator[Computed]:
    """Compute the jobs on ``executor``, yielding each result as soon as it is done."""
    yield from executor.map_unordered(compute_partition, jobs, progress)


def try_partitions(
    jobs: list[PartitionJob], executor: Executor
) -> Iterator[tuple[PartitionJob, Computed | Exception]]:
    """(job, its result or the exception it raised) of each job, in completion order. When the
    executor has more processes than jobs, each job is cut into as many chunks as it has
    processes to itself (:func:`geo.analysis.partitions.analyze_partition`'s ``chunk``),
    computed at once and merged back."""
    share = max(1, getattr(executor, "workers", 1) // max(1, len(jobs)))
    pieces = [replace(job, chunk=(i, share)) for job in jobs for i in range(share)]
    arrived: dict[str, dict[int, Computed]] = {}
    failed: set[str] = set()
    for piece, outcome in executor.try_map(compute_partition, pieces):
        whole, key = replace(piece, chunk=(0, 1)), repo.key(piece.province)
        if key in failed:
            continue
        if isinstance(outcome, Exception):
            failed.add(key)
            yield whole, outcome
            continue
        got = arrived.setdefault(key, {})
        got[piece.chunk[0]] = outcome
        if len(got) == share:
            del arrived[key]
            chunks = [got[i] for i in range(share)]
            merged = merge_chunks([c.result for c in chunks])
            yield whole, Computed(whole, merged, max(c.duration_s for c in chunks))


def store_partition(
    session: Session, computed: Computed, *, seq: int | None = None, track: bool = True
) -> int:
    """Keep one province's result in the caller's transaction; return its id. Without
    ``track`` the queue's bookkeeping (``analysis_state``) is left alone."""
    job, result = computed.job, computed.result
    key = repo.key(job.province)
    if seq is None:
        repo.mark_dirty(session, job.version, [key])
        state = repo.dirty_seq(session, job.version, key)
        seq = state[0] if state else 0
    run_id = store_part(
        session,
        result,
        version=job.version,
        thresholds=job.thresholds,
        duration_s=computed.duration_s,
    )
    counts = {s: sum(1 for f in result.flags if f.severity == s) for s in SEVERITIES}
    return repo.store_result(
        session,
        version=job.version,
        key_=key,
        seq=seq,
        fingerprint=result.fingerprint,
        zone_count=result.zone_count,
        flag_counts=counts,
        duration_s=computed.duration_s,
        payload=cluster_inputs(result),
        run_id=run_id,
        track=track,
    )


@dataclass(frozen=True)
class Snapshot:
    """A national run: its id, zones, flags per severity and inputs fingerprint."""

    run_id: int
    zones: int
    flag_counts: dict[str, int]
    fingerprint: str

    @property
    def flags(self) -> int:
        return sum(self.flag_counts.values())


def combine_snapshot(
    session: Session, *, version: str, thresholds: Thresholds, force: bool = False
) -> Snapshot | None:
    """Store the national run made of the newest result of every partition of ``version``.

    Returns None when there is no result yet, or when the newest snapshot already holds those
    results (unless ``force``). The clusters, and so the ``DENSE_CLUSTER`` flags, are found here
    over the whole nation from each partition's cluster graph; every other row stays in the
    partitions' part runs, which the snapshot lists in ``run_parts``.
    """
    parts = repo.latest_parts(session, version)
    if not parts:
        return None
    ids = {k: p["result_id"] for k, p in parts.items()}
    latest = repo.latest_snapshot(session, version)
    if latest is not None and latest["partitions"] == ids and not force:
        return None
    started = time.perf_counter()
    found = combine_clusters(
        _inputs.read(session, version, list(ids.values())), thresholds=thresholds
    )
    settings = json_safe(thresholds.as_dict())
    clusters_run = store_clusters_part(session, found, version=version, thresholds=settings)
    run_id = analysis_repo.start_run(session, version=version, province=None, thresholds=settings)
    analysis_repo.add_parts(session, run_id, [p["run_id"] for p in parts.values()] + [clusters_run])
    fingerprint = combined_fingerprint(
        [_Fingerprinted(repo.province_of(k), p["fingerprint"]) for k, p in parts.items()]
    )
    zones = sum(p["zone_count"] for p in parts.values())
    analysis_repo.finish_run(
        session,
        run_id,
        fingerprint=fingerprint,
        zone_count=zones,
        duration_s=time.perf_counter() - started,
    )
    repo.set_partitions(session, run_id, ids)
    return Snapshot(run_id, zones, repo.flag_counts(session, run_id), fingerprint)


class InputsCache:
    """The cluster inputs of the newest results, kept between combines in this process.

    A stored result never changes, so a combine unpickles only the partitions analysed since
    the last one (a few, after a commit) instead of all of them. Entries are keyed by the
    result id and its time; per database and admin version only the last combine's set is kept.
    """

    def __init__(self) -> None:
        self._kept: dict[tuple[str, str], dict[tuple[int, str], ClusterInputs]] = {}

    def read(self, session: Session, version: str, result_ids: list[int]) -> list[ClusterInputs]:
        database = session.connection().engine.url.render_as_string(hide_password=True)
        before = self._kept.get((database, version), {})
        stamps = repo.result_stamps(session, result_ids)
        keys = {i: (i, stamps[i]) for i in result_ids}
        missing = [i for i in result_ids if keys[i] not in before]
        fresh = repo.cluster_inputs(session, missing) if missing else {}
        kept = {keys[i]: before[keys[i]] if keys[i] in before else fresh[i] for i in result_ids}
        self._kept[(database, version)] = kept
        return [kept[keys[i]] for i in sorted(result_ids)]


_inputs = InputsCache()


@dataclass(frozen=True)
class _Fingerprinted:
    province: str | None
    fingerprint: str


@dataclass(frozen=True)
class FullRun:
    """A run of partitions: the snapshot made after them, how many, their zones, the time."""

    snapshot: Snapshot
    provinces: int
    duration_s: float
    zones: int = 0

    @property
    def run_id(self) -> int:
        return self.snapshot.run_id


def analyze_all(
    factory: Callable[[], Session],
    *,
    database_url: str,
    version: str,
    provinces: list[str | None] | None = None,
    thresholds: Thresholds,
    executor: Executor,
    today: dt.date | None = None,
    progress: Progress = lambda _m: None,
) -> FullRun:
    """Analyse partitions on ``executor``, store each in its own transaction as it arrives
    (nothing is held once stored), then combine them into a national snapshot."""
    started = time.perf_counter()
    with factory() as session, session.begin():
        jobs = plan_jobs(
            session,
            database_url=database_url,
            version=version,
            provinces=provinces,
            thresholds=thresholds,
            today=today,
            stale_too=True,
        )
        seqs = _claim(session, version, [repo.key(j.province) for j in jobs])
    progress(f"analysing {len(jobs)} partitions on {executor.describe()}")
    zones = 0
    for computed in run_partitions(jobs, executor, progress=progress):
        zones += computed.result.zone_count
        with factory() as session, session.begin():
            store_partition(session, computed, seq=seqs[repo.key(computed.job.province)])
        progress(
            f"stored province {computed.job.province or '(none)'}: "
            f"{computed.result.zone_count} zones, {computed.duration_s:.1f} s"
        )
        del computed
    progress("finding the dense clusters and storing the national snapshot")
    with factory() as session, session.begin():
        stored = combine_snapshot(session, version=version, thresholds=thresholds, force=True)
    assert stored is not None  # every partition was just stored
    return FullRun(stored, len(jobs), time.perf_counter() - started, zones)


def analyze_in_session(
    session: Session,
    *,
    version: str,
    provinces: list[str | None] | None = None,
    thresholds: Thresholds,
    today: dt.date | None = None,
    progress: Progress = lambda _m: None,
    keep: bool = False,
) -> tuple[FullRun, list[PartitionResult]]:
    """:func:`analyze_all` in the caller's transaction, in this process (it sees the caller's
    writes). With ``keep`` the partition results are returned too (else an empty list)."""
    started = time.perf_counter()
    jobs = plan_jobs(
        session,
        database_url="",
        version=version,
        provinces=provinces,
        thresholds=thresholds,
        today=today,
        stale_too=True,
    )
    # the queue's bookkeeping is left to the queue: row locks on analysis_state held until the
    # caller's transaction ends would make every commit (and job) wait for it
    kept, zones = [], 0
    for job in jobs:
        computed = compute_in_session(session, job)
        zones += computed.result.zone_count
        state = repo.dirty_seq(session, version, repo.key(job.province))
        store_partition(session, computed, seq=state[1] if state else 0, track=False)
        progress(f"stored province {job.province or '(none)'}: {computed.result.zone_count} zones")
        if keep:
            kept.append(computed.result)
    stored = combine_snapshot(session, version=version, thresholds=thresholds, force=True)
    assert stored is not None  # every partition was just stored
    return FullRun(stored, len(jobs), time.perf_counter() - started, zones), kept


def _claim(session: Session, version: str, keys: list[str]) -> dict[str, int]:
    """Mark the partitions dirty now: their results will cover every edit made before."""
    repo.mark_dirty(session, version, keys)
    return {k: (repo.dirty_seq(session, version, k) or (0, 0))[0] for k in keys}


def default_thresholds(*, strict: bool = True) -> Thresholds:
    """The thresholds the live analysis uses: ``ZONEMAP_THRESHOLDS`` (a YAML file) or defaults.

    With ``strict=False`` a file that does not load gives the defaults (to size a halo; the
    job that analyses reports the error).
    """
    try:
        return load_thresholds(os.environ.get("ZONEMAP_THRESHOLDS") or None)
    except GeoError:
        if strict:
            raise
        return load_thresholds()


class Executor:
    """Runs a function over jobs; results come back in completion order."""

    def map_unordered(self, func, jobs, progress) -> Iterator[Any]:  # noqa: ANN001
        raise NotImplementedError

    def try_map(self, func, jobs) -> Iterator[tuple[Any, Any]]:  # noqa: ANN001
        """(job, its result or the exception it raised), in completion order."""
        raise NotImplementedError

    def describe(self) -> str:
        raise NotImplementedError


class InProcess(Executor):
    def map_unordered(self, func, jobs, progress) -> Iterator[Any]:  # noqa: ANN001
        for job in jobs:
            yield func(job)

    def try_map(self, func, jobs) -> Iterator[tuple[Any, Any]]:  # noqa: ANN001
        for job in jobs:
            try:
                outcome = func(job)
            except Exception as exc:  # noqa: BLE001 - handed to the caller with its job
                outcome = exc
            yield job, outcome

    def describe(self) -> str:
        return "this process"


class StandingPool(Executor):
    """A local pool of ``workers`` spawned processes kept from one call to the next (the queue
    worker's): they keep their imports, engines and outline anchors between jobs."""

    def __init__(self, workers: int) -> None:
        import multiprocessing
        from concurrent.futures import ProcessPoolExecutor

        self.workers = max(1, workers)
        context = multiprocessing.get_context("spawn")
        self._pool = ProcessPoolExecutor(
            self.workers, mp_context=context, initializer=exit_with_parent, initargs=(os.getpid(),)
        )

    def try_map(self, func, jobs) -> Iterator[tuple[Any, Any]]:  # noqa: ANN001
        from concurrent.futures import as_completed

        futures = {self._pool.submit(func, job): job for job in jobs}
        for future in as_completed(futures):
            job = futures.pop(future)
            error = future.exception()
            yield job, error if error is not None else future.result()

    def warm(self, database_url: str) -> None:
        """Start every process and let each analyse a slice of the smallest province (the
        result is dropped), so that the first job pays neither the start nor first calls."""
        futures = [self._pool.submit(warm_process, database_url) for _ in range(self.workers)]
        for future in futures:
            future.result()
        with _session_factory(database_url)() as session:
            jobs = _smallest_province_jobs(session, database_url)
        pieces = [
            replace(job, chunk=(i, self.workers)) for job in jobs for i in range(self.workers)
        ]
        for _job, _outcome in self.try_map(compute_partition, pieces):
            pass  # an error here will be met, and recorded, by the first real job

    @property
    def broken(self) -> bool:
        return bool(getattr(self._pool, "_broken", False))

    def shutdown(self) -> None:
        self._pool.shutdown(cancel_futures=True)

    def describe(self) -> str:
        return f"a standing pool of {self.workers} processes"


def _smallest_province_jobs(session: Session, database_url: str) -> list[PartitionJob]:
    """The job of the province with the fewest zones (but some) of each analysed version."""
    jobs = []
    for version in repo.versions_with_results(session):
        sizes = {k: p["zone_count"] for k, p in repo.latest_parts(session, version).items()}
        some = [k for k in sorted(sizes, key=lambda k: (sizes[k], k)) if k and sizes[k]]
        if some:
            jobs += plan_jobs(
                session,
                database_url=database_url,
                version=version,
                provinces=[repo.province_of(some[0])],
                thresholds=default_thresholds(strict=False),
            )
    return jobs


def exit_with_parent(parent: int) -> None:
    """Make this pool process end when the process that started it is gone (killed, say),
    instead of waiting for work that will never come."""
    import threading

    def watch() -> None:
        while os.getppid() == parent:
            time.sleep(1.0)
        os._exit(0)

    threading.Thread(target=watch, name="exit-with-parent", daemon=True).start()


def warm_process(database_url: str) -> None:
    """Connect once (the engine stays for this process's jobs); a moment's pause lets the
    other start-up calls reach the pool's other processes."""
    with _session_factory(database_url)() as session:
        session.connection()
    time.sleep(0.3)


def warm_inputs(database_url: str) -> None:
    """Read the cluster inputs of every admin version's newest results into this process's
    cache and combine them once (nothing stored), so that the first combine after a commit
    reads only what that commit changed and finds its memory already mapped."""
    thresholds = default_thresholds(strict=False)
    with _session_factory(database_url)() as session:
        for version in repo.versions_with_results(session):
            ids = [p["result_id"] for p in repo.latest_parts(session, version).values()]
            combine_clusters(_inputs.read(session, version, ids), thresholds=thresholds)


class ProcessPool(Executor):
    """A local pool of ``workers`` fresh processes for one call: a :class:`StandingPool` that
    is shut down when the call ends (spawned processes: they share no memory)."""

    def __init__(self, workers: int) -> None:
        self.workers = max(1, workers)

    def map_unordered(self, func, jobs, progress) -> Iterator[Any]:  # noqa: ANN001
        pool = StandingPool(self.workers)
        try:
            for _job, outcome in pool.try_map(func, jobs):
                if isinstance(outcome, Exception):
                    raise outcome
                yield outcome  # a result is held only until the caller has stored it
                del outcome
        finally:
            pool.shutdown()

    def describe(self) -> str:
        return f"a pool of {self.workers} processes"


class DaskCluster(Executor):
    """An existing Dask distributed scheduler (``tcp://HOST:8786``) or a Client."""

    def __init__(self, address: Any) -> None:
        self.address = address

    def map_unordered(self, func, jobs, progress) -> Iterator[Any]:  # noqa: ANN001
        from distributed import Client, as_completed

        client = self.address if isinstance(self.address, Client) else Client(self.address)
        try:
            pending = as_completed(client.map(func, jobs, pure=False))
            for future in pending:
                result = future.result()
                future.release()  # the worker forgets it too
                del future
                yield result
                del result
        finally:
            if client is not self.address:
                client.close()

    def describe(self) -> str:
        return f"the Dask cluster {getattr(self.address, 'scheduler', self.address)}"
