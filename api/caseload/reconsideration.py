"""A reconsideration's path (行政复议): admission, reply, review, decision, performance, closure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Generator
from decimal import Decimal
from typing import Any

from api.caseload import litigation
from api.caseload.district import District, Runner, Track
from api.caseload.people import Staff, other_party
from domain.actors import Actor
from domain.reconsideration import (
    ADMISSION,
    COPY,
    CORRECTING,
    CORRECTION,
    DECISION,
    OPINION_REPORT,
    REPLY,
    DecisionType,
    ReconsiderationCase,
    ReconsiderationStatus,
    Settlement,
    SimplifiedGround,
)
from domain.rules import Variant
from domain.values import AdministrativeAct, CaseKind, Party, PartyRole

R = ReconsiderationCase
S = ReconsiderationStatus
LAW = "《中华人民共和国行政复议法》"
DECISIONS = {  # decision: (weight, article)
    DecisionType.UPHOLD: (35, "第六十八条"),
    DecisionType.REJECT: (12, "第六十九条"),
    DecisionType.REVOKE: (18, "第六十四条"),
    DecisionType.CHANGE: (8, "第六十三条"),
    DecisionType.CONFIRM_ILLEGAL: (10, "第六十五条"),
    DecisionType.ORDER_PERFORMANCE: (10, "第六十六条"),
    DecisionType.CONFIRM_VOID: (4, "第六十七条"),
}
SUSPENSION_BASIS = f"{LAW}第三十九条第一款"
TERMINATION_BASIS = f"{LAW}第四十一条"


def facts(
    d: District, *, applicant: Party, act: AdministrativeAct, received: dt.date
) -> dict[str, Any]:
    """What an application is registered with; now and then it comes after its period."""
    if d.chance(0.08):
        knew_on = act.date  # long before: filed out of time unless justified (正当理由)
    else:
        knew_on = max(act.date, received - dt.timedelta(days=d.rng.randint(3, 50)))
    parties = [applicant]
    if d.chance(0.15):
        parties.append(other_party(d.rng, PartyRole.THIRD_PARTY))
    return {
        "title": f"{applicant.name}不服{act.agency}{act.description}",
        "act": act,
        "parties": parties,
        "knew_on": knew_on,
        "received_on": received,
        "statutory_period_days": 90 if d.chance(0.03) else None,
    }


def arrive(d: District, t: Track[ReconsiderationCase], applicant: Party) -> Runner:
    """Register an application the reconsideration body received."""
    staff = d.staff(t.organisation)
    step = d.step(t, d.one(staff.intake))
    received = step.today - dt.timedelta(days=d.rng.choice((0, 0, 1, 3)))
    registered = facts(d, applicant=applicant, act=d.dossier(), received=received)
    d.opened(t, d.app.register(R, step, organisation=t.organisation, **registered))
    if d.maybe("reconsideration.document", 0.5):
        d.attach(t, step.actor, "行政复议申请书.pdf")
    yield d.later(0, 2)
    yield from proceed(d, t)


def proceed(d: District, t: Track[ReconsiderationCase]) -> Runner:
    """From the received application to the closed case."""
    staff = d.staff(t.organisation)
    reviewer = d.one(staff.handlers)  # 受理审查
    if d.chance(0.7):
        d.do(t, R.assign, d.step(t, d.one(staff.approvers)), reviewer.id)
    if d.maybe("reconsideration.prefile", 0.12):
        resolved = d.pick("reconsideration.prefiling", {"resolved": 1, "pending": 2}) == "resolved"
        if resolved and not d.may_finish(t):
            return
        summary = "经协调，被申请人同意重新核查" if resolved else "组织案前协调，双方未达成一致"
        step = d.step(t, reviewer)
        d.do(t, R.record_pre_filing_resolution, step, resolved=resolved, summary=summary)
        if resolved:
            return
        yield d.later(1, 3)
    if (yield from _admission(d, t, staff, reviewer)) and (yield from _reviewed(d, t, staff)):
        yield from _decided(d, t, staff)


def _admission(
    d: District, t: Track[ReconsiderationCase], staff: Staff, reviewer: Actor
) -> Generator[dt.date, None, bool]:
    """Admission review (受理审查), with a correction round; True once accepted."""
    while t.now.status in (S.AWAITING_CORRECTION, S.RECEIVED):
        if t.now.status == S.AWAITING_CORRECTION:
            if not (yield from _correction(d, t, reviewer)):
                return False
            continue
        yield d.by(t.now.deadlines[ADMISSION])
        options = {"accept": 80.0, "refuse": 8.0, "withdraw": 3.0}
        if not t.now.correction_items:
            options["correct"] = 20.0
        choice = d.pick("reconsideration.admission", options)
        if choice == "correct":
            items = ["申请人身份证明复印件", "行政行为的具体内容及作出时间"]
            d.do(t, R.request_correction, d.step(t, reviewer), items=items)
        elif choice == "accept":
            _accept(d, t, reviewer)
            return True
        elif d.may_finish(t) and choice == "refuse":
            reason = "申请人与被申请行政行为没有利害关系"
            step = d.step(t, reviewer, reason=reason, legal_basis=f"{LAW}第三十条")
            d.do(t, R.refuse, step)
            return False
        elif d.may_finish(t):
            d.do(t, R.withdraw, d.step(t, d.one(staff.intake), reason="申请人书面申请撤回"))
            return False
        else:
            return False
    return False


def _correction(
    d: District, t: Track[ReconsiderationCase], reviewer: Actor
) -> Generator[dt.date, None, bool]:
    """The applicant's correction (补正); False when the application lapsed or the case stops."""
    deadline = t.now.deadlines[CORRECTION]
    choice = d.pick("reconsideration.correction", {"received": 60, "late": 10, "lapsed": 30})
    if choice == "received":
        yield d.within(deadline.due_on)
        d.do(t, R.receive_correction, d.step(t, reviewer))
    elif choice == "late":
        yield d.after(deadline.due_on)
        d.do(t, R.receive_correction, d.step(t, reviewer, reason="因邮寄延误，补正材料逾期送达"))
    elif d.may_finish(t):
        yield d.after(deadline.due_on)
        d.do(t, R.lapse_correction, d.step(t, reviewer))
    return t.now.status == S.RECEIVED


def _accept(d: District, t: Track[ReconsiderationCase], reviewer: Actor) -> None:
    procedure = Variant(d.pick("reconsideration.procedure", {"ordinary": 7, "simplified": 3}))
    ground = None
    if procedure is Variant.SIMPLIFIED:
        grounds = {g.value: 1.0 for g in SimplifiedGround}
        ground = SimplifiedGround(d.pick("reconsideration.ground", grounds))
    late = "" if t.now.filed_in_time else "申请人因住院治疗耽误申请期限，已提交病历证明"
    step = d.step(t, reviewer)
    d.do(t, R.accept, step, procedure=procedure, simplified_ground=ground, late_justification=late)


def _reviewed(
    d: District, t: Track[ReconsiderationCase], staff: Staff
) -> Generator[dt.date, None, bool]:
    """From acceptance to the decision; True when decided, False when it ended otherwise."""
    officer = d.one(staff.hearing_officers)  # 审理人员, never the admission reviewer
    yield d.later(0, 2)
    d.do(t, R.assign_hearing_officer, d.step(t, d.one(staff.approvers)), officer)
    if d.maybe("reconsideration.reassign", 0.3):
        d.do(t, R.assign, d.step(t, d.one(staff.approvers)), d.one(staff.handlers).id)
    yield d.by(t.now.deadlines[COPY])
    d.do(t, R.send_copy, d.step(t, d.one(staff.intake)))
    if d.chance(0.3):
        yield d.later(2, 6)
        d.do(t, R.hear_parties, d.step(t, officer), summary="电话听取申请人意见")
    reply = t.now.deadlines[REPLY]
    if d.pick("reconsideration.reply", {"received": 88, "none": 12}) == "none":
        yield d.after(reply.due_on)  # decided on the papers, without the reply (第七十条)
    else:
        yield d.by(reply)
        evidence, bases = ["行政处罚决定书", "调查笔录"], ["《中华人民共和国行政处罚法》"]
        d.do(
            t, R.receive_reply, d.step(t, d.one(staff.intake)), evidence=evidence, legal_bases=bases
        )
        if not (yield from _hearing(d, t, staff, officer)):
            return False
    yield d.by(t.now.deadlines[DECISION])
    _decide(d, t, staff, officer)
    return True


def _hearing(
    d: District, t: Track[ReconsiderationCase], staff: Staff, officer: Actor
) -> Generator[dt.date, None, bool]:
    """Review of the case (审理); False when it ended without a decision."""
    if t.now.procedure is Variant.SIMPLIFIED and d.maybe("reconsideration.switch", 0.3):
        yield d.later(1, 5)
        step = d.step(t, officer, reason="案情复杂，转为普通程序", approver=d.one(staff.approvers))
        d.do(t, R.switch_to_ordinary, step)
    if d.maybe("reconsideration.suspend", 0.12):
        yield d.later(2, 10)
        reason = "案件涉及法律适用问题，需要有权机关作出解释"
        d.do(t, R.suspend, d.step(t, officer, reason=reason, legal_basis=SUSPENSION_BASIS))
        yield d.later(10, 40)
        after = d.pick("reconsideration.suspended", {"resume": 80, "end": 20})
        if after == "end":
            if d.may_finish(t):
                _end(d, t, staff, officer)
            return False
        d.do(t, R.resume, d.step(t, officer))
    yield d.later(2, 10)
    if d.maybe("reconsideration.hear", 0.4):
        d.do(t, R.hear_parties, d.step(t, officer), summary="当面听取双方意见")
    if d.maybe("reconsideration.formal_hearing", 0.12):
        step = d.step(t, officer, reason="案情重大、复杂，依法组织听证")
        d.do(t, R.hold_hearing, step, summary="听证会质证辩论")
    if d.maybe("reconsideration.committee", 0.1):
        d.do(t, R.consult_committee, d.step(t, officer), opinion="委员会多数意见认为应予维持")
    deadline = t.now.deadlines[DECISION]
    if (
        t.now.procedure is Variant.ORDINARY
        and not deadline.extended_by
        and d.maybe("reconsideration.extend", 0.15)
    ):
        step = d.step(
            t, officer, reason="案情复杂，不能在规定期限内作出决定", approver=d.one(staff.approvers)
        )
        d.do(t, R.extend_decision_deadline, step, days=d.rng.randint(10, 30))
    if d.pick("reconsideration.ending", {"decide": 78, "other": 22}) == "decide":
        return True
    if d.may_finish(t):
        yield d.later(3, 15)
        _end(d, t, staff, officer)
    return False


def _end(d: District, t: Track[ReconsiderationCase], staff: Staff, officer: Actor) -> None:
    """An ending without a decision: settled, withdrawn or terminated."""
    options = {"settle": 2, "withdraw": 1, "terminate": 1}
    if t.now.status == S.SUSPENDED:
        options.pop("settle")
    how = d.pick("reconsideration.end", options)
    if how == "settle":
        kind = Settlement(d.pick("reconsideration.settlement", {s.value: 1.0 for s in Settlement}))
        terms = "被申请人重新核定罚款数额，申请人撤回复议请求"
        d.do(t, R.settle, d.step(t, officer), settlement=kind, terms=terms)
    elif how == "withdraw":
        d.do(t, R.withdraw, d.step(t, d.one(staff.intake), reason="申请人书面申请撤回"))
    else:
        step = d.step(
            t, officer, reason="申请人死亡，无近亲属参加复议", legal_basis=TERMINATION_BASIS
        )
        d.do(t, R.terminate, step)


def _decide(d: District, t: Track[ReconsiderationCase], staff: Staff, officer: Actor) -> None:
    weights = {k.value: float(w) for k, (w, _) in DECISIONS.items()}
    decision = DecisionType(d.pick("reconsideration.decision", weights))
    in_part = decision is DecisionType.REVOKE and d.chance(0.3)
    new_act = decision is DecisionType.REVOKE and d.chance(0.3)
    paid = decision in CORRECTING and d.chance(0.1)
    step = d.step(
        t,
        officer,
        reason="经审理，依法作出行政复议决定",
        legal_basis=f"{LAW}{DECISIONS[decision][1]}",
        approver=d.one(staff.approvers),
    )
    d.do(
        t,
        R.decide,
        step,
        decision=decision,
        in_part=in_part,
        orders_new_act=new_act,
        compensation=Decimal(d.rng.randint(5, 500) * 100) if paid else None,
    )
    if d.maybe("reconsideration.decision_document", 0.5):
        d.attach(t, officer, "行政复议决定书.pdf")


def _decided(d: District, t: Track[ReconsiderationCase], staff: Staff) -> Runner:
    """Service, performance, opinion letter, a lawsuit against an upheld act, closure."""
    handler = d.one(staff.handlers)
    yield d.later(1, 7)
    d.do(t, R.serve, d.step(t, d.one(staff.intake)))
    if t.now.corrected:
        how = d.pick("reconsideration.performance", {"performed": 60, "ordered": 25, "none": 15})
        if how == "ordered":
            yield d.later(10, 30)
            reason = "被申请人未在规定期限内履行行政复议决定"
            perform_by = d.today + dt.timedelta(days=d.rng.randint(15, 30))
            d.do(t, R.order_performance, d.step(t, handler, reason=reason), perform_by=perform_by)
        if how != "none":
            yield d.later(5, 30)
            d.do(t, R.record_performance, d.step(t, handler), summary="被申请人已重新作出行政行为")
    if d.maybe("reconsideration.opinion_letter", 0.15):
        yield d.later(3, 15)
        issues = "执法程序不规范，告知环节缺失"
        d.do(t, R.issue_opinion_letter, d.step(t, handler), issues=issues)
        yield d.by(t.now.deadlines[OPINION_REPORT])
        step = d.step(t, d.one(staff.intake))
        d.do(t, R.receive_opinion_report, step, summary="已完成整改并报送整改情况")
    if (
        t.now.decision is DecisionType.UPHOLD
        and d.maybe("reconsideration.co_defendant", 0.4)
        and d.has_room()
    ):
        lawsuit = d.new_track(CaseKind.LITIGATION, t.organisation, reserve=True)
        d.start(d.later(10, 30), lawsuit, litigation.co_defendant(d, lawsuit, t))
    yield d.later(3, 15)
    if d.may_finish(t):
        d.do(t, R.close, d.step(t, d.one((handler, *staff.approvers))))
