"""Live analysis on a database of its own: partitioned runs agree with the single-process run,
commits and rollbacks re-analyse the touched provinces through the job queue, faults."""

from __future__ import annotations

import os
import signal
import subprocess
import sys
import time
from collections.abc import Iterator
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.repositories import analysis as analysis_repo
from api.db.repositories import live_analysis as live_repo
from api.services import analysis_jobs as jobs
from api.services import live_analysis as live
from api.services import uploads as svc
from api.services.analysis import run_whole
from api.services.analysis_status import analysis_status
from geo.errors import AdminVersionError, UnknownProvinceError
from geo.flags.thresholds import load_thresholds
from tests.conftest import DEMO_SEED, DEMO_TODAY, issue_token, scratch_database_url
from tests.table_locks import writes_held
from tests.upload_builders import to_tm3, wgs84_zones, zipped_shapefile

ZONEMAP = Path(sys.executable).with_name("zonemap")
VERSION = "2025-34"
MAX_BYTES = 50 * 1024**2
SCALE = 0.05


@pytest.fixture(scope="module")
def live_url(test_database_url: str) -> Iterator[str]:
    """A database of this module's own: the demo, analysed province by province."""
    from api.db.engine import make_engine, make_session_factory
    from api.services.bootstrap import drop_database, prepare_database
    from api.services.demo import load_demo

    url = scratch_database_url(test_database_url, "_live")
    prepare_database(url, recreate=True)
    engine = make_engine(url)
    with make_session_factory(engine).begin() as session:
        load_demo(session, scale=SCALE, seed=DEMO_SEED, today=DEMO_TODAY)
    live.analyze_all(
        make_session_factory(engine),
        database_url=url,
        version=VERSION,
        thresholds=load_thresholds(),
        executor=live.InProcess(),
    )  # as of today, like the jobs that follow the commits
    engine.dispose()
    yield url
    live._session_factory.cache_clear()
    drop_database(url)


@pytest.fixture
def factory(live_url: str):  # noqa: ANN201
    return live._session_factory(live_url)


def _flags(session: Session, run_id: int) -> list[tuple]:
    rows = analysis_repo.flags_of_run(session, run_id, province=None, code=None, severity=None)
    return sorted(
        (
            r["zone_code"],
            r["code"],
            r["severity"],
            r["province_code"],
            r["value"],
            r["message_en"],
            str(r["details"]),
        )
        for r in rows
    )


def _metrics(session: Session, run_id: int) -> list[tuple]:
    rows = session.execute(
        text(
            "SELECT zone_code, kind, province_code, status, planned_ha, actual_ha, iou, "
            "encroachment_ha, unbuilt_ha, hausdorff_m, ST_AsText(encroachment_geom) FROM "
            "zone_metrics WHERE run_id IN (SELECT part_id FROM run_parts WHERE run_id = :r) "
            "ORDER BY zone_code"
        ),
        {"r": run_id},
    )
    return [tuple(r) for r in rows]


def _clusters(session: Session, run_id: int) -> list[tuple]:
    rows = session.execute(
        text(
            "SELECT cluster_id, province_code, members, total_area_ha, mean_occupancy, "
            "ST_AsText(hull) FROM clusters "
            "WHERE run_id IN (SELECT part_id FROM run_parts WHERE run_id = :r) ORDER BY 1"
        ),
        {"r": run_id},
    )
    return [tuple(r) for r in rows]


def _snapshot_id(session: Session) -> int:
    return live_repo.latest_snapshot(session, VERSION)["id"]


def _import(session: Session, tmp_path: Path, name: str, prefix: str) -> int:
    src = wgs84_zones(4)
    src["MA_KCN"] = [f"{prefix}{i:03d}" for i in range(4)]
    path = zipped_shapefile(tmp_path / name, to_tm3(src), encoding="tcvn3")
    opts = svc.UploadOptions(kind="zones")
    prepared = svc.prepare(session, path, opts, max_bytes=MAX_BYTES)
    upload_id = svc.stage(session, path, prepared, opts, filename=path.name)
    svc.commit(session, upload_id)
    return upload_id


def _zone_codes(session: Session) -> set[str]:
    rows = session.execute(
        text(
            "SELECT zone_code FROM zone_metrics "
            "WHERE run_id IN (SELECT part_id FROM run_parts WHERE run_id = :r)"
        ),
        {"r": _snapshot_id(session)},
    )
    return {r[0] for r in rows}


def _wait(predicate, timeout_s: float = 90.0) -> None:  # noqa: ANN001
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        if predicate():
            return
        time.sleep(0.2)
    raise AssertionError("timed out")


def _status(factory) -> dict:  # noqa: ANN001
    with factory() as session:
        return analysis_status(session, VERSION)


def _worker(url: str, **env: str) -> subprocess.Popen:
    return subprocess.Popen(
        [str(ZONEMAP), "worker", "--stalled-after", "2"],
        env={**os.environ, "DATABASE_URL": url, **env},
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
        text=True,
    )


def _stop(proc: subprocess.Popen) -> None:
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(timeout=15)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def test_partitioned_run_stores_the_flags_of_the_single_process_run(factory) -> None:  # noqa: ANN001
    with factory() as session:
        snapshot = _snapshot_id(session)
        single = run_whole(session, version=VERSION, today=dt_today())
        assert _flags(session, single.run_id) == _flags(session, snapshot)
        assert len(_flags(session, snapshot)) > 20
        assert _metrics(session, single.run_id) == _metrics(session, snapshot)
        assert _clusters(session, single.run_id) == _clusters(session, snapshot)
        for code in live_repo.province_codes(session, VERSION):
            assert analysis_repo.province_stats(
                session, single.run_id, code
            ) == analysis_repo.province_stats(session, snapshot, code)
        session.rollback()


def test_process_pool_and_dask_cluster_give_identical_results(live_url, factory) -> None:  # noqa: ANN001
    from distributed import Client, LocalCluster

    def run(executor: live.Executor) -> list[tuple]:
        outcome = live.analyze_all(
            factory,
            database_url=live_url,
            version=VERSION,
            thresholds=load_thresholds(),
            executor=executor,
        )
        with factory() as session:
            return _flags(session, outcome.run_id)

    here = run(live.InProcess())
    assert run(live.ProcessPool(2)) == here
    with (
        LocalCluster(
            n_workers=2, processes=True, threads_per_worker=1, dashboard_address=None
        ) as cluster,
        Client(cluster) as client,
    ):
        assert run(live.DaskCluster(client)) == here


def test_unknown_province_or_admin_version_is_refused_and_nothing_stored(live_url, factory):  # noqa: ANN001, ANN201
    def counts() -> tuple:
        with factory() as session:
            return session.execute(
                text(
                    "SELECT (SELECT count(*) FROM province_results), "
                    "(SELECT count(*) FROM analysis_runs), (SELECT count(*) FROM analysis_state)"
                )
            ).one()

    before = counts()
    common = {
        "database_url": live_url,
        "thresholds": load_thresholds(),
        "executor": live.InProcess(),
    }
    with pytest.raises(UnknownProvinceError, match="unknown province '99'"):
        live.analyze_all(factory, version=VERSION, provinces=["99"], **common)
    with pytest.raises(AdminVersionError, match="unknown admin version '1999'"):
        live.analyze_all(factory, version="1999", **common)
    assert counts() == before


def test_commit_and_rollback_mark_provinces_dirty_and_their_jobs_make_flags_current(
    live_url,
    factory,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    with factory() as session, session.begin():
        upload_id = _import(session, tmp_path, "a.zip", "LA")
    status = _status(factory)
    pending = {p["code"] for p in status["provinces"] if p["state"] == "pending"}
    assert {"01", "24"} <= pending and status["pending"] == len(pending)
    with factory() as session:
        assert not {"LA000", "LA001"} & _zone_codes(session)  # the old flags stay visible
    jobs.run_pending_here(live_url)
    status = _status(factory)
    assert status["pending"] == 0 and status["failed"] == 0
    with factory() as session:
        assert {"LA000", "LA001", "LA002", "LA003"} <= _zone_codes(session)
    with factory() as session, session.begin():
        svc.rollback(session, upload_id)
    assert _status(factory)["pending"] >= 2
    jobs.run_pending_here(live_url)
    with factory() as session:
        assert not {"LA000", "LA001"} & _zone_codes(session)
        single = run_whole(session, version=VERSION, today=dt_today())
        live_flags = _flags(session, _snapshot_id(session))
        assert _flags(session, single.run_id) == live_flags  # incremental = full, flag by flag
        session.rollback()


def _report_says(client, state: str, notice: str) -> bool:  # noqa: ANN001
    """Province 01's HTML report and the national HTML report both name the flags' state
    next to their "as of" time, and carry ``notice``."""
    province = client.get("/api/provinces/01/report.html", params={"lang": "en"}).text
    national = client.get("/api/reports/national.html", params={"lang": "en"}).text
    for name, doc in (("province", province), ("national", national)):
        at = doc.find("flags as of")
        assert at >= 0 and state in doc and notice in doc, (name, doc[at - 300 : at + 300])
    return True


def _ogc_flag_states(client) -> set[str]:  # noqa: ANN001
    """The ``analysis_state`` of province 01's OGC flags (each with its ``as_of`` time)."""
    body = client.get("/ogc/collections/flags/items", params={"province": "01", "f": "json"})
    features = body.json()["features"]
    assert features and all(f["properties"]["as_of"] for f in features)
    return {f["properties"]["analysis_state"] for f in features}


def dt_today():  # noqa: ANN201 - the live jobs analyse as of today
    import datetime as dt

    return dt.date.today()


def test_worker_process_reanalyses_after_a_commit(live_url, factory, tmp_path: Path) -> None:  # noqa: ANN001
    worker = _worker(live_url)
    try:
        _wait(lambda: _worker_alive(factory), 60)
        with factory() as session, session.begin():
            _import(session, tmp_path, "w.zip", "WK")
        committed = time.monotonic()
        _wait(lambda: _status(factory)["pending"] == 0, 120)
        latency = time.monotonic() - committed
        with factory() as session:
            assert {"WK000", "WK003"} <= _zone_codes(session)
        assert latency < 60
    finally:
        _stop(worker)


def _worker_alive(factory) -> bool:  # noqa: ANN001
    with factory() as session:
        return jobs.worker_alive(session, within_s=10)


def test_failed_job_is_reported_and_previous_flags_kept_not_current(
    live_url,
    factory,
    tmp_path: Path,
    monkeypatch,  # noqa: ANN001
) -> None:
    bad = tmp_path / "bad.yaml"
    bad.write_text("low_occupancy: [unclosed\n")
    with factory() as session:
        before = _snapshot_id(session)
    with factory() as session, session.begin():
        _import(session, tmp_path, "f.zip", "FL")
    monkeypatch.setenv("ZONEMAP_THRESHOLDS", str(bad))
    with pytest.raises(Exception, match="thresholds"):
        jobs.run_province_job(live_url, VERSION, "01")
    jobs.run_combine_job(live_url, VERSION)  # the others may combine; 01 keeps its old result
    status = _status(factory)
    failed = [p for p in status["provinces"] if p["state"] == "failed"]
    assert [p["code"] for p in failed] == ["01"] and status["failed"] == 1
    assert "thresholds" in failed[0]["error"].lower()
    with factory() as session:
        assert not {"FL000"} & _zone_codes(session)
        assert _snapshot_id(session) >= before
    monkeypatch.delenv("ZONEMAP_THRESHOLDS")
    jobs.run_pending_here(live_url)
    assert _status(factory)["failed"] == 0


def test_worker_killed_mid_job_is_retried_and_previous_result_stays(
    live_url,
    factory,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    slow = _worker(live_url)
    try:
        _wait(lambda: _worker_alive(factory), 60)
        with factory() as session:
            before = _snapshot_id(session)
        # A job stores its partition last: holding province_results stops it there.
        with writes_held(live_url, "province_results") as held:
            with factory() as session, session.begin():
                _import(session, tmp_path, "k.zip", "KL")
            held.wait_for_writer()
            slow.kill()
            slow.wait()
        with factory() as session:
            assert _snapshot_id(session) == before  # never half a province
            assert not {"KL000"} & _zone_codes(session)
        assert _status(factory)["pending"] > 0
    finally:
        _stop(slow)
    time.sleep(3)  # the killed worker's heartbeat goes stale
    fresh = _worker(live_url)
    try:
        _wait(lambda: _status(factory)["pending"] == 0, 120)
        with factory() as session:
            assert {"KL000", "KL003"} <= _zone_codes(session)
    finally:
        _stop(fresh)


def test_two_commits_while_a_job_runs_are_both_in_the_final_flags(
    live_url,
    factory,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    worker = _worker(live_url)
    try:
        _wait(lambda: _worker_alive(factory), 60)
        # The first job is held where it stores its partition while the second commit lands.
        with writes_held(live_url, "province_results") as held:
            with factory() as session, session.begin():
                _import(session, tmp_path, "c1.zip", "CA")
            held.wait_for_writer()
            with factory() as session, session.begin():
                _import(session, tmp_path, "c2.zip", "CB")
        _wait(lambda: _status(factory)["pending"] == 0, 180)
        with factory() as session:
            assert {"CA000", "CB000", "CA003", "CB003"} <= _zone_codes(session)
    finally:
        _stop(worker)


def test_cli_import_waits_for_its_reanalysis_unless_no_wait(live_url, factory, tmp_path: Path):  # noqa: ANN001, ANN201
    src = wgs84_zones(4)
    for prefix, extra in (("NW", ["--no-wait"]), ("CL", [])):
        src["MA_KCN"] = [f"{prefix}{i:03d}" for i in range(4)]
        path = zipped_shapefile(tmp_path / f"{prefix}.zip", to_tm3(src), encoding="tcvn3")
        result = subprocess.run(
            [str(ZONEMAP), "import", str(path), "--kind", "zones", "--json", *extra],
            env={**os.environ, "DATABASE_URL": live_url},
            capture_output=True,
            text=True,
            timeout=300,
            check=False,
        )
        assert result.returncode == 0, result.stderr
        with factory() as session:
            codes = _zone_codes(session)
        if extra:
            assert f"{prefix}000" not in codes and _status(factory)["pending"] > 0
        else:
            assert {"NW000", "CL000"} <= codes and _status(factory)["pending"] == 0


def test_status_and_flags_endpoints_say_how_current_the_flags_are(live_url, factory) -> None:  # noqa: ANN001
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    live.analyze_all(
        factory,
        database_url=live_url,
        version=VERSION,
        provinces=["01"],
        thresholds=load_thresholds(),
        executor=live.InProcess(),
    )  # a second result of 01: its trend has two points

    with TestClient(create_app(Settings(database_url=live_url, local_user=None))) as client:
        status = client.get("/api/analysis/status").json()
        assert set(status) >= {"as_of", "pending", "failed", "provinces"}
        assert {"code", "as_of", "state"} <= set(status["provinces"][0])
        assert {p["state"] for p in status["provinces"]} <= {"current", "pending", "failed"}
        flags = client.get("/api/flags").json()
        assert flags["as_of"] == status["as_of"] and flags["analysis"]["pending"] == 0
        past = client.get("/api/flags", params={"as_of": "2000-01-01"})
        assert past.status_code == 404
        today = client.get("/api/flags", params={"as_of": dt_today().isoformat()}).json()
        assert today["run_id"] == flags["run_id"]
        assert client.get("/api/flags", params={"as_of": "yesterday"}).status_code == 422
        home = client.get("/", params={"lang": "en"}).text
        assert "Flags as of" in home and 'data-state="current"' in home
        province = client.get("/provinces/01", params={"lang": "en"}).text
        assert "Flags as of" in province and '<svg class="zm-trend"' in province


def test_pages_say_updating_while_a_province_waits_and_warn_when_it_failed(
    live_url,
    factory,
    tmp_path: Path,
    monkeypatch,  # noqa: ANN001
) -> None:
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    with factory() as session, session.begin():
        _import(session, tmp_path, "u.zip", "UP")
    with TestClient(create_app(Settings(database_url=live_url))) as client:
        page = client.get("/provinces/01", params={"lang": "en"}).text
        assert 'data-state="pending"' in page and "updating…" in page
        assert _report_says(client, "updating…", "are being updated")
        assert _ogc_flag_states(client) >= {"pending"}
        monkeypatch.setenv("ZONEMAP_THRESHOLDS", str(tmp_path / "missing.yaml"))
        with pytest.raises(Exception, match="missing.yaml"):
            jobs.run_province_job(live_url, VERSION, "01")
        page = client.get("/provinces/01", params={"lang": "en"}).text
        assert 'data-state="failed"' in page and "The last analysis failed" in page
        assert client.get("/api/flags", params={"province": "01"}).json()["analysis"]["failed"] == 1
        assert _report_says(client, "the last analysis failed", "missing.yaml")
        assert _ogc_flag_states(client) >= {"failed"}
    monkeypatch.delenv("ZONEMAP_THRESHOLDS")
    jobs.run_pending_here(live_url)


def test_a_province_job_writes_its_own_province_and_the_snapshot_reuses_the_others(
    live_url,
    factory,  # noqa: ANN001
) -> None:
    def facts(session: Session) -> tuple[int, set[int], list[tuple]]:
        written = session.execute(text("SELECT count(*) FROM zone_metrics")).scalar_one()
        parts = session.execute(
            text("SELECT part_id FROM run_parts WHERE run_id = :r AND part_id <> :r"),
            {"r": _snapshot_id(session)},
        ).scalars()
        return written, set(parts), _flags(session, _snapshot_id(session))

    jobs.run_pending_here(live_url)
    with factory() as session, session.begin():
        before = facts(session)
        live_repo.mark_dirty(session, VERSION, ["24"])
    assert jobs.run_province_job(live_url, VERSION, "24")
    jobs.run_combine_job(live_url, VERSION)
    with factory() as session:
        after = facts(session)
        province = live_repo.latest_parts(session, VERSION)["24"]
    assert after[0] - before[0] == province["zone_count"] > 0  # its own zones, not the nation's
    new_parts = after[1] - before[1]
    assert province["run_id"] in new_parts and len(new_parts) == 2  # it and the clusters
    assert len(before[1] - after[1]) == 2  # the old part of 24 and the old clusters
    assert after[2] == before[2]  # same data, same flags


def test_cli_analyze_province_takes_the_partitioned_path(live_url, factory) -> None:  # noqa: ANN001
    import json

    with factory() as session:
        results = dict(live_repo.latest_parts(session, VERSION))
    done = subprocess.run(
        [str(ZONEMAP), "analyze", "--province", "01", "--json"],
        env={**os.environ, "DATABASE_URL": live_url},
        capture_output=True,
        text=True,
        check=False,
    )
    assert done.returncode == 0, done.stderr
    body = json.loads(done.stdout)
    with factory() as session:
        now = live_repo.latest_parts(session, VERSION)
        assert body["run_id"] == _snapshot_id(session) and body["partitions"] == 1
    changed = {k for k in now if now[k]["result_id"] != results[k]["result_id"]}
    assert changed == {"01"} and body["zones"] == now["01"]["zone_count"]


def test_http_analysis_of_one_province_stores_that_province_only(live_url, factory) -> None:  # noqa: ANN001
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.settings import Settings

    with factory() as session, session.begin():
        results = dict(live_repo.latest_parts(session, VERSION))
        token = issue_token(session, "live-analyst", role="editor", provinces=("24",))
    with TestClient(create_app(Settings(database_url=live_url))) as client:
        client.headers["Authorization"] = f"Bearer {token}"
        response = client.post("/api/analysis", json={"province": "24"})
        assert response.status_code == 201, response.text
        body = response.json()
        flags = client.get("/api/flags", params={"province": "24"}).json()
    with factory() as session:
        now = live_repo.latest_parts(session, VERSION)
        assert body["run_id"] == _snapshot_id(session) == flags["run_id"]
    assert {k for k in now if now[k]["result_id"] != results[k]["result_id"]} == {"24"}
    assert body["zones"] == now["24"]["zone_count"] and body["flags"] == flags["numberReturned"]


def test_analysis_of_an_empty_register_stores_an_empty_run(test_database_url) -> None:  # noqa: ANN001
    from api.db.engine import make_engine, make_session_factory
    from api.services.analysis import run_analysis
    from api.services.bootstrap import drop_database, prepare_database

    url = scratch_database_url(test_database_url, "_empty")
    prepare_database(url, recreate=True)
    engine = make_engine(url)
    try:
        with make_session_factory(engine).begin() as session:
            outcome = run_analysis(session, version=VERSION)
            assert outcome.zones == 0 and not outcome.flag_counts
            assert not outcome.result.flags and outcome.result.metrics.empty
            run = analysis_repo.latest_run(session, version=VERSION)
            assert run["id"] == outcome.run_id and run["zone_count"] == 0
        full = live.analyze_all(
            make_session_factory(engine),
            database_url=url,
            version=VERSION,
            thresholds=load_thresholds(),
            executor=live.InProcess(),
        )
        assert full.snapshot.zones == 0 and full.snapshot.flags == 0
    finally:
        engine.dispose()
        live._session_factory.cache_clear()
        drop_database(url)


def _queued(factory, lock: str) -> list[tuple[str, dict]]:  # noqa: ANN001
    """(status, arguments) of the queue's jobs under ``lock``, oldest first."""
    with factory() as session:
        rows = session.execute(
            text(
                "SELECT status, args FROM procrastinate_jobs WHERE queueing_lock = :l ORDER BY id"
            ),
            {"l": lock},
        )
        return [(str(r[0]), dict(r[1])) for r in rows]


def _clear_queue(factory) -> None:  # noqa: ANN001
    with factory() as session, session.begin():
        session.execute(text("DELETE FROM procrastinate_jobs"))


def test_one_job_analyses_every_waiting_province_and_its_twins_find_nothing_to_do(
    live_url,
    factory,  # noqa: ANN001
) -> None:
    jobs.run_pending_here(live_url)
    with factory() as session, session.begin():
        live_repo.mark_dirty(session, VERSION, ["01", "24"])
    done = jobs.run_pending_partitions(live_url, VERSION, "24", executor=live.InProcess())
    assert done == ["24", "01"]  # its own first, then the other waiting one
    assert jobs.run_pending_partitions(live_url, VERSION, "01", executor=live.InProcess()) == []
    status = _status(factory)
    assert status["pending"] == 0 and status["failed"] == 0
    with factory() as session:
        parts = live_repo.latest_parts(session, VERSION)
        snapshot = live_repo.latest_snapshot(session, VERSION)
    assert snapshot["partitions"] == {k: p["result_id"] for k, p in parts.items()}
    _clear_queue(factory)


def test_a_province_another_job_holds_is_left_to_it_and_looked_at_again(
    live_url,
    factory,  # noqa: ANN001
) -> None:
    _clear_queue(factory)
    with factory() as session, session.begin():
        live_repo.mark_dirty(session, VERSION, ["01"])
    engine = factory.kw["bind"]
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as other:
        assert live_repo.lock_partition(other, VERSION, "01", wait=False)
        done = jobs.run_pending_partitions(live_url, VERSION, "01", executor=live.InProcess())
        live_repo.unlock_partitions(other)
    assert "01" not in done
    assert [s for s, _a in _queued(factory, f"analyse:{VERSION}:01")] == ["todo"]
    assert jobs.run_pending_partitions(live_url, VERSION, "01", executor=live.InProcess())
    assert _status(factory)["pending"] == 0
    _clear_queue(factory)


def test_a_failed_province_is_tried_again_then_stays_failed(
    live_url,
    factory,
    tmp_path: Path,
    monkeypatch,  # noqa: ANN001
) -> None:
    _clear_queue(factory)
    bad = tmp_path / "bad.yaml"
    bad.write_text("dense_cluster: {distance_m: [\n")
    monkeypatch.setenv("ZONEMAP_THRESHOLDS", str(bad))
    with factory() as session, session.begin():
        live_repo.mark_dirty(session, VERSION, ["01"])
    lock = f"analyse:{VERSION}:01"
    with pytest.raises(Exception, match="bad.yaml"):
        jobs.run_pending_partitions(live_url, VERSION, "01", executor=live.InProcess())
    assert _queued(factory, lock) == [
        ("todo", {"version": VERSION, "province": "01", "attempt": 2})
    ]
    _clear_queue(factory)
    with pytest.raises(Exception, match="bad.yaml"):
        jobs.run_pending_partitions(
            live_url, VERSION, "01", attempt=jobs.ATTEMPTS, executor=live.InProcess()
        )
    assert _queued(factory, lock) == []  # the last attempt: it stays failed, and says so
    assert [p["code"] for p in _status(factory)["provinces"] if p["state"] == "failed"] == ["01"]
    monkeypatch.delenv("ZONEMAP_THRESHOLDS")
    jobs.run_pending_here(live_url)
    assert _status(factory)["failed"] == 0


def test_a_stalled_job_whose_twin_waits_is_closed_and_the_twin_does_its_work(
    live_url,
    factory,  # noqa: ANN001
) -> None:
    import asyncio
    from concurrent.futures import ThreadPoolExecutor

    _clear_queue(factory)
    lock = f"analyse:{VERSION}:24"
    job = (jobs.ANALYSE, {"version": VERSION, "province": "24"}, lock)
    jobs.defer(live_url, [job])
    with factory() as session, session.begin():  # taken by a worker that then died
        session.execute(
            text("UPDATE procrastinate_jobs SET status = 'doing' WHERE queueing_lock = :l"),
            {"l": lock},
        )
    jobs.defer(live_url, [job])  # the next commit's job waits under the same lock

    async def retry() -> int:
        app = jobs.worker_app(live_url)
        async with app.open_async():
            return await jobs.retry_stalled_jobs(app, seconds=0)

    with ThreadPoolExecutor(1) as thread:  # a loop of its own, whatever runs in this thread
        assert thread.submit(asyncio.run, retry()).result() == 1
    assert [s for s, _a in _queued(factory, lock)] == ["failed", "todo"]
    _clear_queue(factory)


def test_a_combine_unpickles_only_the_partitions_analysed_since_the_last(
    live_url,
    factory,
    monkeypatch,  # noqa: ANN001
) -> None:
    jobs.run_pending_here(live_url)
    read: list[list[int]] = []
    real = live_repo.cluster_inputs

    def counted(session: Session, ids: list[int]) -> dict:
        read.append(sorted(ids))
        return real(session, ids)

    monkeypatch.setattr(live_repo, "cluster_inputs", counted)
    cache = live.InputsCache()
    with factory() as session:
        ids = [p["result_id"] for p in live_repo.latest_parts(session, VERSION).values()]
        first = cache.read(session, VERSION, ids)
    with factory() as session, session.begin():
        live_repo.mark_dirty(session, VERSION, ["24"])
    assert jobs.run_province_job(live_url, VERSION, "24")
    with factory() as session:
        parts = live_repo.latest_parts(session, VERSION)
        again = cache.read(session, VERSION, [p["result_id"] for p in parts.values()])
        fresh = real(session, [p["result_id"] for p in parts.values()])
    assert read[0] == sorted(ids) and read[1] == [parts["24"]["result_id"]]
    assert len(again) == len(first) == len(fresh)
    for kept, stored in zip(again, fresh.values(), strict=True):
        assert kept.province == stored.province
        assert kept.nodes.drop(columns="hull").equals(stored.nodes.drop(columns="hull"))
        assert kept.edges.equals(stored.edges)
    jobs.run_combine_job(live_url, VERSION)


def test_a_lone_province_shared_by_the_pool_gives_the_flags_of_the_whole_run(
    live_url,
    factory,  # noqa: ANN001
) -> None:
    jobs.run_pending_here(live_url)
    with factory() as session, session.begin():
        live_repo.mark_dirty(session, VERSION, ["79"])
    pool = live.StandingPool(2)  # one partition, two processes: each analyses half of it
    try:
        assert jobs.run_pending_partitions(live_url, VERSION, "79", executor=pool) == ["79"]
    finally:
        pool.shutdown()
    with factory() as session:
        stored = live_repo.latest_parts(session, VERSION)["79"]
        single = run_whole(session, version=VERSION, today=dt_today())
        assert _flags(session, single.run_id) == _flags(session, _snapshot_id(session))
        metrics = session.execute(
            text("SELECT count(*) FROM zone_metrics WHERE run_id = :r"), {"r": stored["run_id"]}
        ).scalar_one()
        assert metrics == stored["zone_count"] > 0  # both halves, each zone once
        session.rollback()
    _clear_queue(factory)


def test_a_killed_worker_leaves_no_analysis_process_behind(live_url, factory) -> None:  # noqa: ANN001
    worker = _worker(live_url)
    try:
        _wait(lambda: _worker_alive(factory), 60)
        children = Path(f"/proc/{worker.pid}/task/{worker.pid}/children").read_text().split()
        assert children  # its pool of analysis processes
        worker.kill()
        worker.wait()
        _wait(lambda: not any(Path(f"/proc/{pid}").exists() for pid in children), 15)
    finally:
        _stop(worker)
