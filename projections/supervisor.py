"""Keeps every view running: one worker thread per view, restarted whenever it dies.

Each worker holds its own connection, on which it LISTENs for the event store's NOTIFY and
holds a session advisory lock for its view, so that across processes one runner of a view is
active and the others stand by, taking over when the active one's connection goes away.
"""

from __future__ import annotations

import logging
import threading
import time
from collections.abc import Sequence
from dataclasses import dataclass, replace
from typing import Any
from uuid import UUID

import psycopg
from eventsourcing.application import Application
from psycopg import sql

from projections.runner import ProjectionRunner, TableView, datastore_of, lock_key

logger = logging.getLogger(__name__)

LOCK_CLASS = 0x43415345  # "CASE": the lock of a view's active runner (one per view)


@dataclass(frozen=True)
class WorkerState:
    """What this process knows of one view's runner."""

    name: str
    role: str = "starting"  # starting | active | standby | restarting | stopped
    position: int = 0
    restarts: int = 0
    last_error: str | None = None


class ViewWorker(threading.Thread):
    """Runs one view until stopped; any failure is logged and the runner started again."""

    def __init__(
        self,
        supervisor: Supervisor,
        view_class: type[TableView],
        *,
        batch_size: int,
        poll_interval: float,
    ) -> None:
        super().__init__(name=f"view-{view_class.name}", daemon=True)
        self.supervisor = supervisor
        self.view_class = view_class
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.connection: psycopg.Connection[Any] | None = None

    def run(self) -> None:
        """Serve the view; restart after a failure, with backoff, until stopped."""
        backoff = 0.2
        while not self.supervisor.stopping.is_set():
            try:
                self._serve()
            except Exception as exc:  # a dying runner must never leave its view stopped
                if self.supervisor.stopping.is_set():
                    break
                logger.warning("view %s stopped (%s); restarting", self.view_class.name, exc)
                self.supervisor.update(
                    self.view_class.name,
                    role="restarting",
                    last_error=_one_line(exc),
                    restarted=True,
                )
                self.supervisor.stopping.wait(backoff)
                backoff = min(backoff * 2, 5.0)
            else:
                backoff = 0.2
        self.supervisor.update(self.view_class.name, role="stopped")

    def _serve(self) -> None:
        sup = self.supervisor
        name = self.view_class.name
        with psycopg.connect(sup.dsn, autocommit=True) as conn:
            self.connection = conn
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(sup.channel)))
            while not self._lead(conn):
                sup.update(name, role="standby")
                if sup.stopping.wait(self.poll_interval):
                    return
            sup.update(name, role="active")
            runner = ProjectionRunner(sup.app, self.view_class(), batch_size=self.batch_size)
            while not sup.stopping.is_set():
                while runner.run_batch():
                    sup.update(name, position=runner.position)
                sup.update(name, position=runner.position)
                # Wake on the next NOTIFY, or poll now and then in case one was missed.
                for _ in conn.notifies(timeout=self.poll_interval, stop_after=1):
                    pass

    def _lead(self, conn: psycopg.Connection[Any]) -> bool:
        row = conn.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", (LOCK_CLASS, lock_key(self.view_class.name))
        ).fetchone()
        return bool(row and row[0])


def _one_line(exc: BaseException) -> str:
    lines = str(exc).strip().splitlines()
    return f"{type(exc).__name__}: {lines[0] if lines else ''}".rstrip(": ")


class Supervisor:
    """Starts a worker per view, tracks their positions, and lets writers wait for them."""

    def __init__(
        self,
        app: Application[UUID],
        dsn: str,
        views: Sequence[type[TableView]],
        *,
        batch_size: int = 500,
        poll_interval: float = 1.0,
    ) -> None:
        self.app = app
        self.dsn = dsn
        self.views = list(views)
        self.channel: str = app.recorder.channel_name  # type: ignore[attr-defined]
        self.stopping = threading.Event()
        self._changed = threading.Condition()
        self._states = {view.name: WorkerState(view.name) for view in self.views}
        self.workers = [
            ViewWorker(self, view, batch_size=batch_size, poll_interval=poll_interval)
            for view in self.views
        ]

    def start(self) -> None:
        """Start every worker thread."""
        for worker in self.workers:
            worker.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask every worker to stop and wait for them."""
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for worker in self.workers:
            if worker.ident is not None:  # started
                worker.join(max(0.0, deadline - time.monotonic()))

    def update(self, name: str, *, restarted: bool = False, **changes: Any) -> None:
        """Record what a worker reports, and wake anyone waiting on positions."""
        with self._changed:
            state = self._states[name]
            if restarted:
                changes["restarts"] = state.restarts + 1
            self._states[name] = replace(state, **changes)
            self._changed.notify_all()

    def states(self) -> list[WorkerState]:
        """Each view's worker as this process sees it."""
        with self._changed:
            return [self._states[view.name] for view in self.views]

    def wait_for(self, position: int, timeout: float) -> bool:
        """Wait until every view has applied `position`; False if the time runs out.

        Views active here report through memory; a view run by another process is polled.
        """
        deadline = time.monotonic() + timeout
        while True:
            with self._changed:
                behind = [s for s in self._states.values() if s.position < position]
                if not behind:
                    return True
                remaining = deadline - time.monotonic()
                if remaining <= 0:
                    return False
                elsewhere = [s.name for s in behind if s.role != "active"]
                if not elsewhere:
                    self._changed.wait(remaining)
                    continue
            self._refresh_from_database(elsewhere)
            self.stopping.wait(min(0.02, max(0.0, deadline - time.monotonic())))

    def _refresh_from_database(self, names: list[str]) -> None:
        # Polled every 20 ms while a writer waits: a pooled connection, not a new one each time.
        with datastore_of(self.app).get_connection() as conn:
            rows = conn.execute(
                "SELECT application_name, notification_id FROM projection_tracking "
                "WHERE application_name = ANY(%s)",
                (names,),
            ).fetchall()
        with self._changed:
            for row in rows:
                name, position = str(row["application_name"]), int(row["notification_id"])
                if position > self._states[name].position:
                    self._states[name] = replace(self._states[name], position=position)
