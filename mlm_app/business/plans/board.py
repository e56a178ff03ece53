"""Revolving board: a binary board of `levels` rows under a top fills breadth-first; when full, the
top is paid the cycle bonus and leaves, and the board splits into two boards headed by the first-row
members, each keeping its own subtree. With re-entry the cycled top joins the oldest open board.

A 2x2 board holds 1 + 2 + 4 = 7 positions, a 2x3 board 1 + 2 + 4 + 8 = 15. Positions are heap
indices: the top is 0, the children of position i are 2i+1 and 2i+2.
"""

from __future__ import annotations

import itertools
from dataclasses import dataclass, field
from decimal import Decimal

from mlm_app.business.plans.common import CommissionLine, PlanError


@dataclass(frozen=True, slots=True)
class BoardPlan:
    """`levels` rows below the top (2 for a 2x2 board, 3 for 2x3); bonus paid per cycle."""

    levels: int = 2
    cycle_bonus: Decimal = Decimal(0)
    reentry: bool = False

    @property
    def size(self) -> int:
        return 2 ** (self.levels + 1) - 1


@dataclass
class Board:
    """One board: heap-ordered positions, None where empty."""

    id: int
    slots: list[str | None]

    def members(self) -> list[str]:
        return [m for m in self.slots if m is not None]

    def free_slot(self) -> int | None:
        return next((i for i, m in enumerate(self.slots) if m is None), None)


def _subtree(slots: list[str | None], root: int, size: int) -> list[str | None]:
    """The subtree at heap index `root`, re-indexed as a fresh heap of `size` slots."""
    out: list[str | None] = []
    row = [root]
    while row and len(out) < size:
        out.extend(slots[i] if i < len(slots) else None for i in row)
        row = [c for i in row for c in (2 * i + 1, 2 * i + 2)]
    return (out + [None] * size)[:size]


@dataclass
class BoardSystem:
    """All boards of one plan; `join` fills, cycles and splits them."""

    plan: BoardPlan
    boards: list[Board] = field(default_factory=list)
    _ids: itertools.count = field(default_factory=lambda: itertools.count(1))

    def start(self, top: str) -> Board:
        """Open a first board headed by `top`."""
        board = Board(next(self._ids), [top] + [None] * (self.plan.size - 1))
        self.boards.append(board)
        return board

    def board_of(self, member: str) -> Board | None:
        return next((b for b in self.boards if member in b.slots), None)

    def join(self, member: str, sponsor: str | None = None) -> list[CommissionLine]:
        """Seat `member` on the sponsor's board (else the oldest open one); cycle it when full."""
        board = self.board_of(sponsor) if sponsor else None
        if board is None or board.free_slot() is None:
            board = next((b for b in self.boards if b.free_slot() is not None), None)
        if board is None:
            raise PlanError("no open board: start one first")
        index = board.free_slot()
        assert index is not None
        board.slots[index] = member
        return self._cycle(board, member) if board.free_slot() is None else []

    def _cycle(self, board: Board, filler: str) -> list[CommissionLine]:
        top = board.slots[0]
        assert top is not None
        self.boards.remove(board)
        for root in (1, 2):
            slots = _subtree(board.slots, root, self.plan.size)
            self.boards.append(Board(next(self._ids), slots))
        lines = [CommissionLine(top, filler, "board_cycle", self.plan.cycle_bonus, 0)]
        if self.plan.reentry:
            lines.extend(self.join(top))
        return lines
