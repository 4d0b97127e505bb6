"""Mediation (调解): people's, administrative and judicial mediation, linked (大调解联动)."""

from __future__ import annotations

import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass
from enum import StrEnum
from typing import Self
from uuid import UUID

from domain.actors import Role
from domain.case import CaseFile
from domain.deadlines import Deadline
from domain.errors import InvalidTransition, ValidationError
from domain.step import Step
from domain.values import AdministrativeAct, CaseKind, Party

ADMINISTRATIVE = "mediation.administrative"
JUDICIAL_CONFIRMATION = "mediation.judicial_confirmation"


class MediationStatus(StrEnum):
    """Where a mediation stands."""

    MEDIATING = "mediating"  # 调解中
    AGREED = "agreed"  # 已达成调解协议
    CONFIRMATION_PENDING = "confirmation_pending"  # 司法确认审查中
    CONFIRMED = "confirmed"  # 已司法确认
    CONFIRMATION_REFUSED = "confirmation_refused"  # 司法确认被驳回
    FAILED = "failed"  # 调解不成
    REFUSED = "refused"  # 当事人拒绝调解
    CLOSED = "closed"  # 已结案


_LABELS = {
    MediationStatus.MEDIATING: "being mediated (调解中)",
    MediationStatus.AGREED: "settled by agreement (已达成调解协议)",
    MediationStatus.CONFIRMATION_PENDING: "before the court for confirmation (司法确认审查中)",
    MediationStatus.CONFIRMED: "judicially confirmed (已司法确认)",
    MediationStatus.CONFIRMATION_REFUSED: "refused judicial confirmation (司法确认被驳回)",
    MediationStatus.FAILED: "failed (调解不成)",
    MediationStatus.REFUSED: "refused by a party (当事人拒绝调解)",
    MediationStatus.CLOSED: "closed (已结案)",
}

_SETTLED = (
    MediationStatus.AGREED,
    MediationStatus.CONFIRMATION_PENDING,
    MediationStatus.CONFIRMED,
    MediationStatus.CONFIRMATION_REFUSED,
)


class MediationType(StrEnum):
    """Which arm of the linked mediation system handles the dispute."""

    PEOPLES = "peoples"  # 人民调解
    ADMINISTRATIVE = "administrative"  # 行政调解
    JUDICIAL = "judicial"  # 司法调解 (by the court; ends in a 调解书, no confirmation needed)


class Origin(StrEnum):
    """How the mediation started."""

    APPLICATION = "application"  # 当事人申请
    PROACTIVE = "proactive"  # 主动调解
    REFERRAL = "referral"  # 移送、委派、委托


class ReferralSource(StrEnum):
    """The procedure a referred mediation came from."""

    PETITION = "petition"  # 信访
    RECONSIDERATION = "reconsideration"  # 行政复议
    COURT = "court"  # 人民法院 (诉前或诉中委派、委托调解)


class Performance(StrEnum):
    """How far the parties have carried out the agreement."""

    PERFORMED = "performed"  # 已履行
    PARTLY = "partly"  # 部分履行
    NOT_PERFORMED = "not_performed"  # 未履行


@dataclass(frozen=True)
class Session:
    """One mediation session (调解会)."""

    held_on: dt.date
    mediator: str
    notes: str


@dataclass(frozen=True)
class Agreement:
    """The mediation agreement (调解协议) and when it took effect."""

    terms: str
    effective_on: dt.date
    written: bool  # an oral agreement takes effect when reached (人民调解法第三十条)


class MediationRefused(ValidationError):
    """A party clearly refuses mediation, so it may not go ahead (人民调解法第十七条)."""


class ConfirmationOutOfTime(ValidationError):
    """The joint application for judicial confirmation comes after its 30 days ran out."""


class MediationCase(CaseFile):
    """A dispute mediated by a people's mediation committee, an agency or a court."""

    KIND = CaseKind.MEDIATION
    WHAT = "mediation"
    FINAL_STATES = frozenset(
        {MediationStatus.FAILED, MediationStatus.REFUSED, MediationStatus.CLOSED}
    )

    # ---- events --------------------------------------------------------------------

    class Registered(CaseFile.Opened):
        """The mediation started (受理或主动调解), with where it came from and its type."""

        origin: str
        referral_source: str | None
        source_reference: str
        mediation_type: str

        def apply(self, aggregate: MediationCase) -> None:
            """Start the case as being mediated."""
            super().apply(aggregate)
            case = aggregate
            case.status = MediationStatus.MEDIATING
            case.origin = Origin(self.origin)
            case.referral_source = (
                ReferralSource(self.referral_source) if self.referral_source else None
            )
            case.source_reference = self.source_reference
            case.mediation_type = MediationType(self.mediation_type)
            case.type_history = [case.mediation_type]

    class SessionHeld(CaseFile.Event):
        """A mediation session took place."""

        held_on: dt.date
        mediator: str
        notes: str

        def on(self, case: MediationCase) -> None:
            case.sessions.append(Session(self.held_on, self.mediator, self.notes))

    class TypeChanged(CaseFile.Event):
        """The dispute moved to another arm of mediation (转调解类型)."""

        DECISION = True

        mediation_type: str

        def on(self, case: MediationCase) -> None:
            case.mediation_type = MediationType(self.mediation_type)
            case.type_history.append(case.mediation_type)

    class PartyRefused(CaseFile.Event):
        """A party clearly refused mediation; the case ends (人民调解法第十七条)."""

        party: str

        def on(self, case: MediationCase) -> None:
            case.status = MediationStatus.REFUSED
            case.refused_by = self.party

    class AgreementReached(CaseFile.Event):
        """The parties reached a mediation agreement (调解协议)."""

        terms: str
        effective_on: dt.date
        written: bool

        def on(self, case: MediationCase) -> None:
            case.status = MediationStatus.AGREED
            case.agreement = Agreement(self.terms, self.effective_on, self.written)

    class MediationFailed(CaseFile.Event):
        """Mediation did not settle the dispute (调解不成); the reason is the step's reason."""

        def on(self, case: MediationCase) -> None:
            case.status = MediationStatus.FAILED

    class ConfirmationApplied(CaseFile.Event):
        """The parties jointly applied to the court for judicial confirmation (司法确认)."""

        applied_on: dt.date
        court: str

        def on(self, case: MediationCase) -> None:
            case.status = MediationStatus.CONFIRMATION_PENDING
            case.confirmation_court = self.court
            case.confirmation_applied_on = self.applied_on

    class ConfirmationRuled(CaseFile.Event):
        """The court confirmed the agreement as valid, or refused to."""

        granted: bool
        ruled_on: dt.date

        def on(self, case: MediationCase) -> None:
            case.status = (
                MediationStatus.CONFIRMED if self.granted else MediationStatus.CONFIRMATION_REFUSED
            )
            case.confirmed = self.granted

    class PerformanceRecorded(CaseFile.Event):
        """How far the agreement has been carried out, as of a date."""

        performance: str
        as_of: dt.date
        note: str

        def on(self, case: MediationCase) -> None:
            case.performance = Performance(self.performance)
            case.performance_as_of = self.as_of

    class Closed(CaseFile.Event):
        """The case was closed (结案)."""

        def on(self, case: MediationCase) -> None:
            case.status = MediationStatus.CLOSED

    # ---- registration ---------------------------------------------------------------

    def start_blank(self) -> None:
        """Empty state, including this procedure's own facts."""
        super().start_blank()
        self.origin = Origin.APPLICATION
        self.referral_source: ReferralSource | None = None
        self.source_reference = ""
        self.mediation_type = MediationType.PEOPLES
        self.type_history: list[MediationType] = []
        self.sessions: list[Session] = []
        self.refused_by: str | None = None
        self.agreement: Agreement | None = None
        self.confirmation_court = ""
        self.confirmation_applied_on: dt.date | None = None
        self.confirmed: bool | None = None  # read by the judicial-confirmation rate
        self.performance: Performance | None = None
        self.performance_as_of: dt.date | None = None

    @classmethod
    def register(  # type: ignore[override]
        cls,
        step: Step,
        *,
        case_id: UUID,
        reference: str,
        title: str,
        organisation: str,
        parties: Iterable[Party],
        origin: Origin,
        mediation_type: MediationType,
        act: AdministrativeAct | None = None,
        referral_source: ReferralSource | None = None,
        source_reference: str = "",
        refusing_party: str = "",
    ) -> Self:
        """Start a mediation; refused when a party has already clearly refused to be mediated."""
        cls.check_role(step, "start a mediation", Role.INTAKE, Role.HANDLER)
        origin, mediation_type = Origin(origin), MediationType(mediation_type)
        if refusing_party.strip():
            raise MediationRefused(
                f"{refusing_party.strip()} clearly refuses mediation, so it may not be mediated "
                "(人民调解法第十七条)",
                field="refusingParty",
            )
        everyone = tuple(parties)
        if len(everyone) < 2:
            raise ValidationError("a mediation needs at least two parties", field="parties")
        if (origin is Origin.REFERRAL) != (referral_source is not None):
            raise ValidationError(
                "a referred mediation names where it came from, and only a referred one",
                field="referralSource",
            )
        return cls.open_case(
            cls.Registered,
            step,
            case_id=case_id,
            reference=reference,
            title=title,
            organisation=organisation,
            act=act,
            parties=everyone,
            deadlines=_type_clock(step, mediation_type),
            origin=str(origin),
            referral_source=str(ReferralSource(referral_source)) if referral_source else None,
            source_reference=source_reference.strip(),
            mediation_type=str(mediation_type),
        )

    def status_label(self) -> str:
        """The state in English and Chinese."""
        return _LABELS[MediationStatus(self.status)]

    # ---- the facts statistics read ---------------------------------------------------

    @property
    def succeeded(self) -> bool | None:
        """Whether mediation settled the dispute; None while it is still going on."""
        if self.agreement is not None:
            return True
        if self.status in (MediationStatus.FAILED, MediationStatus.REFUSED):
            return False
        return None

    # ---- commands -------------------------------------------------------------------

    def hold_session(
        self, step: Step, *, mediator: str, notes: str, held_on: dt.date | None = None
    ) -> None:
        """Record a mediation session: when, who mediated, what happened."""
        self.check_state("hold a session", MediationStatus.MEDIATING)
        self.check_role(step, "record a mediation session", Role.HANDLER)
        _required(mediator, "mediator")
        held_on = held_on or step.today
        step.reported_day(held_on, "heldOn")
        self.record(self.SessionHeld, step, held_on=held_on, mediator=mediator, notes=notes)

    def change_type(self, step: Step, mediation_type: MediationType) -> None:
        """Move the dispute to another arm of mediation (转调解类型); its clock follows."""
        mediation_type = MediationType(mediation_type)
        self.check_state("change its type of mediation", MediationStatus.MEDIATING)
        self.check_role(step, "change the type of mediation", Role.HANDLER)
        if mediation_type == self.mediation_type:
            raise ValidationError(
                f"the mediation is already {mediation_type} mediation", field="mediationType"
            )
        self.record(
            self.TypeChanged,
            step,
            deadlines=_type_clock(step, mediation_type),
            ended=[ADMINISTRATIVE] if ADMINISTRATIVE in self.deadlines else [],
            mediation_type=str(mediation_type),
        )

    def record_refusal(self, step: Step, *, party: str) -> None:
        """A party clearly refuses mediation: the case ends, with the reason recorded."""
        self.check_state("be refused", MediationStatus.MEDIATING)
        self.check_role(step, "record a refusal", Role.HANDLER)
        _required(party, "party")
        self.check_reason(step, "record a refusal")
        self.record(self.PartyRefused, step, ended=self.all_clocks(), party=party)

    def reach_agreement(
        self, step: Step, *, terms: str, effective_on: dt.date, written: bool
    ) -> None:
        """Record the agreement; a written one may be judicially confirmed within 30 days."""
        self.check_state("reach an agreement", MediationStatus.MEDIATING)
        self.check_role(step, "record an agreement", Role.HANDLER)
        if not self.sessions:
            raise self.refusal("reach an agreement", "no mediation session has been held")
        _required(terms, "terms")
        step.reported_day(effective_on, "effectiveOn")
        started: list[Deadline] = []
        if self.confirmable(written):
            started.append(step.timekeeper.start(JUDICIAL_CONFIRMATION, effective_on))
        self.record(
            self.AgreementReached,
            step,
            deadlines=started,
            ended=[ADMINISTRATIVE] if ADMINISTRATIVE in self.deadlines else [],
            terms=terms,
            effective_on=effective_on,
            written=written,
        )

    def record_failure(self, step: Step) -> None:
        """Record that mediation failed (调解不成); the reason is required."""
        self.check_state("fail", MediationStatus.MEDIATING)
        self.check_role(step, "record a failed mediation", Role.HANDLER)
        self.check_reason(step, "record a failed mediation")
        self.record(self.MediationFailed, step, ended=self.all_clocks())

    def apply_for_confirmation(
        self, step: Step, *, court: str, applied_on: dt.date | None = None
    ) -> None:
        """Record the parties' joint application for judicial confirmation, within 30 days."""
        self.check_state("apply for judicial confirmation", MediationStatus.AGREED)
        self.check_role(step, "record an application for confirmation", Role.HANDLER)
        clock = self.deadlines.get(JUDICIAL_CONFIRMATION)
        if clock is None:
            raise self.refusal(
                "apply for judicial confirmation",
                "only a written agreement from people's or administrative mediation is confirmed",
            )
        _required(court, "court")
        applied_on = applied_on or step.today
        step.reported_day(applied_on, "appliedOn")
        if applied_on > clock.due_on:
            raise ConfirmationOutOfTime(
                f"judicial confirmation had to be applied for by {clock.due_on}, 30 days after "
                f"the agreement took effect; {applied_on} is too late ({clock.legal_basis})",
                field="appliedOn",
            )
        self.record(
            self.ConfirmationApplied,
            step,
            ended=[JUDICIAL_CONFIRMATION],
            applied_on=applied_on,
            court=court,
        )

    def record_confirmation(
        self, step: Step, *, granted: bool, ruled_on: dt.date | None = None
    ) -> None:
        """Record the court's ruling: agreement confirmed valid, or confirmation refused."""
        self.check_state("be ruled on by the court", MediationStatus.CONFIRMATION_PENDING)
        self.check_role(step, "record the court's ruling", Role.HANDLER)
        ruled_on = ruled_on or step.today
        step.reported_day(ruled_on, "ruledOn")
        self.record(self.ConfirmationRuled, step, granted=granted, ruled_on=ruled_on)

    def record_performance(
        self, step: Step, performance: Performance, *, as_of: dt.date | None = None, note: str = ""
    ) -> None:
        """Record how far the agreement has been carried out."""
        self.check_state("track performance", *_SETTLED)
        self.check_role(step, "record performance", Role.HANDLER)
        as_of = as_of or step.today
        step.reported_day(as_of, "asOf")
        self.record(
            self.PerformanceRecorded,
            step,
            performance=str(Performance(performance)),
            as_of=as_of,
            note=note,
        )

    def close(self, step: Step) -> None:
        """Close a settled case (not while the court is still ruling on confirmation)."""
        self.check_state(
            "be closed",
            MediationStatus.AGREED,
            MediationStatus.CONFIRMED,
            MediationStatus.CONFIRMATION_REFUSED,
        )
        self.check_role(step, "close a mediation", Role.HANDLER)
        self.record(self.Closed, step, ended=self.all_clocks())

    # ---- checks ---------------------------------------------------------------------

    def confirmable(self, written: bool) -> bool:
        """Whether an agreement could be judicially confirmed (a court's own is already binding)."""
        return written and self.mediation_type is not MediationType.JUDICIAL

    def refusal(self, step_name: str, why: str) -> InvalidTransition:
        """The error for a step this case's state does not allow, and why."""
        return InvalidTransition(self.WHAT, self.status_label(), step_name, why)


def _type_clock(step: Step, mediation_type: MediationType) -> list[Deadline]:
    if mediation_type is MediationType.ADMINISTRATIVE:
        return [step.timekeeper.start(ADMINISTRATIVE, step.today)]
    return []


def _required(value: str, field: str) -> None:
    if not value.strip():
        raise ValidationError(f"{field} is required", field=field)
