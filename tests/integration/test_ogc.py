"""OGC API - Features under /ogc: documents, items, paging, filters, datetime and CRS."""

from __future__ import annotations

import datetime as dt
import math

import pyproj
import pytest
from shapely.geometry import box, shape
from sqlalchemy import text

from api.db.repositories.ogc_collections import COLLECTIONS
from geo.crs.vn2000 import vn2000_crs

ITEMS = "/ogc/collections/{}/items"


@pytest.fixture
def ogc(client, demo_loaded):  # noqa: ANN001, ANN201
    return client


def _count(db_session, sql: str, **params) -> int:  # noqa: ANN001
    return db_session.execute(text(sql), params).scalar_one()


def test_landing_links_conformance_and_api(ogc):
    rels = {link["rel"] for link in ogc.get("/ogc").json()["links"]}
    assert {"self", "service-desc", "conformance", "data"} <= rels
    conforms = ogc.get("/ogc/conformance").json()["conformsTo"]
    assert any(c.endswith("cql2-text") for c in conforms)
    api = ogc.get("/ogc/api")
    assert api.headers["content-type"].startswith("application/vnd.oai.openapi+json")
    assert api.json()["paths"] and all(p.startswith("/ogc") for p in api.json()["paths"])


def test_collections_lists_every_registered_collection_with_extent(ogc):
    body = ogc.get("/ogc/collections").json()
    ids = [c["id"] for c in body["collections"]]
    assert ids == list(COLLECTIONS)
    zones = next(c for c in body["collections"] if c["id"] == "zones")
    xmin, ymin, xmax, ymax = zones["extent"]["spatial"]["bbox"][0]
    assert 101 < xmin < xmax < 110 and 8 < ymin < ymax < 24


def test_items_default_page_counts_and_links(ogc, db_session):
    response = ogc.get(ITEMS.format("zones"))
    body = response.json()
    assert response.headers["content-type"] == "application/geo+json"
    assert response.headers["content-crs"] == "<http://www.opengis.net/def/crs/OGC/1.3/CRS84>"
    assert body["numberMatched"] == _count(db_session, "SELECT count(*) FROM zones")
    assert body["numberReturned"] == len(body["features"]) == 100
    assert dt.datetime.fromisoformat(body["timeStamp"].replace("Z", "+00:00"))
    codes = [f["id"] for f in body["features"]]
    assert codes == sorted(codes)
    rels = {link["rel"]: link["href"] for link in body["links"]}
    assert "prev" not in rels and "offset=100" in rels["next"]


def test_items_next_then_prev_links_walk_pages(ogc):
    first = ogc.get(ITEMS.format("zones"), params={"limit": 7}).json()
    next_href = next(link["href"] for link in first["links"] if link["rel"] == "next")
    second = ogc.get(next_href).json()
    prev_href = next(link["href"] for link in second["links"] if link["rel"] == "prev")
    assert ogc.get(prev_href).json()["features"] == first["features"]
    assert not {f["id"] for f in first["features"]} & {f["id"] for f in second["features"]}


@pytest.mark.parametrize(
    ("collection", "params"),
    [
        ("zones", {}),
        ("zones", {"kind": "CCN"}),
        ("zones", {"bbox": "102,8,110,24"}),
        ("planning-boundaries", {}),
        ("actual-footprints", {}),
    ],
)
def test_items_pages_after_the_first_equal_slices_of_one_long_page(ogc, collection, params):
    # a page that skips rows picks its ids first, the first page does not: same features
    whole = ogc.get(ITEMS.format(collection), params={**params, "limit": 60}).json()
    assert len(whole["features"]) == 60, "the demo should give this collection 60 features"
    for offset, limit in ((0, 5), (5, 5), (9, 3), (37, 10)):
        page = ogc.get(
            ITEMS.format(collection), params={**params, "limit": limit, "offset": offset}
        ).json()
        assert page["features"] == whole["features"][offset : offset + limit]
        assert page["numberMatched"] == whole["numberMatched"]


def test_items_last_page_has_no_next_and_correct_matched(ogc, db_session):
    total = _count(db_session, "SELECT count(*) FROM zones WHERE kind = 'KKT'")
    body = ogc.get(ITEMS.format("zones-kkt"), params={"limit": 3, "offset": total - 2}).json()
    assert body["numberReturned"] == 2 and body["numberMatched"] == total
    assert "next" not in {link["rel"] for link in body["links"]}


def test_items_property_filters_match_sql(ogc, db_session):
    province = (
        db_session.execute(
            text(
                "SELECT province_code FROM zones WHERE kind = 'KCN' "
                "GROUP BY 1 ORDER BY count(*) DESC"
            )
        )
        .scalars()
        .first()
    )
    body = ogc.get(
        ITEMS.format("zones"), params={"kind": "KCN", "province_code": province, "limit": 1000}
    ).json()
    expected = _count(
        db_session,
        "SELECT count(*) FROM zones WHERE kind = 'KCN' AND province_code = :p",
        p=province,
    )
    assert body["numberMatched"] == len(body["features"]) == expected > 0
    assert {
        (f["properties"]["kind"], f["properties"]["province_code"]) for f in body["features"]
    } == {("KCN", province)}


@pytest.mark.parametrize(
    ("cql", "where"),
    [
        ("kind='CCN' AND planned_area_ha > 50", "kind = 'CCN' AND planned_area_ha > 50"),
        (
            "(kind = 'KKT' OR kind = 'KCN') AND NOT status = 'operating'",
            "kind IN ('KKT', 'KCN') AND status <> 'operating'",
        ),
        ("name LIKE 'KCN%'", "name LIKE 'KCN%'"),
        ("status IN ('planned', 'suspended')", "status IN ('planned', 'suspended')"),
        ("planned_area_ha BETWEEN 20 AND 80", "planned_area_ha BETWEEN 20 AND 80"),
        ("expanded_on IS NULL", "expanded_on IS NULL"),
        (
            "established_on >= DATE('2015-01-01') AND is_synthetic = true",
            "established_on >= '2015-01-01' AND is_synthetic",
        ),
    ],
)
def test_items_cql2_filter_matches_sql(ogc, db_session, cql, where):
    body = ogc.get(
        ITEMS.format("zones"), params={"filter": cql, "filter-lang": "cql2-text", "limit": 10000}
    ).json()
    expected = _count(db_session, f"SELECT count(*) FROM zones WHERE {where}")
    assert body["numberMatched"] == len(body["features"]) == expected


def test_items_bbox_returns_intersecting_features_only(ogc, db_session):
    bbox = (105.3, 20.6, 106.2, 21.4)
    body = ogc.get(
        ITEMS.format("zones"), params={"bbox": ",".join(map(str, bbox)), "limit": 10000}
    ).json()
    expected = _count(
        db_session,
        "SELECT count(*) FROM zones z LEFT JOIN "
        "current_planning_boundaries pb ON pb.zone_id = z.id WHERE "
        "COALESCE(pb.geom, z.location) && ST_MakeEnvelope(105.3,20.6,106.2,21.4,4326)",
    )
    assert body["numberMatched"] == len(body["features"]) == expected > 0
    assert all(shape(f["geometry"]).envelope.intersects(box(*bbox)) for f in body["features"])


def test_items_bbox_crs_3857_selects_same_features(ogc):
    to_3857 = pyproj.Transformer.from_crs("OGC:CRS84", "EPSG:3857", always_xy=True)
    x0, y0 = to_3857.transform(105.3, 20.6)
    x1, y1 = to_3857.transform(106.2, 21.4)
    plain = ogc.get(ITEMS.format("zones"), params={"bbox": "105.3,20.6,106.2,21.4"}).json()
    merc = ogc.get(
        ITEMS.format("zones"),
        params={
            "bbox": f"{x0},{y0},{x1},{y1}",
            "bbox-crs": "http://www.opengis.net/def/crs/EPSG/0/3857",
        },
    ).json()
    assert [f["id"] for f in merc["features"]] == [f["id"] for f in plain["features"]]


def test_items_datetime_interval_on_footprints(ogc, db_session):
    body = ogc.get(
        ITEMS.format("actual-footprints"), params={"datetime": "2024-01-01/..", "limit": 10000}
    ).json()
    expected = _count(
        db_session, "SELECT count(*) FROM actual_footprints WHERE observed_on >= '2024-01-01'"
    )
    assert body["numberMatched"] == expected > 0
    assert all(f["properties"]["observed_on"] >= "2024-01-01" for f in body["features"])


def test_items_datetime_instant_on_history_uses_validity(ogc, db_session):
    body = ogc.get(
        ITEMS.format("planning-boundaries-history"),
        params={"datetime": "2018-06-30T00:00:00Z", "limit": 10000},
    ).json()
    expected = _count(
        db_session,
        "SELECT count(*) FROM planning_boundaries WHERE "
        "valid_from <= '2018-06-30' AND (valid_to IS NULL OR valid_to >= '2018-06-30')",
    )
    assert body["numberMatched"] == expected > 0


def _first_point(feature: dict) -> tuple[float, float]:
    coords = feature["geometry"]["coordinates"]
    while isinstance(coords[0], list):
        coords = coords[0]
    return coords[0], coords[1]


def _one_zone(ogc, crs: str | None = None) -> tuple[dict, object]:  # noqa: ANN001
    params = {"filter": "kind = 'KCN'", "limit": 1, **({"crs": crs} if crs else {})}
    response = ogc.get(ITEMS.format("zones"), params=params)
    return response.json()["features"][0], response


@pytest.mark.parametrize(
    ("crs", "target", "tolerance"),
    [
        ("http://www.opengis.net/def/crs/EPSG/0/3857", pyproj.CRS("EPSG:3857"), 0.05),
        ("EPSG:3405", vn2000_crs(zone="48"), 0.03),
        ("http://www.opengis.net/def/crs/EPSG/0/3406", vn2000_crs(zone="49"), 0.03),
    ],
)
def test_items_crs_projected_matches_pyproj(ogc, crs, target, tolerance):
    # CRS84 output has 7 decimals (~1 cm): a wrong rotation convention would be off ~0.75 m.
    lon, lat = _first_point(_one_zone(ogc)[0])
    feature, response = _one_zone(ogc, crs)
    assert response.headers["content-crs"].strip("<>").endswith(crs.split("/")[-1].split(":")[-1])
    x, y = pyproj.Transformer.from_crs("OGC:CRS84", target, always_xy=True).transform(lon, lat)
    assert _first_point(feature) == pytest.approx((x, y), abs=tolerance)


def test_items_crs_epsg4326_and_vn2000_are_lat_lon(ogc):
    lon, lat = _first_point(_one_zone(ogc)[0])
    assert _first_point(_one_zone(ogc, "EPSG:4326")[0]) == pytest.approx((lat, lon), abs=1e-7)
    to_vn = pyproj.Transformer.from_crs("OGC:CRS84", vn2000_crs(), always_xy=True)
    vn_lon, vn_lat = to_vn.transform(lon, lat)
    assert abs(vn_lon - lon) > 1e-4  # the datum shift is real (~200 m)
    got = _first_point(_one_zone(ogc, "http://www.opengis.net/def/crs/EPSG/0/4756")[0])
    assert got == pytest.approx((vn_lat, vn_lon), abs=2e-7)


def test_item_by_id_matches_items_feature(ogc):
    feature = _one_zone(ogc)[0]
    response = ogc.get(f"{ITEMS.format('zones')}/{feature['id']}")
    assert response.headers["content-type"] == "application/geo+json"
    body = response.json()
    assert body["properties"] == feature["properties"]
    assert body["geometry"] == feature["geometry"]
    assert {"self", "collection"} <= {link["rel"] for link in body["links"]}


def test_item_integer_id_collection_reads_feature(ogc, db_session):
    fid = _count(db_session, "SELECT min(id) FROM actual_footprints")
    body = ogc.get(f"{ITEMS.format('actual-footprints')}/{fid}").json()
    assert body["id"] == fid and body["properties"]["area_ha"] > 0


def test_provinces_collections_hold_each_admin_version(ogc):
    for version, count in (("2008-63", 63), ("2025-34", 34)):
        body = ogc.get(ITEMS.format(f"provinces-{version}"), params={"limit": 100}).json()
        assert body["numberMatched"] == count
        assert {f["properties"]["admin_version"] for f in body["features"]} == {version}


def test_queryables_lists_collection_properties(ogc):
    body = ogc.get("/ogc/collections/zones/queryables").json()
    assert body["properties"]["planned_area_ha"]["type"] == "number"
    assert set(body["properties"]) == set(COLLECTIONS["zones"].property_names)


def test_owslib_lists_collections_and_reads_items(live_server):
    from owslib.ogcapi.features import Features

    features = Features(f"{live_server}/ogc")
    ids = [c["id"] for c in features.collections()["collections"]]
    assert ids == list(COLLECTIONS)
    assert (
        "http://www.opengis.net/spec/ogcapi-features-1/1.0/conf/core"
        in (features.conformance()["conformsTo"])
    )
    page = features.collection_items("zones-kcn", limit=5)
    assert page["numberReturned"] == 5
    assert {f["properties"]["kind"] for f in page["features"]} == {"KCN"}
    one = features.collection_item("zones-kcn", page["features"][0]["id"])
    assert one["properties"] == page["features"][0]["properties"]


def test_gdal_oapif_reads_zones_like_api_zones(live_server, tmp_path):
    # GDAL runs in its own process: in-process pyogrio would hold the GIL that the server needs.
    import shutil
    import subprocess

    import httpx
    import pyogrio

    if shutil.which("ogr2ogr") is None:
        pytest.skip("ogr2ogr is absent: apt-get install gdal-bin")
    out = tmp_path / "zones.gpkg"
    subprocess.run(
        ["ogr2ogr", "-f", "GPKG", str(out), f"OAPIF:{live_server}/ogc", "zones"],
        check=True,
        timeout=120,
        capture_output=True,
    )
    back = pyogrio.read_dataframe(out).set_index("code")
    api = httpx.get(f"{live_server}/api/zones", params={"limit": 10000}).json()
    assert len(back) == api["numberMatched"] == len(api["features"])
    areas = {f["properties"]["code"]: f["properties"]["boundary_area_ha"] for f in api["features"]}
    nan_for_none = {c: math.nan if a is None else a for c, a in areas.items()}
    assert back["boundary_area_ha"].to_dict() == pytest.approx(nan_for_none, nan_ok=True)
    polygons = back[back.geom_type.isin(["Polygon", "MultiPolygon"])].to_crs(3405)
    measured = (polygons.area / 10_000).to_dict()
    assert measured == pytest.approx({c: areas[c] for c in measured}, rel=0.01)


def test_items_number_matched_cache_new_committed_zone_counts(test_settings, demo_loaded, engine):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.db.repositories import ogc_features as ogc_repo

    url = ITEMS.format("zones-kcn") + "?limit=1&province=" + "{}"
    with engine.connect() as conn:
        province = conn.execute(text("SELECT min(province_code) FROM zones")).scalar_one()
    with TestClient(create_app(test_settings)) as client:
        before = client.get(url.format(province)).json()["numberMatched"]
        assert client.get(url.format(province)).json()["numberMatched"] == before
        assert any(key[0] == "zones-kcn" for key in ogc_repo.COUNT_CACHE._items)
        with engine.begin() as conn:
            conn.execute(
                text(
                    "INSERT INTO zones (code, kind, name, province_code, location) VALUES "
                    "('KCN-CACHE-TEST', 'KCN', 'Khu thử bộ nhớ đệm', :p, "
                    "ST_SetSRID(ST_MakePoint(105.8, 21.0), 4326))"
                ),
                {"p": province},
            )
        try:
            after = client.get(url.format(province)).json()["numberMatched"]
        finally:
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM zones WHERE code = 'KCN-CACHE-TEST'"))
        again = client.get(url.format(province)).json()["numberMatched"]
    assert (before, after, again) == (before, before + 1, before)


def test_collection_extent_cache_follows_committed_zones(test_settings, demo_loaded, engine):
    from fastapi.testclient import TestClient

    from api.app import create_app
    from api.db.repositories import ogc_features as ogc_repo

    def bbox(client: TestClient) -> list[float]:
        return client.get("/ogc/collections/zones").json()["extent"]["spatial"]["bbox"][0]

    with TestClient(create_app(test_settings)) as client:
        before = bbox(client)
        assert bbox(client) == before
        assert any(key[0] == "zones" for key in ogc_repo.EXTENT_CACHE._items)
        with engine.begin() as conn:  # a zone west of every other one
            conn.execute(
                text(
                    "INSERT INTO zones (code, kind, name, province_code, location) VALUES "
                    "('KCN-EXTENT-TEST', 'KCN', 'Khu thử phạm vi', "
                    "(SELECT min(province_code) FROM zones), "
                    "ST_SetSRID(ST_MakePoint(:x, 21.0), 4326))"
                ),
                {"x": before[0] - 1.0},
            )
        try:
            after = bbox(client)
        finally:
            with engine.begin() as conn:
                conn.execute(text("DELETE FROM zones WHERE code = 'KCN-EXTENT-TEST'"))
        again = bbox(client)
    assert after[0] == pytest.approx(before[0] - 1.0) and again == before
