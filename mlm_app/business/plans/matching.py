"""Matching bonus: a percentage of the earnings of personally sponsored generations."""

from __future__ import annotations

from collections.abc import Callable, Mapping
from decimal import Decimal

from mlm_app.business.plans.common import CommissionLine, percent_of, upline


def matching_bonus(
    earnings: Mapping[str, Decimal],
    sponsor_of: Mapping[str, str | None],
    generations: tuple[Decimal, ...],
    is_qualified: Callable[[str], bool],
) -> list[CommissionLine]:
    """Each qualified sponsor up to len(generations) above an earner gets that generation's percent."""
    lines = []
    parents = dict(sponsor_of)
    for source, earned in earnings.items():
        if earned <= 0:
            continue
        for generation, earner in enumerate(upline(parents, source), start=1):
            if generation > len(generations):
                break
            if is_qualified(earner):
                lines.append(CommissionLine(earner, source, "matching",
                                            percent_of(earned, generations[generation - 1]), generation))
    return lines
