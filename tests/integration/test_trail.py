import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any

import psycopg
import pytest

from api.database import ConnectionTarget
from domain.actors import Actor, Role
from domain.application import Casework
from domain.litigation import Form, LitigationCase, Outcome
from domain.reconsideration import DecisionType, ReconsiderationCase
from domain.step import CHINA
from domain.values import AdministrativeAct, LinkRelation, Party, PartyRole
from projections.runner import ProjectionRunner
from projections.trail import (
    TrailView,
    responsibility_chain,
    trail_of_actor,
    trail_of_case,
    trail_of_organisation,
)

D = dt.date
BASIS = "《中华人民共和国行政复议法》第六十八条"
ADMISSION = "reconsideration.admission"
COPY = "reconsideration.copy_to_respondent"
REPLY = "reconsideration.reply"
DECISION = "reconsideration.decision"


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=CHINA)


@dataclass(frozen=True)
class Office:
    intake: Actor
    reviewer: Actor
    officer: Actor
    head: Actor


@pytest.fixture
def office(actor: Callable[..., Actor]) -> Office:
    return Office(
        actor(Role.INTAKE, name="赵登记"),
        actor(Role.HANDLER, name="钱审查"),
        actor(Role.HEARING_OFFICER, name="孙审理"),
        actor(Role.APPROVER, name="李主任"),
    )


def run(app: Casework, case: Any, command: Callable[[Any], Any]) -> Any:
    return app.act(case.id, type(case), command, expected_version=case.version)


def decided(app: Casework, office: Office, org: str) -> ReconsiderationCase:
    """Registered 9 March, accepted 12, copy 17, reply 27, officer 30, upheld 20 April."""
    case = app.register(
        ReconsiderationCase,
        app.step(office.intake, at=at(3, 9)),
        title="不服行政处罚申请行政复议",
        organisation=org,
        act=AdministrativeAct("区市场监督管理局", "市监罚〔2026〕12号", D(2026, 3, 2)),
        parties=[Party("张三", PartyRole.APPLICANT)],
        knew_on=D(2026, 3, 3),
    )
    case = run(app, case, lambda c: c.accept(app.step(office.reviewer, at=at(3, 12))))
    case = run(app, case, lambda c: c.send_copy(app.step(office.intake, at=at(3, 17))))
    case = run(
        app,
        case,
        lambda c: c.receive_reply(
            app.step(office.intake, at=at(3, 27)), evidence=["笔录"], legal_bases=["食品安全法"]
        ),
    )
    case = run(
        app,
        case,
        lambda c: c.assign_hearing_officer(app.step(office.head, at=at(3, 30)), office.officer),
    )
    decide = app.step(
        office.officer,
        at=at(4, 20),
        reason="事实清楚，证据确凿",
        legal_basis=BASIS,
        approver=office.head,
    )
    return run(app, case, lambda c: c.decide(decide, decision=DecisionType.UPHOLD))


def caught_up(app: Casework) -> None:
    ProjectionRunner(app, TrailView()).run_until_caught_up()


def who(entries: Any) -> list[tuple[Any, ...]]:
    return [(e.reference, e.step, e.actor_id, e.approver_id) for e in entries]


def test_every_step_of_a_case_is_a_row_with_who_why_on_what_basis_and_its_clocks(
    app: Casework, office: Office, org: str, database: ConnectionTarget
):
    case = decided(app, office, org)
    caught_up(app)

    with psycopg.connect(database.dsn) as conn:
        page = trail_of_case(conn, case.id)

    o = office
    assert page.next_after is None
    assert [
        (
            e.version,
            e.at,
            e.step,
            e.decisive,
            (e.actor_id, e.actor_role, e.actor_organisation, e.actor_name),
            (e.approver_id, e.approver_role, e.approver_organisation, e.approver_name),
            e.reason,
            e.legal_basis,
            e.deadlines,
            e.ended,
        )
        for e in page.entries
    ] == [
        (1, at(3, 9), "registered", False, (o.intake.id, "intake", org, "赵登记"),
         (None, None, None, None), "", "", (ADMISSION,), ()),
        (2, at(3, 12), "accepted", True, (o.reviewer.id, "handler", org, "钱审查"),
         (None, None, None, None), "", "", (COPY, DECISION), (ADMISSION,)),
        (3, at(3, 17), "copy_sent", False, (o.intake.id, "intake", org, "赵登记"),
         (None, None, None, None), "", "", (REPLY,), (COPY,)),
        (4, at(3, 27), "reply_received", False, (o.intake.id, "intake", org, "赵登记"),
         (None, None, None, None), "", "", (), (REPLY,)),
        (5, at(3, 30), "hearing_officer_assigned", True, (o.head.id, "approver", org, "李主任"),
         (None, None, None, None), "", "", (), ()),
        (6, at(4, 20), "decided", True, (o.officer.id, "hearing_officer", org, "孙审理"),
         (o.head.id, "approver", org, "李主任"), "事实清楚，证据确凿", BASIS, (), (DECISION,)),
    ]  # fmt: skip
    assert {(e.case_id, e.kind, e.reference, e.organisation) for e in page.entries} == {
        (case.id, "reconsideration", case.reference, org)
    }
    positions = [e.position for e in page.entries]
    assert positions == sorted(positions)


def test_a_persons_trail_holds_what_they_did_and_approved_in_time_order_page_by_page(
    app: Casework, office: Office, org: str, database: ConnectionTarget
):
    first = decided(app, office, org)
    second = decided(app, office, org)
    caught_up(app)

    with psycopg.connect(database.dsn) as conn:
        page_one = trail_of_actor(conn, office.intake.id, limit=4)
        assert page_one.next_after is not None
        page_two = trail_of_actor(conn, office.intake.id, after=page_one.next_after, limit=4)
        ranged = trail_of_actor(conn, office.intake.id, since=at(3, 17), until=at(3, 27))
        approved = trail_of_actor(conn, office.head.id)

    i, h = office.intake.id, office.head.id
    f, s = first.reference, second.reference
    # Both cases took each step at the same moment: time first, then the log's order.
    assert who(page_one.entries) == [
        (f, "registered", i, None),
        (s, "registered", i, None),
        (f, "copy_sent", i, None),
        (s, "copy_sent", i, None),
    ]
    assert page_one.next_after == page_one.entries[-1].position
    assert who(page_two.entries) == [(f, "reply_received", i, None), (s, "reply_received", i, None)]
    assert page_two.next_after is None
    assert who(ranged.entries) == [(f, "copy_sent", i, None), (s, "copy_sent", i, None)]
    o = office.officer.id
    assert who(approved.entries) == [
        (f, "hearing_officer_assigned", h, None),
        (s, "hearing_officer_assigned", h, None),
        (f, "decided", o, h),
        (s, "decided", o, h),
    ]


def test_an_organisations_trail_covers_a_time_range_page_by_page(
    app: Casework, office: Office, org: str, database: ConnectionTarget
):
    first = decided(app, office, org)
    second = decided(app, office, org)
    caught_up(app)

    with psycopg.connect(database.dsn) as conn:
        pages = [trail_of_organisation(conn, org, at(3, 12), at(3, 28), limit=5)]
        pages.append(
            trail_of_organisation(conn, org, at(3, 12), at(3, 28), after=pages[0].next_after)
        )
        nothing = trail_of_organisation(conn, org, at(5, 1), None)

    f, s = first.reference, second.reference
    assert [[(e.reference, e.step) for e in p.entries] for p in pages] == [
        [
            (f, "accepted"),
            (s, "accepted"),
            (f, "copy_sent"),
            (s, "copy_sent"),
            (f, "reply_received"),
        ],
        [(s, "reply_received")],
    ]
    assert [p.next_after for p in pages] == [pages[0].entries[-1].position, None]
    assert nothing.entries == ()


@dataclass(frozen=True)
class Agency:
    name: str
    intake: Actor
    coordinator: Actor
    other_coordinator: Actor
    head: Actor


@pytest.fixture
def agency(actor: Callable[..., Actor]) -> Agency:
    name = "agency-" + uuid.uuid4().hex[:8]
    return Agency(
        name,
        actor(Role.INTAKE, name),
        actor(Role.COORDINATOR, name),
        actor(Role.COORDINATOR, name),
        actor(Role.APPROVER, name, name="周局长"),
    )


def lost_lawsuit(app: Casework, agency: Agency, reconsideration: ReconsiderationCase) -> Any:
    """Served 6 May; defended, linked as co-defendant, heard, revoked, no appeal."""
    a = agency
    case: Any = app.register(
        LitigationCase,
        app.step(a.intake, at=at(5, 6)),
        title="张三诉区市场监督管理局行政处罚案",
        organisation=a.name,
        act=reconsideration.act,
        parties=[Party("张三", PartyRole.APPLICANT)],
        court="区人民法院",
        court_case_number="(2026)京0105行初77号",
        served_on=D(2026, 5, 6),
    )
    case = run(
        app,
        case,
        lambda c: c.file_defence(
            app.step(a.coordinator, at=at(5, 7)), evidence=["处罚决定书"], normative_documents=[]
        ),
    )
    app.link_cases(
        case.id,
        reconsideration.id,
        LinkRelation.CO_DEFENDANT_OF,
        app.step(a.coordinator, at=at(5, 8)),
    )
    case = app.get_case(case.id, LitigationCase)
    schedule = app.step(a.coordinator, at=at(5, 8, 11))
    case = run(
        app, case, lambda c: c.schedule_hearing(schedule, hearing_on=D(2026, 6, 1), court="区法院")
    )
    plan = app.step(a.coordinator, at=at(5, 8, 12))
    case = run(app, case, lambda c: c.plan_appearance(plan, head_name="周局长", head_title="局长"))
    approval = app.step(a.other_coordinator, approver=a.head, at=at(5, 9))
    case = run(app, case, lambda c: c.approve_appearance_plan(approval))
    hearing = app.step(a.coordinator, at=at(6, 1))
    case = run(app, case, lambda c: c.hold_hearing(hearing, head_appeared=True, appeared=["周"]))
    case = run(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(a.coordinator, at=at(6, 20)),
            form=Form.JUDGMENT,
            outcome=Outcome.REVOKED,
            decided_on=D(2026, 6, 18),
            served_on=D(2026, 6, 20),
        ),
    )
    waive = app.step(a.coordinator, approver=a.head, at=at(6, 22), reason="服判息诉")
    return run(app, case, lambda c: c.decide_not_to_appeal(waive))


def test_the_responsibility_chain_of_a_lost_lawsuit_runs_back_through_the_reconsideration(
    app: Casework, office: Office, agency: Agency, org: str, database: ConnectionTarget
):
    reconsideration = decided(app, office, org)
    lawsuit = lost_lawsuit(app, agency, reconsideration)
    unrelated = decided(app, office, org)
    caught_up(app)

    with psycopg.connect(database.dsn) as conn:
        chain = responsibility_chain(conn, lawsuit.id)
        from_the_other_end = responsibility_chain(conn, reconsideration.id)
        alone = responsibility_chain(conn, unrelated.id)
        agency_trail = trail_of_organisation(conn, agency.name, None, None)

    r, lw = reconsideration.reference, lawsuit.reference
    o, a = office, agency
    assert [(c.reference, c.step, c.capacity, c.person_id, c.role, c.at) for c in chain] == [
        (r, "accepted", "acted", o.reviewer.id, "handler", at(3, 12)),
        (r, "hearing_officer_assigned", "acted", o.head.id, "approver", at(3, 30)),
        (r, "decided", "acted", o.officer.id, "hearing_officer", at(4, 20)),
        (r, "decided", "approved", o.head.id, "approver", at(4, 20)),
        (lw, "defence_filed", "acted", a.coordinator.id, "coordinator", at(5, 7)),
        (lw, "appearance_planned", "acted", a.coordinator.id, "coordinator", at(5, 8, 12)),
        (lw, "appearance_plan_approved", "acted", a.other_coordinator.id, "coordinator", at(5, 9)),
        (lw, "appearance_plan_approved", "approved", a.head.id, "approver", at(5, 9)),
        (lw, "appeal_waived", "acted", a.coordinator.id, "coordinator", at(6, 22)),
        (lw, "appeal_waived", "approved", a.head.id, "approver", at(6, 22)),
    ]
    decision = chain[3]
    assert (decision.name, decision.organisation, decision.reason, decision.legal_basis) == (
        "李主任",
        org,
        "事实清楚，证据确凿",
        BASIS,
    )
    assert from_the_other_end == chain
    assert [(c.reference, c.step) for c in alone] == [
        (unrelated.reference, step)
        for step in ("accepted", "hearing_officer_assigned", "decided", "decided")
    ]
    # The agency's staff linked the reconsideration too: that step is in the agency's trail.
    assert [(e.reference, e.step) for e in agency_trail.entries if e.reference == r] == [
        (r, "linked")
    ]


def rows(database: ConnectionTarget, table: str, order: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database.dsn) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()


def test_building_the_trail_in_small_batches_gives_the_same_rows_as_one_run(
    app: Casework, office: Office, agency: Agency, org: str, database: ConnectionTarget
):
    lost_lawsuit(app, agency, decided(app, office, org))
    caught_up(app)
    suffix = "__copy_" + uuid.uuid4().hex[:8]
    with psycopg.connect(database.dsn, autocommit=True) as conn:
        for table in TrailView.tables:
            conn.execute(f"CREATE TABLE {table}{suffix} (LIKE {table} INCLUDING ALL)")
    copy = ProjectionRunner(app, TrailView(suffix), batch_size=3, tracking_name="trail" + suffix)
    copy.run_until_caught_up()

    for table, order in (("trail_entries", "position"), ("trail_links", "case_id, linked_case_id")):
        assert rows(database, table + suffix, order) == rows(database, table, order)
    assert len(rows(database, "trail_links" + suffix, "case_id")) >= 2
