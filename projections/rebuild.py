"""Rebuilds a view from the event log beside the live one, then swaps it in.

The live tables keep answering queries throughout: the copy is built in `<table>__rebuild`
tables, and the swap is one transaction that blocks only the view's own runner, for as long
as it takes to apply the last few events to the copy and copy its rows across.
"""

from __future__ import annotations

from collections.abc import Callable
from dataclasses import dataclass
from uuid import UUID

from eventsourcing.application import Application
from psycopg import Cursor, sql
from psycopg.rows import DictRow

from projections.runner import TRACKING_TABLE, ProjectionRunner, TableView, datastore_of

SUFFIX = "__rebuild"
Progress = Callable[[int, int], None]  # (position reached, position to reach)


@dataclass(frozen=True)
class Rebuilt:
    """What a rebuild did."""

    name: str
    position: int  # the view's position after the swap
    events: int  # events applied to the copy


class Rebuild:
    """Build one view aside from the whole event log, then swap it in without downtime."""

    def __init__(self, app: Application[UUID], view_class: type[TableView], batch_size: int = 2000):
        self.app = app
        self.live = view_class()
        self.aside = view_class(SUFFIX)
        self.runner = ProjectionRunner(
            app, self.aside, batch_size=batch_size, tracking_name=view_class.name + SUFFIX
        )
        self.datastore = datastore_of(app)

    def run(self, progress: Progress | None = None) -> Rebuilt:
        """Build aside, then swap."""
        applied = self.build_aside(progress)
        return self.swap(applied)

    def build_aside(self, progress: Progress | None = None) -> int:
        """Fresh copy tables, filled from the start of the log up to its current head."""
        with self.datastore.transaction(commit=True) as curs:
            self._drop_aside(curs)
            for table in self.live.tables:
                curs.execute(
                    sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                        sql.Identifier(self.aside.table_names[table]),
                        sql.Identifier(self.live.table_names[table]),
                    )
                )
        target = self.app.recorder.max_notification_id() or 0
        applied = 0
        while count := self.runner.run_batch():
            applied += count
            if progress is not None:
                progress(self.runner.position, max(target, self.runner.position))
        if progress is not None:
            progress(self.runner.position, max(target, self.runner.position))
        return applied

    def swap(self, applied: int = 0) -> Rebuilt:
        """Bring the copy up to the head and make it the live view, in one transaction."""
        live, aside = self.live, self.aside
        with self.datastore.transaction(commit=True) as curs:
            # Writers of the live view (its runner) wait; readers carry on with the old rows.
            curs.execute(
                sql.SQL("LOCK TABLE {} IN SHARE ROW EXCLUSIVE MODE").format(
                    sql.SQL(", ").join(sql.Identifier(live.table_names[t]) for t in live.tables)
                )
            )
            position = self.runner.position
            while notifications := self.app.recorder.select_notifications(
                start=position, limit=self.runner.batch_size, inclusive_of_start=False
            ):
                batch = aside.batch(curs)
                for change in self.runner.changes(notifications):
                    batch.add(change)
                batch.flush()
                applied += len(notifications)
                position = notifications[-1].id
            for table in reversed(live.tables):
                curs.execute(
                    sql.SQL("DELETE FROM {}").format(sql.Identifier(live.table_names[table]))
                )
            for table in live.tables:
                curs.execute(
                    sql.SQL("INSERT INTO {} SELECT * FROM {}").format(
                        sql.Identifier(live.table_names[table]),
                        sql.Identifier(aside.table_names[table]),
                    )
                )
            # The live runner's next commit then fails on the tracking row and retries from here.
            curs.execute(
                sql.SQL(
                    "INSERT INTO {} (application_name, notification_id) VALUES (%s, %s) "
                    "ON CONFLICT (application_name) DO UPDATE SET notification_id = %s"
                ).format(sql.Identifier(TRACKING_TABLE)),
                (live.name, position, position),
            )
            self._drop_aside(curs)
        return Rebuilt(live.name, position, applied)

    def _drop_aside(self, curs: Cursor[DictRow]) -> None:
        for table in reversed(self.aside.tables):
            curs.execute(
                sql.SQL("DROP TABLE IF EXISTS {}").format(
                    sql.Identifier(self.aside.table_names[table])
                )
            )
        curs.execute(
            sql.SQL("DELETE FROM {} WHERE application_name = %s").format(
                sql.Identifier(TRACKING_TABLE)
            ),
            (self.runner.tracking_name,),
        )
