"""One mutation per domain command, all made by one factory from the command table."""

from __future__ import annotations

from collections.abc import Callable
from typing import Annotated, Any, TypeVar
from uuid import UUID

import strawberry
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from api.graphql.access import may_see, role_refusal
from api.graphql.commands import COMMANDS, Command
from api.graphql.context import Context
from api.graphql.errors import problem
from api.graphql.inputs import domain_kwargs, make_input, parameters, step_fields
from api.graphql.mutations.result import CaseResult, forbidden, parse_case_id, run_step
from domain.actors import Actor, Role
from domain.application import Casework
from domain.case import CaseFile
from domain.errors import DomainError, Forbidden
from domain.step import Step
from domain.values import LinkRelation

TCase = TypeVar("TCase", bound=CaseFile)


def check_visible(actor: Actor, case: CaseFile) -> None:
    """Refuse (as the domain's FORBIDDEN) a step on a case the caller may not see."""
    if not may_see(actor, case):
        raise Forbidden(f"{actor.id} of {actor.organisation} may not act on {case.reference}")


def act_visible(
    app: Casework,
    actor: Actor,
    case_id: UUID,
    kind: type[TCase],
    command: Callable[[TCase], Any],
    *,
    expected_version: int | None,
) -> TCase:
    """app.act, refusing a case the caller may not see before its version is compared, so a
    stranger learns nothing of it beyond its existence."""
    check_visible(actor, app.get_case(case_id, kind))

    def guarded(case: TCase) -> None:
        check_visible(actor, case)
        command(case)

    return app.act(case_id, kind, guarded, expected_version=expected_version)


def _target_field() -> tuple[str, Any, Any]:
    description = "The existing case of that channel to divert to; it is linked both ways."
    return ("target_case_id", strawberry.ID, strawberry.field(description=description))


def step_mutation(command: Command) -> StrawberryField:
    """The mutation for one command: typed input, role gate, one Application call."""
    method = getattr(command.aggregate, command.method)
    skip = ("target",) if command.target else ()
    fields = parameters(method, command.aggregate.__module__, command.enums, skip)
    leading = step_fields() + ([_target_field()] if command.target else [])
    input_type = make_input(command.input_name, command.description, leading, fields)

    async def resolve(info: Info[Context, None], input: Any) -> CaseResult:
        context = info.context
        actor = context.actor
        if (why := role_refusal(actor, command)) is not None:
            return forbidden(why)
        app = context.container.application
        try:
            case_id = parse_case_id(input.case_id)
            kwargs = domain_kwargs(input, fields, actor)
            approver = (
                None if input.approver is None else input.approver.actor(Role.APPROVER, actor)
            )
            step = app.step(
                actor, reason=input.reason, legal_basis=input.legal_basis, approver=approver
            )
        except DomainError as error:
            return problem(error)
        if command.target:
            return await run_step(
                context,
                lambda: _divert(app, command, step, case_id=case_id, data=input, kwargs=kwargs),
            )

        def act(case: Any) -> None:
            getattr(case, command.method)(step, **kwargs)

        return await run_step(
            context,
            lambda: act_visible(
                app, actor, case_id, command.aggregate, act, expected_version=input.expected_version
            ),
        )

    resolve.__annotations__ = {
        "info": Info[Context, None],
        "input": Annotated[input_type, strawberry.argument(description="The step's input.")],
        "return": CaseResult,
    }
    field: StrawberryField = strawberry.mutation(
        resolver=resolve, name=command.name, description=command.description
    )
    return field


def _divert(
    app: Casework, command: Command, step: Step, *, case_id: Any, data: Any, kwargs: dict[str, Any]
) -> CaseFile:
    """A diversion touches two cases: both saved, or neither (诉访分离)."""
    target = app.get_any_case(parse_case_id(data.target_case_id, "targetCaseId"))
    check_visible(step.actor, target)

    def divert(source: Any, other: CaseFile) -> None:
        check_visible(step.actor, source)
        getattr(source, command.method)(step, target=other, **kwargs)

    source, _ = app.open_linked(
        case_id,
        command.aggregate,
        target=target,
        relation=LinkRelation.DIVERTED_TO,
        source_command=divert,
        step=step,
        expected_version=data.expected_version,
    )
    return source


STEP_MUTATIONS = {command.name: step_mutation(command) for command in COMMANDS}
