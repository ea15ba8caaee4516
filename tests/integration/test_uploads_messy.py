# ruff: noqa: F811  (make_client is a fixture imported from test_auth)
"""Messy files over HTTP and the CLI (issue 14): quarantine with consent, its download, NaN
coordinates named (never a 500), the province of the geometry in the permission check, KML
entity attacks, and ``--json`` documents also when an import is refused."""

from __future__ import annotations

import json
import math
import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from tests.conftest import ROOT
from tests.integration.test_auth import (  # noqa: F401  (fixture)
    counts,
    make_client,
    user_token,
)
from tests.messy_builders import (
    BILLION_LAUGHS_KML,
    EXTERNAL_ENTITY_KML,
    VINHLONG,
    feature,
    portal_points,
    square,
    write_geojson,
)

PORTAL_MAP = "code=Mã, name=Tên khu công nghiệp , kind=Loại"


def _post(client, path: Path, **form: str):  # noqa: ANN001, ANN202
    with path.open("rb") as handle:
        return client.post(
            "/api/uploads", data={"kind": "zones", **form}, files={"file": (path.name, handle)}
        )


def _zones(prefix: str, n: int, *, at=None, **props: str) -> list[dict]:  # noqa: ANN001
    where = at or VINHLONG
    return [
        feature(
            square(*where[i % len(where)]),
            **{
                "MA": f"{prefix}{i:02d}",
                "TEN": f"Khu công nghiệp {prefix} {i}",
                "LOAI": "KCN",
                **props,
            },
        )
        for i in range(n)
    ]


def test_upload_polygon_with_nan_is_422_naming_the_feature(
    make_client, db_session: Session, tmp_path: Path
) -> None:
    client = make_client(user_token(db_session, "adm", "admin"))
    features = _zones("NAN", 1)
    features[0]["geometry"]["coordinates"][0][2][0] = math.nan
    before = counts(db_session)
    response = _post(client, write_geojson(tmp_path / "nan.geojson", features))
    assert response.status_code == 422, response.text
    body = response.json()
    assert body["code"] == "non_finite" and "features 0" in body["detail"]
    assert body["details"]["quarantine"][0]["code"] == "NAN00"
    assert counts(db_session) == before


def test_mostly_good_file_quarantined_committed_only_after_consent(
    make_client, db_session: Session, tmp_path: Path
) -> None:
    client = make_client(user_token(db_session, "adm", "admin"))
    path = write_geojson(tmp_path / "p.geojson", portal_points(20, null_island=2, scale_errors=1))
    preview = _post(client, path, mapping=PORTAL_MAP)
    assert preview.status_code == 201, preview.text
    doc = preview.json()
    assert (doc["features"], doc["quarantined"], doc["inserted"]) == (17, 3, 17)
    assert doc["diagnosis"] == {"ok": 17, "null_island": 2, "scale_error": 1}
    assert [q["index"] for q in doc["quarantine"]] == [0, 1, 2]
    assert len(doc["quarantine_preview"]["features"]) == 2  # the scale error has no position
    upload_id = doc["upload_id"]
    before = counts(db_session)
    refused = client.post(f"/api/uploads/{upload_id}/commit")
    assert refused.status_code == 422 and refused.json()["code"] == "quarantine_not_accepted"
    assert "3 feature(s)" in refused.json()["detail"]
    assert counts(db_session) == before
    done = client.post(f"/api/uploads/{upload_id}/commit", data={"accept_quarantine": "true"})
    assert done.status_code == 200, done.text
    assert (done.json()["inserted"], done.json()["quarantined"]) == (17, 3)
    stored = db_session.execute(text("SELECT count(*) FROM zones WHERE code LIKE 'VL-%'"))
    assert stored.scalar_one() == 17
    download = client.get(f"/api/uploads/{upload_id}/quarantine.geojson")
    assert download.status_code == 200
    assert download.headers["content-type"].startswith("application/geo+json")
    bad = download.json()["features"]
    assert [f["properties"]["_reason"] for f in bad] == ["null_island"] * 2 + ["scale_error"]
    assert bad[0]["properties"]["Mã"] == "VL-000" and bad[2]["geometry"] is None
    assert "POINT" in bad[2]["properties"]["_original_wkt"]


def test_new_zone_declaring_own_province_but_lying_in_another_is_403(
    make_client, db_session: Session, tmp_path: Path
) -> None:
    client = make_client(user_token(db_session, "ed01", "editor", "01"))
    hcm = [(106.70, 10.78)]
    path = write_geojson(tmp_path / "hcm.geojson", _zones("HCM", 1, at=hcm, MA_TINH="01"))
    before = counts(db_session)
    response = _post(client, path)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "outside_province_scope" and "79" in response.json()["detail"]
    assert counts(db_session) == before


def test_admin_upload_with_contradicting_province_is_flagged(
    make_client, db_session: Session, tmp_path: Path
) -> None:
    client = make_client(user_token(db_session, "adm", "admin"))
    path = write_geojson(
        tmp_path / "hcm.geojson", _zones("HCX", 1, at=[(106.7, 10.78)], MA_TINH="01")
    )
    doc = _post(client, path).json()
    assert any("declare a province other than" in w and "01→79" in w for w in doc["warnings"])


def test_kml_entity_attacks_refused_with_nothing_written(
    make_client, db_session: Session, tmp_path: Path
) -> None:
    client = make_client(user_token(db_session, "adm", "admin"))
    for name, body in (("laughs.kml", BILLION_LAUGHS_KML), ("xxe.kml", EXTERNAL_ENTITY_KML)):
        path = tmp_path / name
        path.write_text(body)
        before = counts(db_session)
        response = _post(client, path)
        assert response.status_code == 422 and response.json()["code"] == "file_corrupt"
        assert "root:" not in response.text
        assert counts(db_session) == before


def _cli(args: list[str], url: str) -> subprocess.CompletedProcess:
    command = [str(Path(sys.executable).parent / "zonemap"), "import", *args]
    return subprocess.run(
        command,
        cwd=ROOT,
        env={**os.environ, "DATABASE_URL": url},
        capture_output=True,
        text=True,
        timeout=180,
    )


def test_cli_json_refused_import_prints_one_json_document(
    test_database_url: str, tmp_path: Path
) -> None:
    path = write_geojson(tmp_path / "s.geojson", portal_points(10, swapped=8))
    proc = _cli(
        [str(path), "--kind", "zones", "--map", PORTAL_MAP, "--dry-run", "--json"],
        test_database_url,
    )
    assert proc.returncode == 1
    doc = json.loads(proc.stdout)
    assert doc["status"] == "refused" and doc["error_code"] == "swapped_axes"
    assert "8 of 10 features have longitude and latitude swapped" in doc["errors"][0]
    assert doc["diagnosis"]["swapped_axes"] == 8
    assert "--swap-axes" in proc.stderr
    bad_args = _cli(
        [str(tmp_path / "none.geojson"), "--kind", "zones", "--json"], test_database_url
    )
    assert bad_args.returncode != 0 and json.loads(bad_args.stdout)["errors"]
    mapping = _cli(
        [str(path), "--kind", "zones", "--map", "name=Nope", "--json"], test_database_url
    )
    assert mapping.returncode == 1
    assert "'Mã đường' (e.g." in json.loads(mapping.stdout)["errors"][0]


def test_cli_commit_with_quarantine_needs_skip_bad(
    test_database_url: str,
    engine,
    tmp_path: Path,  # noqa: ANN001
) -> None:
    features = portal_points(10, null_island=1)
    for i, f in enumerate(features):
        f["properties"]["Mã"] = f"SKIP-{i}"
    path = write_geojson(tmp_path / "q.geojson", features)
    args = [str(path), "--kind", "zones", "--map", PORTAL_MAP, "--json"]
    refused = _cli(args, test_database_url)
    assert refused.returncode == 1, refused.stderr
    assert json.loads(refused.stdout)["error_code"] == "quarantine_not_accepted"
    assert "--skip-bad" in refused.stderr
    try:
        done = _cli([*args, "--skip-bad"], test_database_url)
        assert done.returncode == 0, done.stderr
        doc = json.loads(done.stdout)
        assert (doc["inserted"], doc["quarantined"]) == (9, 1)
    finally:
        with Session(engine) as session, session.begin():
            session.execute(text("DELETE FROM zones WHERE code LIKE 'SKIP-%'"))


def test_upload_form_constants_and_code_prefix_and_mapping_help(
    make_client, db_session: Session, tmp_path: Path
) -> None:
    client = make_client(user_token(db_session, "adm", "admin"))
    features = portal_points(3)
    for f in features:
        del f["properties"]["Mã"], f["properties"]["Loại"]
    path = write_geojson(tmp_path / "noc.geojson", features)
    doc = _post(
        client, path, mapping="name=Tên khu công nghiệp", constants="kind=KCN", code_prefix="VLX-"
    ).json()
    assert [f["properties"]["code"] for f in doc["preview"]["features"]] == [
        "VLX-1000",
        "VLX-1001",
        "VLX-1002",
    ]
    assert {f["properties"]["kind"] for f in doc["preview"]["features"]} == {"KCN"}
    before = counts(db_session)
    bad = _post(client, path, mapping="name=Ten khu")
    assert bad.status_code == 422 and bad.json()["code"] == "invalid_mapping"
    assert "'Số quyết định' (e.g. '1200/QĐ-TTg', '1201/QĐ-TTg')" in bad.json()["detail"]
    assert counts(db_session) == before
