"""A case as it stood at a recorded instant: state, deadlines, history and documents then."""

from __future__ import annotations

import datetime as dt
import uuid
from typing import Any

import psycopg

from domain.actors import Actor, Role
from domain.mediation import ADMINISTRATIVE, MediationCase, MediationType, Origin
from domain.step import china_date
from domain.values import Party, PartyRole
from tests.api.conftest import GraphQL, Separate, Users
from tests.api.test_trail import mediation

AS_OF = """
query($id: ID!, $at: DateTime) {
  case(id: $id, asOf: $at) {
    version status asOf
    nextSteps { mutation }
    deadlines { ruleId dueOn daysLeft overdue }
    history { what }
  }
}
"""


def now() -> dt.datetime:
    return dt.datetime.now(dt.UTC)


async def as_of(gql: GraphQL, user: Any, case_id: str, at: dt.datetime | None) -> dict[str, Any]:
    variables = {"id": case_id, "at": None if at is None else at.isoformat()}
    case: dict[str, Any] = (await gql.query(user, AS_OF, variables))["case"]
    return case


async def test_a_case_as_of_an_instant_shows_its_state_deadlines_and_history_then(
    gql: GraphQL, users: Users
) -> None:
    handler, head = users(Role.HANDLER), users(Role.APPROVER)
    case = await mediation(gql, users(Role.INTAKE))
    registered = now()
    case = await gql.step(handler, "mediationHoldSession", case, mediator="王", notes="陈述")
    session = now()
    await gql.step(
        handler,
        "mediationChangeType",
        case,
        mediationType="PEOPLES",
        reason="转人民调解",
        approver={"id": head.id},
    )
    first = await as_of(gql, handler, case["id"], registered)
    due = dt.date.fromisoformat(first["deadlines"][0]["dueOn"])
    running = [
        {
            "ruleId": "mediation.administrative",
            "dueOn": due.isoformat(),
            "daysLeft": (due - china_date(registered)).days,
            "overdue": False,
        }
    ]
    assert first == {
        "version": 1,
        "status": "mediating",
        "asOf": registered.isoformat(),
        "nextSteps": [],
        "deadlines": running,
        "history": [{"what": "Registered"}],
    }
    second = await as_of(gql, handler, case["id"], session)
    assert (second["version"], second["deadlines"], second["history"]) == (
        2,
        [{**running[0], "daysLeft": (due - china_date(session)).days}],
        [{"what": "Registered"}, {"what": "SessionHeld"}],
    )
    current = await as_of(gql, handler, case["id"], None)
    assert (current["version"], current["asOf"], current["deadlines"]) == (3, None, [])
    assert [e["what"] for e in current["history"]] == ["Registered", "SessionHeld", "TypeChanged"]
    assert current["nextSteps"] != []


async def test_as_of_is_refused_before_registration_in_the_future_without_a_zone_or_unseen(
    gql: GraphQL, users: Users
) -> None:
    before = now()
    case = await mediation(gql, users(Role.INTAKE))
    handler = users(Role.HANDLER)

    async def refused(at: str, user: Any = handler) -> list[tuple[str, str]]:
        errors = await gql.errors(user, AS_OF, {"id": case["id"], "at": at})
        return [(e["extensions"]["code"], e["message"]) for e in errors]

    assert await refused(before.isoformat()) == [
        ("NOT_FOUND", f"case {case['id']} was not yet recorded at {before.isoformat()}")
    ]
    future = (now() + dt.timedelta(days=1)).isoformat()
    assert await refused(future) == [
        ("VALIDATION", "asOf: an instant not yet recorded (the future)")
    ]
    zoneless = now().replace(tzinfo=None).isoformat()
    assert await refused(zoneless) == [("VALIDATION", "an as-of instant must carry a time zone")]
    outsider = users(Role.HANDLER, org="org-" + uuid.uuid4().hex[:8])
    assert [code for code, _ in await refused(now().isoformat(), outsider)] == ["FORBIDDEN"]


async def test_days_left_as_of_an_instant_count_from_that_instants_china_date(
    separate: Separate, users: Users
) -> None:
    app, past = separate.container.application, now() - dt.timedelta(days=10)
    case = app.register(
        MediationCase,
        app.step(Actor("intake-1", Role.INTAKE, "org-then"), at=past),
        title="相邻通行纠纷",
        organisation="org-then",
        parties=[Party("张三", PartyRole.APPLICANT), Party("李四", PartyRole.OTHER)],
        mediation_type=MediationType.ADMINISTRATIVE,
        origin=Origin.APPLICATION,
    )
    with psycopg.connect(separate.database.dsn, autocommit=True) as conn, conn.transaction():
        # Recorded ten days ago, as if registered then (the seals no longer match; no matter here).
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(
            "UPDATE event_hashes SET recorded_at = recorded_at - interval '10 days' "
            "WHERE originator_id = %s",
            (case.id,),
        )
    due = case.deadlines[ADMINISTRATIVE].due_on
    then = past + dt.timedelta(hours=1)
    auditor = users(Role.AUDITOR, org="audit")
    seen = await as_of(separate.gql, auditor, str(case.id), then)
    today = china_date(app.clock())
    assert (seen["deadlines"], seen["asOf"]) == (
        [
            {
                "ruleId": ADMINISTRATIVE,
                "dueOn": due.isoformat(),
                "daysLeft": (due - china_date(then)).days,
                "overdue": False,
            }
        ],
        then.isoformat(),
    )
    current = await as_of(separate.gql, auditor, str(case.id), None)
    assert current["deadlines"][0]["daysLeft"] == (due - today).days
    # then and today are different China days, so the two counts tell apart which day is used
    assert (today - china_date(then)).days in (9, 10)
