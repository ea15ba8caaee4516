# ruff: noqa: F811  (make_client is a fixture imported from test_auth)
"""Login throttling (issue 14): growing delays per account and per address, a lockout an admin
lifts, failures audited, and one shared state for several server processes (PostgreSQL)."""

from __future__ import annotations

import os
import subprocess
import sys
from pathlib import Path

from sqlalchemy import text
from sqlalchemy.orm import Session

from api.auth import throttle
from api.auth.users import create_user
from tests.conftest import ROOT
from tests.integration.test_auth import PASSWORD, make_client  # noqa: F401  (fixture)
from tests.integration.test_auth_web import login


def _statuses(client, name: str, attempts: int, password: str = "wrong password!") -> list[int]:  # noqa: ANN001
    return [login(client, name, password).status_code for _ in range(attempts)]


def test_forty_wrong_passwords_are_throttled_and_audited(make_client, db_session: Session) -> None:
    create_user(db_session, "victim", role="viewer", password=PASSWORD)
    client = make_client()
    statuses = _statuses(client, "victim", 40)
    assert statuses[: throttle.FREE_FAILURES + 1] == [401] * (throttle.FREE_FAILURES + 1)
    assert statuses.count(401) <= throttle.FREE_FAILURES + 3
    assert statuses.count(429) >= 40 - throttle.FREE_FAILURES - 3
    blocked = login(client, "victim", PASSWORD)  # even the right password waits
    assert blocked.status_code == 429 and int(blocked.headers["Retry-After"]) >= 1
    assert "Quá nhiều lần đăng nhập sai" in blocked.text
    actions = db_session.execute(
        text("SELECT action, count(*) FROM audit_log WHERE actor = 'victim' GROUP BY action")
    ).all()
    by_action = dict(actions)
    assert by_action["auth.login_failed"] == statuses.count(401)
    assert by_action["auth.login_throttled"] == statuses.count(429) + 1


def test_delays_grow_and_lockout_needs_an_admin(make_client, db_session: Session) -> None:
    create_user(db_session, "locked", role="viewer", password=PASSWORD)
    waits = []
    for _ in range(throttle.LOCKOUT_FAILURES):
        throttle.record_failure(db_session, "locked", None)
        waits.append(
            db_session.execute(
                text(
                    "SELECT EXTRACT(EPOCH FROM blocked_until - last_failure_at) "
                    "FROM login_throttle WHERE key = 'account:locked'"
                )
            ).scalar_one()
        )
    assert waits[5:9] == [2, 4, 8, 16] and waits == sorted(waits)
    db_session.execute(
        text("UPDATE login_throttle SET blocked_until = now() WHERE key = 'account:locked'")
    )
    response = login(make_client(), "locked", PASSWORD)
    assert response.status_code == 429 and "quản trị viên" in response.text
    assert throttle.unlock(db_session, name="locked") == 1
    assert login(make_client(), "locked", PASSWORD).status_code == 303


def test_success_clears_the_account_count(make_client, db_session: Session) -> None:
    create_user(db_session, "forgetful", role="viewer", password=PASSWORD)
    client = make_client()
    assert _statuses(client, "forgetful", 3) == [401] * 3
    assert login(client, "forgetful", PASSWORD).status_code == 303
    left = db_session.execute(
        text("SELECT count(*) FROM login_throttle WHERE key = 'account:forgetful'")
    ).scalar_one()
    assert left == 0


def test_one_address_trying_many_accounts_is_throttled(make_client, db_session: Session) -> None:
    client = make_client()
    statuses = [login(client, f"guess{i}", "wrong password!").status_code for i in range(12)]
    assert statuses[:6] == [401] * 6 and 429 in statuses[6:]


def test_two_server_processes_share_one_count(make_client, db_session: Session) -> None:
    create_user(db_session, "shared", role="viewer", password=PASSWORD)
    first, second = make_client(), make_client()  # two apps, two limiters: one database
    statuses = [
        login(first if i % 2 else second, "shared", "wrong password!").status_code
        for i in range(throttle.FREE_FAILURES + 2)
    ]
    assert statuses[-1] == 429


def test_cli_user_unlock_lifts_a_lockout(engine, test_database_url: str) -> None:  # noqa: ANN001
    with Session(engine) as session, session.begin():
        session.execute(
            text(
                "INSERT INTO login_throttle (key, failures, locked_at) VALUES "
                "('account:cli-locked', 25, now())"
            )
        )
    command = [str(Path(sys.executable).parent / "zonemap"), "user", "unlock", "cli-locked"]
    proc = subprocess.run(
        command,
        cwd=ROOT,
        capture_output=True,
        text=True,
        timeout=120,
        env={**os.environ, "DATABASE_URL": test_database_url},
    )
    assert proc.returncode == 0, proc.stderr
    with Session(engine) as session:
        left = session.execute(
            text("SELECT count(*) FROM login_throttle WHERE key = 'account:cli-locked'")
        ).scalar_one()
        audited = session.execute(
            text(
                "SELECT count(*) FROM audit_log WHERE action = "
                "'auth.unlock' AND target = 'user:cli-locked'"
            )
        ).scalar_one()
    assert left == 0 and audited == 1


def test_concurrent_failures_on_separate_connections_are_all_counted(engine) -> None:  # noqa: ANN001
    import threading

    def attempt(n: int) -> None:
        for _ in range(n):
            with Session(engine) as session, session.begin():  # its own connection, like a worker
                throttle.check_login(session, "race", "10.0.0.1")
                throttle.record_failure(session, "race", "10.0.0.1")

    threads = [threading.Thread(target=attempt, args=(10,)) for _ in range(4)]
    try:
        for t in threads:
            t.start()
        for t in threads:
            t.join(timeout=120)
        with Session(engine) as session:
            failures = dict(
                session.execute(
                    text(
                        "SELECT key, failures FROM login_throttle WHERE key IN ('account:race', "
                        "'address:10.0.0.1')"
                    )
                ).all()
            )
        assert failures == {"account:race": 40, "address:10.0.0.1": 40}
        with Session(engine) as session:
            locked = session.execute(
                text("SELECT locked_at IS NOT NULL FROM login_throttle WHERE key = 'account:race'")
            ).scalar_one()
        assert locked
    finally:
        with Session(engine) as session, session.begin():
            throttle.unlock(session, name="race", address="10.0.0.1")
