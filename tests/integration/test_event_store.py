"""The recorder's one-round-trip save and load, and the seal trigger (migrations 0010, 0012)."""

from __future__ import annotations

from collections.abc import Callable, Iterator
from contextlib import contextmanager
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from eventsourcing.application import project_aggregate
from eventsourcing.persistence import IntegrityError, ProgrammingError
from eventsourcing.utils import resolve_topic
from psycopg_pool import ConnectionPool

from api import migrations
from api.audit import ledger
from api.bootstrap import build_application
from api.database import ConnectionTarget
from api.eventstore import LITERAL_BATCH, CaseworkRecorder
from api.references import PostgresReferenceAllocator
from api.settings import Settings
from domain.actors import Actor, Role
from domain.application import SNAPSHOT_INTERVAL, CaseRepository, Casework
from domain.errors import Conflict
from domain.mediation import MediationCase, MediationType, Origin
from domain.values import Party, PartyRole

ORG = "org-store"
INTAKE = Actor("intake-store", Role.INTAKE, ORG)
MEDIATOR = Actor("handler-store", Role.HANDLER, ORG)
Connection = psycopg.Connection[Any]


def open_case(app: Casework, sessions: int = 0) -> UUID:
    case = app.register(
        MediationCase,
        app.step(INTAKE),
        title="相邻通行纠纷",
        organisation=ORG,
        parties=[Party("张三", PartyRole.APPLICANT), Party("李四", PartyRole.OTHER)],
        mediation_type=MediationType.ADMINISTRATIVE,
        origin=Origin.APPLICATION,
    )
    for number in range(sessions):
        hold(app, case.id, number)
    return case.id


def hold(app: Casework, case_id: UUID, number: int) -> MediationCase:
    return app.act(
        case_id,
        MediationCase,
        lambda c: c.hold_session(app.step(MEDIATOR), mediator="王", notes=f"第{number}次"),
    )


@pytest.fixture
def apps(database: ConnectionTarget, tmp_path: Path) -> Iterator[Callable[[], Casework]]:
    """Applications over the session's database, as separate server processes build them."""
    settings = Settings(database_url=database.url, data_dir=tmp_path)
    built: list[Casework] = []
    with ConnectionPool(database.dsn, min_size=1, max_size=2, kwargs={"autocommit": True}) as pool:

        def make() -> Casework:
            app = build_application(database, settings, PostgresReferenceAllocator(pool))
            built.append(app)
            return app

        yield make
        for app in built:
            app.close()


def rows(conn: Connection, table: str, case_id: UUID) -> list[tuple[Any, ...]]:
    return conn.execute(
        f"SELECT originator_version, notification_id FROM {table} "
        "WHERE originator_id = %s ORDER BY originator_version",
        (case_id,),
    ).fetchall()


def test_the_application_records_with_the_casework_recorder(apps: Callable[[], Casework]):
    app = apps()
    assert isinstance(app.recorder, CaseworkRecorder)
    assert isinstance(app.repository, CaseRepository)
    topic = ConnectionTarget("h", 5432, "d", "u").eventsourcing_env(1)["APPLICATION_RECORDER_TOPIC"]
    assert resolve_topic(topic) is CaseworkRecorder
    assert app.recorder.datastore.enable_db_functions is False


def test_a_save_returns_the_notification_ids_the_events_and_their_seals_got(
    apps: Callable[[], Casework], db_connection: Connection
):
    app = apps()
    case_id = open_case(app)
    case = app.get_case(case_id, MediationCase)
    case.hold_session(app.step(MEDIATOR), mediator="王", notes="一")
    case.hold_session(app.step(MEDIATOR), mediator="王", notes="二")
    recordings = app.save(case)
    assert [r.notification.originator_version for r in recordings] == [2, 3]
    ids = [r.notification.id for r in recordings]
    assert ids[1] == ids[0] + 1
    assert rows(db_connection, "casework_events", case_id)[1:] == [(2, ids[0]), (3, ids[1])]
    assert rows(db_connection, "event_hashes", case_id)[1:] == [(2, ids[0]), (3, ids[1])]
    assert ledger.verify_case(db_connection, case_id).holds


def test_a_single_event_save_returns_its_notification_id_and_is_sealed(
    apps: Callable[[], Casework], db_connection: Connection
):
    app = apps()
    case_id = open_case(app)
    case = app.get_case(case_id, MediationCase)
    case.hold_session(app.step(MEDIATOR), mediator="王", notes="一")
    (recording,) = app.save(case)
    assert recording.notification.originator_version == 2
    expected = [(2, recording.notification.id)]
    assert rows(db_connection, "casework_events", case_id)[1:] == expected
    assert rows(db_connection, "event_hashes", case_id)[1:] == expected
    assert ledger.verify_case(db_connection, case_id).holds


def test_connections_that_lost_their_prepared_statements_still_load_and_save(
    apps: Callable[[], Casework], db_connection: Connection
):
    app = apps()
    case_id = open_case(app, sessions=1)
    pool = app.recorder.datastore.pool  # type: ignore[attr-defined]
    # DISCARD ALL (a pooler's reset, say) drops every prepared statement of a session; going
    # round the pool's queue reaches each of its connections.
    for _ in range(2 * (pool.max_size or 1)):
        with app.recorder.datastore.get_connection() as conn:  # type: ignore[attr-defined]
            conn.execute("DISCARD ALL")
    for number in range(2 * (pool.max_size or 1)):
        hold(app, case_id, number)
    assert app.get_case(case_id, MediationCase).version == 2 + 2 * (pool.max_size or 1)
    assert ledger.verify_case(db_connection, case_id).holds


def test_a_save_on_a_connection_inside_a_transaction_is_refused_and_stores_nothing(
    apps: Callable[[], Casework],
    database: ConnectionTarget,
    db_connection: Connection,
    monkeypatch: pytest.MonkeyPatch,
):
    app = apps()
    case_id = open_case(app)
    case = app.get_case(case_id, MediationCase)
    case.hold_session(app.step(MEDIATOR), mediator="王", notes="一")
    stored = [app.mapper.to_stored_event(e) for e in case.pending_events]
    with psycopg.connect(database.dsn) as open_transaction:
        open_transaction.execute("SELECT 1")  # BEGIN was sent: the transaction is open

        @contextmanager
        def in_a_transaction() -> Iterator[Connection]:
            yield open_transaction

        monkeypatch.setattr(app.recorder, "_connection", in_a_transaction)
        with pytest.raises(ProgrammingError):
            app.recorder.insert_events(stored)
        monkeypatch.undo()
    assert [v for v, _ in rows(db_connection, "casework_events", case_id)] == [1]


def test_a_bulk_save_takes_the_librarys_path_and_is_sealed_the_same(
    apps: Callable[[], Casework], db_connection: Connection
):
    app = apps()
    case_id = open_case(app)
    case = app.get_case(case_id, MediationCase)
    for number in range(LITERAL_BATCH + 5):
        case.hold_session(app.step(MEDIATOR), mediator="王", notes=f"第{number}次")
    recordings = app.save(case)
    ids = [r.notification.id for r in recordings]
    assert len(ids) == LITERAL_BATCH + 5
    assert ids == list(range(ids[0], ids[0] + len(ids)))
    assert [n for _, n in rows(db_connection, "event_hashes", case_id)][1:] == ids
    assert ledger.verify_case(db_connection, case_id).holds


def test_a_stale_write_from_another_process_is_refused_and_leaves_nothing_behind(
    apps: Callable[[], Casework], db_connection: Connection
):
    first, second = apps(), apps()
    case_id = open_case(first)
    mine = first.get_case(case_id, MediationCase)
    theirs = second.get_case(case_id, MediationCase)
    mine.hold_session(first.step(MEDIATOR), mediator="王", notes="先到")
    first.save_all(mine)
    theirs.hold_session(second.step(MEDIATOR), mediator="李", notes="后到")
    stale = [second.mapper.to_stored_event(e) for e in theirs.pending_events]
    with pytest.raises(Conflict):
        second.save_all(theirs)
    with pytest.raises(IntegrityError):  # the library's error, from the recorder itself
        second.recorder.insert_events(stale)
    assert [v for v, _ in rows(db_connection, "casework_events", case_id)] == [1, 2]
    assert [v for v, _ in rows(db_connection, "event_hashes", case_id)] == [1, 2]
    notes = [s.notes for s in first.get_case(case_id, MediationCase).sessions]
    assert notes == ["先到"]
    # The refused transactions were rolled back: every pooled connection works again.
    for number in range(6):
        hold(second, case_id, number)
    assert second.get_case(case_id, MediationCase).version == 8
    assert ledger.verify_case(db_connection, case_id).holds


def test_a_case_read_in_one_query_is_the_case_the_library_reads(apps: Callable[[], Casework]):
    app = apps()
    events = SNAPSHOT_INTERVAL + 5
    case_id = open_case(app, sessions=events - 1)
    plain = super(CaseRepository, app.repository)
    for version in (None, 1, SNAPSHOT_INTERVAL - 1, SNAPSHOT_INTERVAL, SNAPSHOT_INTERVAL + 1):
        ours = app.repository.get(case_id, version=version)
        theirs = plain._reconstruct_aggregate(case_id, version, project_aggregate)
        assert ours.version == theirs.version == (version or events)
        assert vars(ours) == vars(theirs)
    snapshot, after = app.recorder.select_with_snapshot(case_id)  # type: ignore[attr-defined]
    assert snapshot is not None
    assert snapshot.originator_version == SNAPSHOT_INTERVAL
    assert [e.originator_version for e in after] == list(range(SNAPSHOT_INTERVAL + 1, events + 1))
    snapshot, after = app.recorder.select_with_snapshot(  # type: ignore[attr-defined]
        case_id, lte=SNAPSHOT_INTERVAL - 1
    )
    assert snapshot is None
    assert [e.originator_version for e in after] == list(range(1, SNAPSHOT_INTERVAL))


@contextmanager
def app_at_revision(
    database: ConnectionTarget, tmp_path: Path, revision: str
) -> Iterator[tuple[Casework, Connection]]:
    """The database migrated to a revision, the application on it, and a connection to look."""
    migrations.upgrade(database, revision)
    settings = Settings(database_url=database.url, data_dir=tmp_path)
    with (
        ConnectionPool(database.dsn, min_size=1, max_size=2) as pool,
        psycopg.connect(database.dsn, autocommit=True) as conn,
    ):
        yield build_application(database, settings, PostgresReferenceAllocator(pool)), conn


def _seal_function(conn: Connection) -> str:
    row = conn.execute(
        "SELECT prosrc FROM pg_proc WHERE proname = 'casework_seal_event'"
    ).fetchone()
    assert row is not None
    return str(row[0])


def test_seals_written_before_0010_after_it_and_after_its_downgrade_verify_as_one_chain(
    empty_database: ConnectionTarget, tmp_path: Path
):
    with app_at_revision(empty_database, tmp_path, "0009") as (app, conn):
        assert "casework_seal(NEW" in _seal_function(conn)
        old = open_case(app, sessions=2)
        migrations.upgrade(empty_database, "0010")
        assert "casework_seal(NEW" not in _seal_function(conn)
        for number in range(2, 4):
            hold(app, old, number)
        new = open_case(app, sessions=2)
        migrations.downgrade(empty_database, "0009")
        assert "casework_seal(NEW" in _seal_function(conn)
        hold(app, new, 9)
        migrations.upgrade(empty_database)
        hold(app, old, 10)
        app.close()
        verdict = ledger.verify_log(conn)
        assert verdict.holds, verdict.first
        assert verdict.checked == 5 + 3 + 1 + 1
        for case_id in (old, new):
            assert ledger.verify_case(conn, case_id).holds
        # The stated time is read as 0006 read it (the event's own timestamp).
        mismatched = conn.execute(
            "SELECT count(*) FROM event_hashes h JOIN casework_events e USING (notification_id) "
            "WHERE h.stated_at IS DISTINCT FROM "
            "(convert_from(e.state, 'UTF8')::jsonb -> 'timestamp' ->> '_data_')::timestamptz"
        ).fetchone()
        assert mismatched == (0,)
        # Recorded time never goes back within a case (the as-of index relies on it).
        backwards = conn.execute(
            "SELECT count(*) FROM (SELECT recorded_at < lag(recorded_at) OVER "
            "(PARTITION BY originator_id ORDER BY originator_version) AS back "
            "FROM event_hashes) t WHERE back"
        ).fetchone()
        assert backwards == (0,)


def _index_exists(conn: Connection, name: str) -> bool:
    row = conn.execute("SELECT to_regclass(%s) IS NOT NULL", (name,)).fetchone()
    assert row is not None
    return bool(row[0])


def test_seals_of_0012s_trigger_equal_the_hash_function_and_chain_with_0010s(
    empty_database: ConnectionTarget, tmp_path: Path
):
    with app_at_revision(empty_database, tmp_path, "0011") as (app, conn):
        assert "sealed := casework_event_hash(" in _seal_function(conn)
        assert _index_exists(conn, "event_hashes_stated")
        old = open_case(app, sessions=2)
        migrations.upgrade(empty_database, "0012")
        assert "sealed := casework_event_hash(" not in _seal_function(conn)
        assert not _index_exists(conn, "event_hashes_stated")
        for number in range(2, 4):
            hold(app, old, number)
        new = open_case(app, sessions=2)
        migrations.downgrade(empty_database, "0011")
        assert "sealed := casework_event_hash(" in _seal_function(conn)
        assert _index_exists(conn, "event_hashes_stated")
        hold(app, new, 9)
        migrations.upgrade(empty_database)
        hold(app, old, 10)
        app.close()
        verdict = ledger.verify_log(conn)
        assert verdict.holds, verdict.first
        assert verdict.checked == 3 + 2 + 3 + 1 + 1
        # Every seal, whichever function wrote it, is the layout's function of the event.
        differing = conn.execute(
            "SELECT count(*) FROM event_hashes h JOIN casework_events e USING (notification_id) "
            "WHERE h.hash <> casework_event_hash(h.prev_hash, e.notification_id, "
            "e.originator_id, e.originator_version, h.recorded_at, e.topic, e.state)"
        ).fetchone()
        assert differing == (0,)
        stated = conn.execute(
            "SELECT count(*) FROM event_hashes h JOIN casework_events e USING (notification_id) "
            "WHERE h.stated_at IS DISTINCT FROM "
            "(convert_from(e.state, 'UTF8')::jsonb -> 'timestamp' ->> '_data_')::timestamptz"
        ).fetchone()
        assert stated == (0,)
