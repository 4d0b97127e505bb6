"""The work queue as GraphQL: items, their filter, and Relay-style cursor pagination."""

from __future__ import annotations

import datetime as dt
from enum import Enum
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.graphql import cursors
from api.graphql.access import SEES_EVERYTHING, a_role, litigation_only, queue_scope
from api.graphql.context import Context
from api.graphql.errors import ErrorCode, Refusal
from domain.actors import Actor, Role
from domain.values import CaseKind
from projections.case_summary import CaseGlance
from projections.work_queue import QueueCursor, QueueFilter, WorkItem, queue_page_statement

MAX_PAGE = 100


@strawberry.enum(description="Whose work a queue read covers.")
class QueueScope(Enum):
    """Mine, my organisation's (or a named one's), or every organisation's."""

    MINE = "mine"
    ORGANISATION = "organisation"
    ALL = "all"


@strawberry.input(description="Which work items to list; every filter given must hold.")
class WorkQueueFilter:
    """Filters on the queue."""

    scope: QueueScope = strawberry.field(
        description="MINE (assigned to the caller), ORGANISATION or ALL.", default=QueueScope.MINE
    )
    organisation: str | None = strawberry.field(
        description="With ORGANISATION: whose queue; default the caller's.", default=None
    )
    kinds: list[CaseKind] | None = strawberry.field(
        description="Only these procedures.", default=None
    )
    step: str | None = strawberry.field(description="Only this rule id or step.", default=None)
    assignee: str | None = strawberry.field(
        description="Only work assigned to this user.", default=None
    )
    unassigned: bool = strawberry.field(description="Only work nobody is assigned.", default=False)
    due_before: dt.date | None = strawberry.field(
        description="Only items due before this day.", default=None
    )
    overdue: bool = strawberry.field(description="Only items already overdue today.", default=False)


@strawberry.type(description="The case a work item belongs to, as the summary view shows it.")
class CaseGlanceType:
    """State and version, for acting on the item without opening the case."""

    status: str = strawberry.field(description="The case's state.")
    version: int = strawberry.field(description="The case's version (expectedVersion).")
    opened_on: dt.date = strawberry.field(description="The day it was registered.")


@strawberry.type(description="A step someone must take on a case by a date (a running deadline).")
class WorkItemType:
    """One row of the queue; days left and overdue are as of today (China time)."""

    item: strawberry.Private[WorkItem]
    case_id: strawberry.ID = strawberry.field(description="The case.")
    rule_id: str = strawberry.field(description="The deadline's rule.")
    kind: CaseKind = strawberry.field(description="The procedure.")
    reference: str = strawberry.field(description="The case's reference number.")
    title: str = strawberry.field(description="The case's title.")
    organisation: str = strawberry.field(description="The organisation holding the case.")
    assignee: str | None = strawberry.field(description="Who works on it.")
    step: str = strawberry.field(description="The step that is due.")
    due_on: dt.date = strawberry.field(description="The due date.")
    days_left: int | None = strawberry.field(
        description="Days left (negative: overdue); null while suspended."
    )
    overdue: bool = strawberry.field(description="Whether it is past due.")
    suspended: bool = strawberry.field(description="Whether its clock is stopped.")
    extended_by: int = strawberry.field(
        description="Days the deadline was extended by (0: not extended)."
    )
    legal_basis: str = strawberry.field(description="The provision that sets the deadline.")
    warnings: list[str] = strawberry.field(description="Counting warnings.")

    @strawberry.field(description="The case's state and version (batched: one query per page).")
    async def case(self, info: Info[Context, None]) -> CaseGlanceType | None:
        """Through the request's dataloader."""
        glance: CaseGlance | None = await info.context.glances.load(self.item.case_id)
        if glance is None:
            return None
        return CaseGlanceType(
            status=glance.status, version=glance.version, opened_on=glance.opened_on
        )

    @classmethod
    def of(cls, item: WorkItem, case_id: str | None = None) -> WorkItemType:
        """From the view's row (`case_id`: its id as text, when already made)."""
        return cls(
            item=item,
            case_id=strawberry.ID(case_id or str(item.case_id)),
            rule_id=item.rule_id,
            kind=CaseKind(item.kind),
            reference=item.reference,
            title=item.title,
            organisation=item.organisation,
            assignee=item.assignee,
            step=item.step,
            due_on=item.due_on,
            days_left=item.days_left,
            overdue=item.overdue,
            suspended=item.suspended,
            extended_by=item.extended_by,
            legal_basis=item.legal_basis,
            warnings=list(item.warnings),
        )


@strawberry.type(description="Relay page information.")
class PageInfo:
    """Whether more items follow, and the cursor to continue after."""

    has_next_page: bool = strawberry.field(description="Whether another page follows.")
    end_cursor: str | None = strawberry.field(description="Pass as `after` for the next page.")


@strawberry.type(description="A work item and its cursor.")
class WorkItemEdge:
    """Relay edge."""

    cursor: str = strawberry.field(description="This item's position in the queue.")
    node: WorkItemType = strawberry.field(description="The work item.")


@strawberry.type(description="A page of the work queue, by due date (Relay connection).")
class WorkItemConnection:
    """Relay connection."""

    edges: list[WorkItemEdge] = strawberry.field(description="The items of this page.")
    page_info: PageInfo = strawberry.field(description="How to get the next page.")


def encode_cursor(item: WorkItem, case_id: str | None = None) -> str:
    """An opaque cursor for an item's place in the queue's order."""
    return cursors.encode(item.due_on.isoformat(), case_id or str(item.case_id), item.rule_id)


def _edge(item: WorkItem) -> WorkItemEdge:
    case_id = str(item.case_id)  # once: UUID's text is not cheap, and a page makes 100
    return WorkItemEdge(cursor=encode_cursor(item, case_id), node=WorkItemType.of(item, case_id))


def decode_cursor(cursor: str) -> QueueCursor:
    """The place a cursor names, or a VALIDATION refusal naming `after`."""

    def parse(fields: list[str]) -> QueueCursor:
        due, case, rule = fields
        return QueueCursor(dt.date.fromisoformat(due), UUID(case), rule)

    return cursors.decode(cursor, parse, "this queue")


def queue_filter(actor: Actor, where: WorkQueueFilter, today: dt.date) -> QueueFilter:
    """The view filter the caller asked for, within what the caller may see."""
    kinds = None if where.kinds is None else tuple(k.value for k in where.kinds)
    organisation: str | None
    assignee = where.assignee
    if where.scope is QueueScope.MINE:
        organisation, assignee = None, actor.id
    elif where.scope is QueueScope.ORGANISATION:
        organisation, kinds = queue_scope(actor, where.organisation, kinds)
    elif actor.role in SEES_EVERYTHING:
        organisation = None
    elif actor.role == Role.COORDINATOR:
        organisation, kinds = None, litigation_only(kinds)
    else:
        raise Refusal(
            ErrorCode.FORBIDDEN, f"{a_role(actor)} may not read every organisation's queue"
        )
    return QueueFilter(
        organisation=organisation,
        assignee=assignee,
        unassigned=where.unassigned,
        kinds=kinds,
        step=where.step,
        due_before=where.due_before,
        overdue_on=today if where.overdue else None,
    )


async def work_queue(
    context: Context, where: WorkQueueFilter, first: int, after: str | None
) -> WorkItemConnection:
    """One page of the queue: one statement for the items, one for their cases (dataloader)."""
    if not 1 <= first <= MAX_PAGE:
        raise Refusal(ErrorCode.VALIDATION, f"first: a page holds 1 to {MAX_PAGE} items")
    today = context.today
    view_filter = queue_filter(context.actor, where, today)
    cursor = None if after is None else decode_cursor(after)
    statement = queue_page_statement(today, view_filter, first=first, after=cursor)
    items, more = await context.select(statement)
    edges = [_edge(i) for i in items]
    end = edges[-1].cursor if edges else None
    return WorkItemConnection(edges=edges, page_info=PageInfo(has_next_page=more, end_cursor=end))
