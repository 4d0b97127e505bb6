"""A mediation's path (调解): sessions, agreement or failure, judicial confirmation, closure."""

from __future__ import annotations

from typing import Any

from api.caseload.district import District, Runner, Track
from api.caseload.people import FIRST_INSTANCE_COURT, other_party, person_name
from domain.actors import Actor
from domain.mediation import (
    ADMINISTRATIVE,
    JUDICIAL_CONFIRMATION,
    MediationCase,
    MediationType,
    Origin,
    Performance,
    ReferralSource,
)
from domain.values import AdministrativeAct, Party, PartyRole

M = MediationCase
TYPES = {"peoples": 45.0, "administrative": 40.0, "judicial": 15.0}
DISPUTES = ("相邻关系纠纷", "劳动报酬纠纷", "征收补偿纠纷", "物业服务纠纷", "消费纠纷", "婚姻纠纷")


def facts(
    d: District,
    *,
    parties: list[Party],
    act: AdministrativeAct | None,
    origin: Origin,
    source: ReferralSource | None = None,
    reference: str = "",
) -> dict[str, Any]:
    """What a mediation is registered with."""
    return {
        "title": f"{parties[0].name}与{parties[1].name}{d.rng.choice(DISPUTES)}",
        "parties": parties,
        "origin": origin,
        "mediation_type": MediationType(d.pick("mediation.type", TYPES)),
        "act": act,
        "referral_source": source,
        "source_reference": reference,
    }


def arrive(d: District, t: Track[MediationCase], applicant: Party) -> Runner:
    """Start a mediation on application, proactively, or on a court's referral."""
    staff = d.staff(t.organisation)
    origin = Origin(d.pick("mediation.origin", {"application": 5, "proactive": 2, "referral": 2}))
    source, reference = None, ""
    if origin is Origin.REFERRAL:
        source = ReferralSource(d.pick("mediation.source", {"court": 3, "reconsideration": 1}))
        reference = f"(2026)京0108民诉前调{d.rng.randint(1, 9999)}号"
    parties = [applicant, other_party(d.rng, PartyRole.OTHER)]
    act = d.dossier() if d.chance(0.3) else None
    step = d.step(t, d.one(staff.intake))
    case = d.app.register(
        MediationCase,
        step,
        organisation=t.organisation,
        **facts(d, parties=parties, act=act, origin=origin, source=source, reference=reference),
    )
    d.opened(t, case)
    if d.maybe("mediation.document", 0.3):
        d.attach(t, step.actor, "调解申请书.pdf")
    yield d.later(1, 6)
    yield from proceed(d, t)


def proceed(d: District, t: Track[MediationCase]) -> Runner:
    """From the start of mediation to its end."""
    staff = d.staff(t.organisation)
    handler = d.one(staff.handlers)
    if d.chance(0.7):
        d.do(t, M.assign, d.step(t, d.one(staff.intake)), handler.id)
    mediator = f"人民调解员{person_name(d.rng)}" if d.chance(0.5) else handler.name
    for session in range(d.rng.randint(1, 3)):
        notes = f"第{session + 1}次调解，双方陈述意见"
        d.do(t, M.hold_session, d.step(t, handler), mediator=mediator, notes=notes)
        yield d.later(3, 12)
        if d.maybe("mediation.change_type", 0.15):
            others = {k: w for k, w in TYPES.items() if k != t.now.mediation_type}
            new = MediationType(d.pick("mediation.change", others))
            d.do(t, M.change_type, d.step(t, handler, reason="转入对口调解"), new)
            yield d.later(2, 8)
    clock = t.now.deadlines.get(ADMINISTRATIVE)
    if clock is not None:
        yield d.by(clock)
    end = d.pick("mediation.end", {"agree": 65, "fail": 20, "refuse": 15})
    if end == "agree":
        yield from _settled(d, t, handler)
    elif d.may_finish(t) and end == "fail":
        reason = "双方分歧较大，调解不成，告知通过诉讼途径解决"
        d.do(t, M.record_failure, d.step(t, handler, reason=reason))
    elif d.may_finish(t):
        party = t.now.parties[1].name
        step = d.step(t, handler, reason=f"{party}明确表示拒绝调解")
        d.do(t, M.record_refusal, step, party=party)


def _settled(d: District, t: Track[MediationCase], handler: Actor) -> Runner:
    written = d.chance(0.8)
    terms = f"一方于三十日内支付人民币{d.rng.randint(2, 200) * 500}元，双方再无其他争议"
    step = d.step(t, handler)
    d.do(t, M.reach_agreement, step, terms=terms, effective_on=step.today, written=written)
    confirmation = t.now.deadlines.get(JUDICIAL_CONFIRMATION)
    if confirmation is not None and d.pick("mediation.confirm", {"apply": 1, "skip": 1}) == "apply":
        yield d.within(confirmation.due_on)
        d.do(t, M.apply_for_confirmation, d.step(t, handler), court=FIRST_INSTANCE_COURT)
        yield d.later(7, 30)
        granted = d.pick("mediation.ruling", {"granted": 85, "refused": 15}) == "granted"
        d.do(t, M.record_confirmation, d.step(t, handler), granted=granted)
    for _ in range(d.rng.randint(0, 2)):
        yield d.later(10, 40)
        how = Performance(d.pick("mediation.performance", {p.value: 1.0 for p in Performance}))
        d.do(t, M.record_performance, d.step(t, handler), how, note="回访履行情况")
    yield d.later(3, 20)
    if d.may_finish(t):
        d.do(t, M.close, d.step(t, handler))
