"""A read of the views as one statement and the shaping of its rows, so that it can run on a
blocking connection or on the API's event loop through an asynchronous one."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from dataclasses import dataclass
from typing import Any, Generic, TypeVar

from psycopg import AsyncConnection, Connection, sql
from psycopg.rows import tuple_row

T = TypeVar("T")
Rows = list[tuple[Any, ...]]


@dataclass(frozen=True)
class Statement(Generic[T]):
    """One SELECT (run prepared: the same few texts come again and again) and its answer's
    shape, made from the rows as tuples in the statement's column order."""

    query: sql.Composable | str
    params: Mapping[str, Any] | tuple[Any, ...]
    shape: Callable[[Rows], T]

    def run(self, conn: Connection[Any]) -> T:
        """The answer, read on a blocking connection."""
        with conn.cursor(row_factory=tuple_row) as curs:
            rows = curs.execute(self.query, self.params, prepare=True).fetchall()  # type: ignore[arg-type]
        return self.shape(rows)

    async def run_async(self, conn: AsyncConnection[Any]) -> T:
        """The answer, read on an asynchronous connection."""
        async with conn.cursor(row_factory=tuple_row) as curs:
            await curs.execute(self.query, self.params, prepare=True)  # type: ignore[arg-type]
            rows = await curs.fetchall()
        return self.shape(rows)
