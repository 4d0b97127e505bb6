"""The role matrix: each role × each mutation is allowed or FORBIDDEN as docs/api.md says."""

from __future__ import annotations

import datetime as dt
import uuid
from decimal import Decimal
from enum import Enum
from pathlib import Path
from typing import Any

import pytest

from api.graphql.commands import COMMANDS, Command
from api.graphql.inputs import PersonInput, parameters
from api.graphql.matrix import allowed_roles, markdown
from domain.actors import Role
from tests.api.conftest import GraphQL, Users

ALLOWED = dict(allowed_roles())
DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def sample(annotation: Any) -> Any:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return next(iter(annotation)).name
    values: dict[Any, Any] = {
        str: "x",
        int: 1,
        bool: True,
        dt.date: "2026-01-05",
        Decimal: "1",
        list[str]: ["x"],
        PersonInput: {"id": "someone"},
    }
    return values[annotation]


def step_input(command: Command) -> dict[str, Any]:
    method = getattr(command.aggregate, command.method)
    skip = ("target",) if command.target else ()
    fields = parameters(method, command.aggregate.__module__, command.enums, skip)
    data = {"caseId": str(uuid.uuid4()), "expectedVersion": 1}
    if command.target:
        data["targetCaseId"] = str(uuid.uuid4())
    for field in fields:
        if field.required:
            parts = field.name.split("_")
            data[parts[0] + "".join(p.capitalize() for p in parts[1:])] = sample(field.annotation)
    return data


@pytest.mark.parametrize("role", list(Role))
async def test_a_role_may_try_a_step_exactly_when_the_matrix_allows_it(
    gql: GraphQL, users: Users, role: Role
) -> None:
    caller = users(role)
    outcomes = {}
    for command in COMMANDS:
        result = await gql.mutate(caller, command.name, step_input(command))
        outcomes[command.name] = result["code"]
    # Allowed roles get as far as looking for the (random, absent) case.
    assert outcomes == {
        c.name: ("NOT_FOUND" if role in ALLOWED[c.name] else "FORBIDDEN") for c in COMMANDS
    }


@pytest.mark.parametrize("role", list(Role))
async def test_a_role_may_register_exactly_the_procedures_the_matrix_allows(
    gql: GraphQL, users: Users, role: Role
) -> None:
    caller = users(role)
    act = {"agency": "区城管局", "documentNumber": "城管罚1号", "date": "2026-01-05"}
    parties = [{"name": "张三", "role": "APPLICANT"}, {"name": "李四", "role": "OTHER"}]
    inputs: dict[str, dict[str, Any]] = {
        "registerPetition": {"parties": parties[:1], "channel": "VISIT"},
        "registerReconsideration": {"act": act, "parties": parties[:1], "knewOn": "2026-01-05"},
        "registerLitigation": {
            "act": act,
            "parties": parties[:1],
            "court": "区法院",
            "courtCaseNumber": "行初1号",
            "servedOn": "2026-01-05",
        },
        "registerMediation": {
            "parties": parties,
            "origin": "APPLICATION",
            "mediationType": "PEOPLES",
        },
    }
    outcomes = {}
    for name, data in inputs.items():
        result = await gql.mutate(caller, name, {"title": "登记", **data})
        outcomes[name] = result["__typename"]
    assert outcomes == {
        name: ("CaseUpdated" if role in ALLOWED[name] else "ForbiddenError") for name in inputs
    }


async def test_an_auditor_reads_but_every_write_is_forbidden(gql: GraphQL, users: Users) -> None:
    auditor = users(Role.AUDITOR)
    result = await gql.mutate(
        auditor, "assignCase", {"caseId": str(uuid.uuid4()), "expectedVersion": 1, "assignee": "x"}
    )
    assert (result["code"], result["message"]) == ("FORBIDDEN", "an auditor may not assign work")
    assert all(Role.AUDITOR not in roles for roles in ALLOWED.values())


def test_the_role_matrix_in_the_docs_is_the_one_the_code_enforces() -> None:
    assert markdown() in DOCS.read_text(encoding="utf-8")


@pytest.mark.parametrize("role", list(Role))
async def test_a_role_may_assign_hand_over_and_link_exactly_when_the_matrix_allows_it(
    gql: GraphQL, users: Users, role: Role
) -> None:
    caller = users(role)
    missing = {"caseId": str(uuid.uuid4()), "expectedVersion": 1, "assignee": "someone"}
    assign = await gql.mutate(caller, "assignCase", missing)
    link = await gql.mutate(
        caller,
        "linkCases",
        {
            "firstCaseId": str(uuid.uuid4()),
            "secondCaseId": str(uuid.uuid4()),
            "relation": "SETTLES",
        },
    )
    handover = await gql.query(
        caller,
        "mutation($i: ReassignWorkInput!) { reassignWork(input: $i) { results { __typename } } }",
        {"i": {"fromUser": "nobody-" + uuid.uuid4().hex, "toUser": "x"}},
    )
    outcomes = {
        "assignCase": assign["code"],
        "linkCases": link["code"],
        "reassignWork": handover["reassignWork"]["results"],
    }
    assert outcomes == {
        "assignCase": "NOT_FOUND" if role in ALLOWED["assignCase"] else "FORBIDDEN",
        "linkCases": "NOT_FOUND" if role in ALLOWED["linkCases"] else "FORBIDDEN",
        "reassignWork": []
        if role in ALLOWED["reassignWork"]
        else [{"__typename": "ForbiddenError"}],
    }
