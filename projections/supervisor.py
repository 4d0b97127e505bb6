"""Keeps every view running: the views in one worker thread, restarted whenever it dies.

A worker holds its own connection, on which it LISTENs for the event store's NOTIFY and holds
a session advisory lock per view it runs, so that across processes one runner of a view is
active and the others stand by, taking over when the active one's connection goes away.
The views of one worker share each batch: every event is read and decoded once. A view that
fails is moved to a worker of its own, so it cannot hold the others back.
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
from eventsourcing import persistence
from eventsourcing.application import Application
from psycopg import sql

from projections.runner import (
    BATCH_SIZE,
    ProjectionRunner,
    TableView,
    ViewFailed,
    datastore_of,
    lock_key,
)

logger = logging.getLogger(__name__)

LOCK_CLASS = 0x43415345  # "CASE": the lock of a view's active runner (one per view)
SPLIT_AFTER = 3  # failures in a row after which a worker's views are run apart
CONNECTION_ERRORS = (
    psycopg.OperationalError,
    psycopg.InterfaceError,
    persistence.OperationalError,
    persistence.InterfaceError,
)


@dataclass(frozen=True)
class WorkerState:
    """What this process knows of one view's runner."""

    name: str
    role: str = "starting"  # starting | active | standby | restarting | stopped
    position: int = 0
    restarts: int = 0
    last_error: str | None = None


class ViewWorker(threading.Thread):
    """Runs its views until stopped; any failure is logged and the runner started again."""

    def __init__(
        self,
        supervisor: Supervisor,
        view_classes: Sequence[type[TableView]],
        *,
        batch_size: int,
        poll_interval: float,
    ) -> None:
        names = "+".join(view.name for view in view_classes)
        super().__init__(name=f"views-{names}", daemon=True)
        self.supervisor = supervisor
        self.view_classes = list(view_classes)
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.connection: psycopg.Connection[Any] | None = None
        self.moved = False

    def run(self) -> None:
        """Serve the views; restart after a failure, with backoff, until stopped."""
        backoff, failures = 0.2, 0
        while not self.supervisor.stopping.is_set() and self.view_classes:
            self.moved = False  # set once the views are up to date after a (re)start
            try:
                self._serve()
            except ViewFailed as exc:
                if self.supervisor.stopping.is_set():
                    break
                if len(self.view_classes) > 1:
                    self._set_apart(exc)
                else:
                    self._failed(exc, backoff)
                    backoff = min(backoff * 2, 5.0)
            except Exception as exc:  # a dying runner must never leave its views stopped
                if self.supervisor.stopping.is_set():
                    break
                if self.moved:  # it worked for a while: a failure anew, not one in a row
                    backoff, failures = 0.2, 0
                self._failed(exc, backoff)
                backoff = min(backoff * 2, 5.0)
                # A lost connection is nobody's view's fault (the database restarting, say).
                failures += not isinstance(exc, CONNECTION_ERRORS)
                if failures >= SPLIT_AFTER and len(self.view_classes) > 1:
                    self._split()
            else:
                backoff, failures = 0.2, 0
        for view in self.view_classes:
            self.supervisor.update(view.name, role="stopped")

    def _failed(self, exc: Exception, backoff: float) -> None:
        names = ", ".join(view.name for view in self.view_classes)
        logger.warning("view %s stopped (%s); restarting", names, exc)
        failed = exc.view_name if isinstance(exc, ViewFailed) else None
        for view in self.view_classes:
            error = exc.error if isinstance(exc, ViewFailed) else exc
            self.supervisor.update(
                view.name,
                role="restarting",
                last_error=_one_line(error) if failed in (None, view.name) else None,
                restarted=True,
            )
        self.supervisor.stopping.wait(backoff)

    def _set_apart(self, exc: ViewFailed) -> None:
        # The batch rolled back for every view: the others go on here, the failing one is
        # retried (with backoff) by a worker of its own.
        logger.warning("view %s failed (%s); running it apart", exc.view_name, exc.error)
        failing = [view for view in self.view_classes if view.name == exc.view_name]
        self.view_classes = [view for view in self.view_classes if view.name != exc.view_name]
        self.supervisor.update(
            exc.view_name, role="restarting", last_error=_one_line(exc.error), restarted=True
        )
        self.supervisor.add_worker(failing)

    def _split(self) -> None:
        # Failing again and again, and not in a view's own code (the database refused a
        # statement, say): each view goes on in a worker of its own, so only the one at fault
        # stays behind.
        logger.warning("views %s keep failing together; running each apart", self.name)
        for view in self.view_classes[1:]:
            self.supervisor.add_worker([view])
        self.view_classes = self.view_classes[:1]

    def _serve(self) -> None:
        sup = self.supervisor
        with psycopg.connect(sup.dsn, autocommit=True) as conn:
            self.connection = conn
            conn.execute(sql.SQL("LISTEN {}").format(sql.Identifier(sup.channel)))
            led: list[type[TableView]] = []
            runner: ProjectionRunner | None = None
            while not sup.stopping.is_set():
                newly = [v for v in self.view_classes if v not in led and self._lead(conn, v)]
                if newly:
                    led = [v for v in self.view_classes if v in led or v in newly]
                    runner = ProjectionRunner(
                        sup.app, [v() for v in led], batch_size=self.batch_size
                    )
                    for view in newly:
                        sup.update(view.name, role="active")
                for view in self.view_classes:
                    if view not in led:
                        sup.update(view.name, role="standby")
                if runner is not None:
                    while runner.run_batch():
                        self._report(runner)
                    self._report(runner)
                    self.moved = True
                # Wake on the next NOTIFY, or poll now and then in case one was missed (and
                # to take over a view another process stopped running).
                for _ in conn.notifies(timeout=self.poll_interval, stop_after=1):
                    pass

    def _report(self, runner: ProjectionRunner) -> None:
        for name, position in runner.positions(fresh=False).items():
            self.supervisor.update(name, position=position)

    def _lead(self, conn: psycopg.Connection[Any], view: type[TableView]) -> bool:
        row = conn.execute(
            "SELECT pg_try_advisory_lock(%s, %s)", (LOCK_CLASS, lock_key(view.name))
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
        batch_size: int = BATCH_SIZE,
        poll_interval: float = 1.0,
    ) -> None:
        self.app = app
        self.dsn = dsn
        self.views = list(views)
        self.channel: str = app.recorder.channel_name  # type: ignore[attr-defined]
        self.stopping = threading.Event()
        self._changed = threading.Condition()
        self._states = {view.name: WorkerState(view.name) for view in self.views}
        self.batch_size = batch_size
        self.poll_interval = poll_interval
        self.workers = [
            ViewWorker(self, self.views, batch_size=batch_size, poll_interval=poll_interval)
        ]

    def start(self) -> None:
        """Start the worker thread."""
        for worker in self.workers:
            worker.start()

    def add_worker(self, views: Sequence[type[TableView]]) -> None:
        """Run these views in a worker of their own, started now."""
        worker = ViewWorker(
            self, views, batch_size=self.batch_size, poll_interval=self.poll_interval
        )
        self.workers.append(worker)
        if not self.stopping.is_set():
            worker.start()

    def stop(self, timeout: float = 10.0) -> None:
        """Ask every worker to stop and wait for them."""
        self.stopping.set()
        deadline = time.monotonic() + timeout
        for worker in list(self.workers):
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
