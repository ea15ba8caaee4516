"""The ``zonemap`` command line. Each command group lives in its own module."""

from __future__ import annotations

import sys

import typer

from api.cli import analyze, db, demo, imports, report, serve, users, worker
from api.cli.common import UserFacingErrors, fail

app = typer.Typer(
    name="zonemap",
    help="Vietnam's economic zones, industrial parks and clusters on PostGIS.",
    no_args_is_help=True,
    pretty_exceptions_enable=False,
    add_completion=False,
)
app.add_typer(db.app, name="db")
app.command("demo")(demo.demo)
app.command("serve")(serve.serve)
app.command("worker")(worker.worker)
app.command("analyze")(analyze.analyze)
app.command("import")(imports.import_)
app.command("derive-footprints")(imports.derive_footprints)
app.command("report")(report.report)
app.add_typer(users.user_app, name="user")
app.add_typer(users.token_app, name="token")


def main() -> None:
    try:
        app()
    except UserFacingErrors as exc:
        fail(str(exc))
    except KeyboardInterrupt:
        sys.exit(130)
