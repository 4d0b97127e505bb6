import datetime as dt
import re
import threading
import uuid
from collections.abc import Callable
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import ClientCursor, Cursor
from psycopg.rows import DictRow

from api.database import ConnectionTarget
from domain.actors import Actor, Role
from domain.application import Casework
from domain.case import CaseFile
from domain.step import CHINA, Step
from domain.values import AdministrativeAct, CaseKind, Party, PartyRole
from projections.runner import ProjectionRunner, ViewBatch, ViewFailed
from projections.work_queue import (
    QueueCursor,
    QueueFilter,
    WorkQueueView,
    queue_page_statement,
    read_queue,
)
from tests.integration.power_cut import CutAfterRows, PowerCut


class QueueProbe(CaseFile):
    KIND = CaseKind.RECONSIDERATION
    WHAT = "reconsideration"

    class Registered(CaseFile.Opened):
        pass

    class Admitted(CaseFile.Event):
        pass

    class Suspended(CaseFile.Event):
        pass

    class Closed(CaseFile.Event):
        pass

    @classmethod
    def register(cls, step: Step, *, case_id: UUID, reference: str, **facts: Any) -> "QueueProbe":
        return cls.open_case(
            cls.Registered,
            step,
            case_id=case_id,
            reference=reference,
            parties=(Party("李四", PartyRole.APPLICANT),),
            act=AdministrativeAct("区市场监管局", "罚字〔2026〕3号", dt.date(2026, 2, 2)),
            deadlines=[step.timekeeper.start("reconsideration.admission", step.today)],
            **facts,
        )

    def admit(self, step: Step) -> None:
        self.record(
            self.Admitted,
            step,
            deadlines=[step.timekeeper.start("reconsideration.decision", step.today)],
            ended=["reconsideration.admission"],
        )

    def suspend(self, step: Step) -> None:
        self.record(self.Suspended, step, deadlines=self.suspended_clocks(step))

    def close(self, step: Step) -> None:
        self.record(self.Closed, step, ended=self.all_clocks())


def at(day: int, month: int = 3) -> dt.datetime:
    return dt.datetime(2026, month, day, 9, 30, tzinfo=CHINA)


def open_probe(app: Casework, who: Actor, org: str) -> QueueProbe:
    return app.register(QueueProbe, app.step(who, at=at(2)), title="不服罚款", organisation=org)


def queue(database: ConnectionTarget, org: str, today: dt.date) -> list[tuple[Any, ...]]:
    with psycopg.connect(database.dsn) as conn:
        items = read_queue(conn, today, organisation=org)
    return [(i.reference, i.rule_id, i.due_on, i.days_left, i.overdue, i.suspended) for i in items]


def test_items_appear_move_and_disappear_as_events_arrive(
    app: Casework, actor: Callable[..., Actor], org: str, database: ConnectionTarget
):
    handler = actor(Role.HANDLER)
    runner = ProjectionRunner(app, WorkQueueView())
    case = open_probe(app, handler, org)
    runner.run_until_caught_up()
    # 5 working days after Monday 2 March 2026.
    assert queue(database, org, dt.date(2026, 3, 3)) == [
        (case.reference, "reconsideration.admission", dt.date(2026, 3, 9), 6, False, False)
    ]
    app.act(case.id, QueueProbe, lambda c: c.admit(app.step(handler, at=at(4))))
    runner.run_until_caught_up()
    # Read on different days: days left and overdue move with the date, not with events.
    assert queue(database, org, dt.date(2026, 5, 1)) == [
        (case.reference, "reconsideration.decision", dt.date(2026, 5, 6), 5, False, False)
    ]
    assert queue(database, org, dt.date(2026, 5, 7)) == [
        (case.reference, "reconsideration.decision", dt.date(2026, 5, 6), -1, True, False)
    ]
    app.act(case.id, QueueProbe, lambda c: c.suspend(app.step(handler, at=at(10))))
    runner.run_until_caught_up()
    assert queue(database, org, dt.date(2026, 6, 1)) == [
        (case.reference, "reconsideration.decision", dt.date(2026, 5, 6), None, False, True)
    ]
    app.act(case.id, QueueProbe, lambda c: c.close(app.step(handler, at=at(11))))
    runner.run_until_caught_up()
    assert queue(database, org, dt.date(2026, 6, 1)) == []


class CrashAfterRows(WorkQueueView):
    """Writes rows for the whole batch, then fails before the commit if it held the case."""

    def __init__(self, crash_at_case: UUID) -> None:
        super().__init__()
        self.crash_at_case = crash_at_case

    def batch(self, curs: Cursor[DictRow]) -> ViewBatch:
        def held_the_case(seen: list[tuple[int, UUID]]) -> bool:
            return any(case_id == self.crash_at_case for _, case_id in seen)

        return CutAfterRows(self, curs, super().batch(curs), held_the_case)


def snapshot(database: ConnectionTarget) -> list[tuple[Any, ...]]:
    with psycopg.connect(database.dsn) as conn:
        return conn.execute(
            "SELECT case_id, rule_id, due_on, suspended, assignee FROM work_items "
            "ORDER BY case_id, rule_id"
        ).fetchall()


def test_a_crash_between_rows_and_commit_loses_and_repeats_nothing(
    app: Casework, actor: Callable[..., Actor], org: str, database: ConnectionTarget
):
    handler = actor(Role.HANDLER)
    runner = ProjectionRunner(app, WorkQueueView())
    runner.run_until_caught_up()
    before = runner.position
    first = open_probe(app, handler, org)
    second = open_probe(app, handler, org)
    app.act(first.id, QueueProbe, lambda c: c.admit(app.step(handler, at=at(4))))
    crashing = ProjectionRunner(app, CrashAfterRows(second.id))
    with pytest.raises(ViewFailed, match="power cut") as failed:
        crashing.run_until_caught_up()
    assert isinstance(failed.value.error, PowerCut)
    assert crashing.position == before
    assert queue(database, org, dt.date(2026, 3, 3)) == []
    # Restart with the real view: the same rows as applying everything once.
    runner.run_until_caught_up()
    assert runner.position > before
    rows = queue(database, org, dt.date(2026, 3, 3))
    assert sorted(r[:2] for r in rows) == sorted(
        [
            (first.reference, "reconsideration.decision"),
            (second.reference, "reconsideration.admission"),
        ]
    )


def test_two_runners_of_one_view_never_apply_an_event_twice(
    app: Casework, actor: Callable[..., Actor], org: str, database: ConnectionTarget
):
    handler = actor(Role.HANDLER)
    ProjectionRunner(app, WorkQueueView()).run_until_caught_up()
    cases = [open_probe(app, handler, org) for _ in range(30)]
    for case in cases[::2]:
        app.act(case.id, QueueProbe, lambda c: c.admit(app.step(handler, at=at(4))))
    runners = [ProjectionRunner(app, WorkQueueView(), batch_size=3) for _ in range(2)]
    applied: list[int] = []
    threads = [
        threading.Thread(target=lambda r=r: applied.append(r.run_until_caught_up()))
        for r in runners
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()
    # Between them they applied each of the 45 new events exactly once.
    assert sum(applied) == 45
    assert len(queue(database, org, dt.date(2026, 3, 3))) == 30


def _plan_nodes(plan: dict[str, Any]) -> list[dict[str, Any]]:
    return [plan, *(node for child in plan.get("Plans", []) for node in _plan_nodes(child))]


@pytest.mark.parametrize(
    "scope",
    [
        "organisation",
        "assignee",
        "organisation after a cursor",
        "every organisation",
        "one procedure of every organisation",
    ],
)
def test_a_page_of_a_long_queue_reads_its_own_rows_in_index_order(
    database: ConnectionTarget, scope: str
):
    # 4,000 open items of one organisation (and one assignee), two rules per case, one case
    # in forty a lawsuit: a page must be the next entries of an index, never a sort of the whole
    # queue.
    org, who = "PLAN-" + uuid.uuid4().hex[:8], "planner-" + uuid.uuid4().hex[:8]
    today = at(2).date()
    after = QueueCursor(dt.date(2026, 6, 1), UUID(int=0), "")
    where = {
        "organisation": QueueFilter(organisation=org),
        "assignee": QueueFilter(assignee=who),
        "organisation after a cursor": QueueFilter(organisation=org),
        "every organisation": QueueFilter(),
        "one procedure of every organisation": QueueFilter(kinds=("litigation",)),
    }[scope]
    # The index that gives the page's order, and what its scan is bounded by.
    index, condition = {
        "organisation": ("work_items_by_org_order", "organisation ="),
        "assignee": ("work_items_by_assignee_order", "assignee ="),
        "organisation after a cursor": ("work_items_by_org_order", "organisation ="),
        "every organisation": ("work_items_by_due_order", ""),
        "one procedure of every organisation": ("work_items_by_kind_order", "kind ="),
    }[scope]
    statement = queue_page_statement(
        today, where, first=50, after=after if "cursor" in scope else None
    )
    with psycopg.connect(database.dsn) as conn:  # rolled back: the session's views stay as they are
        conn.execute(
            "INSERT INTO case_heads (case_id, kind, reference, title, organisation, assignee,"
            " opened_at) SELECT gen_random_uuid(),"
            " CASE WHEN n %% 40 = 0 THEN 'litigation' ELSE 'petition' END, 'R' || n, 't', %s, %s,"
            " now()"
            " FROM generate_series(1, 2000) AS n",
            (org, who),
        )
        conn.execute(
            "INSERT INTO work_items (case_id, rule_id, step, started_on, due_on, suspended,"
            " extended_by, legal_basis, warnings, kind, reference, title, organisation, assignee)"
            " SELECT case_id, rule, 'step', '2026-01-01',"
            " date '2026-01-01' + mod(abs(hashtext(reference)), 365), false,"
            " 0, 'basis', '{}', kind, reference, title, organisation, assignee"
            " FROM case_heads, unnest(array['a', 'b']) AS rule WHERE organisation = %s",
            (org,),
        )
        conn.execute("ANALYZE work_items")
        [[custom]] = conn.execute(
            "EXPLAIN (FORMAT JSON) " + str(statement.query), statement.params
        ).fetchone()  # type: ignore[misc]
        # The server runs the page prepared, and after a few executions with the plan made for
        # any values: that plan must read the index in order too.
        query, placeholder = str(statement.query), r"%\((\w+)\)s"
        names = list(dict.fromkeys(re.findall(placeholder, query)))
        numbered = re.sub(placeholder, lambda m: f"${names.index(m[1]) + 1}", query)
        conn.execute(f"PREPARE plan_probe AS {numbered}")
        conn.execute("SET LOCAL plan_cache_mode = force_generic_plan")
        values = [statement.params[name] for name in names]  # type: ignore[call-overload]
        [[generic]] = (
            ClientCursor(conn)
            .execute(
                f"EXPLAIN (FORMAT JSON) EXECUTE plan_probe({', '.join(['%s'] * len(values))})",
                values,
            )
            .fetchone()
        )  # type: ignore[misc]
        page, more = statement.run(conn)
        conn.rollback()
    if names != ["n"]:  # conditions with values (the limit's does not show in a plan)
        assert "$1" in str(generic), generic  # made for any values, not for these
    for plan in (custom, generic):
        nodes = _plan_nodes(plan["Plan"])
        kinds = [node["Node Type"] for node in nodes]
        assert not {"Sort", "Incremental Sort", "Seq Scan"} & set(kinds), kinds
        scans = [node for node in nodes if node.get("Index Name") == index]
        assert scans, (index, nodes)
        assert condition in scans[0].get("Index Cond", ""), scans[0]
    assert len(page) == 50
    assert more
    order = [(i.due_on, i.case_id, i.rule_id) for i in page]
    assert order == sorted(order)
    if "cursor" in scope:
        assert order[0] > (after.due_on, after.case_id, after.rule_id)
