"""Binary pairing over arrays: leg volumes by one reverse pass, pairing rules vectorized."""

from __future__ import annotations

from dataclasses import dataclass

import numpy as np

from mlm_app.business.engine.arrays import SCALE, to_bp, to_cents
from mlm_app.business.plans.binary import BinaryPlan
from mlm_app.business.plans.common import PlanError


@dataclass
class BinaryRun:
    """Per member: pairs paid, gross micro-units, and carry cents left on each leg."""

    pairs: np.ndarray
    gross_micro: np.ndarray
    carry_left: np.ndarray
    carry_right: np.ndarray
    first_done: np.ndarray


def leg_volumes(bparent: np.ndarray, bside: np.ndarray, pv: np.ndarray) -> tuple[np.ndarray, np.ndarray]:
    """(left, right) volume cents below every member of the placement tree."""
    n = len(pv)
    sub, left, right = pv.tolist(), [0] * n, [0] * n
    par, side = bparent.tolist(), bside.tolist()
    for i in range(n - 1, -1, -1):  # children have larger indices, so sub[i] is complete here
        p = par[i]
        if p >= 0:
            sub[p] += sub[i]
            if side[i]:
                right[p] += sub[i]
            else:
                left[p] += sub[i]
    return np.array(left, np.int64), np.array(right, np.int64)


def _pairs(plan: BinaryPlan, weak: np.ndarray, strong: np.ndarray, first_done: np.ndarray):
    """(pairs, strong units consumed, first-pair flags) for every member at once."""
    if plan.ratio == "1:2":
        pairs = np.minimum(weak, strong // 2)
        return pairs, 2 * pairs, first_done | (pairs > 0)
    pairs = np.minimum(weak, strong)
    if plan.ratio == "1:1":
        return pairs, pairs.copy(), first_done | (pairs > 0)
    need_first = ~first_done
    can_first = (weak >= 1) & (strong >= 2)
    first_pairs = np.where(can_first, 1 + np.minimum(weak - 1, strong - 2), 0)
    pairs = np.where(need_first, first_pairs, pairs)
    strong_used = np.where(need_first, np.where(can_first, pairs + 1, 0), pairs)
    return pairs, strong_used, first_done | (pairs > 0)


def binary_run(plan: BinaryPlan, left: np.ndarray, right: np.ndarray, active: np.ndarray,
               first_done: np.ndarray | None = None) -> BinaryRun:
    """Pay one period on leg volume cents (carry already added)."""
    unit = to_cents(plan.pair_unit)
    if unit <= 0:
        raise PlanError("pair_unit must be at least a cent")
    first_done = np.zeros(len(left), bool) if first_done is None else first_done
    weak_is_left = left <= right
    weak, strong = np.where(weak_is_left, left, right), np.where(weak_is_left, right, left)
    pairs, strong_used, done = _pairs(plan, weak // unit, strong // unit, first_done)
    paid = pairs if plan.cap_pairs is None else np.minimum(pairs, plan.cap_pairs)
    consumed = pairs
    if not plan.flush_over_cap and plan.cap_pairs is not None:
        extra = strong_used - pairs
        strong_used = np.where(paid > 0, paid + np.where(extra > 0, extra if plan.ratio != "1:2" else paid, 0), 0)
        consumed = paid
    weak_left, strong_left = weak - consumed * unit, strong - strong_used * unit
    per_pair = to_cents(plan.pair_value) * SCALE if plan.pair_value is not None else unit * to_bp(plan.rate or 0)
    gross = np.where(active, paid * per_pair, 0)
    carry_l = np.where(weak_is_left, weak_left, strong_left)
    carry_r = np.where(weak_is_left, strong_left, weak_left)
    if plan.inactive_flush:
        carry_l, carry_r = np.where(active, carry_l, 0), np.where(active, carry_r, 0)
    else:
        carry_l, carry_r = np.where(active, carry_l, left), np.where(active, carry_r, right)
    return BinaryRun(np.where(active, paid, 0), gross, carry_l, carry_r, np.where(active, done, first_done))
