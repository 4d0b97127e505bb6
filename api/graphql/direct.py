"""A short way to /graphql for the common request: one query, posted as JSON, with a valid token.

Strawberry's FastAPI router serves every kind of GraphQL request (GET, uploads, batches,
subscriptions over websockets, the GraphiQL page), and for each one FastAPI solves the route's
dependencies and strawberry adapts the request and the response in several layers. A query
posted as JSON needs little of it: read the body, check the token, run the operation through
the same schema (same caches, extensions, limits and error coding) and write the result as the
router writes it. This middleware does that much and hands everything else to the app
untouched, the body replayed: mutations, any other method or content type, a body that is not
a single operation with the usual members, a document that does not parse or does not name
exactly one query, and a missing or refused token (the router answers those with its 401).
"""

from __future__ import annotations

import json
from collections.abc import Callable
from functools import lru_cache
from typing import Any

from graphql import GraphQLError, OperationDefinitionNode, OperationType, parse
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.http import process_result
from strawberry.schema.base import BaseSchema
from strawberry.types import ExecutionResult
from strawberry.types.graphql import OperationType as StrawberryOperationType

from api.auth import InvalidToken, TokenClaims, bearer_token, read_token
from api.graphql.context import Context
from api.graphql.limits import MAX_TOKENS

# The members a JSON request may carry here; anything more (extensions) takes the router.
_MEMBERS = frozenset({"query", "variables", "operationName"})
# What the router allows over POST, passed on unchanged so the schema checks the same thing.
_POST_OPERATIONS = frozenset(StrawberryOperationType)


@lru_cache(maxsize=512)
def _operations(query: str) -> dict[str | None, OperationType] | None:
    """The document's operations by name (None: the only unnamed one); None if it does not
    parse within the token limit (the router then reports why)."""
    try:
        document = parse(query, max_tokens=MAX_TOKENS, no_location=True)
    except GraphQLError:
        return None
    found = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
    named = {d.name.value if d.name else None: d.operation for d in found}
    return named if len(named) == len(found) else None


def is_plain_query(query: str, operation_name: str | None) -> bool:
    """Whether the request runs exactly one operation, and it is a query."""
    operations = _operations(query)
    if not operations:
        return False
    if operation_name is None:
        if len(operations) != 1:
            return False
        (kind,) = operations.values()
    else:
        found = operations.get(operation_name)
        if found is None:
            return False
        kind = found
    return kind is OperationType.QUERY


def _request(body: bytes) -> tuple[str, dict[str, Any] | None, str | None] | None:
    """query, variables and operation name of a plain JSON request, else None."""
    try:
        data = json.loads(body)
    except (ValueError, UnicodeDecodeError):
        return None
    if not isinstance(data, dict) or not _MEMBERS.issuperset(data):
        return None
    query, variables, name = data.get("query"), data.get("variables"), data.get("operationName")
    if not isinstance(query, str) or not isinstance(variables, dict | None):
        return None
    if not isinstance(name, str | None):
        return None
    return query, variables, name


def _is_json(scope: Scope) -> bool:
    for key, value in scope["headers"]:
        if key == b"content-type":
            media = value.split(b";", 1)[0].strip().lower()
            return bool(media == b"application/json")
    return False


def _authorization(scope: Scope) -> str | None:
    for key, value in scope["headers"]:
        if key == b"authorization":
            return str(value.decode("latin-1"))
    return None


def encode(result: ExecutionResult) -> bytes:
    """The response body, as the router writes it."""
    return json.dumps(process_result(result), separators=(",", ":")).encode()


class DirectQueries:
    """Runs a JSON-posted query with a valid token straight through the schema; passes on the
    rest (with the body it read) to the app behind it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        schema: BaseSchema,
        context: Callable[[TokenClaims], Context],
        secret: str,
        path: str = "/graphql",
    ) -> None:
        self.app = app
        self.schema = schema
        self.context = context
        self.secret = secret
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Take a plain query; otherwise hand the request on as it came."""
        if (
            scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != self.path
            or not _is_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        request = None if more else _request(body)
        claims = None
        if request is not None and is_plain_query(request[0], request[2]):
            try:
                claims = read_token(self.secret, bearer_token(_authorization(scope)))
            except InvalidToken:
                claims = None
        if request is None or claims is None:
            await self.app(scope, _replay(body, more, receive), send)
            return
        query, variables, operation_name = request
        result = await self.schema.execute(
            query,
            variable_values=variables,
            context_value=self.context(claims),
            operation_name=operation_name,
            allowed_operation_types=_POST_OPERATIONS,
        )
        content = encode(result)
        await send(
            {
                "type": "http.response.start",
                "status": 200,
                "headers": [
                    (b"content-length", str(len(content)).encode()),
                    (b"content-type", b"application/json"),
                ],
            }
        )
        await send({"type": "http.response.body", "body": content})


async def _read_body(receive: Receive) -> tuple[bytes, bool]:
    """The whole body, or what came of it and True when the client disconnected first."""
    chunks: list[bytes] = []
    while True:
        message = await receive()
        if message["type"] != "http.request":
            return b"".join(chunks), True
        chunks.append(message.get("body", b""))
        if not message.get("more_body", False):
            return b"".join(chunks), False


def _replay(body: bytes, disconnected: bool, receive: Receive) -> Receive:
    """A receive that gives the body already read once, then what the client sends next."""
    sent = False

    async def replayed() -> Message:
        nonlocal sent
        if not sent:
            sent = True
            if disconnected:
                return {"type": "http.disconnect"}
            return {"type": "http.request", "body": body, "more_body": False}
        return await receive()

    return replayed
