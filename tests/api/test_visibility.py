"""Who sees what: every refusal is FORBIDDEN, never an empty answer that looks like 'no cases'."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

from api.bootstrap import Container
from domain.actors import Role
from domain.step import china_date
from tests.api.conftest import GraphQL, User, Users
from tests.api.test_work_queue import items, lawsuit, mediation

CASE = "query($id: ID!) { case(id: $id) { id kind organisation } }"


async def case_errors(gql: GraphQL, user: User, case: dict[str, Any]) -> list[tuple[str, str]]:
    errors = await gql.errors(user, CASE, {"id": case["id"]})
    return [(e["extensions"]["code"], e["message"]) for e in errors]


async def test_staff_of_another_organisation_are_refused_the_case_and_its_steps(
    gql: GraphQL, users: Users
) -> None:
    case = await mediation(gql, users(Role.INTAKE))
    outsider = users(Role.HANDLER, org="elsewhere-" + uuid.uuid4().hex[:6])
    assert await case_errors(gql, outsider, case) == [
        (
            "FORBIDDEN",
            f"{outsider.id} (handler, {outsider.org}) may not see case {case['reference']}",
        )
    ]
    # even on a stale version: the refusal says nothing of the case's version
    step = await gql.mutate(
        outsider,
        "mediationHoldSession",
        {"caseId": case["id"], "expectedVersion": 99, "mediator": "x", "notes": "y"},
    )
    assert (step["__typename"], step["code"]) == ("ForbiddenError", "FORBIDDEN")


async def test_a_coordinator_sees_litigation_everywhere_but_no_other_procedure(
    gql: GraphQL, users: Users
) -> None:
    intake = users(Role.INTAKE)
    suit, mediated = await lawsuit(gql, intake, "2026-01-05"), await mediation(gql, intake)
    coordinator = users(Role.COORDINATOR, org="legal-" + uuid.uuid4().hex[:6])
    seen = await gql.query(coordinator, CASE, {"id": suit["id"]})
    assert seen == {"case": {"id": suit["id"], "kind": "LITIGATION", "organisation": intake.org}}
    assert [code for code, _ in await case_errors(gql, coordinator, mediated)] == ["FORBIDDEN"]
    queue = await items(gql, coordinator, scope="ORGANISATION", organisation=intake.org)
    assert {(i["caseId"], i["kind"]) for i in queue} == {(suit["id"], "LITIGATION")}
    errors = await gql.errors(
        coordinator,
        "query($f: WorkQueueFilter) { workQueue(filter: $f) { pageInfo { hasNextPage } } }",
        {"f": {"scope": "ORGANISATION", "organisation": intake.org, "kinds": ["MEDIATION"]}},
    )
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


async def test_an_auditor_sees_every_organisations_cases(gql: GraphQL, users: Users) -> None:
    case = await mediation(gql, users(Role.INTAKE))
    auditor = users(Role.AUDITOR, org="audit-" + uuid.uuid4().hex[:6])
    seen = await gql.query(auditor, CASE, {"id": case["id"]})
    assert seen["case"]["id"] == case["id"]


async def test_another_organisations_queue_is_forbidden_not_empty(
    gql: GraphQL, users: Users
) -> None:
    handler = users(Role.HANDLER)
    query = "query($f: WorkQueueFilter) { workQueue(filter: $f) { pageInfo { hasNextPage } } }"
    for scope in ({"scope": "ORGANISATION", "organisation": "someone-else"}, {"scope": "ALL"}):
        errors = await gql.errors(handler, query, {"f": scope})
        assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


async def test_an_unknown_case_is_not_found(gql: GraphQL, users: Users) -> None:
    missing = str(uuid.uuid4())
    errors = await gql.errors(users(Role.AUDITOR), CASE, {"id": missing})
    assert [(e["extensions"]["code"], e["message"]) for e in errors] == [
        ("NOT_FOUND", f"no case with id {missing}")
    ]


CALENDAR = """
query($from: Date!, $to: Date!, $org: String) {
  courtCalendar(from: $from, to: $to, organisation: $org) {
    on what caseId headScheduledToAppear
  }
}
"""


async def test_the_court_calendar_shows_defences_due_and_hearings_with_the_heads_appearance(
    gql: GraphQL, users: Users, api_container: Container
) -> None:
    intake, coordinator = users(Role.INTAKE), users(Role.COORDINATOR)
    other_coordinator, head = users(Role.COORDINATOR), users(Role.APPROVER)
    today = china_date(api_container.application.clock())
    day = today.isoformat()
    waiting = await lawsuit(gql, intake, day)
    heard = await lawsuit(gql, intake, day)
    heard = await gql.step(
        coordinator, "litigationFileDefence", heard, evidence=["证据"], normativeDocuments=[]
    )
    hearing_on = (today + dt.timedelta(days=7)).isoformat()
    heard = await gql.step(
        coordinator, "litigationScheduleHearing", heard, hearingOn=hearing_on, court="区法院"
    )
    heard = await gql.step(
        coordinator, "litigationPlanAppearance", heard, headName="李四", headTitle="局长"
    )
    await gql.step(
        other_coordinator, "litigationApproveAppearancePlan", heard, approver={"id": head.id}
    )

    variables = {"from": day, "to": (today + dt.timedelta(days=60)).isoformat(), "org": intake.org}
    entries = (await gql.query(coordinator, CALENDAR, variables))["courtCalendar"]
    defence_due = next(e["on"] for e in entries if e["caseId"] == waiting["id"])
    assert entries == sorted(
        [
            {
                "on": defence_due,
                "what": "DEFENCE_DUE",
                "caseId": waiting["id"],
                "headScheduledToAppear": None,
            },
            {
                "on": hearing_on,
                "what": "HEARING",
                "caseId": heard["id"],
                "headScheduledToAppear": True,
            },
        ],
        key=lambda e: (e["on"], e["what"]),
    )
    outsider = users(Role.HANDLER, org="elsewhere")
    errors = await gql.errors(outsider, CALENDAR, variables)
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


async def every_page(gql: GraphQL, user: User, where: dict[str, Any]) -> list[dict[str, Any]]:
    """Every item of a queue read, page by page (the session's database is shared)."""
    query = """
    query($f: WorkQueueFilter, $after: String) {
      workQueue(filter: $f, first: 100, after: $after) {
        edges { node { caseId kind } } pageInfo { hasNextPage endCursor }
      }
    }"""
    found: list[dict[str, Any]] = []
    after = None
    while True:
        page = (await gql.query(user, query, {"f": where, "after": after}))["workQueue"]
        found += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            return found
        after = page["pageInfo"]["endCursor"]


async def test_a_coordinator_reads_litigation_of_every_organisation_and_nothing_else(
    gql: GraphQL, users: Users
) -> None:
    here, there = users(Role.INTAKE), users(Role.INTAKE, org="agency-" + uuid.uuid4().hex[:6])
    suits = {(await lawsuit(gql, who, "2026-01-05"))["id"] for who in (here, there)}
    await mediation(gql, here)
    coordinator = users(Role.COORDINATOR, org="legal-" + uuid.uuid4().hex[:6])
    everywhere = await every_page(gql, coordinator, {"scope": "ALL", "overdue": True})
    assert {i["kind"] for i in everywhere} == {"LITIGATION"}
    assert suits <= {i["caseId"] for i in everywhere}
    query = "query($f: WorkQueueFilter) { workQueue(filter: $f) { pageInfo { hasNextPage } } }"
    errors = await gql.errors(coordinator, query, {"f": {"scope": "ALL", "kinds": ["MEDIATION"]}})
    assert [e["message"] for e in errors] == [
        "a coordinator sees only the litigation of other organisations, not their mediation cases"
    ]


async def test_only_admins_and_coordinators_for_lawsuits_register_for_another_organisation(
    gql: GraphQL, users: Users
) -> None:
    agency = "agency-" + uuid.uuid4().hex[:6]
    data = {
        "title": "诉讼",
        "organisation": agency,
        "act": {"agency": "区城管局", "documentNumber": "城管罚9号", "date": "2026-01-05"},
        "parties": [{"name": "张三", "role": "APPLICANT"}],
        "court": "区法院",
        "courtCaseNumber": "行初9号",
        "servedOn": "2026-01-05",
    }
    by_coordinator = await gql.mutate(users(Role.COORDINATOR), "registerLitigation", data)
    assert by_coordinator["__typename"] == "CaseUpdated"
    seen = await gql.query(users(Role.AUDITOR), CASE, {"id": by_coordinator["case"]["id"]})
    assert seen["case"]["organisation"] == agency
    by_intake = await gql.mutate(users(Role.INTAKE), "registerLitigation", data)
    assert (by_intake["__typename"], by_intake["message"]) == (
        "ForbiddenError",
        f"an intake of {users.org} registers only its own cases",
    )
