"""Province reports over HTTP: ``GET /api/provinces/{code}/report.pdf`` and ``.html``."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse, Response

from api.deps import SessionDep
from api.params import VersionDep
from api.services.report_changes import parse_since
from api.services.reports import render_report
from web.i18n import normalize_lang

router = APIRouter(prefix="/api", tags=["reports"])
LangQuery = Annotated[str | None, Query(description="vi (default) or en")]
SinceQuery = Annotated[str | None, Query(description="Changes since this date, YYYY-MM-DD")]


@router.get(
    "/provinces/{code}/report.pdf", operation_id="reports-province-pdf", response_class=Response
)
def province_report_pdf(
    session: SessionDep,
    code: str,
    version: VersionDep,
    lang: LangQuery = None,
    since: SinceQuery = None,
) -> Response:
    language = normalize_lang(lang)
    data = render_report(
        session,
        code,
        version=version,
        lang=language,
        fmt="pdf",
        since=parse_since(since),
        record=True,
    )
    filename = f"province_{code}_{version}_{language}.pdf"
    return Response(
        data,
        media_type="application/pdf",
        headers={"Content-Disposition": f'inline; filename="{filename}"'},
    )


@router.get(
    "/provinces/{code}/report.html",
    operation_id="reports-province-html",
    response_class=HTMLResponse,
)
def province_report_html(
    session: SessionDep,
    code: str,
    version: VersionDep,
    lang: LangQuery = None,
    since: SinceQuery = None,
) -> HTMLResponse:
    language = normalize_lang(lang)
    back = f"/provinces/{quote(code)}?version={version}&lang={language}"
    data = render_report(
        session,
        code,
        version=version,
        lang=language,
        fmt="html",
        since=parse_since(since),
        record=True,
        back_url=back,
    )
    return HTMLResponse(data.decode("utf-8"))
