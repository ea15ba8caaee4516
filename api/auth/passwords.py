"""Password hashing for the web login: scrypt from the standard library, salted, with the
parameters stored in the hash so they can be raised later without breaking old hashes."""

from __future__ import annotations

import base64
import hashlib
import hmac
import secrets

_N, _R, _P = 2**14, 8, 1  # ~16 MiB and ~50 ms per hash on this machine
_DKLEN = 32
MIN_PASSWORD_LENGTH = 10


class WeakPasswordError(ValueError):
    """The password is too short to be accepted."""


def hash_password(password: str) -> str:
    """Return ``scrypt$N$r$p$salt$hash`` (base64) for ``password``.

    Raises WeakPasswordError when it is shorter than ``MIN_PASSWORD_LENGTH`` characters.
    """
    if len(password) < MIN_PASSWORD_LENGTH:
        raise WeakPasswordError(f"the password must have at least {MIN_PASSWORD_LENGTH} characters")
    salt = secrets.token_bytes(16)
    digest = _scrypt(password, salt, _N, _R, _P)
    return f"scrypt${_N}${_R}${_P}${_b64(salt)}${_b64(digest)}"


def verify_password(password: str, stored: str | None) -> bool:
    """True when ``password`` matches the ``stored`` hash (constant-time comparison)."""
    if not stored:
        return False
    try:
        scheme, n, r, p, salt, digest = stored.split("$")
        if scheme != "scrypt":
            return False
        actual = _scrypt(password, _unb64(salt), int(n), int(r), int(p))
    except ValueError:
        return False
    return hmac.compare_digest(actual, _unb64(digest))


def _scrypt(password: str, salt: bytes, n: int, r: int, p: int) -> bytes:
    return hashlib.scrypt(
        password.encode("utf-8"), salt=salt, n=n, r=r, p=p, dklen=_DKLEN, maxmem=64 * 1024**2
    )


def _b64(raw: bytes) -> str:
    return base64.b64encode(raw).decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.b64decode(text.encode("ascii"), validate=True)
