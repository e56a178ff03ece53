"""`mlm-siem seed`: a valid business in both trees, usable by a commission run; refuses a second seed."""

import argparse
from pathlib import Path

from sqlalchemy import select

from mlm_app.business import cli
from mlm_app.business.commissions.service import run_commissions
from mlm_app.business.config import BusinessConfig
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.orders.models import Order
from mlm_app.db import make_engine, session_factory
from mlm_app.events import Emitter


def _run(argv):
    parser = argparse.ArgumentParser()
    cli.register(parser.add_subparsers())
    args = parser.parse_args(argv)
    return args.func(args)


def test_seed_builds_consistent_trees_and_runs(tmp_path, capsys):
    data = tmp_path / "app"
    assert _run(["seed", "--distributors", "300", "--data-dir", str(data), "--password", "seed-password-123"]) == 0
    engine = make_engine(f"sqlite:///{Path(data) / 'app.db'}")
    factory = session_factory(engine)
    with factory() as s:
        members = {m.id: m for m in s.scalars(select(Distributor)).all()}
        assert len(members) == 300
        slots = set()
        for m in members.values():
            if m.sponsor_id is None:
                continue
            sponsor, parent = members[m.sponsor_id], members[m.parent_id]
            assert m.sponsor_path == sponsor.downline_prefix and m.placement_path == parent.placement_prefix
            assert m.placement_path.startswith(sponsor.placement_prefix) or m.parent_id == sponsor.id
            assert m.position in ("left", "right") and (m.parent_id, m.position) not in slots
            slots.add((m.parent_id, m.position))
        orders = s.scalars(select(Order)).all()
        assert 150 < len(orders) < 280
        period = orders[0].period
        run = run_commissions(s, period, config=BusinessConfig(), now=orders[0].created_at, events=Emitter())
        assert run.status == "success" and run.total > 0
    engine.dispose()
    assert _run(["seed", "--distributors", "5", "--data-dir", str(data)]) == 1
    assert "already has distributors" in capsys.readouterr().err
