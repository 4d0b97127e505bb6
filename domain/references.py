"""Human reference numbers per kind and year, e.g. 复议〔2026〕17号."""

from __future__ import annotations

from typing import Protocol

from domain.values import CaseKind

PREFIX = {
    CaseKind.PETITION: "信访",
    CaseKind.RECONSIDERATION: "复议",
    CaseKind.LITIGATION: "应诉",
    CaseKind.MEDIATION: "调解",
}


class ReferenceAllocator(Protocol):
    """Hands out the next number for a kind and year, never the same one twice."""

    def next_number(self, kind: CaseKind, year: int) -> int:
        """The next unused number (numbers are never reused, even if a save fails)."""
        ...


def format_reference(kind: CaseKind, year: int, number: int) -> str:
    """The reference in the style of official document numbers: 复议〔2026〕17号."""
    return f"{PREFIX[kind]}〔{year}〕{number}号"
