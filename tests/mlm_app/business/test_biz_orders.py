"""Orders: no overselling under concurrency (SQLite and PostgreSQL), fast start, refunds with clawback."""

from concurrent.futures import ThreadPoolExecutor
from datetime import timedelta
from decimal import Decimal as D

import pytest
from bizworld import NOW, make_world

from mlm_app.accounts.models import User
from mlm_app.business.commissions.ledger import balance
from mlm_app.business.errors import AccessDenied, Conflict, Invalid
from mlm_app.business.orders.models import Order, Product
from mlm_app.business.orders.service import place_order, refund_order, search_products


def _buyers(world, n):
    with world.factory() as s:
        root = world.root(s)
        ids = [world.join(s, root, f"buyer{i:02d}").id for i in range(n)]
        product_id = world.product(s, stock=10).id
        s.commit()
    return ids, product_id


def _race(world, ids, product_id):
    def buy(user_id):
        with world.factory() as s:
            try:
                place_order(s, s.get(User, user_id), [(product_id, 1)], config=world.config, now=NOW,
                            events=world.emitter)
                s.commit()
                return True
            except Conflict:
                s.rollback()
                return False

    with ThreadPoolExecutor(max_workers=16) as pool:
        results = list(pool.map(buy, ids))
    with world.factory() as s:
        stock = s.get(Product, product_id).stock
        orders = s.query(Order).count()
    return sum(results), stock, orders


def test_fifty_parallel_orders_for_ten_units_sqlite(world):
    ids, product_id = _buyers(world, 50)
    assert _race(world, ids, product_id) == (10, 0, 10)
    assert len(world.actions("order_placed")) == 10


def test_fifty_parallel_orders_for_ten_units_postgres(postgres_db_url, tmp_path):
    world = make_world(postgres_db_url, tmp_path)
    ids, product_id = _buyers(world, 50)
    assert _race(world, ids, product_id) == (10, 0, 10)
    world.factory.kw["bind"].dispose()


def test_search_is_parameterized_and_escapes_wildcards(world):
    with world.factory() as s:
        world.product(s, name="Vital Tea")
        world.product(s, name="Omega 100% Oil", stock=5)
        s.commit()
        assert [p.name for p in search_products(s, "tea")] == ["Vital Tea"]
        assert [p.name for p in search_products(s, "100%")] == ["Omega 100% Oil"]
        assert [p.name for p in search_products(s, "%")] == ["Omega 100% Oil"]
        assert search_products(s, "_ital") == []
        assert search_products(s, "' OR '1'='1") == []
        assert search_products(s, "x' UNION SELECT sku,name,1,1,1,1,1,1,1 FROM biz_products--") == []
        assert len(search_products(s, None)) == 2


def test_order_totals_fast_start_and_event(world):
    with world.factory() as s:
        root = world.root(s)
        e1 = world.join(s, root, "enroller")
        new = world.join(s, e1, "newbie")
        tea = world.product(s, stock=50, price="40.00", pv="100")
        # The enroller and root qualify for fast start with 100 PV of their own this month.
        place_order(s, s.get(User, e1.id), [(tea.id, 1)], config=world.config, now=NOW, events=world.emitter)
        place_order(s, s.get(User, root.id), [(tea.id, 1)], config=world.config, now=NOW, events=world.emitter)
        order = place_order(s, s.get(User, new.id), [(tea.id, 2)], config=world.config, now=NOW,
                            events=world.emitter, payment_fingerprint="fp-card-1")
        assert (order.amount, order.pv, order.bv) == (D("80.00"), D("200.00"), D("200.00"))
        assert balance(s, e1.id) == D("40.00") and balance(s, root.id) == D("20.00")
        assert s.get(Product, tea.id).stock == 46
        s.commit()
    placed = world.actions("order_placed")[-1]["mlm"]
    assert placed["order"]["amount"] == 80.0 and placed["order"]["items"] == 2
    assert placed["payment"]["fingerprint"] == "fp-card-1"
    fast = [e["mlm"]["commission"] for e in world.actions("commission_calculated")]
    assert {(c["type"], c["amount"]) for c in fast} == {("fast_start", 40.0), ("fast_start", 20.0)}


def test_refund_claws_back_and_restocks_within_window_only(world):
    with world.factory() as s:
        root = world.root(s)
        e1 = world.join(s, root, "enroller")
        new = world.join(s, e1, "newbie")
        tea = world.product(s, stock=5, pv="100")
        place_order(s, s.get(User, e1.id), [(tea.id, 1)], config=world.config, now=NOW, events=world.emitter)
        order = place_order(s, s.get(User, new.id), [(tea.id, 1)], config=world.config, now=NOW, events=world.emitter)
        assert balance(s, e1.id) == D("20.00")
        with pytest.raises(AccessDenied):
            refund_order(s, s.get(User, e1.id), order.id, config=world.config, now=NOW, events=world.emitter)
        refund_order(s, s.get(User, new.id), order.id, config=world.config, now=NOW + timedelta(days=3),
                     events=world.emitter)
        assert balance(s, e1.id) == D("0.00") and s.get(Product, tea.id).stock == 4
        with pytest.raises(Conflict, match="already"):
            refund_order(s, s.get(User, new.id), order.id, config=world.config, now=NOW, events=world.emitter)
        late = place_order(s, s.get(User, new.id), [(tea.id, 1)], config=world.config, now=NOW, events=world.emitter)
        with pytest.raises(Conflict, match="window"):
            refund_order(s, s.get(User, new.id), late.id, config=world.config, now=NOW + timedelta(days=31),
                         events=world.emitter)
    assert world.actions("order_refunded")[0]["mlm"]["order"]["id"] == order.id


def test_bad_order_lines_are_refused(world):
    with world.factory() as s:
        root = world.root(s)
        a = world.join(s, root, "amy")
        tea = world.product(s)
        for lines in ([], [(tea.id, 0)], [(tea.id, 101)], [(tea.id, 1)] * 21):
            with pytest.raises(Invalid):
                place_order(s, s.get(User, a.id), lines, config=world.config, now=NOW, events=world.emitter)
        with pytest.raises(Conflict):
            place_order(s, s.get(User, a.id), [(99999, 1)], config=world.config, now=NOW, events=world.emitter)
