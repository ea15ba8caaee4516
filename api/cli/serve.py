"""``zonemap serve``: the web application, with an analysis worker beside it by default."""

from __future__ import annotations

import subprocess
import sys
from pathlib import Path

import typer

from api.cli.common import settings


def serve(
    host: str = typer.Option(None, help="Interface to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default 8000)."),
    worker: bool = typer.Option(
        True, "--worker/--no-worker", help="Run an analysis worker (zonemap worker) alongside."
    ),
) -> None:
    """Serve the map, the API and the upload page."""
    import uvicorn

    from api.app import create_app

    cfg = settings()
    helper = _start_worker() if worker else None
    try:
        uvicorn.run(create_app(cfg), host=host or cfg.host, port=port or cfg.port, log_level="info")
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
