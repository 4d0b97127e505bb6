"""The accountability trail over GraphQL: by case, person and organisation, and 责任倒查."""

from __future__ import annotations

import uuid
from typing import Any

from domain.actors import Role
from tests.api.conftest import GraphQL, User, Users

PEOPLE = "actor { id role organisation } approver { id role organisation }"
TRAIL = f"""
query($id: ID!, $first: Int! = 50, $after: String) {{
  caseTrail(caseId: $id, first: $first, after: $after) {{
    edges {{ cursor node {{ caseId version step decisive reason legalBasis {PEOPLE} }} }}
    pageInfo {{ hasNextPage endCursor }}
  }}
}}
"""
ACTOR = """
query($who: String!) {
  actorTrail(actorId: $who) { edges { node { caseId step actor { id } approver { id } } } }
}
"""
ORGANISATION = """
query($org: String!, $since: DateTime) {
  organisationTrail(organisation: $org, since: $since) {
    edges { node { caseId step at organisation } }
    pageInfo { hasNextPage }
  }
}
"""
CHAIN = """
query($id: ID!) {
  responsibilityChain(caseId: $id) {
    steps { caseId reference step capacity person { id role } reason legalBasis }
    withheldCases
  }
}
"""


async def mediation(gql: GraphQL, intake: User) -> dict[str, Any]:
    data = {
        "title": "相邻通行纠纷",
        "parties": [{"name": "张三", "role": "APPLICANT"}, {"name": "李四", "role": "OTHER"}],
        "origin": "APPLICATION",
        "mediationType": "ADMINISTRATIVE",
    }
    result = await gql.mutate(intake, "registerMediation", data)
    assert result["__typename"] == "CaseUpdated", result
    case: dict[str, Any] = result["case"]
    return case


async def worked(gql: GraphQL, users: Users, org: str | None = None) -> dict[str, Any]:
    """A mediation with a session held and its type changed on a head's approval."""
    intake, handler = users(Role.INTAKE, org=org), users(Role.HANDLER, org=org)
    head = users(Role.APPROVER, org=org)
    case = await mediation(gql, intake)
    case = await gql.step(
        handler, "mediationHoldSession", case, mediator="王", notes="陈述", reason="首次调解"
    )
    case = await gql.step(
        handler,
        "mediationChangeType",
        case,
        mediationType="PEOPLES",
        reason="转人民调解",
        legalBasis="《人民调解法》第十八条",
        approver={"id": head.id},
    )
    return {"case": case, "intake": intake, "handler": handler, "head": head}


def person(user: User) -> dict[str, str]:
    return {"id": user.id, "role": user.role.value.upper(), "organisation": user.org}


async def test_a_cases_trail_names_who_took_each_step_when_why_and_on_what_basis(
    gql: GraphQL, users: Users
) -> None:
    w = await worked(gql, users)
    case, intake, handler, head = w["case"], w["intake"], w["handler"], w["head"]
    nodes = [
        e["node"]
        for e in (await gql.query(handler, TRAIL, {"id": case["id"]}))["caseTrail"]["edges"]
    ]
    common = {"caseId": case["id"], "legalBasis": ""}
    assert nodes == [
        {
            **common,
            "version": 1,
            "step": "registered",
            "decisive": False,
            "reason": "",
            "actor": person(intake),
            "approver": None,
        },
        {
            **common,
            "version": 2,
            "step": "session_held",
            "decisive": False,
            "reason": "首次调解",
            "actor": person(handler),
            "approver": None,
        },
        {
            **common,
            "version": 3,
            "step": "type_changed",
            "decisive": True,
            "reason": "转人民调解",
            "legalBasis": "《人民调解法》第十八条",
            "actor": person(handler),
            "approver": person(head),
        },
    ]
    first = (await gql.query(head, TRAIL, {"id": case["id"], "first": 2}))["caseTrail"]
    assert [e["node"]["version"] for e in first["edges"]] == [1, 2]
    assert first["pageInfo"]["hasNextPage"] is True
    rest = (
        await gql.query(
            head, TRAIL, {"id": case["id"], "first": 2, "after": first["pageInfo"]["endCursor"]}
        )
    )["caseTrail"]
    assert [e["node"]["version"] for e in rest["edges"]] == [3]
    assert rest["pageInfo"] == {"hasNextPage": False, "endCursor": rest["edges"][0]["cursor"]}


async def test_an_outsider_is_refused_a_cases_trail_and_chain(gql: GraphQL, users: Users) -> None:
    case = (await worked(gql, users))["case"]
    outsider = users(Role.HANDLER, org="org-" + uuid.uuid4().hex[:8])
    for query in (TRAIL, CHAIN):
        errors = await gql.errors(outsider, query, {"id": case["id"]})
        assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


async def test_a_person_reads_their_own_trail_and_only_auditors_read_anyones(
    gql: GraphQL, users: Users
) -> None:
    w = await worked(gql, users)
    case, handler, head = w["case"], w["handler"], w["head"]
    own = (await gql.query(handler, ACTOR, {"who": handler.id}))["actorTrail"]["edges"]
    assert [e["node"] for e in own] == [
        {
            "caseId": case["id"],
            "step": "session_held",
            "actor": {"id": handler.id},
            "approver": None,
        },
        {
            "caseId": case["id"],
            "step": "type_changed",
            "actor": {"id": handler.id},
            "approver": {"id": head.id},
        },
    ]
    approved = (await gql.query(head, ACTOR, {"who": head.id}))["actorTrail"]["edges"]
    assert [e["node"]["step"] for e in approved] == ["type_changed"]
    errors = await gql.errors(head, ACTOR, {"who": handler.id})
    assert [(e["extensions"]["code"], e["message"]) for e in errors] == [
        ("FORBIDDEN", "only auditors and admins may read another person's trail")
    ]
    auditor = users(Role.AUDITOR, org="audit")
    assert (await gql.query(auditor, ACTOR, {"who": handler.id}))["actorTrail"]["edges"] == own


async def test_an_organisations_trail_is_its_own_staffs_or_an_auditors_to_read(
    gql: GraphQL, users: Users
) -> None:
    w = await worked(gql, users)
    case, head = w["case"], w["head"]
    trail = (await gql.query(head, ORGANISATION, {"org": head.org}))["organisationTrail"]
    nodes = [e["node"] for e in trail["edges"]]
    assert [(n["caseId"], n["step"], n["organisation"]) for n in nodes] == [
        (case["id"], "registered", head.org),
        (case["id"], "session_held", head.org),
        (case["id"], "type_changed", head.org),
    ]
    since = nodes[-1]["at"]
    later = await gql.query(head, ORGANISATION, {"org": head.org, "since": since})
    assert [e["node"]["step"] for e in later["organisationTrail"]["edges"]] == ["type_changed"]
    other = "org-" + uuid.uuid4().hex[:8]
    for caller in (head, users(Role.COORDINATOR)):
        errors = await gql.errors(caller, ORGANISATION, {"org": other})
        assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    auditor = users(Role.AUDITOR, org="audit")
    assert (await gql.query(auditor, ORGANISATION, {"org": head.org}))["organisationTrail"] == trail


async def test_the_responsibility_chain_follows_links_and_names_what_it_withholds(
    gql: GraphQL, users: Users
) -> None:
    ours = await worked(gql, users)
    theirs = await worked(gql, users, org="org-" + uuid.uuid4().hex[:8])
    admin = users(Role.ADMIN)
    linked = await gql.mutate(
        admin,
        "linkCases",
        {
            "firstCaseId": ours["case"]["id"],
            "secondCaseId": theirs["case"]["id"],
            "relation": "SETTLES",
        },
    )
    assert linked["__typename"] == "CaseUpdated", linked

    def steps(w: dict[str, Any]) -> list[dict[str, Any]]:
        common = {
            "caseId": w["case"]["id"],
            "reference": w["case"]["reference"],
            "step": "type_changed",
            "reason": "转人民调解",
            "legalBasis": "《人民调解法》第十八条",
        }
        return [
            {**common, "capacity": "ACTED", "person": {"id": w["handler"].id, "role": "HANDLER"}},
            {**common, "capacity": "APPROVED", "person": {"id": w["head"].id, "role": "APPROVER"}},
        ]

    seen = (await gql.query(ours["head"], CHAIN, {"id": ours["case"]["id"]}))["responsibilityChain"]
    assert seen == {"steps": steps(ours), "withheldCases": [theirs["case"]["reference"]]}
    auditor = users(Role.AUDITOR, org="audit")
    everything = (await gql.query(auditor, CHAIN, {"id": theirs["case"]["id"]}))[
        "responsibilityChain"
    ]
    assert everything == {"steps": steps(ours) + steps(theirs), "withheldCases": []}
