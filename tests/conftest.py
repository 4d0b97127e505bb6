"""Fixtures: every test session works in a PostgreSQL database of its own."""

from __future__ import annotations

import os
import uuid
from collections.abc import Callable, Iterator
from pathlib import Path

import psycopg
import pytest

from api import migrations
from api.bootstrap import Container, Database, build_container
from api.database import ConnectionTarget, DatabaseUnavailable, EmbeddedPostgres
from api.settings import Settings
from domain.actors import Actor, Role
from domain.application import Casework


def _local_server() -> ConnectionTarget | None:
    local = ConnectionTarget(host="127.0.0.1", port=5432, dbname="postgres", user="postgres")
    try:
        local.ping()
    except DatabaseUnavailable:
        return None
    return local


@pytest.fixture(scope="session")
def server(tmp_path_factory: pytest.TempPathFactory) -> Iterator[ConnectionTarget]:
    """A real PostgreSQL server: DATABASE_URL, else 127.0.0.1:5432, else an embedded one."""
    url = os.environ.get("DATABASE_URL")
    if url:
        yield ConnectionTarget.from_url(url)
        return
    local = _local_server()
    if local is not None:
        yield local
        return
    embedded = EmbeddedPostgres(tmp_path_factory.mktemp("embedded-pg"))
    target = embedded.start()
    yield target.with_database("postgres")
    embedded.stop()


@pytest.fixture(scope="session")
def scratch_databases(server: ConnectionTarget) -> Iterator[list[str]]:
    """Names of databases made during the session; all dropped at its end."""
    made: list[str] = []
    yield made
    for name in made:
        server.drop_database(name)


def make_database(server: ConnectionTarget, made: list[str], purpose: str) -> ConnectionTarget:
    """Create an empty database for this session and remember to drop it."""
    name = f"casework_test_{purpose}_{uuid.uuid4().hex[:10]}"
    server.create_database(name)
    made.append(name)
    return server.with_database(name)


@pytest.fixture(scope="session")
def database(server: ConnectionTarget, scratch_databases: list[str]) -> ConnectionTarget:
    """The session's database, migrated to the newest revision."""
    target = make_database(server, scratch_databases, "main")
    migrations.upgrade(target)
    return target


@pytest.fixture
def empty_database(server: ConnectionTarget, scratch_databases: list[str]) -> ConnectionTarget:
    """A fresh database with no schema, for migration tests."""
    return make_database(server, scratch_databases, "empty")


@pytest.fixture(scope="session")
def settings(database: ConnectionTarget, tmp_path_factory: pytest.TempPathFactory) -> Settings:
    """Settings pointing at the session's database."""
    return Settings(
        database_url=database.url,
        data_dir=Path(tmp_path_factory.mktemp("casework-data")),
        jwt_secret="test-secret-" + uuid.uuid4().hex,  # type: ignore[arg-type]
    )


@pytest.fixture(scope="session")
def container(settings: Settings, database: ConnectionTarget) -> Iterator[Container]:
    """The composition root, exactly as `casework serve` builds it."""
    built = build_container(settings, Database(target=database), migrate=False)
    yield built
    built.close()


@pytest.fixture
def db_connection(database: ConnectionTarget) -> Iterator[psycopg.Connection[tuple[object, ...]]]:
    """A plain autocommit connection to the session's database, for looking at tables."""
    with psycopg.connect(database.dsn, autocommit=True) as conn:
        yield conn


@pytest.fixture(scope="session")
def app(container: Container) -> Casework:
    """The Casework application over the session's database."""
    return container.application


@pytest.fixture
def org() -> str:
    """A fresh organisation code, so no test sees another's cases."""
    return "org-" + uuid.uuid4().hex[:8]


@pytest.fixture
def actor(org: str) -> Callable[..., Actor]:
    """Make an actor with a random id: actor(Role.HANDLER) or actor(Role.APPROVER, org="x")."""

    def make(role: Role, organisation: str | None = None, name: str = "") -> Actor:
        return Actor(f"{role}-{uuid.uuid4().hex[:8]}", role, organisation or org, name)

    return make
