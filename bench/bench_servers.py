"""The servers the read benchmark loads: zonemap (1 or N workers, optionally reading from a
replica) and tipg in its own venv, plus a streaming replica and an idle-database wait."""

from __future__ import annotations

import contextlib
import os
import socket
import subprocess
import sys
import time
import urllib.request
from collections.abc import Iterator
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.engine import make_url

ROOT = Path(__file__).resolve().parents[1]
TIPG_VENV = ROOT / "bench" / ".venv-tipg"


def ensure_tipg_venv() -> None:
    if list(TIPG_VENV.glob("lib/python*/site-packages/uvloop")):
        return
    print(f"creating {TIPG_VENV} with tipg and uvicorn[standard] (PyPI)")
    subprocess.run([sys.executable, "-m", "venv", str(TIPG_VENV)], check=True)
    pip = str(TIPG_VENV / "bin" / "pip")
    subprocess.run([pip, "install", "-q", "tipg", "uvicorn[standard]"], check=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


@contextlib.contextmanager
def _server(cmd: list[str], env: dict[str, str], probe: str, port: int) -> Iterator[str]:
    base = f"http://127.0.0.1:{port}"
    proc = subprocess.Popen(
        cmd, env={**os.environ, **env}, cwd=ROOT, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE
    )
    try:
        deadline = time.monotonic() + 90
        while True:
            with contextlib.suppress(OSError):
                urllib.request.urlopen(base + probe, timeout=30).read()
                break
            if proc.poll() is not None or time.monotonic() > deadline:
                raise RuntimeError(f"{cmd[0]} did not start: {proc.stderr.read().decode()[-2000:]}")
            time.sleep(0.3)
        yield base
    finally:
        proc.terminate()
        proc.wait(timeout=30)


def serve_zonemap(
    url: str, *, workers: int = 1, replicas: str | None = None
) -> contextlib.AbstractContextManager[str]:
    """``zonemap serve --workers N`` (the real command), public reads, no rate limit."""
    port = _free_port()
    cmd = [
        str(ROOT / ".venv" / "bin" / "zonemap"),
        "serve",
        "--port",
        str(port),
        "--workers",
        str(workers),
    ]
    env = {"DATABASE_URL": url, "ZONEMAP_RATE_LIMIT_PER_MINUTE": "0"}
    if replicas:
        env["ZONEMAP_READ_DATABASE_URLS"] = replicas
    return _server(cmd, env, "/ogc/collections/zones/items?limit=1", port)


def serve_tipg(url: str) -> contextlib.AbstractContextManager[str]:
    port = _free_port()
    dsn = make_url(url).set(drivername="postgresql").render_as_string(hide_password=False)
    env = {
        "DATABASE_URL": dsn,
        "TIPG_DB_SCHEMAS": '["tipg_bench"]',
        "TIPG_DB_MAX_CONN_SIZE": "32",
        "TIPG_MAX_FEATURES_PER_QUERY": "10000",
    }
    cmd = [
        str(TIPG_VENV / "bin" / "uvicorn"),
        "tipg.main:app",
        "--host",
        "127.0.0.1",
        "--port",
        str(port),
        "--log-level",
        "warning",
        "--no-access-log",
    ]
    return _server(cmd, env, "/collections/tipg_bench.zones/items?limit=1", port)


def wait_until_idle(db_url: str, timeout: float = 60.0) -> None:
    """Wait until no query runs on the bench database, then one more second."""
    from api.db.engine import make_engine

    engine = make_engine(db_url)
    busy = text(
        "SELECT count(*) FROM pg_stat_activity WHERE datname = current_database() "
        "AND state = 'active' AND pid <> pg_backend_pid()"
    )
    try:
        deadline = time.monotonic() + timeout
        with engine.connect() as conn:
            while conn.execute(busy).scalar_one() and time.monotonic() < deadline:
                conn.rollback()
                time.sleep(0.2)
    finally:
        engine.dispose()
    time.sleep(1.0)


@contextlib.contextmanager
def replica_of(url: str) -> Iterator[str]:
    """A streaming replica of the private cluster; yields ``url``'s database on it."""
    from api.db.server import DatabaseServer
    from api.db.standby import start_replica
    from api.settings import Settings

    replica = start_replica(DatabaseServer.from_settings(Settings()), _free_port(), "replica-bench")
    try:
        yield replica.url(make_url(url).database)
    finally:
        replica.stop()
