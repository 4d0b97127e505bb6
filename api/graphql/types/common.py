"""Types every case shows: people, parties, the act, deadlines, links, history, next steps."""

from __future__ import annotations

import datetime as dt

import strawberry

from domain.actors import Actor, Role
from domain.deadlines import Deadline as DomainDeadline
from domain.values import AdministrativeAct, CaseKind, LinkRelation, Party, PartyRole


@strawberry.type(description="A person as a step recorded them.")
class Person:
    """Who acted or approved."""

    id: str = strawberry.field(description="The user id.")
    role: Role = strawberry.field(description="The role they acted in.")
    organisation: str = strawberry.field(description="Their organisation (code).")
    name: str = strawberry.field(description="Their name, if recorded.")

    @classmethod
    def of(cls, actor: Actor) -> Person:
        """From the domain actor."""
        return cls(id=actor.id, role=actor.role, organisation=actor.organisation, name=actor.name)


@strawberry.type(description="A party; ID number, phone and address are shown masked.")
class PartyType:
    """A party to the case (PIPL: sensitive fields masked)."""

    name: str = strawberry.field(description="The party's name.")
    role: PartyRole = strawberry.field(description="The party's standing.")
    id_number: str = strawberry.field(description="ID number, masked.")
    phone: str = strawberry.field(description="Phone, masked.")
    address: str = strawberry.field(description="Address, masked.")

    @classmethod
    def of(cls, party: Party) -> PartyType:
        """From the domain party, masked."""
        shown = party.masked()
        return cls(
            name=shown.name,
            role=shown.role,
            id_number=shown.id_number,
            phone=shown.phone,
            address=shown.address,
        )


@strawberry.type(name="AdministrativeAct", description="The act (行政行为) the case is about.")
class ActType:
    """Agency, document number, date."""

    agency: str = strawberry.field(description="The agency that took the act.")
    document_number: str = strawberry.field(description="Its document number (文号).")
    date: dt.date = strawberry.field(description="The day of the act.")
    description: str = strawberry.field(description="What the act did.")

    @classmethod
    def of(cls, act: AdministrativeAct | None) -> ActType | None:
        """From the domain value."""
        if act is None:
            return None
        return cls(
            agency=act.agency,
            document_number=act.document_number,
            date=act.date,
            description=act.description,
        )


@strawberry.type(description="A running statutory deadline (期限) and what it waits for.")
class DeadlineType:
    """Days left and overdue are as of the day the query runs."""

    rule_id: str = strawberry.field(description="The rule in the rules table.")
    step: str = strawberry.field(description="The step that is due.")
    started_on: dt.date = strawberry.field(description="The day the period started.")
    due_on: dt.date = strawberry.field(description="The due date (while suspended: as it stood).")
    suspended: bool = strawberry.field(description="Whether its clock is stopped (中止).")
    extended_by: int = strawberry.field(description="Days it was extended by (延长).")
    legal_basis: str = strawberry.field(description="The provision that sets it.")
    warnings: list[str] = strawberry.field(description="Warnings about how it was counted.")
    days_left: int | None = strawberry.field(
        description="Days left until the due date (negative: overdue); null while suspended."
    )
    overdue: bool = strawberry.field(description="Whether it is past its due date.")

    @classmethod
    def of(cls, deadline: DomainDeadline, today: dt.date) -> DeadlineType:
        """From the domain deadline, as of today."""
        suspended = deadline.is_suspended
        return cls(
            rule_id=deadline.rule_id,
            step=deadline.step,
            started_on=deadline.started_on,
            due_on=deadline.due_on,
            suspended=suspended,
            extended_by=deadline.extended_by,
            legal_basis=deadline.legal_basis,
            warnings=list(deadline.warnings),
            days_left=None if suspended else (deadline.due_on - today).days,
            overdue=not suspended and today > deadline.due_on,
        )


@strawberry.type(description="A link from this case to another (诉访分离, co-defendant, referral).")
class CaseLinkType:
    """The other case, by id and kind."""

    case_id: strawberry.ID = strawberry.field(description="The other case's id.")
    kind: CaseKind = strawberry.field(description="The other case's procedure.")
    relation: LinkRelation = strawberry.field(description="How this case relates to it.")


@strawberry.type(description="One recorded step in a case's history.")
class HistoryEvent:
    """Who did what, when, why and on what basis."""

    version: int = strawberry.field(description="The case's version after this step.")
    what: str = strawberry.field(description="The event's name, e.g. DefenceFiled.")
    at: dt.datetime = strawberry.field(description="When it was recorded (UTC).")
    actor: Person = strawberry.field(description="Who took the step.")
    approver: Person | None = strawberry.field(description="Who approved it, if anyone.")
    reason: str = strawberry.field(description="The stated reason (理由).")
    legal_basis: str = strawberry.field(description="The legal basis cited.")
    deadlines_started: list[str] = strawberry.field(description="Rules whose clocks it moved.")
    deadlines_ended: list[str] = strawberry.field(description="Rules whose clocks it stopped.")


@strawberry.type(description="A step the caller may take next on the case.")
class NextStep:
    """A mutation the caller's role and the case's state allow now."""

    mutation: str = strawberry.field(description="The mutation's name.")
    description: str = strawberry.field(description="What the step does.")
