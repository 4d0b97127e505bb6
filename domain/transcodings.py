"""How domain values are stored inside events (JSON through the library's transcoder)."""

from __future__ import annotations

import datetime as dt
from typing import Any, Protocol, Self

from eventsourcing.persistence import JSONTranscoder, Transcoding

from domain.actors import Actor
from domain.deadlines import Deadline
from domain.values import AdministrativeAct, CaseLink, Party


class _DictValue(Protocol):
    def to_dict(self) -> dict[str, Any]: ...

    @classmethod
    def from_dict(cls, data: dict[str, Any]) -> Self: ...


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


def _dict_transcoding(value_type: type[_DictValue], value_name: str) -> Transcoding:
    class DictTranscoding(Transcoding):
        type = value_type
        name = value_name

        def encode(self, obj: _DictValue) -> dict[str, Any]:
            return obj.to_dict()

        def decode(self, data: dict[str, Any]) -> _DictValue:
            return value_type.from_dict(data)

    return DictTranscoding()


def register_domain_transcodings(transcoder: JSONTranscoder) -> None:
    """Teach the transcoder every value type that events carry."""
    transcoder.register(DateAsISO())
    for value_type, name in (
        (Actor, "actor"),
        (AdministrativeAct, "act"),
        (Party, "party"),
        (CaseLink, "link"),
        (Deadline, "deadline"),
    ):
        transcoder.register(_dict_transcoding(value_type, name))
