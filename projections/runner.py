"""Runs views over the event log: each batch's rows and tracking positions in one transaction."""

from __future__ import annotations

import dataclasses
import logging
import threading
import zlib
from collections import OrderedDict
from collections.abc import Callable, Iterable, Iterator, Mapping, Sequence
from dataclasses import dataclass
from typing import Any, ClassVar, cast
from uuid import UUID

import orjson
import psycopg
from eventsourcing.application import Application
from eventsourcing.persistence import IntegrityError, Notification, Tracking
from eventsourcing.postgres import PostgresDatastore, PostgresTrackingRecorder
from psycopg import Cursor, sql
from psycopg.rows import DictRow, tuple_row

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

    def sql(self, text: str) -> bytes:
        """The statement with each `{table}` replaced by this instance's table.

        Rendered once, as bytes, so psycopg finds it in its cache of converted statements
        instead of composing it again at every execution.
        """
        names = {t: sql.Identifier(n) for t, n in self.table_names.items()}
        return sql.SQL(text).format(**names).as_bytes(None)

    def apply(self, curs: Cursor[DictRow], change: Change) -> None:
        """Write what one event changes through `curs`; must not commit.

        Override this, or `batch` for a view that writes a whole batch set-wise.
        """
        raise NotImplementedError

    def batch(self, curs: Cursor[DictRow]) -> ViewBatch:
        """What collects one batch's changes and writes them (by default, one at a time)."""
        return ChangeByChange(self, curs)


class ViewBatch:
    """One view's share of a batch: changes are added in log order, then flushed once.

    A change's case is live: the next change of the same case moves it on. So `add` takes at
    once what it needs of the case as of that change; a case kept from a change shows, at
    `flush`, the case after the batch's last change of it (a runner keeps every case of a batch
    in memory). `flush` writes whatever `add` held back; neither commits.
    """

    def __init__(self, view: TableView, curs: Cursor[DictRow]) -> None:
        self.view = view
        self.curs = curs

    def add(self, change: Change) -> None:
        """Take in one change (override)."""
        raise NotImplementedError

    def flush(self) -> None:
        """Write what was held back."""


class ChangeByChange(ViewBatch):
    """Writes each change as it comes, through the view's `apply`."""

    def add(self, change: Change) -> None:
        """Apply the change now."""
        self.view.apply(self.curs, change)


# Cases kept replayed in memory (a few KiB each). A district's year has some 9,300 cases and
# thousands of them open at once, their events interleaved in the log: fewer than that, and a
# catch-up reloads a case from the store for most of its events.
CASES_IN_MEMORY = 20_000
# Events per batch: each batch is one transaction of every view. Larger batches hold more of a
# case's events, so its rows are written once for several of them; a catch-up of a district's
# year ran at about twice the events per second at 2,000 as at 500.
BATCH_SIZE = 2000


class CaseStates:
    """The state of each case as of the event being applied, replayed in memory.

    Keeps recently seen cases (LRU) so a catch-up loads each case from the store at most
    once; a case whose cached version does not precede the event is loaded afresh, so a
    rolled-back batch or a gap can never leave a stale state behind.
    """

    def __init__(self, app: Application[UUID], capacity: int = CASES_IN_MEMORY) -> None:
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


def json_rows(rows: Sequence[Mapping[str, Any]]) -> str:
    """Rows as one JSON array (ids, dates and times in their ISO forms), for a statement that
    writes a whole batch: `json_populate_recordset` or `json_to_recordset` on the server."""
    return orjson.dumps(rows).decode()


def lock_key(name: str) -> int:
    """A stable second key for a view's advisory locks, the same in every process."""
    return zlib.crc32(name.encode()) & 0x7FFFFFFF


BATCH_LOCK_CLASS = 0x42415443  # "BATC": one batch of a view (tracking name) at a time


class ViewFailed(Exception):
    """A view could not take in or write a batch; the batch rolled back for every view in it."""

    def __init__(self, view_name: str, error: Exception) -> None:
        super().__init__(f"{view_name}: {type(error).__name__}: {error}")
        self.view_name = view_name
        self.error = error


@dataclass(frozen=True)
class Share:
    """One view's part in a batch: from which position on it takes the batch's changes."""

    view: TableView
    tracking_name: str
    position: int  # the view's position before the batch


class ViewRecorder(PostgresTrackingRecorder):
    """Writes views' rows and their tracking records in one transaction."""

    def write_batch(
        self, shares: Sequence[Share], write: Callable[[Cursor[DictRow]], None], upto: int
    ) -> None:
        """Write a batch of the views (`write`) and advance each to `upto`, all or nothing."""
        with self.datastore.transaction(commit=True) as curs:
            # Concurrent batches of one view queue here instead of deadlocking on its rows
            # (the same order in every process); the later one then fails on the tracking
            # row and rolls back whole.
            # A view is derived data: a batch lost in a crash of the database server is applied
            # again from the log (its position went with it), so its commit need not wait for
            # the disk.
            curs.execute("SET LOCAL synchronous_commit = off")
            for key in sorted({lock_key(share.tracking_name) for share in shares}):
                curs.execute("SELECT pg_advisory_xact_lock(%s, %s)", (BATCH_LOCK_CLASS, key))
            names = [share.tracking_name for share in shares]
            now = self._positions(curs, names)
            if moved := [
                share.view.name for share in shares if now[share.tracking_name] != share.position
            ]:
                raise IntegrityError(f"another runner moved {', '.join(moved)} meanwhile")
            # Pipeline mode: the batch's statements go out without a round trip each.
            with curs.connection.pipeline():
                write(curs)
            for share in shares:
                # Raises IntegrityError if another runner already went past this position.
                self._insert_tracking(curs, Tracking(share.tracking_name, upto))

    def positions(self, tracking_names: Sequence[str]) -> dict[str, int]:
        """Each view's position (0 before its first event)."""
        with self.datastore.get_connection() as conn, conn.cursor() as curs:
            return self._positions(curs, tracking_names)

    @staticmethod
    def _positions(curs: Cursor[DictRow], tracking_names: Sequence[str]) -> dict[str, int]:
        rows = curs.execute(
            sql.SQL(
                "SELECT application_name, notification_id FROM {} WHERE application_name = ANY(%s)"
            ).format(sql.Identifier(TRACKING_TABLE)),
            (list(tracking_names),),
        ).fetchall()
        found = {str(row["application_name"]): int(row["notification_id"]) for row in rows}
        return {name: found.get(name, 0) for name in tracking_names}


def apply_changes(
    curs: Cursor[DictRow], shares: Sequence[Share], changes: Iterable[Change]
) -> None:
    """Hand each change to every view it lies past, then have each view write its batch."""
    batches = [(share, share.view.batch(curs)) for share in shares]
    for change in changes:
        for share, batch in batches:
            if change.position > share.position:
                _guarded(share, batch.add, change)
    for share, batch in batches:
        _guarded(share, batch.flush)


class RecordingCursor:
    """Stands in for the cursor while a batch is prepared: keeps each statement a view sends,
    with its parameters as they are then, to be sent in the same order when the batch is
    written. Views only write while they take in a batch, so there is nothing to read back.
    """

    def __init__(self) -> None:
        self.statements: list[tuple[bool, Any, Any, dict[str, Any]]] = []

    def execute(self, query: Any, params: Any = None, **kwargs: Any) -> RecordingCursor:
        """Keep one statement."""
        self.statements.append((False, query, params, kwargs))
        return self

    def executemany(self, query: Any, params_seq: Iterable[Any], **kwargs: Any) -> None:
        """Keep one statement with each of its parameter sets, taken now."""
        self.statements.append((True, query, list(params_seq), kwargs))

    def fetchone(self) -> None:
        """Views cannot read while a batch is prepared."""
        raise TypeError("a view's batch only writes; read in a query function instead")

    fetchall = fetchmany = fetchone

    def send(self, curs: Cursor[DictRow]) -> None:
        """Send the kept statements through a real cursor, in order."""
        for many, query, params, kwargs in self.statements:
            if many:
                curs.executemany(query, params, **kwargs)
            else:
                curs.execute(query, params, **kwargs)


@dataclass
class PreparedBatch:
    """A batch taken in by every view and held as statements, ready to be written.

    `positions`: the views' positions it was prepared from; `count`: the events read (0: none
    after those positions); `failure`: a view failed taking it in (its statements up to then
    are kept, so writing the batch writes them and then fails, rolling it all back).
    """

    positions: dict[str, int]
    count: int
    upto: int = 0
    shares: list[Share] = dataclasses.field(default_factory=list)
    statements: RecordingCursor = dataclasses.field(default_factory=RecordingCursor)
    failure: ViewFailed | None = None

    def write(self, curs: Cursor[DictRow]) -> None:
        """Send the views' statements in order, then raise the failure if a view failed."""
        self.statements.send(curs)
        if self.failure is not None:
            raise self.failure


def _guarded(share: Share, call: Any, *args: Any) -> None:
    # A view's own failure names the view; the database's errors go on as they are (the
    # transaction turns them into the event store's), since in a pipeline they may show up
    # in a later view's statement.
    try:
        call(*args)
    except (psycopg.Error, IntegrityError, ViewFailed):
        raise
    except Exception as exc:
        raise ViewFailed(share.view.name, exc) from exc


def datastore_of(app: Application[UUID]) -> PostgresDatastore:
    """The application's PostgreSQL datastore (views need the PostgreSQL event store)."""
    datastore = getattr(app.recorder, "datastore", None)
    assert isinstance(datastore, PostgresDatastore), "projections need the PostgreSQL store"
    return datastore


class ProjectionRunner:
    """Pulls events after the views' positions in batches and applies them exactly once.

    One runner may keep several views: each stored event is then read and decoded once, its
    case replayed once, and every view's rows and position written in one transaction.
    """

    def __init__(
        self,
        app: Application[UUID],
        views: TableView | Sequence[TableView],
        *,
        batch_size: int = BATCH_SIZE,
        tracking_name: str | None = None,
        states: CaseStates | None = None,
    ) -> None:
        self.app = app
        self.views = [views] if isinstance(views, TableView) else list(views)
        if not self.views:
            raise ValueError("a runner needs at least one view")
        if tracking_name is not None and len(self.views) != 1:
            raise ValueError("a tracking name is for a runner of one view")
        # A copy of a view (a suffix on its tables) keeps its own position.
        self.tracking_names = [tracking_name or view.name + view.suffix for view in self.views]
        self.batch_size = batch_size
        # Every case a batch touches stays in memory until the batch is written (see ViewBatch).
        self.states = states or CaseStates(app, capacity=max(CASES_IN_MEMORY, batch_size))
        if self.states.capacity < batch_size:
            raise ValueError("the case states must hold at least one batch's cases")
        self.recorder = ViewRecorder(datastore_of(app), tracking_table_name=TRACKING_TABLE)
        # The positions as this runner last read or wrote them (None: not yet read), for
        # reporting progress without another query.
        self._known: dict[str, int] | None = None
        self._prefetch: _Prefetch | None = None  # the next batch, being prepared ahead
        events = getattr(app.recorder, "events_table_name", "stored_events")
        self._log = (
            sql.SQL(
                "SELECT notification_id, originator_id, originator_version, topic, state"
                " FROM {}.{} WHERE notification_id > %s ORDER BY notification_id LIMIT %s"
            )
            .format(sql.Identifier(self.recorder.datastore.schema), sql.Identifier(events))
            .as_bytes(None)
        )

    @property
    def view(self) -> TableView:
        """The view of a runner of one view."""
        assert len(self.views) == 1, "this runner keeps several views"
        return self.views[0]

    @property
    def tracking_name(self) -> str:
        """The tracking name of a runner of one view."""
        assert len(self.views) == 1, "this runner keeps several views"
        return self.tracking_names[0]

    def positions(self, *, fresh: bool = True) -> dict[str, int]:
        """Each view's position by tracking name: the last event applied (0 before any).

        `fresh` False: as this runner last read or wrote them, without a query if it can.
        """
        if fresh or self._known is None:
            self._known = self.recorder.positions(self.tracking_names)
        return dict(self._known)

    @property
    def position(self) -> int:
        """The position every view of this runner has reached (the least of theirs)."""
        return min(self.positions().values())

    def changes(self, notifications: Sequence[Notification]) -> Iterator[Change]:
        """The changes a run of stored events makes, in order, one at a time.

        Each change's case is the cached aggregate, which the next event of the same case
        moves on: apply a change before asking for the next, and never keep it.
        """
        self._discard_prefetch()  # the cached cases are this caller's alone from now on
        return self._changes(notifications)

    def _changes(self, notifications: Sequence[Notification]) -> Iterator[Change]:
        for notification in notifications:
            if (change := self.states.change(notification)) is not None:
                yield change

    def prepare(self, positions: Mapping[str, int]) -> PreparedBatch:
        """Read the batch after these positions and have every view take it in, as statements.

        Reads the log and replays cases, never the views' tables: it may run while the batch
        before it is being written.
        """
        positions = dict(positions)
        notifications = self._read_log(min(positions.values()))
        if not notifications:
            return PreparedBatch(positions, 0)
        upto = notifications[-1].id
        shares = [
            Share(view, name, positions[name])
            for view, name in zip(self.views, self.tracking_names, strict=True)
            if positions[name] < upto
        ]
        prepared = PreparedBatch(positions, len(notifications), upto, shares)
        recording = cast(Cursor[DictRow], prepared.statements)
        try:
            apply_changes(recording, shares, self._changes(notifications))
        except ViewFailed as failed:
            prepared.failure = failed
        return prepared

    def _read_log(self, after: int) -> list[Notification]:
        """The next batch of stored events after a position, in notification order.

        The library's select_notifications, with the columns named and rows read as tuples.
        """
        with (
            self.recorder.datastore.get_connection() as conn,
            conn.cursor(row_factory=tuple_row) as curs,
        ):
            rows = curs.execute(self._log, (after, self.batch_size), prepare=True).fetchall()
        return [
            Notification(
                id=notification_id,
                originator_id=originator_id,
                originator_version=version,
                topic=topic,
                state=bytes(state),
            )
            for notification_id, originator_id, version, topic, state in rows
        ]

    def run_batch(self) -> int:
        """Apply the next batch: how many events it read, or -1 if another runner won.

        While a full batch is written, the next one is prepared in a thread of its own (the
        log read, the cases replayed, the views' statements built), so the runner's Python and
        the database's writing overlap. It is used only if the positions are then what it was
        prepared from; otherwise it is dropped and the batch prepared afresh.
        """
        positions = self.positions()
        prepared = self._take_prefetch(positions) or self.prepare(positions)
        if not prepared.count:
            return 0
        if prepared.count == self.batch_size and prepared.failure is None:
            written = {share.tracking_name: prepared.upto for share in prepared.shares}
            self._start_prefetch(positions | written)
        try:
            self.recorder.write_batch(prepared.shares, prepared.write, prepared.upto)
        except IntegrityError:
            # Another runner of one of the views applied the batch first; ours rolled back
            # whole, and the next batch starts from the positions as they are then.
            logger.info("%s: batch up to %s applied elsewhere", self._names(), prepared.upto)
            self._known = None
            return -1
        except BaseException:
            self._discard_prefetch()  # prepared on the belief that this batch would commit
            raise
        self._known = positions | {share.tracking_name: prepared.upto for share in prepared.shares}
        return prepared.count

    def _start_prefetch(self, positions: dict[str, int]) -> None:
        prefetch = _Prefetch(self, positions)
        self._prefetch = prefetch
        prefetch.start()

    def _take_prefetch(self, positions: Mapping[str, int]) -> PreparedBatch | None:
        """The batch prepared ahead, if it was prepared from these positions and succeeded."""
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is None:
            return None
        prefetch.join()
        prepared = prefetch.prepared
        if prepared is None or not prepared.count or prefetch.positions != positions:
            # Failed (preparing afresh raises it again, if it lasts), found nothing (events
            # may have come since) or stale.
            return None
        return prepared

    def _discard_prefetch(self) -> None:
        prefetch, self._prefetch = self._prefetch, None
        if prefetch is not None:
            prefetch.join()

    def run_until_caught_up(self) -> int:
        """Apply everything recorded so far; returns how many events this runner read."""
        applied = 0
        while count := self.run_batch():
            applied += max(count, 0)
        return applied

    def _names(self) -> str:
        return ", ".join(view.name for view in self.views)


class _Prefetch(threading.Thread):
    """Prepares a runner's next batch while the runner writes the current one."""

    def __init__(self, runner: ProjectionRunner, positions: dict[str, int]) -> None:
        super().__init__(name=f"prepare-{runner._names()}", daemon=True)
        self.runner = runner
        self.positions = positions
        self.prepared: PreparedBatch | None = None

    def run(self) -> None:
        """Prepare the batch; a failure is left for the runner to meet when it prepares anew."""
        try:
            self.prepared = self.runner.prepare(self.positions)
        except Exception:  # e.g. the log could not be read: the runner tries again itself
            logger.debug("preparing the batch after %s failed", self.positions, exc_info=True)
