"""The editable province report (DOCX, XLSX): the province report's numbers as a report
document, with what changed since an earlier date; the written report is recorded."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api.db.repositories import report_records as records_repo
from api.services.report_changes import changes_since
from api.services.reports import build_province_report
from web.province_document import province_document
from web.report_document import ReportDocument


def build_province_document(
    session: Session,
    code: str,
    *,
    version: str,
    lang: str,
    fmt: str,
    since: dt.date | None = None,
    today: dt.date | None = None,
) -> ReportDocument:
    """The report of province ``code`` as a document (see ``build_province_report`` for the
    errors), recorded as written in ``fmt``."""
    report = build_province_report(session, code, version=version, today=today)
    codes = [str(c) for c in report.zones["code"]]
    names = {row["code"]: row["name"] for row in report.rows}
    flags = [
        {**f, "zone_name": names.get(f["zone_code"])}
        for z in report.flagged
        for f in z["flag_items"]
    ] + list(report.province_flags)
    changes = changes_since(session, scope=code, version=version, since=since, codes=codes,
                            province=code, current_flags=flags)  # fmt: skip
    document = province_document(
        report, lang, changes=changes, data_date=records_repo.data_dates(session)[1],
        with_map=fmt != "xlsx",
    )  # fmt: skip
    records_repo.record(
        session, scope=code, version=version, fmt=fmt, lang=lang,
        since=changes.since if changes else None,
        run_ids=[report.run["id"]] if report.run else [], zone_codes=codes,
    )  # fmt: skip
    return document
