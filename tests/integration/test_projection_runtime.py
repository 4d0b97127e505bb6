import threading
import time
import uuid
from collections.abc import Callable, Iterator
from typing import Any

import httpx
import psycopg
import pytest
from psycopg import Cursor
from psycopg.rows import DictRow

from api.bootstrap import Container, Database, build_container
from api.database import ConnectionTarget
from api.http import create_app
from api.settings import Settings
from domain.actors import Actor, Role
from domain.application import Casework
from projections.runner import Change, ProjectionRunner, TableView
from projections.status import head_position, view_position, view_positions
from projections.supervisor import Supervisor, WorkerState
from projections.work_queue import read_queue
from tests.integration.test_work_queue import QueueProbe, at, open_probe


def counting_view(
    name: str, *, fail_on: set[uuid.UUID] | None = None, refused_on: set[uuid.UUID] | None = None
) -> type[TableView]:
    """A view that counts the events it applied per case: a double application shows.

    `fail_on`: the view's own code fails on these cases; `refused_on`: the database refuses
    a statement the view sends for them.
    """

    class Counting(TableView):
        tables = (name,)

        def __init__(self, suffix: str = "") -> None:
            super().__init__(suffix)
            table = "{" + name + "}"
            self.upsert = self.sql(
                f"INSERT INTO {table} (case_id, applied, version) VALUES (%s, 1, %s) "
                f"ON CONFLICT (case_id) DO UPDATE SET applied = {table}.applied + 1, "
                "version = EXCLUDED.version"
            )

        def apply(self, curs: Cursor[DictRow], change: Change) -> None:
            if fail_on and change.case_id in fail_on:
                raise RuntimeError("this view cannot apply that case")
            if refused_on and change.case_id in refused_on:
                curs.execute("SELECT 1 / 0")
            curs.execute(self.upsert, (change.case_id, change.version))

    Counting.name = name
    return Counting


def counting_table(conn: psycopg.Connection[Any]) -> str:
    name = "counts_" + uuid.uuid4().hex[:8]
    conn.execute(
        f"CREATE TABLE {name} "
        "(case_id uuid PRIMARY KEY, applied int NOT NULL, version int NOT NULL)"
    )
    return name


@pytest.fixture
def view_name(db_connection: psycopg.Connection[Any]) -> str:
    return counting_table(db_connection)


def double_applied(conn: psycopg.Connection[Any], table: str) -> list[tuple[Any, ...]]:
    return conn.execute(f"SELECT case_id FROM {table} WHERE applied <> version").fetchall()


def wait_until(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        threading.Event().wait(0.02)


@pytest.fixture
def supervisors(app: Casework, database: ConnectionTarget) -> Iterator[list[Supervisor]]:
    made: list[Supervisor] = []
    yield made
    for supervisor in made:
        supervisor.stop()


def supervise(
    made: list[Supervisor], app: Casework, database: ConnectionTarget, *views: type[TableView]
) -> Supervisor:
    supervisor = Supervisor(app, database.dsn, views, batch_size=50, poll_interval=0.1)
    made.append(supervisor)
    supervisor.start()
    return supervisor


def test_a_supervised_view_follows_new_events_and_writers_can_wait_for_it(
    app: Casework,
    database: ConnectionTarget,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
    view_name: str,
    supervisors: list[Supervisor],
):
    supervisor = supervise(supervisors, app, database, counting_view(view_name))
    case = open_probe(app, actor(Role.HANDLER), org)
    assert supervisor.wait_for(head_position(db_connection), timeout=15)
    row = db_connection.execute(
        f"SELECT applied FROM {view_name} WHERE case_id = %s", (case.id,)
    ).fetchone()
    assert row == (1,)
    assert supervisor.states()[0].role == "active"


def test_a_runner_whose_listen_connection_is_cut_is_restarted(
    app: Casework,
    database: ConnectionTarget,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
    view_name: str,
    supervisors: list[Supervisor],
):
    supervisor = supervise(supervisors, app, database, counting_view(view_name))
    assert supervisor.wait_for(head_position(db_connection), timeout=15)
    worker = supervisor.workers[0]
    assert worker.connection is not None
    db_connection.execute("SELECT pg_terminate_backend(%s)", (worker.connection.info.backend_pid,))
    wait_until(lambda: supervisor.states()[0].restarts >= 1)
    handler = actor(Role.HANDLER)
    case = open_probe(app, handler, org)
    app.act(case.id, QueueProbe, lambda c: c.admit(app.step(handler, at=at(4))))
    assert supervisor.wait_for(head_position(db_connection), timeout=15)
    state = supervisor.states()[0]
    assert state.role == "active"
    assert "OperationalError" in (state.last_error or "")
    assert db_connection.execute(
        f"SELECT applied FROM {view_name} WHERE case_id = %s", (case.id,)
    ).fetchone() == (2,)
    assert double_applied(db_connection, view_name) == []


def test_a_second_runner_of_a_view_stands_by_and_takes_over_without_double_counting(
    app: Casework,
    database: ConnectionTarget,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
    view_name: str,
    supervisors: list[Supervisor],
):
    view = counting_view(view_name)
    first = supervise(supervisors, app, database, view)
    wait_until(lambda: first.states()[0].role == "active")
    second = supervise(supervisors, app, database, view)
    wait_until(lambda: second.states()[0].role == "standby")
    handler = actor(Role.HANDLER)
    cases = [open_probe(app, handler, org) for _ in range(5)]
    assert first.wait_for(head_position(db_connection), timeout=15)
    first.stop()  # the active runner goes away; its lock goes with its connection
    wait_until(lambda: second.states()[0].role == "active")
    for case in cases:
        app.act(case.id, QueueProbe, lambda c: c.admit(app.step(handler, at=at(4))))
    assert second.wait_for(head_position(db_connection), timeout=15)
    counts = db_connection.execute(
        f"SELECT applied FROM {view_name} WHERE case_id = ANY(%s)", ([c.id for c in cases],)
    ).fetchall()
    assert counts == [(2,)] * 5
    assert double_applied(db_connection, view_name) == []


def test_waiting_for_a_view_that_cannot_catch_up_is_bounded(
    app: Casework,
    database: ConnectionTarget,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
    view_name: str,
    supervisors: list[Supervisor],
):
    case = open_probe(app, actor(Role.HANDLER), org)
    supervisor = supervise(supervisors, app, database, counting_view(view_name, fail_on={case.id}))
    started = time.monotonic()
    assert supervisor.wait_for(head_position(db_connection), timeout=0.5) is False
    assert time.monotonic() - started < 5
    wait_until(lambda: supervisor.states()[0].last_error is not None)
    assert "cannot apply that case" in (supervisor.states()[0].last_error or "")


async def test_healthz_reports_each_views_position_and_lag(
    container: Container, db_connection: psycopg.Connection[Any]
):
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://casework") as http:
        response = await http.get("/healthz")
    body = response.json()
    names = [view.name for view in container.projections.views]
    expected = view_positions(db_connection, names)
    assert response.status_code == 200
    assert body["database"] == "ok"
    assert set(body["projections"]) == set(names)
    for position in expected:
        reported = body["projections"][position.name]
        assert (reported["position"], reported["lag"]) == (position.position, position.lag)
        # This app's lifespan did not run, so no runner keeps the views here.
        assert reported["runner"] in ("none", "elsewhere")


def test_a_write_can_wait_until_every_view_shows_it(
    settings: Settings, database: ConnectionTarget, actor: Callable[..., Actor], org: str
):
    container = build_container(settings, Database(target=database), migrate=False)
    try:
        container.projections.start()
        assert container.wait_for_views(timeout=120)  # catch up with the session's log
        app = container.application
        case = open_probe(app, actor(Role.HANDLER), org)
        assert container.wait_for_views()  # the configured bound
        with container.read_pool.connection() as conn:
            items = read_queue(conn, at(3).date(), organisation=org)
            [position] = view_positions(conn, ["work_queue"])
        assert [(i.case_id, i.rule_id) for i in items] == [(case.id, "reconsideration.admission")]
        assert position.lag == 0
    finally:
        container.close()


def test_a_writer_waits_for_views_that_another_process_runs(
    app: Casework,
    database: ConnectionTarget,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
    view_name: str,
):
    view = counting_view(view_name)
    here = Supervisor(app, database.dsn, [view])  # not started: this process runs nothing
    open_probe(app, actor(Role.HANDLER), org)
    head = head_position(db_connection)
    assert here.wait_for(head, timeout=0.2) is False
    elsewhere = threading.Thread(target=ProjectionRunner(app, view()).run_until_caught_up)
    elsewhere.start()
    assert here.wait_for(head, timeout=15)
    elsewhere.join()
    assert here.states()[0].position >= head


def state_of(supervisor: Supervisor, name: str) -> WorkerState:
    return next(state for state in supervisor.states() if state.name == name)


def applied_counts(conn: psycopg.Connection[Any], table: str, cases: list[uuid.UUID]) -> list[int]:
    rows = dict(conn.execute(f"SELECT case_id, applied FROM {table}").fetchall())
    return [rows.get(case_id, 0) for case_id in cases]


def test_one_runner_keeps_several_views_each_from_its_own_position(
    app: Casework,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
):
    first, second = counting_table(db_connection), counting_table(db_connection)
    ahead, behind = counting_view(first), counting_view(second)
    handler = actor(Role.HANDLER)
    early = open_probe(app, handler, org)
    ProjectionRunner(app, ahead()).run_until_caught_up()  # one view is ahead of the other
    late = open_probe(app, handler, org)
    app.act(early.id, QueueProbe, lambda c: c.admit(app.step(handler, at=at(4))))
    runner = ProjectionRunner(app, [ahead(), behind()], batch_size=7)
    runner.run_until_caught_up()
    head = head_position(db_connection)
    assert runner.positions() == {first: head, second: head}
    for table in (first, second):
        assert applied_counts(db_connection, table, [early.id, late.id]) == [2, 1]
        assert double_applied(db_connection, table) == []


def test_a_views_position_alone_is_the_position_its_status_gives(
    app: Casework,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
):
    table = counting_table(db_connection)
    assert view_position(table).run(db_connection) == 0  # before its first batch
    open_probe(app, actor(Role.HANDLER), org)
    ProjectionRunner(app, counting_view(table)()).run_until_caught_up()
    position = view_position(table).run(db_connection)
    assert position == head_position(db_connection) > 0
    assert position == view_positions(db_connection, [table])[0].position


def test_a_view_failing_among_others_is_run_apart_and_holds_none_of_them_back(
    app: Casework,
    database: ConnectionTarget,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
    supervisors: list[Supervisor],
):
    first, second = counting_table(db_connection), counting_table(db_connection)
    handler = actor(Role.HANDLER)
    bad = open_probe(app, handler, org)
    good = open_probe(app, handler, org)
    failing = counting_view(first, fail_on={bad.id})
    healthy = counting_view(second)
    supervisor = supervise(supervisors, app, database, failing, healthy)
    head = head_position(db_connection)

    wait_until(lambda: state_of(supervisor, second).position >= head)
    wait_until(lambda: "cannot apply that case" in (state_of(supervisor, first).last_error or ""))
    assert state_of(supervisor, first).position < head
    assert supervisor.wait_for(head, timeout=0.2) is False
    assert [w.view_classes for w in supervisor.workers] == [[healthy], [failing]]
    assert applied_counts(db_connection, second, [bad.id, good.id]) == [1, 1]
    assert applied_counts(db_connection, first, [bad.id, good.id]) == [0, 0]
    assert double_applied(db_connection, second) == []


def test_views_failing_together_in_the_database_are_run_apart(
    app: Casework,
    database: ConnectionTarget,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
    supervisors: list[Supervisor],
):
    first, second = counting_table(db_connection), counting_table(db_connection)
    bad = open_probe(app, actor(Role.HANDLER), org)
    refused = counting_view(first, refused_on={bad.id})
    healthy = counting_view(second)
    supervisor = supervise(supervisors, app, database, refused, healthy)
    head = head_position(db_connection)

    # The statement's error names no view; after three failures in a row each runs apart.
    wait_until(lambda: state_of(supervisor, second).position >= head)
    assert [w.view_classes for w in supervisor.workers] == [[refused], [healthy]]
    assert "division by zero" in (state_of(supervisor, first).last_error or "")
    assert state_of(supervisor, first).position < head
    assert state_of(supervisor, first).restarts >= 3
    assert applied_counts(db_connection, second, [bad.id]) == [1]
    assert double_applied(db_connection, second) == []


def test_a_lost_connection_does_not_run_views_apart(
    app: Casework,
    database: ConnectionTarget,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
    supervisors: list[Supervisor],
):
    first, second = counting_table(db_connection), counting_table(db_connection)
    views = (counting_view(first), counting_view(second))
    supervisor = supervise(supervisors, app, database, *views)
    assert supervisor.wait_for(head_position(db_connection), timeout=15)
    for cut in range(1, 5):  # more cuts in a row than a worker's failures before it splits
        worker = supervisor.workers[0]
        wait_until(lambda w=worker: w.connection is not None and not w.connection.closed)
        assert worker.connection is not None
        pid = worker.connection.info.backend_pid
        db_connection.execute("SELECT pg_terminate_backend(%s)", (pid,))
        wait_until(lambda cut=cut: min(s.restarts for s in supervisor.states()) >= cut)
    open_probe(app, actor(Role.HANDLER), org)
    assert supervisor.wait_for(head_position(db_connection), timeout=15)
    assert [w.view_classes for w in supervisor.workers] == [list(views)]


def test_a_batch_prepared_ahead_is_dropped_when_another_runner_moved_the_view(
    app: Casework,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
    view_name: str,
):
    view = counting_view(view_name)
    handler = actor(Role.HANDLER)
    for _ in range(7):  # events enough for three full batches and more
        open_probe(app, handler, org)
    first, second = (
        ProjectionRunner(app, view(), batch_size=2),
        ProjectionRunner(app, view(), batch_size=2),
    )
    assert first.run_batch() == 2  # a full batch: the next is prepared meanwhile
    assert second.run_batch() == 2  # the other runner applies that next batch first
    # What the first prepared starts where the view no longer stands: it is dropped, and the
    # batch after is prepared and applied instead of failing on the moved position.
    assert first.run_batch() == 2
    assert first.positions() == second.positions()
    first.run_until_caught_up()
    assert second.run_until_caught_up() == 0
    assert double_applied(db_connection, view_name) == []
