"""API tokens: signed JWTs that say who calls, in which role, for which organisation."""

from __future__ import annotations

import datetime as dt
import threading
import time
from dataclasses import dataclass

import jwt

from domain.actors import Actor, Role
from domain.errors import ValidationError

ALGORITHM = "HS256"
ISSUER = "casework"
DEFAULT_TTL = dt.timedelta(hours=8)


class InvalidToken(Exception):
    """A token that is missing, malformed, expired, or not signed with this server's key."""


@dataclass(frozen=True)
class TokenClaims:
    """What a token asserts: the user, the role and the organisation (a code)."""

    user: str
    role: Role
    organisation: str
    name: str = ""

    def actor(self) -> Actor:
        """The domain's actor for the caller."""
        return Actor(self.user, self.role, self.organisation, self.name)


def issue_token(
    secret: str,
    *,
    user: str,
    role: str,
    organisation: str,
    name: str = "",
    ttl: dt.timedelta = DEFAULT_TTL,
    now: dt.datetime | None = None,
) -> str:
    """A signed token; refuses an unknown role or a blank user or organisation."""
    try:
        checked = Role(role)
    except ValueError:
        roles = ", ".join(r.value for r in Role)
        raise ValidationError(
            f"unknown role {role!r}; the roles are: {roles}", field="role"
        ) from None
    Actor(user, checked, organisation, name)  # the same checks every recorded actor passes
    if ttl <= dt.timedelta(0):
        raise ValidationError("a token's lifetime must be positive", field="ttl")
    issued = now or dt.datetime.now(dt.UTC)
    claims = {
        "iss": ISSUER,
        "sub": user,
        "role": checked.value,
        "org": organisation,
        "name": name,
        "iat": issued,
        "exp": issued + ttl,
    }
    return jwt.encode(claims, secret, algorithm=ALGORITHM)


# Tokens already verified, with when they expire: a client sends the same token with every
# request, and checking its signature again costs more than a small query. A token valid once
# stays valid until it expires (its signature, issuer and claims cannot change), so only the
# expiry is checked again. Bounded: the oldest entries go first.
_VERIFIED: dict[tuple[str, str], tuple[TokenClaims, float]] = {}
_VERIFIED_MAX = 1024
_VERIFYING = threading.Lock()
_clock = time.time  # seconds since the epoch, as the token's `exp`


def read_token(secret: str, token: str) -> TokenClaims:
    """The claims of a valid token; InvalidToken (with a reason a caller may see) otherwise."""
    key = (secret, token)
    known = _VERIFIED.get(key)
    if known is not None:
        claims, expires = known
        if expires > _clock():
            return claims
        _VERIFIED.pop(key, None)
        raise InvalidToken("the token has expired")
    checked = _verify(secret, token)
    with _VERIFYING:
        while len(_VERIFIED) >= _VERIFIED_MAX:
            del _VERIFIED[next(iter(_VERIFIED))]
        _VERIFIED[key] = checked
    return checked[0]


def _verify(secret: str, token: str) -> tuple[TokenClaims, float]:
    try:
        claims = jwt.decode(
            token,
            secret,
            algorithms=[ALGORITHM],
            issuer=ISSUER,
            options={"require": ["exp", "iat", "sub", "iss"]},
        )
    except jwt.ExpiredSignatureError:
        raise InvalidToken("the token has expired") from None
    except jwt.InvalidTokenError:
        raise InvalidToken("the token is not valid for this server") from None
    try:
        return TokenClaims(
            user=str(claims["sub"]),
            role=Role(claims["role"]),
            organisation=str(claims["org"]),
            name=str(claims.get("name", "")),
        ), float(claims["exp"])
    except (KeyError, ValueError):
        raise InvalidToken("the token does not name a user, role and organisation") from None


def bearer_token(header: str | None) -> str:
    """The token of an `Authorization: Bearer …` header, or InvalidToken."""
    if not header:
        raise InvalidToken("no token: send `Authorization: Bearer <token>`")
    scheme, _, token = header.partition(" ")
    if scheme.lower() != "bearer" or not token.strip():
        raise InvalidToken("the Authorization header must be `Bearer <token>`")
    return token.strip()
