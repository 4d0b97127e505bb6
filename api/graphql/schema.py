"""The GraphQL schema: every type, field and argument carries its description."""

from __future__ import annotations

import logging
from pathlib import Path
from typing import Any

import strawberry
from graphql import GraphQLError
from graphql.execution import Executor as GraphQLExecutionContext
from strawberry.extensions import ParserCache, ValidationCache
from strawberry.types import ExecutionContext

from api.graphql.errors import CodedErrors, Problem, Refusal
from api.graphql.execution import CaseworkExecutionContext
from api.graphql.limits import limit_extensions
from api.graphql.mutations import Mutation
from api.graphql.queries import Query
from api.graphql.subscriptions import Subscription
from api.graphql.types.procedures import PROCEDURE_TYPES
from domain import errors as domain

logger = logging.getLogger(__name__)

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


class CaseworkSchema(strawberry.Schema):
    """The schema, logging a client's refused request as one line, not as a server failure."""

    def process_errors(
        self, errors: list[GraphQLError], execution_context: ExecutionContext | None = None
    ) -> None:
        """Refusals and malformed requests at INFO; CodedErrors logs unexpected failures."""
        del execution_context
        for error in errors:
            original = error.original_error
            if isinstance(original, Refusal | domain.DomainError):
                code = original.code.value if isinstance(original, Refusal) else original.code
                logger.info("refused (%s): %s", code, original.message)
            elif original is None:
                logger.info("rejected request: %s", error.message)


def build_schema(
    execution_context_class: type[GraphQLExecutionContext[Any]] = CaseworkExecutionContext,
) -> strawberry.Schema:
    """The schema served at /graphql (its execution replaceable, to compare against)."""
    return CaseworkSchema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[*PROCEDURE_TYPES, Problem],
        # Clients send the same few documents over and over: parse and validate each once.
        extensions=[
            lambda: ParserCache(maxsize=512),
            lambda: ValidationCache(maxsize=512),
            *limit_extensions(),
            CodedErrors,
        ],
        execution_context_class=execution_context_class,
    )


def schema_text() -> str:
    """The schema in SDL, as exported to schema.graphql."""
    return build_schema().as_str() + "\n"


def export(path: Path = SCHEMA_FILE) -> Path:
    """Write the SDL to schema.graphql (run: python -m api.graphql.export)."""
    path.write_text(schema_text(), encoding="utf-8")
    return path
