"""Opaque page cursors: a page's last place, its fields joined and encoded, and read back."""

from __future__ import annotations

import base64
from collections.abc import Callable
from typing import TypeVar

from api.graphql.errors import ErrorCode, Refusal

T = TypeVar("T")


def encode(*fields: object) -> str:
    """A cursor holding these fields (none of them may contain "|")."""
    return base64.urlsafe_b64encode("|".join(map(str, fields)).encode()).decode()


def decode(cursor: str, parse: Callable[[list[str]], T], given_by: str) -> T:
    """The place a cursor names, read by `parse` from its fields; a VALIDATION refusal naming
    `after` when it is not a cursor `given_by` (say "this queue") gave out."""
    try:
        return parse(base64.urlsafe_b64decode(cursor.encode()).decode().split("|"))
    except (ValueError, UnicodeDecodeError):  # binascii.Error is a ValueError
        raise Refusal(ErrorCode.VALIDATION, f"after: not a cursor {given_by} gave out") from None
