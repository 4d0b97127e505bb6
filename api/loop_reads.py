"""Reads the event loop runs itself: the hot reads of the views (a page of the work queue, the
cases it shows) go from the resolver to the database without a worker thread in between."""

from __future__ import annotations

import asyncio
from typing import Any, TypeVar

from psycopg import AsyncConnection
from psycopg_pool import AsyncConnectionPool

from projections.reads import Statement

T = TypeVar("T")


class LoopReads:
    """An asynchronous pool of autocommit connections, opened by the server on its event loop.

    A pool belongs to the loop it was opened on. Where it is not open, or another loop is
    running (a test's app without the server's lifespan, say), `here()` is False and callers
    read on the blocking pool in a worker thread instead. Each opening makes a new pool, so
    the same container can serve one lifespan after another.
    """

    def __init__(self, dsn: str, max_size: int) -> None:
        self._dsn = dsn
        self._max_size = max_size
        self._pool: AsyncConnectionPool[AsyncConnection[Any]] | None = None
        self._loop: asyncio.AbstractEventLoop | None = None

    async def open(self) -> None:
        """Open a pool on the running loop, waiting for its first connection; if that fails
        (or is cancelled) nothing is left open."""
        if self._pool is not None:
            raise RuntimeError("the event loop's read pool is open already")
        pool: AsyncConnectionPool[AsyncConnection[Any]] = AsyncConnectionPool(
            self._dsn,
            min_size=1,
            max_size=self._max_size,
            open=False,
            name="casework-read-loop",
            kwargs={"autocommit": True},
        )
        try:
            await pool.open(wait=True)
        except BaseException:
            await pool.close()
            raise
        self._pool, self._loop = pool, asyncio.get_running_loop()

    async def close(self) -> None:
        """Close the pool, if open (on the loop it was opened on)."""
        pool, self._pool, self._loop = self._pool, None, None
        if pool is not None:
            await pool.close()

    def here(self) -> bool:
        """Whether the pool is open on the loop running now."""
        try:
            return self._loop is asyncio.get_running_loop()
        except RuntimeError:  # no loop running
            return False

    async def run(self, statement: Statement[T]) -> T:
        """The statement's answer, read on a pooled connection without leaving the loop."""
        pool = self._pool
        if pool is None:
            raise RuntimeError("the event loop's read pool is not open")
        async with pool.connection() as conn:
            return await statement.run_async(conn)
