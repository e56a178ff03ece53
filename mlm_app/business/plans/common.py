"""Shared pieces of every plan: money rounding, percentages, and the commission line they all emit."""

from __future__ import annotations

from collections.abc import Iterable
from dataclasses import dataclass, field
from decimal import ROUND_HALF_UP, Decimal

CENT = Decimal("0.01")
ZERO = Decimal(0)
HUNDRED = Decimal(100)


class PlanError(ValueError):
    """A plan was configured or driven with impossible input (unknown member, full board...)."""


def money(value: Decimal | int | str) -> Decimal:
    """A Decimal rounded to cents, half-up; floats are refused because they already lost cents."""
    if isinstance(value, float):
        raise TypeError("money must not be a float; pass a str, int or Decimal")
    return Decimal(value).quantize(CENT, rounding=ROUND_HALF_UP)


def percent_of(amount: Decimal, pct: Decimal) -> Decimal:
    """`pct` percent of `amount`, exact (rounding is left to the caller's statement)."""
    return amount * Decimal(pct) / HUNDRED


@dataclass(frozen=True, slots=True)
class CommissionLine:
    """One credit to `earner` of `amount`, caused by `source`'s volume (kind per EVENTS.md)."""

    earner: str
    source: str
    kind: str
    amount: Decimal
    level: int = 0
    note: str = field(default="", compare=False)


def totals(lines: Iterable[CommissionLine]) -> dict[str, Decimal]:
    """Sum of credited amounts by earner, rounded to cents."""
    out: dict[str, Decimal] = {}
    for line in lines:
        out[line.earner] = out.get(line.earner, ZERO) + line.amount
    return {k: money(v) for k, v in out.items()}


def upline(parent_of: dict[str, str | None], member: str) -> Iterable[str]:
    """Ancestors of `member`, nearest first; stops on a cycle rather than looping forever."""
    seen = {member}
    current = parent_of.get(member)
    while current is not None and current not in seen:
        yield current
        seen.add(current)
        current = parent_of.get(current)
