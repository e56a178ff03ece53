"""Fast-start bonus: a percentage of a new member's first order to the enrollers above, no compression.

An unqualified enroller's share is forfeited: it does not roll up to the next enroller, and the
levels above keep their own percentages.
"""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from mlm_app.business.plans.common import CommissionLine, percent_of, upline


def fast_start_bonus(
    new_member: str,
    first_order_cv: Decimal,
    sponsor_of: Mapping[str, str | None],
    levels: tuple[Decimal, ...],
    is_qualified: Callable[[str], bool],
) -> list[CommissionLine]:
    """Lines paid on `new_member`'s first order (commissionable volume), enroller chain only."""
    lines = []
    for level, earner in enumerate(upline(dict(sponsor_of), new_member), start=1):
        if level > len(levels):
            break
        if is_qualified(earner):
            amount = percent_of(first_order_cv, levels[level - 1])
            lines.append(CommissionLine(earner, new_member, "fast_start", amount, level))
    return lines
