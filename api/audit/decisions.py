"""A case's decision history: who decided, who approved, on what basis and evidence."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from uuid import UUID

from domain.actors import Actor
from domain.application import Casework
from domain.case import CaseFile
from domain.documents import Document
from domain.errors import NotFound


@dataclass(frozen=True)
class DecisionRecord:
    """One decision-type step, with the documents the case file held when it was taken."""

    case_id: UUID
    version: int
    step: str  # the event's name, e.g. "Decided", "DecisionDeadlineExtended"
    at: dt.datetime  # the time the step states
    decider: Actor
    approver: Actor | None
    legal_basis: str
    reason: str
    status_after: str
    documents: tuple[Document, ...]


def is_decision(event: object) -> bool:
    """Whether an event is decision-type (its class is marked DECISION)."""
    return bool(getattr(type(event), "DECISION", False))


def decision_history(app: Casework, case_id: UUID) -> list[DecisionRecord]:
    """Every decision-type event of the case, oldest first."""
    case: CaseFile | None = None
    history: list[DecisionRecord] = []
    for event in app.events.get(case_id):
        if not isinstance(event, CaseFile.Opened | CaseFile.Event):
            continue
        mutated = event.mutate(case)
        assert isinstance(mutated, CaseFile)
        case = mutated
        if isinstance(event, CaseFile.Opened) or not is_decision(event):
            continue
        history.append(
            DecisionRecord(
                case_id=case_id,
                version=event.originator_version,
                step=type(event).__name__,
                at=event.timestamp,
                decider=event.actor,
                approver=event.approver,
                legal_basis=event.legal_basis,
                reason=event.reason,
                status_after=case.status,
                documents=tuple(case.documents),
            )
        )
    if case is None:
        raise NotFound(f"no case with id {case_id}")
    return history
