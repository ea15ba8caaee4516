"""A hot-standby streaming replica of the private cluster, made with ``pg_basebackup -R``.

For tests and benchmarks of the read-replica path (``ZONEMAP_READ_DATABASE_URLS``) on one
machine; a production replica is set up the same way on another server (docs/scale-out.md).
Server commands run as the ``postgres`` user, as for the primary (``api.db.server``).
"""

from __future__ import annotations

import shutil
from dataclasses import dataclass
from pathlib import Path

from api.db.server import (
    PG_BIN,
    SERVICE_USER,
    DatabaseServer,
    DatabaseServerError,
    _run_as_service,
    _tail,
    _wait_until_ready,
)


@dataclass
class Replica:
    data_dir: Path
    port: int

    @property
    def log_file(self) -> Path:
        return self.data_dir.parent / f"{self.data_dir.name}.log"

    def url(self, database: str) -> str:
        return f"postgresql+psycopg://{SERVICE_USER}@127.0.0.1:{self.port}/{database}"

    def stop(self, *, remove: bool = True) -> None:
        """Stop the server (immediate: it is a copy) and, with ``remove``, delete its files."""
        if (self.data_dir / "postmaster.pid").exists():
            _run_as_service(
                [str(PG_BIN / "pg_ctl"), "stop", "-D", str(self.data_dir), "-m", "immediate", "-w"]
            )
        if remove:
            shutil.rmtree(self.data_dir, ignore_errors=True)
            self.log_file.unlink(missing_ok=True)


def start_replica(primary: DatabaseServer, port: int, name: str) -> Replica:
    """Copy the running ``primary`` into ``<base_dir>/<name>`` and start it as a hot standby
    streaming from the primary, listening on 127.0.0.1:``port``."""
    replica = Replica(primary.base_dir / name, port)
    replica.stop()
    result = _run_as_service(
        [
            str(PG_BIN / "pg_basebackup"),
            "-h",
            "127.0.0.1",
            "-p",
            str(primary.port),
            "-U",
            SERVICE_USER,
            "-D",
            str(replica.data_dir),
            "-R",
            "-X",
            "stream",
            "-c",
            "fast",
        ]
    )
    if result.returncode != 0:
        raise DatabaseServerError(f"pg_basebackup failed: {result.stderr.strip()[-500:]}")
    options = f"-p {port} -c listen_addresses=127.0.0.1 -c hot_standby=on -k {primary.base_dir}"
    started = _run_as_service(
        [
            str(PG_BIN / "pg_ctl"),
            "start",
            "-D",
            str(replica.data_dir),
            "-l",
            str(replica.log_file),
            "-o",
            options,
            "-w",
            "-t",
            "60",
        ]
    )
    if started.returncode != 0:
        raise DatabaseServerError(f"the replica did not start: {_tail(replica.log_file)}")
    _wait_until_ready(port)
    return replica
