"""Cases set up through the API, so each browser test starts from a known state."""

from __future__ import annotations

import datetime as dt
import json
import urllib.request
import uuid
from dataclasses import dataclass
from typing import Any

from api.auth import issue_token


@dataclass(frozen=True)
class Server:
    """The running server: where it listens and the key its tokens are signed with."""

    url: str
    secret: str

    def token(self, user: str, role: str, org: str, name: str = "") -> str:
        """A bearer token as `casework token issue` would print it."""
        return issue_token(self.secret, user=user, role=role, organisation=org, name=name)

    def graphql(self, token: str, query: str, variables: dict[str, Any] | None = None) -> Any:
        """Ask the API directly (to set up a case the browser then works on)."""
        request = urllib.request.Request(
            f"{self.url}/graphql",
            data=json.dumps({"query": query, "variables": variables or {}}).encode(),
            headers={"content-type": "application/json", "authorization": f"Bearer {token}"},
        )
        with urllib.request.urlopen(request, timeout=30) as response:
            body = json.loads(response.read())
        assert "errors" not in body, body
        return body["data"]


RESULT = """__typename
  ... on CaseUpdated { case { id reference version status } }
  ... on Problem { code message }"""

ACT = {"agency": "区市场监管局", "documentNumber": "区市监罚〔2026〕3号", "date": "2026-03-01"}
APPLICANT = {"name": "张三", "role": "APPLICANT", "phone": "13800001111"}


def new_org() -> str:
    """A fresh organisation code, so no test sees another's cases."""
    return "org-" + uuid.uuid4().hex[:8]


def user(role: str) -> str:
    """A fresh user id."""
    return f"{role}-{uuid.uuid4().hex[:6]}"


def china_today() -> dt.date:
    """Today on the China calendar."""
    return dt.datetime.now(dt.timezone(dt.timedelta(hours=8))).date()


def mutate(server: Server, token: str, mutation: str, **fields: Any) -> dict[str, Any]:
    """One mutation; it must succeed. The case after it."""
    type_name = mutation[0].upper() + mutation[1:] + "Input"
    query = f"mutation($input: {type_name}!) {{ {mutation}(input: $input) {{ {RESULT} }} }}"
    result = server.graphql(token, query, {"input": fields})[mutation]
    assert result["__typename"] == "CaseUpdated", result
    case: dict[str, Any] = result["case"]
    return case


def step(
    server: Server, token: str, mutation: str, case: dict[str, Any], **fields: Any
) -> dict[str, Any]:
    """Take a step on a case at the version last seen."""
    return mutate(
        server, token, mutation, caseId=case["id"], expectedVersion=case["version"], **fields
    )


def reconsideration(server: Server, org: str, title: str = "不服罚款决定") -> dict[str, Any]:
    """A reconsideration application registered by the organisation's intake."""
    intake = server.token(user("intake"), "intake", org, "登记员")
    knew = (china_today() - dt.timedelta(days=10)).isoformat()
    return mutate(
        server,
        intake,
        "registerReconsideration",
        title=f"{title} {uuid.uuid4().hex[:4]}",
        act=ACT,
        parties=[APPLICANT],
        knewOn=knew,
    )


def lawsuit(server: Server, org: str, coordinator: str) -> dict[str, Any]:
    """A complaint served on the organisation today, registered by its coordinator."""
    return mutate(
        server,
        coordinator,
        "registerLitigation",
        title=f"诉区市场监管局行政处罚 {uuid.uuid4().hex[:4]}",
        act=ACT,
        parties=[{"name": "张三", "role": "APPLICANT"}],
        court="某区人民法院",
        courtCaseNumber=f"（2026）行初{uuid.uuid4().int % 1000}号",
        servedOn=china_today().isoformat(),
    )


def decided_reconsideration(server: Server, org: str, officer: str, head: str) -> dict[str, Any]:
    """A reconsideration decided by the hearing officer (revoking the act), approved by the head."""
    handler = server.token(user("handler"), "handler", org, "李承办")
    hearing = server.token(officer, "hearing_officer", org, "赵审理")
    case = reconsideration(server, org)
    case = step(server, handler, "reconsiderationAccept", case)
    case = step(server, handler, "reconsiderationSendCopy", case)
    case = step(
        server, handler, "reconsiderationReceiveReply", case, evidence=["笔录"], legalBases=["依据"]
    )
    case = step(
        server, handler, "reconsiderationAssignHearingOfficer", case, officer={"id": officer}
    )
    case = step(server, hearing, "reconsiderationHearParties", case, summary="电话听取双方意见")
    return step(
        server,
        hearing,
        "reconsiderationDecide",
        case,
        decision="REVOKE",
        reason="事实不清",
        legalBasis="《行政复议法》第六十四条",
        approver={"id": head, "name": "钱主任"},
    )
