"""OGC API - Features items: ``/ogc/collections/{collectionId}/items[/{featureId}]``."""

from __future__ import annotations

import datetime as dt
from typing import Annotated, Any

import orjson
from fastapi import APIRouter, Depends, Path, Query, Request, Response

from api.db.repositories import ogc_features as repo
from api.db.repositories.ogc_collections import Collection
from api.db.repositories.ogc_cql2 import cql2_condition, equals_condition
from api.deps import ReadDbDep, run_read
from api.errors import OgcInvalidParameterError, OgcNotFoundError
from api.ogc.common import GEOJSON, OgcRoute, base_url, get_collection, link
from api.ogc.params import (
    check_limit,
    check_offset,
    parse_bbox,
    parse_crs,
    parse_datetime,
)

router = APIRouter(prefix="/ogc", tags=["ogc"], route_class=OgcRoute)
CollectionDep = Annotated[Collection, Depends(get_collection)]
_STANDARD_PARAMS = frozenset(
    [
        "f",
        "bbox",
        "bbox-crs",
        "crs",
        "limit",
        "offset",
        "datetime",
        "filter",
        "filter-lang",
        "filter-crs",
    ]
)


async def items_query(
    request: Request,
    coll: CollectionDep,
    bbox: Annotated[str | None, Query(description="minx,miny,maxx,maxy in bbox-crs")] = None,
    bbox_crs: Annotated[str | None, Query(alias="bbox-crs")] = None,
    crs: Annotated[str | None, Query(description="Output CRS URI")] = None,
    limit: Annotated[int | None, Query(description="1 to 10000, default 100")] = None,
    offset: Annotated[int | None, Query(ge=0)] = None,
    datetime: Annotated[str | None, Query(description="Instant or interval a/b, '..'")] = None,
    filter: Annotated[str | None, Query(description="CQL2-text filter")] = None,  # noqa: A002
    filter_lang: Annotated[str | None, Query(alias="filter-lang")] = None,
) -> repo.ItemsQuery:
    """Validate the items parameters into a repository query (errors name the parameter)."""
    if filter_lang not in (None, "cql2-text"):
        raise OgcInvalidParameterError(
            f"filter-lang '{filter_lang}' is not supported: use cql2-text", parameter="filter-lang"
        )
    equals = [
        (k, v)
        for k, v in request.query_params.items()
        if k not in _STANDARD_PARAMS and coll.property(k) is not None
    ]
    where = [equals_condition(coll, k, v) for k, v in equals]
    if filter is not None:
        where.append(cql2_condition(coll, filter))
    return repo.ItemsQuery(
        crs=parse_crs(crs),
        limit=check_limit(limit),
        offset=check_offset(offset),
        bbox=parse_bbox(bbox, parse_crs(bbox_crs, parameter="bbox-crs")),
        interval=parse_datetime(datetime),
        where=tuple(where),
        filter_key=(tuple(equals), filter),
    )


@router.get("/collections/{collectionId}/items", operation_id="ogc-items")
async def items(
    request: Request,
    db: ReadDbDep,
    coll: CollectionDep,
    query: Annotated[repo.ItemsQuery, Depends(items_query)],
) -> Response:
    page = await run_read(db, repo.items_page, coll, query)
    head: dict[str, Any] = {"type": "FeatureCollection"}
    if page.number_matched is not None:  # omitted above repo.MATCHED_COUNT_LIMIT
        head["numberMatched"] = page.number_matched
    head |= {
        "numberReturned": page.number_returned,
        "timeStamp": dt.datetime.now(dt.UTC).strftime("%Y-%m-%dT%H:%M:%SZ"),
        "links": _page_links(request, coll, query, page),
    }
    body = orjson.dumps(head)[:-1] + b',"features":[' + page.features_json.encode() + b"]}"
    return Response(body, media_type=GEOJSON, headers={"Content-Crs": f"<{query.crs.uri}>"})


@router.get("/collections/{collectionId}/items/{featureId}", operation_id="ogc-item")
async def item(
    request: Request,
    db: ReadDbDep,
    coll: CollectionDep,
    feature_id: Annotated[str, Path(alias="featureId")],
    crs: Annotated[str | None, Query()] = None,
) -> Response:
    out_crs = parse_crs(crs)
    fid = _fid(coll, feature_id)
    feature = await run_read(db, repo.one_item, coll, fid, out_crs)
    if feature is None:
        raise OgcNotFoundError(
            f"featureId '{feature_id}' is not in collection '{coll.id}'", parameter="featureId"
        )
    href = f"{base_url(request)}/ogc/collections/{coll.id}"
    links = [link(str(request.url), "self", GEOJSON), link(href, "collection", "application/json")]
    body = feature.encode()[:-1] + b',"links":' + orjson.dumps(links) + b"}"
    return Response(body, media_type=GEOJSON, headers={"Content-Crs": f"<{out_crs.uri}>"})


def _fid(coll: Collection, raw: str) -> Any:
    if coll.fid_type != "integer":
        return raw
    if not raw.isdigit() or len(raw) > 18:
        raise OgcNotFoundError(
            f"featureId '{raw}' is not in collection '{coll.id}'", parameter="featureId"
        )
    return int(raw)


def _page_links(
    request: Request, coll: Collection, q: repo.ItemsQuery, page: repo.ItemsPage
) -> list[dict[str, str]]:
    href = f"{base_url(request)}/ogc/collections/{coll.id}"
    links = [
        link(str(request.url), "self", GEOJSON, "This page"),
        link(href, "collection", "application/json", coll.title),
    ]
    if page.number_matched is None or q.offset + page.number_returned < page.number_matched:
        nxt = request.url.include_query_params(offset=q.offset + q.limit, limit=q.limit)
        links.append(link(str(nxt), "next", GEOJSON, "Next page"))
    if q.offset > 0:
        prev = request.url.include_query_params(offset=max(q.offset - q.limit, 0), limit=q.limit)
        links.append(link(str(prev), "prev", GEOJSON, "Previous page"))
    return links
