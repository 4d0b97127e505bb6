import gc
import os
import selectors
import signal
import subprocess
import time
from collections.abc import Callable
from pathlib import Path
from typing import Any

import psycopg
from typer.testing import CliRunner

from api.bootstrap import GC_THRESHOLDS
from api.cli.main import app as cli
from api.database import ConnectionTarget
from domain.actors import Actor, Role
from domain.application import Casework
from projections.registry import VIEWS
from projections.status import view_positions
from tests.integration.test_cli import CASEWORK, run
from tests.integration.test_work_queue import open_probe

ROOT = str(Path(__file__).resolve().parents[2])


def env_for(database: ConnectionTarget) -> dict[str, str]:
    # The session's log holds test-only aggregates; the CLI must be able to import them.
    return {"DATABASE_URL": database.url, "PYTHONPATH": ROOT}


def work_items(conn: psycopg.Connection[Any]) -> list[tuple[Any, ...]]:
    return conn.execute("SELECT * FROM work_items ORDER BY case_id, rule_id").fetchall()


def test_run_until_caught_up_applies_what_is_recorded_and_exits(
    app: Casework,
    database: ConnectionTarget,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
):
    open_probe(app, actor(Role.HANDLER), org)
    result = run("projections", "run", "work_queue", "--until-caught-up", env=env_for(database))
    assert result.returncode == 0, result.stderr
    [position] = view_positions(db_connection, ["work_queue"])
    assert position.lag == 0
    assert result.stdout.startswith("read ")
    assert result.stdout.rstrip().endswith(f"work_queue: at {position.position}")


def test_status_lists_every_view_with_position_and_lag(database: ConnectionTarget):
    result = run("projections", "status", env=env_for(database))
    assert result.returncode == 0, result.stderr
    for view in VIEWS:
        assert view.name in result.stdout


def test_an_unknown_view_name_is_refused_with_the_list_of_views(database: ConnectionTarget):
    result = run("projections", "rebuild", "nope", env=env_for(database))
    assert result.returncode == 2
    assert result.stderr.startswith("casework: no view named nope; the views are: work_queue")


def test_rebuild_swaps_in_a_copy_equal_to_the_live_view(
    app: Casework,
    database: ConnectionTarget,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
):
    open_probe(app, actor(Role.HANDLER), org)
    env = env_for(database)
    assert run("projections", "run", "--until-caught-up", env=env).returncode == 0
    before = work_items(db_connection)
    result = run("projections", "rebuild", "work_queue", env=env)
    assert result.returncode == 0, result.stderr
    assert "work_queue: rebuilt from " in result.stderr
    assert work_items(db_connection) == before
    leftovers = db_connection.execute(
        "SELECT tablename FROM pg_tables WHERE tablename LIKE '%%__rebuild'"
    ).fetchall()
    assert leftovers == []


def test_run_keeps_views_until_terminated(
    app: Casework,
    database: ConnectionTarget,
    db_connection: psycopg.Connection[Any],
    actor: Callable[..., Actor],
    org: str,
):
    env = {k: v for k, v in os.environ.items() if k != "DATABASE_URL"}
    env |= env_for(database)
    process = subprocess.Popen(
        [CASEWORK, "projections", "run", "work_queue"],
        env=env,
        stdout=subprocess.PIPE,
        stderr=subprocess.STDOUT,
        text=True,
    )
    try:
        assert process.stdout is not None
        # It says so once its runner has started and its signal handlers are in place.
        with selectors.DefaultSelector() as selector:
            selector.register(process.stdout, selectors.EVENT_READ)
            assert selector.select(timeout=20), "no word from projections run"
        assert process.stdout.readline().startswith("running work_queue")
        open_probe(app, actor(Role.HANDLER), org)
        deadline = time.monotonic() + 20
        while True:
            [position] = view_positions(db_connection, ["work_queue"])
            if position.running and position.lag == 0:
                break
            assert process.poll() is None
            assert time.monotonic() < deadline, position
            time.sleep(0.05)
    finally:
        process.send_signal(signal.SIGTERM)
        output = process.communicate(timeout=20)[0]
    assert process.returncode == 0, output


def test_a_process_running_views_collects_cyclic_garbage_less_often(database: ConnectionTarget):
    # A runner keeps thousands of replayed cases in memory; with the default thresholds the
    # collector walked them again and again. Run in this process so its setting can be read.
    before = gc.get_threshold()
    gc.set_threshold(700, 10, 10)
    try:
        result = CliRunner().invoke(
            cli, ["projections", "run", "--until-caught-up"], env=env_for(database)
        )
        assert result.exit_code == 0, result.output
        assert gc.get_threshold() == GC_THRESHOLDS
        assert gc.isenabled()
    finally:
        gc.set_threshold(*before)
