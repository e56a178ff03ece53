"""The company's compensation setup and business rules, one object shared by every business service.

`mlm_app.main` may put a customised `BusinessConfig` on `app.state.business_config`; otherwise the
defaults below apply.
"""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal as D
from typing import Any

from mlm_app.business.plans.binary import BinaryPlan
from mlm_app.business.plans.ranks import Rank
from mlm_app.business.plans.unilevel import UnilevelPlan

RANK_POLICIES = ("highest", "period")


@dataclass(frozen=True)
class BusinessConfig:
    """Plan choice, placement, pay rules, refund window, payout limits."""

    plan: str = "binary"  # binary | matrix | unilevel | board: the placement tree new members join
    placement_mode: str = "weaker_leg"
    matrix_width: int = 3
    matrix_depth: int = 7
    matrix_level_amounts: tuple[D, ...] = (D(2), D(2), D(2), D(1), D(1), D(1), D(1))
    matrix_completion_bonus: D = D(500)
    matrix_sponsor_bonus: D = D(10)
    currency: str = "USD"
    unilevel: UnilevelPlan = field(default_factory=lambda: UnilevelPlan(
        levels=(D(10), D(5), D(3)), qualification_pv=D(100)))
    binary: BinaryPlan = field(default_factory=lambda: BinaryPlan(
        pair_unit=D(100), pair_value=D(10), cap_pairs=100, service_pct=D(5), tax_pct=D(10)))
    binary_active_pv: D = D(100)
    matching_generations: tuple[D, ...] = (D(10), D(5))  # percent of sponsored generations' unilevel pay
    board_levels: int = 2  # rows below the top: 2 for a 2x2 board, 3 for 2x3
    board_cycle_bonus: D = D(100)
    board_reentry: bool = True
    fast_start_levels: tuple[D, ...] = (D(20), D(10), D(5))
    fast_start_qualification_pv: D = D(100)
    ranks: tuple[Rank, ...] = (
        Rank("Bronze", personal_pv=D(100)),
        Rank("Silver", personal_pv=D(100), group_volume=D(1000), active_legs=2, max_leg_pct=D(40)),
        Rank("Gold", personal_pv=D(100), group_volume=D(4350), active_legs=3, max_leg_pct=D(40)),
    )
    # "highest": the stored rank is the title (pin) rank: promotions stick, a weak or empty period never
    # demotes, as most plans recognise ranks for life. "period": the rank follows each run's qualification.
    rank_policy: str = "highest"
    refund_window_days: int = 30
    payout_minimum: D = D(20)
    payout_cool_off_hours: float = 24.0
    terms_version: str = "2026-01"

    def __post_init__(self) -> None:
        if self.rank_policy not in RANK_POLICIES:
            raise ValueError(f"rank_policy must be one of {', '.join(RANK_POLICIES)}")


DEFAULT_CONFIG = BusinessConfig()


def config_of(app_state: Any) -> BusinessConfig:
    """The app's business config; the cool-off follows the app settings when they define it."""
    found = getattr(app_state, "business_config", None)
    if isinstance(found, BusinessConfig):
        return found
    settings = getattr(app_state, "settings", None)
    hours = getattr(settings, "cool_off_hours", None)
    if hours is not None:
        from dataclasses import replace
        return replace(DEFAULT_CONFIG, payout_cool_off_hours=float(hours))
    return DEFAULT_CONFIG
