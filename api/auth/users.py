"""Users: create, list, look up, check a password, and administer them (remove, disable or
enable, re-scope, set a password). Roles and province scopes are validated here (an editor
needs at least one existing 2025-34 province; viewers and admins have none).

Disabling a user or setting their password bumps their ``session_epoch``: every login session
issued before stops working at once (tokens of a disabled user are refused while it is
disabled; removing a user deletes their tokens). The last active admin cannot be removed or
disabled, so the platform always keeps someone who can administer it."""

from __future__ import annotations

import re
from collections.abc import Sequence

from sqlalchemy.exc import IntegrityError
from sqlalchemy.orm import Session

from api.auth.passwords import hash_password, verify_password
from api.auth.principal import ROLES, Principal
from api.db.repositories import users as repo
from api.errors import ConflictError, InvalidParameterError, NotFoundError
from geo.vocabulary import ZONE_PROVINCE_VERSION

_NAME = re.compile(r"^[A-Za-z0-9_.@-]{1,64}$")


def create_user(
    session: Session,
    name: str,
    *,
    role: str,
    provinces: Sequence[str] = (),
    password: str | None = None,
) -> dict:
    """Insert a user and return it (without the password hash).

    Raises InvalidParameterError for a bad name, role or province, ConflictError when the
    name is taken.
    """
    codes = _check(session, name, role, provinces)
    hashed = hash_password(password) if password else None
    try:
        with session.begin_nested():
            return repo.insert_user(session, name, role, codes, hashed)
    except IntegrityError as exc:
        raise ConflictError(f"a user named {name!r} already exists", parameter="name") from exc


def _check(session: Session, name: str, role: str, provinces: Sequence[str]) -> tuple[str, ...]:
    if not _NAME.match(name):
        raise InvalidParameterError(
            "a user name has 1-64 letters, digits or . _ @ -", parameter="name"
        )
    if role not in ROLES:
        raise InvalidParameterError(f"role must be one of {', '.join(ROLES)}", parameter="role")
    codes = tuple(sorted({p.strip().zfill(2) for p in provinces if p.strip()}))
    if role != "editor":
        if codes:
            raise InvalidParameterError(f"a {role} has no province scope", parameter="province")
        return ()
    if not codes:
        raise InvalidParameterError("an editor needs at least one --province", parameter="province")
    known = repo.known_province_codes(session, codes, ZONE_PROVINCE_VERSION)
    unknown = [c for c in codes if c not in known]
    if unknown:
        raise InvalidParameterError(
            f"unknown {ZONE_PROVINCE_VERSION} province code(s): {', '.join(unknown)}"
            f"{_hint(session, unknown)}",
            parameter="province",
        )
    return codes


def _hint(session: Session, codes: list[str]) -> str:
    """Name the 2025-34 province that absorbed a 2008-63 code, the usual mistake."""
    hints = [
        f"{r['code']} ({r['name_vi']}) is a 2008-63 code, now {r['parent_code_2025']}"
        for r in repo.absorbed_codes(session, codes)
    ]
    return f" ({'; '.join(hints)})" if hints else ""


def list_users(session: Session) -> list[dict]:
    """Every user with the number of live tokens, by name."""
    return repo.list_users(session)


def get_user(
    session: Session, *, user_id: int | None = None, name: str | None = None
) -> dict | None:
    """The user with this id or name (active or not), or None."""
    return repo.get_user(session, user_id=user_id, name=name)


def require_user(session: Session, name: str) -> dict:
    """The user named ``name``, or NotFoundError naming them and how to list users."""
    user = get_user(session, name=name)
    if user is None:
        raise NotFoundError(f"there is no user named {name!r}: `zonemap user list` shows them")
    return user


def remove_user(session: Session, name: str) -> dict:
    """Delete the user ``name`` (their tokens go with them; audit rows keep the name)."""
    user = require_user(session, name)
    _keep_an_admin(session, user)
    repo.delete_user(session, user["id"])
    return user


def set_active(session: Session, name: str, *, active: bool) -> dict:
    """Enable or disable the user ``name``; disabling ends their sessions at once."""
    user = require_user(session, name)
    if not active:
        _keep_an_admin(session, user)
    return repo.update_user(session, user["id"], "active", active)


def set_provinces(session: Session, name: str, provinces: Sequence[str]) -> dict:
    """Give the editor ``name`` a new province scope (2025-34 codes, at least one)."""
    user = require_user(session, name)
    codes = _check(session, name, user["role"], provinces)
    return repo.update_user(session, user["id"], "provinces", list(codes))


def set_password(session: Session, name: str, password: str) -> dict:
    """Set the web-login password of ``name``; their existing sessions end at once."""
    from api.auth.passwords import MIN_PASSWORD_LENGTH

    if len(password) < MIN_PASSWORD_LENGTH:
        raise InvalidParameterError(
            f"a password needs at least {MIN_PASSWORD_LENGTH} characters", parameter="password"
        )
    user = require_user(session, name)
    return repo.update_user(session, user["id"], "password", hash_password(password))


def _keep_an_admin(session: Session, user: dict) -> None:
    if user["role"] != "admin" or not user["active"]:
        return
    if not repo.other_active_admins(session, user["id"]):
        raise ConflictError(
            f"{user['name']} is the last active admin: make another admin first "
            "(`zonemap user add NAME --role admin`)",
            parameter="name",
        )


def principal_of(
    user: dict, *, via: str, token_id: int | None = None, csrf: str | None = None
) -> Principal:
    return Principal(
        user_id=int(user["id"]),
        name=user["name"],
        role=user["role"],
        provinces=tuple(user["provinces"] or ()),
        via=via,
        token_id=token_id,
        csrf=csrf,
    )


def authenticate(session: Session, name: str, password: str) -> dict | None:
    """The active user when ``password`` is theirs, else None (same work either way)."""
    user = get_user(session, name=name)
    stored = user["password_hash"] if user else None
    ok = verify_password(password, stored or _DUMMY_HASH)
    return user if ok and user is not None and user["active"] and stored else None


# Verified against when the user does not exist, so a login takes as long for a wrong name.
_DUMMY_HASH = "scrypt$16384$8$1$" + "A" * 22 + "==$" + "A" * 43 + "="
