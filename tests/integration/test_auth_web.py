# ruff: noqa: F811  (make_client is a fixture imported from test_auth)
"""Web login: session cookie flags, tampering, CSRF on forms and fetch posts, logout, and the
``zonemap user|token`` commands."""

from __future__ import annotations

import os
import subprocess
import sys
import uuid
from pathlib import Path

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.auth.sessions import CSRF_COOKIE, SESSION_COOKIE
from api.auth.users import create_user
from tests.conftest import ROOT
from tests.integration.test_auth import PASSWORD, make_client  # noqa: F401  (fixture)


def login(client: TestClient, name: str = "web", password: str = PASSWORD):  # noqa: ANN201
    client.get("/login")
    return client.post(
        "/login",
        follow_redirects=False,
        data={
            "name": name,
            "password": password,
            "csrf_token": client.cookies.get(CSRF_COOKIE),
            "next": "/upload?lang=en",
        },
    )


@pytest.fixture
def web_user(db_session: Session) -> str:
    create_user(db_session, "web", role="editor", provinces=("01",), password=PASSWORD)
    return "web"


def test_login_sets_signed_httponly_lax_cookie_and_redirects(make_client, web_user) -> None:  # noqa: ANN001
    client = make_client()
    response = login(client)
    assert response.status_code == 303 and response.headers["location"] == "/upload?lang=en"
    cookies = response.headers.get_list("set-cookie")
    session_cookie = next(c for c in cookies if c.startswith(f"{SESSION_COOKIE}="))
    assert "HttpOnly" in session_cookie and "samesite=lax" in session_cookie.lower()
    assert "Secure" not in session_cookie
    csrf_cookie = next(c for c in cookies if c.startswith(f"{CSRF_COOKIE}="))
    assert "HttpOnly" not in csrf_cookie
    me = client.get("/api/auth/me").json()
    assert (me["name"], me["role"], me["via"]) == ("web", "editor", "session")


def test_login_cookie_is_secure_when_setting_on(make_client, web_user) -> None:  # noqa: ANN001
    response = login(make_client(secure_cookies=True))
    assert all("Secure" in c for c in response.headers.get_list("set-cookie"))


def test_login_wrong_password_is_401_and_audited(make_client, web_user, db_session) -> None:  # noqa: ANN001
    response = login(make_client(), password="wrong password!")
    assert response.status_code == 401 and "Wrong user name or password" not in response.text
    assert "không đúng" in response.text  # the default language is Vietnamese
    action = db_session.execute(text("SELECT action FROM audit_log ORDER BY id DESC LIMIT 1"))
    assert action.scalar_one() == "auth.login_failed"


def test_login_form_without_csrf_token_is_403(make_client, web_user) -> None:  # noqa: ANN001
    client = make_client()
    client.get("/login")
    response = client.post("/login", data={"name": "web", "password": PASSWORD})
    assert response.status_code == 403 and response.json()["code"] == "csrf_failed"
    assert SESSION_COOKIE not in client.cookies


def test_tampered_session_cookie_is_401(make_client, web_user) -> None:  # noqa: ANN001
    client = make_client()
    login(client)
    value = client.cookies.get(SESSION_COOKIE)
    body, mac = value.split(".")
    forged = body[:-2] + ("A" if body[-2] != "A" else "B") + body[-1] + "." + mac
    client.cookies.set(SESSION_COOKIE, forged)
    response = client.get("/api/auth/me")
    assert response.status_code == 401 and response.json()["code"] == "invalid_session"
    write = client.post(
        "/api/uploads/1/commit", headers={"X-CSRF-Token": client.cookies.get(CSRF_COOKIE)}
    )
    assert write.status_code == 401


def test_fetch_post_without_csrf_header_is_403_and_with_it_passes(make_client, web_user) -> None:  # noqa: ANN001
    client = make_client()
    login(client)
    refused = client.post("/api/uploads/999999/commit")
    assert refused.status_code == 403 and refused.json()["code"] == "csrf_failed"
    wrong = client.post("/api/uploads/999999/commit", headers={"X-CSRF-Token": "forged"})
    assert wrong.status_code == 403
    token = client.cookies.get(CSRF_COOKIE)
    passed = client.post("/api/uploads/999999/commit", headers={"X-CSRF-Token": token})
    assert passed.status_code == 404  # authorised; the upload simply does not exist


def test_logout_needs_csrf_then_ends_the_session(make_client, web_user, db_session) -> None:  # noqa: ANN001
    client = make_client()
    login(client)
    assert client.post("/logout", follow_redirects=False).status_code == 403
    token = client.cookies.get(CSRF_COOKIE)
    response = client.post("/logout", data={"csrf_token": token}, follow_redirects=False)
    assert response.status_code == 303
    assert client.get("/api/auth/me").status_code == 401
    actions = db_session.execute(text("SELECT action FROM audit_log ORDER BY id")).scalars().all()
    assert actions[-2:] == ["auth.login", "auth.logout"]


@pytest.mark.parametrize("target", ["//evil.example/x", "https://evil.example/", "/\\evil"])
def test_login_next_to_another_site_goes_home(make_client, web_user, target: str) -> None:  # noqa: ANN001
    client = make_client()
    client.get("/login")
    response = client.post(
        "/login",
        follow_redirects=False,
        data={
            "name": "web",
            "password": PASSWORD,
            "csrf_token": client.cookies.get(CSRF_COOKIE),
            "next": target,
        },
    )
    assert response.headers["location"] == "/"


def test_local_user_setting_trusts_loopback_but_browser_posts_need_csrf(
    make_client, db_session: Session
) -> None:
    create_user(db_session, "local-admin", role="admin")
    client = make_client(local_user="local-admin")
    assert client.get("/api/auth/me").json()["via"] == "local"
    assert client.post("/api/uploads/999999/commit").status_code == 404
    cross = client.post("/api/uploads/999999/commit", headers={"Origin": "https://evil.example"})
    assert cross.status_code == 403 and cross.json()["code"] == "csrf_failed"


def _zonemap(url: str, *args: str, stdin: str | None = None) -> subprocess.CompletedProcess:
    env = {**os.environ, "DATABASE_URL": url}
    command = [str(Path(sys.executable).parent / "zonemap"), *args]
    return subprocess.run(
        command,
        cwd=ROOT,
        env=env,
        input=stdin,
        capture_output=True,
        text=True,
        timeout=60,
        check=False,
    )


def test_cli_user_add_token_create_revoke_round_trip(test_database_url: str, engine) -> None:  # noqa: ANN001
    name = f"cli-{uuid.uuid4().hex[:8]}"
    added = _zonemap(
        test_database_url,
        "user",
        "add",
        name,
        "--role",
        "editor",
        "--province",
        "24",
        "--password-stdin",
        stdin=PASSWORD + "\n",
    )
    assert added.returncode == 0, added.stderr
    bad = _zonemap(test_database_url, "user", "add", name + "x", "--role", "editor")
    assert bad.returncode != 0 and "province" in bad.stderr
    old_code = _zonemap(
        test_database_url, "user", "add", name + "y", "--role", "editor", "--province", "27"
    )
    assert old_code.returncode != 0 and "2008-63 code, now 24" in old_code.stderr
    created = _zonemap(test_database_url, "token", "create", name, "--expires-days", "2")
    assert created.returncode == 0, created.stderr
    token = created.stdout.strip()
    assert token.startswith("zm_") and "not shown again" in created.stderr
    listed = _zonemap(test_database_url, "user", "list")
    assert name in listed.stdout and "tokens=1" in listed.stdout
    with Session(engine) as session:
        assert token not in str(session.execute(text("SELECT * FROM api_tokens")).all())
        token_id = session.execute(text("SELECT max(id) FROM api_tokens")).scalar_one()
    revoked = _zonemap(test_database_url, "token", "revoke", str(token_id))
    assert revoked.returncode == 0, revoked.stderr
    with Session(engine) as session:
        actions = (
            session.execute(
                text(
                    "SELECT action FROM audit_log WHERE target LIKE :t "
                    "OR details->>'user' = :n ORDER BY id"
                ),
                {"t": f"user:{name}", "n": name},
            )
            .scalars()
            .all()
        )
    assert actions == ["user.add", "token.create", "token.revoke"]
