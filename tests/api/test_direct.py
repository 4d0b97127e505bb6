"""Queries posted as JSON take the short way to the schema, and answer as the router does."""

from __future__ import annotations

import json
from collections.abc import AsyncIterator, Iterator
from functools import partial
from typing import Any

import httpx
import pytest
from starlette.types import Receive, Scope, Send
from strawberry.extensions import SchemaExtension

from api.bootstrap import Container
from api.graphql.context import Context
from api.graphql.direct import DirectQueries, preparer
from api.graphql.router import encode_response
from api.graphql.schema import build_schema
from api.http import create_app
from domain.actors import Role
from tests.api.conftest import GraphQL, User, Users
from tests.api.test_execution import QUEUE


def aliased(count: int) -> str:
    return "{ " + " ".join(f"v{n}: serverVersion" for n in range(count)) + " }"


ALIASES = aliased(31)  # one over the limit
MEDIATION = {
    "title": "邻里纠纷",
    "parties": [{"name": "张三", "role": "APPLICANT"}, {"name": "李四", "role": "OTHER"}],
    "origin": "APPLICATION",
    "mediationType": "ADMINISTRATIVE",
}


class Behind:
    """The app behind the middleware: records what reaches it and answers 418."""

    def __init__(self) -> None:
        self.bodies: list[bytes] = []

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        body = b""
        while True:
            message = await receive()
            body += message.get("body", b"")
            if not message.get("more_body", False):
                break
        self.bodies.append(body)
        await send({"type": "http.response.start", "status": 418, "headers": []})
        await send({"type": "http.response.body", "body": b""})


@pytest.fixture
async def both(api_container: Container) -> AsyncIterator[tuple[httpx.AsyncClient, ...]]:
    """Clients of the app as served, and of the same app with every request through the
    router."""
    apps = (create_app(api_container), create_app(api_container, direct_queries=False))
    async with (
        httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[0]), base_url="http://t") as a,
        httpx.AsyncClient(transport=httpx.ASGITransport(app=apps[1]), base_url="http://t") as b,
    ):
        yield a, b


def direct(container: Container, behind: Behind) -> httpx.AsyncClient:
    secret = container.settings.jwt_secret.get_secret_value()
    app = DirectQueries(
        behind, schema=build_schema(), context=partial(Context, container), secret=secret
    )
    return httpx.AsyncClient(transport=httpx.ASGITransport(app=app), base_url="http://t")


def bearer(user: User) -> dict[str, str]:
    return {"Authorization": f"Bearer {user.token}"}


async def test_a_query_is_served_without_the_router_and_anything_else_reaches_it(
    api_container: Container, users: Users
) -> None:
    head = users(Role.APPROVER)
    behind = Behind()
    async with direct(api_container, behind) as http:
        served = await http.post("/graphql", json={"query": "{ me { id } }"}, headers=bearer(head))
        assert served.status_code == 200
        assert served.json() == {"data": {"me": {"id": head.id}}}
        assert behind.bodies == []

        passed_on: list[tuple[str, Any, dict[str, str]]] = [
            ("mutation", {"query": "mutation { x }"}, bearer(head)),
            ("no token", {"query": "{ me { id } }"}, {}),
            ("bad token", {"query": "{ me { id } }"}, {"Authorization": "Bearer nonsense"}),
            ("syntax", {"query": "{ me { id }"}, bearer(head)),
            ("batch", [{"query": "{ me { id } }"}], bearer(head)),
            ("extensions", {"query": "{ me { id } }", "extensions": {}}, bearer(head)),
            ("variables", {"query": "{ me { id } }", "variables": []}, bearer(head)),
            ("two, unnamed", {"query": "query A { me { id } } query B { me { id } }"}, {}),
        ]
        for why, body, headers in passed_on:
            sent = json.dumps(body).encode()
            response = await http.post(
                "/graphql",
                content=sent,
                headers={**headers, "Content-Type": "application/json"},
            )
            assert response.status_code == 418, why
            assert behind.bodies[-1] == sent, why
        form = await http.post("/graphql", data={"operations": "{}"}, headers=bearer(head))
        assert form.status_code == 418
        assert (await http.get("/graphql", params={"query": "{ me { id } }"})).status_code == 418
    assert len(behind.bodies) == len(passed_on) + 2


def test_only_a_valid_document_naming_exactly_one_query_counts_as_plain() -> None:
    found = preparer(build_schema())
    assert found is not None

    def is_plain_query(query: str, name: str | None) -> bool:
        prepared = found.prepare(query)
        return prepared is not None and prepared.is_plain_query(name)

    mutation = (
        "mutation B($input: RegisterMediationInput!) { registerMediation(input: $input) "
        "{ __typename } }"
    )
    assert is_plain_query("{ me { id } }", None)
    assert is_plain_query("query A { me { id } } " + mutation, "A")
    assert not is_plain_query("query A { me { id } } " + mutation, "B")
    assert not is_plain_query("query A { me { id } } " + mutation, None)
    assert not is_plain_query("query A { me { id } }", "C")
    assert not is_plain_query("subscription { workQueueChanged { items { caseId } } }", None)
    assert not is_plain_query("{ me { id }", None)  # does not parse
    assert not is_plain_query("{ me { shoeSize } }", None)  # does not validate
    assert is_plain_query(aliased(30), None)
    assert not is_plain_query(ALIASES, None)  # over the alias limit
    assert not is_plain_query("{ me { id } }" + " me" * 5000, None)  # too many tokens


class Timing(SchemaExtension):
    def on_execute(self) -> Iterator[None]:
        yield


async def test_a_schema_with_an_extension_it_does_not_know_sends_everything_on(
    api_container: Container, users: Users
) -> None:
    schema = build_schema()
    assert preparer(schema) is not None
    schema.extensions = [*schema.extensions, Timing]
    assert preparer(schema) is None
    behind = Behind()
    secret = api_container.settings.jwt_secret.get_secret_value()
    app = DirectQueries(
        behind, schema=schema, context=partial(Context, api_container), secret=secret
    )
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://t") as http:
        head = users(Role.APPROVER)
        response = await http.post(
            "/graphql", json={"query": "{ me { id } }"}, headers=bearer(head)
        )
    assert response.status_code == 418
    assert len(behind.bodies) == 1


async def post(
    client: httpx.AsyncClient, body: dict[str, Any] | bytes, headers: dict[str, str]
) -> httpx.Response:
    """Posts a body as JSON; bytes as they are (JSON that httpx would not write)."""
    if isinstance(body, bytes):
        json_type = {"Content-Type": "application/json"}
        return await client.post("/graphql", content=body, headers=headers | json_type)
    return await client.post("/graphql", json=body, headers=headers)


async def test_the_short_way_answers_byte_for_byte_as_the_router(
    both: tuple[httpx.AsyncClient, httpx.AsyncClient], gql: GraphQL, users: Users
) -> None:
    intake, head = users(Role.INTAKE), users(Role.APPROVER)
    for _ in range(3):
        await gql.mutate(intake, "registerMediation", MEDIATION)
    page = {"filter": {"scope": "ORGANISATION"}, "first": 2}
    requests: list[tuple[str, dict[str, Any] | bytes, dict[str, str]]] = [
        ("the queue", {"query": QUEUE, "variables": page}, bearer(head)),
        (
            "another's queue (FORBIDDEN)",
            {
                "query": QUEUE,
                "variables": {"filter": {"scope": "ORGANISATION", "organisation": "x"}, "first": 2},
            },
            bearer(head),
        ),
        ("a page too big", {"query": QUEUE, "variables": {"first": 1000}}, bearer(head)),
        ("a bad cursor", {"query": '{ workQueue(after: "x") { edges { cursor } } }'}, bearer(head)),
        ("an unknown field", {"query": "{ me { shoeSize } }"}, bearer(head)),
        ("a missing variable", {"query": QUEUE, "variables": {}}, bearer(head)),
        ("too many aliases", {"query": ALIASES}, bearer(head)),
        ("named", {"query": "query Q { me { id } }", "operationName": "Q"}, bearer(head)),
        (
            "a lone surrogate in the body",
            b'{"query": "{ me { id } }", "x": "\\ud800"}',
            bearer(head),
        ),
        (
            "an integer beyond 64 bits",
            {"query": QUEUE, "variables": {"first": 2**64}},
            bearer(head),
        ),
        ("no token", {"query": QUEUE, "variables": page}, {}),
        ("a mutation", {"query": "mutation { nothing }"}, bearer(head)),
    ]
    short, router = both
    for why, body, headers in requests:
        answers = [await post(client, body, headers) for client in both]
        assert answers[0].status_code == answers[1].status_code, why
        assert answers[0].headers.get("content-type") == answers[1].headers.get("content-type")
        assert answers[0].content == answers[1].content, why
    answer = await short.post("/graphql", json=requests[0][1], headers=bearer(head))
    assert "邻里纠纷".encode() in answer.content  # UTF-8 as it is, not \u escapes
    served = answer.json()
    assert len(served["data"]["workQueue"]["edges"]) == 2
    refused = (await router.post("/graphql", json=requests[1][1], headers=bearer(head))).json()
    assert [e["extensions"]["code"] for e in refused["errors"]] == ["FORBIDDEN"]


def test_a_str_orjson_cannot_write_is_written_escaped() -> None:
    assert encode_response({"m": "甲", "n": 1}) == '{"m":"甲","n":1}'.encode()
    assert encode_response({"m": "x\ud800"}) == b'{"m":"x\\ud800"}'


async def test_a_body_over_the_limit_is_refused_on_the_short_way_too(
    gql: GraphQL, users: Users
) -> None:
    padding = " " * (70 * 1024)
    response = await gql.post(users(Role.APPROVER), "{ me { id } }" + padding)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"]["code"] == "LIMIT"
