"""Vector tiles: decodable MVT with styling attributes, ETag/304, TileJSON, range errors."""

from __future__ import annotations

import math

import mapbox_vector_tile
import pytest
from sqlalchemy import text

from api.db.repositories import tiles as tiles_repo


def _tile_of(lon: float, lat: float, z: int) -> tuple[int, int]:
    n = 2**z
    x = int((lon + 180) / 360 * n)
    y = int((1 - math.asinh(math.tan(math.radians(lat))) / math.pi) / 2 * n)
    return x, y


@pytest.fixture
def zone(db_session, demo_loaded):  # noqa: ANN001, ANN201
    """A KCN with a boundary: its code and a point inside it (EPSG:4326 lon/lat)."""
    return db_session.execute(
        text(
            "SELECT z.code, ST_X(ST_PointOnSurface(pb.geom)), ST_Y(ST_PointOnSurface(pb.geom)) "
            "FROM zones z JOIN current_planning_boundaries pb ON pb.zone_id = z.id "
            "WHERE z.kind = 'KCN' ORDER BY z.code LIMIT 1"
        )
    ).one()


@pytest.mark.parametrize("z", [8, 12])
def test_tile_zones_decodes_with_zone_and_attributes(client, zone, z):
    code, lon, lat = zone
    x, y = _tile_of(lon, lat, z)
    response = client.get(f"/tiles/zones/{z}/{x}/{y}.mvt")
    assert response.status_code == 200
    assert response.headers["content-type"] == "application/vnd.mapbox-vector-tile"
    layer = mapbox_vector_tile.decode(response.content)["zones"]
    props = {f["properties"]["code"]: f["properties"] for f in layer["features"]}
    assert props[code]["kind"] == "KCN" and props[code]["name"]
    assert {"status", "province_code"} <= set(props[code])


def test_tile_zones_carries_worst_flag_of_latest_run(client, db_session, zone):
    code, lon, lat = zone
    for status, severity in (
        ("complete", "warning"),
        ("complete", "critical"),
        ("running", "info"),
    ):
        run_id = db_session.execute(
            text(
                "INSERT INTO analysis_runs (status, admin_version, finished_at) "
                "VALUES (:s, '2025-34', now()) RETURNING id"
            ),
            {"s": status},
        ).scalar_one()
        for sev in ("info", severity):
            db_session.execute(
                text(
                    "INSERT INTO flags (run_id, zone_code, code, severity, message_vi, message_en) "
                    "VALUES (:r, :z, 'test', :sev, 'thử', 'test')"
                ),
                {"r": run_id, "z": code, "sev": sev},
            )
    x, y = _tile_of(lon, lat, 10)
    layer = mapbox_vector_tile.decode(client.get(f"/tiles/zones/10/{x}/{y}.mvt").content)["zones"]
    worst = {f["properties"]["code"]: f["properties"].get("worst_flag") for f in layer["features"]}
    assert worst[code] == "critical"


def test_tile_etag_and_if_none_match_gives_304(client, zone):
    _code, lon, lat = zone
    x, y = _tile_of(lon, lat, 9)
    url = f"/tiles/zones/9/{x}/{y}.mvt"
    first = client.get(url)
    etag = first.headers["etag"]
    assert "max-age" in first.headers["cache-control"]
    again = client.get(url, headers={"If-None-Match": etag})
    assert again.status_code == 304 and again.content == b""
    assert client.get(url, headers={"If-None-Match": '"other"'}).status_code == 200


def test_tile_outside_data_is_empty(client, demo_loaded):
    response = client.get("/tiles/zones/6/0/0.mvt")
    assert response.status_code == 200 and mapbox_vector_tile.decode(response.content) == {}


def test_tile_provinces_and_footprints_layers(client, zone):
    _code, lon, lat = zone
    x, y = _tile_of(lon, lat, 7)
    provinces = mapbox_vector_tile.decode(
        client.get(f"/tiles/provinces-2025-34/7/{x}/{y}.mvt").content
    )["provinces-2025-34"]
    assert all(f["properties"]["admin_version"] == "2025-34" for f in provinces["features"])
    assert provinces["features"]
    footprints = client.get(f"/tiles/actual-footprints/7/{x}/{y}.mvt")
    assert footprints.status_code == 200


def test_tolerance_m_halves_per_zoom_from_half_a_cell_at_z0():
    assert tiles_repo.tolerance_m(0) == pytest.approx(40_075_016.686 / 4096 / 2)
    assert tiles_repo.tolerance_m(8) == pytest.approx(2 * tiles_repo.tolerance_m(9))


def test_tile_coarse_zoom_is_simplified(client, db_session, demo_loaded):
    x, y = _tile_of(105.8, 21.0, 4)
    content = client.get(f"/tiles/provinces-2025-34/4/{x}/{y}.mvt").content
    features = mapbox_vector_tile.decode(content)["provinces-2025-34"]["features"]
    hanoi = next(f for f in features if f["properties"]["code"] == "01")
    full = db_session.execute(
        text(
            "SELECT ST_NPoints(geom) FROM provinces WHERE admin_version = '2025-34' AND code = '01'"
        )
    ).scalar_one()
    assert 4 <= _npoints(hanoi["geometry"]["coordinates"]) < full / 4


def _npoints(coords) -> int:  # noqa: ANN001
    if coords and isinstance(coords[0], int | float):
        return 1
    return sum(_npoints(c) for c in coords)


def test_tilejson_points_at_tiles_and_lists_fields(client, demo_loaded):
    body = client.get("/tiles/zones.json").json()
    assert body["tilejson"] == "3.0.0"
    assert body["tiles"][0].endswith("/tiles/zones/{z}/{x}/{y}.mvt")
    assert body["vector_layers"][0]["fields"]["worst_flag"] == "String"
    xmin, ymin, xmax, ymax = body["bounds"]
    assert 101 < xmin < xmax < 110 and 8 < ymin < ymax < 24


@pytest.mark.parametrize(
    ("path", "status", "parameter"),
    [
        ("/tiles/zones/23/0/0.mvt", 404, "z"),
        ("/tiles/zones/-1/0/0.mvt", 400, "z"),
        ("/tiles/zones/3/8/0.mvt", 404, "x"),
        ("/tiles/zones/3/0/8.mvt", 404, "y"),
        ("/tiles/zones/3/-1/0.mvt", 400, "x"),
        ("/tiles/zones/a/0/0.mvt", 400, "z"),
        ("/tiles/nope/3/0/0.mvt", 404, "collection"),
        ("/tiles/nope.json", 404, "collection"),
    ],
)
def test_tile_bad_request_is_ogc_exception(client, path, status, parameter):
    response = client.get(path)
    assert response.status_code == status
    body = response.json()
    assert body["parameter"] == parameter and parameter in body["description"]
    assert body["code"] == ("NotFound" if status == 404 else "InvalidParameterValue")


@pytest.fixture
def committed_client(test_settings, demo_loaded):  # noqa: ANN001, ANN201
    """A TestClient over real per-request sessions: each request sees committed data only."""
    from fastapi.testclient import TestClient

    from api.app import create_app

    with TestClient(create_app(test_settings)) as test_client:
        yield test_client


def _worst_flags(client, z: int, x: int, y: int) -> dict[str, str | None]:  # noqa: ANN001
    layer = mapbox_vector_tile.decode(client.get(f"/tiles/zones/{z}/{x}/{y}.mvt").content)["zones"]
    return {f["properties"]["code"]: f["properties"].get("worst_flag") for f in layer["features"]}


def test_tile_cache_new_committed_run_invalidates_cached_tile(committed_client, engine, zone):
    code, lon, lat = zone
    x, y = _tile_of(lon, lat, 11)
    before = _worst_flags(committed_client, 11, x, y)
    assert _worst_flags(committed_client, 11, x, y) == before
    assert any(key[:4] == ("zones", 11, x, y) for key in tiles_repo.TILE_CACHE._items)
    with engine.begin() as conn:
        run_id = conn.execute(
            text(
                "INSERT INTO analysis_runs (status, admin_version, finished_at) "
                "VALUES ('complete', '2025-34', now() + interval '1 day') RETURNING id"
            )
        ).scalar_one()
        conn.execute(
            text(
                "INSERT INTO flags (run_id, zone_code, code, severity, message_vi, message_en) "
                "VALUES (:r, :z, 'cache-test', 'critical', 'thử', 'test')"
            ),
            {"r": run_id, "z": code},
        )
    try:
        after = _worst_flags(committed_client, 11, x, y)
    finally:
        with engine.begin() as conn:
            conn.execute(text("DELETE FROM flags WHERE run_id = :r"), {"r": run_id})
            conn.execute(text("DELETE FROM analysis_runs WHERE id = :r"), {"r": run_id})
    assert after[code] == "critical" and before.get(code) != "critical"
    assert _worst_flags(committed_client, 11, x, y) == before


def test_tile_cache_uncommitted_writes_bypass_cache(client, db_session, zone):
    code, lon, lat = zone
    x, y = _tile_of(lon, lat, 13)
    tiles_repo.TILE_CACHE.clear()
    db_session.execute(text("UPDATE zones SET name = name WHERE code = :c"), {"c": code})
    assert client.get(f"/tiles/zones/13/{x}/{y}.mvt").status_code == 200
    assert len(tiles_repo.TILE_CACHE) == 0


def test_lru_cache_weight_bound_evicts_least_recent():
    from api.db.repositories.read_cache import LruCache

    cache = LruCache(max_entries=10, max_weight=100)
    for key in "abc":
        cache.put(key, key.upper(), weight=20)
    assert cache.get("a") == "A"  # now b is the least recently used
    cache.put("d", "D", weight=25)
    cache.put("e", "E", weight=25)
    assert cache.get("b") is None and cache.get("a") == "A" and cache.get("e") == "E"
    cache.put("huge", "H", weight=26)  # over a quarter of the budget: not kept
    assert cache.get("huge") is None and len(cache) == 4
