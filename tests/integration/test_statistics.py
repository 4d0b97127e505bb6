import datetime as dt
import uuid
from collections.abc import Callable
from dataclasses import dataclass, replace
from typing import Any

import psycopg
import pytest

from api.database import ConnectionTarget
from domain.actors import Actor, Role
from domain.application import Casework
from domain.litigation import Appellant, Form, LitigationCase, Outcome
from domain.mediation import MediationCase, MediationType, Origin
from domain.petition import Petition
from domain.reconsideration import DecisionType, ReconsiderationCase
from domain.step import CHINA
from domain.values import AdministrativeAct, Party, PartyRole
from projections.runner import ProjectionRunner
from projections.statistics import (
    Rate,
    Statistics,
    StatisticsView,
    StepOnTime,
    statistics,
    statistics_by_organisation,
)

D = dt.date
MakeActor = Callable[..., Actor]
NONE = Rate(0, 0, None)


def at(month: int, day: int, hour: int = 10, year: int = 2026) -> dt.datetime:
    return dt.datetime(year, month, day, hour, tzinfo=CHINA)


def run(app: Casework, case: Any, command: Callable[[Any], Any]) -> Any:
    return app.act(case.id, type(case), command, expected_version=case.version)


def empty(org: str, year: int = 2026) -> Statistics:
    return Statistics(
        organisation=org,
        year=year,
        reconsideration_correction=NONE,
        on_time=(),
        litigation_loss=NONE,
        head_appearance=NONE,
        recommendation_reply=NONE,
        petition_acceptance_on_time=NONE,
        petition_closure_on_time=NONE,
        petition_satisfaction=NONE,
        mediation_success=NONE,
        judicial_confirmation=NONE,
    )


def read(app: Casework, database: ConnectionTarget, org: str, year: int = 2026) -> Statistics:
    ProjectionRunner(app, StatisticsView()).run_until_caught_up()
    with psycopg.connect(database.dsn) as conn:
        return statistics(conn, org, year)


# ---- reconsideration ------------------------------------------------------------------


@dataclass(frozen=True)
class Office:
    intake: Actor
    reviewer: Actor
    officer: Actor
    head: Actor


@pytest.fixture
def office(actor: MakeActor) -> Office:
    return Office(
        actor(Role.INTAKE), actor(Role.HANDLER), actor(Role.HEARING_OFFICER), actor(Role.APPROVER)
    )


def applied(app: Casework, office: Office, org: str) -> ReconsiderationCase:
    """Registered Monday 9 March: admission due 16 March."""
    return app.register(
        ReconsiderationCase,
        app.step(office.intake, at=at(3, 9)),
        title="不服行政处罚申请行政复议",
        organisation=org,
        act=AdministrativeAct("区市场监督管理局", "市监罚〔2026〕12号", D(2026, 3, 2)),
        parties=[Party("张三", PartyRole.APPLICANT)],
        knew_on=D(2026, 3, 3),
    )


def in_review(app: Casework, office: Office, org: str, accepted_on: int = 12) -> Any:
    """Accepted in March (decision due 11 May if on the 12th), copy received 17, reply due 31."""
    case = applied(app, office, org)
    case = run(app, case, lambda c: c.accept(app.step(office.reviewer, at=at(3, accepted_on))))
    copy = app.step(office.intake, at=at(3, max(17, accepted_on)))
    return run(app, case, lambda c: c.send_copy(copy))


def decided(
    app: Casework, office: Office, org: str, decision: DecisionType, on: dt.datetime
) -> Any:
    case = in_review(app, office, org)
    reply = app.step(office.intake, at=at(3, 27))
    case = run(app, case, lambda c: c.receive_reply(reply, evidence=["笔录"], legal_bases=["法"]))
    assign = app.step(office.head, at=at(3, 30))
    case = run(app, case, lambda c: c.assign_hearing_officer(assign, office.officer))
    step = app.step(
        office.officer, at=on, reason="理由", legal_basis="行政复议法", approver=office.head
    )
    return run(app, case, lambda c: c.decide(step, decision=decision))


def test_the_correction_rate_counts_corrections_over_decisions_of_the_year(
    app: Casework, office: Office, org: str, database: ConnectionTarget
):
    decided(app, office, org, DecisionType.REVOKE, at(4, 20))
    decided(app, office, org, DecisionType.CONFIRM_ILLEGAL, at(4, 20))
    decided(app, office, org, DecisionType.UPHOLD, at(4, 20))
    in_review(app, office, org)  # not decided: not counted

    figures = read(app, database, org)

    assert figures.reconsideration_correction == Rate(2, 3, 2 / 3)
    assert read(app, database, org, 2025) == empty(org, 2025)


def test_on_time_rates_per_step_count_a_missed_deadline_and_a_suspended_one_as_in_time(
    app: Casework, office: Office, org: str, database: ConnectionTarget
):
    decided(app, office, org, DecisionType.UPHOLD, at(4, 20))
    decided(app, office, org, DecisionType.UPHOLD, at(5, 20))  # decision was due 11 May
    in_review(app, office, org, accepted_on=18)  # admission was due 16 March
    suspended = in_review(app, office, org)
    why = {"reason": "等待另案结果", "legal_basis": "行政复议法第三十九条"}
    suspend = app.step(office.reviewer, at=at(3, 20), **why)
    suspended = run(app, suspended, lambda c: c.suspend(suspend))
    # Terminated while suspended, after the decision would have been due: in time.
    terminate = app.step(office.reviewer, at=at(6, 1), **why)
    run(app, suspended, lambda c: c.terminate(terminate))

    figures = read(app, database, org)

    assert figures == replace(
        empty(org),
        reconsideration_correction=Rate(0, 2, 0.0),
        on_time=(
            StepOnTime(
                "reconsideration.admission", "受理审查 / review for admission", Rate.of(3, 4)
            ),
            StepOnTime(
                "reconsideration.copy_to_respondent",
                "发送申请书副本 / copy to respondent",
                Rate.of(4, 4),
            ),
            StepOnTime("reconsideration.decision", "作出复议决定 / decision", Rate.of(2, 3)),
            StepOnTime("reconsideration.reply", "被申请人答复 / respondent's reply", Rate.of(3, 3)),
        ),
    )


# ---- litigation -----------------------------------------------------------------------


@dataclass(frozen=True)
class Agency:
    intake: Actor
    coordinator: Actor
    other_coordinator: Actor
    head: Actor


@pytest.fixture
def agency(actor: MakeActor) -> Agency:
    return Agency(
        actor(Role.INTAKE), actor(Role.COORDINATOR), actor(Role.COORDINATOR), actor(Role.APPROVER)
    )


def defended(app: Casework, a: Agency, org: str) -> Any:
    """Served 2 March, defended 3 March."""
    case: Any = app.register(
        LitigationCase,
        app.step(a.intake, at=at(3, 2)),
        title="张三诉区规划局行政处罚案",
        organisation=org,
        act=AdministrativeAct(org, f"规罚〔2025〕{uuid.uuid4().hex[:6]}号", D(2025, 12, 1)),
        parties=[Party("张三", PartyRole.APPLICANT)],
        court="区人民法院",
        court_case_number=f"(2026)京0105行初{uuid.uuid4().hex[:4]}号",
        served_on=D(2026, 3, 2),
    )
    defence = app.step(a.coordinator, at=at(3, 3))
    return run(
        app, case, lambda c: c.file_defence(defence, evidence=["证据"], normative_documents=[])
    )


def heard(app: Casework, a: Agency, org: str, *, head_appears: bool = True) -> Any:
    """Heard on 20 March, by the head in person or by a staff member."""
    case = defended(app, a, org)
    scheduling = app.step(a.coordinator, at=at(3, 4))
    case = run(
        app,
        case,
        lambda c: c.schedule_hearing(scheduling, hearing_on=D(2026, 3, 20), court="区法院"),
    )
    staff = {} if head_appears else {"staff_name": "王科长", "explanation": "局长外出学习"}
    planning = app.step(a.coordinator, at=at(3, 5))
    case = run(
        app,
        case,
        lambda c: c.plan_appearance(planning, head_name="李局长", head_title="局长", **staff),
    )
    approval = app.step(a.other_coordinator, approver=a.head, at=at(3, 6))
    case = run(app, case, lambda c: c.approve_appearance_plan(approval))
    names = ["李局长"] if head_appears else ["王科长"]
    hearing = app.step(a.coordinator, at=at(3, 20))
    return run(
        app, case, lambda c: c.hold_hearing(hearing, head_appeared=head_appears, appeared=names)
    )


def judged(app: Casework, a: Agency, case: Any, outcome: Outcome, when: dt.datetime) -> Any:
    step = app.step(a.coordinator, at=when)
    return run(
        app,
        case,
        lambda c: c.record_judgment(
            step, form=Form.JUDGMENT, outcome=outcome, decided_on=when.date(), served_on=when.date()
        ),
    )


def test_the_loss_rate_follows_the_standing_judgment_into_its_year(
    app: Casework, agency: Agency, org: str, database: ConnectionTarget
):
    reversed_on_appeal = judged(app, agency, heard(app, agency, org), Outcome.REVOKED, at(4, 20))
    judged(app, agency, heard(app, agency, org), Outcome.CONFIRMED_ILLEGAL, at(4, 20))
    judged(app, agency, heard(app, agency, org), Outcome.AGENCY_WON, at(4, 20))
    heard(app, agency, org)  # no judgment yet: not counted

    assert read(app, database, org).litigation_loss == Rate(2, 3, 2 / 3)

    appeal = app.step(agency.coordinator, approver=agency.head, at=at(4, 28), reason="认定有误")
    case = run(app, reversed_on_appeal, lambda c: c.appeal(appeal, appellant=Appellant.AGENCY))
    judged(app, agency, case, Outcome.AGENCY_WON, at(1, 8, year=2027))

    assert read(app, database, org).litigation_loss == Rate(1, 2, 0.5)
    assert read(app, database, org, 2027).litigation_loss == Rate(0, 1, 0.0)


def test_the_head_appearance_rate_counts_hearings_the_head_attended(
    app: Casework, agency: Agency, org: str, database: ConnectionTarget
):
    heard(app, agency, org)
    heard(app, agency, org)
    heard(app, agency, org, head_appears=False)
    defended(app, agency, org)  # no hearing: not counted

    figures = read(app, database, org)

    assert figures == replace(
        empty(org),
        head_appearance=Rate(2, 3, 2 / 3),
        on_time=(StepOnTime("litigation.defence", "提交答辩状和证据 / defence", Rate.of(4, 4)),),
    )


def test_the_recommendation_reply_rate_counts_each_recommendation_replied(
    app: Casework, agency: Agency, org: str, database: ConnectionTarget
):
    a = agency
    replied = defended(app, a, org)
    first = app.step(a.coordinator, at=at(7, 3))
    replied = run(
        app,
        replied,
        lambda c: c.receive_recommendation(first, number="司建1号", summary="规范程序"),
    )
    answer = app.step(a.coordinator, approver=a.head, at=at(7, 20))
    replied = run(app, replied, lambda c: c.reply_to_recommendation(answer))
    second = app.step(a.coordinator, at=at(7, 21))
    run(app, replied, lambda c: c.receive_recommendation(second, number="司建2号", summary="公开"))
    pending = defended(app, a, org)
    run(app, pending, lambda c: c.receive_recommendation(first, number="司建3号", summary="培训"))

    figures = read(app, database, org)

    assert figures.recommendation_reply == Rate(1, 3, 1 / 3)
    reply_steps = [s for s in figures.on_time if s.rule_id == "litigation.recommendation_reply"]
    assert [s.on_time for s in reply_steps] == [Rate(1, 1, 1.0)]


# ---- petitions ------------------------------------------------------------------------


@dataclass(frozen=True)
class Petitions:
    agency: str
    intake: Actor
    office_head: Actor
    handler: Actor
    agency_head: Actor


@pytest.fixture
def petitions(actor: MakeActor) -> Petitions:
    agency = "agency-" + uuid.uuid4().hex[:8]
    return Petitions(
        agency,
        actor(Role.INTAKE),
        actor(Role.APPROVER),
        actor(Role.HANDLER, agency),
        actor(Role.APPROVER, agency),
    )


def petition(app: Casework, p: Petitions, org: str, *, route: bool = True) -> Any:
    """Received 17 July; routed 24 July, so acceptance is due 10 August."""
    case = app.register(
        Petition,
        app.step(p.intake, at=at(7, 20)),
        title="对罚款决定不服",
        organisation=org,
        act=None,
        parties=[Party("王五", PartyRole.APPLICANT)],
        channel="letter",
        received_on=D(2026, 7, 17),
    )
    if not route:
        return case
    routing = app.step(p.intake, at=at(7, 24), approver=p.office_head)
    return run(app, case, lambda c: c.route(routing, agency=p.agency, method="assign"))


def answered(
    app: Casework, p: Petitions, org: str, accepted: dt.datetime, answered: dt.datetime
) -> Any:
    case = petition(app, p, org)
    case = run(
        app, case, lambda c: c.accept(app.step(p.handler, at=accepted, approver=p.agency_head))
    )
    opinion = app.step(p.handler, at=answered, approver=p.agency_head)
    return run(app, case, lambda c: c.issue_opinion(opinion, "维持原处理"))


def evaluated(app: Casework, p: Petitions, case: Any, satisfaction: str) -> None:
    run(app, case, lambda c: c.evaluate(app.step(p.intake, at=at(10, 25)), satisfaction))


def test_petition_acceptance_closure_and_satisfaction_rates(
    app: Casework, petitions: Petitions, org: str, database: ConnectionTarget
):
    p = petitions
    # Accepted 3 August (due 10 August), answered 30 September (due 8 October): both in time.
    evaluated(app, p, answered(app, p, org, at(8, 3), at(9, 30)), "satisfied")
    evaluated(app, p, answered(app, p, org, at(8, 3), at(9, 30)), "basically_satisfied")
    # Accepted 12 August (late), answered 20 October (due 12 October: late).
    evaluated(app, p, answered(app, p, org, at(8, 12), at(10, 20)), "dissatisfied")
    # The agency declines it on 20 August: the acceptance decision came late.
    declined = petition(app, p, org)
    decline = app.step(p.handler, at=at(8, 20), approver=p.agency_head, reason="不属于信访事项")
    run(app, declined, lambda c: c.decline(decline))
    # Declined by the petitions office before routing: no acceptance decision to time.
    office_declined = petition(app, p, org, route=False)
    by_office = app.step(p.intake, at=at(7, 21), approver=p.office_head, reason="已进入诉讼程序")
    run(app, office_declined, lambda c: c.decline(by_office))

    figures = read(app, database, org)

    assert (
        figures.petition_acceptance_on_time,
        figures.petition_closure_on_time,
        figures.petition_satisfaction,
    ) == (Rate(2, 4, 0.5), Rate(2, 3, 2 / 3), Rate(2, 3, 2 / 3))
    assert [(s.rule_id, s.on_time) for s in figures.on_time] == [
        ("petition.accept", Rate(2, 4, 0.5)),
        ("petition.handle", Rate(2, 3, 2 / 3)),
        ("petition.route", Rate(5, 5, 1.0)),
    ]


# ---- mediation ------------------------------------------------------------------------


def mediation(app: Casework, intake: Actor, mediator: Actor, org: str) -> Any:
    case = app.register(
        MediationCase,
        app.step(intake, at=at(2, 2)),
        title="张三与李四相邻通行纠纷",
        organisation=org,
        parties=[Party("张三", PartyRole.APPLICANT), Party("李四", PartyRole.OTHER)],
        mediation_type=MediationType.ADMINISTRATIVE,
        origin=Origin.APPLICATION,
    )
    session = app.step(mediator, at=at(2, 10))
    return run(app, case, lambda c: c.hold_session(session, mediator="王调解员", notes="陈述"))


def agreed(app: Casework, intake: Actor, mediator: Actor, org: str, *, written: bool = True) -> Any:
    case = mediation(app, intake, mediator, org)
    step = app.step(mediator, at=at(2, 26))
    return run(
        app,
        case,
        lambda c: c.reach_agreement(
            step, terms="让出通道", effective_on=D(2026, 2, 26), written=written
        ),
    )


def ruled(app: Casework, mediator: Actor, case: Any, *, granted: bool) -> None:
    case = run(
        app,
        case,
        lambda c: c.apply_for_confirmation(app.step(mediator, at=at(3, 2)), court="区法院"),
    )
    run(
        app,
        case,
        lambda c: c.record_confirmation(app.step(mediator, at=at(3, 20)), granted=granted),
    )


def test_mediation_success_and_judicial_confirmation_rates(
    app: Casework, actor: MakeActor, org: str, database: ConnectionTarget
):
    intake, mediator = actor(Role.INTAKE), actor(Role.HANDLER)
    ruled(app, mediator, agreed(app, intake, mediator, org), granted=True)
    ruled(app, mediator, agreed(app, intake, mediator, org), granted=False)
    agreed(app, intake, mediator, org, written=False)
    failed = mediation(app, intake, mediator, org)
    run(app, failed, lambda c: c.record_failure(app.step(mediator, at=at(3, 1), reason="分歧过大")))
    refused = mediation(app, intake, mediator, org)
    refusal = app.step(mediator, at=at(2, 12), reason="明确拒绝")
    run(app, refused, lambda c: c.record_refusal(refusal, party="李四"))
    mediation(app, intake, mediator, org)  # still being mediated: not counted

    figures = read(app, database, org)

    assert (figures.mediation_success, figures.judicial_confirmation) == (
        Rate(3, 5, 0.6),
        Rate(1, 3, 1 / 3),
    )


# ---- reading ----------------------------------------------------------------------------


def test_an_organisation_without_cases_has_no_rates_rather_than_zero(
    app: Casework, org: str, database: ConnectionTarget
):
    assert read(app, database, org) == empty(org)


def test_the_district_table_lists_each_organisation_with_its_own_figures(
    app: Casework, actor: MakeActor, org: str, database: ConnectionTarget
):
    other = org + "-b"
    intake, mediator = actor(Role.INTAKE), actor(Role.HANDLER)
    agreed(app, intake, mediator, org)
    agreed(app, intake, mediator, other, written=False)
    ProjectionRunner(app, StatisticsView()).run_until_caught_up()

    with psycopg.connect(database.dsn) as conn:
        table = [
            s for s in statistics_by_organisation(conn, 2026) if s.organisation.startswith(org)
        ]
        one = statistics(conn, org, 2026)

    assert [s.organisation for s in table] == [org, other]
    assert table[0] == one
    assert (one.mediation_success, one.judicial_confirmation) == (Rate(1, 1, 1.0), Rate(0, 1, 0.0))
    assert table[1].judicial_confirmation == Rate(0, 1, 0.0)


def rows(database: ConnectionTarget, table: str, order: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database.dsn) as conn:
        return conn.execute(f"SELECT * FROM {table} ORDER BY {order}").fetchall()


def test_building_the_statistics_in_small_batches_gives_the_same_rows_as_one_run(
    app: Casework, office: Office, agency: Agency, org: str, database: ConnectionTarget
):
    decided(app, office, org, DecisionType.CHANGE, at(4, 20))
    replied = heard(app, agency, org)
    judged(app, agency, replied, Outcome.REVOKED, at(4, 20))
    ProjectionRunner(app, StatisticsView()).run_until_caught_up()
    suffix = "__copy_" + uuid.uuid4().hex[:8]
    with psycopg.connect(database.dsn, autocommit=True) as conn:
        for table in StatisticsView.tables:
            conn.execute(f"CREATE TABLE {table}{suffix} (LIKE {table} INCLUDING ALL)")
    copy = ProjectionRunner(
        app, StatisticsView(suffix), batch_size=3, tracking_name="statistics" + suffix
    )
    copy.run_until_caught_up()

    for table, order in (
        ("statistics_facts", "case_id, measure, item"),
        ("statistics_deadlines", "case_id, version, rule_id"),
    ):
        assert rows(database, table + suffix, order) == rows(database, table, order)
