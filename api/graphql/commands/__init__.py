"""Every domain command the API exposes, as data: one table per procedure."""

from __future__ import annotations

from api.graphql.commands.litigation import LITIGATION
from api.graphql.commands.mediation import MEDIATION
from api.graphql.commands.petition import PETITION
from api.graphql.commands.reconsideration import RECONSIDERATION
from api.graphql.commands.table import Command

COMMANDS: tuple[Command, ...] = (*PETITION, *RECONSIDERATION, *LITIGATION, *MEDIATION)

__all__ = ["COMMANDS", "Command"]
