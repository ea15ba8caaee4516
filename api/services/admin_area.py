"""The admin version and province a request names must exist (light: no analysis imports)."""

from __future__ import annotations

from sqlalchemy.orm import Session

from api.db.repositories import provinces as provinces_repo
from geo.vocabulary import check_admin_version, check_province


def check_admin_area(session: Session, version: str, province: str | None) -> None:
    """Raise ``AdminVersionError`` (422) for an unknown admin version and
    ``UnknownProvinceError`` (404) for a province code unknown in it (``None`` checks the
    version only). The CLI, the routes and the report jobs all check through here."""
    check_admin_version(version)
    if province is not None:
        check_province(province, provinces_repo.codes(session, version), version)
