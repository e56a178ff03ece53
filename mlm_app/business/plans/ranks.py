"""Ranks: personal volume, group volume with a per-leg cap (e.g. 40%), and a count of active legs.

With a 40% cap no single leg may count for more than 40% of the group-volume requirement, so a
distributor cannot rank on one strong leg.
"""

from __future__ import annotations

from collections.abc import Sequence
from dataclasses import dataclass
from decimal import Decimal

from mlm_app.business.plans.common import HUNDRED, ZERO


@dataclass(frozen=True, slots=True)
class Rank:
    """The requirements of one rank."""

    name: str
    personal_pv: Decimal = ZERO
    group_volume: Decimal = ZERO
    active_legs: int = 0
    max_leg_pct: Decimal = HUNDRED


def counted_group_volume(rank: Rank, legs: Sequence[Decimal]) -> Decimal:
    """Group volume as the rank counts it: each leg capped at max_leg_pct of the requirement."""
    cap = rank.group_volume * rank.max_leg_pct / HUNDRED
    return sum((min(Decimal(leg), cap) for leg in legs), ZERO)


def qualifies(rank: Rank, personal_pv: Decimal, legs: Sequence[Decimal]) -> bool:
    """Whether a member with this personal volume and these leg volumes meets `rank`."""
    active = sum(1 for leg in legs if leg > 0)
    return (personal_pv >= rank.personal_pv and active >= rank.active_legs
            and counted_group_volume(rank, legs) >= rank.group_volume)


def best_rank(ranks: Sequence[Rank], personal_pv: Decimal, legs: Sequence[Decimal]) -> str | None:
    """The highest rank met; `ranks` are ordered lowest first (None when none is met)."""
    met = None
    for rank in ranks:
        if qualifies(rank, personal_pv, legs):
            met = rank.name
    return met
