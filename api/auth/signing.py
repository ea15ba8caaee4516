"""Signed cookie values: ``base64url(json).base64url(hmac_sha256)``, with an issue time so a
value expires. Anyone can read the payload; nobody without the key can change it."""

from __future__ import annotations

import base64
import hashlib
import hmac
import json
import time
from typing import Any


def sign(payload: dict[str, Any], key: bytes, *, purpose: str) -> str:
    """Serialise ``payload`` (plus ``iat``) and sign it for ``purpose`` (e.g. "session")."""
    body = _b64(json.dumps({**payload, "iat": int(time.time())}, separators=(",", ":")).encode())
    return f"{body}.{_b64(_mac(key, purpose, body))}"


def unsign(value: str | None, key: bytes, *, purpose: str, max_age_s: float) -> dict | None:
    """The payload of a value made by `sign`, or None when it is missing, altered or expired."""
    if not value or value.count(".") != 1:
        return None
    body, mac = value.split(".")
    try:
        if not hmac.compare_digest(_unb64(mac), _mac(key, purpose, body)):
            return None
        payload = json.loads(_unb64(body))
    except (ValueError, TypeError):
        return None
    if not isinstance(payload, dict) or not isinstance(payload.get("iat"), int):
        return None
    if time.time() - payload["iat"] > max_age_s:
        return None
    return payload


def _mac(key: bytes, purpose: str, body: str) -> bytes:
    return hmac.new(key, f"{purpose}|{body}".encode(), hashlib.sha256).digest()


def _b64(raw: bytes) -> str:
    return base64.urlsafe_b64encode(raw).rstrip(b"=").decode("ascii")


def _unb64(text: str) -> bytes:
    return base64.urlsafe_b64decode(text + "=" * (-len(text) % 4))
