"""What the OGC routes share: exception documents, the route class that renders them, JSON
responses with OGC media types, and the ``Collection`` lookup dependency."""

from __future__ import annotations

from collections.abc import Callable, Coroutine
from typing import Annotated, Any

import orjson
from fastapi import Path, Request, Response
from fastapi.exceptions import RequestValidationError
from fastapi.routing import APIRoute

from api.db.repositories.ogc_collections import COLLECTIONS, Collection
from api.error_handlers import first_invalid
from api.errors import OgcNotFoundError, ZonemapError, status_for

GEOJSON = "application/geo+json"
OPENAPI_JSON = "application/vnd.oai.openapi+json;version=3.0"
_CODE_BY_STATUS = {400: "InvalidParameterValue", 404: "NotFound", 503: "ServiceUnavailable"}


def exception_document(exc: Exception, status: int) -> Response:
    """An OGC API exception document ``{"code", "description"}`` (plus ``parameter``)."""
    body: dict[str, Any] = {
        "code": _CODE_BY_STATUS.get(status, getattr(exc, "code", "error")),
        "description": getattr(exc, "message", str(exc)),
    }
    if getattr(exc, "parameter", None):
        body["parameter"] = exc.parameter  # type: ignore[attr-defined]
    return Response(orjson.dumps(body), status_code=status, media_type="application/json")


def _validation_document(exc: RequestValidationError) -> Response:
    parameter, message = first_invalid(exc)
    return exception_document(ZonemapError(message, parameter=parameter), 400)


class OgcRoute(APIRoute):
    """Renders errors raised by OGC handlers or their dependencies as exception documents.

    The status still comes from ``api.errors.STATUS_BY_ERROR``; a request validation error
    (wrong type, missing value) is a 400 naming the parameter, as OGC API wants.
    """

    def get_route_handler(self) -> Callable[[Request], Coroutine[Any, Any, Response]]:
        handler = super().get_route_handler()

        async def ogc_handler(request: Request) -> Response:
            try:
                return await handler(request)
            except RequestValidationError as exc:
                return _validation_document(exc)
            except ZonemapError as exc:
                status = status_for(exc)
                return exception_document(exc, 400 if status == 422 else status)

        return ogc_handler


def json_response(
    body: Any, *, media_type: str = "application/json", headers: dict[str, str] | None = None
) -> Response:
    return Response(orjson.dumps(body), media_type=media_type, headers=headers)


async def get_collection(
    collection_id: Annotated[str, Path(alias="collectionId")],
) -> Collection:
    found = COLLECTIONS.get(collection_id)
    if found is None:
        raise OgcNotFoundError(
            f"unknown collection '{collection_id}': see /ogc/collections for the list",
            parameter="collectionId",
        )
    return found


def base_url(request: Request) -> str:
    return str(request.base_url).rstrip("/")


def link(href: str, rel: str, media_type: str, title: str | None = None) -> dict[str, str]:
    item = {"href": href, "rel": rel, "type": media_type}
    if title:
        item["title"] = title
    return item
