"""Plain fields read directly give what graphql-core's general execution gives, errors included."""

from __future__ import annotations

import datetime as dt
import gc
from collections.abc import Awaitable
from enum import Enum, Flag
from typing import Any

import pytest
import strawberry
from graphql import DocumentNode, GraphQLResolveInfo, parse
from graphql.execution import MiddlewareManager, execute
from strawberry.execution.is_awaitable import optimized_is_awaitable
from strawberry.schema.schema import StrawberryGraphQLCoreExecutionContext

from api.auth import read_token
from api.bootstrap import Container
from api.graphql.context import Context
from api.graphql.execution import _OPERATION_PLANS, CaseworkExecutionContext
from api.graphql.limits import limit_extensions
from api.graphql.schema import build_schema
from domain.actors import Role
from tests.api.conftest import GraphQL, Users


@strawberry.enum
class Colour(Enum):
    RED = "red"
    GREEN = "green"


@strawberry.enum
class Size(Enum):
    SMALL = "s"
    LITTLE = "s"  # an alias: the same member as SMALL
    LARGE = "l"


@strawberry.enum
class Perm(Flag):
    READ = 1
    WRITE = 2


class Text(str):
    """A str of another class: not taken as it is, but through the scalar."""


class Unreadable:
    """An object whose plain fields raise when read."""

    @property
    def name(self) -> str:
        raise ValueError("unreadable name")


@strawberry.type
class Thing:
    name: str
    nickname: str | None
    ident: strawberry.ID
    flag: bool
    size: Size
    perm: Perm
    count: int
    ratio: float
    on: dt.date
    colour: Colour
    tags: list[str]
    child: Thing | None
    friends: list[Thing]

    @strawberry.field
    def loud(self) -> str:
        return self.name.upper()

    @strawberry.field
    def times(self, n: int) -> int:
        return self.count * n


def thing(name: Any = "甲", **changes: Any) -> Thing:
    values: dict[str, Any] = {
        "name": name,
        "nickname": None,
        "ident": "t-1",
        "flag": True,
        "size": Size.LARGE,
        "perm": Perm.READ,
        "count": 3,
        "ratio": 0.5,
        "on": dt.date(2026, 12, 18),
        "colour": Colour.RED,
        "tags": ["a", "b"],
        "child": None,
        "friends": [],
    }
    return Thing(**(values | changes))


THINGS = [
    thing(),
    thing("乙", nickname="小乙", child=thing("丙", colour=Colour.GREEN)),
    thing(None),  # null where the schema forbids one
    thing("丁", colour="purple"),  # a value the enum refuses
    thing("戊", count="many"),  # a value the scalar refuses
    thing("己", child=thing(None)),
    thing("庚", friends=[thing("辛", tags=("t",)), thing("壬", child=thing("癸"))]),
    thing("子", friends=[thing("丑"), thing(None)]),  # a null deep in a list: the item goes
    thing("寅", friends=(thing("卯"),), tags=["x", None]),  # a tuple; a null in [String!]!
    thing("辰", friends=thing("巳")),  # not a list at all
    thing("午", friends=[None]),  # a null where an object must be
    thing(Text("未"), ident=7, flag=0, size=Size.SMALL),  # coerced: a str subclass, an int
    thing("申", ident=Text("酉"), flag="yes", size="l"),  # a flag the scalar refuses; a value
    thing("戌", friends=[Unreadable()]),  # reading the field raises
    thing("亥", size=Size.LITTLE),
    thing("甲子", perm=Perm.READ | Perm.WRITE),  # of the enum's class, but no member of it
]


@strawberry.type
class Query:
    @strawberry.field
    def things(self) -> list[Thing | None]:
        return THINGS

    @strawberry.field
    def good(self) -> list[Thing]:
        return [*THINGS[:2], THINGS[6]]


ALL_FIELDS = """
{
  things {
    __typename name nick: nickname ident flag size count ratio on colour tags loud times(n: 2)
    child { name colour nickname }
    friends { name tags child { name } }
    ... on Thing { count again: name }
    skipped: name @skip(if: true)
  }
}
"""
ALIASES_AND_FRAGMENTS = """
query {
  good {
    first: name ...Names
    child { ...Names }
    ... on Thing { friends { ...Names again: name } }
  }
}
fragment Names on Thing { name nick: nickname first: name }
"""
PLAIN_ONLY = """
{
  good {
    name nickname ident flag size count ratio on colour tags child { name }
    friends { name child { on } }
  }
}
"""


class Counting(CaseworkExecutionContext):
    """Counts the resolve-info records built, i.e. the fields given the general path."""

    built = 0

    def build_resolve_info(self, *args: Any, **kwargs: Any) -> GraphQLResolveInfo:
        Counting.built += 1
        return super().build_resolve_info(*args, **kwargs)


def run(execution: type[Any], query: str) -> tuple[Any, list[Any]]:
    schema = strawberry.Schema(query=Query, execution_context_class=execution)
    result = schema.execute_sync(query)
    return result.data, [error.formatted for error in result.errors or []]


def test_plain_fields_give_the_same_data_and_errors_as_the_general_path() -> None:
    fast = run(CaseworkExecutionContext, ALL_FIELDS)
    general = run(StrawberryGraphQLCoreExecutionContext, ALL_FIELDS)
    assert fast == general
    data, errors = fast
    assert data["things"][0]["name"] == "甲"
    assert data["things"][1]["child"] == {"name": "丙", "colour": "GREEN", "nickname": None}
    assert [data["things"][n] for n in (2, 3, 4)] == [None, None, None]
    assert data["things"][5]["child"] is None
    assert sorted(tuple(e["path"]) for e in errors) == [
        ("things", 2, "name"),
        ("things", 3, "colour"),
        ("things", 4, "count"),
        ("things", 5, "child", "name"),
        ("things", 7, "friends", 1, "name"),
        ("things", 8, "tags", 1),
        ("things", 9, "friends"),
        ("things", 10, "friends", 0),
        ("things", 12, "flag"),
        ("things", 13, "friends", 0, "name"),
    ]
    assert data["things"][6]["friends"] == [
        {"name": "辛", "tags": ["t"], "child": None},
        {"name": "壬", "tags": ["a", "b"], "child": {"name": "癸"}},
    ]


def test_values_of_another_class_go_through_their_scalar_when_read_directly() -> None:
    query = "{ things { name ident flag size perm friends { name } } }"
    fast = run(CaseworkExecutionContext, query)
    assert fast == run(StrawberryGraphQLCoreExecutionContext, query)
    data, errors = fast
    assert [data["things"][11][f] for f in ("name", "ident", "flag", "size")] == [
        "未",
        "7",
        False,
        "SMALL",
    ]
    assert data["things"][14]["size"] == "SMALL"  # LITTLE is SMALL's alias
    assert ("things", 12, "flag") in [tuple(e["path"]) for e in errors]
    assert ("things", 13, "friends", 0, "name") in [tuple(e["path"]) for e in errors]
    assert ("things", 15, "perm") in [tuple(e["path"]) for e in errors]


def test_readers_kept_between_requests_give_what_the_general_path_gives() -> None:
    schema = strawberry.Schema(query=Query, execution_context_class=CaseworkExecutionContext)
    for query in (PLAIN_ONLY, ALL_FIELDS, PLAIN_ONLY, ALL_FIELDS):
        result = schema.execute_sync(query)
        fast = result.data, [error.formatted for error in result.errors or []]
        assert fast == run(StrawberryGraphQLCoreExecutionContext, query)


def test_an_object_of_plain_fields_builds_no_resolve_info_per_field() -> None:
    Counting.built = 0
    data, errors = run(Counting, PLAIN_ONLY)
    assert (data, errors) == run(StrawberryGraphQLCoreExecutionContext, PLAIN_ONLY)
    assert Counting.built == 1  # the root field `good`, which has a resolver


def test_the_limit_rules_are_the_same_for_every_request() -> None:
    # ValidationCache keys on the rules: new rule classes per request would never hit it.
    first = [factory() for factory in limit_extensions()]
    second = [factory() for factory in limit_extensions()]
    rules = [getattr(e, "validation_rules", None) for e in first]
    assert rules == [getattr(e, "validation_rules", None) for e in second]
    assert any(rules)


QUEUE = """
query($filter: WorkQueueFilter, $first: Int!) {
  workQueue(filter: $filter, first: $first) {
    edges {
      cursor
      node {
        caseId ruleId kind reference title organisation assignee step dueOn daysLeft overdue
        suspended extendedBy legalBasis warnings case { status version openedOn }
      }
    }
    pageInfo { hasNextPage endCursor }
  }
}
"""


async def test_the_served_queue_is_what_the_general_path_gives(
    gql: GraphQL, users: Users, api_container: Container
) -> None:
    intake, head = users(Role.INTAKE), users(Role.APPROVER)
    data = {
        "title": "邻里纠纷",
        "parties": [{"name": "张三", "role": "APPLICANT"}, {"name": "李四", "role": "OTHER"}],
        "origin": "APPLICATION",
        "mediationType": "ADMINISTRATIVE",
    }
    for _ in range(3):
        await gql.mutate(intake, "registerMediation", data)
    variables = {"filter": {"scope": "ORGANISATION"}, "first": 2}
    served = await gql.query(head, QUEUE, variables)
    assert len(served["workQueue"]["edges"]) == 2

    secret = api_container.settings.jwt_secret.get_secret_value()
    general = build_schema(StrawberryGraphQLCoreExecutionContext)
    context = Context(api_container, read_token(secret, head.token))
    result = await general.execute(QUEUE, variable_values=variables, context_value=context)
    assert result.errors is None
    assert result.data == served

    other = {"filter": {"scope": "ORGANISATION", "organisation": "elsewhere"}, "first": 2}
    refused = await gql.errors(head, QUEUE, other)
    assert [e["extensions"]["code"] for e in refused] == ["FORBIDDEN"]
    context = Context(api_container, read_token(secret, head.token))
    result = await general.execute(QUEUE, variable_values=other, context_value=context)
    assert [e.message for e in result.errors or []] == [e["message"] for e in refused]


class PlanCounting(CaseworkExecutionContext):
    """Counts the plans made (an object type's selected fields worked out and read directly)."""

    made = 0

    def _new_plan(self, *args: Any, **kwargs: Any) -> Any:
        PlanCounting.made += 1
        return super()._new_plan(*args, **kwargs)


def run_document(
    execution: type[Any], document: DocumentNode, variables: dict[str, Any] | None = None
) -> tuple[Any, list[Any]]:
    """Run a parsed document as the server does: one document kept for all requests."""
    result = execute(
        SCHEMA._schema,
        document,
        variable_values=variables,
        middleware=MiddlewareManager(),
        executor_class=execution,
        is_awaitable=optimized_is_awaitable,  # type: ignore[arg-type]
    )
    assert not isinstance(result, Awaitable)
    return result.data, [error.formatted for error in result.errors or []]


SCHEMA = strawberry.Schema(query=Query)  # one for every run, as the server has


@pytest.mark.parametrize("query", [PLAIN_ONLY, ALL_FIELDS, ALIASES_AND_FRAGMENTS])
def test_a_document_run_again_gives_what_the_general_path_gives(query: str) -> None:
    document = parse(query)
    general = run(StrawberryGraphQLCoreExecutionContext, query)
    for _ in range(3):
        assert run_document(CaseworkExecutionContext, document) == general


def test_the_plans_of_an_operation_go_with_it() -> None:
    document = parse(PLAIN_ONLY)
    run_document(CaseworkExecutionContext, document)
    operation = document.definitions[0]
    plans, key = _OPERATION_PLANS[SCHEMA._schema], id(operation)
    assert plans[key].plans
    del document, operation
    gc.collect()  # an execution context and its operation may be held in a cycle until then
    assert key not in plans


def test_a_document_run_again_takes_the_plans_its_first_run_made() -> None:
    document = parse(PLAIN_ONLY)
    PlanCounting.made = 0
    first = run_document(PlanCounting, document)
    made = PlanCounting.made
    assert made > 0
    for _ in range(3):
        assert run_document(PlanCounting, document) == first
    assert PlanCounting.made == made
    assert first == run(StrawberryGraphQLCoreExecutionContext, PLAIN_ONLY)


def test_fields_that_variables_include_or_skip_are_collected_again_each_run() -> None:
    # The objects that hold them are the same each run: only the fields below them differ.
    query = """
    query($with: Boolean!) {
      good {
        name
        child { name nickname @include(if: $with) on @skip(if: $with) }
        friends { ...Named }
      }
    }
    fragment Named on Thing { name colour @include(if: $with) }
    """
    document = parse(query)
    for value in (True, False, True, False):
        fast = run_document(PlanCounting, document, {"with": value})
        general = run_document(StrawberryGraphQLCoreExecutionContext, document, {"with": value})
        assert fast == general
        assert fast[0]["good"][1]["child"] == (
            {"name": "丙", "nickname": None} if value else {"name": "丙", "on": "2026-12-18"}
        )
        assert ("colour" in fast[0]["good"][2]["friends"][0]) is value


@pytest.mark.parametrize(
    "query",
    [
        "query($x: Boolean!) { good { name nickname @include(if: $x) } }",
        "query($x: Boolean!) { good { name ... on Thing @include(if: $x) { nickname } } }",
        "query($x: Boolean!) { good { name ...N @include(if: $x) } }"
        " fragment N on Thing { nickname }",
        "query($x: Boolean!) { good { ...A } } fragment A on Thing { name ...B }"
        " fragment B on Thing { nickname @skip(if: $x) }",
    ],
    ids=["field", "inline fragment", "spread", "nested fragment"],
)
def test_an_operation_with_a_directive_anywhere_makes_its_plans_each_run(query: str) -> None:
    document = parse(query)
    run_document(CaseworkExecutionContext, document, {"x": True})
    plans = _OPERATION_PLANS[SCHEMA._schema][id(document.definitions[0])]
    assert not plans.shareable
    assert not plans.plans
