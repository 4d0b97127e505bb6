"""Input types: the shared ones, and each command's own, built from the domain's signature."""

from __future__ import annotations

import datetime as dt
import inspect
import sys
import types
import typing
from collections.abc import Callable, Iterable, Mapping
from dataclasses import dataclass
from decimal import Decimal
from enum import Enum
from typing import Any

import strawberry

from api.graphql.descriptions import ARGUMENTS
from api.graphql.enums import graphql_enum
from domain.actors import Actor, Role
from domain.values import AdministrativeAct, Party, PartyRole


@strawberry.input(description="A person named in a step (an approver, a hearing officer).")
class PersonInput:
    """Who, by user id; their organisation defaults to the caller's."""

    id: str = strawberry.field(description="The person's user id.")
    name: str = strawberry.field(description="The person's name, as records show it.", default="")
    organisation: str | None = strawberry.field(
        description="The person's organisation (code); default: the caller's.", default=None
    )

    def actor(self, role: Role, caller: Actor) -> Actor:
        """The domain actor, in the role the step gives them."""
        return Actor(self.id, role, self.organisation or caller.organisation, self.name)


@strawberry.input(description="A party to a case; ID number, phone and address are sensitive.")
class PartyInput:
    """A party as registered."""

    name: str = strawberry.field(description="The party's name.")
    role: PartyRole = strawberry.field(description="The party's standing in the case.")
    id_number: str = strawberry.field(description="ID card or credit code.", default="")
    phone: str = strawberry.field(description="Phone number.", default="")
    address: str = strawberry.field(description="Address.", default="")

    def party(self) -> Party:
        """The domain value."""
        return Party(self.name, PartyRole(self.role), self.id_number, self.phone, self.address)


@strawberry.input(description="The administrative act (行政行为) a dispute is about.")
class ActInput:
    """The act, identified by its agency and document number."""

    agency: str = strawberry.field(description="The agency that took the act.")
    document_number: str = strawberry.field(description="The act's document number (文号).")
    date: dt.date = strawberry.field(description="The day of the act.")
    description: str = strawberry.field(description="What the act did.", default="")

    def value(self) -> AdministrativeAct:
        """The domain value."""
        return AdministrativeAct(self.agency, self.document_number, self.date, self.description)


# Domain parameters whose value is an actor, and the role that actor holds in the step.
PERSON_ROLES = {"officer": Role.HEARING_OFFICER}
_SKIPPED = {"self", "cls", "step", "case_id", "reference"}


@dataclass(frozen=True)
class Parameter:
    """One domain parameter as an input field."""

    name: str
    annotation: Any  # the GraphQL-side Python type
    required: bool
    has_default: bool  # the domain has a default for it (else None is passed on as None)


def _graphql_type(hint: Any, name: str, enums: Mapping[str, type[Enum]]) -> tuple[Any, bool]:
    """The input annotation for a domain hint, and whether the hint allowed None."""
    optional = False
    if isinstance(hint, types.UnionType) or typing.get_origin(hint) is typing.Union:
        members = [h for h in typing.get_args(hint) if h is not type(None)]
        optional = len(members) < len(typing.get_args(hint))
        hint = members[0]
    return _plain_type(hint, name, enums), optional


def _plain_type(hint: Any, name: str, enums: Mapping[str, type[Enum]]) -> Any:
    special: dict[str, Any] = {"parties": list[PartyInput], "act": ActInput}
    special.update(dict.fromkeys(PERSON_ROLES, PersonInput))
    if name in enums:
        return graphql_enum(enums[name])
    if name in special:
        return special[name]
    if typing.get_origin(hint) in (list, tuple, Iterable) or hint is Iterable:
        return list[str]
    if isinstance(hint, type) and issubclass(hint, Enum):
        return graphql_enum(hint)
    if hint in (str, int, bool, dt.date, Decimal):
        return hint
    raise TypeError(f"no GraphQL input type for parameter {name}: {hint!r}")


def parameters(
    function: Callable[..., Any], module: str, enums: Mapping[str, type[Enum]], skip: Iterable[str]
) -> list[Parameter]:
    """The domain function's parameters (after the step) as input fields."""
    hints = typing.get_type_hints(function, globalns=vars(sys.modules[module]))
    fields: list[Parameter] = []
    for param in inspect.signature(function).parameters.values():
        if param.name in _SKIPPED or param.name in skip:
            continue
        annotation, optional = _graphql_type(hints[param.name], param.name, enums)
        has_default = param.default is not inspect.Parameter.empty
        fields.append(Parameter(param.name, annotation, not (has_default or optional), has_default))
    return fields


def make_input(
    name: str, description: str, leading: list[tuple[str, Any, Any]], fields: list[Parameter]
) -> type:
    """A strawberry input class: `leading` fields (name, annotation, field) first, then the rest."""
    annotations: dict[str, Any] = {}
    namespace: dict[str, Any] = {"__doc__": description, "__module__": __name__}
    for field_name, annotation, field in leading:
        annotations[field_name] = annotation
        namespace[field_name] = field
    for param in fields:
        if param.name not in ARGUMENTS:
            raise KeyError(f"no description for argument {param.name!r} of {name}")
        if param.required:
            annotations[param.name] = param.annotation
            namespace[param.name] = strawberry.field(description=ARGUMENTS[param.name])
        else:
            annotations[param.name] = param.annotation | None
            namespace[param.name] = strawberry.field(
                description=ARGUMENTS[param.name], default=None
            )
    namespace["__annotations__"] = annotations
    cls = type(name, (), namespace)
    return strawberry.input(cls, name=name, description=description)


def step_fields() -> list[tuple[str, Any, Any]]:
    """The fields every step's input starts with."""
    return [
        ("case_id", strawberry.ID, strawberry.field(description="The case the step is on.")),
        (
            "expected_version",
            int,
            strawberry.field(
                description="The case's version as the caller read it; a newer one is a CONFLICT."
            ),
        ),
        ("reason", str, strawberry.field(description="Why (理由), as recorded.", default="")),
        (
            "legal_basis",
            str,
            strawberry.field(description="The legal basis (法律依据) cited.", default=""),
        ),
        (
            "approver",
            PersonInput | None,
            strawberry.field(
                description="Who approved the step, where it needs one.", default=None
            ),
        ),
    ]


def domain_kwargs(data: Any, fields: list[Parameter], caller: Actor) -> dict[str, Any]:
    """The domain call's keyword arguments from an input object (unset optionals left out)."""
    kwargs: dict[str, Any] = {}
    for param in fields:
        value = getattr(data, param.name)
        if value is None:
            if not param.has_default:
                kwargs[param.name] = None
            continue
        if isinstance(value, PersonInput):
            value = value.actor(PERSON_ROLES[param.name], caller)
        elif isinstance(value, ActInput):
            value = value.value()
        elif isinstance(value, list) and value and isinstance(value[0], PartyInput):
            value = [p.party() for p in value]
        kwargs[param.name] = value
    return kwargs
