"""The admin version and province a request names must exist (light: no analysis imports)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.db.repositories import provinces as provinces_repo
from api.errors import InvalidParameterError, NotFoundError
from api.settings import ADMIN_VERSIONS


def check_admin_area(session: Session, version: str, province: str | None) -> None:
    """Raise InvalidParameterError for an unknown admin version and NotFoundError for a
    province code unknown in it (``None`` checks the version only)."""
    if version not in ADMIN_VERSIONS:
        raise InvalidParameterError(
            f"unknown admin version '{version}': use one of {', '.join(ADMIN_VERSIONS)}",
            parameter="admin_version",
        )
    if province is not None and province not in provinces_repo.codes(session, version):
        raise NotFoundError(
            f"unknown province '{province}' in admin version {version}: see "
            f"/api/provinces?version={version} for the codes",
            parameter="province",
        )
