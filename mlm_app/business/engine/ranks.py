"""Ranks over arrays: sponsor-tree group volume per leg, capped per rank, checked for all at once."""

from __future__ import annotations

from collections.abc import Sequence

import numpy as np

from mlm_app.business.engine.arrays import to_cents
from mlm_app.business.plans.ranks import Rank


def subtree_volume(sponsor: np.ndarray, pv: np.ndarray) -> np.ndarray:
    """Each member's own volume plus everything below it in the sponsor tree."""
    sub, par = pv.tolist(), sponsor.tolist()
    for i in range(len(sub) - 1, -1, -1):  # recruits have larger indices than their sponsor
        if par[i] >= 0:
            sub[par[i]] += sub[i]
    return np.array(sub, np.int64)


def rank_index(ranks: Sequence[Rank], sponsor: np.ndarray, pv: np.ndarray) -> np.ndarray:
    """Index into `ranks` (lowest first) of each member's highest rank met, -1 for none."""
    sub = subtree_volume(sponsor, pv)
    has_sponsor = sponsor >= 0
    kids = np.nonzero(has_sponsor)[0]
    parents = sponsor[kids]
    legs = np.zeros(len(pv), np.int64)
    np.add.at(legs, parents, (sub[kids] > 0).astype(np.int64))
    best = np.full(len(pv), -1, np.int64)
    for i, rank in enumerate(ranks):
        need = to_cents(rank.group_volume)
        cap = (need * to_cents(rank.max_leg_pct)) // 10_000  # pct in cents: 40% -> 4000
        counted = np.zeros(len(pv), np.int64)
        np.add.at(counted, parents, np.minimum(sub[kids], cap))
        met = (pv >= to_cents(rank.personal_pv)) & (legs >= rank.active_legs) & (counted >= need)
        best = np.where(met, i, best)
    return best
