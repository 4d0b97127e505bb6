"""Who works on what: assign or reassign a case, hand over someone's work, link two cases."""

from __future__ import annotations

from collections.abc import Callable
from typing import Any
from uuid import UUID

import strawberry

from api.graphql.access import SEES_EVERYTHING, a_role
from api.graphql.commands.table import READ_ONLY
from api.graphql.context import Context
from api.graphql.mutations.result import CaseResult, forbidden, parse_case_id, run_step
from api.graphql.mutations.steps import act_visible, check_visible
from domain.actors import Role
from domain.case import CaseFile
from domain.values import LinkRelation
from projections.case_summary import open_cases_assigned_to

# The domain lets these assign a single case; handing over all of a person's work is the head's.
ASSIGNERS = frozenset({Role.APPROVER, Role.HANDLER, Role.INTAKE, Role.ADMIN})
HANDOVER = frozenset({Role.APPROVER, Role.ADMIN})


@strawberry.input(description="Give the work on one case to a person, or take it back.")
class AssignCaseInput:
    """Assignment (分案) and reassignment (改派) are the same step."""

    case_id: strawberry.ID = strawberry.field(description="The case.")
    expected_version: int = strawberry.field(description="The case's version as read.")
    assignee: str | None = strawberry.field(description="The user id; null unassigns.")
    reason: str = strawberry.field(description="Why (e.g. who is away).", default="")


@strawberry.input(description="Hand over every open case assigned to one person (someone leaves).")
class ReassignWorkInput:
    """Bulk reassignment within the caller's organisation (or any, for admins)."""

    from_user: str = strawberry.field(description="Whose cases to hand over.")
    to_user: str | None = strawberry.field(
        description="Who takes them; null leaves them unassigned."
    )
    reason: str = strawberry.field(description="Why, as recorded on each case.", default="")


@strawberry.type(description="The outcome of handing over someone's work, case by case.")
class WorkReassigned:
    """Each case is its own step: one refusal does not undo the others."""

    results: list[CaseResult] = strawberry.field(description="One result per case handed over.")


@strawberry.input(description="Link two existing cases both ways (e.g. co-defendants).")
class LinkCasesInput:
    """Both links are saved together, or neither."""

    first_case_id: strawberry.ID = strawberry.field(description="One case.")
    second_case_id: strawberry.ID = strawberry.field(description="The other case.")
    relation: LinkRelation = strawberry.field(description="How the first relates to the second.")
    reason: str = strawberry.field(description="Why they are linked.", default="")


async def assign(context: Context, data: AssignCaseInput) -> CaseResult:
    """Assign or reassign one case."""
    actor = context.actor
    if actor.role not in ASSIGNERS:
        return forbidden(f"{a_role(actor)} may not assign work")
    app = context.container.application

    def run() -> Any:
        case_id = parse_case_id(data.case_id)
        step = app.step(actor, reason=data.reason)
        return act_visible(
            app,
            actor,
            case_id,
            CaseFile,
            lambda case: case.assign(step, data.assignee),
            expected_version=data.expected_version,
        )

    return await run_step(context, run)


async def reassign_work(context: Context, data: ReassignWorkInput) -> WorkReassigned:
    """Reassign every open case of one person, each as its own step."""
    actor = context.actor
    if actor.role not in HANDOVER:
        return WorkReassigned(results=[forbidden(f"{a_role(actor)} may not hand over work")])
    scope = None if actor.role in SEES_EVERYTHING else (actor.organisation,)
    case_ids = await context.read(open_cases_assigned_to, data.from_user, scope)
    results: list[CaseResult] = []
    for case_id in case_ids:
        results.append(await run_step(context, _handover(context, case_id, data)))
    return WorkReassigned(results=results)


def _handover(context: Context, case_id: UUID, data: ReassignWorkInput) -> Callable[[], CaseFile]:
    app, actor = context.container.application, context.actor

    def run() -> CaseFile:
        step = app.step(actor, reason=data.reason)
        return act_visible(
            app,
            actor,
            case_id,
            CaseFile,
            lambda case: case.assign(step, data.to_user),
            expected_version=None,
        )

    return run


async def link(context: Context, data: LinkCasesInput) -> CaseResult:
    """Link two cases both ways; the result shows the first."""
    actor = context.actor
    if actor.role in READ_ONLY:
        return forbidden(f"{a_role(actor)} takes no steps")
    app = context.container.application

    def run() -> Any:
        first = app.get_any_case(parse_case_id(data.first_case_id, "firstCaseId"))
        second = app.get_any_case(parse_case_id(data.second_case_id, "secondCaseId"))
        check_visible(actor, first)
        check_visible(actor, second)
        app.link_cases(first.id, second.id, data.relation, app.step(actor, reason=data.reason))
        return app.get_any_case(first.id)

    return await run_step(context, run)
