"""The audit log: one row per write (uploads, analysis runs, users, tokens, logins), written in
the same transaction as the write, so a write that rolls back leaves no audit row claiming it
happened."""

from __future__ import annotations

import getpass
import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.auth.principal import Principal


def record(
    session: Session, action: str, *, principal: Principal | None = None,
    actor: str | None = None, user_id: int | None = None, target: str | None = None,
    client_ip: str | None = None, details: dict[str, Any] | None = None,
) -> None:  # fmt: skip
    """Append an audit row. ``actor`` defaults to the principal's name, else ``cli:<os user>``."""
    session.execute(
        text("INSERT INTO audit_log (user_id, actor, action, target, client_ip, details) "
             "VALUES (:u, :a, :act, :t, :ip, CAST(:d AS jsonb))"),
        {
            "u": principal.user_id if principal else user_id,
            "a": actor or (principal.name if principal else f"cli:{_os_user()}"),
            "act": action, "t": target, "ip": client_ip,
            "d": json.dumps(details or {}, ensure_ascii=False, default=str),
        },
    )  # fmt: skip


def recent(session: Session, *, limit: int = 100) -> list[dict]:
    """The newest audit rows first."""
    rows = session.execute(
        text("SELECT id, at, user_id, actor, action, target, client_ip, details FROM audit_log "
             "ORDER BY id DESC LIMIT :n"),
        {"n": limit},
    ).mappings()  # fmt: skip
    return [dict(r) for r in rows]


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
