"""How current the analysis is: per province, when its flags were computed and what waits."""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from api.db.repositories import live_analysis as repo
from api.errors import InvalidParameterError
from api.services.admin_area import check_admin_area

CURRENT, PENDING, FAILED = "current", "pending", "failed"


def analysis_status(session: Session, version: str) -> dict[str, Any]:
    """``{"as_of", "pending", "failed", "provinces": [{"code", "as_of", "state", "error"}]}``.

    ``as_of`` is the time of the oldest province result the flags are made of; a province is
    ``pending`` while an edit waits for its job (or its result for the national combine), and
    ``failed`` when the last attempt at its newest edit failed (its previous flags stay).
    """
    check_admin_area(session, version, None)
    provinces = [_province(row) for row in repo.status_rows(session, version)]
    times = [p["as_of"] for p in provinces if p["as_of"] is not None]
    return {
        "admin_version": version,
        "as_of": min(times) if times else None,
        "pending": sum(p["state"] == PENDING for p in provinces),
        "failed": sum(p["state"] == FAILED for p in provinces),
        "provinces": provinces,
    }


def freshness(status: dict[str, Any], province: str | None = None) -> dict[str, Any]:
    """How current the flags of ``province`` (default: every province) are, from
    :func:`analysis_status`: ``as_of`` (ISO time of the oldest result read), ``state``
    (``failed`` if any failed, else ``pending`` if any waits, else ``current``), the
    ``pending`` and ``failed`` counts and each failure's message by province code."""
    rows = status["provinces"]
    if province is not None:
        rows = [p for p in rows if p["code"] == province]
    times = [p["as_of"] for p in rows if p["as_of"] is not None]
    pending = sum(p["state"] == PENDING for p in rows)
    failed = sum(p["state"] == FAILED for p in rows)
    return {
        "as_of": min(times) if times else None,
        "state": FAILED if failed else PENDING if pending else CURRENT,
        "pending": pending,
        "failed": failed,
        "errors": {p["code"] or "": p["error"] for p in rows if p["state"] == FAILED},
    }


def report_notices(fresh: dict[str, Any]) -> tuple[str, ...]:
    """The report notices (i18n keys) that say the flags are being updated or not current."""
    keys = ("report.notice.analysis_failed",) if fresh["failed"] else ()
    return keys + (("report.notice.analysis_pending",) if fresh["pending"] else ())


def province_state(status: dict[str, Any], code: str | None) -> dict[str, Any] | None:
    key = repo.key(code)
    return next((p for p in status["provinces"] if (p["code"] or "") == key), None)


def parse_as_of(value: str | None) -> str | None:
    """``as_of`` as the end of that day (a date) or that moment (an ISO time), in ISO text."""
    if value is None:
        return None
    try:
        if len(value) == 10:
            day = dt.date.fromisoformat(value)
            return dt.datetime.combine(day, dt.time.max, tzinfo=dt.UTC).isoformat()
        moment = dt.datetime.fromisoformat(value)
    except ValueError as exc:
        raise InvalidParameterError(
            f"as_of must be a date YYYY-MM-DD or an ISO time, not {value!r}", parameter="as_of"
        ) from exc
    return (moment if moment.tzinfo else moment.replace(tzinfo=dt.UTC)).isoformat()


def _province(row: dict) -> dict[str, Any]:
    dirty, done, failed = row["dirty_seq"], row["done_seq"], row["failed_seq"]
    state = CURRENT
    if done < dirty or row["snapshot_result_id"] != row["result_id"]:
        state = PENDING
    if failed is not None and failed >= dirty and done < dirty:
        state = FAILED
    as_of = row["snapshot_computed_at"]
    return {
        "code": repo.province_of(row["code"]),
        "as_of": as_of.isoformat() if as_of else None,
        "state": state,
        "error": _first_line(row["error"]) if state == FAILED else None,
        "flag_counts": row["flag_counts"],
    }


def _first_line(text: str | None) -> str | None:
    return text.split("\n")[0] if text else None
