"""Scratch databases for a benchmark run: created, migrated, and always dropped afterwards."""

from __future__ import annotations

import os
import uuid
from collections.abc import Iterator
from contextlib import contextmanager

from api import migrations
from api.database import ConnectionTarget

SERVER = ConnectionTarget(host="127.0.0.1", port=5432, dbname="postgres", user="postgres")


def server() -> ConnectionTarget:
    """The PostgreSQL server to measure on: DATABASE_URL's, else 127.0.0.1:5432."""
    url = os.environ.get("DATABASE_URL")
    return ConnectionTarget.from_url(url).with_database("postgres") if url else SERVER


def _name(purpose: str) -> str:
    return f"casework_bench_{purpose}_{uuid.uuid4().hex[:8]}"


@contextmanager
def scratch_database(purpose: str) -> Iterator[ConnectionTarget]:
    """An empty Casework database at the newest schema, dropped when done."""
    admin = server()
    name = _name(purpose)
    admin.create_database(name)
    try:
        target = admin.with_database(name)
        migrations.upgrade(target)
        yield target
    finally:
        admin.drop_database(name)


@contextmanager
def scratch_copy(source: ConnectionTarget, purpose: str) -> Iterator[ConnectionTarget]:
    """A copy of a scratch database as it is now (nothing may be connected to it while it is
    copied), dropped when done."""
    admin = source.with_database("postgres")
    name = _name(purpose)
    admin.create_database(name, template=source.dbname)
    try:
        yield admin.with_database(name)
    finally:
        admin.drop_database(name)
