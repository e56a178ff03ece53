"""Binary placement: each member has a left and a right slot; spillover places recruits automatically.

Modes: `outer_left` / `outer_right` walk down the sponsor's outermost edge on that side;
`weaker_leg` picks the sponsor's leg with fewer members (left on a tie) and walks its outer edge;
`manual` takes an explicit parent and side, which must be free and inside the sponsor's downline.
"""

from __future__ import annotations

from collections.abc import Mapping
from dataclasses import dataclass, field
from decimal import Decimal

from mlm_app.business.plans.common import PlanError

SIDES = ("left", "right")
MODES = ("outer_left", "outer_right", "weaker_leg", "manual")


@dataclass
class BinaryTree:
    """Placement tree: parent, side and children of every member; `size` counts each subtree."""

    root: str
    parent: dict[str, str | None] = field(default_factory=dict)
    side: dict[str, str | None] = field(default_factory=dict)
    children: dict[str, dict[str, str]] = field(default_factory=dict)
    size: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.parent[self.root] = None
        self.side[self.root] = None
        self.children[self.root] = {}
        self.size[self.root] = 1

    def __contains__(self, member: str) -> bool:
        return member in self.parent

    def place(self, member: str, sponsor: str, mode: str = "weaker_leg",
              parent: str | None = None, side: str | None = None) -> tuple[str, str]:
        """Place `member` under `sponsor`'s downline; returns (parent, side)."""
        if member in self:
            raise PlanError(f"{member} is already placed")
        if sponsor not in self:
            raise PlanError(f"unknown sponsor {sponsor}")
        if mode not in MODES:
            raise PlanError(f"unknown placement mode {mode}")
        if mode == "manual":
            target = self._check_manual(sponsor, parent, side)
        else:
            leg = {"outer_left": "left", "outer_right": "right"}.get(mode) or self._weaker_side(sponsor)
            target = (self._outer_free(sponsor, leg), leg)
        self._attach(member, *target)
        return target

    def _check_manual(self, sponsor: str, parent: str | None, side: str | None) -> tuple[str, str]:
        if parent is None or side is None or parent not in self or side not in SIDES:
            raise PlanError("manual placement needs a placed parent and a side (left/right)")
        if parent != sponsor and sponsor not in self.ancestors(parent):
            raise PlanError("manual placement must stay inside the sponsor's downline")
        if side in self.children[parent]:
            raise PlanError(f"{parent}'s {side} slot is taken")
        return parent, side

    def _weaker_side(self, sponsor: str) -> str:
        kids = self.children[sponsor]
        left = self.size.get(kids.get("left", ""), 0)
        right = self.size.get(kids.get("right", ""), 0)
        return "right" if right < left else "left"

    def _outer_free(self, start: str, leg: str) -> str:
        current = start
        while leg in self.children[current]:
            current = self.children[current][leg]
        return current

    def _attach(self, member: str, parent: str, side: str) -> None:
        self.parent[member], self.side[member] = parent, side
        self.children[member] = {}
        self.children[parent][side] = member
        self.size[member] = 1
        for ancestor in self.ancestors(member):
            self.size[ancestor] += 1

    def ancestors(self, member: str) -> list[str]:
        """Placement parents of `member`, nearest first."""
        out, current = [], self.parent.get(member)
        while current is not None:
            out.append(current)
            current = self.parent[current]
        return out

    def leg_of(self, ancestor: str, member: str) -> str | None:
        """Which leg of `ancestor` holds `member` (None when it is not below it)."""
        current = member
        while self.parent.get(current) is not None:
            if self.parent[current] == ancestor:
                return self.side[current]
            current = self.parent[current]  # type: ignore[assignment]
        return None

    def leg_volumes(self, volume: Mapping[str, Decimal]) -> dict[str, tuple[Decimal, Decimal]]:
        """Left/right volume of every member from each member's own volume (sum over each leg)."""
        subtotal: dict[str, Decimal] = {}
        for member in reversed(self._bfs()):
            kids = self.children[member]
            subtotal[member] = Decimal(volume.get(member, 0)) + sum(
                (subtotal[c] for c in kids.values()), Decimal(0))
        return {m: (subtotal.get(self.children[m].get("left", ""), Decimal(0)),
                    subtotal.get(self.children[m].get("right", ""), Decimal(0))) for m in self.parent}

    def _bfs(self) -> list[str]:
        order, i = [self.root], 0
        while i < len(order):
            kids = self.children[order[i]]
            order.extend(kids[s] for s in SIDES if s in kids)
            i += 1
        return order
