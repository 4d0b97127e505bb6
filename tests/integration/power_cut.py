"""A view whose batch writes all its rows and then loses power before the commit."""

from __future__ import annotations

from collections.abc import Callable
from uuid import UUID

from psycopg import Cursor
from psycopg.rows import DictRow

from projections.runner import Change, TableView, ViewBatch


class PowerCut(Exception):
    """The power went after a batch's rows were written, before its commit."""


class CutAfterRows(ViewBatch):
    """Writes the batch's rows through the real view, then cuts the power if `cut` says so."""

    def __init__(
        self,
        view: TableView,
        curs: Cursor[DictRow],
        inner: ViewBatch,
        cut: Callable[[list[tuple[int, UUID]]], bool],
    ) -> None:
        super().__init__(view, curs)
        self.inner = inner
        self.cut = cut
        self.seen: list[tuple[int, UUID]] = []  # (position, case) of each change taken in

    def add(self, change: Change) -> None:
        self.inner.add(change)
        self.seen.append((change.position, change.case_id))

    def flush(self) -> None:
        self.inner.flush()
        if self.cut(self.seen):
            raise PowerCut("power cut")
