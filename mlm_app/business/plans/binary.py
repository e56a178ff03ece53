"""Binary pairing: pay on the weaker leg, carry the rest forward, cap pairs per period, deduct fees.

Volume is counted in pair units (`pair_unit` of volume each). A pair takes one unit from each leg
(`1:1`), one from the weaker and two from the stronger (`1:2`), or, for `2:1_first`, the member's
first pair ever takes two from the stronger and one from the weaker and later pairs are 1:1.
Each pair pays `pair_value`, or `rate` percent of the weak-leg volume it consumed. Pairs over
`cap_pairs` are flushed (their volume is removed) when `flush_over_cap`, else kept as carry.
An inactive member is paid nothing; `inactive_flush` removes their volume too.
"""

from __future__ import annotations

from dataclasses import dataclass
from decimal import ROUND_FLOOR, Decimal

from mlm_app.business.plans.common import ZERO, PlanError, money, percent_of

RATIOS = ("1:1", "1:2", "2:1_first")


@dataclass(frozen=True, slots=True)
class BinaryPlan:
    """Pairing rules; set exactly one of `pair_value` (money per pair) or `rate` (percent)."""

    pair_unit: Decimal = Decimal(1)
    pair_value: Decimal | None = None
    rate: Decimal | None = None
    ratio: str = "1:1"
    cap_pairs: int | None = None
    flush_over_cap: bool = True
    inactive_flush: bool = True
    service_pct: Decimal = ZERO
    tax_pct: Decimal = ZERO

    def __post_init__(self) -> None:
        if (self.pair_value is None) == (self.rate is None):
            raise PlanError("binary plan needs exactly one of pair_value or rate")
        if self.ratio not in RATIOS:
            raise PlanError(f"ratio must be one of {RATIOS}")
        if self.pair_unit <= 0:
            raise PlanError("pair_unit must be positive")


@dataclass(frozen=True, slots=True)
class PairingResult:
    """One member's period: pairs paid, money, and the carry left on each leg."""

    pairs: int
    flushed_pairs: int
    gross: Decimal
    service: Decimal
    tax: Decimal
    net: Decimal
    carry_left: Decimal
    carry_right: Decimal
    first_pair_done: bool


def _count_pairs(plan: BinaryPlan, weak_units: int, strong_units: int, first_done: bool) -> tuple[int, int, bool]:
    """(pairs, strong units those pairs consume, first pair done afterwards)."""
    if plan.ratio == "1:2":
        pairs = min(weak_units, strong_units // 2)
        return pairs, 2 * pairs, first_done or pairs > 0
    if plan.ratio == "2:1_first" and not first_done:
        if weak_units < 1 or strong_units < 2:
            return 0, 0, False
        rest = min(weak_units - 1, strong_units - 2)
        return 1 + rest, 2 + rest, True
    pairs = min(weak_units, strong_units)
    return pairs, pairs, first_done or pairs > 0


def pair_period(plan: BinaryPlan, left: Decimal, right: Decimal, active: bool = True,
                first_pair_done: bool = False) -> PairingResult:
    """Pay one period on `left`/`right` leg volume (carry already included)."""
    left, right = Decimal(left), Decimal(right)
    if not active:
        keep = ZERO if plan.inactive_flush else None
        return PairingResult(0, 0, ZERO, ZERO, ZERO, ZERO, keep if keep is not None else left,
                             keep if keep is not None else right, first_pair_done)
    unit = plan.pair_unit
    weak_is_left = left <= right
    weak, strong = (left, right) if weak_is_left else (right, left)
    weak_units = int((weak / unit).to_integral_value(ROUND_FLOOR))
    strong_units = int((strong / unit).to_integral_value(ROUND_FLOOR))
    pairs, strong_used, done = _count_pairs(plan, weak_units, strong_units, first_pair_done)
    paid = pairs if plan.cap_pairs is None else min(pairs, plan.cap_pairs)
    pairs_consumed = pairs
    if not plan.flush_over_cap and paid < pairs:
        # Over-cap pairs stay as carry: give back the volume they would have consumed.
        extra_strong = strong_used - pairs  # the stronger leg's extra units (1:2 or the 2:1 first pair)
        strong_used = paid + (extra_strong if plan.ratio != "1:2" else paid) if paid else 0
        pairs_consumed = paid
    weak_left = weak - pairs_consumed * unit
    strong_left = strong - strong_used * unit
    per_pair = plan.pair_value if plan.pair_value is not None else percent_of(unit, plan.rate or ZERO)
    gross = money(per_pair * paid)
    service, tax = money(percent_of(gross, plan.service_pct)), money(percent_of(gross, plan.tax_pct))
    carry = (weak_left, strong_left) if weak_is_left else (strong_left, weak_left)
    return PairingResult(paid, pairs - paid, gross, service, tax, gross - service - tax,
                         carry[0], carry[1], done)
