"""The population as arrays, and conversions between Decimal money and exact integer units."""

from __future__ import annotations

from collections.abc import Mapping, Sequence
from dataclasses import dataclass
from decimal import Decimal

import numpy as np

from mlm_app.business.plans.common import PlanError

# An amount in "micro-units": cents x basis points; 10_000 of them are one cent.
SCALE = 10_000


def to_cents(value: Decimal | int | str) -> int:
    """Exact cents of a volume or amount; refuses sub-cent fractions rather than rounding silently."""
    cents = Decimal(value) * 100
    if cents != cents.to_integral_value():
        raise PlanError(f"{value} has sub-cent precision")
    return int(cents)


def to_bp(pct: Decimal | int | str) -> int:
    """Exact basis points of a percentage (10% -> 1000)."""
    bp = Decimal(pct) * 100
    if bp != bp.to_integral_value():
        raise PlanError(f"{pct}% is finer than a basis point")
    return int(bp)


def micro_to_money(micro: int) -> Decimal:
    """Micro-units to Decimal dollars, rounded half-up to cents at the statement."""
    from mlm_app.business.plans.common import money
    return money(Decimal(int(micro)) / (SCALE * 100))


@dataclass
class Population:
    """Members by index: ids, sponsor index (-1 for roots), PV cents, optional binary placement."""

    ids: list[str]
    sponsor: np.ndarray
    pv: np.ndarray
    bparent: np.ndarray | None = None
    bside: np.ndarray | None = None  # 0 left, 1 right

    def __post_init__(self) -> None:
        n = len(self.ids)
        if self.sponsor.shape != (n,) or self.pv.shape != (n,):
            raise PlanError("population arrays must all have one entry per member")
        idx = np.arange(n)
        if np.any(self.sponsor >= idx):
            raise PlanError("members must be ordered so every sponsor comes before its recruits")
        if self.bparent is not None and np.any(self.bparent >= idx):
            raise PlanError("placement parents must come before their children")

    @classmethod
    def from_maps(cls, sponsor_of: Mapping[str, str | None], pv: Mapping[str, Decimal],
                  order: Sequence[str], placement: Mapping[str, tuple[str, str]] | None = None) -> Population:
        """Build from id maps; `order` lists every member, sponsors first."""
        index = {m: i for i, m in enumerate(order)}
        sponsor = np.array([index[s] if (s := sponsor_of.get(m)) is not None else -1 for m in order], np.int64)
        volumes = np.array([to_cents(pv.get(m, 0)) for m in order], np.int64)
        bparent = bside = None
        if placement is not None:
            bparent = np.array([index[placement[m][0]] if m in placement else -1 for m in order], np.int64)
            bside = np.array([1 if placement.get(m, ("", "left"))[1] == "right" else 0 for m in order], np.int8)
        return cls(list(order), sponsor, volumes, bparent, bside)
