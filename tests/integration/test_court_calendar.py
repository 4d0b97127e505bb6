import datetime as dt
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from domain.actors import Actor
from domain.application import Casework
from domain.litigation import Form, LitigationCase, Outcome
from projections.court_calendar import CourtCalendarView, court_dates
from projections.runner import ProjectionRunner
from tests.integration.test_litigation import People, at, day, defended, do, heard


@pytest.fixture
def people(actor: Callable[..., Actor]) -> People:
    return People(actor)


def calendar(
    app: Casework, conn: psycopg.Connection[Any], org: str, start: dt.date, end: dt.date
) -> list[tuple[Any, ...]]:
    ProjectionRunner(app, CourtCalendarView()).run_until_caught_up()
    return [
        (d.what, d.on_date, d.head_appears, d.legal_basis)
        for d in court_dates(conn, start, end, [org])
    ]


def test_a_lawsuit_moves_through_the_court_calendar(
    app: Casework, people: People, db_connection: psycopg.Connection[Any], org: str
):
    year = (day(1, 1), day(12, 31))
    case = defended(app, people, day(3, 2))
    # The defence was filed the day the complaint was served: nothing is owed.
    assert calendar(app, db_connection, org, *year) == []

    coordinator = people.coordinator
    case = do(
        app,
        case,
        lambda c: c.schedule_hearing(
            app.step(coordinator, at=at(3, 3)), hearing_on=day(4, 14), court="区人民法院"
        ),
    )
    assert calendar(app, db_connection, org, *year) == [("hearing", day(4, 14), None, "")]
    case = do(
        app,
        case,
        lambda c: c.plan_appearance(
            app.step(coordinator, at=at(3, 4)), head_name="李四", head_title="局长"
        ),
    )
    assert calendar(app, db_connection, org, *year) == [("hearing", day(4, 14), True, "")]
    # A range that ends before the hearing does not show it.
    assert calendar(app, db_connection, org, day(3, 1), day(4, 13)) == []
    case = do(
        app,
        case,
        lambda c: c.approve_appearance_plan(
            app.step(people.other_coordinator, approver=people.head, at=at(3, 5))
        ),
    )

    case = do(
        app,
        case,
        lambda c: c.hold_hearing(
            app.step(coordinator, at=at(4, 14)), head_appeared=True, appeared=["李四"]
        ),
    )
    assert calendar(app, db_connection, org, *year) == []
    case = do(
        app,
        case,
        lambda c: c.record_judgment(
            app.step(coordinator, at=at(4, 20)),
            form=Form.JUDGMENT,
            outcome=Outcome.REVOKED,
            decided_on=day(4, 17),
            served_on=day(4, 20),
        ),
    )
    [(what, due_on, head, basis)] = calendar(app, db_connection, org, *year)
    assert (what, due_on, head) == ("appeal_window_ends", day(5, 6), None)
    assert basis
    waive = app.step(coordinator, at=at(4, 21), approver=people.head, reason="服判")
    case = do(app, case, lambda c: c.decide_not_to_appeal(waive))
    case = do(
        app,
        case,
        lambda c: c.declare_effective(app.step(coordinator, at=at(5, 7)), effective_on=day(5, 7)),
    )
    # Lost and effective: owed from the day it took effect, so a later range still shows it.
    owed = [("judgment_to_perform", day(5, 7), None, "《行政诉讼法》第九十四条")]
    assert calendar(app, db_connection, org, day(6, 1), day(6, 30)) == owed
    assert calendar(app, db_connection, org, day(1, 1), day(5, 6)) == []
    do(
        app,
        case,
        lambda c: c.record_performance(app.step(coordinator, at=at(5, 20)), how="重新作出决定"),
    )
    assert calendar(app, db_connection, org, *year) == []


def test_the_calendar_lists_only_the_agencies_asked_for(
    app: Casework,
    people: People,
    db_connection: psycopg.Connection[Any],
    org: str,
):
    case = heard(app, people, day(6, 1), day(6, 30))
    assert isinstance(case, LitigationCase)
    ProjectionRunner(app, CourtCalendarView()).run_until_caught_up()
    assert court_dates(db_connection, day(1, 1), day(12, 31), ["someone-else"]) == []
    everyone = court_dates(db_connection, day(1, 1), day(12, 31), None)
    assert all(d.case_id != case.id for d in everyone)  # heard: nothing left to owe
