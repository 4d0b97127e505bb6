"""Lines 2, 4 and 7 (server): GraphQL over HTTP against a running `casework serve`."""

from __future__ import annotations

import asyncio
import json
import time
from http.client import HTTPConnection
from typing import Any
from urllib.parse import urlsplit
from uuid import UUID

import httpx

from api.auth import issue_token
from bench.cases import APPROVER, HANDLERS, JWT_SECRET
from bench.measure import Line, percentiles, rate
from bench.server import Server

ASSIGN = """
mutation($input: AssignCaseInput!) {
  assignCase(input: $input) {
    __typename
    ... on CaseUpdated { viewsCurrent case { version } }
    ... on Problem { message }
  }
}
"""
QUEUE = """
query($filter: WorkQueueFilter, $first: Int!) {
  workQueue(filter: $filter, first: $first) {
    edges { node { caseId ruleId kind reference title assignee step dueOn daysLeft overdue } }
    pageInfo { hasNextPage endCursor }
  }
}
"""


def token(user: str, role: str, organisation: str) -> str:
    """A bearer token the benchmark server accepts."""
    return issue_token(JWT_SECRET, user=user, role=role, organisation=organisation)


async def _assign_all(
    url: str, case_ids: list[UUID], clients: int
) -> tuple[float, list[float], list[Any], list[UUID]]:
    headers = {"Authorization": f"Bearer {token(APPROVER.id, 'approver', APPROVER.organisation)}"}
    work: asyncio.Queue[UUID] = asyncio.Queue()
    for case_id in case_ids:
        work.put_nowait(case_id)
    latencies: list[float] = []
    failures: list[Any] = []
    behind: list[UUID] = []  # stored, but the views had not shown it when the wait ran out

    async def client(http: httpx.AsyncClient) -> None:
        while not work.empty():
            case_id = work.get_nowait()
            variables = {
                "input": {"caseId": str(case_id), "expectedVersion": 1, "assignee": HANDLERS[1]}
            }
            began = time.perf_counter()
            response = await http.post("/graphql", json={"query": ASSIGN, "variables": variables})
            latencies.append(time.perf_counter() - began)
            body = response.json()
            result = (body.get("data") or {}).get("assignCase") or body
            if result.get("__typename") != "CaseUpdated":
                failures.append(result)
            elif not result.get("viewsCurrent"):
                behind.append(case_id)

    limits = httpx.Limits(max_connections=clients)
    async with httpx.AsyncClient(base_url=url, headers=headers, limits=limits, timeout=60) as http:
        began = time.perf_counter()
        await asyncio.gather(*(client(http) for _ in range(clients)))
        seconds = time.perf_counter() - began
    return seconds, latencies, failures, behind


def mutations(server: Server, case_ids: list[UUID], clients: int, commands: Line) -> Line:
    """Line 2: assignCase mutations by concurrent clients, each waiting for the views."""
    seconds, latencies, failures, behind = asyncio.run(_assign_all(server.url, case_ids, clients))
    if failures:
        raise RuntimeError(f"{len(failures)} mutations failed, e.g. {failures[0]}")
    return Line(
        "2",
        f"End-to-end: GraphQL assignCase over HTTP, {clients} concurrent clients",
        rate(len(case_ids), seconds),
        "mutations/s",
        commands.figure,
        "line 1's application commands per second",
        note=f"{len(behind)} of {len(case_ids)} answered before the views showed them"
        if behind
        else "",
        details={
            "latency_ms": percentiles(latencies),
            "mutations": len(case_ids),
            "views_not_current": len(behind),
        },
    )


SMALLEST = "query { serverVersion }"


def queue_latency(server: Server, organisation: str, repeats: int) -> tuple[dict[str, float], int]:
    """p50/p95/p99 (ms) of one 50-item page of an organisation's queue, and its size.

    Each sample is a whole request over one kept-alive HTTP connection: the JSON body encoded,
    sent, answered, read and decoded. The client is the standard library's: httpx's own work
    per request (about half a millisecond here) would be counted in a figure that is about
    the server.
    """
    variables = {"filter": {"scope": "ORGANISATION"}, "first": 50}
    times, data = _latency(server, organisation, QUEUE, variables, repeats)
    return times, len(data["workQueue"]["edges"])


def request_floor(server: Server, organisation: str, repeats: int) -> dict[str, float]:
    """p50/p95/p99 (ms) of the smallest query the same caller can send the same way: what any
    request costs before it reads anything (HTTP, the token, GraphQL's parse and execution)."""
    times, data = _latency(server, organisation, SMALLEST, {}, repeats)
    if not data.get("serverVersion"):
        raise RuntimeError(f"the smallest query answered {data}")
    return times


def _latency(
    server: Server, organisation: str, query: str, variables: dict[str, Any], repeats: int
) -> tuple[dict[str, float], dict[str, Any]]:
    headers = {
        "Authorization": f"Bearer {token(f'{organisation}-head', 'approver', organisation)}",
        "Content-Type": "application/json",
    }
    address = urlsplit(server.url)
    samples = []
    data: dict[str, Any] = {}
    http = HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=60)
    try:
        for _ in range(repeats + 5):
            began = time.perf_counter()
            request = json.dumps({"query": query, "variables": variables})
            http.request("POST", "/graphql", body=request.encode(), headers=headers)
            response = http.getresponse()
            answer = response.read()
            body: dict[str, Any] = (
                json.loads(answer)
                if response.status == 200
                else {"errors": [answer.decode(errors="replace")]}
            )
            samples.append(time.perf_counter() - began)
            if "errors" in body:
                raise RuntimeError(f"the query failed ({response.status}): {body['errors'][0]}")
            data = body["data"]
    finally:
        http.close()
    return percentiles(samples[5:]), data  # the first few warm the server up


def server_memory(server: Server, under: str) -> Line:
    """Line 7 (server): the server's peak RSS while it served line 2."""
    line = Line(
        "7a",
        f"Peak memory (RSS) of the server under {under}",
        server.memory.peak_mb,
        "MiB",
        server.idle_mb,
        "the same server once up, before the load",
        target="< 300 MiB",
    )
    line.met = server.memory.peak_mb < 300
    return line
