"""Revolving boards through the database behave like the pure BoardSystem, cycle for cycle."""

from decimal import Decimal as D

from bizworld import make_world

from mlm_app.business.commissions.board_pay import load_boards
from mlm_app.business.commissions.models import LedgerEntry
from mlm_app.business.config import BusinessConfig
from mlm_app.business.plans.board import BoardPlan, BoardSystem

CONFIG = BusinessConfig(plan="board", board_levels=2, board_cycle_bonus=D(100), board_reentry=True)


def test_database_boards_match_the_pure_plan(tmp_path):
    check_boards(make_world(f"sqlite:///{tmp_path / 'b.db'}", tmp_path, CONFIG))


def check_boards(world):
    pure = BoardSystem(BoardPlan(levels=2, cycle_bonus=D(100), reentry=True))
    pure.start("D000001")
    expected = []
    with world.factory() as s:
        members = [world.root(s)]
        for i in range(20):
            sponsor = members[i // 3]
            member = world.join(s, sponsor, f"b{i:02d}")
            expected.extend(pure.join(member.id, sponsor.id))
            members.append(member)
        s.commit()
        stored = load_boards(s, CONFIG)
        assert [b.slots for b in stored.boards] == [b.slots for b in pure.boards]
        cycles = [(e.distributor_id, e.amount) for e in s.query(LedgerEntry).filter_by(kind="board_cycle")
                  .order_by(LedgerEntry.id)]
    assert cycles == [(line.earner, line.amount) for line in expected] and len(cycles) >= 3
    assert cycles[0] == ("D000001", D("100.00"))
    types = {e["mlm"]["commission"]["type"] for e in world.actions("commission_calculated")}
    assert types == {"board_cycle"}
