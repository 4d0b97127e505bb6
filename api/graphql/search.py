"""Case search as GraphQL: the filter, the case summaries, and a Relay-style connection."""

from __future__ import annotations

import datetime as dt
from typing import Annotated
from uuid import UUID

import strawberry
from strawberry.types import Info

from api.graphql import cursors
from api.graphql.access import search_scope
from api.graphql.context import Context
from api.graphql.errors import ErrorCode, Refusal
from api.graphql.queue import MAX_PAGE, PageInfo
from domain.values import CaseKind, PartyRole
from projections.case_summary import CaseCursor, CaseSummary, SearchFilter, search_cases


@strawberry.input(description="Which cases to find; every filter given must hold.")
class CaseSearchFilter:
    """Filters on the case summaries; a blank text filters nothing."""

    text: str | None = strawberry.field(
        description="Each word is part of some name: reference, title, party or act.", default=None
    )
    reference: str | None = strawberry.field(
        description="Part of the reference number (案号).", default=None
    )
    party: str | None = strawberry.field(description="Part of a party's name.", default=None)
    act: str | None = strawberry.field(
        description="Part of the act's agency, document number (文号) or key.", default=None
    )
    kind: CaseKind | None = strawberry.field(description="Only this procedure.", default=None)
    status: str | None = strawberry.field(description="Only cases in this state.", default=None)
    organisation: str | None = strawberry.field(
        description="Only this organisation's cases; FORBIDDEN if the caller may not search it.",
        default=None,
    )
    assignee: str | None = strawberry.field(
        description="Only the cases assigned to this user id (exactly).", default=None
    )
    open_only: bool | None = strawberry.field(
        description="Only cases not yet closed (结案); false or null: closed ones too.",
        default=None,
    )
    opened_from: dt.date | None = strawberry.field(
        description="Registered on or after this day.", default=None
    )
    opened_to: dt.date | None = strawberry.field(
        description="Registered on or before this day.", default=None
    )


@strawberry.type(description="A party as the summary lists it: name and standing.")
class PartyName:
    """ID number, phone and address are not in summaries at all."""

    name: str = strawberry.field(description="The party's name (shown as on the case).")
    role: PartyRole = strawberry.field(description="The party's standing.")


@strawberry.type(description="The administrative act a found case is about.")
class ActSummary:
    """Agency, document number, day, and the key that joins cases about one act."""

    agency: str = strawberry.field(description="The agency that took the act.")
    document_number: str = strawberry.field(description="Its document number (文号).")
    date: dt.date = strawberry.field(description="The day of the act.")
    key: str = strawberry.field(description="The act's key (pass to dossierOfAct).")


@strawberry.type(name="CaseSummary", description="A case at a glance, as the search view holds it.")
class CaseSummaryType:
    """One search result; open it with case(id:) for everything else."""

    id: strawberry.ID = strawberry.field(description="The case id.")
    kind: CaseKind = strawberry.field(description="The procedure.")
    reference: str = strawberry.field(description="The reference number (案号).")
    title: str = strawberry.field(description="The case's title.")
    organisation: str = strawberry.field(description="The organisation that registered it.")
    status: str = strawberry.field(description="Its state.")
    assignee: str | None = strawberry.field(description="Who works on it.")
    act: ActSummary | None = strawberry.field(description="The act it is about, if any.")
    parties: list[PartyName] = strawberry.field(description="The parties.")
    opened_on: dt.date = strawberry.field(description="The day it was registered.")
    closed_on: dt.date | None = strawberry.field(description="The day it closed, if it has.")
    last_event_at: dt.datetime = strawberry.field(description="When its last step was recorded.")
    version: int = strawberry.field(description="Its version.")
    running_deadlines: int = strawberry.field(description="Deadlines running now.")
    suspended_deadlines: int = strawberry.field(description="Deadlines whose clock is stopped.")
    next_due_on: dt.date | None = strawberry.field(description="The earliest running due date.")

    @classmethod
    def of(cls, summary: CaseSummary) -> CaseSummaryType:
        """From the view's row."""
        act = summary.act
        return cls(
            id=strawberry.ID(str(summary.case_id)),
            kind=CaseKind(summary.kind),
            reference=summary.reference,
            title=summary.title,
            organisation=summary.organisation,
            status=summary.status,
            assignee=summary.assignee,
            act=None
            if act is None
            else ActSummary(
                agency=act.agency, document_number=act.document_number, date=act.date, key=act.key
            ),
            parties=[PartyName(name=p.name, role=PartyRole(p.role)) for p in summary.parties],
            opened_on=summary.opened_on,
            closed_on=summary.closed_on,
            last_event_at=summary.last_event_at,
            version=summary.version,
            running_deadlines=summary.running_deadlines,
            suspended_deadlines=summary.suspended_deadlines,
            next_due_on=summary.next_due_on,
        )


@strawberry.type(description="A found case and its cursor.")
class CaseSummaryEdge:
    """Relay edge."""

    cursor: str = strawberry.field(description="This case's place in the results.")
    node: CaseSummaryType = strawberry.field(description="The case.")


@strawberry.type(description="A page of found cases, newest first (Relay connection).")
class CaseSummaryConnection:
    """Relay connection."""

    edges: list[CaseSummaryEdge] = strawberry.field(description="The cases of this page.")
    page_info: PageInfo = strawberry.field(description="How to get the next page.")


def encode_cursor(summary: CaseSummary) -> str:
    """An opaque cursor for a case's place in the results (opening day, then id)."""
    return cursors.encode(summary.opened_on.isoformat(), summary.case_id)


def decode_cursor(cursor: str) -> CaseCursor:
    """The place a cursor names, or a VALIDATION refusal naming `after`."""

    def parse(fields: list[str]) -> CaseCursor:
        day, case = fields
        return CaseCursor(dt.date.fromisoformat(day), UUID(case))

    return cursors.decode(cursor, parse, "this search")


@strawberry.type(description="Finding cases.")
class SearchQueries:
    """Query fields over the case summaries."""

    @strawberry.field(
        description="Cases matching every filter, newest first. Without `organisation`, the "
        "cases the caller may search (their organisation's; a coordinator's also litigation "
        "everywhere; everything for auditors and admins); naming another is FORBIDDEN."
    )
    async def search_cases(
        self,
        info: Info[Context, None],
        filter: Annotated[
            CaseSearchFilter | None, strawberry.argument(description="What to find.")
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size, 1 to 100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
    ) -> CaseSummaryConnection:
        """One statement on the case summaries."""
        context, where = info.context, filter or CaseSearchFilter()
        if not 1 <= first <= MAX_PAGE:
            raise Refusal(ErrorCode.VALIDATION, f"first: a page holds 1 to {MAX_PAGE} cases")
        kind = None if where.kind is None else where.kind.value
        scope = search_scope(context.actor, where.organisation, kind)
        wanted = SearchFilter(
            text=where.text,
            reference=where.reference,
            party=where.party,
            act=where.act,
            kind=kind,
            status=where.status,
            organisation=where.organisation,
            assignee=where.assignee,
            open_only=bool(where.open_only),
            opened_from=where.opened_from,
            opened_to=where.opened_to,
        )
        page = await context.read(
            search_cases,
            wanted,
            scope=scope,
            limit=first,
            after=None if after is None else decode_cursor(after),
        )
        edges = [
            CaseSummaryEdge(cursor=encode_cursor(c), node=CaseSummaryType.of(c)) for c in page.cases
        ]
        return CaseSummaryConnection(
            edges=edges,
            page_info=PageInfo(
                has_next_page=page.next is not None, end_cursor=edges[-1].cursor if edges else None
            ),
        )
