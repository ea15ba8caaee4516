"""The authenticated caller and the roles a caller can have."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Final

ROLES: Final = ("viewer", "editor", "admin")
_RANK: Final = {role: rank for rank, role in enumerate(ROLES, start=1)}


@dataclass(frozen=True)
class Principal:
    """Who a request acts for.

    ``via`` says how they proved it: ``token`` (Bearer API token), ``session`` (login cookie)
    or ``local`` (the ``local_user`` setting on a loopback request). ``provinces`` are the
    2025-34 province codes an editor may write; an admin writes everywhere.
    """

    user_id: int
    name: str
    role: str
    provinces: tuple[str, ...] = ()
    via: str = "token"
    token_id: int | None = None
    csrf: str | None = None

    def has_role(self, role: str) -> bool:
        """True when this caller's role is ``role`` or a stronger one."""
        return _RANK.get(self.role, 0) >= _RANK[role]

    @property
    def is_ambient(self) -> bool:
        """Credentials a browser sends by itself (cookie, local), so posts need a CSRF token."""
        return self.via in ("session", "local")

    def may_write_province(self, code: str) -> bool:
        return self.role == "admin" or (self.role == "editor" and code in self.provinces)
