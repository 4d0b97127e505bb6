"""The Case interface: what every procedure's case shows, its history and next steps."""

from __future__ import annotations

import datetime as dt
from typing import Any

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from api.graphql.commands import COMMANDS
from api.graphql.context import Context
from api.graphql.types.common import (
    ActType,
    CaseLinkType,
    DeadlineType,
    HistoryEvent,
    NextStep,
    PartyType,
    Person,
)
from api.graphql.types.documents import DocumentType
from domain.case import CaseFile
from domain.step import china_date
from domain.values import CaseKind


@strawberry.interface(description="A case of any procedure, as it stands now.")
class Case:
    """Read from the event store, so it is exactly what the next step will check."""

    aggregate: strawberry.Private[CaseFile]
    id: strawberry.ID = strawberry.field(description="The case id.")
    kind: CaseKind = strawberry.field(description="The procedure.")
    reference: str = strawberry.field(
        description="The reference number (案号), e.g. 信访〔2026〕12号."
    )
    title: str = strawberry.field(description="The case's title.")
    organisation: str = strawberry.field(description="The organisation (code) that registered it.")
    status: str = strawberry.field(description="The state, as the procedure names it.")
    status_label: str = strawberry.field(description="The state in words (English and Chinese).")
    is_final: bool = strawberry.field(description="Whether the case is closed for good.")
    version: int = strawberry.field(description="The version; send it as expectedVersion.")
    assignee: str | None = strawberry.field(description="Who the work is assigned to (user id).")
    act: ActType | None = strawberry.field(description="The administrative act, if any.")
    parties: list[PartyType] = strawberry.field(description="The parties, masked.")
    links: list[CaseLinkType] = strawberry.field(description="Linked cases.")
    as_of: dt.datetime | None = strawberry.field(
        description="The recorded instant the case is shown as of; null: as it stands now."
    )

    @strawberry.field(description="The documents on the case file (案卷材料), in order attached.")
    def documents(self) -> list[DocumentType]:
        """As the case holds them (as of asOf, when given)."""
        return [DocumentType.of(d) for d in self.aggregate.documents]

    @strawberry.field(
        description="Running deadlines, by due date, as of today (China time); for a case read "
        "asOf an instant, as they ran then, days left counted from that instant's China date."
    )
    def deadlines(self, info: Info[Context, None]) -> list[DeadlineType]:
        """Days left move with the day the query runs (or the day asOf names)."""
        today = info.context.today if self.as_of is None else china_date(self.as_of)
        running = sorted(self.aggregate.deadlines.values(), key=lambda d: (d.due_on, d.rule_id))
        return [DeadlineType.of(d, today) for d in running]

    @strawberry.field(
        description="The steps the caller's role and the case's state allow now (none for a "
        "case read asOf a past instant)."
    )
    def next_steps(self, info: Info[Context, None]) -> list[NextStep]:
        """From the command table: role, state, and the few conditions it records."""
        if self.as_of is not None:
            return []
        actor, today = info.context.actor, info.context.today
        return [
            NextStep(mutation=c.name, description=c.description)
            for c in COMMANDS
            if c.offered(self.aggregate, actor, today)
        ]

    @strawberry.field(description="Every recorded step up to the case's version, oldest first.")
    async def history(self, info: Info[Context, None]) -> list[HistoryEvent]:
        """Read from the event store, off the event loop."""
        app = info.context.container.application
        case_id, version = self.aggregate.id, self.aggregate.version

        def load() -> list[Any]:
            stored = app.recorder.select_events(case_id, lte=version)
            return [app.mapper.to_domain_event(s) for s in stored]

        return [_history(event) for event in await run_in_threadpool(load)]


def _history(event: Any) -> HistoryEvent:
    return HistoryEvent(
        version=event.originator_version,
        what=type(event).__name__,
        at=event.timestamp,
        actor=Person.of(event.actor),
        approver=None if event.approver is None else Person.of(event.approver),
        reason=event.reason,
        legal_basis=event.legal_basis,
        deadlines_started=[d.rule_id for d in event.deadlines],
        deadlines_ended=list(event.ended),
    )


def common_fields(case: CaseFile) -> dict[str, Any]:
    """The interface's data fields of a case."""
    return {
        "aggregate": case,
        "as_of": None,
        "id": strawberry.ID(str(case.id)),
        "kind": case.KIND,
        "reference": case.reference,
        "title": case.title,
        "organisation": case.organisation,
        "status": str(case.status),
        "status_label": case.status_label(),
        "is_final": case.is_final,
        "version": case.version,
        "assignee": case.assignee,
        "act": ActType.of(case.act),
        "parties": [PartyType.of(p) for p in case.parties],
        "links": [
            CaseLinkType(
                case_id=strawberry.ID(str(link.case_id)), kind=link.kind, relation=link.relation
            )
            for link in case.links
        ],
    }
