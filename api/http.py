"""The HTTP app: GraphQL at /graphql, health at /healthz."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from typing import Any

import psycopg
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from starlette.concurrency import run_in_threadpool
from strawberry.fastapi import GraphQLRouter

from api.bootstrap import Container
from api.graphql.schema import build_schema


def _database_answers(container: Container) -> bool:
    try:
        with container.read_pool.connection(timeout=2.0) as conn:
            conn.execute("SELECT 1")
    except (psycopg.Error, PoolTimeout):
        return False
    return True


def create_app(container: Container, *, owns_container: bool = False) -> FastAPI:
    """The FastAPI app over a built container; closes it on shutdown when it owns it."""

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        try:
            yield
        finally:
            # uvicorn re-raises SIGTERM after shutdown, so this is the last place to stop
            # the embedded database cleanly.
            if owns_container:
                await run_in_threadpool(container.close)

    app = FastAPI(
        title="Casework", docs_url=None, redoc_url=None, openapi_url=None, lifespan=lifespan
    )
    app.state.container = container

    @app.get("/healthz", include_in_schema=False)
    async def healthz() -> JSONResponse:
        ok = await run_in_threadpool(_database_answers, container)
        body: dict[str, Any] = {"status": "ok" if ok else "unavailable"}
        body["database"] = "ok" if ok else "not answering"
        return JSONResponse(body, status_code=200 if ok else 503)

    graphql: GraphQLRouter[Any, Any] = GraphQLRouter(build_schema(), graphql_ide="graphiql")
    app.include_router(graphql, prefix="/graphql")
    return app
