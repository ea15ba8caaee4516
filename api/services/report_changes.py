"""What changed since an earlier date, for a national or a province report.

The date is the reader's (``--since``) or, by default, the day of the previous report of the
same area (a province or the whole country) written before today (every written report is
recorded in ``report_records``).
Zones added are those entered in the register after the date; zones removed are the codes the
report recorded on or before the date covered and the register no longer holds; planning
boundaries re-approved and footprints observed come from their own dates; flags raised and
cleared compare the current analysis results with the run in force at the end of that date.
"""

from __future__ import annotations

import datetime as dt
from typing import Any

from sqlalchemy.orm import Session

from api.db.repositories import report_records as repo
from api.errors import InvalidParameterError
from web.report.changes_model import ReportChanges


def parse_since(value: str | None) -> dt.date | None:
    """``YYYY-MM-DD`` as a date; InvalidParameterError naming the parameter otherwise."""
    if value is None or value == "":
        return None
    try:
        return dt.date.fromisoformat(value)
    except ValueError as exc:
        raise InvalidParameterError(
            f"since '{value}' is not a date: write it as YYYY-MM-DD, e.g. 2026-01-31",
            parameter="since",
        ) from exc


def changes_since(
    session: Session,
    *,
    area: str,
    version: str,
    since: dt.date | None,
    codes: list[str],
    province: str | None,
    current_runs: dict[str, int],
    now: dt.datetime | None = None,
) -> ReportChanges | None:
    """Changes after ``since`` among zone ``codes`` (the report's zones; every zone for the
    whole country); ``current_runs`` maps each province to the run its report reads. None
    when no date is given and no earlier report exists.

    Raises InvalidParameterError when ``since`` lies before anything the register holds.
    """
    now = now or dt.datetime.now(dt.UTC)
    basis = "given"
    if since is None:
        start_of_today = dt.datetime.combine(now.date(), dt.time(), tzinfo=dt.UTC)
        previous = repo.previous_record(session, area=area, version=version, before=start_of_today)
        if previous is None:
            return None
        since, basis = previous["generated_at"].date(), "previous_report"
    else:
        _check_since(session, since)
    end_of_since = dt.datetime.combine(since + dt.timedelta(days=1), dt.time(), tzinfo=dt.UTC)
    selection = None if area == "national" else codes
    raised, cleared, baseline = _flag_changes(
        session, version=version, province=province, before=end_of_since, current_runs=current_runs
    )
    return ReportChanges(
        since=since,
        basis=basis,
        zones_added=repo.changes(session, "zones_added", since=since, codes=selection),
        zones_removed=_removed(session, area, version, end_of_since, codes),
        boundaries=repo.changes(session, "boundaries", since=since, codes=selection),
        footprints=repo.changes(session, "footprints", since=since, codes=selection),
        flags_raised=raised,
        flags_cleared=cleared,
        baseline_run=baseline,
    )


def _check_since(session: Session, since: dt.date) -> None:
    first, _last = repo.data_dates(session)
    if first is None:
        raise InvalidParameterError(
            "the register holds no data yet, so there is nothing to compare: load zones "
            "(zonemap import or zonemap demo) before asking for changes",
            parameter="since",
        )
    if since < first:
        raise InvalidParameterError(
            f"since {since.isoformat()} is before any data: the register starts on "
            f"{first.isoformat()}; choose a date on or after it",
            parameter="since",
        )


def _removed(
    session: Session, area: str, version: str, before: dt.datetime, codes: list[str]
) -> list[str] | None:
    earlier = repo.previous_record(session, area=area, version=version, before=before)
    if earlier is None:
        return None
    return sorted(set(earlier["zone_codes"]) - set(codes))


def _flag_changes(
    session: Session,
    *,
    version: str,
    province: str | None,
    before: dt.datetime,
    current_runs: dict[str, int],
) -> tuple[list[dict] | None, list[dict] | None, dict | None]:
    """Flags in the current results and not in the run in force at ``before`` (raised), and
    the reverse (cleared); None when no run had finished by then."""
    baseline = repo.run_as_of(session, version=version, province=province, before=before)
    if baseline is None:
        return None, None, None
    if set(current_runs.values()) <= {baseline["id"]}:
        return [], [], baseline  # the same analysis: nothing raised or cleared
    current = []
    for run_id in sorted(set(current_runs.values())):
        rows = repo.flag_keys(session, run_id, province=province)
        current += [r for r in rows if current_runs.get(r["province_code"]) == run_id]
    earlier = repo.flag_keys(session, baseline["id"], province=province)
    now_keys = {_key(f): f for f in current}
    then_keys = {_key(f): f for f in earlier}
    raised = [f for k, f in now_keys.items() if k not in then_keys]
    cleared = [f for k, f in then_keys.items() if k not in now_keys]
    return raised, cleared, baseline


def _key(flag: dict[str, Any]) -> tuple[str, str, str]:
    return (flag.get("zone_code") or "", flag.get("province_code") or "", flag["code"])
