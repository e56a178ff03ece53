"""Forced matrix (width x depth, e.g. 3x7): breadth-first, left-to-right spillover under the sponsor.

Each recruit takes the first free slot in the sponsor's part of the tree, level by level, left to
right. Every credit is of the contract type `matrix_level` (its note says level, sponsor or
completion). Joining pays a fixed amount to each placement upline within `depth` levels, a direct-sponsor
bonus to the real sponsor (not the placement parent), and a completion bonus to every upline whose
own width x depth matrix becomes full with this placement.
"""

from __future__ import annotations

from collections import deque
from dataclasses import dataclass, field
from decimal import Decimal

from mlm_app.business.plans.common import ZERO, CommissionLine, PlanError


@dataclass(frozen=True, slots=True)
class MatrixPlan:
    """Shape and payouts; `level_amounts[0]` is paid to the placement parent."""

    width: int = 3
    depth: int = 7
    level_amounts: tuple[Decimal, ...] = ()
    completion_bonus: Decimal = ZERO
    sponsor_bonus: Decimal = ZERO

    def __post_init__(self) -> None:
        if self.width < 1 or self.depth < 1:
            raise PlanError("matrix width and depth must be at least 1")

    @property
    def capacity(self) -> int:
        """Positions below the top of a full matrix: width + width^2 + ... + width^depth."""
        return sum(self.width**k for k in range(1, self.depth + 1))


@dataclass
class ForcedMatrix:
    """The placement tree of a forced matrix and each member's count of positions within depth."""

    plan: MatrixPlan
    root: str
    parent: dict[str, str | None] = field(default_factory=dict)
    children: dict[str, list[str]] = field(default_factory=dict)
    filled: dict[str, int] = field(default_factory=dict)

    def __post_init__(self) -> None:
        self.parent[self.root] = None
        self.children[self.root] = []
        self.filled[self.root] = 0

    def first_free(self, sponsor: str) -> tuple[str, int]:
        """(parent, index) of the first open slot below `sponsor`, breadth-first, left to right."""
        queue = deque([sponsor])
        while queue:
            node = queue.popleft()
            kids = self.children[node]
            if len(kids) < self.plan.width:
                return node, len(kids)
            queue.extend(kids)
        raise PlanError("matrix has no free slot")  # unreachable: leaves always have room

    def join(self, member: str, sponsor: str) -> tuple[str, int, list[CommissionLine]]:
        """Place `member` under `sponsor`; returns (parent, index, commission lines)."""
        if member in self.parent:
            raise PlanError(f"{member} is already in the matrix")
        if sponsor not in self.parent:
            raise PlanError(f"unknown sponsor {sponsor}")
        parent, index = self.first_free(sponsor)
        self.parent[member], self.children[member], self.filled[member] = parent, [], 0
        self.children[parent].append(member)
        lines = []
        if self.plan.sponsor_bonus:
            lines.append(CommissionLine(sponsor, member, "matrix_level", self.plan.sponsor_bonus, 0, "sponsor"))
        lines.extend(self._credit_upline(member))
        return parent, index, lines

    def _credit_upline(self, member: str) -> list[CommissionLine]:
        lines, level, node = [], 0, self.parent[member]
        while node is not None and level < self.plan.depth:
            level += 1
            self.filled[node] += 1
            if level <= len(self.plan.level_amounts) and self.plan.level_amounts[level - 1]:
                amount = self.plan.level_amounts[level - 1]
                lines.append(CommissionLine(node, member, "matrix_level", amount, level, "level"))
            if self.filled[node] == self.plan.capacity and self.plan.completion_bonus:
                lines.append(CommissionLine(node, member, "matrix_level", self.plan.completion_bonus, level, "completion"))
            node = self.parent[node]
        return lines

    def is_complete(self, member: str) -> bool:
        return self.filled[member] >= self.plan.capacity

    def level_of(self, ancestor: str, member: str) -> int | None:
        """How many levels `member` sits below `ancestor` (None when not below)."""
        level, node = 0, member
        while node is not None and node != ancestor:
            node, level = self.parent[node], level + 1  # type: ignore[assignment]
        return level if node == ancestor else None
