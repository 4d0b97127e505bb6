"""The work queue and its cases are read on the event loop where the server opened its pool,
on a worker thread elsewhere, and the answer is the same either way."""

from __future__ import annotations

import asyncio
import dataclasses
from typing import Any

import psycopg
import pytest

from api.auth import read_token
from api.bootstrap import Container
from api.graphql.context import Context
from api.http import create_app
from api.loop_reads import LoopReads
from domain.actors import Role
from projections.reads import Statement
from projections.work_queue import QueueFilter, queue_page_statement
from tests.api.conftest import GraphQL, Users

QUEUE = """
query($first: Int!) {
  workQueue(filter: { scope: ORGANISATION }, first: $first) {
    edges { node { caseId title dueOn case { status version } } }
  }
}
"""
MEDIATION = {
    "title": "楼上漏水",
    "parties": [{"name": "王五", "role": "APPLICANT"}, {"name": "赵六", "role": "OTHER"}],
    "origin": "APPLICATION",
    "mediationType": "ADMINISTRATIVE",
}


def no_worker_thread(*_: Any, **__: Any) -> Any:
    raise AssertionError("read on a worker thread")


async def test_the_queue_and_its_cases_are_read_without_a_worker_thread(
    gql: GraphQL, users: Users, monkeypatch: pytest.MonkeyPatch
) -> None:
    intake, head = users(Role.INTAKE), users(Role.APPROVER)
    for _ in range(2):
        await gql.mutate(intake, "registerMediation", MEDIATION)
    monkeypatch.setattr(Context, "read", no_worker_thread)
    edges = (await gql.query(head, QUEUE, {"first": 2}))["workQueue"]["edges"]
    assert len(edges) == 2
    assert all(edge["node"]["case"]["version"] >= 1 for edge in edges), edges


async def test_where_the_pool_is_not_open_a_worker_thread_reads_the_same(
    gql: GraphQL, users: Users, api_container: Container
) -> None:
    intake, head = users(Role.INTAKE), users(Role.APPROVER)
    for _ in range(3):
        await gql.mutate(intake, "registerMediation", MEDIATION)
    claims = read_token(api_container.settings.jwt_secret.get_secret_value(), head.token)
    statement = queue_page_statement(
        Context(api_container, claims).today,
        QueueFilter(organisation=head.org),
        first=3,
        after=None,
    )
    assert api_container.loop_reads.here()
    on_the_loop = await Context(api_container, claims).select(statement)

    unopened = dataclasses.replace(
        api_container, loop_reads=LoopReads(api_container.database.target.dsn, 1)
    )
    assert not unopened.loop_reads.here()
    on_a_thread = await Context(unopened, claims).select(statement)
    with psycopg.connect(api_container.database.target.dsn, autocommit=True) as conn:
        blocking = statement.run(conn)
    assert on_the_loop == on_a_thread == blocking
    assert len(on_the_loop[0]) == 3


async def test_the_servers_lifespan_opens_the_pool_on_its_loop_and_closes_it(
    api_container: Container,
) -> None:
    quiet = api_container.settings.model_copy(
        update={"run_projections": False, "checkpoint_interval": 0}
    )
    reads = LoopReads(api_container.database.target.dsn, 1)
    app = create_app(dataclasses.replace(api_container, settings=quiet, loop_reads=reads))
    assert not reads.here()
    async with app.router.lifespan_context(app):
        assert reads.here()

        async def elsewhere() -> bool:
            return reads.here()

        # Another loop (a thread's own) is not the one the pool belongs to.
        assert not await asyncio.to_thread(asyncio.run, elsewhere())
    assert not reads.here()


async def test_a_failed_open_leaves_nothing_open_and_the_pool_opens_again_after_closing(
    api_container: Container,
) -> None:
    one = Statement("SELECT 1", (), lambda rows: rows)
    refused = LoopReads("host=127.0.0.1 port=1 dbname=x connect_timeout=1", 1)
    with pytest.raises(TimeoutError):
        await asyncio.wait_for(refused.open(), 0.5)
    assert not refused.here()
    with pytest.raises(RuntimeError, match="not open"):
        await refused.run(one)

    reads = LoopReads(api_container.database.target.dsn, 1)
    await reads.open()
    with pytest.raises(RuntimeError, match="open already"):
        await reads.open()
    await reads.close()
    await reads.close()  # nothing left to close
    assert not reads.here()
    await reads.open()  # the next lifespan
    assert reads.here()
    assert await reads.run(one) == [(1,)]
    await reads.close()
