"""Stolen cards spread over straw accounts: a new account paying with a card an unrelated account used
before alerts at that order, naming the recruiter; households, sponsors buying a kit and established
members sharing a card stay quiet. Sizes, card counts and timings vary with fixed seeds."""

from __future__ import annotations

import random

import pytest
from builders import T0
from fraud_helpers import DAY, commerce, enroll, run, seconds_of

from core.event import parse_timestamp
from detectors.fraud.payments import SharedBankAccounts

START = 2 * DAY


def buy(seconds: float, dist: str, card: str, *, device: str | None = None, ip: str = "198.51.100.20"):
    return commerce(seconds, dist, "order_placed", mlm__order__id=f"o-{dist}-{seconds:.0f}", mlm__order__pv=120.0,
                    mlm__order__amount=299.0, mlm__payment__fingerprint=card, mlm__device__id=device or f"dev-{dist}",
                    source__ip=ip)


def login(seconds: float, dist: str, device: str, ip: str):
    return commerce(seconds, dist, "login", mlm__device__id=device, source__ip=ip)


def straw_ring(rng: random.Random) -> tuple[list, float | None]:
    """Straw accounts under one recruiter, each on its own phone, home address and bank, buying with one
    or two stolen cards; returns the events and when a straw first used a card another straw used before."""
    cards = [f"stolen{i}" for i in range(rng.randint(1, 2))]
    span, size = rng.uniform(2, 20) * 3600, rng.randint(3, 8)
    events = []
    for i in range(size):
        at = START + span * i / size + rng.uniform(0, 600)
        ip = f"203.0.{rng.randint(0, 250)}.{rng.randint(2, 250)}"
        events.append(enroll(at, f"s{i}", "recruiter", device=f"phone{i}", bank=f"bank{i}", ip=ip))
        for _ in range(rng.randint(1, 3)):
            at += rng.uniform(300, 3600)
            events.append(buy(at, f"s{i}", rng.choice(cards), device=f"phone{i}", ip=ip))
    events.sort(key=lambda e: e.ts)
    users: dict[str, set[str]] = {}
    for event in events:
        card = event.flat.get("mlm.payment.fingerprint")
        if card and users.setdefault(card, set()) - {event.flat["user.id"]}:
            return events, (parse_timestamp(event.flat["@timestamp"]) - T0).total_seconds()
        if card:
            users[card].add(event.flat["user.id"])
    return events, None


def recruiter_history() -> list:
    return [login(0, "recruiter", "rec-phone", "192.0.2.50"), buy(600, "recruiter", "rec-card", ip="192.0.2.50")]


@pytest.mark.parametrize("seed", range(10))
def test_straw_accounts_on_stolen_cards_alert_at_the_first_reuse_naming_the_recruiter(seed):
    events, second = straw_ring(random.Random(seed))
    alerts = run(SharedBankAccounts(), recruiter_history() + events)
    cards = [a for a in alerts if a.rule_id == "mlm-fraud-shared-card"]
    if second is None:  # every straw happened to use a card of its own: nothing shared
        assert cards == []
        return
    assert cards, "the stolen-card ring went unnoticed"
    assert seconds_of(cards[0]) == pytest.approx(second)
    assert {a.entity_value for a in cards} == {"recruiter"}
    assert len(cards) <= 6  # per card at 2, 4 and 8 users (one or two cards): not once per straw


@pytest.mark.parametrize("story", ["spouse", "kit_by_sponsor", "kit_by_grand_sponsor", "same_home", "established"])
def test_households_sponsors_and_established_members_sharing_a_card_stay_quiet(story):
    events = [login(0, "amy", "amy-phone", "198.51.100.7"), buy(300, "amy", "amy-card", device="amy-phone",
                                                                 ip="198.51.100.7")]
    if story == "spouse":  # amy enrolls her husband at home; his first order on her card, his own phone
        events += [enroll(START, "bob", "amy", device="bob-phone", ip="198.51.100.7"),
                   buy(START + 600, "bob", "amy-card", device="bob-phone", ip="100.64.3.9")]
    elif story == "kit_by_sponsor":  # amy buys her recruit's starter kit with her card
        events += [enroll(START, "cat", "amy", device="cat-phone", ip="203.0.113.80"),
                   buy(START + 900, "cat", "amy-card", device="cat-phone", ip="203.0.113.80")]
    elif story == "kit_by_grand_sponsor":  # amy's recruit dan enrolls eve; amy pays eve's kit
        events += [enroll(START, "dan", "amy", device="dan-phone", ip="203.0.113.81"),
                   enroll(START + 3600, "eve", "dan", device="eve-phone", ip="203.0.113.82"),
                   buy(START + 4000, "eve", "amy-card", device="eve-phone", ip="203.0.113.82")]
    elif story == "same_home":  # a new member of amy's household, enrolled under someone else, at home
        events += [enroll(START, "fay", "zed", device="fay-tablet", ip="198.51.100.7"),
                   buy(START + 300, "fay", "amy-card", device="fay-tablet", ip="198.51.100.7")]
    else:  # two long-standing members share a card we cannot place: no new account, no alert
        events += [buy(START, "gus", "amy-card", device="gus-phone", ip="203.0.113.90")]
    alerts = run(SharedBankAccounts(), sorted(events, key=lambda e: e.ts))
    assert [a for a in alerts if a.rule_id == "mlm-fraud-shared-card"] == []


def test_hostile_card_fields_are_bounded_and_ignored_when_absent():
    events = [enroll(START, "s1", "rec", ip="203.0.113.1"), enroll(START + 60, "s2", "rec", ip="203.0.113.200"),
              buy(START + 100, "s1", "x" * 10_000, ip="203.0.113.1"), buy(START + 200, "s2", "x" * 10_000,
                                                                            ip="203.0.113.200"),
              commerce(START + 300, "s2", "order_placed", mlm__order__id="o-none")]
    alerts = run(SharedBankAccounts(), events)
    assert [a.rule_id for a in alerts] == ["mlm-fraud-shared-card"]
    assert all(len(m) <= 256 for m in alerts[0].extra["mlm_siem"]["members"])
