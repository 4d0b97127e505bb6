"""One typed settings object; every connection string is derived from it."""

from __future__ import annotations

from pathlib import Path
from typing import Annotated

import platformdirs
from pydantic import AliasChoices, Field, SecretStr, field_validator
from pydantic_settings import BaseSettings, SettingsConfigDict


def _default_data_dir() -> Path:
    return platformdirs.user_data_path("casework")


# Public in this source: fine on a developer's machine, never where anyone else can connect.
DEVELOPMENT_JWT_SECRET = "change-me-casework-development-secret"  # noqa: S105 - deliberately public
MIN_JWT_SECRET_BYTES = 32  # HS256 wants a key at least as long as its hash


class Settings(BaseSettings):
    """Casework's settings, read from the environment (prefix ``CASEWORK_``)."""

    model_config = SettingsConfigDict(env_prefix="CASEWORK_", extra="ignore")

    database_url: Annotated[
        str | None,
        Field(
            default=None,
            validation_alias=AliasChoices("DATABASE_URL", "CASEWORK_DATABASE_URL"),
            description="postgresql:// URL of an existing server; unset = embedded PostgreSQL",
        ),
    ]
    data_dir: Path = Field(
        default_factory=_default_data_dir,
        description="Where the embedded PostgreSQL keeps its data (when DATABASE_URL is unset)",
    )
    blob_dir: Path | None = Field(
        default=None,
        description="Where document content is kept by sha256 (default: DATA_DIR/blobs)",
    )
    host: str = Field(default="127.0.0.1", description="Address the HTTP server binds")
    port: int = Field(default=8000, ge=1, le=65535, description="Port the HTTP server binds")
    db_pool_size: int = Field(default=5, ge=1, le=100, description="Connections per pool")
    db_connect_timeout: int = Field(default=5, ge=1, le=120, description="Seconds to connect")
    run_projections: bool = Field(
        default=True,
        description="Run the views inside `casework serve` (false when separate "
        "`casework projections run` processes keep them)",
    )
    projection_wait: float = Field(
        default=2.0,
        ge=0,
        le=60,
        description="Seconds a write waits, at most, for the views to show it (read-your-writes)",
    )
    max_upload_bytes: int = Field(
        default=20 * 1024 * 1024,
        ge=1,
        le=1024 * 1024 * 1024,
        description="Largest document content an upload to /graphql may carry, in bytes",
    )
    checkpoint_interval: float = Field(
        default=3600.0,
        ge=0,
        description="Seconds between the audit checkpoints `casework serve` takes (0: none)",
    )
    jwt_secret: SecretStr = Field(
        default=SecretStr(DEVELOPMENT_JWT_SECRET),
        description="HMAC key that signs API tokens; set it in production",
    )

    @property
    def blob_path(self) -> Path:
        """The blob directory: the setting, else `blobs` under the data directory."""
        return self.blob_dir if self.blob_dir is not None else self.data_dir / "blobs"

    @field_validator("jwt_secret")
    @classmethod
    def _check_jwt_secret(cls, value: SecretStr) -> SecretStr:
        size = len(value.get_secret_value().encode())
        if size < MIN_JWT_SECRET_BYTES:
            msg = f"CASEWORK_JWT_SECRET must be at least {MIN_JWT_SECRET_BYTES} bytes (got {size})"
            raise ValueError(msg)
        return value

    @property
    def uses_development_secret(self) -> bool:
        """Whether tokens are signed with the public development key."""
        return self.jwt_secret.get_secret_value() == DEVELOPMENT_JWT_SECRET

    @field_validator("database_url")
    @classmethod
    def _check_database_url(cls, value: str | None) -> str | None:
        if value is None or value.strip() == "":
            return None
        if not value.startswith(("postgresql://", "postgres://")):
            if ":" in value:
                got = f"scheme {value.split(':', 1)[0]!r}"
            else:
                got = f"{value[:20]!r}, which has no scheme"
            msg = f"DATABASE_URL must start with postgresql:// (got {got})"
            raise ValueError(msg)
        return value
