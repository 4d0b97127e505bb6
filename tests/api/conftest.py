"""Fixtures for the GraphQL API: a container whose views run, tokens, and a client over ASGI."""

from __future__ import annotations

import uuid
from collections.abc import AsyncIterator, Iterator
from dataclasses import dataclass
from pathlib import Path
from typing import Any

import httpx
import pytest
from fastapi import FastAPI

from api import migrations
from api.auth import issue_token
from api.bootstrap import Container, Database, build_container
from api.database import ConnectionTarget
from api.http import create_app
from api.settings import Settings
from domain.actors import Actor, Role

RESULT = """
fragment Result on CaseResult {
  __typename
  ... on CaseUpdated { viewsCurrent case { id reference version status nextSteps { mutation } } }
  ... on Problem { message code }
  ... on ValidationError { field }
}
"""


# Package scope: the live views stop when the API tests end, so no runner is left competing
# with the tests that drive runners by hand.
@pytest.fixture(scope="package")
def api_container(settings: Settings, database: ConnectionTarget) -> Iterator[Container]:
    """A container like `casework serve` builds, with its views running, so writes wait for them."""
    live = settings.model_copy(update={"projection_wait": 10.0})
    built = build_container(live, Database(target=database), migrate=False)
    built.projections.start()
    yield built
    built.close()


@pytest.fixture(scope="package")
async def asgi_app(api_container: Container) -> AsyncIterator[FastAPI]:
    """The HTTP app over the live container, reading on the event loop as the served app does
    (its lifespan opens the loop's pool; a client over ASGI does not run the lifespan)."""
    await api_container.loop_reads.open()
    yield create_app(api_container)
    await api_container.loop_reads.close()


@dataclass(frozen=True)
class User:
    """A caller: who, in which role, for which organisation, and their token."""

    id: str
    role: Role
    org: str
    token: str

    @property
    def actor(self) -> Actor:
        return Actor(self.id, self.role, self.org)


class Users:
    """Makes callers with tokens signed by the server's key."""

    def __init__(self, secret: str, org: str) -> None:
        self.secret = secret
        self.org = org

    def __call__(self, role: Role | str, org: str | None = None, user: str | None = None) -> User:
        role = Role(role)
        org = org or self.org
        user = user or f"{role}-{uuid.uuid4().hex[:8]}"
        token = issue_token(self.secret, user=user, role=role.value, organisation=org)
        return User(user, role, org, token)


@pytest.fixture
def users(settings: Settings, org: str) -> Users:
    """users(Role.HANDLER) or users("approver", org="other")."""
    return Users(settings.jwt_secret.get_secret_value(), org)


class GraphQL:
    """Posts operations as a given user and returns the JSON body."""

    def __init__(self, http: httpx.AsyncClient) -> None:
        self.http = http

    async def post(
        self, user: User | None, query: str, variables: dict[str, Any] | None = None
    ) -> httpx.Response:
        headers = {} if user is None else {"Authorization": f"Bearer {user.token}"}
        return await self.http.post(
            "/graphql", json={"query": query, "variables": variables or {}}, headers=headers
        )

    async def query(
        self, user: User, query: str, variables: dict[str, Any] | None = None
    ) -> dict[str, Any]:
        """The data of an operation that must succeed without GraphQL errors."""
        response = await self.post(user, query, variables)
        body = response.json()
        assert response.status_code == 200, body
        assert "errors" not in body, body["errors"]
        data: dict[str, Any] = body["data"]
        return data

    async def errors(
        self, user: User, query: str, variables: dict[str, Any] | None = None
    ) -> list[dict[str, Any]]:
        """The errors of an operation that must fail."""
        body = (await self.post(user, query, variables)).json()
        assert body.get("errors"), body
        errors: list[dict[str, Any]] = body["errors"]
        return errors

    async def mutate(self, user: User, mutation: str, data: dict[str, Any]) -> dict[str, Any]:
        """Run one mutation taking `input`; the CaseResult as a dict."""
        input_type = mutation[0].upper() + mutation[1:] + "Input"
        operation = (
            f"mutation($input: {input_type}!) {{ {mutation}(input: $input) {{ ...Result }} }}"
        )
        result: dict[str, Any] = (await self.query(user, operation + RESULT, {"input": data}))[
            mutation
        ]
        return result

    async def step(
        self, user: User, mutation: str, case: dict[str, Any], **data: Any
    ) -> dict[str, Any]:
        """A step that must succeed, on the case as last read; the case afterwards."""
        result = await self.mutate(
            user, mutation, {"caseId": case["id"], "expectedVersion": case["version"], **data}
        )
        assert result["__typename"] == "CaseUpdated", result
        assert result["viewsCurrent"] is True
        updated: dict[str, Any] = result["case"]
        return updated


@pytest.fixture
async def gql(asgi_app: FastAPI) -> AsyncIterator[GraphQL]:
    """A GraphQL client over the ASGI app (no network)."""
    transport = httpx.ASGITransport(app=asgi_app)
    async with httpx.AsyncClient(transport=transport, base_url="http://casework.test") as http:
        yield GraphQL(http)


@dataclass
class Separate:
    """A container and a GraphQL client over a database of their own (no views running)."""

    container: Container
    database: ConnectionTarget
    gql: GraphQL


@pytest.fixture
async def separate(
    empty_database: ConnectionTarget, settings: Settings, tmp_path: Path
) -> AsyncIterator[Separate]:
    """For tests that must alter stored rows (seals, recorded times) without touching the
    session's shared database."""
    migrations.upgrade(empty_database)
    # Few connections: the server is shared with the session's live container.
    own = settings.model_copy(
        update={"database_url": empty_database.url, "data_dir": tmp_path, "db_pool_size": 2}
    )
    container = build_container(own, Database(target=empty_database), migrate=False)
    transport = httpx.ASGITransport(app=create_app(container))
    try:
        async with httpx.AsyncClient(transport=transport, base_url="http://casework.test") as http:
            yield Separate(container, empty_database, GraphQL(http))
    finally:
        container.close()
