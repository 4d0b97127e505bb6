"""Alembic environment: runs Casework's hand-written SQL migrations on one psycopg connection."""

from __future__ import annotations

from typing import Any

import psycopg
from sqlalchemy import create_engine, pool

from alembic import context

config = context.config


def _dsn() -> str:
    dsn = config.attributes.get("dsn")
    if dsn:
        return str(dsn)
    # Run directly with the `alembic` tool: resolve the database as Casework does.
    from api.database import ConnectionTarget
    from api.settings import Settings

    settings = Settings()
    if settings.database_url is None:
        msg = "set DATABASE_URL, or use `casework db upgrade` for the embedded database"
        raise SystemExit(msg)
    return ConnectionTarget.from_url(settings.database_url).dsn


def run_migrations_online() -> None:
    """SQLAlchemy is only the engine alembic needs; every migration is plain SQL."""
    dsn = _dsn()

    def connect() -> Any:
        return psycopg.connect(dsn)

    engine = create_engine("postgresql+psycopg://", creator=connect, poolclass=pool.NullPool)
    with engine.connect() as connection:
        context.configure(connection=connection, transaction_per_migration=True)
        with context.begin_transaction():
            context.run_migrations()


if context.is_offline_mode():
    msg = "offline (SQL script) mode is not supported; run against a database"
    raise SystemExit(msg)
run_migrations_online()
