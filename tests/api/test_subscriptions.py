"""workQueueChanged over websockets (graphql-transport-ws) pushes the caller's queue as it moves."""

from __future__ import annotations

import warnings
from typing import Any

import pytest
from fastapi import FastAPI
from starlette.websockets import WebSocketDisconnect

from domain.actors import Role
from tests.api.conftest import RESULT, User, Users

with warnings.catch_warnings():
    # starlette would rather have httpx2, which Casework does not depend on; httpx still works.
    warnings.simplefilter("ignore", UserWarning)
    from starlette.testclient import TestClient

SUBSCRIBE = (
    "subscription { workQueueChanged { items { caseId ruleId assignee case { version } } } }"
)
PROTOCOL = ["graphql-transport-ws"]
PARTIES = [{"name": "张三", "role": "APPLICANT"}, {"name": "李四", "role": "OTHER"}]


def mutate(client: TestClient, user: User, name: str, data: dict[str, Any]) -> dict[str, Any]:
    input_type = name[0].upper() + name[1:] + "Input"
    query = f"mutation($input: {input_type}!) {{ {name}(input: $input) {{ ...Result }} }}" + RESULT
    response = client.post(
        "/graphql",
        json={"query": query, "variables": {"input": data}},
        headers={"Authorization": f"Bearer {user.token}"},
    )
    result: dict[str, Any] = response.json()["data"][name]
    assert result["__typename"] == "CaseUpdated", result
    return result["case"]  # type: ignore[no-any-return]


def test_the_callers_queue_is_pushed_on_subscribing_and_again_when_work_is_assigned(
    asgi_app: FastAPI, users: Users
) -> None:
    intake, head, handler = users(Role.INTAKE), users(Role.APPROVER), users(Role.HANDLER)
    client = TestClient(asgi_app)
    case = mutate(
        client,
        intake,
        "registerMediation",
        {
            "title": "调解",
            "parties": PARTIES,
            "origin": "APPLICATION",
            "mediationType": "ADMINISTRATIVE",
        },
    )
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json(
            {"type": "connection_init", "payload": {"Authorization": f"Bearer {handler.token}"}}
        )
        assert ws.receive_json() == {"type": "connection_ack"}
        ws.send_json({"id": "1", "type": "subscribe", "payload": {"query": SUBSCRIBE}})
        first = ws.receive_json()
        assert first == {
            "id": "1",
            "type": "next",
            "payload": {"data": {"workQueueChanged": {"items": []}}},
        }

        mutate(
            client,
            head,
            "assignCase",
            {"caseId": case["id"], "expectedVersion": case["version"], "assignee": handler.id},
        )
        second = ws.receive_json()
        assert second["payload"]["data"]["workQueueChanged"]["items"] == [
            {
                "caseId": case["id"],
                "ruleId": "mediation.administrative",
                "assignee": handler.id,
                "case": {"version": 2},
            }
        ]
        ws.send_json({"id": "1", "type": "complete"})


def test_a_websocket_without_a_valid_token_is_closed(asgi_app: FastAPI) -> None:
    client = TestClient(asgi_app)
    with client.websocket_connect("/graphql", subprotocols=PROTOCOL) as ws:
        ws.send_json({"type": "connection_init", "payload": {"Authorization": "Bearer forged"}})
        with pytest.raises(WebSocketDisconnect) as closed:
            ws.receive_json()
    assert closed.value.code == 4403
