"""The audit log: one row per write (uploads, analysis runs, users, tokens, logins), written in
the same transaction as the write, so a write that rolls back leaves no audit row claiming it
happened."""

from __future__ import annotations

import getpass
from typing import Any

from sqlalchemy.orm import Session

from api.auth.principal import Principal
from api.db.repositories import audit as repo


def record(
    session: Session,
    action: str,
    *,
    principal: Principal | None = None,
    actor: str | None = None,
    user_id: int | None = None,
    target: str | None = None,
    client_ip: str | None = None,
    details: dict[str, Any] | None = None,
) -> None:
    """Append an audit row. ``actor`` defaults to the principal's name, else ``cli:<os user>``."""
    repo.insert(
        session,
        user_id=principal.user_id if principal else user_id,
        actor=actor or (principal.name if principal else f"cli:{_os_user()}"),
        action=action,
        target=target,
        client_ip=client_ip,
        details=details or {},
    )


def recent(session: Session, *, limit: int = 100) -> list[dict]:
    """The newest audit rows first."""
    return repo.recent(session, limit=limit)


def _os_user() -> str:
    try:
        return getpass.getuser()
    except (KeyError, OSError):
        return "unknown"
