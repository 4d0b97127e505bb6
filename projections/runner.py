"""Runs a view over the event log: each batch's rows and tracking position in one transaction."""

from __future__ import annotations

import logging
from collections.abc import Sequence
from typing import Protocol
from uuid import UUID

from eventsourcing.application import Application
from eventsourcing.domain import DomainEventProtocol
from eventsourcing.persistence import IntegrityError, Tracking
from eventsourcing.postgres import PostgresTrackingRecorder
from psycopg import Cursor
from psycopg.rows import DictRow

logger = logging.getLogger(__name__)


class View(Protocol):
    """A read model: applies events to its tables through the cursor it is given."""

    name: str

    def apply(self, curs: Cursor[DictRow], event: DomainEventProtocol[UUID]) -> None:
        """Write what one event changes; must not commit."""
        ...


class ViewRecorder(PostgresTrackingRecorder):
    """Writes a view's rows and its tracking record in the same transaction."""

    def write_batch(
        self, view: View, events: Sequence[DomainEventProtocol[UUID]], tracking: Tracking
    ) -> None:
        """Apply the events and advance the position, all or nothing."""
        with self.datastore.transaction(commit=True) as curs:
            for event in events:
                view.apply(curs, event)
            # Raises IntegrityError if another runner already went past this position.
            self._insert_tracking(curs, tracking)


class ProjectionRunner:
    """Pulls events after the view's position in batches and applies them exactly once."""

    def __init__(self, app: Application[UUID], view: View, batch_size: int = 500) -> None:
        self.app = app
        self.view = view
        self.batch_size = batch_size
        recorder = app.recorder
        datastore = getattr(recorder, "datastore", None)
        assert datastore is not None, "projections need the PostgreSQL event store"
        self.recorder = ViewRecorder(datastore, tracking_table_name="projection_tracking")

    @property
    def position(self) -> int:
        """The notification id of the last event applied (0 before any)."""
        return self.recorder.max_tracking_id(self.view.name) or 0

    def run_batch(self) -> int:
        """Apply the next batch: how many events it applied, or -1 if another runner won."""
        notifications = self.app.recorder.select_notifications(
            start=self.position, limit=self.batch_size, inclusive_of_start=False
        )
        if not notifications:
            return 0
        events = [self.app.mapper.to_domain_event(n) for n in notifications]
        tracking = Tracking(self.view.name, notifications[-1].id)
        try:
            self.recorder.write_batch(self.view, events, tracking)
        except IntegrityError:
            # Another runner of this view applied the batch first; ours rolled back whole.
            logger.info("%s: batch up to %s applied elsewhere", self.view.name, tracking)
            return -1
        return len(events)

    def run_until_caught_up(self) -> int:
        """Apply everything recorded so far; returns how many events this runner applied."""
        applied = 0
        while count := self.run_batch():
            applied += max(count, 0)
        return applied
