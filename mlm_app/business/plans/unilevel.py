"""Unilevel: a percentage of each downline member's volume per sponsor level, with dynamic compression.

Only qualified members (personal volume at or above the qualification) earn and produce commissions.
Without compression an unqualified member still occupies a level, so the percentage for that level
is lost (breakage); with dynamic compression unqualified members are skipped when counting levels,
so the next qualified member up the line takes their place.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass
from decimal import Decimal

from mlm_app.business.plans.common import ZERO, CommissionLine, PlanError, percent_of, upline


@dataclass(frozen=True, slots=True)
class UnilevelPlan:
    """Level percentages (index 0 is level 1), the PV to qualify, and whether to compress."""

    levels: tuple[Decimal, ...]
    qualification_pv: Decimal = ZERO
    compression: bool = True

    def __post_init__(self) -> None:
        if not self.levels or any(Decimal(p) < 0 for p in self.levels):
            raise PlanError("unilevel needs at least one non-negative level percentage")

    def qualified(self, pv: Decimal) -> bool:
        return pv >= self.qualification_pv


def unilevel_commissions(
    plan: UnilevelPlan, sponsor_of: Mapping[str, str | None], pv: Mapping[str, Decimal]
) -> list[CommissionLine]:
    """Commission lines for one period from each member's personal volume."""
    lines: list[CommissionLine] = []
    parents = dict(sponsor_of)
    for source, volume in pv.items():
        if volume <= 0 or not plan.qualified(volume):
            continue
        level = 0
        for earner in upline(parents, source):
            earner_ok = plan.qualified(pv.get(earner, ZERO))
            if plan.compression and not earner_ok:
                continue  # compressed away: does not use up a level
            level += 1
            if level > len(plan.levels):
                break
            if earner_ok:
                amount = percent_of(volume, plan.levels[level - 1])
                lines.append(CommissionLine(earner, source, "unilevel_level", amount, level))
    return lines
