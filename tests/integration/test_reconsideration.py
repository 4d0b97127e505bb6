import datetime as dt
import threading
from collections.abc import Callable
from dataclasses import dataclass
from decimal import Decimal
from typing import Any

import pytest

from domain.actors import Actor, Role
from domain.application import Casework
from domain.case import CaseFile
from domain.deadlines import ExtensionExceedsLimit, ExtensionNotAllowed
from domain.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    SeparationOfDuties,
    ValidationError,
)
from domain.reconsideration import (
    ApplicationOutOfTime,
    DecisionType,
    ExtensionAlreadyGranted,
    Hearing,
    Performance,
    ReconsiderationCase,
    ReconsiderationStatus,
    Settlement,
    SimplifiedGround,
)
from domain.rules import Variant
from domain.step import CHINA
from domain.values import AdministrativeAct, Party, PartyRole

S = ReconsiderationStatus
D = dt.date
AGENCY = "区市场监督管理局"
BASIS = "《中华人民共和国行政复议法》第六十四条第一款"

Command = Callable[[ReconsiderationCase], Any]


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=CHINA)


@dataclass(frozen=True)
class Office:
    intake: Actor
    reviewer: Actor  # 受理审查: the admission reviewer
    officer: Actor  # 审理人员: the hearing officer
    head: Actor  # 行政复议机构负责人: approves


@pytest.fixture
def office(actor: Callable[..., Actor]) -> Office:
    return Office(
        actor(Role.INTAKE),
        actor(Role.HANDLER),
        actor(Role.HEARING_OFFICER),
        actor(Role.APPROVER),
    )


def act_of(date: D | None = None) -> AdministrativeAct:
    return AdministrativeAct(AGENCY, "市监罚〔2026〕12号", date or D(2026, 3, 2), "罚款二千元")


def applicant() -> Party:
    return Party("张三", PartyRole.APPLICANT, "110101199001011234", "13800138000", "某区某路1号")


def apply(
    app: Casework,
    office: Office,
    org: str,
    *,
    on: dt.datetime | None = None,
    knew_on: D | None = None,
    act: AdministrativeAct | None = None,
    **facts: Any,
) -> ReconsiderationCase:
    return app.register(
        ReconsiderationCase,
        app.step(office.intake, at=on or at(3, 9)),
        title="不服行政处罚申请行政复议",
        organisation=org,
        act=act or act_of(),
        parties=[applicant()],
        knew_on=knew_on or D(2026, 3, 3),
        **facts,
    )


def run(app: Casework, case: ReconsiderationCase, command: Command) -> ReconsiderationCase:
    return app.act(case.id, ReconsiderationCase, command, expected_version=case.version)


def dues(case: ReconsiderationCase) -> dict[str, D]:
    return {rule: deadline.due_on for rule, deadline in case.deadlines.items()}


def events(app: Casework, case: ReconsiderationCase) -> list[CaseFile.Event]:
    stored = app.recorder.select_events(case.id)
    return [app.mapper.to_domain_event(s) for s in stored]  # type: ignore[misc]


def names(app: Casework, case: ReconsiderationCase) -> list[str]:
    return [type(e).__name__ for e in events(app, case)]


def state(case: ReconsiderationCase) -> dict[str, Any]:
    return {k: v for k, v in vars(case).items() if not k.startswith("_")}


def replayed(app: Casework, case: ReconsiderationCase) -> ReconsiderationCase:
    again = app.get_case(case.id, ReconsiderationCase)
    assert state(again) == state(case)
    return again


def accepted(
    app: Casework,
    office: Office,
    org: str,
    *,
    procedure: Variant = Variant.ORDINARY,
    ground: SimplifiedGround | None = None,
) -> ReconsiderationCase:
    """Registered Monday 9 March 2026, accepted Thursday 12 March."""
    case = apply(app, office, org)
    return run(
        app,
        case,
        lambda c: c.accept(
            app.step(office.reviewer, at=at(3, 12)), procedure=procedure, simplified_ground=ground
        ),
    )


def under_review(app: Casework, office: Office, org: str) -> ReconsiderationCase:
    """Accepted 12 March, copy received 17 March, reply 27 March, hearing officer 30 March."""
    case = accepted(app, office, org)
    case = run(
        app,
        case,
        lambda c: c.send_copy(app.step(office.intake, at=at(3, 17)), sent_on=D(2026, 3, 16)),
    )
    case = run(
        app,
        case,
        lambda c: c.receive_reply(
            app.step(office.intake, at=at(3, 27)),
            evidence=["现场检查笔录", "询问笔录"],
            legal_bases=["《中华人民共和国食品安全法》第一百二十四条"],
        ),
    )
    return run(
        app,
        case,
        lambda c: c.assign_hearing_officer(app.step(office.head, at=at(3, 30)), office.officer),
    )


def decide_step(app: Casework, office: Office, when: dt.datetime) -> Any:
    return app.step(
        office.officer,
        at=when,
        reason="事实不清，证据不足",
        legal_basis=BASIS,
        approver=office.head,
    )


# ---- the full ordinary path -------------------------------------------------------


def test_an_ordinary_case_runs_from_application_to_closure(
    app: Casework, office: Office, org: str
) -> None:
    case = apply(app, office, org)
    # Knew on Tue 3 March: 60 days end Sat 2 May, inside the Labour Day holiday (1-5 May).
    assert case.application_deadline is not None
    assert case.application_deadline.due_on == D(2026, 5, 6)
    assert case.filed_in_time
    assert case.status == S.RECEIVED
    assert case.parties == [applicant(), Party(AGENCY, PartyRole.RESPONDENT)]
    # 5 working days after Mon 9 March.
    assert dues(case) == {"reconsideration.admission": D(2026, 3, 16)}

    case = run(app, case, lambda c: c.accept(app.step(office.reviewer, at=at(3, 12))))
    assert case.status == S.ACCEPTED
    assert case.procedure == Variant.ORDINARY
    assert case.accepted_on == D(2026, 3, 12)
    assert case.admission_reviewer == office.reviewer
    # Copy: 7 working days after Thu 12 March; decision: 60 days after, Mon 11 May.
    assert dues(case) == {
        "reconsideration.copy_to_respondent": D(2026, 3, 23),
        "reconsideration.decision": D(2026, 5, 11),
    }

    case = run(
        app,
        case,
        lambda c: c.send_copy(app.step(office.intake, at=at(3, 17)), sent_on=D(2026, 3, 16)),
    )
    assert case.status == S.AWAITING_REPLY
    # Reply: 10 working days after the respondent received the copy on Tue 17 March.
    assert dues(case) == {
        "reconsideration.reply": D(2026, 3, 31),
        "reconsideration.decision": D(2026, 5, 11),
    }

    case = run(
        app,
        case,
        lambda c: c.receive_reply(
            app.step(office.intake, at=at(3, 27)),
            evidence=["现场检查笔录", "询问笔录"],
            legal_bases=["《中华人民共和国食品安全法》第一百二十四条"],
        ),
    )
    assert case.status == S.UNDER_REVIEW
    assert case.reply_on_time
    assert case.reply_evidence == ["现场检查笔录", "询问笔录"]
    assert dues(case) == {"reconsideration.decision": D(2026, 5, 11)}

    case = run(
        app,
        case,
        lambda c: c.assign_hearing_officer(app.step(office.head, at=at(3, 30)), office.officer),
    )
    case = run(
        app,
        case,
        lambda c: c.hear_parties(app.step(office.officer, at=at(4, 2)), summary="电话听取双方意见"),
    )
    case = run(
        app,
        case,
        lambda c: c.hold_hearing(
            app.step(office.officer, at=at(4, 9), reason="案情重大复杂"), summary="公开听证"
        ),
    )
    case = run(
        app,
        case,
        lambda c: c.consult_committee(
            app.step(office.officer, at=at(4, 16)), opinion="多数委员认为应予撤销"
        ),
    )
    assert case.hearings == [
        Hearing(False, D(2026, 4, 2), "电话听取双方意见"),
        Hearing(True, D(2026, 4, 9), "公开听证"),
    ]
    assert case.committee_opinions == ["多数委员认为应予撤销"]

    case = run(
        app,
        case,
        lambda c: c.decide(
            decide_step(app, office, at(4, 20)),
            decision=DecisionType.REVOKE,
            orders_new_act=True,
            compensation=Decimal("1500.50"),
        ),
    )
    assert case.status == S.DECIDED
    assert case.decision == DecisionType.REVOKE
    assert case.corrected
    assert case.orders_new_act
    assert not case.revoked_in_part
    assert case.compensation == Decimal("1500.50")
    assert case.decided_on == D(2026, 4, 20)
    assert case.decision_due_on == D(2026, 5, 11)
    assert case.deadlines == {}

    case = run(app, case, lambda c: c.serve(app.step(office.intake, at=at(4, 22))))
    case = run(
        app,
        case,
        lambda c: c.issue_opinion_letter(
            app.step(office.reviewer, at=at(4, 28)),
            issues="执法程序不规范",
            received_on=D(2026, 4, 27),
        ),
    )
    # 60 days after the respondent received the letter on Mon 27 April: Fri 26 June.
    assert dues(case) == {"reconsideration.opinion_report": D(2026, 6, 26)}
    case = run(
        app,
        case,
        lambda c: c.record_performance(
            app.step(office.reviewer, at=at(5, 20)), summary="已重新作出处理决定"
        ),
    )
    case = run(
        app,
        case,
        lambda c: c.receive_opinion_report(
            app.step(office.intake, at=at(6, 10)), summary="已整改执法程序"
        ),
    )
    case = run(app, case, lambda c: c.close(app.step(office.head, at=at(6, 11))))

    assert case.status == S.CLOSED
    assert case.is_final
    assert case.deadlines == {}
    assert case.served_on == D(2026, 4, 22)
    assert case.performance == Performance.PERFORMED
    assert case.opinion_letters == ["执法程序不规范"]
    assert case.opinion_reports == ["已整改执法程序"]
    again = replayed(app, case)
    assert again.hearing_officer == office.officer
    assert again.corrected
    assert names(app, case) == [
        "Registered",
        "Accepted",
        "CopySent",
        "ReplyReceived",
        "HearingOfficerAssigned",
        "PartiesHeard",
        "HearingHeld",
        "CommitteeConsulted",
        "Decided",
        "DecisionServed",
        "OpinionLetterIssued",
        "PerformanceRecorded",
        "OpinionReportReceived",
        "Closed",
    ]
    decided = next(e for e in events(app, case) if isinstance(e, ReconsiderationCase.Decided))
    assert (decided.actor, decided.approver) == (office.officer, office.head)
    assert (decided.reason, decided.legal_basis) == ("事实不清，证据不足", BASIS)
    assert list(decided.ended) == ["reconsideration.decision"]
    accepted_event = events(app, case)[1]
    assert isinstance(accepted_event, ReconsiderationCase.Accepted)
    assert accepted_event.reviewer == office.reviewer


def test_upholding_or_rejecting_is_not_a_correction(
    app: Casework, office: Office, org: str
) -> None:
    case = under_review(app, office, org)
    case = run(
        app,
        case,
        lambda c: c.decide(decide_step(app, office, at(4, 20)), decision=DecisionType.UPHOLD),
    )
    assert not case.corrected
    assert not replayed(app, case).corrected


# ---- the simplified procedure -----------------------------------------------------


def test_a_simplified_case_runs_on_the_shorter_limits_across_labour_day(
    app: Casework, office: Office, org: str
) -> None:
    # Labour Day 2026: Fri 1 - Tue 5 May are rest days; Sat 9 May is an adjusted working day.
    case = apply(app, office, org, on=at(4, 27), knew_on=D(2026, 4, 20))
    # 5 working days after Mon 27 April: 28, 29, 30 April, 6, 7 May.
    assert dues(case) == {"reconsideration.admission": D(2026, 5, 7)}
    case = run(
        app,
        case,
        lambda c: c.accept(
            app.step(office.reviewer, at=at(4, 28)),
            procedure=Variant.SIMPLIFIED,
            simplified_ground=SimplifiedGround.SMALL_AMOUNT,
        ),
    )
    assert case.procedure == Variant.SIMPLIFIED
    assert case.simplified_ground == SimplifiedGround.SMALL_AMOUNT
    # Copy: 3 working days after Tue 28 April (29, 30 April, 6 May), not 7 (11 May);
    # decision: 30 days after, Thu 28 May, not 60.
    assert dues(case) == {
        "reconsideration.copy_to_respondent": D(2026, 5, 6),
        "reconsideration.decision": D(2026, 5, 28),
    }
    case = run(app, case, lambda c: c.send_copy(app.step(office.intake, at=at(4, 30))))
    # Reply: 5 working days after Thu 30 April: 6, 7, 8, Sat 9 (调休), Mon 11 May.
    assert dues(case) == {
        "reconsideration.reply": D(2026, 5, 11),
        "reconsideration.decision": D(2026, 5, 28),
    }
    case = run(
        app,
        case,
        lambda c: c.receive_reply(
            app.step(office.intake, at=at(5, 9)), evidence=["处罚决定书"], legal_bases=[]
        ),
    )
    assert case.reply_on_time
    case = run(
        app,
        case,
        lambda c: c.assign_hearing_officer(app.step(office.head, at=at(5, 11)), office.officer),
    )
    case = run(
        app,
        case,
        lambda c: c.decide(decide_step(app, office, at(5, 15)), decision=DecisionType.CHANGE),
    )
    assert case.status == S.DECIDED
    assert case.decision_due_on == D(2026, 5, 28)
    assert case.corrected
    replayed(app, case)


def test_the_simplified_procedure_needs_its_statutory_ground(
    app: Casework, office: Office, org: str
) -> None:
    case = apply(app, office, org)
    with pytest.raises(ValidationError, match="statutory ground") as refused:
        run(
            app,
            case,
            lambda c: c.accept(
                app.step(office.reviewer, at=at(3, 10)), procedure=Variant.SIMPLIFIED
            ),
        )
    assert refused.value.field == "simplifiedGround"
    with pytest.raises(ValidationError, match="only to the simplified procedure"):
        run(
            app,
            case,
            lambda c: c.accept(
                app.step(office.reviewer, at=at(3, 10)),
                simplified_ground=SimplifiedGround.WARNING,
            ),
        )


def test_switching_to_ordinary_recounts_the_decision_deadline_from_acceptance(
    app: Casework, office: Office, org: str
) -> None:
    case = apply(app, office, org, on=at(4, 27), knew_on=D(2026, 4, 20))
    case = run(
        app,
        case,
        lambda c: c.accept(
            app.step(office.reviewer, at=at(4, 28)),
            procedure=Variant.SIMPLIFIED,
            simplified_ground=SimplifiedGround.PARTIES_AGREE,
        ),
    )
    with pytest.raises(ValidationError, match="needs an approver"):
        run(
            app,
            case,
            lambda c: c.switch_to_ordinary(
                app.step(office.reviewer, at=at(5, 6), reason="案情复杂")
            ),
        )
    case = run(
        app,
        case,
        lambda c: c.switch_to_ordinary(
            app.step(office.reviewer, at=at(5, 6), reason="案情复杂", approver=office.head)
        ),
    )
    assert case.procedure == Variant.ORDINARY
    assert case.switched_to_ordinary_on == D(2026, 5, 6)
    # 60 days after Tue 28 April is Sat 27 June, so Mon 29 June.
    decision = case.deadlines["reconsideration.decision"]
    assert (decision.variant, decision.started_on, decision.due_on) == (
        Variant.ORDINARY,
        D(2026, 4, 28),
        D(2026, 6, 29),
    )
    assert dues(case)["reconsideration.copy_to_respondent"] == D(2026, 5, 6)
    with pytest.raises(InvalidTransition, match="already under the ordinary procedure"):
        run(
            app,
            case,
            lambda c: c.switch_to_ordinary(
                app.step(office.reviewer, at=at(5, 7), reason="再转", approver=office.head)
            ),
        )
    replayed(app, case)


# ---- admission: correction, out of time, refusal, pre-filing resolution -----------


def test_a_corrected_application_goes_back_to_admission_review(
    app: Casework, office: Office, org: str, actor: Callable[..., Actor]
) -> None:
    case = apply(app, office, org, on=at(3, 2), knew_on=D(2026, 2, 27), act=act_of(D(2026, 2, 26)))
    case = run(
        app,
        case,
        lambda c: c.request_correction(
            app.step(office.reviewer, at=at(3, 4)), items=["行政复议请求不明确", ""]
        ),
    )
    assert case.status == S.AWAITING_CORRECTION
    assert case.correction_items == ["行政复议请求不明确"]
    # The admission clock stops; 10 working days after Wed 4 March.
    assert dues(case) == {"reconsideration.correction": D(2026, 3, 18)}

    case = run(app, case, lambda c: c.receive_correction(app.step(office.intake, at=at(3, 16))))
    assert case.status == S.RECEIVED
    # Admission review again: 5 working days after Mon 16 March.
    assert dues(case) == {"reconsideration.admission": D(2026, 3, 23)}

    with pytest.raises(InvalidTransition, match="一次性告知"):
        run(
            app,
            case,
            lambda c: c.request_correction(
                app.step(office.reviewer, at=at(3, 17)), items=["又一项"]
            ),
        )
    other_reviewer = actor(Role.HANDLER)
    case = run(app, case, lambda c: c.accept(app.step(other_reviewer, at=at(3, 18))))
    assert case.admission_reviewers == [office.reviewer, other_reviewer]
    assert case.admission_reviewer == other_reviewer
    # Both people who reviewed the application are kept from hearing it.
    as_officer = Actor(office.reviewer.id, Role.HEARING_OFFICER, org)
    with pytest.raises(SeparationOfDuties, match="立审分离"):
        run(
            app,
            case,
            lambda c: c.assign_hearing_officer(app.step(office.head, at=at(3, 19)), as_officer),
        )
    replayed(app, case)


def test_a_lapsed_correction_is_treated_as_withdrawn_only_after_its_due_date(
    app: Casework, office: Office, org: str
) -> None:
    case = apply(app, office, org, on=at(3, 2), knew_on=D(2026, 2, 27), act=act_of(D(2026, 2, 26)))
    case = run(
        app,
        case,
        lambda c: c.request_correction(app.step(office.reviewer, at=at(3, 4)), items=["身份证明"]),
    )
    with pytest.raises(InvalidTransition) as early:
        run(app, case, lambda c: c.lapse_correction(app.step(office.reviewer, at=at(3, 18, 17))))
    assert str(early.value) == (
        "the reconsideration is awaiting correction; it cannot be treated as withdrawn "
        "(the correction is due on 2026-03-18; it lapses only after that day)"
    )
    case = run(app, case, lambda c: c.lapse_correction(app.step(office.reviewer, at=at(3, 19))))
    assert case.status == S.WITHDRAWN
    assert case.deemed_withdrawn
    assert case.is_final
    assert case.deadlines == {}
    with pytest.raises(InvalidTransition, match="is withdrawn; it cannot receive a correction"):
        run(app, case, lambda c: c.receive_correction(app.step(office.intake, at=at(3, 20))))
    replayed(app, case)


def test_a_late_correction_needs_a_justification(app: Casework, office: Office, org: str) -> None:
    case = apply(app, office, org, on=at(3, 2), knew_on=D(2026, 2, 27), act=act_of(D(2026, 2, 26)))
    case = run(
        app,
        case,
        lambda c: c.request_correction(app.step(office.reviewer, at=at(3, 4)), items=["身份证明"]),
    )
    with pytest.raises(ValidationError, match="was due on 2026-03-18"):
        run(app, case, lambda c: c.receive_correction(app.step(office.intake, at=at(3, 19))))
    case = run(
        app,
        case,
        lambda c: c.receive_correction(app.step(office.intake, at=at(3, 19), reason="住院治疗")),
    )
    assert dues(case) == {"reconsideration.admission": D(2026, 3, 26)}


def test_an_application_out_of_time_is_registered_but_accepted_only_with_a_justification(
    app: Casework, office: Office, org: str
) -> None:
    # Knew on Fri 2 January: 60 days end Tue 3 March; received Mon 9 March.
    case = apply(app, office, org, knew_on=D(2026, 1, 2), act=act_of(D(2025, 12, 30)))
    assert not case.filed_in_time
    assert case.application_deadline is not None
    assert case.application_deadline.due_on == D(2026, 3, 3)
    with pytest.raises(ApplicationOutOfTime, match="after the application period ended on"):
        run(app, case, lambda c: c.accept(app.step(office.reviewer, at=at(3, 10))))
    case = run(
        app,
        case,
        lambda c: c.accept(
            app.step(office.reviewer, at=at(3, 10)), late_justification="因疫情封控耽误"
        ),
    )
    assert case.status == S.ACCEPTED
    assert replayed(app, case).late_justification == "因疫情封控耽误"


def test_a_longer_statutory_period_replaces_the_sixty_days(
    app: Casework, office: Office, org: str
) -> None:
    case = apply(
        app,
        office,
        org,
        knew_on=D(2026, 1, 2),
        act=act_of(D(2025, 12, 30)),
        statutory_period_days=90,
    )
    assert case.filed_in_time
    assert case.application_deadline is not None
    assert case.application_deadline.due_on == D(2026, 4, 2)
    with pytest.raises(ValidationError, match="only when longer"):
        apply(app, office, org, statutory_period_days=30)


def test_registration_checks_the_act_and_the_parties(
    app: Casework, office: Office, org: str
) -> None:
    with pytest.raises(ValidationError, match="before the act was taken") as early:
        apply(app, office, org, knew_on=D(2026, 3, 1))
    assert early.value.field == "knewOn"
    with pytest.raises(ValidationError, match="the agency that took the act"):
        app.register(
            ReconsiderationCase,
            app.step(office.intake, at=at(3, 9)),
            title="错列被申请人",
            organisation=org,
            act=act_of(),
            parties=[applicant(), Party("区公安分局", PartyRole.RESPONDENT)],
            knew_on=D(2026, 3, 3),
        )
    with pytest.raises(ValidationError, match="needs an applicant"):
        app.register(
            ReconsiderationCase,
            app.step(office.intake, at=at(3, 9)),
            title="无申请人",
            organisation=org,
            act=act_of(),
            parties=[],
            knew_on=D(2026, 3, 3),
        )
    with pytest.raises(Forbidden, match="may not register"):
        apply(app, office_with_intake(office, office.officer), org)


def office_with_intake(office: Office, who: Actor) -> Office:
    return Office(who, office.reviewer, office.officer, office.head)


def test_a_refusal_needs_reasons_and_legal_basis_and_ends_the_case(
    app: Casework, office: Office, org: str
) -> None:
    case = apply(app, office, org)
    with pytest.raises(ValidationError, match="needs a legal basis") as missing:
        run(
            app,
            case,
            lambda c: c.refuse(app.step(office.reviewer, at=at(3, 10), reason="不属于复议范围")),
        )
    assert missing.value.field == "legalBasis"
    with pytest.raises(ValidationError, match="needs a reason"):
        run(
            app,
            case,
            lambda c: c.refuse(app.step(office.reviewer, at=at(3, 10), legal_basis="第三十条")),
        )
    with pytest.raises(Forbidden, match="may not review an application for admission"):
        run(app, case, lambda c: c.accept(app.step(office.intake, at=at(3, 10))))
    case = run(
        app,
        case,
        lambda c: c.refuse(
            app.step(
                office.reviewer,
                at=at(3, 10),
                reason="不属于行政复议范围",
                legal_basis="《中华人民共和国行政复议法》第三十条第一款",
            )
        ),
    )
    assert case.status == S.REFUSED
    assert case.is_final
    assert case.deadlines == {}
    assert case.admission_reviewer == office.reviewer
    with pytest.raises(InvalidTransition) as again:
        run(app, case, lambda c: c.accept(app.step(office.reviewer, at=at(3, 11))))
    assert str(again.value) == "the reconsideration is refused; it cannot be accepted"
    refused = events(app, case)[-1]
    assert isinstance(refused, ReconsiderationCase.Refused)
    assert refused.legal_basis == "《中华人民共和国行政复议法》第三十条第一款"
    replayed(app, case)


def test_a_pre_filing_resolution_can_end_the_application(
    app: Casework, office: Office, org: str
) -> None:
    case = apply(app, office, org)
    case = run(
        app,
        case,
        lambda c: c.record_pre_filing_resolution(
            app.step(office.reviewer, at=at(3, 10)), resolved=False, summary="组织沟通，未达成一致"
        ),
    )
    assert case.status == S.RECEIVED
    assert dues(case) == {"reconsideration.admission": D(2026, 3, 16)}
    case = run(
        app,
        case,
        lambda c: c.record_pre_filing_resolution(
            app.step(office.reviewer, at=at(3, 11)), resolved=True, summary="被申请人退还罚款"
        ),
    )
    assert case.status == S.RESOLVED_BEFORE_FILING
    assert case.is_final
    assert case.deadlines == {}
    assert case.pre_filing_resolutions == ["组织沟通，未达成一致", "被申请人退还罚款"]
    replayed(app, case)


# ---- endings before a decision ----------------------------------------------------


def test_the_applicant_may_withdraw_which_ends_the_case(
    app: Casework, office: Office, org: str
) -> None:
    case = under_review(app, office, org)
    case = run(
        app, case, lambda c: c.withdraw(app.step(office.officer, at=at(4, 1), reason="申请人撤回"))
    )
    assert case.status == S.WITHDRAWN
    assert not case.deemed_withdrawn
    assert case.deadlines == {}
    with pytest.raises(InvalidTransition) as late:
        run(
            app,
            case,
            lambda c: c.decide(decide_step(app, office, at(4, 2)), decision=DecisionType.UPHOLD),
        )
    assert str(late.value) == "the reconsideration is withdrawn; it cannot be decided"
    replayed(app, case)


@pytest.mark.parametrize("settlement", [Settlement.MEDIATION, Settlement.SETTLEMENT])
def test_mediation_or_settlement_ends_the_case(
    app: Casework, office: Office, org: str, settlement: Settlement
) -> None:
    case = under_review(app, office, org)
    case = run(
        app,
        case,
        lambda c: c.settle(
            app.step(office.officer, at=at(4, 3)), settlement=settlement, terms="罚款减为一千元"
        ),
    )
    assert (case.status, case.settlement, case.settlement_terms) == (
        S.SETTLED,
        settlement,
        "罚款减为一千元",
    )
    assert case.deadlines == {}
    replayed(app, case)


# ---- suspension, resumption, termination ------------------------------------------


def test_suspension_stops_every_clock_and_resumption_keeps_the_days_left(
    app: Casework, office: Office, org: str
) -> None:
    case = accepted(app, office, org)
    case = run(
        app,
        case,
        lambda c: c.send_copy(app.step(office.intake, at=at(3, 17)), sent_on=D(2026, 3, 16)),
    )
    assert dues(case) == {
        "reconsideration.reply": D(2026, 3, 31),
        "reconsideration.decision": D(2026, 5, 11),
    }
    with pytest.raises(ValidationError, match="needs a legal basis"):
        run(app, case, lambda c: c.suspend(app.step(office.reviewer, at=at(3, 19), reason="x")))
    case = run(
        app,
        case,
        lambda c: c.suspend(
            app.step(
                office.reviewer,
                at=at(3, 19),
                reason="申请人丧失参加行政复议的行为能力",
                legal_basis="《中华人民共和国行政复议法》第三十九条第一款第四项",
            )
        ),
    )
    assert case.status == S.SUSPENDED
    reply = case.deadlines["reconsideration.reply"]
    decision = case.deadlines["reconsideration.decision"]
    # Thu 19 March: 8 working days were left of the reply (20 ... 31 March), 53 days of the
    # decision (to 11 May).
    assert (reply.suspended_on, reply.remaining) == (D(2026, 3, 19), 8)
    assert (decision.suspended_on, decision.remaining) == (D(2026, 3, 19), 53)

    with pytest.raises(InvalidTransition) as suspended:
        run(
            app,
            case,
            lambda c: c.decide(decide_step(app, office, at(3, 20)), decision=DecisionType.UPHOLD),
        )
    assert str(suspended.value) == "the reconsideration is suspended; it cannot be decided"
    with pytest.raises(InvalidTransition, match="is suspended; it cannot be suspended"):
        run(
            app,
            case,
            lambda c: c.suspend(
                app.step(office.reviewer, at=at(3, 20), reason="x", legal_basis="y")
            ),
        )

    case = run(app, case, lambda c: c.resume(app.step(office.reviewer, at=at(4, 13))))
    assert case.status == S.AWAITING_REPLY
    assert case.suspended_days == 25
    # Resumed Mon 13 April: 8 working days to Thu 23 April; 53 days to Fri 5 June.
    assert dues(case) == {
        "reconsideration.reply": D(2026, 4, 23),
        "reconsideration.decision": D(2026, 6, 5),
    }
    assert not any(d.is_suspended for d in case.deadlines.values())
    replayed(app, case)


def test_a_clock_already_overdue_stays_overdue_through_a_suspension(
    app: Casework, office: Office, org: str
) -> None:
    case = accepted(app, office, org)
    case = run(app, case, lambda c: c.send_copy(app.step(office.intake, at=at(3, 17))))
    suspend = app.step(office.reviewer, at=at(4, 2), reason="等待鉴定", legal_basis="第三十九条")
    case = run(app, case, lambda c: c.suspend(suspend))
    # The reply was due Tue 31 March and is not excused; the decision had 39 days left.
    reply = case.deadlines["reconsideration.reply"]
    assert (reply.due_on, reply.is_suspended) == (D(2026, 3, 31), False)
    assert case.deadlines["reconsideration.decision"].remaining == 39
    case = run(app, case, lambda c: c.resume(app.step(office.reviewer, at=at(4, 10))))
    assert dues(case) == {
        "reconsideration.reply": D(2026, 3, 31),
        "reconsideration.decision": D(2026, 5, 19),
    }


def test_switching_to_ordinary_after_a_suspension_leaves_the_suspended_days_out(
    app: Casework, office: Office, org: str
) -> None:
    case = accepted(app, office, org, procedure=Variant.SIMPLIFIED, ground=SimplifiedGround.WARNING)
    # Simplified: 30 days after Thu 12 March is Sat 11 April, so Mon 13 April.
    assert dues(case)["reconsideration.decision"] == D(2026, 4, 13)
    suspend = app.step(office.reviewer, at=at(3, 16), reason="等待鉴定", legal_basis="第三十九条")
    case = run(app, case, lambda c: c.suspend(suspend))
    case = run(app, case, lambda c: c.resume(app.step(office.reviewer, at=at(3, 26))))
    # 10 days suspended: 30 days now end Tue 21 April.
    assert dues(case)["reconsideration.decision"] == D(2026, 4, 21)
    case = run(
        app,
        case,
        lambda c: c.switch_to_ordinary(
            app.step(office.reviewer, at=at(3, 27), reason="案情复杂", approver=office.head)
        ),
    )
    # Ordinary: 60 + 10 days after 12 March is Thu 21 May.
    assert dues(case)["reconsideration.decision"] == D(2026, 5, 21)


def test_a_case_can_be_terminated_while_suspended(app: Casework, office: Office, org: str) -> None:
    case = under_review(app, office, org)
    suspend = app.step(office.officer, at=at(4, 1), reason="申请人死亡", legal_basis="第三十九条")
    case = run(app, case, lambda c: c.suspend(suspend))
    with pytest.raises(ValidationError, match="needs a reason"):
        run(app, case, lambda c: c.terminate(app.step(office.officer, at=at(6, 1))))
    case = run(
        app,
        case,
        lambda c: c.terminate(
            app.step(
                office.officer,
                at=at(6, 1),
                reason="中止满六十日无近亲属参加",
                legal_basis="《中华人民共和国行政复议法》第四十一条第五项",
            )
        ),
    )
    assert case.status == S.TERMINATED
    assert case.deadlines == {}
    replayed(app, case)


def test_a_decided_reconsideration_cannot_be_suspended(
    app: Casework, office: Office, org: str
) -> None:
    case = under_review(app, office, org)
    case = run(
        app,
        case,
        lambda c: c.decide(decide_step(app, office, at(4, 20)), decision=DecisionType.REJECT),
    )
    with pytest.raises(InvalidTransition) as refused:
        run(
            app,
            case,
            lambda c: c.suspend(
                app.step(office.officer, at=at(4, 21), reason="x", legal_basis="第三十九条")
            ),
        )
    assert str(refused.value) == "the reconsideration is decided; it cannot be suspended"
    with pytest.raises(InvalidTransition) as twice:
        run(
            app,
            case,
            lambda c: c.decide(decide_step(app, office, at(4, 21)), decision=DecisionType.REVOKE),
        )
    assert str(twice.value) == "the reconsideration is decided; it cannot be decided again"


# ---- extension of the decision deadline -------------------------------------------


def extend_step(app: Casework, who: Actor, approver: Actor | None, reason: str = "案情复杂") -> Any:
    return app.step(who, at=at(4, 20), reason=reason, approver=approver)


def test_the_decision_deadline_is_extended_once_with_the_heads_approval(
    app: Casework, office: Office, org: str
) -> None:
    case = under_review(app, office, org)
    case = run(
        app,
        case,
        lambda c: c.extend_decision_deadline(
            extend_step(app, office.officer, office.head), days=30
        ),
    )
    decision = case.deadlines["reconsideration.decision"]
    # 30 more days after Mon 11 May: Wed 10 June.
    assert (decision.due_on, decision.extended_by) == (D(2026, 6, 10), 30)
    extended = events(app, case)[-1]
    assert isinstance(extended, ReconsiderationCase.DecisionDeadlineExtended)
    assert (extended.actor, extended.approver, extended.days) == (office.officer, office.head, 30)
    with pytest.raises(ExtensionAlreadyGranted) as twice:
        run(
            app,
            case,
            lambda c: c.extend_decision_deadline(
                extend_step(app, office.officer, office.head), days=1
            ),
        )
    assert str(twice.value) == (
        "the reconsideration is under review; it cannot have its decision deadline extended "
        "(it was already extended once, by 30 days)"
    )
    replayed(app, case)


def test_an_extension_over_thirty_days_is_refused(app: Casework, office: Office, org: str) -> None:
    case = under_review(app, office, org)
    with pytest.raises(ExtensionExceedsLimit, match="at most 30"):
        run(
            app,
            case,
            lambda c: c.extend_decision_deadline(
                extend_step(app, office.officer, office.head), days=31
            ),
        )


def test_a_simplified_case_cannot_be_extended(app: Casework, office: Office, org: str) -> None:
    case = accepted(app, office, org, procedure=Variant.SIMPLIFIED, ground=SimplifiedGround.WARNING)
    with pytest.raises(ExtensionNotAllowed, match="allows no extension"):
        run(
            app,
            case,
            lambda c: c.extend_decision_deadline(
                extend_step(app, office.reviewer, office.head), days=10
            ),
        )


def test_nobody_approves_their_own_extension(app: Casework, office: Office, org: str) -> None:
    case = under_review(app, office, org)
    with pytest.raises(SeparationOfDuties, match="nobody approves their own"):
        run(
            app,
            case,
            lambda c: c.extend_decision_deadline(
                extend_step(app, office.head, office.head), days=10
            ),
        )
    with pytest.raises(ValidationError, match="needs an approver") as missing:
        run(
            app,
            case,
            lambda c: c.extend_decision_deadline(extend_step(app, office.officer, None), days=10),
        )
    assert missing.value.field == "approver"
    with pytest.raises(Forbidden, match="not an approver"):
        run(
            app,
            case,
            lambda c: c.extend_decision_deadline(
                extend_step(app, office.officer, office.reviewer), days=10
            ),
        )
    with pytest.raises(ValidationError, match="needs a reason"):
        run(
            app,
            case,
            lambda c: c.extend_decision_deadline(
                extend_step(app, office.officer, office.head, reason=""), days=10
            ),
        )


# ---- 立审分离 and who decides -------------------------------------------------------


def test_hearing_officer_cannot_be_the_admission_reviewer(
    app: Casework, office: Office, org: str
) -> None:
    case = accepted(app, office, org)
    same_person = Actor(office.reviewer.id, Role.HEARING_OFFICER, org)
    with pytest.raises(SeparationOfDuties) as refused:
        run(
            app,
            case,
            lambda c: c.assign_hearing_officer(app.step(office.head, at=at(3, 13)), same_person),
        )
    assert str(refused.value) == (
        f"{office.reviewer.id} reviewed this application for admission and may not be its "
        "hearing officer (立审分离: filing and hearing are kept apart)"
    )
    with pytest.raises(Forbidden, match="not a hearing officer"):
        run(
            app,
            case,
            lambda c: c.assign_hearing_officer(app.step(office.head, at=at(3, 13)), office.head),
        )
    assert app.get_case(case.id, ReconsiderationCase).hearing_officer is None


def test_only_the_assigned_hearing_officer_decides_with_someone_elses_approval(
    app: Casework, office: Office, org: str, actor: Callable[..., Actor]
) -> None:
    case = under_review(app, office, org)
    stranger = actor(Role.HEARING_OFFICER)
    with pytest.raises(Forbidden, match=f"only the case's hearing officer {office.officer.id}"):
        run(
            app,
            case,
            lambda c: c.decide(
                app.step(
                    stranger, at=at(4, 20), reason="r", legal_basis=BASIS, approver=office.head
                ),
                decision=DecisionType.UPHOLD,
            ),
        )
    officer_as_approver = Actor(office.officer.id, Role.APPROVER, org)
    with pytest.raises(SeparationOfDuties, match="nobody approves their own"):
        run(
            app,
            case,
            lambda c: c.decide(
                app.step(
                    office.officer,
                    at=at(4, 20),
                    reason="r",
                    legal_basis=BASIS,
                    approver=officer_as_approver,
                ),
                decision=DecisionType.UPHOLD,
            ),
        )
    with pytest.raises(ValidationError, match="needs a legal basis"):
        run(
            app,
            case,
            lambda c: c.decide(
                app.step(office.officer, at=at(4, 20), reason="r", approver=office.head),
                decision=DecisionType.UPHOLD,
            ),
        )
    with pytest.raises(ValidationError, match="goes with a revoke decision"):
        run(
            app,
            case,
            lambda c: c.decide(
                decide_step(app, office, at(4, 20)), decision=DecisionType.UPHOLD, in_part=True
            ),
        )
    case = run(
        app,
        case,
        lambda c: c.decide(
            decide_step(app, office, at(4, 20)),
            decision=DecisionType.REVOKE,
            in_part=True,
            decided_on=D(2026, 4, 17),
        ),
    )
    assert (case.decision, case.revoked_in_part, case.decided_on) == (
        DecisionType.REVOKE,
        True,
        D(2026, 4, 17),
    )


def test_without_a_reply_the_case_is_decided_only_after_the_reply_was_due(
    app: Casework, office: Office, org: str
) -> None:
    case = accepted(app, office, org)
    case = run(
        app,
        case,
        lambda c: c.send_copy(app.step(office.intake, at=at(3, 17)), sent_on=D(2026, 3, 16)),
    )
    case = run(
        app,
        case,
        lambda c: c.assign_hearing_officer(app.step(office.head, at=at(3, 18)), office.officer),
    )
    with pytest.raises(InvalidTransition, match="the reply is due on 2026-03-31"):
        run(
            app,
            case,
            lambda c: c.decide(decide_step(app, office, at(3, 31)), decision=DecisionType.REVOKE),
        )
    case = run(
        app,
        case,
        lambda c: c.decide(decide_step(app, office, at(4, 1)), decision=DecisionType.REVOKE),
    )
    assert case.status == S.DECIDED
    assert case.deadlines == {}
    # Stored events come back through JSON, so their sequences are lists.
    assert list(events(app, case)[-1].ended) == [
        "reconsideration.decision",
        "reconsideration.reply",
    ]


# ---- after the decision -----------------------------------------------------------


def test_closure_waits_for_service_the_opinion_report_and_ordered_performance(
    app: Casework, office: Office, org: str
) -> None:
    case = under_review(app, office, org)
    case = run(
        app,
        case,
        lambda c: c.decide(
            decide_step(app, office, at(4, 20)), decision=DecisionType.ORDER_PERFORMANCE
        ),
    )
    with pytest.raises(InvalidTransition, match="the decision has not been served"):
        run(app, case, lambda c: c.close(app.step(office.head, at=at(4, 21))))
    case = run(
        app,
        case,
        lambda c: c.serve(app.step(office.intake, at=at(4, 23)), served_on=D(2026, 4, 21)),
    )
    with pytest.raises(InvalidTransition, match="it was served on 2026-04-21"):
        run(app, case, lambda c: c.serve(app.step(office.intake, at=at(4, 23))))
    case = run(
        app,
        case,
        lambda c: c.issue_opinion_letter(app.step(office.reviewer, at=at(4, 24)), issues="未履行"),
    )
    with pytest.raises(InvalidTransition, match="the last opinion letter is still due"):
        run(
            app,
            case,
            lambda c: c.issue_opinion_letter(app.step(office.reviewer, at=at(4, 25)), issues="又"),
        )
    with pytest.raises(InvalidTransition, match="report on the opinion letter is still due"):
        run(app, case, lambda c: c.close(app.step(office.head, at=at(4, 27))))
    case = run(
        app,
        case,
        lambda c: c.receive_opinion_report(app.step(office.intake, at=at(5, 6)), summary="已整改"),
    )
    case = run(
        app,
        case,
        lambda c: c.order_performance(
            app.step(office.reviewer, at=at(5, 20), reason="逾期未履行"), perform_by=D(2026, 6, 1)
        ),
    )
    assert (case.performance, case.perform_by) == (Performance.ORDERED, D(2026, 6, 1))
    with pytest.raises(InvalidTransition, match="ordered to perform by 2026-06-01"):
        run(app, case, lambda c: c.close(app.step(office.head, at=at(5, 21))))
    case = run(
        app,
        case,
        lambda c: c.record_performance(app.step(office.reviewer, at=at(5, 29)), summary="已履行"),
    )
    case = run(app, case, lambda c: c.close(app.step(office.head, at=at(6, 2))))
    assert case.status == S.CLOSED
    assert (case.performance, case.performed_on) == (Performance.PERFORMED, D(2026, 5, 29))
    replayed(app, case)


# ---- two people acting at once ----------------------------------------------------


def test_the_second_of_two_handlers_acting_on_the_same_version_gets_a_conflict(
    app: Casework, office: Office, org: str, actor: Callable[..., Actor]
) -> None:
    case = accepted(app, office, org)
    seen = case.version
    before = len(events(app, case))
    colleague = actor(Role.INTAKE)
    app.act(
        case.id,
        ReconsiderationCase,
        lambda c: c.send_copy(app.step(office.intake, at=at(3, 16))),
        expected_version=seen,
    )
    with pytest.raises(Conflict) as conflict:
        app.act(
            case.id,
            ReconsiderationCase,
            lambda c: c.send_copy(app.step(colleague, at=at(3, 16))),
            expected_version=seen,
        )
    assert str(conflict.value) == (
        f"{case.reference} changed since it was read (version {seen}, now {seen + 1}); "
        "reload it and try again"
    )
    assert names(app, case)[before:] == ["CopySent"]
    copy_sent = events(app, case)[-1]
    assert copy_sent.actor == office.intake


def test_two_handlers_saving_at_once_without_a_version_lose_no_event(
    app: Casework, office: Office, org: str
) -> None:
    case = under_review(app, office, org)
    before = len(events(app, case))
    both_loaded = threading.Barrier(2, timeout=10)
    outcomes: dict[str, BaseException | None] = {}

    def hear(c: ReconsiderationCase) -> None:
        both_loaded.wait()
        c.hear_parties(app.step(office.officer, at=at(4, 2)), summary="听取意见")

    def consult(c: ReconsiderationCase) -> None:
        both_loaded.wait()
        c.consult_committee(app.step(office.reviewer, at=at(4, 2)), opinion="委员会意见")

    def attempt(name: str, command: Command) -> None:
        try:
            app.act(case.id, ReconsiderationCase, command)
            outcomes[name] = None
        except BaseException as exc:  # reported below
            outcomes[name] = exc

    threads = [
        threading.Thread(target=attempt, args=("hear", hear)),
        threading.Thread(target=attempt, args=("consult", consult)),
    ]
    for thread in threads:
        thread.start()
    for thread in threads:
        thread.join()

    failures = {name: exc for name, exc in outcomes.items() if exc is not None}
    assert len(outcomes) == 2
    assert len(failures) == 1, outcomes
    ((loser, error),) = failures.items()
    assert isinstance(error, Conflict)
    assert str(error) == (
        f"{case.reference} changed while this step was being taken; reload and try again"
    )
    winner = "PartiesHeard" if loser == "consult" else "CommitteeConsulted"
    assert names(app, case)[before:] == [winner]
    assert [e.originator_version for e in events(app, case)] == list(range(1, before + 2))
    again = app.get_case(case.id, ReconsiderationCase)
    assert again.version == before + 1
