"""Conflicts, malformed input and the limits that keep one request from hurting the server."""

from __future__ import annotations

import logging
import uuid
from typing import Any

import pytest

from api.bootstrap import Container
from api.graphql.limits import MAX_ALIASES, MAX_BODY_BYTES, MAX_DEPTH
from domain.actors import Role
from tests.api.conftest import GraphQL, Users

MEDIATION = {
    "title": "邻里纠纷",
    "parties": [{"name": "张三", "role": "APPLICANT"}, {"name": "李四", "role": "OTHER"}],
    "origin": "APPLICATION",
    "mediationType": "PEOPLES",
}


async def mediation(gql: GraphQL, users: Users) -> dict[str, Any]:
    result = await gql.mutate(users(Role.INTAKE), "registerMediation", MEDIATION)
    case: dict[str, Any] = result["case"]
    return case


async def test_a_step_on_a_stale_version_is_a_conflict_saying_the_case_changed(
    gql: GraphQL, users: Users
) -> None:
    case = await mediation(gql, users)
    mediator = users(Role.HANDLER)
    session = {"mediator": "王", "notes": "第一次"}
    await gql.step(mediator, "mediationHoldSession", case, **session)
    stale = await gql.mutate(
        mediator, "mediationHoldSession", {"caseId": case["id"], "expectedVersion": 1, **session}
    )
    assert stale["__typename"] == "ConflictError"
    assert stale["code"] == "CONFLICT"
    assert (
        "changed since it was read (version 1, now 2); reload it and try again" in stale["message"]
    )


async def test_a_refused_step_names_the_state_or_the_field(gql: GraphQL, users: Users) -> None:
    case = await mediation(gql, users)
    mediator = users(Role.HANDLER)
    early = await gql.mutate(
        mediator, "mediationClose", {"caseId": case["id"], "expectedVersion": case["version"]}
    )
    assert (early["__typename"], early["code"]) == ("InvalidTransitionError", "INVALID_TRANSITION")
    no_reason = await gql.mutate(
        mediator, "mediationRecordFailure", {"caseId": case["id"], "expectedVersion": 1}
    )
    assert no_reason == {
        "__typename": "ValidationError",
        "message": "to record a failed mediation needs a reason",
        "code": "VALIDATION",
        "field": "reason",
    }


async def test_a_malformed_case_id_is_a_validation_error_naming_the_field(
    gql: GraphQL, users: Users
) -> None:
    result = await gql.mutate(
        users(Role.HANDLER), "mediationClose", {"caseId": "not-a-uuid", "expectedVersion": 1}
    )
    assert result == {
        "__typename": "ValidationError",
        "message": "caseId is not a case id: 'not-a-uuid'",
        "code": "VALIDATION",
        "field": "caseId",
    }


async def test_a_value_of_the_wrong_type_is_a_validation_error_naming_the_field(
    gql: GraphQL, users: Users
) -> None:
    query = "mutation($i: MediationCloseInput!) { mediationClose(input: $i) { __typename } }"
    errors = await gql.errors(
        users(Role.HANDLER), query, {"i": {"caseId": "x", "expectedVersion": "one"}}
    )
    assert [e["extensions"]["code"] for e in errors] == ["VALIDATION"]
    assert "expectedVersion" in errors[0]["message"]


async def test_a_query_deeper_than_the_limit_is_refused_before_it_runs(
    gql: GraphQL, users: Users
) -> None:
    deepest = "{ workQueue { edges { node { case { status } } } pageInfo { hasNextPage } } }"
    page = (await gql.query(users(Role.HANDLER), deepest))["workQueue"]["pageInfo"]
    assert page == {"hasNextPage": False}
    nested = "id"
    for level in range(MAX_DEPTH + 1):
        nested = f"f{level} {{ {nested} }}"
    response = await gql.post(users(Role.HANDLER), f"{{ me {{ {nested} }} }}")
    body = response.json()
    assert "data" not in body or body["data"] is None
    limits = [e["message"] for e in body["errors"] if e["extensions"]["code"] == "LIMIT"]
    assert limits == [f"'anonymous' exceeds maximum operation depth of {MAX_DEPTH}"]


async def test_too_many_aliases_are_refused(gql: GraphQL, users: Users) -> None:
    query = "{ " + " ".join(f"a{i}: serverVersion" for i in range(MAX_ALIASES + 1)) + " }"
    errors = await gql.errors(users(Role.HANDLER), query)
    assert errors[0]["extensions"]["code"] == "LIMIT"


async def test_a_page_larger_than_the_maximum_is_refused_naming_the_argument(
    gql: GraphQL, users: Users
) -> None:
    errors = await gql.errors(
        users(Role.HANDLER), "{ workQueue(first: 101) { pageInfo { hasNextPage } } }"
    )
    assert [(e["message"], e["extensions"]["code"]) for e in errors] == [
        ("first: a page holds 1 to 100 items", "VALIDATION")
    ]


async def test_a_request_body_over_the_limit_is_refused_before_it_is_parsed(
    gql: GraphQL, users: Users
) -> None:
    caller = users(Role.HANDLER)
    padding = " " * MAX_BODY_BYTES
    response = await gql.post(caller, "{ serverVersion }" + padding)
    assert response.status_code == 413
    assert response.json()["errors"][0]["extensions"] == {"code": "LIMIT"}


async def test_an_internal_failure_reaches_the_client_as_a_code_without_its_text(
    gql: GraphQL, users: Users, api_container: Container, monkeypatch: pytest.MonkeyPatch
) -> None:
    def broken(case_id: object) -> None:
        raise RuntimeError("password=hunter2 at db01")

    monkeypatch.setattr(api_container.application, "get_any_case", broken)
    errors = await gql.errors(users(Role.AUDITOR), f'{{ case(id: "{uuid.uuid4()}") {{ id }} }}')
    assert [(e["message"], e["extensions"]) for e in errors] == [
        ("internal error", {"code": "INTERNAL"})
    ]


async def test_a_refused_request_is_logged_as_one_line_not_as_a_server_failure(
    gql: GraphQL, users: Users, caplog: pytest.LogCaptureFixture
) -> None:
    with caplog.at_level(logging.INFO):
        errors = await gql.errors(users(Role.HANDLER), f'{{ case(id: "{uuid.uuid4()}") {{ id }} }}')
        invalid = await gql.errors(users(Role.HANDLER), "{ case { id } }")
    assert [e["extensions"]["code"] for e in errors + invalid] == ["NOT_FOUND", "VALIDATION"]
    refusals = [r for r in caplog.records if r.name == "api.graphql.schema"]
    assert [r.levelno for r in refusals] == [logging.INFO, logging.INFO]
    assert refusals[0].getMessage().startswith("refused (NOT_FOUND): ")
    assert not [r for r in caplog.records if r.levelno >= logging.ERROR or r.exc_info]


async def test_an_internal_failure_is_logged_with_its_traceback(
    gql: GraphQL,
    users: Users,
    api_container: Container,
    monkeypatch: pytest.MonkeyPatch,
    caplog: pytest.LogCaptureFixture,
) -> None:
    def broken(case_id: object) -> None:
        raise RuntimeError("disk on fire")

    monkeypatch.setattr(api_container.application, "get_any_case", broken)
    with caplog.at_level(logging.INFO):
        await gql.errors(users(Role.AUDITOR), f'{{ case(id: "{uuid.uuid4()}") {{ id }} }}')
    failures = [r for r in caplog.records if r.levelno >= logging.ERROR]
    assert len(failures) == 1
    assert failures[0].exc_info is not None
    assert "disk on fire" in str(failures[0].exc_info[1])


async def test_an_expected_version_the_case_never_had_is_a_validation_error(
    gql: GraphQL, users: Users
) -> None:
    case = await mediation(gql, users)
    session = {"mediator": "王", "notes": "第一次"}
    for wrong in (case["version"] + 1, -1):
        result = await gql.mutate(
            users(Role.HANDLER),
            "mediationHoldSession",
            {"caseId": case["id"], "expectedVersion": wrong, **session},
        )
        assert result == {
            "__typename": "ValidationError",
            "message": f"expectedVersion {wrong} is not a version of {case['reference']}: "
            f"it is at version {case['version']}",
            "code": "VALIDATION",
            "field": "expectedVersion",
        }
