"""A short way to /graphql for the common request: one query, posted as JSON, with a valid token.

Strawberry's FastAPI router serves every kind of GraphQL request (GET, uploads, batches,
subscriptions over websockets, the GraphiQL page), and for each one FastAPI solves the route's
dependencies, strawberry adapts the request and the response in several layers, and the
schema runs each extension's hooks and looks the document up in its parse and validation
caches (the latter hashing the whole document). A query posted as JSON needs little of it:
read the body, check the token, take the document parsed and validated once (with the
schema's rules and limits), run it with the schema's execution, mask and code its errors with
the schema's own extension and write the result as the router writes it. This middleware does
that much and hands everything else to the app untouched, the body replayed: mutations, any
other method or content type, a body that is not a single operation with the usual members, a
document that does not parse or validate or does not name exactly one query, and a missing or
refused token (the router answers those with its 401). A schema with an extension that does
more than this knows sends every request to the router.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from functools import lru_cache
from typing import Any

from graphql import (
    DocumentNode,
    GraphQLError,
    OperationDefinitionNode,
    OperationType,
    parse,
    specified_rules,
)
from graphql import ExecutionResult as GraphQLExecutionResult
from graphql.execution import MiddlewareManager, execute
from graphql.validation import ASTValidationRule
from starlette.types import ASGIApp, Message, Receive, Scope, Send
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.extensions import (
    AddValidationRules,
    MaskErrors,
    MaxTokensLimiter,
    ParserCache,
    ValidationCache,
)
from strawberry.http import GraphQLHTTPResponse, process_result
from strawberry.schema.schema import Schema, validate_document
from strawberry.types import ExecutionResult
from strawberry.utils.await_maybe import await_maybe

from api.auth import InvalidToken, TokenClaims, bearer_token, read_token
from api.graphql.context import Context
from api.graphql.router import decode_request, encode_response

# The members a JSON request may carry here; anything more (extensions) takes the router.
_MEMBERS = frozenset({"query", "variables", "operationName"})
# The schema extensions whose work is done here (their hooks are not run); any other
# extension makes every request take the schema's own execution.
_KNOWN = (ParserCache, ValidationCache, AddValidationRules, MaxTokensLimiter, MaskErrors)


@dataclass(frozen=True)
class Prepared:
    """A document that parsed and validated, and its operations by name (None: unnamed)."""

    document: DocumentNode
    operations: dict[str | None, OperationType]

    def is_plain_query(self, operation_name: str | None) -> bool:
        """Whether the request runs exactly one operation, and it is a query."""
        if operation_name is None:
            if len(self.operations) != 1:
                return False
            (kind,) = self.operations.values()
        else:
            found = self.operations.get(operation_name)
            if found is None:
                return False
            kind = found
        return kind is OperationType.QUERY


class Preparer:
    """Parses and validates a document as the schema's extensions do, once per text."""

    def __init__(
        self,
        schema: Schema,
        rules: tuple[type[ASTValidationRule], ...],
        max_tokens: int | None,
        masks: list[MaskErrors],
    ) -> None:
        self.schema = schema
        self.rules = rules
        self.max_tokens = max_tokens
        self.masks = masks
        self.prepare = lru_cache(maxsize=512)(self._prepare)

    async def execute(
        self,
        query: str,
        variables: dict[str, Any] | None,
        context: Context,
        operation_name: str | None,
    ) -> GraphQLHTTPResponse | None:
        """The response of a plain query, as the schema's execute and the router give it;
        None if the query is not a plain one."""
        prepared = self.prepare(query)
        if prepared is None or not prepared.is_plain_query(operation_name):
            return None
        schema = self.schema
        try:
            result: GraphQLExecutionResult = await await_maybe(
                execute(
                    schema._schema,
                    prepared.document,
                    context_value=context,
                    variable_values=variables,
                    operation_name=operation_name,
                    middleware=MiddlewareManager(),
                    executor_class=schema.execution_context_class,
                    is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
                    operation_extensions=None,
                )
            )
        except Exception:  # not a field's error: the schema's execute reports it its way
            return process_result(
                await schema.execute(
                    query,
                    variable_values=variables,
                    context_value=context,
                    operation_name=operation_name,
                )
            )
        errors = result.errors
        if errors:
            schema._process_errors(errors)  # logged as they are, before masking
            for mask in self.masks:
                errors = mask._process_errors(errors)
        return process_result(ExecutionResult(data=result.data, errors=errors))

    def _prepare(self, query: str) -> Prepared | None:
        """None: it does not parse or validate, or names an operation twice (the schema's
        own execution then reports why)."""
        try:
            document = parse(query, max_tokens=self.max_tokens)
        except GraphQLError:
            return None
        if validate_document(self.schema._schema, document, self.rules):
            return None
        found = [d for d in document.definitions if isinstance(d, OperationDefinitionNode)]
        named = {d.name.value if d.name else None: d.operation for d in found}
        return Prepared(document, named) if len(named) == len(found) else None


_HOOKS = ("on_operation", "on_parse", "on_validate", "on_execute", "resolve", "get_results")


def preparer(schema: Schema) -> Preparer | None:
    """What the schema's extensions would do around execution, or None if they do more than
    parse and validate (with caches, limits and added rules) and mask errors."""
    rules: tuple[type[ASTValidationRule], ...] = tuple(specified_rules)
    max_tokens, masks = None, []
    for extension in schema.get_extensions():
        known = next((k for k in _KNOWN if isinstance(extension, k)), None)
        kind = type(extension)
        if known is None or any(getattr(kind, h) is not getattr(known, h) for h in _HOOKS):
            return None
        if isinstance(extension, AddValidationRules):
            rules += tuple(extension.validation_rules)
        elif isinstance(extension, MaxTokensLimiter):
            max_tokens = extension.max_token_count
        elif isinstance(extension, MaskErrors):
            masks.append(extension)
    if schema.directives or schema.config.disable_field_suggestions:
        return None
    return Preparer(schema, rules, max_tokens, masks)


def _request(body: bytes) -> tuple[str, dict[str, Any] | None, str | None] | None:
    """query, variables and operation name of a plain JSON request, else None."""
    try:
        data = decode_request(body)
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


class DirectQueries:
    """Runs a JSON-posted query with a valid token straight through the schema; passes on the
    rest (with the body it read) to the app behind it."""

    def __init__(
        self,
        app: ASGIApp,
        *,
        schema: Schema,
        context: Callable[[TokenClaims], Context],
        secret: str,
        path: str = "/graphql",
    ) -> None:
        self.app = app
        self.preparer = preparer(schema)
        self.context = context
        self.secret = secret
        self.path = path

    async def __call__(self, scope: Scope, receive: Receive, send: Send) -> None:
        """Take a plain query; otherwise hand the request on as it came."""
        if (
            self.preparer is None
            or scope["type"] != "http"
            or scope["method"] != "POST"
            or scope["path"] != self.path
            or not _is_json(scope)
        ):
            await self.app(scope, receive, send)
            return
        body, more = await _read_body(receive)
        request = None if more else _request(body)
        response = None
        if request is not None:
            try:
                claims = read_token(self.secret, bearer_token(_authorization(scope)))
            except InvalidToken:
                pass
            else:
                query, variables, operation_name = request
                context = self.context(claims)
                response = await self.preparer.execute(query, variables, context, operation_name)
        if response is None:
            await self.app(scope, _replay(body, more, receive), send)
            return
        content = encode_response(response)  # as the router's
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
