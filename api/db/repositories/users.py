"""The ``users`` table: insert, look up, list, update and delete (rules live in api.auth.users)."""

from __future__ import annotations

from collections.abc import Sequence

from sqlalchemy import text
from sqlalchemy.orm import Session

_COLUMNS = (
    "id, name, role, provinces, active, created_at, session_epoch, "
    "password_hash IS NOT NULL AS has_password"
)
# Each update is one fixed statement (the SET clause is never built from input).
_UPDATES = {
    "active": "active = :v, session_epoch = session_epoch + CASE WHEN :v THEN 0 ELSE 1 END",
    "provinces": "provinces = :v",
    "password": "password_hash = :v, session_epoch = session_epoch + 1",
}


def insert_user(
    session: Session, name: str, role: str, provinces: Sequence[str], password_hash: str | None
) -> dict:
    """Insert a user and return it (IntegrityError when the name is taken)."""
    row = (
        session.execute(
            text(
                "INSERT INTO users (name, role, provinces, password_hash) "
                f"VALUES (:n, :r, :p, :h) RETURNING {_COLUMNS}"
            ),
            {"n": name, "r": role, "p": list(provinces), "h": password_hash},
        )
        .mappings()
        .one()
    )
    return dict(row)


def known_province_codes(session: Session, codes: Sequence[str], version: str) -> set[str]:
    """Those of ``codes`` that admin ``version`` has."""
    rows = session.execute(
        text("SELECT code FROM provinces WHERE admin_version = :v AND code = ANY(:c)"),
        {"v": version, "c": list(codes)},
    ).scalars()
    return set(rows)


def absorbed_codes(session: Session, codes: Sequence[str]) -> list[dict]:
    """Those of ``codes`` that are 2008-63 provinces merged into a 2025-34 one (``code``,
    ``name_vi``, ``parent_code_2025``), by code."""
    rows = session.execute(
        text(
            "SELECT code, name_vi, parent_code_2025 FROM provinces WHERE admin_version = "
            "'2008-63' AND code = ANY(:c) AND parent_code_2025 IS NOT NULL ORDER BY code"
        ),
        {"c": list(codes)},
    ).mappings()
    return [dict(r) for r in rows]


def list_users(session: Session) -> list[dict]:
    """Every user with the number of live tokens, by name."""
    rows = session.execute(
        text(
            f"SELECT {_COLUMNS}, (SELECT count(*) FROM api_tokens t WHERE t.user_id = users.id "
            "AND t.revoked_at IS NULL AND (t.expires_at IS NULL OR t.expires_at > now())) "
            "AS live_tokens FROM users ORDER BY name"
        )
    ).mappings()
    return [dict(r) for r in rows]


def get_user(
    session: Session, *, user_id: int | None = None, name: str | None = None
) -> dict | None:
    """The user with this id or name (active or not, password hash included), or None."""
    where = "id = :v" if user_id is not None else "name = :v"
    row = (
        session.execute(
            text(f"SELECT {_COLUMNS}, password_hash FROM users WHERE {where}"),
            {"v": user_id if user_id is not None else name},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def update_user(session: Session, user_id: int, what: str, value: object) -> dict:
    """Set ``what`` (active, provinces or password, see ``_UPDATES``) and return the user."""
    row = (
        session.execute(
            text(f"UPDATE users SET {_UPDATES[what]} WHERE id = :i RETURNING {_COLUMNS}"),
            {"i": user_id, "v": value},
        )
        .mappings()
        .one()
    )
    return dict(row)


def delete_user(session: Session, user_id: int) -> None:
    session.execute(text("DELETE FROM users WHERE id = :i"), {"i": user_id})


def other_active_admins(session: Session, user_id: int) -> int:
    """How many active admins there are besides user ``user_id``."""
    return int(
        session.execute(
            text("SELECT count(*) FROM users WHERE role = 'admin' AND active AND id <> :i"),
            {"i": user_id},
        ).scalar_one()
    )
