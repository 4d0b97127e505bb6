"""Attaching documents over GraphQL (multipart uploads), and the limits on what is uploaded."""

from __future__ import annotations

import dataclasses
import hashlib
import json
import uuid
from typing import Any

import httpx
from starlette.requests import Request
from starlette.responses import PlainTextResponse
from starlette.types import Receive, Scope, Send

from api.bootstrap import Container
from api.graphql.upload_limit import MULTIPART_OVERHEAD, BodyLimits
from api.http import create_app
from domain.actors import Role
from tests.api.conftest import GraphQL, User, Users
from tests.api.test_trail import mediation

ATTACH = """
mutation($input: AttachDocumentInput!) {
  attachDocument(input: $input) {
    __typename
    ... on CaseUpdated { case { version documents { name mediaType size sha256 } } }
    ... on Problem { code message }
    ... on TooLargeError { limit }
  }
}
"""


async def upload(
    http: httpx.AsyncClient,
    user: User,
    case: dict[str, Any],
    content: bytes,
    filename: str = "决定书.pdf",
    query: str = ATTACH,
    **data: Any,
) -> dict[str, Any]:
    """POST the mutation as a GraphQL multipart request; its result."""
    variables = {"input": {"caseId": case["id"], "expectedVersion": case["version"], **data}}
    variables["input"]["file"] = None
    response = await http.post(
        "/graphql",
        headers={"Authorization": f"Bearer {user.token}"},
        data={
            "operations": json.dumps({"query": query, "variables": variables}),
            "map": json.dumps({"0": ["variables.input.file"]}),
        },
        files={"0": (filename, content, "application/pdf")},
    )
    body = response.json()
    assert response.status_code == 200, body
    assert "errors" not in body, body
    result: dict[str, Any] = body["data"]["attachDocument"]
    return result


def described(content: bytes, name: str = "决定书.pdf", media: str = "application/pdf") -> Any:
    return {
        "name": name,
        "mediaType": media,
        "size": len(content),
        "sha256": hashlib.sha256(content).hexdigest(),
    }


async def test_a_handler_attaches_a_document_and_the_case_lists_it_once(
    gql: GraphQL, users: Users
) -> None:
    case, handler = await mediation(gql, users(Role.INTAKE)), users(Role.HANDLER)
    content = ("调解协议 " + uuid.uuid4().hex).encode() * 100
    first = await upload(gql.http, handler, case, content, reason="归档")
    assert first == {
        "__typename": "CaseUpdated",
        "case": {"version": 2, "documents": [described(content)]},
    }
    again = await upload(gql.http, handler, first["case"] | {"id": case["id"]}, content)
    assert again == first
    other = b"%PDF-1.7 " + uuid.uuid4().bytes
    named = await upload(
        gql.http,
        handler,
        {"id": case["id"], "version": 2},
        other,
        name="笔录",
        mediaType="text/plain",
    )
    assert named["case"] == {
        "version": 3,
        "documents": [described(content), described(other, "笔录", "text/plain")],
    }


async def test_an_auditor_an_outsider_and_a_stale_version_are_refused(
    gql: GraphQL, users: Users
) -> None:
    case = await mediation(gql, users(Role.INTAKE))

    async def refusal(user: User, version: int = 1, case_id: str = case["id"]) -> Any:
        result = await upload(gql.http, user, {"id": case_id, "version": version}, b"x")
        return result["__typename"], result["code"]

    assert await refusal(users(Role.AUDITOR)) == ("ForbiddenError", "FORBIDDEN")
    outsider = users(Role.HANDLER, org="org-" + uuid.uuid4().hex[:8])
    assert await refusal(outsider) == ("ForbiddenError", "FORBIDDEN")
    # A version the case never had is bad input; an older one means it changed meanwhile.
    assert await refusal(users(Role.HANDLER), version=7) == ("ValidationError", "VALIDATION")
    assert await refusal(users(Role.HANDLER), case_id="nope") == ("ValidationError", "VALIDATION")
    missing = str(uuid.uuid4())
    assert await refusal(users(Role.HANDLER), case_id=missing) == ("NotFoundError", "NOT_FOUND")
    attached = await upload(gql.http, users(Role.HANDLER), case, b"y")
    assert attached["__typename"] == "CaseUpdated"
    assert await refusal(users(Role.HANDLER), version=1) == ("ConflictError", "CONFLICT")


async def test_content_over_the_upload_limit_is_refused_with_the_limit(
    gql: GraphQL, users: Users, api_container: Container
) -> None:
    small = api_container.settings.model_copy(update={"max_upload_bytes": 1024})
    app = create_app(dataclasses.replace(api_container, settings=small))
    case, handler = await mediation(gql, users(Role.INTAKE)), users(Role.HANDLER)
    transport = httpx.ASGITransport(app=app)
    async with httpx.AsyncClient(transport=transport, base_url="http://casework.test") as http:
        refused = await upload(http, handler, case, b"a" * 1025)
        assert refused == {
            "__typename": "TooLargeError",
            "code": "LIMIT",
            "message": "document too large: at most 1024 bytes",
            "limit": 1024,
        }
        taken = await upload(http, handler, case, b"a" * 1024)
    assert taken["case"]["documents"] == [described(b"a" * 1024)]


async def echo_length(scope: Scope, receive: Receive, send: Send) -> None:
    body = await Request(scope, receive).body()
    await PlainTextResponse(str(len(body)))(scope, receive, send)


async def test_multipart_bodies_get_the_upload_limit_and_json_bodies_keep_theirs() -> None:
    limited = BodyLimits(echo_length, max_upload_bytes=200_000, max_json_bytes=1000)
    transport = httpx.ASGITransport(app=limited)
    async with httpx.AsyncClient(transport=transport, base_url="http://casework.test") as http:

        async def status(content: bytes, content_type: str) -> int:
            response = await http.post(
                "/graphql", content=content, headers={"content-type": content_type}
            )
            return response.status_code

        multipart = "multipart/form-data; boundary=x"
        assert await status(b"a" * 150_000, multipart) == 200
        assert await status(b"a" * (200_001 + MULTIPART_OVERHEAD), multipart) == 413
        assert await status(b"a" * 1000, "application/json") == 200
        assert await status(b"a" * 1001, "application/json") == 413
        response = await http.post("/graphql", content=b"a" * 1001)
        assert (response.status_code, response.json()["errors"][0]["extensions"]) == (
            413,
            {"code": "LIMIT"},
        )
