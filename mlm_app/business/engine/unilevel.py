"""Unilevel over arrays: each level is one vectorized hop up a (compressed) sponsor pointer array."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlm_app.business.engine.arrays import Population, to_bp, to_cents
from mlm_app.business.plans.unilevel import UnilevelPlan


@dataclass
class LevelPayments:
    """Every (earner, source, micro-amount) credit of a run, as parallel arrays."""

    earner: np.ndarray
    source: np.ndarray
    micro: np.ndarray

    def totals(self, n: int) -> np.ndarray:
        """Micro-units earned by each of the n members."""
        return _sum_by(self.earner, self.micro, n)


def _sum_by(keys: np.ndarray, values: np.ndarray, n: int) -> np.ndarray:
    out = np.zeros(n, np.int64)
    np.add.at(out, keys, values)
    return out


def nearest_qualified_ancestor(sponsor: np.ndarray, qualified: np.ndarray) -> np.ndarray:
    """For each member, the closest sponsor above who is qualified (-1 when none)."""
    n = len(sponsor)
    sp, ok = sponsor.tolist(), qualified.tolist()
    result = [-1] * n
    for i in range(n):  # sponsors precede recruits, so result[p] is final when we reach i
        p = sp[i]
        if p >= 0:
            result[i] = p if ok[p] else result[p]
    return np.array(result, np.int64)


def unilevel_payments(plan: UnilevelPlan, pop: Population) -> LevelPayments:
    """All unilevel credits of the period, level by level."""
    qualified = pop.pv >= to_cents(plan.qualification_pv)
    hop = nearest_qualified_ancestor(pop.sponsor, qualified) if plan.compression else pop.sponsor
    sources = np.nonzero(qualified & (pop.pv > 0))[0]
    current = hop[sources]
    earners, srcs, amounts = [], [], []
    for pct in plan.levels:
        alive = current >= 0
        sources, current = sources[alive], current[alive]
        if not len(current):
            break
        paid = qualified[current]  # without compression an unqualified level is breakage
        earners.append(current[paid])
        srcs.append(sources[paid])
        amounts.append(pop.pv[sources[paid]] * to_bp(pct))
        current = hop[current]
    if not earners:
        empty = np.zeros(0, np.int64)
        return LevelPayments(empty, empty, empty)
    return LevelPayments(np.concatenate(earners), np.concatenate(srcs), np.concatenate(amounts))
