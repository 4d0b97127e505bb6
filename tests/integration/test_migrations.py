import importlib.util
from pathlib import Path
from types import ModuleType

import psycopg
import pytest
from eventsourcing.postgres import (
    PostgresAggregateRecorder,
    PostgresApplicationRecorder,
    PostgresDatastore,
    PostgresTrackingRecorder,
)

from api import migrations
from api.database import ConnectionTarget

VERSIONS = Path(migrations.PROJECT_ROOT) / "alembic" / "versions"


def load_revision(filename: str) -> ModuleType:
    spec = importlib.util.spec_from_file_location(filename.removesuffix(".py"), VERSIONS / filename)
    assert spec is not None
    assert spec.loader is not None
    module = importlib.util.module_from_spec(spec)
    spec.loader.exec_module(module)
    return module


def tables(target: ConnectionTarget) -> set[str]:
    with psycopg.connect(target.dsn) as conn:
        rows = conn.execute(
            "SELECT tablename FROM pg_tables WHERE schemaname = 'public'"
        ).fetchall()
    return {row[0] for row in rows}


def test_stairway_walks_every_revision_up_down_and_up_again(empty_database: ConnectionTarget):
    revisions = migrations.all_revisions()
    assert revisions[0] == "0001"
    previous = "base"
    for revision in revisions:
        migrations.upgrade(empty_database, revision)
        assert migrations.current_revision(empty_database) == revision
        migrations.downgrade(empty_database, previous)
        assert migrations.current_revision(empty_database) == (
            None if previous == "base" else previous
        )
        migrations.upgrade(empty_database, revision)
        previous = revision
    assert migrations.status(empty_database).up_to_date
    migrations.downgrade(empty_database, "base")
    assert tables(empty_database) == {"alembic_version"}


def test_event_store_migration_matches_the_librarys_ddl(database: ConnectionTarget):
    datastore = PostgresDatastore(
        dbname=database.dbname,
        host=database.host,
        port=database.port,
        user=database.user,
        password=database.password,
    )
    recorders = [
        PostgresApplicationRecorder(datastore, events_table_name="casework_events"),
        PostgresAggregateRecorder(datastore, events_table_name="casework_snapshots"),
        PostgresTrackingRecorder(datastore, tracking_table_name="projection_tracking"),
    ]
    with datastore.get_connection() as conn:
        library = {
            statement.as_string(conn)
            for recorder in recorders
            for statement in recorder.sql_create_statements
        }
    datastore.close()
    # The DB-function insert path skips the table lock, so the migration leaves it out.
    library = {s for s in library if "es_insert_events" not in s}
    assert library == set(load_revision("0001_event_store.py").EVENT_STORE_DDL)


def test_an_out_of_date_schema_is_refused_with_the_command_that_fixes_it(
    empty_database: ConnectionTarget,
):
    with pytest.raises(migrations.SchemaOutOfDate, match="casework db upgrade"):
        migrations.require_up_to_date(empty_database)
    migrations.upgrade(empty_database)
    migrations.require_up_to_date(empty_database)
