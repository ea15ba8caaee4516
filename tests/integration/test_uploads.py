"""Upload pipeline against the real PostGIS: commit, re-upload, new versions, rollback, HTTP,
the CLI's JSON, real Vĩnh Long data, concurrent commits and a commit killed half-way."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
import threading
from pathlib import Path

import pyproj
import pytest
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.repositories.uploads import table_counts
from api.errors import ConflictError
from api.services import upload_documents as docs
from api.services import uploads as svc
from tests.conftest import ROOT, shared_data
from tests.table_locks import writes_held
from tests.upload_builders import to_tm3, wgs84_zones, zipped_shapefile

TABLES = (
    "zones",
    "planning_boundaries",
    "actual_footprints",
    "uploads",
    "upload_features",
    "upload_changes",
)
GEOD = pyproj.Geod(ellps="WGS84")
MAX_BYTES = 50 * 1024**2


def _import(session: Session, path: Path, **options: object) -> tuple[int, dict]:
    opts = svc.UploadOptions(**{"kind": "zones", **options})  # type: ignore[arg-type]
    prepared = svc.prepare(session, path, opts, max_bytes=MAX_BYTES)
    upload_id = svc.stage(session, path, prepared, opts, filename=path.name)
    return upload_id, svc.commit(session, upload_id)


def _zone_file(
    tmp_path: Path, name: str, *, prefix: str = "T", shift_deg: float = 0.0, encoding: str = "tcvn3"
) -> tuple[Path, object]:
    src = wgs84_zones(4)
    src["MA_KCN"] = [f"{prefix}{i:03d}" for i in range(4)]
    if shift_deg:
        src.loc[0, "geometry"] = shapely.affinity.scale(src.geometry[0], 1 + shift_deg)
    return zipped_shapefile(tmp_path / name, to_tm3(src), encoding=encoding), src


def _snapshot(session: Session) -> dict:
    zones = session.execute(text("SELECT * FROM zones ORDER BY id")).all()
    boundaries = session.execute(
        text(
            "SELECT id, zone_id, version, valid_from, valid_to, ST_AsEWKB(geom) "
            "FROM planning_boundaries ORDER BY id"
        )
    ).all()
    return {"zones": [tuple(map(str, z)) for z in zones], "boundaries": boundaries}


def test_commit_tm3_tcvn3_shapefile_inserts_zones_with_correct_text_and_areas(
    db_session: Session, tmp_path: Path
) -> None:
    path, src = _zone_file(tmp_path, "a")
    _, counts = _import(db_session, path)
    assert counts["inserted"] == 4 and counts["unchanged"] == 0
    rows = db_session.execute(
        text(
            "SELECT z.name, z.province_code, pb.area_ha FROM zones z JOIN "
            "current_planning_boundaries pb ON pb.zone_id = z.id WHERE z.code LIKE 'T%' "
            "ORDER BY z.code"
        )
    ).all()
    assert [r[0] for r in rows] == list(src["TEN_KCN"])
    for (_, province, area_ha), geom in zip(rows, src.geometry, strict=True):
        expected = abs(GEOD.geometry_area_perimeter(geom)[0]) / 1e4
        assert area_ha == pytest.approx(expected, rel=0.005)
        assert province in ("01", "24")


def test_commit_same_file_twice_changes_nothing(db_session: Session, tmp_path: Path) -> None:
    path, _ = _zone_file(tmp_path, "a")
    _import(db_session, path)
    before = table_counts(db_session, ("zones", "planning_boundaries"))
    _, counts = _import(db_session, path)
    assert (counts["inserted"], counts["updated"], counts["unchanged"]) == (0, 0, 4)
    assert table_counts(db_session, ("zones", "planning_boundaries")) == before


def test_commit_changed_polygon_closes_previous_boundary_version(
    db_session: Session, tmp_path: Path
) -> None:
    first, _ = _zone_file(tmp_path, "a")
    second, _ = _zone_file(tmp_path, "b", shift_deg=0.2)
    _import(db_session, first)
    _, counts = _import(db_session, second)
    assert (counts["inserted"], counts["updated"], counts["unchanged"]) == (0, 1, 3)
    versions = db_session.execute(
        text(
            "SELECT pb.version, pb.valid_to IS NULL FROM planning_boundaries pb JOIN zones z "
            "ON z.id = pb.zone_id WHERE z.code = 'T000' ORDER BY pb.version"
        )
    ).all()
    assert versions == [(1, False), (2, True)]


def test_rollback_after_update_restores_exact_previous_state(
    db_session: Session, tmp_path: Path
) -> None:
    first, _ = _zone_file(tmp_path, "a")
    second, _ = _zone_file(tmp_path, "b", shift_deg=0.2, encoding="vni")
    _import(db_session, first)
    before = _snapshot(db_session)
    upload_id, _ = _import(db_session, second)
    assert _snapshot(db_session) != before
    svc.rollback(db_session, upload_id)
    assert _snapshot(db_session) == before
    with pytest.raises(ConflictError, match="only a committed upload"):
        svc.rollback(db_session, upload_id)


def test_rollback_of_first_upload_removes_its_zones(db_session: Session, tmp_path: Path) -> None:
    before = table_counts(db_session, ("zones", "planning_boundaries"))
    path, _ = _zone_file(tmp_path, "a")
    upload_id, _ = _import(db_session, path)
    svc.rollback(db_session, upload_id)
    assert table_counts(db_session, ("zones", "planning_boundaries")) == before


def test_http_upload_preview_commit_list_rollback_round_trip(client, tmp_path: Path) -> None:  # noqa: ANN001
    path, _ = _zone_file(tmp_path, "a", prefix="H")
    with path.open("rb") as handle:
        response = client.post(
            "/api/uploads",
            data={"kind": "zones"},
            files={"file": (path.name, handle, "application/zip")},
        )
    assert response.status_code == 201, response.text
    body = response.json()
    assert (body["inserted"], body["crs"], body["encoding"]) == (4, "VN2000-TM3-105", "tcvn3")
    assert len(body["preview"]["features"]) == 4
    assert body["preview"]["features"][0]["properties"]["name"] == "Khu công nghiệp Tiên Sơn"
    committed = client.post(f"/api/uploads/{body['upload_id']}/commit").json()
    assert committed["inserted"] == 4
    listed = client.get("/api/uploads").json()["uploads"]
    assert listed[0]["id"] == body["upload_id"] and listed[0]["status"] == "committed"
    rolled = client.post(f"/api/uploads/{body['upload_id']}/rollback")
    assert rolled.status_code == 200 and rolled.json()["undone"]["zones_deleted"] == 4
    assert client.get(f"/api/uploads/{body['upload_id']}").json()["status"] == "rolled_back"


def test_import_vinhlong_points_as_zones_stores_locations(db_session: Session) -> None:
    path = shared_data("zones", "vinhlong_2025_zones.geojson")
    _, counts = _import(db_session, path, mapping={"code": "src_fid"})
    assert counts["inserted"] == 23
    located = db_session.execute(
        text(
            "SELECT count(*) FROM zones WHERE province_code = '86' AND location IS NOT NULL "
            "AND name LIKE 'Khu công nghiệp%'"
        )
    ).scalar_one()
    assert located >= 21


def test_import_vinhlong_points_as_planned_is_refused(db_session: Session) -> None:
    path = shared_data("zones", "vinhlong_2025_zones.geojson")
    before = table_counts(db_session, TABLES)
    with pytest.raises(svc.UploadInvalidError, match="Point but planned uploads need Polygon"):
        _import(db_session, path, kind="planned", mapping={"code": "src_fid"})
    assert table_counts(db_session, TABLES) == before


def _cli(args: list[str], url: str, **env: str) -> subprocess.Popen:
    environ = {**os.environ, "DATABASE_URL": url, **env}
    command = [str(Path(sys.executable).parent / "zonemap"), "import", *args]
    return subprocess.Popen(
        command, cwd=ROOT, env=environ, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True
    )


def test_cli_dry_run_json_has_issue_keys_and_writes_nothing(
    engine,
    test_database_url: str,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    path, _ = _zone_file(tmp_path, "a", prefix="C")
    with Session(engine) as session:
        before = table_counts(session, TABLES)
    proc = _cli([str(path), "--kind", "zones", "--dry-run", "--json"], test_database_url)
    out, err = proc.communicate(timeout=120)
    assert proc.returncode == 0, err
    doc = json.loads(out)
    keys = {
        "features",
        "inserted",
        "updated",
        "unchanged",
        "repaired",
        "crs",
        "encoding",
        "area_ha",
        "warnings",
        "errors",
        "preview",
    }
    assert keys <= set(doc) and doc["features"] == 4 and doc["inserted"] == 4
    assert doc["preview"]["type"] == "FeatureCollection"
    with Session(engine) as session:
        assert table_counts(session, TABLES) == before


def test_commit_killed_in_the_middle_leaves_database_unchanged(
    engine,
    test_database_url: str,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    path, _ = _zone_file(tmp_path, "a", prefix="K")
    with Session(engine) as session:
        before = table_counts(session, TABLES)
    # The commit records its dependencies on earlier uploads after writing the zones, their
    # boundaries and its journal: holding upload_dependencies stops it there.
    with writes_held(test_database_url, "upload_dependencies") as held:
        proc = _cli([str(path), "--kind", "zones", "--json"], test_database_url)
        held.wait_for_writer()
        proc.kill()
        proc.wait(timeout=30)
    with Session(engine) as session:
        assert table_counts(session, TABLES) == before


def test_concurrent_commits_of_same_zones_never_mix(engine, tmp_path: Path) -> None:  # noqa: ANN001
    paths = [
        _zone_file(tmp_path, name, prefix="Q", shift_deg=shift)[0]
        for name, shift in (("a", 0.0), ("b", 0.3))
    ]
    ids = []
    for path in paths:
        with Session(engine) as session, session.begin():
            opts = svc.UploadOptions(kind="zones")
            prepared = svc.prepare(session, path, opts, max_bytes=MAX_BYTES)
            ids.append(svc.stage(session, path, prepared, opts, filename=path.name))
    results: dict[int, object] = {}
    barrier = threading.Barrier(2)

    def run(upload_id: int) -> None:
        with Session(engine) as session:
            try:
                with session.begin():
                    barrier.wait()
                    results[upload_id] = svc.commit(session, upload_id)
            except ConflictError as exc:
                results[upload_id] = exc

    threads = [threading.Thread(target=run, args=(i,)) for i in ids]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        counts = [r for r in results.values() if isinstance(r, dict)]
        assert sum(c["inserted"] for c in counts) == 4
        with Session(engine) as session:
            current = session.execute(
                text(
                    "SELECT count(*) FROM current_planning_boundaries pb JOIN zones z "
                    "ON z.id = pb.zone_id WHERE z.code LIKE 'Q%'"
                )
            ).scalar_one()
        assert current == 4
    finally:
        with Session(engine) as session, session.begin():
            session.execute(text("DELETE FROM zones WHERE code LIKE 'Q%'"))
            session.execute(text("DELETE FROM uploads WHERE id = ANY(:ids)"), {"ids": ids})


def test_boundary_is_valid_from_the_files_decision_date(
    db_session: Session, tmp_path: Path
) -> None:
    src = wgs84_zones(2)
    src["MA_KCN"] = ["VF001", "VF002"]
    src["NGAY_QD"] = ["2019-05-20", None]
    _import(db_session, zipped_shapefile(tmp_path / "a", src, encoding="utf-8"))
    first = dict(
        db_session.execute(
            text(
                "SELECT z.code, pb.valid_from FROM zones z JOIN current_planning_boundaries pb "
                "ON pb.zone_id = z.id WHERE z.code LIKE 'VF%'"
            )
        ).all()
    )
    assert first["VF001"] == dt.date(2019, 5, 20)
    assert first["VF002"] == dt.date.today()  # no decision date in the file: the upload's day
    src.loc[0, "geometry"] = shapely.affinity.scale(src.geometry[0], 1.2)
    src["NGAY_QD"] = ["2023-01-10", None]
    _import(db_session, zipped_shapefile(tmp_path / "b", src.iloc[:1], encoding="utf-8"))
    versions = db_session.execute(
        text(
            "SELECT version, valid_from, valid_to FROM planning_boundaries pb JOIN zones z "
            "ON z.id = pb.zone_id WHERE z.code = 'VF001' ORDER BY version"
        )
    ).all()
    assert [tuple(v) for v in versions] == [
        (1, dt.date(2019, 5, 20), dt.date(2023, 1, 10)),
        (2, dt.date(2023, 1, 10), None),
    ]


def test_previews_not_committed_within_a_day_expire(db_session: Session, tmp_path: Path) -> None:
    old_path, _ = _zone_file(tmp_path, "old", prefix="EXO")
    new_path, _ = _zone_file(tmp_path, "new", prefix="EXN")
    opts = svc.UploadOptions(kind="zones")
    old = svc.stage(
        db_session,
        old_path,
        svc.prepare(db_session, old_path, opts, max_bytes=MAX_BYTES),
        opts,
        filename="old.zip",
    )
    new = svc.stage(
        db_session,
        new_path,
        svc.prepare(db_session, new_path, opts, max_bytes=MAX_BYTES),
        opts,
        filename="new.zip",
    )
    db_session.execute(
        text("UPDATE uploads SET created_at = now() - interval '25 hours' WHERE id = :i"),
        {"i": old},
    )
    with pytest.raises(ConflictError, match="expired: upload the file again"):
        svc.commit(db_session, old)
    statuses = {u["id"]: u["status"] for u in svc.list_uploads(db_session)}
    assert statuses[old] == "expired" and statuses[new] == "previewed"
    staged = db_session.execute(
        text(
            "SELECT upload_id, count(*) FROM upload_features WHERE upload_id IN (:a, :b) "
            "GROUP BY upload_id"
        ),
        {"a": old, "b": new},
    ).all()
    assert dict(staged) == {new: 4}
    with pytest.raises(ConflictError, match="is expired"):
        svc.commit(db_session, old)
    assert svc.commit(db_session, new)["inserted"] == 4


def test_report_lists_the_first_area_findings_and_counts_them_all(
    db_session: Session, tmp_path: Path, monkeypatch
) -> None:  # noqa: ANN001
    src = wgs84_zones(4)
    src["DT_HA"] = 5000.0  # every declared area far from the drawn one
    path = zipped_shapefile(tmp_path / "wrong-areas", to_tm3(src), encoding="tcvn3")
    opts = svc.UploadOptions(kind="zones")
    prepared = svc.prepare(db_session, path, opts, max_bytes=MAX_BYTES)
    monkeypatch.setattr(docs, "QUARANTINE_LISTED", 2)
    doc = docs.report_document(prepared, None)
    assert len(doc["checks"]) == 2 and doc["checks"][0]["row"] == 1
    assert doc["checks_by_code"]["area_mismatch"] == 4  # CCN zones add size findings
    assert doc["checks_total"] == sum(doc["checks_by_code"].values()) > 2
