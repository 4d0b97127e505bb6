"""Every GraphQL example in docs/api.md is valid against the schema the server serves."""

from __future__ import annotations

import re
from pathlib import Path

from graphql import parse, validate

from api.graphql.schema import build_schema
from domain.actors import Role
from tests.api.conftest import GraphQL, Users

DOCS = Path(__file__).resolve().parents[2] / "docs" / "api.md"


def test_every_graphql_example_in_the_docs_is_valid() -> None:
    blocks = re.findall(r"```graphql\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    schema = build_schema()._schema
    problems = {
        block.split("\n")[0]: [e.message for e in validate(schema, parse(block))]
        for block in blocks
    }
    assert len(blocks) >= 12
    assert {name: errors for name, errors in problems.items() if errors} == {}


def examples() -> dict[str, str]:
    blocks = re.findall(r"```graphql\n(.*?)```", DOCS.read_text(encoding="utf-8"), re.S)
    named = {}
    for block in blocks:
        match = re.match(r"(query|mutation|subscription) (\w+)", block)
        if match:
            named[match.group(2)] = block
    return named


async def test_the_documented_reads_and_registration_run(gql: GraphQL, users: Users) -> None:
    named = examples()
    intake = users(Role.INTAKE)
    registered = await gql.query(
        intake,
        named["Register"],
        {
            "input": {
                "title": "反映噪音扰民",
                "channel": "VISIT",
                "parties": [{"name": "王五", "role": "APPLICANT", "phone": "13800001111"}],
            }
        },
    )
    case = registered["registerPetition"]["case"]
    assert case["status"] == "registered"
    runs = {
        "Unassigned": (intake, {}),
        "MyQueue": (users(Role.HANDLER), {}),
        "Case": (users(Role.HANDLER), {"id": case["id"]}),
        "Overdue": (users(Role.APPROVER), {}),
        "Calendar": (users(Role.COORDINATOR), {"from": "2026-01-01", "to": "2026-12-31"}),
        "Everything": (users(Role.AUDITOR), {}),
    }
    for name, (user, variables) in runs.items():
        assert await gql.query(user, named[name], variables), name
    seen = await gql.query(users(Role.HANDLER), named["Case"], {"id": case["id"]})
    # a handler may divert or decline a registered petition, but routing is intake's or a head's
    assert [s["mutation"] for s in seen["case"]["nextSteps"]] == [
        "petitionDivert",
        "petitionDivertOutside",
        "petitionDecline",
    ]
    unassigned = await gql.query(intake, named["Unassigned"], {})
    assert case["id"] in [e["node"]["caseId"] for e in unassigned["workQueue"]["edges"]]
