"""Sign in and out of the web pages (``/login``, ``/logout``), who am I (``/api/auth/me``) and
the audit log for admins (``/api/audit``). Tokens and users are managed with the CLI."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Form, Query, Request
from fastapi.responses import HTMLResponse, RedirectResponse, Response

from api.auth import audit, throttle
from api.auth.sessions import csrf_matches, end_session, start_session
from api.auth.users import authenticate
from api.deps import (
    AdminDep,
    CurrentPrincipal,
    SessionDep,
    SettingsDep,
    ViewerDep,
    check_csrf,
    client_ip,
)
from api.errors import ForbiddenError
from web.i18n import normalize_lang, translate
from web.login_page import render_login_page

router = APIRouter(tags=["auth"])
LangQuery = Annotated[str | None, Query(description="vi (default) or en")]


@router.get("/login", response_class=HTMLResponse, operation_id="auth-login-page")
def login_page(
    request: Request, principal: CurrentPrincipal, lang: LangQuery = None, next: str = "/"
) -> HTMLResponse:
    html = render_login_page(
        lang=normalize_lang(lang),
        csrf_token=request.state.csrf_token,
        next_url=_safe_next(next),
        user_name=principal.name if principal else None,
    )
    return HTMLResponse(html)


@router.post("/login", operation_id="auth-login", response_model=None)
def login(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    name: Annotated[str, Form()],
    password: Annotated[str, Form()],
    csrf_token: Annotated[str, Form()] = "",
    next: Annotated[str, Form()] = "/",
    lang: Annotated[str | None, Form()] = None,
) -> Response:
    if not csrf_matches(request.state.csrf_token, csrf_token):
        raise ForbiddenError(
            "The login form has no valid CSRF token: reload the page.", code="csrf_failed"
        )
    chosen, ip = normalize_lang(lang), client_ip(request)
    refused = throttle.check_login(session, name, ip)
    if refused is not None:
        audit.record(
            session,
            "auth.login_throttled",
            actor=name[:64],
            client_ip=ip,
            details={"key": refused.key, "locked": refused.is_locked},
        )
        return _login_error(request, chosen, next, refused, status=429)
    user = authenticate(session, name, password)
    if user is None:
        failures = throttle.record_failure(session, name, ip)
        audit.record(
            session,
            "auth.login_failed",
            actor=name[:64],
            client_ip=ip,
            details={"failures": failures},
        )
        return _login_error(request, chosen, next, None, status=401)
    throttle.record_success(session, name)
    audit.record(
        session,
        "auth.login",
        actor=user["name"],
        user_id=int(user["id"]),
        client_ip=ip,
        target=f"user:{user['name']}",
    )
    response = RedirectResponse(_safe_next(next), status_code=303)
    start_session(
        response,
        int(user["id"]),
        request.app.state.secret_key,
        settings,
        epoch=int(user["session_epoch"]),
    )
    return response


@router.post("/logout", operation_id="auth-logout")
def logout(
    request: Request,
    session: SessionDep,
    settings: SettingsDep,
    principal: CurrentPrincipal,
    csrf_token: Annotated[str, Form()] = "",
    lang: Annotated[str | None, Form()] = None,
) -> RedirectResponse:
    if principal is not None and principal.via == "session":
        check_csrf(request, principal, csrf_token)
        audit.record(session, "auth.logout", principal=principal, client_ip=client_ip(request))
    response = RedirectResponse(f"/login?lang={normalize_lang(lang)}", status_code=303)
    end_session(response, settings)
    return response


@router.get("/api/auth/me", operation_id="auth-me")
def me(principal: ViewerDep) -> dict:
    return {
        "name": principal.name,
        "role": principal.role,
        "provinces": list(principal.provinces),
        "via": principal.via,
    }


@router.get("/api/audit", operation_id="audit-list")
def audit_log(
    session: SessionDep, _admin: AdminDep, limit: Annotated[int, Query(ge=1, le=1000)] = 100
) -> dict:
    rows = audit.recent(session, limit=limit)
    return {
        "entries": [
            {k: (v.isoformat() if hasattr(v, "isoformat") else v) for k, v in r.items()}
            for r in rows
        ]
    }


def _login_error(
    request: Request, lang: str, next_url: str, refused: throttle.Throttled | None, *, status: int
) -> HTMLResponse:
    if refused is None:
        message = translate("login.failed", lang)
    elif refused.is_locked:
        message = translate("login.locked", lang)
    else:
        message = translate("login.throttled", lang).format(seconds=refused.retry_after_s)
    html = render_login_page(
        lang=lang, csrf_token=request.state.csrf_token, next_url=_safe_next(next_url), error=message
    )
    headers = {"Retry-After": str(refused.retry_after_s)} if refused else {}
    return HTMLResponse(html, status_code=status, headers=headers)


def _safe_next(value: str | None) -> str:
    """Only a local path: never another site (``//evil``, ``https://...``, ``/\\evil``)."""
    if not value or not value.startswith("/") or value.startswith(("//", "/\\")):
        return "/"
    return value
