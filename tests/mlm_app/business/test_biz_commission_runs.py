"""Commission runs on the database: ledger, events, idempotence, failure, ranks, binary carry."""

from decimal import Decimal as D

import pytest
from bizworld import NOW

from mlm_app.accounts.models import User
from mlm_app.business.commissions import service as runs
from mlm_app.business.commissions.ledger import balance
from mlm_app.business.commissions.models import CommissionRun, LedgerEntry
from mlm_app.business.distributors.models import Distributor
from mlm_app.business.errors import Conflict
from mlm_app.business.orders.service import place_order, refund_order


def _chain_world(world):
    """The unilevel worked example as real distributors and orders: Sam -> Kat -> Robin -> Joseph -> Nia -> Omar."""
    pvs = {"sam": 150, "kat": 90, "robin": 120, "joseph": 160, "nia": 110, "omar": 105}
    with world.factory() as s:
        root = world.root(s)
        members, sponsor = {}, root
        for name in pvs:
            sponsor = members[name] = world.join(s, sponsor, name)
        products = {pv: world.product(s, stock=10, pv=str(pv), name=f"Pack{pv}") for pv in set(pvs.values())}
        orders = {}
        for name, pv in pvs.items():
            orders[name] = place_order(s, s.get(User, members[name].id), [(products[pv].id, 1)],
                                       config=world.config, now=NOW, events=world.emitter)
        s.commit()
        return {n: m.id for n, m in members.items()}, {n: o.id for n, o in orders.items()}


def test_run_pays_unilevel_with_compression_and_is_idempotent(world):
    ids, _ = _chain_world(world)
    world.events.clear()
    with world.factory() as s:
        before = balance(s, ids["sam"])
        run = runs.run_commissions(s, "2026-11", config=world.config, now=NOW, events=world.emitter)
        s.commit()
        assert run.status == "success"
        uni = s.query(LedgerEntry).filter_by(distributor_id=ids["sam"], kind="unilevel_level").one()
        assert uni.amount == D("23.30") and uni.source_ids == ",".join([ids["robin"], ids["joseph"], ids["nia"]])
        assert runs.statement(s, ids["sam"], "2026-11")["unilevel_level"] == D("23.30")
        matching = {e.distributor_id: e.amount for e in s.query(LedgerEntry).filter_by(kind="matching")}
        # 10% of the first and 5% of the second sponsored generation's unilevel pay, unqualified Kat skipped:
        # Sam 5% of Robin's 24.65; Robin 10% of Joseph's 16.25 + 5% of Nia's 10.50; Joseph 10% of Nia's.
        assert matching == {ids["sam"]: D("1.23"), ids["robin"]: D("2.15"), ids["joseph"]: D("1.05")}
        count = s.query(LedgerEntry).count()
        again = runs.run_commissions(s, "2026-11", config=world.config, now=NOW, events=world.emitter)
        assert again.id == run.id and s.query(LedgerEntry).count() == count
        for week in ("2026-W45", "2026-W44"):  # inside November; straddling October and November
            with pytest.raises(Conflict, match="overlaps"):
                runs.run_commissions(s, week, config=world.config, now=NOW, events=world.emitter)
        assert runs.run_commissions(s, "2026-W50", config=world.config, now=NOW, events=world.emitter).status == "success"
        assert balance(s, ids["sam"]) - before >= D("23.30")
    calc = [e for e in world.actions("commission_calculated") if e["mlm"]["distributor"]["id"] == ids["sam"]]
    uni_events = [e for e in calc if e["mlm"]["commission"]["type"] == "unilevel_level"]
    assert len(uni_events) == 1 and uni_events[0]["mlm"]["commission"]["amount"] == 23.3
    assert uni_events[0]["mlm"]["commission"]["period"] == "2026-11"
    ranks: dict = {}
    for e in world.actions("rank_changed"):  # the first change each; the empty December week demotes again
        ranks.setdefault(e["mlm"]["distributor"]["id"], e["mlm"]["rank"])
    assert ranks[ids["sam"]] == {"previous": "none", "current": "Bronze"} and ids["kat"] not in ranks


def test_refund_after_a_paid_run_claws_back_the_unilevel_share(world):
    ids, orders = _chain_world(world)
    with world.factory() as s:
        runs.run_commissions(s, "2026-11", config=world.config, now=NOW, events=world.emitter)
        sam_before = balance(s, ids["sam"])
        refund_order(s, s.get(User, ids["nia"]), orders["nia"], config=world.config, now=NOW, events=world.emitter)
        claws = {e.distributor_id: e.amount for e in s.query(LedgerEntry).filter_by(kind="clawback", run_id=1)}
        # Nia's 110 PV paid Joseph 11.00, Robin 5.50, Sam 3.30.
        assert claws == {ids["joseph"]: D("-11.00"), ids["robin"]: D("-5.50"), ids["sam"]: D("-3.30")}
        assert balance(s, ids["sam"]) == sam_before - D("3.30")


def test_failed_run_leaves_nothing_and_reruns_clean(world, monkeypatch):
    ids, _ = _chain_world(world)
    real = runs._write_ledger

    def broken(*args, **kwargs):
        real(*args, **kwargs)
        raise RuntimeError("disk full")

    with world.factory() as s:
        monkeypatch.setattr(runs, "_write_ledger", broken)
        run = runs.run_commissions(s, "2026-11", config=world.config, now=NOW, events=world.emitter)
        s.commit()
        assert (run.status, run.error) == ("failed", "RuntimeError: disk full")
        assert s.query(LedgerEntry).filter(LedgerEntry.run_id.isnot(None)).count() == 0
        assert s.get(Distributor, ids["sam"]).rank is None
        monkeypatch.setattr(runs, "_write_ledger", real)
        run = runs.run_commissions(s, "2026-11", config=world.config, now=NOW, events=world.emitter)
        assert run.status == "success" and s.query(CommissionRun).count() == 1
        assert s.query(LedgerEntry).filter_by(run_id=run.id, distributor_id=ids["sam"]).count() >= 1


def test_binary_carry_is_stored_between_weekly_periods(world):
    with world.factory() as s:
        root = world.root(s)
        left, right = world.join(s, root, "lefty"), world.join(s, root, "righty")
        big, small = world.product(s, stock=10, pv="300", name="Big"), world.product(s, stock=10, pv="100", name="Small")
        for who, product in ((root, small), (left, big), (right, small)):
            place_order(s, s.get(User, who.id), [(product.id, 1)], config=world.config, now=NOW, events=world.emitter)
        runs.run_commissions(s, "2026-W46", config=world.config, now=NOW, events=world.emitter)
        company = s.get(Distributor, root.id)
        # 300 vs 100 PV: one 100-PV pair, $10 gross less 5% service and 10% tax.
        assert (company.carry_left, company.carry_right) == (D("200.00"), D("0.00"))
        entry = s.query(LedgerEntry).filter_by(distributor_id=root.id, kind="binary_pairing").one()
        assert entry.amount == D("8.50")
        assert runs.run_commissions(s, "2026-W47", config=world.config, now=NOW, events=world.emitter).total == 0
        assert s.get(Distributor, root.id).carry_left == D("0.00")  # inactive this week: flushed
