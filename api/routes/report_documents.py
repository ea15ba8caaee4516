"""The national report and the editable province reports over HTTP:
``GET /api/reports/national.{pdf,docx,xlsx,html}`` and
``GET /api/provinces/{code}/report.{docx,xlsx}``; ``?since=YYYY-MM-DD`` chooses the date the
changes are counted from (default: the previous report of the same area)."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import Response

from api.deps import SessionDep, SettingsDep
from api.params import VersionDep
from api.services.report_changes import parse_since
from api.services.report_formats import MEDIA_TYPES, render_national, render_province_editable
from web.i18n import normalize_lang

router = APIRouter(prefix="/api", tags=["reports"])
LangQuery = Annotated[str | None, Query(description="vi (default) or en")]
SinceQuery = Annotated[str | None, Query(description="Changes since this date, YYYY-MM-DD")]


def _file(data: bytes, fmt: str, filename: str) -> Response:
    disposition = "inline" if fmt in ("pdf", "html") else "attachment"
    headers = {"Content-Disposition": f'{disposition}; filename="{filename}"'}
    return Response(data, media_type=MEDIA_TYPES[fmt], headers=headers)


@router.get("/reports/national.{fmt}", operation_id="reports-national", response_class=Response)
def national_report(
    session: SessionDep,
    settings: SettingsDep,
    fmt: str,
    version: VersionDep,
    lang: LangQuery = None,
    since: SinceQuery = None,
) -> Response:
    language = normalize_lang(lang)
    data = render_national(
        session, settings, version=version, fmt=fmt, lang=language, since=parse_since(since)
    )
    return _file(data, fmt, f"national_{version}_{language}.{fmt}")


@router.get(
    "/provinces/{code}/report.{fmt}",
    operation_id="reports-province-editable",
    response_class=Response,
)
def province_report_editable(
    session: SessionDep,
    settings: SettingsDep,
    code: str,
    fmt: str,
    version: VersionDep,
    lang: LangQuery = None,
    since: SinceQuery = None,
) -> Response:
    language = normalize_lang(lang)
    data = render_province_editable(
        session, settings, code, version=version, fmt=fmt, lang=language, since=parse_since(since)
    )
    return _file(data, fmt, f"province_{code}_{version}_{language}.{fmt}")
