"""Reads the event loop runs itself: the hot reads of the views (a page of the work queue, the
cases it shows) go from the resolver to the database without a worker thread in between."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from psycopg import AsyncConnection
from psycopg.rows import tuple_row
from psycopg_pool import AsyncConnectionPool

from projections.reads import Statement

T = TypeVar("T")


class LoopReads:
    """An asynchronous pool of autocommit connections, opened by the server on its event loop.

    A pool belongs to the loop it was opened on. Where it is not open, or another loop is
    running (a test's app without the server's lifespan, say), `here()` is False and callers
    read on the blocking pool in a worker thread instead.
    """

    def __init__(self, dsn: str, max_size: int) -> None:
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            dsn,
            min_size=1,
            max_size=max_size,
            open=False,
            name="casework-read-loop",
            kwargs={"autocommit": True},
        )
        self._loop: asyncio.AbstractEventLoop | None = None

    async def open(self) -> None:
        """Open the pool on the running loop, waiting for its first connection."""
        await self._pool.open(wait=True)
        self._loop = asyncio.get_running_loop()

    async def close(self) -> None:
        """Close the pool (on the loop it was opened on)."""
        if self._loop is not None:
            self._loop = None
            await self._pool.close()

    def here(self) -> bool:
        """Whether the pool is open on the loop running now."""
        try:
            return self._loop is asyncio.get_running_loop()
        except RuntimeError:  # no loop running
            return False

    async def run(self, statement: Statement[T]) -> T:
        """The statement's answer, read on a pooled connection without leaving the loop."""
        async with self._pool.connection() as conn, conn.cursor(row_factory=tuple_row) as curs:
            await curs.execute(statement.query, statement.params, prepare=True)  # type: ignore[arg-type]
            rows = await curs.fetchall()
        return statement.shape(rows)
