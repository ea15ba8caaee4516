"""The private PostGIS cluster: a PostgreSQL 15 data directory of the project's own.

``initdb`` refuses to run as root, so when we are root every server command runs as the
``postgres`` system user, and the cluster lives where that user can reach it (the checkout
itself when every parent directory is traversable, else a directory under /tmp named after
the checkout). The server listens on 127.0.0.1 only, on a free port, with trust auth.
"""

from __future__ import annotations

import hashlib
import json
import os
import pwd
import shutil
import socket
import stat
import subprocess
import time
from dataclasses import dataclass
from pathlib import Path

PG_BIN = Path(os.environ.get("ZONEMAP_PG_BIN", "/usr/lib/postgresql/15/bin"))
POSTGIS_CONTROL = Path("/usr/share/postgresql/15/extension/postgis.control")
SERVICE_USER = "postgres"
FIRST_PORT = 55432
PORT_TRIES = 100


class DatabaseServerError(RuntimeError):
    """A problem with the private cluster, worded for the person at the terminal."""


def _is_root() -> bool:
    return os.geteuid() == 0


def _run_as_service(args: list[str], **kwargs) -> subprocess.CompletedProcess[str]:
    cmd = ["runuser", "-u", SERVICE_USER, "--", *args] if _is_root() else args
    return subprocess.run(cmd, text=True, capture_output=True, check=False, **kwargs)


def _traversable_by_others(path: Path) -> bool:
    """True when every directory from / to ``path`` lets another user pass through."""
    for parent in [path, *path.parents]:
        if not parent.exists():
            continue
        if not parent.stat().st_mode & stat.S_IXOTH:
            return False
    return True


def port_is_free(port: int) -> bool:
    with socket.socket(socket.AF_INET, socket.SOCK_STREAM) as sock:
        sock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
        try:
            sock.bind(("127.0.0.1", port))
        except OSError:
            return False
    return True


@dataclass
class DatabaseServer:
    """Where the cluster lives and which port it uses; persisted in ``home/cluster.json``."""

    home: Path
    base_dir: Path
    port: int
    port_is_explicit: bool = False

    @property
    def data_dir(self) -> Path:
        return self.base_dir / "data"

    @property
    def log_file(self) -> Path:
        return self.base_dir / "server.log"

    @property
    def state_file(self) -> Path:
        return self.home / "cluster.json"

    def url(self, database: str = "zonemap") -> str:
        return f"postgresql+psycopg://{SERVICE_USER}@127.0.0.1:{self.port}/{database}"

    @classmethod
    def from_settings(cls, settings) -> DatabaseServer:  # noqa: ANN001 - avoid an import cycle
        home = Path(settings.home).resolve()
        state = _read_state(home / "cluster.json")
        base = Path(state["base_dir"]) if state else _choose_base_dir(home)
        if settings.pg_port:
            return cls(home, base, settings.pg_port, port_is_explicit=True)
        return cls(home, base, int(state["port"]) if state else FIRST_PORT)

    # -- lifecycle -------------------------------------------------------------------------

    def is_running(self) -> bool:
        if not (self.data_dir / "PG_VERSION").exists():
            return False
        return (
            _run_as_service([str(PG_BIN / "pg_ctl"), "status", "-D", str(self.data_dir)]).returncode
            == 0
        )

    def up(self) -> str:
        """Initialise (once) and start the cluster; returns a one-line summary."""
        check_server_binaries()
        self._ensure_initialised()
        if self.is_running():
            self.port = self._running_port() or self.port
            self._save_state()
            return f"PostGIS cluster already running on 127.0.0.1:{self.port} ({self.data_dir})"
        self._remove_stale_pid_file()
        self.port = self._choose_port()
        self._start()
        self._save_state()
        return f"PostGIS cluster started on 127.0.0.1:{self.port} ({self.data_dir})"

    def down(self) -> str:
        if not self.is_running():
            return "PostGIS cluster is not running"
        result = _run_as_service(
            [str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "fast", "-w"]
        )
        if result.returncode != 0:
            raise DatabaseServerError(f"could not stop the cluster: {result.stderr.strip()}")
        return "PostGIS cluster stopped"

    # -- steps -----------------------------------------------------------------------------

    def _ensure_initialised(self) -> None:
        if (self.data_dir / "PG_VERSION").exists():
            self._check_owner()
            return
        self.base_dir.mkdir(parents=True, exist_ok=True)
        if _is_root():
            service = pwd.getpwnam(SERVICE_USER)
            os.chown(self.base_dir, service.pw_uid, service.pw_gid)
        result = _run_as_service(
            [
                str(PG_BIN / "initdb"),
                "-D",
                str(self.data_dir),
                "-U",
                SERVICE_USER,
                "--auth=trust",
                "--encoding=UTF8",
                "--locale=C.UTF-8",
            ]
        )
        if result.returncode != 0:
            raise DatabaseServerError(
                f"initdb failed in {self.data_dir}: {result.stderr.strip()[-500:]}"
            )

    def _check_owner(self) -> None:
        owner_uid = self.data_dir.stat().st_uid
        expected = pwd.getpwnam(SERVICE_USER).pw_uid if _is_root() else os.geteuid()
        if owner_uid != expected:
            owner = pwd.getpwuid(owner_uid).pw_name
            runner = pwd.getpwuid(expected).pw_name
            raise DatabaseServerError(
                f"the data directory {self.data_dir} belongs to user '{owner}', but the server "
                f"must run as '{runner}': fix it with `chown -R {runner} {self.base_dir}` or "
                f"move it away so a new cluster is created"
            )

    def _remove_stale_pid_file(self) -> None:
        pid_file = self.data_dir / "postmaster.pid"
        if not pid_file.exists():
            return
        pid = int(pid_file.read_text().splitlines()[0])
        if _process_is_postgres(pid):
            raise DatabaseServerError(
                f"{pid_file} names a running postgres process ({pid}) that does not answer "
                f"pg_ctl status; stop it (kill {pid}) and run `zonemap db up` again"
            )
        pid_file.unlink()

    def _choose_port(self) -> int:
        if port_is_free(self.port):
            return self.port
        if self.port_is_explicit:
            raise DatabaseServerError(
                f"port {self.port} on 127.0.0.1 is already in use by another program: free it, "
                f"or choose another port with ZONEMAP_PG_PORT"
            )
        for port in range(FIRST_PORT, FIRST_PORT + PORT_TRIES):
            if port_is_free(port):
                return port
        raise DatabaseServerError(f"no free port in {FIRST_PORT}-{FIRST_PORT + PORT_TRIES - 1}")

    def _start(self) -> None:
        options = f"-p {self.port} -c listen_addresses=127.0.0.1 -k {self.base_dir}"
        result = _run_as_service(
            [
                str(PG_BIN / "pg_ctl"),
                "start",
                "-D",
                str(self.data_dir),
                "-l",
                str(self.log_file),
                "-o",
                options,
                "-w",
                "-t",
                "60",
            ]
        )
        if result.returncode != 0:
            raise DatabaseServerError(
                f"the PostgreSQL server did not start on port {self.port}; the end of its log "
                f"({self.log_file}) says:\n{_tail(self.log_file)}"
            )
        _wait_until_ready(self.port)

    def _running_port(self) -> int | None:
        pid_file = self.data_dir / "postmaster.pid"
        lines = pid_file.read_text().splitlines() if pid_file.exists() else []
        return int(lines[3]) if len(lines) > 3 and lines[3].strip().isdigit() else None

    def _save_state(self) -> None:
        self.home.mkdir(parents=True, exist_ok=True)
        payload = {"base_dir": str(self.base_dir), "port": self.port}
        self.state_file.write_text(json.dumps(payload, indent=2) + "\n")


def check_server_binaries() -> None:
    if not (PG_BIN / "initdb").exists():
        raise DatabaseServerError(
            f"PostgreSQL 15 server binaries are missing ({PG_BIN}): "
            "apt-get install postgresql-15, or set DATABASE_URL to an existing PostGIS"
        )
    if not POSTGIS_CONTROL.exists():
        raise DatabaseServerError(
            "PostGIS is not installed for PostgreSQL 15: apt-get install postgresql-15-postgis-3 "
            "(as root), or set DATABASE_URL to an existing PostGIS"
        )


def _choose_base_dir(home: Path) -> Path:
    if not _is_root() or _traversable_by_others(home.parent):
        return home / "pg"
    tag = hashlib.sha1(str(home).encode()).hexdigest()[:10]
    return Path("/tmp") / f"zonemap-pg-{tag}"


def _read_state(path: Path) -> dict | None:
    try:
        return json.loads(path.read_text())
    except (FileNotFoundError, ValueError):
        return None


def _process_is_postgres(pid: int) -> bool:
    try:
        comm = Path(f"/proc/{pid}/comm").read_text().strip()
    except OSError:
        return False
    return comm.startswith("postgres")


def _wait_until_ready(port: int, timeout_s: float = 30.0) -> None:
    pg_isready = shutil.which("pg_isready") or str(PG_BIN / "pg_isready")
    deadline = time.monotonic() + timeout_s
    while time.monotonic() < deadline:
        probe = subprocess.run(
            [pg_isready, "-h", "127.0.0.1", "-p", str(port)], capture_output=True, check=False
        )
        if probe.returncode == 0:
            return
        time.sleep(0.2)
    raise DatabaseServerError(
        f"the server on port {port} did not accept connections in {timeout_s:.0f} s"
    )


def _tail(path: Path, lines: int = 8) -> str:
    try:
        return "\n".join(path.read_text(errors="replace").splitlines()[-lines:])
    except OSError:
        return "(no log file)"
