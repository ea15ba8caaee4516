"""``zonemap serve``: the web application."""

from __future__ import annotations

import typer

from api.cli.common import settings


def serve(
    host: str = typer.Option(None, help="Interface to listen on (default 127.0.0.1)."),
    port: int = typer.Option(None, help="Port (default 8000)."),
) -> None:
    """Serve the map, the API and the upload page."""
    import uvicorn

    from api.app import create_app

    cfg = settings()
    uvicorn.run(create_app(cfg), host=host or cfg.host, port=port or cfg.port, log_level="info")
