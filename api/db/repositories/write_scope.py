"""Queries of the province-scope checks and the writer role of a write (rules in api.auth.scope).

Which provinces an upload, or its rollback, would touch: one set-based query each. The writer
role switch sets the caller's role and provinces for the row-level security policies of
migration 0006.
"""

from __future__ import annotations

from sqlalchemy import text
from sqlalchemy.orm import Session

WRITER_ROLE = "zonemap_writer"

_UPLOAD_PROVINCES = """
SELECT DISTINCT p FROM (
    SELECT s.province_code AS p FROM upload_features s WHERE s.upload_id = :u
    UNION ALL
    SELECT s.geom_province_code FROM upload_features s WHERE s.upload_id = :u
    UNION ALL
    SELECT z.province_code FROM upload_features s JOIN zones z ON z.code = s.code
    WHERE s.upload_id = :u
) q WHERE p IS NOT NULL ORDER BY p
"""

_ROLLBACK_PROVINCES = """
SELECT DISTINCT p FROM (
    SELECT z.province_code AS p FROM upload_changes c JOIN zones z ON z.id = c.zone_id
    WHERE c.upload_id = :u
    UNION ALL
    SELECT c.previous ->> 'province_code' FROM upload_changes c
    WHERE c.upload_id = :u AND c.table_name = 'zones'
) q WHERE p IS NOT NULL ORDER BY p
"""


def upload_provinces(session: Session, upload_id: int) -> list[str]:
    """The provinces a staged upload touches: named by a feature, holding most of its geometry,
    or holding the stored zone with its code."""
    return list(session.execute(text(_UPLOAD_PROVINCES), {"u": upload_id}).scalars())


def rollback_provinces(session: Session, upload_id: int) -> list[str]:
    """The provinces of the zones that undoing ``upload_id`` would change."""
    return list(session.execute(text(_ROLLBACK_PROVINCES), {"u": upload_id}).scalars())


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
