import datetime as dt
from collections.abc import Callable
from typing import Any
from uuid import UUID

import pytest

from domain.actors import Actor, Role
from domain.application import Casework
from domain.case import CaseFile
from domain.errors import Forbidden, InvalidTransition, ValidationError
from domain.mediation import (
    ADMINISTRATIVE,
    JUDICIAL_CONFIRMATION,
    Agreement,
    ConfirmationOutOfTime,
    MediationCase,
    MediationRefused,
    MediationStatus,
    MediationType,
    Origin,
    Performance,
    ReferralSource,
    Session,
)
from domain.step import CHINA
from domain.values import Party, PartyRole

MakeActor = Callable[..., Actor]


def at(month: int, day: int, hour: int = 9) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=CHINA)


def day(month: int, dd: int) -> dt.date:
    return dt.date(2026, month, dd)


PARTIES = [
    Party("张三", PartyRole.APPLICANT, id_number="110105199001011234"),
    Party("李四", PartyRole.OTHER),
]


def start(
    app: Casework,
    who: Actor,
    when: dt.datetime,
    mediation_type: MediationType = MediationType.ADMINISTRATIVE,
    **facts: Any,
) -> MediationCase:
    facts.setdefault("origin", Origin.APPLICATION)
    return app.register(
        MediationCase,
        app.step(who, at=when),
        title="张三与李四相邻通行纠纷",
        organisation=who.organisation,
        parties=PARTIES,
        mediation_type=mediation_type,
        **facts,
    )


def do(
    app: Casework, case: MediationCase, command: Callable[[MediationCase], Any]
) -> MediationCase:
    return app.act(case.id, MediationCase, command, expected_version=case.version)


def state(case: CaseFile) -> dict[str, Any]:
    return {k: v for k, v in vars(case).items() if k != "_pending_events"}


def stored_events(app: Casework, case_id: UUID) -> list[Any]:
    return [app.mapper.to_domain_event(s) for s in app.recorder.select_events(case_id)]


@pytest.fixture
def intake(actor: MakeActor) -> Actor:
    return actor(Role.INTAKE)


@pytest.fixture
def mediator(actor: MakeActor) -> Actor:
    return actor(Role.HANDLER, name="王调解员")


def with_session(
    app: Casework, case: MediationCase, mediator: Actor, when: dt.datetime
) -> MediationCase:
    return do(
        app,
        case,
        lambda c: c.hold_session(
            app.step(mediator, at=when), mediator="王调解员", notes="双方陈述"
        ),
    )


def agreed(
    app: Casework, intake: Actor, mediator: Actor, *, written: bool = True, **facts: Any
) -> MediationCase:
    case = start(app, intake, at(2, 2), **facts)
    case = with_session(app, case, mediator, at(2, 10))
    return do(
        app,
        case,
        lambda c: c.reach_agreement(
            app.step(mediator, at=at(2, 26)),
            terms="李四让出通道",
            effective_on=day(2, 26),
            written=written,
        ),
    )


# ---- full paths ------------------------------------------------------------------------


def test_administrative_mediation_settles_is_confirmed_performed_and_closed(
    app: Casework, intake: Actor, mediator: Actor
) -> None:
    # Started 21 January: 30 days end on Fri 20 Feb, inside the Spring Festival holiday.
    case = start(app, intake, at(1, 21))
    assert case.deadlines[ADMINISTRATIVE].due_on == day(2, 24)

    case = with_session(app, case, mediator, at(2, 3))
    case = do(
        app,
        case,
        lambda c: c.hold_session(
            app.step(mediator, at=at(2, 25)),
            mediator="王调解员",
            notes="达成一致",
            held_on=day(2, 24),
        ),
    )
    # Effective 26 February: 30 days end on Sat 28 March, so Monday 30 March.
    case = do(
        app,
        case,
        lambda c: c.reach_agreement(
            app.step(mediator, at=at(2, 26)),
            terms="李四让出通道",
            effective_on=day(2, 26),
            written=True,
        ),
    )
    assert list(case.deadlines) == [JUDICIAL_CONFIRMATION]
    assert case.deadlines[JUDICIAL_CONFIRMATION].due_on == day(3, 30)

    case = do(
        app,
        case,
        lambda c: c.apply_for_confirmation(app.step(mediator, at=at(3, 30)), court="区人民法院"),
    )
    assert (case.status, case.deadlines) == (MediationStatus.CONFIRMATION_PENDING, {})
    with pytest.raises(InvalidTransition) as refused:
        case.close(app.step(mediator, at=at(4, 1)))
    assert refused.value.message == (
        "the mediation is before the court for confirmation (司法确认审查中); it cannot be closed"
    )
    case = do(
        app, case, lambda c: c.record_confirmation(app.step(mediator, at=at(4, 8)), granted=True)
    )
    case = do(
        app,
        case,
        lambda c: c.record_performance(
            app.step(mediator, at=at(4, 20)), Performance.PARTLY, note="已拆除一半"
        ),
    )
    case = do(
        app,
        case,
        lambda c: c.record_performance(app.step(mediator, at=at(5, 8)), Performance.PERFORMED),
    )
    case = do(app, case, lambda c: c.close(app.step(mediator, at=at(5, 8))))

    loaded = app.get_case(case.id, MediationCase)
    assert state(loaded) == state(case)
    assert (loaded.status, loaded.is_final, loaded.deadlines) == (MediationStatus.CLOSED, True, {})
    assert (loaded.succeeded, loaded.confirmed) == (True, True)
    assert loaded.agreement == Agreement("李四让出通道", day(2, 26), written=True)
    assert loaded.sessions == [
        Session(day(2, 3), "王调解员", "双方陈述"),
        Session(day(2, 24), "王调解员", "达成一致"),
    ]
    assert (loaded.performance, loaded.performance_as_of) == (Performance.PERFORMED, day(5, 8))
    assert (loaded.confirmation_court, loaded.confirmation_applied_on) == ("区人民法院", day(3, 30))
    assert loaded.parties == PARTIES

    events = stored_events(app, case.id)
    assert [type(e).__name__ for e in events] == [
        "Registered",
        "SessionHeld",
        "SessionHeld",
        "AgreementReached",
        "ConfirmationApplied",
        "ConfirmationRuled",
        "PerformanceRecorded",
        "PerformanceRecorded",
        "Closed",
    ]
    assert events[0].actor == intake
    assert all(e.actor == mediator for e in events[1:])
    assert list(events[3].ended) == [ADMINISTRATIVE]
    assert events[3].deadlines[0].legal_basis == "《人民调解法》第三十三条第一款"


def test_a_party_that_refused_at_application_cannot_be_mediated(
    app: Casework, intake: Actor
) -> None:
    with pytest.raises(MediationRefused) as refused:
        start(app, intake, at(3, 2), refusing_party="李四")

    assert refused.value.message == (
        "李四 clearly refuses mediation, so it may not be mediated (人民调解法第十七条)"
    )
    assert refused.value.field == "refusingParty"


def test_a_party_refusing_during_mediation_ends_the_case(
    app: Casework, intake: Actor, mediator: Actor
) -> None:
    case = start(app, intake, at(3, 2))
    with pytest.raises(ValidationError, match="to record a refusal needs a reason"):
        case.record_refusal(app.step(mediator, at=at(3, 5)), party="李四")

    case = do(
        app,
        case,
        lambda c: c.record_refusal(
            app.step(mediator, at=at(3, 5), reason="李四表示只愿诉讼"), party="李四"
        ),
    )

    loaded = app.get_case(case.id, MediationCase)
    assert (loaded.status, loaded.refused_by, loaded.deadlines) == (
        MediationStatus.REFUSED,
        "李四",
        {},
    )
    assert (loaded.succeeded, loaded.confirmed, loaded.is_final) == (False, None, True)
    assert stored_events(app, case.id)[-1].reason == "李四表示只愿诉讼"
    with pytest.raises(InvalidTransition) as refused:
        loaded.hold_session(app.step(mediator, at=at(3, 6)), mediator="王", notes="")
    assert refused.value.message == (
        "the mediation is refused by a party (当事人拒绝调解); it cannot hold a session"
    )


def test_failed_mediation_closes_with_its_reason(
    app: Casework, intake: Actor, mediator: Actor
) -> None:
    case = start(app, intake, at(3, 2))
    case = with_session(app, case, mediator, at(3, 3))
    with pytest.raises(ValidationError, match="needs a reason"):
        case.record_failure(app.step(mediator, at=at(3, 20)))

    case = do(
        app,
        case,
        lambda c: c.record_failure(app.step(mediator, at=at(3, 20), reason="赔偿数额差距过大")),
    )

    loaded = app.get_case(case.id, MediationCase)
    assert (loaded.status, loaded.succeeded, loaded.deadlines) == (
        MediationStatus.FAILED,
        False,
        {},
    )
    with pytest.raises(
        InvalidTransition, match="the mediation is failed \\(调解不成\\); it cannot be closed"
    ):
        loaded.close(app.step(mediator, at=at(3, 21)))


def test_the_court_refusing_confirmation_is_recorded_and_the_case_can_close(
    app: Casework, intake: Actor, mediator: Actor
) -> None:
    case = agreed(app, intake, mediator, mediation_type=MediationType.PEOPLES)
    case = do(
        app,
        case,
        lambda c: c.apply_for_confirmation(app.step(mediator, at=at(3, 2)), court="区人民法院"),
    )

    case = do(
        app, case, lambda c: c.record_confirmation(app.step(mediator, at=at(3, 12)), granted=False)
    )
    case = do(
        app,
        case,
        lambda c: c.record_performance(app.step(mediator, at=at(3, 20)), Performance.NOT_PERFORMED),
    )
    case = do(app, case, lambda c: c.close(app.step(mediator, at=at(3, 20))))

    loaded = app.get_case(case.id, MediationCase)
    assert (loaded.status, loaded.succeeded, loaded.confirmed, loaded.performance) == (
        MediationStatus.CLOSED,
        True,
        False,
        Performance.NOT_PERFORMED,
    )


# ---- the judicial-confirmation window (司法确认) -------------------------------------------


def test_judicial_confirmation_is_refused_once_its_30_days_have_lapsed(
    app: Casework, intake: Actor, mediator: Actor
) -> None:
    case = agreed(app, intake, mediator, mediation_type=MediationType.PEOPLES)
    assert case.deadlines[JUDICIAL_CONFIRMATION].due_on == day(3, 30)

    with pytest.raises(ConfirmationOutOfTime) as refused:
        case.apply_for_confirmation(app.step(mediator, at=at(3, 31)), court="区人民法院")

    assert refused.value.message == (
        "judicial confirmation had to be applied for by 2026-03-30, 30 days after the agreement "
        "took effect; 2026-03-31 is too late (《人民调解法》第三十三条第一款)"
    )
    assert refused.value.field == "appliedOn"
    # An application dated within the window but recorded later is accepted.
    case = do(
        app,
        case,
        lambda c: c.apply_for_confirmation(
            app.step(mediator, at=at(3, 31)), court="区人民法院", applied_on=day(3, 30)
        ),
    )
    assert case.status == MediationStatus.CONFIRMATION_PENDING


def test_an_oral_agreement_starts_no_confirmation_window_and_cannot_be_confirmed(
    app: Casework, intake: Actor, mediator: Actor
) -> None:
    case = agreed(app, intake, mediator, written=False, mediation_type=MediationType.PEOPLES)

    assert case.deadlines == {}
    with pytest.raises(InvalidTransition) as refused:
        case.apply_for_confirmation(app.step(mediator, at=at(3, 2)), court="区人民法院")
    assert refused.value.message == (
        "the mediation is settled by agreement (已达成调解协议); it cannot apply for judicial "
        "confirmation (only a written agreement from people's or administrative mediation is "
        "confirmed)"
    )
    case = do(app, case, lambda c: c.close(app.step(mediator, at=at(3, 2))))
    assert (case.succeeded, case.confirmed) == (True, None)


def test_a_court_mediated_agreement_needs_no_judicial_confirmation(
    app: Casework, intake: Actor, mediator: Actor
) -> None:
    case = agreed(
        app,
        intake,
        mediator,
        mediation_type=MediationType.JUDICIAL,
        origin=Origin.REFERRAL,
        referral_source=ReferralSource.COURT,
        source_reference="(2026)京0105民初88号",
    )

    assert (case.deadlines, case.referral_source, case.source_reference) == (
        {},
        ReferralSource.COURT,
        "(2026)京0105民初88号",
    )


# ---- starting, types, sessions ---------------------------------------------------------


def test_people_and_judicial_mediation_run_no_administrative_clock(
    app: Casework, intake: Actor
) -> None:
    case = start(app, intake, at(3, 2), MediationType.PEOPLES, origin=Origin.PROACTIVE)

    loaded = app.get_case(case.id, MediationCase)
    assert (loaded.origin, loaded.mediation_type, loaded.deadlines) == (
        Origin.PROACTIVE,
        MediationType.PEOPLES,
        {},
    )
    assert (loaded.status, loaded.succeeded, loaded.confirmed) == (
        MediationStatus.MEDIATING,
        None,
        None,
    )


def test_changing_the_type_of_mediation_moves_the_administrative_clock(
    app: Casework, intake: Actor, mediator: Actor
) -> None:
    case = start(
        app,
        intake,
        at(3, 2),
        MediationType.PEOPLES,
        origin=Origin.REFERRAL,
        referral_source=ReferralSource.PETITION,
    )

    case = do(
        app,
        case,
        lambda c: c.change_type(app.step(mediator, at=at(3, 10)), MediationType.ADMINISTRATIVE),
    )
    assert case.deadlines[ADMINISTRATIVE].due_on == day(4, 9)
    with pytest.raises(ValidationError, match="already administrative mediation"):
        case.change_type(app.step(mediator, at=at(3, 11)), MediationType.ADMINISTRATIVE)
    case = do(
        app, case, lambda c: c.change_type(app.step(mediator, at=at(3, 20)), MediationType.JUDICIAL)
    )

    loaded = app.get_case(case.id, MediationCase)
    assert loaded.deadlines == {}
    assert loaded.type_history == [
        MediationType.PEOPLES,
        MediationType.ADMINISTRATIVE,
        MediationType.JUDICIAL,
    ]
    assert (loaded.origin, loaded.referral_source) == (Origin.REFERRAL, ReferralSource.PETITION)


def test_a_referral_names_its_source_and_only_a_referral_does(app: Casework, intake: Actor) -> None:
    with pytest.raises(ValidationError, match="a referred mediation names where it came from"):
        start(app, intake, at(3, 2), origin=Origin.REFERRAL)
    with pytest.raises(ValidationError, match="a referred mediation names where it came from"):
        start(
            app, intake, at(3, 2), origin=Origin.APPLICATION, referral_source=ReferralSource.COURT
        )


def test_a_mediation_needs_two_parties(app: Casework, intake: Actor) -> None:
    with pytest.raises(ValidationError, match="at least two parties"):
        app.register(
            MediationCase,
            app.step(intake, at=at(3, 2)),
            title="t",
            organisation=intake.organisation,
            parties=PARTIES[:1],
            origin=Origin.APPLICATION,
            mediation_type=MediationType.PEOPLES,
        )


def test_an_agreement_needs_a_session_first(app: Casework, intake: Actor, mediator: Actor) -> None:
    case = start(app, intake, at(3, 2))

    with pytest.raises(InvalidTransition) as refused:
        case.reach_agreement(
            app.step(mediator, at=at(3, 3)), terms="t", effective_on=day(3, 3), written=True
        )
    assert refused.value.message == (
        "the mediation is being mediated (调解中); it cannot reach an agreement "
        "(no mediation session has been held)"
    )


def test_an_agreement_cannot_take_effect_in_the_future(
    app: Casework, intake: Actor, mediator: Actor
) -> None:
    case = with_session(app, start(app, intake, at(3, 2)), mediator, at(3, 3))

    with pytest.raises(ValidationError, match="effectiveOn 2026-03-04 is in the future"):
        case.reach_agreement(
            app.step(mediator, at=at(3, 3)), terms="t", effective_on=day(3, 4), written=True
        )


def test_only_the_mediator_records_sessions_and_intake_starts_cases(
    app: Casework, intake: Actor, actor: MakeActor
) -> None:
    case = start(app, intake, at(3, 2))

    with pytest.raises(Forbidden, match="intake may not record a mediation session"):
        case.hold_session(app.step(intake, at=at(3, 3)), mediator="王", notes="")
    with pytest.raises(Forbidden, match="coordinator may not start a mediation"):
        start(app, actor(Role.COORDINATOR), at(3, 2))


def test_performance_is_tracked_only_after_an_agreement(
    app: Casework, intake: Actor, mediator: Actor
) -> None:
    case = start(app, intake, at(3, 2))

    with pytest.raises(InvalidTransition, match="it cannot track performance"):
        case.record_performance(app.step(mediator, at=at(3, 3)), Performance.PERFORMED)
