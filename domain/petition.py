"""Petition (信访事项) under the Regulations on Letters and Visits (信访工作条例, 2022)."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Self, TypeVar
from uuid import UUID

from domain.actors import Actor, Role
from domain.case import CaseFile
from domain.errors import Forbidden, InvalidTransition, ValidationError
from domain.step import Step, china_date
from domain.values import AdministrativeAct, CaseKind, Party, PartyRole

_E = TypeVar("_E", bound=StrEnum)


class PetitionStatus(StrEnum):
    """Where a petition stands."""

    REGISTERED = "registered"  # 已登记, waiting to be routed
    ROUTED = "routed"  # 已转送/交办, the competent agency decides acceptance
    DIVERTED = "diverted"  # 诉访分离: sent to a legal channel
    NOT_ACCEPTED = "not_accepted"  # 不予受理
    ACCEPTED = "accepted"  # 已受理, being handled
    ANSWERED = "answered"  # 已出具处理意见
    REVIEW_REQUESTED = "review_requested"  # 复查中
    REVIEWED = "reviewed"  # 已复查
    REREVIEW_REQUESTED = "rereview_requested"  # 复核中
    CONCLUDED = "concluded"  # 终结: re-reviewed, not reopened on the same facts
    CLOSED = "closed"  # 已办结


_LABELS = {
    PetitionStatus.REGISTERED: "registered (已登记)",
    PetitionStatus.ROUTED: "routed to the competent agency (已转送交办)",
    PetitionStatus.DIVERTED: "diverted to a legal channel (已导入法定途径)",
    PetitionStatus.NOT_ACCEPTED: "not accepted (不予受理)",
    PetitionStatus.ACCEPTED: "accepted (已受理)",
    PetitionStatus.ANSWERED: "answered (已出具处理意见)",
    PetitionStatus.REVIEW_REQUESTED: "under review (复查中)",
    PetitionStatus.REVIEWED: "reviewed (已复查)",
    PetitionStatus.REREVIEW_REQUESTED: "under re-review (复核中)",
    PetitionStatus.CONCLUDED: "concluded (终结)",
    PetitionStatus.CLOSED: "closed (已办结)",
}


class Channel(StrEnum):
    """How the petition came in."""

    LETTER = "letter"  # 来信
    VISIT = "visit"  # 来访
    ONLINE = "online"  # 网上信访


class Routing(StrEnum):
    """How the petitions office sends a petition to the competent agency."""

    TRANSFER = "transfer"  # 转送
    ASSIGN = "assign"  # 交办


class LegalChannel(StrEnum):
    """The legal channels a petition is diverted to (诉访分离)."""

    LITIGATION = "litigation"  # 诉讼
    RECONSIDERATION = "reconsideration"  # 行政复议
    ARBITRATION = "arbitration"  # 仲裁
    MEDIATION = "mediation"  # 调解


# The case kind a diversion to each channel opens here; arbitration has none.
_CASE_KIND = {
    LegalChannel.LITIGATION: CaseKind.LITIGATION,
    LegalChannel.RECONSIDERATION: CaseKind.RECONSIDERATION,
    LegalChannel.MEDIATION: CaseKind.MEDIATION,
}


class Opinion(StrEnum):
    """The written opinions a petitioner receives, in order."""

    HANDLING = "handling"  # 处理意见
    REVIEW = "review"  # 复查意见
    REREVIEW = "rereview"  # 复核意见


class Satisfaction(StrEnum):
    """The petitioner's evaluation of an opinion."""

    SATISFIED = "satisfied"  # 满意
    BASICALLY_SATISFIED = "basically_satisfied"  # 基本满意
    DISSATISFIED = "dissatisfied"  # 不满意


class MatterConcluded(InvalidTransition):
    """After re-review the matter is final (终结); the same request is not taken again."""

    def __init__(self, state: str, step: str) -> None:
        super().__init__(
            "petition",
            state,
            step,
            "after re-review the same request on the same facts and reasons is not accepted "
            "again, 《信访工作条例》第三十六条",
        )


class AlreadyExtended(InvalidTransition):
    """The handling period may be extended once only (信访工作条例第三十四条)."""


@dataclass(frozen=True)
class Supervision:
    """Backlog supervision (信访积案督查督办): by whom, since when, with what instructions."""

    supervisor: str
    instructions: str
    since: dt.date


def _choice(kind: type[_E], raw: str, field: str) -> _E:
    try:
        return kind(raw)
    except ValueError:
        allowed = ", ".join(member.value for member in kind)
        raise ValidationError(f"{field} '{raw}' is not one of {allowed}", field=field) from None


def _required(value: str, what: str, field: str) -> str:
    if not value.strip():
        raise ValidationError(f"{what} is required", field=field)
    return value.strip()


def _in_english(rule_step: str) -> str:
    """The English half of a rules-table step name, "请求复查 / request review"."""
    return rule_step.rsplit(" / ", maxsplit=1)[-1]


class Petition(CaseFile):
    """A petition from registration through routing, handling, review, re-review and closure."""

    KIND = CaseKind.PETITION
    WHAT = "petition"
    FINAL_STATES = frozenset(
        {PetitionStatus.DIVERTED, PetitionStatus.NOT_ACCEPTED, PetitionStatus.CLOSED}
    )

    def start_blank(self) -> None:
        """Empty state, with the petition's own facts."""
        super().start_blank()
        self.channel: Channel | None = None
        self.received_on: dt.date | None = None
        self.repeats: UUID | None = None  # an earlier petition on the same facts
        self.routing: Routing | None = None
        self.agency: str | None = None  # the competent agency (organisation code)
        self.diverted_to: LegalChannel | None = None
        self.reviewer: str | None = None  # 复查机关
        self.rereviewer: str | None = None  # 复核机关
        self.investigation_notes: list[str] = []
        self.hearings: list[dt.date] = []
        self.opinions: dict[Opinion, str] = {}
        self.evaluations: dict[Opinion, Satisfaction] = {}
        self.supervision: Supervision | None = None

    def status_label(self) -> str:
        """The state in English and Chinese."""
        return _LABELS.get(PetitionStatus(self.status), self.status) if self.status else ""

    # ---- events --------------------------------------------------------------------

    class Registered(CaseFile.Opened):
        """The petitions office received and registered the petition (登记)."""

        channel: str
        received_on: dt.date
        repeats: UUID | None

        def apply(self, aggregate: Petition) -> None:
            """Start a registered petition."""
            super().apply(aggregate)
            aggregate.status = PetitionStatus.REGISTERED
            aggregate.channel = Channel(self.channel)
            aggregate.received_on = self.received_on
            aggregate.repeats = self.repeats

    class Routed(CaseFile.Event):
        """Transferred (转送) or assigned (交办) to the competent agency."""

        DECISION = True

        method: str
        agency: str

        def on(self, case: Petition) -> None:
            case.status = PetitionStatus.ROUTED
            case.routing = Routing(self.method)
            case.agency = self.agency

    class Diverted(CaseFile.Event):
        """Diverted to a legal channel (诉访分离); target is the case opened here, if any."""

        DECISION = True

        channel: str
        target: UUID | None
        note: str

        def on(self, case: Petition) -> None:
            case.status = PetitionStatus.DIVERTED
            case.diverted_to = LegalChannel(self.channel)

    class NotAccepted(CaseFile.Event):
        """The petitioner was told the petition is not accepted (不予受理), and why."""

        DECISION = True

        petitioner_told_on: dt.date

        def on(self, case: Petition) -> None:
            case.status = PetitionStatus.NOT_ACCEPTED

    class Accepted(CaseFile.Event):
        """The competent agency accepted the petition (受理)."""

        DECISION = True

        def on(self, case: Petition) -> None:
            case.status = PetitionStatus.ACCEPTED

    class InvestigationNoted(CaseFile.Event):
        """A note of the investigation (调查核实)."""

        note: str

        def on(self, case: Petition) -> None:
            case.investigation_notes.append(self.note)

    class HearingHeld(CaseFile.Event):
        """A petition hearing was held (信访听证)."""

        held_on: dt.date
        summary: str

        def on(self, case: Petition) -> None:
            case.hearings.append(self.held_on)

    class HandlingExtended(CaseFile.Event):
        """The handling period was extended once, the petitioner told why (延长办理期限)."""

        DECISION = True

        days: int
        petitioner_told_on: dt.date

    class OpinionIssued(CaseFile.Event):
        """The written handling opinion (信访处理意见书), served on the petitioner."""

        DECISION = True

        opinion: str
        served_on: dt.date

        def on(self, case: Petition) -> None:
            case.status = PetitionStatus.ANSWERED
            case.opinions[Opinion.HANDLING] = self.opinion

    class ReviewRequested(CaseFile.Event):
        """The petitioner asked the agency one level up for review (请求复查)."""

        reviewer: str
        requested_on: dt.date

        def on(self, case: Petition) -> None:
            case.status = PetitionStatus.REVIEW_REQUESTED
            case.reviewer = self.reviewer

    class ReviewAnswered(CaseFile.Event):
        """The review opinion (复查意见), served on the petitioner."""

        DECISION = True

        opinion: str
        served_on: dt.date

        def on(self, case: Petition) -> None:
            case.status = PetitionStatus.REVIEWED
            case.opinions[Opinion.REVIEW] = self.opinion

    class RereviewRequested(CaseFile.Event):
        """The petitioner asked the level above the reviewer for re-review (请求复核)."""

        rereviewer: str
        requested_on: dt.date

        def on(self, case: Petition) -> None:
            case.status = PetitionStatus.REREVIEW_REQUESTED
            case.rereviewer = self.rereviewer

    class RereviewAnswered(CaseFile.Event):
        """The re-review opinion (复核意见); the matter is now final (终结)."""

        DECISION = True

        opinion: str
        served_on: dt.date

        def on(self, case: Petition) -> None:
            case.status = PetitionStatus.CONCLUDED
            case.opinions[Opinion.REREVIEW] = self.opinion

    class Evaluated(CaseFile.Event):
        """The petitioner's evaluation of the latest opinion (满意度评价)."""

        opinion_kind: str
        satisfaction: str

        def on(self, case: Petition) -> None:
            case.evaluations[Opinion(self.opinion_kind)] = Satisfaction(self.satisfaction)

    class Closed(CaseFile.Event):
        """The petition was closed (办结); review_waived: the petitioner gave up review."""

        review_waived: bool

        def on(self, case: Petition) -> None:
            case.status = PetitionStatus.CLOSED
            case.supervision = None

    class Supervised(CaseFile.Event):
        """Marked as a backlog case under supervision (信访积案督查督办), with instructions."""

        supervisor: str
        instructions: str

        def on(self, case: Petition) -> None:
            since = china_date(self.timestamp)
            case.supervision = Supervision(self.supervisor, self.instructions, since)

    class SupervisionLifted(CaseFile.Event):
        """Backlog supervision ended (解除督办)."""

        def on(self, case: Petition) -> None:
            case.supervision = None

    # ---- registration --------------------------------------------------------------

    @classmethod
    def register(  # type: ignore[override]  # the base takes any **facts
        cls,
        step: Step,
        *,
        case_id: UUID,
        reference: str,
        title: str,
        organisation: str,
        act: AdministrativeAct | None,
        parties: list[Party] | tuple[Party, ...],
        channel: str,
        received_on: dt.date | None = None,
        repeats: Petition | None = None,
    ) -> Self:
        """Register a petition the petitions office received (来信/来访/网上)."""
        cls.check_role(step, "register a petition", Role.INTAKE)
        received = step.reported_day(received_on, "receivedOn")
        if not any(party.role == PartyRole.APPLICANT for party in parties):
            raise ValidationError("a petition needs the petitioner as applicant", field="parties")
        if repeats is not None and repeats.status == PetitionStatus.CONCLUDED:
            raise MatterConcluded(repeats.status_label(), "be petitioned again")
        return cls.open_case(
            cls.Registered,
            step,
            case_id=case_id,
            reference=reference,
            title=_required(title, "a title", "title"),
            organisation=_required(organisation, "the petitions office", "organisation"),
            act=act,
            parties=tuple(parties),
            deadlines=[step.timekeeper.start("petition.route", received)],
            channel=str(_choice(Channel, channel, "channel")),
            received_on=received,
            repeats=repeats.id if repeats is not None else None,
        )

    # ---- routing (petitions office) and acceptance (competent agency) ---------------

    def route(self, step: Step, *, agency: str, method: str) -> None:
        """Transfer (转送) or assign (交办) the petition to the competent agency."""
        self.check_state("be routed", PetitionStatus.REGISTERED)
        self.check_role(step, "route a petition", Role.INTAKE, Role.APPROVER)
        self.check_holder_approved(step, "route the petition")
        self.record(
            self.Routed,
            step,
            deadlines=[step.timekeeper.start("petition.accept", step.today)],
            ended=["petition.route"],
            method=str(_choice(Routing, method, "method")),
            agency=_required(agency, "the competent agency", "agency"),
        )

    def divert(self, step: Step, channel: str, target: CaseFile, note: str = "") -> None:
        """Divert to a legal channel whose case is opened or linked here (诉访分离)."""
        legal = self._check_divertible(step, channel)
        kind = _CASE_KIND.get(legal)
        if kind is None:
            raise ValidationError(f"{legal} has no case here; divert it outside", field="channel")
        if kind != target.KIND:
            raise ValidationError(
                f"a diversion to {legal} needs a {kind} case, not a {target.KIND}", field="target"
            )
        self._divert(step, legal, target.id, note)

    def divert_outside(self, step: Step, channel: str, note: str) -> None:
        """Divert to a legal channel without a case here (e.g. arbitration), noting where."""
        legal = self._check_divertible(step, channel)
        self._divert(step, legal, None, _required(note, "where it was diverted", "note"))

    def decline(self, step: Step, *, told_on: dt.date | None = None) -> None:
        """Tell the petitioner it is not accepted (不予受理), with the reason."""
        self.check_state("be declined", PetitionStatus.REGISTERED, PetitionStatus.ROUTED)
        self.check_role(step, "decline a petition", Role.INTAKE, Role.HANDLER, Role.APPROVER)
        self.check_holder_approved(step, "decline the petition")
        self.check_reason(step, "decline the petition")
        self.record(
            self.NotAccepted,
            step,
            ended=self.all_clocks(),
            petitioner_told_on=step.reported_day(told_on, "toldOn"),
        )

    def accept(self, step: Step) -> None:
        """The competent agency accepts the petition (受理); handling starts."""
        self.check_state("be accepted", PetitionStatus.ROUTED)
        self.check_role(step, "accept a petition", Role.HANDLER, Role.APPROVER)
        self.check_holder_approved(step, "accept the petition")
        self.record(
            self.Accepted,
            step,
            deadlines=[step.timekeeper.start("petition.handle", step.today)],
            ended=["petition.accept"],
        )

    # ---- handling --------------------------------------------------------------------

    def note_investigation(self, step: Step, note: str) -> None:
        """Record a note of the investigation."""
        self.check_state("be investigated", PetitionStatus.ACCEPTED)
        self.check_role(step, "investigate a petition", Role.HANDLER)
        self.check_holder(step, "investigate the petition")
        self.record(self.InvestigationNoted, step, note=_required(note, "a note", "note"))

    def record_hearing(self, step: Step, summary: str, *, held_on: dt.date | None = None) -> None:
        """Record a petition hearing (信访听证) held during handling."""
        self.check_state("have a hearing", PetitionStatus.ACCEPTED)
        self.check_role(step, "record a hearing", Role.HANDLER)
        self.check_holder(step, "hold the hearing")
        self.record(
            self.HearingHeld,
            step,
            held_on=step.reported_day(held_on, "heldOn"),
            summary=_required(summary, "a summary of the hearing", "summary"),
        )

    def extend_handling(self, step: Step, days: int, *, told_on: dt.date | None = None) -> None:
        """Extend handling once, by at most 30 days, with the agency head's approval."""
        name = "have its handling period extended"
        self.check_state(name, PetitionStatus.ACCEPTED)
        self.check_role(step, "extend handling", Role.HANDLER, Role.APPROVER)
        self.check_holder_approved(step, "extend handling")
        self.check_reason(step, "extend handling")
        deadline = self.check_running("petition.handle", name)
        if deadline.extended_by:
            raise AlreadyExtended(
                self.WHAT,
                self.status_label(),
                "have its handling period extended again",
                f"it was extended by {deadline.extended_by} days already, and may be extended "
                f"once only, {deadline.legal_basis}",
            )
        self.record(
            self.HandlingExtended,
            step,
            deadlines=[step.timekeeper.extend(deadline, days)],
            days=days,
            petitioner_told_on=step.reported_day(told_on, "toldOn"),
        )

    def issue_opinion(self, step: Step, opinion: str, *, served_on: dt.date | None = None) -> None:
        """Issue the written handling opinion; the review window runs from its service."""
        self.check_state("be answered", PetitionStatus.ACCEPTED)
        self.check_role(step, "issue a handling opinion", Role.HANDLER, Role.APPROVER)
        self.check_holder_approved(step, "issue the handling opinion")
        served = step.reported_day(served_on, "servedOn")
        self.record(
            self.OpinionIssued,
            step,
            deadlines=[step.timekeeper.start("petition.review.request", served)],
            ended=["petition.handle"],
            opinion=_required(opinion, "the opinion", "opinion"),
            served_on=served,
        )

    # ---- review (复查) and re-review (复核) -------------------------------------------

    def request_review(
        self, step: Step, *, reviewer: str, requested_on: dt.date | None = None
    ) -> None:
        """Record the petitioner's request for review by the agency one level up."""
        name = "be reviewed"
        self._check_request(step, name, PetitionStatus.ANSWERED)
        reviewer = _required(reviewer, "the reviewing agency", "reviewer")
        if reviewer == self.agency:
            raise ValidationError(
                "review is by the agency one level up, not the one that handled it",
                field="reviewer",
            )
        requested = self._check_in_window(step, "petition.review.request", requested_on, name)
        self.record(
            self.ReviewRequested,
            step,
            deadlines=[step.timekeeper.start("petition.review.answer", requested)],
            ended=["petition.review.request"],
            reviewer=reviewer,
            requested_on=requested,
        )

    def answer_review(self, step: Step, opinion: str, *, served_on: dt.date | None = None) -> None:
        """The reviewing agency's written review opinion; the re-review window opens."""
        self.check_state("have its review answered", PetitionStatus.REVIEW_REQUESTED)
        self.check_role(step, "answer a review", Role.HANDLER, Role.APPROVER)
        self.check_holder_approved(step, "answer the review")
        served = step.reported_day(served_on, "servedOn")
        self.record(
            self.ReviewAnswered,
            step,
            deadlines=[step.timekeeper.start("petition.rereview.request", served)],
            ended=["petition.review.answer"],
            opinion=_required(opinion, "the opinion", "opinion"),
            served_on=served,
        )

    def request_rereview(
        self, step: Step, *, rereviewer: str, requested_on: dt.date | None = None
    ) -> None:
        """Record the petitioner's request for re-review by the level above the reviewer."""
        name = "be re-reviewed"
        self._check_request(step, name, PetitionStatus.REVIEWED)
        rereviewer = _required(rereviewer, "the re-reviewing agency", "rereviewer")
        if rereviewer in (self.agency, self.reviewer):
            raise ValidationError(
                "re-review is by the level above the reviewer, not an agency that already "
                "handled or reviewed it",
                field="rereviewer",
            )
        requested = self._check_in_window(step, "petition.rereview.request", requested_on, name)
        self.record(
            self.RereviewRequested,
            step,
            deadlines=[step.timekeeper.start("petition.rereview.answer", requested)],
            ended=["petition.rereview.request"],
            rereviewer=rereviewer,
            requested_on=requested,
        )

    def answer_rereview(
        self, step: Step, opinion: str, *, served_on: dt.date | None = None
    ) -> None:
        """The re-review opinion; the matter is final (终结)."""
        self.check_state("have its re-review answered", PetitionStatus.REREVIEW_REQUESTED)
        self.check_role(step, "answer a re-review", Role.HANDLER, Role.APPROVER)
        self.check_holder_approved(step, "answer the re-review")
        self.record(
            self.RereviewAnswered,
            step,
            ended=["petition.rereview.answer"],
            opinion=_required(opinion, "the opinion", "opinion"),
            served_on=step.reported_day(served_on, "servedOn"),
        )

    # ---- evaluation, closure, supervision --------------------------------------------

    def evaluate(self, step: Step, satisfaction: str) -> None:
        """Record the petitioner's evaluation (满意/基本满意/不满意) of the latest opinion."""
        self.check_state(
            "be evaluated",
            PetitionStatus.ANSWERED,
            PetitionStatus.REVIEW_REQUESTED,
            PetitionStatus.REVIEWED,
            PetitionStatus.REREVIEW_REQUESTED,
            PetitionStatus.CONCLUDED,
        )
        self.check_role(step, "record an evaluation", Role.INTAKE, Role.HANDLER)
        opinion = self.latest_opinion
        if opinion in self.evaluations:
            raise InvalidTransition(
                self.WHAT,
                self.status_label(),
                "be evaluated again",
                f"the {opinion} opinion was evaluated already: {self.evaluations[opinion]}",
            )
        self.record(
            self.Evaluated,
            step,
            opinion_kind=str(opinion),
            satisfaction=str(_choice(Satisfaction, satisfaction, "satisfaction")),
        )

    def close(self, step: Step, *, review_waived: bool = False) -> None:
        """Close the petition once no review can follow (lapsed, waived, or concluded)."""
        name = "be closed"
        self.check_state(
            name, PetitionStatus.ANSWERED, PetitionStatus.REVIEWED, PetitionStatus.CONCLUDED
        )
        self.check_role(step, "close a petition", Role.INTAKE, Role.HANDLER)
        window = self._request_window()
        if window is not None and not review_waived:
            deadline = self.check_running(window, name)
            if step.today <= deadline.due_on:
                raise InvalidTransition(
                    self.WHAT,
                    self.status_label(),
                    name,
                    f"the petitioner may still {_in_english(deadline.step)} until "
                    f"{deadline.due_on.isoformat()}; close after that, or record that they "
                    "waived it",
                )
        self.record(self.Closed, step, ended=self.all_clocks(), review_waived=review_waived)

    def supervise(self, step: Step, *, supervisor: str, instructions: str) -> None:
        """Mark as a backlog case supervised by an organisation, with instructions (督查督办)."""
        self.check_not_final("be supervised")
        self.check_role(step, "supervise a petition", Role.INTAKE, Role.APPROVER)
        self.record(
            self.Supervised,
            step,
            supervisor=_required(supervisor, "the supervising organisation", "supervisor"),
            instructions=_required(instructions, "the instructions", "instructions"),
        )

    def lift_supervision(self, step: Step) -> None:
        """End backlog supervision, with the reason."""
        name = "have its supervision lifted"
        self.check_not_final(name)
        if self.supervision is None:
            raise InvalidTransition(self.WHAT, self.status_label(), name, "it is not supervised")
        self.check_role(step, "lift supervision", Role.INTAKE, Role.APPROVER)
        self.check_reason(step, "lift supervision")
        self.record(self.SupervisionLifted, step)

    # ---- what the commands check -----------------------------------------------------

    @property
    def holder(self) -> str:
        """The organisation that holds the petition now and takes its next decision."""
        holders = {
            PetitionStatus.REGISTERED: self.organisation,
            PetitionStatus.REVIEW_REQUESTED: self.reviewer,
            PetitionStatus.REREVIEW_REQUESTED: self.rereviewer,
        }
        return holders.get(PetitionStatus(self.status), self.agency) or self.organisation

    @property
    def latest_opinion(self) -> Opinion:
        """The last written opinion the petitioner received."""
        return list(self.opinions)[-1]

    def check_holder(self, step: Step, step_name: str) -> None:
        """Only staff of the organisation holding the petition take its steps."""
        if step.actor.role != Role.ADMIN and step.actor.organisation != self.holder:
            raise Forbidden(
                f"{step.actor.id} works for {step.actor.organisation}; only {self.holder}, "
                f"which holds the petition, may {step_name}"
            )

    def check_holder_approved(self, step: Step, step_name: str) -> Actor:
        """The holder's staff act, and a head (负责人) of the holder approves."""
        self.check_holder(step, step_name)
        approver = self.check_approved(step, step_name)
        if approver.organisation != self.holder:
            raise Forbidden(
                f"{approver.id} is an approver of {approver.organisation}, not of {self.holder}, "
                f"which must approve to {step_name}"
            )
        return approver

    def _check_divertible(self, step: Step, channel: str) -> LegalChannel:
        self.check_state("be diverted", PetitionStatus.REGISTERED, PetitionStatus.ROUTED)
        self.check_role(step, "divert a petition", Role.INTAKE, Role.HANDLER, Role.APPROVER)
        self.check_holder_approved(step, "divert the petition")
        return _choice(LegalChannel, channel, "channel")

    def _divert(self, step: Step, channel: LegalChannel, target: UUID | None, note: str) -> None:
        self.record(
            self.Diverted,
            step,
            ended=self.all_clocks(),
            channel=str(channel),
            target=target,
            note=note.strip(),
        )

    def _check_request(self, step: Step, name: str, allowed: PetitionStatus) -> None:
        if self.status == PetitionStatus.CONCLUDED:
            raise MatterConcluded(self.status_label(), name)
        self.check_state(name, allowed)
        self.check_role(step, "record a request", Role.INTAKE, Role.HANDLER)

    def _check_in_window(
        self, step: Step, rule_id: str, requested_on: dt.date | None, name: str
    ) -> dt.date:
        """The request date, refused when it is outside the petitioner's window."""
        window = self.check_running(rule_id, name)
        requested = step.reported_day(requested_on, "requestedOn")
        if requested < window.started_on:
            raise ValidationError(
                f"a request on {requested} comes before the opinion was received on "
                f"{window.started_on}",
                field="requestedOn",
            )
        if requested > window.due_on:
            raise ValidationError(
                f"the request of {requested} is too late: the {window.length}-day period to "
                f"{_in_english(window.step)} ({rule_id}, {window.legal_basis}) ended on "
                f"{window.due_on.isoformat()}",
                field="requestedOn",
            )
        return requested

    def _request_window(self) -> str | None:
        """The petitioner's request window the case waits on before it may close, if any."""
        return {
            PetitionStatus.ANSWERED: "petition.review.request",
            PetitionStatus.REVIEWED: "petition.rereview.request",
        }.get(PetitionStatus(self.status))
