"""Web pages: views of the API's data, rendered by ``web``. Unknown codes get a 404 page in the
visitor's language."""

from typing import Annotated

from fastapi import APIRouter, Depends, Query, Request
from fastapi.responses import HTMLResponse

from api.auth.principal import Principal
from api.deps import ReadSessionDep, SessionDep, SettingsDep, require_editor_page
from api.params import VersionDep
from api.services import pages as svc
from web.i18n import normalize_lang

router = APIRouter(tags=["pages"])
LangQuery = Annotated[str | None, Query(description="vi (default) or en")]
ModeQuery = Annotated[
    str | None, Query(pattern="^(tiles|geojson)$", description="Force vector tiles or GeoJSON")
]


@router.get("/", response_class=HTMLResponse, operation_id="pages-home")
def home(
    session: ReadSessionDep, settings: SettingsDep, lang: LangQuery = None, mode: ModeQuery = None
) -> HTMLResponse:
    return HTMLResponse(svc.national_page(session, settings, lang=normalize_lang(lang), mode=mode))


@router.get("/provinces/{code}", response_class=HTMLResponse, operation_id="pages-province")
def province(
    session: ReadSessionDep,
    settings: SettingsDep,
    code: str,
    version: VersionDep,
    lang: LangQuery = None,
    mode: ModeQuery = None,
) -> HTMLResponse:
    chosen = normalize_lang(lang)
    html = svc.province_page(session, settings, code, lang=chosen, mode=mode, version=version)
    if html is None:
        page = svc.not_found_page(lang=chosen, what="province", code=code, version=version)
        return HTMLResponse(page, 404)
    return HTMLResponse(html)


@router.get("/zones/{code}", response_class=HTMLResponse, operation_id="pages-zone")
def zone(session: ReadSessionDep, code: str, lang: LangQuery = None) -> HTMLResponse:
    chosen = normalize_lang(lang)
    html = svc.zone_page(session, code, lang=chosen)
    if html is None:
        return HTMLResponse(svc.not_found_page(lang=chosen, what="zone", code=code), 404)
    return HTMLResponse(html)


@router.get("/upload", response_class=HTMLResponse, operation_id="pages-upload")
def upload(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    editor: Annotated[Principal, Depends(require_editor_page)],
    lang: LangQuery = None,
) -> HTMLResponse:
    html = svc.upload_page(
        session,
        settings,
        lang=normalize_lang(lang),
        principal=editor,
        csrf_token=request.state.csrf_token,
    )
    return HTMLResponse(html)
