"""Administrative reconsideration (行政复议) under the 行政复议法 (2023 revision)."""

from __future__ import annotations

import dataclasses
import datetime as dt
from collections.abc import Iterable
from decimal import Decimal
from enum import StrEnum
from typing import Any, Self
from uuid import UUID

from domain.actors import Actor, Role
from domain.case import CaseFile
from domain.deadlines import Deadline
from domain.errors import Forbidden, InvalidTransition, SeparationOfDuties, ValidationError
from domain.rules import Variant
from domain.step import Step
from domain.values import AdministrativeAct, CaseKind, Party, PartyRole

APPLY = "reconsideration.apply"
ADMISSION = "reconsideration.admission"
CORRECTION = "reconsideration.correction"
COPY = "reconsideration.copy_to_respondent"
REPLY = "reconsideration.reply"
DECISION = "reconsideration.decision"
OPINION_REPORT = "reconsideration.opinion_report"


class ReconsiderationStatus(StrEnum):
    """Where a reconsideration stands."""

    RECEIVED = "received"  # 已收到申请, under admission review (受理审查)
    AWAITING_CORRECTION = "awaiting_correction"  # 待补正
    ACCEPTED = "accepted"  # 已受理, copy not yet sent to the respondent
    AWAITING_REPLY = "awaiting_reply"  # 待被申请人答复
    UNDER_REVIEW = "under_review"  # 审理中
    SUSPENDED = "suspended"  # 中止
    DECIDED = "decided"  # 已作出复议决定: service, performance, opinion letters
    CLOSED = "closed"  # 结案
    REFUSED = "refused"  # 不予受理
    WITHDRAWN = "withdrawn"  # 撤回, or treated as withdrawn when a correction lapses
    RESOLVED_BEFORE_FILING = "resolved_before_filing"  # 案前化解
    SETTLED = "settled"  # 调解 / 和解
    TERMINATED = "terminated"  # 终止


S = ReconsiderationStatus
BEFORE_ADMISSION = (S.RECEIVED, S.AWAITING_CORRECTION)
IN_REVIEW = (S.ACCEPTED, S.AWAITING_REPLY, S.UNDER_REVIEW)
_LABELS = {
    S.RECEIVED: "awaiting admission review",
    S.AWAITING_REPLY: "awaiting the respondent's reply",
}


class SimplifiedGround(StrEnum):
    """The statutory grounds for the simplified procedure (简易程序, 第五十三条)."""

    ON_THE_SPOT = "on_the_spot"  # 当场作出的行政行为
    WARNING = "warning"  # 警告或者通报批评
    SMALL_AMOUNT = "small_amount"  # 案件涉及款额三千元以下
    INFORMATION_DISCLOSURE = "information_disclosure"  # 政府信息公开
    PARTIES_AGREE = "parties_agree"  # 当事人各方同意适用简易程序


class DecisionType(StrEnum):
    """The kinds of reconsideration decision (第六十三条至第六十九条)."""

    CHANGE = "change"  # 变更
    REVOKE = "revoke"  # 撤销 (in whole or in part, optionally ordering a new act)
    CONFIRM_ILLEGAL = "confirm_illegal"  # 确认违法
    ORDER_PERFORMANCE = "order_performance"  # 责令履行
    CONFIRM_VOID = "confirm_void"  # 确认无效
    UPHOLD = "uphold"  # 维持
    REJECT = "reject"  # 驳回行政复议请求


# The decisions that correct the agency (纠错), counted in the annual correction rate.
CORRECTING = frozenset(
    {
        DecisionType.CHANGE,
        DecisionType.REVOKE,
        DecisionType.CONFIRM_ILLEGAL,
        DecisionType.ORDER_PERFORMANCE,
        DecisionType.CONFIRM_VOID,
    }
)


class Settlement(StrEnum):
    """How the parties ended the case themselves."""

    MEDIATION = "mediation"  # 调解, a mediation agreement (调解书), 第七十三条
    SETTLEMENT = "settlement"  # 和解, 第七十四条


class Performance(StrEnum):
    """Where the respondent's performance of the decision stands."""

    ORDERED = "ordered"  # 责令限期履行 after it did not perform, 第七十七条
    PERFORMED = "performed"  # 已履行


@dataclasses.dataclass(frozen=True)
class Hearing:
    """One hearing of the parties (听取意见) or formal hearing (听证)."""

    formal: bool
    held_on: dt.date
    summary: str


class ApplicationOutOfTime(ValidationError):
    """An application filed after its period; accepted only with a justification (正当理由)."""


class ExtensionAlreadyGranted(InvalidTransition):
    """The decision deadline may be extended once only (第六十二条第一款)."""


def _required(value: str, what: str, field: str) -> str:
    if not value.strip():
        raise ValidationError(f"{what} is required", field=field)
    return value.strip()


def _texts(values: Iterable[str]) -> tuple[str, ...]:
    return tuple(v.strip() for v in values if v.strip())


class ReconsiderationCase(CaseFile):
    """A reconsideration from the application to its decision, performance and closure."""

    KIND = CaseKind.RECONSIDERATION
    WHAT = "reconsideration"
    FINAL_STATES = frozenset(
        {S.CLOSED, S.REFUSED, S.WITHDRAWN, S.RESOLVED_BEFORE_FILING, S.SETTLED, S.TERMINATED}
    )

    def start_blank(self) -> None:
        """Empty state, with the reconsideration's own facts."""
        super().start_blank()
        self.knew_on: dt.date | None = None
        self.received_on: dt.date | None = None
        self.application_deadline: Deadline | None = None
        self.filed_in_time = True
        self.pre_filing_resolutions: list[str] = []
        self.correction_items: list[str] = []
        self.admission_reviewers: list[Actor] = []
        self.procedure: Variant | None = None
        self.simplified_ground: SimplifiedGround | None = None
        self.late_justification: str | None = None
        self.accepted_on: dt.date | None = None
        self.switched_to_ordinary_on: dt.date | None = None
        self.copy_sent_on: dt.date | None = None
        self.reply_received_on: dt.date | None = None
        self.reply_on_time: bool | None = None
        self.reply_evidence: list[str] = []
        self.reply_legal_bases: list[str] = []
        self.hearing_officer: Actor | None = None
        self.hearings: list[Hearing] = []
        self.committee_opinions: list[str] = []
        self.resume_to: str | None = None
        self.suspended_since: dt.date | None = None
        self.suspended_days = 0
        self.deemed_withdrawn = False
        self.settlement: Settlement | None = None
        self.settlement_terms: str | None = None
        self.decision: DecisionType | None = None
        self.decided_on: dt.date | None = None
        self.decision_due_on: dt.date | None = None
        self.revoked_in_part = False
        self.orders_new_act = False
        self.compensation: Decimal | None = None
        self.mediation_agreement: str | None = None
        self.served_on: dt.date | None = None
        self.performance: Performance | None = None
        self.perform_by: dt.date | None = None
        self.performed_on: dt.date | None = None
        self.opinion_letters: list[str] = []
        self.opinion_reports: list[str] = []

    def status_label(self) -> str:
        """The state in words, as error messages show it."""
        return _LABELS.get(S(self.status), self.status.replace("_", " ")) if self.status else ""

    @property
    def admission_reviewer(self) -> Actor | None:
        """Who decided on admission (受理审查); never the hearing officer (立审分离)."""
        return self.admission_reviewers[-1] if self.admission_reviewers else None

    @property
    def corrected(self) -> bool:
        """Whether the decision corrected the agency (纠错)."""
        return self.decision in CORRECTING

    # ---- events --------------------------------------------------------------------

    class Registered(CaseFile.Opened):
        """The application was received and registered (收到行政复议申请)."""

        knew_on: dt.date
        received_on: dt.date
        application_deadline: Deadline
        filed_in_time: bool

        def apply(self, aggregate: Any) -> None:
            """Start a case under admission review."""
            super().apply(aggregate)
            aggregate.status = S.RECEIVED
            aggregate.knew_on = self.knew_on
            aggregate.received_on = self.received_on
            aggregate.application_deadline = self.application_deadline
            aggregate.filed_in_time = self.filed_in_time

    class PreFilingResolutionRecorded(CaseFile.Event):
        """An attempt to resolve the dispute before filing (案前化解); success ends the case."""

        resolved: bool
        summary: str

        def on(self, case: ReconsiderationCase) -> None:
            case.pre_filing_resolutions.append(self.summary)
            if self.resolved:
                case.status = S.RESOLVED_BEFORE_FILING

    class CorrectionRequested(CaseFile.Event):
        """The applicant was told, all at once, what to correct (补正通知)."""

        DECISION = True

        reviewer: Actor
        items: tuple[str, ...]

        def on(self, case: ReconsiderationCase) -> None:
            case.admission_reviewers.append(self.reviewer)
            case.correction_items = list(self.items)
            case.status = S.AWAITING_CORRECTION

    class CorrectionReceived(CaseFile.Event):
        """The corrected application arrived; admission review starts again."""

        received_on: dt.date

        def on(self, case: ReconsiderationCase) -> None:
            case.status = S.RECEIVED

    class CorrectionLapsed(CaseFile.Event):
        """No correction by the due date: the application is treated as withdrawn (视为放弃)."""

        def on(self, case: ReconsiderationCase) -> None:
            case.deemed_withdrawn = True
            case.status = S.WITHDRAWN

    class Accepted(CaseFile.Event):
        """The application was accepted (受理) under the ordinary or simplified procedure."""

        DECISION = True

        reviewer: Actor
        accepted_on: dt.date
        procedure: str
        simplified_ground: str | None
        late_justification: str | None

        def on(self, case: ReconsiderationCase) -> None:
            case.admission_reviewers.append(self.reviewer)
            case.accepted_on = self.accepted_on
            case.procedure = Variant(self.procedure)
            case.simplified_ground = (
                SimplifiedGround(self.simplified_ground) if self.simplified_ground else None
            )
            case.late_justification = self.late_justification
            case.status = S.ACCEPTED

    class Refused(CaseFile.Event):
        """The application was not accepted (不予受理), with reasons."""

        DECISION = True

        reviewer: Actor

        def on(self, case: ReconsiderationCase) -> None:
            case.admission_reviewers.append(self.reviewer)
            case.status = S.REFUSED

    class SwitchedToOrdinary(CaseFile.Event):
        """A simplified case moved to the ordinary procedure (简易程序转普通程序)."""

        DECISION = True

        switched_on: dt.date

        def on(self, case: ReconsiderationCase) -> None:
            case.procedure = Variant.ORDINARY
            case.switched_to_ordinary_on = self.switched_on

    class CopySent(CaseFile.Event):
        """The application (or the record of an oral one) was sent to the respondent."""

        sent_on: dt.date
        respondent_received_on: dt.date

        def on(self, case: ReconsiderationCase) -> None:
            case.copy_sent_on = self.sent_on
            case.status = S.AWAITING_REPLY

    class ReplyReceived(CaseFile.Event):
        """The respondent's written reply with its evidence and legal basis arrived (答复)."""

        received_on: dt.date
        evidence: tuple[str, ...]
        legal_bases: tuple[str, ...]
        on_time: bool

        def on(self, case: ReconsiderationCase) -> None:
            case.reply_received_on = self.received_on
            case.reply_evidence = list(self.evidence)
            case.reply_legal_bases = list(self.legal_bases)
            case.reply_on_time = self.on_time
            case.status = S.UNDER_REVIEW

    class HearingOfficerAssigned(CaseFile.Event):
        """A hearing officer (审理人员) took charge of the case."""

        officer: Actor

        def on(self, case: ReconsiderationCase) -> None:
            case.hearing_officer = self.officer

    class PartiesHeard(CaseFile.Event):
        """The parties' views were heard (听取意见), in person, online or by phone."""

        held_on: dt.date
        summary: str

        def on(self, case: ReconsiderationCase) -> None:
            case.hearings.append(Hearing(False, self.held_on, self.summary))

    class HearingHeld(CaseFile.Event):
        """A formal hearing (听证) was held for a major or complex case."""

        held_on: dt.date
        summary: str

        def on(self, case: ReconsiderationCase) -> None:
            case.hearings.append(Hearing(True, self.held_on, self.summary))

    class CommitteeConsulted(CaseFile.Event):
        """The reconsideration committee (行政复议委员会) gave its consultative opinion."""

        consulted_on: dt.date
        opinion: str

        def on(self, case: ReconsiderationCase) -> None:
            case.committee_opinions.append(self.opinion)

    class Settled(CaseFile.Event):
        """Mediation (调解书) or settlement (和解) ended the case."""

        settlement: str
        terms: str

        def on(self, case: ReconsiderationCase) -> None:
            case.settlement = Settlement(self.settlement)
            case.settlement_terms = self.terms
            case.status = S.SETTLED

    class Withdrawn(CaseFile.Event):
        """The applicant withdrew the application (撤回)."""

        def on(self, case: ReconsiderationCase) -> None:
            case.status = S.WITHDRAWN

    class Suspended(CaseFile.Event):
        """The reconsideration was suspended (中止); every running clock stopped."""

        DECISION = True

        suspended_on: dt.date

        def on(self, case: ReconsiderationCase) -> None:
            case.resume_to = case.status
            case.suspended_since = self.suspended_on
            case.status = S.SUSPENDED

    class Resumed(CaseFile.Event):
        """The reconsideration resumed (恢复); clocks continue with the days they had left."""

        DECISION = True

        resumed_on: dt.date

        def on(self, case: ReconsiderationCase) -> None:
            assert case.resume_to is not None
            assert case.suspended_since is not None
            case.suspended_days += (self.resumed_on - case.suspended_since).days
            case.status = case.resume_to
            case.resume_to = None
            case.suspended_since = None

    class Terminated(CaseFile.Event):
        """The reconsideration was terminated (终止)."""

        DECISION = True

        def on(self, case: ReconsiderationCase) -> None:
            case.status = S.TERMINATED

    class DecisionDeadlineExtended(CaseFile.Event):
        """The decision deadline was extended (延长), approved by the office head."""

        DECISION = True

        days: int

    class Decided(CaseFile.Event):
        """The reconsideration decision (行政复议决定) was made and approved."""

        DECISION = True

        decision: str
        decided_on: dt.date
        due_on: dt.date
        in_part: bool
        orders_new_act: bool
        compensation: str | None
        mediation_agreement: str | None

        def on(self, case: ReconsiderationCase) -> None:
            case.decision = DecisionType(self.decision)
            case.decided_on = self.decided_on
            case.decision_due_on = self.due_on
            case.revoked_in_part = self.in_part
            case.orders_new_act = self.orders_new_act
            case.compensation = Decimal(self.compensation) if self.compensation else None
            case.mediation_agreement = self.mediation_agreement
            case.status = S.DECIDED

    class DecisionServed(CaseFile.Event):
        """The decision was served on the parties (送达)."""

        served_on: dt.date

        def on(self, case: ReconsiderationCase) -> None:
            case.served_on = self.served_on

    class PerformanceOrdered(CaseFile.Event):
        """The respondent did not perform; it was ordered to perform by a date (责令履行)."""

        perform_by: dt.date

        def on(self, case: ReconsiderationCase) -> None:
            case.performance = Performance.ORDERED
            case.perform_by = self.perform_by

    class PerformanceRecorded(CaseFile.Event):
        """The respondent performed the decision (履行)."""

        performed_on: dt.date
        summary: str

        def on(self, case: ReconsiderationCase) -> None:
            case.performance = Performance.PERFORMED
            case.performed_on = self.performed_on

    class OpinionLetterIssued(CaseFile.Event):
        """An opinion letter (行政复议意见书) went to the respondent, which must report back."""

        received_on: dt.date
        issues: str

        def on(self, case: ReconsiderationCase) -> None:
            case.opinion_letters.append(self.issues)

    class OpinionReportReceived(CaseFile.Event):
        """The respondent reported how it corrected what the opinion letter named."""

        received_on: dt.date
        summary: str

        def on(self, case: ReconsiderationCase) -> None:
            case.opinion_reports.append(self.summary)

    class Closed(CaseFile.Event):
        """The case was closed (结案)."""

        def on(self, case: ReconsiderationCase) -> None:
            case.status = S.CLOSED

    # ---- checks --------------------------------------------------------------------

    @staticmethod
    def check_legal_basis(step: Step, step_name: str) -> None:
        """Refuse a step that must cite its legal basis without one."""
        if not step.legal_basis.strip():
            raise ValidationError(f"to {step_name} needs a legal basis", field="legalBasis")

    @staticmethod
    def check_simplified_ground(procedure: Variant, ground: SimplifiedGround | None) -> None:
        """The simplified procedure needs its statutory ground; the ordinary one takes none."""
        if procedure == Variant.SIMPLIFIED and ground is None:
            grounds = ", ".join(g.value for g in SimplifiedGround)
            raise ValidationError(
                f"the simplified procedure (简易程序) needs its statutory ground: {grounds}",
                field="simplifiedGround",
            )
        if procedure == Variant.ORDINARY and ground is not None:
            raise ValidationError(
                "a simplified-procedure ground applies only to the simplified procedure",
                field="simplifiedGround",
            )

    def check_in_time_or_justified(self, late_justification: str) -> None:
        """An application filed out of time is accepted only with a justification (正当理由)."""
        if self.filed_in_time or late_justification.strip():
            return
        deadline = self.application_deadline
        assert deadline is not None
        raise ApplicationOutOfTime(
            f"the application was received on {self.received_on}, after the application "
            f"period ended on {deadline.due_on} ({deadline.legal_basis}); accept it only with "
            "the justification (正当理由) for the delay, or refuse it",
            field="lateJustification",
        )

    def check_not_admission_reviewer(self, officer: Actor) -> None:
        """The admission reviewer may not hear the same case (立审分离)."""
        if any(reviewer.id == officer.id for reviewer in self.admission_reviewers):
            raise SeparationOfDuties(
                f"{officer.id} reviewed this application for admission and may not be its "
                "hearing officer (立审分离: filing and hearing are kept apart)"
            )

    def check_hearing_officer(self, step: Step, step_name: str) -> None:
        """Only the case's assigned hearing officer takes hearing steps."""
        self.check_role(step, step_name, Role.HEARING_OFFICER)
        officer = self.hearing_officer
        if officer is None:
            raise InvalidTransition(
                self.WHAT, self.status_label(), step_name, "no hearing officer is assigned"
            )
        if officer.id != step.actor.id:
            raise Forbidden(f"only the case's hearing officer {officer.id} may {step_name}")

    def check_served(self, step_name: str) -> dt.date:
        """The date the decision was served; steps after service need it."""
        if self.served_on is None:
            raise InvalidTransition(
                self.WHAT, self.status_label(), step_name, "the decision has not been served"
            )
        return self.served_on

    # ---- registration and admission ------------------------------------------------

    @classmethod
    def register(  # type: ignore[override]  # the base takes any **facts
        cls,
        step: Step,
        *,
        case_id: UUID,
        reference: str,
        title: str,
        organisation: str,
        act: AdministrativeAct,
        parties: Iterable[Party],
        knew_on: dt.date,
        received_on: dt.date | None = None,
        statutory_period_days: int | None = None,
    ) -> Self:
        """Register an application (申请) received by the reconsideration body."""
        cls.check_role(step, "register a reconsideration application", Role.INTAKE, Role.HANDLER)
        _required(title, "a title", "title")
        _required(organisation, "the reconsideration body", "organisation")
        received = step.reported_day(received_on, "receivedOn", knew_on)
        if knew_on < act.date:
            raise ValidationError(
                f"knewOn {knew_on} is before the act was taken on {act.date}", field="knewOn"
            )
        people = cls.with_respondent(list(parties), act)
        keeper = step.timekeeper
        if statutory_period_days is None:
            period = keeper.start(APPLY, knew_on)
        elif statutory_period_days <= keeper.rules.get(APPLY).length:
            raise ValidationError(
                "a statutory application period replaces the 60-day period only when longer",
                field="statutoryPeriodDays",
            )
        else:
            period = keeper.start_with_length(APPLY, knew_on, statutory_period_days)
        return cls.open_case(
            cls.Registered,
            step,
            case_id=case_id,
            reference=reference,
            title=title.strip(),
            organisation=organisation.strip(),
            act=act,
            parties=tuple(people),
            deadlines=[keeper.start(ADMISSION, received)],
            knew_on=knew_on,
            received_on=received,
            application_deadline=period,
            filed_in_time=received <= period.due_on,
        )

    @staticmethod
    def with_respondent(parties: list[Party], act: AdministrativeAct) -> list[Party]:
        """The parties with the agency that took the act as respondent (被申请人)."""
        if not any(p.role == PartyRole.APPLICANT for p in parties):
            raise ValidationError("a reconsideration needs an applicant", field="parties")
        respondents = [p for p in parties if p.role == PartyRole.RESPONDENT]
        if not respondents:
            return [*parties, Party(act.agency, PartyRole.RESPONDENT)]
        if [p.name.strip() for p in respondents] != [act.agency.strip()]:
            raise ValidationError(
                f"the respondent is the agency that took the act, {act.agency}", field="parties"
            )
        return parties

    def record_pre_filing_resolution(self, step: Step, *, resolved: bool, summary: str) -> None:
        """Record an attempt to resolve the dispute before filing (案前化解)."""
        self.check_state("have a pre-filing resolution recorded", *BEFORE_ADMISSION)
        self.check_role(step, "record a pre-filing resolution", Role.HANDLER)
        text = _required(summary, "a summary of the resolution", "summary")
        ended = self.all_clocks() if resolved else ()
        self.record(
            self.PreFilingResolutionRecorded, step, ended=ended, resolved=resolved, summary=text
        )

    def request_correction(self, step: Step, *, items: Iterable[str]) -> None:
        """Ask the applicant to correct the application (补正), listing everything at once."""
        self.check_state("have a correction requested", S.RECEIVED)
        self.check_role(step, "review an application for admission", Role.HANDLER)
        if self.correction_items:
            raise InvalidTransition(
                self.WHAT,
                self.status_label(),
                "have a correction requested",
                "a correction was already requested; the notice lists everything at once "
                "(一次性告知, 第三十一条)",
            )
        listed = _texts(items)
        if not listed:
            raise ValidationError("name what the applicant must correct", field="items")
        self.record(
            self.CorrectionRequested,
            step,
            deadlines=[step.timekeeper.start(CORRECTION, step.today)],
            ended=[ADMISSION],
            reviewer=step.actor,
            items=listed,
        )

    def receive_correction(self, step: Step, *, received_on: dt.date | None = None) -> None:
        """Record the corrected application; admission review starts again."""
        self.check_state("receive a correction", S.AWAITING_CORRECTION)
        self.check_role(step, "receive a correction", Role.INTAKE, Role.HANDLER)
        deadline = self.check_running(CORRECTION, "receive a correction")
        received = step.reported_day(received_on, "receivedOn", deadline.started_on)
        if received > deadline.due_on and not step.reason.strip():
            raise ValidationError(
                f"the correction was due on {deadline.due_on}; a late correction needs the "
                "justification (正当理由) as the reason",
                field="reason",
            )
        self.record(
            self.CorrectionReceived,
            step,
            deadlines=[step.timekeeper.start(ADMISSION, received)],
            ended=[CORRECTION],
            received_on=received,
        )

    def lapse_correction(self, step: Step) -> None:
        """Treat the application as withdrawn: the correction period passed without one."""
        self.check_state("be treated as withdrawn", S.AWAITING_CORRECTION)
        self.check_role(step, "treat an application as withdrawn", Role.HANDLER)
        deadline = self.check_running(CORRECTION, "be treated as withdrawn")
        if step.today <= deadline.due_on:
            raise InvalidTransition(
                self.WHAT,
                self.status_label(),
                "be treated as withdrawn",
                f"the correction is due on {deadline.due_on}; it lapses only after that day",
            )
        self.record(self.CorrectionLapsed, step, ended=self.all_clocks())

    def accept(
        self,
        step: Step,
        *,
        procedure: Variant = Variant.ORDINARY,
        simplified_ground: SimplifiedGround | None = None,
        late_justification: str = "",
    ) -> None:
        """Accept the application (受理) under the ordinary or simplified procedure."""
        self.check_state("be accepted", S.RECEIVED)
        self.check_role(step, "review an application for admission", Role.HANDLER)
        procedure = Variant(procedure)
        ground = SimplifiedGround(simplified_ground) if simplified_ground else None
        self.check_simplified_ground(procedure, ground)
        self.check_in_time_or_justified(late_justification)
        keeper = step.timekeeper
        self.record(
            self.Accepted,
            step,
            deadlines=[
                keeper.start(COPY, step.today, procedure),
                keeper.start(DECISION, step.today, procedure),
            ],
            ended=[ADMISSION],
            reviewer=step.actor,
            accepted_on=step.today,
            procedure=str(procedure),
            simplified_ground=str(ground) if ground else None,
            late_justification=late_justification.strip() or None,
        )

    def refuse(self, step: Step) -> None:
        """Refuse the application (不予受理), with reasons and legal basis."""
        self.check_state("be refused", S.RECEIVED)
        self.check_role(step, "review an application for admission", Role.HANDLER)
        self.check_reason(step, "refuse an application")
        self.check_legal_basis(step, "refuse an application")
        self.record(self.Refused, step, ended=[ADMISSION], reviewer=step.actor)

    # ---- review --------------------------------------------------------------------

    def switch_to_ordinary(self, step: Step) -> None:
        """Move a simplified case to the ordinary procedure (第五十五条), approved."""
        self.check_state("switch to the ordinary procedure", *IN_REVIEW)
        if self.procedure != Variant.SIMPLIFIED:
            raise InvalidTransition(
                self.WHAT,
                self.status_label(),
                "switch to the ordinary procedure",
                "it is already under the ordinary procedure",
            )
        self.check_role(
            step, "switch to the ordinary procedure", Role.HANDLER, Role.HEARING_OFFICER
        )
        self.check_reason(step, "switch to the ordinary procedure")
        self.check_approved(step, "switch to the ordinary procedure")
        self.check_running(DECISION, "switch to the ordinary procedure")
        assert self.accepted_on is not None
        # The ordinary period counts from acceptance; days spent suspended are not counted.
        shifted = self.accepted_on + dt.timedelta(days=self.suspended_days)
        ordinary = step.timekeeper.start(DECISION, shifted, Variant.ORDINARY)
        self.record(
            self.SwitchedToOrdinary,
            step,
            deadlines=[dataclasses.replace(ordinary, started_on=self.accepted_on)],
            switched_on=step.today,
        )

    def send_copy(
        self,
        step: Step,
        *,
        sent_on: dt.date | None = None,
        respondent_received_on: dt.date | None = None,
    ) -> None:
        """Record the copy sent to the respondent; its reply period starts on receipt."""
        self.check_state("have its copy sent to the respondent", S.ACCEPTED)
        self.check_role(step, "send a copy to the respondent", Role.INTAKE, Role.HANDLER)
        sent = step.reported_day(sent_on, "sentOn", self.accepted_on)
        received = step.reported_day(respondent_received_on, "respondentReceivedOn", sent)
        self.record(
            self.CopySent,
            step,
            deadlines=[step.timekeeper.start(REPLY, received, self.procedure)],
            ended=[COPY],
            sent_on=sent,
            respondent_received_on=received,
        )

    def receive_reply(
        self,
        step: Step,
        *,
        evidence: Iterable[str],
        legal_bases: Iterable[str],
        received_on: dt.date | None = None,
    ) -> None:
        """Record the respondent's reply with its evidence and legal basis (答复)."""
        self.check_state("receive the respondent's reply", S.AWAITING_REPLY)
        self.check_role(step, "receive the respondent's reply", Role.INTAKE, Role.HANDLER)
        deadline = self.check_running(REPLY, "receive the respondent's reply")
        received = step.reported_day(received_on, "receivedOn", self.copy_sent_on)
        self.record(
            self.ReplyReceived,
            step,
            ended=[REPLY],
            received_on=received,
            evidence=_texts(evidence),
            legal_bases=_texts(legal_bases),
            on_time=received <= deadline.due_on,
        )

    def assign_hearing_officer(self, step: Step, officer: Actor) -> None:
        """Put a hearing officer in charge; never the admission reviewer (立审分离)."""
        self.check_state("be assigned a hearing officer", *IN_REVIEW)
        self.check_role(step, "assign a hearing officer", Role.APPROVER, Role.HANDLER)
        if officer.role != Role.HEARING_OFFICER:
            raise Forbidden(f"{officer.id} is a {officer.role}, not a hearing officer")
        self.check_not_admission_reviewer(officer)
        if self.hearing_officer is not None and self.hearing_officer.id == officer.id:
            return
        self.record(self.HearingOfficerAssigned, step, officer=officer)

    def hear_parties(self, step: Step, *, summary: str, held_on: dt.date | None = None) -> None:
        """Record hearing the parties' views (听取意见, 第四十九条)."""
        self.check_state("hear the parties", S.AWAITING_REPLY, S.UNDER_REVIEW)
        self.check_hearing_officer(step, "hear the parties")
        text = _required(summary, "a summary of what the parties said", "summary")
        held = step.reported_day(held_on, "heldOn", self.accepted_on)
        self.record(self.PartiesHeard, step, held_on=held, summary=text)

    def hold_hearing(self, step: Step, *, summary: str, held_on: dt.date | None = None) -> None:
        """Record a formal hearing (听证, 第五十条); the reason says why the case needs one."""
        self.check_state("hold a hearing", S.AWAITING_REPLY, S.UNDER_REVIEW)
        self.check_hearing_officer(step, "hold a hearing")
        self.check_reason(step, "hold a hearing")
        text = _required(summary, "a summary of the hearing", "summary")
        held = step.reported_day(held_on, "heldOn", self.accepted_on)
        self.record(self.HearingHeld, step, held_on=held, summary=text)

    def consult_committee(
        self, step: Step, *, opinion: str, consulted_on: dt.date | None = None
    ) -> None:
        """Record the reconsideration committee's consultative opinion (第五十二条)."""
        self.check_state("consult the committee", S.AWAITING_REPLY, S.UNDER_REVIEW)
        self.check_role(step, "consult the committee", Role.HEARING_OFFICER, Role.HANDLER)
        text = _required(opinion, "the committee's opinion", "opinion")
        consulted = step.reported_day(consulted_on, "consultedOn", self.accepted_on)
        self.record(self.CommitteeConsulted, step, consulted_on=consulted, opinion=text)

    def extend_decision_deadline(self, step: Step, *, days: int) -> None:
        """Extend the decision deadline once, within the rule's cap (延长), approved."""
        step_name = "have its decision deadline extended"
        self.check_state(step_name, *IN_REVIEW)
        self.check_role(
            step, "extend the decision deadline", Role.HANDLER, Role.HEARING_OFFICER, Role.APPROVER
        )
        self.check_reason(step, "extend the decision deadline")
        self.check_approved(step, "extend the decision deadline")
        deadline = self.check_running(DECISION, step_name)
        if deadline.extended_by:
            raise ExtensionAlreadyGranted(
                self.WHAT,
                self.status_label(),
                step_name,
                f"it was already extended once, by {deadline.extended_by} days",
            )
        extended = step.timekeeper.extend(deadline, days)
        self.record(self.DecisionDeadlineExtended, step, deadlines=[extended], days=days)

    # ---- endings before a decision -------------------------------------------------

    def settle(self, step: Step, *, settlement: Settlement, terms: str) -> None:
        """End the case by mediation (调解书) or the parties' settlement (和解)."""
        self.check_state("be settled", *IN_REVIEW)
        self.check_role(step, "record a settlement", Role.HEARING_OFFICER, Role.HANDLER)
        text = _required(terms, "the terms agreed", "terms")
        self.record(
            self.Settled,
            step,
            ended=self.all_clocks(),
            settlement=str(Settlement(settlement)),
            terms=text,
        )

    def withdraw(self, step: Step) -> None:
        """Record the applicant's withdrawal (撤回), which ends the case."""
        self.check_state("be withdrawn", *BEFORE_ADMISSION, *IN_REVIEW, S.SUSPENDED)
        self.check_role(
            step, "record a withdrawal", Role.INTAKE, Role.HANDLER, Role.HEARING_OFFICER
        )
        self.record(self.Withdrawn, step, ended=self.all_clocks())

    def suspend(self, step: Step) -> None:
        """Suspend the reconsideration (中止, 第三十九条), stopping every running clock."""
        self.check_state("be suspended", *IN_REVIEW)
        self.check_role(step, "suspend a reconsideration", Role.HANDLER, Role.HEARING_OFFICER)
        self.check_reason(step, "suspend a reconsideration")
        self.check_legal_basis(step, "suspend a reconsideration")
        keeper = step.timekeeper
        # A clock already past its due date stays overdue; the law's delay is not excused.
        stopped = tuple(
            keeper.suspend(d, step.today)
            for d in self.deadlines.values()
            if not d.is_suspended and step.today <= d.due_on
        )
        self.record(self.Suspended, step, deadlines=stopped, suspended_on=step.today)

    def resume(self, step: Step) -> None:
        """Resume the reconsideration (恢复); clocks continue with the days they had left."""
        self.check_state("be resumed", S.SUSPENDED)
        self.check_role(step, "resume a reconsideration", Role.HANDLER, Role.HEARING_OFFICER)
        self.record(self.Resumed, step, deadlines=self.resumed_clocks(step), resumed_on=step.today)

    def terminate(self, step: Step) -> None:
        """Terminate the reconsideration (终止, 第四十一条)."""
        self.check_state("be terminated", *IN_REVIEW, S.SUSPENDED)
        self.check_role(step, "terminate a reconsideration", Role.HANDLER, Role.HEARING_OFFICER)
        self.check_reason(step, "terminate a reconsideration")
        self.check_legal_basis(step, "terminate a reconsideration")
        self.record(self.Terminated, step, ended=self.all_clocks())

    # ---- decision and after --------------------------------------------------------

    def decide(
        self,
        step: Step,
        *,
        decision: DecisionType,
        decided_on: dt.date | None = None,
        in_part: bool = False,
        orders_new_act: bool = False,
        compensation: Decimal | None = None,
        mediation_agreement: str | None = None,
    ) -> None:
        """Decide (行政复议决定) as the hearing officer, approved by someone else."""
        if self.status in (S.DECIDED, S.CLOSED):
            raise InvalidTransition(self.WHAT, self.status_label(), "be decided again")
        self.check_state("be decided", S.AWAITING_REPLY, S.UNDER_REVIEW)
        if self.status == S.AWAITING_REPLY:
            reply = self.check_running(REPLY, "be decided")
            if step.today <= reply.due_on:
                raise InvalidTransition(
                    self.WHAT,
                    self.status_label(),
                    "be decided",
                    f"the reply is due on {reply.due_on}; without it the case is decided "
                    "only after that day (第七十条)",
                )
        self.check_hearing_officer(step, "decide a reconsideration")
        self.check_reason(step, "decide a reconsideration")
        self.check_legal_basis(step, "decide a reconsideration")
        self.check_approved(step, "decide a reconsideration")
        kind = DecisionType(decision)
        if (in_part or orders_new_act) and kind != DecisionType.REVOKE:
            raise ValidationError(
                "revoking in part or ordering a new act goes with a revoke decision",
                field="decision",
            )
        if compensation is not None and compensation <= 0:
            raise ValidationError("compensation must be a positive amount", field="compensation")
        decided = step.reported_day(decided_on, "decidedOn", self.accepted_on)
        deadline = self.check_running(DECISION, "be decided")
        self.record(
            self.Decided,
            step,
            ended=[rule for rule in (DECISION, REPLY, COPY) if rule in self.deadlines],
            decision=str(kind),
            decided_on=decided,
            due_on=deadline.due_on,
            in_part=in_part,
            orders_new_act=orders_new_act,
            compensation=str(compensation) if compensation is not None else None,
            mediation_agreement=(mediation_agreement or "").strip() or None,
        )

    def serve(self, step: Step, *, served_on: dt.date | None = None) -> None:
        """Record service of the decision on the parties (送达)."""
        self.check_state("have its decision served", S.DECIDED)
        self.check_role(step, "serve a decision", Role.INTAKE, Role.HANDLER)
        if self.served_on is not None:
            raise InvalidTransition(
                self.WHAT,
                self.status_label(),
                "have its decision served",
                f"it was served on {self.served_on}",
            )
        served = step.reported_day(served_on, "servedOn", self.decided_on)
        self.record(self.DecisionServed, step, served_on=served)

    def order_performance(self, step: Step, *, perform_by: dt.date) -> None:
        """Order the respondent that has not performed to perform by a date (责令履行)."""
        self.check_state("order performance", S.DECIDED)
        self.check_role(step, "order performance", Role.HANDLER, Role.APPROVER)
        self.check_served("order performance")
        if self.performance == Performance.PERFORMED:
            raise InvalidTransition(
                self.WHAT, self.status_label(), "order performance", "the respondent performed"
            )
        self.check_reason(step, "order performance")
        if perform_by <= step.today:
            raise ValidationError("the date to perform by must be later", field="performBy")
        self.record(self.PerformanceOrdered, step, perform_by=perform_by)

    def record_performance(
        self, step: Step, *, summary: str, performed_on: dt.date | None = None
    ) -> None:
        """Record that the respondent performed the decision (履行)."""
        self.check_state("record performance", S.DECIDED)
        self.check_role(step, "record performance", Role.HANDLER)
        served = self.check_served("record performance")
        if self.performance == Performance.PERFORMED:
            raise InvalidTransition(
                self.WHAT,
                self.status_label(),
                "record performance",
                f"performance was recorded on {self.performed_on}",
            )
        text = _required(summary, "what the respondent did", "summary")
        performed = step.reported_day(performed_on, "performedOn", served)
        self.record(self.PerformanceRecorded, step, performed_on=performed, summary=text)

    def issue_opinion_letter(
        self, step: Step, *, issues: str, received_on: dt.date | None = None
    ) -> None:
        """Send the respondent an opinion letter (意见书); its report is due in 60 days."""
        self.check_state("issue an opinion letter", S.DECIDED)
        self.check_role(step, "issue an opinion letter", Role.HANDLER, Role.HEARING_OFFICER)
        if OPINION_REPORT in self.deadlines:
            raise InvalidTransition(
                self.WHAT,
                self.status_label(),
                "issue an opinion letter",
                "the report on the last opinion letter is still due",
            )
        text = _required(issues, "what the respondent must correct", "issues")
        received = step.reported_day(received_on, "receivedOn", self.decided_on)
        self.record(
            self.OpinionLetterIssued,
            step,
            deadlines=[step.timekeeper.start(OPINION_REPORT, received)],
            received_on=received,
            issues=text,
        )

    def receive_opinion_report(
        self, step: Step, *, summary: str, received_on: dt.date | None = None
    ) -> None:
        """Record the respondent's report on correcting what the opinion letter named."""
        self.check_state("receive a correction report", S.DECIDED)
        self.check_role(step, "receive a correction report", Role.INTAKE, Role.HANDLER)
        deadline = self.check_running(OPINION_REPORT, "receive a correction report")
        text = _required(summary, "what the respondent reported", "summary")
        received = step.reported_day(received_on, "receivedOn", deadline.started_on)
        self.record(
            self.OpinionReportReceived,
            step,
            ended=[OPINION_REPORT],
            received_on=received,
            summary=text,
        )

    def close(self, step: Step) -> None:
        """Close a decided case (结案) once served and nothing is outstanding."""
        self.check_state("be closed", S.DECIDED)
        self.check_role(step, "close a reconsideration", Role.HANDLER, Role.APPROVER)
        self.check_served("be closed")
        if OPINION_REPORT in self.deadlines:
            raise InvalidTransition(
                self.WHAT,
                self.status_label(),
                "be closed",
                "the respondent's report on the opinion letter is still due",
            )
        if self.performance == Performance.ORDERED:
            raise InvalidTransition(
                self.WHAT,
                self.status_label(),
                "be closed",
                f"the respondent was ordered to perform by {self.perform_by}",
            )
        self.record(self.Closed, step, ended=self.all_clocks())
