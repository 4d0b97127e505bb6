"""Lines 1 and 5: commands per second, and as-of reconstruction against a current read."""

from __future__ import annotations

import datetime as dt
import statistics
import time
from uuid import UUID

from api.database import ConnectionTarget
from bench import raw
from bench.cases import APPROVER, HANDLERS, register_petitions
from bench.measure import Line, percentiles, rate
from domain.application import Casework
from domain.petition import Petition


def commands(app: Casework, target: ConnectionTarget, count: int, rounds: int = 3) -> Line:
    """Assign one case per command (load, decide, save and commit), vs single-row commits."""
    ids = register_petitions(target, count * rounds)
    figures, baselines = [], []
    size = 0
    for r in range(rounds):  # alternate, so drift on a shared machine hits both alike
        chunk = ids[r * count : (r + 1) * count]
        began = time.perf_counter()
        for case_id in chunk:
            _assign(app, case_id, HANDLERS[0])
        figures.append(rate(count, time.perf_counter() - began))
        size = size or raw.mean_event_size(target.dsn, "%Petition.Assigned")
        baselines.append(raw.single_row_commits(target.dsn, count, size))
    line = Line(
        "1",
        "Commands: one command on one case per transaction",
        statistics.median(figures),
        "commands/s",
        statistics.median(baselines),
        f"raw psycopg single-row INSERT + COMMIT of {size} bytes",
        target="≥ 0.4",
        details={"rounds": rounds, "per_round": count, "figures": figures, "baselines": baselines},
    )
    line.met = line.ratio is not None and line.ratio >= 0.4
    return line


def as_of(app: Casework, target: ConnectionTarget, events: int, repeats: int) -> Line:
    """Reconstruct a case of `events` events as of its last instant, vs reading it now."""
    (case_id,) = register_petitions(target, 1)
    for n in range(events - 1):
        _assign(app, case_id, HANDLERS[n % 2])
    last = app.get_case(case_id, Petition)
    assert last.version == events, last.version
    at = dt.datetime.now(dt.UTC)
    current, past = [], []
    for _ in range(repeats):  # interleaved, for the same reason as above
        current.append(_seconds(lambda: app.get_case(case_id, Petition)))
        past.append(_seconds(lambda: app.case_as_of(case_id, Petition, at)))
    now_p, then_p = percentiles(current), percentiles(past)
    line = Line(
        "5",
        f"As-of reconstruction of a case with {events} events (p50)",
        then_p["p50"],
        "ms",
        now_p["p50"],
        "reading the same case's current state (p50)",
        target="≤ 2",
        details={"as_of_ms": then_p, "current_ms": now_p, "repeats": repeats},
    )
    line.met = line.ratio is not None and line.ratio <= 2
    return line


def _assign(app: Casework, case_id: UUID, assignee: str) -> None:
    """One command: load the case, assign it, save (one transaction)."""
    step = app.step(APPROVER)

    def assign(case: Petition) -> None:
        case.assign(step, assignee)

    app.act(case_id, Petition, assign)


def _seconds(action: object) -> float:
    assert callable(action)
    began = time.perf_counter()
    action()
    return time.perf_counter() - began
