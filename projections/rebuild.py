"""Rebuilds views from the event log beside the live ones, then swaps them in.

The live tables keep answering queries throughout: the copy is built in `<table>__rebuild`
tables, and the swap is one transaction that blocks only the view's own runner, for as long
as it takes to apply the last few events to the copy and copy its rows across.
"""

from __future__ import annotations

from collections.abc import Callable, Sequence
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.application import Application
from psycopg import Cursor, sql
from psycopg.rows import DictRow

from projections.runner import (
    BATCH_SIZE,
    TRACKING_TABLE,
    ProjectionRunner,
    Share,
    TableView,
    apply_changes,
    datastore_of,
)

SUFFIX = "__rebuild"
Progress = Callable[[int, int], None]  # (position reached, position to reach)


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild did."""

    name: str
    position: int  # the view's position after the swap
    events: int  # events applied to the copy


class Rebuild:
    """Build views aside from the event log, then swap them in without downtime.

    Several views are built by one runner (each event read and decoded once) and swapped in
    together, in one transaction.
    """

    def __init__(
        self,
        app: Application[UUID],
        view_classes: type[TableView] | Sequence[type[TableView]],
        batch_size: int = BATCH_SIZE,
    ):
        classes = [view_classes] if isinstance(view_classes, type) else list(view_classes)
        self.app = app
        self.lives = [view_class() for view_class in classes]
        self.asides = [view_class(SUFFIX) for view_class in classes]
        self.runner = ProjectionRunner(app, self.asides, batch_size=batch_size)
        self.datastore = datastore_of(app)

    def run(self, progress: Progress | None = None) -> list[Rebuilt]:
        """Build aside, then swap."""
        applied = self.build_aside(progress)
        return self.swap(applied)

    def build_aside(self, progress: Progress | None = None) -> int:
        """Fresh copy tables, filled from the start of the log up to its current head."""
        with self.datastore.transaction(commit=True) as curs:
            self._drop_aside(curs)
            for live, aside in zip(self.lives, self.asides, strict=True):
                for table in live.tables:
                    curs.execute(
                        sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                            sql.Identifier(aside.table_names[table]),
                            sql.Identifier(live.table_names[table]),
                        )
                    )
        target = self.app.recorder.max_notification_id() or 0
        applied = 0
        while count := self.runner.run_batch():
            applied += max(count, 0)
            self._report(progress, target)
        self._report(progress, target)
        return applied

    def _report(self, progress: Progress | None, target: int) -> None:
        if progress is not None:
            reached = min(self.runner.positions(fresh=False).values())
            progress(reached, max(target, reached))

    def swap(self, applied: int = 0) -> list[Rebuilt]:
        """Bring the copies up to the head and make them the live views, in one transaction."""
        with self.datastore.transaction(commit=True) as curs:
            # Writers of the live views (their runners) wait; readers carry on with the old rows.
            curs.execute(
                sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(
                    sql.SQL(", ").join(
                        sql.Identifier(live.table_names[t])
                        for live in self.lives
                        for t in live.tables
                    )
                )
            )
            positions = self.runner.positions()
            start = min(positions.values())
            shares = [
                Share(aside, name, positions[name])
                for aside, name in zip(self.asides, self.runner.tracking_names, strict=True)
            ]
            while notifications := self.app.recorder.select_notifications(
                start=start, limit=self.runner.batch_size, inclusive_of_start=False
            ):
                apply_changes(curs, shares, self.runner.changes(notifications))
                applied += len(notifications)
                start = notifications[-1].id
            for live, aside in zip(self.lives, self.asides, strict=True):
                self._copy_in(curs, live, aside, start)
            self._drop_aside(curs)
        return [Rebuilt(live.name, start, applied) for live in self.lives]

    def _copy_in(self, curs: Cursor[DictRow], live: TableView, aside: TableView, at: int) -> None:
        for table in reversed(live.tables):
            curs.execute(sql.SQL("DELETE FROM {}").format(sql.Identifier(live.table_names[table])))
        for table in live.tables:
            curs.execute(
                sql.SQL("INSERT INTO {} SELECT * FROM {}").format(
                    sql.Identifier(live.table_names[table]),
                    sql.Identifier(aside.table_names[table]),
                )
            )
        # The live runner's next commit then fails on its position check and retries from here.
        curs.execute(
            sql.SQL(
                "INSERT INTO {} (application_name, notification_id) VALUES (%s, %s) "
                "ON CONFLICT (application_name) DO UPDATE SET notification_id = %s"
            ).format(sql.Identifier(TRACKING_TABLE)),
            (live.name, at, at),
        )

    def _drop_aside(self, curs: Cursor[DictRow]) -> None:
        for aside in self.asides:
            for table in reversed(aside.tables):
                curs.execute(
                    sql.SQL("DROP TABLE IF EXISTS {}").format(
                        sql.Identifier(aside.table_names[table])
                    )
                )
        curs.execute(
            sql.SQL("DELETE FROM {} WHERE application_name = ANY(%s)").format(
                sql.Identifier(TRACKING_TABLE)
            ),
            (self.runner.tracking_names,),
        )
