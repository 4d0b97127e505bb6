"""Every procedure from intake to closure through GraphQL alone, offering only true next steps."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any
from uuid import UUID

from api.bootstrap import Container
from domain.actors import Role
from domain.step import china_date
from tests.api.conftest import GraphQL, User, Users
from tests.api.steps import refusals

CASE = """
query($id: ID!) {
  case(id: $id) {
    id version status isFinal kind reference assignee
    nextSteps { mutation }
    deadlines { ruleId dueOn daysLeft overdue legalBasis }
    history { what actor { id role } approver { id } reason legalBasis }
  }
}
"""

ACT = {"agency": "区市场监管局", "documentNumber": "区市监罚〔2026〕3号", "date": "2026-03-01"}
APPLICANT = {"name": "张三", "role": "APPLICANT", "phone": "13800001111"}


def today(container: Container) -> dt.date:
    return china_date(container.application.clock())


async def read(gql: GraphQL, user: User, case: dict[str, Any]) -> dict[str, Any]:
    found: dict[str, Any] = (await gql.query(user, CASE, {"id": case["id"]}))["case"]
    return found


async def take(
    gql: GraphQL, container: Container, user: User, mutation: str, case: dict[str, Any], **data: Any
) -> dict[str, Any]:
    """The step must be offered to the user, every offered step must be true, and it succeeds."""
    seen = await read(gql, user, case)
    offered = [s["mutation"] for s in seen["nextSteps"]]
    assert mutation in offered, (mutation, offered)
    assert refusals(container.application, UUID(case["id"]), user.actor, offered) == {}
    return await gql.step(user, mutation, seen, **data)


async def court_dates(
    gql: GraphQL, user: User, container: Container, case: dict[str, Any]
) -> list[str]:
    start = today(container)
    variables = {"from": start.isoformat(), "to": (start + dt.timedelta(days=90)).isoformat()}
    query = (
        "query($from: Date!, $to: Date!) { courtCalendar(from: $from, to: $to) { what caseId } }"
    )
    entries = (await gql.query(user, query, variables))["courtCalendar"]
    return [e["what"] for e in entries if e["caseId"] == case["id"]]


async def register(gql: GraphQL, user: User, mutation: str, **data: Any) -> dict[str, Any]:
    result = await gql.mutate(user, mutation, {"title": f"案件 {uuid.uuid4().hex[:6]}", **data})
    assert result["__typename"] == "CaseUpdated", result
    case: dict[str, Any] = result["case"]
    return case


async def test_a_petition_runs_from_registration_through_review_and_re_review_to_closure(
    gql: GraphQL, api_container: Container, users: Users
) -> None:
    agency, city, province = (f"{n}-{uuid.uuid4().hex[:6]}" for n in ("agency", "city", "prov"))
    intake, office_head = users(Role.INTAKE), users(Role.APPROVER)
    handler, agency_head = users(Role.HANDLER, agency), users(Role.APPROVER, agency)
    city_handler, city_head = users(Role.HANDLER, city), users(Role.APPROVER, city)
    prov_handler, prov_head = users(Role.HANDLER, province), users(Role.APPROVER, province)
    c = api_container

    case = await register(gql, intake, "registerPetition", parties=[APPLICANT], channel="LETTER")
    assert case["status"] == "registered"
    case = await take(
        gql,
        c,
        intake,
        "petitionRoute",
        case,
        agency=agency,
        method="ASSIGN",
        approver={"id": office_head.id},
    )
    case = await take(gql, c, handler, "petitionAccept", case, approver={"id": agency_head.id})
    case = await take(gql, c, handler, "petitionNoteInvestigation", case, note="现场核查")
    case = await take(
        gql,
        c,
        handler,
        "petitionIssueOpinion",
        case,
        opinion="维持原处理",
        approver={"id": agency_head.id},
    )
    case = await take(gql, c, intake, "petitionRequestReview", case, reviewer=city)
    case = await take(
        gql,
        c,
        city_handler,
        "petitionAnswerReview",
        case,
        opinion="复查维持",
        approver={"id": city_head.id},
    )
    case = await take(gql, c, intake, "petitionRequestRereview", case, rereviewer=province)
    case = await take(
        gql,
        c,
        prov_handler,
        "petitionAnswerRereview",
        case,
        opinion="复核维持",
        approver={"id": prov_head.id},
    )
    case = await take(gql, c, intake, "petitionEvaluate", case, satisfaction="DISSATISFIED")
    case = await take(gql, c, intake, "petitionClose", case)

    closed = await read(gql, intake, case)
    assert (closed["status"], closed["isFinal"], closed["deadlines"], closed["nextSteps"]) == (
        "closed",
        True,
        [],
        [],
    )
    assert [
        (e["what"], e["actor"]["id"], (e["approver"] or {}).get("id")) for e in closed["history"]
    ] == [
        ("Registered", intake.id, None),
        ("Routed", intake.id, office_head.id),
        ("Accepted", handler.id, agency_head.id),
        ("InvestigationNoted", handler.id, None),
        ("OpinionIssued", handler.id, agency_head.id),
        ("ReviewRequested", intake.id, None),
        ("ReviewAnswered", city_handler.id, city_head.id),
        ("RereviewRequested", intake.id, None),
        ("RereviewAnswered", prov_handler.id, prov_head.id),
        ("Evaluated", intake.id, None),
        ("Closed", intake.id, None),
    ]


async def test_a_reconsideration_runs_from_application_to_closure(
    gql: GraphQL, api_container: Container, users: Users
) -> None:
    intake, reviewer, head = users(Role.INTAKE), users(Role.HANDLER), users(Role.APPROVER)
    officer = users(Role.HEARING_OFFICER)
    c = api_container
    knew = (today(c) - dt.timedelta(days=10)).isoformat()

    case = await register(
        gql, intake, "registerReconsideration", act=ACT, parties=[APPLICANT], knewOn=knew
    )
    assert [d["ruleId"] for d in (await read(gql, intake, case))["deadlines"]] == [
        "reconsideration.admission"
    ]
    case = await take(gql, c, reviewer, "reconsiderationAccept", case)
    case = await take(gql, c, intake, "reconsiderationSendCopy", case)
    case = await take(
        gql,
        c,
        intake,
        "reconsiderationReceiveReply",
        case,
        evidence=["现场检查笔录"],
        legalBases=["《食品安全法》第一百二十四条"],
    )
    case = await take(
        gql, c, head, "reconsiderationAssignHearingOfficer", case, officer={"id": officer.id}
    )
    case = await take(
        gql, c, officer, "reconsiderationHearParties", case, summary="电话听取双方意见"
    )
    case = await take(
        gql,
        c,
        officer,
        "reconsiderationDecide",
        case,
        decision="REVOKE",
        reason="事实不清",
        legalBasis="《行政复议法》第六十四条",
        approver={"id": head.id},
    )
    case = await take(gql, c, intake, "reconsiderationServe", case)
    case = await take(gql, c, reviewer, "reconsiderationClose", case)

    closed = await read(gql, reviewer, case)
    assert (closed["status"], closed["isFinal"], closed["deadlines"]) == ("closed", True, [])
    decided = next(e for e in closed["history"] if e["what"] == "Decided")
    assert decided == {
        "what": "Decided",
        "actor": {"id": officer.id, "role": "HEARING_OFFICER"},
        "approver": {"id": head.id},
        "reason": "事实不清",
        "legalBasis": "《行政复议法》第六十四条",
    }


async def test_a_lawsuit_runs_from_the_complaint_through_hearing_and_judgment_to_closure(
    gql: GraphQL, api_container: Container, users: Users
) -> None:
    intake = users(Role.INTAKE)
    coordinator, other_coordinator = (
        users(Role.COORDINATOR, "legal-office"),
        users(Role.COORDINATOR),
    )
    head = users(Role.APPROVER)
    c = api_container
    day = today(c).isoformat()

    case = await register(
        gql,
        intake,
        "registerLitigation",
        act=ACT,
        parties=[APPLICANT],
        court="区人民法院",
        courtCaseNumber="(2026)行初1号",
        servedOn=day,
    )
    case = await take(
        gql,
        c,
        coordinator,
        "litigationFileDefence",
        case,
        evidence=["处罚决定书"],
        normativeDocuments=[],
    )
    case = await take(
        gql, c, coordinator, "litigationScheduleHearing", case, hearingOn=day, court="区人民法院"
    )
    case = await take(
        gql, c, coordinator, "litigationPlanAppearance", case, headName="李四", headTitle="局长"
    )
    case = await take(
        gql, c, other_coordinator, "litigationApproveAppearancePlan", case, approver={"id": head.id}
    )
    case = await take(
        gql, c, coordinator, "litigationHoldHearing", case, headAppeared=True, appeared=["李四"]
    )
    case = await take(
        gql,
        c,
        coordinator,
        "litigationRecordJudgment",
        case,
        form="JUDGMENT",
        outcome="AGENCY_WON",
        decidedOn=day,
        servedOn=day,
    )
    assert await court_dates(gql, coordinator, c, case) == ["APPEAL_WINDOW_ENDS"]
    case = await take(
        gql,
        c,
        coordinator,
        "litigationDeclareEffective",
        case,
        effectiveOn=day,
        reason="原告当庭表示不上诉",
    )
    case = await take(
        gql,
        c,
        coordinator,
        "litigationReceiveRecommendation",
        case,
        number="司建1号",
        summary="规范执法程序",
    )
    assert await court_dates(gql, coordinator, c, case) == ["RECOMMENDATION_REPLY_DUE"]
    case = await take(
        gql, c, coordinator, "litigationReplyToRecommendation", case, approver={"id": head.id}
    )
    case = await take(gql, c, coordinator, "litigationClose", case)

    closed = await read(gql, coordinator, case)
    assert (closed["status"], closed["isFinal"], closed["nextSteps"]) == ("closed", True, [])
    assert [e["what"] for e in closed["history"]] == [
        "Registered",
        "DefenceFiled",
        "HearingScheduled",
        "AppearancePlanned",
        "AppearancePlanApproved",
        "HearingHeld",
        "JudgmentServed",
        "JudgmentTookEffect",
        "RecommendationReceived",
        "RecommendationReplied",
        "Closed",
    ]


async def test_a_mediation_settles_is_confirmed_performed_and_closed(
    gql: GraphQL, api_container: Container, users: Users
) -> None:
    intake, mediator = users(Role.INTAKE), users(Role.HANDLER)
    c = api_container
    day = today(c).isoformat()
    parties = [APPLICANT, {"name": "李四", "role": "OTHER"}]

    case = await register(
        gql,
        intake,
        "registerMediation",
        parties=parties,
        origin="APPLICATION",
        mediationType="ADMINISTRATIVE",
    )
    case = await take(
        gql, c, mediator, "mediationHoldSession", case, mediator="王调解员", notes="双方陈述"
    )
    case = await take(
        gql,
        c,
        mediator,
        "mediationReachAgreement",
        case,
        terms="李四让出通道",
        effectiveOn=day,
        written=True,
    )
    case = await take(gql, c, mediator, "mediationApplyForConfirmation", case, court="区人民法院")
    case = await take(gql, c, mediator, "mediationRecordConfirmation", case, granted=True)
    case = await take(gql, c, mediator, "mediationRecordPerformance", case, performance="PERFORMED")
    case = await take(gql, c, mediator, "mediationClose", case)

    closed = await read(gql, mediator, case)
    assert (closed["status"], closed["isFinal"], closed["deadlines"]) == ("closed", True, [])
    assert [e["what"] for e in closed["history"]] == [
        "Registered",
        "SessionHeld",
        "AgreementReached",
        "ConfirmationApplied",
        "ConfirmationRuled",
        "PerformanceRecorded",
        "Closed",
    ]


LINKS = "query($id: ID!) { case(id: $id) { status links { caseId kind relation } } }"


async def test_diverting_a_petition_to_an_existing_mediation_links_both_ways(
    gql: GraphQL, users: Users
) -> None:
    intake, head = users(Role.INTAKE), users(Role.APPROVER)
    petition = await register(gql, intake, "registerPetition", parties=[APPLICANT], channel="VISIT")
    mediation = await register(
        gql,
        intake,
        "registerMediation",
        parties=[APPLICANT, {"name": "李四", "role": "OTHER"}],
        origin="REFERRAL",
        mediationType="PEOPLES",
        referralSource="PETITION",
        sourceReference=petition["reference"],
    )
    diverted = await gql.step(
        intake,
        "petitionDivert",
        petition,
        channel="MEDIATION",
        targetCaseId=mediation["id"],
        approver={"id": head.id},
    )
    assert diverted["status"] == "diverted"
    assert await gql.query(intake, LINKS, {"id": petition["id"]}) == {
        "case": {
            "status": "diverted",
            "links": [{"caseId": mediation["id"], "kind": "MEDIATION", "relation": "DIVERTED_TO"}],
        }
    }
    back = (await gql.query(intake, LINKS, {"id": mediation["id"]}))["case"]["links"]
    assert back == [{"caseId": petition["id"], "kind": "PETITION", "relation": "DIVERTED_FROM"}]


async def test_a_lawsuit_is_linked_to_the_reconsideration_that_upheld_the_act(
    gql: GraphQL, users: Users, api_container: Container
) -> None:
    intake, coordinator = users(Role.INTAKE), users(Role.COORDINATOR, org="legal-office")
    knew = (today(api_container) - dt.timedelta(days=3)).isoformat()
    review = await register(
        gql, intake, "registerReconsideration", act=ACT, parties=[APPLICANT], knewOn=knew
    )
    suit = await register(
        gql,
        intake,
        "registerLitigation",
        act=ACT,
        parties=[APPLICANT],
        court="区人民法院",
        courtCaseNumber="(2026)行初2号",
        servedOn=today(api_container).isoformat(),
    )
    query = """
    mutation($input: LinkCasesInput!) {
      linkCases(input: $input) { ... on CaseUpdated { case { id links { caseId relation } } } }
    }"""
    data = {"firstCaseId": suit["id"], "secondCaseId": review["id"], "relation": "CO_DEFENDANT_OF"}
    linked = (await gql.query(intake, query, {"input": data}))["linkCases"]
    assert linked == {
        "case": {
            "id": suit["id"],
            "links": [{"caseId": review["id"], "relation": "CO_DEFENDANT_OF"}],
        }
    }
    refused = await gql.query(
        coordinator,
        query.replace("... on CaseUpdated", "__typename ... on CaseUpdated"),
        {"input": data},
    )
    assert refused["linkCases"]["__typename"] == "ForbiddenError"
