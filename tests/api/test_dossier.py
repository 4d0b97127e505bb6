"""The dossier over GraphQL: cases connected by links or one act, within what the caller sees."""

from __future__ import annotations

import uuid
from typing import Any

from domain.actors import Role
from tests.api.conftest import GraphQL, User, Users
from tests.api.test_trail import mediation

DOSSIER = """
query($id: ID!) {
  dossier(caseId: $id) {
    cases { id kind reference organisation status actKey }
    edges { source target kind relation actKey }
    withheldCases
  }
}
"""
OF_ACT = """
query($key: String!) {
  dossierOfAct(actKey: $key) { cases { id } edges { source target kind relation actKey } }
}
"""
KEY = """
query($ref: String!) { searchCases(filter: {reference: $ref}) { edges { node { act { key } } } } }
"""


async def lawsuit(gql: GraphQL, intake: User, act: dict[str, str]) -> dict[str, Any]:
    data = {
        "title": "诉讼",
        "act": act,
        "parties": [{"name": "张三", "role": "APPLICANT"}],
        "court": "区法院",
        "courtCaseNumber": f"行初{uuid.uuid4().hex[:4]}号",
        "servedOn": "2026-01-05",
    }
    result = await gql.mutate(intake, "registerLitigation", data)
    assert result["__typename"] == "CaseUpdated", result
    case: dict[str, Any] = result["case"]
    return case


def node(case: dict[str, Any], org: str, act_key: str | None = None) -> dict[str, Any]:
    return {
        "id": case["id"],
        "kind": "MEDIATION" if act_key is None else "LITIGATION",
        "reference": case["reference"],
        "organisation": org,
        "status": case["status"],
        "actKey": act_key,
    }


async def test_a_dossier_shows_linked_cases_and_withholds_those_the_caller_may_not_see(
    gql: GraphQL, users: Users
) -> None:
    elsewhere = "org-" + uuid.uuid4().hex[:8]
    ours, theirs = (
        await mediation(gql, users(Role.INTAKE)),
        await mediation(gql, users(Role.INTAKE, org=elsewhere)),
    )
    linked = await gql.mutate(
        users(Role.ADMIN),
        "linkCases",
        {"firstCaseId": ours["id"], "secondCaseId": theirs["id"], "relation": "SETTLES"},
    )
    assert linked["__typename"] == "CaseUpdated", linked
    handler = users(Role.HANDLER)
    assert (await gql.query(handler, DOSSIER, {"id": ours["id"]}))["dossier"] == {
        "cases": [node(ours, handler.org)],
        "edges": [],
        "withheldCases": [theirs["reference"]],
    }
    auditor = users(Role.AUDITOR, org="audit")
    seen = (await gql.query(auditor, DOSSIER, {"id": theirs["id"]}))["dossier"]
    assert seen["cases"] == [node(ours, handler.org), node(theirs, elsewhere)]
    assert seen["withheldCases"] == []
    both = [
        (ours["id"], theirs["id"], "SETTLES".lower()),
        (theirs["id"], ours["id"], "settled_by"),
    ]
    assert seen["edges"] == [
        {"source": s, "target": t, "kind": "LINK", "relation": r, "actKey": None}
        for s, t, r in sorted(both)
    ]
    errors = await gql.errors(users(Role.HANDLER, org=elsewhere), DOSSIER, {"id": ours["id"]})
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


async def test_cases_about_one_act_share_a_dossier(gql: GraphQL, users: Users) -> None:
    act = {
        "agency": "区城管局",
        "documentNumber": f"城管罚{uuid.uuid4().hex[:6]}号",
        "date": "2026-01-05",
    }
    intake = users(Role.INTAKE)
    first, second = await lawsuit(gql, intake, act), await lawsuit(gql, intake, act)
    keyed = await gql.query(intake, KEY, {"ref": first["reference"]})
    key = keyed["searchCases"]["edges"][0]["node"]["act"]["key"]
    seen = (await gql.query(users(Role.COORDINATOR), OF_ACT, {"key": key}))["dossierOfAct"]
    low, high = sorted([first["id"], second["id"]])
    assert seen == {
        "cases": [{"id": first["id"]}, {"id": second["id"]}],
        "edges": [
            {"source": low, "target": high, "kind": "SAME_ACT", "relation": None, "actKey": key}
        ],
    }
