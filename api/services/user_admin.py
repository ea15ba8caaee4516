"""What an admin does to users, from the CLI or the admin page: each change and its audit row in
the same transaction (a change that fails leaves no audit row and the users as they were)."""

from __future__ import annotations

from typing import Final

from sqlalchemy.orm import Session

from api.auth import audit
from api.auth import users as users_auth
from api.auth.principal import Principal
from api.errors import InvalidParameterError

ACTIONS: Final = ("add", "remove", "disable", "enable", "set-provinces", "set-password")


def parse_provinces(text: str) -> list[str]:
    """Province codes typed in one box: ``"01, 79 48"`` → ``["01", "79", "48"]``."""
    return [code for code in text.replace(",", " ").split() if code]


def apply(
    session: Session,
    action: str,
    name: str,
    *,
    principal: Principal,
    client_ip: str | None,
    role: str = "viewer",
    provinces: str = "",
    password: str = "",
) -> dict:
    """Carry out ``action`` on the user ``name`` and audit it; return the user as it is now
    (as it was, for ``remove``)."""
    details: dict[str, object] = {}
    if action == "add":
        user = users_auth.create_user(
            session,
            name,
            role=role,
            provinces=parse_provinces(provinces),
            password=password or None,
        )
        details = {"role": role, "provinces": list(user["provinces"])}
    elif action == "remove":
        user = users_auth.remove_user(session, name)
    elif action in ("disable", "enable"):
        user = users_auth.set_active(session, name, active=action == "enable")
    elif action == "set-provinces":
        before = list(users_auth.require_user(session, name)["provinces"])
        user = users_auth.set_provinces(session, name, parse_provinces(provinces))
        details = {"before": before, "after": list(user["provinces"])}
    elif action == "set-password":
        user = users_auth.set_password(session, name, password)
    else:
        raise InvalidParameterError(f"unknown action {action!r}: use one of {ACTIONS}")
    audit.record(
        session,
        f"user.{action.replace('-', '_')}",
        principal=principal,
        target=f"user:{name}",
        client_ip=client_ip,
        details=details,
    )
    return user
