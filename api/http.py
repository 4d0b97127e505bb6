"""The HTTP app: GraphQL at /graphql, health at /healthz, the web UI at /."""

from __future__ import annotations

from collections.abc import AsyncIterator
from contextlib import asynccontextmanager
from functools import partial
from typing import Any

import psycopg
from fastapi import FastAPI
from fastapi.responses import JSONResponse
from psycopg_pool import PoolTimeout
from starlette.concurrency import run_in_threadpool

from api.bootstrap import Container
from api.graphql.context import Context
from api.graphql.direct import DirectQueries
from api.graphql.router import graphql_router
from api.graphql.schema import build_schema
from api.graphql.upload_limit import BodyLimits
from api.web import mount_web
from projections.status import view_positions


def _health(container: Container) -> JSONResponse:
    """200 while the database answers, with each view's position and lag; else 503."""
    names = [view.name for view in container.projections.views]
    try:
        with container.read_pool.connection(timeout=2.0) as conn:
            positions = view_positions(conn, names)
    except (psycopg.Error, PoolTimeout):
        return JSONResponse({"status": "unavailable", "database": "not answering"}, 503)
    here = {state.name: state for state in container.projections.states()}
    views: dict[str, Any] = {}
    for p in positions:
        worker = here[p.name]
        views[p.name] = {
            "position": p.position,
            "lag": p.lag,
            "runner": worker.role
            if worker.role != "starting"
            else ("elsewhere" if p.running else "none"),
            "restarts": worker.restarts,
            "last_error": worker.last_error,
        }
    degraded = any(v["runner"] in ("restarting", "none") for v in views.values())
    body = {"status": "degraded" if degraded else "ok", "database": "ok", "projections": views}
    return JSONResponse(body, 200)


def create_app(
    container: Container, *, owns_container: bool = False, direct_queries: bool = True
) -> FastAPI:
    """The FastAPI app over a built container; closes it on shutdown when it owns it.

    `direct_queries=False` sends every GraphQL request through the router (to compare against).
    """

    @asynccontextmanager
    async def lifespan(_: FastAPI) -> AsyncIterator[None]:
        if container.settings.run_projections:
            container.projections.start()
        if container.settings.checkpoint_interval > 0:
            container.checkpoints.start()
        try:
            await container.loop_reads.open()
            yield
        finally:
            try:
                await container.loop_reads.close()
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
        return await run_in_threadpool(_health, container)

    schema = build_schema()
    app.include_router(graphql_router(container, schema), prefix="/graphql")
    mount_web(app)  # last: `/` must not shadow /graphql or /healthz
    if direct_queries:  # inside the body limits, which count what it reads
        app.add_middleware(
            DirectQueries,
            schema=schema,
            context=partial(Context, container),
            secret=container.settings.jwt_secret.get_secret_value(),
        )
    app.add_middleware(BodyLimits, max_upload_bytes=container.settings.max_upload_bytes)
    return app
