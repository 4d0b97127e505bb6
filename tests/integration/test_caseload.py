import datetime as dt
import itertools
import uuid
from collections import Counter
from dataclasses import dataclass
from typing import Any
from uuid import UUID

import pytest

from api.caseload import Caseload, generate
from domain.application import Casework
from domain.calendar import WorkCalendar
from domain.case import CaseFile
from domain.litigation import LitigationCase
from domain.mediation import MediationCase
from domain.petition import Petition
from domain.reconsideration import ReconsiderationCase
from domain.step import china_date
from domain.values import CaseKind

AGGREGATES: tuple[type[CaseFile], ...] = (
    Petition,
    ReconsiderationCase,
    LitigationCase,
    MediationCase,
)
# The bases every event class derives from; never recorded themselves.
BASES = {"Event", "Opened", "Created"}
FIRST_DAY, LAST_DAY = dt.date(2026, 1, 5), dt.date(2026, 12, 19)


def event_classes() -> set[str]:
    """Every event class of every procedure, found by introspection."""
    names = set()
    for aggregate in AGGREGATES:
        for name in dir(aggregate):
            value = getattr(aggregate, name)
            recorded = isinstance(value, type) and issubclass(
                value, CaseFile.Event | CaseFile.Opened
            )
            if recorded and name not in BASES:
                names.add(value.__qualname__)
    return names


def unreachable(app: Casework) -> dict[str, str]:
    """Event classes the generator cannot produce with this application, and why."""
    if app.blobs is not None:
        return {}
    why = "attaching a document needs a blob store; the application under test has none"
    return {f"{a.__name__}.DocumentAttached": why for a in AGGREGATES}


def organisations(count: int) -> list[str]:
    return [f"org-{uuid.uuid4().hex[:8]}" for _ in range(count)]


@dataclass(frozen=True)
class Generated:
    caseload: Caseload
    events: dict[UUID, list[Any]]


def stored(app: Casework, caseload: Caseload) -> dict[UUID, list[Any]]:
    return {case_id: list(app.events.get(case_id)) for case_id in caseload.case_ids}


@pytest.fixture(scope="module")
def district(app: Casework) -> Generated:
    caseload = generate(app, cases=200, seed=2026, organisations=organisations(3))
    return Generated(caseload, stored(app, caseload))


def test_a_moderate_caseload_records_every_event_class_of_every_procedure(
    app: Casework, district: Generated
) -> None:
    recorded = {type(e).__qualname__ for events in district.events.values() for e in events}
    expected = event_classes() - set(unreachable(app))
    assert sorted(expected - recorded) == []
    assert len(expected) > 80


def test_the_caseload_has_the_cases_asked_for_in_every_procedure(district: Generated) -> None:
    caseload = district.caseload
    assert len(caseload.case_ids) == 200
    assert len(set(caseload.case_ids)) == 200
    assert all(len(caseload.ids(kind)) >= 20 for kind in CaseKind)
    assert caseload.events == sum(len(events) for events in district.events.values())
    kinds = {
        Petition: CaseKind.PETITION,
        ReconsiderationCase: CaseKind.RECONSIDERATION,
        LitigationCase: CaseKind.LITIGATION,
        MediationCase: CaseKind.MEDIATION,
    }
    found = [kinds[type(_replay(district.events[i]))] for i in caseload.case_ids]
    assert found == list(caseload.kinds)


def _replay(events: list[Any]) -> CaseFile:
    case: Any = None
    for event in events:
        case = event.mutate(case)
    assert isinstance(case, CaseFile)
    return case


def test_every_case_replays_to_the_state_its_last_command_left(district: Generated) -> None:
    replayed = {}
    for case_id, events in district.events.items():
        case = _replay(events)
        replayed[case_id] = (case.version, str(case.status), case.deadlines)
    saved = {
        case_id: (state.version, state.status, dict(state.deadlines))
        for case_id, state in district.caseload.states.items()
    }
    assert replayed == saved


def test_most_cases_finish_and_the_open_ones_leave_running_deadlines(district: Generated) -> None:
    caseload = district.caseload
    finished = sum(caseload.final.values())
    assert 0.65 <= finished / len(caseload.case_ids) <= 0.9
    assert len(caseload.open_ids) == len(caseload.case_ids) - finished
    running = [i for i in caseload.open_ids if caseload.states[i].deadlines]
    assert len(running) >= len(caseload.open_ids) / 2
    assert all(not _replay(district.events[i]).is_final for i in caseload.open_ids)


def test_time_moves_forward_on_working_days_within_the_year(district: Generated) -> None:
    calendar = WorkCalendar()
    days = []
    for events in district.events.values():
        moments = [event.timestamp for event in events]
        assert moments == sorted(moments)
        assert len(set(moments)) >= len(moments) - 1  # only a link may share a diversion's step
        days += [china_date(moment) for moment in moments]
    assert min(days) >= FIRST_DAY
    assert max(days) <= LAST_DAY
    working = sum(calendar.is_working_day(day) for day in days)
    assert working / len(days) > 0.9


def test_the_cases_interleave_and_some_deadlines_are_missed(district: Generated) -> None:
    in_order = sorted(
        (event.timestamp, case_id)
        for case_id, events in district.events.items()
        for event in events
    )
    switches = sum(a[1] != b[1] for a, b in itertools.pairwise(in_order))
    assert switches > len(in_order) / 2
    met = missed = 0
    for events in district.events.values():
        case: Any = None
        for event in events:
            if case is not None:
                for rule_id in event.ended:
                    deadline = case.deadlines.get(rule_id)
                    if deadline is not None and not deadline.is_suspended:
                        late = china_date(event.timestamp) > deadline.due_on
                        missed += late
                        met += not late
            case = event.mutate(case)
    assert met > 0
    assert 0.02 < missed / (met + missed) < 0.4


def names_by_case(app: Casework, caseload: Caseload) -> list[tuple[CaseKind, list[str]]]:
    events = stored(app, caseload)
    return [
        (kind, [type(e).__qualname__ for e in events[case_id]])
        for case_id, kind in zip(caseload.case_ids, caseload.kinds, strict=True)
    ]


def test_the_same_seed_gives_the_same_cases_and_events(app: Casework) -> None:
    first = generate(app, cases=40, seed=99, organisations=organisations(2))
    second = generate(app, cases=40, seed=99, organisations=organisations(2))
    assert names_by_case(app, first) == names_by_case(app, second)
    assert set(first.case_ids).isdisjoint(second.case_ids)
    other = generate(app, cases=40, seed=100, organisations=organisations(2))
    assert names_by_case(app, other) != names_by_case(app, first)


@pytest.mark.parametrize(("seed", "count", "share"), [(1, 1, 0.8), (2, 4, 0.5), (3, 2, 1.0)])
def test_any_seed_runs_without_a_domain_error(
    app: Casework, seed: int, count: int, share: float
) -> None:
    caseload = generate(
        app, cases=40, seed=seed, organisations=organisations(count), finish_share=share
    )
    assert len(caseload.case_ids) == 40
    assert Counter(caseload.kinds).keys() <= set(CaseKind)
    assert caseload.events > 40 * 3


def test_a_small_stable_staff_acts_and_cases_share_administrative_acts(
    district: Generated,
) -> None:
    people: dict[str, set[tuple[str, str, str]]] = {}
    acts: Counter[str] = Counter()
    for events in district.events.values():
        for event in events:
            for person in (event.actor, event.approver):
                if person is not None:
                    key = (person.name, person.organisation, str(person.role))
                    people.setdefault(person.id, set()).add(key)
            if event.approver is not None:
                assert event.approver.id != event.actor.id
                assert str(event.approver.role) == "approver"
        act = _replay(events).act
        if act is not None:
            acts[act.key] += 1
    assert all(len(seen) == 1 for seen in people.values())
    assert all(not name.isascii() for (name, _, _), *_ in people.values())
    per_organisation = Counter(org for (_, org, _), *_ in people.values())
    assert max(per_organisation.values()) <= 13
    assert sum(count > 1 for count in acts.values()) > 10
