"""Access control over HTTP: tokens, roles, province scopes, sessions, CSRF, limits, audit.

Every app here is built with ``local_user=None`` (the real default), so nothing is trusted
without credentials. Requests run in the test's rolled-back transaction.
"""

from __future__ import annotations

import hashlib
import logging
from collections.abc import Callable, Iterator
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.auth.tokens import create_token, revoke_token
from api.auth.users import create_user
from api.settings import Settings
from tests.upload_builders import to_tm3, wgs84_zones, zipped_shapefile

SECRET = "test-secret-key-" + "k" * 32
PASSWORD = "correct horse battery"
WRITE_TABLES = (
    "zones",
    "planning_boundaries",
    "actual_footprints",
    "uploads",
    "upload_features",
    "upload_changes",
    "analysis_runs",
    "flags",
    "audit_log",
)
WRITE_ROUTES = (
    ("/api/uploads", "upload"),
    ("/api/uploads/1/commit", None),
    ("/api/uploads/1/rollback", None),
    ("/api/analysis", "json"),
)


def counts(session: Session) -> dict[str, int]:
    return {
        t: session.execute(text(f"SELECT count(*) FROM {t}")).scalar_one() for t in WRITE_TABLES
    }


@pytest.fixture
def make_client(test_database_url: str, db_session: Session) -> Iterator[Callable[..., TestClient]]:
    """Build a TestClient over the test transaction with settings overrides and a token."""
    from api.app import create_app
    from tests.conftest import use_test_transaction

    clients: list[TestClient] = []

    def build(token: str | None = None, **overrides: object) -> TestClient:
        options = {"local_user": None, "secret_key": SECRET, **overrides}
        settings = Settings(database_url=test_database_url, **options)  # type: ignore[arg-type]
        app = create_app(settings)
        use_test_transaction(app, db_session)
        headers = {"Authorization": f"Bearer {token}"} if token else {}
        client = TestClient(app, headers=headers)
        client.__enter__()
        clients.append(client)
        return client

    yield build
    for client in clients:
        client.__exit__(None, None, None)


def user_token(
    session: Session,
    name: str,
    role: str,
    *provinces: str,
    password: str | None = None,
    expires_days: float | None = 1,
) -> str:
    create_user(session, name, role=role, provinces=provinces, password=password)
    return create_token(session, name, expires_days=expires_days).token


def zone_file(tmp_path: Path, prefix: str = "AC") -> Path:
    src = wgs84_zones(4)
    src["MA_KCN"] = [f"{prefix}{i:03d}" for i in range(4)]
    return zipped_shapefile(tmp_path / prefix, to_tm3(src), encoding="tcvn3")


def post_upload(client: TestClient, path: Path, **headers: str):  # noqa: ANN201
    with path.open("rb") as handle:
        return client.post(
            "/api/uploads",
            data={"kind": "zones"},
            headers=headers,
            files={"file": (path.name, handle, "application/zip")},
        )


def post_write(client: TestClient, route: str, body: str | None, tmp_path: Path, **headers: str):  # noqa: ANN201
    if body == "upload":
        return post_upload(client, zone_file(tmp_path), **headers)
    if body == "json":
        return client.post(route, json={}, headers=headers)
    return client.post(route, headers=headers)


@pytest.mark.parametrize(("route", "body"), WRITE_ROUTES)
def test_write_route_without_credentials_is_401_and_writes_nothing(
    make_client, db_session: Session, tmp_path: Path, route: str, body: str | None
) -> None:
    before = counts(db_session)
    response = post_write(make_client(), route, body, tmp_path)
    assert response.status_code == 401, response.text
    assert response.json()["code"] == "not_authenticated"
    assert counts(db_session) == before


@pytest.mark.parametrize(("route", "body"), WRITE_ROUTES)
def test_write_route_with_viewer_token_is_403_and_writes_nothing(
    make_client, db_session: Session, tmp_path: Path, route: str, body: str | None, caplog
) -> None:
    client = make_client(user_token(db_session, "v1", "viewer"))
    before = counts(db_session)
    with caplog.at_level(logging.WARNING, logger="zonemap"):
        response = post_write(client, route, body, tmp_path)
    assert response.status_code == 403, response.text
    assert response.json()["code"] == "forbidden_role"
    assert counts(db_session) == before
    refused = [r.getMessage() for r in caplog.records if r.getMessage().startswith("refused")]
    assert refused == [f"refused POST {route} (403 forbidden_role) for v1 from testclient"]


def test_upload_by_editor_of_other_province_is_403_and_writes_nothing(
    make_client, db_session: Session, tmp_path: Path
) -> None:
    client = make_client(user_token(db_session, "ed79", "editor", "79"))
    before = counts(db_session)
    response = post_upload(client, zone_file(tmp_path))
    assert response.status_code == 403, response.text
    body = response.json()
    assert body["code"] == "outside_province_scope" and "01" in body["detail"]
    assert counts(db_session) == before


def test_commit_by_editor_of_other_province_is_403_and_writes_nothing(
    make_client, db_session: Session, tmp_path: Path
) -> None:
    admin = make_client(user_token(db_session, "adm", "admin"))
    upload_id = post_upload(admin, zone_file(tmp_path)).json()["upload_id"]
    other = make_client(user_token(db_session, "ed79", "editor", "79"))
    before = counts(db_session)
    response = other.post(f"/api/uploads/{upload_id}/commit")
    assert response.status_code == 403 and response.json()["code"] == "outside_province_scope"
    assert counts(db_session) == before
    status = db_session.execute(
        text("SELECT status FROM uploads WHERE id = :i"), {"i": upload_id}
    ).scalar_one()
    assert status == "previewed"


def test_editor_in_scope_previews_commits_rolls_back_with_audit_rows(
    make_client, db_session: Session, tmp_path: Path
) -> None:
    client = make_client(user_token(db_session, "ed", "editor", "01", "24"))
    preview = post_upload(client, zone_file(tmp_path))
    assert preview.status_code == 201, preview.text
    upload_id = preview.json()["upload_id"]
    assert client.post(f"/api/uploads/{upload_id}/commit").json()["inserted"] == 4
    codes = db_session.execute(text("SELECT count(*) FROM zones WHERE code LIKE 'AC%'"))
    assert codes.scalar_one() == 4
    assert client.post(f"/api/uploads/{upload_id}/rollback").status_code == 200
    rows = db_session.execute(
        text(
            "SELECT action, actor, target, client_ip FROM audit_log WHERE target = :t ORDER BY id"
        ),
        {"t": f"upload:{upload_id}"},
    ).all()
    assert [r.action for r in rows] == ["upload.preview", "upload.commit", "upload.rollback"]
    assert {r.actor for r in rows} == {"ed"} and all(r.client_ip for r in rows)
    uploaded_by = db_session.execute(
        text("SELECT uploaded_by FROM uploads WHERE id = :i"), {"i": upload_id}
    ).scalar_one()
    assert uploaded_by == "ed"


def test_rollback_by_editor_of_other_province_is_403(
    make_client, db_session: Session, tmp_path: Path
) -> None:
    admin = make_client(user_token(db_session, "adm", "admin"))
    upload_id = post_upload(admin, zone_file(tmp_path)).json()["upload_id"]
    assert admin.post(f"/api/uploads/{upload_id}/commit").status_code == 200
    other = make_client(user_token(db_session, "ed01", "editor", "01"))  # zones also lie in 24
    before = counts(db_session)
    response = other.post(f"/api/uploads/{upload_id}/rollback")
    assert response.status_code == 403 and counts(db_session) == before


def test_analysis_run_by_editor_is_audited_and_threshold_override_needs_admin(
    make_client, db_session: Session, demo_loaded
) -> None:  # noqa: ANN001
    client = make_client(user_token(db_session, "ed", "editor", "01"))
    refused = client.post("/api/analysis", json={"province": "01", "thresholds": {"x": 1}})
    assert refused.status_code == 403
    response = client.post("/api/analysis", json={"province": "01"})
    assert response.status_code == 201, response.text
    row = db_session.execute(
        text("SELECT actor, target FROM audit_log WHERE action = 'analysis.run'")
    ).one()
    assert row.actor == "ed" and row.target == f"run:{response.json()['run_id']}"


def test_expired_token_is_401(make_client, db_session: Session) -> None:
    token = user_token(db_session, "old", "editor", "01", expires_days=1)
    db_session.execute(text("UPDATE api_tokens SET expires_at = now() - interval '1 second'"))
    client = make_client(token)
    for response in (client.get("/api/auth/me"), client.post("/api/uploads/1/commit")):
        assert response.status_code == 401 and response.json()["code"] == "invalid_token"


def test_revoked_token_is_401_and_live_one_works(make_client, db_session: Session) -> None:
    token = user_token(db_session, "rev", "editor", "01")
    client = make_client(token)
    assert client.get("/api/auth/me").json()["name"] == "rev"
    revoke_token(db_session, token[:10])
    response = client.post("/api/uploads/1/commit")
    assert response.status_code == 401 and response.json()["code"] == "invalid_token"


def test_malformed_authorization_header_is_401(make_client) -> None:
    client = make_client()
    for value in ("Bearer zm_not-a-real-token", "Basic dXNlcjpwYXNz", "Bearer"):
        assert client.get("/api/auth/me", headers={"Authorization": value}).status_code == 401


def test_tokens_are_stored_hashed_never_in_plaintext(db_session: Session) -> None:
    create_user(db_session, "h", role="viewer")
    issued = create_token(db_session, "h", expires_days=None)
    row = (
        db_session.execute(text("SELECT * FROM api_tokens WHERE id = :i"), {"i": issued.token_id})
        .mappings()
        .one()
    )
    assert row["token_sha256"] == hashlib.sha256(issued.token.encode()).hexdigest()
    assert all(issued.token not in str(v) for v in row.values())
    dump = db_session.execute(
        text("SELECT count(*) FROM api_tokens t WHERE t::text LIKE :p"),
        {"p": f"%{issued.token[10:]}%"},
    ).scalar_one()
    assert dump == 0 and row["prefix"] == issued.token[:10] and row["expires_at"] is None


def test_rate_limit_per_token_answers_429_with_retry_after(
    make_client, db_session: Session
) -> None:
    client = make_client(user_token(db_session, "fast", "viewer"), rate_limit_per_minute=3)
    statuses = [client.get("/api/auth/me").status_code for _ in range(4)]
    assert statuses == [200, 200, 200, 429]
    limited = client.get("/api/auth/me")
    assert limited.status_code == 429 and int(limited.headers["retry-after"]) >= 1
    other = make_client(user_token(db_session, "slow", "viewer"), rate_limit_per_minute=3)
    assert other.get("/api/auth/me").status_code == 200  # buckets are per token


def test_upload_over_size_limit_is_413_by_content_length_and_writes_nothing(
    make_client, db_session: Session, tmp_path: Path
) -> None:
    client = make_client(user_token(db_session, "adm", "admin"), max_upload_mb=1)
    big = tmp_path / "big.geojson"
    big.write_bytes(b" " * (3 * 1024**2))
    before = counts(db_session)
    with big.open("rb") as handle:
        response = client.post(
            "/api/uploads", data={"kind": "zones"}, files={"file": (big.name, handle)}
        )
    assert response.status_code == 413
    assert response.json()["code"] == "file_too_large" and "1 MB" in response.json()["detail"]
    assert counts(db_session) == before


def test_streamed_body_over_size_limit_is_413(make_client, db_session: Session) -> None:
    client = make_client(user_token(db_session, "adm", "admin"), max_upload_mb=1)

    def chunks() -> Iterator[bytes]:  # no Content-Length: the cap applies while streaming
        for _ in range(8):
            yield b"x" * (512 * 1024)

    multipart = {"content-type": "multipart/form-data; boundary=zz"}
    response = client.post("/api/uploads", content=chunks(), headers=multipart)
    assert response.status_code == 413 and response.json()["code"] == "file_too_large"


def test_public_read_off_requires_a_login_for_every_read(
    make_client, db_session: Session, demo_loaded
) -> None:  # noqa: ANN001
    anonymous = make_client(public_read=False)
    for path in (
        "/api/zones?limit=1",
        "/ogc/collections",
        "/tiles/zones/5/25/14.mvt",
        "/api/uploads",
    ):
        assert anonymous.get(path).status_code == 401, path
    page = anonymous.get("/provinces/01?lang=en", follow_redirects=False)
    assert page.status_code == 303 and page.headers["location"].startswith("/login?next=")
    viewer = make_client(user_token(db_session, "v", "viewer"), public_read=False)
    assert viewer.get("/api/zones?limit=1").status_code == 200
    assert viewer.get("/ogc/collections").status_code == 200
    assert (
        anonymous.get("/login").status_code == 200
        and anonymous.get("/api/health").status_code == 200
    )


def test_public_read_on_serves_reads_without_login(make_client, demo_loaded) -> None:  # noqa: ANN001
    client = make_client()
    assert client.get("/api/zones?limit=1").status_code == 200
    assert client.get("/").status_code == 200
