"""Litigation response (行政应诉): an agency's side of an administrative lawsuit, to closure."""

from __future__ import annotations

import calendar
import datetime as dt
from collections.abc import Iterable
from dataclasses import dataclass, replace
from enum import StrEnum
from typing import Self
from uuid import UUID

from domain.actors import Role
from domain.case import CaseFile
from domain.deadlines import Deadline
from domain.errors import InvalidTransition, SeparationOfDuties, ValidationError
from domain.step import Step
from domain.values import AdministrativeAct, CaseKind, LinkRelation, Party, PartyRole

DEFENCE = "litigation.defence"
APPEAL_JUDGMENT = "litigation.appeal.judgment"
APPEAL_RULING = "litigation.appeal.ruling"
APPEAL_CLOCKS = (APPEAL_JUDGMENT, APPEAL_RULING)
RECOMMENDATION_REPLY = "litigation.recommendation_reply"
HEAD_NOTICE_DAYS = 3  # 开庭三日前通知负责人出庭 (SPC provisions 2020)
SECOND_INSTANCE_MONTHS = 3  # the court's own limit (行政诉讼法 art. 88), recorded as information


class LitigationStatus(StrEnum):
    """Where a litigation case stands."""

    AWAITING_DEFENCE = "awaiting_defence"  # 待答辩
    DEFENDED = "defended"  # 已答辩
    HEARING_SCHEDULED = "hearing_scheduled"  # 待开庭
    HEARD = "heard"  # 已开庭
    JUDGED = "judged"  # 一审已裁判，上诉期内
    SECOND_INSTANCE = "second_instance"  # 二审中
    EFFECTIVE = "effective"  # 裁判已生效
    RETRIAL = "retrial"  # 再审中
    PERFORMED = "performed"  # 已履行
    CLOSED = "closed"  # 已结案


_LABELS = {
    LitigationStatus.AWAITING_DEFENCE: "awaiting defence (待答辩)",
    LitigationStatus.DEFENDED: "defended (已答辩)",
    LitigationStatus.HEARING_SCHEDULED: "scheduled for hearing (待开庭)",
    LitigationStatus.HEARD: "heard (已开庭)",
    LitigationStatus.JUDGED: "judged at first instance (一审已裁判)",
    LitigationStatus.SECOND_INSTANCE: "at second instance (二审中)",
    LitigationStatus.EFFECTIVE: "decided by an effective judgment (裁判已生效)",
    LitigationStatus.RETRIAL: "in retrial (再审中)",
    LitigationStatus.PERFORMED: "performed (已履行)",
    LitigationStatus.CLOSED: "closed (已结案)",
}

_BEFORE_JUDGMENT = (
    LitigationStatus.AWAITING_DEFENCE,
    LitigationStatus.DEFENDED,
    LitigationStatus.HEARING_SCHEDULED,
    LitigationStatus.HEARD,
)


class MajorGround(StrEnum):
    """Why a case is a major administrative case (重大行政案件), which the head must attend."""

    PUBLIC_INTEREST = "public_interest"  # 涉及重大公共利益
    HIGH_ATTENTION = "high_attention"  # 社会高度关注
    MASS_INCIDENT_RISK = "mass_incident_risk"  # 可能引发群体性事件


class Form(StrEnum):
    """What the court issued."""

    JUDGMENT = "judgment"  # 判决
    RULING = "ruling"  # 裁定


class Outcome(StrEnum):
    """What a judgment or ruling means for the agency."""

    AGENCY_WON = "agency_won"  # 驳回诉讼请求 / 驳回上诉、维持原判
    REVOKED = "revoked"  # 撤销
    CONFIRMED_ILLEGAL = "confirmed_illegal"  # 确认违法
    CONFIRMED_VOID = "confirmed_void"  # 确认无效
    ORDERED_TO_PERFORM = "ordered_to_perform"  # 责令履行法定职责
    ORDERED_TO_PAY = "ordered_to_pay"  # 给付
    CHANGED = "changed"  # 变更
    COMPENSATION = "compensation"  # 行政赔偿
    PARTIALLY_LOST = "partially_lost"  # 部分败诉
    WITHDRAWN = "withdrawn"  # 准予撤诉 (at second instance: the appeal withdrawn)
    DISMISSED = "dismissed"  # 驳回起诉


LOSSES = frozenset(
    {
        Outcome.REVOKED,
        Outcome.CONFIRMED_ILLEGAL,
        Outcome.CONFIRMED_VOID,
        Outcome.ORDERED_TO_PERFORM,
        Outcome.ORDERED_TO_PAY,
        Outcome.CHANGED,
        Outcome.COMPENSATION,
        Outcome.PARTIALLY_LOST,
    }
)
RULING_OUTCOMES = frozenset({Outcome.WITHDRAWN, Outcome.DISMISSED})


class Instance(StrEnum):
    """Which trial a judgment or ruling came from."""

    FIRST = "first"  # 一审
    SECOND = "second"  # 二审
    RETRIAL = "retrial"  # 再审


class Appellant(StrEnum):
    """Who appealed a first-instance judgment or ruling."""

    AGENCY = "agency"  # 被告机关
    PLAINTIFF = "plaintiff"  # 原告


class RetrialSource(StrEnum):
    """Who set a retrial (再审) in motion."""

    AGENCY = "agency"  # 当事人申请再审 (本机关)
    PLAINTIFF = "plaintiff"  # 当事人申请再审 (原告)
    PROCURATORATE = "procuratorate"  # 检察院抗诉或检察建议
    COURT = "court"  # 法院依职权


@dataclass(frozen=True)
class EvidenceBatch:
    """Evidence handed to the court at one time; late evidence without reason counts for nothing."""

    items: tuple[str, ...]
    submitted_on: dt.date
    late: bool
    late_reason: str

    @property
    def counts_as_no_evidence(self) -> bool:
        """行政诉讼法 art. 67: evidence late without a proper reason is treated as none."""
        return self.late and not self.late_reason.strip()


@dataclass(frozen=True)
class AppearancePlan:
    """Who answers in court (出庭应诉): the head, or a staff member with a written explanation."""

    head_name: str
    head_title: str
    staff_name: str | None  # None: the head appears in person
    explanation: str
    planned_by: str
    approved_by: str | None = None

    @property
    def head_appears(self) -> bool:
        """Whether the plan has the agency head in court."""
        return self.staff_name is None


@dataclass(frozen=True)
class Judgment:
    """A judgment or ruling the agency was served with."""

    instance: Instance
    form: Form
    outcome: Outcome
    decided_on: dt.date
    served_on: dt.date


@dataclass(frozen=True)
class JudicialRecommendation:
    """A court's judicial recommendation (司法建议书) and the agency's reply."""

    number: str
    received_on: dt.date
    summary: str
    replied_on: dt.date | None = None


class HeadMustAppear(ValidationError):
    """A major case (重大行政案件) needs the agency head in court; no staff member instead."""


class NoticeTooLate(ValidationError):
    """The court's notice for the head came fewer than 3 days before the hearing."""


class AppealOutOfTime(ValidationError):
    """The agency's appeal comes after its appeal period ran out."""


class LitigationCase(CaseFile):
    """An administrative lawsuit against a district agency, from service of the complaint on."""

    KIND = CaseKind.LITIGATION
    WHAT = "litigation case"
    FINAL_STATES = frozenset({LitigationStatus.CLOSED})

    # ---- events --------------------------------------------------------------------

    class Registered(CaseFile.Opened):
        """The complaint copy served on the agency was registered (起诉状副本送达)."""

        court: str
        court_case_number: str
        served_on: dt.date
        major_ground: str | None

        def apply(self, aggregate: LitigationCase) -> None:
            """Start the case awaiting the agency's defence."""
            super().apply(aggregate)
            case = aggregate
            case.status = LitigationStatus.AWAITING_DEFENCE
            case.court = self.court
            case.court_case_number = self.court_case_number
            case.served_on = self.served_on
            case.major_ground = MajorGround(self.major_ground) if self.major_ground else None
            case.defence_due_on = case.deadlines[DEFENCE].due_on

    class MarkedMajor(CaseFile.Event):
        """The case was found to be a major administrative case (重大行政案件)."""

        ground: str

        def on(self, case: LitigationCase) -> None:
            case.major_ground = MajorGround(self.ground)
            plan = case.appearance_plan
            if plan is not None and not plan.head_appears:
                case.appearance_plan = None  # a staff plan no longer stands

    class DefenceFiled(CaseFile.Event):
        """The defence statement (答辩状) was filed with evidence and normative documents."""

        filed_on: dt.date
        evidence: tuple[str, ...]
        normative_documents: tuple[str, ...]
        late: bool
        late_reason: str

        def on(self, case: LitigationCase) -> None:
            case.status = LitigationStatus.DEFENDED
            case.defence_filed_on = self.filed_on
            case.defence_late = self.late
            case.normative_documents = list(self.normative_documents)
            if self.evidence:
                case.evidence.append(
                    EvidenceBatch(tuple(self.evidence), self.filed_on, self.late, self.late_reason)
                )

    class EvidenceSubmitted(CaseFile.Event):
        """Further evidence was handed to the court (补充证据)."""

        submitted_on: dt.date
        items: tuple[str, ...]
        late: bool
        late_reason: str

        def on(self, case: LitigationCase) -> None:
            case.evidence.append(
                EvidenceBatch(tuple(self.items), self.submitted_on, self.late, self.late_reason)
            )

    class HearingScheduled(CaseFile.Event):
        """The court set (or moved) the hearing date; a new date needs a new notice and plan."""

        hearing_on: dt.date
        court: str

        def on(self, case: LitigationCase) -> None:
            case.status = LitigationStatus.HEARING_SCHEDULED
            case.hearing_on = self.hearing_on
            case.hearing_court = self.court
            case.head_notice_on = None
            case.appearance_plan = None

    class HeadNoticeReceived(CaseFile.Event):
        """The court's notice for the agency head to appear (出庭通知书) arrived."""

        notice_on: dt.date

        def on(self, case: LitigationCase) -> None:
            case.head_notice_on = self.notice_on

    class AppearancePlanned(CaseFile.Event):
        """Who will answer in court: the head, or a named staff member with an explanation."""

        DECISION = True

        head_name: str
        head_title: str
        staff_name: str | None
        explanation: str

        def on(self, case: LitigationCase) -> None:
            case.appearance_plan = AppearancePlan(
                self.head_name,
                self.head_title,
                self.staff_name,
                self.explanation,
                planned_by=self.actor.id,
            )

    class AppearancePlanApproved(CaseFile.Event):
        """The appearance plan was approved."""

        DECISION = True

        def on(self, case: LitigationCase) -> None:
            assert case.appearance_plan is not None
            assert self.approver is not None
            case.appearance_plan = replace(case.appearance_plan, approved_by=self.approver.id)

    class HearingHeld(CaseFile.Event):
        """The hearing took place; who appeared for the agency is recorded."""

        held_on: dt.date
        head_appeared: bool
        appeared: tuple[str, ...]

        def on(self, case: LitigationCase) -> None:
            case.status = LitigationStatus.HEARD
            case.hearing_on = self.held_on
            case.head_appeared = self.head_appeared

    class JudgmentServed(CaseFile.Event):
        """A judgment or ruling was served on the agency."""

        instance: str
        form: str
        outcome: str
        decided_on: dt.date
        served_on: dt.date

        def on(self, case: LitigationCase) -> None:
            judgment = Judgment(
                Instance(self.instance),
                Form(self.form),
                Outcome(self.outcome),
                self.decided_on,
                self.served_on,
            )
            case.judgments.append(judgment)
            appeal = next((case.deadlines[r] for r in APPEAL_CLOCKS if r in case.deadlines), None)
            if judgment.instance is Instance.FIRST and appeal is not None:
                case.status = LitigationStatus.JUDGED
                case.appeal_due_on = appeal.due_on
            else:
                case.status = LitigationStatus.EFFECTIVE
                case.effective_on = self.served_on
                case.performed_on = None
                case.performance = ""
                case.refused_to_perform = False

    class AppealFiled(CaseFile.Event):
        """A first-instance judgment or ruling was appealed (上诉)."""

        DECISION = True

        appellant: str
        filed_on: dt.date
        court_limit_on: dt.date  # the appeal court's own 3 months, for information

        def on(self, case: LitigationCase) -> None:
            case.status = LitigationStatus.SECOND_INSTANCE
            case.appellants.append(Appellant(self.appellant))
            case.second_instance_limit_on = self.court_limit_on

    class AppealWaived(CaseFile.Event):
        """The agency decided not to appeal."""

        DECISION = True

        def on(self, case: LitigationCase) -> None:
            case.appeal_waived = True

    class JudgmentTookEffect(CaseFile.Event):
        """The first-instance judgment or ruling became legally effective (生效) without appeal."""

        effective_on: dt.date

        def on(self, case: LitigationCase) -> None:
            case.status = LitigationStatus.EFFECTIVE
            case.effective_on = self.effective_on

    class RetrialOpened(CaseFile.Event):
        """The effective judgment is being retried (再审)."""

        DECISION = True

        source: str
        court_case_number: str
        opened_on: dt.date

        def on(self, case: LitigationCase) -> None:
            case.status = LitigationStatus.RETRIAL
            case.retrial_source = RetrialSource(self.source)
            case.retrial_case_number = self.court_case_number

    class JudgmentPerformed(CaseFile.Event):
        """The agency performed the effective judgment (履行)."""

        performed_on: dt.date
        how: str

        def on(self, case: LitigationCase) -> None:
            case.status = LitigationStatus.PERFORMED
            case.performed_on = self.performed_on
            case.performance = self.how

    class PerformanceRefused(CaseFile.Event):
        """The agency refused to perform the effective judgment (拒不履行: penalties may follow)."""

        def on(self, case: LitigationCase) -> None:
            case.refused_to_perform = True

    class RecommendationReceived(CaseFile.Event):
        """The court's judicial recommendation (司法建议书) arrived."""

        number: str
        received_on: dt.date
        summary: str

        def on(self, case: LitigationCase) -> None:
            case.recommendations.append(
                JudicialRecommendation(self.number, self.received_on, self.summary)
            )

    class RecommendationReplied(CaseFile.Event):
        """The agency replied to the judicial recommendation."""

        replied_on: dt.date

        def on(self, case: LitigationCase) -> None:
            case.recommendations[-1] = replace(case.recommendations[-1], replied_on=self.replied_on)

    class Closed(CaseFile.Event):
        """The case was closed (结案)."""

        def on(self, case: LitigationCase) -> None:
            case.status = LitigationStatus.CLOSED

    # ---- registration ---------------------------------------------------------------

    def start_blank(self) -> None:
        """Empty state, including this procedure's own facts."""
        super().start_blank()
        self.court = ""
        self.court_case_number = ""
        self.served_on = dt.date.min
        self.major_ground: MajorGround | None = None
        self.defence_due_on = dt.date.min
        self.defence_filed_on: dt.date | None = None
        self.defence_late = False
        self.evidence: list[EvidenceBatch] = []
        self.normative_documents: list[str] = []
        self.hearing_on: dt.date | None = None
        self.hearing_court = ""
        self.head_notice_on: dt.date | None = None
        self.appearance_plan: AppearancePlan | None = None
        self.head_appeared: bool | None = None  # read by the head-appearance rate
        self.judgments: list[Judgment] = []
        self.appeal_due_on: dt.date | None = None
        self.appellants: list[Appellant] = []
        self.appeal_waived = False
        self.second_instance_limit_on: dt.date | None = None
        self.effective_on: dt.date | None = None
        self.retrial_source: RetrialSource | None = None
        self.retrial_case_number = ""
        self.performed_on: dt.date | None = None
        self.performance = ""
        self.refused_to_perform = False  # 拒不履行: the court may fine or publicise (art. 96)
        self.recommendations: list[JudicialRecommendation] = []

    @classmethod
    def register(  # type: ignore[override]
        cls,
        step: Step,
        *,
        case_id: UUID,
        reference: str,
        title: str,
        organisation: str,
        act: AdministrativeAct,
        parties: Iterable[Party],
        court: str,
        court_case_number: str,
        served_on: dt.date,
        major_ground: MajorGround | None = None,
    ) -> Self:
        """Register the complaint copy served on the agency; its 15-day defence period starts."""
        cls.check_role(step, "register a lawsuit", Role.INTAKE, Role.COORDINATOR)
        plaintiffs = tuple(parties)
        if not any(p.role == PartyRole.APPLICANT for p in plaintiffs):
            raise ValidationError("a lawsuit needs at least one plaintiff (原告)", field="parties")
        _required(court, "court")
        _required(court_case_number, "courtCaseNumber")
        step.reported_day(served_on, "servedOn")
        return cls.open_case(
            cls.Registered,
            step,
            case_id=case_id,
            reference=reference,
            title=title,
            organisation=organisation,
            act=act,
            parties=plaintiffs,
            deadlines=[step.timekeeper.start(DEFENCE, served_on)],
            court=court,
            court_case_number=court_case_number,
            served_on=served_on,
            major_ground=str(MajorGround(major_ground)) if major_ground else None,
        )

    def status_label(self) -> str:
        """The state in English and Chinese."""
        return _LABELS[LitigationStatus(self.status)]

    # ---- the facts statistics read ---------------------------------------------------

    @property
    def is_major(self) -> bool:
        """Whether this is a major administrative case (重大行政案件)."""
        return self.major_ground is not None

    @property
    def outcome(self) -> Outcome | None:
        """The outcome that stands now: the latest judgment, unless that was a withdrawn appeal."""
        standing: Outcome | None = None
        for judgment in self.judgments:
            if judgment.instance is Instance.FIRST or judgment.outcome is not Outcome.WITHDRAWN:
                standing = judgment.outcome
        return standing

    @property
    def lost(self) -> bool | None:
        """Whether the agency lost (in whole or part, 败诉); None until a court has decided."""
        outcome = self.outcome
        return None if outcome is None else outcome in LOSSES

    @property
    def recommendation_pending(self) -> bool:
        """Whether a judicial recommendation awaits the agency's reply."""
        return bool(self.recommendations) and self.recommendations[-1].replied_on is None

    @property
    def co_defendant_cases(self) -> tuple[UUID, ...]:
        """The reconsideration cases whose body is co-defendant here (复议维持，共同被告)."""
        return tuple(
            link.case_id for link in self.links if link.relation == LinkRelation.CO_DEFENDANT_OF
        )

    # ---- commands -------------------------------------------------------------------

    def mark_major(self, step: Step, ground: MajorGround) -> None:
        """Find the case major (重大行政案件): the head must then appear in court."""
        self.check_not_final("be marked major")
        self.check_role(step, "mark a lawsuit major", Role.COORDINATOR, Role.APPROVER)
        if self.is_major:
            raise self.refusal("be marked major", "it is already major")
        self.record(self.MarkedMajor, step, ground=str(MajorGround(ground)))

    def file_defence(
        self,
        step: Step,
        *,
        evidence: Iterable[str],
        normative_documents: Iterable[str],
        filed_on: dt.date | None = None,
        late_reason: str = "",
    ) -> None:
        """Record the defence statement filed with the court; after the due date it is late."""
        self.check_state("file a defence", LitigationStatus.AWAITING_DEFENCE)
        self.check_role(step, "file a defence", Role.COORDINATOR, Role.HANDLER)
        filed_on = filed_on or step.today
        step.reported_day(filed_on, "filedOn")
        _not_before(filed_on, self.served_on, "filedOn", "the complaint was served")
        late = filed_on > self.defence_due_on
        self.record(
            self.DefenceFiled,
            step,
            ended=[DEFENCE],
            filed_on=filed_on,
            evidence=_names(evidence),
            normative_documents=_names(normative_documents),
            late=late,
            late_reason=late_reason.strip() if late else "",
        )

    def submit_evidence(
        self,
        step: Step,
        *,
        items: Iterable[str],
        submitted_on: dt.date | None = None,
        late_reason: str = "",
    ) -> None:
        """Record further evidence handed to the court; after the defence period it is late."""
        self.check_state(
            "take further evidence",
            LitigationStatus.DEFENDED,
            LitigationStatus.HEARING_SCHEDULED,
            LitigationStatus.HEARD,
        )
        self.check_role(step, "submit evidence", Role.COORDINATOR, Role.HANDLER)
        submitted_on = submitted_on or step.today
        step.reported_day(submitted_on, "submittedOn")
        names = _names(items)
        if not names:
            raise ValidationError("name at least one item of evidence", field="items")
        late = submitted_on > self.defence_due_on
        self.record(
            self.EvidenceSubmitted,
            step,
            submitted_on=submitted_on,
            items=names,
            late=late,
            late_reason=late_reason.strip() if late else "",
        )

    def schedule_hearing(self, step: Step, *, hearing_on: dt.date, court: str) -> None:
        """Record the hearing date the court set, or a new one."""
        self.check_state(
            "schedule a hearing", LitigationStatus.DEFENDED, LitigationStatus.HEARING_SCHEDULED
        )
        self.check_role(step, "schedule a hearing", Role.COORDINATOR)
        _required(court, "court")
        self.record(self.HearingScheduled, step, hearing_on=hearing_on, court=court)

    def record_head_notice(self, step: Step, *, notice_on: dt.date) -> None:
        """Record the court's notice for the head, refused if under 3 days before the hearing."""
        self.check_state("take the court's notice", LitigationStatus.HEARING_SCHEDULED)
        self.check_role(step, "record the court's notice", Role.COORDINATOR)
        step.reported_day(notice_on, "noticeOn")
        assert self.hearing_on is not None
        if (self.hearing_on - notice_on).days < HEAD_NOTICE_DAYS:
            raise NoticeTooLate(
                f"the court's notice of {notice_on} came less than {HEAD_NOTICE_DAYS} days before "
                f"the hearing on {self.hearing_on}; ask the court to notify the head again or to "
                "move the hearing (最高人民法院关于行政机关负责人出庭应诉若干问题的规定)",
                field="noticeOn",
            )
        self.record(self.HeadNoticeReceived, step, notice_on=notice_on)

    def plan_appearance(
        self,
        step: Step,
        *,
        head_name: str,
        head_title: str,
        staff_name: str | None = None,
        explanation: str = "",
    ) -> None:
        """Say who answers in court: the head, or a named staff member with a written reason."""
        self.check_state("plan who appears in court", LitigationStatus.HEARING_SCHEDULED)
        self.check_role(step, "plan the appearance in court", Role.COORDINATOR)
        _required(head_name, "headName")
        _required(head_title, "headTitle")
        if staff_name is not None:
            _required(staff_name, "staffName")
            self.check_head_not_required()
            if not explanation.strip():
                raise ValidationError(
                    "when the head cannot appear, a written explanation of why is required",
                    field="explanation",
                )
        self.record(
            self.AppearancePlanned,
            step,
            head_name=head_name,
            head_title=head_title,
            staff_name=staff_name,
            explanation=explanation.strip() if staff_name is not None else "",
        )

    def approve_appearance_plan(self, step: Step) -> None:
        """Record the approval of the appearance plan; nobody approves a plan they made."""
        self.check_state("approve an appearance plan", LitigationStatus.HEARING_SCHEDULED)
        self.check_role(step, "record an approval", Role.COORDINATOR)
        plan = self.appearance_plan
        if plan is None:
            raise self.refusal("approve an appearance plan", "no appearance plan has been made")
        approver = self.check_approved(step, "approve the appearance plan")
        if approver.id == plan.planned_by:
            raise SeparationOfDuties("nobody approves an appearance plan they made themselves")
        if not plan.head_appears:
            self.check_head_not_required()
        self.record(self.AppearancePlanApproved, step)

    def hold_hearing(
        self,
        step: Step,
        *,
        head_appeared: bool,
        appeared: Iterable[str],
        held_on: dt.date | None = None,
    ) -> None:
        """Record that the hearing took place and whether the head appeared in person."""
        self.check_state("hold the hearing", LitigationStatus.HEARING_SCHEDULED)
        self.check_role(step, "record a hearing", Role.COORDINATOR)
        plan = self.appearance_plan
        if plan is None or plan.approved_by is None:
            raise self.refusal("hold the hearing", "the appearance plan has not been approved")
        held_on = held_on or step.today
        step.reported_day(held_on, "heldOn")
        names = _names(appeared)
        if not names:
            raise ValidationError("name who appeared for the agency", field="appeared")
        self.record(
            self.HearingHeld, step, held_on=held_on, head_appeared=head_appeared, appeared=names
        )

    def record_judgment(
        self,
        step: Step,
        *,
        form: Form,
        outcome: Outcome,
        decided_on: dt.date,
        served_on: dt.date,
    ) -> None:
        """Record a judgment or ruling served on the agency; at first instance the appeal runs."""
        form, outcome = Form(form), Outcome(outcome)
        if (outcome in RULING_OUTCOMES) != (form is Form.RULING):
            expected = Form.RULING if outcome in RULING_OUTCOMES else Form.JUDGMENT
            raise ValidationError(
                f"a {outcome.replace('_', ' ')} outcome comes in a {expected}, not a {form}",
                field="form",
            )
        instance = self.check_judgment_allowed(form)
        self.check_role(step, "record a judgment", Role.COORDINATOR)
        step.reported_day(served_on, "servedOn")
        _not_before(served_on, decided_on, "servedOn", "it was decided")
        started: list[Deadline] = []
        # A ruling that allows the plaintiff to withdraw is not appealable; it is effective.
        if instance is Instance.FIRST and outcome is not Outcome.WITHDRAWN:
            rule = APPEAL_JUDGMENT if form is Form.JUDGMENT else APPEAL_RULING
            started.append(step.timekeeper.start(rule, served_on))
        self.record(
            self.JudgmentServed,
            step,
            deadlines=started,
            ended=[r for r in (DEFENCE, *APPEAL_CLOCKS) if r in self.deadlines],
            instance=str(instance),
            form=str(form),
            outcome=str(outcome),
            decided_on=decided_on,
            served_on=served_on,
        )

    def appeal(self, step: Step, *, appellant: Appellant, filed_on: dt.date | None = None) -> None:
        """Record an appeal; the agency's own needs an approver and must be within its period."""
        appellant = Appellant(appellant)
        self.check_state("be appealed", LitigationStatus.JUDGED, LitigationStatus.SECOND_INSTANCE)
        if appellant in self.appellants:
            raise self.refusal("be appealed", f"the {appellant} already appealed")
        self.check_role(step, "record an appeal", Role.COORDINATOR)
        filed_on = filed_on or step.today
        step.reported_day(filed_on, "filedOn")
        ended: list[str] = []
        if appellant is Appellant.AGENCY:
            self.check_agency_may_still_appeal("appeal")
            self.check_approved(step, "appeal")
            assert self.appeal_due_on is not None
            if filed_on > self.appeal_due_on:
                raise AppealOutOfTime(
                    f"the appeal period ended on {self.appeal_due_on}; an appeal filed on "
                    f"{filed_on} is out of time (行政诉讼法第八十五条)",
                    field="filedOn",
                )
            ended = self.appeal_clocks()
        self.record(
            self.AppealFiled,
            step,
            ended=ended,
            appellant=str(appellant),
            filed_on=filed_on,
            court_limit_on=_add_months(filed_on, SECOND_INSTANCE_MONTHS),
        )

    def decide_not_to_appeal(self, step: Step) -> None:
        """Record the agency's approved decision not to appeal; its appeal clock stops."""
        self.check_state(
            "decide not to appeal", LitigationStatus.JUDGED, LitigationStatus.SECOND_INSTANCE
        )
        self.check_agency_may_still_appeal("decide not to appeal")
        self.check_role(step, "decide on an appeal", Role.COORDINATOR)
        self.check_approved(step, "decide not to appeal")
        self.record(self.AppealWaived, step, ended=self.appeal_clocks())

    def declare_effective(self, step: Step, *, effective_on: dt.date) -> None:
        """Record that nobody appealed: effective once the period lapsed, or earlier with reason."""
        self.check_state("take effect without appeal", LitigationStatus.JUDGED)
        self.check_role(step, "record an effective judgment", Role.COORDINATOR)
        step.reported_day(effective_on, "effectiveOn")
        assert self.appeal_due_on is not None
        if effective_on <= self.appeal_due_on:
            self.check_reason(step, "take effect before the appeal period lapses")
        self.record(
            self.JudgmentTookEffect,
            step,
            ended=self.appeal_clocks(),
            effective_on=effective_on,
        )

    def open_retrial(
        self,
        step: Step,
        *,
        source: RetrialSource,
        court_case_number: str,
        opened_on: dt.date | None = None,
    ) -> None:
        """Record a retrial (再审) of the effective judgment; the agency's own needs an approver."""
        source = RetrialSource(source)
        self.check_state("be retried", LitigationStatus.EFFECTIVE, LitigationStatus.PERFORMED)
        self.check_role(step, "record a retrial", Role.COORDINATOR)
        if source is RetrialSource.AGENCY:
            self.check_approved(step, "apply for a retrial")
        _required(court_case_number, "courtCaseNumber")
        opened_on = opened_on or step.today
        step.reported_day(opened_on, "openedOn")
        self.record(
            self.RetrialOpened,
            step,
            source=str(source),
            court_case_number=court_case_number,
            opened_on=opened_on,
        )

    def record_performance(
        self, step: Step, *, how: str, performed_on: dt.date | None = None
    ) -> None:
        """Record that the agency performed the effective judgment against it."""
        self.check_performance_due("be performed")
        self.check_role(step, "record performance", Role.COORDINATOR, Role.HANDLER)
        _required(how, "how")
        performed_on = performed_on or step.today
        step.reported_day(performed_on, "performedOn")
        self.record(self.JudgmentPerformed, step, performed_on=performed_on, how=how)

    def record_refusal_to_perform(self, step: Step) -> None:
        """Record that the agency refuses to perform (行政诉讼法 art. 96 penalties may follow)."""
        self.check_performance_due("be refused performance")
        self.check_role(step, "record a refusal to perform", Role.COORDINATOR, Role.HANDLER)
        self.check_reason(step, "record a refusal to perform")
        self.record(self.PerformanceRefused, step)

    def receive_recommendation(
        self,
        step: Step,
        *,
        number: str,
        summary: str,
        received_on: dt.date | None = None,
        limit_days: int | None = None,
    ) -> None:
        """Record a judicial recommendation; the reply is due by the court's limit or the rule's."""
        self.check_not_final("take a judicial recommendation")
        if self.recommendation_pending:
            raise self.refusal(
                "take a judicial recommendation",
                f"recommendation {self.recommendations[-1].number} still awaits a reply",
            )
        self.check_role(step, "record a judicial recommendation", Role.COORDINATOR, Role.INTAKE)
        _required(number, "number")
        received_on = received_on or step.today
        step.reported_day(received_on, "receivedOn")
        keeper = step.timekeeper
        clock = (
            keeper.start(RECOMMENDATION_REPLY, received_on)
            if limit_days is None
            else keeper.start_with_length(RECOMMENDATION_REPLY, received_on, limit_days)
        )
        self.record(
            self.RecommendationReceived,
            step,
            deadlines=[clock],
            number=number,
            received_on=received_on,
            summary=summary,
        )

    def reply_to_recommendation(self, step: Step, *, replied_on: dt.date | None = None) -> None:
        """Record the agency's approved reply to the judicial recommendation."""
        self.check_not_final("reply to a judicial recommendation")
        if not self.recommendation_pending:
            raise self.refusal(
                "reply to a judicial recommendation", "no recommendation awaits a reply"
            )
        self.check_role(step, "reply to a judicial recommendation", Role.COORDINATOR)
        self.check_approved(step, "reply to the judicial recommendation")
        replied_on = replied_on or step.today
        step.reported_day(replied_on, "repliedOn")
        self.record(
            self.RecommendationReplied, step, ended=[RECOMMENDATION_REPLY], replied_on=replied_on
        )

    def close(self, step: Step) -> None:
        """Close the case once the judgment is effective and performed (or needs no performance)."""
        self.check_state("be closed", LitigationStatus.EFFECTIVE, LitigationStatus.PERFORMED)
        self.check_role(step, "close a lawsuit", Role.COORDINATOR)
        if self.recommendation_pending:
            raise self.refusal(
                "be closed",
                f"recommendation {self.recommendations[-1].number} still awaits a reply",
            )
        if self.status == LitigationStatus.EFFECTIVE and self.lost:
            self.check_reason(step, "close a lost case that was not performed")
        self.record(self.Closed, step, ended=self.all_clocks())

    # ---- checks ---------------------------------------------------------------------

    def refusal(self, step_name: str, why: str) -> InvalidTransition:
        """The error for a step this case's state does not allow, and why."""
        return InvalidTransition(self.WHAT, self.status_label(), step_name, why)

    def check_head_not_required(self) -> None:
        """Refuse a staff member in place of the head in a major case."""
        if self.major_ground is not None:
            raise HeadMustAppear(
                f"this is a major administrative case ({self.major_ground.replace('_', ' ')}); "
                "the agency head must appear in court in person",
                field="staffName",
            )

    def check_judgment_allowed(self, form: Form) -> Instance:
        """The instance a new judgment belongs to; a first-instance judgment needs a hearing."""
        step_name = f"take a {form}"
        if self.status == LitigationStatus.SECOND_INSTANCE:
            return Instance.SECOND
        if self.status == LitigationStatus.RETRIAL:
            return Instance.RETRIAL
        self.check_state(step_name, *_BEFORE_JUDGMENT)
        if form is Form.JUDGMENT and self.status != LitigationStatus.HEARD:
            raise self.refusal(step_name, "a judgment comes after the hearing")
        return Instance.FIRST

    def check_agency_may_still_appeal(self, step_name: str) -> None:
        """Refuse a second appeal decision by the agency."""
        if Appellant.AGENCY in self.appellants or self.appeal_waived:
            raise self.refusal(step_name, "the agency already decided on appeal")

    def appeal_clocks(self) -> list[str]:
        """The appeal clock now running, if any."""
        return [rule_id for rule_id in APPEAL_CLOCKS if rule_id in self.deadlines]

    def check_performance_due(self, step_name: str) -> None:
        """Refuse performance steps unless an effective judgment went against the agency."""
        self.check_state(step_name, LitigationStatus.EFFECTIVE)
        if not self.lost:
            raise self.refusal(step_name, "the agency did not lose")


def _required(value: str, field: str) -> None:
    if not value.strip():
        raise ValidationError(f"{field} is required", field=field)


def _names(items: Iterable[str]) -> tuple[str, ...]:
    return tuple(item.strip() for item in items if item.strip())


def _not_before(day: dt.date, earliest: dt.date, field: str, what: str) -> None:
    if day < earliest:
        raise ValidationError(f"{field} {day} is before {what} ({earliest})", field=field)


def _add_months(day: dt.date, months: int) -> dt.date:
    month_index = day.month - 1 + months
    year, month = day.year + month_index // 12, month_index % 12 + 1
    return dt.date(year, month, min(day.day, calendar.monthrange(year, month)[1]))
