import datetime as dt
import uuid
from collections.abc import Callable
from typing import Any
from uuid import UUID

import psycopg
from psycopg import sql

from api.database import ConnectionTarget
from domain.actors import Actor, Role
from domain.application import Casework
from domain.litigation import LitigationCase
from domain.mediation import MediationCase, MediationType, Origin
from domain.petition import Petition
from domain.reconsideration import ReconsiderationCase
from domain.step import CHINA
from domain.values import AdministrativeAct, LinkRelation, Party, PartyRole
from projections.dossier import (
    Dossier,
    DossierCase,
    DossierEdge,
    DossierView,
    EdgeKind,
    dossier_of_act,
    dossier_of_case,
)
from projections.runner import ProjectionRunner

APPLICANT = Party("张三", PartyRole.APPLICANT)


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=CHINA)


def an_act(agency: str) -> AdministrativeAct:
    return AdministrativeAct(agency, f"罚字〔2026〕{uuid.uuid4().hex[:6]}号", dt.date(2026, 2, 2))


def node(case: Any, when: dt.datetime, status: str) -> DossierCase:
    return DossierCase(
        case_id=case.id,
        kind=str(case.KIND),
        reference=case.reference,
        title=case.title,
        organisation=case.organisation,
        status=status,
        act_key=case.act.key if case.act else None,
        opened_at=when,
    )


def link(source: UUID, target: UUID, relation: LinkRelation) -> DossierEdge:
    return DossierEdge(source, target, EdgeKind.LINK, str(relation), None)


def same_act(first: UUID, second: UUID, act: AdministrativeAct) -> DossierEdge:
    low, high = sorted([first, second])
    return DossierEdge(low, high, EdgeKind.SAME_ACT, None, act.key)


def mediation(app: Casework, who: Actor, when: dt.datetime, act: AdministrativeAct) -> Any:
    return app.register(
        MediationCase,
        app.step(who, at=when),
        title="拆迁补偿调解",
        organisation=who.organisation,
        parties=[APPLICANT, Party(act.agency, PartyRole.OTHER)],
        origin=Origin.APPLICATION,
        mediation_type=MediationType.ADMINISTRATIVE,
        act=act,
    )


def test_a_dossier_gathers_links_and_cases_on_the_same_act_and_nothing_else(
    app: Casework, actor: Callable[..., Actor], org: str, database: ConnectionTarget
):
    intake, head = actor(Role.INTAKE), actor(Role.APPROVER)
    coordinator, handler = actor(Role.COORDINATOR), actor(Role.HANDLER)
    act, other_act = an_act(f"区住建局{org}"), an_act(f"区规划局{org}")

    # A petition without an act, diverted to a reconsideration of the act (诉访分离).
    petition = app.register(
        Petition,
        app.step(intake, at=at(3, 2)),
        title="对拆迁补偿不服",
        organisation=org,
        act=None,
        parties=[APPLICANT],
        channel="visit",
    )
    divert = app.step(intake, at=at(3, 3), approver=head, reason="属行政复议范围")
    reconsideration = app.prepare(
        ReconsiderationCase,
        divert,
        title="不服拆迁补偿决定申请复议",
        organisation=org,
        act=act,
        parties=[APPLICANT],
        knew_on=dt.date(2026, 2, 20),
    )
    app.open_linked(
        petition.id,
        Petition,
        target=reconsideration,
        relation=LinkRelation.DIVERTED_TO,
        source_command=lambda p, target: p.divert(divert, "reconsideration", target),
        step=divert,
    )
    # The reconsideration upheld the act; the lawsuit names its body co-defendant.
    lawsuit = app.register(
        LitigationCase,
        app.step(coordinator, at=at(3, 10)),
        title="张三诉区住建局拆迁补偿案",
        organisation=org,
        act=act,
        parties=[APPLICANT],
        court="区人民法院",
        court_case_number="(2026)京0105行初17号",
        served_on=dt.date(2026, 3, 10),
    )
    app.link_cases(
        lawsuit.id,
        reconsideration.id,
        LinkRelation.CO_DEFENDANT_OF,
        app.step(coordinator, at=at(3, 11)),
    )
    settling = mediation(app, handler, at(3, 12), act)
    unrelated = mediation(app, handler, at(3, 13), other_act)
    ProjectionRunner(app, DossierView()).run_until_caught_up()

    expected = Dossier(
        cases=(
            node(petition, at(3, 2), "diverted"),
            node(reconsideration, at(3, 3), "received"),
            node(lawsuit, at(3, 10), "awaiting_defence"),
            node(settling, at(3, 12), "mediating"),
        ),
        edges=tuple(
            sorted(
                [
                    link(petition.id, reconsideration.id, LinkRelation.DIVERTED_TO),
                    link(reconsideration.id, petition.id, LinkRelation.DIVERTED_FROM),
                    link(lawsuit.id, reconsideration.id, LinkRelation.CO_DEFENDANT_OF),
                    link(reconsideration.id, lawsuit.id, LinkRelation.CO_DEFENDANT_OF),
                ],
                key=lambda e: (e.source, e.target),
            )
        )
        + tuple(
            sorted(
                [
                    same_act(reconsideration.id, lawsuit.id, act),
                    same_act(reconsideration.id, settling.id, act),
                    same_act(lawsuit.id, settling.id, act),
                ],
                key=lambda e: (e.source, e.target),
            )
        ),
    )
    with psycopg.connect(database.dsn) as conn:
        # The same dossier from any of its cases, and from the act.
        for case in (petition, reconsideration, lawsuit, settling):
            assert dossier_of_case(conn, case.id) == expected
        assert dossier_of_act(conn, act.key) == expected
        assert dossier_of_case(conn, unrelated.id) == Dossier(
            cases=(node(unrelated, at(3, 13), "mediating"),), edges=()
        )
        assert dossier_of_act(conn, other_act.key) == dossier_of_case(conn, unrelated.id)
        assert dossier_of_act(conn, f"无此机关{org}|无此文号") == Dossier((), ())
        assert dossier_of_case(conn, uuid.uuid4()) == Dossier((), ())


def table_rows(database: ConnectionTarget, table: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database.dsn) as conn:
        query = sql.SQL("SELECT * FROM {} ORDER BY 1, 2").format(sql.Identifier(table))
        return conn.execute(query).fetchall()


def test_batches_of_three_build_the_same_rows_as_one_run(
    app: Casework, actor: Callable[..., Actor], database: ConnectionTarget
):
    handler = actor(Role.HANDLER)
    act = an_act(f"区住建局{uuid.uuid4().hex[:6]}")
    first, second = mediation(app, handler, at(4, 1), act), mediation(app, handler, at(4, 2), act)
    app.link_cases(first.id, second.id, LinkRelation.SETTLES, app.step(handler, at=at(4, 3)))
    ProjectionRunner(app, DossierView()).run_until_caught_up()
    suffix = f"__copy{uuid.uuid4().hex[:6]}"
    tables = DossierView.tables
    with psycopg.connect(database.dsn, autocommit=True) as conn:
        for table in tables:
            conn.execute(
                sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                    sql.Identifier(table + suffix), sql.Identifier(table)
                )
            )
    try:
        runner = ProjectionRunner(
            app, DossierView(suffix), batch_size=3, tracking_name="dossier" + suffix
        )
        runner.run_until_caught_up()
        for table in tables:
            assert table_rows(database, table + suffix) == table_rows(database, table)
    finally:
        with psycopg.connect(database.dsn, autocommit=True) as conn:
            for table in reversed(tables):
                conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(table + suffix)))
