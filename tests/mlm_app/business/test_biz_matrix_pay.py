"""Matrix pay at enrollment through the database equals the pure ForcedMatrix, credit for credit."""

from decimal import Decimal as D

from bizworld import make_world

from mlm_app.business.commissions.models import LedgerEntry
from mlm_app.business.config import BusinessConfig
from mlm_app.business.plans.common import totals
from mlm_app.business.plans.matrix import ForcedMatrix, MatrixPlan

CONFIG = BusinessConfig(plan="matrix", matrix_width=2, matrix_depth=2, matrix_level_amounts=(D(5), D(3)),
                        matrix_completion_bonus=D(100), matrix_sponsor_bonus=D(20))


def test_database_matrix_pay_matches_the_pure_plan(tmp_path):
    check_matrix_pay(make_world(f"sqlite:///{tmp_path / 'm.db'}", tmp_path, CONFIG))


def check_matrix_pay(world):
    pure = ForcedMatrix(MatrixPlan(2, 2, (D(5), D(3)), D(100), D(20)), "D000001")
    sponsors = [0, 0, 1, 2, 0, 0, 0, 0, 1, 0, 3, 0]  # index into the members so far
    expected, placed = [], []
    with world.factory() as s:
        members = [world.root(s)]
        for i, sponsor in enumerate(sponsors):
            member = world.join(s, members[sponsor], f"m{i:02d}")
            parent, index, lines = pure.join(member.id, members[sponsor].id)
            placed.append((member.parent_id, member.position) == (parent, str(index)))
            expected.extend(lines)
            members.append(member)
        got = {}
        for entry in s.query(LedgerEntry).filter_by(kind="matrix_level"):
            got[entry.distributor_id] = got.get(entry.distributor_id, D(0)) + entry.amount
    assert all(placed)
    assert got == totals(expected)
    assert any(line.note == "completion" for line in expected)
    assert len(world.actions("commission_calculated")) == len(
        {(line.earner, line.source) for line in expected})
