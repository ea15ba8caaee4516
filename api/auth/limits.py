"""The error for a request over the upload size limit (413 Content Too Large)."""

from __future__ import annotations

from api.errors import STATUS_BY_ERROR, ZonemapError


class RequestTooLargeError(ZonemapError):
    """The request body or uploaded file is larger than ``max_upload_mb``."""

    code = "file_too_large"


STATUS_BY_ERROR[RequestTooLargeError] = 413
