"""The key that signs session and CSRF cookies: ``ZONEMAP_SECRET_KEY``, or a random key made
once and kept in ``<home>/secret_key`` (mode 0600) so ``make run`` works without setup and
logins survive a restart."""

from __future__ import annotations

import os
import secrets
from pathlib import Path

from api.settings import Settings

SECRET_FILE = "secret_key"


def resolve_secret_key(settings: Settings) -> bytes:
    """The signing key as bytes (placeholders were already refused by the settings)."""
    if settings.secret_key is not None:
        return settings.secret_key.get_secret_value().encode("utf-8")
    return _persisted_key(Path(settings.home) / SECRET_FILE)


def _persisted_key(path: Path) -> bytes:
    path.parent.mkdir(parents=True, exist_ok=True)
    if not path.exists():
        # Write a private temporary file, then link it into place: atomic, and two processes
        # starting at once agree on the key the first one linked.
        tmp = path.with_name(f".{SECRET_FILE}.{os.getpid()}.{secrets.token_hex(4)}")
        fd = os.open(tmp, os.O_WRONLY | os.O_CREAT | os.O_EXCL, 0o600)
        with os.fdopen(fd, "w", encoding="ascii") as handle:
            handle.write(secrets.token_urlsafe(48) + "\n")
        try:
            os.link(tmp, path)
        except FileExistsError:
            pass
        finally:
            tmp.unlink()
    key = path.read_text(encoding="ascii").strip()
    if len(key) < 32:
        raise ValueError(f"{path} holds no usable key: delete it to have a new one made")
    return key.encode("ascii")
