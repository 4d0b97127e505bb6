"""The typed per-request context: the container, the caller, the day, and fresh dataloaders."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Sequence
from typing import Any, TypeVar
from uuid import UUID

from fastapi import HTTPException
from starlette.concurrency import run_in_threadpool
from starlette.requests import HTTPConnection
from strawberry.dataloader import DataLoader
from strawberry.fastapi import BaseContext

from api.auth import InvalidToken, TokenClaims, bearer_token, read_token
from api.bootstrap import Container
from api.graphql.errors import ErrorCode, Refusal
from domain.actors import Actor
from domain.case import CaseFile
from domain.errors import NotFound
from domain.step import china_date
from projections.case_summary import CaseGlance, case_glances
from projections.reads import Statement

T = TypeVar("T")


class Context(BaseContext):
    """Everything a resolver may use; built once per request (or per websocket)."""

    def __init__(self, container: Container, claims: TokenClaims | None) -> None:
        super().__init__()
        self.container = container
        self.claims = claims
        self.renew_loaders()

    def renew_loaders(self) -> None:
        """Fresh dataloaders (caches): per request, and per message of a subscription."""
        self.glances: DataLoader[UUID, CaseGlance | None] = DataLoader(self._load_glances)
        self.cases: DataLoader[UUID, CaseFile | None] = DataLoader(self._load_cases)

    @property
    def actor(self) -> Actor:
        """The caller; a request without one was refused before any resolver ran."""
        if self.claims is None:
            raise Refusal(ErrorCode.UNAUTHENTICATED, "no token: send `Authorization: Bearer …`")
        return self.claims.actor()

    @property
    def today(self) -> dt.date:
        """Today in China, where deadlines are counted."""
        return china_date(self.container.application.clock())

    def authenticate(self, header: str | None) -> None:
        """Set the caller from an Authorization value (websockets send it in connection_init)."""
        self.claims = read_token(
            self.container.settings.jwt_secret.get_secret_value(), bearer_token(header)
        )

    async def read(self, query: Callable[..., T], *args: Any, **kwargs: Any) -> T:
        """Run one read of the views on a pooled autocommit connection, off the event loop."""

        def run() -> T:
            with self.container.read_pool.connection() as conn:
                return query(conn, *args, **kwargs)

        return await run_in_threadpool(run)

    async def select(self, statement: Statement[T]) -> T:
        """One statement's answer: on the event loop when the server opened its pool there,
        else on a pooled connection in a worker thread."""
        reads = self.container.loop_reads
        if reads.here():
            return await reads.run(statement)
        return await self.read(statement.run)

    async def _load_glances(self, ids: Sequence[UUID]) -> list[CaseGlance | None]:
        found = await self.select(case_glances(ids))
        return [found.get(case_id) for case_id in ids]

    async def _load_cases(self, ids: Sequence[UUID]) -> list[CaseFile | None]:
        app = self.container.application

        def load() -> list[CaseFile | None]:
            loaded: list[CaseFile | None] = []
            for case_id in ids:
                try:
                    loaded.append(app.get_any_case(case_id))
                except NotFound:
                    loaded.append(None)
            return loaded

        return await run_in_threadpool(load)


def _is_ide_page(connection: HTTPConnection) -> bool:
    """GraphiQL's own page: a browser GET for HTML that runs no operation."""
    return (
        connection.scope["type"] == "http"
        and connection.scope.get("method") == "GET"
        and "text/html" in connection.headers.get("accept", "")
        and "query" not in connection.query_params
    )


def context_getter(container: Container) -> Callable[..., Any]:
    """The FastAPI dependency that builds the Context and refuses requests without a valid token."""

    async def get_context(connection: HTTPConnection) -> Context:
        if connection.scope["type"] == "websocket" or _is_ide_page(connection):
            # A websocket authenticates in its connection_init message (browsers cannot set
            # headers on it); the IDE page runs nothing.
            return Context(container, None)
        try:
            header = connection.headers.get("authorization")
            claims = read_token(
                container.settings.jwt_secret.get_secret_value(), bearer_token(header)
            )
        except InvalidToken as exc:
            raise HTTPException(
                status_code=401,
                detail={
                    "errors": [{"message": str(exc), "extensions": {"code": "UNAUTHENTICATED"}}]
                },
                headers={"WWW-Authenticate": "Bearer"},
            ) from None
        return Context(container, claims)

    return get_context
