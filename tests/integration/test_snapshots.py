import dataclasses
import datetime as dt
import random
from collections.abc import Callable, Iterator
from typing import Any, ClassVar
from uuid import UUID

import psycopg
import pytest
from eventsourcing.domain import MutableOrImmutableAggregate
from psycopg_pool import ConnectionPool

from api.audit.timeline import PostgresTimeline
from api.caseload import generate
from api.database import ConnectionTarget
from api.references import PostgresReferenceAllocator
from domain.actors import Actor, Role
from domain.application import SNAPSHOT_INTERVAL, Casework
from domain.case import CaseFile
from domain.litigation import LitigationCase
from domain.mediation import MediationCase, MediationType, Origin
from domain.petition import Petition
from domain.reconsideration import ReconsiderationCase
from domain.step import Step
from domain.values import Party, PartyRole

MakeActor = Callable[..., Actor]
Connection = psycopg.Connection[Any]
Intervals = dict[type[MutableOrImmutableAggregate[Any]], int]
PROCEDURES = (Petition, ReconsiderationCase, LitigationCase, MediationCase)


class SnapshotEveryThirdVersion(Casework):
    """Casework snapshotting far more often, so short generated cases have snapshots too."""

    name = "Casework"  # the same tables
    snapshotting_intervals: ClassVar[Intervals] = dict.fromkeys(PROCEDURES, 3)


def build(app_class: type[Casework], database: ConnectionTarget) -> Iterator[Casework]:
    with ConnectionPool(database.dsn, min_size=1, max_size=2, kwargs={"autocommit": True}) as pool:
        app = app_class(
            env=database.eventsourcing_env(2),
            references=PostgresReferenceAllocator(pool),
            timeline=PostgresTimeline(pool),
        )
        yield app
        app.close()


@pytest.fixture
def often(database: ConnectionTarget) -> Iterator[Casework]:
    yield from build(SnapshotEveryThirdVersion, database)


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


def state(case: object, without: frozenset[str] = frozenset()) -> Any:
    return exact({k: v for k, v in vars(case).items() if k not in {"_pending_events", *without}})


def replayed(app: Casework, case_id: UUID, version: int | None = None) -> Any:
    """The case folded from its stored events alone, no snapshot involved."""
    case: CaseFile | None = None
    for event in app.events.get(case_id, lte=version):
        assert isinstance(event, CaseFile.Event | CaseFile.Opened)
        case = event.mutate(case)
    return state(case)


def snapshot_versions(conn: Connection, case_ids: list[UUID]) -> list[tuple[UUID, int]]:
    rows = conn.execute(
        "SELECT originator_id, originator_version FROM casework_snapshots"
        " WHERE originator_id = ANY(%s) ORDER BY originator_id, originator_version",
        (case_ids,),
    ).fetchall()
    return [(row[0], row[1]) for row in rows]


def test_every_generated_case_read_from_its_snapshots_is_the_case_replayed_from_its_events(
    often: Casework, db_connection: Connection, org: str
) -> None:
    load = generate(often, cases=60, seed=random.randrange(10**6), organisations=[org])
    case_ids = list(load.case_ids)
    taken = snapshot_versions(db_connection, case_ids)
    expected = sorted(
        (case_id, version)
        for case_id in case_ids
        for version in range(3, load.states[case_id].version + 1, 3)
    )
    assert (sorted(taken), len(taken) > 60) == (expected, True)
    for case_id in case_ids:
        last = load.states[case_id].version
        assert state(often.repository.get(case_id)) == replayed(often, case_id)
        for version in range(1, last + 1):
            from_snapshot: CaseFile = often.repository.get(case_id, version=version)
            assert state(from_snapshot) == replayed(often, case_id, version)


def register_mediation(app: Casework, intake: Actor) -> MediationCase:
    return app.register(
        MediationCase,
        app.step(intake),
        title="物业费纠纷",
        organisation=intake.organisation,
        parties=[Party("王五", PartyRole.APPLICANT), Party("物业公司", PartyRole.OTHER)],
        mediation_type=MediationType.ADMINISTRATIVE,
        origin=Origin.APPLICATION,
    )


def long_mediation(app: Casework, actor: MakeActor, events: int) -> MediationCase:
    """A mediation of `events` events: sessions, changes of type, reassignments."""
    mediator = actor(Role.HANDLER)
    case = register_mediation(app, actor(Role.INTAKE))
    kinds = (MediationType.ADMINISTRATIVE, MediationType.PEOPLES)
    for number in range(2, events + 1):
        step = app.step(mediator, reason=f"第{number}步")

        def command(c: MediationCase, n: int = number, s: Step = step) -> None:
            if n % 7 == 0:
                c.change_type(s, kinds[(n // 7) % 2])
            elif n % 5 == 0:
                c.assign(s, f"mediator-{n}")
            else:
                c.hold_session(s, mediator="赵调解员", notes=f"session {n}")

        case = app.act(case.id, MediationCase, command)
    assert case.version == events
    return case


def hold_sessions(app: Casework, case_id: UUID, mediator: Actor, count: int) -> None:
    for number in range(count):

        def command(c: MediationCase, n: int = number) -> None:
            c.hold_session(app.step(mediator), mediator="赵", notes=str(n))

        app.act(case_id, MediationCase, command)


def recorded(conn: Connection, case_id: UUID) -> list[dt.datetime]:
    rows = conn.execute(
        "SELECT recorded_at FROM event_hashes WHERE originator_id = %s ORDER BY originator_version",
        (case_id,),
    ).fetchall()
    return [row[0] for row in rows]


def test_a_long_case_as_of_any_instant_between_its_events_equals_its_replay_to_that_instant(
    app: Casework, actor: MakeActor, db_connection: Connection
) -> None:
    case = long_mediation(app, actor, 2 * SNAPSHOT_INTERVAL + 5)
    assert snapshot_versions(db_connection, [case.id]) == [
        (case.id, SNAPSHOT_INTERVAL),
        (case.id, 2 * SNAPSHOT_INTERVAL),
    ]
    times = recorded(db_connection, case.id)
    tick = dt.timedelta(microseconds=1)
    for version, at in enumerate(times, start=1):
        following = times[version] if version < len(times) else at + dt.timedelta(days=1)
        expected = replayed(app, case.id, version)
        for instant in (at, at + (following - at) / 2, following - tick):
            as_of = app.case_as_of(case.id, MediationCase, instant)
            assert (as_of.version, state(as_of)) == (version, expected)


def test_reading_a_long_case_replays_only_the_events_after_its_latest_snapshot(
    app: Casework, actor: MakeActor, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = long_mediation(app, actor, 2 * SNAPSHOT_INTERVAL + 5)
    store = app.repository.event_store
    read: list[int] = []
    real_get = store.get

    def counting_get(*args: Any, **kwargs: Any) -> Any:
        events = list(real_get(*args, **kwargs))
        read.extend(event.originator_version for event in events)
        return events

    monkeypatch.setattr(store, "get", counting_get)
    recorder: Any = store.recorder
    if hasattr(recorder, "select_with_snapshot"):  # the one-query read of api.eventstore
        real_select = recorder.select_with_snapshot

        def counting_select(*args: Any, **kwargs: Any) -> Any:
            snapshot, events = real_select(*args, **kwargs)
            read.extend(event.originator_version for event in events)
            return snapshot, events

        monkeypatch.setattr(recorder, "select_with_snapshot", counting_select)
    now = app.get_case(case.id, MediationCase)
    as_of_39: CaseFile = app.repository.get(case.id, version=2 * SNAPSHOT_INTERVAL - 1)
    assert (now.version, as_of_39.version) == (2 * SNAPSHOT_INTERVAL + 5, 39)
    after_40 = list(range(2 * SNAPSHOT_INTERVAL + 1, 2 * SNAPSHOT_INTERVAL + 6))
    after_20_to_39 = list(range(SNAPSHOT_INTERVAL + 1, 2 * SNAPSHOT_INTERVAL))
    assert read == after_40 + after_20_to_39


def test_a_case_whose_snapshots_are_deleted_reads_the_same_and_is_snapshotted_again(
    app: Casework, actor: MakeActor, db_connection: Connection
) -> None:
    case = long_mediation(app, actor, SNAPSHOT_INTERVAL + 1)
    before = state(app.get_case(case.id, MediationCase))
    deleted = db_connection.execute(
        "DELETE FROM casework_snapshots WHERE originator_id = %s", (case.id,)
    ).rowcount
    assert (deleted, snapshot_versions(db_connection, [case.id])) == (1, [])
    assert state(app.get_case(case.id, MediationCase)) == before == replayed(app, case.id)
    hold_sessions(app, case.id, actor(Role.HANDLER), SNAPSHOT_INTERVAL - 1)
    assert snapshot_versions(db_connection, [case.id]) == [(case.id, 2 * SNAPSHOT_INTERVAL)]


def test_a_snapshot_of_an_older_state_shape_is_upcast_when_the_class_version_is_raised(
    app: Casework, actor: MakeActor, db_connection: Connection, monkeypatch: pytest.MonkeyPatch
) -> None:
    case = long_mediation(app, actor, SNAPSHOT_INTERVAL + 2)
    assert snapshot_versions(db_connection, [case.id]) == [(case.id, SNAPSHOT_INTERVAL)]
    upcast: list[int] = []

    def upcast_v1_v2(old: dict[str, Any]) -> None:
        upcast.append(len(old["sessions"]))
        old["sessions_held"] = len(old["sessions"])

    # What a release does that adds `sessions_held` to the state: class_version 2, and an
    # upcast from the shape the stored snapshots have.
    monkeypatch.setattr(MediationCase, "class_version", 2, raising=False)
    monkeypatch.setattr(MediationCase, "upcast_v1_v2", staticmethod(upcast_v1_v2), raising=False)
    read = app.get_case(case.id, MediationCase)
    sessions_at_snapshot = len(app.repository.get(case.id, version=SNAPSHOT_INTERVAL).sessions)
    assert upcast == [sessions_at_snapshot, sessions_at_snapshot]
    assert vars(read)["sessions_held"] == sessions_at_snapshot
    assert state(read, without=frozenset({"sessions_held"})) == replayed(app, case.id)
