"""Typed settings, built by a cached factory (never at import time)."""

from __future__ import annotations

from functools import lru_cache
from pathlib import Path

from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict

from geo.vocabulary import ADMIN_VERSIONS, CURRENT_ADMIN_VERSION

PROJECT_ROOT = Path(__file__).resolve().parents[1]
DEFAULT_VECTOR_TILE_MIN_ZONES = 20_000
_PLACEHOLDER_SECRETS = frozenset(
    {"changeme", "change-me", "changethis", "secret", "secret-key", "your-secret-key", "xxx"}
)


class Settings(BaseSettings):
    """zonemap settings; environment variables use the ``ZONEMAP_`` prefix.

    ``DATABASE_URL`` (no prefix) points at an existing PostGIS; when it is unset the
    private cluster started by ``zonemap db up`` is used.
    """

    model_config = SettingsConfigDict(env_prefix="ZONEMAP_", env_file=".env", extra="ignore")

    database_url: str | None = Field(
        default=None, validation_alias=AliasChoices("DATABASE_URL", "ZONEMAP_DATABASE_URL")
    )
    home: Path = PROJECT_ROOT / ".zonemap"
    pg_port: int | None = None
    host: str = "127.0.0.1"
    port: int = 8000
    tiles_url: str | None = None
    default_admin_version: str = CURRENT_ADMIN_VERSION
    max_upload_mb: int = 200
    # from this many zones on, the map draws zones and footprints from vector tiles
    vector_tile_min_zones: int = DEFAULT_VECTOR_TILE_MIN_ZONES
    # Access control (api/auth). SECRET_KEY signs session and CSRF cookies; when unset a random
    # one is generated once and kept in <home>/secret_key.
    secret_key: SecretStr | None = None
    public_read: bool = True
    secure_cookies: bool = False
    session_hours: float = Field(default=8.0, gt=0)
    rate_limit_per_minute: int = Field(default=120, ge=0)
    # Requests from this machine without credentials act as this (existing) user. For a
    # one-person local install only; never set it on a shared server.
    local_user: str | None = None
    # Hot-standby replicas for reads (OGC, tiles, map layers), comma-separated DSNs; a replica
    # lagging more than replica_max_lag_s, or down, is skipped (docs/scale-out.md).
    read_database_urls: str | None = None
    replica_max_lag_s: float = Field(default=5.0, gt=0)

    # The administrative frame of the Word reports (Decree 30/2020/NĐ-CP): issuing agency (and
    # its parent, when it has one), the symbol after the number, place, addressee, recipients
    # and signer. An empty value leaves a line to fill in before signing.
    report_agency: str = "BỘ CÔNG THƯƠNG"
    report_parent_agency: str = ""
    report_number_symbol: str = "BC-BCT"
    report_place: str = "Hà Nội"
    report_addressee: str = "Thủ tướng Chính phủ"
    report_recipients: list[str] = Field(
        default_factory=lambda: ["Như trên", "Văn phòng Chính phủ", "Lưu: VT"]
    )
    report_signer_title: str = "BỘ TRƯỞNG"
    report_signer_name: str = ""

    @field_validator("database_url")
    @classmethod
    def _normalise_dsn(cls, value: str | None) -> str | None:
        if not value:
            return None
        for prefix in ("postgres://", "postgresql://", "postgresql+psycopg2://"):
            if value.startswith(prefix):
                return "postgresql+psycopg://" + value[len(prefix) :]
        return value

    @field_validator("default_admin_version")
    @classmethod
    def _known_version(cls, value: str) -> str:
        if value not in ADMIN_VERSIONS:
            raise ValueError(f"admin version must be one of {', '.join(ADMIN_VERSIONS)}")
        return value

    @field_validator("secret_key")
    @classmethod
    def _real_secret(cls, value: SecretStr | None) -> SecretStr | None:
        if value is None or not value.get_secret_value():
            return None
        secret = value.get_secret_value()
        if secret.lower() in _PLACEHOLDER_SECRETS or len(secret) < 32:
            raise ValueError(
                "ZONEMAP_SECRET_KEY is a placeholder or shorter than 32 characters: set a random "
                "one (python -c 'import secrets; print(secrets.token_urlsafe(48))') or unset it"
            )
        return value

    def read_urls(self) -> list[str]:
        """The replicas' DSNs (psycopg 3 driver), in the order given."""
        urls = [u.strip() for u in (self.read_database_urls or "").split(",") if u.strip()]
        return [self._normalise_dsn(u) or u for u in urls]

    def resolved_database_url(self) -> str:
        """The DSN to use: ``DATABASE_URL`` if set, else the private cluster's."""
        if self.database_url:
            return self.database_url
        from api.db.server import DatabaseServer

        return DatabaseServer.from_settings(self).url("zonemap")


@lru_cache
def get_settings() -> Settings:
    return Settings()
