"""Reads from a real streaming replica of the private cluster (``pg_basebackup -R``), with
read-your-writes after a commit, and fallback to the primary (a log line, never an error
page) when the replica is down or lags beyond ``replica_max_lag_s``."""

from __future__ import annotations

import logging
import os
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import Engine, create_engine, text
from sqlalchemy.engine import make_url
from sqlalchemy.orm import Session

from api.app import create_app
from api.db.replicas import LSN_COOKIE, lsn_value
from api.settings import Settings
from tests.conftest import _free_port, issue_token
from tests.integration.test_uploads import _zone_file

ITEM = "/ogc/collections/zones/items/{}"


@pytest.fixture(scope="module")
def replica_url(test_database_url: str, demo_loaded) -> Iterator[str]:  # noqa: ANN001
    """The test database as served by a hot standby of the private cluster."""
    from api.db.server import DatabaseServer
    from api.db.standby import start_replica

    primary = DatabaseServer.from_settings(Settings())
    replica = start_replica(primary, _free_port(), f"replica-{os.getpid()}")
    try:
        yield replica.url(make_url(test_database_url).database)
    finally:
        replica.stop()


@pytest.fixture
def replica(replica_url: str, engine: Engine) -> Iterator[Engine]:
    """A connection pool to the replica, caught up with the primary; replay resumed after."""
    standby = create_engine(replica_url, isolation_level="AUTOCOMMIT")
    _wait_for_replay(engine, standby)
    yield standby
    with standby.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_resume()"))
    standby.dispose()


def _wait_for_replay(primary: Engine, standby: Engine, timeout_s: float = 30) -> None:
    with primary.connect() as conn:
        target = lsn_value(conn.execute(text("SELECT pg_current_wal_insert_lsn()::text")).scalar())
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        with standby.connect() as conn:
            replayed = conn.execute(text("SELECT pg_last_wal_replay_lsn()::text")).scalar()
        if (lsn_value(replayed) or 0) >= (target or 0):
            return
        time.sleep(0.1)
    pytest.fail("the replica did not catch up with the primary")


def _pause(standby: Engine) -> None:
    with standby.connect() as conn:
        conn.execute(text("SELECT pg_wal_replay_pause()"))


def _add_zone(engine: Engine) -> str:
    code = f"RP{uuid.uuid4().hex[:6]}"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO zones (code, kind, name, province_code, location) VALUES (:c, 'KCN', "
                "'Khu bản sao', '01', ST_SetSRID(ST_MakePoint(105.8, 21.0), 4326))"
            ),
            {"c": code},
        )
    return code


def _drop_zone(engine: Engine, code: str) -> None:
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM zones WHERE code = :c"), {"c": code})


def _client(
    database_url: str, replicas: str, *, max_lag_s: float = 300, token: str | None = None
) -> TestClient:
    settings = Settings(
        database_url=database_url,
        read_database_urls=replicas,
        replica_max_lag_s=max_lag_s,
        rate_limit_per_minute=0,
    )
    headers = {"Authorization": f"Bearer {token}"} if token else None
    return TestClient(create_app(settings), headers=headers)


def _editor_token(engine: Engine) -> str:
    with engine.begin() as conn:
        return issue_token(Session(bind=conn), f"rp-{uuid.uuid4().hex[:8]}", role="admin")


def test_replica_serves_reads_and_client_reads_its_own_commit(
    test_database_url: str, engine: Engine, replica: Engine, replica_url: str, tmp_path: Path
) -> None:
    _pause(replica)
    unseen = _add_zone(engine)  # committed on the primary, not replayed by the paused replica
    try:
        token = _editor_token(engine)
        with _client(test_database_url, replica_url, token=token) as client:
            assert client.get(ITEM.format(unseen)).status_code == 404  # read from the replica
            path, _ = _zone_file(tmp_path, "rp", prefix=f"Y{uuid.uuid4().hex[:3]}")
            with path.open("rb") as handle:
                upload = {"file": (path.name, handle, "application/zip")}
                staged = client.post("/api/uploads", data={"kind": "zones"}, files=upload)
            upload_id = staged.json()["upload_id"]
            committed = client.post(f"/api/uploads/{upload_id}/commit")
            assert committed.status_code == 200 and LSN_COOKIE in committed.cookies
            new_code = staged.json()["preview"]["features"][0]["properties"]["code"]
            # the writer reads its commit (the primary answers: the replica is behind it) ...
            assert client.get(ITEM.format(new_code)).status_code == 200
            layer = client.get("/api/layers/zones").json()["features"]
            assert new_code in {f["id"] for f in layer}
            assert client.get(f"/api/zones/{new_code}").status_code == 200
            # ... and so the primary's row added before is visible to it as well
            assert client.get(ITEM.format(unseen)).status_code == 200
            client.post(f"/api/uploads/{upload_id}/rollback")
        with _client(test_database_url, replica_url) as stranger:  # no cookie: the replica
            assert stranger.get(ITEM.format(unseen)).status_code == 404
    finally:
        _drop_zone(engine, unseen)


def test_lagging_replica_falls_back_to_primary_with_log_line(
    test_database_url: str, engine: Engine, replica: Engine, replica_url: str, caplog
) -> None:  # noqa: ANN001
    _pause(replica)
    code = _add_zone(engine)
    try:
        time.sleep(1.2)
        with (
            caplog.at_level(logging.WARNING, logger="zonemap.replicas"),
            _client(test_database_url, replica_url, max_lag_s=0.5) as client,
        ):
            assert client.get(ITEM.format(code)).status_code == 200  # the primary answered
            assert client.get("/api/layers/zones").status_code == 200
        assert any("replay lag" in r.getMessage() for r in caplog.records)
    finally:
        _drop_zone(engine, code)


def test_replica_down_falls_back_to_primary_with_log_line(
    test_database_url: str,
    demo_loaded,
    caplog,  # noqa: ANN001
) -> None:
    down = make_url(test_database_url).set(port=_free_port()).render_as_string(False)
    with (
        caplog.at_level(logging.WARNING, logger="zonemap.replicas"),
        _client(test_database_url, down) as client,
    ):
        items = client.get("/ogc/collections/zones/items?limit=5")
        assert items.status_code == 200 and items.json()["numberReturned"] == 5
        assert client.get("/api/layers/zones").status_code == 200
        assert client.get("/tiles/zones/8/203/113.mvt").status_code in (200, 204)
        assert client.get("/").status_code == 200  # pages too
        assert client.get("/api/zones", params={"limit": 5}).status_code == 200
    assert any("unreachable" in r.getMessage() for r in caplog.records)


def test_lsn_value_orders_wal_positions_and_rejects_junk() -> None:
    assert lsn_value("0/16B3748") < lsn_value("0/16B3749") < lsn_value("1/0")
    assert lsn_value("16/B374D848") == (0x16 << 32) + 0xB374D848
    assert lsn_value(None) is None and lsn_value("") is None
    assert lsn_value("zz/1") is None and lsn_value("123") is None
