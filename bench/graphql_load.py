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
QUEUE_PAGE_VARIABLES = {"filter": {"scope": "ORGANISATION"}, "first": 50}


class Caller:
    """One caller of the served API over one kept-alive HTTP connection, timing each request.

    A sample is a whole request: the JSON body encoded, sent, answered, read and decoded. The
    client is the standard library's: httpx's own work per request (about half a millisecond
    here) would be counted in a figure that is about the server.
    """

    def __init__(self, server: Server, organisation: str) -> None:
        self.headers = {
            "Authorization": f"Bearer {token(f'{organisation}-head', 'approver', organisation)}",
            "Content-Type": "application/json",
        }
        address = urlsplit(server.url)
        self.http = HTTPConnection(address.hostname or "127.0.0.1", address.port, timeout=60)
        self.items = 0  # the size of the last queue page read

    def request(self, query: str, variables: dict[str, Any]) -> tuple[float, dict[str, Any]]:
        """Seconds the request took, and its data; raises if it failed."""
        began = time.perf_counter()
        request = json.dumps({"query": query, "variables": variables})
        self.http.request("POST", "/graphql", body=request.encode(), headers=self.headers)
        response = self.http.getresponse()
        answer = response.read()
        body: dict[str, Any] = (
            json.loads(answer)
            if response.status == 200
            else {"errors": [answer.decode(errors="replace")]}
        )
        seconds = time.perf_counter() - began
        if "errors" in body:
            raise RuntimeError(f"the query failed ({response.status}): {body['errors'][0]}")
        return seconds, body["data"]

    def queue_page(self) -> float:
        """Line 4: one 50-item page of the caller's organisation's queue; seconds."""
        seconds, data = self.request(QUEUE, QUEUE_PAGE_VARIABLES)
        self.items = len(data["workQueue"]["edges"])
        return seconds

    def smallest(self) -> float:
        """Line 4d: the smallest query the caller can send the same way, what any request costs
        before it reads anything (HTTP, the token, GraphQL's parse and execution); seconds."""
        seconds, data = self.request(SMALLEST, {})
        if not data.get("serverVersion"):
            raise RuntimeError(f"the smallest query answered {data}")
        return seconds

    def close(self) -> None:
        """Close the connection."""
        self.http.close()


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
