"""The editable province report (DOCX, XLSX): the province report's numbers as a report
document, with what changed since an earlier date; the written report is recorded."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api.services.reports import build_province_report, record_province_report
from web.report.document import ReportDocument
from web.report.province_document import province_document


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
    report = build_province_report(session, code, version=version, today=today, since=since)
    document = province_document(report, lang, with_map=fmt != "xlsx")
    record_province_report(session, report, fmt=fmt, lang=lang)
    return document
