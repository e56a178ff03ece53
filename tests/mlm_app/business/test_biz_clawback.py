"""Refunds claw back binary pairs and enrollment bonuses; ranks keep the highest title by default."""

from dataclasses import replace
from datetime import timedelta
from decimal import Decimal as D

import pytest
from bizworld import NOW, make_world

from mlm_app.accounts.models import User
from mlm_app.business.commissions import service as runs
from mlm_app.business.commissions.models import LedgerEntry
from mlm_app.business.config import BusinessConfig
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.orders.service import place_order, refund_order


def _order(world, s, member, product, when=NOW):
    return place_order(s, s.get(User, member.id), [(product.id, 1)], config=world.config, now=when,
                       events=world.emitter)


def _refund(world, s, member_id, order_id):
    return refund_order(s, s.get(User, member_id), order_id, config=world.config, now=NOW, events=world.emitter)


def _entries(s, kind):
    return {e.distributor_id: e.amount for e in s.query(LedgerEntry).filter_by(kind=kind)}


def test_refund_claws_back_the_pair_it_made_and_its_carry(world):
    with world.factory() as s:
        root = world.root(s)
        left, right = world.join(s, root, "lefty"), world.join(s, root, "righty")
        big, small = world.product(s, stock=10, pv="300", name="Big"), world.product(s, stock=10, pv="100", name="Small")
        _order(world, s, root, small)
        big_order = _order(world, s, left, big)
        _order(world, s, right, small)
        runs.run_commissions(s, "2026-W46", config=world.config, now=NOW, events=world.emitter)
        assert _entries(s, "binary_pairing") == {root.id: D("8.50")}
        assert s.get(Distributor, root.id).carry_left == D("200.00")
        _refund(world, s, left.id, big_order.id)
        # Without the 300 PV the left leg is empty: the one pair ($10 gross, $8.50 net) goes back, and the
        # 200 PV it left in carry is gone too (it would otherwise pair again next week).
        assert _entries(s, "binary_clawback") == {root.id: D("-8.50")}
        company = s.get(Distributor, root.id)
        assert (company.carry_left, company.carry_right) == (D("0.00"), D("0.00"))


def test_refund_of_volume_that_did_not_pair_claws_nothing_back(world):
    with world.factory() as s:
        root = world.root(s)
        left, right = world.join(s, root, "lefty"), world.join(s, root, "righty")
        p100 = world.product(s, stock=10, pv="100", name="Small")
        _order(world, s, root, p100)
        _order(world, s, left, p100)
        extra = _order(world, s, left, p100)
        _order(world, s, right, p100)
        runs.run_commissions(s, "2026-W46", config=world.config, now=NOW, events=world.emitter)
        assert s.get(Distributor, root.id).carry_left == D("100.00")
        _refund(world, s, left.id, extra.id)  # 200 vs 100: the refunded 100 was the unpaired surplus
        assert _entries(s, "binary_clawback") == {}
        assert s.get(Distributor, root.id).carry_left == D("0.00")


def test_refund_of_the_first_order_reverses_matrix_join_bonuses(tmp_path):
    world = make_world(f"sqlite:///{tmp_path / 'm.db'}", tmp_path, BusinessConfig(plan="matrix"))
    with world.factory() as s:
        root = world.root(s)
        first = world.join(s, root, "mia1")
        second = world.join(s, first, "mia2")
        tea = world.product(s, stock=10, pv="100")
        # m2's join paid its sponsor m1 the $10 sponsor bonus + $2 level 1, and root $2 level 2.
        joined = {e.distributor_id: e.amount for e in s.query(LedgerEntry).filter_by(kind="matrix_level",
                                                                                        source_ids=second.id)}
        assert joined == {first.id: D("12.00"), root.id: D("2.00")}
        starter = _order(world, s, second, tea)
        later = _order(world, s, second, tea, NOW + timedelta(hours=1))
        _refund(world, s, second.id, later.id)
        assert _entries(s, "matrix_clawback") == {}  # not the enrollment pack
        _refund(world, s, second.id, starter.id)
        assert _entries(s, "matrix_clawback") == {first.id: D("-12.00"), root.id: D("-2.00")}


def test_refund_of_the_first_order_reverses_the_board_cycle_it_caused(tmp_path):
    config = BusinessConfig(plan="board", board_levels=2, board_cycle_bonus=D(100))
    world = make_world(f"sqlite:///{tmp_path / 'b.db'}", tmp_path, config)
    with world.factory() as s:
        root = world.root(s)
        members = [world.join(s, root, f"board{i}") for i in range(6)]
        cycle = s.query(LedgerEntry).filter_by(kind="board_cycle").one()
        filler = next(m for m in members if m.id == cycle.source_ids)
        assert (cycle.distributor_id, cycle.amount) == (root.id, D("100.00"))
        order = _order(world, s, filler, world.product(s, stock=10, pv="100"))
        _refund(world, s, filler.id, order.id)
        assert _entries(s, "board_clawback") == {root.id: D("-100.00")}


@pytest.mark.parametrize("policy, december", [("highest", "Bronze"), ("period", None)])
def test_an_empty_period_demotes_only_when_the_plan_says_so(tmp_path, policy, december):
    world = make_world(f"sqlite:///{tmp_path / 'r.db'}", tmp_path, replace(BusinessConfig(), rank_policy=policy))
    with world.factory() as s:
        sam = world.join(s, world.root(s), "sam")
        _order(world, s, sam, world.product(s, stock=10, pv="150"))
        runs.run_commissions(s, "2026-11", config=world.config, now=NOW, events=world.emitter)
        assert s.get(Distributor, sam.id).rank == "Bronze"
        runs.run_commissions(s, "2026-12", config=world.config, now=NOW, events=world.emitter)
        assert s.get(Distributor, sam.id).rank == december
    changes = [e["mlm"]["rank"] for e in world.actions("rank_changed") if e["mlm"]["distributor"]["id"] == sam.id]
    expected = [{"previous": "none", "current": "Bronze"}]
    assert changes == expected + ([{"previous": "Bronze", "current": "none"}] if december is None else [])


def test_unknown_rank_policy_is_refused():
    with pytest.raises(ValueError, match="rank_policy"):
        BusinessConfig(rank_policy="forever")
