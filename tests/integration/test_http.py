from collections.abc import AsyncIterator

import httpx
import pytest
from psycopg_pool import ConnectionPool

from api.auth import issue_token
from api.bootstrap import Container
from api.http import create_app


@pytest.fixture
async def client(container: Container) -> AsyncIterator[httpx.AsyncClient]:
    transport = httpx.ASGITransport(app=create_app(container))
    async with httpx.AsyncClient(transport=transport, base_url="http://casework") as http:
        yield http


async def test_graphql_answers_typename_to_a_signed_in_caller(
    client: httpx.AsyncClient, container: Container
):
    token = issue_token(
        container.settings.jwt_secret.get_secret_value(),
        user="probe",
        role="auditor",
        organisation="ops",
    )
    response = await client.post(
        "/graphql",
        json={"query": "{ __typename }"},
        headers={"authorization": f"Bearer {token}"},
    )
    assert response.status_code == 200
    assert response.json() == {"data": {"__typename": "Query"}}


async def test_graphql_refuses_a_caller_without_a_token(client: httpx.AsyncClient):
    response = await client.post("/graphql", json={"query": "{ __typename }"})
    assert response.status_code == 401


async def test_graphiql_page_is_served_to_a_browser(client: httpx.AsyncClient):
    response = await client.get("/graphql", headers={"accept": "text/html"})
    assert response.status_code == 200
    assert "GraphiQL" in response.text


async def test_healthz_is_ok_when_the_database_answers(client: httpx.AsyncClient):
    response = await client.get("/healthz")
    assert response.status_code == 200
    assert response.json()["database"] == "ok"


async def test_healthz_is_503_when_the_database_does_not_answer(container: Container):
    dead_pool: ConnectionPool = ConnectionPool(
        "host=127.0.0.1 port=1 dbname=x connect_timeout=1", min_size=1, open=False
    )
    broken = Container(
        settings=container.settings,
        database=container.database,
        application=container.application,
        read_pool=dead_pool,
        projections=container.projections,
        checkpoints=container.checkpoints,
        loop_reads=container.loop_reads,
    )
    transport = httpx.ASGITransport(app=create_app(broken))
    async with httpx.AsyncClient(transport=transport, base_url="http://casework") as http:
        response = await http.get("/healthz")
    dead_pool.close()
    assert response.status_code == 503
    assert response.json() == {"status": "unavailable", "database": "not answering"}
