"""The case file every procedure shares: who acted in each event, deadlines, assignee, links."""

from __future__ import annotations

import dataclasses
from collections.abc import Iterable
from typing import Any, ClassVar, TypeVar
from uuid import UUID

from eventsourcing.domain import Aggregate

from domain.actors import Actor, Role
from domain.deadlines import Deadline
from domain.documents import Document
from domain.errors import Forbidden, InvalidTransition, SeparationOfDuties, ValidationError
from domain.step import Step
from domain.values import AdministrativeAct, CaseKind, CaseLink, LinkRelation, Party

TCase = TypeVar("TCase", bound="CaseFile")


@dataclasses.dataclass(frozen=True)
class Recorded:
    """What every event records: who acted, why, on what basis, and the clocks it moved."""

    actor: Actor
    reason: str
    legal_basis: str
    approver: Actor | None
    deadlines: tuple[Deadline, ...]  # started or changed by this step
    ended: tuple[str, ...]  # rule ids whose clocks this step stopped for good


def _apply_recorded(event: Recorded, case: CaseFile) -> None:
    for deadline in event.deadlines:
        case.deadlines[deadline.rule_id] = deadline
    for rule_id in event.ended:
        case.deadlines.pop(rule_id, None)


class CaseFile(Aggregate):
    """Base of the four procedures' aggregates; state changes only in event application."""

    KIND: ClassVar[CaseKind]
    WHAT: ClassVar[str]  # how a case handler calls it, e.g. "reconsideration"
    FINAL_STATES: ClassVar[frozenset[str]] = frozenset()

    def __init__(self) -> None:
        self.start_blank()

    def start_blank(self) -> None:
        """Empty state; the library may generate a subclass's __init__, so Opened calls this."""
        self.kind: CaseKind = self.KIND
        self.reference = ""
        self.title = ""
        self.organisation = ""
        self.act: AdministrativeAct | None = None
        self.parties: list[Party] = []
        self.status = ""
        self.assignee: str | None = None
        self.deadlines: dict[str, Deadline] = {}
        self.links: list[CaseLink] = []
        self.documents: list[Document] = []  # 案卷材料, in the order they were attached

    class Opened(Aggregate.Created, Recorded):
        """The case was registered (登记); subclasses add the procedure's own facts."""

        reference: str
        title: str
        organisation: str
        act: AdministrativeAct | None
        parties: tuple[Party, ...]

        def apply(self, aggregate: Any) -> None:
            """Record the registration facts (subclasses call this first)."""
            case: CaseFile = aggregate
            case.start_blank()
            case.reference = self.reference
            case.title = self.title
            case.organisation = self.organisation
            case.act = self.act
            case.parties = list(self.parties)
            _apply_recorded(self, case)

    class Event(Aggregate.Event, Recorded):
        """A step on an existing case."""

        # Decision-type steps (admission, routing, extension, suspension, decision, appeal,
        # appearance plan) set this, so the decision history lists them.
        DECISION: ClassVar[bool] = False

        def apply(self, aggregate: Any) -> None:
            """Move the clocks, then the procedure's own state."""
            _apply_recorded(self, aggregate)
            self.on(aggregate)

        def on(self, case: Any) -> None:
            """The event's own effect on the case (override)."""

    class Assigned(Event):
        """Work on the case was given to a person (分案/改派); None = unassigned."""

        assignee: str | None

        def on(self, case: CaseFile) -> None:
            case.assignee = self.assignee

    class Linked(Event):
        """The case was linked to another case (诉访分离, co-defendant, referral)."""

        link: CaseLink

        def on(self, case: CaseFile) -> None:
            case.links.append(self.link)

    class DocumentAttached(Event):
        """A document was put on the case file; its content is in the blob store by sha256."""

        sha256: str
        name: str
        media_type: str
        size: int

        def on(self, case: CaseFile) -> None:
            document = Document(self.sha256, self.name, self.media_type, self.size)
            case.documents.append(document)

    # ---- what commands share -------------------------------------------------------

    @classmethod
    def register(
        cls: type[TCase], step: Step, *, case_id: UUID, reference: str, **facts: Any
    ) -> TCase:
        """Register a new case (each procedure defines its own checks and facts)."""
        raise NotImplementedError(f"{cls.__name__} does not define register()")

    @classmethod
    def open_case(
        cls: type[TCase],
        event_class: type[CaseFile.Opened],
        step: Step,
        *,
        case_id: UUID,
        deadlines: Iterable[Deadline] = (),
        **facts: Any,
    ) -> TCase:
        """Create a case from its registration event."""
        case = cls._create(
            event_class,
            id=case_id,
            timestamp=step.at,
            **_recorded(step, deadlines, ()),
            **facts,
        )
        assert isinstance(case, cls)
        return case

    def record(
        self,
        event_class: type[CaseFile.Event],
        step: Step,
        *,
        deadlines: Iterable[Deadline] = (),
        ended: Iterable[str] = (),
        **facts: Any,
    ) -> None:
        """Append one event for a step that passed its checks."""
        self.trigger_event(
            event_class, timestamp=step.at, **_recorded(step, deadlines, ended), **facts
        )

    @property
    def is_final(self) -> bool:
        """Whether the case is closed for good."""
        return self.status in self.FINAL_STATES

    def check_state(self, step_name: str, *allowed: str) -> None:
        """Refuse a step the current state does not allow."""
        if self.status not in allowed:
            raise InvalidTransition(self.WHAT, self.status_label(), step_name)

    def check_not_final(self, step_name: str) -> None:
        """Refuse any step on a closed case."""
        if self.is_final:
            raise InvalidTransition(self.WHAT, self.status_label(), step_name)

    def status_label(self) -> str:
        """The state in words (subclasses may translate)."""
        return self.status.replace("_", " ")

    @staticmethod
    def check_role(step: Step, step_name: str, *roles: Role) -> None:
        """Refuse a step the actor's role may not take."""
        if step.actor.role not in roles and step.actor.role != Role.ADMIN:
            allowed = ", ".join(str(r) for r in roles)
            role = str(step.actor.role)
            article = "an" if role[0] in "aeiou" else "a"
            raise Forbidden(f"{article} {role} may not {step_name}; this needs: {allowed}")

    @staticmethod
    def check_approved(step: Step, step_name: str) -> Actor:
        """An approver is required, holds the approver role, and is not the actor."""
        approver = step.approver
        if approver is None:
            raise ValidationError(f"to {step_name} needs an approver", field="approver")
        if approver.role != Role.APPROVER:
            raise Forbidden(f"{approver.id} is a {approver.role}, not an approver")
        if approver.id == step.actor.id:
            raise SeparationOfDuties(f"nobody approves their own request to {step_name}")
        return approver

    @staticmethod
    def check_reason(step: Step, step_name: str) -> None:
        """Refuse a step that needs a stated reason without one."""
        if not step.reason.strip():
            raise ValidationError(f"to {step_name} needs a reason", field="reason")

    def check_running(self, rule_id: str, step_name: str) -> Deadline:
        """The running deadline a step needs."""
        deadline = self.deadlines.get(rule_id)
        if deadline is None:
            raise InvalidTransition(
                self.WHAT, self.status_label(), step_name, f"no {rule_id} deadline is running"
            )
        return deadline

    def assign(self, step: Step, assignee: str | None) -> None:
        """Give the work on this case to a person, or take it back (None)."""
        self.check_not_final("be assigned")
        self.check_role(step, "assign work", Role.APPROVER, Role.HANDLER, Role.INTAKE)
        if assignee is not None and not assignee.strip():
            raise ValidationError("the assignee must be a user id", field="assignee")
        if assignee == self.assignee:
            return
        self.record(self.Assigned, step, assignee=assignee)

    def link_to(self, step: Step, other: CaseFile, relation: LinkRelation) -> None:
        """Record a link to another case (the caller links the other way too)."""
        if any(link.case_id == other.id for link in self.links):
            return
        self.record(self.Linked, step, link=CaseLink(other.id, other.KIND, relation))

    def attach_document(self, step: Step, document: Document) -> None:
        """Put a document, already in the blob store, on the case file (once per content)."""
        if step.actor.role == Role.AUDITOR:
            raise Forbidden("an auditor may not add documents to a case file")
        if any(held.sha256 == document.sha256 for held in self.documents):
            return
        self.record(
            self.DocumentAttached,
            step,
            sha256=document.sha256,
            name=document.name,
            media_type=document.media_type,
            size=document.size,
        )

    def suspended_clocks(self, step: Step) -> tuple[Deadline, ...]:
        """Every running deadline still in time, with its clock stopped today.

        A deadline already missed stays missed: suspension cannot revive it.
        """
        keeper = step.timekeeper
        return tuple(
            keeper.suspend(d, step.today)
            for d in self.deadlines.values()
            if not d.is_suspended and step.today <= d.due_on
        )

    def resumed_clocks(self, step: Step) -> tuple[Deadline, ...]:
        """Every stopped deadline continued from today with the days it had left."""
        keeper = step.timekeeper
        return tuple(
            keeper.resume(d, step.today) for d in self.deadlines.values() if d.is_suspended
        )

    def all_clocks(self) -> tuple[str, ...]:
        """Rule ids of every deadline now running (to end them all at closure)."""
        return tuple(self.deadlines)


def _recorded(step: Step, deadlines: Iterable[Deadline], ended: Iterable[str]) -> dict[str, Any]:
    return {
        "actor": step.actor,
        "reason": step.reason,
        "legal_basis": step.legal_basis,
        "approver": step.approver,
        "deadlines": tuple(deadlines),
        "ended": tuple(ended),
    }
