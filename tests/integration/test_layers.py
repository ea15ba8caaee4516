"""Map layers, zone details and search against the real PostGIS with the demo and one run."""

from __future__ import annotations

import gzip
import json

import pytest
import shapely
from shapely.geometry import box, shape
from sqlalchemy import text

from api.db.repositories import layers as layers_repo
from api.db.repositories import zones as zones_repo
from api.services.analysis import run_analysis
from tests.conftest import DEMO_TODAY

PARTS_I = "(SELECT part_id FROM run_parts WHERE run_id = :i)"  # a run's rows: its parts'
PARTS_R = "(SELECT part_id FROM run_parts WHERE run_id = :r)"


@pytest.fixture(scope="module")
def run(engine, demo_loaded):  # noqa: ANN001, ANN201
    """One national run, committed for this module and deleted afterwards (runs are slow)."""
    from api.db.engine import make_session_factory

    with make_session_factory(engine).begin() as session:
        outcome = run_analysis(session, version="2025-34", today=DEMO_TODAY)
    yield outcome
    with engine.begin() as conn:
        conn.execute(text("DELETE FROM analysis_runs WHERE id = :i"), {"i": outcome.run_id})


def _vertices(features: list[dict]) -> int:
    return sum(shapely.get_num_coordinates(shape(f["geometry"])) for f in features)


def _scalar(session, sql: str, **params):  # noqa: ANN001, ANN003, ANN202
    return session.execute(text(sql), params).scalar_one()


def test_layer_zones_worst_and_flags_match_the_run(client, db_session, run):
    features = client.get("/api/layers/zones").json()["features"]
    assert len(features) == _scalar(
        db_session,
        "SELECT count(*) FROM zones z LEFT JOIN current_planning_boundaries pb "
        "ON pb.zone_id = z.id WHERE COALESCE(pb.geom, z.location) IS NOT NULL",
    )
    flagged = [f for f in features if f["properties"]["flags"]]
    assert flagged
    sample = flagged[-1]["properties"]
    codes = (
        db_session.execute(
            text(
                "SELECT DISTINCT code FROM flags WHERE run_id IN "
                + PARTS_R
                + " AND zone_code = :z ORDER BY code"
            ),
            {"r": run.run_id, "z": sample["code"]},
        )
        .scalars()
        .all()
    )
    assert sample["flags"] == list(codes)
    worst = _scalar(
        db_session,
        "SELECT worst_severity FROM zone_metrics WHERE run_id IN "
        + PARTS_R
        + " AND zone_code = :z",
        r=run.run_id,
        z=sample["code"],
    )
    assert sample["worst"] == worst
    ranks = [
        {"critical": 3, "warning": 2, "info": 1}.get(f["properties"]["worst"], 0) for f in features
    ]
    assert ranks == sorted(ranks)  # the most severe are drawn last, on top


def test_layer_zones_low_zoom_simplifies_and_rounds(client, run):
    full = client.get("/api/layers/zones", params={"kind": "KKT"}).json()["features"]
    coarse = client.get("/api/layers/zones", params={"kind": "KKT", "zoom": 5}).json()["features"]
    assert [f["id"] for f in full] == [f["id"] for f in coarse]
    assert _vertices(coarse) < _vertices(full)
    ring = coarse[0]["geometry"]["coordinates"][0]
    assert all(round(v, 3) == v for point in ring for v in point)


def test_layer_zones_kind_province_and_bbox_filters(client, db_session, run):
    code = _scalar(
        db_session, "SELECT province_code FROM zones GROUP BY 1 ORDER BY count(*) DESC LIMIT 1"
    )
    body = client.get("/api/layers/zones", params={"province": code, "kind": "CCN"}).json()
    props = [f["properties"] for f in body["features"]]
    assert props and {p["province_code"] for p in props} == {code}
    assert {p["kind"] for p in props} == {"CCN"}
    window = box(105.5, 20.8, 106.2, 21.3)
    inside = client.get("/api/layers/zones", params={"bbox": "105.5,20.8,106.2,21.3"}).json()
    assert inside["features"]
    assert all(shape(f["geometry"]).intersects(window) for f in inside["features"])


def test_layer_zones_unknown_province_is_404_unknown_kind_422(client, run):
    assert client.get("/api/layers/zones", params={"province": "99"}).status_code == 404
    assert client.get("/api/layers/zones", params={"kind": "XYZ"}).status_code == 422
    assert client.get("/api/layers/zones", params={"zoom": 40}).status_code == 422


def test_layer_planning_boundaries_history_includes_previous_versions(client, db_session, run):
    current = client.get("/api/layers/planning-boundaries").json()["features"]
    history = client.get("/api/layers/planning-boundaries", params={"all_versions": "true"}).json()[
        "features"
    ]
    assert len(current) == _scalar(db_session, "SELECT count(*) FROM current_planning_boundaries")
    assert len(history) == _scalar(db_session, "SELECT count(*) FROM planning_boundaries")
    assert len(history) > len(current)
    assert all(f["properties"]["is_current"] for f in current)
    assert any(not f["properties"]["is_current"] for f in history)


def test_layer_footprints_latest_per_zone_unless_all(client, db_session, run):
    latest = client.get("/api/layers/footprints").json()["features"]
    every = client.get("/api/layers/footprints", params={"all_versions": "true"}).json()
    assert len(latest) == _scalar(
        db_session, "SELECT count(DISTINCT zone_id) FROM actual_footprints"
    )
    assert len(every["features"]) == _scalar(db_session, "SELECT count(*) FROM actual_footprints")
    assert len({f["id"] for f in latest}) == len(latest)


def test_layer_encroachments_and_clusters_come_from_the_run(client, db_session, run):
    enc = client.get("/api/layers/encroachments").json()
    assert enc["run_id"] == run.run_id and enc["features"]
    assert all(f["properties"]["encroachment_ha"] > 0 for f in enc["features"])
    stored = _scalar(
        db_session,
        "SELECT count(*) FROM zone_metrics WHERE run_id IN " + PARTS_R + " AND "
        "encroachment_geom IS NOT NULL AND NOT ST_IsEmpty(encroachment_geom)",
        r=run.run_id,
    )
    assert len(enc["features"]) == stored
    clusters = client.get("/api/layers/clusters").json()["features"]
    assert len(clusters) == len(run.result.clusters) > 0
    assert all(
        f["geometry"]["type"] in ("Polygon", "MultiPolygon", "LineString", "Point")
        for f in clusters
    )


def test_layer_heat_points_count_every_zone_once(client, db_session, run):
    body = client.get("/api/layers/heat", params={"zoom": 6}).json()
    zones = sum(p[2] for p in body["points"])
    assert zones == _scalar(
        db_session,
        "SELECT count(*) FROM zones z LEFT JOIN "
        "current_planning_boundaries pb ON pb.zone_id = z.id "
        "WHERE COALESCE(pb.geom, z.location) IS NOT NULL",
    )
    fine = client.get("/api/layers/heat", params={"zoom": 12}).json()["points"]
    assert len(fine) > len(body["points"])  # a finer grid at a higher zoom


def test_flagged_zones_filters_and_sorts(client, db_session, run):
    everything = client.get("/api/layers/flagged-zones", params={"limit": 5000}).json()
    flagged = _scalar(
        db_session,
        "SELECT count(DISTINCT zone_code) FROM flags WHERE run_id IN "
        + PARTS_R
        + " AND zone_code IS NOT NULL",
        r=run.run_id,
    )
    assert everything["total"] == len(everything["zones"]) == flagged
    critical = client.get("/api/layers/flagged-zones", params={"severity": "critical"}).json()
    assert critical["zones"] and {z["worst"] for z in critical["zones"]} == {"critical"}
    enc = client.get("/api/layers/flagged-zones", params={"flag": "ENCROACHMENT"}).json()
    assert enc["zones"] and all("ENCROACHMENT" in z["flags"] for z in enc["zones"])
    by_area = client.get("/api/layers/flagged-zones", params={"sort": "area"}).json()["zones"]
    areas = [z["planned_area_ha"] for z in by_area if z["planned_area_ha"] is not None]
    assert areas == sorted(areas, reverse=True)
    assert client.get("/api/layers/flagged-zones", params={"sort": "x"}).status_code == 422
    assert client.get("/api/layers/flagged-zones", params={"flag": "NOPE"}).status_code == 422


def test_flagged_zones_pages_cover_every_zone_once(client, run):
    everything = client.get("/api/layers/flagged-zones", params={"limit": 5000}).json()
    pages, offset = [], 0
    while offset < everything["total"]:
        page = client.get("/api/layers/flagged-zones", params={"limit": 40, "offset": offset})
        pages += [z["code"] for z in page.json()["zones"]]
        offset += 40
    assert pages == [z["code"] for z in everything["zones"]]
    past = client.get("/api/layers/flagged-zones", params={"offset": 100_000}).json()
    assert past["zones"] == [] and past["total"] == everything["total"]


def test_flagged_zones_export_csv_xlsx_geojson_hold_the_selection(client, run):
    import csv
    import io

    from openpyxl import load_workbook

    params = {"province": "01", "sort": "name"}
    wanted = client.get("/api/layers/flagged-zones", params=params | {"limit": 5000}).json()
    codes = [z["code"] for z in wanted["zones"]]
    assert codes
    got = client.get("/api/layers/flagged-zones", params=params | {"format": "csv"})
    assert got.status_code == 200 and got.headers["content-type"].startswith("text/csv")
    assert "attachment" in got.headers["content-disposition"]
    rows = list(csv.DictReader(io.StringIO(got.content.decode("utf-8-sig"))))
    assert [r["code"] for r in rows] == codes
    assert all(r["province_code"] == "01" for r in rows)
    assert {r["worst_severity"] for r in rows} <= {"Nghiêm trọng", "Cảnh báo", "Lưu ý"}
    assert not any(code in rows[0]["flags"] for code in rows[0]["flag_codes"].split(";"))
    book = client.get("/api/layers/flagged-zones", params=params | {"format": "xlsx"})
    sheet = load_workbook(io.BytesIO(book.content)).active
    assert [row[0] for row in sheet.iter_rows(min_row=2, values_only=True)] == codes
    geo = client.get(
        "/api/layers/flagged-zones", params=params | {"format": "geojson", "lang": "en"}
    ).json()
    assert [f["properties"]["code"] for f in geo["features"]] == codes
    assert all(shape(f["geometry"]).is_valid for f in geo["features"])


def test_flagged_zones_unknown_export_format_is_422(client, run):
    response = client.get("/api/layers/flagged-zones", params={"format": "shp"})
    assert response.status_code == 422 and "shp" in response.text and "csv" in response.text


def test_layer_provinces_carry_a_label_point_inside_each_province(client, demo_loaded):
    features = client.get("/api/layers/provinces", params={"version": "2008-63"}).json()
    outside = [
        f["properties"]["code"]
        for f in features["features"]
        if not shape(f["geometry"])
        .buffer(1e-3)
        .contains(shapely.Point(f["properties"]["label_lon"], f["properties"]["label_lat"]))
    ]
    assert len(features["features"]) == 63 and outside == []


def test_layers_gzip_when_accepted(client, run):
    response = client.get("/api/layers/zones", headers={"Accept-Encoding": "gzip"})
    assert response.headers["content-encoding"] == "gzip"
    assert response.json()["features"]  # httpx decodes it
    raw = client.get("/api/layers/zones", headers={"Accept-Encoding": "identity"})
    assert "content-encoding" not in raw.headers
    assert len(gzip.compress(raw.content)) < len(raw.content) / 3


@pytest.fixture
def named_zones(db_session, demo_loaded):  # noqa: ANN001, ANN201
    for code, name in (
        ("T-TS", "Khu công nghiệp Tiên Sơn Thử"),
        ("T-DV", "Cụm công nghiệp Đồng Văn Thử"),
    ):
        zones_repo.insert_zone(
            db_session,
            {"code": code, "kind": "KCN", "name": name, "province_code": "01"},
            boundary=box(105.9, 21.1, 105.91, 21.108),
        )
    return db_session


@pytest.mark.parametrize("query", ["Tien Son Thu", "tiên sơn thử", "TIEN SON"])
def test_search_without_diacritics_finds_vietnamese_name(client, named_zones, query):
    results = client.get("/api/search", params={"q": query}).json()["results"]
    assert "T-TS" in [r["code"] for r in results]
    hit = next(r for r in results if r["code"] == "T-TS")
    assert hit["name"] == "Khu công nghiệp Tiên Sơn Thử" and hit["lat"] == pytest.approx(
        21.104, abs=0.01
    )


def test_search_d_with_stroke_and_code_prefix(client, named_zones):
    assert [
        r["code"] for r in client.get("/api/search", params={"q": "dong van thu"}).json()["results"]
    ] == ["T-DV"]
    assert "T-DV" in [
        r["code"] for r in client.get("/api/search", params={"q": "t-dv"}).json()["results"]
    ]
    assert client.get("/api/search", params={"q": "100%_"}).json()["results"] == []


def test_zone_detail_has_facts_metrics_flags_and_history(client, db_session, run):
    code = next(f.zone_code for f in run.result.flags if f.code == "ENCROACHMENT")
    body = client.get(f"/api/zones/{code}").json()
    assert body["zone"]["code"] == code and body["zone"]["name"]
    assert body["run"]["id"] == run.run_id
    assert body["metrics"]["encroachment_ha"] > 0
    assert "ENCROACHMENT" in {f["code"] for f in body["flags"]}
    assert all(f["message_vi"] and f["message_en"] for f in body["flags"])
    versions = [b["version"] for b in body["boundaries"]]
    assert versions == sorted(versions, reverse=True) and body["boundaries"][0]["is_current"]
    xmin, ymin, xmax, ymax = body["bbox"]
    assert xmin < body["point"][0] < xmax and ymin < body["point"][1] < ymax
    assert body["uploads"] == []
    json.dumps(body)


def test_zone_detail_unknown_code_is_404(client, demo_loaded):
    response = client.get("/api/zones/NO-SUCH-ZONE")
    assert response.status_code == 404 and response.json()["code"] == "zone_not_found"


def test_tolerance_and_digits_shrink_with_zoom():
    assert layers_repo.tolerance_deg(5) > layers_repo.tolerance_deg(10) > 0
    assert layers_repo.tolerance_deg(None) == layers_repo.tolerance_deg(18) == 0
    assert layers_repo.coordinate_digits(3) == 3 and layers_repo.coordinate_digits(16) == 6


def test_layer_heat_cache_follows_the_data(client, named_zones, run):
    before = sum(p[2] for p in client.get("/api/layers/heat", params={"zoom": 7}).json()["points"])
    zones_repo.insert_zone(
        named_zones,
        {"code": "T-HEAT", "kind": "CCN", "name": "Cụm Nhiệt", "province_code": "01"},
        boundary=box(105.7, 21.0, 105.71, 21.008),
    )
    after = sum(p[2] for p in client.get("/api/layers/heat", params={"zoom": 7}).json()["points"])
    assert after == before + 1
