"""Who acts: a person, in a role, for an organisation."""

from __future__ import annotations

from dataclasses import dataclass
from enum import StrEnum
from typing import Any

from domain.errors import ValidationError


class Role(StrEnum):
    """The roles of domain.md; ids are the API's role ids."""

    INTAKE = "intake"  # 登记/收案
    HANDLER = "handler"  # 承办人
    APPROVER = "approver"  # 负责人 (head of office or agency)
    HEARING_OFFICER = "hearing_officer"  # 复议审理人员
    COMMITTEE_MEMBER = "committee_member"  # 复议委员会委员
    COORDINATOR = "coordinator"  # 应诉协调
    AUDITOR = "auditor"  # read-only
    ADMIN = "admin"


@dataclass(frozen=True)
class Actor:
    """The person who took a step, as recorded in every event."""

    id: str
    role: Role
    organisation: str
    name: str = ""

    def __post_init__(self) -> None:
        if not self.id.strip():
            raise ValidationError("an actor needs an id", field="actor.id")
        if not self.organisation.strip():
            raise ValidationError("an actor needs an organisation", field="actor.organisation")
        object.__setattr__(self, "role", Role(self.role))

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the event store."""
        return {"id": self.id, "role": str(self.role), "org": self.organisation, "name": self.name}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Actor:
        """Inverse of to_dict."""
        return cls(data["id"], Role(data["role"]), data["org"], data.get("name", ""))
