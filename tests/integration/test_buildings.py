"""Building layers against the real PostGIS: streamed import, preview, commit with derived
built-up footprints (known answers), re-derivation, rollback, and every bad input of issue 15."""

from __future__ import annotations

import datetime as dt
import json
import os
import subprocess
import sys
from pathlib import Path

import geopandas as gpd
import numpy as np
import pyogrio
import pytest
import shapely
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.db.repositories.uploads import table_counts
from api.errors import NotFoundError
from api.services import buildings
from api.services import uploads as svc
from geo.errors import CRSUndeterminedError
from geo.ingest.buildings import WrongBuildingTypeError
from geo.synthetic.buildings import building_scenario
from tests.conftest import ROOT
from tests.table_locks import writes_held
from tests.upload_builders import to_tm3, write_shapefile, zipped_shapefile

TABLES = ("zones", "planning_boundaries", "actual_footprints", "uploads", "upload_changes")
MAX_BYTES = 50 * 1024**2
DAY1, DAY2 = dt.date(2025, 6, 1), dt.date(2026, 6, 1)


def _counts(session: Session) -> dict:
    counts = table_counts(session, TABLES)
    for table in ("buildings", "building_observations", "zone_building_stats"):
        counts[table] = session.execute(text(f"SELECT count(*) FROM {table}")).scalar_one()
    return counts


def _zones(session: Session, tmp_path: Path, scenario) -> None:  # noqa: ANN001
    path = zipped_shapefile(tmp_path / "zones", to_tm3(scenario.zones), encoding="cp1258")
    opts = svc.UploadOptions(kind="zones")
    prepared = svc.prepare(session, path, opts, max_bytes=MAX_BYTES)
    svc.commit(session, svc.stage(session, path, prepared, opts, filename=path.name))


def _building_file(tmp_path: Path, geoms: np.ndarray, name: str = "b", **kwargs: object) -> Path:
    frame = gpd.GeoDataFrame({"ID": np.arange(len(geoms))}, geometry=list(geoms), crs=4326)
    shp = write_shapefile(
        tmp_path / name, "nha", frame.to_crs(to_tm3(frame.iloc[:1]).crs), **kwargs
    )  # type: ignore[arg-type]
    return shp


def _buildings(
    session: Session,
    path: Path,
    observed_on: dt.date = DAY1,
    *,
    commit: bool = True,
    **options: object,
) -> tuple[int, dict]:
    opts = svc.UploadOptions(
        kind="buildings", defaults={"observed_on": observed_on, "source": "cadastre"}, **options
    )  # type: ignore[arg-type]
    upload_id, summary = buildings.stage_buildings(
        session, path, opts, max_bytes=MAX_BYTES, filename=path.name
    )
    counts = svc.commit(session, upload_id) if commit else svc.preview(session, upload_id)
    return upload_id, {**summary, **counts}


def _stats(session: Session, observation_id: int) -> dict[str, dict]:
    rows = session.execute(
        text(
            "SELECT z.code, s.*, f.area_ha AS footprint_ha, f.source FROM zone_building_stats s "
            "JOIN zones z ON z.id = s.zone_id JOIN actual_footprints f ON f.id = s.footprint_id "
            "WHERE s.observation_id = :o"
        ),
        {"o": observation_id},
    ).mappings()
    return {r["code"]: dict(r) for r in rows}


def test_derived_footprints_match_the_known_answers(db_session: Session, tmp_path: Path) -> None:
    scenario = building_scenario(4)
    _zones(db_session, tmp_path, scenario)
    path = _building_file(tmp_path, scenario.buildings)
    _upload_id, doc = _buildings(db_session, path)
    assert doc["buildings"] == len(scenario.buildings) and doc["zones_affected"] == 4
    assert doc["area_ha"] == pytest.approx(len(scenario.buildings) * 0.09, rel=2e-3)  # TM-3
    derived = doc["derived"]
    assert derived["far"] == scenario.far_count  # ignored, but counted: not lost
    stored = db_session.execute(
        text("SELECT count(*) FROM buildings WHERE observation_id = :o"),
        {"o": doc["observation_id"]},
    ).scalar_one()
    assert stored == len(scenario.buildings)
    stats = _stats(db_session, doc["observation_id"])
    assert sorted(stats) == sorted(scenario.expected["code"])
    for row in scenario.expected.to_dict("records"):
        got = stats[row["code"]]
        assert got["building_count"] == row["building_count"]  # the straddling one once
        assert got["outside_count"] == row["outside_count"]
        assert got["floor_area_ha"] == pytest.approx(row["floor_area_ha"], rel=0.02)
        assert got["builtup_ha"] == pytest.approx(row["builtup_ha"], rel=0.02)
        assert got["footprint_ha"] == pytest.approx(row["builtup_ha"], rel=0.02)
        assert got["source"] == f"derived:buildings:{doc['observation_id']}"
        assert 0 < got["built_share"] < 1


def test_second_observation_gives_second_footprint_and_rollback_is_exact(
    db_session: Session, tmp_path: Path
) -> None:
    scenario = building_scenario(2, far=0)
    _zones(db_session, tmp_path, scenario)
    before = _counts(db_session)
    first_id, first = _buildings(db_session, _building_file(tmp_path, scenario.buildings, "a"))
    grown = building_scenario(2, nx=8, far=0)
    second_id, second = _buildings(db_session, _building_file(tmp_path, grown.buildings, "b"), DAY2)
    rows = db_session.execute(
        text(
            "SELECT z.code, f.observed_on, f.area_ha FROM actual_footprints f JOIN zones z "
            "ON z.id = f.zone_id WHERE f.source LIKE 'derived:buildings:%' ORDER BY 1, 2"
        )
    ).all()
    assert [(c, d) for c, d, _ in rows] == [
        ("BZ00000", DAY1),
        ("BZ00000", DAY2),
        ("BZ00001", DAY1),
        ("BZ00001", DAY2),
    ]
    assert rows[1][2] > rows[0][2]  # growth over time
    # a second derivation of the same observation replaces the first
    again = buildings.derive_footprints(db_session, first["observation_id"])
    assert again["footprints"] == 2
    assert _counts(db_session)["actual_footprints"] == before["actual_footprints"] + 4
    svc.rollback(db_session, second_id)
    svc.rollback(db_session, first_id)
    data = (
        "zones",
        "planning_boundaries",
        "actual_footprints",
        "buildings",
        "building_observations",
        "zone_building_stats",
    )  # the upload records stay
    assert {k: _counts(db_session)[k] for k in data} == {k: before[k] for k in data}
    partitions = db_session.execute(
        text("SELECT count(*) FROM pg_inherits WHERE inhparent = 'buildings'::regclass")
    ).scalar_one()
    assert partitions == 0


def test_points_and_lines_as_buildings_are_refused_with_counts(
    db_session: Session, tmp_path: Path
) -> None:
    scenario = building_scenario(1, far=0)
    geoms = list(scenario.buildings[:5]) + [shapely.Point(105.41, 20.51)] * 3
    geoms += [shapely.LineString([(105.41, 20.51), (105.42, 20.52)])] * 2
    path = tmp_path / "mixed.geojson"
    gpd.GeoDataFrame(geometry=geoms, crs=4326).to_file(path, driver="GeoJSON")
    before = _counts(db_session)
    with pytest.raises(WrongBuildingTypeError, match="2 LineString, 3 Point") as caught:
        _buildings(db_session, path)
    assert caught.value.details["types"] == {"LineString": 2, "Point": 3, "Polygon": 5}
    db_session.rollback()
    assert _counts(db_session) == before


def test_broken_buildings_are_quarantined_and_the_good_ones_imported(
    db_session: Session, tmp_path: Path
) -> None:
    scenario = building_scenario(2, far=0)
    _zones(db_session, tmp_path, scenario)
    sliver = shapely.Polygon([(105.41, 20.51), (105.42, 20.51), (105.43, 20.51)])
    broken = [shapely.Point(105.41, 20.51), shapely.box(2.30, 48.80, 2.31, 48.81), sliver]
    path = tmp_path / "mixed.geojson"
    gpd.GeoDataFrame(geometry=[*broken, *scenario.buildings], crs=4326).to_file(
        path, driver="GeoJSON"
    )
    before = _counts(db_session)
    upload_id, preview = _buildings(db_session, path, commit=False)
    assert preview["quarantined"] == 3 and preview["buildings"] == len(scenario.buildings)
    assert {q["index"]: q["reason"] for q in preview["quarantine"]} == {
        0: "wrong_geometry_type",
        1: "outside_vietnam",
        2: "invalid_geometry",
    }
    assert len(preview["quarantine_preview"]["features"]) == 2  # the sliver has no area to draw
    with pytest.raises(svc.QuarantineNotAcceptedError, match="3 feature"):
        svc.commit(db_session, upload_id)
    counts = svc.commit(db_session, upload_id, accept_quarantine=True)
    assert counts["inserted"] == len(scenario.buildings) and counts["quarantined"] == 3
    stored = db_session.execute(
        text("SELECT count(*) FROM buildings WHERE observation_id = :o"),
        {"o": counts["observation_id"]},
    ).scalar_one()
    assert stored == len(scenario.buildings)
    stats = _stats(db_session, counts["observation_id"])
    assert [stats[c]["building_count"] for c in scenario.expected["code"]] == scenario.expected[
        "building_count"
    ].tolist()
    kept_aside = svc.quarantine_geojson(db_session, upload_id)["features"]
    assert [f["properties"]["_original_wkt"][:5] for f in kept_aside] == ["POINT", "POLYG", "POLYG"]
    svc.rollback(db_session, upload_id)
    data = ("buildings", "building_observations", "zone_building_stats", "actual_footprints")
    assert {k: _counts(db_session)[k] for k in data} == {k: before[k] for k in data}


def test_buildings_without_prj_are_refused_like_other_kinds(
    db_session: Session, tmp_path: Path
) -> None:
    scenario = building_scenario(1, far=0)
    path = _building_file(tmp_path, scenario.buildings, prj=False)
    before = _counts(db_session)
    with pytest.raises(CRSUndeterminedError, match="has no .prj") as caught:
        _buildings(db_session, path)
    assert caught.value.details["candidates"][0]["crs"].startswith("VN2000")
    db_session.rollback()
    assert _counts(db_session) == before
    _upload_id, doc = _buildings(db_session, path, accept_crs_guess=True, commit=False)
    assert doc["buildings"] == len(scenario.buildings)


def test_buildings_far_from_every_zone_affect_no_zone(db_session: Session, tmp_path: Path) -> None:
    scenario = building_scenario(1, far=0, origin=(107.0, 11.5))  # south, no zone there
    before = _counts(db_session)
    zones_before = db_session.execute(text("SELECT * FROM actual_footprints")).all()
    upload_id, preview = _buildings(
        db_session, _building_file(tmp_path, scenario.buildings), commit=False
    )
    assert preview["zones_affected"] == 0
    counts = svc.commit(db_session, upload_id)
    assert counts["zones_affected"] == 0 and counts["derived"]["footprints"] == 0
    assert counts["derived"]["far"] == len(scenario.buildings)
    after = _counts(db_session)
    assert after["zone_building_stats"] == before["zone_building_stats"]
    assert db_session.execute(text("SELECT * FROM actual_footprints")).all() == zones_before


def test_derivation_of_missing_observation_is_a_clear_error(db_session: Session) -> None:
    with pytest.raises(NotFoundError, match="Building observation 987654 does not exist"):
        buildings.derive_footprints(db_session, 987654)


def test_cli_derivation_of_missing_observation_exits_non_zero(test_database_url: str) -> None:
    proc = subprocess.run(
        [str(Path(sys.executable).parent / "zonemap"), "derive-footprints", "987654"],
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": test_database_url},
        capture_output=True,
        text=True,
        timeout=120,
    )
    assert proc.returncode == 1 and "987654 does not exist" in proc.stderr


def test_building_import_killed_half_way_writes_nothing(
    engine,
    test_database_url: str,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    scenario = building_scenario(1, far=0)
    path = _building_file(tmp_path, scenario.buildings)
    with Session(engine) as session:
        before = _counts(session)
    command = [
        str(Path(sys.executable).parent / "zonemap"),
        "import",
        str(path),
        "--kind",
        "buildings",
        "--observed-on",
        "2025-01-01",
        "--json",
    ]
    # The commit records its dependencies on earlier uploads after the buildings, their
    # partition and the derived footprints: holding upload_dependencies stops it there.
    with writes_held(test_database_url, "upload_dependencies") as held:
        env = {**os.environ, "DATABASE_URL": test_database_url}
        proc = subprocess.Popen(
            command, cwd=ROOT, stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True, env=env
        )
        held.wait_for_writer()
        proc.kill()
        proc.wait(timeout=30)
    with Session(engine) as session:
        assert _counts(session) == before
        assert (
            session.execute(
                text("SELECT count(*) FROM pg_tables WHERE tablename LIKE 'buildings_obs_%'")
            ).scalar_one()
            == 0
        )


def test_cli_imports_buildings_and_prints_json(
    engine,
    test_database_url: str,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    scenario = building_scenario(1, far=2, origin=(107.0, 11.5))
    path = tmp_path / "b.gpkg"
    pyogrio.write_dataframe(gpd.GeoDataFrame(geometry=list(scenario.buildings), crs=4326), path)
    command = [
        str(Path(sys.executable).parent / "zonemap"),
        "import",
        str(path),
        "--kind",
        "buildings",
        "--observed-on",
        "2025-01-01",
        "--source",
        "OSM",
        "--json",
    ]
    proc = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": test_database_url},
    )
    assert proc.returncode == 0, proc.stderr
    doc = json.loads(proc.stdout)
    assert doc["buildings"] == len(scenario.buildings) and doc["source"] == "OSM"
    with Session(engine) as session:
        svc.rollback(session, doc["upload_id"])
        session.commit()


def test_http_building_upload_preview_commit_rollback(client, tmp_path: Path) -> None:  # noqa: ANN001
    scenario = building_scenario(1, far=0, origin=(107.0, 11.5))
    path = tmp_path / "nha.geojson"
    gpd.GeoDataFrame(geometry=list(scenario.buildings), crs=4326).to_file(path, driver="GeoJSON")
    with path.open("rb") as handle:
        response = client.post(
            "/api/uploads",
            files={"file": (path.name, handle)},
            data={"kind": "buildings", "source": "OSM", "observed_on": "2025-06-01"},
        )
    assert response.status_code == 201, response.text
    doc = response.json()
    assert doc["buildings"] == len(scenario.buildings) and doc["zones_affected"] == 0
    upload_id = doc["upload_id"]
    committed = client.post(f"/api/uploads/{upload_id}/commit")
    assert committed.status_code == 200, committed.text
    rolled = client.post(f"/api/uploads/{upload_id}/rollback")
    assert rolled.status_code == 200 and rolled.json()["undone"]["observations_deleted"] == 1


def test_http_building_upload_reports_progress_under_the_page_token(
    client,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    scenario = building_scenario(1, far=3, origin=(107.0, 11.5))
    path = tmp_path / "nha.geojson"
    gpd.GeoDataFrame(geometry=list(scenario.buildings), crs=4326).to_file(path, driver="GeoJSON")
    token = os.urandom(16).hex()
    waiting = client.get(f"/api/uploads/progress/{token}")  # polled before the file arrives
    assert waiting.status_code == 200
    assert (waiting.json()["stage"], waiting.json()["fraction"]) == ("waiting", 0.0)
    assert waiting.json()["updated_at"] is None
    with path.open("rb") as handle:
        response = client.post(
            "/api/uploads",
            files={"file": (path.name, handle)},
            data={"kind": "buildings", "observed_on": "2025-06-01", "progress_token": token},
        )
    assert response.status_code == 201, response.text
    done = client.get(f"/api/uploads/progress/{token}").json()
    n = len(scenario.buildings)
    assert (done["stage"], done["fraction"], done["processed"], done["total"]) == (
        "buildings",
        1.0,
        n,
        n,
    )
    commit_token = os.urandom(16).hex()
    upload_id = response.json()["upload_id"]
    committed = client.post(
        f"/api/uploads/{upload_id}/commit", data={"progress_token": commit_token}
    )
    assert committed.status_code == 200, committed.text
    assert client.get(f"/api/uploads/progress/{commit_token}").json()["stage"] == "commit"
    bad = client.post(f"/api/uploads/{upload_id}/commit", data={"progress_token": "x;drop"})
    assert bad.status_code == 422 and "progress_token" in bad.text


def test_http_points_and_lines_as_buildings_are_refused_with_counts(
    client,
    db_session: Session,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    line = shapely.LineString([(105.4, 20.5), (105.5, 20.6)])
    geoms = [shapely.Point(105.41, 20.51)] * 3 + [line]
    path = tmp_path / "points.geojson"
    gpd.GeoDataFrame(
        geometry=[*geoms, *building_scenario(1, far=0).buildings[:2]], crs=4326
    ).to_file(path, driver="GeoJSON")
    before = _counts(db_session)
    with path.open("rb") as handle:
        response = client.post(
            "/api/uploads",
            files={"file": (path.name, handle)},
            data={"kind": "buildings", "observed_on": "2025-06-01"},
        )
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "wrong_geometry_type" and "1 LineString, 3 Point" in str(body)
    assert _counts(db_session) == before


def test_http_building_upload_without_date_is_refused(client, tmp_path: Path) -> None:  # noqa: ANN001
    path = tmp_path / "nha.geojson"
    houses = building_scenario(1, far=0).buildings[:3]
    gpd.GeoDataFrame(geometry=list(houses), crs=4326).to_file(path, driver="GeoJSON")
    with path.open("rb") as handle:
        response = client.post(
            "/api/uploads", files={"file": (path.name, handle)}, data={"kind": "buildings"}
        )
    assert response.status_code == 422 and response.json()["code"] == "observation_missing"


def test_zone_page_shows_derived_footprint_and_building_statistics(
    db_session: Session,
    client,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    scenario = building_scenario(1, far=0)
    _zones(db_session, tmp_path, scenario)
    _upload_id, doc = _buildings(db_session, _building_file(tmp_path, scenario.buildings))
    detail = client.get("/api/zones/BZ00000").json()
    assert detail["buildings"][0]["building_count"] == scenario.expected["building_count"][0]
    assert any(
        f["source"] == f"derived:buildings:{doc['observation_id']}" for f in detail["footprints"]
    )
    page = client.get("/zones/BZ00000?lang=en").text
    assert "Buildings (from building layers)" in page
    assert f"derived:buildings:{doc['observation_id']}" in page


def test_same_building_file_twice_changes_nothing(db_session: Session, tmp_path: Path) -> None:
    scenario = building_scenario(1, far=0)
    _zones(db_session, tmp_path, scenario)
    path = _building_file(tmp_path, scenario.buildings)
    _first, doc = _buildings(db_session, path)
    after_first = _counts(db_session)
    _second, again = _buildings(db_session, path)
    assert again["inserted"] == 0 and again["unchanged"] == len(scenario.buildings)
    assert again["observation_id"] == doc["observation_id"] and "derived" not in again
    data = ("actual_footprints", "buildings", "building_observations", "zone_building_stats")
    assert {k: _counts(db_session)[k] for k in data} == {k: after_first[k] for k in data}
