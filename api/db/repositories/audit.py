"""The ``audit_log`` table: append a row, read the newest (who did what lives in api.auth.audit)."""

from __future__ import annotations

import json
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session


def insert(
    session: Session,
    *,
    user_id: int | None,
    actor: str,
    action: str,
    target: str | None,
    client_ip: str | None,
    details: dict[str, Any],
) -> None:
    session.execute(
        text(
            "INSERT INTO audit_log (user_id, actor, action, target, client_ip, details) "
            "VALUES (:u, :a, :act, :t, :ip, CAST(:d AS jsonb))"
        ),
        {
            "u": user_id,
            "a": actor,
            "act": action,
            "t": target,
            "ip": client_ip,
            "d": json.dumps(details, ensure_ascii=False, default=str),
        },
    )


def recent(session: Session, *, limit: int) -> list[dict]:
    """The newest audit rows first."""
    rows = session.execute(
        text(
            "SELECT id, at, user_id, actor, action, target, client_ip, details FROM audit_log "
            "ORDER BY id DESC LIMIT :n"
        ),
        {"n": limit},
    ).mappings()
    return [dict(r) for r in rows]
