"""Analysis runs against the real PostGIS: stored, served, repeatable, and safe on bad input."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

import pytest
from sqlalchemy import text

from api.services.analysis import run_analysis
from geo.errors import AdminVersionError, ThresholdsError, UnknownProvinceError
from tests.conftest import DEMO_TODAY

PARTS_I = "(SELECT part_id FROM run_parts WHERE run_id = :i)"  # a run's rows: its parts'
PARTS_R = "(SELECT part_id FROM run_parts WHERE run_id = :r)"

ALL_FLAGS = {
    "FOOTPRINT_MISMATCH",
    "ENCROACHMENT",
    "SLOW_DEPLOYMENT",
    "LOW_OCCUPANCY",
    "DENSE_CLUSTER",
    "CCN_SIZE_RULE",
    "CCN_NEW_OR_EXPANSION_RULE",
    "MORATORIUM",
    "OUTSIDE_PLANNING",
    "OVERLAP",
    "CROSS_PROVINCE",
}
ZONEMAP = Path(sys.executable).with_name("zonemap")


@pytest.fixture
def national_run(db_session, demo_loaded):  # noqa: ANN001, ANN201
    return run_analysis(db_session, version="2025-34", today=DEMO_TODAY)


def _counts(session) -> dict[str, int]:  # noqa: ANN001
    tables = ("analysis_runs", "flags", "zone_metrics", "province_stats", "clusters")
    return {t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in tables}


def test_run_on_demo_data_raises_every_flag(national_run):
    assert {f.code for f in national_run.result.flags} == ALL_FLAGS


def test_run_is_stored_complete_with_metrics_flags_and_clusters(db_session, national_run):
    run = (
        db_session.execute(
            text("SELECT * FROM analysis_runs WHERE id = :i"), {"i": national_run.run_id}
        )
        .mappings()
        .one()
    )
    assert run["status"] == "complete" and run["inputs_fingerprint"]
    assert run["thresholds"]["footprint_mismatch"]["iou_min"] == 0.8
    stored = db_session.execute(
        text("SELECT count(*) FROM flags WHERE run_id IN " + PARTS_I), {"i": national_run.run_id}
    ).scalar_one()
    assert stored == len(national_run.result.flags)
    metrics = db_session.execute(
        text("SELECT count(*) FROM zone_metrics WHERE run_id IN " + PARTS_I),
        {"i": national_run.run_id},
    ).scalar_one()
    assert metrics == len(national_run.result.metrics)


def test_rerun_on_unchanged_data_gives_identical_results(db_session, national_run):
    again = run_analysis(db_session, version="2025-34", today=DEMO_TODAY)
    assert again.run_id != national_run.run_id
    assert again.result.fingerprint == national_run.result.fingerprint
    assert again.to_json()["zones"] == national_run.to_json()["zones"]
    assert again.to_json()["provinces"] == national_run.to_json()["provinces"]


def test_run_for_2008_version_assigns_old_provinces(db_session, demo_loaded):
    outcome = run_analysis(db_session, version="2008-63", province="27", today=DEMO_TODAY)
    provinces = outcome.to_json()["provinces"]
    assert [p["code"] for p in provinces] == ["27"]
    assert provinces[0]["zones"] == len(outcome.result.metrics) > 0


def test_flags_endpoint_serves_latest_run_with_filters(client, national_run):
    body = client.get("/api/flags", params={"severity": "critical"}).json()
    assert body["run_id"] == national_run.run_id
    assert body["flags"] and {f["severity"] for f in body["flags"]} == {"critical"}
    enc = client.get("/api/flags", params={"code": "ENCROACHMENT"}).json()["flags"]
    assert {f["code"] for f in enc} == {"ENCROACHMENT"}
    assert all(f["message_vi"] and f["message_en"] for f in enc)


def test_province_summary_has_density_and_flag_counts(client, national_run):
    province = national_run.to_json()["provinces"][0]["code"]
    body = client.get(f"/api/provinces/{province}/summary").json()
    assert body["run_id"] == national_run.run_id
    assert body["stats"]["code"] == province
    assert set(body["flag_counts"]) == {"info", "warning", "critical"}


def test_json_document_has_no_nan(national_run):
    document = json.dumps(national_run.to_json(), allow_nan=False)
    assert '"clark_evans_r"' in document


def test_province_with_one_zone_reports_clark_evans_undefined(db_session, demo_loaded):
    db_session.execute(
        text(
            "DELETE FROM zones WHERE province_code = '01' AND code <> "
            "(SELECT min(code) FROM zones WHERE province_code = '01')"
        )
    )
    outcome = run_analysis(db_session, version="2025-34", province="01", today=DEMO_TODAY)
    province = outcome.to_json()["provinces"][0]
    assert province["zones"] == 1
    assert province["clark_evans_r"] is None and province["clark_evans_p"] is None


def test_unknown_province_and_version_raise_without_writing(db_session, demo_loaded):
    before = _counts(db_session)
    with pytest.raises(UnknownProvinceError, match="unknown province '99'"):
        run_analysis(db_session, version="2025-34", province="99")
    with pytest.raises(AdminVersionError, match="unknown admin version"):
        run_analysis(db_session, version="1990-40")
    assert _counts(db_session) == before


def test_http_unknown_province_is_404_and_unknown_version_422(client, demo_loaded):
    assert client.post("/api/analysis", json={"province": "99"}).status_code == 404
    response = client.post("/api/analysis", json={"admin_version": "1990-40"})
    assert response.status_code == 422 and "admin version" in response.json()["detail"]


@pytest.mark.parametrize(
    ("content", "fragment"),
    [
        ("footprint_mismatch:\n  iou_min: -0.1\n", "iou_min"),
        ("footprint_mismatch:\n  iou_min: lots\n", "iou_min"),
        ("no_such_flag:\n  x: 1\n", "no_such_flag"),
    ],
)
def test_bad_thresholds_file_refused_before_anything_is_written(
    db_session, demo_loaded, tmp_path, content, fragment
):
    path = tmp_path / "thresholds.yaml"
    path.write_text(content)
    before = _counts(db_session)
    with pytest.raises(ThresholdsError, match=fragment):
        run_analysis(db_session, version="2025-34", thresholds_path=path)
    assert _counts(db_session) == before


def test_cli_bad_thresholds_exits_nonzero_with_message(test_database_url, tmp_path):
    path = tmp_path / "t.yaml"
    path.write_text("low_occupancy:\n  min_occupancy: -3\n")
    result = subprocess.run(
        [str(ZONEMAP), "analyze", "--thresholds", str(path)],
        capture_output=True,
        text=True,
        env={**os.environ, "DATABASE_URL": test_database_url},
        timeout=120,
        check=False,
    )
    assert result.returncode != 0
    assert "min_occupancy" in result.stderr and "Traceback" not in result.stderr


def test_interrupted_run_is_not_visible_to_readers(engine, demo_loaded):
    from sqlalchemy.orm import Session

    from api.db.repositories.analysis import latest_run

    with Session(engine) as writer:
        before = latest_run(writer, version="2025-34")
        run_analysis(writer, version="2025-34", today=DEMO_TODAY)
        with Session(engine) as reader:  # the writer has not committed: nothing to see
            assert latest_run(reader, version="2025-34") == before
        writer.rollback()  # the "crash": the transaction never commits
    with Session(engine) as reader:
        assert latest_run(reader, version="2025-34") == before
        running = reader.execute(
            text("SELECT count(*) FROM analysis_runs WHERE status NOT IN ('complete', 'part')")
        ).scalar_one()
        assert running == 0


def test_metrics_are_finite_or_none(national_run):
    for zone in national_run.to_json()["zones"]:
        for value in zone["metrics"].values():
            assert value is None or math.isfinite(value)


def test_cluster_members_are_stored_as_written_whatever_their_characters(db_session):
    from shapely.geometry import box

    from api.db.repositories import analysis as repo
    from geo.types import Cluster

    members = ('KCN "Đông" 1', "CCN\\2", "a,b", "{x}", "tab\there", "KKT Vũng Áng", " NULL")
    run_id = repo.start_run(db_session, version="2025-34", province=None, thresholds={})
    cluster = Cluster(1, "01", members, 10.0, None, box(105.0, 21.0, 105.1, 21.1))
    assert repo.store_clusters(db_session, run_id, [cluster]) == 1
    stored = db_session.execute(
        text("SELECT members FROM clusters WHERE run_id = :r"), {"r": run_id}
    ).scalar_one()
    assert tuple(stored) == members
    db_session.rollback()
