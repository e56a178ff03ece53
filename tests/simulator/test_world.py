"""The simulated world is valid, deterministic, and its ground truth points at real evidence."""

from __future__ import annotations

import pytest

from core.alert import Alert
from core.event import Event
from simulator.evaluate import Score, report, score_world
from simulator.world import generate


def small_world(seed=3):
    return generate(seed, distributors=120, baseline_days=2, test_days=1)


def test_every_event_meets_the_contract_and_ids_are_unique():
    world = small_world()
    ids = set()
    for doc in world.baseline + world.events:
        event = Event.from_dict(doc)
        ids.add(event.id)
    assert len(ids) == len(world.baseline) + len(world.events)
    assert world.events == sorted(world.events, key=lambda e: e["@timestamp"])


def test_same_seed_same_world_other_seed_other_world():
    a, b, c = small_world(3), small_world(3), small_world(4)
    assert a.events == b.events and [t.to_dict() for t in a.truth] == [t.to_dict() for t in b.truth]
    assert a.events != c.events


def test_every_kind_is_injected_with_entities_seen_in_events():
    world = small_world()
    kinds = {t.kind for t in world.truth}
    assert {"credential_stuffing", "password_spraying", "brute_force", "mfa_brute_force", "impossible_travel",
            "session_hijack", "payout_redirection", "fake_account_ring", "order_cycling", "shared_bank_account",
            "sponsor_funded_orders", "commission_spike", "scanner", "sqli", "xss", "path_traversal",
            "command_injection", "template_injection", "nosql_injection", "single_ip_flood",
            "distributed_flood", "login_flood"} <= kinds
    seen = set()
    for doc in world.events:
        seen.add(doc.get("source", {}).get("ip"))
        seen.add(doc.get("user", {}).get("id"))
        seen.add(doc.get("mlm", {}).get("distributor", {}).get("id"))
    for truth in world.truth:
        named = [e for e in truth.entities if e != "service"]
        assert not named or any(e in seen for e in named), truth.kind


def test_scoring_counts_hits_misses_and_false_positives():
    world = small_world()
    brute = next(t for t in world.truth if t.kind == "brute_force")
    from core.event import format_timestamp
    from datetime import datetime, timezone

    def at(ts):
        return format_timestamp(datetime.fromtimestamp(ts, tz=timezone.utc))

    hit = Alert(rule_id="r", rule_name="r", category="account_takeover", severity="high", risk_score=80,
                entity_type="user", entity_value=brute.entities[0], timestamp=at(brute.start + 30),
                event_ids=["x"], summary="s")
    stray = Alert(rule_id="r2", rule_name="r2", category="injection", severity="low", risk_score=20,
                  entity_type="ip", entity_value="198.51.100.77", timestamp=at(brute.start), event_ids=["y"],
                  summary="s")
    score = Score()
    score_world(world, [hit, stray], score)
    assert score.found["account_takeover/brute_force"] == [True]
    assert score.ttd["account_takeover/brute_force"] == [pytest.approx(30.0, abs=0.01)]
    assert score.found["account_takeover/session_hijack"] == [False]
    assert len(score.false_positives["injection"]) == 1
    assert "brute_force" in report(score)


def test_order_cycling_refunds_the_very_orders_it_placed():
    world = small_world()
    truth = next(t for t in world.truth if t.kind == "order_cycling")
    cheat = truth.entities[0]
    placed, refunded = {}, {}
    for doc in world.events:
        mlm = doc.get("mlm", {})
        if mlm.get("distributor", {}).get("id") != cheat:
            continue
        if doc["event"]["action"] == "order_placed":
            placed[mlm["order"]["id"]] = mlm["order"]["amount"]
        elif doc["event"]["action"] == "order_refunded":
            refunded[mlm["order"]["id"]] = mlm["order"]["amount"]
    assert refunded and all(placed.get(order_id) == amount for order_id, amount in refunded.items())
