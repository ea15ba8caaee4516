"""The private cluster's failure modes: each gives a clear message and corrupts nothing."""

from __future__ import annotations

import os
import pwd
import shutil
import socket
import subprocess
import sys
import tempfile
from pathlib import Path

import pytest

from api.db.server import DatabaseServer, DatabaseServerError, port_is_free

ZONEMAP = Path(sys.executable).with_name("zonemap")


@pytest.fixture
def scratch_home():  # noqa: ANN201
    """A directory the postgres user can reach (pytest's tmp_path is private to root)."""
    home = Path(tempfile.mkdtemp(prefix="zonemap-cluster-test-"))
    home.chmod(0o755)
    yield home
    cluster = DatabaseServer(home, home / "pg", 0)
    if cluster.is_running():
        cluster.down()
    shutil.rmtree(home, ignore_errors=True)


def _free_port() -> int:
    with socket.socket() as sock:
        sock.bind(("127.0.0.1", 0))
        return sock.getsockname()[1]


def test_up_port_taken_by_other_program_explicit_port_fails_clearly(scratch_home):
    with socket.socket() as blocker:
        blocker.bind(("127.0.0.1", 0))
        blocker.listen()
        port = blocker.getsockname()[1]
        cluster = DatabaseServer(scratch_home, scratch_home / "pg", port, port_is_explicit=True)
        with pytest.raises(DatabaseServerError, match=f"port {port} .* already in use"):
            cluster.up()
    assert not cluster.is_running()


def test_up_stale_pid_file_is_removed_and_server_starts(scratch_home):
    port = _free_port()
    cluster = DatabaseServer(scratch_home, scratch_home / "pg", port, port_is_explicit=True)
    cluster.up()
    cluster.down()
    pid_file = cluster.data_dir / "postmaster.pid"
    pid_file.write_text(f"{2**22 - 3}\n{cluster.data_dir}\n0\n{port}\n")
    assert "started" in cluster.up()
    assert cluster.is_running() and not port_is_free(port)


def test_up_data_dir_owned_by_other_user_fails_without_touching_it(scratch_home):
    if os.geteuid() != 0:
        pytest.skip("needs root to hand the data directory to another user")
    cluster = DatabaseServer(scratch_home, scratch_home / "pg", _free_port(), port_is_explicit=True)
    cluster.up()
    cluster.down()
    nobody = pwd.getpwnam("nobody")
    os.chown(cluster.data_dir, nobody.pw_uid, nobody.pw_gid)
    before = sorted(p.name for p in cluster.data_dir.iterdir())
    with pytest.raises(DatabaseServerError, match="belongs to user 'nobody'"):
        cluster.up()
    assert sorted(p.name for p in cluster.data_dir.iterdir()) == before


def _cli(*args: str, env: dict[str, str]) -> subprocess.CompletedProcess[str]:
    return subprocess.run(
        [str(ZONEMAP), *args],
        capture_output=True,
        text=True,
        env={**os.environ, **env},
        timeout=60,
        check=False,
    )


def test_cli_unreachable_database_url_exits_nonzero_with_one_line():
    result = _cli("db", "up", env={"DATABASE_URL": f"postgresql://x@127.0.0.1:{_free_port()}/n"})
    assert result.returncode != 0
    lines = result.stderr.strip().splitlines()
    assert len(lines) == 1 and "cannot reach the database" in lines[0]
    assert "DATABASE_URL" in lines[0]


def test_cli_database_without_postgis_rights_exits_nonzero(test_database_url, engine):
    from sqlalchemy import text
    from sqlalchemy.engine import make_url

    name = f"{make_url(test_database_url).database}_nogis"
    role = f"zonemap_plain_{os.getpid()}"
    with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
        conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
        conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
        conn.execute(text(f"CREATE ROLE {role} LOGIN"))
        conn.execute(text(f"CREATE DATABASE {name} OWNER {role}"))
    url = make_url(test_database_url).set(username=role, database=name)
    try:
        result = _cli("db", "status", env={"DATABASE_URL": url.render_as_string(False)})
    finally:
        with engine.connect().execution_options(isolation_level="AUTOCOMMIT") as conn:
            conn.execute(text(f"DROP DATABASE IF EXISTS {name} WITH (FORCE)"))
            conn.execute(text(f"DROP ROLE IF EXISTS {role}"))
    assert result.returncode != 0
    assert "has no PostGIS" in result.stderr and len(result.stderr.strip().splitlines()) == 1
