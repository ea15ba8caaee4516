"""``zonemap serve --workers N``: N processes behind one port that share what must be shared
(rate-limit buckets in PostgreSQL) and whose caches stay right after a commit (keyed by the
database's data version); bad ``--workers`` values are a clear CLI error."""

from __future__ import annotations

import os
import subprocess
import sys
import time
import uuid
from collections.abc import Iterator
from pathlib import Path

import httpx
import pytest
from sqlalchemy import text

from tests.conftest import ROOT, _free_port, issue_token

ZONEMAP = str(Path(sys.executable).parent / "zonemap")


@pytest.mark.parametrize("value", ["0", "-2", "two", "1.5", ""])
def test_serve_bad_workers_is_a_clear_cli_error(value: str) -> None:
    done = subprocess.run(
        [ZONEMAP, "serve", "--workers", value],
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )
    assert done.returncode == 2
    assert "--workers must be a whole number" in done.stderr and f"'{value}'" in done.stderr


@pytest.fixture
def two_workers(test_database_url: str, demo_loaded) -> Iterator[str]:  # noqa: ANN001
    port = _free_port()
    env = {**os.environ, "DATABASE_URL": test_database_url, "ZONEMAP_RATE_LIMIT_PER_MINUTE": "4"}
    server = subprocess.Popen(
        [ZONEMAP, "serve", "--workers", "2", "--port", str(port)],
        cwd=ROOT,
        env=env,
        stdout=subprocess.DEVNULL,
        stderr=subprocess.PIPE,
    )
    url = f"http://127.0.0.1:{port}"
    try:
        _wait_until_up(url, server)
        yield url
    finally:
        server.terminate()
        server.wait(timeout=30)


def _wait_until_up(url: str, server: subprocess.Popen) -> None:
    deadline = time.monotonic() + 60
    while time.monotonic() < deadline:
        if server.poll() is not None:
            pytest.fail(f"zonemap serve exited: {server.stderr.read().decode()[-2000:]}")
        try:
            if httpx.get(url + "/api/health", timeout=2).status_code == 200:
                return
        except httpx.HTTPError:
            time.sleep(0.2)
    pytest.fail("zonemap serve --workers 2 did not answer within 60 s")


def _fresh_get(url: str, **kwargs: object) -> httpx.Response:
    """A GET on a new connection, so the kernel may hand it to either worker."""
    with httpx.Client(timeout=10) as http:
        return http.get(url, **kwargs)  # type: ignore[arg-type]


def test_serve_two_workers_share_rate_limit_and_see_commits(two_workers: str, engine) -> None:  # noqa: ANN001
    pids = {_fresh_get(two_workers + "/api/health").json()["worker_pid"] for _ in range(30)}
    assert len(pids) == 2, "requests never reached a second worker"

    with engine.begin() as conn:
        from sqlalchemy.orm import Session

        token = issue_token(Session(bind=conn), f"w-{uuid.uuid4().hex[:8]}", role="viewer")
    auth = {"Authorization": f"Bearer {token}"}
    statuses = [
        _fresh_get(two_workers + "/api/health", headers=auth).status_code for _ in range(10)
    ]
    assert statuses.count(200) == 4 and statuses.count(429) == 6  # one bucket, not one per worker

    items = two_workers + "/ogc/collections/zones/items?limit=1"
    before = {_fresh_get(items).json()["numberMatched"] for _ in range(6)}
    assert len(before) == 1
    code = f"WK{uuid.uuid4().hex[:6]}"
    with engine.begin() as conn:
        conn.execute(
            text(
                "INSERT INTO zones (code, kind, name, province_code, location) VALUES (:c, 'KCN', "
                "'Khu thử', '01', ST_SetSRID(ST_MakePoint(105.8, 21.0), 4326))"
            ),
            {"c": code},
        )
    try:
        after = {_fresh_get(items).json()["numberMatched"] for _ in range(6)}
        assert after == {before.pop() + 1}  # every worker, no stale count
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM zones WHERE code = :c"), {"c": code})
