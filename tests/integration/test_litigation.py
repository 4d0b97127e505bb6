import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any, Self
from uuid import UUID

import pytest

from domain.actors import Actor, Role
from domain.application import Casework
from domain.case import CaseFile
from domain.errors import Forbidden, InvalidTransition, SeparationOfDuties, ValidationError
from domain.litigation import (
    APPEAL_JUDGMENT,
    APPEAL_RULING,
    DEFENCE,
    RECOMMENDATION_REPLY,
    AppealOutOfTime,
    Appellant,
    EvidenceBatch,
    Form,
    HeadMustAppear,
    Instance,
    Judgment,
    LitigationCase,
    LitigationStatus,
    MajorGround,
    NoticeTooLate,
    Outcome,
    RetrialSource,
)
from domain.step import CHINA, Step
from domain.values import AdministrativeAct, CaseKind, CaseLink, LinkRelation, Party, PartyRole

MakeActor = Callable[..., Actor]


class StandInReconsideration(CaseFile):
    """Test-only reconsideration case; the real aggregate is written elsewhere."""

    KIND = CaseKind.RECONSIDERATION
    WHAT = "reconsideration"

    class Registered(CaseFile.Opened):
        """Registered."""

    @classmethod
    def register(cls, step: Step, *, case_id: UUID, reference: str, **facts: Any) -> Self:
        return cls.open_case(cls.Registered, step, case_id=case_id, reference=reference, **facts)


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=CHINA)


def day(month: int, dd: int) -> dt.date:
    return dt.date(2026, month, dd)


def act_of(org: str) -> AdministrativeAct:
    return AdministrativeAct(org, f"规罚〔2025〕{uuid.uuid4().hex[:6]}号", dt.date(2025, 12, 1))


def sue(app: Casework, who: Actor, served_on: dt.date, **facts: Any) -> LitigationCase:
    return app.register(
        LitigationCase,
        app.step(who, at=dt.datetime.combine(served_on, dt.time(15), CHINA)),
        title="张三诉区规划局行政处罚案",
        organisation=who.organisation,
        act=act_of(who.organisation),
        parties=[Party("张三", PartyRole.APPLICANT, phone="13800001111")],
        court="区人民法院",
        court_case_number=f"(2026)京0105行初{uuid.uuid4().hex[:4]}号",
        served_on=served_on,
        **facts,
    )


def do(
    app: Casework, case: LitigationCase, command: Callable[[LitigationCase], Any]
) -> LitigationCase:
    return app.act(case.id, LitigationCase, command, expected_version=case.version)


def state(case: CaseFile) -> dict[str, Any]:
    return {k: v for k, v in vars(case).items() if k != "_pending_events"}


def stored_events(app: Casework, case_id: UUID) -> list[Any]:
    return [app.mapper.to_domain_event(s) for s in app.recorder.select_events(case_id)]


class People:
    def __init__(self, actor: MakeActor) -> None:
        self.intake = actor(Role.INTAKE)
        self.coordinator = actor(Role.COORDINATOR)
        self.other_coordinator = actor(Role.COORDINATOR)
        self.head = actor(Role.APPROVER, name="李四")


@pytest.fixture
def people(actor: MakeActor) -> People:
    return People(actor)


def defended(app: Casework, people: People, served_on: dt.date, **facts: Any) -> LitigationCase:
    case = sue(app, people.intake, served_on, **facts)
    return do(
        app,
        case,
        lambda c: c.file_defence(
            app.step(people.coordinator, at=dt.datetime.combine(served_on, dt.time(16), CHINA)),
            evidence=["处罚决定书"],
            normative_documents=[],
        ),
    )


def heard(app: Casework, people: People, served_on: dt.date, hearing_on: dt.date) -> LitigationCase:
    case = defended(app, people, served_on)
    coordinator = people.coordinator
    case = do(
        app,
        case,
        lambda c: c.schedule_hearing(
            app.step(coordinator, at=at(served_on.month, served_on.day, 17)),
            hearing_on=hearing_on,
            court="区人民法院",
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.plan_appearance(
            app.step(coordinator, at=at(served_on.month, served_on.day, 17)),
            head_name="李四",
            head_title="局长",
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.approve_appearance_plan(
            app.step(
                people.other_coordinator,
                approver=people.head,
                at=at(served_on.month, served_on.day, 18),
            )
        ),
    )
    hearing_at = dt.datetime.combine(hearing_on, dt.time(10), CHINA)
    return do(
        app,
        case,
        lambda c: c.hold_hearing(
            app.step(coordinator, at=hearing_at), head_appeared=True, appeared=["李四"]
        ),
    )


# ---- the defence period (答辩期) -------------------------------------------------------


@pytest.mark.parametrize(
    ("served_on", "nominal_end", "due_on"),
    [
        # 15 days end on Fri 20 Feb, in the Spring Festival holiday (15–23 Feb): next working day.
        (day(2, 5), day(2, 20), day(2, 24)),
        # 15 days end on Sat 28 Feb, an adjusted working day (调休): due that Saturday.
        (day(2, 13), day(2, 28), day(2, 28)),
        # Sat 14 Feb is the adjusted working day before the holiday.
        (dt.date(2026, 1, 30), day(2, 14), day(2, 14)),
        # Sun 1 March is a rest day again: Monday 2 March.
        (day(2, 14), day(3, 1), day(3, 2)),
    ],
)
def test_defence_is_due_15_days_after_service_rolling_off_rest_days(
    app: Casework, people: People, served_on: dt.date, nominal_end: dt.date, due_on: dt.date
) -> None:
    case = sue(app, people.intake, served_on)

    clock = app.get_case(case.id, LitigationCase).deadlines[DEFENCE]
    assert (clock.started_on, clock.nominal_end, clock.due_on) == (served_on, nominal_end, due_on)
    assert clock.legal_basis == "《行政诉讼法》第六十七条第一款"
    assert case.status == LitigationStatus.AWAITING_DEFENCE
    assert case.defence_due_on == due_on


def test_a_lawsuit_needs_a_plaintiff_and_is_registered_by_intake_or_coordinator(
    app: Casework, actor: MakeActor
) -> None:
    handler = actor(Role.HANDLER)
    with pytest.raises(Forbidden, match="a handler may not register a lawsuit"):
        sue(app, handler, day(3, 2))
    with pytest.raises(ValidationError, match="at least one plaintiff") as refused:
        app.register(
            LitigationCase,
            app.step(actor(Role.COORDINATOR), at=at(3, 2)),
            title="t",
            organisation="o",
            act=act_of("o"),
            parties=[Party("区规划局", PartyRole.RESPONDENT)],
            court="区人民法院",
            court_case_number="(2026)京0105行初1号",
            served_on=day(3, 2),
        )
    assert refused.value.field == "parties"


def test_a_complaint_cannot_be_served_in_the_future(app: Casework, people: People) -> None:
    with pytest.raises(ValidationError, match="servedOn 2026-03-03 is in the future"):
        app.register(
            LitigationCase,
            app.step(people.intake, at=at(3, 2)),
            title="t",
            organisation="o",
            act=act_of("o"),
            parties=[Party("张三", PartyRole.APPLICANT)],
            court="区人民法院",
            court_case_number="(2026)京0105行初1号",
            served_on=day(3, 3),
        )


def test_defence_filed_after_the_due_date_is_late_and_its_evidence_counts_for_nothing(
    app: Casework, people: People
) -> None:
    case = sue(app, people.intake, day(2, 5))  # due 24 Feb

    case = do(
        app,
        case,
        lambda c: c.file_defence(
            app.step(people.coordinator, at=at(2, 25)),
            evidence=["现场检查笔录", " 处罚决定书 "],
            normative_documents=["《北京市城乡规划条例》"],
        ),
    )

    loaded = app.get_case(case.id, LitigationCase)
    assert loaded.status == LitigationStatus.DEFENDED
    assert loaded.deadlines == {}
    assert (loaded.defence_filed_on, loaded.defence_late) == (day(2, 25), True)
    assert loaded.normative_documents == ["《北京市城乡规划条例》"]
    assert loaded.evidence == [
        EvidenceBatch(("现场检查笔录", "处罚决定书"), day(2, 25), late=True, late_reason="")
    ]
    assert loaded.evidence[0].counts_as_no_evidence


def test_late_evidence_with_a_proper_reason_still_counts(app: Casework, people: People) -> None:
    case = defended(app, people, day(3, 2))  # due 17 March, defence filed 2 March

    case = do(
        app,
        case,
        lambda c: c.submit_evidence(
            app.step(people.coordinator, at=at(3, 20)),
            items=["证人证言"],
            late_reason="不可抗力：证人住院",
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.submit_evidence(app.step(people.coordinator, at=at(3, 23)), items=["照片"]),
    )

    loaded = app.get_case(case.id, LitigationCase)
    assert loaded.defence_late is False
    assert [(b.items, b.late, b.counts_as_no_evidence) for b in loaded.evidence] == [
        (("处罚决定书",), False, False),
        (("证人证言",), True, False),
        (("照片",), True, True),
    ]


def test_a_defence_cannot_be_filed_twice(app: Casework, people: People) -> None:
    case = defended(app, people, day(3, 2))

    with pytest.raises(InvalidTransition) as refused:
        case.file_defence(
            app.step(people.coordinator, at=at(3, 3)), evidence=[], normative_documents=[]
        )
    assert (
        refused.value.message
        == "the litigation case is defended (已答辩); it cannot file a defence"
    )


# ---- the full path: lost, appealed, lost again, performed, recommendation answered ----------


def test_lost_case_through_appeal_performance_recommendation_and_closure(
    app: Casework, people: People
) -> None:
    coordinator, head = people.coordinator, people.head
    case = sue(app, people.intake, day(2, 5))
    case = do(
        app,
        case,
        lambda c: c.file_defence(
            app.step(coordinator, at=at(2, 24)),
            evidence=["处罚决定书"],
            normative_documents=["《行政处罚法》"],
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.schedule_hearing(
            app.step(coordinator, at=at(3, 10)), hearing_on=day(3, 20), court="区人民法院"
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.record_head_notice(app.step(coordinator, at=at(3, 12)), notice_on=day(3, 12)),
    )
    case = do(
        app,
        case,
        lambda c: c.plan_appearance(
            app.step(coordinator, at=at(3, 12)), head_name="李四", head_title="局长"
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.approve_appearance_plan(
            app.step(people.other_coordinator, approver=head, at=at(3, 13), reason="负责人出庭")
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.hold_hearing(
            app.step(coordinator, at=at(3, 20)), head_appeared=True, appeared=["李四", "王五"]
        ),
    )
    # Served on 20 April: 15 days end on 5 May, the last day of the Labour Day holiday.
    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(coordinator, at=at(4, 20)),
            form=Form.JUDGMENT,
            outcome=Outcome.REVOKED,
            decided_on=day(4, 17),
            served_on=day(4, 20),
        ),
    )
    assert case.status == LitigationStatus.JUDGED
    assert case.deadlines[APPEAL_JUDGMENT].due_on == day(5, 6)
    assert case.appeal_due_on == day(5, 6)

    case = do(
        app,
        case,
        lambda c: c.appeal(
            app.step(coordinator, approver=head, at=at(4, 28), reason="事实认定有误"),
            appellant=Appellant.AGENCY,
        ),
    )
    assert case.status == LitigationStatus.SECOND_INSTANCE
    assert case.deadlines == {}
    assert case.second_instance_limit_on == day(7, 28)

    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(coordinator, at=at(7, 2)),
            form=Form.JUDGMENT,
            outcome=Outcome.REVOKED,
            decided_on=day(6, 30),
            served_on=day(7, 2),
        ),
    )
    assert case.status == LitigationStatus.EFFECTIVE
    assert case.effective_on == day(7, 2)

    # The court set 30 days: 2 August is a Sunday, so Monday 3 August.
    case = do(
        app,
        case,
        lambda c: c.receive_recommendation(
            app.step(coordinator, at=at(7, 3)),
            number="(2026)京01司建3号",
            summary="规范现场检查程序",
            limit_days=30,
        ),
    )
    assert case.deadlines[RECOMMENDATION_REPLY].due_on == day(8, 3)
    case = do(
        app,
        case,
        lambda c: c.record_performance(
            app.step(coordinator, at=at(7, 10)), how="撤销处罚决定并退还罚款"
        ),
    )
    with pytest.raises(InvalidTransition) as refused:
        case.close(app.step(coordinator, at=at(7, 11)))
    assert refused.value.message == (
        "the litigation case is performed (已履行); it cannot be closed "
        "(recommendation (2026)京01司建3号 still awaits a reply)"
    )
    case = do(
        app,
        case,
        lambda c: c.reply_to_recommendation(app.step(coordinator, approver=head, at=at(7, 20))),
    )
    case = do(app, case, lambda c: c.close(app.step(coordinator, at=at(7, 21))))

    loaded = app.get_case(case.id, LitigationCase)
    assert state(loaded) == state(case)
    assert loaded.status == LitigationStatus.CLOSED
    assert loaded.is_final
    assert loaded.deadlines == {}
    assert (loaded.lost, loaded.head_appeared, loaded.outcome) == (True, True, Outcome.REVOKED)
    assert loaded.judgments == [
        Judgment(Instance.FIRST, Form.JUDGMENT, Outcome.REVOKED, day(4, 17), day(4, 20)),
        Judgment(Instance.SECOND, Form.JUDGMENT, Outcome.REVOKED, day(6, 30), day(7, 2)),
    ]
    assert loaded.appellants == [Appellant.AGENCY]
    assert (loaded.performed_on, loaded.performance) == (day(7, 10), "撤销处罚决定并退还罚款")
    assert [(r.number, r.replied_on) for r in loaded.recommendations] == [
        ("(2026)京01司建3号", day(7, 20))
    ]
    assert loaded.parties == [Party("张三", PartyRole.APPLICANT, phone="13800001111")]

    events = stored_events(app, case.id)
    assert [type(e).__name__ for e in events] == [
        "Registered",
        "DefenceFiled",
        "HearingScheduled",
        "HeadNoticeReceived",
        "AppearancePlanned",
        "AppearancePlanApproved",
        "HearingHeld",
        "JudgmentServed",
        "AppealFiled",
        "JudgmentServed",
        "RecommendationReceived",
        "JudgmentPerformed",
        "RecommendationReplied",
        "Closed",
    ]
    approval = events[5]
    assert (approval.actor, approval.approver, approval.reason) == (
        people.other_coordinator,
        head,
        "负责人出庭",
    )
    assert events[0].actor == people.intake
    assert events[0].deadlines[0].due_on == day(2, 24)
    assert (events[8].approver, list(events[8].ended)) == (head, [APPEAL_JUDGMENT])
    assert list(events[12].ended) == [RECOMMENDATION_REPLY]


def test_a_recommendation_without_a_court_limit_gets_the_rules_table_default(
    app: Casework, people: People
) -> None:
    case = defended(app, people, day(7, 1))

    case = do(
        app,
        case,
        lambda c: c.receive_recommendation(
            app.step(people.intake, at=at(7, 3)), number="司建1号", summary="s"
        ),
    )

    clock = app.get_case(case.id, LitigationCase).deadlines[RECOMMENDATION_REPLY]
    assert (clock.length, clock.due_on) == (60, day(9, 1))
    with pytest.raises(InvalidTransition, match="recommendation 司建1号 still awaits a reply"):
        case.receive_recommendation(
            app.step(people.intake, at=at(7, 4)), number="司建2号", summary="s"
        )
    with pytest.raises(ValidationError, match="needs an approver"):
        case.reply_to_recommendation(app.step(people.coordinator, at=at(7, 5)))


def test_a_court_set_reply_limit_must_be_at_least_a_day(app: Casework, people: People) -> None:
    case = defended(app, people, day(7, 1))

    with pytest.raises(ValidationError, match="at least one day"):
        case.receive_recommendation(
            app.step(people.intake, at=at(7, 3)), number="n", summary="s", limit_days=0
        )


# ---- appeals and effectiveness ---------------------------------------------------------


def test_won_case_the_agency_does_not_appeal_becomes_effective_when_the_period_lapses(
    app: Casework, people: People
) -> None:
    case = heard(app, people, day(3, 2), day(3, 20))
    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(people.coordinator, at=at(3, 31)),
            form=Form.JUDGMENT,
            outcome=Outcome.AGENCY_WON,
            decided_on=day(3, 30),
            served_on=day(3, 31),
        ),
    )
    assert case.deadlines[APPEAL_JUDGMENT].due_on == day(4, 15)
    with pytest.raises(ValidationError, match="needs an approver"):
        case.decide_not_to_appeal(app.step(people.coordinator, at=at(4, 1)))
    case = do(
        app,
        case,
        lambda c: c.decide_not_to_appeal(
            app.step(people.coordinator, approver=people.head, at=at(4, 1))
        ),
    )
    assert case.deadlines == {}
    with pytest.raises(InvalidTransition, match="the agency already decided on appeal"):
        case.appeal(
            app.step(people.coordinator, approver=people.head, at=at(4, 2)),
            appellant=Appellant.AGENCY,
        )

    case = do(
        app,
        case,
        lambda c: c.declare_effective(
            app.step(people.coordinator, at=at(4, 16)), effective_on=day(4, 16)
        ),
    )
    with pytest.raises(InvalidTransition, match="the agency did not lose"):
        case.record_performance(app.step(people.coordinator, at=at(4, 17)), how="x")
    case = do(app, case, lambda c: c.close(app.step(people.coordinator, at=at(4, 17))))

    loaded = app.get_case(case.id, LitigationCase)
    assert (loaded.status, loaded.effective_on, loaded.appeal_waived) == (
        LitigationStatus.CLOSED,
        day(4, 16),
        True,
    )
    assert (loaded.lost, loaded.head_appeared) == (False, True)


def test_effective_before_the_appeal_period_lapses_only_with_a_stated_reason(
    app: Casework, people: People
) -> None:
    case = heard(app, people, day(3, 2), day(3, 20))
    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(people.coordinator, at=at(3, 31)),
            form=Form.JUDGMENT,
            outcome=Outcome.CONFIRMED_ILLEGAL,
            decided_on=day(3, 30),
            served_on=day(3, 31),
        ),
    )

    with pytest.raises(ValidationError, match="needs a reason"):
        case.declare_effective(app.step(people.coordinator, at=at(4, 10)), effective_on=day(4, 10))
    case = do(
        app,
        case,
        lambda c: c.declare_effective(
            app.step(people.coordinator, at=at(4, 10), reason="双方书面放弃上诉"),
            effective_on=day(4, 10),
        ),
    )
    assert (case.status, case.deadlines) == (LitigationStatus.EFFECTIVE, {})
    with pytest.raises(
        ValidationError, match="to close a lost case that was not performed needs a reason"
    ):
        case.close(app.step(people.coordinator, at=at(4, 11)))
    case = do(
        app,
        case,
        lambda c: c.close(
            app.step(people.coordinator, at=at(4, 11), reason="确认违法判决，无需采取补救措施")
        ),
    )
    assert app.get_case(case.id, LitigationCase).status == LitigationStatus.CLOSED


def test_the_agency_cannot_appeal_after_its_period_or_without_approval(
    app: Casework, people: People
) -> None:
    case = heard(app, people, day(3, 2), day(3, 20))
    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(people.coordinator, at=at(3, 31)),
            form=Form.JUDGMENT,
            outcome=Outcome.ORDERED_TO_PERFORM,
            decided_on=day(3, 30),
            served_on=day(3, 31),
        ),
    )

    with pytest.raises(ValidationError, match="needs an approver"):
        case.appeal(app.step(people.coordinator, at=at(4, 2)), appellant=Appellant.AGENCY)
    self_approved = Actor(people.coordinator.id, Role.APPROVER, people.coordinator.organisation)
    with pytest.raises(SeparationOfDuties, match="nobody approves their own request to appeal"):
        case.appeal(
            app.step(people.coordinator, approver=self_approved, at=at(4, 2)),
            appellant=Appellant.AGENCY,
        )
    with pytest.raises(AppealOutOfTime, match="the appeal period ended on 2026-04-15") as refused:
        case.appeal(
            app.step(people.coordinator, approver=people.head, at=at(4, 16)),
            appellant=Appellant.AGENCY,
        )
    assert refused.value.field == "filedOn"


def test_plaintiff_appeal_keeps_the_agency_clock_until_it_decides_and_second_instance_decides(
    app: Casework, people: People
) -> None:
    case = heard(app, people, day(3, 2), day(3, 20))
    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(people.coordinator, at=at(3, 31)),
            form=Form.JUDGMENT,
            outcome=Outcome.AGENCY_WON,
            decided_on=day(3, 30),
            served_on=day(3, 31),
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.appeal(
            app.step(people.coordinator, at=at(4, 8)),
            appellant=Appellant.PLAINTIFF,
            filed_on=day(4, 7),
        ),
    )
    assert case.status == LitigationStatus.SECOND_INSTANCE
    assert case.deadlines[APPEAL_JUDGMENT].due_on == day(4, 15)
    assert case.second_instance_limit_on == day(7, 7)
    with pytest.raises(InvalidTransition, match="the plaintiff already appealed"):
        case.appeal(app.step(people.coordinator, at=at(4, 9)), appellant=Appellant.PLAINTIFF)

    case = do(
        app,
        case,
        lambda c: c.decide_not_to_appeal(
            app.step(people.coordinator, approver=people.head, at=at(4, 9))
        ),
    )
    assert case.deadlines == {}
    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(people.coordinator, at=at(6, 2)),
            form=Form.JUDGMENT,
            outcome=Outcome.AGENCY_WON,
            decided_on=day(5, 29),
            served_on=day(6, 2),
        ),
    )

    loaded = app.get_case(case.id, LitigationCase)
    assert (loaded.status, loaded.lost, loaded.appellants) == (
        LitigationStatus.EFFECTIVE,
        False,
        [Appellant.PLAINTIFF],
    )
    assert [j.instance for j in loaded.judgments] == [Instance.FIRST, Instance.SECOND]


def test_a_withdrawn_appeal_leaves_the_first_instance_outcome_standing(
    app: Casework, people: People
) -> None:
    case = heard(app, people, day(3, 2), day(3, 20))
    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(people.coordinator, at=at(3, 31)),
            form=Form.JUDGMENT,
            outcome=Outcome.PARTIALLY_LOST,
            decided_on=day(3, 30),
            served_on=day(3, 31),
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.appeal(
            app.step(people.coordinator, approver=people.head, at=at(4, 3)),
            appellant=Appellant.AGENCY,
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(people.coordinator, at=at(5, 12)),
            form=Form.RULING,
            outcome=Outcome.WITHDRAWN,
            decided_on=day(5, 11),
            served_on=day(5, 12),
        ),
    )

    assert (case.status, case.outcome, case.lost) == (
        LitigationStatus.EFFECTIVE,
        Outcome.PARTIALLY_LOST,
        True,
    )


# ---- rulings ----------------------------------------------------------------------------


def test_plaintiff_withdrawing_before_the_defence_ends_the_case_without_an_appeal_period(
    app: Casework, people: People
) -> None:
    case = sue(app, people.intake, day(3, 2))

    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(people.coordinator, at=at(3, 9)),
            form=Form.RULING,
            outcome=Outcome.WITHDRAWN,
            decided_on=day(3, 6),
            served_on=day(3, 9),
        ),
    )

    assert (case.status, case.deadlines, case.lost, case.head_appeared) == (
        LitigationStatus.EFFECTIVE,
        {},
        False,
        None,
    )
    case = do(app, case, lambda c: c.close(app.step(people.coordinator, at=at(3, 9))))
    assert app.get_case(case.id, LitigationCase).status == LitigationStatus.CLOSED


def test_a_dismissal_ruling_can_be_appealed_within_10_days(app: Casework, people: People) -> None:
    case = defended(app, people, day(2, 20))

    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(people.coordinator, at=at(3, 2)),
            form=Form.RULING,
            outcome=Outcome.DISMISSED,
            decided_on=day(2, 27),
            served_on=day(3, 2),
        ),
    )

    clock = app.get_case(case.id, LitigationCase).deadlines[APPEAL_RULING]
    assert (clock.length, clock.due_on) == (10, day(3, 12))
    assert case.status == LitigationStatus.JUDGED


def test_a_judgment_comes_only_after_the_hearing_and_outcomes_match_their_form(
    app: Casework, people: People
) -> None:
    case = defended(app, people, day(3, 2))

    with pytest.raises(InvalidTransition) as refused:
        case.record_judgment(
            app.step(people.coordinator, at=at(3, 20)),
            form=Form.JUDGMENT,
            outcome=Outcome.REVOKED,
            decided_on=day(3, 19),
            served_on=day(3, 20),
        )
    assert refused.value.message == (
        "the litigation case is defended (已答辩); it cannot take a judgment "
        "(a judgment comes after the hearing)"
    )
    with pytest.raises(
        ValidationError, match="a withdrawn outcome comes in a ruling, not a judgment"
    ):
        case.record_judgment(
            app.step(people.coordinator, at=at(3, 20)),
            form=Form.JUDGMENT,
            outcome=Outcome.WITHDRAWN,
            decided_on=day(3, 19),
            served_on=day(3, 20),
        )
    with pytest.raises(ValidationError, match="servedOn 2026-03-18 is before it was decided"):
        case.record_judgment(
            app.step(people.coordinator, at=at(3, 20)),
            form=Form.RULING,
            outcome=Outcome.DISMISSED,
            decided_on=day(3, 19),
            served_on=day(3, 18),
        )


# ---- hearing and appearance (出庭应诉) ---------------------------------------------------


def test_a_hearing_needs_a_filed_defence(app: Casework, people: People) -> None:
    case = sue(app, people.intake, day(3, 2))

    with pytest.raises(InvalidTransition) as refused:
        case.schedule_hearing(
            app.step(people.coordinator, at=at(3, 3)), hearing_on=day(3, 20), court="区人民法院"
        )
    assert refused.value.message == (
        "the litigation case is awaiting defence (待答辩); it cannot schedule a hearing"
    )


def test_the_courts_notice_for_the_head_must_come_at_least_3_days_before_the_hearing(
    app: Casework, people: People
) -> None:
    case = defended(app, people, day(3, 2))
    case = do(
        app,
        case,
        lambda c: c.schedule_hearing(
            app.step(people.coordinator, at=at(3, 10)), hearing_on=day(3, 20), court="区人民法院"
        ),
    )

    with pytest.raises(
        NoticeTooLate, match="less than 3 days before the hearing on 2026-03-20"
    ) as refused:
        case.record_head_notice(app.step(people.coordinator, at=at(3, 18)), notice_on=day(3, 18))
    assert refused.value.field == "noticeOn"
    case = do(
        app,
        case,
        lambda c: c.record_head_notice(
            app.step(people.coordinator, at=at(3, 17)), notice_on=day(3, 17)
        ),
    )
    assert app.get_case(case.id, LitigationCase).head_notice_on == day(3, 17)


def test_a_staff_member_may_appear_instead_of_the_head_with_a_written_explanation(
    app: Casework, people: People
) -> None:
    case = defended(app, people, day(3, 2))
    case = do(
        app,
        case,
        lambda c: c.schedule_hearing(
            app.step(people.coordinator, at=at(3, 10)), hearing_on=day(3, 20), court="区人民法院"
        ),
    )

    with pytest.raises(ValidationError, match="a written explanation of why is required"):
        case.plan_appearance(
            app.step(people.coordinator, at=at(3, 11)),
            head_name="李四",
            head_title="局长",
            staff_name="王五",
        )
    case = do(
        app,
        case,
        lambda c: c.plan_appearance(
            app.step(people.coordinator, at=at(3, 11)),
            head_name="李四",
            head_title="局长",
            staff_name="王五",
            explanation="负责人出国公务",
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.approve_appearance_plan(
            app.step(people.other_coordinator, approver=people.head, at=at(3, 12))
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.hold_hearing(
            app.step(people.coordinator, at=at(3, 20)), head_appeared=False, appeared=["王五"]
        ),
    )

    loaded = app.get_case(case.id, LitigationCase)
    plan = loaded.appearance_plan
    assert plan is not None
    assert (plan.staff_name, plan.explanation, plan.planned_by, plan.approved_by) == (
        "王五",
        "负责人出国公务",
        people.coordinator.id,
        people.head.id,
    )
    assert (loaded.status, loaded.head_appeared) == (LitigationStatus.HEARD, False)


def test_a_major_case_requires_the_head_to_appear(app: Casework, people: People) -> None:
    case = defended(app, people, day(3, 2), major_ground=MajorGround.MASS_INCIDENT_RISK)
    case = do(
        app,
        case,
        lambda c: c.schedule_hearing(
            app.step(people.coordinator, at=at(3, 10)), hearing_on=day(3, 20), court="区人民法院"
        ),
    )

    with pytest.raises(HeadMustAppear) as refused:
        case.plan_appearance(
            app.step(people.coordinator, at=at(3, 11)),
            head_name="李四",
            head_title="局长",
            staff_name="王五",
            explanation="负责人另有会议",
        )
    assert refused.value.message == (
        "this is a major administrative case (mass incident risk); "
        "the agency head must appear in court in person"
    )
    assert refused.value.field == "staffName"


def test_marking_a_case_major_later_withdraws_a_staff_appearance_plan(
    app: Casework, people: People
) -> None:
    case = defended(app, people, day(3, 2))
    case = do(
        app,
        case,
        lambda c: c.schedule_hearing(
            app.step(people.coordinator, at=at(3, 10)), hearing_on=day(3, 20), court="区人民法院"
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.plan_appearance(
            app.step(people.coordinator, at=at(3, 11)),
            head_name="李四",
            head_title="局长",
            staff_name="王五",
            explanation="负责人出国公务",
        ),
    )

    case = do(
        app,
        case,
        lambda c: c.mark_major(
            app.step(people.coordinator, at=at(3, 12), reason="媒体广泛报道"),
            MajorGround.HIGH_ATTENTION,
        ),
    )

    loaded = app.get_case(case.id, LitigationCase)
    assert (loaded.is_major, loaded.major_ground, loaded.appearance_plan) == (
        True,
        MajorGround.HIGH_ATTENTION,
        None,
    )
    with pytest.raises(InvalidTransition, match="no appearance plan has been made"):
        loaded.approve_appearance_plan(
            app.step(people.other_coordinator, approver=people.head, at=at(3, 13))
        )
    with pytest.raises(
        InvalidTransition, match="it cannot be marked major \\(it is already major\\)"
    ):
        loaded.mark_major(app.step(people.coordinator, at=at(3, 13)), MajorGround.PUBLIC_INTEREST)


def test_nobody_approves_an_appearance_plan_they_made(app: Casework, people: People) -> None:
    case = defended(app, people, day(3, 2))
    case = do(
        app,
        case,
        lambda c: c.schedule_hearing(
            app.step(people.coordinator, at=at(3, 10)), hearing_on=day(3, 20), court="区人民法院"
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.plan_appearance(
            app.step(people.coordinator, at=at(3, 11)), head_name="李四", head_title="局长"
        ),
    )
    planner_as_approver = Actor(
        people.coordinator.id, Role.APPROVER, people.coordinator.organisation
    )
    step_at = at(3, 12)

    with pytest.raises(
        SeparationOfDuties, match="nobody approves an appearance plan they made themselves"
    ):
        case.approve_appearance_plan(
            app.step(people.other_coordinator, approver=planner_as_approver, at=step_at)
        )
    with pytest.raises(SeparationOfDuties, match="nobody approves their own request"):
        case.approve_appearance_plan(
            app.step(people.coordinator, approver=planner_as_approver, at=step_at)
        )
    with pytest.raises(ValidationError, match="needs an approver"):
        case.approve_appearance_plan(app.step(people.other_coordinator, at=step_at))
    with pytest.raises(Forbidden, match="is a coordinator, not an approver"):
        case.approve_appearance_plan(
            app.step(people.coordinator, approver=people.other_coordinator, at=step_at)
        )
    with pytest.raises(InvalidTransition, match="the appearance plan has not been approved"):
        case.hold_hearing(
            app.step(people.coordinator, at=at(3, 20)), head_appeared=True, appeared=["李四"]
        )


def test_rescheduling_the_hearing_asks_for_a_new_notice_and_plan(
    app: Casework, people: People
) -> None:
    case = defended(app, people, day(3, 2))
    coordinator = people.coordinator
    case = do(
        app,
        case,
        lambda c: c.schedule_hearing(
            app.step(coordinator, at=at(3, 10)), hearing_on=day(3, 20), court="区人民法院"
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.record_head_notice(app.step(coordinator, at=at(3, 11)), notice_on=day(3, 11)),
    )
    case = do(
        app,
        case,
        lambda c: c.plan_appearance(
            app.step(coordinator, at=at(3, 11)), head_name="李四", head_title="局长"
        ),
    )

    case = do(
        app,
        case,
        lambda c: c.schedule_hearing(
            app.step(coordinator, at=at(3, 12)), hearing_on=day(4, 8), court="区人民法院"
        ),
    )

    loaded = app.get_case(case.id, LitigationCase)
    assert (loaded.hearing_on, loaded.head_notice_on, loaded.appearance_plan) == (
        day(4, 8),
        None,
        None,
    )


# ---- effective judgments: retrial, performance, refusal -------------------------------


def test_retrial_replaces_the_effective_outcome_and_refusal_to_perform_is_flagged(
    app: Casework, people: People
) -> None:
    case = sue(app, people.intake, day(3, 2))
    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(people.coordinator, at=at(3, 9)),
            form=Form.RULING,
            outcome=Outcome.WITHDRAWN,
            decided_on=day(3, 6),
            served_on=day(3, 9),
        ),
    )
    with pytest.raises(ValidationError, match="needs an approver"):
        case.open_retrial(
            app.step(people.coordinator, at=at(5, 6)),
            source=RetrialSource.AGENCY,
            court_case_number="再1号",
        )
    case = do(
        app,
        case,
        lambda c: c.open_retrial(
            app.step(people.coordinator, at=at(5, 6)),
            source=RetrialSource.PROCURATORATE,
            court_case_number="(2026)京01行再1号",
        ),
    )
    assert case.status == LitigationStatus.RETRIAL
    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(people.coordinator, at=at(9, 1)),
            form=Form.JUDGMENT,
            outcome=Outcome.CHANGED,
            decided_on=day(8, 28),
            served_on=day(9, 1),
        ),
    )
    assert (case.status, case.lost) == (LitigationStatus.EFFECTIVE, True)

    with pytest.raises(ValidationError, match="needs a reason"):
        case.record_refusal_to_perform(app.step(people.coordinator, at=at(9, 20)))
    case = do(
        app,
        case,
        lambda c: c.record_refusal_to_perform(
            app.step(people.coordinator, at=at(9, 20), reason="认为再审判决错误")
        ),
    )

    loaded = app.get_case(case.id, LitigationCase)
    assert state(loaded) == state(case)
    assert (loaded.refused_to_perform, loaded.retrial_source, loaded.retrial_case_number) == (
        True,
        RetrialSource.PROCURATORATE,
        "(2026)京01行再1号",
    )
    assert [j.instance for j in loaded.judgments] == [Instance.FIRST, Instance.RETRIAL]


# ---- roles, closure, co-defendants -----------------------------------------------------


def test_an_auditor_only_reads(app: Casework, people: People, actor: MakeActor) -> None:
    case = sue(app, people.intake, day(3, 2))

    with pytest.raises(Forbidden, match="auditor may not file a defence"):
        case.file_defence(
            app.step(actor(Role.AUDITOR), at=at(3, 3)), evidence=[], normative_documents=[]
        )


def test_a_closed_case_takes_no_further_steps(app: Casework, people: People) -> None:
    case = sue(app, people.intake, day(3, 2))
    with pytest.raises(InvalidTransition) as refused:
        case.close(app.step(people.coordinator, at=at(3, 3)))
    assert (
        refused.value.message
        == "the litigation case is awaiting defence (待答辩); it cannot be closed"
    )
    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(people.coordinator, at=at(3, 9)),
            form=Form.RULING,
            outcome=Outcome.WITHDRAWN,
            decided_on=day(3, 6),
            served_on=day(3, 9),
        ),
    )
    case = do(app, case, lambda c: c.close(app.step(people.coordinator, at=at(3, 9))))

    with pytest.raises(InvalidTransition) as refused:
        case.receive_recommendation(
            app.step(people.coordinator, at=at(3, 10)), number="n", summary="s"
        )
    assert refused.value.message == (
        "the litigation case is closed (已结案); it cannot take a judicial recommendation"
    )


def test_a_lawsuit_over_an_upheld_act_links_to_the_reconsideration_as_co_defendant(
    app: Casework, people: People, actor: MakeActor
) -> None:
    lawsuit = sue(app, people.intake, day(3, 2))
    reconsideration = app.register(
        StandInReconsideration,
        app.step(actor(Role.INTAKE), at=at(1, 5)),
        title="张三不服区规划局处罚申请复议",
        organisation="区政府",
        act=lawsuit.act,
        parties=[Party("张三", PartyRole.APPLICANT)],
    )

    app.link_cases(
        lawsuit.id,
        reconsideration.id,
        LinkRelation.CO_DEFENDANT_OF,
        app.step(people.coordinator, at=at(3, 3)),
    )

    loaded = app.get_case(lawsuit.id, LitigationCase)
    other = app.get_case(reconsideration.id, StandInReconsideration)
    assert loaded.co_defendant_cases == (reconsideration.id,)
    assert loaded.links == [
        CaseLink(reconsideration.id, CaseKind.RECONSIDERATION, LinkRelation.CO_DEFENDANT_OF)
    ]
    assert other.links == [CaseLink(lawsuit.id, CaseKind.LITIGATION, LinkRelation.CO_DEFENDANT_OF)]
    assert loaded.status == LitigationStatus.AWAITING_DEFENCE
