"""The independent world (simulator/alt) is valid, deterministic and realistic where it matters."""

from __future__ import annotations

import random
from collections import Counter
from datetime import datetime

import pytest

from core.event import Event
from simulator.alt import generate
from simulator.alt.business import Book, place_order, refund
from simulator.alt.emit import Writer
from simulator.alt.net import build_net
from simulator.alt.people import grow

KINDS = {
    "stuffing_residential_proxies",
    "low_and_slow_spraying",
    "brute_force_one_per_minute",
    "mfa_guessing",
    "impossible_travel",
    "impossible_travel_vpn",
    "session_cookie_replay",
    "takeover_wait_bank_payout",
    "password_reset_takeover",
    "fake_account_ring_small",
    "fake_account_ring_large",
    "order_cycling_refund_after_close",
    "shared_bank_unrelated",
    "sponsor_pays_downline",
    "commission_spike_inventory_loading",
    "scanner",
    "single_ip_flood",
    "residential_botnet_flood",
    "login_flood",
    "fake_account_ring_slow",
    "distributed_expensive_page_flood",
    "brute_force_every_10s",
    "sim_swap_reset_cash_out",
    "phished_admin_repoints_payouts",
    "chargeback_ring_stolen_cards",
    "refund_churn_no_close",
    "dormant_upline_stacking",
    "slow_single_ip_flood",
    "genealogy_api_scraper",
}
NEGATIVES = {
    "traveller",
    "flash_crowd",
    "enrollment_meeting",
    "end_of_month_big_buyer",
    "spouses_share_bank",
    "office_nat",
    "corporate_vpn_exit",
    "cgnat_mobile",
    "search_crawler",
    "new_phone",
    "consumer_vpn",
    "household_card",
    "flash_crowd_tv_mention",
    "email_blast_login_surge",
    "leader_event_abroad",
    "family_shares_one_phone",
    "call_centre_agent",
}


@pytest.fixture(scope="module")
def world(alt_world):
    return alt_world


def test_every_event_meets_the_contract_with_unique_ids_in_time_order(world):
    ids = {Event.from_dict(doc).id for doc in world.baseline + world.events}
    assert len(ids) == len(world.baseline) + len(world.events)
    assert world.events == sorted(world.events, key=lambda e: e["@timestamp"])
    # Baseline life (a late visit, a payout batch) may run a few hours into the first test day.
    assert world.baseline[-1]["@timestamp"] < world.events[len(world.events) // 4]["@timestamp"]


def test_same_seed_same_world_other_seed_other_people(world):
    again = generate(5, distributors=150, baseline_days=2, test_days=1, scale=0.5)
    assert again.events == world.events and again.baseline == world.baseline
    assert [t.to_dict() for t in again.truth] == [t.to_dict() for t in world.truth]
    assert [t.to_dict() for t in again.negatives] == [t.to_dict() for t in world.negatives]
    # A whole second world costs seconds; the population is where every seed starts to differ.
    people = [(m.id, m.home_ip, m.bank) for m in grow(random.Random("alt-world-6"), build_net(6), 150)]
    assert people != [
        (m.id, m.home_ip, m.bank) for m in grow(random.Random("alt-world-5"), build_net(5), 150)
    ]


def test_every_kind_and_hard_negative_is_planted_and_named_in_events(world):
    kinds = {t.kind for t in world.truth}
    assert KINDS <= kinds
    assert {
        f"{c}@{p}" for c in ("sqli", "xss", "nosql_injection") for p in ("query", "json", "header", "evasive")
    } <= kinds
    assert NEGATIVES <= {t.kind for t in world.negatives}
    seen = set()
    for doc in world.events:
        seen |= {
            doc.get("source", {}).get("ip"),
            doc.get("user", {}).get("id"),
            doc.get("user", {}).get("name"),  # failed logins name what was typed
            doc.get("mlm", {}).get("distributor", {}).get("id"),
            doc.get("mlm", {}).get("session", {}).get("id"),
        }
    for truth in world.truth:
        named = [e for e in truth.entities if e != "service"]
        assert all(e in seen for e in named), truth.kind
        assert truth.start <= truth.end


def test_no_secret_leaves_a_form_body(world):
    for doc in world.baseline + world.events:
        body = doc.get("http", {}).get("request", {}).get("body", {}).get("content", "")
        for field in ("password=", "code=", "iban="):
            if field in body:
                assert body.split(field, 1)[1].startswith("[REDACTED]"), body


def test_stuffing_comes_from_thousands_of_addresses_at_one_or_two_tries_each(world):
    truth = next(t for t in world.truth if t.kind == "stuffing_residential_proxies")
    ips = set(truth.entities)
    attempts = Counter(
        doc["source"]["ip"]
        for doc in world.events
        if doc["event"]["action"] == "login"
        and doc["source"]["ip"] in ips
        and truth.start <= datetime.fromisoformat(doc["@timestamp"]).timestamp() <= truth.end + 60
    )
    assert len(attempts) >= 900  # 1,000-2,000 combos at scale 0.5
    assert max(attempts.values()) <= 4  # two tries, plus the odd address two proxies happen to share


def test_order_cycling_refunds_after_the_commission_run_paid(world):
    truth = next(t for t in world.truth if t.kind == "order_cycling_refund_after_close")
    cheat = truth.entities[0]
    mine = [doc for doc in world.events if doc.get("mlm", {}).get("distributor", {}).get("id") == cheat]
    placed = {
        d["mlm"]["order"]["id"]: d["@timestamp"] for d in mine if d["event"]["action"] == "order_placed"
    }
    refunds = [d for d in mine if d["event"]["action"] == "order_refunded"]
    run = min(
        d["@timestamp"]
        for d in world.events
        if d["event"]["action"] == "commission_calculated" and d["mlm"]["commission"]["period"] == "2026-11"
    )
    assert refunds and all(d["mlm"]["order"]["id"] in placed for d in refunds)
    assert all(placed[d["mlm"]["order"]["id"]] < run < d["@timestamp"] for d in refunds)


def test_fake_ring_shares_banks_across_its_members(world):
    truth = next(t for t in world.truth if t.kind == "fake_account_ring_small")
    banks = Counter(
        doc["mlm"]["bank"]["fingerprint"]
        for doc in world.events
        if doc["event"]["action"] == "distributor_enrolled"
        and doc["mlm"]["distributor"]["id"] in truth.entities[1:]
    )  # the recruiter is first
    assert sum(banks.values()) == truth.notes["size"] and len(banks) <= 3


def test_a_run_pays_on_orders_refunded_after_it_not_before():
    members = grow(random.Random(1), build_net(5), 3)
    book, w = Book({m.id: m for m in members}), Writer(1)
    kept = place_order(w, random.Random(2), book, members[2], None, 100.0, amount=500.0)
    early = place_order(w, random.Random(3), book, members[2], None, 200.0, amount=300.0)
    refund(w, book, early, 250.0)  # before the close: no volume
    refund(w, book, kept, 900.0)  # after the close: the run already paid on it (order cycling)
    assert book.volume(close=500.0) == {members[2].id: 400.0}


def test_payouts_go_to_the_bank_in_force_when_they_are_made(world):
    bank: dict[str, str] = {}
    for doc in world.events:  # time order: a payout must use the account set before it, never after
        action, mlm = doc["event"]["action"], doc.get("mlm", {})
        if action == "bank_account_changed":
            bank[mlm["target"]["id"]] = mlm["bank"]["fingerprint"]
        elif action == "payout_requested" and mlm["distributor"]["id"] in bank:
            assert mlm["bank"]["fingerprint"] == bank[mlm["distributor"]["id"]]


def test_the_alt_world_carries_its_negatives_and_its_own_grace(world):
    assert isinstance(world.grace_after, float) and world.grace_after >= 3 * 3600
    assert world.negatives and all(t.family == "benign" for t in world.negatives)
