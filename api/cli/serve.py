"""``zonemap serve``: the web application in one or several worker processes, with an analysis
worker beside it by default."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

import typer

from api.cli.common import fail, settings


def default_workers() -> int:
    """One worker process per core."""
    return os.cpu_count() or 1


def check_workers(value: str | None) -> int:
    """``--workers`` as a positive whole number (default: one per core); else a clear error."""
    if value is None:
        return default_workers()
    if not value.strip().isdigit() or int(value) < 1:
        fail(
            f"--workers must be a whole number of worker processes, 1 or more (got '{value}'); "
            f"leave it out for one per core ({default_workers()} here)"
        )
    return int(value)


def serve(
    host: str = typer.Option(None, help="Interface to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default 8000)."),
    workers: str = typer.Option(
        None, help="Worker processes (default: one per core). Shared state lives in PostgreSQL."
    ),
    worker: bool = typer.Option(
        True, "--worker/--no-worker", help="Run an analysis worker (zonemap worker) alongside."
    ),
) -> None:
    """Serve the map, the API and the upload page."""
    import uvicorn

    count = check_workers(workers)
    cfg = settings()
    host, port = host or cfg.host, port or cfg.port
    helper = _start_worker() if worker else None
    try:
        if count == 1:
            from api.app import create_app

            uvicorn.run(create_app(cfg), host=host, port=port, log_level="info")
        else:
            # Each worker process builds its own app (and engine) from the same settings.
            uvicorn.run(
                "api.app:create_app",
                factory=True,
                workers=count,
                host=host,
                port=port,
                log_level="info",
            )
    finally:
        if helper is not None:
            helper.terminate()
            try:
                helper.wait(timeout=10)
            except subprocess.TimeoutExpired:
                helper.kill()


_MAIN = "from api.cli import main; main()"


def _start_worker() -> subprocess.Popen:
    zonemap = Path(sys.argv[0]).with_name("zonemap")
    command = [str(zonemap)] if zonemap.exists() else [sys.executable, "-c", _MAIN]
    return subprocess.Popen([*command, "worker"])
