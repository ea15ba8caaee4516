"""The parts of access control that need no HTTP: passwords, signed values, the rate limiter,
the secret key, settings, and row-level security in the database itself."""

from __future__ import annotations

import datetime as dt
from pathlib import Path

import pytest
from sqlalchemy import text
from sqlalchemy.exc import DBAPIError
from sqlalchemy.orm import Session

from api.auth.passwords import WeakPasswordError, hash_password, verify_password
from api.auth.principal import Principal
from api.auth.scope import write_scope
from api.auth.secret import resolve_secret_key
from api.auth.signing import sign, unsign
from api.db.repositories.rate_limits import take_token
from api.settings import Settings

KEY = b"k" * 40


def test_hash_password_verifies_only_the_same_password() -> None:
    stored = hash_password("a long passphrase")
    assert stored.startswith("scrypt$") and "a long passphrase" not in stored
    assert verify_password("a long passphrase", stored)
    assert not verify_password("a long passphrasE", stored)
    assert hash_password("a long passphrase") != stored  # salted
    assert not verify_password("x", None) and not verify_password("x", "garbage$1")


def test_hash_password_short_is_refused() -> None:
    with pytest.raises(WeakPasswordError, match="at least 10"):
        hash_password("short")


def test_unsign_altered_or_expired_or_other_purpose_is_none() -> None:
    value = sign({"uid": 7}, KEY, purpose="session")
    assert unsign(value, KEY, purpose="session", max_age_s=60)["uid"] == 7
    body, mac = value.split(".")
    assert unsign(body + "x." + mac, KEY, purpose="session", max_age_s=60) is None
    assert unsign(value, KEY, purpose="csrf", max_age_s=60) is None
    assert unsign(value, b"other" * 8, purpose="session", max_age_s=60) is None
    assert unsign(value, KEY, purpose="session", max_age_s=-1) is None
    assert unsign("nonsense", KEY, purpose="session", max_age_s=60) is None


def test_rate_limit_bucket_bursts_then_refills_at_the_rate(db_session) -> None:  # noqa: ANN001
    conn = db_session.connection()
    start = dt.datetime(2026, 1, 1, tzinfo=dt.UTC)

    def take(key: str, at_s: float) -> float:
        at = start + dt.timedelta(seconds=at_s)
        return take_token(conn, f"test:{key}", per_minute=6, at=at)

    assert [take("a", 0) for _ in range(6)] == [0.0] * 6
    assert take("a", 0) == pytest.approx(10.0)
    assert take("b", 0) == 0.0
    assert take("a", 10) == 0.0 and take("a", 10) > 0


def test_secret_key_generated_once_and_persisted(tmp_path: Path) -> None:
    settings = Settings(home=tmp_path, secret_key=None)
    first = resolve_secret_key(settings)
    assert len(first) >= 32 and resolve_secret_key(settings) == first
    assert (tmp_path / "secret_key").stat().st_mode & 0o077 == 0


@pytest.mark.parametrize("value", ["changeme", "secret", "tooshort"])
def test_settings_placeholder_secret_key_is_refused(value: str) -> None:
    with pytest.raises(ValueError, match="placeholder"):
        Settings(secret_key=value)


def test_settings_defaults_are_safe() -> None:
    settings = Settings(_env_file=None, local_user=None)  # type: ignore[call-arg]
    assert settings.public_read and not settings.secure_cookies and settings.local_user is None
    assert settings.rate_limit_per_minute > 0


def _editor(*provinces: str) -> Principal:
    return Principal(user_id=1, name="e", role="editor", provinces=provinces)


def _zone_of(session: Session, province: str) -> int:
    row = session.execute(
        text(
            "INSERT INTO zones (code, kind, name, province_code) VALUES "
            "(:c, 'KCN', 'Khu thử', :p) RETURNING id"
        ),
        {"c": f"RLS{province}", "p": province},
    )
    return row.scalar_one()


def test_rls_editor_cannot_update_or_delete_zone_of_other_province(db_session: Session) -> None:
    other = _zone_of(db_session, "79")
    own = _zone_of(db_session, "01")
    with write_scope(db_session, _editor("01")):
        changed = db_session.execute(
            text("UPDATE zones SET name = 'Đổi' WHERE id IN (:a, :b)"), {"a": other, "b": own}
        ).rowcount
        deleted = db_session.execute(text("DELETE FROM zones WHERE id = :a"), {"a": other}).rowcount
    assert (changed, deleted) == (1, 0)
    names = dict(
        db_session.execute(
            text("SELECT id, name FROM zones WHERE id IN (:a, :b)"), {"a": other, "b": own}
        ).all()
    )
    assert names == {other: "Khu thử", own: "Đổi"}
    assert db_session.execute(text("SELECT current_user")).scalar_one() != "zonemap_writer"


@pytest.mark.parametrize("principal", [_editor("01"), Principal(1, "v", "viewer")])
def test_rls_insert_outside_scope_raises_and_rolls_back(
    db_session: Session, principal: Principal
) -> None:
    before = db_session.execute(text("SELECT count(*) FROM zones")).scalar_one()
    with pytest.raises(DBAPIError, match="row-level security"), write_scope(db_session, principal):
        _zone_of(db_session, "79")
    assert db_session.execute(text("SELECT count(*) FROM zones")).scalar_one() == before


def test_rls_boundary_of_zone_outside_scope_is_refused(db_session: Session) -> None:
    zone = _zone_of(db_session, "79")
    square = "ST_Multi(ST_MakeEnvelope(106.6, 10.7, 106.61, 10.71, 4326))"
    with (
        pytest.raises(DBAPIError, match="row-level security"),
        write_scope(db_session, _editor("01")),
    ):
        db_session.execute(
            text(
                f"INSERT INTO planning_boundaries (zone_id, version, geom) VALUES (:z, 1, {square})"
            ),
            {"z": zone},
        )
