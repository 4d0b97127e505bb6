"""Takes an audit checkpoint now and then, so the running hash is on record regularly."""

from __future__ import annotations

import logging
import threading

import psycopg

from api.audit import ledger

logger = logging.getLogger(__name__)


class Checkpointer(threading.Thread):
    """Every `interval` seconds: verify what is new since the last checkpoint, then record it.

    A log that no longer verifies is reported loudly and no checkpoint is written over it.
    """

    def __init__(self, dsn: str, interval: float) -> None:
        super().__init__(name="audit-checkpoints", daemon=True)
        self.dsn = dsn
        self.interval = interval
        self.stopping = threading.Event()
        self.last: ledger.CheckpointTaken | None = None

    def run(self) -> None:
        """Check, then wait, until stopped; a failure waits for the next round."""
        while not self.stopping.wait(self.interval):
            try:
                self.last = self.take()
            except psycopg.Error as exc:
                logger.warning("no audit checkpoint this round: %s", exc)

    def take(self) -> ledger.CheckpointTaken:
        """One round: verify and record (or refuse to record) a checkpoint."""
        with psycopg.connect(self.dsn, autocommit=True) as conn:
            taken = ledger.take_checkpoint(conn)
        if not taken.verdict.holds:
            logger.error("the event log does not verify: %s", taken.verdict.first)
        return taken

    def stop(self, timeout: float = 10.0) -> None:
        """Stop waiting and end the thread."""
        self.stopping.set()
        if self.ident is not None:
            self.join(timeout)
