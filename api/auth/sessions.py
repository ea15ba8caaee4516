"""The login session cookie and the CSRF token that goes with it.

``zonemap_session`` (HttpOnly, SameSite=Lax, Secure when ``secure_cookies``) holds a signed
``{"uid", "csrf", "ep", "iat"}``; it expires after ``session_hours``, and as soon as the user's
``session_epoch`` moves past ``ep`` (disabled, new password). ``zonemap_csrf`` (readable by
the page's JavaScript) holds the CSRF token: the session's token when logged in, else a signed
random token. A post authenticated by a cookie must send the same token back, in the
``X-CSRF-Token`` header (fetch) or a ``csrf_token`` form field; a third-party site can make the
browser send the cookies but cannot read them, so it cannot send the token.
"""

from __future__ import annotations

import hmac
import secrets
from dataclasses import dataclass

from starlette.requests import HTTPConnection
from starlette.responses import Response

from api.auth.signing import sign, unsign
from api.settings import Settings

SESSION_COOKIE = "zonemap_session"
CSRF_COOKIE = "zonemap_csrf"
CSRF_HEADER = "x-csrf-token"
CSRF_FIELD = "csrf_token"
_CSRF_MAX_AGE_S = 7 * 86400


@dataclass(frozen=True)
class SessionState:
    """What a request's cookies say: the logged-in user id (or None), the CSRF token the
    request must send back, and whether a session cookie was present but invalid."""

    user_id: int | None
    csrf: str
    is_invalid: bool = False
    epoch: int = 0


def new_csrf_token(key: bytes) -> str:
    return sign({"n": secrets.token_urlsafe(18)}, key, purpose="csrf")


def read_state(cookies: dict[str, str], key: bytes, settings: Settings) -> SessionState | None:
    """Parse the session and CSRF cookies; None when the request carries neither valid one."""
    raw = cookies.get(SESSION_COOKIE)
    session = unsign(raw, key, purpose="session", max_age_s=settings.session_hours * 3600)
    if session is not None and isinstance(session.get("uid"), int):
        epoch = session.get("ep", 0)
        return SessionState(
            user_id=session["uid"],
            csrf=str(session.get("csrf", "")),
            epoch=epoch if isinstance(epoch, int) else -1,
        )
    csrf = cookies.get(CSRF_COOKIE)
    csrf_ok = unsign(csrf, key, purpose="csrf", max_age_s=_CSRF_MAX_AGE_S) is not None
    if raw is not None:
        return SessionState(user_id=None, csrf=csrf if csrf_ok else "", is_invalid=True)
    return SessionState(user_id=None, csrf=csrf) if csrf_ok and csrf else None


def start_session(
    response: Response, user_id: int, key: bytes, settings: Settings, *, epoch: int = 0
) -> str:
    """Set a new session cookie (and a fresh CSRF token) on ``response``; return the token.
    ``epoch`` is the user's current ``session_epoch``."""
    csrf = new_csrf_token(key)
    value = sign({"uid": user_id, "csrf": csrf, "ep": epoch}, key, purpose="session")
    max_age = int(settings.session_hours * 3600)
    response.set_cookie(
        SESSION_COOKIE,
        value,
        max_age=max_age,
        httponly=True,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )
    set_csrf_cookie(response, csrf, settings)
    return csrf


def end_session(response: Response, settings: Settings) -> None:
    response.delete_cookie(
        SESSION_COOKIE, path="/", httponly=True, samesite="lax", secure=settings.secure_cookies
    )
    response.delete_cookie(CSRF_COOKIE, path="/", samesite="lax", secure=settings.secure_cookies)


def set_csrf_cookie(response: Response, token: str, settings: Settings) -> None:
    response.set_cookie(
        CSRF_COOKIE,
        token,
        max_age=_CSRF_MAX_AGE_S,
        httponly=False,
        samesite="lax",
        secure=settings.secure_cookies,
        path="/",
    )


def sent_csrf(conn: HTTPConnection, form_value: str | None = None) -> str:
    """The token the request sent back: the header, else the form field."""
    return conn.headers.get(CSRF_HEADER) or form_value or ""


def csrf_matches(expected: str | None, sent: str) -> bool:
    return bool(expected) and bool(sent) and hmac.compare_digest(str(expected), sent)
