"""``zones.current_geom`` (the indexed geometry every spatial read filters on) always equals
the zone's current planning boundary, or its point when it has none, in the same transaction
as every write: upload commits and rollbacks, the demo loader, and plain SQL. The data version
that keys the read caches moves with every such write."""

from __future__ import annotations

from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.repositories.read_cache import VERSION_SQL
from api.services import uploads as svc
from tests.integration.test_uploads import _import, _zone_file

# Zones whose current_geom is not what the triggers promise.
WRONG = text(
    "SELECT z.code FROM zones z LEFT JOIN current_planning_boundaries pb ON pb.zone_id = z.id "
    "WHERE z.current_geom IS DISTINCT FROM COALESCE(pb.geom, z.location) ORDER BY z.code"
)
VERSION = text(f"SELECT {VERSION_SQL}")


def _shape(session: Session, code: str) -> str | None:
    return session.execute(
        text("SELECT ST_AsText(current_geom) FROM zones WHERE code = :c"), {"c": code}
    ).scalar_one()


def test_current_geom_after_demo_load_matches_every_zone(db_session: Session, demo_loaded):
    total = db_session.execute(text("SELECT count(*) FROM zones")).scalar_one()
    assert total > 0
    assert db_session.execute(WRONG).all() == []


def test_current_geom_follows_upload_commit_new_version_and_rollback(
    db_session: Session, tmp_path: Path
) -> None:
    first, _ = _zone_file(tmp_path, "a")
    second, _ = _zone_file(tmp_path, "b", shift_deg=0.2)
    version_0 = db_session.execute(VERSION).scalar_one()
    _import(db_session, first)
    committed = _shape(db_session, "T000")
    assert committed.startswith("MULTIPOLYGON") and db_session.execute(WRONG).all() == []
    version_1 = db_session.execute(VERSION).scalar_one()
    upload_id, _ = _import(db_session, second)
    assert _shape(db_session, "T000") != committed
    assert db_session.execute(WRONG).all() == []
    svc.rollback(db_session, upload_id)
    assert _shape(db_session, "T000") == committed
    assert db_session.execute(WRONG).all() == []
    # One writing transaction: the version moves once, at its first write (marked uncommitted).
    assert version_1.endswith("*") and not version_0.endswith("*")
    assert int(version_1.rstrip("*")) > int(version_0)
    assert db_session.execute(VERSION).scalar_one() == version_1


def test_current_geom_follows_plain_sql_writes(db_session: Session) -> None:
    run = db_session.execute
    zone_id = run(
        text(
            "INSERT INTO zones (code, kind, name, province_code, location) VALUES "
            "('CG1', 'KCN', 'Khu thử', '01', ST_SetSRID(ST_MakePoint(105.8, 21.0), 4326)) "
            "RETURNING id"
        )
    ).scalar_one()
    assert _shape(db_session, "CG1") == "POINT(105.8 21)"
    run(
        text(
            "UPDATE zones SET location = ST_SetSRID(ST_MakePoint(105.9, 21.1), 4326) WHERE id = :z"
        ),
        {"z": zone_id},
    )
    assert _shape(db_session, "CG1") == "POINT(105.9 21.1)"
    run(
        text(
            "INSERT INTO planning_boundaries (zone_id, version, geom) VALUES (:z, 1, "
            "ST_Multi(ST_MakeEnvelope(105.8, 21.0, 105.9, 21.1, 4326)))"
        ),
        {"z": zone_id},
    )
    assert _shape(db_session, "CG1").startswith("MULTIPOLYGON(((105.8 21")
    run(
        text("UPDATE planning_boundaries SET valid_to = valid_from WHERE zone_id = :z"),
        {"z": zone_id},
    )
    assert _shape(db_session, "CG1") == "POINT(105.9 21.1)"
    run(text("UPDATE planning_boundaries SET valid_to = NULL WHERE zone_id = :z"), {"z": zone_id})
    run(text("DELETE FROM planning_boundaries WHERE zone_id = :z"), {"z": zone_id})
    assert _shape(db_session, "CG1") == "POINT(105.9 21.1)"
    assert run(WRONG).all() == []


def test_current_geom_given_on_insert_is_kept_when_right_and_corrected_when_wrong(
    db_session: Session,
) -> None:
    """An INSERT may give current_geom (the upload gives the first boundary's polygon, so the
    zone row is written once); the boundaries' trigger still corrects a value that is wrong."""
    square = "ST_Multi(ST_MakeEnvelope(105.80, 21.00, 105.81, 21.01, 4326))"
    db_session.execute(
        text(
            "INSERT INTO zones (code, kind, name, province_code, current_geom) VALUES "
            f"('CG-RIGHT', 'KCN', 'Khu A', '01', {square}), "
            "('CG-WRONG', 'KCN', 'Khu B', '01', ST_Multi(ST_MakeEnvelope(1, 1, 2, 2, 4326)))"
        )
    )
    db_session.execute(
        text(
            "INSERT INTO planning_boundaries (zone_id, version, geom) SELECT id, 1, "
            f"{square} FROM zones WHERE code IN ('CG-RIGHT', 'CG-WRONG')"
        )
    )
    assert db_session.execute(WRONG).all() == []
    assert _shape(db_session, "CG-WRONG") == _shape(db_session, "CG-RIGHT")
