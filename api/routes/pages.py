"""Web pages: views of the API's data, rendered by ``web``."""

from typing import Annotated

from fastapi import APIRouter, Query
from fastapi.responses import HTMLResponse

from api.db.repositories import zones as zones_repo
from api.deps import SessionDep, SettingsDep
from web.i18n import normalize_lang
from web.maps import LayerSpec
from web.pages import render_home_page

router = APIRouter(tags=["pages"])

HOME_LAYERS = (
    LayerSpec("layer.provinces", "/api/provinces?version={version}&simplified=true", "provinces"),
    LayerSpec("layer.zones", "/api/zones?version={version}&limit=10000&simplify_m=10", "zones"),
)


@router.get("/", response_class=HTMLResponse, operation_id="pages-home")
def home(
    session: SessionDep,
    settings: SettingsDep,
    lang: Annotated[str | None, Query(description="vi (default) or en")] = None,
) -> HTMLResponse:
    version = settings.default_admin_version
    layers = [LayerSpec(s.name, s.url.format(version=version), s.kind, s.show) for s in HOME_LAYERS]
    html = render_home_page(
        lang=normalize_lang(lang), layers=layers, bounds=None, tiles_url=settings.tiles_url,
        show_demo_notice=zones_repo.count(session, synthetic_only=True) > 0,
    )
    return HTMLResponse(html)
