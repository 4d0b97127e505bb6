"""Searching cases over GraphQL: filters, cursor pages, and who may search what."""

from __future__ import annotations

import uuid
from typing import Any

from domain.actors import Role
from tests.api.conftest import GraphQL, User, Users
from tests.api.test_work_queue import ACT

SEARCH = """
query($filter: CaseSearchFilter, $first: Int! = 20, $after: String) {
  searchCases(filter: $filter, first: $first, after: $after) {
    edges { cursor node { id kind reference organisation status parties { name role }
                          act { agency documentNumber } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def register(gql: GraphQL, intake: User, party: str, kind: str = "mediation") -> str:
    parties = [{"name": party, "role": "APPLICANT", "phone": "13800001111"}]
    if kind == "mediation":
        data: dict[str, Any] = {
            "title": "相邻纠纷",
            "parties": [*parties, {"name": "李四", "role": "OTHER"}],
            "origin": "APPLICATION",
            "mediationType": "ADMINISTRATIVE",
        }
        result = await gql.mutate(intake, "registerMediation", data)
    else:
        data = {
            "title": "诉讼",
            "act": ACT,
            "parties": parties,
            "court": "区法院",
            "courtCaseNumber": f"行初{uuid.uuid4().hex[:4]}号",
            "servedOn": "2026-01-05",
        }
        result = await gql.mutate(intake, "registerLitigation", data)
    assert result["__typename"] == "CaseUpdated", result
    case_id: str = result["case"]["id"]
    return case_id


async def found(gql: GraphQL, user: User, **filter: Any) -> list[str]:
    data = await gql.query(user, SEARCH, {"filter": filter, "first": 100})
    assert data["searchCases"]["pageInfo"]["hasNextPage"] is False
    return [edge["node"]["id"] for edge in data["searchCases"]["edges"]]


def a_name() -> str:
    return "王" + uuid.uuid4().hex[:10]


async def test_a_party_search_finds_the_cases_newest_first_with_parties_and_act(
    gql: GraphQL, users: Users
) -> None:
    intake, handler, name = users(Role.INTAKE), users(Role.HANDLER), a_name()
    mediated = await register(gql, intake, name)
    sued = await register(gql, intake, name, kind="litigation")
    await register(gql, intake, a_name())
    data = await gql.query(handler, SEARCH, {"filter": {"party": name.upper()}})
    nodes = [edge["node"] for edge in data["searchCases"]["edges"]]
    # one day, so by id within it
    assert [n["id"] for n in nodes] == sorted([mediated, sued])
    by_id = {n["id"]: n for n in nodes}
    assert by_id[sued]["act"] == {"agency": "区城管局", "documentNumber": "城管罚9号"}
    assert by_id[mediated]["act"] is None
    assert {n["kind"] for n in nodes} == {"MEDIATION", "LITIGATION"}
    assert by_id[sued]["parties"] == [{"name": name, "role": "APPLICANT"}]
    assert by_id[mediated]["parties"] == [
        {"name": name, "role": "APPLICANT"},
        {"name": "李四", "role": "OTHER"},
    ]
    assert await found(gql, handler, party=name, kind="LITIGATION") == [sued]
    assert await found(gql, handler, text=f"相邻 {name}") == [mediated]


async def test_pages_follow_their_cursors_without_gaps_or_repeats(
    gql: GraphQL, users: Users
) -> None:
    intake, name = users(Role.INTAKE), a_name()
    ids = sorted([await register(gql, intake, name) for _ in range(3)])
    pages: list[list[str]] = []
    after = None
    while True:
        data = await gql.query(
            users(Role.APPROVER), SEARCH, {"filter": {"party": name}, "first": 2, "after": after}
        )
        connection = data["searchCases"]
        pages.append([edge["node"]["id"] for edge in connection["edges"]])
        if not connection["pageInfo"]["hasNextPage"]:
            break
        after = connection["pageInfo"]["endCursor"]
        assert after == connection["edges"][-1]["cursor"]
    assert pages == [ids[:2], ids[2:]]


async def test_a_handler_searches_their_organisation_and_is_refused_another(
    gql: GraphQL, users: Users
) -> None:
    name = a_name()
    ours = await register(gql, users(Role.INTAKE), name)
    elsewhere = "org-" + uuid.uuid4().hex[:8]
    await register(gql, users(Role.INTAKE, org=elsewhere), name)
    handler = users(Role.HANDLER)
    assert await found(gql, handler, party=name) == [ours]
    errors = await gql.errors(
        handler, SEARCH, {"filter": {"party": name, "organisation": elsewhere}}
    )
    assert [(e["extensions"]["code"], e["message"]) for e in errors] == [
        ("FORBIDDEN", f"a handler of {handler.org} may not search the cases of {elsewhere}")
    ]


async def test_a_coordinator_finds_litigation_everywhere_and_an_auditor_everything(
    gql: GraphQL, users: Users
) -> None:
    name, elsewhere = a_name(), "org-" + uuid.uuid4().hex[:8]
    there = users(Role.INTAKE, org=elsewhere)
    own_mediation = await register(gql, users(Role.INTAKE), name)
    their_mediation = await register(gql, there, name)
    their_lawsuit = await register(gql, there, name, kind="litigation")
    coordinator = users(Role.COORDINATOR)
    assert await found(gql, coordinator, party=name) == sorted([own_mediation, their_lawsuit])
    assert await found(gql, coordinator, party=name, organisation=elsewhere) == [their_lawsuit]
    errors = await gql.errors(
        coordinator, SEARCH, {"filter": {"organisation": elsewhere, "kind": "MEDIATION"}}
    )
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    auditor = users(Role.AUDITOR, org="audit-" + uuid.uuid4().hex[:6])
    assert await found(gql, auditor, party=name) == sorted(
        [own_mediation, their_mediation, their_lawsuit]
    )
    assert await found(gql, auditor, party=name, organisation=elsewhere) == sorted(
        [their_mediation, their_lawsuit]
    )


async def test_a_bad_cursor_or_page_size_is_a_validation_error(gql: GraphQL, users: Users) -> None:
    handler = users(Role.HANDLER)
    for variables in ({"after": "not-a-cursor"}, {"first": 0}, {"first": 101}):
        errors = await gql.errors(handler, SEARCH, variables)
        assert [e["extensions"]["code"] for e in errors] == ["VALIDATION"], variables


async def test_a_handler_finds_their_own_open_cases_and_no_others_they_may_not_search(
    gql: GraphQL, users: Users
) -> None:
    intake, head, name = users(Role.INTAKE), users(Role.APPROVER), a_name()
    handler, colleague = users(Role.HANDLER), users(Role.HANDLER)
    elsewhere = "org-" + uuid.uuid4().hex[:8]
    there = users(Role.APPROVER, org=elsewhere)

    async def assigned(to: User | None, by: User = head, org_intake: User = intake) -> str:
        case_id = await register(gql, org_intake, name)
        if to is not None:
            case = {"id": case_id, "version": 1}
            await gql.step(by, "assignCase", case, assignee=to.id)
        return case_id

    mine = await assigned(handler)
    refused = await assigned(handler)
    await gql.step(
        handler,
        "mediationRecordRefusal",
        {"id": refused, "version": 2},
        party="李四",
        reason="明确拒绝调解",
    )
    theirs = await assigned(colleague)
    nobodys = await assigned(None)
    # Same user id, another organisation: the handler may not search it, so the filter cannot
    # reveal it either.
    far = await assigned(handler, by=there, org_intake=users(Role.INTAKE, org=elsewhere))

    assert await found(gql, handler, party=name, assignee=handler.id) == sorted([mine, refused])
    assert await found(gql, handler, party=name, openOnly=True) == sorted([mine, theirs, nobodys])
    assert await found(gql, handler, party=name, openOnly=False) == sorted(
        [mine, refused, theirs, nobodys]
    )
    assert await found(gql, handler, assignee=handler.id, openOnly=True) == [mine]
    assert await found(gql, colleague, assignee=handler.id, openOnly=True) == [mine]
    assert await found(gql, handler, assignee=handler.id, openOnly=True, kind="LITIGATION") == []
    assert await found(gql, handler, assignee=colleague.id, openOnly=True) == [theirs]
    assert await found(gql, handler, assignee=handler.id, status="refused") == [refused]
    errors = await gql.errors(
        handler, SEARCH, {"filter": {"assignee": handler.id, "organisation": elsewhere}}
    )
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]
    auditor = users(Role.AUDITOR, org="audit-" + uuid.uuid4().hex[:6])
    assert await found(gql, auditor, assignee=handler.id, openOnly=True) == sorted([mine, far])
