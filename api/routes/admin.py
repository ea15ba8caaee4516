"""The admin's user page: ``GET /admin/users`` and one ``POST`` per change (HTML forms carrying
the CSRF token). Every change is audited by `api.services.user_admin`; an answer in the page's
language says what happened or what to fix."""

from __future__ import annotations

from typing import Annotated
from urllib.parse import quote

from fastapi import APIRouter, Depends, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth.passwords import MIN_PASSWORD_LENGTH
from api.auth.principal import Principal
from api.auth.users import list_users
from api.db.repositories import zone_details as details_repo
from api.deps import CurrentPrincipal, LoginRedirect, SessionDep, check_csrf, client_ip
from api.errors import ConflictError, ForbiddenError, NotFoundError, ZonemapError
from api.services import user_admin
from geo.vocabulary import ZONE_PROVINCE_VERSION
from web.admin_page import render_admin_users_page
from web.i18n import normalize_lang, translate

router = APIRouter(tags=["admin"])
LangQuery = Annotated[str | None, Query(description="vi (default) or en")]
_STATUS = {NotFoundError: 404, ConflictError: 409}


def require_admin_page(request: Request, principal: CurrentPrincipal) -> Principal:
    """An admin, or a redirect to the login page (403 for a signed-in non-admin)."""
    if principal is None:
        raise LoginRedirect("/login?next=" + quote(request.url.path, safe=""))
    if not principal.has_role("admin"):
        raise ForbiddenError(f"{principal.name} is a {principal.role}; this page needs an admin.")
    return principal


AdminPageDep = Annotated[Principal, Depends(require_admin_page)]


@router.get("/admin/users", response_class=HTMLResponse, operation_id="admin-users-page")
def users_page(
    request: Request,
    session: SessionDep,
    admin: AdminPageDep,
    lang: LangQuery = None,
    done: str | None = None,
    name: str = "",
) -> HTMLResponse:
    chosen = normalize_lang(lang)
    message = None
    if done in user_admin.ACTIONS:
        message = translate(f"admin.done.{done}", chosen).format(name=name)
    return HTMLResponse(_page(request, session, admin, chosen, message=message))


@router.post("/admin/users", operation_id="admin-users-add", response_model=None)
def add_user(
    request: Request,
    session: SessionDep,
    admin: AdminPageDep,
    name: Annotated[str, Form()],
    role: Annotated[str, Form()] = "viewer",
    provinces: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    lang: Annotated[str | None, Form()] = None,
) -> Response:
    check_csrf(request, admin, csrf_token)
    form = {"role": role, "provinces": provinces, "password": password}
    return _change(request, session, admin, "add", name, normalize_lang(lang), form)


@router.post("/admin/users/{name}/{action}", operation_id="admin-users-change", response_model=None)
def change_user(
    request: Request,
    session: SessionDep,
    admin: AdminPageDep,
    name: str,
    action: str,
    provinces: Annotated[str, Form()] = "",
    password: Annotated[str, Form()] = "",
    csrf_token: Annotated[str, Form()] = "",
    lang: Annotated[str | None, Form()] = None,
) -> Response:
    check_csrf(request, admin, csrf_token)
    if action not in user_admin.ACTIONS or action == "add":
        return HTMLResponse(translate("error.not_found", normalize_lang(lang)), 404)
    form = {"provinces": provinces, "password": password}
    return _change(request, session, admin, action, name, normalize_lang(lang), form)


def _change(
    request: Request,
    session: SessionDep,
    admin: Principal,
    action: str,
    name: str,
    lang: str,
    form: dict[str, str],
) -> Response:
    try:
        with session.begin_nested():
            user_admin.apply(
                session, action, name, principal=admin, client_ip=client_ip(request), **form
            )
    except ZonemapError as exc:
        error = _error_text(exc, action, name, lang)
        page = _page(request, session, admin, lang, error=error)
        return HTMLResponse(page, status_code=_STATUS.get(type(exc), 400))
    to = f"/admin/users?lang={lang}&done={action}&name={quote(name, safe='')}"
    return RedirectResponse(to, status_code=303)


def _error_text(exc: ZonemapError, action: str, name: str, lang: str) -> str:
    if isinstance(exc, NotFoundError):
        key = "admin.error.not_found"
    elif isinstance(exc, ConflictError):
        key = "admin.error.last_admin" if action != "add" else "admin.error.conflict"
    elif exc.parameter in ("password", "name"):
        key = f"admin.error.{exc.parameter}"
    elif exc.parameter == "province":
        key = "admin.error.scope" if "no province scope" in exc.message else "admin.error.provinces"
    else:
        return exc.message
    return translate(key, lang).format(name=name, n=MIN_PASSWORD_LENGTH)


def _page(
    request: Request,
    session: SessionDep,
    admin: Principal,
    lang: str,
    *,
    message: str | None = None,
    error: str | None = None,
) -> str:
    names = {p["code"]: p for p in details_repo.province_names(session, ZONE_PROVINCE_VERSION)}
    return render_admin_users_page(
        lang=lang,
        users=list_users(session),
        province_names=names,
        csrf_token=request.state.csrf_token,
        me=admin.name,
        message=message,
        error=error,
    )
