"""Value objects shared by every procedure: the administrative act, parties, links."""

from __future__ import annotations

import datetime as dt
from dataclasses import dataclass
from enum import StrEnum
from typing import Any
from uuid import UUID

from domain.errors import ValidationError


class CaseKind(StrEnum):
    """The four procedures."""

    PETITION = "petition"  # 信访
    RECONSIDERATION = "reconsideration"  # 行政复议
    LITIGATION = "litigation"  # 行政应诉
    MEDIATION = "mediation"  # 调解


@dataclass(frozen=True)
class AdministrativeAct:
    """The act (行政行为) a dispute is about; one act gathers every case about it."""

    agency: str
    document_number: str
    date: dt.date
    description: str = ""

    def __post_init__(self) -> None:
        if not self.agency.strip():
            raise ValidationError("the administrative act needs an agency", field="act.agency")
        if not self.document_number.strip():
            raise ValidationError(
                "the administrative act needs a document number", field="act.documentNumber"
            )

    @property
    def key(self) -> str:
        """Identity of the act across cases: agency and document number."""
        return f"{self.agency.strip()}|{self.document_number.strip()}"

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the event store."""
        return {
            "agency": self.agency,
            "doc": self.document_number,
            "date": self.date.isoformat(),
            "desc": self.description,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> AdministrativeAct:
        """Inverse of to_dict."""
        return cls(data["agency"], data["doc"], dt.date.fromisoformat(data["date"]), data["desc"])


class PartyRole(StrEnum):
    """A party's standing in the case."""

    APPLICANT = "applicant"  # 申请人 / 信访人 / 原告
    RESPONDENT = "respondent"  # 被申请人 / 被告
    THIRD_PARTY = "third_party"  # 第三人
    OTHER = "other"  # 调解的另一方 etc.


def _mask(value: str, keep_start: int, keep_end: int) -> str:
    if len(value) <= keep_start + keep_end:
        return "*" * len(value)
    return value[:keep_start] + "*" * (len(value) - keep_start - keep_end) + value[-keep_end:]


@dataclass(frozen=True)
class Party:
    """A party; ID number, phone and address are sensitive personal information (PIPL)."""

    name: str
    role: PartyRole
    id_number: str = ""
    phone: str = ""
    address: str = ""

    def __post_init__(self) -> None:
        if not self.name.strip():
            raise ValidationError("a party needs a name", field="party.name")
        object.__setattr__(self, "role", PartyRole(self.role))

    def masked(self) -> Party:
        """The form lists and queues show."""
        return Party(
            self.name,
            self.role,
            _mask(self.id_number, 3, 2),
            _mask(self.phone, 3, 2),
            "***" if self.address else "",
        )

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the event store."""
        return {
            "name": self.name,
            "role": str(self.role),
            "id": self.id_number,
            "phone": self.phone,
            "addr": self.address,
        }

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Party:
        """Inverse of to_dict."""
        return cls(data["name"], PartyRole(data["role"]), data["id"], data["phone"], data["addr"])


class LinkRelation(StrEnum):
    """How two cases are linked across procedures."""

    DIVERTED_TO = "diverted_to"  # 诉访分离: petition → legal channel
    DIVERTED_FROM = "diverted_from"
    CO_DEFENDANT_OF = "co_defendant_of"  # litigation ↔ the reconsideration that upheld the act
    REFERRED_TO = "referred_to"  # → mediation
    REFERRED_FROM = "referred_from"
    SETTLES = "settles"  # a mediation that settles another case
    SETTLED_BY = "settled_by"


INVERSE_RELATION = {
    LinkRelation.DIVERTED_TO: LinkRelation.DIVERTED_FROM,
    LinkRelation.DIVERTED_FROM: LinkRelation.DIVERTED_TO,
    LinkRelation.CO_DEFENDANT_OF: LinkRelation.CO_DEFENDANT_OF,
    LinkRelation.REFERRED_TO: LinkRelation.REFERRED_FROM,
    LinkRelation.REFERRED_FROM: LinkRelation.REFERRED_TO,
    LinkRelation.SETTLES: LinkRelation.SETTLED_BY,
    LinkRelation.SETTLED_BY: LinkRelation.SETTLES,
}


@dataclass(frozen=True)
class CaseLink:
    """A link from this case to another."""

    case_id: UUID
    kind: CaseKind
    relation: LinkRelation

    def to_dict(self) -> dict[str, Any]:
        """Plain data for the event store."""
        return {"case": self.case_id.hex, "kind": str(self.kind), "rel": str(self.relation)}

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> CaseLink:
        """Inverse of to_dict."""
        return cls(UUID(data["case"]), CaseKind(data["kind"]), LinkRelation(data["rel"]))
