"""What the API knows of a domain command: its aggregate, method, roles and the states it needs."""

from __future__ import annotations

import datetime as dt
from collections.abc import Callable, Mapping
from dataclasses import dataclass, field
from enum import Enum
from typing import Any

from domain.actors import Actor, Role
from domain.case import CaseFile

# Roles that never write: refused by the API before the domain is asked.
READ_ONLY = frozenset({Role.AUDITOR})


def camel(snake: str) -> str:
    """`file_defence` → `FileDefence`."""
    return "".join(part.capitalize() for part in snake.split("_"))


@dataclass(frozen=True)
class Command:
    """One mutation: `<kind><Method>` runs `aggregate.method(step, **input)` on one case.

    `roles` is the API's role gate (admin always passes, as in the domain); `states` the states
    in which the step is offered as a next step (None: any state that is not final);
    `applies` a further condition on the case, the caller and the day for offering it.
    """

    aggregate: type[CaseFile]
    method: str
    roles: frozenset[Role]
    states: frozenset[str] | None
    description: str
    enums: Mapping[str, type[Enum]] = field(default_factory=dict)  # str params that are choices
    applies: Callable[[Any, Actor, dt.date], bool] | None = None
    target: bool = False  # the step takes a second, existing case (diversion)

    @property
    def name(self) -> str:
        """The mutation's name, e.g. `litigationFileDefence`."""
        return f"{self.aggregate.KIND.value}{camel(self.method)}"

    @property
    def input_name(self) -> str:
        """The mutation's input type, e.g. `LitigationFileDefenceInput`."""
        return f"{camel(self.aggregate.KIND.value)}{camel(self.method)}Input"

    def allows_role(self, role: Role) -> bool:
        """Whether the API lets the role try this step at all."""
        return role == Role.ADMIN or (role in self.roles and role not in READ_ONLY)

    def offered(self, case: CaseFile, actor: Actor, today: dt.date) -> bool:
        """Whether the step is a next step for this caller on the case as it stands."""
        if not isinstance(case, self.aggregate) or not self.allows_role(actor.role):
            return False
        if self.states is None:
            if case.is_final:
                return False
        elif str(case.status) not in self.states:
            return False
        return self.applies is None or self.applies(case, actor, today)


def command(
    aggregate: type[CaseFile],
    method: str,
    roles: tuple[Role, ...],
    states: tuple[Enum, ...] | None,
    description: str,
    **extra: Any,
) -> Command:
    """A table row, with states given as the domain's status enum members."""
    return Command(
        aggregate=aggregate,
        method=method,
        roles=frozenset(roles),
        states=None if states is None else frozenset(str(s.value) for s in states),
        description=description,
        **extra,
    )
