"""The GraphQL schema: every type, field and argument carries its description."""

from __future__ import annotations

from pathlib import Path

import strawberry

from api.graphql.errors import CodedErrors, Problem
from api.graphql.limits import limit_extensions
from api.graphql.mutations import Mutation
from api.graphql.queries import Query
from api.graphql.subscriptions import Subscription
from api.graphql.types.procedures import PROCEDURE_TYPES

SCHEMA_FILE = Path(__file__).resolve().parents[2] / "schema.graphql"


def build_schema() -> strawberry.Schema:
    """The schema served at /graphql."""
    return strawberry.Schema(
        query=Query,
        mutation=Mutation,
        subscription=Subscription,
        types=[*PROCEDURE_TYPES, Problem],
        extensions=[*limit_extensions(), CodedErrors],
    )


def schema_text() -> str:
    """The schema in SDL, as exported to schema.graphql."""
    return build_schema().as_str() + "\n"


def export(path: Path = SCHEMA_FILE) -> Path:
    """Write the SDL to schema.graphql (run: python -m api.graphql.export)."""
    path.write_text(schema_text(), encoding="utf-8")
    return path
