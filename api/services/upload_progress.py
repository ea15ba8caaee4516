"""Progress of a long upload for the page that started it.

``progress_writer`` gives a ``Progress`` callback (the one ``prepare``, ``stage_buildings``,
``commit`` and ``derive_footprints`` call) that records the stage, the fraction done and, when
the caller knows them, the features processed and the total, under the page's token. It writes
through its own autocommit connection, outside the upload's transaction, so another request
can read it while the upload runs; writes are at most every ``interval_s`` seconds (and always
at the start and end of a stage). Without a token it does nothing.
"""

from __future__ import annotations

import re
import time
from collections.abc import Callable, Iterator
from contextlib import contextmanager
from typing import Any

from sqlalchemy.engine import Engine

from api.db.repositories import upload_progress as repo
from api.errors import InvalidParameterError

TOKEN = re.compile(r"^[A-Za-z0-9-]{16,64}$")
Progress = Callable[..., None]
WAITING: dict[str, Any] = {
    "stage": "waiting",
    "fraction": 0.0,
    "processed": None,
    "total": None,
    "updated_at": None,
}


def check_token(token: str | None) -> str | None:
    """The token when it is usable, None when absent; else an InvalidParameterError."""
    if token is None or token == "":
        return None
    if not TOKEN.match(token):
        raise InvalidParameterError(
            "progress_token must be 16 to 64 letters, digits or dashes (the page makes one).",
            parameter="progress_token",
        )
    return token


@contextmanager
def progress_writer(
    engine: Engine, token: str | None, *, interval_s: float = 0.25
) -> Iterator[Progress | None]:
    """A Progress callback writing under ``token`` (None without a token)."""
    if token is None:
        yield None
        return
    conn = engine.connect().execution_options(isolation_level="AUTOCOMMIT")
    last = {"at": 0.0, "stage": ""}
    try:
        repo.forget_old(conn)

        def report(
            stage: str, fraction: float, *, processed: int | None = None, total: int | None = None
        ) -> None:
            now = time.monotonic()
            edge = stage != last["stage"] or fraction in (0.0, 1.0)
            if not edge and now - float(last["at"]) < interval_s:
                return
            last.update(at=now, stage=stage)
            repo.record(
                conn,
                token,
                stage=stage,
                fraction=min(max(float(fraction), 0.0), 1.0),
                processed=processed,
                total=total,
            )

        yield report
    finally:
        conn.close()


def read(engine: Engine, token: str) -> dict[str, Any]:
    """The recorded progress of ``token``.

    A page starts polling as soon as it sends its upload, and the server records the first
    stage only once the whole file has arrived; until then the token answers stage
    ``waiting`` (fraction 0, ``updated_at`` null) rather than an error.
    """
    with engine.connect() as conn:
        row = repo.get(conn, check_token(token) or "")
    if row is None:
        return dict(WAITING)
    return {**row, "updated_at": row["updated_at"].isoformat()}
