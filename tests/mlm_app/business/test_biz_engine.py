"""The array engine must agree, cent for cent, with the plain Decimal plan functions."""

import random
from decimal import Decimal as D

import numpy as np
import pytest

from mlm_app.business.engine.arrays import Population
from mlm_app.business.engine.run import RunConfig, run_period
from mlm_app.business.plans.binary import BinaryPlan, pair_period
from mlm_app.business.plans.binary_tree import BinaryTree
from mlm_app.business.plans.common import PlanError, totals
from mlm_app.business.plans.ranks import Rank, best_rank
from mlm_app.business.plans.unilevel import UnilevelPlan, unilevel_commissions


def random_world(n=400, seed=7):
    rng = random.Random(seed)
    order = [f"D{i:06d}" for i in range(n)]
    sponsor_of = {order[0]: None}
    tree = BinaryTree(order[0])
    placement = {}
    for i in range(1, n):
        sponsor = order[rng.randrange(max(0, i - 30), i)]
        sponsor_of[order[i]] = sponsor
        placement[order[i]] = tree.place(order[i], sponsor, rng.choice(["weaker_leg", "outer_left", "outer_right"]))
    pv = {m: D(rng.choice([0, 40, 99, 100, 120, 250])) + D(rng.randrange(100)) / 100 for m in order}
    return order, sponsor_of, pv, tree, placement


@pytest.mark.parametrize("compression", [True, False])
def test_unilevel_engine_matches_plain_plan(compression):
    order, sponsor_of, pv, _, _ = random_world()
    plan = UnilevelPlan(levels=(D(10), D(5), D("3.5"), D(2)), qualification_pv=D(100), compression=compression)
    pop = Population.from_maps(sponsor_of, pv, order)
    result = run_period(RunConfig(unilevel=plan), pop)
    assert result.unilevel_totals() == totals(unilevel_commissions(plan, sponsor_of, pv))
    sources = result.unilevel_sources(limit=5)
    assert all(len(s) <= 5 for s in sources.values()) and set(sources) == set(result.unilevel_totals())
    expected: dict[str, set] = {}
    for line in unilevel_commissions(plan, sponsor_of, pv):
        expected.setdefault(line.earner, set()).add(line.source)
    assert all(set(src) <= expected[e] and len(src) == min(5, len(expected[e])) for e, src in sources.items())


@pytest.mark.parametrize("ratio, cap, flush", [("1:1", 3, True), ("1:2", None, True), ("2:1_first", 2, False)])
def test_binary_engine_matches_plain_plan(ratio, cap, flush):
    order, sponsor_of, pv, tree, placement = random_world(seed=3)
    plan = BinaryPlan(pair_unit=D(100), pair_value=D(10), ratio=ratio, cap_pairs=cap, flush_over_cap=flush)
    pop = Population.from_maps(sponsor_of, pv, order, placement)
    rng = np.random.default_rng(1)
    carry_l, carry_r = rng.integers(0, 30_000, len(order)), rng.integers(0, 30_000, len(order))
    result = run_period(RunConfig(binary=plan, binary_active_pv=D(50)), pop, carry_l, carry_r)
    legs = tree.leg_volumes(pv)
    for i, m in enumerate(order):
        left = legs[m][0] + D(int(carry_l[i])) / 100
        right = legs[m][1] + D(int(carry_r[i])) / 100
        expected = pair_period(plan, left, right, active=pv[m] >= 50)
        assert result.binary.pairs[i] == expected.pairs, m
        assert D(int(result.binary.carry_left[i])) / 100 == expected.carry_left, m
        assert D(int(result.binary.carry_right[i])) / 100 == expected.carry_right, m
    gross = {m: pair_period(plan, legs[m][0] + D(int(carry_l[i])) / 100, legs[m][1] + D(int(carry_r[i])) / 100,
                            active=pv[m] >= 50).gross for i, m in enumerate(order)}
    assert result.binary_totals() == {m: g for m, g in gross.items() if g}


def test_rank_engine_matches_plain_plan():
    order, sponsor_of, pv, _, _ = random_world(seed=11)
    ranks = (Rank("Bronze", personal_pv=D(100)),
             Rank("Silver", personal_pv=D(100), group_volume=D(1000), active_legs=2, max_leg_pct=D(40)),
             Rank("Gold", personal_pv=D(100), group_volume=D(4350), active_legs=3, max_leg_pct=D(40)))
    result = run_period(RunConfig(ranks=ranks), Population.from_maps(sponsor_of, pv, order))
    children = {m: [] for m in order}
    for m, s in sponsor_of.items():
        if s:
            children[s].append(m)
    group = {}
    for m in reversed(order):
        group[m] = pv[m] + sum(group[c] for c in children[m])
    seen = set()
    for m in order:
        expected = best_rank(ranks, pv[m], [group[c] for c in children[m]])
        assert result.rank_of(m) == expected, m
        seen.add(expected)
    assert {"Bronze", "Silver", None} <= seen


def test_population_refuses_unordered_input():
    with pytest.raises(PlanError):
        Population.from_maps({"a": "b", "b": None}, {}, ["a", "b"])
