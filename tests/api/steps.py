"""Checks that the next steps a case offers are true: each one, tried on the case as it stands
(without saving), is not refused for its state or the caller's role."""

from __future__ import annotations

import datetime as dt
import itertools
import uuid
from decimal import Decimal
from enum import Enum
from typing import Any
from uuid import UUID

from api.graphql.commands import COMMANDS
from api.graphql.inputs import ActInput, PartyInput, PersonInput, parameters
from domain.actors import Actor, Role
from domain.application import Casework
from domain.errors import DomainError, Forbidden, InvalidTransition
from domain.step import china_date

BY_NAME = {command.name: command for command in COMMANDS}


def _candidates(annotation: Any, today: dt.date) -> list[Any]:
    if isinstance(annotation, type) and issubclass(annotation, Enum):
        return list(annotation)
    samples: dict[Any, Any] = {
        str: "说明",
        int: 1,
        bool: True,
        dt.date: today,
        Decimal: Decimal(1),
        list[str]: ["一项"],
    }
    if annotation is PersonInput:
        return [Actor(f"officer-{uuid.uuid4().hex[:6]}", Role.HEARING_OFFICER, "x")]
    if annotation in (ActInput, list[PartyInput]):
        raise AssertionError("registration facts are not step arguments")
    return [samples[annotation]]


def refusals(app: Casework, case_id: UUID, actor: Actor, steps: list[str]) -> dict[str, str]:
    """For each offered step refused for state or role under every sample input: why."""
    today = china_date(app.clock())
    refused: dict[str, str] = {}
    for name in steps:
        command = BY_NAME[name]
        if command.target:
            continue  # needs a second case; covered by its own test
        fields = parameters(
            getattr(command.aggregate, command.method),
            command.aggregate.__module__,
            command.enums,
            (),
        )
        choices = [_candidates(f.annotation, today) for f in fields]
        approver = Actor(f"head-{uuid.uuid4().hex[:6]}", Role.APPROVER, actor.organisation)
        step = app.step(actor, reason="理由", legal_basis="依据", approver=approver)
        why = ""
        for values in itertools.product(*choices):
            case = app.get_any_case(case_id)
            try:
                getattr(case, command.method)(
                    step, **dict(zip([f.name for f in fields], values, strict=True))
                )
            except (Forbidden, InvalidTransition) as error:
                why = error.message
                continue
            except DomainError:
                pass
            why = ""
            break
        if why:
            refused[name] = why
    return refused
