"""Plan rules beyond the worked examples: placement modes, ratios, caps, bonuses, re-entry."""

from decimal import Decimal as D

import pytest

from mlm_app.business.plans.binary import BinaryPlan, pair_period
from mlm_app.business.plans.binary_tree import BinaryTree
from mlm_app.business.plans.board import BoardPlan, BoardSystem
from mlm_app.business.plans.common import PlanError, totals
from mlm_app.business.plans.matching import matching_bonus
from mlm_app.business.plans.matrix import ForcedMatrix, MatrixPlan
from mlm_app.business.plans.ranks import Rank, best_rank


def test_binary_outer_leg_spillover_walks_the_edge():
    t = BinaryTree("R")
    assert [t.place(m, "R", "outer_left") for m in ("a", "b", "c")] == [("R", "left"), ("a", "left"), ("b", "left")]
    assert t.place("d", "R", "outer_right") == ("R", "right")
    assert t.leg_of("R", "c") == "left" and t.leg_of("R", "d") == "right" and t.leg_of("a", "d") is None


def test_binary_weaker_leg_fills_the_smaller_side():
    t = BinaryTree("R")
    sides = [t.place(f"m{i}", "R", "weaker_leg")[1] for i in range(4)]
    assert sides[:2] == ["left", "right"]
    assert t.size["R"] == 5 and abs(t.size[t.children["R"]["left"]] - t.size[t.children["R"]["right"]]) <= 1


def test_binary_manual_placement_is_checked():
    t = BinaryTree("R")
    t.place("a", "R", "outer_left")
    t.place("x", "R", "outer_right")
    assert t.place("b", "a", "manual", parent="a", side="right") == ("a", "right")
    with pytest.raises(PlanError):
        t.place("c", "a", "manual", parent="a", side="right")  # taken
    with pytest.raises(PlanError):
        t.place("c", "a", "manual", parent="x", side="left")  # outside a's downline
    with pytest.raises(PlanError):
        t.place("a", "R")


def test_binary_leg_volumes_sum_each_leg():
    t = BinaryTree("R")
    for m in ("a", "b"):
        t.place(m, "R", "outer_left")
    t.place("c", "R", "outer_right")
    legs = t.leg_volumes({"a": D(10), "b": D(5), "c": D(7), "R": D(100)})
    assert legs["R"] == (D(15), D(7)) and legs["a"] == (D(5), D(0))


def test_binary_ratios():
    one_two = BinaryPlan(pair_value=D(10), ratio="1:2")
    r = pair_period(one_two, D(3), D(10))
    assert (r.pairs, r.carry_left, r.carry_right) == (3, D(0), D(4))
    first = BinaryPlan(pair_value=D(10), ratio="2:1_first")
    r = pair_period(first, D(1), D(1))
    assert r.pairs == 0 and not r.first_pair_done
    r = pair_period(first, D(5), D(3))
    assert (r.pairs, r.carry_left, r.carry_right, r.first_pair_done) == (3, D(1), D(0), True)
    r = pair_period(first, D(5), D(3), first_pair_done=True)
    assert (r.pairs, r.carry_left) == (3, D(2))


def test_binary_cap_without_flush_keeps_carry():
    plan = BinaryPlan(pair_value=D(10), cap_pairs=100, flush_over_cap=False)
    r = pair_period(plan, D(150), D(130))
    assert (r.gross, r.carry_left, r.carry_right) == (D("1000.00"), D(50), D(30))


def test_binary_inactive_flush_or_keep():
    r = pair_period(BinaryPlan(pair_value=D(10)), D(50), D(40), active=False)
    assert (r.gross, r.carry_left, r.carry_right) == (0, 0, 0)
    r = pair_period(BinaryPlan(pair_value=D(10), inactive_flush=False), D(50), D(40), active=False)
    assert (r.gross, r.carry_left, r.carry_right) == (0, D(50), D(40))


def test_matrix_pays_levels_real_sponsor_and_completion_once():
    plan = MatrixPlan(width=2, depth=2, level_amounts=(D(5), D(3)), completion_bonus=D(100), sponsor_bonus=D(20))
    m = ForcedMatrix(plan, "A")
    m.join("B", "A")
    m.join("C", "A")
    _, _, lines = m.join("D", "B")  # sponsored by B, lands under B
    assert totals(lines) == {"B": D("25.00"), "A": D("3.00")}
    _, _, lines = m.join("E", "C")  # C sponsors; lands under C
    assert totals(lines)["C"] == D("25.00")
    spill = m.join("F", "A")  # A's spillover lands under B
    assert spill[0] == "B" and totals(spill[2])["A"] == D("23.00")
    all_lines = [ln for x in "GHIJ" for ln in m.join(x, "A")[2]]
    completions = [ln for ln in all_lines if ln.note == "completion"]
    assert [(c.earner, c.amount) for c in completions] == [("A", D(100))]
    assert [c.earner for c in m.join("K", "A")[2] if c.note == "completion"] == ["B"]  # D,F + 4 below
    assert not [c for c in m.join("L", "A")[2] if c.note == "completion" and c.earner in "AB"]


def test_board_2x3_holds_fifteen_and_reentry_seats_the_top_again():
    boards = BoardSystem(BoardPlan(levels=3, cycle_bonus=D(1000), reentry=True))
    boards.start("T")
    lines = [ln for i in range(13) for ln in boards.join(f"m{i}")]
    assert lines == []
    lines = boards.join("m13")
    assert lines[0].earner == "T" and lines[0].kind == "board_cycle"
    new_tops = [b.slots[0] for b in boards.boards]
    assert new_tops == ["m0", "m1"] and all(len(b.members()) in (7, 8) for b in boards.boards)
    assert boards.board_of("T") is boards.boards[0]  # re-entered the oldest open board


def test_matching_bonus_by_generation_skips_unqualified():
    sponsors = {"x": "s1", "s1": "s2", "s2": None}
    lines = matching_bonus({"x": D(100)}, sponsors, (D(10), D(5)), lambda m: m != "s1")
    assert totals(lines) == {"s2": D("5.00")}


def test_best_rank_picks_the_highest_met():
    ranks = [Rank("Silver", personal_pv=D(100)), Rank("Gold", personal_pv=D(100), group_volume=D(1000), active_legs=2)]
    assert best_rank(ranks, D(100), [D(900)]) == "Silver"
    assert best_rank(ranks, D(100), [D(600), D(400)]) == "Gold"
    assert best_rank(ranks, D(50), [D(600), D(400)]) is None
