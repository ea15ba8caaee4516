# ruff: noqa: F811  (make_client is a fixture imported from test_auth)
"""User administration end to end: the ``zonemap user`` commands against the committed database
and a real app, and the admin page with its CSRF-protected forms. A removed or disabled user's
sessions and tokens must stop working at once; every change leaves an audit row."""

from __future__ import annotations

import uuid
from collections.abc import Iterator

import pytest
from fastapi.testclient import TestClient
from sqlalchemy import text
from sqlalchemy.orm import Session

from api.auth.sessions import CSRF_COOKIE
from api.auth.tokens import create_token
from api.auth.users import create_user, set_active
from api.errors import ConflictError
from api.settings import Settings
from tests.integration.test_auth import PASSWORD, SECRET, make_client  # noqa: F401
from tests.integration.test_auth_web import _zonemap

NEW_PASSWORD = "another long passphrase"


@pytest.fixture
def live_app(test_database_url: str) -> Iterator[TestClient]:
    """The app over the committed database (what the CLI changes), no trusted local user."""
    from api.app import create_app

    settings = Settings(database_url=test_database_url, local_user=None, secret_key=SECRET)
    with TestClient(create_app(settings)) as client:
        yield client


def _login(client: TestClient, name: str, password: str = PASSWORD) -> int:
    client.get("/login")
    form = {"name": name, "password": password, "csrf_token": client.cookies.get(CSRF_COOKIE)}
    response = client.post("/login", follow_redirects=False, data=form)
    return response.status_code


def _me(client: TestClient, token: str | None = None) -> int:
    headers = {"Authorization": f"Bearer {token}"} if token else {}
    return client.get("/api/auth/me", headers=headers).status_code


def test_cli_disable_enable_rescope_password_remove_take_effect_at_once(
    test_database_url: str,
    engine,
    live_app: TestClient,  # noqa: ANN001
) -> None:
    name = f"adm-{uuid.uuid4().hex[:8]}"
    run = lambda *args, stdin=None: _zonemap(test_database_url, "user", *args, stdin=stdin)  # noqa: E731
    assert (
        run(
            "add",
            name,
            "--role",
            "editor",
            "--province",
            "01",
            "--password-stdin",
            stdin=PASSWORD + "\n",
        ).returncode
        == 0
    )
    token = _zonemap(test_database_url, "token", "create", name).stdout.strip()
    assert _me(live_app, token) == 200 and _login(live_app, name) == 303 and _me(live_app) == 200

    disabled = run("disable", name)
    assert disabled.returncode == 0 and "disabled" in disabled.stdout
    assert _me(live_app, token) == 401 and _me(live_app) == 401  # token and session refused
    assert "(inactive)" in run("list").stdout

    assert run("enable", name).returncode == 0
    assert _me(live_app, token) == 200
    assert _me(live_app) == 401  # the session from before the disable stays dead
    assert _login(live_app, name) == 303 and _me(live_app) == 200

    rescoped = run("set-provinces", name, "--province", "79", "--province", "01")
    assert rescoped.returncode == 0, rescoped.stderr
    me = live_app.get("/api/auth/me", headers={"Authorization": f"Bearer {token}"}).json()
    assert me["provinces"] == ["01", "79"]

    assert run("set-password", name, "--password-stdin", stdin=NEW_PASSWORD + "\n").returncode == 0
    assert _me(live_app) == 401  # the old session ended with the old password
    assert _login(live_app, name) == 401 and _login(live_app, name, NEW_PASSWORD) == 303

    assert run("remove", name, "--yes").returncode == 0
    assert _me(live_app, token) == 401 and _me(live_app) == 401
    assert name not in run("list").stdout
    with Session(engine) as session:
        actions = (
            session.execute(
                text("SELECT action FROM audit_log WHERE target = :t ORDER BY id"),
                {"t": f"user:{name}"},
            )
            .scalars()
            .all()
        )
    assert [a for a in actions if a.startswith("user.")] == [
        "user.add",
        "user.disable",
        "user.enable",
        "user.set_provinces",
        "user.set_password",
        "user.remove",
    ]


def test_cli_bad_admin_commands_exit_non_zero_and_change_nothing(
    test_database_url: str,
    engine,  # noqa: ANN001
) -> None:
    name = f"bad-{uuid.uuid4().hex[:8]}"
    assert (
        _zonemap(
            test_database_url, "user", "add", name, "--role", "editor", "--province", "01"
        ).returncode
        == 0
    )
    with Session(engine) as session:
        before = session.execute(text("SELECT * FROM users WHERE name = :n"), {"n": name}).one()
        audits = session.execute(text("SELECT count(*) FROM audit_log")).scalar_one()
    cases = [
        (("remove", "nobody-" + name, "--yes"), "no user named"),
        (("disable", "nobody-" + name), "no user named"),
        (("set-provinces", name, "--province", "99"), "unknown 2025-34 province"),
        (("set-provinces", name, "--province", "27"), "2008-63 code, now 24"),
        (("set-password", name, "--password-stdin"), "at least"),
    ]
    for args, words in cases:
        result = _zonemap(test_database_url, "user", *args, stdin="short\n")
        assert result.returncode != 0 and words in result.stderr, (args, result.stderr)
    with Session(engine) as session:
        after = session.execute(text("SELECT * FROM users WHERE name = :n"), {"n": name}).one()
        assert after == before
        assert session.execute(text("SELECT count(*) FROM audit_log")).scalar_one() == audits
    assert _zonemap(test_database_url, "user", "remove", name, "--yes").returncode == 0


def test_last_active_admin_cannot_be_disabled_or_removed(db_session: Session) -> None:
    db_session.execute(text("UPDATE users SET active = false WHERE role = 'admin'"))
    create_user(db_session, "only-admin", role="admin")
    with pytest.raises(ConflictError, match="last active admin"):
        set_active(db_session, "only-admin", active=False)


def _admin_client(make_client, db_session: Session) -> TestClient:  # noqa: ANN001
    create_user(db_session, "boss", role="admin", password=PASSWORD)
    client = make_client()
    assert _login(client, "boss") == 303
    return client


def _post(client: TestClient, path: str, **form: str):  # noqa: ANN202
    return client.post(path, follow_redirects=False, data=form)


def test_admin_page_lists_users_with_province_names(make_client, db_session: Session) -> None:  # noqa: ANN001
    create_user(db_session, "ed", role="editor", provinces=("01", "79"))
    client = _admin_client(make_client, db_session)
    page = client.get("/admin/users", params={"lang": "vi"}).text
    assert "Hà Nội (01)" in page and "Hồ Chí Minh" in page and "Biên tập viên" in page
    english = client.get("/admin/users", params={"lang": "en"}).text
    assert "Editor" in english and "Live API tokens" in english


def test_admin_page_disables_a_user_whose_token_is_then_refused(
    make_client,
    db_session: Session,  # noqa: ANN001
) -> None:
    create_user(db_session, "ed", role="editor", provinces=("01",))
    token = create_token(db_session, "ed", expires_days=1).token
    client = _admin_client(make_client, db_session)
    assert make_client(token).get("/api/auth/me").status_code == 200
    refused = _post(client, "/admin/users/ed/disable")  # no CSRF token
    assert refused.status_code == 403
    assert db_session.execute(text("SELECT active FROM users WHERE name = 'ed'")).scalar_one()
    done = _post(
        client, "/admin/users/ed/disable", csrf_token=client.cookies.get(CSRF_COOKIE), lang="en"
    )
    assert done.status_code == 303
    assert "disabled" in client.get(done.headers["location"]).text
    assert make_client(token).get("/api/auth/me").status_code == 401
    audit = db_session.execute(
        text(
            "SELECT actor, action FROM audit_log WHERE target = 'user:ed' ORDER BY id DESC LIMIT 1"
        )
    ).one()
    assert tuple(audit) == ("boss", "user.disable")


def test_admin_page_bad_changes_answer_in_the_page_language_and_change_nothing(
    make_client,
    db_session: Session,  # noqa: ANN001
) -> None:
    create_user(db_session, "ed", role="editor", provinces=("01",))
    client = _admin_client(make_client, db_session)
    csrf = client.cookies.get(CSRF_COOKIE)
    bad = _post(client, "/admin/users/ed/set-provinces", provinces="99", csrf_token=csrf)
    assert bad.status_code == 400 and "Mã tỉnh không hợp lệ" in bad.text
    missing = _post(client, "/admin/users/ghost/remove", csrf_token=csrf, lang="en")
    assert missing.status_code == 404 and "There is no user named “ghost”" in missing.text
    short = _post(client, "/admin/users/ed/set-password", password="x", csrf_token=csrf)
    assert short.status_code == 400 and "Mật khẩu cần ít nhất" in short.text
    taken = _post(client, "/admin/users", name="ed", csrf_token=csrf)
    assert taken.status_code == 409 and "Đã có người dùng tên “ed”" in taken.text
    provinces = db_session.execute(text("SELECT provinces FROM users WHERE name = 'ed'"))
    assert provinces.scalar_one() == ["01"]


def test_admin_page_adds_rescopes_and_removes(make_client, db_session: Session) -> None:  # noqa: ANN001
    client = _admin_client(make_client, db_session)
    csrf = client.cookies.get(CSRF_COOKIE)
    added = _post(
        client, "/admin/users", name="newed", role="editor", provinces="01, 79", csrf_token=csrf
    )
    assert added.status_code == 303
    assert (
        _post(
            client, "/admin/users/newed/set-provinces", provinces="48", csrf_token=csrf
        ).status_code
        == 303
    )
    scope = db_session.execute(text("SELECT provinces FROM users WHERE name = 'newed'"))
    assert scope.scalar_one() == ["48"]
    assert _post(client, "/admin/users/newed/remove", csrf_token=csrf).status_code == 303
    assert (
        db_session.execute(text("SELECT count(*) FROM users WHERE name = 'newed'")).scalar_one()
        == 0
    )


def test_admin_page_needs_an_admin(make_client, db_session: Session) -> None:  # noqa: ANN001
    anonymous = make_client().get("/admin/users", follow_redirects=False)
    assert anonymous.status_code == 303 and anonymous.headers["location"].startswith("/login")
    create_user(db_session, "ed", role="editor", provinces=("01",), password=PASSWORD)
    editor = make_client()
    assert _login(editor, "ed") == 303
    assert editor.get("/admin/users").status_code == 403
    csrf = editor.cookies.get(CSRF_COOKIE)
    assert _post(editor, "/admin/users/ed/remove", csrf_token=csrf).status_code == 403
