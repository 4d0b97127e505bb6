"""A Casework that holds commands' events in memory and stores many cases' in one transaction.

The caseload generator runs a district's year of commands through it: the same commands and
events as the plain application, without a load and a commit per command. Every `flush_every`
commands (and at `flush()`) the events of every touched case are stored together, in the
order the commands ran them. Cases it holds are served from memory (the generator keeps them
anyway). Case ids come from a namespace, so a rerun of the same district makes the same cases;
`resume()` tells it what a cut-short run stored, and those events are not stored twice.
"""

from __future__ import annotations

import itertools
from collections.abc import Iterable
from typing import Any, TypeVar
from uuid import UUID, uuid5

from domain.application import Casework
from domain.case import CaseFile
from domain.errors import NotFound
from domain.step import Step
from domain.values import CaseKind

TCase = TypeVar("TCase", bound=CaseFile)
FLUSH_EVERY = 2000  # commands per transaction: big enough to amortise, small enough to stream


class BufferedCasework(Casework):
    """Commands run as usual; their events are stored in batches, many cases per transaction."""

    name = "Casework"  # the same event tables as the plain application

    def __init__(
        self, *args: Any, namespace: UUID, flush_every: int = FLUSH_EVERY, **kwargs: Any
    ) -> None:
        super().__init__(*args, **kwargs)
        self.namespace = namespace
        self.flush_every = flush_every
        self.stored = 0  # events stored by flushes since the last renew
        self._numbers = itertools.count()
        self._commands = 0
        self._held: dict[UUID, CaseFile] = {}
        self._pending: list[Any] = []  # events in the order the commands recorded them
        self._versions: dict[UUID, int] = {}  # what a cut-short run already stored
        self._references: dict[UUID, str] = {}

    def case_id(self, number: int) -> UUID:
        """The id of the n-th case registered in this namespace (0 first)."""
        return uuid5(self.namespace, str(number))

    def renew(self, namespace: UUID) -> None:
        """Forget the cases held and number the next ones in another namespace."""
        self.discard()
        self.namespace = namespace
        self.stored = 0
        self._numbers = itertools.count()
        self._versions.clear()
        self._references.clear()

    def resume(self, case_ids: Iterable[UUID]) -> int:
        """Learn which of these cases are stored already, how far, and their references."""
        ids = list(case_ids)
        datastore: Any = getattr(self.recorder, "datastore", None)
        with datastore.get_connection() as conn:
            rows = conn.execute(
                "SELECT originator_id, max(originator_version) AS version FROM casework_events "
                "WHERE originator_id = ANY(%s) GROUP BY originator_id",
                (ids,),
            ).fetchall()
        for row in rows:
            self._versions[row["originator_id"]] = int(row["version"])
            first: Any = self.repository.get(row["originator_id"], version=1)
            self._references[row["originator_id"]] = first.reference
        return sum(self._versions.values())

    def new_reference(self, kind: CaseKind, step: Step) -> tuple[UUID, str]:
        """The next id of the namespace; a case a cut-short run stored keeps its reference."""
        case_id = self.case_id(next(self._numbers))
        if case_id in self._references:
            return case_id, self._references[case_id]
        _, reference = super().new_reference(kind, step)
        return case_id, reference

    def get_case(self, case_id: UUID, kind: type[TCase]) -> TCase:
        """A held case as the last command left it, else the stored one."""
        case = self._held.get(case_id)
        if case is None:
            return super().get_case(case_id, kind)
        if not isinstance(case, kind):
            raise NotFound(f"case {case_id} is not a {getattr(kind, 'WHAT', kind.__name__)}")
        return case

    def save_all(self, *cases: CaseFile) -> None:
        """Hold the cases; their events are stored by the next flush."""
        for case in cases:
            self._held[case.id] = case
            self._pending.extend(
                event
                for event in case.collect_events()
                if event.originator_version > self._versions.get(event.originator_id, 0)
            )
        self._commands += 1
        if self._commands >= self.flush_every:
            self.flush()

    def discard(self) -> None:
        """Drop the held cases and their unstored events (after a failed flush)."""
        self._pending.clear()
        self._held.clear()
        self._commands = 0

    def flush(self) -> int:
        """Store the held events in one transaction (all or none); how many were stored."""
        self._commands = 0
        if not self._pending:
            return 0
        events, self._pending = self._pending, []
        recordings = self.save(*events)
        self.stored += len(recordings)
        self._snapshot(events)
        return len(recordings)

    def _snapshot(self, events: list[Any]) -> None:
        # The library snapshots only aggregates handed to save(); these came as events, so
        # take the snapshots the plain application would have taken after each step.
        intervals = getattr(self, "snapshotting_intervals", None)
        if self.snapshots is None or not intervals:
            return
        for event in events:
            interval = intervals.get(type(self._held.get(event.originator_id)))
            if interval and event.originator_version % interval == 0:
                self.take_snapshot(event.originator_id, version=event.originator_version)
