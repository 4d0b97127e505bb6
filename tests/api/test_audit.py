"""Audit reads over GraphQL: a case's decision history and whether the sealed log holds."""

from __future__ import annotations

import uuid
from collections.abc import Callable
from typing import Any

import psycopg
import pytest

from api.bootstrap import Container
from domain.actors import Actor, Role
from domain.mediation import MediationCase, MediationType, Origin
from domain.step import china_date
from domain.values import Party, PartyRole
from tests.api.conftest import GraphQL, Separate, Users
from tests.api.test_docs import examples
from tests.api.test_documents import described, upload
from tests.api.test_trail import mediation

HISTORY = """
query($id: ID!) {
  decisionHistory(caseId: $id) {
    version step decider { id } approver { id } legalBasis reason statusAfter
    documents { name mediaType size sha256 }
  }
}
"""
VERIFY = """
query($id: ID) {
  verifyChain(caseId: $id) {
    holds checked problems firstProblem { notificationId caseId version what }
  }
}
"""


async def test_the_decision_history_lists_decisions_with_the_documents_held_then(
    gql: GraphQL, users: Users
) -> None:
    handler, head = users(Role.HANDLER), users(Role.APPROVER)
    case = await mediation(gql, users(Role.INTAKE))
    content = b"%PDF " + uuid.uuid4().bytes
    attached = await upload(gql.http, handler, case, content)
    case = {"id": case["id"], "version": attached["case"]["version"]}
    await gql.step(
        handler,
        "mediationChangeType",
        case,
        mediationType="PEOPLES",
        reason="转人民调解",
        legalBasis="《人民调解法》第十八条",
        approver={"id": head.id},
    )
    history = await gql.query(users(Role.AUDITOR), HISTORY, {"id": case["id"]})
    assert history["decisionHistory"] == [
        {
            "version": 3,
            "step": "TypeChanged",
            "decider": {"id": handler.id},
            "approver": {"id": head.id},
            "legalBasis": "《人民调解法》第十八条",
            "reason": "转人民调解",
            "statusAfter": "mediating",
            "documents": [described(content)],
        }
    ]
    assert await gql.query(handler, HISTORY, {"id": case["id"]}) == history
    outsider = users(Role.APPROVER, org="org-" + uuid.uuid4().hex[:8])
    errors = await gql.errors(outsider, HISTORY, {"id": case["id"]})
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


async def test_a_case_chain_is_verified_for_those_who_see_it_and_the_log_for_auditors(
    gql: GraphQL, users: Users
) -> None:
    handler = users(Role.HANDLER)
    case = await mediation(gql, users(Role.INTAKE))
    await gql.step(handler, "mediationHoldSession", case, mediator="王", notes="陈述")
    verdict = (await gql.query(handler, VERIFY, {"id": case["id"]}))["verifyChain"]
    assert verdict == {"holds": True, "checked": 2, "problems": 0, "firstProblem": None}
    errors = await gql.errors(handler, VERIFY, {})
    assert [(e["extensions"]["code"], e["message"]) for e in errors] == [
        ("FORBIDDEN", "only auditors and admins may verify the whole event log")
    ]
    whole = (await gql.query(users(Role.AUDITOR), VERIFY, {}))["verifyChain"]
    assert (whole["holds"], whole["problems"], whole["firstProblem"]) == (True, 0, None)
    assert whole["checked"] >= 2
    missing = str(uuid.uuid4())
    errors = await gql.errors(users(Role.AUDITOR), VERIFY, {"id": missing})
    assert [e["extensions"]["code"] for e in errors] == ["NOT_FOUND"]
    outsider = users(Role.HANDLER, org="org-" + uuid.uuid4().hex[:8])
    errors = await gql.errors(outsider, VERIFY, {"id": case["id"]})
    assert [e["extensions"]["code"] for e in errors] == ["FORBIDDEN"]


@pytest.fixture
async def tampered(separate: Separate) -> dict[str, Any]:
    """A database of its own whose one case had its second event's bytes altered."""
    app = separate.container.application
    intake = Actor("intake-1", Role.INTAKE, "org-audit")
    case = app.register(
        MediationCase,
        app.step(intake),
        title="相邻通行纠纷",
        organisation="org-audit",
        parties=[Party("张三", PartyRole.APPLICANT), Party("李四", PartyRole.OTHER)],
        mediation_type=MediationType.ADMINISTRATIVE,
        origin=Origin.APPLICATION,
    )
    mediator = Actor("handler-1", Role.HANDLER, "org-audit")

    def session(notes: str) -> Callable[[MediationCase], None]:
        return lambda c: c.hold_session(app.step(mediator), mediator="王", notes=notes)

    for notes in ("第0次", "第1次"):
        app.act(case.id, MediationCase, session(notes))
    with psycopg.connect(separate.database.dsn, autocommit=True) as conn, conn.transaction():
        # A superuser can switch ordinary triggers off; the seals are what is left to catch it.
        conn.execute("SET LOCAL session_replication_role = replica")
        conn.execute(
            "UPDATE casework_events SET state = "
            "convert_to(replace(convert_from(state, 'UTF8'), '第0次', '第9次'), 'UTF8') "
            "WHERE originator_id = %s AND originator_version = 2",
            (case.id,),
        )
        row = conn.execute(
            "SELECT notification_id FROM event_hashes WHERE originator_id = %s "
            "AND originator_version = 2",
            (case.id,),
        ).fetchone()
    assert row is not None
    return {"gql": separate.gql, "case": str(case.id), "position": int(row[0])}


async def test_an_altered_event_is_named_as_the_first_bad_one(
    tampered: dict[str, Any], users: Users
) -> None:
    gql, case = tampered["gql"], tampered["case"]
    bad = {
        "notificationId": tampered["position"],
        "caseId": case,
        "version": 2,
        "what": "its stored bytes differ from what was sealed: the event was altered",
    }
    auditor = users(Role.AUDITOR, org="audit")
    assert (await gql.query(auditor, VERIFY, {"id": case}))["verifyChain"] == {
        "holds": False,
        "checked": 3,
        "problems": 1,
        "firstProblem": bad,
    }
    whole = (await gql.query(auditor, VERIFY, {}))["verifyChain"]
    assert (whole["holds"], whole["firstProblem"]) == (False, bad)


async def test_the_documented_supervision_and_audit_reads_run(
    gql: GraphQL, users: Users, api_container: Container
) -> None:
    named = examples()
    handler, head = users(Role.HANDLER), users(Role.APPROVER)
    auditor = users(Role.AUDITOR, org="audit-" + uuid.uuid4().hex[:6])
    case = await mediation(gql, users(Role.INTAKE))
    attached = await upload(gql.http, handler, case, b"%PDF docs", query=named["Attach"])
    assert attached["case"]["documents"][0]["size"] == len(b"%PDF docs")
    now = api_container.application.clock()
    ids = {"caseId": case["id"]}
    runs = {
        "Search": (head, {"filter": {"reference": case["reference"]}}),
        "Responsibility": (head, ids),
        "Figures": (head, {"org": head.org, "year": china_date(now).year}),
        "CaseTrail": (auditor, ids),
        "PersonTrail": (auditor, {"who": handler.id}),
        "CaseThen": (auditor, {"id": case["id"], "at": now.isoformat()}),
        "Decisions": (auditor, ids),
        "VerifyLog": (auditor, {}),
        "Dossier": (auditor, ids),
        "DistrictTable": (auditor, {"year": china_date(now).year}),
    }
    seen = {
        name: await gql.query(user, named[name], variables)
        for name, (user, variables) in runs.items()
    }
    assert [e["node"]["id"] for e in seen["Search"]["searchCases"]["edges"]] == [case["id"]]
    assert [e["node"]["step"] for e in seen["CaseTrail"]["caseTrail"]["edges"]] == [
        "registered",
        "document_attached",
    ]
    assert seen["CaseThen"]["case"]["documents"] == [
        {"name": "决定书.pdf", "sha256": described(b"%PDF docs")["sha256"]}
    ]
    assert seen["VerifyLog"]["verifyChain"]["holds"] is True
