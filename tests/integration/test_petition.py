"""The petition procedure (信访) against PostgreSQL, through the Casework application."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from dataclasses import dataclass
from typing import Any, Self
from uuid import UUID, uuid4

import pytest

from domain.actors import Actor, Role
from domain.application import Casework
from domain.case import CaseFile
from domain.deadlines import ExtensionExceedsLimit
from domain.errors import (
    Conflict,
    Forbidden,
    InvalidTransition,
    SeparationOfDuties,
    ValidationError,
)
from domain.petition import (
    AlreadyExtended,
    Channel,
    LegalChannel,
    MatterConcluded,
    Opinion,
    Petition,
    PetitionStatus,
    Routing,
    Satisfaction,
    Supervision,
)
from domain.step import CHINA, Step
from domain.values import (
    AdministrativeAct,
    CaseKind,
    CaseLink,
    LinkRelation,
    Party,
    PartyRole,
)

PETITIONER = Party("王五", PartyRole.APPLICANT, "110101198001011234", "13800001111", "某街道1号")
ACT = AdministrativeAct("区住建局", "区住建罚〔2026〕8号", dt.date(2026, 6, 30), "罚款")


class StandInMediation(CaseFile):
    """A test-only mediation case to divert to, until domain/mediation.py exists."""

    KIND = CaseKind.MEDIATION
    WHAT = "mediation"

    class Registered(CaseFile.Opened):
        """The stand-in mediation was opened."""

        def apply(self, aggregate: Any) -> None:
            """Open it."""
            super().apply(aggregate)
            aggregate.status = "started"

    @classmethod
    def register(  # type: ignore[override]
        cls,
        step: Step,
        *,
        case_id: UUID,
        reference: str,
        title: str,
        organisation: str,
        act: AdministrativeAct | None,
        parties: list[Party],
    ) -> Self:
        """Open a stand-in mediation."""
        return cls.open_case(
            cls.Registered,
            step,
            case_id=case_id,
            reference=reference,
            title=title,
            organisation=organisation,
            act=act,
            parties=tuple(parties),
        )


@dataclass(frozen=True)
class People:
    """The petitions office, the competent agency, the reviewer and re-reviewer, and their staff."""

    office: str
    agency: str
    reviewer: str
    rereviewer: str
    intake: Actor
    office_head: Actor
    handler: Actor
    agency_head: Actor
    reviewer_handler: Actor
    reviewer_head: Actor
    rereviewer_handler: Actor
    rereviewer_head: Actor


@pytest.fixture
def people(actor: Callable[..., Actor], org: str) -> People:
    agency, reviewer, rereviewer = (f"{n}-{uuid4().hex[:8]}" for n in ("agency", "city", "prov"))
    return People(
        office=org,
        agency=agency,
        reviewer=reviewer,
        rereviewer=rereviewer,
        intake=actor(Role.INTAKE),
        office_head=actor(Role.APPROVER),
        handler=actor(Role.HANDLER, agency),
        agency_head=actor(Role.APPROVER, agency),
        reviewer_handler=actor(Role.HANDLER, reviewer),
        reviewer_head=actor(Role.APPROVER, reviewer),
        rereviewer_handler=actor(Role.HANDLER, rereviewer),
        rereviewer_head=actor(Role.APPROVER, rereviewer),
    )


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, 0, tzinfo=CHINA)


def day(month: int, day: int) -> dt.date:
    return dt.date(2026, month, day)


def reload(app: Casework, case: Petition) -> Petition:
    return app.get_case(case.id, Petition)


def due_dates(case: CaseFile) -> dict[str, dt.date]:
    return {rule_id: deadline.due_on for rule_id, deadline in case.deadlines.items()}


def stored_events(app: Casework, case_id: UUID) -> list[Any]:
    return [app.mapper.to_domain_event(s) for s in app.recorder.select_events(case_id)]


def who(event: Any) -> tuple[str, str, str | None]:
    return type(event).__name__, event.actor.id, event.approver.id if event.approver else None


def act(app: Casework, case: Petition, command: Callable[[Petition], object]) -> Petition:
    return app.act(case.id, Petition, command, expected_version=case.version)


def register(app: Casework, p: People, when: dt.datetime | None = None, **facts: Any) -> Petition:
    defaults: dict[str, Any] = {
        "title": "对罚款决定不服",
        "organisation": p.office,
        "act": None,
        "parties": [PETITIONER],
        "channel": "letter",
        "received_on": day(7, 17),
    }
    return app.register(Petition, app.step(p.intake, at=when or at(7, 20)), **(defaults | facts))


def routed(app: Casework, p: People) -> Petition:
    case = register(app, p)
    step = app.step(p.intake, at=at(7, 24), approver=p.office_head)
    return act(app, case, lambda c: c.route(step, agency=p.agency, method="assign"))


def accepted(app: Casework, p: People) -> Petition:
    case = routed(app, p)
    return act(
        app, case, lambda c: c.accept(app.step(p.handler, at=at(8, 3), approver=p.agency_head))
    )


def answered(app: Casework, p: People) -> Petition:
    case = accepted(app, p)
    step = app.step(p.handler, at=at(9, 30), approver=p.agency_head)
    return act(app, case, lambda c: c.issue_opinion(step, "维持原处理"))


def reviewed(app: Casework, p: People) -> Petition:
    case = answered(app, p)
    case = act(
        app,
        case,
        lambda c: c.request_review(app.step(p.intake, at=at(10, 20)), reviewer=p.reviewer),
    )
    step = app.step(p.reviewer_handler, at=at(11, 12), approver=p.reviewer_head)
    return act(app, case, lambda c: c.answer_review(step, "复查维持"))


def concluded(app: Casework, p: People) -> Petition:
    case = reviewed(app, p)
    request = app.step(p.intake, at=at(11, 20))
    case = act(app, case, lambda c: c.request_rereview(request, rereviewer=p.rereviewer))
    step = app.step(p.rereviewer_handler, at=at(12, 15), approver=p.rereviewer_head)
    return act(app, case, lambda c: c.answer_rereview(step, "复核维持"))


# ---- the whole path ----------------------------------------------------------------------


def test_a_petition_goes_from_registration_through_review_and_re_review_to_closure(
    app: Casework, people: People
) -> None:
    p = people
    case = register(app, p, act=ACT)
    # received Fri 17 Jul; day 15 is Sat 1 Aug, so routing is due Mon 3 Aug
    assert due_dates(reload(app, case)) == {"petition.route": day(8, 3)}
    assert case.reference.startswith("信访〔2026〕")

    routing = app.step(p.intake, at=at(7, 24), approver=p.office_head, reason="属区住建局职责")
    case = act(app, case, lambda c: c.route(routing, agency=p.agency, method="assign"))
    # routed Fri 24 Jul; day 15 is Sat 8 Aug → Mon 10 Aug
    assert due_dates(reload(app, case)) == {"petition.accept": day(8, 10)}

    accepting = app.step(p.handler, at=at(8, 3), approver=p.agency_head)
    case = act(app, case, lambda c: c.accept(accepting))
    # accepted Mon 3 Aug; day 60 is Fri 2 Oct, inside National Day (1–7 Oct) → Thu 8 Oct
    assert due_dates(reload(app, case)) == {"petition.handle": day(10, 8)}

    case = act(
        app, case, lambda c: c.note_investigation(app.step(p.handler, at=at(8, 10)), "现场核查")
    )
    hearing = app.step(p.handler, at=at(9, 1))
    case = act(app, case, lambda c: c.record_hearing(hearing, "听证意见", held_on=day(8, 31)))

    opinion = app.step(p.handler, at=at(9, 30), approver=p.agency_head)
    case = act(app, case, lambda c: c.issue_opinion(opinion, "维持原处理"))
    # served Wed 30 Sep; day 30 is Fri 30 Oct
    assert due_dates(reload(app, case)) == {"petition.review.request": day(10, 30)}

    case = act(
        app, case, lambda c: c.evaluate(app.step(p.intake, at=at(10, 9)), "basically_satisfied")
    )
    case = act(
        app,
        case,
        lambda c: c.request_review(app.step(p.intake, at=at(10, 20)), reviewer=p.reviewer),
    )
    # requested Tue 20 Oct; day 30 is Thu 19 Nov
    assert due_dates(reload(app, case)) == {"petition.review.answer": day(11, 19)}

    review = app.step(p.reviewer_handler, at=at(11, 12), approver=p.reviewer_head)
    case = act(app, case, lambda c: c.answer_review(review, "复查维持"))
    # served Thu 12 Nov; day 30 is Sat 12 Dec → Mon 14 Dec
    assert due_dates(reload(app, case)) == {"petition.rereview.request": day(12, 14)}

    rereview_request = app.step(p.intake, at=at(11, 20))
    case = act(app, case, lambda c: c.request_rereview(rereview_request, rereviewer=p.rereviewer))
    # requested Fri 20 Nov; day 30 is Sun 20 Dec → Mon 21 Dec
    assert due_dates(reload(app, case)) == {"petition.rereview.answer": day(12, 21)}

    rereview = app.step(p.rereviewer_handler, at=at(12, 15), approver=p.rereviewer_head)
    case = act(app, case, lambda c: c.answer_rereview(rereview, "复核维持"))
    assert case.status == PetitionStatus.CONCLUDED
    assert case.deadlines == {}

    case = act(app, case, lambda c: c.evaluate(app.step(p.intake, at=at(12, 16)), "dissatisfied"))
    case = act(app, case, lambda c: c.close(app.step(p.intake, at=at(12, 16))))

    again = app.get_case(case.id, Petition)
    assert again.status == PetitionStatus.CLOSED
    assert again.is_final
    assert again.version == 13
    assert again.act == ACT
    assert again.parties == [PETITIONER]
    assert (again.channel, again.received_on) == (Channel.LETTER, day(7, 17))
    assert (again.routing, again.agency) == (Routing.ASSIGN, p.agency)
    assert (again.reviewer, again.rereviewer) == (p.reviewer, p.rereviewer)
    assert again.investigation_notes == ["现场核查"]
    assert again.hearings == [day(8, 31)]
    assert again.opinions == {
        Opinion.HANDLING: "维持原处理",
        Opinion.REVIEW: "复查维持",
        Opinion.REREVIEW: "复核维持",
    }
    assert again.evaluations == {
        Opinion.HANDLING: Satisfaction.BASICALLY_SATISFIED,
        Opinion.REREVIEW: Satisfaction.DISSATISFIED,
    }
    assert again.deadlines == {}
    assert [who(e) for e in stored_events(app, case.id)] == [
        ("Registered", p.intake.id, None),
        ("Routed", p.intake.id, p.office_head.id),
        ("Accepted", p.handler.id, p.agency_head.id),
        ("InvestigationNoted", p.handler.id, None),
        ("HearingHeld", p.handler.id, None),
        ("OpinionIssued", p.handler.id, p.agency_head.id),
        ("Evaluated", p.intake.id, None),
        ("ReviewRequested", p.intake.id, None),
        ("ReviewAnswered", p.reviewer_handler.id, p.reviewer_head.id),
        ("RereviewRequested", p.intake.id, None),
        ("RereviewAnswered", p.rereviewer_handler.id, p.rereviewer_head.id),
        ("Evaluated", p.intake.id, None),
        ("Closed", p.intake.id, None),
    ]


def test_each_step_records_the_clocks_it_started_and_stopped(app: Casework, people: People) -> None:
    case = answered(app, people)
    events = stored_events(app, case.id)
    moved = [(type(e).__name__, [d.rule_id for d in e.deadlines], list(e.ended)) for e in events]
    assert moved == [
        ("Registered", ["petition.route"], []),
        ("Routed", ["petition.accept"], ["petition.route"]),
        ("Accepted", ["petition.handle"], ["petition.accept"]),
        ("OpinionIssued", ["petition.review.request"], ["petition.handle"]),
    ]
    routed_event = events[1]
    assert (routed_event.method, routed_event.agency) == ("assign", people.agency)
    assert events[0].deadlines[0].started_on == day(7, 17)
    assert events[3].served_on == day(9, 30)


def test_the_review_window_runs_from_the_day_the_petitioner_received_the_opinion(
    app: Casework, people: People
) -> None:
    case = accepted(app, people)
    step = app.step(people.handler, at=at(10, 8), approver=people.agency_head)
    case = act(app, case, lambda c: c.issue_opinion(step, "意见", served_on=day(9, 29)))
    window = app.get_case(case.id, Petition).deadlines["petition.review.request"]
    # received Tue 29 Sep; day 30 is Thu 29 Oct
    assert (window.started_on, window.due_on) == (day(9, 29), day(10, 29))
    assert stored_events(app, case.id)[-1].served_on == day(9, 29)


# ---- registration ----------------------------------------------------------------------


def test_registration_records_the_channel_and_an_act_only_when_given(
    app: Casework, people: People
) -> None:
    online = register(app, people, channel="online", received_on=None, act=ACT)
    visit = register(app, people, channel="visit")
    assert (online.channel, online.act, online.received_on) == (Channel.ONLINE, ACT, day(7, 20))
    assert due_dates(online) == {"petition.route": day(8, 4)}
    assert (app.get_case(visit.id, Petition).channel, visit.act) == (Channel.VISIT, None)


def test_a_petition_needs_the_petitioner_as_applicant(app: Casework, people: People) -> None:
    other = Party("李四", PartyRole.OTHER)
    with pytest.raises(ValidationError, match="needs the petitioner as applicant") as error:
        register(app, people, parties=[other])
    assert error.value.field == "parties"


def test_an_unknown_channel_is_refused_naming_the_channels(app: Casework, people: People) -> None:
    with pytest.raises(ValidationError, match="'fax' is not one of letter, visit, online"):
        register(app, people, channel="fax")


def test_a_petition_cannot_be_received_after_it_is_registered(
    app: Casework, people: People
) -> None:
    with pytest.raises(ValidationError, match="receivedOn 2026-07-21 is in the future") as error:
        register(app, people, received_on=day(7, 21))
    assert error.value.field == "receivedOn"


def test_only_the_petitions_office_intake_registers(app: Casework, people: People) -> None:
    with pytest.raises(
        Forbidden, match="a handler may not register a petition; this needs: intake"
    ):
        app.register(
            Petition,
            app.step(people.handler, at=at(7, 20)),
            title="t",
            organisation=people.office,
            act=None,
            parties=[PETITIONER],
            channel="letter",
        )


# ---- routing -------------------------------------------------------------------------


def test_transfer_to_the_competent_agency_records_the_agency(app: Casework, people: People) -> None:
    case = register(app, people)
    step = app.step(people.intake, at=at(7, 24), approver=people.office_head)
    act(app, case, lambda c: c.route(step, agency=people.agency, method="transfer"))
    again = app.get_case(case.id, Petition)
    assert (again.status, again.routing, again.agency) == (
        PetitionStatus.ROUTED,
        Routing.TRANSFER,
        people.agency,
    )
    assert again.holder == people.agency


def test_routing_needs_an_approver(app: Casework, people: People) -> None:
    case = register(app, people)
    with pytest.raises(ValidationError, match="to route the petition needs an approver") as error:
        act(
            app,
            case,
            lambda c: c.route(app.step(people.intake, at=at(7, 24)), agency="x", method="assign"),
        )
    assert error.value.field == "approver"


def test_routing_is_approved_by_a_head_of_the_petitions_office(
    app: Casework, people: People
) -> None:
    case = register(app, people)
    step = app.step(people.intake, at=at(7, 24), approver=people.agency_head)
    with pytest.raises(Forbidden, match=f"not of {people.office}, which must approve"):
        act(app, case, lambda c: c.route(step, agency=people.agency, method="assign"))


def test_an_auditor_cannot_route_a_petition(
    app: Casework, people: People, actor: Callable[..., Actor]
) -> None:
    case = register(app, people)
    step = app.step(actor(Role.AUDITOR), at=at(7, 24), approver=people.office_head)
    with pytest.raises(Forbidden, match="auditor may not route a petition"):
        act(app, case, lambda c: c.route(step, agency=people.agency, method="assign"))


def test_routing_method_is_transfer_or_assign(app: Casework, people: People) -> None:
    case = register(app, people)
    step = app.step(people.intake, at=at(7, 24), approver=people.office_head)
    with pytest.raises(ValidationError, match="method 'forward' is not one of transfer, assign"):
        act(app, case, lambda c: c.route(step, agency=people.agency, method="forward"))


def test_a_routed_petition_cannot_be_routed_again(app: Casework, people: People) -> None:
    case = routed(app, people)
    step = app.step(people.intake, at=at(7, 25), approver=people.office_head)
    with pytest.raises(InvalidTransition) as error:
        act(app, case, lambda c: c.route(step, agency="other", method="transfer"))
    assert str(error.value) == (
        "the petition is routed to the competent agency (已转送交办); it cannot be routed"
    )


def test_the_petitions_office_declines_a_petition_with_a_reason(
    app: Casework, people: People
) -> None:
    case = register(app, people)
    step = app.step(
        people.intake, at=at(7, 24), approver=people.office_head, reason="已经依法终结的信访事项"
    )
    case = act(app, case, lambda c: c.decline(step, told_on=day(7, 23)))
    again = app.get_case(case.id, Petition)
    assert (again.status, again.deadlines, again.is_final) == (
        PetitionStatus.NOT_ACCEPTED,
        {},
        True,
    )
    declined = stored_events(app, case.id)[-1]
    assert (declined.reason, declined.petitioner_told_on, list(declined.ended)) == (
        "已经依法终结的信访事项",
        day(7, 23),
        ["petition.route"],
    )
    later = app.step(people.intake, at=at(7, 25), approver=people.office_head)
    with pytest.raises(
        InvalidTransition, match=r"is not accepted \(不予受理\); it cannot be routed"
    ):
        act(app, again, lambda c: c.route(later, agency=people.agency, method="assign"))
    with pytest.raises(InvalidTransition, match="it cannot be assigned"):
        act(app, again, lambda c: c.assign(app.step(people.intake, at=at(7, 25)), "someone"))


def test_declining_needs_a_reason(app: Casework, people: People) -> None:
    case = register(app, people)
    step = app.step(people.intake, at=at(7, 24), approver=people.office_head)
    with pytest.raises(ValidationError, match="to decline the petition needs a reason") as error:
        act(app, case, lambda c: c.decline(step))
    assert error.value.field == "reason"


# ---- diversion (诉访分离) -----------------------------------------------------------------


def test_diverting_to_mediation_opens_the_mediation_case_and_links_both_ways(
    app: Casework, people: People, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = register(app, people, act=ACT)
    step = app.step(
        people.intake,
        at=at(7, 22),
        approver=people.office_head,
        reason="邻里纠纷，宜调解",
        legal_basis="《信访工作条例》第三十一条",
    )
    target = app.prepare(
        StandInMediation,
        step,
        title="邻里纠纷调解",
        organisation=people.office,
        act=ACT,
        parties=[PETITIONER],
    )
    saved: list[tuple[UUID, ...]] = []
    save_all = app.save_all

    def spy(*cases: CaseFile) -> None:
        saved.append(tuple(c.id for c in cases))
        save_all(*cases)

    monkeypatch.setattr(app, "save_all", spy)
    source, opened = app.open_linked(
        case.id,
        Petition,
        target=target,
        relation=LinkRelation.DIVERTED_TO,
        source_command=lambda pet, other: pet.divert(step, "mediation", other),
        step=step,
        expected_version=case.version,
    )
    assert saved == [(case.id, target.id)]
    assert (source.version, opened.version) == (3, 2)

    petition = app.get_case(case.id, Petition)
    mediation = app.get_case(target.id, StandInMediation)
    assert (petition.version, mediation.version) == (3, 2)
    assert (petition.status, petition.diverted_to, petition.deadlines) == (
        PetitionStatus.DIVERTED,
        LegalChannel.MEDIATION,
        {},
    )
    assert petition.links == [CaseLink(target.id, CaseKind.MEDIATION, LinkRelation.DIVERTED_TO)]
    assert mediation.links == [CaseLink(case.id, CaseKind.PETITION, LinkRelation.DIVERTED_FROM)]
    assert mediation.act == ACT
    diverted = stored_events(app, case.id)[1]
    assert (diverted.channel, diverted.target, list(diverted.ended)) == (
        "mediation",
        target.id,
        ["petition.route"],
    )
    assert (diverted.legal_basis, diverted.approver) == (
        "《信访工作条例》第三十一条",
        people.office_head,
    )


def test_the_competent_agency_may_divert_after_routing(app: Casework, people: People) -> None:
    case = routed(app, people)
    step = app.step(people.handler, at=at(7, 27), approver=people.agency_head)
    target = app.prepare(
        StandInMediation,
        step,
        title="调解",
        organisation=people.agency,
        act=None,
        parties=[PETITIONER],
    )
    app.open_linked(
        case.id,
        Petition,
        target=target,
        relation=LinkRelation.DIVERTED_TO,
        source_command=lambda pet, other: pet.divert(step, "mediation", other),
        step=step,
    )
    again = app.get_case(case.id, Petition)
    assert (again.status, again.deadlines) == (PetitionStatus.DIVERTED, {})
    assert list(stored_events(app, case.id)[2].ended) == ["petition.accept"]


def test_a_diversion_target_must_be_a_case_of_that_channel(app: Casework, people: People) -> None:
    case = register(app, people)
    step = app.step(people.intake, at=at(7, 22), approver=people.office_head)
    target = app.prepare(
        StandInMediation,
        step,
        title="调解",
        organisation=people.office,
        act=None,
        parties=[PETITIONER],
    )
    with pytest.raises(ValidationError, match="needs a reconsideration case, not a mediation"):
        act(app, case, lambda c: c.divert(step, "reconsideration", target))
    with pytest.raises(ValidationError, match="arbitration has no case here; divert it outside"):
        act(app, case, lambda c: c.divert(step, "arbitration", target))
    with pytest.raises(ValidationError, match="'court' is not one of litigation, reconsideration"):
        act(app, case, lambda c: c.divert(step, "court", target))
    assert app.get_case(case.id, Petition).version == 1


def test_diverting_to_arbitration_links_no_case(app: Casework, people: People) -> None:
    case = register(app, people)
    step = app.step(people.intake, at=at(7, 22), approver=people.office_head, reason="劳动争议")
    case = act(
        app, case, lambda c: c.divert_outside(step, "arbitration", "区劳动人事争议仲裁委员会")
    )
    again = app.get_case(case.id, Petition)
    assert (again.status, again.diverted_to, again.links, again.deadlines) == (
        PetitionStatus.DIVERTED,
        LegalChannel.ARBITRATION,
        [],
        {},
    )
    diverted = stored_events(app, case.id)[-1]
    assert (diverted.target, diverted.note) == (None, "区劳动人事争议仲裁委员会")


def test_diverting_outside_says_where(app: Casework, people: People) -> None:
    case = register(app, people)
    step = app.step(people.intake, at=at(7, 22), approver=people.office_head)
    with pytest.raises(ValidationError, match="where it was diverted is required"):
        act(app, case, lambda c: c.divert_outside(step, "arbitration", " "))


def test_diversion_needs_an_approver_who_is_not_the_actor(app: Casework, people: People) -> None:
    case = register(app, people)
    head = people.office_head
    step = app.step(head, at=at(7, 22), approver=head)
    with pytest.raises(SeparationOfDuties, match="nobody approves their own request to divert"):
        act(app, case, lambda c: c.divert_outside(step, "arbitration", "仲裁委"))


# ---- acceptance --------------------------------------------------------------------------


def test_acceptance_is_decided_by_the_competent_agency_only(
    app: Casework, people: People, actor: Callable[..., Actor]
) -> None:
    case = routed(app, people)
    stranger = actor(Role.HANDLER, "some-other-agency")
    step = app.step(stranger, at=at(8, 3), approver=people.agency_head)
    with pytest.raises(
        Forbidden, match=f"only {people.agency}, which holds the petition, may accept"
    ):
        act(app, case, lambda c: c.accept(step))


def test_a_registered_petition_cannot_be_accepted_before_routing(
    app: Casework, people: People
) -> None:
    case = register(app, people)
    step = app.step(people.handler, at=at(7, 21), approver=people.agency_head)
    with pytest.raises(InvalidTransition) as error:
        act(app, case, lambda c: c.accept(step))
    assert str(error.value) == "the petition is registered (已登记); it cannot be accepted"


def test_the_agency_declines_a_petition_and_tells_the_petitioner(
    app: Casework, people: People
) -> None:
    case = routed(app, people)
    step = app.step(
        people.handler, at=at(8, 5), approver=people.agency_head, reason="不属于信访事项"
    )
    act(app, case, lambda c: c.decline(step))
    again = app.get_case(case.id, Petition)
    assert (again.status, again.deadlines) == (PetitionStatus.NOT_ACCEPTED, {})
    declined = stored_events(app, case.id)[-1]
    assert (list(declined.ended), declined.petitioner_told_on, declined.approver) == (
        ["petition.accept"],
        day(8, 5),
        people.agency_head,
    )


# ---- handling ----------------------------------------------------------------------------


def test_handling_due_in_the_national_day_holiday_falls_due_on_8_october(
    app: Casework, people: People
) -> None:
    case = accepted(app, people)
    handle = reload(app, case).deadlines["petition.handle"]
    # accepted Mon 3 Aug 2026: day 60 is Fri 2 Oct; 1–7 Oct are rest days, Thu 8 Oct works
    assert (handle.started_on, handle.nominal_end, handle.due_on) == (
        day(8, 3),
        day(10, 2),
        day(10, 8),
    )
    assert handle.legal_basis == "《信访工作条例》第三十四条"


def test_handling_is_extended_once_from_the_nominal_end_with_the_agency_heads_approval(
    app: Casework, people: People
) -> None:
    case = accepted(app, people)
    step = app.step(people.handler, at=at(9, 16), approver=people.agency_head, reason="需补充调查")
    case = act(app, case, lambda c: c.extend_handling(step, 30, told_on=day(9, 15)))
    handle = app.get_case(case.id, Petition).deadlines["petition.handle"]
    # 60 + 30 days from Mon 3 Aug: Sun 1 Nov → Mon 2 Nov (not 8 Oct + 30)
    assert (handle.nominal_end, handle.due_on, handle.extended_by) == (day(11, 1), day(11, 2), 30)
    extended = stored_events(app, case.id)[-1]
    assert (type(extended).__name__, extended.days, extended.petitioner_told_on) == (
        "HandlingExtended",
        30,
        day(9, 15),
    )
    assert (extended.actor, extended.approver, extended.reason) == (
        people.handler,
        people.agency_head,
        "需补充调查",
    )


def test_handling_cannot_be_extended_a_second_time_even_within_the_cap(
    app: Casework, people: People
) -> None:
    case = accepted(app, people)
    step = app.step(people.handler, at=at(9, 15), approver=people.agency_head, reason="补充调查")
    case = act(app, case, lambda c: c.extend_handling(step, 20))
    with pytest.raises(AlreadyExtended) as error:
        act(app, case, lambda c: c.extend_handling(step, 10))
    assert str(error.value) == (
        "the petition is accepted (已受理); it cannot have its handling period extended again "
        "(it was extended by 20 days already, and may be extended once only, "
        "《信访工作条例》第三十四条)"
    )


def test_handling_cannot_be_extended_by_more_than_30_days(app: Casework, people: People) -> None:
    case = accepted(app, people)
    step = app.step(people.handler, at=at(9, 15), approver=people.agency_head, reason="补充调查")
    with pytest.raises(ExtensionExceedsLimit, match="at most 30 calendar days in total"):
        act(app, case, lambda c: c.extend_handling(step, 31))


def test_an_extension_needs_a_reason_and_an_agency_head_who_is_not_the_requester(
    app: Casework, people: People
) -> None:
    case = accepted(app, people)
    no_reason = app.step(people.handler, at=at(9, 15), approver=people.agency_head)
    with pytest.raises(ValidationError, match="to extend handling needs a reason"):
        act(app, case, lambda c: c.extend_handling(no_reason, 10))
    no_approver = app.step(people.handler, at=at(9, 15), reason="r")
    with pytest.raises(ValidationError, match="to extend handling needs an approver"):
        act(app, case, lambda c: c.extend_handling(no_approver, 10))
    own = app.step(people.agency_head, at=at(9, 15), approver=people.agency_head, reason="r")
    with pytest.raises(SeparationOfDuties, match="nobody approves their own request"):
        act(app, case, lambda c: c.extend_handling(own, 10))
    office_head = app.step(people.handler, at=at(9, 15), approver=people.office_head, reason="r")
    with pytest.raises(Forbidden, match=f"not of {people.agency}"):
        act(app, case, lambda c: c.extend_handling(office_head, 10))
    assert app.get_case(case.id, Petition).version == case.version


def test_a_hearing_is_held_only_while_the_petition_is_handled(
    app: Casework, people: People
) -> None:
    case = routed(app, people)
    with pytest.raises(InvalidTransition, match=r"\(已转送交办\); it cannot have a hearing"):
        act(app, case, lambda c: c.record_hearing(app.step(people.handler, at=at(8, 1)), "听证"))


def test_the_opinion_cannot_be_served_after_the_day_it_is_recorded(
    app: Casework, people: People
) -> None:
    case = accepted(app, people)
    step = app.step(people.handler, at=at(9, 28), approver=people.agency_head)
    with pytest.raises(ValidationError, match="servedOn 2026-09-29 is in the future"):
        act(app, case, lambda c: c.issue_opinion(step, "意见", served_on=day(9, 29)))


# ---- review, re-review, finality ---------------------------------------------------------


def test_a_review_request_after_the_window_is_refused_naming_the_deadline(
    app: Casework, people: People
) -> None:
    case = answered(app, people)
    late = app.step(people.intake, at=at(10, 31))
    with pytest.raises(ValidationError) as error:
        act(app, case, lambda c: c.request_review(late, reviewer=people.reviewer))
    assert error.value.field == "requestedOn"
    assert str(error.value) == (
        "the request of 2026-10-31 is too late: the 30-day period to request review "
        "(petition.review.request, 《信访工作条例》第三十五条) ended on 2026-10-30"
    )


def test_a_review_request_made_on_the_last_day_may_be_recorded_later(
    app: Casework, people: People
) -> None:
    case = answered(app, people)
    step = app.step(people.intake, at=at(11, 2))
    case = act(
        app,
        case,
        lambda c: c.request_review(step, reviewer=people.reviewer, requested_on=day(10, 30)),
    )
    # received Fri 30 Oct; day 30 is Sun 29 Nov → Mon 30 Nov
    assert due_dates(app.get_case(case.id, Petition)) == {"petition.review.answer": day(11, 30)}


def test_review_is_by_another_agency_and_answered_by_it(app: Casework, people: People) -> None:
    case = answered(app, people)
    step = app.step(people.intake, at=at(10, 20))
    with pytest.raises(ValidationError, match="not the one that handled it"):
        act(app, case, lambda c: c.request_review(step, reviewer=people.agency))
    case = act(app, case, lambda c: c.request_review(step, reviewer=people.reviewer))
    by_agency = app.step(people.handler, at=at(11, 10), approver=people.agency_head)
    with pytest.raises(Forbidden, match=f"only {people.reviewer}, which holds the petition"):
        act(app, case, lambda c: c.answer_review(by_agency, "复查"))


def test_a_re_review_request_after_the_window_is_refused(app: Casework, people: People) -> None:
    case = reviewed(app, people)
    late = app.step(people.intake, at=at(12, 15))
    with pytest.raises(
        ValidationError, match=r"period to request re-review \(.*\) ended on 2026-12-14"
    ):
        act(app, case, lambda c: c.request_rereview(late, rereviewer=people.rereviewer))


def test_re_review_cannot_come_before_review(app: Casework, people: People) -> None:
    case = answered(app, people)
    step = app.step(people.intake, at=at(10, 2))
    with pytest.raises(InvalidTransition) as error:
        act(app, case, lambda c: c.request_rereview(step, rereviewer=people.rereviewer))
    assert str(error.value) == (
        "the petition is answered (已出具处理意见); it cannot be re-reviewed"
    )


def test_after_re_review_the_same_request_is_not_taken_again(app: Casework, people: People) -> None:
    case = concluded(app, people)
    assert (case.status, case.deadlines) == (PetitionStatus.CONCLUDED, {})
    step = app.step(people.intake, at=at(12, 16))
    with pytest.raises(MatterConcluded) as error:
        act(app, case, lambda c: c.request_review(step, reviewer="someone-else"))
    assert str(error.value) == (
        "the petition is concluded (终结); it cannot be reviewed (after re-review the same "
        "request on the same facts and reasons is not accepted again, 《信访工作条例》第三十六条)"
    )
    with pytest.raises(MatterConcluded, match="it cannot be re-reviewed"):
        act(app, case, lambda c: c.request_rereview(step, rereviewer="someone-else"))
    with pytest.raises(MatterConcluded, match="it cannot be petitioned again"):
        register(app, people, when=at(12, 16), received_on=None, repeats=case)


def test_a_new_petition_may_repeat_one_that_is_not_yet_concluded(
    app: Casework, people: People
) -> None:
    first = answered(app, people)
    second = register(app, people, when=at(10, 5), received_on=None, repeats=first)
    assert app.get_case(second.id, Petition).repeats == first.id


# ---- evaluation and closure --------------------------------------------------------------


def test_each_opinion_is_evaluated_once(app: Casework, people: People) -> None:
    case = answered(app, people)
    step = app.step(people.handler, at=at(10, 2))
    with pytest.raises(ValidationError, match="satisfaction 'ok' is not one of satisfied"):
        act(app, case, lambda c: c.evaluate(step, "ok"))
    case = act(app, case, lambda c: c.evaluate(step, "satisfied"))
    with pytest.raises(InvalidTransition, match="the handling opinion was evaluated already"):
        act(app, case, lambda c: c.evaluate(step, "dissatisfied"))
    assert app.get_case(case.id, Petition).evaluations == {Opinion.HANDLING: Satisfaction.SATISFIED}


def test_a_petition_without_an_opinion_cannot_be_evaluated(app: Casework, people: People) -> None:
    case = accepted(app, people)
    with pytest.raises(InvalidTransition, match=r"accepted \(已受理\); it cannot be evaluated"):
        act(app, case, lambda c: c.evaluate(app.step(people.intake, at=at(8, 4)), "satisfied"))


def test_closing_waits_until_the_review_window_has_passed(app: Casework, people: People) -> None:
    case = answered(app, people)
    with pytest.raises(InvalidTransition) as error:
        act(app, case, lambda c: c.close(app.step(people.intake, at=at(10, 30, hour=23))))
    assert str(error.value) == (
        "the petition is answered (已出具处理意见); it cannot be closed (the petitioner may "
        "still request review until 2026-10-30; close after that, or record that they waived it)"
    )
    act(app, case, lambda c: c.close(app.step(people.intake, at=at(10, 31))))
    again = app.get_case(case.id, Petition)
    assert (again.status, again.deadlines) == (PetitionStatus.CLOSED, {})
    closed = stored_events(app, case.id)[-1]
    assert (list(closed.ended), closed.review_waived) == (["petition.review.request"], False)


def test_a_petitioner_who_waives_review_lets_the_case_close_at_once(
    app: Casework, people: People
) -> None:
    case = answered(app, people)
    step = app.step(people.intake, at=at(10, 2), reason="信访人书面表示不再请求复查")
    act(app, case, lambda c: c.close(step, review_waived=True))
    again = app.get_case(case.id, Petition)
    assert (again.status, again.deadlines) == (PetitionStatus.CLOSED, {})
    assert stored_events(app, case.id)[-1].review_waived is True


def test_closing_after_review_waits_for_the_re_review_window(app: Casework, people: People) -> None:
    case = reviewed(app, people)
    with pytest.raises(InvalidTransition, match="request re-review until 2026-12-14"):
        act(app, case, lambda c: c.close(app.step(people.intake, at=at(12, 14))))
    act(app, case, lambda c: c.close(app.step(people.intake, at=at(12, 15))))
    assert app.get_case(case.id, Petition).status == PetitionStatus.CLOSED


def test_a_petition_being_handled_cannot_be_closed(app: Casework, people: People) -> None:
    case = accepted(app, people)
    with pytest.raises(InvalidTransition, match=r"accepted \(已受理\); it cannot be closed"):
        act(app, case, lambda c: c.close(app.step(people.intake, at=at(8, 4)), review_waived=True))


# ---- supervision, assignment, concurrency -------------------------------------------------


def test_a_backlog_petition_is_supervised_and_then_released(
    app: Casework, people: People, actor: Callable[..., Actor]
) -> None:
    case = accepted(app, people)
    supervisor = actor(Role.APPROVER, "district-supervision")
    step = app.step(supervisor, at=at(9, 1))
    case = act(
        app,
        case,
        lambda c: c.supervise(
            step, supervisor="district-supervision", instructions="十日内报送进展"
        ),
    )
    assert app.get_case(case.id, Petition).supervision == Supervision(
        "district-supervision", "十日内报送进展", day(9, 1)
    )
    with pytest.raises(ValidationError, match="to lift supervision needs a reason"):
        act(app, case, lambda c: c.lift_supervision(app.step(supervisor, at=at(9, 20))))
    lifting = app.step(supervisor, at=at(9, 20), reason="已化解")
    case = act(app, case, lambda c: c.lift_supervision(lifting))
    assert app.get_case(case.id, Petition).supervision is None
    with pytest.raises(InvalidTransition, match="it cannot have its supervision lifted"):
        act(app, case, lambda c: c.lift_supervision(lifting))


def test_a_handler_cannot_put_a_petition_under_supervision(app: Casework, people: People) -> None:
    case = accepted(app, people)
    step = app.step(people.handler, at=at(9, 1))
    with pytest.raises(Forbidden, match="a handler may not supervise a petition"):
        act(app, case, lambda c: c.supervise(step, supervisor="x", instructions="y"))


def test_closing_ends_supervision(app: Casework, people: People) -> None:
    case = answered(app, people)
    step = app.step(people.intake, at=at(10, 1))
    case = act(
        app, case, lambda c: c.supervise(step, supervisor=people.office, instructions="督办")
    )
    case = act(app, case, lambda c: c.close(app.step(people.intake, at=at(11, 2))))
    again = app.get_case(case.id, Petition)
    assert (again.status, again.supervision) == (PetitionStatus.CLOSED, None)
    with pytest.raises(InvalidTransition, match=r"closed \(已办结\); it cannot be supervised"):
        act(app, again, lambda c: c.supervise(step, supervisor=people.office, instructions="督办"))


def test_work_on_a_petition_is_assigned_to_a_person(app: Casework, people: People) -> None:
    case = routed(app, people)
    act(app, case, lambda c: c.assign(app.step(people.handler, at=at(7, 27)), "zhang.san"))
    assert app.get_case(case.id, Petition).assignee == "zhang.san"


def test_a_step_on_a_stale_version_is_a_conflict(app: Casework, people: People) -> None:
    case = register(app, people)
    seen = case.version
    app.act(case.id, Petition, lambda c: c.assign(app.step(people.intake, at=at(7, 24)), "wang"))
    step = app.step(people.intake, at=at(7, 24), approver=people.office_head)
    with pytest.raises(Conflict, match="changed since it was read"):
        app.act(
            case.id,
            Petition,
            lambda c: c.route(step, agency=people.agency, method="assign"),
            expected_version=seen,
        )


def test_a_version_the_case_never_had_is_bad_input(app: Casework, people: People) -> None:
    case = register(app, people)
    step = app.step(people.intake, at=at(7, 24), approver=people.office_head)
    for wrong in (case.version + 1, 0):
        with pytest.raises(ValidationError, match=f"expectedVersion {wrong} is not a version"):
            app.act(
                case.id,
                Petition,
                lambda c: c.route(step, agency=people.agency, method="assign"),
                expected_version=wrong,
            )
