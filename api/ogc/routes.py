"""OGC API - Features: landing page, conformance, OpenAPI document, collections, queryables."""

from __future__ import annotations

from typing import Annotated, Any

from fastapi import APIRouter, Depends, Request, Response

from api.db.repositories import ogc_features as repo
from api.db.repositories.ogc_collections import COLLECTIONS, Collection
from api.deps import ReadDbDep
from api.ogc.common import (
    GEOJSON,
    OPENAPI_JSON,
    OgcRoute,
    base_url,
    get_collection,
    json_response,
    link,
)
from api.ogc.params import CRS84, supported_crs

router = APIRouter(prefix="/ogc", tags=["ogc"], route_class=OgcRoute)
CollectionDep = Annotated[Collection, Depends(get_collection)]
JSON = "application/json"
CONFORMANCE = [
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/oas30",
    "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/geojson",
    "http://www.opengis.net/spec/ogcapi-features-2/1.0/conf/crs",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/features-filter",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables",
    "http://www.opengis.net/spec/ogcapi-features-3/1.0/conf/queryables-query-parameters",
    "http://www.opengis.net/spec/cql2/1.0/conf/cql2-text",
    "http://www.opengis.net/spec/cql2/1.0/conf/basic-cql2",
]
_SCHEMA_TYPES = {"date": {"type": "string", "format": "date"}}


@router.get("", operation_id="ogc-landing")
def landing(request: Request) -> Response:
    base = base_url(request) + "/ogc"
    return json_response(
        {
            "title": "zonemap OGC API - Features",
            "description": "Vietnam's economic zones, industrial parks and clusters, their "
            "planning "
            "boundaries, actual footprints, flags and province boundaries.",
            "links": [
                link(base, "self", JSON, "This document"),
                link(f"{base}/api", "service-desc", OPENAPI_JSON, "The API definition"),
                link(f"{base}/conformance", "conformance", JSON, "Conformance classes"),
                link(f"{base}/collections", "data", JSON, "Collections"),
            ],
        }
    )


@router.get("/conformance", operation_id="ogc-conformance")
def conformance() -> Response:
    return json_response({"conformsTo": CONFORMANCE})


@router.get("/api", operation_id="ogc-openapi")
def openapi(request: Request) -> Response:
    document = dict(request.app.openapi())
    document["paths"] = {p: v for p, v in document["paths"].items() if p.startswith("/ogc")}
    return json_response(document, media_type=OPENAPI_JSON)


@router.get("/collections", operation_id="ogc-collections")
def collections(request: Request, db: ReadDbDep) -> Response:
    base = base_url(request) + "/ogc"
    with db.connect() as conn:
        extents = [(c, repo.extent(conn, c)) for c in COLLECTIONS.values()]
    docs = [collection_document(base, c, extent) for c, extent in extents]
    return json_response(
        {
            "links": [link(f"{base}/collections", "self", JSON)],
            "collections": docs,
            "crs": list(supported_crs()),
        }
    )


@router.get("/collections/{collectionId}", operation_id="ogc-collection")
def collection(request: Request, db: ReadDbDep, coll: CollectionDep) -> Response:
    base = base_url(request) + "/ogc"
    with db.connect() as conn:
        extent = repo.extent(conn, coll)
    return json_response(collection_document(base, coll, extent))


@router.get("/collections/{collectionId}/queryables", operation_id="ogc-queryables")
def queryables(request: Request, coll: CollectionDep) -> Response:
    base = base_url(request) + "/ogc"
    props = {
        p.name: {"title": p.name, **_SCHEMA_TYPES.get(p.type, {"type": p.type})}
        for p in coll.properties
    }
    return json_response(
        {
            "$schema": "https://json-schema.org/draft/2020-12/schema",
            "$id": f"{base}/collections/{coll.id}/queryables",
            "type": "object",
            "title": coll.title,
            "properties": props,
            "additionalProperties": False,
        },
        media_type="application/schema+json",
    )


def collection_document(base: str, coll: Collection, extent: dict[str, Any]) -> dict[str, Any]:
    """The OGC collection description with links, extent and the supported CRSs."""
    href = f"{base}/collections/{coll.id}"
    return {
        "id": coll.id,
        "title": coll.title,
        "description": coll.description,
        "itemType": "feature",
        "extent": extent,
        "crs": list(supported_crs()),
        "storageCrs": CRS84,
        "links": [
            link(href, "self", JSON, coll.title),
            link(f"{href}/items", "items", GEOJSON, "Features as GeoJSON"),
            link(
                f"{href}/queryables",
                "http://www.opengis.net/def/rel/ogc/1.0/queryables",
                "application/schema+json",
                "Queryable properties",
            ),
        ],
    }
