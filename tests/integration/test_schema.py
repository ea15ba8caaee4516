"""The schema from the migrations: up/down, constraints, and the repository's checks."""

from __future__ import annotations

import pytest
import shapely
from sqlalchemy import inspect, text
from sqlalchemy.engine import make_url
from sqlalchemy.exc import DBAPIError

from api.db import migrate
from api.db.engine import make_engine
from api.db.repositories.zones import GeometryRejectedError, insert_zone
from api.services.bootstrap import drop_database, ensure_database

TABLES = {
    "provinces",
    "zones",
    "planning_boundaries",
    "actual_footprints",
    "uploads",
    "analysis_runs",
    "flags",
}
SQUARE = shapely.box(105.80, 21.00, 105.81, 21.01)
BOWTIE = shapely.Polygon([(105.8, 21.0), (105.81, 21.01), (105.81, 21.0), (105.8, 21.01)])


def _zone(code: str = "KCN-T-1", **overrides):  # noqa: ANN202
    attrs = {
        "code": code,
        "kind": "KCN",
        "name": "Khu công nghiệp Thử Nghiệm",
        "province_code": "01",
        "status": "operating",
    }
    return {**attrs, **overrides}


def _count(session, table: str) -> int:  # noqa: ANN001
    return session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()


def test_migrations_upgrade_then_downgrade_then_upgrade_restores_schema(test_database_url):
    url = make_url(test_database_url).set(database=make_url(test_database_url).database + "_mig")
    ensure_database(url.render_as_string(hide_password=False), recreate=True)
    eng = make_engine(url)
    try:
        migrate.upgrade(eng)
        assert set(inspect(eng).get_table_names()) >= TABLES
        migrate.downgrade(eng)
        assert not TABLES & set(inspect(eng).get_table_names())
        migrate.upgrade(eng)
        assert set(inspect(eng).get_table_names()) >= TABLES
    finally:
        eng.dispose()
        drop_database(url.render_as_string(hide_password=False))


def test_insert_zone_valid_polygon_computes_area_in_hectares(db_session):
    zone_id = insert_zone(db_session, _zone(), SQUARE)
    area = db_session.execute(
        text("SELECT area_ha FROM planning_boundaries WHERE zone_id = :z"), {"z": zone_id}
    ).scalar_one()
    # 0.01° × 0.01° at 21°N: 1,113.2 m × 1,038.6 m on the ellipsoid ≈ 115.6 ha
    assert area == pytest.approx(115.6, rel=0.01)


def test_insert_zone_invalid_polygon_rejected_nothing_written(db_session):
    before = (_count(db_session, "zones"), _count(db_session, "planning_boundaries"))
    with pytest.raises(GeometryRejectedError, match="not a valid polygon"):
        insert_zone(db_session, _zone(), BOWTIE)
    assert (_count(db_session, "zones"), _count(db_session, "planning_boundaries")) == before


def test_insert_zone_point_geometry_rejected(db_session):
    with pytest.raises(GeometryRejectedError, match="must be a polygon"):
        insert_zone(db_session, _zone(), shapely.Point(105.8, 21.0))


def test_database_check_rejects_invalid_polygon_written_directly(db_session):
    zone_id = insert_zone(db_session, _zone())
    with pytest.raises(DBAPIError, match="check"), db_session.begin_nested():
        db_session.execute(
            text(
                "INSERT INTO planning_boundaries (zone_id, version, geom) "
                "VALUES (:z, 1, ST_Multi(ST_GeomFromText(:wkt, 4326)))"
            ),
            {"z": zone_id, "wkt": BOWTIE.wkt},
        )


def test_database_rejects_unknown_kind(db_session):
    with pytest.raises(DBAPIError, match="zones_kind_check"), db_session.begin_nested():
        insert_zone(db_session, _zone(kind="XYZ"))


def test_database_rejects_duplicate_zone_code(db_session):
    insert_zone(db_session, _zone("DUP-1"))
    with pytest.raises(DBAPIError, match="unique"), db_session.begin_nested():
        insert_zone(db_session, _zone("DUP-1"))


def test_database_rejects_non_nfc_name(db_session):
    decomposed = "Khu cong nghie\u0323\u0302p"  # e + combining dot below + circumflex
    with pytest.raises(DBAPIError, match="zones_name_check"), db_session.begin_nested():
        insert_zone(db_session, _zone(name=decomposed))


def test_only_one_current_planning_boundary_per_zone(db_session):
    zone_id = insert_zone(db_session, _zone(), SQUARE)
    with (
        pytest.raises(DBAPIError, match="ux_planning_boundaries_current"),
        db_session.begin_nested(),
    ):
        db_session.execute(
            text(
                "INSERT INTO planning_boundaries (zone_id, version, geom) "
                "VALUES (:z, 2, ST_Multi(ST_GeomFromText(:wkt, 4326)))"
            ),
            {"z": zone_id, "wkt": SQUARE.wkt},
        )


def test_boundaries_loaded_63_and_34_with_vietnamese_names(db_session):
    rows = dict(
        db_session.execute(
            text("SELECT admin_version, count(*) FROM provinces GROUP BY admin_version")
        ).all()
    )
    assert rows == {"2008-63": 63, "2025-34": 34}
    name = db_session.execute(
        text("SELECT name_vi FROM provinces WHERE admin_version='2008-63' AND code='46'")
    ).scalar_one()
    assert name == "Thừa Thiên Huế"
