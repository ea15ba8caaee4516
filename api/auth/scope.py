"""Province scopes, enforced where zone data is written.

Two layers, both in the database transaction of the write:

1. ``check_upload_scope`` / ``check_rollback_scope``: one set-based query lists the provinces
   an upload (or its rollback) would touch, and anything outside the editor's provinces raises
   ForbiddenError before a row is written, so the whole request writes nothing.
2. ``write_scope``: the writes themselves run as the database role ``zonemap_writer`` (``SET
   LOCAL ROLE``), with ``zonemap.user_role``/``zonemap.user_provinces`` set for the transaction.
   Row-level security policies (migration 0006) then refuse any insert, update or delete of a
   zone, planning boundary or footprint outside the scope, whatever the Python code above does.
   The app's own login (``postgres``, the table owner) bypasses RLS, which is why the role
   switch is needed; the CLI keeps running as the owner (an operator at the console).
"""

from __future__ import annotations

from collections.abc import Iterator
from contextlib import contextmanager

from sqlalchemy.orm import Session

from api.auth.principal import Principal
from api.db.repositories import write_scope as repo
from api.db.repositories.write_scope import WRITER_ROLE
from api.errors import ForbiddenError

__all__ = ["WRITER_ROLE", "check_rollback_scope", "check_upload_scope", "write_scope"]


def check_upload_scope(session: Session, upload_id: int, principal: Principal) -> None:
    """Raise ForbiddenError when the staged upload touches zones outside the caller's provinces.

    The province a feature names, the province holding most of its geometry, and the province
    of the stored zone with its code all count, so an editor can neither add zones elsewhere
    (whatever province they declare) nor move someone else's zone into their scope.
    """
    provinces = repo.upload_provinces(session, upload_id)
    _refuse_outside(principal, provinces, "this upload")  # refused: it never enters the history


def check_rollback_scope(session: Session, upload_id: int, principal: Principal) -> None:
    """Raise ForbiddenError when undoing ``upload_id`` would change zones outside the scope."""
    provinces = repo.rollback_provinces(session, upload_id)
    _refuse_outside(principal, provinces, f"the rollback of upload {upload_id}")


def _refuse_outside(principal: Principal, provinces: list[str], what: str) -> None:
    if not principal.has_role("editor"):
        raise ForbiddenError(f"{principal.name} is a {principal.role}: writing needs an editor.")
    outside = [p for p in provinces if not principal.may_write_province(p)]
    if outside:
        error = ForbiddenError(
            f"{what[0].upper()}{what[1:]} touches zones of province(s) {', '.join(outside)}, but "
            f"{principal.name} may write only province(s) "
            f"{', '.join(principal.provinces) or '(none)'}. Nothing was written; ask an admin, or "
            "upload only your provinces' zones.",
            code="outside_province_scope",
        )
        error.details = {"outside": outside, "allowed": list(principal.provinces)}  # type: ignore[attr-defined]
        raise error


@contextmanager
def write_scope(session: Session, principal: Principal) -> Iterator[None]:
    """Run the block as ``zonemap_writer`` with the caller's role and provinces, in a savepoint.

    On an error the savepoint is rolled back (nothing the block wrote stays, and the role
    switch is undone); on success the role and settings are reset before the savepoint is
    released, so the rest of the transaction runs as before.
    """
    savepoint = session.begin_nested()
    try:
        repo.become_writer(session, principal.role, ",".join(principal.provinces))
        yield
        repo.stop_writing(session)
    except BaseException:
        if savepoint.is_active:
            savepoint.rollback()
        raise
    savepoint.commit()
