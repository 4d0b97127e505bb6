"""The work queue over GraphQL: scopes, filters, cursor pages, batching, and bulk handover."""

from __future__ import annotations

import uuid
from collections.abc import Iterator
from contextlib import contextmanager
from typing import Any

import pytest

from api.bootstrap import Container
from domain.actors import Role
from tests.api.conftest import GraphQL, User, Users

QUEUE = """
query($filter: WorkQueueFilter, $first: Int!, $after: String) {
  workQueue(filter: $filter, first: $first, after: $after) {
    edges { cursor node { caseId ruleId kind assignee dueOn overdue case { status version } } }
    pageInfo { hasNextPage endCursor }
  }
}
"""
ACT = {"agency": "区城管局", "documentNumber": "城管罚9号", "date": "2026-01-05"}
PARTIES = [{"name": "张三", "role": "APPLICANT"}, {"name": "李四", "role": "OTHER"}]


async def mediation(gql: GraphQL, intake: User) -> dict[str, Any]:
    data = {
        "title": "调解",
        "parties": PARTIES,
        "origin": "APPLICATION",
        "mediationType": "ADMINISTRATIVE",
    }
    case: dict[str, Any] = (await gql.mutate(intake, "registerMediation", data))["case"]
    return case


async def lawsuit(gql: GraphQL, intake: User, served_on: str) -> dict[str, Any]:
    data = {
        "title": "诉讼",
        "act": ACT,
        "parties": PARTIES[:1],
        "court": "区法院",
        "courtCaseNumber": f"行初{uuid.uuid4().hex[:4]}号",
        "servedOn": served_on,
    }
    case: dict[str, Any] = (await gql.mutate(intake, "registerLitigation", data))["case"]
    return case


async def items(gql: GraphQL, user: User, first: int = 50, **filter: Any) -> list[dict[str, Any]]:
    data = await gql.query(user, QUEUE, {"filter": filter, "first": first})
    return [edge["node"] for edge in data["workQueue"]["edges"]]


async def test_the_queue_shows_mine_or_my_organisations_with_each_filter(
    gql: GraphQL, users: Users
) -> None:
    intake, head, handler = users(Role.INTAKE), users(Role.APPROVER), users(Role.HANDLER)
    first, second = await mediation(gql, intake), await mediation(gql, intake)
    late = await lawsuit(gql, intake, "2026-01-05")
    await gql.step(head, "assignCase", first, assignee=handler.id)

    mine = await items(gql, handler)
    assert [(i["caseId"], i["ruleId"], i["assignee"]) for i in mine] == [
        (first["id"], "mediation.administrative", handler.id)
    ]
    assert mine[0]["case"] == {"status": "mediating", "version": 2}

    everything = await items(gql, head, scope="ORGANISATION")
    assert {i["caseId"] for i in everything} == {first["id"], second["id"], late["id"]}
    assert everything[0]["caseId"] == late["id"]  # by due date: the overdue first
    unassigned = await items(gql, head, scope="ORGANISATION", unassigned=True, kinds=["MEDIATION"])
    assert [i["caseId"] for i in unassigned] == [second["id"]]
    overdue = await items(gql, head, scope="ORGANISATION", overdue=True)
    assert [(i["caseId"], i["ruleId"], i["overdue"]) for i in overdue] == [
        (late["id"], "litigation.defence", True)
    ]
    step = await items(
        gql, head, scope="ORGANISATION", step="litigation.defence", dueBefore="2026-02-01"
    )
    assert [i["caseId"] for i in step] == [late["id"]]
    assert await items(gql, head, scope="ORGANISATION", assignee="nobody-" + handler.id) == []


async def test_cursor_pages_walk_the_whole_queue_in_due_date_order(
    gql: GraphQL, users: Users
) -> None:
    intake, head = users(Role.INTAKE), users(Role.APPROVER)
    for _ in range(5):
        await mediation(gql, intake)
    whole = await items(gql, head, scope="ORGANISATION")
    walked: list[dict[str, Any]] = []
    after = None
    while True:
        data = await gql.query(
            head, QUEUE, {"filter": {"scope": "ORGANISATION"}, "first": 2, "after": after}
        )
        page = data["workQueue"]
        walked += [edge["node"] for edge in page["edges"]]
        if not page["pageInfo"]["hasNextPage"]:
            break
        after = page["pageInfo"]["endCursor"]
    assert len(whole) == 5
    assert walked == whole


@contextmanager
def counted_reads(container: Container, monkeypatch: pytest.MonkeyPatch) -> Iterator[list[int]]:
    """Counts the reads of the views: on the event loop's pool and on the blocking one."""
    taken = [0]
    blocking, on_the_loop = container.read_pool.connection, container.loop_reads.run

    def counting(*args: Any, **kwargs: Any) -> Any:
        taken[0] += 1
        return blocking(*args, **kwargs)

    def counting_on_the_loop(*args: Any, **kwargs: Any) -> Any:
        taken[0] += 1
        return on_the_loop(*args, **kwargs)

    monkeypatch.setattr(container.read_pool, "connection", counting)
    monkeypatch.setattr(container.loop_reads, "run", counting_on_the_loop)
    yield taken
    monkeypatch.setattr(container.read_pool, "connection", blocking)
    monkeypatch.setattr(container.loop_reads, "run", on_the_loop)


async def test_a_queue_page_costs_two_statements_however_many_rows_it_holds(
    gql: GraphQL, users: Users, api_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake, head = users(Role.INTAKE), users(Role.APPROVER)
    for _ in range(6):
        await mediation(gql, intake)
    with counted_reads(api_container, monkeypatch) as small:
        assert len(await items(gql, head, first=2, scope="ORGANISATION")) == 2
    with counted_reads(api_container, monkeypatch) as large:
        assert len(await items(gql, head, first=6, scope="ORGANISATION")) == 6
    # one for the items, one batched look-up of their cases (the dataloader)
    assert (small[0], large[0]) == (2, 2)


async def test_handing_over_someones_work_reassigns_each_open_case(
    gql: GraphQL, users: Users
) -> None:
    intake, head = users(Role.INTAKE), users(Role.APPROVER)
    leaving, taking_over = users(Role.HANDLER), users(Role.HANDLER)
    cases = [await mediation(gql, intake) for _ in range(3)]
    for case in cases[:2]:
        await gql.step(head, "assignCase", case, assignee=leaving.id)
    query = """
    mutation($input: ReassignWorkInput!) {
      reassignWork(input: $input) {
        results { __typename ... on CaseUpdated { case { id assignee } } }
      }
    }"""
    data = {"fromUser": leaving.id, "toUser": taking_over.id, "reason": "调离"}
    results = (await gql.query(head, query, {"input": data}))["reassignWork"]["results"]
    assert sorted(r["case"]["id"] for r in results) == sorted(c["id"] for c in cases[:2])
    assert {r["case"]["assignee"] for r in results} == {taking_over.id}
    assert await items(gql, leaving) == []
    assert {i["caseId"] for i in await items(gql, taking_over)} == {c["id"] for c in cases[:2]}
    refused = (await gql.query(leaving, query, {"input": data}))["reassignWork"]["results"]
    assert refused == [{"__typename": "ForbiddenError"}]
