"""Reads and writes for the national report and for what changed between two dates: zone
totals per province, the record of written reports, and the register's changes after a date.

The analysis results (runs, flags) are read through ``api.db.repositories.analysis``; only
the run in force at an earlier time is found here.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.sql import query


def zone_totals(session: Session, *, version: str) -> list[dict[str, Any]]:
    """Counts and areas (ha) per province, kind and status of admin ``version``."""
    rows = session.execute(query("national_zone_totals"), {"version": version}).mappings()
    return [dict(r) for r in rows]


def data_dates(session: Session) -> tuple[dt.date | None, dt.date | None]:
    """The first and the last date the register holds anything (None when it is empty)."""
    row = session.execute(query("report_data_dates")).one()
    return row.first_on, row.last_on


def run_as_of(
    session: Session, *, version: str, province: str | None, before: dt.datetime
) -> dict | None:
    """The newest complete run covering ``province`` that finished before ``before``."""
    row = (
        session.execute(
            text(
                "SELECT * FROM analysis_runs WHERE status = 'complete' AND admin_version = :v "
                "AND (province_code IS NULL OR province_code = :p) AND finished_at < :before "
                "ORDER BY finished_at DESC, id DESC LIMIT 1"
            ),
            {"v": version, "p": province, "before": before},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def changes(session: Session, name: str, *, since: dt.date, codes: list[str] | None) -> list[dict]:
    """Rows of ``changes_<name>.sql`` after ``since`` among zone ``codes`` (None: all)."""
    rows = session.execute(query(f"changes_{name}"), {"since": since, "codes": codes}).mappings()
    return [dict(r) for r in rows]


def record(
    session: Session,
    *,
    area: str,
    version: str,
    fmt: str,
    lang: str,
    since: dt.date | None,
    run_ids: list[int],
    zone_codes: list[str],
) -> int:
    return session.execute(
        text(
            "INSERT INTO report_records (area, admin_version, format, lang, since, run_ids, "
            "zone_codes) VALUES (:a, :v, :f, :l, :since, :runs, :codes) RETURNING id"
        ),
        {
            "a": area,
            "v": version,
            "f": fmt,
            "l": lang,
            "since": since,
            "runs": run_ids,
            "codes": zone_codes,
        },
    ).scalar_one()


def previous_record(
    session: Session, *, area: str, version: str, before: dt.datetime
) -> dict | None:
    """The newest report of ``area`` (a province code or 'national') and ``version`` written
    before ``before``."""
    row = (
        session.execute(
            text(
                "SELECT id, generated_at, zone_codes FROM report_records WHERE area = :a "
                "AND admin_version = :v AND generated_at < :before "
                "ORDER BY generated_at DESC, id DESC LIMIT 1"
            ),
            {"a": area, "v": version, "before": before},
        )
        .mappings()
        .first()
    )
    return dict(row) if row else None


def _run_params(runs: dict[str, int]) -> dict[str, list]:
    provinces = sorted(runs)
    return {"runs": [runs[p] for p in provinces], "provinces": provinces}


def flag_counts(session: Session, runs: dict[str, int]) -> list[dict[str, Any]]:
    """Flag counts of ``runs`` (``{province code: run id}``): rows per province, per rule and
    for all (``by_province``, ``by_rule``)."""
    rows = session.execute(query("national_flags"), _run_params(runs)).mappings()
    return [dict(r) for r in rows]


def critical_flags(session: Session, runs: dict[str, int]) -> list[dict[str, Any]]:
    """The critical flags of ``runs`` (``{province code: run id}``) with zone name and kind."""
    rows = session.execute(query("national_critical_flags"), _run_params(runs)).mappings()
    return [dict(r) for r in rows]


def flag_keys(session: Session, run_id: int, *, province: str | None) -> list[dict[str, Any]]:
    """Zone, province, rule, severity and zone name of every flag of a run (one province or
    all), without the messages and details: what comparing two runs needs."""
    rows = session.execute(query("flag_keys"), {"run": run_id, "province": province}).mappings()
    return [dict(r) for r in rows]
