"""The /graphql router: HTTP with a bearer token per request, websockets with one per connection."""

from __future__ import annotations

import json
from typing import Any

import orjson
import strawberry
from strawberry.exceptions import ConnectionRejectionError
from strawberry.fastapi import GraphQLRouter
from strawberry.subscriptions import GRAPHQL_TRANSPORT_WS_PROTOCOL
from strawberry.types.unset import UNSET, UnsetType

from api.auth import InvalidToken
from api.bootstrap import Container
from api.graphql.context import Context, context_getter
from api.graphql.schema import build_schema


def encode_response(data: object) -> bytes:
    """A response's JSON as UTF-8, without spaces (orjson: several times json's speed, and
    Chinese text as itself rather than escaped). A str orjson cannot write as UTF-8 (a lone
    surrogate, which a GraphQL string literal can spell and an error message can echo) is
    written by json, escaped, as before."""
    try:
        return orjson.dumps(data)
    except TypeError:
        return json.dumps(data, separators=(",", ":")).encode()


def decode_request(data: str | bytes) -> object:
    """A request body's JSON, read the same way by the router and the short way (orjson: a
    body it refuses, such as one with a lone surrogate, is refused by both)."""
    return orjson.loads(data)


class CaseworkRouter(GraphQLRouter[Context, None]):
    """Refuses a websocket whose connection_init carries no valid `Authorization: Bearer …`;
    reads JSON with `decode_request` and writes it with `encode_response`."""

    def encode_json(self, data: object) -> str:
        """As text: a websocket sends bytes as a binary frame, which its clients refuse."""
        return encode_response(data).decode()

    def decode_json(self, data: str | bytes) -> object:
        """As the short way reads a body."""
        return decode_request(data)

    async def on_ws_connect(self, context: Context) -> UnsetType | dict[str, object] | None:
        """Authenticate the websocket once, from connection_init's payload."""
        params: Any = context.connection_params
        header = params.get("Authorization") if isinstance(params, dict) else None
        try:
            context.authenticate(header if isinstance(header, str) else None)
        except InvalidToken as exc:
            raise ConnectionRejectionError(
                {"message": str(exc), "code": "UNAUTHENTICATED"}
            ) from None
        unset: UnsetType = UNSET
        return unset


def graphql_router(container: Container, schema: strawberry.Schema | None = None) -> CaseworkRouter:
    """The router for /graphql; GraphiQL's page is all it serves without a token."""
    return CaseworkRouter(
        schema or build_schema(),
        context_getter=context_getter(container),
        graphql_ide="graphiql",
        subscription_protocols=[GRAPHQL_TRANSPORT_WS_PROTOCOL],
        # Document uploads (attachDocument). Cross-site form posts gain nothing: every request
        # needs the bearer token in its Authorization header, which a form cannot set.
        multipart_uploads_enabled=True,
    )
