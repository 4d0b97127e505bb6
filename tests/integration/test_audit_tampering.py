import subprocess
import sys
import time
from collections.abc import Callable, Iterator
from pathlib import Path
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg_pool import ConnectionPool

from api import migrations
from api.audit import export, ledger
from api.audit.checkpointer import Checkpointer
from api.audit.offline_verify import Problem
from api.bootstrap import build_application
from api.database import ConnectionTarget
from api.references import PostgresReferenceAllocator
from api.settings import Settings
from domain.actors import Actor, Role
from domain.application import Casework
from domain.mediation import MediationCase, MediationType, Origin
from domain.values import Party, PartyRole

INTAKE = Actor("intake-1", Role.INTAKE, "org-audit")
MEDIATOR = Actor("handler-1", Role.HANDLER, "org-audit")


def open_case(app: Casework, sessions: int) -> UUID:
    case = app.register(
        MediationCase,
        app.step(INTAKE),
        title="相邻通行纠纷",
        organisation="org-audit",
        parties=[Party("张三", PartyRole.APPLICANT), Party("李四", PartyRole.OTHER)],
        mediation_type=MediationType.ADMINISTRATIVE,
        origin=Origin.APPLICATION,
    )
    for number in range(sessions):
        app.act(
            case.id,
            MediationCase,
            lambda c, n=number: c.hold_session(app.step(MEDIATOR), mediator="王", notes=f"第{n}次"),
        )
    return case.id


@pytest.fixture
def log(empty_database: ConnectionTarget, tmp_path: Path) -> Iterator[dict[str, Any]]:
    migrations.upgrade(empty_database)
    settings = Settings(database_url=empty_database.url, data_dir=tmp_path)
    with ConnectionPool(empty_database.dsn, min_size=1, max_size=2) as pool:
        app = build_application(empty_database, settings, PostgresReferenceAllocator(pool))
        first, second = open_case(app, 3), open_case(app, 2)
        app.close()
    with psycopg.connect(empty_database.dsn, autocommit=True) as conn:
        yield {"conn": conn, "case": first, "other": second, "out": tmp_path / "bundle"}


def position(conn: psycopg.Connection[Any], case_id: UUID, version: int) -> int:
    row = conn.execute(
        "SELECT notification_id FROM event_hashes WHERE originator_id = %s "
        "AND originator_version = %s",
        (case_id, version),
    ).fetchone()
    assert row is not None
    return int(row[0])


def as_attacker(conn: psycopg.Connection[Any], statement: str, params: tuple[Any, ...]) -> None:
    # A superuser can switch ordinary triggers off; the seals are what is left to catch it.
    with conn.transaction():
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(statement, params)


def offline(bundle: Path) -> subprocess.CompletedProcess[str]:
    # -I -S: no site-packages at all, only Python's standard library.
    return subprocess.run(
        [sys.executable, "-I", "-S", str(bundle / "verify.py"), str(bundle)],
        capture_output=True,
        text=True,
        check=False,
        timeout=30,
    )


def assert_first_problem(log: dict[str, Any], expected: Problem) -> None:
    conn, case = log["conn"], log["case"]
    assert ledger.verify_log(conn).first == expected
    assert ledger.verify_case(conn, case).first == expected
    export.export_case(conn, case, log["out"])
    result = offline(log["out"])
    assert result.returncode == 1, result.stdout + result.stderr
    assert result.stdout.splitlines()[0] == f"BROKEN: first bad event: {expected}"


def test_an_untouched_log_verifies_in_the_database_and_offline(log: dict[str, Any]) -> None:
    conn = log["conn"]
    assert ledger.verify_log(conn).holds
    assert ledger.verify_log(conn).checked == 7
    assert ledger.verify_case(conn, log["case"]).holds
    export.export_case(conn, log["case"], log["out"])
    result = offline(log["out"])
    assert (result.returncode, result.stdout) == (0, "OK: 4 events checked; the chain holds\n")


def test_altered_event_bytes_are_named_as_the_first_bad_event(log: dict[str, Any]) -> None:
    conn, case = log["conn"], log["case"]
    as_attacker(
        conn,
        "UPDATE casework_events SET state = "
        "convert_to(replace(convert_from(state, 'UTF8'), '第0次', '第9次'), 'UTF8') "
        "WHERE originator_id = %s AND originator_version = 2",
        (case,),
    )
    what = "its stored bytes differ from what was sealed: the event was altered"
    assert_first_problem(log, Problem(position(conn, case, 2), str(case), 2, what))


def test_a_deleted_event_is_named_by_its_remaining_seal(log: dict[str, Any]) -> None:
    conn, case = log["conn"], log["case"]
    as_attacker(
        conn,
        "DELETE FROM casework_events WHERE originator_id = %s AND originator_version = 3",
        (case,),
    )
    what = "is missing: its seal remains but the event is gone"
    assert_first_problem(log, Problem(position(conn, case, 3), str(case), 3, what))


def test_two_reordered_events_are_caught_at_the_first_of_them(log: dict[str, Any]) -> None:
    conn, case = log["conn"], log["case"]
    as_attacker(
        conn,
        "UPDATE casework_events e SET state = o.state FROM casework_events o "
        "WHERE e.originator_id = %s AND o.originator_id = e.originator_id "
        "AND e.originator_version + o.originator_version = 5 "
        "AND e.originator_version IN (2, 3)",
        (case,),
    )
    what = "its stored bytes differ from what was sealed: the event was altered"
    assert_first_problem(log, Problem(position(conn, case, 2), str(case), 2, what))


def test_an_event_inserted_around_the_trigger_has_no_seal(log: dict[str, Any]) -> None:
    conn, case = log["conn"], log["case"]
    as_attacker(
        conn,
        "INSERT INTO casework_events (originator_id, originator_version, topic, state) "
        "SELECT originator_id, 5, topic, "
        "convert_to(replace(convert_from(state, 'UTF8'), '第2次', '补记'), 'UTF8') "
        "FROM casework_events WHERE originator_id = %s AND originator_version = 4",
        (case,),
    )
    row = conn.execute("SELECT max(notification_id) FROM casework_events").fetchone()
    assert row is not None
    what = "has no seal: it was written around the database's trigger"
    assert_first_problem(log, Problem(int(row[0]), str(case), 5, what))


def test_a_checkpoint_catches_an_event_cut_off_the_end_with_its_seal(log: dict[str, Any]) -> None:
    conn, other = log["conn"], log["other"]
    taken = ledger.take_checkpoint(conn)
    assert (taken.written, taken.up_to) == (True, 7)
    for table in ("casework_events", "event_hashes"):
        as_attacker(
            conn,
            f"DELETE FROM {table} WHERE originator_id = %s AND originator_version = 3",
            (other,),
        )
    what = "the log up to here no longer matches the checkpoint taken at this position"
    assert ledger.verify_log(conn).problems == (Problem(7, "", 0, what),)
    assert ledger.verify_case(conn, other).holds  # the case alone cannot tell: that is why
    assert not ledger.take_checkpoint(conn).written


def test_the_database_refuses_to_rewrite_the_audit_record(log: dict[str, Any]) -> None:
    conn = log["conn"]
    for statement in (
        "UPDATE casework_events SET topic = topic",
        "DELETE FROM casework_events",
        "TRUNCATE casework_events",
        "UPDATE event_hashes SET hash = hash",
        "DELETE FROM event_hashes",
        "TRUNCATE audit_checkpoints",
    ):
        with pytest.raises(psycopg.errors.InsufficientPrivilege, match="append-only"):
            conn.execute(statement)
    assert ledger.verify_log(conn).checked == 7


def wait_for(condition: Callable[[], bool], timeout: float = 15.0) -> None:
    deadline = time.monotonic() + timeout
    while not condition():
        assert time.monotonic() < deadline, "condition not reached in time"
        time.sleep(0.02)


def test_serve_takes_checkpoints_regularly_and_never_over_a_broken_log(
    log: dict[str, Any],
) -> None:
    conn, case = log["conn"], log["case"]
    checkpointer = Checkpointer(conn.info.dsn, interval=0.05)
    checkpointer.start()
    try:
        wait_for(lambda: checkpointer.last is not None and checkpointer.last.written)
    finally:
        checkpointer.stop()
    [(up_to,)] = conn.execute("SELECT up_to_notification_id FROM audit_checkpoints").fetchall()
    assert conn.execute("SELECT max(notification_id) FROM casework_events").fetchone() == (up_to,)
    # A new event, sealed as it is written; then altered before the next round.
    conn.execute(
        "INSERT INTO casework_events (originator_id, originator_version, topic, state) "
        "SELECT originator_id, 5, topic, state FROM casework_events "
        "WHERE originator_id = %s AND originator_version = 4",
        (case,),
    )
    as_attacker(
        conn,
        "UPDATE casework_events SET state = state || '\\x20'::bytea "
        "WHERE originator_id = %s AND originator_version = 5",
        (case,),
    )
    taken = checkpointer.take()
    assert not taken.verdict.holds
    assert taken.written is False
    assert conn.execute("SELECT count(*) FROM audit_checkpoints").fetchone() == (1,)
