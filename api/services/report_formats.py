"""Reports in every format: the national report (pdf, html, docx, xlsx) and the editable
province report (docx, xlsx). Each written report is recorded, so the next one of the same
area can say what changed since."""

from __future__ import annotations

import datetime as dt

from sqlalchemy.orm import Session

from api.errors import InvalidParameterError
from api.settings import Settings
from web.i18n import normalize_lang
from web.report.document import Letterhead, ReportDocument

NATIONAL_FORMATS = ("pdf", "html", "docx", "xlsx")
EDITABLE_FORMATS = ("docx", "xlsx")
MEDIA_TYPES = {
    "pdf": "application/pdf",
    "html": "text/html; charset=utf-8",
    "docx": "application/vnd.openxmlformats-officedocument.wordprocessingml.document",
    "xlsx": "application/vnd.openxmlformats-officedocument.spreadsheetml.sheet",
}


def check_format(fmt: str, allowed: tuple[str, ...]) -> None:
    if fmt not in allowed:
        raise InvalidParameterError(
            f"unknown report format '{fmt}': use {', '.join(allowed)}", parameter="format"
        )


def letterhead(settings: Settings) -> Letterhead:
    """The Decree 30 frame from the settings (``ZONEMAP_REPORT_*``)."""
    return Letterhead(
        agency=settings.report_agency,
        parent_agency=settings.report_parent_agency,
        number=f"      /{settings.report_number_symbol}",  # the number is given at registration
        place=settings.report_place,
        addressee=settings.report_addressee,
        recipients=tuple(settings.report_recipients),
        signer_title=settings.report_signer_title,
        signer_name=settings.report_signer_name,
    )


def render_national(
    session: Session,
    settings: Settings,
    *,
    version: str,
    fmt: str,
    lang: str = "vi",
    since: dt.date | None = None,
    today: dt.date | None = None,
) -> bytes:
    """The national report of admin ``version`` as ``fmt`` bytes, recorded once written."""
    from api.services.national_report import build_national_report, record_report
    from web.report.national_text import national_document

    check_format(fmt, NATIONAL_FORMATS)
    lang = normalize_lang(lang)
    report = build_national_report(session, version=version, since=since, today=today)
    document = national_document(report, lang, with_map=fmt != "xlsx")
    data = render_document(document, fmt, letterhead(settings))
    record_report(session, report, fmt=fmt, lang=lang)
    return data


def render_province_editable(
    session: Session,
    settings: Settings,
    code: str,
    *,
    version: str,
    fmt: str,
    lang: str = "vi",
    since: dt.date | None = None,
    today: dt.date | None = None,
) -> bytes:
    """The report of province ``code`` as DOCX or XLSX bytes, recorded once written."""
    from api.services.province_document import build_province_document

    check_format(fmt, EDITABLE_FORMATS)
    lang = normalize_lang(lang)
    document = build_province_document(
        session, code, version=version, lang=lang, since=since, today=today, fmt=fmt
    )
    return render_document(document, fmt, letterhead(settings))


def render_document(document: ReportDocument, fmt: str, head: Letterhead) -> bytes:
    if fmt == "docx":
        from web.report.docx import render_docx

        return render_docx(document, head)
    if fmt == "xlsx":
        from web.report.xlsx import render_xlsx

        return render_xlsx(document)
    from web.report.document_render import render_document_html, render_document_pdf

    if fmt == "html":
        return render_document_html(document).encode("utf-8")
    return render_document_pdf(document)
