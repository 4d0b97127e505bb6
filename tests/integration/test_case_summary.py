import datetime as dt
import json
import random
import uuid
from collections.abc import Callable
from dataclasses import replace
from typing import Any
from uuid import UUID

import psycopg
import pytest
from psycopg import sql
from psycopg.types.json import Jsonb

from api.database import ConnectionTarget
from domain.actors import Actor, Role
from domain.application import Casework
from domain.case import CaseFile
from domain.mediation import MediationCase, MediationType, Origin
from domain.petition import Petition
from domain.step import CHINA, Step
from domain.values import AdministrativeAct, CaseKind, Party, PartyRole
from projections.case_summary import (
    ActSummary,
    CaseCursor,
    CaseSummary,
    CaseSummaryView,
    PartyName,
    SearchFilter,
    SearchScope,
    case_summary,
    name_grams,
    normalise,
    search_cases,
    search_statement,
)
from projections.runner import ProjectionRunner, ViewBatch, ViewFailed
from tests.integration.power_cut import CutAfterRows, PowerCut

HOUSING = AdministrativeAct("区住建局", "区住建罚〔2026〕8号", dt.date(2026, 2, 10), "罚款")
MARKET = AdministrativeAct("区市场监管局", "市监罚〔2025〕17号", dt.date(2026, 2, 20))


class SummaryProbe(CaseFile):
    """A case of a class the view does not know, which can be closed and reopened."""

    KIND = CaseKind.MEDIATION
    WHAT = "mediation"
    FINAL_STATES = frozenset({"closed"})

    class Registered(CaseFile.Opened):
        def apply(self, aggregate: Any) -> None:
            super().apply(aggregate)
            aggregate.status = "open"

    class Suspended(CaseFile.Event):
        pass

    class Closed(CaseFile.Event):
        def on(self, case: Any) -> None:
            case.status = "closed"

    class Reopened(CaseFile.Event):
        def on(self, case: Any) -> None:
            case.status = "open"

    class Retitled(CaseFile.Event):
        title: str

        def on(self, case: Any) -> None:
            case.title = self.title

    @classmethod
    def register(cls, step: Step, *, case_id: UUID, reference: str, **facts: Any) -> "SummaryProbe":
        keeper = step.timekeeper
        return cls.open_case(
            cls.Registered,
            step,
            case_id=case_id,
            reference=reference,
            deadlines=[
                keeper.start("reconsideration.admission", step.today),
                keeper.start("reconsideration.decision", step.today),
            ],
            **facts,
        )

    def suspend(self, step: Step) -> None:
        self.record(self.Suspended, step, deadlines=self.suspended_clocks(step))

    def close(self, step: Step) -> None:
        self.record(self.Closed, step, ended=self.all_clocks())

    def retitle(self, step: Step, title: str) -> None:
        self.record(self.Retitled, step, title=title)

    def reopen(self, step: Step) -> None:
        self.record(
            self.Reopened,
            step,
            deadlines=[step.timekeeper.start("reconsideration.decision", step.today)],
        )


def at(month: int, day: int, hour: int = 10) -> dt.datetime:
    return dt.datetime(2026, month, day, hour, tzinfo=CHINA)


def summary(app: Casework, database: ConnectionTarget, case_id: UUID) -> CaseSummary | None:
    ProjectionRunner(app, CaseSummaryView()).run_until_caught_up()
    with psycopg.connect(database.dsn) as conn:
        return case_summary(conn, case_id)


def petition(
    app: Casework, intake: Actor, when: dt.datetime, parties: list[Party], **facts: Any
) -> Petition:
    defaults: dict[str, Any] = {"title": "对罚款决定不服", "act": None, "channel": "letter"}
    return app.register(
        Petition,
        app.step(intake, at=when),
        organisation=intake.organisation,
        parties=parties,
        **(defaults | facts),
    )


def mediation(app: Casework, handler: Actor, when: dt.datetime, **facts: Any) -> MediationCase:
    return app.register(
        MediationCase,
        app.step(handler, at=when),
        organisation=handler.organisation,
        origin=Origin.APPLICATION,
        mediation_type=MediationType.PEOPLES,
        **facts,
    )


def test_the_summary_follows_a_petition_from_registration_to_closure(
    app: Casework, actor: Callable[..., Actor], org: str, database: ConnectionTarget
):
    intake, head = actor(Role.INTAKE), actor(Role.APPROVER)
    agency = f"agency-{uuid.uuid4().hex[:8]}"
    parties = [
        Party("王五", PartyRole.APPLICANT, "110101198001011234", "13800001111", "某街道1号"),
        Party("区住建局", PartyRole.RESPONDENT),
    ]
    case = petition(app, intake, at(7, 20, 23), parties, title="对拆迁补偿不服", act=HOUSING)
    registered = CaseSummary(
        case_id=case.id,
        kind="petition",
        reference=case.reference,
        title="对拆迁补偿不服",
        organisation=org,
        status="registered",
        assignee=None,
        act=ActSummary("区住建局", "区住建罚〔2026〕8号", dt.date(2026, 2, 10), HOUSING.key),
        parties=(PartyName("王五", "applicant"), PartyName("区住建局", "respondent")),
        opened_on=dt.date(2026, 7, 20),
        closed_on=None,
        last_event_at=at(7, 20, 23),
        version=1,
        running_deadlines=1,
        suspended_deadlines=0,
        next_due_on=case.deadlines["petition.route"].due_on,
    )
    assert summary(app, database, case.id) == registered

    # 01:00 on 22 July in China is still 21 July in UTC: the China date counts.
    app.act(case.id, Petition, lambda c: c.assign(app.step(intake, at=at(7, 22, 1)), "handler-7"))
    assigned = replace(registered, assignee="handler-7", last_event_at=at(7, 22, 1), version=2)
    assert summary(app, database, case.id) == assigned

    route = app.step(intake, at=at(7, 24), approver=head)
    case = app.act(case.id, Petition, lambda c: c.route(route, agency=agency, method="assign"))
    routed = replace(
        assigned,
        status="routed",
        last_event_at=at(7, 24),
        version=3,
        next_due_on=case.deadlines["petition.accept"].due_on,
    )
    assert summary(app, database, case.id) == routed

    decline = app.step(
        actor(Role.HANDLER, agency),
        at=at(7, 28, 1),
        approver=actor(Role.APPROVER, agency),
        reason="不属于本机关职权范围",
    )
    app.act(case.id, Petition, lambda c: c.decline(decline))
    assert summary(app, database, case.id) == replace(
        routed,
        status="not_accepted",
        closed_on=dt.date(2026, 7, 28),
        last_event_at=at(7, 28, 1),
        version=4,
        running_deadlines=0,
        next_due_on=None,
    )


def test_closed_on_is_the_day_a_case_became_final_and_clears_when_it_reopens(
    app: Casework, actor: Callable[..., Actor], org: str, database: ConnectionTarget
):
    handler = actor(Role.HANDLER)
    case = app.register(
        SummaryProbe,
        app.step(handler, at=at(3, 2)),
        title="探针",
        organisation=org,
        act=None,
        parties=(Party("张三", PartyRole.APPLICANT), Party("李四", PartyRole.OTHER)),
    )
    opened = summary(app, database, case.id)
    assert opened is not None
    assert (opened.kind, opened.status, opened.act, opened.closed_on) == (
        "mediation",
        "open",
        None,
        None,
    )
    assert (opened.running_deadlines, opened.suspended_deadlines) == (2, 0)
    assert opened.next_due_on == min(d.due_on for d in case.deadlines.values())

    app.act(case.id, SummaryProbe, lambda c: c.suspend(app.step(handler, at=at(3, 4))))
    suspended = summary(app, database, case.id)
    assert suspended == replace(
        opened,
        last_event_at=at(3, 4),
        version=2,
        running_deadlines=0,
        suspended_deadlines=2,
        next_due_on=None,
    )

    app.act(case.id, SummaryProbe, lambda c: c.close(app.step(handler, at=at(3, 9))))
    closed = summary(app, database, case.id)
    assert closed == replace(
        suspended,
        status="closed",
        closed_on=dt.date(2026, 3, 9),
        last_event_at=at(3, 9),
        version=3,
        suspended_deadlines=0,
    )

    case = app.act(case.id, SummaryProbe, lambda c: c.reopen(app.step(handler, at=at(3, 16))))
    reopened = summary(app, database, case.id)
    assert reopened == replace(
        closed,
        status="open",
        closed_on=None,
        last_event_at=at(3, 16),
        version=4,
        running_deadlines=1,
        next_due_on=case.deadlines["reconsideration.decision"].due_on,
    )

    app.act(case.id, SummaryProbe, lambda c: c.close(app.step(handler, at=at(3, 20))))
    assert summary(app, database, case.id) == replace(
        reopened,
        status="closed",
        closed_on=dt.date(2026, 3, 20),
        last_event_at=at(3, 20),
        version=5,
        running_deadlines=0,
        next_due_on=None,
    )


def random_han(count: int) -> str:
    return "".join(chr(random.randint(0x4E00, 0x9FA5)) for _ in range(count))


@pytest.fixture
def found(database: ConnectionTarget) -> Callable[..., list[UUID]]:
    def search(**filters: Any) -> list[UUID]:
        with psycopg.connect(database.dsn) as conn:
            page = search_cases(conn, SearchFilter(**filters))
        assert page.next is None
        return [case.case_id for case in page.cases]

    return search


def test_every_search_filter_alone_and_combined(
    app: Casework,
    actor: Callable[..., Actor],
    org: str,
    found: Callable[..., list[UUID]],
):
    intake, head, handler = actor(Role.INTAKE), actor(Role.APPROVER), actor(Role.HANDLER)
    marker = random_han(4)
    person = petition(
        app,
        intake,
        at(3, 2),
        [Party("张三丰", PartyRole.APPLICANT)],
        title="对拆迁补偿决定不服",
        act=HOUSING,
    )
    company = petition(
        app, intake, at(3, 5), [Party("北京张三科技有限公司", PartyRole.APPLICANT)], act=MARKET
    )
    neighbours = mediation(
        app,
        handler,
        at(3, 5),
        title=f"相邻通行纠纷{marker}",
        parties=[Party("李四", PartyRole.APPLICANT), Party(f"王五{marker}", PartyRole.OTHER)],
    )
    foreign = petition(
        app,
        intake,
        at(3, 9),
        [Party("ＡＣＭＥ Trading Ltd", PartyRole.APPLICANT)],
        title="Acme 投诉",
        act=HOUSING,
    )
    decline = app.step(intake, at=at(3, 6), approver=head, reason="重复信访")
    app.act(company.id, Petition, lambda c: c.decline(decline))
    ProjectionRunner(app, CaseSummaryView()).run_until_caught_up()

    p, c, n, f = person.id, company.id, neighbours.id, foreign.id
    same_day = sorted([c, n])
    assert found(organisation=org) == [f, *same_day, p]
    # Chinese substrings, two characters and one.
    assert found(organisation=org, text="张三") == [c, p]
    assert found(organisation=org, party="张三") == [c, p]
    assert found(organisation=org, party="三") == [c, p]
    assert found(organisation=org, party="丰") == [p]
    assert found(organisation=org, party="李") == [n]
    assert found(organisation=org, text="拆迁") == [p]
    # NFKC and case folding: full-width capitals match plain lower case, and back.
    assert found(organisation=org, text="acme") == [f]
    assert found(organisation=org, party="acme trading") == [f]
    assert found(organisation=org, text="TRADING ａｃｍｅ") == [f]
    assert found(organisation=org, party="acme ltd") == []
    # Reference: exact, a fragment, the year. (Fragments keep a character of the prefix:
    # other kinds count their own numbers, so 〔2026〕N号 alone may name a mediation too.)
    number = company.reference.removeprefix("信访〔2026〕").removesuffix("号")
    assert found(organisation=org, reference=company.reference) == [c]
    assert found(organisation=org, reference=f"访〔2026〕{number}号") == [c]
    assert found(organisation=org, text=f"信访〔2026〕{number}号") == [c]
    assert found(organisation=org, reference=f"访[2026]{number}号") == [c]
    assert found(organisation=org, reference=f"访（2026）{number}号") == [c]
    assert found(organisation=org, reference="信访〔2026〕") == [f, c, p]
    # The act: agency, document number, or its key.
    assert found(organisation=org, act="住建局") == [f, p]
    assert found(organisation=org, act="市监罚〔2025〕17") == [c]
    assert found(organisation=org, act=HOUSING.key) == [f, p]
    assert found(organisation=org, kind="mediation") == [n]
    assert found(organisation=org, status="not_accepted") == [c]
    assert found(organisation=org, opened_from=dt.date(2026, 3, 5)) == [f, *same_day]
    assert found(organisation=org, opened_to=dt.date(2026, 3, 5)) == [*same_day, p]
    # Filters without the organisation, made unique by a random marker.
    assert found(text=marker[1:3]) == [n]
    assert found(party=marker[2:]) == [n]
    assert found(text=marker, kind="mediation", opened_to=dt.date(2026, 3, 5)) == [n]
    # Combined.
    assert found(organisation=org, text="张三", kind="petition", status="not_accepted") == [c]
    assert found(organisation=org, party="张三", act="住建") == [p]
    assert found(organisation=org, party="张三", act=MARKET.key) == [c]
    assert found(organisation=org, party="张三丰", act=MARKET.key) == []
    assert found(
        organisation=org,
        text="纠纷 李",
        opened_from=dt.date(2026, 3, 3),
        opened_to=dt.date(2026, 3, 6),
    ) == [n]
    # A blank filter filters nothing.
    assert found(organisation=org, text="  ", party="") == [f, *same_day, p]


def test_pages_follow_one_another_without_duplicates_or_gaps(
    app: Casework, actor: Callable[..., Actor], org: str, database: ConnectionTarget
):
    handler = actor(Role.HANDLER)
    days = [2, 3, 3, 3, 4, 6, 6]
    parties = [Party("赵六", PartyRole.APPLICANT), Party("钱七", PartyRole.OTHER)]
    cases = [mediation(app, handler, at(3, d), title="纠纷", parties=parties) for d in days]
    ProjectionRunner(app, CaseSummaryView()).run_until_caught_up()
    expected = [c.id for c in sorted(cases, key=lambda c: (-days[cases.index(c)], c.id))]
    with psycopg.connect(database.dsn) as conn:
        seen: list[UUID] = []
        after: CaseCursor | None = None
        pages = 0
        while True:
            page = search_cases(
                conn, SearchFilter(organisation=org, party="赵"), limit=2, after=after
            )
            seen.extend(case.case_id for case in page.cases)
            pages += 1
            if page.next is None:
                break
            after = page.next
        whole = search_cases(conn, SearchFilter(organisation=org), limit=7)
        with pytest.raises(ValueError, match="at least one"):
            search_cases(conn, SearchFilter(organisation=org), limit=0)
    assert seen == expected
    assert pages == 4
    assert [c.case_id for c in whole.cases] == expected
    assert whole.next is None


def test_name_search_uses_the_gram_index_on_ten_thousand_rows(database: ConnectionTarget):
    rng = random.Random(7)
    with psycopg.connect(database.dsn) as conn:
        rows = []
        for i in range(10_000):
            names = [f"{random_han(2)}{random_han(1)}", f"{random_han(4)}有限公司"]
            rows.append(
                (
                    uuid.uuid4(),
                    f"信访〔2026〕{100000 + i}号",
                    Jsonb([{"name": n, "role": "applicant"} for n in names]),
                    dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300)),
                    "\x1f".join(normalise(n) for n in names),
                    name_grams(names),
                )
            )
        with conn.cursor() as curs:
            curs.executemany(
                """
                INSERT INTO case_summaries (case_id, kind, reference, title, organisation, status,
                    parties, opened_on, last_event_at, version, running_deadlines,
                    suspended_deadlines)
                VALUES (%s, 'petition', %s, '', 'explain', 'registered', %s, %s, now(), 1, 0, 0)
                """,
                [row[:4] for row in rows],
            )
            curs.executemany(
                """
                INSERT INTO case_search (case_id, search_names, search_parties, search_act,
                    search_reference, search_grams)
                VALUES (%s, '', %s, '', '', %s)
                """,
                [(row[0], row[4], row[5]) for row in rows],
            )
            curs.execute("ANALYZE case_summaries")
            curs.execute("ANALYZE case_search")
            name = rows[1234][4].split("\x1f")[0]
            plans = []
            for filters in ({"party": name[1:]}, {"text": name}):
                query, params = search_statement(SearchFilter(**filters))
                explain = sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) ") + query
                plan = curs.execute(explain, params | {"n": 51}).fetchone()
                assert plan is not None
                plans.append(json.dumps(plan[0]))
        conn.rollback()
    for plan in plans:
        assert '"Index Name": "case_search_by_gram"' in plan
        assert '"Node Type": "Seq Scan"' not in plan


def table_rows(database: ConnectionTarget, table: str) -> list[tuple[Any, ...]]:
    with psycopg.connect(database.dsn) as conn:
        query = sql.SQL("SELECT * FROM {} ORDER BY case_id").format(sql.Identifier(table))
        return conn.execute(query).fetchall()


def test_batches_of_three_build_the_same_rows_as_one_run(
    app: Casework, actor: Callable[..., Actor], org: str, database: ConnectionTarget
):
    handler = actor(Role.HANDLER)
    parties = (Party("张三", PartyRole.APPLICANT), Party("李四", PartyRole.OTHER))
    for day in (2, 3, 4):
        case = app.register(
            SummaryProbe,
            app.step(handler, at=at(4, day)),
            title="探针",
            organisation=org,
            act=MARKET,
            parties=parties,
        )
        app.act(case.id, SummaryProbe, lambda c: c.suspend(app.step(handler, at=at(4, 9))))
        app.act(case.id, SummaryProbe, lambda c: c.close(app.step(handler, at=at(4, 10))))
    ProjectionRunner(app, CaseSummaryView()).run_until_caught_up()
    suffix = f"__copy{uuid.uuid4().hex[:6]}"
    tables = CaseSummaryView.tables
    with psycopg.connect(database.dsn, autocommit=True) as conn:
        for table in tables:
            conn.execute(
                sql.SQL("CREATE TABLE {} (LIKE {} INCLUDING ALL)").format(
                    sql.Identifier(table + suffix), sql.Identifier(table)
                )
            )
    try:
        runner = ProjectionRunner(
            app, CaseSummaryView(suffix), batch_size=3, tracking_name="case_summary" + suffix
        )
        runner.run_until_caught_up()
        for table in tables:
            assert table_rows(database, table + suffix) == table_rows(database, table)
    finally:
        with psycopg.connect(database.dsn, autocommit=True) as conn:
            for table in tables:
                conn.execute(sql.SQL("DROP TABLE {}").format(sql.Identifier(table + suffix)))


def test_the_assignee_and_open_only_filters_alone_and_combined(
    app: Casework, actor: Callable[..., Actor], org: str, database: ConnectionTarget
) -> None:
    handler, me, colleague = actor(Role.HANDLER), f"me-{uuid.uuid4().hex[:8]}", "colleague"
    elsewhere = f"org-{uuid.uuid4().hex[:8]}"

    def probe(day: int, assignee: str | None, organisation: str = org, title: str = "探针") -> UUID:
        step = app.step(handler, at=at(5, day))
        parties = (Party("张三", PartyRole.APPLICANT),)
        case = app.register(
            SummaryProbe, step, title=title, organisation=organisation, act=None, parties=parties
        )
        if assignee is not None:
            assign = app.step(handler, at=at(5, day, 11))
            app.act(case.id, SummaryProbe, lambda c: c.assign(assign, assignee))
        return case.id

    def close(case_id: UUID, day: int) -> None:
        app.act(case_id, SummaryProbe, lambda c: c.close(app.step(handler, at=at(5, day))))

    mine_open = probe(2, me)
    mine_closed = probe(3, me)
    mine_reopened = probe(4, me, title="相邻纠纷")
    mine_elsewhere = probe(5, me, organisation=elsewhere)
    theirs_open = probe(6, colleague)
    nobodys = probe(7, None)
    theirs_closed = probe(8, colleague)
    close(mine_closed, 9)
    close(mine_reopened, 9)
    app.act(mine_reopened, SummaryProbe, lambda c: c.reopen(app.step(handler, at=at(5, 10))))
    close(theirs_closed, 10)
    ProjectionRunner(app, CaseSummaryView()).run_until_caught_up()

    def found(scope: SearchScope | None = None, **filters: Any) -> list[UUID]:
        with psycopg.connect(database.dsn) as conn:
            page = search_cases(conn, SearchFilter(**filters), scope=scope)
        assert page.next is None
        return [case.case_id for case in page.cases]

    everything = [theirs_closed, nobodys, theirs_open, mine_reopened, mine_closed, mine_open]
    assert found(organisation=org) == everything
    # Alone.
    assert found(assignee=me) == [mine_elsewhere, mine_reopened, mine_closed, mine_open]
    assert found(organisation=org, open_only=True) == [
        nobodys,
        theirs_open,
        mine_reopened,
        mine_open,
    ]
    assert found(organisation=org, open_only=False) == everything
    # Exact: neither a prefix nor another case of letters matches.
    assert found(assignee=me[:-1]) == []
    assert found(assignee=me.upper()) == []
    # Together, and with the other filters and a scope.
    assert found(assignee=me, open_only=True) == [mine_elsewhere, mine_reopened, mine_open]
    assert found(assignee=me, open_only=True, organisation=org) == [mine_reopened, mine_open]
    assert found(assignee=me, open_only=True, text="纠纷") == [mine_reopened]
    assert found(assignee=me, open_only=True, opened_to=dt.date(2026, 5, 3)) == [mine_open]
    assert found(assignee=colleague, open_only=True, organisation=org) == [theirs_open]
    assert found(assignee=colleague, organisation=org, status="closed") == [theirs_closed]
    ours = SearchScope(organisations=(org,))
    assert found(ours, assignee=me, open_only=True) == [mine_reopened, mine_open]
    assert found(SearchScope(organisations=(elsewhere,)), assignee=me) == [mine_elsewhere]
    with psycopg.connect(database.dsn) as conn:
        mine = SearchFilter(assignee=me, open_only=True)
        first = search_cases(conn, mine, limit=2)
        rest = search_cases(conn, mine, limit=2, after=first.next)
    assert [c.case_id for c in first.cases] == [mine_elsewhere, mine_reopened]
    assert first.next == CaseCursor(dt.date(2026, 5, 4), mine_reopened)
    assert ([c.case_id for c in rest.cases], rest.next) == ([mine_open], None)


def test_a_persons_open_cases_are_read_through_the_partial_assignee_index(
    database: ConnectionTarget,
) -> None:
    rng = random.Random(11)
    people = [f"user-{uuid.uuid4().hex[:8]}" for _ in range(60)]
    with psycopg.connect(database.dsn) as conn:
        rows = []
        for i in range(3000):
            opened = dt.date(2026, 1, 1) + dt.timedelta(days=rng.randrange(300))
            closed = opened + dt.timedelta(days=30) if rng.random() < 0.8 else None
            rows.append(
                (uuid.uuid4(), f"信访〔2026〕{200000 + i}号", rng.choice(people), opened, closed)
            )
        with conn.cursor() as curs:
            curs.executemany(
                """
                INSERT INTO case_summaries (case_id, kind, reference, title, organisation, status,
                    assignee, parties, opened_on, closed_on, last_event_at, version,
                    running_deadlines, suspended_deadlines)
                VALUES (%s, 'petition', %s, '', 'explain', 'registered', %s, '[]', %s, %s,
                    now(), 1, 0, 0)
                """,
                rows,
            )
            curs.executemany(
                "INSERT INTO case_search VALUES (%s, '', '', '', '', '{}')",
                [row[:1] for row in rows],
            )
            curs.execute("ANALYZE case_summaries")
            curs.execute("ANALYZE case_search")
            query, params = search_statement(SearchFilter(assignee=people[7], open_only=True))
            explain = sql.SQL("EXPLAIN (ANALYZE, FORMAT JSON) ") + query
            plan = curs.execute(explain, params | {"n": 21}).fetchone()
            assert plan is not None
        conn.rollback()
    text = json.dumps(plan[0])
    assert '"Index Name": "case_summaries_open_by_assignee"' in text
    assert '"Node Type": "Seq Scan"' not in text


def found_by(database: ConnectionTarget, text: str) -> list[UUID]:
    with psycopg.connect(database.dsn) as conn:
        return [c.case_id for c in search_cases(conn, SearchFilter(text=text)).cases]


def titled_probe(app: Casework, handler: Actor, org: str, title: str) -> SummaryProbe:
    step = app.step(handler, at=at(6, 1))
    return app.register(SummaryProbe, step, title=title, organisation=org, act=None, parties=())


def test_a_case_is_found_by_its_new_name_and_no_longer_by_the_old(
    app: Casework, actor: Callable[..., Actor], org: str, database: ConnectionTarget
) -> None:
    handler = actor(Role.HANDLER)
    old, new = f"旧名{uuid.uuid4().hex[:6]}", f"新名{uuid.uuid4().hex[:6]}"
    case = titled_probe(app, handler, org, old)
    view = CaseSummaryView()  # one view, so it remembers the names it wrote
    ProjectionRunner(app, view).run_until_caught_up()
    assert found_by(database, old) == [case.id]
    app.act(case.id, SummaryProbe, lambda c: c.suspend(app.step(handler, at=at(6, 2))))
    app.act(case.id, SummaryProbe, lambda c: c.retitle(app.step(handler, at=at(6, 3)), new))
    ProjectionRunner(app, view).run_until_caught_up()
    assert (found_by(database, old), found_by(database, new)) == ([], [case.id])


def test_a_renaming_batch_that_rolled_back_writes_the_new_name_when_it_comes_again(
    app: Casework, actor: Callable[..., Actor], org: str, database: ConnectionTarget
) -> None:
    handler = actor(Role.HANDLER)
    old, new = f"旧名{uuid.uuid4().hex[:6]}", f"新名{uuid.uuid4().hex[:6]}"
    case = titled_probe(app, handler, org, old)
    armed: list[bool] = []  # cut the next batch that holds the case, once

    class CutOnce(CaseSummaryView):
        def batch(self, curs: Any) -> ViewBatch:
            def once(seen: list[tuple[int, UUID]]) -> bool:
                cut = bool(armed) and case.id in {c for _, c in seen}
                if cut:
                    armed.clear()
                return cut

            return CutAfterRows(self, curs, super().batch(curs), once)

    view = CutOnce()
    runner = ProjectionRunner(app, view)
    runner.run_until_caught_up()  # the opening batch: not cut, the case is found by its name
    assert found_by(database, old) == [case.id]
    app.act(case.id, SummaryProbe, lambda c: c.retitle(app.step(handler, at=at(6, 3)), new))
    armed.append(True)
    # The batch is taken in (the view remembers the new name), written, then lost.
    with pytest.raises(ViewFailed) as failed:
        runner.run_until_caught_up()
    assert isinstance(failed.value.error, PowerCut)
    assert (found_by(database, old), found_by(database, new)) == ([case.id], [])
    runner.run_until_caught_up()
    assert (found_by(database, old), found_by(database, new)) == ([], [case.id])
