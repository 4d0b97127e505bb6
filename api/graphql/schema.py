"""The GraphQL schema: every type, field and argument carries its description."""

from __future__ import annotations

from importlib.metadata import PackageNotFoundError, version

import strawberry


def _casework_version() -> str:
    try:
        return version("casework")
    except PackageNotFoundError:
        return "unknown"


@strawberry.type(description="Entry point for reading Casework.")
class Query:
    """Root query type."""

    @strawberry.field(description="The version of the Casework server answering.")
    def server_version(self) -> str:
        """The installed package version."""
        return _casework_version()


def build_schema() -> strawberry.Schema:
    """The schema served at /graphql."""
    return strawberry.Schema(query=Query)
