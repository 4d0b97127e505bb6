"""Registration (登记/收案): one mutation per procedure, its input built from `register`."""

from __future__ import annotations

from dataclasses import dataclass
from typing import Annotated, Any

import strawberry
from strawberry.types import Info
from strawberry.types.field import StrawberryField

from api.graphql.access import a_role
from api.graphql.commands.petition import REGISTRATION_ENUMS
from api.graphql.commands.table import camel
from api.graphql.context import Context
from api.graphql.inputs import domain_kwargs, make_input, parameters
from api.graphql.mutations.result import CaseResult, forbidden, parse_case_id, run_step
from api.graphql.mutations.steps import check_visible
from domain.actors import Role
from domain.case import CaseFile
from domain.litigation import LitigationCase
from domain.mediation import MediationCase
from domain.petition import Petition
from domain.reconsideration import ReconsiderationCase

INTAKE, H, C = Role.INTAKE, Role.HANDLER, Role.COORDINATOR


@dataclass(frozen=True)
class Registration:
    """Who registers a procedure's cases, and whether they may do so for another organisation."""

    aggregate: type[CaseFile]
    roles: frozenset[Role]
    description: str

    @property
    def name(self) -> str:
        """The mutation's name, e.g. `registerPetition`."""
        return f"register{camel(self.aggregate.KIND.value)}"


REGISTRATIONS = (
    Registration(
        Petition,
        frozenset({INTAKE}),
        "Register a petition the petitions office received "
        "(来信/来访/网上); routing is due in 15 days.",
    ),
    Registration(
        ReconsiderationCase,
        frozenset({INTAKE, H}),
        "Register an application for "
        "reconsideration (行政复议申请); admission review is due in 5 working days.",
    ),
    Registration(
        LitigationCase,
        frozenset({INTAKE, C}),
        "Register a complaint served on the agency (行政应诉); its 15-day defence period starts.",
    ),
    Registration(MediationCase, frozenset({INTAKE, H}), "Start a mediation (调解)."),
)


def _leading() -> list[tuple[str, Any, Any]]:
    return [
        ("reason", str, strawberry.field(description="Why (理由), as recorded.", default="")),
        ("legal_basis", str, strawberry.field(description="The legal basis cited.", default="")),
        (
            "organisation",
            str | None,
            strawberry.field(
                description="The organisation (code) that holds the case; default: the caller's. "
                "Only admins, and coordinators for litigation, register for another.",
                default=None,
            ),
        ),
    ]


def _repeats_field() -> tuple[str, Any, Any]:
    return (
        "repeats_case_id",
        strawberry.ID | None,
        strawberry.field(description="An earlier petition on the same facts.", default=None),
    )


def registration_mutation(spec: Registration) -> StrawberryField:
    """The registration mutation of one procedure."""
    cls = spec.aggregate
    petition = cls is Petition
    skip = ("organisation", "repeats")
    fields = parameters(cls.register, cls.__module__, REGISTRATION_ENUMS, skip)
    leading = _leading() + ([_repeats_field()] if petition else [])
    input_name = f"Register{camel(cls.KIND.value)}Input"
    input_type = make_input(input_name, spec.description, leading, fields)

    async def resolve(info: Info[Context, None], input: Any) -> CaseResult:
        context = info.context
        actor = context.actor
        if actor.role != Role.ADMIN and actor.role not in spec.roles:
            allowed = ", ".join(sorted(str(r) for r in spec.roles | {Role.ADMIN}))
            return forbidden(f"{a_role(actor)} may not {spec.name}; this needs: {allowed}")
        organisation = input.organisation or actor.organisation
        elsewhere = organisation != actor.organisation
        if elsewhere and not (
            actor.role == Role.ADMIN or (actor.role == C and cls is LitigationCase)
        ):
            return forbidden(
                f"{a_role(actor)} of {actor.organisation} registers only its own cases"
            )
        app = context.container.application

        def register() -> CaseFile:
            kwargs = domain_kwargs(input, fields, actor)
            if petition and input.repeats_case_id is not None:
                earlier = app.get_case(
                    parse_case_id(input.repeats_case_id, "repeatsCaseId"), Petition
                )
                check_visible(actor, earlier)
                kwargs["repeats"] = earlier
            step = app.step(actor, reason=input.reason, legal_basis=input.legal_basis)
            return app.register(cls, step, organisation=organisation, **kwargs)

        return await run_step(context, register)

    resolve.__annotations__ = {
        "info": Info[Context, None],
        "input": Annotated[input_type, strawberry.argument(description="What was received.")],
        "return": CaseResult,
    }
    field: StrawberryField = strawberry.mutation(
        resolver=resolve, name=spec.name, description=spec.description
    )
    return field


REGISTRATION_MUTATIONS = {spec.name: registration_mutation(spec) for spec in REGISTRATIONS}
