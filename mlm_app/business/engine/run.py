"""One commission period for the whole population: unilevel, binary and ranks in one pass each."""

from __future__ import annotations

from dataclasses import dataclass, field
from decimal import Decimal

import numpy as np

from mlm_app.business.engine.arrays import Population, micro_to_money, to_cents
from mlm_app.business.engine.binary import BinaryRun, binary_run, leg_volumes
from mlm_app.business.engine.ranks import rank_index
from mlm_app.business.engine.unilevel import LevelPayments, unilevel_payments
from mlm_app.business.plans.binary import BinaryPlan
from mlm_app.business.plans.ranks import Rank
from mlm_app.business.plans.unilevel import UnilevelPlan

MAX_SOURCES = 50  # EVENTS.md: commission_calculated carries at most 50 source ids


@dataclass(frozen=True)
class RunConfig:
    """Which plans a run pays, and the binary activity threshold."""

    unilevel: UnilevelPlan | None = None
    binary: BinaryPlan | None = None
    binary_active_pv: Decimal = Decimal(0)
    ranks: tuple[Rank, ...] = ()


@dataclass
class PeriodResult:
    """Raw arrays of one run; `statement_lines` turns them into Decimal money per member."""

    pop: Population
    unilevel: LevelPayments | None = None
    binary: BinaryRun | None = None
    ranks: np.ndarray | None = None
    rank_names: tuple[str, ...] = field(default_factory=tuple)

    def unilevel_totals(self) -> dict[str, Decimal]:
        """Unilevel money per earning member."""
        if self.unilevel is None:
            return {}
        micro = self.unilevel.totals(len(self.pop.ids))
        return {self.pop.ids[i]: micro_to_money(int(micro[i])) for i in np.nonzero(micro)[0]}

    def binary_totals(self) -> dict[str, Decimal]:
        """Binary gross money per earning member."""
        if self.binary is None:
            return {}
        g = self.binary.gross_micro
        return {self.pop.ids[i]: micro_to_money(int(g[i])) for i in np.nonzero(g)[0]}

    def unilevel_sources(self, limit: int = MAX_SOURCES) -> dict[str, list[str]]:
        """Up to `limit` source ids per earner (first by member order), for the events."""
        if self.unilevel is None or not len(self.unilevel.earner):
            return {}
        order = np.lexsort((self.unilevel.source, self.unilevel.earner))
        earners, sources = self.unilevel.earner[order], self.unilevel.source[order]
        starts = np.flatnonzero(np.r_[True, earners[1:] != earners[:-1]]).tolist()
        ends = starts[1:] + [len(earners)]
        ids = self.pop.ids
        return {ids[earners[s]]: [ids[x] for x in sources[s:min(e, s + limit)]] for s, e in zip(starts, ends)}

    def rank_of(self, member: str) -> str | None:
        if self.ranks is None:
            return None
        i = int(self.ranks[self.pop.ids.index(member)])
        return self.rank_names[i] if i >= 0 else None


def run_period(config: RunConfig, pop: Population, carry_left: np.ndarray | None = None,
               carry_right: np.ndarray | None = None, first_done: np.ndarray | None = None) -> PeriodResult:
    """Compute one period; binary carry arrays come from the previous period (zeros when None)."""
    result = PeriodResult(pop)
    if config.unilevel is not None:
        result.unilevel = unilevel_payments(config.unilevel, pop)
    if config.binary is not None and pop.bparent is not None and pop.bside is not None:
        left, right = leg_volumes(pop.bparent, pop.bside, pop.pv)
        zeros = np.zeros(len(pop.ids), np.int64)
        left = left + (zeros if carry_left is None else carry_left)
        right = right + (zeros if carry_right is None else carry_right)
        active = pop.pv >= to_cents(config.binary_active_pv)
        result.binary = binary_run(config.binary, left, right, active, first_done)
    if config.ranks:
        result.ranks = rank_index(config.ranks, pop.sponsor, pop.pv)
        result.rank_names = tuple(r.name for r in config.ranks)
    return result
