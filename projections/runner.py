"""Runs a view over the event log: each batch's rows and tracking position in one transaction."""

from __future__ import annotations

import logging
import zlib
from collections import OrderedDict
from collections.abc import Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Notification, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor, sql
from psycopg.rows import DictRow

from domain.case import CaseFile
from domain.deadlines import Deadline
from domain.values import CaseKind

logger = logging.getLogger(__name__)

TRACKING_TABLE = "projection_tracking"


@dataclass(frozen=True)
class Change:
    """One event as a view sees it: the event, and the case just before and after it."""

    position: int  # the event's notification id
    event: CaseFile.Opened | CaseFile.Event
    case: CaseFile  # the case right after the event: read it in apply(), never keep or change it
    ended: Mapping[str, Deadline]  # the deadlines this event stopped, as they stood before it

    @property
    def kind(self) -> CaseKind:
        """The procedure of the case."""
        return self.case.KIND

    @property
    def case_id(self) -> UUID:
        """The case the event belongs to."""
        return self.event.originator_id

    @property
    def version(self) -> int:
        """The case's version after the event."""
        return self.event.originator_version


class TableView:
    """A view (read model): its tables by logical name, so a rebuild can write a copy aside.

    `tables` lists the view's tables with parents first (rows are copied in this order and
    deleted in the reverse). SQL uses `{table}` placeholders, filled in by `self.sql`.
    """

    name: ClassVar[str]
    tables: ClassVar[tuple[str, ...]]

    def __init__(self, suffix: str = "") -> None:
        self.suffix = suffix
        self.table_names: dict[str, str] = {t: t + suffix for t in self.tables}

    def sql(self, text: str) -> sql.Composed:
        """The statement with each `{table}` replaced by this instance's table."""
        names = {t: sql.Identifier(n) for t, n in self.table_names.items()}
        return sql.SQL(text).format(**names)

    def apply(self, curs: Cursor[DictRow], change: Change) -> None:
        """Write what one event changes through `curs`; must not commit (override)."""
        raise NotImplementedError


class CaseStates:
    """The state of each case as of the event being applied, replayed in memory.

    Keeps recently seen cases (LRU) so a catch-up loads each case from the store at most
    once; a case whose cached version does not precede the event is loaded afresh, so a
    rolled-back batch or a gap can never leave a stale state behind.
    """

    def __init__(self, app: Application[UUID], capacity: int = 5_000) -> None:
        self.app = app
        self.capacity = capacity
        self._cases: OrderedDict[UUID, CaseFile] = OrderedDict()

    def change(self, notification: Notification) -> Change | None:
        """The change one stored event makes, or None for an event that is not a case's."""
        event = self.app.mapper.to_domain_event(notification)
        if not isinstance(event, CaseFile.Opened | CaseFile.Event):
            return None
        before: CaseFile | None = None
        if not isinstance(event, CaseFile.Opened):
            before = self._cases.get(event.originator_id)
            if before is None or before.version != event.originator_version - 1:
                loaded: Any = self.app.repository.get(
                    event.originator_id, version=event.originator_version - 1
                )
                before = loaded
        ended = (
            {}
            if before is None
            else {rid: before.deadlines[rid] for rid in event.ended if rid in before.deadlines}
        )
        after: Any = event.mutate(before)
        assert isinstance(after, CaseFile)
        self._cases[event.originator_id] = after
        self._cases.move_to_end(event.originator_id)
        while len(self._cases) > self.capacity:
            self._cases.popitem(last=False)
        return Change(notification.id, event, after, ended)


def lock_key(name: str) -> int:
    """A stable second key for a view's advisory locks, the same in every process."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


BATCH_LOCK_CLASS = 0x42415443  # "BATC": one batch of a view (tracking name) at a time


class ViewRecorder(PostgresTrackingRecorder):
    """Writes a view's rows and its tracking record in the same transaction."""

    def write_batch(self, view: TableView, changes: Iterable[Change], tracking: Tracking) -> None:
        """Apply the changes and advance the position, all or nothing."""
        with self.datastore.transaction(commit=True) as curs:
            # Concurrent batches of one view queue here instead of deadlocking on its rows;
            # the later one then fails on the tracking row and rolls back whole.
            curs.execute(
                "SELECT pg_advisory_xact_lock(%s, %s)",
                (BATCH_LOCK_CLASS, lock_key(tracking.application_name)),
            )
            # Pipeline mode: the batch's statements go out without a round trip each.
            with curs.connection.pipeline():
                for change in changes:
                    view.apply(curs, change)
            # Raises IntegrityError if another runner already went past this position.
            self._insert_tracking(curs, tracking)


def datastore_of(app: Application[UUID]) -> PostgresDatastore:
    """The application's PostgreSQL datastore (views need the PostgreSQL event store)."""
    datastore = getattr(app.recorder, "datastore", None)
    assert isinstance(datastore, PostgresDatastore), "projections need the PostgreSQL store"
    return datastore


class ProjectionRunner:
    """Pulls events after the view's position in batches and applies them exactly once."""

    def __init__(
        self,
        app: Application[UUID],
        view: TableView,
        *,
        batch_size: int = 500,
        tracking_name: str | None = None,
        states: CaseStates | None = None,
    ) -> None:
        self.app = app
        self.view = view
        self.batch_size = batch_size
        self.tracking_name = tracking_name or view.name
        self.states = states or CaseStates(app)
        self.recorder = ViewRecorder(datastore_of(app), tracking_table_name=TRACKING_TABLE)

    @property
    def position(self) -> int:
        """The notification id of the last event applied (0 before any)."""
        return self.recorder.max_tracking_id(self.tracking_name) or 0

    def changes(self, notifications: Sequence[Notification]) -> Iterator[Change]:
        """The changes a run of stored events makes, in order, one at a time.

        Each change's case is the cached aggregate, which the next event of the same case
        moves on: apply a change before asking for the next, and never keep it.
        """
        for notification in notifications:
            if (change := self.states.change(notification)) is not None:
                yield change

    def run_batch(self) -> int:
        """Apply the next batch: how many events it applied, or -1 if another runner won."""
        notifications = self.app.recorder.select_notifications(
            start=self.position, limit=self.batch_size, inclusive_of_start=False
        )
        if not notifications:
            return 0
        tracking = Tracking(self.tracking_name, notifications[-1].id)
        try:
            self.recorder.write_batch(self.view, self.changes(notifications), tracking)
        except IntegrityError:
            # Another runner of this view applied the batch first; ours rolled back whole.
            logger.info("%s: batch up to %s applied elsewhere", self.view.name, tracking)
            return -1
        return len(notifications)

    def run_until_caught_up(self) -> int:
        """Apply everything recorded so far; returns how many events this runner applied."""
        applied = 0
        while count := self.run_batch():
            applied += max(count, 0)
        return applied
