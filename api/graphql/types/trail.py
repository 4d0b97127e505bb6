"""Types of the accountability trail: steps, their pages, and the responsibility chain."""

from __future__ import annotations

import datetime as dt
from enum import Enum

import strawberry

from api.graphql.queue import PageInfo
from api.graphql.types.common import Person
from domain.actors import Actor, Role
from domain.values import CaseKind
from projections.trail import ResponsibleStep, TrailEntry


@strawberry.type(
    name="TrailEntry", description="One recorded step on a case, as the trail holds it."
)
class TrailEntryType:
    """Who took it and who approved it, when, why and on what basis."""

    position: int = strawberry.field(description="Its place in the event log.")
    case_id: strawberry.ID = strawberry.field(description="The case.")
    version: int = strawberry.field(description="The case's version after the step.")
    at: dt.datetime = strawberry.field(description="When it was recorded (UTC).")
    kind: CaseKind = strawberry.field(description="The case's procedure.")
    reference: str = strawberry.field(description="The case's reference number.")
    organisation: str = strawberry.field(description="The case's organisation.")
    step: str = strawberry.field(description="The step, e.g. defence_filed.")
    decisive: bool = strawberry.field(description="Whether it bears on the case's outcome.")
    actor: Person = strawberry.field(description="Who took it.")
    approver: Person | None = strawberry.field(description="Who approved it, if anyone.")
    reason: str = strawberry.field(description="The stated reason (理由).")
    legal_basis: str = strawberry.field(description="The legal basis cited.")
    deadlines: list[str] = strawberry.field(description="Rules whose clocks it started or moved.")
    ended: list[str] = strawberry.field(description="Rules whose clocks it stopped.")

    @classmethod
    def of(cls, entry: TrailEntry) -> TrailEntryType:
        """From the view's row."""
        approver = (
            None
            if entry.approver_id is None
            else Person(
                id=entry.approver_id,
                role=Role(entry.approver_role or Role.APPROVER),
                organisation=entry.approver_organisation or "",
                name=entry.approver_name or "",
            )
        )
        return cls(
            position=entry.position,
            case_id=strawberry.ID(str(entry.case_id)),
            version=entry.version,
            at=entry.at,
            kind=CaseKind(entry.kind),
            reference=entry.reference,
            organisation=entry.organisation,
            step=entry.step,
            decisive=entry.decisive,
            actor=Person.of(
                Actor(
                    entry.actor_id,
                    Role(entry.actor_role),
                    entry.actor_organisation,
                    entry.actor_name,
                )
            ),
            approver=approver,
            reason=entry.reason,
            legal_basis=entry.legal_basis,
            deadlines=list(entry.deadlines),
            ended=list(entry.ended),
        )


@strawberry.type(description="A trail step and its cursor.")
class TrailEdge:
    """Relay edge."""

    cursor: str = strawberry.field(description="This step's place in the trail.")
    node: TrailEntryType = strawberry.field(description="The step.")


@strawberry.type(description="A page of the trail, oldest first (Relay connection).")
class TrailConnection:
    """Relay connection."""

    edges: list[TrailEdge] = strawberry.field(description="The steps of this page.")
    page_info: PageInfo = strawberry.field(description="How to get the next page.")


@strawberry.enum(description="A person's part in a decision-bearing step.")
class Capacity(Enum):
    """Took it, or approved it."""

    ACTED = "acted"
    APPROVED = "approved"


@strawberry.type(description="One person's part in a decision-bearing step (责任倒查).")
class ResponsibleStepType:
    """Who is answerable for what, on which case, and why."""

    position: int = strawberry.field(description="The step's place in the event log.")
    at: dt.datetime = strawberry.field(description="When it was recorded (UTC).")
    case_id: strawberry.ID = strawberry.field(description="The case it was taken on.")
    kind: CaseKind = strawberry.field(description="That case's procedure.")
    reference: str = strawberry.field(description="That case's reference number.")
    step: str = strawberry.field(description="The step, e.g. decided.")
    capacity: Capacity = strawberry.field(description="Whether the person took or approved it.")
    person: Person = strawberry.field(description="The person answerable.")
    reason: str = strawberry.field(description="The stated reason (理由).")
    legal_basis: str = strawberry.field(description="The legal basis cited.")

    @classmethod
    def of(cls, step: ResponsibleStep) -> ResponsibleStepType:
        """From the view's row."""
        person = Actor(step.person_id, Role(step.role), step.organisation, step.name)
        return cls(
            position=step.position,
            at=step.at,
            case_id=strawberry.ID(str(step.case_id)),
            kind=CaseKind(step.kind),
            reference=step.reference,
            step=step.step,
            capacity=Capacity(step.capacity),
            person=Person.of(person),
            reason=step.reason,
            legal_basis=step.legal_basis,
        )


@strawberry.type(description="The decision-bearing steps behind a case and its linked cases.")
class ResponsibilityChain:
    """Oldest first; what the caller may not see is named, not silently dropped."""

    steps: list[ResponsibleStepType] = strawberry.field(description="Who answers for what.")
    withheld_cases: list[str] = strawberry.field(
        description="Reference numbers of linked cases the caller may not see (steps left out)."
    )
