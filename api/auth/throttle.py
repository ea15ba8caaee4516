"""Login throttling per account and per client address, kept in PostgreSQL (``login_throttle``).

Every failed sign-in counts against two keys, ``account:<name>`` and ``address:<ip>``. The
first ``FREE_FAILURES`` failures of a key cost nothing; after that each failure blocks the key
for a delay that doubles (2 s, 4 s, 8 s … at most ``MAX_DELAY_S``). An account that reaches
``LOCKOUT_FAILURES`` is locked until an admin lifts it (``zonemap user unlock``); an address is
only ever delayed (many people can share one). A success clears its account's count; a key that
has not failed for ``FORGET_AFTER_S`` (and is not locked) starts again from zero.

The state is shared by every server process: an attempt takes a row lock on its account key
for its whole transaction (attempts on one account run one at a time, in any process), and
failures are counted with one atomic upsert per key.
"""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass

from sqlalchemy.orm import Session

from api.db.repositories import login_throttle as repo

__all__ = [
    "FREE_FAILURES",
    "LOCKOUT_FAILURES",
    "MAX_DELAY_S",
    "Throttled",
    "check_login",
    "delay_s",
    "record_failure",
    "record_success",
    "unlock",
]

FREE_FAILURES = 5
LOCKOUT_FAILURES = 20
MAX_DELAY_S = 900
FORGET_AFTER_S = 3600


@dataclass(frozen=True)
class Throttled:
    """Why an attempt is refused before its password is checked, and for how long."""

    key: str
    retry_after_s: int
    is_locked: bool


def delay_s(failures: int) -> int:
    """Seconds a key is blocked after its ``failures``-th failure (0 while free).

    Examples
    --------
    >>> [delay_s(n) for n in (1, 5, 6, 7, 8, 30)]
    [0, 0, 2, 4, 8, 900]
    """
    if failures <= FREE_FAILURES:
        return 0
    return min(MAX_DELAY_S, 2 ** (failures - FREE_FAILURES))


def _keys(name: str, address: str | None) -> list[str]:
    keys = [f"account:{name.strip().lower()[:64]}"]
    if address:
        keys.append(f"address:{address}")
    return keys


def check_login(session: Session, name: str, address: str | None) -> Throttled | None:
    """Lock the account's row for this attempt and say whether the attempt must wait.

    Returns None when the password may be checked now.
    """
    account = _keys(name, None)[0]
    repo.lock_key(session, account)
    rows = repo.waits(session, _keys(name, address))
    for row in sorted(rows, key=lambda r: (not r["locked"], -int(r["wait_s"] or 0))):
        if row["locked"]:
            return Throttled(row["key"], MAX_DELAY_S, True)
        if row["wait_s"]:
            return Throttled(row["key"], int(row["wait_s"]), False)
    return None


def record_failure(session: Session, name: str, address: str | None) -> dict[str, int]:
    """Count a failed attempt against the account and the address; return the new counts."""
    counts: dict[str, int] = {}
    for key in _keys(name, address):
        failures = repo.count_failure(session, key, forget_after_s=FORGET_AFTER_S)
        lock = key.startswith("account:") and failures >= LOCKOUT_FAILURES
        repo.block(session, key, wait_s=delay_s(failures), lock=lock)
        counts[key] = failures
    return counts


def record_success(session: Session, name: str) -> None:
    """A correct password clears the account's failures (the address keeps its own)."""
    repo.clear(session, [_keys(name, None)[0]])


def unlock(session: Session, *, name: str | None = None, address: str | None = None) -> int:
    """Lift the lockout and delays of an account and/or an address; return rows cleared."""
    keys = ([_keys(name, None)[0]] if name else []) + ([f"address:{address}"] if address else [])
    return repo.clear(session, keys)


def locked_accounts(session: Session) -> list[dict]:
    """Locked accounts and delayed keys, newest failure first (for the admin)."""
    rows = repo.throttled(session)
    return [
        {k: (v.isoformat() if isinstance(v, dt.datetime) else v) for k, v in r.items()}
        for r in rows
    ]
