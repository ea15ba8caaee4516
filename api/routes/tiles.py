"""Mapbox vector tiles ``/tiles/{collection}/{z}/{x}/{y}.mvt`` and their TileJSON documents."""

from __future__ import annotations

from typing import Annotated

from fastapi import APIRouter, Depends, Header, Path, Request, Response

from api.db.repositories import tiles as repo
from api.deps import ReadDbDep, run_read
from api.errors import OgcInvalidParameterError, OgcNotFoundError
from api.ogc.common import OgcRoute, base_url, json_response

router = APIRouter(prefix="/tiles", tags=["tiles"], route_class=OgcRoute)
MVT = "application/vnd.mapbox-vector-tile"
CACHE_CONTROL = "public, max-age=300"


async def tile_layer(collection: Annotated[str, Path()]) -> repo.TileLayer:
    found = repo.TILE_LAYERS.get(collection)
    if found is None:
        raise OgcNotFoundError(
            f"unknown tile collection '{collection}': use one of {', '.join(repo.TILE_LAYERS)}",
            parameter="collection",
        )
    return found


LayerDep = Annotated[repo.TileLayer, Depends(tile_layer)]


def check_tile(z: int, x: int, y: int) -> None:
    """Negative indices are a 400; indices outside the WebMercatorQuad matrix are a 404."""
    for name, value in (("z", z), ("x", x), ("y", y)):
        if value < 0:
            raise OgcInvalidParameterError(f"{name} must be 0 or more, got {value}", parameter=name)
    if z > repo.MAX_ZOOM:
        raise OgcNotFoundError(f"z must be at most {repo.MAX_ZOOM}, got {z}", parameter="z")
    for name, value in (("x", x), ("y", y)):
        if value >= 2**z:
            raise OgcNotFoundError(
                f"{name} must be below {2**z} at zoom {z}, got {value}", parameter=name
            )


@router.get("/{collection}/{z}/{x}/{y}.mvt", operation_id="tiles-tile")
async def tile(
    db: ReadDbDep,
    layer: LayerDep,
    z: int,
    x: int,
    y: int,
    if_none_match: Annotated[str | None, Header()] = None,
) -> Response:
    check_tile(z, x, y)
    found = await run_read(db, repo.tile, layer, z, x, y)
    headers = {"ETag": found.etag, "Cache-Control": CACHE_CONTROL}
    tags = {t.strip().removeprefix("W/") for t in (if_none_match or "").split(",")}
    if found.etag in tags:
        return Response(status_code=304, headers=headers)
    return Response(found.data, media_type=MVT, headers=headers)


@router.get("/{collection}.json", operation_id="tiles-tilejson")
def tilejson(request: Request, db: ReadDbDep, layer: LayerDep) -> Response:
    with db.connect() as conn:
        bounds = repo.bounds(conn, layer) or [102.1, 8.2, 109.5, 23.4]
    center = [(bounds[0] + bounds[2]) / 2, (bounds[1] + bounds[3]) / 2, 6]
    return json_response(
        {
            "tilejson": "3.0.0",
            "name": layer.id,
            "description": layer.description,
            "scheme": "xyz",
            "minzoom": 0,
            "maxzoom": repo.MAX_ZOOM,
            "tiles": [f"{base_url(request)}/tiles/{layer.id}/{{z}}/{{x}}/{{y}}.mvt"],
            "bounds": bounds,
            "center": center,
            "vector_layers": [
                {
                    "id": layer.id,
                    "description": layer.description,
                    "fields": layer.fields,
                    "minzoom": 0,
                    "maxzoom": repo.MAX_ZOOM,
                }
            ],
        }
    )
