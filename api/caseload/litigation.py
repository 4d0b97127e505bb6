"""A lawsuit's path (行政应诉): defence, hearing, judgments, appeal, performance, closure."""

from __future__ import annotations

import datetime as dt
from typing import Any

from api.caseload.district import District, Runner, Track
from api.caseload.people import FIRST_INSTANCE_COURT, Staff, other_party
from domain.actors import Actor
from domain.litigation import (
    DEFENCE,
    RECOMMENDATION_REPLY,
    RULING_OUTCOMES,
    Appellant,
    Form,
    LitigationCase,
    LitigationStatus,
    MajorGround,
    Outcome,
    RetrialSource,
)
from domain.reconsideration import ReconsiderationCase
from domain.values import AdministrativeAct, LinkRelation, Party, PartyRole

L = LitigationCase
FIRST = {
    "agency_won": 45.0,
    "revoked": 10.0,
    "confirmed_illegal": 7.0,
    "confirmed_void": 2.0,
    "ordered_to_perform": 5.0,
    "ordered_to_pay": 3.0,
    "changed": 2.0,
    "compensation": 3.0,
    "partially_lost": 7.0,
    "dismissed": 4.0,
    "withdrawn": 3.0,
}
LATER = {"agency_won": 50.0, "revoked": 15.0, "partially_lost": 10.0, "withdrawn": 12.0}
EVIDENCE = ("现场检查笔录", "询问笔录", "行政处罚告知书及送达回证", "听证笔录", "调查取证照片")
NORMS = ("《中华人民共和国行政处罚法》", "《北京市城乡规划条例》", "《工伤保险条例》")


def facts(
    d: District, *, plaintiffs: list[Party], act: AdministrativeAct, served_on: dt.date
) -> dict[str, Any]:
    """What a lawsuit is registered with when the complaint copy is served."""
    parties = [*plaintiffs, Party(act.agency, PartyRole.RESPONDENT)]
    if d.chance(0.2):
        parties.append(other_party(d.rng, PartyRole.THIRD_PARTY))
    major = d.chance(0.08)
    return {
        "title": f"{plaintiffs[0].name}诉{act.agency}{act.description}案",
        "act": act,
        "parties": parties,
        "court": FIRST_INSTANCE_COURT,
        "court_case_number": f"(2026)京0108行初{d.rng.randint(1, 9999)}号",
        "served_on": served_on,
        "major_ground": MajorGround(d.rng.choice(list(MajorGround))) if major else None,
    }


def arrive(d: District, t: Track[LitigationCase], plaintiff: Party) -> Runner:
    """Register a complaint copy served on the agency; the defence period starts."""
    staff = d.staff(t.organisation)
    step = d.step(t, d.one(staff.intake + staff.coordinators))
    served = step.today - dt.timedelta(days=d.rng.choice((0, 0, 1, 2)))
    case = d.app.register(
        L,
        step,
        organisation=t.organisation,
        **facts(d, plaintiffs=[plaintiff], act=d.dossier(), served_on=served),
    )
    d.opened(t, case)
    if d.maybe("litigation.document", 0.5):
        d.attach(t, step.actor, "起诉状副本.pdf")
    yield d.later(1, 4)
    yield from proceed(d, t)


def co_defendant(
    d: District, t: Track[LitigationCase], upheld: Track[ReconsiderationCase]
) -> Runner:
    """A lawsuit against an act a reconsideration upheld: its body is co-defendant (共同被告)."""
    staff = d.staff(t.organisation)
    coordinator = d.one(staff.coordinators)
    reconsideration = upheld.now
    assert reconsideration.act is not None
    plaintiffs = [p for p in reconsideration.parties if p.role == PartyRole.APPLICANT]
    step = d.step(t, coordinator)
    registered = facts(d, plaintiffs=plaintiffs, act=reconsideration.act, served_on=step.today)
    registered["parties"].append(
        Party(f"{reconsideration.organisation}（复议机关）", PartyRole.RESPONDENT)
    )
    case = d.opened(t, d.app.register(L, step, organisation=t.organisation, **registered))
    link = d.step(t, coordinator, also=[upheld])
    d.app.link_cases(case.id, reconsideration.id, LinkRelation.CO_DEFENDANT_OF, link)
    t.version += 1
    upheld.version += 1
    yield d.later(1, 4)
    yield from proceed(d, t)


def proceed(d: District, t: Track[LitigationCase]) -> Runner:
    """From the served complaint to the closed case."""
    staff = d.staff(t.organisation)
    coordinator = d.one(staff.coordinators)
    if d.chance(0.7):
        d.do(t, L.assign, d.step(t, d.one(staff.approvers)), coordinator.id)
    if not t.now.is_major and d.maybe("litigation.mark_major", 0.06):
        ground = MajorGround(d.pick("litigation.major", {g.value: 1.0 for g in MajorGround}))
        d.do(t, L.mark_major, d.step(t, d.one(staff.approvers), reason="案件社会关注度高"), ground)
    yield d.by(t.now.deadlines[DEFENCE])
    late = d.today > t.now.defence_due_on
    d.do(
        t,
        L.file_defence,
        d.step(t, d.one((coordinator, *staff.handlers))),
        evidence=d.rng.sample(EVIDENCE, 3),
        normative_documents=d.rng.sample(NORMS, 1),
        late_reason="证据调取需时，已向法院书面说明" if late and d.chance(0.6) else "",
    )
    yield d.later(3, 20)
    if d.maybe("litigation.evidence", 0.3):
        reason = "证据系答辩期后新发现" if d.chance(0.5) else ""
        step = d.step(t, coordinator)
        d.do(t, L.submit_evidence, step, items=d.rng.sample(EVIDENCE, 1), late_reason=reason)
        yield d.later(1, 10)
    if d.pick("litigation.course", {"hearing": 88, "ruling": 12}) == "hearing":
        yield from _hearing(d, t, staff, coordinator)
        yield d.later(15, 45)
        outcome = Outcome(d.pick("litigation.first", FIRST))
    else:
        outcome = Outcome(d.pick("litigation.ruling", {"dismissed": 1, "withdrawn": 1}))
    _judgment(d, t, coordinator, outcome)
    if t.now.status == LitigationStatus.JUDGED:
        yield from _appeal(d, t, staff, coordinator)
    if t.now.status == LitigationStatus.SECOND_INSTANCE:
        yield d.later(30, 75)
        _judgment(d, t, coordinator, Outcome(d.pick("litigation.second", LATER)))
    if t.now.status == LitigationStatus.EFFECTIVE:
        yield from _effective(d, t, staff, coordinator)


def _hearing(d: District, t: Track[LitigationCase], staff: Staff, coordinator: Actor) -> Runner:
    court_day = d.calendar.next_working_day_on_or_after(
        d.today + dt.timedelta(d.rng.randint(15, 40))
    )
    step = d.step(t, coordinator)
    d.do(t, L.schedule_hearing, step, hearing_on=court_day.date, court=FIRST_INSTANCE_COURT)
    if d.maybe("litigation.reschedule", 0.1):
        yield d.later(2, 6)
        moved = d.calendar.next_working_day_on_or_after(court_day.date + dt.timedelta(days=14))
        step = d.step(t, coordinator, reason="法院通知变更开庭时间")
        d.do(t, L.schedule_hearing, step, hearing_on=moved.date, court=FIRST_INSTANCE_COURT)
    hearing_on = t.now.hearing_on
    assert hearing_on is not None
    if d.maybe("litigation.head_notice", 0.75):
        yield d.within(hearing_on - dt.timedelta(days=5))
        d.do(t, L.record_head_notice, d.step(t, coordinator), notice_on=d.today)
    yield d.within(hearing_on - dt.timedelta(days=2))
    head = staff.head
    in_person = t.now.is_major or d.pick("litigation.appears", {"head": 45, "staff": 55}) == "head"
    d.do(
        t,
        L.plan_appearance,
        d.step(t, coordinator),
        head_name=head.name,
        head_title=staff.head_title,
        staff_name=None if in_person else coordinator.name,
        explanation="" if in_person else "负责人因参加全区重要会议无法出庭，委托工作人员出庭",
    )
    yield d.within(hearing_on - dt.timedelta(days=1))
    approver = d.one(staff.approvers)
    d.do(t, L.approve_appearance_plan, d.step(t, d.one(staff.coordinators), approver=approver))
    yield hearing_on
    appeared = [head.name, coordinator.name] if in_person else [coordinator.name]
    d.do(t, L.hold_hearing, d.step(t, coordinator), head_appeared=in_person, appeared=appeared)


def _judgment(d: District, t: Track[LitigationCase], coordinator: Actor, outcome: Outcome) -> None:
    form = Form.RULING if outcome in RULING_OUTCOMES else Form.JUDGMENT
    served = d.today - dt.timedelta(days=d.rng.choice((0, 0, 1)))
    decided = served - dt.timedelta(days=d.rng.randint(0, 5))
    step = d.step(t, coordinator)
    d.do(
        t, L.record_judgment, step, form=form, outcome=outcome, decided_on=decided, served_on=served
    )


def _appeal(d: District, t: Track[LitigationCase], staff: Staff, coordinator: Actor) -> Runner:
    due = t.now.appeal_due_on
    assert due is not None
    if t.now.lost:
        choice = d.pick("litigation.lost", {"agency": 45, "waive": 35, "lapse": 20})
    else:
        choice = d.pick("litigation.won", {"plaintiff": 40, "waive": 15, "lapse": 45})
    if choice == "lapse":
        yield d.after(due)
        step = d.step(t, coordinator)
        d.do(t, L.declare_effective, step, effective_on=due + dt.timedelta(days=1))
        return
    yield d.within(due)
    approver = d.one(staff.approvers)
    if choice == "agency":
        step = d.step(t, coordinator, approver=approver, reason="认定事实有误，提起上诉")
        d.do(t, L.appeal, step, appellant=Appellant.AGENCY)
    elif choice == "plaintiff":
        d.do(t, L.appeal, d.step(t, coordinator), appellant=Appellant.PLAINTIFF)
    else:
        d.do(t, L.decide_not_to_appeal, d.step(t, coordinator, approver=approver))
        yield d.later(0, 3)
        reason = "双方均书面表示不上诉"
        d.do(t, L.declare_effective, d.step(t, coordinator, reason=reason), effective_on=d.today)


def _effective(d: District, t: Track[LitigationCase], staff: Staff, coordinator: Actor) -> Runner:
    if d.maybe("litigation.retrial_opened", 0.06):
        source = RetrialSource(d.pick("litigation.retrial", {s.value: 1.0 for s in RetrialSource}))
        approver = d.one(staff.approvers) if source is RetrialSource.AGENCY else None
        number = f"(2026)京01行再{d.rng.randint(1, 999)}号"
        step = d.step(t, coordinator, approver=approver)
        d.do(t, L.open_retrial, step, source=source, court_case_number=number)
        yield d.later(30, 80)
        _judgment(d, t, coordinator, Outcome(d.pick("litigation.retried", LATER)))
    if t.now.lost:
        how = d.pick("litigation.perform", {"perform": 70, "refuse": 15, "leave": 15})
        yield d.later(5, 30)
        if how == "refuse":
            reason = "认为判决适用法律错误，正在申请再审"
            d.do(t, L.record_refusal_to_perform, d.step(t, coordinator, reason=reason))
            yield d.later(10, 30)
        if how != "leave":
            step = d.step(t, d.one((coordinator, *staff.handlers)))
            d.do(t, L.record_performance, step, how="已按判决重新作出行政行为")
    if d.maybe("litigation.recommendation", 0.2):
        yield from _recommendation(d, t, staff, coordinator)
    yield d.later(3, 15)
    if d.may_finish(t):
        unperformed = t.now.status == LitigationStatus.EFFECTIVE and t.now.lost
        reason = "判决未履行，已报负责人说明情况" if unperformed else ""
        d.do(t, L.close, d.step(t, coordinator, reason=reason))


def _recommendation(
    d: District, t: Track[LitigationCase], staff: Staff, coordinator: Actor
) -> Runner:
    number = f"(2026)京0108司建{d.rng.randint(1, 99)}号"
    summary = "建议规范行政执法程序，加强证据收集与送达管理"
    step = d.step(t, d.one((coordinator, *staff.intake)))
    d.do(t, L.receive_recommendation, step, number=number, summary=summary)
    yield d.by(t.now.deadlines[RECOMMENDATION_REPLY])
    approver = d.one(staff.approvers)
    d.do(t, L.reply_to_recommendation, d.step(t, coordinator, approver=approver))
