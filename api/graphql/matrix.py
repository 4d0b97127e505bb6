"""The role matrix: which role may try which mutation, as docs/api.md shows it."""

from __future__ import annotations

from collections.abc import Iterator

from api.graphql.commands import COMMANDS
from api.graphql.commands.table import READ_ONLY
from api.graphql.mutations.registration import REGISTRATIONS
from api.graphql.mutations.work import ASSIGNERS, HANDOVER
from domain.actors import Role

ROLES = tuple(Role)
BEGIN = "<!-- role-matrix:begin (python -m api.graphql.export) -->"
END = "<!-- role-matrix:end -->"


def allowed_roles() -> Iterator[tuple[str, frozenset[Role]]]:
    """Every mutation and the roles the API lets try it (admin always; auditors never)."""
    for spec in REGISTRATIONS:
        yield spec.name, spec.roles | {Role.ADMIN}
    for command in COMMANDS:
        yield command.name, frozenset(r for r in ROLES if command.allows_role(r))
    yield "assignCase", ASSIGNERS
    yield "reassignWork", HANDOVER
    yield "linkCases", frozenset(r for r in ROLES if r not in READ_ONLY)
    yield "attachDocument", frozenset(r for r in ROLES if r not in READ_ONLY)


def markdown() -> str:
    """The matrix as a Markdown table between its markers."""
    header = "| mutation | " + " | ".join(r.value for r in ROLES) + " |"
    rule = "|---|" + "---|" * len(ROLES)
    rows = [
        f"| `{name}` | " + " | ".join("✓" if r in roles else "—" for r in ROLES) + " |"
        for name, roles in allowed_roles()
    ]
    return "\n".join([BEGIN, header, rule, *rows, END])


def replace_in(text: str) -> str:
    """The document with its matrix block replaced by the current one."""
    start, end = text.index(BEGIN), text.index(END) + len(END)
    return text[:start] + markdown() + text[end:]
