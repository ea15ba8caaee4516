"""Queries of the province-scope checks and the writer role of a write (rules in api.auth.scope).

Which provinces an upload, or its rollback, would touch: one set-based query each. The writer
role switch sets the caller's role and provinces for the row-level security policies of
migration 0006.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.sql import query

WRITER_ROLE = "zonemap_writer"


def upload_provinces(session: Session, upload_id: int) -> list[str]:
    """The provinces a staged upload touches: named by a feature, holding most of its geometry,
    or holding the stored zone with its code."""
    return list(session.execute(query("write_scope_upload_provinces"), {"u": upload_id}).scalars())


def rollback_provinces(session: Session, upload_id: int) -> list[str]:
    """The provinces of the zones that undoing ``upload_id`` would change."""
    rows = session.execute(query("write_scope_rollback_provinces"), {"u": upload_id})
    return list(rows.scalars())


def become_writer(session: Session, role: str, provinces: str) -> None:
    """For the rest of this transaction (or savepoint), act as ``zonemap_writer`` with the
    caller's ``role`` and comma-separated ``provinces`` visible to the policies."""
    session.execute(
        text(
            "SELECT set_config('zonemap.user_role', :r, true), "
            "set_config('zonemap.user_provinces', :p, true)"
        ),
        {"r": role, "p": provinces},
    )
    session.execute(text(f"SET LOCAL ROLE {WRITER_ROLE}"))


def stop_writing(session: Session) -> None:
    """Back to the session's own role, with the caller's settings cleared."""
    session.execute(text("SET LOCAL ROLE NONE"))
    session.execute(
        text(
            "SELECT set_config('zonemap.user_role', '', true), "
            "set_config('zonemap.user_provinces', '', true)"
        )
    )
