"""ASGI middleware of the access layer: the request size cap (413 before the body is read),
the per-token/per-client rate limit (429 with Retry-After) and the CSRF cookie on HTML pages.

Plain ASGI (no BaseHTTPMiddleware) so streaming responses and tiles pass through untouched.
"""

from __future__ import annotations

import hashlib
import json
import math
from collections.abc import Awaitable, Callable, MutableMapping
from typing import Any

import anyio.to_thread
from starlette.datastructures import Headers, MutableHeaders
from starlette.requests import cookie_parser

from api.auth.ratelimit import RateLimiter
from api.auth.sessions import CSRF_COOKIE, new_csrf_token, read_state
from api.db.replicas import LSN_COOKIE, LSN_COOKIE_MAX_AGE_S
from api.settings import Settings

Scope = MutableMapping[str, Any]
Message = MutableMapping[str, Any]
Receive = Callable[[], Awaitable[Message]]
Send = Callable[[Message], Awaitable[None]]
ASGIApp = Callable[[Scope, Receive, Send], Awaitable[None]]
UNSAFE_METHODS = frozenset({"POST", "PUT", "PATCH", "DELETE"})
# Machine-readable reads (GeoJSON, JSON, MVT): never HTML and never a form, so they need no
# CSRF token; skipping it saves a random token and an HMAC per tile or feature request.
_NO_CSRF_PREFIXES = ("/ogc", "/tiles/")
_NO_CSRF_METHODS = frozenset({"GET", "HEAD"})
_FORM_SLACK_BYTES = 1024**2  # multipart framing and the small form fields around the file


class _BodyTooLarge(Exception):
    pass


async def _send_json(send: Send, status: int, body: dict, headers: dict | None = None) -> None:
    raw = json.dumps(body, ensure_ascii=False).encode("utf-8")
    extra = [(k.lower().encode(), v.encode()) for k, v in (headers or {}).items()]
    await send(
        {
            "type": "http.response.start",
            "status": status,
            "headers": [
                (b"content-type", b"application/json"),
                (b"content-length", str(len(raw)).encode()),
                *extra,
            ],
        }
    )
    await send({"type": "http.response.body", "body": raw})


class BodyLimitMiddleware:
    """Refuse a request body over ``max_upload_mb`` (plus form slack) with 413: at once from
    ``Content-Length``, or while streaming when the client sends no length."""

    def __init__(self, app: ASGIApp, *, max_upload_mb: int) -> None:
        self.app = app
        self.max_upload_mb = max_upload_mb
        self.limit = max_upload_mb * 1024**2 + _FORM_SLACK_BYTES

    def _refusal(self) -> dict:
        return {
            "code": "file_too_large",
            "detail": f"The request is larger than the {self.max_upload_mb:,} MB upload "
            "limit. Split the data into several uploads, or ask the administrator "
            "to raise ZONEMAP_MAX_UPLOAD_MB. Nothing was written.",
        }

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or scope["method"] not in UNSAFE_METHODS:
            await self.app(scope, receive, send)
            return
        length = Headers(scope=scope).get("content-length")
        if length is not None and length.isdigit() and int(length) > self.limit:
            await _send_json(send, 413, self._refusal(), {"connection": "close"})
            return
        received, started, too_large = 0, False, False

        async def capped_receive() -> Message:
            nonlocal received, too_large
            message = await receive()
            received += len(message.get("body", b""))
            if received > self.limit:
                too_large = True
                raise _BodyTooLarge
            return message

        async def tracking_send(message: Message) -> None:
            nonlocal started
            if too_large:
                return  # the app's answer to a body it could not read is replaced below
            started = started or message["type"] == "http.response.start"
            await send(message)

        try:
            await self.app(scope, capped_receive, tracking_send)
        except Exception:
            if not too_large:
                raise
        if too_large and not started:
            await _send_json(send, 413, self._refusal(), {"connection": "close"})


class RateLimitMiddleware:
    """At most ``per_minute`` requests a minute (bursts up to that many) per API token, and
    per client address for writes without a token. Anonymous reads (map tiles) are not
    limited here. ``per_minute`` 0 turns it off."""

    def __init__(self, app: ASGIApp, *, per_minute: int) -> None:
        self.app = app
        self.limiter = RateLimiter(per_minute=per_minute) if per_minute > 0 else None

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        key = _rate_key(scope) if self.limiter and scope["type"] == "http" else None
        if key is not None and self.limiter is not None:
            engine = scope["app"].state.engine
            wait_s = await anyio.to_thread.run_sync(self.limiter.take, engine, key)
            if wait_s > 0:
                await _send_json(
                    send,
                    429,
                    {
                        "code": "rate_limited",
                        "detail": "Too many requests: wait "
                        f"{math.ceil(wait_s)} s and retry (limit {self.limiter.per_minute}/min).",
                    },
                    {"retry-after": str(math.ceil(wait_s))},
                )
                return
        await self.app(scope, receive, send)


def _rate_key(scope: Scope) -> str | None:
    auth = Headers(scope=scope).get("authorization", "")
    if auth[:7].lower() == "bearer ":
        return "token:" + hashlib.sha256(auth[7:].strip().encode()).hexdigest()[:32]
    if scope["method"] in UNSAFE_METHODS:
        client = scope.get("client")
        return "client:" + (client[0] if client else "unknown")
    return None


class CsrfCookieMiddleware:
    """Put the request's CSRF token in ``scope["state"]["csrf_token"]`` (a new one when the
    request has none) and set the ``zonemap_csrf`` cookie on HTML responses that need it."""

    def __init__(self, app: ASGIApp, *, key: bytes, settings: Settings) -> None:
        self.app = app
        self.key = key
        self.settings = settings

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http" or (
            scope["method"] in _NO_CSRF_METHODS and scope["path"].startswith(_NO_CSRF_PREFIXES)
        ):
            await self.app(scope, receive, send)
            return
        cookies = cookie_parser(Headers(scope=scope).get("cookie", ""))
        state = read_state(cookies, self.key, self.settings)
        token = state.csrf if state and state.csrf else ""
        fresh = not token or cookies.get(CSRF_COOKIE) != token
        token = token or new_csrf_token(self.key)
        scope.setdefault("state", {})["csrf_token"] = token

        async def send_with_cookie(message: Message) -> None:
            if fresh and message["type"] == "http.response.start":
                headers = MutableHeaders(scope=message)
                has_own = any(
                    v.startswith(f"{CSRF_COOKIE}=") for v in headers.getlist("set-cookie")
                )
                if headers.get("content-type", "").startswith("text/html") and not has_own:
                    headers.append("set-cookie", _csrf_cookie_header(token, self.settings))
            await send(message)

        await self.app(scope, receive, send_with_cookie)


def _csrf_cookie_header(token: str, settings: Settings) -> str:
    secure = "; Secure" if settings.secure_cookies else ""
    return f"{CSRF_COOKIE}={token}; Max-Age={7 * 86400}; Path=/; SameSite=Lax{secure}"


class WrittenLsnMiddleware:
    """After a request whose commit wrote (``state.written_lsn``, set by ``api.deps``), give
    the client the primary's WAL position in the ``zonemap_lsn`` cookie: its next reads are
    served only by replicas that have replayed it (read-your-writes, ``api.db.replicas``)."""

    def __init__(self, app: ASGIApp) -> None:
        self.app = app

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        if scope["type"] != "http":
            await self.app(scope, receive, send)
            return

        async def send_with_lsn(message: Message) -> None:
            lsn = scope.get("state", {}).get("written_lsn")
            if message["type"] == "http.response.start" and lsn:
                MutableHeaders(scope=message).append(
                    "set-cookie",
                    f"{LSN_COOKIE}={lsn}; Path=/; Max-Age={LSN_COOKIE_MAX_AGE_S}; HttpOnly; "
                    "SameSite=Lax",
                )
            await send(message)

        await self.app(scope, receive, send_with_lsn)
