"""Rollback follows commit order (issue 11): the four-step scenario over HTTP, the reverse-order
advice, refusals naming the later commits newest first, and which later changes block a
rollback (rows and the zones an upload added) and which do not."""

from __future__ import annotations

from pathlib import Path

import geopandas as gpd
import pytest
from fastapi.testclient import TestClient
from shapely.geometry import box
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.services import uploads as svc
from tests.integration.upload_staging import stage_rows

CODE = "LOSS-1"
ROOT_NAME = "Khu công nghiệp Gốc"
SQUARE = box(105.78, 21.02, 105.79, 21.028)


def _geojson(tmp_path: Path, zone_name: str) -> Path:
    frame = gpd.GeoDataFrame(
        {"MA_KHU": [CODE], "TEN_KHU": [zone_name], "LOAI": ["KCN"], "DT_HA": [80.0]},
        geometry=[SQUARE],
        crs=4326,
    )
    path = tmp_path / f"{zone_name.split()[-1]}.geojson"
    frame.to_file(path, driver="GeoJSON")
    return path


def _preview(client: TestClient, tmp_path: Path, zone_name: str) -> int:
    path = _geojson(tmp_path, zone_name)
    with path.open("rb") as handle:
        files = {"file": (path.name, handle, "application/geo+json")}
        response = client.post("/api/uploads", data={"kind": "zones"}, files=files)
    assert response.status_code == 201, response.text
    return response.json()["upload_id"]


def _commit(client: TestClient, upload_id: int) -> None:
    response = client.post(f"/api/uploads/{upload_id}/commit")
    assert response.status_code == 200, response.text


def _rollback(client: TestClient, upload_id: int, status: int = 200) -> dict:
    response = client.post(f"/api/uploads/{upload_id}/rollback")
    assert response.status_code == status, response.text
    return response.json()


def _name(session: Session) -> str:
    return session.execute(text("SELECT name FROM zones WHERE code = :c"), {"c": CODE}).scalar()


def _state(session: Session) -> list:
    """Every stored value of the zone, its boundary versions and its footprints."""
    return session.execute(
        text(
            "SELECT to_jsonb(z) - 'location', (SELECT jsonb_agg(to_jsonb(pb) - 'geom' "
            "ORDER BY pb.id) FROM planning_boundaries pb WHERE pb.zone_id = z.id), "
            "(SELECT jsonb_agg(to_jsonb(f) - 'geom' ORDER BY f.id) FROM actual_footprints f "
            "WHERE f.zone_id = z.id) FROM zones z WHERE z.code = :c"
        ),
        {"c": CODE},
    ).all()


@pytest.fixture
def two_editors(client: TestClient, db_session: Session, tmp_path: Path) -> dict:
    """Gốc committed; X previewed (lower id), then Y previewed; Y committed, then X."""
    root = _preview(client, tmp_path, ROOT_NAME)
    _commit(client, root)
    after_root = _state(db_session)
    x = _preview(client, tmp_path, "Khu công nghiệp Bản X")
    y = _preview(client, tmp_path, "Khu công nghiệp Bản Y")
    assert x < y
    _commit(client, y)
    assert _name(db_session) == "Khu công nghiệp Bản Y"
    _commit(client, x)
    assert _name(db_session) == "Khu công nghiệp Bản X"
    return {"root": root, "x": x, "y": y, "after_root": after_root}


def test_rollback_of_overwritten_upload_is_refused_and_keeps_later_commit(
    client: TestClient, db_session: Session, two_editors: dict
) -> None:
    x, y, root = two_editors["x"], two_editors["y"], two_editors["root"]
    before = _state(db_session)
    body = _rollback(client, y, status=409)
    assert body["code"] == "rollback_blocked"
    assert [d["upload_id"] for d in body["details"]] == [x]
    assert f"Roll back {x} first" in body["detail"]
    assert _name(db_session) == "Khu công nghiệp Bản X"
    assert _state(db_session) == before
    assert client.get(f"/api/uploads/{y}").json()["status"] == "committed"
    assert client.get(f"/api/uploads/{y}").json()["overwritten_by"] == [x]
    assert client.get(f"/api/uploads/{x}").json()["builds_on"] == [y, root]  # root added it


def test_upload_history_lists_uploads_in_commit_order(
    client: TestClient, two_editors: dict
) -> None:
    listed = client.get("/api/uploads").json()["uploads"][:3]
    assert [u["id"] for u in listed] == [two_editors[k] for k in ("x", "y", "root")]
    seqs = [u["commit_seq"] for u in listed]
    assert seqs == sorted(seqs, reverse=True)


def test_rollback_newest_commit_first_restores_exact_states(
    client: TestClient, db_session: Session, two_editors: dict
) -> None:
    """The reverse-order case: X, committed last, rolls back although its id is lower."""
    _rollback(client, two_editors["x"])
    assert _name(db_session) == "Khu công nghiệp Bản Y"
    _rollback(client, two_editors["y"])
    assert _state(db_session) == two_editors["after_root"]
    assert _name(db_session) == ROOT_NAME


def test_refusal_names_every_later_commit_newest_first_and_following_it_works(
    client: TestClient, db_session: Session, tmp_path: Path
) -> None:
    root = _preview(client, tmp_path, ROOT_NAME)
    _commit(client, root)
    after_root = _state(db_session)
    a, b, c = (_preview(client, tmp_path, f"Khu công nghiệp Bản {n}") for n in ("A", "B", "C"))
    for upload_id in (b, c, a):
        _commit(client, upload_id)
    body = _rollback(client, b, status=409)
    assert [d["upload_id"] for d in body["details"]] == [a, c]
    for upload_id in (a, c, b):
        _rollback(client, upload_id)
    assert _state(db_session) == after_root


def _zone_rows(names: dict[str, str], shape: int = 0) -> list[dict]:
    return [
        {
            "code": code,
            "kind": "KCN",
            "province_code": "01",
            "name": name,
            "status": "operating",
            "geometry": box(105.7 + shape * 0.01, 21.0, 105.705 + shape * 0.01, 21.004),
        }
        for code, name in names.items()
    ]


def _committed(session: Session, kind: str, rows: list[dict]) -> int:
    upload_id = stage_rows(session, kind, rows, editor="an")
    svc.commit(session, upload_id)
    return upload_id


def _blockers(session: Session, upload_id: int) -> list[int]:
    with pytest.raises(svc.RollbackBlockedError) as refused:
        svc.rollback(session, upload_id)
    return [d["upload_id"] for d in refused.value.details]


def test_footprint_on_a_zone_an_upload_added_blocks_its_rollback(db_session: Session) -> None:
    added = _committed(db_session, "zones", _zone_rows({"DEP-1": "Khu công nghiệp Mới"}))
    footprint = _committed(
        db_session,
        "actual",
        [
            {
                "code": "DEP-1",
                "source": "khảo sát",
                "observed_on": "2025-01-01",
                "geometry": box(105.701, 21.001, 105.703, 21.003),
            }
        ],
    )
    assert _blockers(db_session, added) == [footprint]


def test_closing_a_boundary_version_an_upload_added_blocks_its_rollback(
    db_session: Session,
) -> None:
    added = _committed(db_session, "zones", _zone_rows({"DEP-2": "Khu công nghiệp Mới"}))
    zone_edit = _committed(db_session, "zones", _zone_rows({"DEP-2": "Khu công nghiệp Mới"}, 1))
    assert _blockers(db_session, added) == [zone_edit]
    planned = _committed(
        db_session,
        "planned",
        [
            {
                "code": "DEP-2",
                "decision_ref": "7/QĐ-UBND",
                "geometry": box(105.72, 21, 105.73, 21.01),
            }
        ],
    )
    assert _blockers(db_session, zone_edit) == [planned]


def test_later_change_of_other_rows_of_the_zone_does_not_block(db_session: Session) -> None:
    """Attributes and boundary versions are different rows: each rolls back on its own."""
    _committed(db_session, "zones", _zone_rows({"DEP-3": "Khu công nghiệp Cũ"}))
    renamed = _committed(db_session, "zones", _zone_rows({"DEP-3": "Khu công nghiệp Mới"}))
    planned = _committed(
        db_session,
        "planned",
        [
            {
                "code": "DEP-3",
                "decision_ref": "7/QĐ-UBND",
                "geometry": box(105.72, 21, 105.73, 21.01),
            }
        ],
    )
    svc.rollback(db_session, renamed)
    row = db_session.execute(
        text(
            "SELECT z.name, pb.decision_ref FROM zones z JOIN current_planning_boundaries pb "
            "ON pb.zone_id = z.id WHERE z.code = 'DEP-3'"
        )
    ).one()
    assert tuple(row) == ("Khu công nghiệp Cũ", "7/QĐ-UBND")
    assert svc.get_upload(db_session, planned)["status"] == "committed"
