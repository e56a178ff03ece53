"""The worked examples of the brief, with exact figures."""

from decimal import Decimal as D

import pytest

from mlm_app.business.plans.binary import BinaryPlan, pair_period
from mlm_app.business.plans.board import BoardPlan, BoardSystem
from mlm_app.business.plans.common import PlanError, money, totals
from mlm_app.business.plans.fast_start import fast_start_bonus
from mlm_app.business.plans.matrix import ForcedMatrix, MatrixPlan
from mlm_app.business.plans.ranks import Rank, qualifies
from mlm_app.business.plans.unilevel import UnilevelPlan, unilevel_commissions

CHAIN = {"Sam": None, "Kat": "Sam", "Robin": "Kat", "Joseph": "Robin", "Nia": "Joseph", "Omar": "Nia"}
PV = {"Sam": D(150), "Kat": D(90), "Robin": D(120), "Joseph": D(160), "Nia": D(110), "Omar": D(105)}


@pytest.mark.parametrize("compression, expected", [(False, "10.80"), (True, "23.30")])
def test_unilevel_compression_example(compression, expected):
    plan = UnilevelPlan(levels=(D(10), D(5), D(3)), qualification_pv=D(100), compression=compression)
    assert totals(unilevel_commissions(plan, CHAIN, PV))["Sam"] == D(expected)


def test_unilevel_unqualified_member_earns_nothing_and_compression_passes_it_up():
    plan = UnilevelPlan(levels=(D(10), D(5), D(3)), qualification_pv=D(100))
    earned = totals(unilevel_commissions(plan, CHAIN, PV))
    assert "Kat" not in earned
    assert earned["Robin"] == money("16.00") + money("5.50") + money("3.15")  # 160*10% + 110*5% + 105*3%


def test_binary_percentage_of_weak_leg_with_carry():
    plan = BinaryPlan(rate=D(8))
    p1 = pair_period(plan, D(160_000), D(100_000))
    assert (p1.gross, p1.carry_left, p1.carry_right) == (D("8000.00"), D(60_000), D(0))
    p2 = pair_period(plan, p1.carry_left + 0, p1.carry_right + D(100_000))
    assert (p2.gross, p2.carry_left, p2.carry_right) == (D("4800.00"), D(0), D(40_000))


def test_binary_pair_cap_flush_and_deductions():
    plan = BinaryPlan(pair_value=D(10), cap_pairs=100, flush_over_cap=True)
    r = pair_period(plan, D(150), D(130))
    assert (r.pairs, r.flushed_pairs, r.gross, r.carry_left, r.carry_right) == (100, 30, D("1000.00"), D(20), D(0))
    taxed = BinaryPlan(pair_value=D(10), cap_pairs=100, service_pct=D(10), tax_pct=D(10))
    r = pair_period(taxed, D(150), D(130))
    assert (r.gross, r.service, r.tax, r.net) == (D("1000.00"), D("100.00"), D("10" "0.00"), D("800.00"))


def test_matrix_3x3_breadth_first_spillover_and_capacity():
    m = ForcedMatrix(MatrixPlan(width=3, depth=3), root="A")
    placed = {f"P{i}": m.join(f"P{i}", "A")[0] for i in range(1, 8)}
    assert [placed[f"P{i}"] for i in range(1, 8)] == ["A"] * 3 + ["P1"] * 3 + ["P2"]
    assert m.plan.capacity == 39
    for i in range(8, 40):
        m.join(f"P{i}", "A")
    assert m.is_complete("A") and m.filled["A"] == 39
    m.join("P40", "A")
    assert m.level_of("A", "P40") == 4 and m.filled["A"] == 39


def test_board_2x2_cycles_on_the_seventh_and_splits():
    boards = BoardSystem(BoardPlan(levels=2, cycle_bonus=D(500)))
    boards.start("T")
    lines = [line for m in "ABCDEF" for line in boards.join(m)]
    assert len(lines) == 1 and lines[0].earner == "T" and lines[0].amount == D(500)
    assert len(boards.boards) == 2
    left, right = boards.boards
    assert left.slots[:3] == ["A", "C", "D"] and right.slots[:3] == ["B", "E", "F"]
    assert left.free_slot() == 3 and boards.board_of("T") is None


def test_ranks_leg_cap_example():
    rank = Rank("Gold", group_volume=D(4350), max_leg_pct=D(40), active_legs=3)
    assert not qualifies(rank, D(0), [D(3000), D(1000), D(500)])
    assert qualifies(rank, D(0), [D(1740), D(1700), D(910)])


def test_fast_start_no_compression_and_forfeit():
    sponsors = {"new": "e1", "e1": "e2", "e2": "e3", "e3": None}
    levels = (D(20), D(10), D(5))
    paid = totals(fast_start_bonus("new", D(200), sponsors, levels, lambda _: True))
    assert paid == {"e1": D("40.00"), "e2": D("20.00"), "e3": D("10.00")}
    paid = totals(fast_start_bonus("new", D(200), sponsors, levels, lambda m: m != "e1"))
    assert paid == {"e2": D("20.00"), "e3": D("10.00")}


def test_money_refuses_floats():
    with pytest.raises(TypeError):
        money(0.1)
    with pytest.raises(PlanError):
        BinaryPlan()
