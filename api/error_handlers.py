"""The one place that turns exceptions into HTTP responses (registered by ``create_app``)."""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.auth.middleware import UNSAFE_METHODS
from api.errors import STATUS_BY_ERROR, ZonemapError, error_body, status_for

log = logging.getLogger("zonemap")


async def _domain_error(request: Request, exc: Exception) -> JSONResponse:
    status = status_for(exc)
    if status in (401, 403) and request.method in UNSAFE_METHODS:
        # to the server log, not the audit table: a refused request leaves the database as it was
        principal = getattr(request.state, "principal", None)
        log.warning(
            "refused %s %s (%d %s) for %s from %s",
            request.method,
            request.url.path,
            status,
            getattr(exc, "code", "error"),
            principal.name if principal else "anonymous",
            request.client.host if request.client else "?",
        )
    return JSONResponse(error_body(exc), status_code=status)


def first_invalid(exc: RequestValidationError) -> tuple[str, str]:
    """The parameter of the first validation error and a message naming it."""
    first = exc.errors()[0] if exc.errors() else {}
    parameter = str(first.get("loc", ["", "?"])[-1])
    return parameter, f"invalid value for '{parameter}': {first.get('msg', 'not valid')}"


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    parameter, message = first_invalid(exc)
    return JSONResponse(
        {
            "code": "invalid_parameter",
            "detail": message,
            "parameter": parameter,
            "errors": jsonable_errors(exc),
        },
        status_code=422,
    )


def jsonable_errors(exc: RequestValidationError) -> list[dict]:
    return [{"loc": list(e.get("loc", [])), "msg": e.get("msg")} for e in exc.errors()]


async def _unexpected(request: Request, exc: Exception) -> JSONResponse:
    request_id = uuid.uuid4().hex[:12]
    log.exception("unhandled error %s on %s %s", request_id, request.method, request.url.path)
    return JSONResponse(
        {"code": "internal_error", "detail": f"internal error (request id {request_id})"},
        status_code=500,
    )


def add_error_handlers(app: FastAPI) -> None:
    for cls in STATUS_BY_ERROR:
        app.add_exception_handler(cls, _domain_error)
    app.add_exception_handler(ZonemapError, _domain_error)
    app.add_exception_handler(RequestValidationError, _validation_error)
    app.add_exception_handler(Exception, _unexpected)
