"""How domain values and case state are stored as JSON through the library's transcoder."""

from __future__ import annotations

import dataclasses
import datetime as dt
import functools
from collections.abc import Mapping
from enum import Enum
from typing import Any, Protocol, Self

import orjson
from eventsourcing.persistence import JSONTranscoder, Transcoding, TranscodingNotRegisteredError

from domain import litigation, mediation, petition, reconsideration
from domain.actors import Actor, Role
from domain.deadlines import Deadline
from domain.documents import Document
from domain.rules import Unit, Variant
from domain.values import AdministrativeAct, CaseKind, CaseLink, LinkRelation, Party, PartyRole

# Every name below is written into stored events and snapshots: never rename or reuse one.

# The procedures' own state values, stored field by field.
STATE_VALUES: Mapping[type[Any], str] = {
    Document: "document",
    mediation.Session: "mediation_session",
    mediation.Agreement: "mediation_agreement",
    litigation.EvidenceBatch: "litigation_evidence_batch",
    litigation.AppearancePlan: "litigation_appearance_plan",
    litigation.Judgment: "litigation_judgment",
    litigation.JudicialRecommendation: "litigation_judicial_recommendation",
    reconsideration.Hearing: "reconsideration_hearing",
    petition.Supervision: "petition_supervision",
}

# Enumerations a case's state holds; JSON would give their members back as plain str.
ENUMS: Mapping[type[Enum], str] = {
    CaseKind: "case_kind",
    PartyRole: "party_role",
    LinkRelation: "link_relation",
    Role: "role",
    Unit: "unit",
    Variant: "variant",
    petition.PetitionStatus: "petition_status",
    petition.Channel: "petition_channel",
    petition.Routing: "petition_routing",
    petition.LegalChannel: "petition_legal_channel",
    petition.Opinion: "petition_opinion",
    petition.Satisfaction: "petition_satisfaction",
    reconsideration.ReconsiderationStatus: "reconsideration_status",
    reconsideration.SimplifiedGround: "reconsideration_simplified_ground",
    reconsideration.DecisionType: "reconsideration_decision_type",
    reconsideration.Settlement: "reconsideration_settlement",
    reconsideration.Performance: "reconsideration_performance",
    litigation.LitigationStatus: "litigation_status",
    litigation.MajorGround: "litigation_major_ground",
    litigation.Form: "litigation_form",
    litigation.Outcome: "litigation_outcome",
    litigation.Instance: "litigation_instance",
    litigation.Appellant: "litigation_appellant",
    litigation.RetrialSource: "litigation_retrial_source",
    mediation.MediationStatus: "mediation_status",
    mediation.MediationType: "mediation_type",
    mediation.Origin: "mediation_origin",
    mediation.ReferralSource: "mediation_referral_source",
    mediation.Performance: "mediation_performance",
}
_ENUMS_BY_NAME = {name: enum for enum, name in ENUMS.items()}


class _DictValue(Protocol):
    def to_dict(self) -> dict[str, Any]: ...

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self: ...


@dataclasses.dataclass(frozen=True)
class _Member:
    """An enum member on its way to JSON, which would otherwise flatten it to str."""

    member: Enum


@dataclasses.dataclass(frozen=True)
class _Tuple:
    """A tuple on its way to JSON, which would otherwise give a list back."""

    items: tuple[Any, ...]


@dataclasses.dataclass(frozen=True)
class _Pairs:
    """A mapping with keys JSON cannot keep (enum members, ids), as key-value pairs."""

    items: tuple[tuple[Any, Any], ...]


def typed(value: Any) -> Any:
    """The value with every enum member, tuple and non-str key marked, so it decodes exactly."""
    if isinstance(value, Enum):
        if type(value) not in ENUMS:
            raise TranscodingNotRegisteredError(
                f"{type(value)} is not in domain.transcodings.ENUMS"
            )
        return _Member(value)
    if isinstance(value, tuple):
        return _Tuple(tuple(typed(item) for item in value))
    if isinstance(value, list):
        return [typed(item) for item in value]
    if isinstance(value, dict):
        if all(type(key) is str for key in value):
            return {key: typed(item) for key, item in value.items()}
        return _Pairs(tuple((typed(key), typed(item)) for key, item in value.items()))
    return value


class DateAsISO(Transcoding):
    """Dates as ISO strings."""

    type = dt.date
    name = "date_iso"

    def encode(self, obj: dt.date) -> str:
        """Encode."""
        return obj.isoformat()

    def decode(self, data: str) -> dt.date:
        """Decode."""
        return dt.date.fromisoformat(data)


class MemberAsName(Transcoding):
    """An enum member as [its enumeration's stored name, its value]."""

    type = _Member
    name = "enum"

    def encode(self, obj: _Member) -> list[str]:
        """Encode."""
        return [ENUMS[type(obj.member)], obj.member.value]

    def decode(self, data: list[str]) -> Enum:
        """Decode."""
        enum_name, value = data
        return _ENUMS_BY_NAME[enum_name](value)


class TupleAsList(Transcoding):
    """A tuple as a list that decodes back to a tuple."""

    type = _Tuple
    name = "tuple"

    def encode(self, obj: _Tuple) -> list[Any]:
        """Encode."""
        return list(obj.items)

    def decode(self, data: list[Any]) -> tuple[Any, ...]:
        """Decode."""
        return tuple(data)


class PairsAsList(Transcoding):
    """A mapping with non-str keys as a list of [key, value]."""

    type = _Pairs
    name = "pairs"

    def encode(self, obj: _Pairs) -> list[list[Any]]:
        """Encode."""
        return [[key, item] for key, item in obj.items]

    def decode(self, data: list[list[Any]]) -> dict[Any, Any]:
        """Decode."""
        return dict(data)


def _fields_transcoding(value_type: type[Any], value_name: str) -> Transcoding:
    """A frozen dataclass as its fields by name, each with its exact type."""

    class FieldsTranscoding(Transcoding):
        type = value_type
        name = value_name

        def encode(self, obj: Any) -> dict[str, Any]:
            return {f.name: typed(getattr(obj, f.name)) for f in dataclasses.fields(obj)}

        def decode(self, data: dict[str, Any]) -> Any:
            return value_type(**data)

    return FieldsTranscoding()


def _dict_transcoding(value_type: type[_DictValue], value_name: str) -> Transcoding:
    class DictTranscoding(Transcoding):
        type = value_type
        name = value_name

        def encode(self, obj: _DictValue) -> dict[str, Any]:
            return obj.to_dict()

        def decode(self, data: dict[str, Any]) -> _DictValue:
            return value_type.from_dict(data)

    return DictTranscoding()


class ActorAsDict(Transcoding):
    """An actor as its to_dict; one decoded actor is shared by every event naming the same
    person in the same role (actors are frozen, and a district's staff is small)."""

    type = Actor
    name = "actor"

    def encode(self, obj: Actor) -> dict[str, Any]:
        """Encode."""
        return obj.to_dict()

    def decode(self, data: dict[str, Any]) -> Actor:
        """Decode."""
        return _actor(data["id"], data["role"], data["org"], data.get("name", ""))


@functools.lru_cache(maxsize=4096)
def _actor(actor_id: str, role: str, organisation: str, name: str) -> Actor:
    return Actor.from_dict({"id": actor_id, "role": role, "org": organisation, "name": name})


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    """Teach the transcoder every value type that events and case snapshots carry."""
    for transcoding in (DateAsISO(), MemberAsName(), TupleAsList(), PairsAsList(), ActorAsDict()):
        transcoder.register(transcoding)
    for value_type, name in (
        (AdministrativeAct, "act"),
        (Party, "party"),
        (CaseLink, "link"),
        (Deadline, "deadline"),
    ):
        transcoder.register(_dict_transcoding(value_type, name))
    for state_type, state_name in STATE_VALUES.items():
        transcoder.register(_fields_transcoding(state_type, state_name))


class CaseworkTranscoder(JSONTranscoder):
    """The library's JSON transcoder, reading with orjson: the same values, parsed in C.

    The library's reader calls its object hook on every JSON object, innermost first; this one
    parses the whole document in C and then hands each object to the same hook, in the same
    order. Writing is the library's. What orjson refuses (NaN, integers beyond 64 bits), the
    library's reader reads.
    """

    def decode(self, data: bytes) -> Any:
        """Decode bytes the library's encoder wrote."""
        try:
            parsed = orjson.loads(data)
        except orjson.JSONDecodeError:
            return super().decode(data)
        kind = type(parsed)
        return self._revive(parsed) if kind is dict or kind is list else parsed

    def _revive(self, value: dict[str, Any] | list[Any]) -> Any:
        if type(value) is list:
            return [
                self._revive(item) if type(item) is dict or type(item) is list else item
                for item in value
            ]
        assert isinstance(value, dict)
        for key, item in value.items():
            kind = type(item)
            if kind is dict or kind is list:
                value[key] = self._revive(item)  # the same key: the dict does not change size
        return self._decode_obj(value) if len(value) == 2 else value
