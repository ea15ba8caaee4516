"""Domain errors and the one place that maps them to HTTP status codes."""

from __future__ import annotations

import logging
import uuid

from fastapi import FastAPI, Request
from fastapi.exceptions import RequestValidationError
from fastapi.responses import JSONResponse

from api.db.engine import DatabaseUnavailableError
from geo.errors import GeoError

log = logging.getLogger("zonemap")


class ZonemapError(Exception):
    """Base of the errors a user can act on; ``code`` is stable, the message is for people."""

    code = "error"

    def __init__(self, message: str, *, parameter: str | None = None, code: str | None = None):
        super().__init__(message)
        self.message = message
        self.parameter = parameter
        if code:
            self.code = code


class NotFoundError(ZonemapError):
    code = "not_found"


class InvalidParameterError(ZonemapError):
    code = "invalid_parameter"


class ConflictError(ZonemapError):
    code = "conflict"


class UploadRejectedError(ZonemapError):
    code = "upload_rejected"


class ForbiddenError(ZonemapError):
    code = "forbidden"


class UnauthorizedError(ZonemapError):
    code = "unauthorized"


STATUS_BY_ERROR: dict[type[Exception], int] = {
    NotFoundError: 404,
    InvalidParameterError: 422,
    ConflictError: 409,
    UploadRejectedError: 422,
    ForbiddenError: 403,
    UnauthorizedError: 401,
    GeoError: 422,
    DatabaseUnavailableError: 503,
}


def status_for(exc: Exception) -> int:
    for cls in type(exc).__mro__:
        if cls in STATUS_BY_ERROR:
            return STATUS_BY_ERROR[cls]
    return 500


def error_body(exc: Exception) -> dict:
    body = {"code": getattr(exc, "code", "error"), "detail": getattr(exc, "message", str(exc))}
    if getattr(exc, "parameter", None):
        body["parameter"] = exc.parameter
    if getattr(exc, "details", None):
        body["details"] = exc.details
    return body


async def _domain_error(_request: Request, exc: Exception) -> JSONResponse:
    return JSONResponse(error_body(exc), status_code=status_for(exc))


async def _validation_error(_request: Request, exc: RequestValidationError) -> JSONResponse:
    first = exc.errors()[0] if exc.errors() else {}
    parameter = str(first.get("loc", ["", "?"])[-1])
    message = f"invalid value for '{parameter}': {first.get('msg', 'not valid')}"
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


# OGC API (Features, Tiles): the standards want 400 for a bad parameter and an exception
# document {"code", "description"}; api.routes.ogc_common renders these for /ogc and /tiles.
class OgcInvalidParameterError(InvalidParameterError):
    code = "InvalidParameterValue"


class OgcNotFoundError(NotFoundError):
    code = "NotFound"


STATUS_BY_ERROR[OgcInvalidParameterError] = 400
STATUS_BY_ERROR[OgcNotFoundError] = 404
