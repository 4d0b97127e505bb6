import dataclasses
import datetime as dt
import enum
import hashlib
import importlib
import itertools
import pkgutil
from collections.abc import Iterable, Iterator
from decimal import Decimal
from typing import Any
from uuid import UUID, uuid4

import pytest
from eventsourcing.persistence import JSONTranscoder, TranscodingNotRegisteredError

import domain
from api.caseload import generate
from domain.application import Casework
from domain.case import CaseFile
from domain.documents import StoredBlob
from domain.petition import Opinion, Satisfaction
from domain.rules import Variant
from domain.transcodings import (
    ENUMS,
    STATE_VALUES,
    CaseworkTranscoder,
    register_domain_transcodings,
    typed,
)
from domain.values import CaseKind, CaseLink, LinkRelation

# Frozen dataclasses of the domain that are never part of a case's state, and why.
NOT_STATE = {
    "domain.calendar.DateResult": "a counting result, returned and never kept",
    "domain.case.Recorded": "the fields every event carries, not a value of its own",
    "domain.documents.StoredBlob": "the blob store's receipt; the case keeps a Document",
    "domain.rules.Rule": "a row of the rules table, read by the timekeeper",
    "domain.step.Step": "a command's argument",
    "domain.step.Timekeeper": "the counting service",
}
# Value types events already carried, stored through their own to_dict/from_dict.
EVENT_VALUES = {"Actor", "AdministrativeAct", "Party", "CaseLink", "Deadline"}


class Numbers:
    def __init__(self) -> None:
        self.numbers = itertools.count(1)

    def next_number(self, kind: CaseKind, year: int) -> int:
        return next(self.numbers)


class Blobs:
    def __init__(self) -> None:
        self.held: dict[str, bytes] = {}

    def put(self, chunks: Iterable[bytes]) -> StoredBlob:
        content = b"".join(chunks)
        sha256 = hashlib.sha256(content).hexdigest()
        self.held[sha256] = content
        return StoredBlob(sha256, len(content))

    def open(self, sha256: str) -> Iterator[bytes]:
        yield self.held[sha256]

    def exists(self, sha256: str) -> bool:
        return sha256 in self.held


def in_memory(blobs: Blobs | None = None) -> Casework:
    return Casework(
        env={"PERSISTENCE_MODULE": "eventsourcing.popo"}, references=Numbers(), blobs=blobs
    )


def transcoder() -> JSONTranscoder:
    """The transcoder the application stores events and snapshots with."""
    coder = in_memory().mapper.transcoder
    assert isinstance(coder, JSONTranscoder)
    return coder


def round_trip(value: Any) -> Any:
    coder = transcoder()
    return coder.decode(coder.encode(typed(value)))


def exact(value: Any) -> Any:
    """The value spelled out with the type of every part, so str never passes for an enum."""
    if isinstance(value, dict):
        return ("dict", sorted((repr(exact(k)), exact(v)) for k, v in value.items()))
    if isinstance(value, list | tuple):
        return (type(value).__name__, [exact(item) for item in value])
    if dataclasses.is_dataclass(value) and not isinstance(value, type):
        fields = [exact(getattr(value, f.name)) for f in dataclasses.fields(value)]
        return (type(value).__qualname__, fields)
    return (type(value).__qualname__, repr(value))


def types_in(value: Any) -> Iterator[type]:
    yield type(value)
    if isinstance(value, dict):
        for key, item in value.items():
            yield from types_in(key)
            yield from types_in(item)
    elif isinstance(value, list | tuple):
        for item in value:
            yield from types_in(item)
    elif dataclasses.is_dataclass(value) and not isinstance(value, type):
        for f in dataclasses.fields(value):
            yield from types_in(getattr(value, f.name))


def every_state_of_a_generated_caseload() -> Iterator[dict[str, Any]]:
    """The state of every case of an in-memory caseload after each of its events."""
    app = in_memory(Blobs())
    load = generate(app, cases=200, seed=20260105, organisations=["org-east", "org-west"])
    for case_id in load.case_ids:
        case: CaseFile | None = None
        for event in app.events.get(case_id):
            assert isinstance(event, CaseFile.Event | CaseFile.Opened)
            case = event.mutate(case)
            yield {k: v for k, v in vars(case).items() if k != "_pending_events"}


def test_every_state_a_generated_case_passes_through_round_trips_with_exact_types() -> None:
    seen: set[type] = set()
    states = 0
    for state in every_state_of_a_generated_caseload():
        states += 1
        seen.update(types_in(state))
        assert exact(round_trip(state)) == exact(state)
    registered = set(STATE_VALUES) | set(ENUMS)
    assert (states > 1000, registered - seen) == (True, set())
    plain = {bool, int, str, type(None), list, tuple, dict, dt.date, dt.datetime, Decimal, UUID}
    values = {t for t in seen - plain - registered if t.__name__ not in EVENT_VALUES}
    assert values == set()


def is_frozen_dataclass(value: type) -> bool:
    return dataclasses.is_dataclass(value) and bool(value.__dataclass_params__.frozen)  # type: ignore[attr-defined]


def test_every_enum_and_frozen_dataclass_of_the_domain_is_registered_or_never_in_state() -> None:
    enums, dataclasses_ = set(), set()
    for module_info in pkgutil.iter_modules(domain.__path__):
        if module_info.name == "transcodings":
            continue  # its own markers for the way to JSON
        module = importlib.import_module(f"domain.{module_info.name}")
        for value in vars(module).values():
            if not isinstance(value, type) or value.__module__ != module.__name__:
                continue
            name = f"{value.__module__}.{value.__qualname__}"
            if issubclass(value, enum.Enum):
                enums.add(value)
            elif is_frozen_dataclass(value) and name not in NOT_STATE:
                dataclasses_.add(value)
    with_own_dicts = {t for t in dataclasses_ if t.__name__ in EVENT_VALUES}
    assert (enums, dataclasses_ - with_own_dicts) == (set(ENUMS), set(STATE_VALUES))


def test_the_names_stored_in_the_database_stay_as_they_were() -> None:
    assert sorted(STATE_VALUES.values()) == [
        "document",
        "litigation_appearance_plan",
        "litigation_evidence_batch",
        "litigation_judgment",
        "litigation_judicial_recommendation",
        "mediation_agreement",
        "mediation_session",
        "petition_supervision",
        "reconsideration_hearing",
    ]
    assert sorted(ENUMS.values()) == [
        "case_kind",
        "link_relation",
        "litigation_appellant",
        "litigation_form",
        "litigation_instance",
        "litigation_major_ground",
        "litigation_outcome",
        "litigation_retrial_source",
        "litigation_status",
        "mediation_origin",
        "mediation_performance",
        "mediation_referral_source",
        "mediation_status",
        "mediation_type",
        "party_role",
        "petition_channel",
        "petition_legal_channel",
        "petition_opinion",
        "petition_routing",
        "petition_satisfaction",
        "petition_status",
        "reconsideration_decision_type",
        "reconsideration_performance",
        "reconsideration_settlement",
        "reconsideration_simplified_ground",
        "reconsideration_status",
        "role",
        "unit",
        "variant",
    ]
    assert (ENUMS[CaseKind], ENUMS[Variant], ENUMS[Opinion]) == (
        "case_kind",
        "variant",
        "petition_opinion",
    )
    assert sorted(transcoder().names) == sorted(
        [
            "uuid_hex",
            "decimal_str",
            "datetime_iso",
            "date_iso",
            "enum",
            "tuple",
            "pairs",
            "actor",
            "act",
            "party",
            "link",
            "deadline",
            *STATE_VALUES.values(),
        ]
    )


def test_enum_members_tuples_and_enum_keyed_mappings_come_back_as_they_were() -> None:
    value = {
        "kind": CaseKind.LITIGATION,
        "history": [Variant.SIMPLIFIED, Variant.ORDINARY],
        "pair": (1, ("a", Opinion.REVIEW)),
        "evaluations": {Opinion.HANDLING: Satisfaction(next(iter(Satisfaction)))},
        "by_id": {UUID(int=7): "seven"},
        "link": CaseLink(uuid4(), CaseKind.PETITION, LinkRelation.DIVERTED_FROM),
    }
    back = round_trip(value)
    assert exact(back) == exact(value)
    assert back["kind"] is CaseKind.LITIGATION
    assert next(iter(back["evaluations"])) is Opinion.HANDLING


def test_an_enum_the_transcoder_does_not_know_is_refused_rather_than_stored_as_text() -> None:
    class Colour(enum.StrEnum):
        RED = "red"

    with pytest.raises(TranscodingNotRegisteredError, match="Colour"):
        typed({"colour": [Colour.RED]})


def the_librarys_reader() -> JSONTranscoder:
    library = JSONTranscoder()
    in_memory().register_transcodings(library)
    register_domain_transcodings(library)
    return library


def test_the_c_reader_reads_every_state_as_the_librarys_reader_does() -> None:
    ours, library = transcoder(), the_librarys_reader()
    assert isinstance(ours, CaseworkTranscoder)
    states = 0
    for state in every_state_of_a_generated_caseload():
        data = ours.encode(typed(state))
        assert exact(ours.decode(data)) == exact(library.decode(data))
        states += 1
    assert states > 1000


def test_what_orjson_refuses_is_read_by_the_librarys_reader() -> None:
    data = b'{"big": 123456789012345678901234567890, "nan": NaN, "when": ' + (
        b'{"_type_": "date_iso", "_data_": "2026-12-06"}}'
    )
    decoded = transcoder().decode(data)
    assert decoded["big"] == 123456789012345678901234567890
    assert decoded["nan"] != decoded["nan"]  # NaN
    assert decoded["when"] == dt.date(2026, 12, 6)


def test_a_top_level_list_and_nested_typed_values_are_revived_innermost_first() -> None:
    coder = transcoder()
    value = [{"d": dt.date(2026, 1, 2), "t": typed((1, (2, Variant.SIMPLIFIED)))}, [uuid4()]]
    assert exact(coder.decode(coder.encode(value))) == exact(
        the_librarys_reader().decode(coder.encode(value))
    )
