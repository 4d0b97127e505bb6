"""The Casework application: the service layer over the event store."""

from __future__ import annotations

import dataclasses
import datetime as dt
import logging
from collections.abc import Callable, Iterable, Mapping
from typing import Any, ClassVar, Protocol, TypeVar, cast, runtime_checkable
from uuid import UUID, uuid4

from eventsourcing.application import (
    AggregateNotFoundError,
    Application,
    ProcessingEvent,
    ProjectorFunction,
    Repository,
    project_aggregate,
)
from eventsourcing.domain import MutableOrImmutableAggregate, Snapshot
from eventsourcing.persistence import (
    IntegrityError,
    PersistenceError,
    Recording,
    StoredEvent,
    Transcoder,
)

from domain.actors import Actor
from domain.calendar import WorkCalendar
from domain.case import CaseFile
from domain.documents import BlobStore, Document
from domain.errors import Conflict, NotFound, ValidationError
from domain.litigation import LitigationCase
from domain.mediation import MediationCase
from domain.petition import Petition
from domain.reconsideration import ReconsiderationCase
from domain.references import ReferenceAllocator, format_reference
from domain.rules import load_rules
from domain.step import Step, Timekeeper, china_date
from domain.transcodings import CaseworkTranscoder, register_domain_transcodings, typed
from domain.values import INVERSE_RELATION, CaseKind, LinkRelation

TCase = TypeVar("TCase", bound=CaseFile)
Clock = Callable[[], dt.datetime]

# A snapshot after every 20th event: most cases close in fewer and never need one, while a long
# case (years of hearings, suspensions, appeals) loads from at most 19 events after its latest
# snapshot. Writing one costs a reload of at most 20 events, once per 20 saves of that case.
SNAPSHOT_INTERVAL = 20

log = logging.getLogger(__name__)


class Timeline(Protocol):
    """The index of each case's versions by the time they were recorded."""

    def stored_as_of(
        self, case_id: UUID, at: dt.datetime
    ) -> tuple[StoredEvent | None, list[StoredEvent]]:
        """The latest snapshot at or below the case's version at the instant (or None) and the
        events after it, to that version; (None, []) if the case was not yet recorded."""
        ...


class NotConfigured(RuntimeError):
    """The application was built without a port this call needs."""


@runtime_checkable
class SnapshotAndEvents(Protocol):
    """A recorder that reads a case's latest snapshot and the events after it in one query."""

    def select_with_snapshot(
        self, originator_id: UUID, *, lte: int | None = None
    ) -> tuple[StoredEvent | None, list[StoredEvent]]:
        """The latest snapshot at or below `lte` (or None) and the events after it, to `lte`."""
        ...


def project_case(aggregate: Any, domain_events: Iterable[Any]) -> Any:
    """The library's project_aggregate without its per-event isinstance on a Protocol.

    Every event of a case is a domain event of the library's aggregate classes, which mutate."""
    for domain_event in domain_events:
        aggregate = domain_event.mutate(aggregate)
    return aggregate


class CaseRepository(Repository[UUID]):
    """The library's repository; a case is read in one query when the recorder can."""

    _one_query: bool | None = None

    def _reconstruct_aggregate(
        self,
        aggregate_id: UUID,
        version: int | None,
        projector_func: ProjectorFunction[Any, Any],
    ) -> Any:
        recorder = self.event_store.recorder
        # Checked once: isinstance on a runtime-checkable Protocol costs as much as decoding an
        # event, and a repository's recorder does not change.
        if self._one_query is None:
            self._one_query = isinstance(recorder, SnapshotAndEvents)
        if self.snapshot_store is None or not self._one_query:
            return super()._reconstruct_aggregate(aggregate_id, version, projector_func)
        one_query = cast(SnapshotAndEvents, recorder)
        stored_snapshot, stored_events = one_query.select_with_snapshot(aggregate_id, lte=version)
        if projector_func is project_aggregate:
            projector_func = project_case
        aggregate = self.replay(stored_snapshot, stored_events, projector_func)
        if aggregate is None:
            msg = f"Aggregate {aggregate_id!r} version {version!r} not found."
            raise AggregateNotFoundError(msg)
        return aggregate

    def replay(
        self,
        stored_snapshot: StoredEvent | None,
        stored_events: Iterable[StoredEvent],
        projector_func: ProjectorFunction[Any, Any] = project_case,
    ) -> Any:
        """The aggregate a snapshot and the events after it make (None from nothing)."""
        events: list[Any] = []
        if stored_snapshot is not None:
            assert self.snapshot_store is not None
            events.append(self.snapshot_store.mapper.to_domain_event(stored_snapshot))
        events.extend(map(self.event_store.mapper.to_domain_event, stored_events))
        return projector_func(None, events)


def utc_now() -> dt.datetime:
    """The wall clock, in UTC; only the application reads it, never the domain."""
    return dt.datetime.now(dt.UTC)


class Casework(Application[UUID]):
    """Loads case aggregates, runs one domain command each, saves the events together."""

    name = "Casework"
    snapshotting_intervals: ClassVar[dict[type[MutableOrImmutableAggregate[Any]], int]] = {
        Petition: SNAPSHOT_INTERVAL,
        ReconsiderationCase: SNAPSHOT_INTERVAL,
        LitigationCase: SNAPSHOT_INTERVAL,
        MediationCase: SNAPSHOT_INTERVAL,
    }

    def __init__(
        self,
        env: Mapping[str, str] | None = None,
        *,
        references: ReferenceAllocator,
        clock: Clock = utc_now,
        timekeeper: Timekeeper | None = None,
        timeline: Timeline | None = None,
        blobs: BlobStore | None = None,
    ) -> None:
        super().__init__(env)
        self.references = references
        self.timeline = timeline
        self.blobs = blobs
        self.clock = clock
        self.timekeeper = timekeeper or Timekeeper(load_rules(), WorkCalendar())

    def construct_repository(self) -> Repository[UUID]:
        """The library's repository, reading a case with its snapshot in one round trip."""
        plain = super().construct_repository()
        repository = CaseRepository(
            event_store=plain.event_store,
            snapshot_store=plain.snapshot_store,
            fastforward=plain.fastforward,
            fastforward_skipping=plain.fastforward_skipping,
            deepcopy_from_cache=plain.deepcopy_from_cache,
        )
        repository.cache = plain.cache
        return repository

    def construct_transcoder(self) -> Transcoder:
        """The library's JSON transcoder (reading in C), taught the domain's value types."""
        transcoder = CaseworkTranscoder()
        self.register_transcodings(transcoder)
        register_domain_transcodings(transcoder)
        return transcoder

    def take_snapshot(
        self,
        aggregate_id: UUID,
        version: int | None = None,
        projector_func: ProjectorFunction[Any, Any] = project_aggregate,
    ) -> None:
        """Store the case's state at a version, each value marked with its exact type.

        The library's snapshot would give enum members and tuples back as str and lists, so a
        case read from it would differ from the case replayed from its events. Snapshots are
        taken after the step's events are committed and are derived data: a failure to store
        one is logged, not reported as a failure of the step."""
        if self.snapshots is None:
            raise NotConfigured("snapshots are not enabled")
        case = self.repository.get(aggregate_id, version=version, projector_func=projector_func)
        taken = Snapshot.take(case)
        snapshot = dataclasses.replace(taken, state=typed(taken.state))
        try:
            self.snapshots.put([snapshot])
        except PersistenceError:
            log.warning("no snapshot of case %s at version %s", aggregate_id, case.version)

    def step(
        self,
        actor: Actor,
        *,
        reason: str = "",
        legal_basis: str = "",
        approver: Actor | None = None,
        at: dt.datetime | None = None,
    ) -> Step:
        """A step by an actor now (or at a given moment, for imports and tests)."""
        return Step(
            actor=actor,
            at=at or self.clock(),
            timekeeper=self.timekeeper,
            reason=reason,
            legal_basis=legal_basis,
            approver=approver,
        )

    def new_reference(self, kind: CaseKind, step: Step) -> tuple[UUID, str]:
        """A fresh case id and the next reference number for its kind and year."""
        year = china_date(step.at).year
        return uuid4(), format_reference(kind, year, self.references.next_number(kind, year))

    def get_case(self, case_id: UUID, kind: type[TCase]) -> TCase:
        """The case as it is now, or NotFound."""
        try:
            case: object = self.repository.get(case_id)
        except AggregateNotFoundError:
            raise NotFound(f"no case with id {case_id}") from None
        if not isinstance(case, kind):
            raise NotFound(f"case {case_id} is not a {getattr(kind, 'WHAT', kind.__name__)}")
        return case

    def get_any_case(self, case_id: UUID) -> CaseFile:
        """A case of any kind."""
        return self.get_case(case_id, CaseFile)

    def case_as_of(self, case_id: UUID, kind: type[TCase], at: dt.datetime) -> TCase:
        """The case as it stood at an instant of recorded time: one index look-up, then replay."""
        if self.timeline is None:
            raise NotConfigured("reading a case as of a past instant needs the timeline index")
        if at.tzinfo is None:
            raise ValidationError("an as-of instant must carry a time zone", field="asOf")
        assert isinstance(self.repository, CaseRepository)
        # One query: the version at the instant, its snapshot and the events after it.
        stored_snapshot, stored_events = self.timeline.stored_as_of(case_id, at)
        case: object = self.repository.replay(stored_snapshot, stored_events)
        if case is None:
            raise NotFound(f"case {case_id} was not yet recorded at {at.isoformat()}")
        if not isinstance(case, kind):
            raise NotFound(f"case {case_id} is not a {getattr(kind, 'WHAT', kind.__name__)}")
        return case

    def attach_document(
        self,
        case_id: UUID,
        content: Iterable[bytes],
        *,
        name: str,
        media_type: str,
        step: Step,
        expected_version: int | None = None,
    ) -> tuple[CaseFile, Document]:
        """Store the content first, then record it on the case: no event names a missing blob."""
        if self.blobs is None:
            raise NotConfigured("attaching documents needs a blob store")
        self._check_version(self.get_any_case(case_id), expected_version)
        stored = self.blobs.put(content)
        document = Document(stored.sha256, name.strip(), media_type.strip(), stored.size)
        case = self.act(
            case_id,
            CaseFile,
            lambda c: c.attach_document(step, document),
            expected_version=expected_version,
        )
        return case, document

    def act(
        self,
        case_id: UUID,
        kind: type[TCase],
        command: Callable[[TCase], Any],
        *,
        expected_version: int | None = None,
    ) -> TCase:
        """Load, run one command, save; a concurrent change is a Conflict, never a lost event.

        Steps that touch two cases go through open_linked or link_cases instead."""
        case = self.get_case(case_id, kind)
        self._check_version(case, expected_version)
        command(case)
        self.save_all(case)
        return case

    def register(self, case_class: type[TCase], step: Step, **facts: Any) -> TCase:
        """Register a new case of a kind with its next reference number, and save it."""
        case = self.prepare(case_class, step, **facts)
        self.save_all(case)
        return case

    def prepare(self, case_class: type[TCase], step: Step, **facts: Any) -> TCase:
        """A new case with its reference number, not yet saved (to save with another).

        The registration's checks run before a number is taken, so a refused registration
        leaves no gap in the register.
        """
        case_class.register(step, case_id=uuid4(), reference="", **facts)
        case_id, reference = self.new_reference(case_class.KIND, step)
        case = case_class.register(step, case_id=case_id, reference=reference, **facts)
        assert isinstance(case, case_class)
        return case

    def open_linked(
        self,
        source_id: UUID,
        source_kind: type[TCase],
        *,
        target: CaseFile,
        relation: LinkRelation,
        source_command: Callable[[TCase, CaseFile], None],
        step: Step,
        expected_version: int | None = None,
    ) -> tuple[TCase, CaseFile]:
        """A step on one case that opens another (诉访分离, referral): both saved, or neither."""
        source = self.get_case(source_id, source_kind)
        self._check_version(source, expected_version)
        source_command(source, target)
        if not any(link.case_id == target.id for link in source.links):
            source.link_to(step, target, relation)
        target.link_to(step, source, INVERSE_RELATION[relation])
        self.save_all(source, target)
        return source, target

    def link_cases(
        self, first_id: UUID, second_id: UUID, relation: LinkRelation, step: Step
    ) -> None:
        """Link two existing cases both ways (e.g. co-defendants), in one transaction."""
        first = self.get_any_case(first_id)
        second = self.get_any_case(second_id)
        first.link_to(step, second, relation)
        second.link_to(step, first, INVERSE_RELATION[relation])
        self.save_all(first, second)

    def _check_version(self, case: CaseFile, expected_version: int | None) -> None:
        if expected_version is not None and not 1 <= expected_version <= case.version:
            raise ValidationError(
                f"expectedVersion {expected_version} is not a version of {case.reference}: "
                f"it is at version {case.version}",
                field="expectedVersion",
            )
        if expected_version is not None and case.version != expected_version:
            raise Conflict(
                f"{case.reference} changed since it was read (version {expected_version}, "
                f"now {case.version}); reload it and try again"
            )

    def save(self, *objs: Any, **kwargs: Any) -> list[Recording[UUID]]:
        """The library's save; cases' events are collected without isinstance on Protocols.

        The steps are the library's `Application.save`, in its order."""
        if kwargs or not all(isinstance(obj, CaseFile) for obj in objs):
            return super().save(*objs, **kwargs)
        processing_event: ProcessingEvent[UUID] = ProcessingEvent()
        for case in objs:
            processing_event.events.extend(case.collect_events())
            processing_event.aggregates[case.id] = case
        recordings = self._record(processing_event)
        self._take_snapshots(processing_event)
        self._notify(recordings)
        self.notify(processing_event.events)
        return recordings

    def save_all(self, *cases: CaseFile) -> None:
        """Save every touched case in one transaction, or none; a race is a Conflict."""
        try:
            self.save(*cases)
        except IntegrityError:
            names = ", ".join(case.reference or str(case.id) for case in cases)
            raise Conflict(
                f"{names} changed while this step was being taken; reload and try again"
            ) from None
