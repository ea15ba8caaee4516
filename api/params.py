"""Query parameters as small dependencies that validate and raise domain errors."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated

from fastapi import Depends, Query

from api.deps import SessionDep, SettingsDep
from api.errors import InvalidParameterError
from api.services.admin_area import check_admin_area
from geo.bbox import BBox, read_bbox
from geo.vocabulary import check_admin_version


def parse_bbox(raw: str | None, *, parameter: str = "bbox") -> BBox | None:
    """``minlon,minlat,maxlon,maxlat`` in EPSG:4326 degrees (``geo.bbox``: 400 when bad)."""
    return None if raw is None else read_bbox(raw, parameter=parameter)


def admin_version(
    settings: SettingsDep,
    version: Annotated[str | None, Query(description="Admin boundary version")] = None,
) -> str:
    """``version``, or the ``default_admin_version`` setting when none is given."""
    return check_admin_version(version or settings.default_admin_version, parameter="version")


def bbox_query(
    bbox: Annotated[str | None, Query(description="minlon,minlat,maxlon,maxlat")] = None,
) -> BBox | None:
    return parse_bbox(bbox)


def choice(value: str | None, allowed: tuple[str, ...], parameter: str) -> str | None:
    if value is None or value in allowed:
        return value
    raise InvalidParameterError(
        f"unknown {parameter} '{value}': use one of {', '.join(allowed)}", parameter=parameter
    )


@dataclass(frozen=True)
class Pagination:
    limit: int
    offset: int


def pagination(
    limit: Annotated[int, Query(ge=1, le=10_000)] = 1000,
    offset: Annotated[int, Query(ge=0)] = 0,
) -> Pagination:
    return Pagination(limit, offset)


def province_code(session: SessionDep, version: str, code: str | None) -> str | None:
    """``code`` when admin ``version`` has it (``api.services.admin_area``: 404 otherwise)."""
    if code is not None:
        check_admin_area(session, version, code)
    return code


VersionDep = Annotated[str, Depends(admin_version)]
BBoxDep = Annotated[BBox | None, Depends(bbox_query)]
PaginationDep = Annotated[Pagination, Depends(pagination)]
