"""A petition's path (信访): routing, diversion, handling, review, re-review and closure."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable
from typing import Any

from api.caseload import litigation, mediation, reconsideration
from api.caseload.district import District, Runner, Track
from api.caseload.people import Staff, other_party
from domain.actors import Actor
from domain.case import CaseFile
from domain.litigation import LitigationCase
from domain.mediation import MediationCase, Origin, ReferralSource
from domain.petition import Petition, PetitionStatus, Satisfaction
from domain.reconsideration import ReconsiderationCase
from domain.values import CaseKind, LinkRelation, Party, PartyRole

P = Petition
ROUTE, ACCEPT, HANDLE = "petition.route", "petition.accept", "petition.handle"
REVIEW_WINDOW, REVIEW_ANSWER = "petition.review.request", "petition.review.answer"
REREVIEW_WINDOW, REREVIEW_ANSWER = "petition.rereview.request", "petition.rereview.answer"
MATTERS = (
    "拆迁补偿款未足额发放",
    "小区违建长期未拆除",
    "工伤认定结果有异议",
    "餐馆油烟扰民",
    "欠薪",
)
CHANNELS = {"letter": 3.0, "visit": 4.0, "online": 5.0}
SATISFACTION = {s.value: w for s, w in zip(Satisfaction, (5.0, 3.0, 2.0), strict=True)}
SUPERVISOR = "区信访工作联席会议办公室"


def arrive(d: District, t: Track[Petition], petitioner: Party) -> Runner:
    """Register a petition the petitions office received, then route, decline or divert it."""
    office = d.staff(t.organisation)
    intake = d.one(office.intake)
    step = d.step(t, intake)
    repeats = _repeated(d)
    case = d.app.register(
        P,
        step,
        title=f"{petitioner.name}反映{d.rng.choice(MATTERS)}问题",
        organisation=t.organisation,
        act=d.dossier() if d.chance(0.6) else None,
        parties=[repeats.parties[0] if repeats else petitioner],
        channel=d.pick("petition.channel", CHANNELS),
        received_on=step.today - dt.timedelta(days=d.rng.choice((0, 0, 0, 1, 2))),
        repeats=repeats,
    )
    d.opened(t, case)
    if d.maybe("petition.document", 0.4):
        d.attach(t, intake, "信访材料.pdf")
    if d.chance(0.5):
        d.do(t, P.assign, d.step(t, intake), d.one(office.handlers).id)
    yield d.by(t.now.deadlines[ROUTE])
    choice = d.pick("petition.registered", {"route": 80, "decline": 7, "divert": 13})
    if choice != "route":
        _leave(d, t, office, choice)
        return
    agency = d.superior(t.organisation) if d.chance(0.8) else t.organisation
    step = d.step(t, intake, approver=d.one(office.approvers))
    d.do(
        t,
        P.route,
        step,
        agency=agency,
        method=d.pick("petition.routing", {"transfer": 1, "assign": 1}),
    )
    yield from _routed(d, t, office, d.staff(agency))


def _repeated(d: District) -> Petition | None:
    """Now and then an earlier petition still open, which this one repeats (重复信访)."""
    earlier = (
        p
        for p in d.tracks
        if isinstance(p.case, Petition) and p.case.status != PetitionStatus.CONCLUDED
    )
    if next(earlier, None) is None or not d.chance(0.05):
        return None
    return d.rng.choice(
        [
            p.case
            for p in d.tracks
            if isinstance(p.case, Petition) and p.case.status != PetitionStatus.CONCLUDED
        ]
    )


def _leave(d: District, t: Track[Petition], holder: Staff, how: str) -> None:
    """Decline (不予受理) or divert (诉访分离) the petition; nothing follows here."""
    if not d.may_finish(t):
        return
    if how == "decline":
        reason = "信访人的诉求已经或者依法应当通过诉讼、仲裁、行政复议等法定途径解决"
        step = d.step(t, d.one(holder.handlers), approver=d.one(holder.approvers), reason=reason)
        d.do(t, P.decline, step)
        return
    channel = d.pick(
        "petition.divert", {"reconsideration": 4, "litigation": 2, "mediation": 3, "arbitration": 1}
    )
    if channel in ("reconsideration", "litigation") and t.now.act is None:
        channel = "mediation"
    _divert(d, t, holder, channel)


def _divert(d: District, t: Track[Petition], holder: Staff, channel: str) -> None:
    petition = t.now
    kinds = {
        "reconsideration": (CaseKind.RECONSIDERATION, ReconsiderationCase),
        "litigation": (CaseKind.LITIGATION, LitigationCase),
        "mediation": (CaseKind.MEDIATION, MediationCase),
    }
    reason = f"依法导入{channel}程序办理"
    approver = d.one(holder.approvers)
    if channel not in kinds or not d.has_room():
        step = d.step(t, d.one(holder.intake), approver=approver, reason=reason)
        d.do(t, P.divert_outside, step, "arbitration", "引导至区劳动人事争议仲裁委员会申请仲裁")
        return
    kind, case_class = kinds[channel]
    target: Track[Any] = d.new_track(kind, holder.organisation)
    step = d.step(t, d.one(holder.intake), approver=approver, reason=reason, also=[target])
    opened = d.app.prepare(
        case_class, step, organisation=holder.organisation, **_facts(d, t, kind, step.today)
    )
    note = f"转{channel}，原信访件{petition.reference}"

    def divert(source: Petition, other: CaseFile) -> None:
        source.divert(step, channel, other, note)

    source, linked = d.app.open_linked(
        petition.id,
        P,
        target=opened,
        relation=LinkRelation.DIVERTED_TO,
        source_command=divert,
        step=step,
    )
    t.saved(source)
    d.opened(target, linked)
    runners: dict[CaseKind, Callable[[District, Track[Any]], Runner]] = {
        CaseKind.RECONSIDERATION: reconsideration.proceed,
        CaseKind.LITIGATION: litigation.proceed,
        CaseKind.MEDIATION: mediation.proceed,
    }
    d.start(d.later(1, 5), target, runners[kind](d, target))


def _facts(d: District, t: Track[Petition], kind: CaseKind, today: dt.date) -> dict[str, Any]:
    petition = t.now
    person = petition.parties[0]
    if kind is CaseKind.MEDIATION:
        return mediation.facts(
            d,
            parties=[person, other_party(d.rng, PartyRole.OTHER)],
            act=petition.act,
            origin=Origin.REFERRAL,
            source=ReferralSource.PETITION,
            reference=petition.reference,
        )
    assert petition.act is not None
    if kind is CaseKind.RECONSIDERATION:
        return reconsideration.facts(d, applicant=person, act=petition.act, received=today)
    return litigation.facts(d, plaintiffs=[person], act=petition.act, served_on=today)


def _routed(d: District, t: Track[Petition], office: Staff, agency: Staff) -> Runner:
    """The competent agency accepts, declines or diverts, then handles the petition."""
    yield d.by(t.now.deadlines[ACCEPT])
    choice = d.pick("petition.routed", {"accept": 86, "decline": 6, "divert": 8})
    if choice != "accept":
        _leave(d, t, agency, choice)
        return
    handler, approver = d.one(agency.handlers), d.one(agency.approvers)
    d.do(t, P.accept, d.step(t, handler, approver=approver))
    d.do(t, P.assign, d.step(t, approver), handler.id)
    supervised = d.maybe("petition.supervise", 0.12)
    if supervised:
        instructions = "限期办结并报送办理结果"
        step = d.step(t, d.one(office.approvers))
        d.do(t, P.supervise, step, supervisor=SUPERVISOR, instructions=instructions)
    yield d.later(3, 15)
    d.do(t, P.note_investigation, d.step(t, handler), "走访信访人并调取相关材料")
    if d.maybe("petition.hearing", 0.25):
        yield d.later(5, 15)
        d.do(t, P.record_hearing, d.step(t, handler), "组织信访听证，听取各方意见")
    if d.maybe("petition.extend", 0.18):
        yield d.later(5, 20)
        step = d.step(t, handler, approver=approver, reason="案情复杂，需进一步调查核实")
        d.do(t, P.extend_handling, step, d.rng.randint(15, 30))
    if supervised and d.maybe("petition.lift", 0.7):
        step = d.step(t, d.one(office.intake), reason="已按督办要求推进办理")
        d.do(t, P.lift_supervision, step)
    yield d.by(t.now.deadlines[HANDLE])
    opinion = "经调查核实，依法提出处理意见如下"
    d.do(t, P.issue_opinion, d.step(t, handler, approver=approver), opinion)
    yield from _answered(d, t, office, agency)


def _answered(d: District, t: Track[Petition], office: Staff, agency: Staff) -> Runner:
    """The petitioner evaluates, asks for review, waives it, or lets its window lapse."""
    intake = d.one(office.intake)
    choice = d.pick("petition.answered", {"close": 55, "review": 30, "waive": 15})
    if choice == "review":
        yield d.within(t.now.deadlines[REVIEW_WINDOW].due_on)
        _evaluate(d, t, intake)
        reviewer = d.superior(agency.organisation)
        d.do(t, P.request_review, d.step(t, intake), reviewer=reviewer)
        yield from _reviewed(d, t, office, d.staff(reviewer))
        return
    yield d.later(1, 10)
    _evaluate(d, t, intake)
    if not d.may_finish(t):
        return
    if choice == "close":
        yield d.after(t.now.deadlines[REVIEW_WINDOW].due_on)
    d.do(t, P.close, d.step(t, intake), review_waived=choice == "waive")


def _reviewed(d: District, t: Track[Petition], office: Staff, reviewer: Staff) -> Runner:
    yield d.by(t.now.deadlines[REVIEW_ANSWER])
    step = d.step(t, d.one(reviewer.handlers), approver=d.one(reviewer.approvers))
    d.do(t, P.answer_review, step, "经复查，维持原处理意见")
    intake = d.one(office.intake)
    if d.pick("petition.reviewed", {"close": 60, "rereview": 40}) == "close":
        yield d.later(1, 10)
        _evaluate(d, t, intake)
        if d.may_finish(t):
            yield d.after(t.now.deadlines[REREVIEW_WINDOW].due_on)
            d.do(t, P.close, d.step(t, intake))
        return
    yield d.within(t.now.deadlines[REREVIEW_WINDOW].due_on)
    _evaluate(d, t, intake)
    agency = t.now.agency or t.organisation
    rereviewer = d.staff(d.superior(reviewer.organisation, agency))
    d.do(t, P.request_rereview, d.step(t, intake), rereviewer=rereviewer.organisation)
    yield d.by(t.now.deadlines[REREVIEW_ANSWER])
    step = d.step(t, d.one(rereviewer.handlers), approver=d.one(rereviewer.approvers))
    d.do(t, P.answer_rereview, step, "经复核，维持复查意见")
    yield d.later(1, 10)
    _evaluate(d, t, intake)
    if d.may_finish(t):
        d.do(t, P.close, d.step(t, intake))


def _evaluate(d: District, t: Track[Petition], intake: Actor) -> None:
    """Most petitioners say how satisfied they are with the latest opinion (满意度评价)."""
    if d.chance(0.7):
        satisfaction = d.pick("petition.satisfaction", SATISFACTION)
        d.do(t, P.evaluate, d.step(t, intake), satisfaction)
