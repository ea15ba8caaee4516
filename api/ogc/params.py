"""Query parameters of OGC API - Features (Part 1, Part 2 CRS, Part 3 filters), validated into
typed values; every problem raises ``OgcInvalidParameterError`` naming the parameter."""

from __future__ import annotations

import datetime as dt

from api.errors import OgcInvalidParameterError
from api.ogc.values import CRS84, EPSG, BBoxIn, Interval, SupportedCrs, supported_crs
from geo.bbox import BBoxError, read_bbox

MAX_LIMIT = 10_000
DEFAULT_LIMIT = 100

__all__ = [
    "CRS84",
    "EPSG",
    "BBoxIn",
    "Interval",
    "SupportedCrs",
    "check_limit",
    "check_offset",
    "parse_bbox",
    "parse_crs",
    "parse_datetime",
    "supported_crs",
]


def parse_crs(raw: str | None, *, parameter: str = "crs") -> SupportedCrs:
    """A CRS URI (or ``EPSG:n`` / ``OGC:CRS84`` / ``[EPSG:n]``) among the supported ones."""
    if raw is None or raw == "":
        return supported_crs()[CRS84]
    key = raw.strip().strip("[]")
    if key.upper() in ("OGC:CRS84", "CRS84"):
        key = CRS84
    elif key.upper().startswith("EPSG:"):
        key = EPSG + key[5:]
    key = key.replace("https://", "http://")
    found = supported_crs().get(key)
    if found is None:
        raise OgcInvalidParameterError(
            f"{parameter} '{raw}' is not supported: use one of {', '.join(supported_crs())}",
            parameter=parameter,
        )
    return found


def parse_bbox(raw: str | None, crs: SupportedCrs, *, parameter: str = "bbox") -> BBoxIn | None:
    """The bbox in ``crs`` (axis order as the CRS defines it); degrees are range-checked."""
    if raw is None:
        return None
    try:
        xmin, ymin, xmax, ymax = read_bbox(
            raw,
            parameter=parameter,
            lat_first=crs.is_lat_first,
            in_degrees=crs.is_storage or crs.is_lat_first,
        )
    except BBoxError as exc:
        raise OgcInvalidParameterError(exc.message, parameter=exc.parameter) from None
    return BBoxIn(xmin, ymin, xmax, ymax, crs)


def parse_datetime(raw: str | None, *, parameter: str = "datetime") -> Interval | None:
    """RFC 3339 instant (date or date-time) or interval ``a/b`` with ``..`` open ends."""
    if raw is None:
        return None
    parts = raw.split("/")
    if len(parts) > 2 or (len(parts) == 2 and parts[0] in ("..", "") and parts[1] in ("..", "")):
        raise OgcInvalidParameterError(
            f"{parameter} must be an instant or an interval 'start/end' ('..' for an open end), "
            f"got '{raw}'",
            parameter=parameter,
        )
    values = [_instant(p, raw, parameter) for p in parts]
    start, end = (values[0], values[0]) if len(values) == 1 else values
    if start is not None and end is not None and _as_dt(start) > _as_dt(end):
        raise OgcInvalidParameterError(
            f"{parameter} interval ends before it starts: '{raw}'", parameter=parameter
        )
    return Interval(start, end)


def _instant(text: str, raw: str, parameter: str) -> dt.date | dt.datetime | None:
    if text in ("..", ""):
        return None
    try:
        if "T" in text.upper():
            value = dt.datetime.fromisoformat(text.upper().replace("Z", "+00:00"))
            return value if value.tzinfo else value.replace(tzinfo=dt.UTC)
        return dt.date.fromisoformat(text)
    except ValueError:
        raise OgcInvalidParameterError(
            f"{parameter} has an invalid RFC 3339 date or date-time '{text}' in '{raw}'",
            parameter=parameter,
        ) from None


def _as_dt(value: dt.date | dt.datetime) -> dt.datetime:
    if isinstance(value, dt.datetime):
        return value
    return dt.datetime(value.year, value.month, value.day, tzinfo=dt.UTC)


def check_limit(limit: int | None) -> int:
    if limit is None:
        return DEFAULT_LIMIT
    if not 1 <= limit <= MAX_LIMIT:
        raise OgcInvalidParameterError(
            f"limit must be between 1 and {MAX_LIMIT}, got {limit}", parameter="limit"
        )
    return limit


def check_offset(offset: int | None) -> int:
    if offset is None:
        return 0
    if offset < 0:
        raise OgcInvalidParameterError(
            f"offset must be 0 or more, got {offset}", parameter="offset"
        )
    return offset
