"""Honest refunds in the benign world: a few percent of orders, sent back 1-20 days later, as the app emits them."""

from __future__ import annotations

import random

import pytest

from simulator import benign
from simulator.events import Client, Emitter
from simulator.ipplan import build_plan
from simulator.population import grow_population
from simulator.world import DAY, START, generate


def _people(seed: int, count: int = 400):
    return grow_population(random.Random(seed), build_plan(seed), count)


def _place(em: Emitter, refunds: benign.Refunds, person, ts: float, amount: float) -> str:
    client = Client("198.51.100.7", "UA", "dev-1", person.user_id, person.username)
    benign.order(em, random.Random(1), person, client, ts, amount=amount)
    refunds.consider(person, em.events[-1], ts)
    return em.events[-1]["mlm"]["order"]["id"]


@pytest.mark.parametrize("seed", [1, 7, 42])
def test_a_few_percent_come_back_within_twenty_days_and_returners_send_back_most(seed):
    people = _people(seed)
    refunds, em = benign.Refunds(seed), Emitter(seed)
    placed = {}
    for index in range(6000):
        person = people[index % len(people)]
        placed[_place(em, refunds, person, START + index * 60, 100.0)] = (person, START + index * 60)
    due = [(person_id, item) for person_id, items in refunds.due.items() for item in items]
    ordinary = [d for d in due if not benign.returner(seed, placed[d[1][2]][0])]
    assert 0.012 <= len(ordinary) / 6000 <= 0.03
    assert 0.015 <= len(due) / 6000 <= 0.045  # about 2-4% of all orders, returners included
    for person_id, (when, at, order_id, amount) in due:
        assert placed[order_id][0].user_id == person_id and at == placed[order_id][1] and amount == 100.0
        assert at + DAY <= when <= at + 20 * DAY
    returners = [p for p in people if benign.returner(seed, p)]
    assert 1 <= len(returners) <= 15
    sent_back = sum(len(refunds.due.get(p.user_id, ())) for p in returners)
    assert sent_back >= 0.75 * sum(1 for person, _ in placed.values() if person in returners)


def test_settle_refunds_only_due_orders_at_the_next_visit_as_the_app_does():
    people = _people(3, 50)
    person = people[0]
    refunds, em = benign.Refunds(3), Emitter(3)
    refunds.due[person.user_id] = [(START + 2 * DAY, START, "O000000001", 120.5),
                                   (START + 9 * DAY, START + DAY, "O000000002", 80.0),
                                   (START + 3 * DAY, START - 40 * DAY, "O000000003", 60.0)]
    client = Client("198.51.100.7", "UA", "dev-1", person.user_id, person.username)
    assert refunds.settle(em, person, client, START + DAY) == START + DAY and not em.events  # nothing due yet
    end = refunds.settle(em, person, client, START + 5 * DAY)
    actions = [(e["event"]["action"], e.get("url", {}).get("path")) for e in em.events]
    assert actions == [("http_request", "/orders/O000000001"), ("http_request", "/orders/O000000001/refund"),
                       ("order_refunded", None), ("http_request", "/orders/O000000001")]
    refund = em.events[2]
    assert refund["event"]["dataset"] == "mlm.commerce" and refund["event"]["outcome"] == "success"
    assert refund["mlm"]["order"] == {"id": "O000000001", "amount": 120.5, "currency": "USD"}
    assert refund["mlm"]["distributor"]["id"] == person.user_id == refund["user"]["id"]
    assert end > START + 5 * DAY
    # The order past the 30-day guarantee was dropped (the app refuses it); the later one still waits.
    assert [item[2] for item in refunds.due[person.user_id]] == ["O000000002"]


@pytest.fixture(scope="module")
def refund_world():
    return generate(2, distributors=400, baseline_days=7, test_days=2)


def test_world_refunds_real_orders_of_their_buyer_once_and_stays_deterministic(refund_world):
    world = refund_world
    placed, refunded = {}, {}
    for doc in world.baseline + world.events:
        action, mlm = doc["event"]["action"], doc.get("mlm", {})
        if action == "order_placed":
            assert mlm["order"]["id"] not in placed  # ids unique across baseline and test days
            placed[mlm["order"]["id"]] = (mlm["distributor"]["id"], mlm["order"]["amount"], doc["@timestamp"])
        elif action == "order_refunded":
            assert mlm["order"]["id"] not in refunded
            refunded[mlm["order"]["id"]] = (mlm["distributor"]["id"], mlm["order"]["amount"], doc["@timestamp"])
    cheats = {e for t in world.truth if t.kind == "order_cycling" for e in t.entities}
    honest = {k: v for k, v in refunded.items() if v[0] not in cheats}
    assert len(honest) >= 3
    for order_id, (who, amount, at) in refunded.items():
        assert placed[order_id][:2] == (who, amount) and placed[order_id][2] < at
    truth_members = {e for t in world.truth for e in t.entities}
    assert {who for who, _, _ in honest.values()} - truth_members  # refunders are benign members
    assert any(at >= world.events[0]["@timestamp"] for _, _, at in honest.values())  # test days refund too
    again = generate(2, distributors=400, baseline_days=7, test_days=2)
    assert again.events == world.events and again.baseline == world.baseline
