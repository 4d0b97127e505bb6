"""The Query root: one case (now or as of an instant), the work queue, the court calendar, who
is asking, and the views' reads: search, trail, dossier, statistics and audit."""

from __future__ import annotations

import datetime as dt
from functools import cache
from importlib.metadata import PackageNotFoundError, version
from typing import Annotated

import strawberry
from starlette.concurrency import run_in_threadpool
from strawberry.types import Info

from api.graphql.access import check_may_see
from api.graphql.audit import AuditQueries
from api.graphql.calendar import CourtDate, court_calendar
from api.graphql.context import Context
from api.graphql.dossier import DossierQueries
from api.graphql.errors import ErrorCode, Refusal
from api.graphql.mutations.result import parse_case_id
from api.graphql.queue import WorkItemConnection, WorkQueueFilter, work_queue
from api.graphql.search import SearchQueries
from api.graphql.statistics import StatisticsQueries
from api.graphql.trail import TrailQueries
from api.graphql.types.case import Case
from api.graphql.types.common import Person
from api.graphql.types.procedures import case_type
from domain.case import CaseFile
from domain.errors import DomainError

# Views built beside this API plug in as further Query fields, each reading its view through
# Context.read: the bases of Query below (search, trail, dossier, statistics, audit).


@cache  # the installed package does not change under a running server
def _casework_version() -> str:
    try:
        return version("casework")
    except PackageNotFoundError:
        return "unknown"


@strawberry.type(description="Entry point for reading Casework.")
class Query(SearchQueries, TrailQueries, DossierQueries, StatisticsQueries, AuditQueries):
    """Root query type."""

    @strawberry.field(description="The version of the Casework server answering.")
    def server_version(self) -> str:
        """The installed package version."""
        return _casework_version()

    @strawberry.field(description="The caller, as their token names them.")
    def me(self, info: Info[Context, None]) -> Person:
        """Who the token speaks for."""
        return Person.of(info.context.actor)

    @strawberry.field(
        description="One case of any procedure, now or as it stood at a recorded instant; "
        "FORBIDDEN if the caller may not see it (as it stands now)."
    )
    async def case(
        self,
        info: Info[Context, None],
        id: Annotated[strawberry.ID, strawberry.argument(description="The case id.")],
        as_of: Annotated[
            dt.datetime | None,
            strawberry.argument(
                description="A past instant with a time zone: the case as recorded then, its "
                "deadlines counted from that instant's China date; NOT_FOUND before it was "
                "registered."
            ),
        ] = None,
    ) -> Case:
        """Read from the event store (the truth the next step checks against)."""
        context = info.context
        try:
            case_id = parse_case_id(id, "id")
        except DomainError as error:
            raise Refusal(ErrorCode(error.code), error.message) from None
        case = await context.cases.load(case_id)
        if case is None:
            raise Refusal(ErrorCode.NOT_FOUND, f"no case with id {case_id}")
        check_may_see(context.actor, case)
        if as_of is None:
            return case_type(case)
        app = context.container.application
        if as_of.tzinfo is not None and as_of > app.clock():
            raise Refusal(ErrorCode.VALIDATION, "asOf: an instant not yet recorded (the future)")
        try:
            then = await run_in_threadpool(app.case_as_of, case_id, CaseFile, as_of)
        except DomainError as error:
            raise Refusal(ErrorCode(error.code), error.message) from None
        shown = case_type(then)
        shown.as_of = as_of
        return shown

    @strawberry.field(
        description="Work items by due date: the caller's, an organisation's, or all."
    )
    async def work_queue(
        self,
        info: Info[Context, None],
        filter: Annotated[
            WorkQueueFilter | None, strawberry.argument(description="What to list; default: mine.")
        ] = None,
        first: Annotated[int, strawberry.argument(description="Page size, 1 to 100.")] = 20,
        after: Annotated[
            str | None, strawberry.argument(description="The endCursor of the previous page.")
        ] = None,
    ) -> WorkItemConnection:
        """A Relay connection over the work_queue view."""
        return await work_queue(info.context, filter or WorkQueueFilter(), first, after)

    @strawberry.field(
        description="Court dates: defences, hearings, appeal windows, judgments to "
        "perform and recommendations to answer, between two days."
    )
    async def court_calendar(
        self,
        info: Info[Context, None],
        from_: Annotated[dt.date, strawberry.argument(name="from", description="First day.")],
        to: Annotated[dt.date, strawberry.argument(description="Last day (at most 366 later).")],
        organisation: Annotated[
            str | None, strawberry.argument(description="One agency only (code).")
        ] = None,
    ) -> list[CourtDate]:
        """Coordinators, auditors and admins see every agency; others their own."""
        return await court_calendar(info.context, from_, to, organisation)
