"""`casework token`: issue API tokens for operators and tests (no database needed)."""

from __future__ import annotations

import datetime as dt
import re
from typing import Annotated

import typer

from api.auth import issue_token
from api.cli.common import fail, load_settings, warn_if_development_secret
from domain.errors import ValidationError

token_app = typer.Typer(help="API bearer tokens.", no_args_is_help=True)

_DURATION = re.compile(r"^\s*(\d+)\s*([smhd]?)\s*$")
_UNITS = {"s": "seconds", "m": "minutes", "h": "hours", "d": "days", "": "minutes"}


def parse_ttl(text: str) -> dt.timedelta:
    """`90` (minutes), `30m`, `8h`, `2d` or `45s` as a duration."""
    match = _DURATION.match(text)
    if match is None or int(match.group(1)) == 0:
        raise fail(f"bad --ttl {text!r}: give a positive number with s, m, h or d (e.g. 8h)")
    return dt.timedelta(**{_UNITS[match.group(2)]: int(match.group(1))})


@token_app.command("issue")
def issue(
    user: Annotated[str, typer.Option("--user", help="The user id the token speaks for.")],
    role: Annotated[
        str,
        typer.Option(
            "--role",
            help="intake, handler, approver, hearing_officer, committee_member, coordinator, "
            "auditor or admin.",
        ),
    ],
    org: Annotated[str, typer.Option("--org", help="The organisation code the user works for.")],
    ttl: Annotated[str, typer.Option("--ttl", help="Lifetime: 90 (minutes), 30m, 8h, 2d.")] = "8h",
    name: Annotated[str, typer.Option("--name", help="The user's display name.")] = "",
) -> None:
    """Print a signed bearer token for USER in ROLE at ORG (signed with CASEWORK_JWT_SECRET)."""
    settings = load_settings()
    warn_if_development_secret(settings)
    try:
        token = issue_token(
            settings.jwt_secret.get_secret_value(),
            user=user,
            role=role,
            organisation=org,
            name=name,
            ttl=parse_ttl(ttl),
        )
    except ValidationError as exc:
        raise fail(exc.message) from None
    typer.echo(token)
