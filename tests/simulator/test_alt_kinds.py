"""The newer alt-world kinds and hard negatives look in events the way their stories say."""

from __future__ import annotations

import random
import statistics
from collections import Counter
from datetime import datetime
from itertools import pairwise

from core.geo import lookup
from simulator.alt import ato, floods, payments
from simulator.alt.business import Book
from simulator.alt.emit import Writer
from simulator.alt.net import build_net, far_apart
from simulator.alt.people import grow


def _ts(doc):
    return datetime.fromisoformat(doc["@timestamp"]).timestamp()


def _truth(world, kind):
    return next(t for t in world.truth if t.kind == kind)


def _actions(world, user):
    return [
        d
        for d in world.events
        if d.get("user", {}).get("id") == user and d["event"]["action"] != "http_request"
    ]


def test_sim_swap_resets_from_the_victims_own_country_then_cashes_out_to_one_new_bank(alt_world):
    truth = _truth(alt_world, "sim_swap_reset_cash_out")
    victim, ip = truth.entities[:2]
    steps = [d for d in _actions(alt_world, victim) if d["source"]["ip"] == ip]
    names = [d["event"]["action"] for d in steps]
    assert names[:3] == ["password_reset_requested", "password_reset_completed", "login"]
    assert names[-3:] == ["email_changed", "bank_account_changed", "payout_requested"]
    assert steps[-1]["mlm"]["bank"]["fingerprint"] == steps[-2]["mlm"]["bank"]["fingerprint"]
    assert _ts(steps[-1]) - truth.start < 4 * 3600


def test_fast_brute_force_guesses_every_ten_seconds_and_slow_once_a_minute(alt_world):
    for kind, pace in (("brute_force_every_10s", 10), ("brute_force_one_per_minute", 60)):
        truth = _truth(alt_world, kind)
        tries = [
            _ts(d)
            for d in alt_world.events
            if d["event"]["action"] == "login" and d["source"]["ip"] == truth.entities[1]
        ]
        gaps = [b - a for a, b in pairwise(tries)]
        assert len(tries) == truth.notes["tries"] and 0.8 * pace < statistics.median(gaps) < 1.2 * pace


def test_the_phished_admin_repoints_several_earners_to_one_account_from_far_away(alt_world):
    truth = _truth(alt_world, "phished_admin_repoints_payouts")
    admin, ip, _, *victims = truth.entities
    assert not admin.isdigit() and len(victims) == truth.notes["victims"] >= 3
    changes = [
        d
        for d in alt_world.events
        if d["event"]["action"] == "bank_account_changed" and d["source"]["ip"] == ip
    ]
    assert sorted(d["mlm"]["target"]["id"] for d in changes) == sorted(victims)
    assert len({d["mlm"]["bank"]["fingerprint"] for d in changes}) == 1
    assert far_apart("US", lookup(ip).country or "US")


def test_call_centre_agents_change_member_details_on_ordinary_days_too(alt_world):
    agents = next(t for t in alt_world.negatives if t.kind == "call_centre_agent").entities
    staff_ids = {a for a in agents if a.startswith("staff-")}
    done = Counter(
        d["event"]["action"]
        for d in alt_world.baseline
        if d.get("user", {}).get("id") in staff_ids and d["event"]["dataset"] == "mlm.audit"
    )
    assert done["pii_viewed"] > 20 and done["phone_changed"] + done["email_changed"] > 0
    # A member whose second factor support reset enrols a new one from home soon after.
    resets = [d for d in alt_world.baseline if d["event"]["action"] == "mfa_reset"]
    assert resets
    for reset in resets:
        member = reset["mlm"]["target"]["id"]
        assert any(
            d["event"]["action"] == "mfa_enrolled"
            and d["user"]["id"] == member
            and 0 < _ts(d) - _ts(reset) <= 1800
            for d in alt_world.baseline
        )


def test_chargebacks_pull_back_the_stolen_card_orders_after_they_were_placed(alt_world):
    truth = _truth(alt_world, "chargeback_ring_stolen_cards")
    ring = set(truth.entities[1:])
    placed = {
        d["mlm"]["order"]["id"]: d
        for d in alt_world.events
        if d["event"]["action"] == "order_placed" and d["mlm"]["distributor"]["id"] in ring
    }
    backs = [
        d
        for d in alt_world.events
        if d["event"]["action"] == "order_refunded"
        and d["mlm"].get("refund", {}).get("reason") == "chargeback"
    ]
    assert backs and all(d["mlm"]["order"]["id"] in placed for d in backs)
    cards = {placed[d["mlm"]["order"]["id"]]["mlm"]["payment"]["fingerprint"] for d in backs}
    assert len(cards) == truth.notes["cards"]
    assert all(_ts(d) - _ts(placed[d["mlm"]["order"]["id"]]) >= 12 * 3600 for d in backs)
    ips = {
        d["source"]["ip"]
        for d in alt_world.events
        if d["event"]["action"] == "distributor_enrolled" and d["mlm"]["distributor"]["id"] in ring
    }
    assert len(ips) >= len(ring) - 1  # one proxy address each (two may collide in a /24 pool)


def test_refund_churn_reaches_a_rank_then_returns_everything_without_a_close(alt_world):
    truth = _truth(alt_world, "refund_churn_no_close")
    mine = [
        d for d in alt_world.events if d.get("mlm", {}).get("distributor", {}).get("id") == truth.entities[0]
    ]
    rank = next(_ts(d) for d in mine if d["event"]["action"] == "rank_changed")
    placed = [d for d in mine if d["event"]["action"] == "order_placed" and _ts(d) >= truth.start - 1]
    refunds = [d for d in mine if d["event"]["action"] == "order_refunded"]
    assert len(placed) == len(refunds) == truth.notes["orders"]
    assert max(map(_ts, placed)) < rank < min(map(_ts, refunds))
    runs = [_ts(d) for d in alt_world.events if d["event"]["action"] == "commission_calculated"]
    assert not [r for r in runs if truth.start <= r <= truth.end]


def test_dormant_upline_sponsors_a_burst_and_pays_out_to_the_operator(alt_world):
    truth = _truth(alt_world, "dormant_upline_stacking")
    dormant, operator, *recruits = truth.entities
    sponsors = {
        d["mlm"]["sponsor"]["id"]
        for d in alt_world.events
        if d["event"]["action"] == "distributor_enrolled" and d["mlm"]["distributor"]["id"] in recruits
    }
    assert sponsors == {dormant} and len(recruits) == truth.notes["size"]
    # The silent account wakes up on the operator's own phone.
    phones = {
        d.get("mlm", {}).get("device", {}).get("id")
        for d in alt_world.baseline + alt_world.events
        if d.get("user", {}).get("id") == operator
    }
    woke = next(
        d for d in _actions(alt_world, dormant) if d["event"]["action"] == "login" and _ts(d) >= truth.start
    )
    assert woke["mlm"]["device"]["id"] in phones
    change = next(
        d
        for d in alt_world.events
        if d["event"]["action"] == "bank_account_changed" and d["mlm"]["target"]["id"] == dormant
    )
    assert change["mlm"]["bank"]["fingerprint"] != change["mlm"]["bank"]["previous_fingerprint"]


def test_the_scraper_walks_ids_in_order_and_is_mostly_refused(alt_world):
    truth = _truth(alt_world, "genealogy_api_scraper")
    hits = [
        d
        for d in alt_world.events
        if d["event"]["action"] == "http_request"
        and d["source"]["ip"] in truth.entities
        and d["url"]["path"].startswith("/api/genealogy/")
    ]
    ids = [int(d["url"]["path"].rsplit("/", 1)[1]) for d in hits]
    assert ids == sorted(ids) and len(ids) > 100
    assert sum(d["http"]["response"]["status_code"] >= 400 for d in hits) > 0.8 * len(hits)


def test_new_negatives_name_real_members_and_addresses(alt_world):
    seen = {d.get("user", {}).get("id") for d in alt_world.events} | {
        d.get("source", {}).get("ip") for d in alt_world.events
    }
    for kind in ("email_blast_login_surge", "leader_event_abroad", "family_shares_one_phone"):
        truth = next(t for t in alt_world.negatives if t.kind == kind)
        assert truth.entities and set(truth.entities) <= seen | {None}, kind


def test_wider_ranges_differ_between_seeds_and_travel_is_never_explained_by_geography():
    net = build_net(5)
    shapes, orders = set(), set()
    for seed in range(6):
        rng = random.Random(seed)
        members = grow(rng, net, 60)
        by_id = {m.id: m for m in members}
        w = Writer(seed)
        vpn = ato.travel(w, rng, net, members, 1e9, vpn=True)
        assert far_apart(by_id[vpn.entities[0]].country, lookup(vpn.entities[1]).country or "")
        swap = ato.sim_swap(w, rng, net, members, 1e9)
        assert lookup(swap.entities[1]).country == by_id[swap.entities[0]].country  # the victim's own carrier
        spray = ato.slow_spray(w, rng, net, members, 1e9)
        shapes.add((spray.notes["ips"] > 5, spray.notes["rounds"]))
        orders.add(payments.refund_churn(w, rng, Book(dict(by_id)), members, 1e9).notes["orders"])
        flood = floods.one_ip(w, rng, net, 1e9, 0.05, slow=bool(seed % 2))
        assert (flood.notes["rate"] <= 10) == bool(seed % 2)
    assert len(shapes) > 1 and len(orders) > 1


def test_attack_victims_and_benign_story_protagonists_are_different_members(alt_world):
    from simulator.alt.world import STORIES

    told = {e for t in alt_world.negatives if t.kind in STORIES for e in t.entities if e.isdigit()}
    for truth in alt_world.truth:
        picked = {e for e in truth.entities[:2] if e.isdigit()}  # the victim, cheat or recruiter first
        assert not picked & told, truth.kind
