"""Domain errors and their HTTP status codes (no web framework here: services raise these).

The FastAPI handlers that render them live in ``api.error_handlers``.
"""

from __future__ import annotations

from api.db.engine import DatabaseUnavailableError
from geo.bbox import BBoxError
from geo.errors import GeoError, UnknownProvinceError


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


class BoundaryDataError(ZonemapError):
    """The shipped admin-boundary files are missing or altered."""

    code = "boundary_data_invalid"


class ForbiddenError(ZonemapError):
    code = "forbidden"


class UnauthorizedError(ZonemapError):
    code = "unauthorized"


class RequestTooLargeError(ZonemapError):
    """The request body or uploaded file is larger than ``max_upload_mb``."""

    code = "file_too_large"


# OGC API (Features, Tiles): the standards want 400 for a bad parameter and an exception
# document {"code", "description"}; api.ogc.common renders these for /ogc and /tiles.
class OgcInvalidParameterError(InvalidParameterError):
    code = "InvalidParameterValue"


class OgcNotFoundError(NotFoundError):
    code = "NotFound"


STATUS_BY_ERROR: dict[type[Exception], int] = {
    NotFoundError: 404,
    InvalidParameterError: 422,
    ConflictError: 409,
    UploadRejectedError: 422,
    ForbiddenError: 403,
    UnauthorizedError: 401,
    RequestTooLargeError: 413,
    OgcInvalidParameterError: 400,
    OgcNotFoundError: 404,
    GeoError: 422,
    BBoxError: 400,
    UnknownProvinceError: 404,
    DatabaseUnavailableError: 503,
}
"""The one map from error class to HTTP status; a subclass takes its nearest listed base's."""


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
