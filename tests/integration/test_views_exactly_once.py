"""Every registered view: incremental = rebuilt, crash-and-resume, two runners at once."""

import threading
import uuid
from typing import Any

import psycopg
import pytest
from psycopg import Cursor, sql
from psycopg.rows import DictRow

from api.caseload import generate
from domain.application import Casework
from projections.rebuild import SUFFIX, Rebuild
from projections.registry import VIEWS
from projections.runner import ProjectionRunner, TableView, ViewBatch, ViewFailed
from projections.status import head_position
from tests.integration.power_cut import CutAfterRows, PowerCut


@pytest.fixture(scope="module")
def caseload(app: Casework) -> None:
    """A generated caseload, written while a live runner of every view follows it."""
    stop = threading.Event()
    failures: list[BaseException] = []

    def follow(view_class: type[TableView]) -> None:
        runner = ProjectionRunner(app, view_class(), batch_size=7)
        try:
            while not stop.is_set():
                if runner.run_batch() == 0:
                    stop.wait(0.01)
            runner.run_until_caught_up()
        except BaseException as exc:  # reported by the test below
            failures.append(exc)

    followers = [threading.Thread(target=follow, args=(v,)) for v in VIEWS]
    for follower in followers:
        follower.start()
    orgs = [f"gen-{uuid.uuid4().hex[:6]}" for _ in range(3)]
    try:
        generate(app, cases=90, seed=20261126, organisations=orgs)
    finally:
        stop.set()
        for follower in followers:
            follower.join()
    assert failures == []


def copy_of(conn: psycopg.Connection[Any], view_class: type[TableView], suffix: str) -> TableView:
    live, copy = view_class(), view_class(suffix)
    for table in view_class.tables:
        conn.execute(
            sql.SQL("DROP TABLE IF EXISTS {}").format(sql.Identifier(copy.table_names[table]))
        )
        conn.execute(
            sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                sql.Identifier(copy.table_names[table]), sql.Identifier(live.table_names[table])
            )
        )
    return copy


def differences(
    conn: psycopg.Connection[Any], view_class: type[TableView], suffix: str
) -> dict[str, tuple[int, int, int]]:
    """Per table: (rows in live, rows only in live, rows only in the copy)."""
    result = {}
    for table in view_class.tables:
        live, copy = sql.Identifier(table), sql.Identifier(table + suffix)
        count = conn.execute(sql.SQL("SELECT count(*) FROM {}").format(live)).fetchone()
        only_live = conn.execute(
            sql.SQL("SELECT count(*) FROM (SELECT * FROM {} EXCEPT ALL SELECT * FROM {}) d").format(
                live, copy
            )
        ).fetchone()
        only_copy = conn.execute(
            sql.SQL("SELECT count(*) FROM (SELECT * FROM {} EXCEPT ALL SELECT * FROM {}) d").format(
                copy, live
            )
        ).fetchone()
        assert count is not None
        assert only_live is not None
        assert only_copy is not None
        result[table] = (count[0], only_live[0], only_copy[0])
    return result


def catch_up_live(app: Casework, view_class: type[TableView]) -> None:
    ProjectionRunner(app, view_class()).run_until_caught_up()


def assert_same(conn: psycopg.Connection[Any], view_class: type[TableView], suffix: str) -> None:
    diff = differences(conn, view_class, suffix)
    assert {t: d[1:] for t, d in diff.items()} == dict.fromkeys(view_class.tables, (0, 0))
    # Compared something: the generated caseload reaches every table of every view.
    assert all(d[0] > 0 for d in diff.values()), diff


@pytest.mark.parametrize("view_class", VIEWS, ids=lambda v: v.name)
def test_a_rebuilt_view_equals_the_incrementally_built_one(
    app: Casework,
    caseload: None,
    db_connection: psycopg.Connection[Any],
    view_class: type[TableView],
):
    catch_up_live(app, view_class)
    rebuild = Rebuild(app, view_class, batch_size=500)
    rebuild.build_aside()
    assert_same(db_connection, view_class, SUFFIX)
    before = differences(db_connection, view_class, SUFFIX)
    [result] = rebuild.swap()
    assert result.position == head_position(db_connection)
    # The swapped-in rows are the rows the live view had: nothing gained, nothing lost.
    copy = copy_of(db_connection, view_class, "__check")
    ProjectionRunner(
        app, copy, batch_size=1000, tracking_name=f"check-{uuid.uuid4()}"
    ).run_until_caught_up()
    assert_same(db_connection, view_class, "__check")
    assert {t: d[0] for t, d in differences(db_connection, view_class, "__check").items()} == {
        t: d[0] for t, d in before.items()
    }


@pytest.mark.parametrize("view_class", VIEWS, ids=lambda v: v.name)
def test_a_crash_between_rows_and_commit_loses_and_repeats_nothing(
    app: Casework,
    caseload: None,
    db_connection: psycopg.Connection[Any],
    view_class: type[TableView],
):
    suffix = "__crash"
    copy_of(db_connection, view_class, suffix)
    tracking = f"crash-{uuid.uuid4()}"

    class Crashing(view_class):  # type: ignore[valid-type,misc]
        crash_at = 0

        def batch(self, curs: Cursor[DictRow]) -> ViewBatch:
            def at_the_end(seen: list[tuple[int, uuid.UUID]]) -> bool:
                return seen[-1][0] == self.crash_at

            return CutAfterRows(self, curs, super().batch(curs), at_the_end)

    crashing_view = Crashing(suffix)
    crashing = ProjectionRunner(app, crashing_view, batch_size=50, tracking_name=tracking)
    honest = ProjectionRunner(app, view_class(suffix), batch_size=50, tracking_name=tracking)
    crashes = 0
    while honest.position < head_position(db_connection):
        batch = app.recorder.select_notifications(
            start=honest.position, limit=50, inclusive_of_start=False
        )
        crashing_view.crash_at = batch[-1].id
        with pytest.raises(ViewFailed) as failed:
            crashing.run_batch()  # every row of the batch was written, then the power went
        assert isinstance(failed.value.error, PowerCut)
        assert crashing.position == honest.position
        crashes += 1
        honest.run_batch()  # restarted: the same batch again, from the recorded position
    assert crashes > 1
    catch_up_live(app, view_class)
    assert_same(db_connection, view_class, suffix)


@pytest.mark.parametrize("view_class", VIEWS, ids=lambda v: v.name)
def test_two_runners_of_one_view_apply_each_event_once(
    app: Casework,
    caseload: None,
    db_connection: psycopg.Connection[Any],
    view_class: type[TableView],
):
    suffix = "__pair"
    copy_of(db_connection, view_class, suffix)
    tracking = f"pair-{uuid.uuid4()}"
    runners = [
        ProjectionRunner(app, view_class(suffix), batch_size=size, tracking_name=tracking)
        for size in (5, 8)
    ]
    applied: list[int] = []
    failures: list[BaseException] = []

    def run(runner: ProjectionRunner) -> None:
        try:
            applied.append(runner.run_until_caught_up())
        except BaseException as exc:  # reported below
            failures.append(exc)

    threads = [threading.Thread(target=run, args=(r,)) for r in runners]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    assert failures == []
    assert runners[0].position == head_position(db_connection)
    catch_up_live(app, view_class)
    assert_same(db_connection, view_class, suffix)


def test_one_runner_of_every_view_builds_each_as_a_runner_of_its_own_does(
    app: Casework, caseload: None, db_connection: psycopg.Connection[Any]
):
    copies = [copy_of(db_connection, view_class, "__group") for view_class in VIEWS]
    runner = ProjectionRunner(app, copies, batch_size=50)
    runner.run_until_caught_up()
    head = head_position(db_connection)
    assert runner.positions() == {view.name + "__group": head for view in VIEWS}
    for view_class in VIEWS:
        catch_up_live(app, view_class)
        assert_same(db_connection, view_class, "__group")


def test_every_view_rebuilt_in_one_pass_equals_the_live_views(
    app: Casework, caseload: None, db_connection: psycopg.Connection[Any]
):
    for view_class in VIEWS:
        catch_up_live(app, view_class)
    rebuild = Rebuild(app, VIEWS, batch_size=300)
    rebuild.build_aside()
    for view_class in VIEWS:
        assert_same(db_connection, view_class, SUFFIX)
    results = rebuild.swap()
    head = head_position(db_connection)
    assert [(r.name, r.position) for r in results] == [(v.name, head) for v in VIEWS]
    leftovers = db_connection.execute(
        "SELECT tablename FROM pg_tables WHERE tablename LIKE %s", ("%" + SUFFIX,)
    ).fetchall()
    assert leftovers == []
