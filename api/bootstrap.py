"""The composition root: settings → database → application, pools, schema and HTTP app."""

from __future__ import annotations

import gc
import logging
import os
from dataclasses import dataclass, field

from psycopg_pool import ConnectionPool

from api import migrations
from api.audit.blobs import FileBlobStore
from api.audit.checkpointer import Checkpointer
from api.audit.timeline import PostgresTimeline
from api.database import ConnectionTarget, EmbeddedPostgres
from api.loop_reads import LoopReads
from api.references import PostgresReferenceAllocator
from api.settings import Settings
from domain.application import Casework
from projections.registry import view_classes
from projections.status import head_position
from projections.supervisor import Supervisor

logger = logging.getLogger(__name__)

# The cyclic garbage collector's thresholds for a process that applies events to the views (a
# runner keeps up to 20,000 replayed cases, some millions of objects, in memory). With Python's
# default (700, 10, 10), collections that walk that heap again and again took about a fifth of
# a catch-up's CPU: measured on one district-year (66,335 events, every view, alternating
# runs), 5,700–6,000 events/s and 10.9–11.8 s of the runner's CPU against 7,200–7,750 and
# 8.2–9.2 s with these. Cases, events and rows are freed by reference counting as before; what
# the collector is for, cycles, is still collected, only after more allocations.
GC_THRESHOLDS = (50_000, 20, 100)


def tune_garbage_collection() -> None:
    """Collect cyclic garbage less often, for a process that runs views (`serve`, `projections`)."""
    gc.set_threshold(*GC_THRESHOLDS)


@dataclass
class Database:
    """The resolved database and, in embedded mode, the server Casework runs."""

    target: ConnectionTarget
    embedded: EmbeddedPostgres | None = None

    @property
    def is_embedded(self) -> bool:
        """Whether Casework runs this server itself."""
        return self.embedded is not None

    def close(self) -> None:
        """Stop the embedded server, if any."""
        if self.embedded is not None:
            self.embedded.stop()


def open_database(settings: Settings) -> Database:
    """DATABASE_URL's server when set, else the embedded one; raises DatabaseUnavailable."""
    if settings.database_url is not None:
        target = ConnectionTarget.from_url(settings.database_url, settings.db_connect_timeout)
        target.ping()
        return Database(target=target)
    embedded = EmbeddedPostgres(settings.data_dir)
    return Database(target=embedded.start(), embedded=embedded)


@dataclass
class Container:
    """Everything a running Casework process holds, closed in reverse order."""

    settings: Settings
    database: Database
    application: Casework
    read_pool: ConnectionPool
    projections: Supervisor
    checkpoints: Checkpointer
    loop_reads: LoopReads
    closed: bool = field(default=False)

    def wait_for_views(self, timeout: float | None = None) -> bool:
        """Read-your-writes: wait (bounded) until every view has applied what is recorded now.

        Returns False if the views were still behind when the time ran out.
        """
        with self.read_pool.connection() as conn:
            head = head_position(conn)
        wait = self.settings.projection_wait if timeout is None else timeout
        return self.projections.wait_for(head, wait)

    def close(self) -> None:
        """Stop the views, release pools and stop the embedded database."""
        if self.closed:
            return
        self.closed = True
        self.checkpoints.stop()
        self.projections.stop()
        self.projections.app.close()
        self.read_pool.close()
        self.application.close()
        self.database.close()


def build_application(
    target: ConnectionTarget, settings: Settings, references: PostgresReferenceAllocator
) -> Casework:
    """The eventsourcing application, configured from the target, never from os.environ."""
    env = target.eventsourcing_env(settings.db_pool_size)
    # The library also reads os.environ; keep a stray variable from changing its mode.
    for key in ("POSTGRES_ENABLE_DB_FUNCTIONS", "CREATE_TABLE"):
        os.environ.pop(key, None)
    return Casework(
        env=env,
        references=references,
        timeline=PostgresTimeline(references.pool),
        blobs=FileBlobStore(settings.blob_path),
    )


def build_container(settings: Settings, database: Database, *, migrate: bool) -> Container:
    """Check (or bring) the schema up to date, then build the application and pools."""
    if migrate:
        migrations.upgrade(database.target)
    migrations.require_up_to_date(database.target)
    read_pool: ConnectionPool = ConnectionPool(
        database.target.dsn,
        min_size=1,
        max_size=settings.db_pool_size,
        open=True,
        name="casework-read",
        kwargs={"autocommit": True},
    )
    application = build_application(
        database.target, settings, PostgresReferenceAllocator(read_pool)
    )
    # The views get an application (and pool) of their own, so catching up never takes
    # connections from the requests that write events.
    views = view_classes()
    views_settings = settings.model_copy(update={"db_pool_size": len(views) + 2})
    views_application = build_application(
        database.target, views_settings, PostgresReferenceAllocator(read_pool)
    )
    supervisor = Supervisor(views_application, database.target.dsn, views)
    checkpoints = Checkpointer(database.target.dsn, settings.checkpoint_interval)
    loop_reads = LoopReads(database.target.dsn, settings.db_pool_size)
    return Container(
        settings, database, application, read_pool, supervisor, checkpoints, loop_reads
    )
