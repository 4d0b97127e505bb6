"""Bearer tokens: nothing but /healthz and GraphiQL's page is served without a valid one."""

from __future__ import annotations

import datetime as dt

import pytest
from typer.testing import CliRunner

from api import auth
from api.auth import InvalidToken, issue_token, read_token
from api.cli.main import app as cli
from api.settings import DEVELOPMENT_JWT_SECRET, Settings
from domain.actors import Role
from domain.errors import ValidationError
from tests.api.conftest import GraphQL, Users

ME = "{ me { id role organisation } }"


async def test_a_request_without_a_token_is_refused_with_a_clear_error(gql: GraphQL) -> None:
    response = await gql.post(None, ME)
    assert response.status_code == 401
    assert response.headers["www-authenticate"] == "Bearer"
    assert response.json() == {
        "detail": {
            "errors": [
                {
                    "message": "no token: send `Authorization: Bearer <token>`",
                    "extensions": {"code": "UNAUTHENTICATED"},
                }
            ]
        }
    }


async def test_a_token_signed_with_another_key_is_refused(gql: GraphQL, users: Users) -> None:
    forged = issue_token(
        "not-the-server-key-" + "x" * 32, user="mallory", role="admin", organisation="x"
    )
    response = await gql.http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {forged}"}
    )
    assert response.status_code == 401
    message = response.json()["detail"]["errors"][0]["message"]
    assert message == "the token is not valid for this server"


async def test_an_expired_token_is_refused(gql: GraphQL, settings: Settings) -> None:
    old = dt.datetime.now(dt.UTC) - dt.timedelta(hours=9)
    token = issue_token(
        settings.jwt_secret.get_secret_value(), user="u", role="handler", organisation="o", now=old
    )
    response = await gql.http.post(
        "/graphql", json={"query": ME}, headers={"Authorization": f"Bearer {token}"}
    )
    assert response.status_code == 401
    assert response.json()["detail"]["errors"][0]["message"] == "the token has expired"


async def test_a_query_in_a_get_request_needs_a_token_too(gql: GraphQL) -> None:
    response = await gql.http.get("/graphql", params={"query": ME}, headers={"accept": "text/html"})
    assert response.status_code == 401


async def test_graphiql_and_healthz_are_served_without_a_token(gql: GraphQL) -> None:
    page = await gql.http.get("/graphql", headers={"accept": "text/html"})
    assert page.status_code == 200
    assert "graphiql" in page.text.lower()
    assert (await gql.http.get("/healthz")).status_code in (200, 503)


async def test_the_token_says_who_calls(gql: GraphQL, users: Users) -> None:
    approver = users(Role.APPROVER, org="district-office", user="li.si")
    assert await gql.query(approver, ME) == {
        "me": {"id": "li.si", "role": "APPROVER", "organisation": "district-office"}
    }


def test_a_token_for_an_unknown_role_is_not_issued() -> None:
    with pytest.raises(ValidationError) as refused:
        issue_token("k", user="u", role="janitor", organisation="o")
    assert refused.value.field == "role"
    assert refused.value.message.startswith(
        "unknown role 'janitor'; the roles are: intake, handler"
    )


def test_the_cli_issues_a_token_the_server_accepts(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = settings.jwt_secret.get_secret_value()
    monkeypatch.setenv("CASEWORK_JWT_SECRET", secret)
    args = [
        "token",
        "issue",
        "--user",
        "wang",
        "--role",
        "coordinator",
        "--org",
        "legal",
        "--ttl",
        "2h",
    ]
    result = CliRunner().invoke(cli, args)
    assert result.exit_code == 0, result.output
    claims = read_token(secret, result.output.strip())
    assert (claims.user, claims.role, claims.organisation) == ("wang", Role.COORDINATOR, "legal")
    with pytest.raises(InvalidToken):
        read_token("another-key-" + "y" * 32, result.output.strip())


def test_the_cli_refuses_a_bad_role_in_one_line(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    monkeypatch.setenv("CASEWORK_JWT_SECRET", settings.jwt_secret.get_secret_value())
    result = CliRunner().invoke(
        cli, ["token", "issue", "--user", "u", "--role", "boss", "--org", "o"]
    )
    assert result.exit_code == 2
    assert "unknown role 'boss'" in result.output


def test_a_short_signing_key_is_refused_naming_the_variable(
    monkeypatch: pytest.MonkeyPatch,
) -> None:
    monkeypatch.setenv("CASEWORK_JWT_SECRET", "other")
    result = CliRunner().invoke(
        cli, ["token", "issue", "--user", "u", "--role", "handler", "--org", "o"]
    )
    assert result.exit_code == 2
    assert result.output.strip() == (
        "casework: bad setting CASEWORK_JWT_SECRET: "
        "CASEWORK_JWT_SECRET must be at least 32 bytes (got 5)"
    )


def test_issuing_with_the_public_development_key_warns(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.delenv("CASEWORK_JWT_SECRET", raising=False)
    result = CliRunner().invoke(
        cli, ["token", "issue", "--user", "u", "--role", "handler", "--org", "o"]
    )
    assert result.exit_code == 0
    assert "CASEWORK_JWT_SECRET is not set" in result.stderr
    claims = read_token(DEVELOPMENT_JWT_SECRET, result.stdout.strip())
    assert claims.user == "u"


def test_a_bad_setting_names_its_environment_variable(monkeypatch: pytest.MonkeyPatch) -> None:
    monkeypatch.setenv("CASEWORK_PORT", "abc")
    result = CliRunner().invoke(cli, ["token", "issue", "--user", "u", "--role", "x", "--org", "o"])
    assert result.exit_code == 2
    assert result.output.startswith("casework: bad setting CASEWORK_PORT: ")


def test_a_token_read_before_is_refused_once_it_expires(
    settings: Settings, monkeypatch: pytest.MonkeyPatch
) -> None:
    secret = settings.jwt_secret.get_secret_value()
    issued = dt.datetime.now(dt.UTC)
    token = issue_token(
        secret, user="u", role="handler", organisation="o", ttl=dt.timedelta(hours=1), now=issued
    )
    assert read_token(secret, token).user == "u"
    assert read_token(secret, token).user == "u"  # known now: only its expiry is checked again
    with pytest.raises(InvalidToken, match="not valid for this server"):
        read_token("another-key-" + "z" * 32, token)  # known under this server's key only
    later = (issued + dt.timedelta(hours=1, seconds=1)).timestamp()
    monkeypatch.setattr(auth, "_clock", lambda: later)
    with pytest.raises(InvalidToken, match="the token has expired"):
        read_token(secret, token)
